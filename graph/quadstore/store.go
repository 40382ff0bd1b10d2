package quadstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/cayley/graph/iterator"
	"github.com/cayleygraph/cayley/graph/refs"
	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// FormatVersion names the on-disk layout this package reads and writes. A
// store records it when created; Open refuses any other but format 1,
// which it upgrades at the first writable open (names.go).
const FormatVersion = "entente-quadstore/2"

// Errors returned by this package. Callers test them with errors.Is.
var (
	// ErrCorrupt reports a store whose records cannot be read.
	ErrCorrupt = errors.New("quadstore: store is corrupt")
	// ErrFormatVersion reports a store written in another format version.
	ErrFormatVersion = errors.New("quadstore: unsupported store format version")
	// ErrReadOnly reports a write to a store opened read-only.
	ErrReadOnly = errors.New("quadstore: store is open read-only")
	// ErrTooLarge reports a transaction larger than one Badger transaction
	// can hold.
	ErrTooLarge = errors.New("quadstore: transaction too large")
	// ErrClosed reports use of a closed store.
	ErrClosed = errors.New("quadstore: store is closed")
	// ErrNotEmpty reports a bulk load into a store that holds data.
	ErrNotEmpty = errors.New("quadstore: store is not empty")
	// ErrNeedsRecovery reports a read-only open of a store that a crash
	// left unsettled (logs to replay, a load to undo): open it once
	// read-write first.
	ErrNeedsRecovery = errors.New("quadstore: store needs recovery after a crash")
	// ErrNotStore reports a directory that holds files no store has.
	ErrNotStore = errors.New("quadstore: not an Entente store")
)

// bulkMarker is the file present in a store's directory while a bulk load
// into the empty store runs. Finding it at open means that load was
// interrupted: the store is reset to empty, as it was before the load.
const bulkMarker = "ENTENTE-BULK-LOAD-INCOMPLETE"

// Options configure Open. The zero value is a writable store on disk.
type Options struct {
	// InMemory keeps everything in memory; the directory is ignored.
	InMemory bool
	// ReadOnly opens an existing store for reading only.
	ReadOnly bool
	// SyncWrites makes every commit durable before it returns.
	SyncWrites bool
	// CacheBytes is the size of Badger's block cache. Tables are not
	// compressed and are read through mmap, so no cache is needed; the
	// default is none.
	CacheBytes int64
	// Log receives Badger's warnings and errors; nil discards them.
	Log io.Writer
	// Repair opens a store whose write-ahead log is damaged, accepting
	// the loss of what follows the damage (Badger drops it). Without it
	// such a store is refused with ErrCorrupt and left untouched.
	Repair bool
	// SmallWrites says the process will write little (a few facts). A
	// writable open then gives Badger a memtable and a value log of 1 MiB
	// instead of 32 MiB and 1 GiB. Badger maps each new log and writes its
	// header at once, and where the disk reads ahead megabytes that first
	// write makes the kernel fill up to that much of the sparse file's
	// pages with zeros: small logs make a short writer's open cheaper (see
	// docs/store.md). Loads and changes of any size still work, in more
	// and smaller transactions and tables, but what must be one
	// transaction (AddQuads, ApplyDeltas) takes about a hundred quads
	// instead of thousands, and a value over 1 MiB is refused; a large
	// change, flushing and compacting often, is best made without it. It
	// is ignored when the store has logs to replay or a crashed load to
	// undo, whose transactions may need the larger logs.
	SmallWrites bool
}

