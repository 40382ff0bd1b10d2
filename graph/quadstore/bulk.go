package quadstore

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sync/atomic"
	"time"

	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/ristretto/v2/z"
)

// bulkBuilder collects quads in memory for the bulk path: values interned
// to dense ids, quads as id tuples.
type bulkBuilder struct {
	dict valueDict
	// hashes holds the store's key of every value (hashes[id-1]), once a
	// streamed part asks for them (storeHashes).
	hashes []valueHash
	quads  [][4]uint32
	// labelled is whether a quad taken has a label.
	labelled bool
	// runs, once the quads outgrew a chunk: the chunks sorted on disk.
	// quads then holds none of them.
	runs *runSet
	// unhuge undoes hugeHeap, from when the builder has taken
	// hugeHeapAfter quads until it is released (at the latest when its
	// first chunk spills).
	unhuge func()
	// pKeys, once the packed quads are written, holds them in the P
	// index's order, packed as packed says (loadedGraph).
	pKeys  []uint64
	packed quadPacking
}

// hugeHeapAfter is how many quads a builder takes before it has the heap
// taken in huge pages (hugeHeap), hugeHeapBytes of it mapped ahead: a
// small load is done before the first fault it would save.
const (
	hugeHeapAfter = 1 << 14
	hugeHeapBytes = 256 << 20
)

// release undoes what the builder asked of the system for its memory.
func (b *bulkBuilder) release() {
	if b.unhuge != nil {
		b.unhuge()
		b.unhuge = nil
	}
}

// total is the number of quads taken, duplicates included.
func (b *bulkBuilder) total() int64 {
	n := int64(len(b.quads))
	if b.runs != nil {
		n += b.runs.quads
	}
	return n
}

func newBulkBuilder() *bulkBuilder { return &bulkBuilder{dict: newValueDict()} }

// reserve gives the builder room for up to n quads, at most
// bulkQuadsReserve, and for their values' encodings, taken at once. A
// slice grown by append takes fresh memory at each step and clears its
// new room: a Movies load spent a third of its interning's time there.
// Room taken whole is mapped only as quads fill it (memory the heap has
// never used needs no clearing).
func (b *bulkBuilder) reserve(n int) {
	n = max(0, min(n, bulkQuadsReserve))
	b.quads = make([][4]uint32, 0, n)
	b.dict.reserve(n * reserveValueBytes)
}

// reserveValueBytes is the room reserve takes in the value arena for each
// quad: twice what Movies' values take (8 bytes a quad; B4's graph's, 7).
const reserveValueBytes = 16

// bulkQuadsReserve is the most quads reserve takes room for: 16 MiB.
const bulkQuadsReserve = 1 << 20

// values is the number of distinct values taken.
func (b *bulkBuilder) values() int { return b.dict.count() }

// storeHashes sets b.hashes, unless set.
func (b *bulkBuilder) storeHashes(ctx context.Context) error {
	if b.hashes != nil || b.values() == 0 {
		return nil
	}
	hs, err := b.dict.hashes(ctx)
	b.hashes = hs
	return err
}

func (b *bulkBuilder) add(q quad.Quad) error {
	var t [4]uint32
	for d := quad.Subject; d <= quad.Label; d++ {
		v := q.Get(d)
		if v == nil {
			continue
		}
		id, err := b.dict.intern(v)
		if err != nil {
			return err
		}
		t[d-1] = id
	}
	if t[quad.Label-1] != 0 {
		b.labelled = true
	}
	b.quads = append(b.quads, t)
	if len(b.quads) == hugeHeapAfter && b.unhuge == nil && b.runs == nil {
		b.unhuge = hugeHeap(hugeHeapBytes)
	}
	return nil
}

func (b *bulkBuilder) value(id uint32) []byte { return b.dict.value(id) }

