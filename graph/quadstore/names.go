package quadstore

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
)

// The folded-name index finds the nodes whose text, ignoring case and the
// spaces around it, is a given one — an IRI's text, a blank node's _:id, a
// literal string's text — without reading every node:
//
//	f uvarint(len) folded id -> empty
//
// An IRI with the entity: prefix is also filed under the prefix and its
// folded slug when that differs (a slug with spaces around it), as the
// catalog files it. Every write that creates, removes or revives a node
// keeps the index, in the same transaction; the bulk path writes it with
// the rest. Format 2 of the store is format 1 with the index: the first
// writable open of a format-1 store builds it and then records format 2
// (older builds refuse a format-2 store, so none can write a node without
// its entry); opened read-only, a format-1 store is read without it.
// Texts longer than MaxFoldedBytes once folded are not indexed.
const (
	pfxFold = 'f'
	// MaxFoldedBytes is the longest folded text the index holds.
	MaxFoldedBytes = 1024
	// entityPrefix is graph.EntityPrefix, whose IRIs are also filed by
	// their slugs.
	entityPrefix = "entity:"
)

// formatWithoutFolds is the format before the folded-name index, which
// this build reads and upgrades.
const formatWithoutFolds = "entente-quadstore/1"

// Fold is the form a text is found by ignoring case: without the spaces
// around it, in lower case (the catalog's rule for names).
func Fold(text string) string { return strings.ToLower(strings.TrimSpace(text)) }

// foldedTexts returns the folded texts v is indexed by: none for a value
// that is not (a number, a date, a long text), two for an entity IRI
// whose slug has spaces around it.
func foldedTexts(v quad.Value) []string {
	var t string
	switch v := v.(type) {
	case quad.IRI:
		t = string(v)
	case quad.BNode:
		t = "_:" + string(v)
	case quad.String:
		t = string(v)
	case quad.LangString:
		t = string(v.Value)
	case quad.TypedString:
		t = string(v.Value)
	default:
		return nil
	}
	var out []string
	add := func(f string) {
		if f != "" && len(f) <= MaxFoldedBytes && (len(out) == 0 || out[0] != f) {
			out = append(out, f)
		}
	}
	// Lower case is at least a third of the bytes (K, the Kelvin sign,
	// is three bytes; k one): a longer text cannot fold short enough.
	if t = strings.TrimSpace(t); len(t) <= 3*MaxFoldedBytes {
		add(Fold(t))
	}
	if iri, ok := v.(quad.IRI); ok && strings.HasPrefix(string(iri), entityPrefix) {
		if slug := strings.TrimSpace(string(iri)[len(entityPrefix):]); len(slug) <= 3*MaxFoldedBytes {
			add(entityPrefix + Fold(slug))
		}
	}
	return out
}

// foldPrefix appends the scan prefix of a folded text to dst.
func foldPrefix(dst []byte, folded string) []byte {
	dst = append(dst, pfxFold)
	dst = binary.AppendUvarint(dst, uint64(len(folded)))
	return append(dst, folded...)
}

// appendFoldKey appends the index key of node id under folded text f.
func appendFoldKey(dst []byte, f string, id uint64) []byte {
	return binary.BigEndian.AppendUint64(foldPrefix(dst, f), id)
}

// foldKeys returns the index keys of node id with value v.
func foldKeys(v quad.Value, id uint64) [][]byte {
	var keys [][]byte
	for _, f := range foldedTexts(v) {
		keys = append(keys, appendFoldKey(nil, f, id))
	}
	return keys
}

// decodeFoldKey splits an index key into its folded text and node id.
func decodeFoldKey(k []byte) (string, uint64, error) {
	if len(k) < 1+1+8 || k[0] != pfxFold {
		return "", 0, fmt.Errorf("%w: folded-name key of %d bytes", ErrCorrupt, len(k))
	}
	n, w := binary.Uvarint(k[1:])
	if w <= 0 || uint64(len(k)) != 1+uint64(w)+n+8 {
		return "", 0, fmt.Errorf("%w: bad folded-name key", ErrCorrupt)
	}
	text := k[1+w : len(k)-8]
	return string(text), u64(k[len(k)-8:]), nil
}

// setFold adds node id's entries to the index.
func (tx *writeTx) setFold(v quad.Value, id uint64) error {
	for _, k := range foldKeys(v, id) {
		if err := tx.set(k, nil); err != nil {
			return err
		}
	}
	return nil
}