// QuadStore is a Cayley graph.QuadStore kept in Badger v4. It is safe for
// concurrent use: readers see consistent snapshots, writers are serialised.
type QuadStore struct {
	db   *badger.DB
	dir  string
	opts Options

	closed atomic.Bool

	// loaded is the graph the last bulk load held, while the store is as
	// it left it (loaded.go).
	loaded atomic.Pointer[loadedGraph]

	// wmu serialises writers; it guards nextID and the newest
	// transaction's id and time, and broken.
	wmu sync.Mutex
	// broken, once set, refuses every write of this process: a failed
	// load could not be undone in it (ingest.go), the next open does.
	broken error
	// readers is held shared by every read transaction for as long as it
	// is open (view, readTxn); a load through the StreamWriter takes it
	// whole, only when no reader is open (ingest.go).
	readers  sync.RWMutex
	nextID   uint64
	lastTx   uint64
	lastTime time.Time
	// histDefault is how writes record history: histNone while the bulk
	// path writes (wmu held).
	histDefault histMode

	nquads atomic.Int64
	nnodes atomic.Int64
	// version counts the commits since Open, for caches of derived data.
	version atomic.Uint64
	folded  atomic.Bool // the folded-name index is complete (names.go)

	names nameCache
	ids   idCache
	// postings keeps the quads of recent large scans (postings.go).
	postings postingsCache

	// wrapTxn, when set, wraps every write transaction (fault injection
	// in tests).
	wrapTxn func(*badger.Txn) kvTxn

	notes []string // what Open found and repaired

	// bo is how Badger was opened (writeTables opens it again).
	bo badger.Options

	// memTable is the size of Badger's memtable (Options.SmallWrites).
	memTable int64

	// freeSpace tells the free bytes on the store's disk (a test hook).
	freeSpace func(dir string) (int64, bool)
	// reserved is how much of each memtable log reserveLogs has
	// allocated, from its start; guarded by resMu.
	resMu    sync.Mutex
	reserved map[string]int64
}

var (
	_ graph.QuadStore = (*QuadStore)(nil)
	_ refs.BatchNamer = (*QuadStore)(nil)
)

