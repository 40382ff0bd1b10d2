package loader

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Errors returned by this package, for errors.Is. Input errors are *Error
// values that carry a position; these sentinels classify what went wrong.
var (
	// ErrSyntax: the input does not follow its format.
	ErrSyntax = errors.New("loader: syntax error")
	// ErrInvalid: the input is well-formed but breaks the data model
	// (an unknown relation kind, a missing evidence field, …).
	ErrInvalid = errors.New("loader: invalid input")
	// ErrLimit: the input is over a limit (line length, decompressed size,
	// nesting depth).
	ErrLimit = errors.New("loader: input over a limit")
	// ErrFormat: the format is unknown or cannot be told from the name.
	ErrFormat = errors.New("loader: unknown format")
)

// Error is an input error at a position. Line and Col count from 1; Col
// counts characters (runes), not bytes; 0 means unknown.
type Error struct {
	File string // as given: a path, "-" for standard input, or a name
	Line int
	Col  int
	Msg  string // what was found and what was expected
	Kind error  // ErrSyntax, ErrInvalid or ErrLimit
	// Src is the offending line (possibly shortened) for Caret.
	Src string
}

func (e *Error) Error() string {
	var b strings.Builder
	name := e.File
	if name == "" {
		name = "input"
	}
	b.WriteString(name)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Kind }

// maxCaretLine is how much of a line Caret shows around the column.
const maxCaretLine = 100

// Caret renders the offending line with a caret under the column, for a
// person reading a terminal; "" when the line is unknown. A long line is
// cut to a window around the column.
func (e *Error) Caret() string {
	if e.Src == "" || e.Col <= 0 {
		return ""
	}
	src := strings.TrimRight(e.Src, "\r\n")
	runes := []rune(src)
	col := e.Col - 1
	if col > len(runes) {
		col = len(runes)
	}
	start := 0
	prefix, suffix := "", ""
	if len(runes) > maxCaretLine {
		start = col - maxCaretLine/2
		if start < 0 {
			start = 0
		}
		end := start + maxCaretLine
		if end > len(runes) {
			end = len(runes)
			start = max(0, end-maxCaretLine)
		}
		if start > 0 {
			prefix = "…"
		}
		if end < len(runes) {
			suffix = "…"
		}
		runes = runes[start:end]
	}
	var line, pad strings.Builder
	line.WriteString(prefix)
	pad.WriteString(strings.Repeat(" ", utf8.RuneCountInString(prefix)))
	for i, r := range runes {
		switch {
		case r == '\t':
			line.WriteRune(' ')
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			line.WriteRune('?')
		default:
			line.WriteRune(r)
		}
		if i < col-start {
			pad.WriteByte(' ')
		}
	}
	line.WriteString(suffix)
	return line.String() + "\n" + pad.String() + "^"
}

// ErrorList is several input errors, in input order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// quoteFound describes what was found at a position, briefly.
func quoteFound(s string) string {
	if s == "" {
		return "end of line"
	}
	r, _ := utf8.DecodeRuneInString(s)
	switch {
	case r == ' ':
		return "a space"
	case r == '\t':
		return "a tab"
	case r == utf8.RuneError:
		return "invalid UTF-8"
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf("control character %U", r)
	}
	// Show up to a short token.
	end := 0
	for i, c := range s {
		if i >= 20 || c == ' ' || c == '\t' {
			break
		}
		end = i + utf8.RuneLen(c)
	}
	tok := s[:end]
	if end < len(s) && end >= 20 {
		tok += "…"
	}
	return fmt.Sprintf("%q", tok)
}
