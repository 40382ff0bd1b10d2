package quadstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
)

// LoadOptions configure Load. The zero value is good.
type LoadOptions struct {
	// Source names the input, for the journal and for notes after a crash.
	Source string
	// Progress, when set, is called after each committed batch and every
	// so often while the bulk path reads.
	Progress func(LoadProgress)
	// BulkLimit caps how many quads the bulk path takes before it writes
	// them and goes on with transactions (default and most 4,294,967,295,
	// the reach of its degree counters); a negative
	// value turns the bulk path off, and the stream of a large load into a
	// store with data. The bulk path also stops taking quads
	// once it holds BulkValues distinct values.
	BulkLimit int
	// BulkValues caps the distinct values the bulk path holds in memory
	// (default 8,388,608, about 650 MB for values of 30 bytes); the quads
	// it has read ahead when it reaches the cap (up to 20,480) are still
	// taken, and so are their values. It caps each streamed part too.
	// The rest is streamed in parts, or written in transactions under
	// 65,536 quads.
	BulkValues int
	// SpillAt is how many quads the bulk path holds in memory before it
	// sorts them into runs on disk and merges those at the end (default
	// 4,194,304; spill.go).
	SpillAt int
	// BatchSize is the number of quads per transaction (default 4096).
	BatchSize int
	// Tx describes the transaction of the history the load makes.
	Tx TxOptions
	// Finish, when set, is called once the input is read and stored,
	// before the load's transaction is complete; the changes it returns
	// (a file's retractions and amendments, planned against the store as
	// it now is) are part of the load, and an error undoes the whole load.
	Finish func(ctx context.Context) (Finished, error)
}

// Finished is what LoadOptions.Finish adds to a load: quads to add and
// remove, and (when set) the transaction's record in place of Tx.Meta.
type Finished struct {
	Adds, Removes []quad.Quad
	Meta          json.RawMessage
}

// LoadProgress reports how far a load has come.
type LoadProgress struct {
	Read    int64 // quads read from the input
	Added   int64 // quads committed that were not stored before
	Batches int64 // transactions committed
	Writing bool  // the bulk path is writing what it read
}

// LoadResult sums up a load.
type LoadResult struct {
	Read  int64 // quads read
	Added int64 // quads that were new
	// Removed counts the quads the changes of LoadOptions.Finish removed.
	Removed int64
	Bulk    bool // the store was empty and the bulk path wrote it
	// Tx is the load's transaction (ID 0 when it added nothing).
	Tx TxRecord
}

const (
	// The bulk path's degree counters are 32-bit: no node can have more
	// quads than the bulk path takes.
	defaultBulkLimit  = math.MaxUint32
	defaultBulkValues = 23 << 20
)

// Load adds every quad r yields, ignoring quads already stored, as one
// all-or-nothing operation: on any error — from the reader, the context or
// the disk — the store is left as it was and the error returned.
//
// Into an empty store the quads are sorted (in memory, or in chunks on
// disk and merged) and written straight into Badger's tables (the bulk
// path); if the process dies, the next Open
// finds the store empty. Into a store with data, quads go in batches of
// atomic transactions, each journalled so that an error can undo them; if
// the process dies, the next writable Open undoes the batches committed
// before (a read-only Open fails with ErrNeedsRecovery until then). An
// input of 65,536 quads or more is read a part at a time (up to the bulk
// path's limits, SpillAt quads at most), each sorted in memory and written
// as one such batch with Badger's StreamWriter, several times faster
// (ingest.go); so is the first load's input past the bulk path's limits.
// The store's readers wait while a part plans and writes (seconds for a
// million quads), and the load writes in transactions instead while any
// read of this package is open (Badger stops the process when a read
// opened before the stream's end is discarded after it, so the store
// hands out no raw Badger handle), or when the disk has no room to
// merge Badger's levels for the next part (each takes a level of its own;
// with none left, they are merged into the lowest first). Because of
// those reads too, the bulk path waits
// for the reads open when it is ready to write, up to 30 seconds.
//
// A load checks the free space on the store's disk before and while it
// writes and fails with ErrNoSpace, undone, while there is still room to
// undo it.
func (s *QuadStore) Load(ctx context.Context, r quad.Reader, o *LoadOptions) (LoadResult, error) {
	var opt LoadOptions
	if o != nil {
		opt = *o
	}
	if opt.BulkLimit == 0 || opt.BulkLimit > defaultBulkLimit {
		opt.BulkLimit = defaultBulkLimit
	}
	if opt.BulkValues <= 0 {
		opt.BulkValues = defaultBulkValues
	}
	if opt.SpillAt <= 0 {
		opt.SpillAt = defaultSpillAt
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = writerBatch
	}
	if s.opts.ReadOnly {
		return LoadResult{}, ErrReadOnly
	}
	if s.closed.Load() {
		return LoadResult{}, ErrClosed
	}
	s.wmu.Lock()
	if err := s.writable(); err != nil {
		s.wmu.Unlock()
		return LoadResult{}, err
	}
	empty := s.nquads.Load() == 0 && s.nnodes.Load() == 0 && s.lastTx == 0
	if empty && opt.BulkLimit > 0 {
		defer s.wmu.Unlock()
		return s.bulkLoad(ctx, r, &opt)
	}
	s.wmu.Unlock()
	return s.journalledLoad(ctx, r, &opt)
}