// Open opens the store in dir, creating it if it does not exist (unless
// read-only).
func Open(dir string, o *Options) (*QuadStore, error) {
	var opts Options
	if o != nil {
		opts = *o
	}
	if opts.CacheBytes < 0 {
		opts.CacheBytes = 0
	}
	bo := badger.DefaultOptions(dir).
		WithInMemory(opts.InMemory).
		WithReadOnly(opts.ReadOnly && !opts.InMemory).
		WithSyncWrites(opts.SyncWrites).
		WithLogger(newLogger(opts.Log)).
		WithBlockCacheSize(opts.CacheBytes).
		WithMemTableSize(memTableSize).
		WithBaseTableSize(baseTableSize).
		WithMaxLevels(6).
		WithNumMemtables(2).
		WithNumLevelZeroTables(level0Tables).
		WithNumLevelZeroTablesStall(10).
		WithNumCompactors(2).
		WithCompression(options.None).
		WithMetricsEnabled(false).
		WithDetectConflicts(false)
	if opts.InMemory {
		bo.Dir, bo.ValueDir = "", ""
	}
	s := &QuadStore{dir: dir, opts: opts, freeSpace: freeBytes}
	s.names.init(1 << 18)
	s.ids.init(1 << 18)

	interrupted := false
	if !opts.InMemory {
		kind, foreign, err := Classify(dir)
		if err != nil {
			return nil, err
		}
		switch {
		case kind == DirForeign:
			return nil, fmt.Errorf("%w: %s holds %s, which no store has; refusing to use it as one", ErrNotStore, dir, quoteNames(foreign))
		case kind == DirEmpty && opts.ReadOnly:
			return nil, fmt.Errorf("quadstore: no store in %s", dir)
		}
		if kind == DirStore {
			if _, err := os.Stat(filepath.Join(dir, ingestMarker)); err == nil {
				if opts.ReadOnly {
					return nil, fmt.Errorf("%w: a crash interrupted a load while it wrote its tables; open the store once read-write", ErrNeedsRecovery)
				}
				note, err := undoIngest(dir)
				if err != nil {
					return nil, fmt.Errorf("quadstore: settling an interrupted load in %s: %w", dir, err)
				}
				if note != "" {
					s.notes = append(s.notes, note)
				}
			}
			fc, err := checkFiles(dir, opts.Repair, !opts.ReadOnly)
			if err != nil {
				return nil, fmt.Errorf("quadstore: checking %s: %w", dir, err)
			}
			if err := fc.err(dir); err != nil {
				return nil, err
			}
			s.notes = append(s.notes, fc.notes...)
			if _, err := os.Stat(filepath.Join(dir, bulkMarker)); err == nil {
				interrupted = true
			}
			if opts.ReadOnly && (fc.recover || interrupted) {
				return nil, fmt.Errorf("%w: a crash left %s; open it once read-write to settle it", ErrNeedsRecovery,
					map[bool]string{true: "a bulk load unfinished", false: "logs to replay"}[interrupted])
			}
		}
		if !opts.ReadOnly {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
			if err := s.needSpace("opening the store for writing", 0); err != nil {
				return nil, err
			}
		}
	}
	replay := false // a memtable log left to replay
	if !opts.InMemory && !opts.ReadOnly {
		removed, logs, err := removeEmptyLogs(dir)
		replay = logs
		if err != nil {
			return nil, err
		}
		if removed > 0 {
			s.notes = append(s.notes, fmt.Sprintf("removed %d empty log files a crash left behind", removed))
		}
		// The sorted runs of a bulk load a crash interrupted (spill.go).
		if _, err := os.Stat(filepath.Join(dir, runsDirName)); err == nil {
			if err := os.RemoveAll(filepath.Join(dir, runsDirName)); err != nil {
				return nil, err
			}
			s.notes = append(s.notes, "removed the sorted runs of a bulk load a crash interrupted")
		}
	}
	small := opts.SmallWrites && !opts.InMemory && !opts.ReadOnly && !interrupted && !replay
	if small {
		bo = bo.WithMemTableSize(smallMemTable).
			WithValueThreshold(smallValueThreshold).
			WithValueLogFileSize(smallValueLog)
	}
	db, err := openBadger(bo)
	if err != nil {
		return nil, classifyOpenError(err)
	}
	s.db, s.bo = db, bo
	if small {
		// A load a crash interrupted is undone a batch a transaction,
		// and its batches were sized for the larger memtable.
		if n, err := s.countJournals(); err != nil || n > 0 {
			db.Close()
			if err != nil {
				return nil, err
			}
			o := opts
			o.SmallWrites = false
			s2, err := Open(dir, &o)
			if err != nil {
				return nil, err
			}
			s2.notes = append(s.notes, s2.notes...)
			return s2, nil
		}
	}
	s.memTable = bo.MemTableSize
	if interrupted {
		if err := db.DropAll(); err != nil {
			db.Close()
			return nil, fmt.Errorf("quadstore: reset after an interrupted bulk load: %w", err)
		}
		if err := os.Remove(filepath.Join(dir, bulkMarker)); err != nil {
			db.Close()
			return nil, err
		}
		s.notes = append(s.notes, "a bulk load into the empty store was interrupted; the store was reset to empty")
	}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	if opts.ReadOnly {
		if n, err := s.countJournals(); err != nil || n > 0 {
			db.Close()
			if err == nil {
				err = fmt.Errorf("%w: a load a crash interrupted is still to be undone; open the store once read-write", ErrNeedsRecovery)
			}
			return nil, err
		}
	} else if err := s.recoverJournals(context.Background()); err != nil {
		db.Close()
		return nil, diskFull(err)
	} else if err := s.buildFoldIndex(context.Background()); err != nil {
		db.Close()
		return nil, diskFull(err)
	}
	return s, nil
}

// openBadger opens Badger, turning a panic on damaged files into
// ErrCorrupt (checkFiles catches what it can first).
func openBadger(bo badger.Options) (db *badger.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: Badger could not read its files: %v", ErrCorrupt, r)
		}
	}()
	return badger.Open(bo)
}

// quoteNames lists up to three names, for an error.
func quoteNames(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i == 3 {
			fmt.Fprintf(&b, " and %d more", len(names)-3)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", n)
	}
	return b.String()
}

// removeEmptyLogs removes zero-length memtable and value logs. A process
// killed between creating such a file and writing its header leaves one,
// and Badger then refuses to open (dgraph-io/badger#2207). An empty file
// holds no data, so removing it loses nothing. It also reports whether a
// memtable log with data is left: Badger removes them when it closes, so
// one means a process ended without closing the store, and Badger will
// replay it.
func removeEmptyLogs(dir string) (removed int, replay bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return 0, false, nil
		}
		return 0, false, err
	}
	for _, e := range entries {
		name := e.Name()
		mem := strings.HasSuffix(name, ".mem")
		if e.IsDir() || !(mem || strings.HasSuffix(name, ".vlog")) {
			continue
		}
		info, err := e.Info()
		if err != nil || info.Size() != 0 {
			replay = replay || mem
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return removed, replay, err
		}
		removed++
	}
	return removed, replay, nil
}

