package syntax

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is a syntax error at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg) }

// Caret renders the source line of the error with a caret under its
// column.
func (e *Error) Caret(src string) string { return Caret(src, e.Pos.Line, e.Pos.Col) }

// CaretWidth is the most characters of a line Caret shows: a longer line
// is cut to the part around the column, with "…" where it was cut.
const CaretWidth = 100

// Caret renders line (from 1) of src with a caret under column col (from
// 1, in characters; tabs shown as spaces); "" for a line src does not
// have. A line longer than CaretWidth is shown around the column.
func Caret(src string, line, col int) string {
	if line < 1 {
		return ""
	}
	// Find the line without splitting all of src.
	for i := 1; i < line; i++ {
		j := strings.IndexByte(src, '\n')
		if j < 0 {
			return ""
		}
		src = src[j+1:]
	}
	if j := strings.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	col--
	if col < 0 {
		col = 0
	}
	n := utf8.RuneCountInString(src)
	col = min(col, n)
	start, end := 0, n
	if n > CaretWidth {
		start = max(0, min(col-CaretWidth/2, n-CaretWidth))
		end = start + CaretWidth
	}
	var b strings.Builder
	pad := col - start
	if start > 0 {
		b.WriteString("…")
		pad++
	}
	k := 0
	for _, r := range src {
		if k >= end {
			break
		}
		if k >= start {
			if r == '\t' {
				r = ' '
			}
			b.WriteRune(r)
		}
		k++
	}
	if end < n {
		b.WriteString("…")
	}
	b.WriteString("\n" + strings.Repeat(" ", pad) + "^")
	return b.String()
}

// EchoMax is how many characters of what was written a message repeats:
// a longer text is cut (see Echo), so that a huge input is not sent back
// whole.
const EchoMax = 60

// Shorten is s as a message repeats it: s itself when it has at most
// EchoMax characters, else its first EchoMax characters, "…" and its
// length ("aaaa… (10000 characters)").
func Shorten(s string) string {
	if cut, n, ok := cutText(s); ok {
		return cut + "… (" + strconv.Itoa(n) + " characters)"
	}
	return s
}

// Echo is s quoted (as %q writes it) for a message, cut as Shorten cuts
// it: "aaaa…" (10000 characters).
func Echo(s string) string {
	if cut, n, ok := cutText(s); ok {
		return strconv.Quote(cut+"…") + " (" + strconv.Itoa(n) + " characters)"
	}
	return strconv.Quote(s)
}

func cutText(s string) (string, int, bool) {
	if len(s) <= EchoMax {
		return s, 0, false
	}
	n := utf8.RuneCountInString(s)
	if n <= EchoMax {
		return s, n, false
	}
	i, k := 0, 0
	for k < EchoMax {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		k++
	}
	return s[:i], n, true
}