// historyKept reports whether the store records its history (a store
// with data from before the history has its first record written by the
// first change, in a transaction).
func (s *QuadStore) historyKept() bool {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.lastTx != 0
}

// batchReader reads quads in batches, checking the context.
type batchReader struct {
	ctx  context.Context
	r    quad.Reader
	read int64
	eof  bool
	// pending are quads read ahead, handed out first; eof may be set
	// before they are.
	pending []quad.Quad
}

// done reports whether every quad was handed out.
func (b *batchReader) done() bool { return b.eof && len(b.pending) == 0 }

// next fills buf with up to n quads.
func (b *batchReader) next(buf []quad.Quad, n int) ([]quad.Quad, error) {
	buf = buf[:0]
	if err := b.ctx.Err(); err != nil {
		return buf, err
	}
	if len(b.pending) > 0 {
		k := min(n, len(b.pending))
		buf = append(buf, b.pending[:k]...)
		b.pending = b.pending[k:]
		return buf, nil
	}
	for len(buf) < n && !b.eof {
		q, err := b.r.ReadQuad()
		if err == io.EOF {
			b.eof = true
			break
		} else if err != nil {
			return buf, err
		}
		if !q.IsValid() {
			return buf, fmt.Errorf("quadstore: invalid quad %v", q)
		}
		buf = append(buf, q)
		b.read++
	}
	return buf, nil
}

// journalledLoad loads into a store with data, batch by batch, as one
// transaction of the history.
func (s *QuadStore) journalledLoad(ctx context.Context, r quad.Reader, opt *LoadOptions) (LoadResult, error) {
	var res LoadResult
	br := &batchReader{ctx: ctx, r: r}
	var (
		buf     []quad.Quad
		batches int64
		written int64 // bytes of keys and values committed
		lt      *longTx
	)
	// A large input goes through the stream (ingest.go), a part of up to
	// the bulk path's limits at a time; what is left under ingestMin
	// quads, or once the stream cannot be used, goes in batches.
	if s.streams(opt) && s.historyKept() {
		// An error undoes the parts streamed before it.
		abort := func(err error) (LoadResult, error) {
			if lt != nil {
				return s.failLoad(ctx, lt, br, err)
			}
			return LoadResult{Read: br.read}, err
		}
		for {
			head, err := br.next(nil, ingestMin)
			if err != nil {
				return abort(err)
			}
			if br.eof {
				br.pending = head
				break
			}
			next, left, err := s.ingest(ctx, br, head, opt, lt)
			if err == errNoStream {
				br.pending = left
				break
			}
			if err != nil {
				return abort(err)
			}
			if next != nil {
				lt, res.Added = next, next.added
				batches++
				if opt.Progress != nil {
					opt.Progress(LoadProgress{Read: br.read, Added: res.Added, Batches: batches})
				}
			}
		}
	}
	if lt == nil {
		var err error
		if lt, err = s.beginLong(opt.Tx, opt.Source, journalLoading); err != nil {
			return res, err
		}
	}
	fail := func(err error) (LoadResult, error) { return s.failLoad(ctx, lt, br, err) }
	for !br.done() {
		var err error
		buf, err = br.next(buf, opt.BatchSize)
		if err != nil {
			return fail(err)
		}
		if len(buf) == 0 {
			break
		}
		if err := s.needSpace("the load", spaceFactor*(written+bytesPerQuad*int64(len(buf)))); err != nil {
			return fail(err)
		}
		// Room in the log for this batch and for undoing the load.
		if err := s.reserveLogs(2*bytesPerQuad*int64(len(buf)) + min(written, s.memTable)); err != nil {
			return fail(err)
		}
		n, b, err := s.addJournalled(lt, buf)
		if err != nil {
			return fail(diskFull(err))
		}
		written += b
		res.Added += int64(n)
		batches++
		if opt.Progress != nil {
			opt.Progress(LoadProgress{Read: br.read, Added: res.Added, Batches: batches})
		}
	}
	res.Read = br.read
	if _, _, err := s.finishLoad(ctx, opt, lt); err != nil {
		return fail(err)
	}
	res.Added, res.Removed = lt.added, lt.removed
	if lt.added == 0 && lt.removed == 0 {
		// Nothing changed: no transaction.
		if err := s.rollback(context.WithoutCancel(ctx), lt.id); err != nil {
			return res, err
		}
		return res, nil
	}
	rec, err := s.finishLong(lt)
	if err != nil {
		return fail(err)
	}
	res.Tx = rec
	return res, nil
}

