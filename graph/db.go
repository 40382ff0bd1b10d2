package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/quadstore"
)

// Options configure Open. A nil *Options means the defaults: a writable
// store on disk, commits durable at the next sync.
type Options struct {
	// ReadOnly opens an existing store for reading. Several read-only
	// opens may share a store; none can while a writer has it.
	ReadOnly bool
	// InMemory keeps the store in memory; dir is ignored and nothing
	// survives Close.
	InMemory bool
	// SyncWrites makes every commit durable before it returns, at a cost
	// in write speed.
	SyncWrites bool
	// Log receives the storage engine's warnings; nil discards them.
	Log io.Writer
	// MustExist opens only an existing store: where there is none, Open
	// fails with ErrNoStore instead of creating one. Commands that only
	// read set it.
	MustExist bool
	// Repair opens a store whose write-ahead log is damaged, accepting the
	// loss of the writes after the damage. Without it such a store fails
	// with ErrCorrupt and its files are left untouched.
	Repair bool
	// SmallWrites says this process will write little (a few facts): a
	// writable Badger store then opens with small write logs, which makes
	// a short writer's start cheaper. Loads and changes of any size still
	// work, in smaller Badger transactions; a value over 1 MiB is
	// refused. PostgreSQL ignores it.
	SmallWrites bool
}

// DB is an open store. Its methods are safe for concurrent use; readers
// see consistent snapshots and writes are serialised. Close it when done:
// until then it holds the directory's lock.
type DB struct {
	dir  string
	opts Options
	qs   backend // the Badger store or the PostgreSQL one
	lock *dirLock

	closeOnce sync.Once
	closeErr  error
	closed    bool
	mu        sync.RWMutex

	catalog catalogCache
	links   linksCache
	text    textIndexCache

	// A view of another store (AsOf, At): its parent, the transaction it
	// shows the store after, the valid time it shows.
	parent  *DB
	asOf    *uint64
	validAt *Period
	snaps   snapshots  // the views made from this store
	writeMu sync.Mutex // serialises changes made through the history API
}

// Open opens the store in dir, creating it in a directory that does not
// exist or is empty unless opts.ReadOnly or opts.MustExist. It never
// creates a store in a directory that holds anything else (ErrNotStore),
// and never changes the files of a damaged store (ErrCorrupt: a missing or
// truncated MANIFEST, a table whose checksums fail, a write-ahead log with
// readable writes after damage). It fails with ErrLocked if another
// process holds the store, ErrNoStore if there is none and it may not
// create one, ErrNeedsRecovery if it is read-only and a crash left the
// store to settle, ErrFormatVersion if another format version wrote it and
// ErrNoSpace if a writable open finds the disk full.
//
// dir may instead be a database address, postgres://USER@HOST:PORT/DB
// (lib/pq's parameters in its query, such as ?sslmode=disable), for a
// store on PostgreSQL that Init has made; cockroach://… opens CockroachDB
// the same way (untested; see docs/scale.md). There Open fails with
// ErrUnreachable when the server cannot be reached, ErrNoStore when the
// database has no schema and ErrFormatVersion when another version made
// it; several processes may have it open for writing at once.
func Open(dir string, opts *Options) (*DB, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if IsURL(dir) {
		return openURL(dir, o)
	}
	db := &DB{dir: dir, opts: o}
	if !o.InMemory {
		if dir == "" {
			return nil, errors.New("graph: no directory given")
		}
		kind, _, err := quadstore.Classify(dir)
		if err != nil {
			return nil, fmt.Errorf("graph: %w", err)
		}
		switch {
		case kind == quadstore.DirEmpty && (o.ReadOnly || o.MustExist):
			return nil, &storeError{kind: ErrNoStore, detail: dir, cause: os.ErrNotExist}
		case kind == quadstore.DirEmpty:
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("graph: create %s: %w", dir, err)
			}
		case kind == quadstore.DirForeign:
			// quadstore.Open says which files, without taking the lock
			// (which would write one).
			_, err := quadstore.Open(dir, &quadstore.Options{ReadOnly: true})
			return nil, fmt.Errorf("%w (store %s)", mapErr(err), dir)
		}
		lock, err := lockDir(dir, o.ReadOnly)
		if err != nil {
			return nil, err
		}
		db.lock = lock
	}
	qs, err := quadstore.Open(dir, &quadstore.Options{
		InMemory:    o.InMemory,
		ReadOnly:    o.ReadOnly,
		SyncWrites:  o.SyncWrites,
		Log:         o.Log,
		Repair:      o.Repair,
		SmallWrites: o.SmallWrites,
	})
	if err != nil {
		db.lock.release()
		err = mapErr(err)
		if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrFormatVersion) && !errors.Is(err, ErrNotStore) &&
			!errors.Is(err, ErrNeedsRecovery) && !errors.Is(err, ErrNoSpace) && isBadgerOpenFailure(err) {
			err = &storeError{kind: ErrCorrupt, detail: err.Error(), cause: err}
		}
		return nil, fmt.Errorf("%w (store %s)", err, dir)
	}
	db.qs = qs
	if !o.ReadOnly {
		db.lock.claim()
	}
	return db, nil
}

