package quadstore

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/cayleygraph/quad"
)

// A bulk load of more quads than its chunk holds (LoadOptions.SpillAt)
// does not keep them all in memory. Each full chunk is sorted in the order
// of every index, duplicates dropped, and written as one run file per
// index into the store's runs directory, while the next chunk fills; once
// the input is read, each index is written from a merge of its runs. So a
// bulk load holds two chunks and the value dictionary, whatever the
// number of quads, and its cost per quad stays that of a sort, where
// before it switched to transactions past a fixed number of quads.
//
// A run is a sequence of 16-byte records: a quad's four ids, big-endian,
// in its index's order (the order of the index's keys). The directory is
// removed when the load ends, and by the next writable Open after a crash.

// runsDirName is the runs directory in a store's directory.
const runsDirName = "ENTENTE-BULK-RUNS"

// defaultSpillAt is the chunk, in quads: 64 MiB of ids.
const defaultSpillAt = 1 << 22

const runRecord = 16

// runSet is the runs of one bulk load.
type runSet struct {
	dir   string
	files [4][]string // files[i]: the runs of indexes[i], one a chunk
	quads int64       // quads spilled, duplicates across chunks included
	// dict, if set, is the load's dictionary, whose arena may spill into
	// dir: closed with the runs.
	dict *valueDict
}

func newRunSet(storeDir string) (*runSet, error) {
	dir := filepath.Join(storeDir, runsDirName)
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, err
	}
	return &runSet{dir: dir}, nil
}

// remove deletes the runs.
func (rs *runSet) remove() error {
	if rs == nil {
		return nil
	}
	if rs.dict != nil {
		rs.dict.close()
	}
	return os.RemoveAll(rs.dir)
}

// spill sorts chunk in the order of each index in turn and writes it as
// that index's next run. It reorders chunk.
func (rs *runSet) spill(ctx context.Context, chunk [][4]uint32) error {
	n := len(rs.files[0])
	for i := range indexes {
		if err := ctx.Err(); err != nil {
			return err
		}
		x := &indexes[i]
		quads := chunk
		if x.dirs[0] == quad.Label {
			// The L index holds the labelled quads alone (the last
			// index: the chunk's order no longer matters).
			quads = quads[:partitionLabelled(quads)]
		}
		sortQuads(quads, x)
		name := filepath.Join(rs.dir, fmt.Sprintf("%c%06d.run", x.prefix, n))
		if err := writeRun(name, x, quads); err != nil {
			return err
		}
		rs.files[i] = append(rs.files[i], name)
	}
	rs.quads += int64(len(chunk))
	return nil
}

// partitionLabelled moves the quads with a label to the front and says
// how many there are.
func partitionLabelled(qs [][4]uint32) int {
	n := 0
	for i := range qs {
		if qs[i][quad.Label-1] != 0 {
			qs[n], qs[i] = qs[i], qs[n]
			n++
		}
	}
	return n
}

// record returns q's ids in x's order.
func (x *index) record(q *[4]uint32) [4]uint32 {
	return [4]uint32{q[x.dirs[0]-1], q[x.dirs[1]-1], q[x.dirs[2]-1], q[x.dirs[3]-1]}
}

// quad returns the quad of a record in x's order.
func (x *index) quad(r *[4]uint32) [4]uint32 {
	var q [4]uint32
	for j, d := range x.dirs {
		q[d-1] = r[j]
	}
	return q
}

// sortQuads sorts quads in x's order. Each quad's ids go in x's order,
// as a record, the records are sorted a byte at a time (sortRecords), and
// the quads come back. Sorting the quads by comparison, a direction at a
// time, took 2.7 times as long (BenchmarkSpillSort: a chunk of B4's graph
// in the four orders, 4.0 s against 1.5).
func sortQuads(qs [][4]uint32, x *index) {
	for i := range qs {
		qs[i] = x.record(&qs[i])
	}
	sortRecords(qs)
	for i := range qs {
		qs[i] = x.quad(&qs[i])
	}
}

// sortRecords sorts records: ids in an index's order, compared in turn.
// They sort a byte at a time (radixSort), each id's significant bytes in
// turn (the ids' top bits are zero).
func sortRecords(recs [][4]uint32) {
	var or [4]uint32
	for i := range recs {
		for j := range 4 {
			or[j] |= recs[i][j]
		}
	}
	// The d-th byte of a record's key is the byte of id at shift.
	type byteOf struct {
		id    int
		shift uint
	}
	var key []byteOf
	for j := range 4 {
		n := (bits.Len32(or[j]) + 7) / 8 // the id's significant bytes
		for b := range n {
			key = append(key, byteOf{j, uint(8 * (n - 1 - b))})
		}
	}
	radixSort(recs, len(key), func(r *[4]uint32, d int) int {
		k := key[d]
		return int(r[k.id] >> k.shift & 0xff)
	}, compareRecords)
}

// compareRecords compares two records as two 64-bit numbers each.
func compareRecords(p, q [4]uint32) int {
	if a, b := uint64(p[0])<<32|uint64(p[1]), uint64(q[0])<<32|uint64(q[1]); a != b {
		return cmp.Compare(a, b)
	}
	return cmp.Compare(uint64(p[2])<<32|uint64(p[3]), uint64(q[2])<<32|uint64(q[3]))
}