// classifyOpenError wraps the errors of badger.Open that mean "corrupt".
func classifyOpenError(err error) error {
	switch {
	case errors.Is(err, badger.ErrTruncateNeeded), errors.Is(err, badger.ErrInvalidDataKeyID),
		errors.Is(err, badger.ErrEncryptionKeyMismatch):
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	msg := err.Error()
	for _, s := range []string{"manifest", "MANIFEST", "checksum", "Checksum", "corrupt", "magic", "Magic", "while opening memtables", "table", "vlog"} {
		if strings.Contains(msg, s) {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
	}
	return err
}

// init reads the metadata, creating it in a new store.
func (s *QuadStore) init() error {
	var format []byte
	var empty bool
	err := s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(keyFormat)
		if errors.Is(err, badger.ErrKeyNotFound) {
			it := txn.NewIterator(badger.IteratorOptions{})
			defer it.Close()
			it.Rewind()
			empty = !it.Valid()
			return nil
		} else if err != nil {
			return err
		}
		format, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	switch {
	case format == nil && empty:
		s.nextID = 1
		if s.opts.ReadOnly {
			return nil // an empty store stays empty
		}
		if err := s.db.Update(func(txn *badger.Txn) error {
			return writeMeta(txn, 0, 0, 1)
		}); err != nil {
			return err
		}
		s.folded.Store(true)
		return nil
	case format == nil:
		return fmt.Errorf("%w: not an Entente store (no format record)", ErrCorrupt)
	case string(format) == formatWithoutFolds:
		// Read as it is; a writable open upgrades it (Open).
	case string(format) != FormatVersion:
		return fmt.Errorf("%w: store has %q, this build reads %q", ErrFormatVersion, format, FormatVersion)
	default:
		s.folded.Store(true)
	}
	return s.loadMeta()
}

func writeMeta(txn *badger.Txn, quads, nodes int64, nextID uint64) error {
	for _, kv := range []struct {
		k, v []byte
	}{
		{keyFormat, []byte(FormatVersion)},
		{keyQuads, putU64(uint64(quads))},
		{keyNodes, putU64(uint64(nodes))},
		{keyNextID, putU64(nextID)},
	} {
		if err := txn.Set(kv.k, kv.v); err != nil {
			return err
		}
	}
	return nil
}

func (s *QuadStore) loadMeta() error {
	err := s.view(func(txn *badger.Txn) error {
		var vals [3]uint64
		for i, k := range [][]byte{keyQuads, keyNodes, keyNextID} {
			item, err := txn.Get(k)
			if err != nil {
				return fmt.Errorf("%w: metadata %q: %w", ErrCorrupt, k[1:], err)
			}
			err = item.Value(func(v []byte) error {
				if len(v) != 8 {
					return fmt.Errorf("%w: metadata %q has %d bytes", ErrCorrupt, k[1:], len(v))
				}
				vals[i] = u64(v)
				return nil
			})
			if err != nil {
				return err
			}
		}
		s.nquads.Store(int64(vals[0]))
		s.nnodes.Store(int64(vals[1]))
		s.nextID = vals[2]
		return nil
	})
	if err != nil {
		return err
	}
	return s.loadLastTx()
}

// Version changes whenever the store's contents change.
func (s *QuadStore) Version() uint64 { return s.version.Load() }

// Notes lists what Open found and repaired (an interrupted load, say), in
// words for a person.
func (s *QuadStore) Notes() []string { return append([]string(nil), s.notes...) }

// ReadOnly reports whether the store was opened read-only.
func (s *QuadStore) ReadOnly() bool { return s.opts.ReadOnly }

// Dir is the store's directory ("" in memory).
func (s *QuadStore) Dir() string {
	if s.opts.InMemory {
		return ""
	}
	return s.dir
}

// Close closes the store. Iterators must be closed first.
func (s *QuadStore) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	s.loaded.Store(nil)
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if !s.opts.InMemory && !s.opts.ReadOnly {
		if err := s.tidyLevel0(); err != nil {
			fmt.Fprintf(s.logw(), "quadstore: compacting level 0 before closing: %v\n", err)
		}
	}
	err := s.db.Close()
	if err == nil && !s.opts.InMemory && !s.opts.ReadOnly {
		if m, size, ok := recordTables(s.dir); ok {
			if err := compactManifest(s.dir, m, size); err != nil {
				fmt.Fprintf(s.logw(), "quadstore: rewriting the MANIFEST after closing: %v\n", err)
			}
		}
	}
	return err
}

// level0Tables is how many tables Badger's level 0 holds before it is
// compacted (Badger's NumLevelZeroTables).
const level0Tables = 4

// tidyLevel0 compacts level 0 into the level below when it holds
// level0Tables tables or more. Every process that wrote leaves a table
// there when it closes (Badger flushes its memtable), and Badger's own
// compactors start after a random delay of up to a second, so a process
// that lives a few milliseconds (a one-fact load, a small change) never
// compacts: level 0 grew by one table a command, and every later open and
// read checked them all (129 tables after a few dozen one-fact loads made
// `stats` on Movies take twice as long). Badger has no call that compacts
// level 0 alone; DropPrefix does, flushing the memtable and compacting all
// of level 0 whatever the prefix, but only when a key with the prefix
// exists. So a key of its own family is written and dropped with it.
//
// The compaction writes new tables about as large as level 0 and the part
// of the level below it overlaps, through maps of sparse files, where a
// full disk is SIGBUS rather than an error: so it is skipped unless the
// disk has room for both levels whole.
func (s *QuadStore) tidyLevel0() error {
	levels := s.db.Levels()
	if len(levels) == 0 || levels[0].NumTables < level0Tables {
		return nil
	}
	return s.compactLevel0()
}

// compactLevel0 writes the memtables to level 0 and compacts level 0 into
// the level below, when the disk has room for both levels whole.
func (s *QuadStore) compactLevel0() error {
	levels := s.db.Levels()
	var need int64
	for _, l := range levels {
		if l.Level == 0 || l.IsBaseLevel {
			need += l.Size
		}
	}
	if err := s.needSpace("compacting level 0", need); err != nil {
		return err
	}
	return s.flushLevel0()
}

// flushLevel0 writes the memtables to level 0 and compacts level 0 into
// the level below: Badger's DropPrefix does both, for a key written to be
// dropped.
func (s *QuadStore) flushLevel0() error {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(tidyKey, nil) }); err != nil {
		return err
	}
	return s.db.DropPrefix(tidyKey)
}