// Exists reports whether dir holds a store (sound or damaged), as opposed to
// nothing, or files no store has.
func Exists(dir string) bool {
	if IsURL(dir) {
		return true // made by Init; Open says if it is not there
	}
	kind, _, err := quadstore.Classify(dir)
	return err == nil && kind == quadstore.DirStore
}

// isBadgerOpenFailure: Badger reports damaged files in many words; any
// failure to open that is not about the directory itself means the files
// are not a store we can read.
func isBadgerOpenFailure(err error) bool {
	var pe *os.PathError
	return !errors.As(err, &pe)
}

// Close closes the store and releases its lock. Iterators over its
// QuadStore must be closed first. Close is idempotent.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.mu.Lock()
		db.closed = true
		db.mu.Unlock()
		db.snaps.closeAll()
		db.closeErr = db.qs.Close()
		if err := db.lock.release(); db.closeErr == nil {
			db.closeErr = err
		}
	})
	return db.closeErr
}

func (db *DB) usable() error {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.closed {
		return ErrClosed
	}
	return nil
}

// Dir returns the store's directory ("" in memory), or its database
// address.
func (db *DB) Dir() string {
	if db.opts.InMemory {
		return ""
	}
	return db.dir
}

// ReadOnly reports whether the store was opened read-only, or takes no
// writes anyway (a PostgreSQL replica).
func (db *DB) ReadOnly() bool { return db.opts.ReadOnly || db.qs.ReadOnly() }

// Remote reports whether the store is on a database server, where every
// lookup through the QuadStore is a round trip: a caller about to describe
// many nodes one by one does better to read the Catalog once.
func (db *DB) Remote() bool { return IsURL(db.dir) }

// ValuesOf returns the values of many nodes at once (in one pass over the
// store, or a few statements on a database server), in the order asked;
// nil for a ref that names no node.
func (db *DB) ValuesOf(ctx context.Context, refs []cgraph.Ref) ([]quad.Value, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	vs, err := db.qs.ValuesOf(ctx, refs)
	return vs, mapErr(err)
}

// QuadStore returns the store as a Cayley QuadStore, for Gizmo, Cayley's
// path API and anything else written against Cayley. It is valid until
// Close.
func (db *DB) QuadStore() cgraph.QuadStore { return db.qs }

// Version changes whenever the store's contents change (a counter, for
// caches derived from the store).
func (db *DB) Version() uint64 { return db.qs.Version() }

// Notes lists what Open found and repaired — an interrupted load, say — in
// words for a person; usually none.
func (db *DB) Notes() []string { return db.qs.Notes() }

// Batch collects changes for Update. Adding a quad already stored or
// removing one that is not changes nothing.
type Batch struct {
	deltas []cgraph.Delta
	// Meta describes the batch's transaction in the history.
	Meta TxMeta
}

// Add adds a quad. A quad needs a subject, a predicate and an object; the
// label is optional.
func (b *Batch) Add(q quad.Quad) {
	b.deltas = append(b.deltas, cgraph.Delta{Quad: q, Action: cgraph.Add})
}

// Remove removes a quad. Nodes left without quads disappear with it.
func (b *Batch) Remove(q quad.Quad) {
	b.deltas = append(b.deltas, cgraph.Delta{Quad: q, Action: cgraph.Delete})
}

// Len is the number of changes in the batch.
func (b *Batch) Len() int { return len(b.deltas) }

