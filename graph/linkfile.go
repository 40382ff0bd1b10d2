package graph

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"runtime/debug"
	"unsafe"

	"github.com/entente-kg/entente/graph/quadstore"
)

// A load into an empty store builds the link index for the next process
// and keeps it in its cache file (keepLinks); the loading process has no
// use for it itself. For a large store the index is therefore built
// straight into that file, through a shared map of it, and never held:
// the links read from the store go to a scratch file beside it (unlinked
// as soon as it is made), the rows are filled in the cache file's map,
// and the pages of both maps are dropped from the process's resident set
// as it goes (they stay in the page cache, and a later touch maps them
// again from there, so nothing written is lost). After a load of
// 10^8 of B4's quads that index is 1.2 GB, which the process held in its
// own memory, with as much again while it was built; now it holds the
// numbering only (0.75 GB there, with the statements' strengths). The file is
// byte for byte the one saveLinks writes of BuildLinks's index.
//
// Both files are given their blocks (fallocate) before they are mapped,
// so that a full disk is an error here, not a fault on a write through the
// map; where the file system cannot, or the system has no such maps, the
// index is built in memory as for any store.

// linkFileMin is the number of links (quads of link predicates) from which
// keepLinks builds the index into its file. The pages of its maps are
// dropped every tickEvery steps of the build's loops, and its rows are
// filled linkWindow edges at a time (a window of 48 MB, where a fill of
// the whole row array at once writes all over it between two drops).
// (Variables for tests.)
var (
	linkFileMin = 1 << 20
	tickEvery   = 1 << 18
	linkWindow  = 1 << 22
)

// errNoMaps says the link index cannot be built into maps of files here.
var errNoMaps = errors.New("graph: no writable file maps here")

// pager drops the pages of the build's maps: every tick, those of the
// part it reads or writes in order now (its stream); at the end of each
// window of rows, all of them (the window's pages are written all over
// between two ticks; dropping them each tick would fault them in again,
// a write fault a page).
type pager struct {
	maps   [][]byte
	stream []byte
}

// streaming sets the stream to m[lo:hi] (from the page holding lo).
func (p *pager) streaming(m []byte, lo, hi int) {
	p.stream = m[lo&^(os.Getpagesize()-1) : hi]
}

func (p *pager) tick() { dropMapped(p.stream) }

func (p *pager) dropAll() {
	for _, m := range p.maps {
		dropMapped(m)
	}
}

