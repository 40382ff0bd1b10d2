package quadstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/skl"
	"github.com/dgraph-io/badger/v4/table"
)

// A large load into a store with data is written, as the first load into
// an empty store is, as Badger's tables: its keys, sorted, become tables
// of their own one level above the store's, which Badger's compactions
// merge later. On disk the load writes them itself while Badger is closed
// (tableIngest, with writeTables' table writer); in memory, through
// Badger's StreamWriter (PrepareIncremental). It is the first part of a
// journalled load (a long transaction): the tables carry the quads' index
// keys, the new values (hash, value, folded names), every counter the
// load changes, the metadata, the journal header and the history's op
// records. Once the new MANIFEST lists the tables (or Badger's Flush
// returns), the store holds a journalled load with its first batches
// committed, finished or undone from then on like any other.
//
// Before then, it is undone
//   - in this process, when the write fails: on disk by deleting the
//     tables written, which nothing lists; in memory by deleting what the
//     stream wrote and restoring the counters and metadata, in
//     transactions (unstream);
//   - after a crash: a marker file names the tables before the load and,
//     once every key was written, how many keys the load wrote; the next
//     writable Open drops the tables after the newest one before the load,
//     listed in the MANIFEST or not, unless the listed ones hold that many
//     keys (undoIngest). Badger is closed, or neither compacts nor flushes
//     between PrepareIncremental and the end of Flush, so until then every
//     table after the newest one is the load's.
//
// Badger's Flush replaces its oracle, and a read transaction open across
// it stops the process when it is discarded (Badger asserts its
// watermark); Badger cannot close under a read either: the load takes the
// readers' lock whole, and only when no read transaction is open;
// otherwise the load goes on in batches.
const ingestMarker = "ENTENTE-INGEST-INCOMPLETE"

// ingestMin is how many quads an input must have for a load into a store
// with data to take the stream (a variable for tests).
var ingestMin = 1 << 16

// ingestPart is the most quads one stream takes (besides the bulk path's
// limits): a larger input streams a part at a time, each a level of
// tables of its own until Badger's compactions merge it down (makeRoom).
// Parts of 2,097,152 quads took more memory, not less (3.5 GB for 10^7
// quads into Movies, where Badger compacted beside them).
var ingestPart = defaultSpillAt

// ingestHook, when set (tests), is called at each stage of a streamed
// load: "written" once every key is handed to Badger (on disk: every
// table written), before the marker counts them (an error fails the
// stream there); on disk, "counted" once the marker counts them and
// "listed" once the new MANIFEST lists the tables (an error fails the
// load there too); "flushed" once Flush returned (on disk: Badger opened
// again), before the marker is removed.
var ingestHook func(stage string) error

// errNoStream: the stream could not be used (a reader is open); the load
// goes on in batches with the quads ingest returns.
var errNoStream = errors.New("quadstore: the stream is busy")

// readersWait is how long the first load into an empty store waits for
// the reads open when it is ready to write to end (a variable for tests).
var readersWait = 30 * time.Second

