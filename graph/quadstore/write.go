package quadstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
)

// kvTxn is the part of a Badger transaction the writer uses. Tests wrap it
// to inject faults.
type kvTxn interface {
	Get(key []byte) (*badger.Item, error)
	Set(key, val []byte) error
	Delete(key []byte) error
	Commit() error
	Discard()
}

type getter interface {
	Get(key []byte) (*badger.Item, error)
}

// Badger's table sizes. The tables the bulk path writes are
// baseTableSize×2^(levels-2) = 16 MiB, and Badger builds each in memory.
// Badger refuses a transaction over 15% of the memtable in bytes; writers
// that can outgrow it split their batches when it says so (ErrTooLarge).
const (
	memTableSize  = 32 << 20
	baseTableSize = 512 << 10
	txnEntryExtra = 12 // Badger's per-entry overhead in its size estimate
	writerBatch   = 4096
)

// The logs of a store opened for small writes (Options.SmallWrites): a
// memtable of 1 MiB, whose transactions Badger caps at about 150 KiB and
// 1,600 entries; values from 16 KiB go to a value log of 1 MiB (Badger's
// least), which takes values up to that size. A quad's four values then
// take at most 64 KiB of a transaction, so any one quad fits.
const (
	smallMemTable       = 1 << 20
	smallValueThreshold = 16 << 10
	smallValueLog       = 1 << 20
)