// streams reports whether a load with these options into this store may
// write its large parts through the stream.
func (s *QuadStore) streams(opt *LoadOptions) bool {
	return min(opt.BulkLimit, opt.SpillAt) >= ingestMin && !s.opts.InMemory
}

// failLoad undoes a journalled load that failed with err.
func (s *QuadStore) failLoad(ctx context.Context, lt *longTx, br *batchReader, err error) (LoadResult, error) {
	if rerr := s.rollback(context.WithoutCancel(ctx), lt.id); rerr != nil {
		return LoadResult{Read: br.read}, fmt.Errorf("%w (and undoing the load failed: %v)", err, rerr)
	}
	return LoadResult{Read: br.read}, err
}

// addJournalled adds quads in one transaction that also records which
// quads were new, splitting the batch if Badger finds it too large. It
// returns the quads added and the bytes written.
func (s *QuadStore) addJournalled(lt *longTx, qs []quad.Quad) (int, int64, error) {
	n := 0
	var written int64
	err := inHalves(len(qs), func(lo, hi int) error {
		k := 0
		var b int64
		err := s.updateInto(lt, func(tx *writeTx) error {
			defer func() { b = tx.bytes }()
			for _, q := range qs[lo:hi] {
				added, err := tx.addQuad(q, true)
				if err != nil {
					return err
				}
				if added {
					k++
				}
			}
			return nil
		})
		if err == nil {
			n, written = n+k, written+b
		}
		return err
	})
	return n, written, err
}

// The journal: a header per unfinished transaction (a load or a large
// change), whose batches are the transaction's history records (x D id
// seq). Stores written before the history kept their batches under the
// header (u id seq, 32 bytes a quad, additions only).
const (
	journalLoading  = 'L'
	journalChanging = 'C'
	journalUndoing  = 'R'
	journalHdrLen   = 9
	journalRecLen   = 17
	quadRecordBytes = 32
)

func journalHeader(loadID uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{pfxJournal}, loadID)
}

// journalKeys lists the batch records of a transaction, newest first.
func (s *QuadStore) journalKeys(id uint64) ([][]byte, error) {
	var keys [][]byte
	err := s.view(func(txn *badger.Txn) error {
		for _, prefix := range [][]byte{journalHeader(id), opsPrefix(id)} {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
			for it.Seek(prefix); it.Valid(); it.Next() {
				if k := it.Item().Key(); len(k) == len(prefix)+8 {
					keys = append(keys, it.Item().KeyCopy(nil))
				}
			}
			it.Close()
		}
		return nil
	})
	for i, j := 0, len(keys)-1; i < j; i, j = i+1, j-1 {
		keys[i], keys[j] = keys[j], keys[i]
	}
	return keys, err
}