// writeLinks builds the link index of the store in the state st into its
// cache file. It reports whether it wrote it or gave up for good (the disk
// is full, the store changed); false when it cannot here (a store kept in
// a database, an index under linkFileMin links, no maps of files), and the
// index is best built in memory.
func (db *DB) writeLinks(ctx context.Context, st quadstore.Stamp) bool {
	if _, ok := unshared(db.qs).(dbKeeper); ok || db.dir == "" || db.opts.InMemory {
		return false
	}
	v := db.qs.Version()
	preds, want, err := db.linkPreds(ctx, nil)
	if err != nil || want < linkFileMin || want == 0 {
		return false
	}
	p := &pager{}
	defer func() {
		for _, m := range p.maps {
			unmapRW(m)
		}
	}()
	scratch, err := scratchMap(db.dir, 12*want)
	if err != nil {
		return !errors.Is(err, errNoMaps)
	}
	p.maps = append(p.maps, scratch)
	p.streaming(scratch, 0, len(scratch))
	rs := unsafe.Slice((*link)(unsafe.Pointer(&scratch[0])), want)[:0]
	b, err := db.readLinks(ctx, preds, rs, p.tick)
	if errors.Is(err, errMoreLinks) {
		return false // built in memory, which grows as it reads
	}
	if err != nil {
		return true // as a build in memory would fail
	}
	b.window = p.dropAll
	l := b.l
	n, np, nl, maxID, nEd := len(l.ids), len(l.PredRefs), len(b.labelIDs), len(l.dense)-1, b.links
	size := linkCacheHdrLen + linkCacheSize(n, np, nl, maxID, nEd)
	predIDs := make([]uint64, np)
	for i, r := range l.PredRefs {
		id, ok := db.qs.NodeID(r)
		if !ok {
			return true
		}
		predIDs[i] = id
	}
	var werr error
	writeCacheFile(db.dir, quadstore.CacheFile, func(f *os.File) error {
		if werr = reserveRW(f, size); werr != nil {
			return werr
		}
		m, err := mapRW(f, size)
		if err != nil {
			werr = err
			return err
		}
		p.maps = append(p.maps, m)
		// The index's sections are its slices, in the map: those built
		// so far are copied there, the rows filled there.
		off := linkCacheHdrLen
		section := func(count, width int) unsafe.Pointer {
			if count == 0 {
				return nil // an empty section, perhaps at the file's end
			}
			ptr := unsafe.Pointer(&m[off])
			off += pad8(count * width)
			return ptr
		}
		// (Each copy's pages are dropped as soon as it is made: the
		// numbering at 10^8 quads is 0.5 GB.)
		l.ids = copyTo(p, unsafe.Slice((*uint64)(section(n, 8)), n), l.ids)
		copyTo(p, unsafe.Slice((*uint64)(section(np, 8)), np), predIDs)
		copyTo(p, unsafe.Slice((*uint64)(section(nl, 8)), nl), b.labelIDs)
		copyTo(p, unsafe.Slice((*Strength)(section(nl, 1)), nl), l.strength)
		l.outStart = copyTo(p, unsafe.Slice((*int32)(section(n+1, 4)), n+1), l.outStart)
		l.inStart = copyTo(p, unsafe.Slice((*int32)(section(n+1, 4)), n+1), l.inStart)
		l.dense = copyTo(p, unsafe.Slice((*int32)(section(maxID+1, 4)), maxID+1), l.dense)
		outAt := off
		l.out = unsafe.Slice((*Edge)(section(nEd, 12)), nEd)
		l.in = unsafe.Slice((*Edge)(section(nEd, 12)), nEd)
		if off != size {
			werr = fmt.Errorf("graph: link cache of %d bytes, want %d", off, size)
			return werr
		}
		// What the numbering held in memory is now in the map: let it go.
		b.labelIDs = nil
		debug.FreeOSMemory()
		b.fillOut(linkWindow)
		b.rs = nil
		unmapRW(p.maps[0])
		p.maps = p.maps[1:]
		p.streaming(m, outAt, outAt+12*nEd)
		b.fillIn(linkWindow)
		p.streaming(m, 0, size)
		b.sortRows()
		// The checksum, a few MB at a time, then the header.
		var sum uint32
		for at := linkCacheHdrLen; at < size; at += 4 << 20 {
			sum = crc32.Update(sum, crc32.IEEETable, m[at:min(at+4<<20, size)])
			p.tick()
		}
		hdr := linkCacheHeader(st, n, np, nl, maxID, nEd, l.has)
		setLinkCacheSum(hdr, sum)
		copy(m, hdr)
		unmapRW(m)
		p.maps = p.maps[:0]
		// Kept only if the store is as it was when the build began.
		if st2, ok := db.stamp(ctx); !ok || st2 != st || db.qs.Version() != v {
			werr = errors.New("graph: the store changed while its link index was built")
			return werr
		}
		return nil
	})
	return !errors.Is(werr, errNoMaps)
}

// copyTo copies from into to, in a map of p, drops the map's pages and
// returns to.
func copyTo[T any](p *pager, to, from []T) []T {
	copy(to, from)
	p.dropAll()
	return to
}

// scratchMap returns a shared map of size bytes of a new file in dir,
// already removed: it goes when it is unmapped.
func scratchMap(dir string, size int) ([]byte, error) {
	f, err := os.CreateTemp(dir, quadstore.CacheFile+".*.tmp")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	defer os.Remove(f.Name())
	if err := reserveRW(f, size); err != nil {
		return nil, err
	}
	return mapRW(f, size)
}
