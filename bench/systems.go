package bench

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"

	cgraph "github.com/cayleygraph/cayley/graph"
	_ "github.com/cayleygraph/cayley/graph/kv/bolt"      // peer: Cayley on bolt
	_ "github.com/cayleygraph/cayley/graph/kv/btree"     // peer: Cayley's in-memory b-tree
	_ "github.com/cayleygraph/cayley/graph/kv/leveldb"   // peer: Cayley on leveldb
	_ "github.com/cayleygraph/cayley/graph/memstore"     // peer: Cayley's memstore
	_ "github.com/cayleygraph/cayley/graph/sql/postgres" // peer: Cayley's SQL store on PostgreSQL (B14)
	cquery "github.com/cayleygraph/cayley/query"
	"github.com/cayleygraph/cayley/query/gizmo"
	"github.com/cayleygraph/quad"
	"github.com/cayleygraph/quad/nquads"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
)

// Systems are the stores compared: Entente's, and Cayley's own backends
// through Cayley's library.
var Systems = []string{"entente", "memstore", "btree", "bolt", "leveldb"}

// PostgresSystems are the systems on a PostgreSQL database (B14): Entente's
// PostgreSQL store, and Cayley's own SQL store (its postgres flavour).
// Their "directory" is a database's address.
var PostgresSystems = []string{"entente-pg", "cayley-pg"}

// Persistent reports whether a system keeps its data on disk.
func Persistent(system string) bool {
	switch system {
	case "memstore", "btree":
		return false
	}
	return true
}

// Store is an open store of any system.
type Store struct {
	QS    cgraph.QuadStore
	db    *graph.DB
	close func() error
}

func (s *Store) Close() error { return s.close() }

// Open opens the system's store in dir (creating it).
func Open(system, dir string) (*Store, error) {
	switch system {
	case "entente-pg":
		// A fresh database gets the schema first (entente init).
		if err := graph.Init(context.Background(), dir); err != nil && !errors.Is(err, graph.ErrInitialized) {
			return nil, err
		}
		fallthrough
	case "entente":
		db, err := graph.Open(dir, nil)
		if err != nil {
			return nil, err
		}
		return &Store{QS: db.QuadStore(), db: db, close: db.Close}, nil
	case "cayley-pg":
		system = "postgres" // Cayley's name for its SQL store's postgres flavour
	}
	if Persistent(system) {
		if err := cgraph.InitQuadStore(system, dir, nil); err != nil && !errors.Is(err, cgraph.ErrDatabaseExists) {
			return nil, fmt.Errorf("%s: init: %w", system, err)
		}
	} else {
		dir = ""
	}
	qs, err := cgraph.NewQuadStore(system, dir, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: open: %w", system, err)
	}
	return &Store{QS: qs, close: qs.Close}, nil
}

// Load loads an N-Quads file (gzip or not) the way each system's own
// command line does: Entente through its loader, Cayley's backends
// through Cayley's N-Quads reader and the store's quad writer in batches
// of quad.DefaultBatch, as "cayley load" does.
func (s *Store) Load(ctx context.Context, path string) error {
	if s.db != nil {
		_, err := loader.Load(ctx, s.db, []string{path}, nil)
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	qw, err := s.QS.NewQuadWriter()
	if err != nil {
		return err
	}
	if _, err := quad.CopyBatch(qw, nquads.NewReader(zr, false), quad.DefaultBatch); err != nil {
		qw.Close()
		return err
	}
	return qw.Close()
}

// RunGizmo runs a Gizmo query with Cayley's interpreter and counts its
// results, as Cayley's own integration benchmark does.
func RunGizmo(ctx context.Context, qs cgraph.QuadStore, q string) (int, error) {
	ses := gizmo.NewSession(qs)
	it, err := ses.Execute(ctx, q, cquery.Options{Collation: cquery.Raw})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	n := 0
	for it.Next(ctx) {
		n++
	}
	return n, it.Err()
}
