package quadstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
)

// The store's history. Every write that changes quads is a transaction
// with an id (1, 2, … in commit order), a time and the caller's metadata;
// nothing is overwritten: each transaction keeps the quads it added and
// removed (by their node ids), and a node no quad uses any more keeps its
// value, retired, for the history that names it.
//
//	x T id          -> TxRecord, JSON
//	x D id seq      -> ops: '+' or '-' and a quad's four ids (33 bytes each)
//	r id            -> retired node value
//
// The first load into an empty store, written by the bulk path, records no
// ops: the store was empty before it (Implicit). So does the record made
// for the contents of a store written before its history was kept.
const (
	pfxHistory = 'x'
	pfxRetired = 'r'
	histRecord = 'T'
	histOps    = 'D'

	opAdd    = '+'
	opRemove = '-'
	opLen    = 1 + 4*8
)

// histMode says how a write transaction records its changes.
type histMode uint8

const (
	histOwn  histMode = iota // a transaction of its own
	histInto                 // part of a transaction spanning several writes
	histNone                 // not recorded: undoing a load, the bulk path
)

func txKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{pfxHistory, histRecord}, id)
}

func opsPrefix(id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{pfxHistory, histOps}, id)
}

func opsKey(id, seq uint64) []byte { return binary.BigEndian.AppendUint64(opsPrefix(id), seq) }

func retiredKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{pfxRetired}, id)
}

// TxOptions describe the transaction a write makes.
type TxOptions struct {
	// Meta is the caller's record of the transaction (author, message,
	// sources: the graph package's JSON); the store keeps it as given.
	Meta json.RawMessage
	// ID, when set, is the transaction's id, above every id recorded (a
	// history loaded back keeps its ids); 0 takes the next.
	ID uint64
	// Time, when set, is the transaction's time, not before the last
	// one's; zero means now.
	Time time.Time
}

// TxRecord is one transaction of the store's history.
type TxRecord struct {
	ID       uint64          `json:"id"`
	Time     time.Time       `json:"time"`
	Added    int64           `json:"added"`
	Removed  int64           `json:"removed"`
	Implicit bool            `json:"implicit,omitempty"`
	Meta     json.RawMessage `json:"meta,omitempty"`
}

// ErrNoHistory: a transaction id the store does not hold.
var ErrNoHistory = errors.New("no such transaction")

func (tx *writeTx) recordOp(op byte, ids quadIDs) {
	if tx.histMode == histNone {
		return
	}
	tx.ops = append(tx.ops, op)
	for _, id := range ids {
		tx.ops = binary.BigEndian.AppendUint64(tx.ops, id)
	}
}

func countOps(ops []byte) (added, removed int64) {
	for off := 0; off+opLen <= len(ops); off += opLen {
		if ops[off] == opAdd {
			added++
		} else {
			removed++
		}
	}
	return
}

// finishHistory writes the transaction's ops and, for a transaction of
// its own, its record.
func (tx *writeTx) finishHistory() error {
	if len(tx.ops) == 0 {
		return nil
	}
	switch tx.histMode {
	case histInto:
		*tx.histSeq++
		return tx.set(opsKey(tx.histTx, *tx.histSeq), tx.ops)
	case histOwn:
		if err := tx.writeBase(); err != nil {
			return err
		}
		id, t, err := tx.nextTx(tx.txOpts)
		if err != nil {
			return err
		}
		added, removed := countOps(tx.ops)
		rec := TxRecord{ID: id, Time: t, Added: added, Removed: removed, Meta: tx.txOpts.Meta}
		if err := tx.set(opsKey(id, 1), tx.ops); err != nil {
			return err
		}
		if err := tx.setRecord(&rec); err != nil {
			return err
		}
		tx.newTx, tx.newTime = id, t
	}
	return nil
}

func (tx *writeTx) setRecord(rec *TxRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return tx.set(txKey(rec.ID), b)
}

