package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/entente-kg/entente/query"
)

// writeBrokers writes a brokers answer for people: each broker on a line
// of its own — its rank, name, type, score and share of the paths — and
// under it, indented, the chains of the paths it lies on.
func writeBrokers(w io.Writer, res *query.Result, o *Options) error {
	paint := painter(o)
	t := newTellApart(res)
	var b strings.Builder
	for _, row := range res.Rows {
		if len(row) < 6 {
			continue
		}
		fmt.Fprintf(&b, "%s. %s  (%s)  score %s, on %s\n", Text(row[0]), paint("node", Text(row[1])), Text(row[2]), Text(row[3]), Text(row[4]))
		ps, _ := row[5].(query.List)
		for _, v := range ps {
			if p, ok := v.(*query.Path); ok {
				fmt.Fprintf(&b, "     %s\n", chainText(p, paint, t))
			}
		}
	}
	b.WriteString(footer(res))
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeGroups writes a communities or components answer for people: each
// group's number and size, its members wrapped under it, and for a
// community the kinds of the relations that bind it.
func writeGroups(w io.Writer, res *query.Result, o *Options) error {
	width := o.Width
	if width <= 0 || width > 100 {
		width = 100
	}
	what := map[string]string{"communities": "Community", "components": "Component"}[res.Kind]
	var b strings.Builder
	for _, row := range res.Rows {
		if len(row) < 3 {
			continue
		}
		fmt.Fprintf(&b, "%s %s: %s members\n", what, Text(row[0]), Text(row[1]))
		members, _ := row[2].(query.List)
		wrapList(&b, "  ", members, width)
		if len(row) > 3 {
			kinds, _ := row[3].(query.List)
			if len(kinds) > 0 {
				wrapList(&b, "  bound by: ", kinds, width)
			}
		}
	}
	b.WriteString(footer(res))
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// wrapList writes items separated by commas, in lines of at most width
// characters (a longer item has a line of its own), the first starting
// with lead and the others indented as far.
func wrapList(b *strings.Builder, lead string, items query.List, width int) {
	indent := strings.Repeat(" ", len([]rune(lead)))
	line := lead
	n := len([]rune(line))
	start := true
	for i, it := range items {
		s := Text(it)
		if i < len(items)-1 {
			s += ","
		}
		l := len([]rune(s))
		if !start && n+1+l > width {
			b.WriteString(line + "\n")
			line, n, start = indent, len([]rune(indent)), true
		}
		if !start {
			line += " "
			n++
		}
		line += s
		n += l
		start = false
	}
	b.WriteString(line + "\n")
}

// writeBridges writes a bridges answer for people: each entity or
// relation that alone cuts the two ends, or the smallest set that does,
// a relation a line.
func writeBridges(w io.Writer, res *query.Result, o *Options) error {
	paint := painter(o)
	var b strings.Builder
	for _, row := range res.Rows {
		if len(row) < 3 {
			continue
		}
		switch v := row[2].(type) {
		case *query.Node:
			fmt.Fprintf(&b, "entity alone:     %s\n", paint("node", v.Label()))
		case *query.Relation:
			fmt.Fprintf(&b, "relation alone:   %s\n", relText(v))
		case query.List:
			kind := Text(row[0])
			fmt.Fprintf(&b, "%s together:", kind)
			if kind == "entities" {
				parts := make([]string, len(v))
				for i, x := range v {
					parts[i] = paint("node", Text(x))
				}
				fmt.Fprintf(&b, " %s\n", strings.Join(parts, ", "))
				continue
			}
			b.WriteString("\n")
			for _, x := range v {
				fmt.Fprintf(&b, "  %s\n", Text(x))
			}
		}
	}
	b.WriteString(footer(res))
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