// Update runs fn and applies its batch atomically: every change or, if fn
// or the write fails, none. A batch must fit one transaction (a few
// thousand quads); larger inputs go through Load. It fails with
// ErrReadOnly on a read-only store.
func (db *DB) Update(ctx context.Context, fn func(*Batch) error) error {
	if err := db.usable(); err != nil {
		return err
	}
	var b Batch
	if err := fn(&b); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, d := range b.deltas {
		if !d.Quad.IsValid() {
			return fmt.Errorf("graph: invalid quad %v: it needs a subject, a predicate and an object", d.Quad)
		}
	}
	if db.opts.ReadOnly || db.parent != nil {
		return ErrReadOnly
	}
	var adds, removes []quad.Quad
	for _, d := range b.deltas {
		if d.Action == cgraph.Add {
			adds = append(adds, d.Quad)
		} else {
			removes = append(removes, d.Quad)
		}
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	_, err := db.qs.Commit(ctx, adds, removes, b.Meta.withKind("change").TxOptions())
	return mapErr(err)
}

func (m TxMeta) withKind(k string) TxMeta {
	if m.Kind == "" {
		m.Kind = k
	}
	return m
}

// LoadOptions configure Load; nil means the defaults.
type LoadOptions = quadstore.LoadOptions

// LoadProgress reports how far a load has come.
type LoadProgress = quadstore.LoadProgress

// LoadResult sums up a load.
type LoadResult = quadstore.LoadResult

// Load adds every quad r yields, ignoring quads already stored, all or
// nothing: on any error from r, the context or the disk the store is left
// as it was. Into an empty store it writes Badger's tables directly, which
// is several times faster than transactions; it holds the values it has
// read, and the quads up to a chunk (LoadOptions.SpillAt), sorting full
// chunks to disk and merging them, up to LoadOptions.BulkValues values —
// past that it goes on as into a store with data. Into a store with data,
// an input of 65,536 quads or more is written the same way a part of up to
// a chunk at a time, each as tables of its own (on Badger; reads wait for
// it), and what is left under 65,536 quads in transactions of
// LoadOptions.BatchSize quads; so is the rest when a read is open, or
// when the disk has no room to merge Badger's levels for the next part
// (each part takes a level of its own). A smaller input goes in
// transactions.
func (db *DB) Load(ctx context.Context, r quad.Reader, opts *LoadOptions) (LoadResult, error) {
	if err := db.usable(); err != nil {
		return LoadResult{}, err
	}
	if db.parent != nil {
		return LoadResult{}, ErrReadOnly
	}
	var o LoadOptions
	if opts != nil {
		o = *opts
	}
	if o.Tx.Meta == nil {
		m := TxMeta{Kind: "load"}
		if o.Source != "" {
			m.Sources = []string{o.Source}
		}
		o.Tx = m.TxOptions()
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	res, err := db.qs.Load(ctx, r, &o)
	if err == nil && res.Bulk {
		// The link index is built now, with the collector held as close
		// as during the load: in memory it takes 24 bytes a link, and 12
		// more while it is built; from 2^20 links it is built into its
		// file instead, holding only its numbering (linkfile.go). After a
		// load of chunks on disk, the heap that held the value dictionary
		// goes back to the system first.
		restore := quadstore.LowerGC()
		if res.Read > 1<<22 { // past the bulk path's first chunk
			debug.FreeOSMemory()
		}
		db.keepLinks(ctx)
		restore()
	}
	if f, ok := unshared(db.qs).(interface{ ForgetLoaded() }); ok {
		// The graph a bulk load held for the link index's reads
		// (quadstore's loadedGraph) goes now.
		f.ForgetLoaded()
	}
	return res, mapErr(err)
}

// CheckReport is what Check found.
type CheckReport = quadstore.CheckReport

// Check verifies that every index entry resolves and every count agrees,
// reading the whole store once.
func (db *DB) Check(ctx context.Context) (*CheckReport, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	rep, err := db.qs.Check(ctx)
	return rep, mapErr(err)
}

// FormatVersion names the on-disk format this build reads and writes.
const FormatVersion = quadstore.FormatVersion

// Predicates returns every predicate of the store with the number of quads
// that use it.
func (db *DB) Predicates(ctx context.Context) ([]cgraph.Ref, []int64, error) {
	if err := db.usable(); err != nil {
		return nil, nil, err
	}
	refs, counts, err := db.qs.Predicates(ctx)
	return refs, counts, mapErr(err)
}
