package query

import (
	"errors"
	"fmt"

	"github.com/entente-kg/entente/query/syntax"
)

// Errors returned by this package, for errors.Is. Query errors are *Error
// values; these classify them.
var (
	// ErrSyntax: the statement does not parse.
	ErrSyntax = errors.New("query: syntax error")
	// ErrUnknown: a name matches no entity or relation kind.
	ErrUnknown = errors.New("query: unknown name")
	// ErrAmbiguous: a name matches more than one entity.
	ErrAmbiguous = errors.New("query: ambiguous name")
	// ErrInvalid: the statement parses but cannot be evaluated as
	// written (a variable used before it is bound, say).
	ErrInvalid = errors.New("query: invalid statement")
	// ErrGizmo: a Gizmo program failed.
	ErrGizmo = errors.New("query: gizmo error")
)

// Error is a query error, with the position in the statement when it has
// one. Line and Col count from 1 (Col in characters).
type Error struct {
	Line, Col int
	Msg       string
	Kind      error
	Src       string // the statement, for Caret
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Kind }

// Caret renders the statement's line at the error with a caret under the
// column (see syntax.Caret); "" without a position.
func (e *Error) Caret() string {
	if e.Line <= 0 || e.Src == "" {
		return ""
	}
	return syntax.Caret(e.Src, e.Line, e.Col)
}