// logw is where the store's warnings go.
func (s *QuadStore) logw() io.Writer {
	if s.opts.Log == nil {
		return io.Discard
	}
	return s.opts.Log
}

// nodeRef is a reference to a node: its id.
type nodeRef uint64

func (n nodeRef) Key() interface{} { return n }

// quadRef is a reference to a quad: its four node ids.
type quadRef quadIDs

func (q quadRef) Key() interface{} { return q }

// nodeID returns the id behind a node reference; ok is false for a
// reference that is not a node of this store.
func (s *QuadStore) nodeID(r graph.Ref) (uint64, bool) {
	switch r := r.(type) {
	case nodeRef:
		return uint64(r), r != 0
	case refs.PreFetchedValue:
		v, err := s.ValueOf(r.NameOf())
		if err != nil || v == nil {
			return 0, false
		}
		return uint64(v.(nodeRef)), true
	}
	return 0, false
}

// ValueOf returns the reference of a value, or nil if the store lacks it.
func (s *QuadStore) ValueOf(v quad.Value) (graph.Ref, error) {
	if v == nil {
		return nil, nil
	}
	h := hashOf(v)
	if id, ok := s.ids.get(h); ok {
		return nodeRef(id), nil
	}
	var id uint64
	err := s.view(func(txn *badger.Txn) error {
		var err error
		id, err = lookupID(txn, h)
		return err
	})
	if err != nil || id == 0 {
		return nil, err
	}
	return nodeRef(id), nil
}

// lookupID returns the id of the value with hash h, or 0.
func lookupID(txn getter, h valueHash) (uint64, error) {
	item, err := txn.Get(hashKey(h))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	var id uint64
	err = item.Value(func(b []byte) error {
		if len(b) != 8 {
			return fmt.Errorf("%w: bad id record", ErrCorrupt)
		}
		id = u64(b)
		return nil
	})
	return id, err
}

