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
	// MaxDepth caps the depth of a neighbors statement (default 8). The
	// hops of a path search are the statement's (max N, *..N: at most
	// MaxHops); the work it may do is MaxWork.
	MaxDepth int
	// MaxWork caps the work of a statement's searches for simple paths
	// (paths, compare paths, variable-length match relationships,
	// shortest patterns with a minimum), counted in links examined and
	// nodes expanded (default 10,000,000: a few seconds at most), and of
	// the network statements, whose walks over the whole graph read
	// links in compressed rows, far cheaper: they count the nodes each
	// walk visits (betweenness's searches, Louvain's visits, a maximum
	// flow's searches) and the graph once a pass over it. A
	// paths statement that runs out answers with the paths it has
	// found, which are the first of its order, Capped and with a Note
	// saying so; match and compare fail with an *Error wrapping
	// graph.ErrSearchTooLarge.
	MaxWork int64
	// Timeout is used by callers that make the context (default 30 s);
	// the query itself obeys only its context.
	Timeout time.Duration
	// MaxMemory caps how much a Gizmo query may grow the heap, in bytes
	// (default 1 GiB). The heap is sampled every millisecond and a
	// program stopped once it has grown it by half of MaxMemory, so that
	// the step under way (which at most doubles what it holds) ends
	// within it.
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
	DefaultMaxWork   = 10_000_000
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
	if r.MaxWork <= 0 {
		r.MaxWork = DefaultMaxWork
	}
	if r.Timeout <= 0 {
		r.Timeout = DefaultTimeout
	}
	if r.MaxMemory == 0 {
		r.MaxMemory = DefaultMaxMemory
	}
	return r
}
