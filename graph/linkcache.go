package graph

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"time"
	"unsafe"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/entente-kg/entente/graph/quadstore"
)

// The link index of a store on disk is kept beside it, in the file
// quadstore.CacheFile, so that a fresh process answering one path query
// does not rebuild it from the whole store. It is a cache: it is used only
// when its stamp is the store's current quadstore.Stamp (the store has not
// changed since it was written), its checksum holds and it was written by
// this layout on a machine of the same byte order; otherwise the index is
// built from the store as before and the file written again. Writing it is
// best effort (a read-only command on a full disk just does not keep it).
//
// Layout: a 104-byte header, then the sections, each a whole number of
// 8-byte words, in the machine's byte order:
//
//	header:  magic "ENTLINKS", layout version u32, byte-order probe u32,
//	         store stamp [40], nodes, preds, labels, edges, maxID (u64 each),
//	         strengths present (u16), pad, CRC-32 (IEEE) of the sections (u32)
//	nodes    []u64  store id of each dense node number
//	preds    []u64  store id of each dense predicate number
//	labels   []u64  store id of each statement (label) number, 0 first
//	strength []u8   each label's strength
//	outStart []i32, inStart []i32  (nodes+1 each)
//	dense    []i32  dense node number of each store id up to maxID, -1 none
//	out, in  []Edge (edges each)
const (
	linkCacheMagic   = "ENTLINKS"
	linkCacheVersion = 1 // bump when BuildLinks or this layout changes
	linkCacheProbe   = 0x01020304
	linkCacheHdrLen  = 8 + 4 + 4 + quadstore.StampLen + 5*8 + 2 + 2 + 4
)

// mapMin is the size from which a link cache is mapped rather than read,
// where the system can: reading 10 MB (Movies) into fresh memory costs
// 3 ms of page faults and copying, mapping it from the page cache well
// under one. (A variable for tests.)
var mapMin = 1 << 20

// cachedStore is what a store offers to keep its link index: on disk
// (the Badger store) or in its database (the PostgreSQL store, a
// dbKeeper, whose stamp also names its numbering of the nodes); one in
// memory gives no stamp.
type cachedStore interface {
	Stamp() (quadstore.Stamp, bool)
	NodeRefs(ids []uint64) []cgraph.Ref
}

// stamp returns the stamp of the store's contents; ok is false when the
// link index cannot be kept on disk now.
func (db *DB) stamp(ctx context.Context) (st quadstore.Stamp, ok bool) {
	cs, isCached := any(db.qs).(cachedStore)
	if !isCached || db.opts.InMemory || db.dir == "" {
		return st, false
	}
	// The PostgreSQL store's stamp reads the database (and may number the
	// nodes of every quad): as long, and as cancellable, as the query.
	if sc, ok := unshared(db.qs).(interface {
		StampContext(context.Context) (quadstore.Stamp, bool)
	}); ok {
		return sc.StampContext(ctx)
	}
	return cs.Stamp()
}

// keepLinks builds the link index after a load into an empty store and
// keeps it with the store, so that the next process's first path query
// reads it instead of building it (seconds at 10^7 quads); the load takes
// that much longer (a few percent). A large index is built straight into
// its file (linkfile.go). Errors are ignored: it is a cache, and a query
// builds it anyway.
func (db *DB) keepLinks(ctx context.Context) {
	st, ok := db.stamp(ctx)
	if !ok || db.writeLinks(ctx, st) {
		return
	}
	db.Links(ctx)
}

// pad8 rounds n up to a multiple of 8.
func pad8(n int) int { return (n + 7) &^ 7 }

// linkCacheSize is the size of a link cache file's sections, for n nodes,
// np predicates, nl labels (the none label 0 among them), store ids up to
// maxID and nEd edges each way.
func linkCacheSize(n, np, nl, maxID, nEd int) int {
	return 8*n + 8*np + 8*nl + pad8(nl) + 2*pad8(4*(n+1)) + pad8(4*(maxID+1)) + 2*pad8(12*nEd)
}

// linkCacheHeader returns the header of a link cache file, its checksum
// still zero (setLinkCacheSum).
func linkCacheHeader(st quadstore.Stamp, n, np, nl, maxID, nEd int, has uint16) []byte {
	b := make([]byte, linkCacheHdrLen)
	ne := binary.NativeEndian
	copy(b, linkCacheMagic)
	ne.PutUint32(b[8:], linkCacheVersion)
	ne.PutUint32(b[12:], linkCacheProbe)
	h := b[16:]
	copy(h, st[:])
	h = h[quadstore.StampLen:]
	ne.PutUint64(h, uint64(n))
	ne.PutUint64(h[8:], uint64(np))
	ne.PutUint64(h[16:], uint64(nl))
	ne.PutUint64(h[24:], uint64(nEd))
	ne.PutUint64(h[32:], uint64(maxID))
	ne.PutUint16(h[40:], has)
	return b
}

