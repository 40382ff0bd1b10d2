package query

import "time"

// Options bound a query. The zero value means the defaults.
type Options struct {
	// Limit caps the rows of every result (default 1000), and the
	// relations of a show card; a statement's own limit clause
	// overrides it.
	Limit int
	// PathLimit caps the paths a paths or path statement enumerates
	// (default 100; Limit when that is lower), unless the statement has
	// a limit clause.
	PathLimit int
	// MaxDepth caps path length and neighbourhood depth (default 8).
	MaxDepth int
	// Timeout is used by callers that make the context (default 30 s);
	// the query itself obeys only its context.
	Timeout time.Duration
	// MaxMemory caps how much a Gizmo query may grow the heap, in bytes
	// (default 1 GiB).
	MaxMemory uint64
	// Evidence loads every relation's evidence (default: yes for why and
	// the moves, as needed for JSON output).
	NoEvidence bool
}

// Default bounds.
const (
	DefaultLimit     = 1000
	DefaultPathLimit = 100
	DefaultMaxDepth  = 8
	DefaultTimeout   = 30 * time.Second
	DefaultMaxMemory = 1 << 30
)

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.Limit <= 0 {
		r.Limit = DefaultLimit
	}
	if r.PathLimit <= 0 {
		r.PathLimit = DefaultPathLimit
	}
	if r.MaxDepth <= 0 {
		r.MaxDepth = DefaultMaxDepth
	}
	if r.Timeout <= 0 {
		r.Timeout = DefaultTimeout
	}
	if r.MaxMemory == 0 {
		r.MaxMemory = DefaultMaxMemory
	}
	return r
}