// writeRun writes quads, sorted in x's order, as a run, without
// duplicates.
func writeRun(name string, x *index, quads [][4]uint32) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var rec [runRecord]byte
	for i := range quads {
		if i > 0 && quads[i] == quads[i-1] {
			continue
		}
		r := x.record(&quads[i])
		for j := range r {
			binary.BigEndian.PutUint32(rec[4*j:], r[j])
		}
		if _, err := w.Write(rec[:]); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runReader reads one run.
type runReader struct {
	f   *os.File
	r   *bufio.Reader
	cur [runRecord]byte
}

// next reads the next record; ok is false at the end of the run.
func (rr *runReader) next() (ok bool, err error) {
	_, err = io.ReadFull(rr.r, rr.cur[:])
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("quadstore: reading %s: %w", rr.f.Name(), err)
	}
	return true, nil
}

// runHeap is a min-heap of run readers by their current record.
type runHeap []*runReader

func (h runHeap) less(i, j int) bool { return bytes.Compare(h[i].cur[:], h[j].cur[:]) < 0 }

func (h runHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// mergeRuns writes index x from its runs, in key order, each quad once,
// and calls each, when set, with every quad written (its ids in x's
// order). It returns the number of quads written.
func mergeRuns(ctx context.Context, out *streamOut, x *index, files []string, each func(ids *[4]uint32)) (n int64, err error) {
	var h runHeap
	defer func() {
		for _, rr := range h {
			rr.f.Close()
		}
	}()
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return 0, err
		}
		rr := &runReader{f: f, r: bufio.NewReaderSize(f, 256<<10)}
		ok, err := rr.next()
		if err != nil {
			f.Close()
			return 0, err
		}
		if !ok {
			f.Close()
			continue
		}
		h = append(h, rr)
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
	var prev [runRecord]byte
	var ids [4]uint32
	key := make([]byte, 0, quadKeyLen)
	for len(h) > 0 {
		top := h[0]
		if n == 0 || top.cur != prev {
			prev = top.cur
			if n&0xffff == 0 {
				if err := ctx.Err(); err != nil {
					return n, err
				}
			}
			key = append(key[:0], x.prefix)
			for j := range ids {
				ids[j] = binary.BigEndian.Uint32(prev[4*j:])
				key = binary.BigEndian.AppendUint64(key, uint64(ids[j]))
			}
			if err := out.put(key, nil); err != nil {
				return n, err
			}
			if each != nil {
				each(&ids)
			}
			n++
		}
		ok, err := top.next()
		if err != nil {
			return n, err
		}
		if !ok {
			top.f.Close()
			last := len(h) - 1
			h[0] = h[last]
			h = h[:last]
		}
		h.down(0)
	}
	return n, nil
}

// spiller sorts and writes full chunks in the background while the next
// one fills.
type spiller struct {
	runs   *runSet
	in     chan [][4]uint32
	free   chan [][4]uint32
	done   chan error
	failed atomic.Bool // a chunk could not be written: stop reading
}

func newSpiller(ctx context.Context, s *QuadStore, runs *runSet) *spiller {
	sp := &spiller{runs: runs, in: make(chan [][4]uint32), free: make(chan [][4]uint32, 1), done: make(chan error, 1)}
	go func() {
		var err error
		for chunk := range sp.in {
			if err == nil {
				err = s.needSpace(fmt.Sprintf("sorting %d statements to disk", len(chunk)), 4*runRecord*int64(len(chunk)))
			}
			if err == nil {
				err = runs.spill(ctx, chunk)
			}
			if err != nil {
				sp.failed.Store(true)
			}
			select {
			case sp.free <- chunk[:0]:
			default: // one is waiting already: let this one go
			}
		}
		sp.done <- err
	}()
	return sp
}

// hand gives the spiller a full chunk and returns an empty one to fill;
// ok is false once writing a chunk failed (finish says why).
func (sp *spiller) hand(chunk [][4]uint32) (next [][4]uint32, ok bool) {
	if sp.failed.Load() {
		return chunk[:0], false
	}
	sp.in <- chunk
	select {
	case c := <-sp.free:
		return c, true
	default:
		return make([][4]uint32, 0, cap(chunk)), true
	}
}

// finish spills the last chunk and waits for every run to be written.
func (sp *spiller) finish(last [][4]uint32) error {
	if len(last) > 0 {
		sp.in <- last
	}
	close(sp.in)
	return <-sp.done
}

// bulkGCPercent is the garbage collector's target while a bulk load runs
// (GOGC; Go's default is 100). The bulk path's live heap is large and
// long-lived (the value dictionary, a chunk of quads, Badger's tables
// being built), so the default let the heap grow to twice it: a load of
// 10^7 quads peaked at 1.2 GB of heap for 0.5 GB live. At 50 it peaks near
// 0.75 GB, for about 2% more time.
const bulkGCPercent = 50

var gcLowered struct {
	sync.Mutex
	n    int // bulk loads running
	prev int // the target before the first of them
}

// LowerGC sets the collector's target to bulkGCPercent, unless it is lower
// already or off, until the returned function is called (by every bulk
// load running, when several are).
func LowerGC() (restore func()) {
	gcLowered.Lock()
	defer gcLowered.Unlock()
	if gcLowered.n == 0 {
		gcLowered.prev = debug.SetGCPercent(bulkGCPercent)
		if gcLowered.prev < 0 || gcLowered.prev <= bulkGCPercent {
			debug.SetGCPercent(gcLowered.prev)
		}
	}
	gcLowered.n++
	return func() {
		gcLowered.Lock()
		defer gcLowered.Unlock()
		if gcLowered.n--; gcLowered.n == 0 {
			debug.SetGCPercent(gcLowered.prev)
		}
	}
}
