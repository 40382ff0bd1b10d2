package graph

import (
	"context"
	"errors"
	"fmt"
	"strings"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/pgstore"
	"github.com/entente-kg/entente/graph/quadstore"
)

// backend is what a DB needs of the store under it: a Cayley QuadStore
// (for Gizmo and Cayley's path API) with transactions that are recorded
// in a history, loads, a check, and node ids dense enough to index
// slices by (the link and text indexes). Two implement it: the Badger
// store (graph/quadstore), for a directory or in memory, and the
// PostgreSQL store (graph/pgstore), for a postgres:// address. Nothing
// outside this package sees which.
type backend interface {
	cgraph.QuadStore
	ValuesOf(ctx context.Context, rs []cgraph.Ref) ([]quad.Value, error)
	Stats(ctx context.Context, exact bool) (cgraph.Stats, error)

	// Version moves whenever the store's contents change, whoever
	// changed them.
	Version() uint64
	// Notes lists what opening the store found and repaired.
	Notes() []string
	// ReadOnly reports whether the store takes no writes.
	ReadOnly() bool

	// Commit writes one transaction of the history, all or nothing.
	Commit(ctx context.Context, adds, removes []quad.Quad, o quadstore.TxOptions) (quadstore.TxRecord, error)
	// Load adds every quad of r as one transaction, all or nothing.
	Load(ctx context.Context, r quad.Reader, o *quadstore.LoadOptions) (quadstore.LoadResult, error)
	Check(ctx context.Context) (*quadstore.CheckReport, error)

	Log(ctx context.Context) ([]quadstore.TxRecord, error)
	LastTx() uint64
	Changes(ctx context.Context, since, until uint64, fn func(quadstore.TxRecord, quadstore.Op) error) error
	QuadsAsOf(ctx context.Context, at uint64) ([]quad.Quad, error)

	Predicates(ctx context.Context) ([]cgraph.Ref, []int64, error)
	Literals(ctx context.Context) (func(cgraph.Ref) bool, error)
	LiteralIDs(ctx context.Context) (func(uint64) bool, error)
	MaxID() uint64
	NodeID(r cgraph.Ref) (uint64, bool)
	NodeRef(id uint64) cgraph.Ref
	ScanPredicate(ctx context.Context, p cgraph.Ref, fn func(subj, obj, label uint64)) error
}

var (
	_ backend = (*quadstore.QuadStore)(nil)
	_ backend = (*pgstore.Store)(nil)
)

// IsURL reports whether addr names a database server (postgres://,
// cockroach://) rather than a directory.
func IsURL(addr string) bool { return pgstore.IsURL(addr) }

// Redact returns a store's address with any password masked, for
// messages.
func Redact(addr string) string {
	if IsURL(addr) {
		return pgstore.Redact(addr)
	}
	return addr
}

// PostgresFormatVersion names the schema this build reads and writes in
// a PostgreSQL database.
const PostgresFormatVersion = pgstore.FormatVersion

// Init creates the schema in the database at addr (postgres://…), which
// Open needs there. It fails with ErrInitialized if the schema is there,
// and ErrFormatVersion if another version of Entente made it. A directory
// needs no Init (Open creates a Badger store); Init refuses one.
func Init(ctx context.Context, addr string) error {
	if !IsURL(addr) {
		return fmt.Errorf("graph: init is for a database address (postgres://USER@HOST:PORT/DB); a directory %s becomes a store when first loaded", addr)
	}
	err := pgstore.Init(ctx, addr)
	switch {
	case errors.Is(err, pgstore.ErrSchemaExists):
		return &storeError{kind: ErrInitialized, detail: pgstore.Redact(addr) + ", schema " + pgstore.FormatVersion, cause: err}
	case errors.Is(err, pgstore.ErrConnect):
		return &storeError{kind: ErrUnreachable, detail: strings.TrimPrefix(err.Error(), pgstore.ErrConnect.Error()+" "), cause: err}
	}
	return mapErr(err)
}

// openURL opens a store on a database server.
func openURL(addr string, o Options) (*DB, error) {
	if o.InMemory {
		return nil, errors.New("graph: InMemory and a database address exclude each other")
	}
	qs, err := pgstore.Open(context.Background(), addr, &pgstore.Options{ReadOnly: o.ReadOnly})
	if err != nil {
		switch {
		case errors.Is(err, pgstore.ErrNoSchema):
			return nil, &storeError{kind: ErrNoStore, detail: pgstore.Redact(addr) + " has no Entente schema (create it with `entente --db URL init`)", cause: err}
		case errors.Is(err, pgstore.ErrConnect):
			return nil, &storeError{kind: ErrUnreachable, detail: strings.TrimPrefix(err.Error(), pgstore.ErrConnect.Error()+" "), cause: err}
		}
		return nil, fmt.Errorf("%w (store %s)", mapErr(err), pgstore.Redact(addr))
	}
	return &DB{dir: addr, opts: o, qs: qs}, nil
}