// readCount reads the number of quads with node id in direction d.
func readCount(txn getter, d quad.Direction, id uint64) (int64, error) {
	item, err := txn.Get(countKey(d, id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	var n uint64
	err = item.Value(func(b []byte) error {
		var k int
		n, k = binary.Uvarint(b)
		if k <= 0 || k != len(b) {
			return fmt.Errorf("%w: bad count record", ErrCorrupt)
		}
		return nil
	})
	return int64(n), err
}

type countK struct {
	d  quad.Direction
	id uint64
}

// writeTx is one atomic write: a Badger transaction and the bookkeeping
// that turns quad additions and deletions into keys. Nothing in memory
// outside the transaction changes until it commits.
type writeTx struct {
	s      *QuadStore
	txn    kvTxn
	nextID uint64

	dq, dn   int64
	counts   map[countK]int64     // count deltas
	resolved map[valueHash]uint64 // every value looked up or created
	created  map[uint64]struct{}  // nodes created here
	touched  map[uint64]struct{}  // nodes that lost a quad
	gced     map[uint64]valueHash // nodes deleted here
	bytes    int64
	keybuf   []byte
	valbuf   []byte

	// History: what this transaction changed, as ops ('+' or '-' and the
	// quad's four ids), recorded at commit as histMode says.
	histMode  histMode
	ops       []byte
	histTx    uint64     // histInto: the transaction the ops belong to
	histSeq   *uint64    // histInto: the sequence of its op records
	txOpts    TxOptions  // histOwn: the record's metadata
	newTx     uint64     // the transaction recorded, set by finish
	newTime   time.Time  // its time
	baseTime  *time.Time // the implicit first transaction was recorded
	reserveTx uint64     // a long transaction's id, taken at commit

	memo  *loadMemo        // a long transaction's memory of its earlier batches
	final map[countK]int64 // the counters finish wrote
}

func (s *QuadStore) begin() *writeTx {
	txn := s.db.NewTransaction(true)
	var kt kvTxn = txn
	if s.wrapTxn != nil {
		kt = s.wrapTxn(txn)
	}
	return &writeTx{
		s:        s,
		txn:      kt,
		nextID:   s.nextID,
		counts:   make(map[countK]int64),
		resolved: make(map[valueHash]uint64),
		created:  make(map[uint64]struct{}),
		touched:  make(map[uint64]struct{}),
		histMode: s.histDefault,
	}
}

func (tx *writeTx) set(k, v []byte) error {
	tx.bytes += int64(len(k)+len(v)) + txnEntryExtra
	if err := tx.txn.Set(k, v); err != nil {
		if errors.Is(err, badger.ErrTxnTooBig) {
			return fmt.Errorf("%w: %w", ErrTooLarge, err)
		}
		return err
	}
	return nil
}

func (tx *writeTx) del(k []byte) error {
	tx.bytes += int64(len(k)) + txnEntryExtra
	if err := tx.txn.Delete(k); err != nil {
		if errors.Is(err, badger.ErrTxnTooBig) {
			return fmt.Errorf("%w: %w", ErrTooLarge, err)
		}
		return err
	}
	return nil
}

// resolve returns the id of v, creating the node if create is set; 0 means
// absent.
func (tx *writeTx) resolve(v quad.Value, create bool) (uint64, error) {
	h := hashOf(v)
	if id, ok := tx.resolved[h]; ok {
		return id, nil
	}
	id, ok := tx.s.ids.get(h)
	if !ok {
		var err error
		if id, err = lookupID(tx.txn, h); err != nil {
			return 0, err
		}
	}
	if id == 0 {
		if !create {
			return 0, nil
		}
		enc, err := appendValue(tx.valbuf[:0], v)
		if err != nil {
			return 0, err
		}
		if len(enc) > maxValueBytes {
			return 0, fmt.Errorf("quadstore: value of %d bytes is over the limit of %d", len(enc), maxValueBytes)
		}
		tx.valbuf = enc
		id = tx.nextID
		tx.nextID++
		if err := tx.set(hashKey(h), putU64(id)); err != nil {
			return 0, err
		}
		if err := tx.set(nodeKey(id), append([]byte(nil), enc...)); err != nil {
			return 0, err
		}
		if err := tx.setFold(v, id); err != nil {
			return 0, err
		}
		tx.created[id] = struct{}{}
		tx.dn++
	}
	tx.resolved[h] = id
	return id, nil
}

// resolveQuad resolves the four values of q; ok is false when create is
// unset and a value is absent.
func (tx *writeTx) resolveQuad(q quad.Quad, create bool) (ids quadIDs, ok bool, err error) {
	if q.Subject == nil || q.Predicate == nil || q.Object == nil {
		return ids, false, fmt.Errorf("quadstore: quad %v lacks a subject, predicate or object", q)
	}
	for d := quad.Subject; d <= quad.Label; d++ {
		v := q.Get(d)
		if v == nil {
			continue
		}
		id, err := tx.resolve(v, create)
		if err != nil {
			return ids, false, err
		}
		if id == 0 {
			return ids, false, nil
		}
		ids[d-1] = id
	}
	return ids, true, nil
}

func (tx *writeTx) exists(ids quadIDs) (bool, error) {
	tx.keybuf = primary.key(tx.keybuf[:0], ids)
	_, err := tx.txn.Get(tx.keybuf)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

// addQuad adds q. It reports whether q was new; an existing quad is an
// error unless ignoreDup.
func (tx *writeTx) addQuad(q quad.Quad, ignoreDup bool) (bool, error) {
	ids, _, err := tx.resolveQuad(q, true)
	if err != nil {
		return false, err
	}
	return tx.addIDs(ids, ignoreDup)
}

func (tx *writeTx) addIDs(ids quadIDs, ignoreDup bool) (bool, error) {
	// A quad with a node this load created is new unless the load added
	// it: the memo's filter says so without a read.
	fresh := tx.memo != nil && tx.memo.fresh(ids)
	found := false
	if !fresh || tx.memo.added.has(ids) {
		var err error
		if found, err = tx.exists(ids); err != nil {
			return false, err
		}
	}
	if found {
		if ignoreDup {
			return false, nil
		}
		return false, graph.ErrQuadExists
	}
	for i := range indexes {
		x := &indexes[i]
		if x.dirs[0] == quad.Label && ids[quad.Label-1] == 0 {
			continue
		}
		if err := tx.set(x.key(nil, ids), nil); err != nil {
			return false, err
		}
	}
	for i, id := range ids {
		if id != 0 {
			tx.counts[countK{quad.Direction(i + 1), id}]++
		}
	}
	tx.dq++
	tx.recordOp(opAdd, ids)
	if fresh {
		tx.memo.added.add(ids)
	}
	return true, nil
}

// removeQuad deletes q; a missing quad is an error unless ignoreMissing.
func (tx *writeTx) removeQuad(q quad.Quad, ignoreMissing bool) error {
	ids, ok, err := tx.resolveQuad(q, false)
	if err != nil {
		return err
	}
	if !ok {
		if ignoreMissing {
			return nil
		}
		return graph.ErrQuadNotExist
	}
	return tx.removeIDs(ids, ignoreMissing)
}

func (tx *writeTx) removeIDs(ids quadIDs, ignoreMissing bool) error {
	found, err := tx.exists(ids)
	if err != nil {
		return err
	}
	if !found {
		if ignoreMissing {
			return nil
		}
		return graph.ErrQuadNotExist
	}
	for i := range indexes {
		x := &indexes[i]
		if x.dirs[0] == quad.Label && ids[quad.Label-1] == 0 {
			continue
		}
		if err := tx.del(x.key(nil, ids)); err != nil {
			return err
		}
	}
	for i, id := range ids {
		if id != 0 {
			tx.counts[countK{quad.Direction(i + 1), id}]--
			tx.touched[id] = struct{}{}
		}
	}
	tx.dq--
	tx.recordOp(opRemove, ids)
	return nil
}

// finish writes the counters, deletes nodes left without quads, and writes
// the metadata and journal record. It runs once, before Commit.
func (tx *writeTx) finish() error {
	final := make(map[countK]int64, len(tx.counts))
	tx.final = final
	for k, delta := range tx.counts {
		if delta == 0 {
			continue
		}
		var base int64
		if _, isNew := tx.created[k.id]; !isNew {
			var known bool
			if tx.memo != nil {
				base, known = tx.memo.count(k)
			}
			if !known {
				var err error
				if base, err = readCount(tx.txn, k.d, k.id); err != nil {
					return err
				}
			}
		}
		n := base + delta
		if n < 0 {
			return fmt.Errorf("%w: count of node %d in direction %v would be %d", ErrCorrupt, k.id, k.d, n)
		}
		final[k] = n
		key := countKey(k.d, k.id)
		if n == 0 {
			if err := tx.del(key); err != nil {
				return err
			}
		} else if err := tx.set(key, binary.AppendUvarint(nil, uint64(n))); err != nil {
			return err
		}
	}
	for id := range tx.touched {
		var total int64
		for d := quad.Subject; d <= quad.Label; d++ {
			n, ok := final[countK{d, id}]
			if !ok {
				var err error
				if n, err = readCount(tx.txn, d, id); err != nil {
					return err
				}
			}
			total += n
		}
		if total > 0 {
			continue
		}
		if err := tx.deleteNode(id); err != nil {
			return err
		}
	}
	if err := tx.finishHistory(); err != nil {
		return err
	}
	if tx.dq != 0 {
		if err := tx.set(keyQuads, putU64(uint64(tx.s.nquads.Load()+tx.dq))); err != nil {
			return err
		}
	}
	if tx.dn != 0 {
		if err := tx.set(keyNodes, putU64(uint64(tx.s.nnodes.Load()+tx.dn))); err != nil {
			return err
		}
	}
	if tx.nextID != tx.s.nextID {
		if err := tx.set(keyNextID, putU64(tx.nextID)); err != nil {
			return err
		}
	}
	return nil
}

// deleteNode removes a node that no quad uses any more.
func (tx *writeTx) deleteNode(id uint64) error {
	item, err := tx.txn.Get(nodeKey(id))
	if err != nil {
		return fmt.Errorf("%w: node %d: %w", ErrCorrupt, id, err)
	}
	var h valueHash
	var enc []byte
	var v quad.Value
	err = item.Value(func(b []byte) error {
		v, err = decodeValue(b)
		if err != nil {
			return err
		}
		h = hashOf(v)
		enc = append(enc, b...)
		return nil
	})
	if err != nil {
		return err
	}
	// History still names the node by its id: keep its value, retired.
	if tx.histMode != histNone {
		if err := tx.set(retiredKey(id), enc); err != nil {
			return err
		}
	}
	if err := tx.del(nodeKey(id)); err != nil {
		return err
	}
	if err := tx.del(hashKey(h)); err != nil {
		return err
	}
	if err := tx.delFold(v, id); err != nil {
		return err
	}
	if tx.gced == nil {
		tx.gced = make(map[uint64]valueHash)
	}
	tx.gced[id] = h
	delete(tx.resolved, h)
	tx.dn--
	return nil
}

// commit commits the transaction and then, only then, updates what the
// store keeps in memory.
func (tx *writeTx) commit() error {
	if err := tx.finish(); err != nil {
		return err
	}
	tx.evictGCed()
	if err := tx.txn.Commit(); err != nil {
		if errors.Is(err, badger.ErrTxnTooBig) {
			return fmt.Errorf("%w: %w", ErrTooLarge, err)
		}
		return err
	}
	s := tx.s
	s.nquads.Add(tx.dq)
	s.nnodes.Add(tx.dn)
	s.nextID = tx.nextID
	if tx.baseTime != nil {
		s.lastTx, s.lastTime = 1, *tx.baseTime
	}
	if tx.reserveTx > s.lastTx {
		s.lastTx = tx.reserveTx
	}
	if tx.newTx != 0 {
		if tx.newTx > s.lastTx {
			s.lastTx = tx.newTx
		}
		s.lastTime = tx.newTime
	}
	s.version.Add(1)
	tx.evictGCed()
	s.ids.putAll(tx.resolved)
	if tx.memo != nil {
		tx.memo.committed(tx, tx.final)
	}
	return nil
}

func (tx *writeTx) evictGCed() {
	if len(tx.gced) == 0 {
		return
	}
	ids := make([]uint64, 0, len(tx.gced))
	hs := make([]valueHash, 0, len(tx.gced))
	for id, h := range tx.gced {
		ids = append(ids, id)
		hs = append(hs, h)
	}
	tx.s.names.evict(ids)
	tx.s.ids.evict(hs)
}

func (tx *writeTx) discard() { tx.txn.Discard() }

// update runs fn in one atomic write transaction.
func (s *QuadStore) update(fn func(*writeTx) error) error {
	_, err := s.updateTx(fn)
	return err
}

// updateTx is update, returning the committed transaction.
func (s *QuadStore) updateTx(fn func(*writeTx) error) (*writeTx, error) {
	if s.opts.ReadOnly {
		return nil, ErrReadOnly
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.writable(); err != nil {
		return nil, err
	}
	tx := s.begin()
	defer tx.discard()
	if err := fn(tx); err != nil {
		return nil, err
	}
	return tx, tx.commit()
}

// ApplyDeltas applies the deltas atomically: all of them or, on any error,
// none. A duplicate addition or a missing deletion is an error unless opts
// says to ignore it.
func (s *QuadStore) ApplyDeltas(in []graph.Delta, opts graph.IgnoreOpts) error {
	if err := s.needSpace("the write", spaceFactor*bytesPerQuad*int64(len(in))); err != nil {
		return err
	}
	if err := s.reserveLogs(2 * bytesPerQuad * int64(len(in))); err != nil {
		return err
	}
	return s.update(func(tx *writeTx) error {
		for _, d := range in {
			var err error
			switch d.Action {
			case graph.Add:
				_, err = tx.addQuad(d.Quad, opts.IgnoreDup)
			case graph.Delete:
				err = tx.removeQuad(d.Quad, opts.IgnoreMissing)
			default:
				err = graph.ErrInvalidAction
			}
			if errors.Is(err, graph.ErrQuadExists) || errors.Is(err, graph.ErrQuadNotExist) || errors.Is(err, graph.ErrInvalidAction) {
				return &graph.DeltaError{Delta: d, Err: err}
			} else if err != nil {
				return err
			}
		}
		return nil
	})
}

// AddQuads adds quads in one atomic transaction, ignoring those already
// stored, and returns how many were new.
func (s *QuadStore) AddQuads(qs []quad.Quad) (int, error) {
	if err := s.needSpace("the write", spaceFactor*bytesPerQuad*int64(len(qs))); err != nil {
		return 0, err
	}
	if err := s.reserveLogs(2 * bytesPerQuad * int64(len(qs))); err != nil {
		return 0, err
	}
	n := 0
	err := s.update(func(tx *writeTx) error {
		n = 0
		for _, q := range qs {
			added, err := tx.addQuad(q, true)
			if err != nil {
				return err
			}
			if added {
				n++
			}
		}
		return nil
	})
	return n, err
}

// addSplit adds quads in as few transactions as Badger's limits allow,
// ignoring duplicates. Each transaction is atomic; the set as a whole is
// not.
func (s *QuadStore) addSplit(qs []quad.Quad) (int, error) {
	n := 0
	err := inHalves(len(qs), func(lo, hi int) error {
		k, err := s.AddQuads(qs[lo:hi])
		if err == nil {
			n += k
		}
		return err
	})
	return n, err
}

// inHalves calls write for the items [0, n) and, where it fails with
// ErrTooLarge (Badger found the transaction too large), for each half in
// turn, splitting again as needed. write must commit only when it
// succeeds, so that a failed try leaves nothing behind.
func inHalves(n int, write func(lo, hi int) error) error {
	var split func(lo, hi int) error
	split = func(lo, hi int) error {
		err := write(lo, hi)
		if errors.Is(err, ErrTooLarge) && hi-lo > 1 {
			mid := lo + (hi-lo)/2
			if err := split(lo, mid); err != nil {
				return err
			}
			return split(mid, hi)
		}
		return err
	}
	return split(0, n)
}

// NewQuadWriter returns a writer that adds quads in batches, each committed
// atomically, ignoring quads already stored.
func (s *QuadStore) NewQuadWriter() (quad.WriteCloser, error) {
	if s.opts.ReadOnly {
		return nil, ErrReadOnly
	}
	return &quadWriter{s: s}, nil
}

type quadWriter struct {
	s   *QuadStore
	buf []quad.Quad
	err error
}

func (w *quadWriter) WriteQuad(q quad.Quad) error {
	_, err := w.WriteQuads([]quad.Quad{q})
	return err
}

func (w *quadWriter) WriteQuads(qs []quad.Quad) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	for _, q := range qs {
		if !q.IsValid() {
			return 0, fmt.Errorf("quadstore: invalid quad %v", q)
		}
	}
	w.buf = append(w.buf, qs...)
	for len(w.buf) >= writerBatch {
		if _, err := w.s.addSplit(w.buf[:writerBatch]); err != nil {
			w.err = err
			return 0, err
		}
		w.buf = append(w.buf[:0], w.buf[writerBatch:]...)
	}
	return len(qs), nil
}

func (w *quadWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) > 0 {
		_, err := w.s.addSplit(w.buf)
		w.buf = nil
		w.err = err
		return err
	}
	return nil
}

// idCache maps value hashes to node ids. Only writers fill it, after their
// transaction commits, and they evict deleted nodes before and after
// committing; so a hit is a node that exists as of the latest commit.
type idCache struct {
	mu  sync.RWMutex
	m   map[valueHash]uint64
	max int
}

func (c *idCache) init(max int) {
	c.m = make(map[valueHash]uint64)
	c.max = max
}

func (c *idCache) get(h valueHash) (uint64, bool) {
	c.mu.RLock()
	id, ok := c.m[h]
	c.mu.RUnlock()
	return id, ok
}

func (c *idCache) putAll(m map[valueHash]uint64) {
	if len(m) == 0 {
		return
	}
	c.mu.Lock()
	for h, id := range m {
		if len(c.m) >= c.max {
			n := 0
			for k := range c.m {
				delete(c.m, k)
				if n++; n >= c.max/2 {
					break
				}
			}
		}
		c.m[h] = id
	}
	c.mu.Unlock()
}

func (c *idCache) evict(hs []valueHash) {
	c.mu.Lock()
	for _, h := range hs {
		delete(c.m, h)
	}
	c.mu.Unlock()
}

func (c *idCache) clear() {
	c.mu.Lock()
	c.m = make(map[valueHash]uint64)
	c.mu.Unlock()
}