// lockReaders takes the readers' lock whole for the bulk path's stream,
// waiting up to readersWait for the reads open now to end: its Flush
// replaces Badger's oracle, and a read open across it stops the process.
func (s *QuadStore) lockReaders() error {
	deadline := time.Now().Add(readersWait)
	for !s.readers.TryLock() {
		if time.Now().After(deadline) {
			return fmt.Errorf("quadstore: a read of the store stayed open for %v; the first load into an empty store writes Badger's tables directly and cannot run across it", readersWait)
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

// ingestion is what a streamed load wrote, kept to undo it in process.
type ingestion struct {
	id       uint64
	journal  bool        // it writes the journal header (first records) and op records
	first    uint64      // the op records of the long transaction before this stream
	quads    [][4]uint64 // the quads added, subject order
	base     uint64      // the first id of a node the load created
	fresh    []uint32    // the builder ids of those nodes, in id order
	b        *bulkBuilder
	counts   [4]map[uint64]int64 // the counters of older nodes before the load
	newCount [4][]uint32         // the counters of the nodes it created
	records  uint64              // op records written
	nquads   int64               // the metadata before the load
	nnodes   int64
	nextID   uint64
}

// ingest reads the input (head, then what br still yields, up to the bulk
// path's limits) and writes it through the stream as the next batches of
// a long transaction: a new one when lt is nil, which it returns, else lt,
// which it updates. A nil longTx and no error means the input added
// nothing. With errNoStream it returns the quads it read, for the caller's
// batches.
func (s *QuadStore) ingest(ctx context.Context, br *batchReader, head []quad.Quad, opt *LoadOptions, lt *longTx) (*longTx, []quad.Quad, error) {
	defer LowerGC()()
	b, err := readChunk(br, head, opt)
	if err != nil {
		return nil, nil, err
	}
	defer b.release()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.writable(); err != nil {
		return nil, nil, err
	}
	return s.streamChunk(ctx, b, opt, lt, true)
}

// readChunk reads a streamed load's next part into a builder: head, then
// what br yields, up to the bulk path's limits.
func readChunk(br *batchReader, head []quad.Quad, opt *LoadOptions) (_ *bulkBuilder, err error) {
	b := newBulkBuilder()
	defer func() {
		if err != nil {
			b.release()
		}
	}()
	limit := min(opt.SpillAt, opt.BulkLimit, ingestPart)
	b.reserve(limit)
	add := func(qs []quad.Quad) error {
		for _, q := range qs {
			if err := b.add(q); err != nil {
				return err
			}
		}
		return nil
	}
	if err := add(head); err != nil {
		return nil, err
	}
	buf := head[:0]
	for !br.done() && len(b.quads) < limit && b.values() < opt.BulkValues {
		if buf, err = br.next(buf, min(4096, limit-len(b.quads))); err != nil {
			return nil, err
		}
		if err := add(buf); err != nil {
			return nil, err
		}
		if opt.Progress != nil && br.read%(64*4096) < int64(len(buf)) {
			opt.Progress(LoadProgress{Read: br.read})
		}
	}
	if opt.Progress != nil {
		opt.Progress(LoadProgress{Read: br.read, Writing: true})
	}
	return b, nil
}

// streamChunk writes the builder's quads through the stream, as ingest
// says; wmu is held. Without journal (the part of the first load into an
// empty store past the bulk path's limits, which a failure or a crash
// resets whole) the stream writes no journal header nor op records, and
// lt, never nil, only counts what it added.
func (s *QuadStore) streamChunk(ctx context.Context, b *bulkBuilder, opt *LoadOptions, lt *longTx, journal bool) (*longTx, []quad.Quad, error) {
	fallback := func() (*longTx, []quad.Quad, error) {
		qs, err := b.decodeAll()
		if err != nil {
			return nil, nil, err
		}
		return nil, qs, errNoStream
	}
	// Each stream takes a level of its own (makeRoom); without one, or
	// without the room on disk to merge the levels, the load goes on in
	// batches.
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if err := s.makeRoom(); err != nil {
		return fallback()
	}
	if !s.readers.TryLock() {
		return fallback()
	}
	defer s.readers.Unlock()
	// PrepareIncremental needs an empty memtable, and with tables in
	// level 0 it flattens the whole store, which starts compactions of
	// its own that nothing stops (they run on into the stream and past
	// Close). The writes still in memory, and level 0, go down first.
	if err := s.compactLevel0(); err != nil {
		return nil, nil, err
	}
	if !streamRoom(s.db.Levels()) {
		return fallback()
	}
	ing, err := s.planIngest(ctx, b, opt, lt)
	if err == nil && ing != nil {
		err = s.needSpace(fmt.Sprintf("loading %d statements", len(ing.quads)), spaceFactor*bytesPerQuad*int64(len(ing.quads)))
	}
	if err != nil || ing == nil {
		return lt, nil, err
	}
	ing.journal = journal
	wrote, err := s.streamIngest(ing, opt)
	if err != nil {
		if !journal {
			// A part of the first load: the caller resets the store,
			// which drops what the stream wrote.
			return nil, nil, errors.Join(err, removeMarker(s.dir))
		}
		return nil, nil, s.settleFailed(ing, wrote, err)
	}
	if lt == nil {
		lt = &longTx{id: ing.id, opts: opt.Tx}
	}
	lt.seq = ing.records
	lt.added += int64(len(ing.quads))
	return lt, nil, nil
}

// makeRoom frees a level for a stream when the store has none: each
// stream takes the level above the store's highest, none may be above
// level 1, and Badger's compactions merge levels down only as they
// outgrow their sizes. Flatten merges every level into the lowest, as
// those compactions would in time. wmu is held.
func (s *QuadStore) makeRoom() error {
	if err := s.compactLevel0(); err != nil {
		return err
	}
	levels := s.db.Levels()
	if streamRoom(levels) {
		return nil
	}
	var size int64
	for _, l := range levels {
		size += l.Size
	}
	if err := s.needSpace("merging the store's levels for the next part of a load", size); err != nil {
		return err
	}
	if ingestHook != nil {
		ingestHook("flatten")
	}
	return s.db.Flatten(2)
}

// streamRoom reports whether a stream has a level of its own above the
// store's highest, below level 0: level 0 is empty, and the highest level
// with tables is level 2 or below.
func streamRoom(levels []badger.LevelInfo) bool {
	for _, l := range levels {
		if l.NumTables > 0 {
			return l.Level >= 2
		}
	}
	return true
}

// settleFailed undoes a stream that failed before Flush returned, with
// the readers' lock still held (no reader sees what it wrote, nor caches
// it): unstream deletes what reached Badger, and the caches that may hold
// its ids start over. If that fails too, the store takes no more writes
// in this process; the next writable open settles it from the marker.
func (s *QuadStore) settleFailed(ing *ingestion, wrote bool, err error) error {
	if wrote {
		if uerr := s.unstream(ing); uerr != nil {
			s.broken = fmt.Errorf("quadstore: a load failed (%v) and undoing what it had written failed (%v); reopen the store, which undoes it", err, uerr)
			return fmt.Errorf("%w (and undoing what the stream wrote failed: %v; reopen the store to undo it)", err, uerr)
		}
		s.version.Add(1)
		s.names.init(s.names.max)
		s.ids.clear()
	}
	if rerr := removeMarker(s.dir); rerr != nil {
		s.broken = fmt.Errorf("quadstore: removing the marker of a failed load: %v; reopen the store", rerr)
		return errors.Join(err, rerr)
	}
	return err
}

// planIngest resolves the builder's values against the store, drops the
// quads it holds already and reads the counters the load changes. A nil
// plan means nothing is new. wmu and the readers' lock are held.
func (s *QuadStore) planIngest(ctx context.Context, b *bulkBuilder, opt *LoadOptions, lt *longTx) (*ingestion, error) {
	ing := &ingestion{b: b, base: s.nextID, nquads: s.nquads.Load(), nnodes: s.nnodes.Load(), nextID: s.nextID}
	if lt != nil {
		ing.id, ing.records, ing.first = lt.id, lt.seq, lt.seq
	}
	if err := b.storeHashes(ctx); err != nil {
		return nil, err
	}
	b.dict.dropIndex()
	ids := make([]uint64, len(b.hashes)+1)
	if err := s.db.View(func(txn *badger.Txn) error { return s.lookupAll(ctx, txn, b.hashes, ids) }); err != nil {
		return nil, err
	}
	next := ing.base
	for i := 1; i < len(ids); i++ {
		if ids[i] == 0 {
			ids[i] = next
			next++
			ing.fresh = append(ing.fresh, uint32(i))
		}
	}
	qs := make([][4]uint64, len(b.quads))
	for i, t := range b.quads {
		qs[i] = [4]uint64{ids[t[0]], ids[t[1]], ids[t[2]], ids[t[3]]}
	}
	b.quads = nil
	slices.SortFunc(qs, byIndex[uint64](primary))
	qs = slices.Compact(qs)
	// A quad whose nodes all predate the load may be stored already.
	base := ing.base
	err := s.db.View(func(txn *badger.Txn) error {
		key := make([]byte, 0, quadKeyLen)
		k := 0
		for i, q := range qs {
			if i&0xffff == 0xffff {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if q[0] < base && q[1] < base && q[2] < base && q[3] < base {
				key = primary.key(key[:0], quadIDs(q))
				_, err := txn.Get(key)
				if err == nil {
					continue
				} else if !errors.Is(err, badger.ErrKeyNotFound) {
					return err
				}
			}
			qs[k] = q
			k++
		}
		qs = qs[:k]
		return nil
	})
	if err != nil || len(qs) == 0 {
		return nil, err
	}
	ing.quads = qs
	for d := range ing.counts {
		ing.counts[d] = make(map[uint64]int64)
		ing.newCount[d] = make([]uint32, len(ing.fresh))
	}
	for _, q := range qs {
		for d, id := range q {
			switch {
			case id == 0:
			case id >= base:
				ing.newCount[d][id-base]++
			default:
				ing.counts[d][id]++
			}
		}
	}
	err = s.db.View(func(txn *badger.Txn) error {
		for d, m := range ing.counts {
			for id := range m {
				n, err := readCount(txn, quad.Direction(d+1), id)
				if err != nil {
					return err
				}
				m[id] = n // the delta is counted again when written
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if lt == nil {
		tx := s.begin()
		ing.id, _, err = tx.nextTx(opt.Tx)
		tx.discard()
		if err != nil {
			return nil, err
		}
	}
	return ing, nil
}

// lookupAll sets ids[i+1] to the store's id of the value hashes[i], 0 for
// a value it lacks: one read a value, or, when the values are many beside
// the store's, one pass over the store's hashes.
func (s *QuadStore) lookupAll(ctx context.Context, txn *badger.Txn, hashes []valueHash, ids []uint64) error {
	if int64(len(hashes))*8 < s.nnodes.Load() {
		for i, h := range hashes {
			if i&0xffff == 0xffff {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			id, ok := s.ids.get(h)
			if !ok {
				var err error
				if id, err = lookupID(txn, h); err != nil {
					return err
				}
			}
			ids[i+1] = id
		}
		return nil
	}
	order := make([]uint32, len(hashes))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(p, q uint32) int { return bytes.Compare(hashes[p][:], hashes[q][:]) })
	prefix := []byte{pfxHash}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
	defer it.Close()
	it.Seek(prefix)
	n := 0
	for _, i := range order {
		for ; it.Valid(); it.Next() {
			if n++; n&0xffff == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			c := bytes.Compare(it.Item().Key()[1:], hashes[i][:])
			if c < 0 {
				continue
			}
			if c == 0 {
				err := it.Item().Value(func(v []byte) error {
					if len(v) != 8 {
						return fmt.Errorf("%w: bad id record", ErrCorrupt)
					}
					ids[i+1] = u64(v)
					return nil
				})
				if err != nil {
					return err
				}
			}
			break
		}
	}
	return nil
}

// streamIngest writes the plan: as tables of its own on disk
// (tableIngest), through the StreamWriter in memory. It returns an error
// only while the load can still be undone by unstream (Flush did not
// return, or the tables are not all listed), and then whether anything
// reached Badger. The readers' lock and wmu are held.
func (s *QuadStore) streamIngest(ing *ingestion, opt *LoadOptions) (wrote bool, err error) {
	if !s.opts.InMemory {
		return s.tableIngest(ing, opt)
	}
	sw := s.db.NewStreamWriter()
	if err := sw.PrepareIncremental(); err != nil {
		sw.Cancel()
		return false, err
	}
	// Above every version the store holds, so that its counters and
	// metadata hide the older ones.
	txn := s.db.NewTransaction(false)
	version := txn.ReadTs() + 1
	txn.Discard()
	mk := &marker{keys: -1, tables: map[uint64]int{}}
	for _, t := range s.db.Tables() {
		mk.newest = max(mk.newest, t.ID)
		mk.tables[t.ID] = t.Level
	}
	if err := mk.write(s.dir); err != nil {
		sw.Cancel()
		return false, err
	}
	stop := s.releasingPages()
	keys, writes, err := s.emitIngest(ing, opt, func(stream uint32) *streamOut {
		return &streamOut{sw: sw, stream: stream, version: version}
	})
	stop()
	wrote = writes > 0
	if err == nil && ingestHook != nil {
		err = ingestHook("written")
	}
	if err == nil {
		// Values at the value log's threshold or above went there; it is
		// synced before the tables that point into it count as whole.
		err = s.db.Sync()
	}
	if err == nil {
		mk.keys = keys
		err = mk.write(s.dir)
	}
	if err == nil {
		err = sw.Flush()
	} else {
		// Cancel would leave the tables written so far unsorted in their
		// level, which Badger's reads and its next stream then trip on:
		// Flush settles them, and unstream deletes their keys.
		err = errors.Join(err, sw.Flush())
	}
	if err != nil {
		// Flush restarted Badger's compactions and writes, whose tables
		// would count towards the keys: a crash from now on is judged by
		// the tables from before the load alone.
		mk.keys = -1
		return wrote, errors.Join(err, mk.write(s.dir))
	}
	if ingestHook != nil {
		ingestHook("flushed")
	}
	return true, s.ingested(ing)
}

// ingested counts a plan written into the store and removes its marker.
func (s *QuadStore) ingested(ing *ingestion) error {
	s.nextID = ing.base + uint64(len(ing.fresh))
	s.nquads.Add(int64(len(ing.quads)))
	s.nnodes.Add(int64(len(ing.fresh)))
	s.lastTx = max(s.lastTx, ing.id) // reserved, as beginLong does
	s.version.Add(1)
	// The load is in the store, and its journal undoes it from here on; a
	// marker left behind counts the keys the load wrote and is settled
	// (removed) by the next open.
	if err := removeMarker(s.dir); err != nil {
		fmt.Fprintf(s.logw(), "quadstore: removing %s: %v (the next open removes it)\n", ingestMarker, err)
	}
	return nil
}

// tableIngest writes the plan as Badger's tables, as writeTables writes
// the first load's: Badger closes; the tables are written, at a version
// above every one the store holds, in the level above the store's
// highest, and the store's MANIFEST is written again listing them beside
// the store's tables (synced, read back, renamed into place); Badger
// opens again. The marker names the tables before the load, and, once
// every table is on disk, how many keys the load wrote: a crash before
// the new MANIFEST is in place leaves tables that it does not list, which
// the next open deletes, and one after leaves a load the journal undoes.
// An error before then removes the tables and opens Badger on the store
// as it was (nothing was written); after, unstream undoes it.
func (s *QuadStore) tableIngest(ing *ingestion, opt *LoadOptions) (wrote bool, err error) {
	txn := s.db.NewTransaction(false)
	version := txn.ReadTs() + 1
	txn.Discard()
	if err := s.db.Close(); err != nil {
		return false, s.reopenBadger(err)
	}
	m, err := s.closedManifest()
	if err != nil {
		return false, s.reopenBadger(err)
	}
	mk := &marker{keys: -1, tables: map[uint64]int{}}
	top := s.bo.MaxLevels
	for id, tm := range m.Tables {
		mk.newest = max(mk.newest, id)
		mk.tables[id] = int(tm.Level)
		top = min(top, int(tm.Level))
	}
	if top < 2 {
		// makeRoom left a level free above the store's, and nothing
		// wrote since: Badger's close flushed nothing.
		return false, s.reopenBadger(fmt.Errorf("quadstore: internal error: the store's tables reach level %d, with no level free above them for a load", top))
	}
	if err := mk.write(s.dir); err != nil {
		return false, s.reopenBadger(err)
	}
	ts, err := newTableSet(s.dir, s.bo, top-1)
	if err != nil {
		return false, s.reopenBadger(err)
	}
	stop := s.releasingPages()
	keys, _, err := s.emitIngest(ing, opt, func(uint32) *streamOut {
		return &streamOut{tables: ts.stream(), version: version}
	})
	stop()
	ts.wait()
	if err == nil && ingestHook != nil {
		err = ingestHook("written")
	}
	if err == nil {
		err = syncDir(s.dir) // the tables' names, before the MANIFEST names them
	}
	if err == nil {
		mk.keys = keys
		err = mk.write(s.dir)
	}
	if err == nil && ingestHook != nil {
		err = ingestHook("counted")
	}
	if err == nil {
		for id, tm := range ts.manifest().Tables {
			m.Tables[id] = tm
		}
		_, err = writeManifest(s.dir, m, 0)
	}
	if err == nil && ingestHook != nil {
		err = ingestHook("listed")
	}
	if err != nil {
		// The tables go unless the new MANIFEST is in place (writeManifest
		// fails after its rename only if the directory cannot be synced):
		// then the load is in the store, and unstream undoes it.
		listed := false
		if got, merr := s.closedManifest(); merr == nil && len(ts.made) > 0 {
			_, listed = got.Tables[ts.made[0]]
		}
		if !listed {
			ts.remove()
			mk.keys = -1
			err = errors.Join(err, mk.write(s.dir))
		}
		return listed, s.reopenBadger(err)
	}
	if err := s.reopenBadger(nil); err != nil {
		return true, err
	}
	// Badger's open read every table's index through its map; no read is
	// open, and what comes next reads what it needs again.
	releaseTablePages(s.dir, nil)
	if ingestHook != nil {
		ingestHook("flushed")
	}
	return true, s.ingested(ing)
}

// emitIngest writes the plan's keys in two streams, as emitAll does, and
// returns how many it wrote and how many buffers it handed to Badger.
func (s *QuadStore) emitIngest(ing *ingestion, opt *LoadOptions, newOut func(stream uint32) *streamOut) (keys, writes int64, err error) {
	ctx := context.Background() // the stream is not cancelled half-way: a crash undoes it, an error unstreams it
	b := ing.b
	other := slices.Clone(ing.quads)
	lop := newOut(streamLOP)
	errc := make(chan error, 1)
	go func() {
		errc <- firstErr(
			func() error {
				if !b.labelled {
					return nil // the L index would have no key: its sort is skipped
				}
				return emitIndex(ctx, lop, &indexes[3], other)
			},
			func() error { return emitIndex(ctx, lop, &indexes[2], other) },
			func() error { return emitIndex(ctx, lop, &indexes[1], other) },
			lop.done,
		)
	}()
	var folds *foldSet // in memory: a part holds a chunk at most
	out := newOut(streamRest)
	err = firstErr(
		func() error { return emitIndex(ctx, out, primary, ing.quads) },
		func() error { return ing.emitCounts(out) },
		func() error {
			if !s.folded.Load() {
				return nil
			}
			var err error
			if folds, err = foldEntries(ctx, b, ing.fresh, ing.base, ""); err != nil {
				return err
			}
			return emitFolds(out, folds)
		},
		func() error {
			order := slices.Clone(ing.fresh)
			slices.SortFunc(order, func(p, q uint32) int { return bytes.Compare(b.hashes[p-1][:], b.hashes[q-1][:]) })
			pos := make(map[uint32]uint64, len(ing.fresh))
			for j, i := range ing.fresh {
				pos[i] = ing.base + uint64(j)
			}
			for _, i := range order {
				if err := out.put(hashKey(b.hashes[i-1]), putU64(pos[i])); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			nodes := uint64(len(ing.fresh))
			for _, kv := range []struct{ k, v []byte }{
				{keyNextID, putU64(ing.base + nodes)},
				{keyNodes, putU64(uint64(ing.nnodes) + nodes)},
				{keyQuads, putU64(uint64(ing.nquads) + uint64(len(ing.quads)))},
			} {
				if err := out.put(kv.k, kv.v); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			for j, i := range ing.fresh {
				if err := out.put(nodeKey(ing.base+uint64(j)), b.value(i)); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			if !ing.journal || ing.first > 0 {
				return nil
			}
			return out.put(journalHeader(ing.id), append([]byte{journalLoading}, opt.Source...))
		},
		func() error {
			if !ing.journal {
				return nil
			}
			return ing.emitOps(out, s.undoBudget(), folds)
		},
		out.done,
	)
	if err2 := <-errc; err == nil {
		err = err2
	}
	return lop.keys + out.keys, lop.writes + out.writes, err
}

// undoBudget is how many entries the transaction that undoes one op
// record may write: half of what Badger takes in one transaction.
func (s *QuadStore) undoBudget() int {
	return int(s.memTable * 15 / 100 / int64(skl.MaxNodeSize) / 2)
}

// emitCounts writes the counters the load changed, by direction and id.
func (ing *ingestion) emitCounts(out *streamOut) error {
	key := make([]byte, 0, 10)
	put := func(d int, id uint64, n int64) error {
		key = append(key[:0], pfxCount, byte(d+1))
		key = binary.BigEndian.AppendUint64(key, id)
		return out.put(key, binary.AppendUvarint(nil, uint64(n)))
	}
	for d := range ing.counts {
		delta := make(map[uint64]int64, len(ing.counts[d]))
		for _, q := range ing.quads {
			if id := q[d]; id != 0 && id < ing.base {
				delta[id]++
			}
		}
		old := make([]uint64, 0, len(ing.counts[d]))
		for id := range ing.counts[d] {
			old = append(old, id)
		}
		slices.Sort(old)
		for _, id := range old {
			if err := put(d, id, ing.counts[d][id]+delta[id]); err != nil {
				return err
			}
		}
		for j, n := range ing.newCount[d] {
			if n == 0 {
				continue
			}
			if err := put(d, ing.base+uint64(j), int64(n)); err != nil {
				return err
			}
		}
	}
	return nil
}

// emitOps writes the history's op records of the load: at most a
// batch's quads each, and no more than one transaction can undo (rollback
// undoes a record in one): a quad's undo deletes its three or four index
// keys and writes up to four counters, and a node the load created, when
// its last quad goes, its value, hash and folded names.
func (ing *ingestion) emitOps(out *streamOut, budget int, folds *foldSet) error {
	foldsOf := make(map[uint64]int)
	if folds != nil {
		for i := range folds.mem.keys {
			k := folds.mem.key(i)
			foldsOf[binary.BigEndian.Uint64(k[len(k)-8:])]++
		}
	}
	seen := make([]uint64, len(ing.fresh)) // the record that last counted a new node, +1
	rec := make([]byte, 0, writerBatch*opLen)
	cost, n := 0, 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		ing.records++
		err := out.put(opsKey(ing.id, ing.records), rec)
		rec, cost, n = rec[:0], 0, 0
		return err
	}
	for _, q := range ing.quads {
		c := 8
		for _, id := range q {
			if id >= ing.base && seen[id-ing.base] != ing.records+1 {
				c += 2 + foldsOf[id]
			}
		}
		if n > 0 && (n == writerBatch || cost+c > budget) {
			if err := flush(); err != nil {
				return err
			}
		}
		for _, id := range q {
			if id >= ing.base {
				seen[id-ing.base] = ing.records + 1
			}
		}
		rec = append(rec, opAdd)
		for _, id := range q {
			rec = binary.BigEndian.AppendUint64(rec, id)
		}
		cost += c
		n++
	}
	return flush()
}

// unstream undoes in transactions what a failed stream may have written:
// it deletes the load's keys and writes back the counters and metadata as
// they were. Badger's next commit takes the stream's version, so a first
// commit takes it and the others come after.
func (s *QuadStore) unstream(ing *ingestion) error {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(tidyKey, nil) }); err != nil {
		return err
	}
	var keys [][]byte
	for _, q := range ing.quads {
		for i := range indexes {
			x := &indexes[i]
			if x.dirs[0] == quad.Label && q[quad.Label-1] == 0 {
				continue
			}
			keys = append(keys, x.key(nil, quadIDs(q)))
		}
	}
	for j, i := range ing.fresh {
		id := ing.base + uint64(j)
		keys = append(keys, hashKey(ing.b.hashes[i-1]), nodeKey(id))
		v, err := decodeValue(ing.b.value(i))
		if err != nil {
			return err
		}
		keys = append(keys, foldKeys(v, id)...)
		for d := quad.Subject; d <= quad.Label; d++ {
			keys = append(keys, countKey(d, id))
		}
	}
	for seq := ing.first + 1; seq <= ing.records; seq++ {
		keys = append(keys, opsKey(ing.id, seq))
	}
	if ing.journal && ing.first == 0 {
		keys = append(keys, journalHeader(ing.id))
	}
	keys = append(keys, tidyKey)
	type kv struct{ k, v []byte }
	var sets []kv
	for d, m := range ing.counts {
		for id, n := range m {
			if n == 0 {
				keys = append(keys, countKey(quad.Direction(d+1), id))
			} else {
				sets = append(sets, kv{countKey(quad.Direction(d+1), id), binary.AppendUvarint(nil, uint64(n))})
			}
		}
	}
	sets = append(sets, kv{keyQuads, putU64(uint64(ing.nquads))}, kv{keyNodes, putU64(uint64(ing.nnodes))}, kv{keyNextID, putU64(ing.nextID)})
	return inHalves(len(keys)+len(sets), func(lo, hi int) error {
		return s.db.Update(func(txn *badger.Txn) error {
			for i := lo; i < hi; i++ {
				var err error
				if i < len(keys) {
					err = txn.Delete(keys[i])
				} else {
					err = txn.Set(sets[i-len(keys)].k, sets[i-len(keys)].v)
				}
				if errors.Is(err, badger.ErrTxnTooBig) {
					return fmt.Errorf("%w: %w", ErrTooLarge, err)
				} else if err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// decodeAll returns the builder's quads as read (the stream could not be
// used).
func (b *bulkBuilder) decodeAll() ([]quad.Quad, error) {
	vals := make([]quad.Value, b.values()+1)
	for id := 1; id < len(vals); id++ {
		v, err := decodeValue(b.value(uint32(id)))
		if err != nil {
			return nil, err
		}
		vals[id] = v
	}
	qs := make([]quad.Quad, len(b.quads))
	for i, t := range b.quads {
		qs[i] = quad.Quad{Subject: vals[t[0]], Predicate: vals[t[1]], Object: vals[t[2]], Label: vals[t[3]]}
	}
	return qs, nil
}

// marker is what the marker file of a streamed load says: the tables
// before it (id and level), the newest of them, and, once known, how many
// keys the load wrote (-1: not yet).
type marker struct {
	newest uint64
	tables map[uint64]int
	keys   int64
}

func (mk *marker) write(dir string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "newest-table %d\n", mk.newest)
	ids := make([]uint64, 0, len(mk.tables))
	for id := range mk.tables {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	b.WriteString("tables")
	for _, id := range ids {
		fmt.Fprintf(&b, " %d:%d", id, mk.tables[id])
	}
	b.WriteString("\n")
	if mk.keys >= 0 {
		fmt.Fprintf(&b, "keys %d\n", mk.keys)
	}
	// Written beside it and renamed over it: a crash never leaves half.
	tmp := filepath.Join(dir, ingestMarker+".tmp")
	if err := writeSynced(tmp, []byte(b.String())); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, ingestMarker)); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

func removeMarker(dir string) error {
	if err := os.Remove(filepath.Join(dir, ingestMarker)); err != nil && !os.IsNotExist(err) {
		return err
	}
	return syncDir(dir)
}

// readMarker reads a streamed load's marker.
func readMarker(dir string) (*marker, error) {
	b, err := os.ReadFile(filepath.Join(dir, ingestMarker))
	if err != nil {
		return nil, err
	}
	mk := &marker{keys: -1, tables: map[uint64]int{}}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		name, val, _ := strings.Cut(line, " ")
		switch name {
		case "newest-table":
			mk.newest, err = strconv.ParseUint(val, 10, 64)
		case "keys":
			mk.keys, err = strconv.ParseInt(val, 10, 64)
		case "tables":
			for _, f := range strings.Fields(val) {
				id, level, ok := strings.Cut(f, ":")
				n, err1 := strconv.ParseUint(id, 10, 64)
				l, err2 := strconv.Atoi(level)
				if err = errors.Join(err1, err2); err == nil && !ok {
					err = fmt.Errorf("table %q", f)
				}
				if err != nil {
					break
				}
				mk.tables[n] = l
			}
		default:
			err = fmt.Errorf("unknown line %q", line)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, ingestMarker, err)
		}
	}
	return mk, nil
}

// undoIngest settles, before Badger opens the store in dir, a streamed
// load a crash interrupted (its marker is there). A load whose tables
// hold every key it wrote stays, to be undone as a journalled load by
// recoverJournals; else its tables (every one after the newest before it,
// listed in the MANIFEST or not) are dropped. That needs the tables from
// before it as they were: a failed stream compacted since (only after an
// error in process and a crash while it was undone) is an error.
func undoIngest(dir string) (note string, err error) {
	mk, err := readMarker(dir)
	if err != nil {
		return "", err
	}
	// A part of the first load into an empty store, past the bulk path's
	// limits: the open resets the store to empty (the bulk marker), and
	// only needs Badger able to open it, without the tables the stream
	// may have left half-written.
	_, bulkErr := os.Stat(filepath.Join(dir, bulkMarker))
	resetting := bulkErr == nil
	f, err := os.Open(filepath.Join(dir, badger.ManifestFilename))
	if err != nil {
		return "", err
	}
	m, _, err := replayManifest(f, badger.DefaultOptions(dir).WithLogger(nil))
	f.Close()
	if err != nil {
		return "", fmt.Errorf("%w: reading the MANIFEST: %v", ErrCorrupt, err)
	}
	var after []uint64
	for id := range m.Tables {
		if id > mk.newest {
			after = append(after, id)
		}
	}
	if mk.keys >= 0 && !resetting {
		var sum int64
		for _, id := range after {
			n, err := tableKeys(filepath.Join(dir, table.IDToFilename(id)), m.Tables[id])
			if err != nil {
				return "", fmt.Errorf("%w: table %d: %v", ErrCorrupt, id, err)
			}
			sum += n
		}
		if sum >= mk.keys {
			return "", removeMarker(dir)
		}
	}
	for id, level := range mk.tables {
		if tm, ok := m.Tables[id]; !resetting && (!ok || int(tm.Level) != level) {
			return "", fmt.Errorf("%w: a load that failed while it wrote its tables was interrupted while it was undone, after Badger had compacted them with the store's; restore the store from a copy", ErrCorrupt)
		}
	}
	keep := badger.Manifest{Tables: map[uint64]badger.TableManifest{}}
	for id, tm := range m.Tables {
		if id <= mk.newest {
			keep.Tables[id] = tm
		}
	}
	if len(after) > 0 {
		if _, err := writeManifest(dir, keep, 0); err != nil {
			return "", err
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	unlisted := 0
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), ".sst")
		if id, err := strconv.ParseUint(base, 10, 64); ok && err == nil && id > mk.newest {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return "", err
			}
			if _, listed := m.Tables[id]; !listed {
				unlisted++
			}
		}
	}
	if err := removeMarker(dir); err != nil {
		return "", err
	}
	if len(after) == 0 && unlisted == 0 {
		return "a load was interrupted as it began to write its tables, before any was written; the store is as it was before it", nil
	}
	if len(after) == 0 {
		return fmt.Sprintf("a load was interrupted while it wrote its tables, before the MANIFEST listed them; the %d %s it had written %s deleted, so the store is as it was before it",
			unlisted, plural(unlisted, "table", "tables"), map[bool]string{true: "was", false: "were"}[unlisted == 1]), nil
	}
	return fmt.Sprintf("a load was interrupted while it wrote its tables; the %d %s it had written %s dropped, so the store is as it was before it",
		len(after), plural(len(after), "table", "tables"), map[bool]string{true: "was", false: "were"}[len(after) == 1]), nil
}