// delFold removes node id's entries from the index.
func (tx *writeTx) delFold(v quad.Value, id uint64) error {
	for _, k := range foldKeys(v, id) {
		if err := tx.del(k); err != nil {
			return err
		}
	}
	return nil
}

// foldArena holds the bulk path's index keys back to back, each named by
// its offset and length (a key is under 64 KiB), for sorting without an
// allocation a key.
type foldArena struct {
	buf  []byte
	keys []uint64 // offset<<16 | length
}

func (a *foldArena) key(i int) []byte {
	k := a.keys[i]
	off, n := k>>16, k&0xffff
	return a.buf[off : off+n]
}

// foldChunk is how many bytes of folded-name keys a bulk load sorts in
// memory before it writes them as a run (when it has a runs directory).
var foldChunk = 64 << 20

// foldSet is a load's folded-name index keys, sorted: in memory, or, past
// foldChunk bytes, as sorted runs on disk (uvarint length, key), merged as
// they are written. A load of 10^8 quads of B4's graph makes about 2.5×10^7
// keys, a gigabyte in memory.
type foldSet struct {
	mem  *foldArena
	runs []string
}

// foldEntries returns the folded-name index keys of the bulk builder's
// values, in key order: of every value when only is nil, the store's ids
// being the builder's; else of the values only lists (builder ids), which
// take the store's ids first, first+1, … in that order. With a directory,
// every foldChunk bytes of keys are sorted and written there as a run.
func foldEntries(ctx context.Context, b *bulkBuilder, only []uint32, first uint64, dir string) (*foldSet, error) {
	a := &foldArena{}
	set := &foldSet{}
	n := b.values()
	if only != nil {
		n = len(only)
	} else if size := b.dict.size() + 11*uint64(n); size <= uint64(foldChunk) {
		// Room for every key at once, as grown keys would be copied at
		// each step: a value has one key, of about its encoding's size
		// and 11 bytes more, or none (most values that have two are
		// short).
		a.buf = make([]byte, 0, size)
		a.keys = make([]uint64, 0, n)
	}
	for i := range n {
		if i&0xffff == 0xffff {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		id := uint32(i + 1)
		if only != nil {
			id = only[i]
		}
		enc := b.value(id)
		if len(enc) == 0 || !textTag(enc[0]) {
			continue
		}
		v, err := decodeValue(enc)
		if err != nil {
			return nil, err
		}
		for _, f := range foldedTexts(v) {
			off := len(a.buf)
			a.buf = appendFoldKey(a.buf, f, first+uint64(i))
			a.keys = append(a.keys, uint64(off)<<16|uint64(len(a.buf)-off))
		}
		if dir != "" && len(a.buf) >= foldChunk {
			if err := set.spill(dir, a); err != nil {
				return nil, err
			}
		}
	}
	if len(set.runs) > 0 {
		if len(a.keys) > 0 {
			if err := set.spill(dir, a); err != nil {
				return nil, err
			}
		}
		return set, nil
	}
	a.sort()
	set.mem = a
	return set, nil
}

// sort sorts the arena's keys a byte at a time, radixSort's way with the
// arena's bytes read in place (BenchmarkFoldArenaSort: the fold keys of
// values like the movie data's, 43 ms; 85 to 92 compared, 60 to 66
// through radixSort, which reads each byte through a function). No key is another's prefix
// (each starts with its text's length), so a key's bytes past its end
// are never needed to order it, and count as 0.
func (a *foldArena) sort() { a.sortFrom(a.keys, 0) }

func (a *foldArena) sortFrom(s []uint64, d int) {
	byteAt := func(k uint64) int {
		if off, n := k>>16, k&0xffff; uint64(d) < n {
			return int(a.buf[off+uint64(d)])
		}
		return 0
	}
	for {
		if len(s) <= radixSmall {
			slices.SortFunc(s, a.compare)
			return
		}
		var start [257]int
		var next [256]int
		ended := true // every key ends before byte d: they are equal
		for _, k := range s {
			start[byteAt(k)+1]++
			ended = ended && k&0xffff <= uint64(d)
		}
		if ended {
			return
		}
		if slices.Contains(start[1:], len(s)) {
			d++ // one bucket holds them all: on to the next byte
			continue
		}
		for k := range 256 {
			start[k+1] += start[k]
			next[k] = start[k]
		}
		for k := range 256 {
			for next[k] < start[k+1] {
				e := s[next[k]]
				for to := byteAt(e); to != k; to = byteAt(e) {
					s[next[to]], e = e, s[next[to]]
					next[to]++
				}
				s[next[k]] = e
				next[k]++
			}
		}
		for k := range 256 {
			a.sortFrom(s[start[k]:start[k+1]], d+1)
		}
		return
	}
}

// compare orders two keys of the arena.
func (a *foldArena) compare(p, q uint64) int {
	return bytes.Compare(a.buf[p>>16:p>>16+p&0xffff], a.buf[q>>16:q>>16+q&0xffff])
}

// spill sorts the arena's keys, writes them as the set's next run and
// empties the arena.
func (set *foldSet) spill(dir string, a *foldArena) error {
	a.sort()
	name := filepath.Join(dir, fmt.Sprintf("F%06d.run", len(set.runs)))
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	set.runs = append(set.runs, name)
	w := bufio.NewWriterSize(f, 1<<20)
	var hdr []byte
	for i := range a.keys {
		k := a.key(i)
		hdr = binary.AppendUvarint(hdr[:0], uint64(len(k)))
		w.Write(hdr)
		if _, err := w.Write(k); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	a.buf, a.keys = a.buf[:0], a.keys[:0]
	return f.Close()
}

// textTag reports whether a value with this encoding tag may be indexed.
func textTag(tag byte) bool {
	switch tag {
	case tagIRI, tagBNode, tagString, tagLang, tagTyped:
		return true
	}
	return false
}

// emitFolds writes the index keys the bulk path prepared, in key order.
func emitFolds(out *streamOut, set *foldSet) error {
	if set.mem != nil {
		a := set.mem
		for i := range a.keys {
			if err := out.put(a.key(i), nil); err != nil {
				return err
			}
		}
		return nil
	}
	type run struct {
		f   *os.File
		r   *bufio.Reader
		cur []byte
	}
	next := func(r *run) (bool, error) {
		n, err := binary.ReadUvarint(r.r)
		if err == io.EOF {
			return false, nil
		}
		if err == nil {
			r.cur = slices.Grow(r.cur[:0], int(n))[:n]
			_, err = io.ReadFull(r.r, r.cur)
		}
		if err != nil {
			return false, fmt.Errorf("quadstore: reading %s: %w", r.f.Name(), err)
		}
		return true, nil
	}
	var h []*run
	defer func() {
		for _, r := range h {
			r.f.Close()
		}
	}()
	for _, name := range set.runs {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		r := &run{f: f, r: bufio.NewReaderSize(f, 256<<10)}
		if ok, err := next(r); err != nil || !ok {
			f.Close()
			if err != nil {
				return err
			}
			continue
		}
		h = append(h, r)
	}
	less := func(i, j int) bool { return bytes.Compare(h[i].cur, h[j].cur) < 0 }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && less(r, l) {
				m = r
			}
			if !less(m, i) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for len(h) > 0 {
		top := h[0]
		if err := out.put(top.cur, nil); err != nil {
			return err
		}
		ok, err := next(top)
		if err != nil {
			return err
		}
		if !ok {
			top.f.Close()
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
	for _, name := range set.runs {
		os.Remove(name)
	}
	return nil
}

// HasFoldIndex reports whether the store keeps the folded-name index (a
// store made before it, opened read-only, does not yet).
func (s *QuadStore) HasFoldIndex() bool { return s.folded.Load() }

// buildFoldIndex writes the index of a format-1 store, from every node,
// then records format 2. Entries a partial build or an older build left
// are dropped first.
func (s *QuadStore) buildFoldIndex(ctx context.Context) error {
	if s.folded.Load() {
		return nil
	}
	if err := s.db.DropPrefix([]byte{pfxFold}); err != nil {
		return err
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	err := s.view(func(txn *badger.Txn) error {
		return s.scanAll(ctx, txn, []byte{pfxNode}, func(k, v []byte) error {
			if len(k) != 9 || len(v) == 0 {
				return fmt.Errorf("%w: bad node record", ErrCorrupt)
			}
			if !textTag(v[0]) {
				return nil
			}
			val, err := decodeValue(v)
			if err != nil {
				return fmt.Errorf("node %d: %w", u64(k[1:]), err)
			}
			for _, fk := range foldKeys(val, u64(k[1:])) {
				if err := wb.Set(fk, nil); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	if err := wb.Flush(); err != nil {
		return err
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keyFormat, []byte(FormatVersion)) }); err != nil {
		return err
	}
	s.folded.Store(true)
	s.version.Add(1)
	return nil
}

// A Snapshot reads the store as it was when it was taken, whatever is
// written after: a load checks its input against the store as it was
// before the load, while its own batches commit. Close it when done.
type Snapshot struct {
	s   *QuadStore
	txn *badger.Txn
}

// Snapshot returns a view of the store at this moment; ok is false when
// the store has no folded-name index (Folded cannot answer).
func (s *QuadStore) Snapshot() (*Snapshot, bool) {
	if !s.folded.Load() {
		return nil, false
	}
	return &Snapshot{s: s, txn: s.readTxn()}, true
}

// Close ends the snapshot.
func (sn *Snapshot) Close() {
	if sn.txn != nil {
		sn.s.endRead(sn.txn)
		sn.txn = nil
	}
}

// ID returns the id of a value, 0 when the store does not hold it.
func (sn *Snapshot) ID(v quad.Value) (uint64, error) {
	if v == nil {
		return 0, nil
	}
	return lookupID(sn.txn, hashOf(v))
}

// Value returns the value of node id, nil when there is none. It reads
// the store's value cache but does not fill it: the node may be gone from
// the store since the snapshot.
func (sn *Snapshot) Value(id uint64) (quad.Value, error) {
	if v, ok := sn.s.names.get(id); ok {
		return v, nil
	}
	return readValue(sn.txn, id)
}

// Folded returns the ids of the nodes whose text folds (Fold) to Fold(text),
// in id order; ok is false when such a text is too long to be indexed.
func (sn *Snapshot) Folded(ctx context.Context, text string) (ids []uint64, ok bool, err error) {
	f := Fold(text)
	if f == "" || len(f) > MaxFoldedBytes {
		return nil, false, nil
	}
	prefix := foldPrefix(nil, f)
	err = scan(ctx, sn.txn, prefix, func(k, _ []byte) error {
		if len(k) != len(prefix)+8 {
			return fmt.Errorf("%w: bad folded-name key", ErrCorrupt)
		}
		ids = append(ids, u64(k[len(prefix):]))
		return nil
	})
	return ids, true, err
}

// Quads calls fn with the ids (subject, predicate, object, label; 0 for
// no label) of every quad whose node in direction d is id, in the order
// of that direction's index.
func (sn *Snapshot) Quads(ctx context.Context, d quad.Direction, id uint64, fn func(q [4]uint64) error) error {
	if id == 0 {
		return nil
	}
	x := &indexes[d-1]
	var c constraint
	c[d-1] = id
	prefix := x.scanPrefix(nil, quadIDs(c), 1)
	return scan(ctx, sn.txn, prefix, func(k, _ []byte) error {
		if len(k) != quadKeyLen {
			return fmt.Errorf("%w: quad key of %d bytes", ErrCorrupt, len(k))
		}
		return fn(x.decode(k))
	})
}

// checkFolds verifies the folded-name index against the nodes: every
// node has its entries, and no entry names a node that is gone or has
// another text. want counts the entries the nodes should have.
func checkFolds(ctx context.Context, txn *badger.Txn, want int64, valueOf func(id uint64) (quad.Value, error)) (problems []string, err error) {
	var good int64 // entries that agree with their node
	err = scan(ctx, txn, []byte{pfxFold}, func(k, _ []byte) error {
		f, id, err := decodeFoldKey(k)
		if err != nil {
			problems = append(problems, err.Error())
			return nil
		}
		v, err := valueOf(id)
		if err != nil {
			return err
		}
		if v == nil {
			problems = append(problems, fmt.Sprintf("the folded-name index names node %d, which does not exist", id))
		} else if !slices.Contains(foldedTexts(v), f) {
			problems = append(problems, fmt.Sprintf("the folded-name index files node %d under %q, not its text", id, f))
		} else {
			good++
		}
		return nil
	})
	if err == nil && good < want {
		problems = append(problems, fmt.Sprintf("the folded-name index lacks %d entries of the store's nodes", want-good))
	}
	return problems, err
}