// setLinkCacheSum sets the checksum of the sections in a header.
func setLinkCacheSum(hdr []byte, sum uint32) {
	binary.NativeEndian.PutUint32(hdr[16+quadstore.StampLen+44:], sum)
}

// loadLinks reads the store's link index from its cache file; nil when
// there is none that matches the store as it is.
func (db *DB) loadLinks(ctx context.Context, st quadstore.Stamp) *Links {
	f, ok := db.openKept(ctx, quadstore.CacheFile, st)
	if !ok {
		return nil
	}
	defer f.Close()
	hdr := make([]byte, linkCacheHdrLen)
	if _, err := f.ReadAt(hdr, 0); err != nil || string(hdr[:8]) != linkCacheMagic {
		return nil
	}
	ne := binary.NativeEndian
	h := hdr[8:]
	if ne.Uint32(h) != linkCacheVersion || ne.Uint32(h[4:]) != linkCacheProbe {
		return nil
	}
	h = h[8:]
	if string(h[:quadstore.StampLen]) != string(st[:]) {
		return nil
	}
	h = h[quadstore.StampLen:]
	nNodes, nPreds, nLabels, nEdges, maxID := ne.Uint64(h), ne.Uint64(h[8:]), ne.Uint64(h[16:]), ne.Uint64(h[24:]), ne.Uint64(h[32:])
	has := ne.Uint16(h[40:])
	sum := ne.Uint32(h[44:])
	qs := db.qs
	if maxID != qs.MaxID() || maxID >= 1<<31 || nNodes > 1<<31 || nEdges > 1<<31 || nLabels > 1<<31 || nLabels < 1 || nPreds > 1<<31 {
		return nil
	}
	n, np, nl, nEd := int(nNodes), int(nPreds), int(nLabels), int(nEdges)
	size := linkCacheSize(n, np, nl, int(maxID), nEd)
	if f.Size() != int64(linkCacheHdrLen+size) {
		return nil
	}
	b, err := f.Bytes(linkCacheHdrLen + size)
	if err != nil || string(b[:linkCacheHdrLen]) != string(hdr) || uintptr(unsafe.Pointer(&b[0]))%8 != 0 {
		return nil
	}
	if crc32.ChecksumIEEE(b[linkCacheHdrLen:]) != sum {
		return nil
	}
	// The sections start at multiples of 8 from an 8-aligned header of
	// a multiple of 8 bytes: each may be seen in place.
	off := linkCacheHdrLen
	u64s := func(k int) []uint64 {
		var s []uint64
		if k > 0 {
			s = unsafe.Slice((*uint64)(unsafe.Pointer(&b[off])), k)
		}
		off += 8 * k
		return s
	}
	i32s := func(k int) []int32 {
		s := unsafe.Slice((*int32)(unsafe.Pointer(&b[off])), k)
		off += pad8(4 * k)
		return s
	}
	edges := func(k int) []Edge {
		var s []Edge
		if k > 0 {
			s = unsafe.Slice((*Edge)(unsafe.Pointer(&b[off])), k)
		}
		off += pad8(12 * k)
		return s
	}
	nodeIDs, predIDs, labelIDs := u64s(n), u64s(np), u64s(nl)
	strength := make([]Strength, nl)
	copy(strength, unsafe.Slice((*Strength)(unsafe.Pointer(&b[off])), nl))
	off += pad8(nl)
	l := &Links{
		predIndex: make(map[cgraph.Ref]int32, np),
		ids:       nodeIDs,
		idOf:      qs.NodeID,
		refOf:     qs.NodeRef,
		strength:  strength,
		has:       has,
	}
	l.outStart, l.inStart = i32s(n+1), i32s(n+1)
	l.dense = i32s(int(maxID) + 1)
	l.out, l.in = edges(nEd), edges(nEd)
	// Sanity: the rows must stay inside the edges (the checksum makes a
	// damaged file unlikely; a wrong one must not panic later).
	if l.outStart[0] != 0 || l.inStart[0] != 0 || int(l.outStart[n]) != nEd || int(l.inStart[n]) != nEd {
		return nil
	}
	for i := 0; i < n; i++ {
		if l.outStart[i] > l.outStart[i+1] || l.inStart[i] > l.inStart[i+1] {
			return nil
		}
	}
	un, unp, unl := uint32(n), uint32(np), uint32(nl)
	for _, es := range [][]Edge{l.out, l.in} {
		for _, e := range es {
			if uint32(e.Other) >= un || uint32(e.Pred) >= unp || uint32(e.Label) >= unl {
				return nil
			}
		}
	}
	for _, d := range l.dense {
		if d < -1 || d >= int32(n) {
			return nil
		}
	}
	for i, id := range nodeIDs {
		if id > maxID || l.dense[id] != int32(i) {
			return nil
		}
	}
	cs := any(qs).(cachedStore)
	l.Labels = cs.NodeRefs(labelIDs)
	l.Labels[0] = nil
	for i, id := range predIDs {
		r := qs.NodeRef(id)
		v, err := qs.NameOf(r)
		if err != nil || v == nil {
			return nil
		}
		l.Preds = append(l.Preds, v)
		l.PredRefs = append(l.PredRefs, r)
		l.predIndex[r] = int32(i)
	}
	return l
}

