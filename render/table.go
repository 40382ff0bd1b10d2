package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/entente-kg/entente/query"
	"github.com/mattn/go-runewidth"
)

const minColumn = 8

// WriteTable writes the rows as an aligned table fitted to o.Width, with a
// row count and the result's note (what a cap cut) below.
func WriteTable(w io.Writer, res *query.Result, o *Options) error {
	if len(res.Columns) == 0 {
		_, err := fmt.Fprintln(w, footer(res))
		return err
	}

	cells := make([][]string, len(res.Rows))
	widths := make([]int, len(res.Columns))
	for i, c := range res.Columns {
		widths[i] = runewidth.StringWidth(c)
	}
	t := newTellApart(res)
	for r, row := range res.Rows {
		cells[r] = make([]string, len(row))
		for i, v := range row {
			s := oneLine(textIn(v, t))
			cells[r][i] = s
			if n := runewidth.StringWidth(s); n > widths[i] {
				widths[i] = n
			}
		}
	}
	if o.Expanded || o.ExpandWide && o.Width > 0 && tableWidth(widths) > o.Width {
		return writeExpanded(w, res, o)
	}
	fit(widths, o.Width)
	var b strings.Builder
	line := func(vals []string, header bool) {
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" | ")
			} else {
				b.WriteString(" ")
			}
			v = runewidth.Truncate(v, widths[i], "…")
			pad := widths[i] - runewidth.StringWidth(v)
			if header && o.Color {
				v = "\x1b[1m" + v + "\x1b[0m"
			}
			b.WriteString(v)
			if i < len(vals)-1 {
				b.WriteString(strings.Repeat(" ", pad))
			}
		}
		b.WriteString("\n")
	}
	line(res.Columns, true)
	for i, wd := range widths {
		if i > 0 {
			b.WriteString("+")
		}
		b.WriteString(strings.Repeat("-", wd+2))
	}
	b.WriteString("\n")
	for _, row := range cells {
		line(row, false)
	}
	if o.Evidence {
		writeRowsEvidence(&b, res, o)
	}
	b.WriteString(footer(res))
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeExpanded writes each row as a record — a head line, then a line
// for each column, its name and its value — as psql's expanded display
// does:
//
//	-[ RECORD 1 ]------------------------------
//	depth    | 1
//	node     | Australia
func writeExpanded(w io.Writer, res *query.Result, o *Options) error {
	t := newTellApart(res)
	nameW := 0
	for _, c := range res.Columns {
		nameW = max(nameW, runewidth.StringWidth(c))
	}
	var b strings.Builder
	for r, row := range res.Rows {
		head := fmt.Sprintf("-[ RECORD %d ]", r+1)
		b.WriteString(head + strings.Repeat("-", max(3, 40-len(head))) + "\n")
		for i, c := range res.Columns {
			name := c + strings.Repeat(" ", nameW-runewidth.StringWidth(c))
			if o.Color {
				name = "\x1b[1m" + name + "\x1b[0m"
			}
			b.WriteString(name + " | " + oneLine(textIn(row[i], t)) + "\n")
		}
	}
	if o.Evidence {
		writeRowsEvidence(&b, res, o)
	}
	b.WriteString(footer(res) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRowsEvidence writes, under a table, each relation of its rows —
// relation values and the hops of paths, once each, in the order of the
// rows — in full: its qualifiers, note and evidence.
func writeRowsEvidence(b *strings.Builder, res *query.Result, o *Options) {
	paint := painter(o)
	seen := map[string]bool{}
	for _, r := range rowRelations(res) {
		if id := relIdentity(r); !seen[id] {
			seen[id] = true
			writeRelEvidence(b, r, "", paint)
		}
	}
}

func footer(res *query.Result) string {
	n := len(res.Rows)
	s := fmt.Sprintf("(%d rows)", n)
	if n == 1 {
		s = "(1 row)"
	}
	if res.Note != "" {
		s += " — " + res.Note
	}
	return s
}

// tableWidth is how wide a table with these column widths prints.
func tableWidth(widths []int) int {
	t := 1
	for _, w := range widths {
		t += w + 3
	}
	return t
}

// fit shrinks the widest columns until the table fits width.
func fit(widths []int, width int) {
	if width <= 0 {
		return
	}
	for tableWidth(widths) > width {
		widest := 0
		for i, w := range widths {
			if w > widths[widest] {
				widest = i
			}
		}
		if widths[widest] <= minColumn {
			return
		}
		widths[widest]--
	}
}

func oneLine(s string) string {
	if strings.ContainsAny(s, "\n\r\t") {
		s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
	}
	return s
}