// bulkLoad loads into the empty store. The caller holds wmu.
func (s *QuadStore) bulkLoad(ctx context.Context, r quad.Reader, opt *LoadOptions) (LoadResult, error) {
	var res LoadResult
	// Its batches past the bulk limit are part of the one implicit
	// transaction.
	s.histDefault = histNone
	defer func() { s.histDefault = histOwn }()
	defer LowerGC()()
	b := newBulkBuilder()
	defer b.release()
	if !s.opts.InMemory {
		b.reserve(opt.SpillAt)
	}
	br := &batchReader{ctx: ctx, r: r}
	// Parsing the input and interning its values overlap: a goroutine
	// reads batches, this one interns them.
	type batch struct {
		qs  []quad.Quad
		err error
	}
	batches := make(chan batch, 4)
	free := make(chan []quad.Quad, 4)
	stop := make(chan struct{})
	readerDone := make(chan struct{})
	var full atomic.Bool // the dictionary holds BulkValues values
	go func() {
		defer close(readerDone)
		defer close(batches)
		left := opt.BulkLimit
		for !br.eof && left > 0 && !full.Load() {
			var buf []quad.Quad
			select {
			case buf = <-free:
			default:
			}
			buf, err := br.next(buf, min(4096, left))
			left -= len(buf)
			select {
			case batches <- batch{buf, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		close(stop)
		<-readerDone
	}()
	// Past a chunk, full chunks are sorted to disk as the next fills.
	var sp *spiller
	defer func() {
		if sp != nil {
			sp.finish(nil)
			b.runs.remove()
		}
	}()
	var read int64
	for bt := range batches {
		read += int64(len(bt.qs))
		if bt.err != nil {
			return LoadResult{Read: read}, bt.err
		}
		for _, q := range bt.qs {
			if err := b.add(q); err != nil {
				return LoadResult{Read: read}, err
			}
			if len(b.quads) >= opt.SpillAt && !s.opts.InMemory {
				if sp == nil {
					// Past a chunk the heap outgrows what was mapped
					// ahead for huge pages, and a load of 10^7 quads
					// gained nothing clear from them: small pages
					// again, for the memory's sake.
					b.release()
					runs, err := newRunSet(s.dir)
					if err != nil {
						return LoadResult{Read: read}, err
					}
					b.runs, sp = runs, newSpiller(ctx, s, runs)
					// The values go to disk beside the runs (the
					// arena is most of the dictionary's memory).
					runs.dict = &b.dict
					if err := b.dict.spillTo(runs.dir); err != nil {
						return LoadResult{Read: read}, err
					}
				}
				var ok bool
				if b.quads, ok = sp.hand(b.quads); !ok {
					err := sp.finish(nil)
					sp = nil
					b.runs.remove()
					return LoadResult{Read: read}, err
				}
			}
		}
		if b.values() >= opt.BulkValues {
			full.Store(true)
		}
		if opt.Progress != nil && read%(64*4096) < int64(len(bt.qs)) {
			opt.Progress(LoadProgress{Read: read})
		}
		select {
		case free <- bt.qs[:0]:
		default:
		}
	}
	if sp != nil {
		err := sp.finish(b.quads)
		sp, b.quads = nil, nil
		if err != nil {
			b.runs.remove()
			return LoadResult{Read: read}, err
		}
		defer b.runs.remove()
	}
	var buf []quad.Quad
	if b.total() == 0 {
		if opt.Finish != nil {
			// Changes alone, into an empty store: there is nothing they
			// can change, and Finish says what it did not find.
			f, err := opt.Finish(ctx)
			if err == nil && len(f.Adds)+len(f.Removes) > 0 {
				err = errors.New("quadstore: a change to an empty store")
			}
			return LoadResult{Read: br.read}, err
		}
		return LoadResult{Read: br.read}, nil
	}
	if opt.Progress != nil {
		opt.Progress(LoadProgress{Read: br.read, Writing: true})
	}
	// The store's tables, and a quarter more; the runs sorted to disk
	// (64 bytes a quad) are on the disk already.
	if err := s.needSpace(fmt.Sprintf("loading %d statements", b.total()), bytesPerQuad*b.total()*5/4); err != nil {
		return LoadResult{Read: br.read}, err
	}
	if err := s.markBulk(); err != nil {
		return LoadResult{Read: br.read}, err
	}
	reset := func(err error) (LoadResult, error) {
		if rerr := s.resetEmpty(); rerr != nil {
			return LoadResult{Read: br.read}, fmt.Errorf("%w (and resetting the store failed: %v; it will be reset at the next open)", err, rerr)
		}
		return LoadResult{Read: br.read}, err
	}
	added, err := s.streamWrite(ctx, b)
	var loaded *loadedGraph
	if err == nil && b.pKeys != nil {
		loaded = b.loaded(b.packed, b.pKeys)
	}
	runs := b.runs
	b = nil
	runs.remove()
	if err != nil {
		return reset(diskFull(err))
	}
	res.Added, res.Bulk = added, true
	if opt.Progress != nil {
		opt.Progress(LoadProgress{Read: br.read, Added: res.Added, Batches: 1})
	}
	// The rest, if the input outgrew the bulk limits, goes through the
	// stream a part at a time, as a large load into a store with data
	// does, then, under ingestMin quads or once the stream cannot be
	// used, in transactions. A failure still resets: the store was empty
	// before this load, and a crash leaves the bulk marker, which resets
	// it too.
	committed := int64(1)
	for s.streams(opt) {
		head, err := br.next(nil, ingestMin)
		if err != nil {
			return reset(err)
		}
		if br.eof {
			br.pending = head
			break
		}
		b, err := readChunk(br, head, opt)
		if err != nil {
			return reset(err)
		}
		lt, left, err := s.streamChunk(ctx, b, opt, &longTx{}, false)
		b.release()
		if err == errNoStream {
			br.pending = left
			break
		}
		if err != nil {
			return reset(diskFull(err))
		}
		res.Added += lt.added
		committed++
		if opt.Progress != nil {
			opt.Progress(LoadProgress{Read: br.read, Added: res.Added, Batches: committed})
		}
	}
	for !br.done() {
		buf, err = br.next(buf, opt.BatchSize)
		if err != nil {
			return reset(err)
		}
		if len(buf) == 0 {
			break
		}
		if err := s.needSpace("the load", spaceFactor*bytesPerQuad*int64(len(buf))); err != nil {
			return reset(err)
		}
		if err := s.reserveLogs(2 * bytesPerQuad * int64(len(buf))); err != nil {
			return reset(err)
		}
		n, err := s.addSplitLocked(buf)
		if err != nil {
			return reset(diskFull(err))
		}
		res.Added += int64(n)
		committed++
		if opt.Progress != nil {
			opt.Progress(LoadProgress{Read: br.read, Added: res.Added, Batches: committed})
		}
	}
	res.Read = br.read
	added, removed, err := s.finishLoad(ctx, opt, nil)
	if err != nil {
		return reset(err)
	}
	if committed > 1 || added+removed > 0 {
		loaded = nil // the store holds more than the builder did
	}
	res.Added += added - removed
	res.Removed = removed
	// The load is the history's first transaction; the store was empty
	// before it, so it records no changes (Implicit).
	rec, err := s.recordImplicit(res.Added, opt.Tx)
	if err != nil {
		return reset(err)
	}
	res.Tx = rec
	if err := s.unmarkBulk(); err != nil {
		return reset(err)
	}
	if loaded != nil {
		loaded.version = s.version.Load()
		s.loaded.Store(loaded)
	}
	return res, nil
}

// recordImplicit writes the record of a bulk load; wmu is held.
func (s *QuadStore) recordImplicit(added int64, o TxOptions) (TxRecord, error) {
	tx := s.begin()
	defer tx.discard()
	tx.histMode = histNone
	id, t, err := tx.nextTx(o)
	if err != nil {
		return TxRecord{}, err
	}
	rec := TxRecord{ID: id, Time: t, Added: added, Implicit: true, Meta: o.Meta}
	if err := tx.setRecord(&rec); err != nil {
		return TxRecord{}, err
	}
	tx.newTx, tx.newTime = id, t
	return rec, tx.commit()
}

// resetEmpty drops everything and writes the metadata of an empty store.
func (s *QuadStore) resetEmpty() error {
	if err := s.db.DropAll(); err != nil {
		return err
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return writeMeta(txn, 0, 0, 1) }); err != nil {
		return err
	}
	s.nquads.Store(0)
	s.nnodes.Store(0)
	s.folded.Store(true)
	s.nextID = 1
	s.lastTx, s.lastTime = 0, time.Time{}
	s.names.init(s.names.max)
	s.ids.clear()
	s.version.Add(1)
	return s.unmarkBulk()
}

// addSplitLocked is addSplit for a caller that holds wmu.
func (s *QuadStore) addSplitLocked(qs []quad.Quad) (int, error) {
	n := 0
	err := inHalves(len(qs), func(lo, hi int) error {
		k := 0
		tx := s.begin()
		defer tx.discard()
		for _, q := range qs[lo:hi] {
			added, err := tx.addQuad(q, true)
			if err != nil {
				return err
			}
			if added {
				k++
			}
		}
		if err := tx.commit(); err != nil {
			return err
		}
		n += k
		return nil
	})
	return n, err
}

// streamWrite writes the builder's graph into the empty database, every
// key family one stream of sorted keys, straight into tables of the last
// level: tables of its own on disk (writeTables), through Badger's
// StreamWriter in memory. It returns the number of distinct quads.
func (s *QuadStore) streamWrite(ctx context.Context, b *bulkBuilder) (int64, error) {
	// No read may be open across Flush, which replaces Badger's oracle,
	// nor while Badger is closed for writeTables.
	if err := s.lockReaders(); err != nil {
		return 0, err
	}
	unlocked := false
	unlock := func() {
		if !unlocked {
			unlocked = true
			s.readers.Unlock()
		}
	}
	defer unlock()
	if s.opts.InMemory {
		sw := s.db.NewStreamWriter()
		if err := sw.Prepare(); err != nil {
			sw.Cancel()
			return 0, err
		}
		err := s.emitAll(ctx, b, func(stream uint32) *streamOut { return &streamOut{sw: sw, stream: stream} })
		if err != nil {
			sw.Cancel()
			return 0, err
		}
		if err := sw.Flush(); err != nil {
			return 0, err
		}
	} else if err := s.writeTables(ctx, b); err != nil {
		return 0, err
	}
	unlock()
	s.names.init(s.names.max)
	s.ids.clear()
	s.version.Add(1)
	if err := s.loadMeta(); err != nil {
		return 0, err
	}
	return s.nquads.Load(), nil
}

// releasingPages has the pages of the store's tables leave the process's
// resident set every quarter second (releaseTablePages), until the
// returned func is called: only while a StreamWriter writes, between its
// Prepare and its Flush, when Badger neither compacts nor flushes and no
// read is open, so that no table is unmapped meanwhile, or while Badger is
// closed (writeTables: no table is mapped). It calls each of also at the
// same times.
func (s *QuadStore) releasingPages(also ...func()) (stop func()) {
	if s.opts.InMemory {
		return func() {}
	}
	quit, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				releaseTablePages(s.dir, nil)
				for _, f := range also {
					f()
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-stopped
	}
}

// The bulk path writes two streams. Streams must not overlap and each must
// be sorted, so each carries key families in key order: the indexes L, O
// and P in one; the S index, the counters, the folded-name index, hashes,
// metadata and values (S < c < f < h < m < n) in the other. (With its
// quads packed, the S index goes in the first, after P.)
const (
	streamLOP = iota + 1
	streamRest
)

func byIndex[T uint32 | uint64](x *index) func(a, b [4]T) int {
	// The directions' positions, taken once: the comparison runs n log n
	// times a sort.
	i, j, k, l := (x.dirs[0]-1)&3, (x.dirs[1]-1)&3, (x.dirs[2]-1)&3, (x.dirs[3]-1)&3
	return func(p, q [4]T) int {
		switch {
		case p[i] != q[i]:
			return cmp.Compare(p[i], q[i])
		case p[j] != q[j]:
			return cmp.Compare(p[j], q[j])
		case p[k] != q[k]:
			return cmp.Compare(p[k], q[k])
		}
		return cmp.Compare(p[l], q[l])
	}
}

// emitAll writes every key family in two goroutines, each into a stream of
// newOut's (tables are built as the keys come), so two writers keep two
// cores busy. The quads come from memory, each goroutine sorting and
// deduplicating its own copy, or from a merge of the runs on disk.
func (s *QuadStore) emitAll(ctx context.Context, b *bulkBuilder, newOut func(stream uint32) *streamOut) error {
	var (
		lop    func(out *streamOut) error // the L, O and P indexes
		sIndex func(out *streamOut) error // the S index; sets counts and nquads
		counts [4][]uint32
		nquads int64
	)
	// Nothing more is interned: the slot table goes before the sorts.
	b.dict.dropIndex()
	if p, ok := b.packing(); ok && b.runs == nil {
		// Each goroutine sorts and deduplicates its own numbers: the
		// first index's sort takes out the duplicates (the L index's
		// only when a quad has a label: it holds labelled quads alone).
		first := 3
		if !b.labelled {
			first = 2
		}
		lopKeys := p.pack(make([]uint64, 0, len(b.quads)), b.quads, &indexes[first])
		sKeys := p.pack(make([]uint64, 0, len(b.quads)), b.quads, primary)
		b.quads = nil
		// The first stream writes the S index too, after P (S > P, and
		// below the second stream's keys), which the second sorts and
		// counts first: the streams then write about as many keys each
		// (1.41 and 1.36 million for the movie data, against 0.94 and
		// 1.83 with the S index in the second).
		sReady := make(chan []uint64, 1)
		lop = func(out *streamOut) error {
			for i := first; i >= 1; i-- {
				if i < first {
					p.repack(lopKeys, &indexes[i+1], &indexes[i])
				}
				sortPacked(lopKeys)
				if i == first {
					lopKeys = slices.Compact(lopKeys)
				}
				if err := emitPacked(ctx, out, &indexes[i], p, lopKeys); err != nil {
					return err
				}
			}
			// Kept for the reads that follow the load (loadedGraph).
			b.packed, b.pKeys = p, lopKeys
			lopKeys = nil
			return emitPacked(ctx, out, primary, p, <-sReady)
		}
		sIndex = func(*streamOut) error {
			sortPacked(sKeys)
			sKeys = slices.Compact(sKeys)
			counts, nquads = newCounts(b), int64(len(sKeys))
			for _, k := range sKeys {
				q := p.unpack(k, primary)
				countQuad(&counts, &q)
			}
			sReady <- sKeys // sIndex is the second stream's first step: it always comes
			return nil
		}
	} else if b.runs == nil {
		// Each goroutine sorts and deduplicates its own copy.
		other := slices.Clone(b.quads)
		lop = func(out *streamOut) error {
			// The first index's sort also takes out the duplicates. The
			// L index holds labelled quads alone: with none, it is
			// empty, and its sort is skipped.
			first := 3
			if !b.labelled {
				first = 2
			}
			sortQuads(other, &indexes[first])
			other = slices.Compact(other)
			for i := first; i >= 1; i-- {
				if err := emitIndex(ctx, out, &indexes[i], other); err != nil {
					return err
				}
			}
			return nil
		}
		sIndex = func(out *streamOut) error {
			sortQuads(b.quads, primary)
			b.quads = slices.Compact(b.quads)
			counts, nquads = newCounts(b), int64(len(b.quads))
			for _, q := range b.quads {
				countQuad(&counts, &q)
			}
			return emitIndex(ctx, out, primary, b.quads)
		}
	} else {
		lop = func(out *streamOut) error {
			for _, i := range []int{3, 2, 1} {
				if _, err := mergeRuns(ctx, out, &indexes[i], b.runs.files[i], nil); err != nil {
					return err
				}
			}
			return nil
		}
		sIndex = func(out *streamOut) error {
			counts = newCounts(b)
			// The S index's order is the directions' order.
			n, err := mergeRuns(ctx, out, primary, b.runs.files[0], func(q *[4]uint32) { countQuad(&counts, q) })
			nquads = n
			return err
		}
	}

	// The folded-name index's keys, made while the S index is written;
	// then, with the quads in memory (a few million at most), the values'
	// hashes, taken and sorted off the second stream's path. With chunks
	// on disk, the second stream takes them once it has written the fold
	// keys, and let them go.
	type folds struct {
		keys *foldSet
		err  error
	}
	type hashes struct {
		order []hashEntry
		err   error
	}
	foldc, hashc := make(chan folds, 1), make(chan hashes, 1)
	foldDir := "" // with chunks on disk, the keys are sorted into runs too
	early := b.runs == nil
	if !early {
		foldDir = b.runs.dir
	}
	aside := make(chan struct{})
	defer func() { <-aside }() // nothing reads the builder once emitAll returns
	go func() {
		defer close(aside)
		keys, err := foldEntries(ctx, b, nil, 1, foldDir)
		foldc <- folds{keys, err}
		if early && err == nil {
			order, err := hashEntries(ctx, b)
			hashc <- hashes{order, err}
		}
	}()
	errc := make(chan error, 1)
	go func() {
		out := newOut(streamLOP)
		errc <- firstErr(func() error { return lop(out) }, out.done)
	}()
	out := newOut(streamRest)
	err := firstErr(
		func() error { return sIndex(out) },
		func() error {
			err := emitCounts(out, &counts)
			counts = [4][]uint32{}
			return err
		},
		func() error {
			f := <-foldc
			if f.err != nil {
				return f.err
			}
			return emitFolds(out, f.keys) // and the keys go before the hashes come
		},
		func() error {
			if !early {
				order, err := hashEntries(ctx, b)
				if err != nil {
					return err
				}
				return emitHashes(out, order)
			}
			h := <-hashc
			if h.err != nil {
				return h.err
			}
			return emitHashes(out, h.order)
		},
		func() error { return emitMeta(out, b, nquads) },
		func() error { return emitNodes(out, b) },
		out.done,
	)
	if err2 := <-errc; err == nil {
		err = err2
	}
	return err
}

func firstErr(steps ...func() error) error {
	for _, f := range steps {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// emitIndex writes the quads in index x, sorting them first unless x is
// the primary index (they come sorted that way).
func emitIndex[T uint32 | uint64](ctx context.Context, out *streamOut, x *index, quads [][4]T) error {
	if x != primary {
		if qs, ok := any(quads).([][4]uint32); ok {
			sortQuads(qs, x)
		} else {
			slices.SortFunc(quads, byIndex[T](x))
		}
	}
	key := make([]byte, 0, quadKeyLen)
	for i, q := range quads {
		if i&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var err error
		if key, err = putQuad(out, key, x, &q); err != nil {
			return err
		}
	}
	return nil
}

// putQuad writes quad q's key in index x (an unlabelled quad has none in
// the L index) through key, its buffer, which it returns.
func putQuad[T uint32 | uint64](out *streamOut, key []byte, x *index, q *[4]T) ([]byte, error) {
	if x.dirs[0] == quad.Label && q[quad.Label-1] == 0 {
		return key, nil
	}
	key = append(key[:0], x.prefix)
	for _, d := range x.dirs {
		key = binary.BigEndian.AppendUint64(key, uint64(q[d-1]))
	}
	return key, out.put(key, nil)
}

// quadPacking packs a quad's ids into one number whose order is an
// index's: each of the index's directions an id of bits bits, the first
// highest. Numbers sort faster than quads compared a direction at a time:
// 471,705 quads like the movie data's (ids of 19 bits, no label) packed
// and sorted in 40 ms, against 100 compared; a byte at a time
// (sortPacked), in 14 ms (BenchmarkSortPacked).
type quadPacking struct {
	bits uint // bits an id
	dirs int  // the index's directions packed: 3 when no quad has a label (0), else 4
}

// packing returns how the builder's quads pack, if they fit a number.
func (b *bulkBuilder) packing() (quadPacking, bool) {
	p := quadPacking{bits: uint(bits.Len32(uint32(b.values()))), dirs: 4}
	if !b.labelled {
		p.dirs = 3 // each index but L, which is not written, has the label last
	}
	return p, p.bits > 0 && uint(p.dirs)*p.bits <= 64
}

// one packs quad q in index x's order.
func (p quadPacking) one(q *[4]uint32, x *index) uint64 {
	var k uint64
	for _, d := range x.dirs[:p.dirs] {
		k = k<<p.bits | uint64(q[d-1])
	}
	return k
}

// unpack returns the quad packed as k in index x's order.
func (p quadPacking) unpack(k uint64, x *index) (q [4]uint32) {
	mask := uint64(1)<<p.bits - 1
	for i := p.dirs - 1; i >= 0; i-- {
		q[x.dirs[i]-1] = uint32(k & mask)
		k >>= p.bits
	}
	return q
}

// sortPacked sorts packed quads a byte at a time (radixSort), from the
// highest byte any of them has.
func sortPacked(keys []uint64) {
	var or uint64
	for _, k := range keys {
		or |= k
	}
	if or != 0 {
		sortPackedFrom(keys, uint(bits.Len64(or)+7)/8*8-8)
	}
}

// sortPackedFrom is radixSortFrom for numbers, from the byte at shift
// down (radixSort with a function for the digit took 1.4 times as long).
func sortPackedFrom(s []uint64, shift uint) {
	for {
		if len(s) <= radixSmall {
			slices.Sort(s)
			return
		}
		var start [257]int
		var next [256]int
		for _, k := range s {
			start[k>>shift&0xff+1]++
		}
		if !slices.Contains(start[1:], len(s)) {
			for k := range 256 {
				start[k+1] += start[k]
				next[k] = start[k]
			}
			for k := range 256 {
				for next[k] < start[k+1] {
					e := s[next[k]]
					for to := int(e >> shift & 0xff); to != k; to = int(e >> shift & 0xff) {
						s[next[to]], e = e, s[next[to]]
						next[to]++
					}
					s[next[k]] = e
					next[k]++
				}
			}
			if shift == 0 {
				return
			}
			for k := range 256 {
				sortPackedFrom(s[start[k]:start[k+1]], shift-8)
			}
			return
		}
		// One bucket holds them all: on to the next byte.
		if shift == 0 {
			return
		}
		shift -= 8
	}
}

// pack appends the quads packed in index x's order to dst.
func (p quadPacking) pack(dst []uint64, quads [][4]uint32, x *index) []uint64 {
	for i := range quads {
		dst = append(dst, p.one(&quads[i], x))
	}
	return dst
}

// repack packs again in index to's order the quads packed in from's.
func (p quadPacking) repack(keys []uint64, from, to *index) {
	for i, k := range keys {
		q := p.unpack(k, from)
		keys[i] = p.one(&q, to)
	}
}

// emitPacked writes the quads packed in index x's order, sorted.
func emitPacked(ctx context.Context, out *streamOut, x *index, p quadPacking, keys []uint64) error {
	key := make([]byte, 0, quadKeyLen)
	for i, k := range keys {
		if i&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		q := p.unpack(k, x)
		var err error
		if key, err = putQuad(out, key, x, &q); err != nil {
			return err
		}
	}
	return nil
}

// newCounts makes the degree counters of the builder's nodes, by
// direction and id (id 0, no label, is counted and not written).
func newCounts(b *bulkBuilder) [4][]uint32 {
	var counts [4][]uint32
	for i := range counts {
		counts[i] = make([]uint32, b.values()+1)
	}
	return counts
}

// countQuad counts one quad, its ids by direction.
func countQuad(counts *[4][]uint32, q *[4]uint32) {
	for i, id := range q {
		counts[i][id]++
	}
}

// emitCounts writes the degree counters: c dir id, in that order.
func emitCounts(out *streamOut, counts *[4][]uint32) error {
	key := make([]byte, 0, 10)
	val := make([]byte, 0, binary.MaxVarintLen64) // put copies keys and values
	for d := quad.Subject; d <= quad.Label; d++ {
		c := counts[d-1]
		for id := 1; id < len(c); id++ {
			n := c[id]
			if n == 0 {
				continue
			}
			key = append(key[:0], pfxCount, byte(d))
			key = binary.BigEndian.AppendUint64(key, uint64(id))
			if err := out.put(key, binary.AppendUvarint(val[:0], uint64(n))); err != nil {
				return err
			}
		}
	}
	return nil
}

// hashEntries returns the hash of each value, in hash order, taken now:
// the dictionary does not keep them.
func hashEntries(ctx context.Context, b *bulkBuilder) ([]hashEntry, error) {
	// Taken straight into the entries (a list of the hashes beside them
	// was 320 MB at 2×10^7 values).
	order := make([]hashEntry, b.values())
	if err := b.dict.eachHash(ctx, func(i int, h valueHash) { order[i] = hashEntry{h, uint32(i + 1)} }); err != nil {
		return nil, err
	}
	sortHashEntries(order)
	return order, nil
}

// emitHashes writes the value hashes, in hash order.
func emitHashes(out *streamOut, order []hashEntry) error {
	key := make([]byte, 0, 1+hashSize)
	val := make([]byte, 0, 8) // put copies keys and values
	for _, e := range order {
		key = append(key[:0], pfxHash)
		key = append(key, e.h[:]...)
		if err := out.put(key, binary.BigEndian.AppendUint64(val[:0], uint64(e.id))); err != nil {
			return err
		}
	}
	return nil
}

// hashEntry is a value's hash and id.
type hashEntry struct {
	h  valueHash
	id uint32
}

// sortHashEntries sorts the entries by hash, a byte at a time (radixSort).
// Sorting them whole by comparison took four to five times as long
// (294,000 entries: 101 to 107 ms, against 20 to 26; 24 to 33 for the
// 65,536 buckets of two bytes sorted next that radixSort replaced).
func sortHashEntries(order []hashEntry) {
	radixSort(order, len(valueHash{}), func(e *hashEntry, d int) int { return int(e.h[d]) },
		func(p, q hashEntry) int { return bytes.Compare(p.h[:], q.h[:]) })
}

// radixSort sorts s by cmp, given digit(e, d), the d-th of depth bytes of
// a key that orders the elements as cmp does. The elements go to 256
// buckets by their first byte, in place (an American flag sort: no second
// list, which at 2×10^7 hash entries would be 400 MB, or for a chunk of
// 4×2^20 quads 64 MB), then each bucket by the next byte, and so on; a
// bucket of radixSmall elements or fewer is sorted by cmp.
func radixSort[T any](s []T, depth int, digit func(e *T, d int) int, cmp func(p, q T) int) {
	radixSortFrom(s, 0, depth, digit, cmp)
}

// radixSmall is the most elements radixSort sorts by comparison.
const radixSmall = 64

func radixSortFrom[T any](s []T, d, depth int, digit func(e *T, d int) int, cmp func(p, q T) int) {
	if d == depth || len(s) < 2 {
		return // the keys are all equal
	}
	if len(s) <= radixSmall {
		slices.SortFunc(s, cmp)
		return
	}
	var start [257]int
	var next [256]int
	for i := range s {
		start[digit(&s[i], d)+1]++
	}
	if slices.Contains(start[1:], len(s)) {
		// One bucket holds them all: on to the next byte.
		radixSortFrom(s, d+1, depth, digit, cmp)
		return
	}
	for k := range 256 {
		start[k+1] += start[k]
		next[k] = start[k]
	}
	// Each element is swapped into the next free place of its bucket
	// until the one that belongs in the place being filled comes.
	for k := range 256 {
		for next[k] < start[k+1] {
			e := s[next[k]]
			for to := digit(&e, d); to != k; to = digit(&e, d) {
				s[next[to]], e = e, s[next[to]]
				next[to]++
			}
			s[next[k]] = e
			next[k]++
		}
	}
	for k := range 256 {
		radixSortFrom(s[start[k]:start[k+1]], d+1, depth, digit, cmp)
	}
}

// emitMeta writes the metadata, in key order.
func emitMeta(out *streamOut, b *bulkBuilder, nquads int64) error {
	nodes := uint64(b.values())
	for _, kv := range []struct{ k, v []byte }{
		{keyFormat, []byte(FormatVersion)},
		{keyNextID, putU64(nodes + 1)},
		{keyNodes, putU64(nodes)},
		{keyQuads, putU64(uint64(nquads))},
	} {
		if err := out.put(kv.k, kv.v); err != nil {
			return err
		}
	}
	return nil
}

// emitNodes writes the values in id order.
func emitNodes(out *streamOut, b *bulkBuilder) error {
	key := make([]byte, 0, 9)
	for id := uint32(1); id <= uint32(b.values()); id++ {
		key = append(key[:0], pfxNode)
		key = binary.BigEndian.AppendUint64(key, uint64(id))
		if err := out.put(key, b.value(id)); err != nil {
			return err
		}
	}
	return nil
}

// streamOut batches the key-value pairs of one stream into buffers for the
// StreamWriter, encoding Badger's KV protobuf by hand (fields key=1,
// value=2, version=4, stream_id=10, stream_done=11).
type streamOut struct {
	sw *badger.StreamWriter
	// tables, when set, takes the keys instead of sw (writeTables).
	tables *tableStream
	stream uint32
	// version is the keys' version (0 writes 1, the first load's).
	version uint64
	buf     *z.Buffer
	used    bool
	keys    int64 // the keys put so far
	writes  int64 // the buffers handed to Badger
}

const streamBufBytes = 4 << 20

func (o *streamOut) put(k, v []byte) error {
	o.used = true
	o.keys++
	version := max(o.version, 1)
	if o.tables != nil {
		return o.tables.add(k, v, version)
	}
	n := 1 + uvarintLen(uint64(len(k))) + len(k) + 1 + uvarintLen(version) + 1 + uvarintLen(uint64(o.stream))
	if len(v) > 0 {
		n += 1 + uvarintLen(uint64(len(v))) + len(v)
	}
	return o.append(n, func(p []byte) []byte {
		p = append(p, 0x0a)
		p = binary.AppendUvarint(p, uint64(len(k)))
		p = append(p, k...)
		if len(v) > 0 {
			p = append(p, 0x12)
			p = binary.AppendUvarint(p, uint64(len(v)))
			p = append(p, v...)
		}
		p = append(p, 0x20)
		p = binary.AppendUvarint(p, version)
		p = append(p, 0x50)
		return binary.AppendUvarint(p, uint64(o.stream))
	})
}

// done closes the stream, so that Badger writes its last table.
func (o *streamOut) done() error {
	if o.tables != nil {
		return o.tables.done()
	}
	if !o.used {
		return o.flush() // Badger warns about closing a stream it never saw
	}
	n := 1 + uvarintLen(uint64(o.stream)) + 2
	if err := o.append(n, func(p []byte) []byte {
		p = append(p, 0x50)
		p = binary.AppendUvarint(p, uint64(o.stream))
		return append(p, 0x58, 1)
	}); err != nil {
		return err
	}
	return o.flush()
}

func (o *streamOut) append(n int, fill func([]byte) []byte) error {
	if o.buf == nil {
		o.buf = z.NewBuffer(streamBufBytes+(1<<20), "entente.bulk")
	}
	p := o.buf.SliceAllocate(n)
	if got := fill(p[:0]); len(got) != n {
		return fmt.Errorf("quadstore: internal error: KV record of %d bytes, expected %d", len(got), n)
	}
	if o.buf.LenNoPadding() >= streamBufBytes {
		return o.flush()
	}
	return nil
}

func (o *streamOut) flush() error {
	if o.buf == nil {
		return nil
	}
	o.writes++
	err := o.sw.Write(o.buf)
	o.buf.Release()
	o.buf = nil
	return err
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