// saveLinks writes l, the index of every link of the store in the state
// st, to the store's cache file, replacing it in one rename. Errors are
// ignored: the file is a cache.
func (db *DB) saveLinks(l *Links, st quadstore.Stamp) {
	qs := db.qs
	n, np, nl, nEd := len(l.ids), len(l.PredRefs), len(l.Labels), len(l.out)
	size := linkCacheSize(n, np, nl, len(l.dense)-1, nEd)
	b := linkCacheHeader(st, n, np, nl, len(l.dense)-1, nEd, l.has)
	ne := binary.NativeEndian
	id := func(r cgraph.Ref) (uint64, bool) {
		if r == nil {
			return 0, true
		}
		return qs.NodeID(r)
	}
	var ids []uint64 // the predicates' and the labels' store ids
	for _, refs := range [][]cgraph.Ref{l.PredRefs, l.Labels} {
		for _, r := range refs {
			v, ok := id(r)
			if !ok {
				return
			}
			ids = append(ids, v)
		}
	}
	// The sections are streamed to the file a chunk at a time (a buffer
	// of the whole file, 11.9 MB for Movies, cost a page fault a page),
	// the checksum taken as they go and the header written last.
	db.writeKept(quadstore.CacheFile, st, func(f keptWriter) error {
		if _, err := f.Write(b); err != nil {
			return err
		}
		w := &chunkWriter{f: f}
		for _, ids := range [][]uint64{l.ids, ids} {
			for _, v := range ids {
				w.b = ne.AppendUint64(w.b, v)
				w.spill()
			}
		}
		for _, s := range l.strength {
			w.b = append(w.b, byte(s))
			w.spill()
		}
		w.pad()
		for _, starts := range [][]int32{l.outStart, l.inStart, l.dense} {
			for _, v := range starts {
				w.b = ne.AppendUint32(w.b, uint32(v))
				w.spill()
			}
			w.pad()
		}
		for _, es := range [][]Edge{l.out, l.in} {
			for _, e := range es {
				w.b = ne.AppendUint32(w.b, uint32(e.Other))
				w.b = ne.AppendUint32(w.b, uint32(e.Pred))
				w.b = ne.AppendUint32(w.b, uint32(e.Label))
				w.spill()
			}
			w.pad()
		}
		w.flush()
		if w.err != nil {
			return w.err
		}
		if w.n != int64(size) {
			return fmt.Errorf("graph: link cache of %d bytes, want %d", w.n, size)
		}
		setLinkCacheSum(b, w.sum)
		_, err := f.WriteAt(b, 0)
		return err
	})
}

// writeCacheFile writes the cache file name in dir with write, to a
// temporary file renamed over it. Errors are ignored: the file is a
// cache.
func writeCacheFile(dir, name string, write func(*os.File) error) {
	f, err := os.CreateTemp(dir, name+".*.tmp")
	if err != nil {
		return
	}
	tmp := f.Name()
	// Readable as the store's other files are (CreateTemp makes 0600).
	err = f.Chmod(0o644)
	if err == nil {
		err = write(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return
	}
	removeStaleTemps(dir, name)
}

// removeStaleTemps removes cache files a process killed while writing
// them left behind (those over an hour old: a write takes well under a
// second, and another process may be writing one now).
func removeStaleTemps(dir, name string) {
	matches, _ := filepath.Glob(filepath.Join(dir, name+".*.tmp"))
	for _, m := range matches {
		if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > time.Hour {
			os.Remove(m)
		}
	}
}

func pad(b []byte) []byte {
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// readAll reads the first size bytes of f into memory.
func readAll(f *os.File, size int) ([]byte, error) {
	b := make([]byte, size)
	if _, err := f.ReadAt(b, 0); err != nil {
		return nil, err
	}
	return b, nil
}