// writeBase records the contents of a store written before its history was
// kept as one implicit transaction, the first time it changes.
func (tx *writeTx) writeBase() error {
	s := tx.s
	if s.lastTx != 0 || s.nquads.Load() == 0 || tx.baseTime != nil {
		return nil
	}
	t := time.Now().UTC()
	rec := TxRecord{ID: 1, Time: t, Added: s.nquads.Load(), Implicit: true,
		Meta: json.RawMessage(`{"message":"the store's contents before its history was kept"}`)}
	if err := tx.setRecord(&rec); err != nil {
		return err
	}
	tx.baseTime = &t
	return nil
}

// last is the newest transaction as this write sees it.
func (tx *writeTx) last() (uint64, time.Time) {
	if tx.baseTime != nil {
		return 1, *tx.baseTime
	}
	return tx.s.lastTx, tx.s.lastTime
}

// nextTx allocates the next transaction id and time; wmu must be held.
func (tx *writeTx) nextTx(o TxOptions) (uint64, time.Time, error) {
	lastID, lastTime := tx.last()
	id := lastID + 1
	if o.ID != 0 {
		if o.ID <= lastID {
			return 0, time.Time{}, fmt.Errorf("quadstore: transaction id %d is not above the last one, %d", o.ID, lastID)
		}
		id = o.ID
	}
	t := o.Time.UTC()
	if o.Time.IsZero() {
		t = time.Now().UTC()
		if t.Before(lastTime) {
			t = lastTime
		}
	} else if t.Before(lastTime) {
		return 0, time.Time{}, fmt.Errorf("quadstore: transaction time %s is before the last one's, %s",
			t.Format(time.RFC3339Nano), lastTime.Format(time.RFC3339Nano))
	}
	return id, t, nil
}

// loadLastTx reads the newest transaction's id and time.
func (s *QuadStore) loadLastTx() error {
	s.lastTx, s.lastTime = 0, time.Time{}
	return s.view(func(txn *badger.Txn) error {
		prefix := []byte{pfxHistory, histRecord}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, Reverse: true})
		defer it.Close()
		it.Seek(append(append([]byte(nil), prefix...), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
		if !it.Valid() {
			return nil
		}
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		var rec TxRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("%w: transaction record: %v", ErrCorrupt, err)
		}
		s.lastTx, s.lastTime = rec.ID, rec.Time
		return nil
	})
}