// NameOf returns the value of a node reference, or nil.
func (s *QuadStore) NameOf(r graph.Ref) (quad.Value, error) {
	switch r := r.(type) {
	case nil:
		return nil, nil
	case refs.PreFetchedValue:
		return r.NameOf(), nil
	case nodeRef:
		if v, ok := s.names.get(uint64(r)); ok {
			return v, nil
		}
		var v quad.Value
		err := s.view(func(txn *badger.Txn) error {
			var err error
			v, err = s.nameIn(txn, uint64(r))
			return err
		})
		return v, err
	}
	return nil, nil
}

// nameIn reads a node's value in txn, through the cache.
func (s *QuadStore) nameIn(txn *badger.Txn, id uint64) (quad.Value, error) {
	if v, ok := s.names.get(id); ok {
		return v, nil
	}
	v, err := readValue(txn, id)
	if err == nil && v != nil {
		s.names.put(id, v)
	}
	return v, err
}

// readValue reads a node's value in txn; nil when there is none.
func readValue(txn getter, id uint64) (quad.Value, error) {
	item, err := txn.Get(nodeKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var v quad.Value
	err = item.Value(func(b []byte) error {
		v, err = decodeValue(b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("node %d: %w", id, err)
	}
	return v, nil
}

// ValuesOf implements refs.BatchNamer.
func (s *QuadStore) ValuesOf(ctx context.Context, rs []graph.Ref) ([]quad.Value, error) {
	if len(rs) >= scanValuesMin {
		return s.scanValues(ctx, rs)
	}
	out := make([]quad.Value, len(rs))
	err := s.view(func(txn *badger.Txn) error {
		for i, r := range rs {
			switch r := r.(type) {
			case refs.PreFetchedValue:
				out[i] = r.NameOf()
			case nodeRef:
				v, err := s.nameIn(txn, uint64(r))
				if err != nil {
					return err
				}
				out[i] = v
			}
		}
		return nil
	})
	return out, err
}

// RefsOf implements refs.BatchNamer. A value the store lacks is an error.
func (s *QuadStore) RefsOf(ctx context.Context, vals []quad.Value) ([]graph.Ref, error) {
	out := make([]graph.Ref, len(vals))
	err := s.view(func(txn *badger.Txn) error {
		for i, v := range vals {
			if v == nil {
				continue
			}
			id, err := lookupID(txn, hashOf(v))
			if err != nil {
				return err
			}
			if id == 0 {
				return fmt.Errorf("not found: %v", v)
			}
			out[i] = nodeRef(id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Quad returns the quad behind a quad reference.
func (s *QuadStore) Quad(r graph.Ref) (quad.Quad, error) {
	qr, ok := r.(quadRef)
	if !ok {
		return quad.Quad{}, nil
	}
	var q quad.Quad
	err := s.view(func(txn *badger.Txn) error {
		var err error
		q, err = s.quadIn(txn, quadIDs(qr))
		return err
	})
	return q, err
}

func (s *QuadStore) quadIn(txn *badger.Txn, ids quadIDs) (quad.Quad, error) {
	var q quad.Quad
	for i, id := range ids {
		if id == 0 {
			continue
		}
		v, err := s.nameIn(txn, id)
		if err != nil {
			return q, err
		}
		q.Set(quad.Direction(i+1), v)
	}
	return q, nil
}

// QuadDirection returns the node in direction d of a quad reference.
func (s *QuadStore) QuadDirection(r graph.Ref, d quad.Direction) (graph.Ref, error) {
	qr, ok := r.(quadRef)
	if !ok || d < quad.Subject || d > quad.Label {
		return nil, nil
	}
	if id := qr[d-1]; id != 0 {
		return nodeRef(id), nil
	}
	return nil, nil
}

// QuadIterator returns the quads that have node r in direction d.
func (s *QuadStore) QuadIterator(d quad.Direction, r graph.Ref) iterator.Shape {
	id, ok := s.nodeID(r)
	if !ok || d < quad.Subject || d > quad.Label {
		return iterator.NewNull()
	}
	var c constraint
	c[d-1] = id
	return s.newQuadShape(c)
}

// QuadIteratorSize returns the exact number of quads with node r in
// direction d.
func (s *QuadStore) QuadIteratorSize(ctx context.Context, d quad.Direction, r graph.Ref) (refs.Size, error) {
	id, ok := s.nodeID(r)
	if !ok || d < quad.Subject || d > quad.Label {
		return refs.Size{Value: 0, Exact: true}, nil
	}
	n, err := s.degree(d, id)
	return refs.Size{Value: n, Exact: true}, err
}

// degree returns the number of quads with node id in direction d.
func (s *QuadStore) degree(d quad.Direction, id uint64) (int64, error) {
	var n int64
	err := s.view(func(txn *badger.Txn) error {
		var err error
		n, err = readCount(txn, d, id)
		return err
	})
	return n, err
}

// Stats returns the number of nodes and quads; both are always exact.
func (s *QuadStore) Stats(ctx context.Context, exact bool) (graph.Stats, error) {
	if s.closed.Load() {
		return graph.Stats{}, ErrClosed
	}
	return graph.Stats{
		Nodes: refs.Size{Value: s.nnodes.Load(), Exact: true},
		Quads: refs.Size{Value: s.nquads.Load(), Exact: true},
	}, nil
}

// NodesAllIterator returns all nodes.
func (s *QuadStore) NodesAllIterator() iterator.Shape { return &allNodes{s: s} }

// QuadsAllIterator returns all quads.
func (s *QuadStore) QuadsAllIterator() iterator.Shape { return s.newQuadShape(constraint{}) }

// nameCache maps node ids to values. Ids are never reused, so an entry is
// only ever stale for a deleted node, which is evicted when deleted.
type nameCache struct {
	mu  sync.RWMutex
	m   map[uint64]quad.Value
	max int
}

func (c *nameCache) init(max int) {
	c.m = make(map[uint64]quad.Value)
	c.max = max
}

func (c *nameCache) get(id uint64) (quad.Value, bool) {
	c.mu.RLock()
	v, ok := c.m[id]
	c.mu.RUnlock()
	return v, ok
}

func (c *nameCache) put(id uint64, v quad.Value) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		// Drop about half, at random (map order): cheap, and keeps hot
		// entries a fair chance.
		n := 0
		for k := range c.m {
			delete(c.m, k)
			if n++; n >= c.max/2 {
				break
			}
		}
	}
	c.m[id] = v
	c.mu.Unlock()
}

func (c *nameCache) evict(ids []uint64) {
	if len(ids) == 0 {
		return
	}
	c.mu.Lock()
	for _, id := range ids {
		delete(c.m, id)
	}
	c.mu.Unlock()
}

// logger passes Badger's warnings and errors to w and drops the rest.
type logger struct{ w io.Writer }

func newLogger(w io.Writer) badger.Logger {
	if w == nil {
		w = io.Discard
	}
	return logger{w}
}

func (l logger) Errorf(f string, a ...interface{}) {
	fmt.Fprintf(l.w, "badger: error: %s\n", strings.TrimSpace(fmt.Sprintf(f, a...)))
}
func (l logger) Warningf(f string, a ...interface{}) {
	fmt.Fprintf(l.w, "badger: warning: %s\n", strings.TrimSpace(fmt.Sprintf(f, a...)))
}
func (l logger) Infof(string, ...interface{})  {}
func (l logger) Debugf(string, ...interface{}) {}

// Predicates returns the reference of every predicate in the store with the
// number of quads that use it, in id order. It seeks once per predicate.
func (s *QuadStore) Predicates(ctx context.Context) ([]graph.Ref, []int64, error) {
	var refs []graph.Ref
	var counts []int64
	x := &indexes[quad.Predicate-1]
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{x.prefix}, PrefetchValues: false})
		defer it.Close()
		seek := []byte{x.prefix}
		for it.Seek(seek); it.Valid(); it.Seek(seek) {
			if err := ctx.Err(); err != nil {
				return err
			}
			k := it.Item().Key()
			if len(k) != quadKeyLen {
				return fmt.Errorf("%w: quad key of %d bytes", ErrCorrupt, len(k))
			}
			p := u64(k[1:])
			n, err := readCount(txn, quad.Predicate, p)
			if err != nil {
				return err
			}
			refs = append(refs, nodeRef(p))
			counts = append(counts, n)
			if p == ^uint64(0) {
				break
			}
			seek = binary.BigEndian.AppendUint64([]byte{x.prefix}, p+1)
		}
		return nil
	})
	return refs, counts, err
}

// Literals reads every node once and returns a test for whether a node
// reference is a literal (not an IRI or blank node), for scans that must
// skip attribute values.
func (s *QuadStore) Literals(ctx context.Context) (func(graph.Ref) bool, error) {
	lit, err := s.LiteralIDs(ctx)
	if err != nil {
		return nil, err
	}
	return func(r graph.Ref) bool {
		switch r := r.(type) {
		case nodeRef:
			return lit(uint64(r))
		case refs.PreFetchedValue:
			switch r.NameOf().(type) {
			case quad.IRI, quad.BNode:
				return false
			}
			return true
		}
		return false
	}, nil
}

// MaxID returns the largest node id the store has handed out, so that a
// caller can index nodes by id in a slice.
func (s *QuadStore) MaxID() uint64 {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.nextID - 1
}

// NodeID returns the id behind a node reference of this store.
func (s *QuadStore) NodeID(r graph.Ref) (uint64, bool) { return s.nodeID(r) }

// NodeRef returns the reference of the node with this id.
func (s *QuadStore) NodeRef(id uint64) graph.Ref { return nodeRef(id) }

// ScanPredicate calls fn with the subject, object and label ids (0 for no
// label) of every quad whose predicate is p, in subject order, reading the
// predicate index directly.
func (s *QuadStore) ScanPredicate(ctx context.Context, p graph.Ref, fn func(subj, obj, label uint64)) error {
	id, ok := s.nodeID(p)
	if !ok {
		return nil
	}
	if g := s.loadedNow(); g != nil {
		return g.scanPredicate(ctx, id, fn)
	}
	x := &indexes[quad.Predicate-1]
	var c constraint
	c[quad.Predicate-1] = id
	prefix := x.scanPrefix(nil, quadIDs(c), 1)
	return s.view(func(txn *badger.Txn) error {
		it, pages := s.newScanIterator(txn, badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
		defer it.Close()
		defer pages.done()
		n := 0
		for it.Seek(prefix); it.Valid(); it.Next() {
			if n++; n&8191 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			pages.tick()
			k := it.Item().Key()
			if len(k) != quadKeyLen {
				return fmt.Errorf("%w: quad key of %d bytes", ErrCorrupt, len(k))
			}
			q := x.decode(k)
			fn(q[quad.Subject-1], q[quad.Object-1], q[quad.Label-1])
		}
		return nil
	})
}

// LiteralIDs returns a test for whether the node with an id is a literal,
// reading every node once (one bit per id).
func (s *QuadStore) LiteralIDs(ctx context.Context) (func(id uint64) bool, error) {
	if g := s.loadedNow(); g != nil {
		return g.isLiteral, nil
	}
	var bits []uint64
	err := s.view(func(txn *badger.Txn) error {
		return s.scanAll(ctx, txn, []byte{pfxNode}, func(k, v []byte) error {
			if len(k) != 9 || len(v) == 0 {
				return fmt.Errorf("%w: bad node record", ErrCorrupt)
			}
			if !literalEncoding(v) {
				return nil
			}
			id := u64(k[1:])
			for uint64(len(bits))*64 <= id {
				bits = append(bits, 0)
			}
			bits[id/64] |= 1 << (id % 64)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return func(id uint64) bool {
		return id/64 < uint64(len(bits)) && bits[id/64]&(1<<(id%64)) != 0
	}, nil
}

// view runs fn in a read transaction that holds the readers' lock.
func (s *QuadStore) view(fn func(txn *badger.Txn) error) error {
	s.readers.RLock()
	defer s.readers.RUnlock()
	return s.db.View(fn)
}

// readTxn opens a read transaction that holds the readers' lock until
// endRead.
func (s *QuadStore) readTxn() *badger.Txn {
	s.readers.RLock()
	return s.db.NewTransaction(false)
}

// endRead discards a transaction of readTxn.
func (s *QuadStore) endRead(txn *badger.Txn) {
	txn.Discard()
	s.readers.RUnlock()
}

// writable reports why the store takes no writes now, if it does not;
// wmu is held.
func (s *QuadStore) writable() error {
	if s.closed.Load() {
		return ErrClosed
	}
	return s.broken
}
