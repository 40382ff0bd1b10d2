package syntax

import (
	"fmt"
	"strings"
)

// Error is a syntax error at a position.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg) }

// Caret renders the source line of the error with a caret under its
// column.
func (e *Error) Caret(src string) string {
	lines := strings.Split(src, "\n")
	if e.Pos.Line < 1 || e.Pos.Line > len(lines) {
		return ""
	}
	line := []rune(strings.ReplaceAll(lines[e.Pos.Line-1], "\t", " "))
	col := e.Pos.Col - 1
	if col > len(line) {
		col = len(line)
	}
	if col < 0 {
		col = 0
	}
	return string(line) + "\n" + strings.Repeat(" ", col) + "^"
}