// Commit applies changes as one transaction of the history: all or none.
// Adding a quad already stored or removing one that is not changes
// nothing and is not recorded. A change too large for one Badger
// transaction is written in batches under a journal, undone on failure and
// after a crash, like a load.
func (s *QuadStore) Commit(ctx context.Context, adds, removes []quad.Quad, o TxOptions) (TxRecord, error) {
	n := int64(len(adds) + len(removes))
	if err := s.needSpace("the change", spaceFactor*bytesPerQuad*n); err != nil {
		return TxRecord{}, err
	}
	if err := s.reserveLogs(2 * bytesPerQuad * n); err != nil {
		return TxRecord{}, err
	}
	tx, err := s.updateTx(func(tx *writeTx) error {
		tx.txOpts = o
		tx.histMode = histOwn
		for _, q := range removes {
			if err := tx.removeQuad(q, true); err != nil {
				return err
			}
		}
		for _, q := range adds {
			if _, err := tx.addQuad(q, true); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, ErrTooLarge) {
		return s.commitLong(ctx, adds, removes, o)
	}
	if err != nil {
		return TxRecord{}, err
	}
	rec := TxRecord{ID: tx.newTx, Time: tx.newTime, Meta: o.Meta}
	rec.Added, rec.Removed = countOps(tx.ops)
	return rec, nil
}

// commitLong writes a change in batches under a journal.
func (s *QuadStore) commitLong(ctx context.Context, adds, removes []quad.Quad, o TxOptions) (TxRecord, error) {
	lt, err := s.beginLong(o, "a change", journalChanging)
	if err != nil {
		return TxRecord{}, err
	}
	fail := func(err error) (TxRecord, error) {
		if rerr := s.rollback(context.WithoutCancel(ctx), lt.id); rerr != nil {
			return TxRecord{}, fmt.Errorf("%w (and undoing the change failed: %v)", err, rerr)
		}
		return TxRecord{}, err
	}
	if err := s.changeInto(ctx, lt, adds, removes); err != nil {
		return fail(err)
	}
	rec, err := s.finishLong(lt)
	if err != nil {
		return fail(err)
	}
	return rec, nil
}

// changeInto writes removals and additions into the long transaction lt,
// in batches of 1,024 quads, fewer in a store opened for small writes.
func (s *QuadStore) changeInto(ctx context.Context, lt *longTx, adds, removes []quad.Quad) error {
	batch := max(32, int(1024*s.memTable/memTableSize))
	for len(removes) > 0 || len(adds) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		var rm, ad []quad.Quad
		rm, removes = removes[:min(batch, len(removes))], removes[min(batch, len(removes)):]
		if len(rm) < batch {
			k := min(batch-len(rm), len(adds))
			ad, adds = adds[:k], adds[k:]
		}
		if err := s.changeBatch(lt, rm, ad); err != nil {
			return diskFull(err)
		}
	}
	return nil
}

// changeBatch writes the removals rm, then the additions ad, as one batch
// of lt, or in halves if Badger finds the batch too large (a store opened
// for small writes has small transactions).
func (s *QuadStore) changeBatch(lt *longTx, rm, ad []quad.Quad) error {
	return inHalves(len(rm)+len(ad), func(lo, hi int) error {
		r, a := spanOf(rm, ad, lo, hi)
		return s.updateInto(lt, func(tx *writeTx) error {
			for _, q := range r {
				if err := tx.removeQuad(q, true); err != nil {
					return err
				}
			}
			for _, q := range a {
				if _, err := tx.addQuad(q, true); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// spanOf returns the items [lo, hi) of rm followed by ad, as the part of
// each they cover.
func spanOf(rm, ad []quad.Quad, lo, hi int) (r, a []quad.Quad) {
	n := len(rm)
	return rm[min(lo, n):min(hi, n)], ad[max(lo-n, 0):max(hi-n, 0)]
}

// finishLoad runs a load's Finish and writes the changes it returns as
// part of the load: into its long transaction lt or, for a bulk load
// (lt nil; wmu held), straight into the store its implicit transaction
// describes. It returns the quads added and removed.
func (s *QuadStore) finishLoad(ctx context.Context, opt *LoadOptions, lt *longTx) (added, removed int64, err error) {
	if opt.Finish == nil {
		return 0, 0, nil
	}
	f, err := opt.Finish(ctx)
	if err != nil {
		return 0, 0, err
	}
	if f.Meta != nil {
		if lt != nil {
			lt.opts.Meta = f.Meta
		} else {
			opt.Tx.Meta = f.Meta
		}
	}
	adds, removes := f.Adds, f.Removes
	if len(adds)+len(removes) == 0 {
		return 0, 0, nil
	}
	if lt != nil {
		a0, r0 := lt.added, lt.removed
		err := s.changeInto(ctx, lt, adds, removes)
		return lt.added - a0, lt.removed - r0, err
	}
	return s.finishBulk(removes, adds)
}

// finishBulk writes a bulk load's Finish changes, the removals rm then
// the additions ad, straight into the store (wmu held), in one
// transaction or, where Badger finds that too large, in halves: a bulk
// load that fails resets the store to empty, so it stays all or nothing.
// It returns the quads added and removed.
func (s *QuadStore) finishBulk(rm, ad []quad.Quad) (added, removed int64, err error) {
	err = inHalves(len(rm)+len(ad), func(lo, hi int) error {
		r, a := spanOf(rm, ad, lo, hi)
		var na, nr int64
		tx := s.begin()
		defer tx.discard()
		tx.histMode = histNone
		for _, q := range r {
			ids, ok, err := tx.resolveQuad(q, false)
			if err != nil {
				return err
			}
			if ok {
				if there, err := tx.exists(ids); err != nil {
					return err
				} else if there {
					nr++
				}
			}
			if err := tx.removeQuad(q, true); err != nil {
				return err
			}
		}
		for _, q := range a {
			ok, err := tx.addQuad(q, true)
			if err != nil {
				return err
			}
			if ok {
				na++
			}
		}
		if err := tx.commit(); err != nil {
			return err
		}
		added, removed = added+na, removed+nr
		return nil
	})
	return added, removed, diskFull(err)
}

// longTx is a transaction written in several Badger transactions.
type longTx struct {
	id      uint64
	seq     uint64
	opts    TxOptions
	added   int64
	removed int64
	memo    loadMemo // what its batches read and wrote (memo.go)
}

// beginLong starts a transaction spanning several writes: it allocates its
// id and writes the journal header that undoes it after a crash.
func (s *QuadStore) beginLong(o TxOptions, source string, state byte) (*longTx, error) {
	lt := &longTx{opts: o}
	err := s.update(func(tx *writeTx) error {
		tx.histMode = histNone
		if err := tx.writeBase(); err != nil {
			return err
		}
		id, _, err := tx.nextTx(o)
		if err != nil {
			return err
		}
		lt.id = id
		// Reserved: a transaction of its own committing meanwhile takes
		// the next id.
		tx.reserveTx = id
		return tx.set(journalHeader(id), append([]byte{state}, source...))
	})
	if err != nil {
		return nil, err
	}
	return lt, nil
}

// updateInto runs fn as one batch of the long transaction lt.
// It counts the batch's changes once it is committed: a batch Badger finds
// too large fails at its commit, and addJournalled tries it again in halves.
func (s *QuadStore) updateInto(lt *longTx, fn func(*writeTx) error) error {
	seq := lt.seq
	tx, err := s.updateTx(func(tx *writeTx) error {
		tx.histMode, tx.histTx, tx.histSeq = histInto, lt.id, &lt.seq
		lt.memo.attach(tx)
		return fn(tx)
	})
	if err != nil {
		lt.seq = seq // the batch's op record was not written
		return err
	}
	a, r := countOps(tx.ops)
	lt.added += a
	lt.removed += r
	return nil
}

// finishLong writes the long transaction's record and drops its journal
// header, in one commit.
func (s *QuadStore) finishLong(lt *longTx) (TxRecord, error) {
	var rec TxRecord
	err := s.update(func(tx *writeTx) error {
		tx.histMode = histNone
		t := lt.opts.Time.UTC()
		if lt.opts.Time.IsZero() {
			t = time.Now().UTC()
			if t.Before(s.lastTime) {
				t = s.lastTime
			}
		}
		rec = TxRecord{ID: lt.id, Time: t, Added: lt.added, Removed: lt.removed, Meta: lt.opts.Meta}
		if err := tx.setRecord(&rec); err != nil {
			return err
		}
		tx.newTx, tx.newTime = lt.id, t
		return tx.del(journalHeader(lt.id))
	})
	return rec, err
}

// Log returns the store's transactions, oldest first.
func (s *QuadStore) Log(ctx context.Context) ([]TxRecord, error) {
	var out []TxRecord
	err := s.view(func(txn *badger.Txn) error {
		return scan(ctx, txn, []byte{pfxHistory, histRecord}, func(k, v []byte) error {
			var rec TxRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("%w: transaction record %x: %v", ErrCorrupt, k, err)
			}
			out = append(out, rec)
			return nil
		})
	})
	return out, err
}

// LastTx is the id of the newest transaction (0: none).
func (s *QuadStore) LastTx() uint64 {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.lastTx
}

// Op is one change a transaction made.
type Op struct {
	Add  bool
	Quad quad.Quad
}

// historyReader decodes node ids, present or retired, with a cache.
type historyReader struct {
	txn   *badger.Txn
	cache map[uint64]quad.Value
}

func (h *historyReader) value(id uint64) (quad.Value, error) {
	if id == 0 {
		return nil, nil
	}
	if v, ok := h.cache[id]; ok {
		return v, nil
	}
	item, err := h.txn.Get(nodeKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		item, err = h.txn.Get(retiredKey(id))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: history names node %d, which the store does not hold: %v", ErrCorrupt, id, err)
	}
	var v quad.Value
	err = item.Value(func(b []byte) error {
		var err error
		v, err = decodeValue(b)
		return err
	})
	if err != nil {
		return nil, err
	}
	h.cache[id] = v
	return v, nil
}

func (h *historyReader) quad(ids quadIDs) (quad.Quad, error) {
	var q quad.Quad
	for d := quad.Subject; d <= quad.Label; d++ {
		v, err := h.value(ids[d-1])
		if err != nil {
			return q, err
		}
		q.Set(d, v)
	}
	return q, nil
}

func decodeOp(b []byte) (bool, quadIDs) {
	var q quadIDs
	for i := range q {
		q[i] = binary.BigEndian.Uint64(b[1+8*i:])
	}
	return b[0] == opAdd, q
}

// txOps calls fn for each op of transaction id, in the order made.
func txOps(ctx context.Context, txn *badger.Txn, id uint64, fn func(add bool, q quadIDs) error) error {
	return scan(ctx, txn, opsPrefix(id), func(k, v []byte) error {
		if len(k) != 2+16 || len(v)%opLen != 0 {
			return fmt.Errorf("%w: history record %x of %d bytes", ErrCorrupt, k, len(v))
		}
		for off := 0; off < len(v); off += opLen {
			add, q := decodeOp(v[off:])
			if err := fn(add, q); err != nil {
				return err
			}
		}
		return nil
	})
}

// Changes calls fn with each change of the transactions after since up to
// and including until (0: the newest), oldest first, with the quads'
// values.
func (s *QuadStore) Changes(ctx context.Context, since, until uint64, fn func(TxRecord, Op) error) error {
	log, err := s.Log(ctx)
	if err != nil {
		return err
	}
	return s.view(func(txn *badger.Txn) error {
		h := &historyReader{txn: txn, cache: map[uint64]quad.Value{}}
		for _, rec := range log {
			if rec.ID <= since || (until != 0 && rec.ID > until) {
				continue
			}
			err := txOps(ctx, txn, rec.ID, func(add bool, ids quadIDs) error {
				q, err := h.quad(ids)
				if err != nil {
					return err
				}
				return fn(rec, Op{Add: add, Quad: q})
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// overlay computes, for the state after transaction at, the quads whose
// membership differs from the present: true for a quad held then and not
// now, false for one held now and not then. empty is set when the state
// precedes an implicit transaction (the store was empty before it).
func overlay(ctx context.Context, txn *badger.Txn, log []TxRecord, at uint64) (m map[quadIDs]bool, empty bool, err error) {
	m = map[quadIDs]bool{}
	for i := len(log) - 1; i >= 0; i-- {
		rec := log[i]
		if rec.ID <= at {
			break
		}
		if rec.Implicit {
			return nil, true, nil
		}
		var ops []struct {
			add bool
			q   quadIDs
		}
		err := txOps(ctx, txn, rec.ID, func(add bool, q quadIDs) error {
			ops = append(ops, struct {
				add bool
				q   quadIDs
			}{add, q})
			return nil
		})
		if err != nil {
			return nil, false, err
		}
		for j := len(ops) - 1; j >= 0; j-- {
			m[ops[j].q] = !ops[j].add
		}
	}
	return m, false, nil
}

// QuadsAsOf returns the quads the store held after transaction at, as a
// reader of their values, and how many it will yield at most.
func (s *QuadStore) QuadsAsOf(ctx context.Context, at uint64) ([]quad.Quad, error) {
	log, err := s.Log(ctx)
	if err != nil {
		return nil, err
	}
	var out []quad.Quad
	err = s.view(func(txn *badger.Txn) error {
		m, empty, err := overlay(ctx, txn, log, at)
		if err != nil || empty {
			return err
		}
		h := &historyReader{txn: txn, cache: make(map[uint64]quad.Value, 1024)}
		seen := map[quadIDs]bool{}
		out = make([]quad.Quad, 0, s.nquads.Load())
		err = s.scanAll(ctx, txn, []byte{primary.prefix}, func(k, _ []byte) error {
			if len(k) != quadKeyLen {
				return fmt.Errorf("%w: quad key of %d bytes", ErrCorrupt, len(k))
			}
			ids := primary.decode(k)
			if held, ok := m[ids]; ok {
				if !held {
					return nil
				}
				seen[ids] = true
			}
			q, err := h.quad(ids)
			if err != nil {
				return err
			}
			out = append(out, q)
			return nil
		})
		if err != nil {
			return err
		}
		extra := make([]quadIDs, 0)
		for ids, held := range m {
			if held && !seen[ids] {
				extra = append(extra, ids)
			}
		}
		sort.Slice(extra, func(i, j int) bool { return lessIDs(extra[i], extra[j]) })
		for _, ids := range extra {
			q, err := h.quad(ids)
			if err != nil {
				return err
			}
			out = append(out, q)
		}
		return nil
	})
	return out, err
}

func lessIDs(a, b quadIDs) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// SliceReader reads quads from a slice.
type SliceReader struct {
	Quads []quad.Quad
	i     int
}

// ReadQuad implements quad.Reader.
func (r *SliceReader) ReadQuad() (quad.Quad, error) {
	if r.i >= len(r.Quads) {
		return quad.Quad{}, io.EOF
	}
	r.i++
	return r.Quads[r.i-1], nil
}

// Close implements quad.Reader.
func (r *SliceReader) Close() error { return nil }

// checkHistory verifies the history against the present: every
// transaction's ops decode and name nodes the store holds (or retired), and
// undoing them newest first from the present is possible at every step and
// ends with the quads of the first, implicit transaction (or none).
func checkHistory(ctx context.Context, txn *badger.Txn, rep *CheckReport) error {
	var log []TxRecord
	err := scan(ctx, txn, []byte{pfxHistory, histRecord}, func(k, v []byte) error {
		var rec TxRecord
		if len(k) != 10 {
			rep.problem("transaction record key %x of %d bytes", k, len(k))
			return nil
		}
		if err := json.Unmarshal(v, &rec); err != nil || rec.ID != u64(k[2:]) {
			rep.problem("transaction record %d does not decode or names another id", u64(k[2:]))
			return nil
		}
		log = append(log, rec)
		return nil
	})
	if err != nil {
		return err
	}
	rep.Transactions = len(log)
	known := map[uint64]bool{}
	for i, rec := range log {
		known[rec.ID] = true
		if i > 0 && rec.Time.Before(log[i-1].Time) {
			rep.problem("transaction %d is dated before transaction %d", rec.ID, log[i-1].ID)
		}
		if rec.Implicit && i > 0 {
			rep.problem("transaction %d records no changes but is not the first", rec.ID)
		}
	}
	// Op records belong to a transaction or to a load still in progress
	// (its journal header).
	if err := scan(ctx, txn, []byte{pfxHistory, histOps}, func(k, v []byte) error {
		if len(k) != 18 {
			rep.problem("history record key %x of %d bytes", k, len(k))
			return nil
		}
		id := u64(k[2:])
		if !known[id] {
			if _, err := txn.Get(journalHeader(id)); err != nil {
				rep.problem("history records changes of transaction %d, which has no record", id)
			}
		}
		if len(v)%opLen != 0 {
			rep.problem("history record of transaction %d has %d bytes, not a whole number of changes", id, len(v))
		}
		return nil
	}); err != nil {
		return err
	}
	h := &historyReader{txn: txn, cache: map[uint64]quad.Value{}}
	present := func(q quadIDs) (bool, error) {
		_, err := txn.Get(primary.key(nil, q))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	m := map[quadIDs]bool{}
	held := func(q quadIDs) (bool, error) {
		if v, ok := m[q]; ok {
			return v, nil
		}
		return present(q)
	}
	for i := len(log) - 1; i >= 0; i-- {
		rec := log[i]
		if rec.Implicit {
			break
		}
		var ops []byte
		var added, removed int64
		err := txOps(ctx, txn, rec.ID, func(add bool, q quadIDs) error {
			if _, err := h.quad(q); err != nil {
				rep.problem("transaction %d: %v", rec.ID, err)
			}
			ops = append(ops, boolOp(add))
			for _, id := range q {
				ops = binary.BigEndian.AppendUint64(ops, id)
			}
			if add {
				added++
			} else {
				removed++
			}
			return nil
		})
		if err != nil {
			if errors.Is(err, ErrCorrupt) {
				rep.problem("transaction %d: %v", rec.ID, err)
				continue
			}
			return err
		}
		if added != rec.Added || removed != rec.Removed {
			rep.problem("transaction %d records %d added and %d removed but holds %d and %d", rec.ID, rec.Added, rec.Removed, added, removed)
		}
		for off := len(ops) - opLen; off >= 0; off -= opLen {
			add, q := decodeOp(ops[off:])
			is, err := held(q)
			if err != nil {
				return err
			}
			if is != add {
				what := "added a quad the store did not hold after it"
				if !add {
					what = "removed a quad the store holds after it"
				}
				rep.problem("transaction %d %s (%v)", rec.ID, what, q)
			}
			m[q] = !add
		}
	}
	if len(log) > 0 && log[0].Implicit {
		var n int64
		for q, v := range m {
			p, err := present(q)
			if err != nil {
				return err
			}
			if v && !p {
				n++
			} else if !v && p {
				n--
			}
		}
		if want := log[0].Added; rep.Quads+n != want {
			rep.problem("undoing the history leaves %d quads where the first transaction wrote %d", rep.Quads+n, want)
		}
	}
	return nil
}

func boolOp(add bool) byte {
	if add {
		return opAdd
	}
	return opRemove
}

// FillAsOf fills s, an empty in-memory store, with src as it was after
// transaction at: src's indexes, nodes and counters are copied key for key
// (Badger's stream, no decoding), then the changes of the transactions
// after at are undone on the copy, restoring the nodes they had retired.
// The copy keeps src's ids and records no history of its own. It costs a
// copy of src's keys and the undoing of the later changes, against a
// decode and re-encode of every quad for QuadsAsOf and a load.
func (s *QuadStore) FillAsOf(ctx context.Context, src *QuadStore, at uint64) error {
	if !s.opts.InMemory || s.nquads.Load() != 0 {
		return errors.New("quadstore: FillAsOf fills an empty in-memory store")
	}
	log, err := src.Log(ctx)
	if err != nil {
		return err
	}
	var m map[quadIDs]bool
	empty := false
	if at < src.LastTx() {
		err = src.view(func(txn *badger.Txn) error {
			var err error
			m, empty, err = overlay(ctx, txn, log, at)
			return err
		})
		if err != nil {
			return err
		}
	}
	if empty {
		return nil
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	// The present, key for key, in order, as one stream.
	sw := s.db.NewStreamWriter()
	if err := sw.Prepare(); err != nil {
		return err
	}
	out := &streamOut{sw: sw, stream: 1}
	err = src.view(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: false})
		defer it.Close()
		var val []byte
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			k := item.Key()
			if len(k) == 0 || k[0] == pfxHistory || k[0] == pfxRetired || k[0] == pfxJournal {
				continue
			}
			if n++; n%65536 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			val = val[:0]
			if item.ValueSize() > 0 {
				var err error
				if val, err = item.ValueCopy(val); err != nil {
					return err
				}
			}
			if err := out.put(k, val); err != nil {
				return err
			}
		}
		return out.done()
	})
	if err != nil {
		sw.Cancel()
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	s.version.Add(1) // caches of the empty store are stale now
	if err := s.loadMeta(); err != nil {
		return err
	}
	// The later changes, undone: removals first (they may retire nodes
	// the additions do not need), in batches.
	var adds, removes []quadIDs
	for ids, held := range m {
		if held {
			adds = append(adds, ids)
		} else {
			removes = append(removes, ids)
		}
	}
	sort.Slice(adds, func(i, j int) bool { return lessIDs(adds[i], adds[j]) })
	sort.Slice(removes, func(i, j int) bool { return lessIDs(removes[i], removes[j]) })
	const batch = 2048
	for len(removes) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		part := removes[:min(batch, len(removes))]
		removes = removes[len(part):]
		if err := s.undoBatch(src, nil, part); err != nil {
			return err
		}
	}
	for len(adds) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		part := adds[:min(batch, len(adds))]
		adds = adds[len(part):]
		if err := s.undoBatch(src, part, nil); err != nil {
			return err
		}
	}
	return nil
}

// undoBatch adds and removes quads by id in one transaction of s (wmu
// held), restoring from src the value of a node s no longer has.
func (s *QuadStore) undoBatch(src *QuadStore, adds, removes []quadIDs) error {
	tx := s.begin()
	defer tx.discard()
	tx.histMode = histNone
	for _, ids := range removes {
		if err := tx.removeIDs(ids, true); err != nil {
			return err
		}
	}
	for _, ids := range adds {
		for _, id := range ids {
			if id == 0 {
				continue
			}
			if err := tx.restoreNode(src, id); err != nil {
				return err
			}
		}
		if _, err := tx.addIDs(ids, true); err != nil {
			return err
		}
	}
	return tx.commit()
}

// restoreNode gives the copy node id again, with its value from src (its
// node or, once retired, its retired value), if the copy lacks it.
func (tx *writeTx) restoreNode(src *QuadStore, id uint64) error {
	return tx.reviveNode(id, func() ([]byte, error) {
		var enc []byte
		err := src.view(func(txn *badger.Txn) error {
			for _, k := range [][]byte{nodeKey(id), retiredKey(id)} {
				item, err := txn.Get(k)
				if errors.Is(err, badger.ErrKeyNotFound) {
					continue
				} else if err != nil {
					return err
				}
				enc, err = item.ValueCopy(nil)
				return err
			}
			return fmt.Errorf("%w: node %d, named by the history, has no value", ErrCorrupt, id)
		})
		return enc, err
	})
}

// revive brings back the nodes of a quad that this store retired, under
// their ids, from their retired values (undoing a removal). A value that
// came back meanwhile under another id keeps that one: the quad is
// returned with it.
func (tx *writeTx) revive(q quadIDs) (quadIDs, error) {
	for i, id := range q {
		if id == 0 {
			continue
		}
		err := tx.reviveNode(id, func() ([]byte, error) {
			item, err := tx.txn.Get(retiredKey(id))
			if err != nil {
				return nil, fmt.Errorf("%w: node %d, removed by the change being undone, has no retired value: %w", ErrCorrupt, id, err)
			}
			return item.ValueCopy(nil)
		})
		var moved *movedError
		if errors.As(err, &moved) {
			q[i] = moved.to
			continue
		}
		if err != nil {
			return q, err
		}
	}
	return q, nil
}

// movedError: a node's value lives under another id now.
type movedError struct{ from, to uint64 }

func (e *movedError) Error() string {
	return fmt.Sprintf("quadstore: node %d's value is node %d's now", e.from, e.to)
}

// reviveNode makes node id exist again, with the value value gives, if it
// does not.
func (tx *writeTx) reviveNode(id uint64, value func() ([]byte, error)) error {
	if _, ok := tx.created[id]; ok {
		return nil
	}
	if _, err := tx.txn.Get(nodeKey(id)); err == nil {
		return nil
	} else if !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	enc, err := value()
	if err != nil {
		return err
	}
	v, err := decodeValue(enc)
	if err != nil {
		return err
	}
	h := hashOf(v)
	if other, err := lookupID(tx.txn, h); err != nil {
		return err
	} else if other != 0 && other != id {
		return &movedError{from: id, to: other}
	}
	if err := tx.set(hashKey(h), putU64(id)); err != nil {
		return err
	}
	if err := tx.set(nodeKey(id), enc); err != nil {
		return err
	}
	if err := tx.setFold(v, id); err != nil {
		return err
	}
	delete(tx.gced, id)
	tx.created[id] = struct{}{}
	tx.dn++
	return nil
}
