package query

import (
	"context"
	"errors"

	"github.com/entente-kg/entente/graph"
)

// Run parses and evaluates one EQL statement against db.
func Run(ctx context.Context, db *graph.DB, src string, opts *Options) (*Result, error) {
	return nil, &Error{Msg: "EQL is not available yet; use --lang gizmo", Kind: errors.New("query: not available")}
}