// rollback undoes an unfinished transaction from its records, newest batch
// first: what it added is removed, what it removed is added back. Each step
// undoes one batch and deletes its record in one commit, so an interrupted
// rollback resumes where it stopped. Nothing of it enters the history.
func (s *QuadStore) rollback(ctx context.Context, id uint64) error {
	hdr := journalHeader(id)
	var source []byte
	err := s.view(func(txn *badger.Txn) error {
		item, err := txn.Get(hdr)
		if err != nil {
			return err
		}
		source, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		return err
	}
	if len(source) > 0 && source[0] != journalUndoing {
		source[0] = journalUndoing
		if err := s.update(func(tx *writeTx) error { tx.histMode = histNone; return tx.set(hdr, source) }); err != nil {
			return err
		}
	}
	keys, err := s.journalKeys(id)
	if err != nil {
		return err
	}
	for _, k := range keys {
		var rec []byte
		legacy := k[0] == pfxJournal
		err := s.view(func(txn *badger.Txn) error {
			item, err := txn.Get(k)
			if err != nil {
				return err
			}
			rec, err = item.ValueCopy(nil)
			return err
		})
		if err != nil {
			return err
		}
		size := opLen
		if legacy {
			size = quadRecordBytes
		}
		if len(rec)%size != 0 {
			return fmt.Errorf("%w: journal record of %d bytes", ErrCorrupt, len(rec))
		}
		err = s.update(func(tx *writeTx) error {
			tx.histMode = histNone
			for off := len(rec) - size; off >= 0; off -= size {
				add, q := true, quadIDs{}
				if legacy {
					for i := range q {
						q[i] = binary.BigEndian.Uint64(rec[off+8*i:])
					}
				} else {
					add, q = decodeOp(rec[off:])
				}
				if add {
					if err := tx.removeIDs(q, true); err != nil {
						return err
					}
				}
			}
			// What the batch removed comes back under its own ids, the
			// nodes it retired revived, so that the history before it
			// still names them.
			for off := 0; !legacy && off+opLen <= len(rec); off += opLen {
				if add, q := decodeOp(rec[off:]); !add {
					q, err := tx.revive(q)
					if err != nil {
						return err
					}
					if _, err := tx.addIDs(q, true); err != nil {
						return err
					}
				}
			}
			return tx.del(k)
		})
		if err != nil {
			return err
		}
	}
	err = s.update(func(tx *writeTx) error { tx.histMode = histNone; return tx.del(hdr) })
	if err != nil {
		return err
	}
	// The id it had reserved is free again if nothing came after it.
	s.wmu.Lock()
	if s.lastTx == id {
		err = s.loadLastTx()
	}
	s.wmu.Unlock()
	return err
}

// recoverJournals settles the journals a crash left: an undo is finished;
// an interrupted load keeps the batches it committed.
func (s *QuadStore) recoverJournals(ctx context.Context) error {
	type hdr struct {
		id     uint64
		state  byte
		source string
	}
	var hdrs []hdr
	prefix := []byte{pfxJournal}
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.Valid(); it.Next() {
			k := it.Item().Key()
			if len(k) != journalHdrLen {
				continue
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			h := hdr{id: binary.BigEndian.Uint64(k[1:])}
			if len(v) > 0 {
				h.state, h.source = v[0], string(v[1:])
			}
			hdrs = append(hdrs, h)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, h := range hdrs {
		name := h.source
		if name == "" {
			name = "an input"
		}
		if h.state == journalUndoing {
			if err := s.rollback(ctx, h.id); err != nil {
				return fmt.Errorf("quadstore: finishing the undo of an interrupted load: %w", err)
			}
			s.notes = append(s.notes, fmt.Sprintf("the undo of a failed load of %s was interrupted; it has been completed", name))
			continue
		}
		// A load is all or nothing, across a crash too: undo what the
		// interrupted load committed, as a rollback journal does.
		keys, err := s.journalKeys(h.id)
		if err != nil {
			return err
		}
		if err := s.rollback(ctx, h.id); err != nil {
			return fmt.Errorf("quadstore: undoing a load a crash interrupted: %w", err)
		}
		s.notes = append(s.notes, fmt.Sprintf("a load of %s was interrupted; the %d batches it had committed were undone, so the store is as it was before it", name, len(keys)))
	}
	return nil
}

// markBulk creates the marker of a running bulk load.
func (s *QuadStore) markBulk() error {
	if s.opts.InMemory {
		return nil
	}
	path := filepath.Join(s.dir, bulkMarker)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(f, "bulk load started %s\n", time.Now().UTC().Format(time.RFC3339))
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return syncDir(s.dir)
}

func (s *QuadStore) unmarkBulk() error {
	if s.opts.InMemory {
		return nil
	}
	if err := os.Remove(filepath.Join(s.dir, bulkMarker)); err != nil && !os.IsNotExist(err) {
		return err
	}
	return syncDir(s.dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// countJournals counts the loads whose journal is still in the store:
// loads a crash interrupted, to be undone at the next writable open.
func (s *QuadStore) countJournals() (int, error) {
	n := 0
	prefix := []byte{pfxJournal}
	err := s.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.Valid(); it.Next() {
			if len(it.Item().Key()) == journalHdrLen {
				n++
			}
		}
		return nil
	})
	return n, err
}
