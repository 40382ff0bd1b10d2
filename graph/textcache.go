package graph

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strings"
	"unicode"
	"unsafe"

	"github.com/entente-kg/entente/graph/quadstore"
)

// The full-text index of a store on disk is kept beside it, in the file
// quadstore.TextCacheFile, as the link index is (linkcache.go): so that a
// fresh process answering one search does not read every text of the
// store and invert them again (0.2 s on the 30k-movie graph, seconds at
// 10^7 quads). It is a cache on the same terms: used only when its stamp
// is the store's current quadstore.Stamp, its checksum holds and this
// layout on a machine of the same byte order wrote it; otherwise the
// index is built from the store and the file written again, best effort.
// It is written by the first search after the store changed, not by
// loads.
//
// Layout: a header, then the sections, each a whole number of 8-byte
// words, in the machine's byte order:
//
//	header: magic "ENTTEXT1", layout version u32, byte-order probe u32,
//	        the Unicode version of the Go that wrote it [16] (words are
//	        split by its tables), store stamp [40], docs, terms, postings, statements, evidence,
//	        text bytes, term bytes, evidence bytes (u64 each), each
//	        field's mean length [7]f64, CRC-32 (IEEE) of the header before
//	        it and of the sections u32, pad u32
//	docs     owner, evidence, text offset (u64 each), text length u32,
//	         words u32, field u64: 40 bytes a text
//	termOff  []u64 (terms+1): the terms, in order, in the term bytes
//	start    []i32 (terms+1): each term's postings
//	posts    []posting (doc, position: i32 each)
//	stmts    id, subject, predicate, object (u64 each)
//	evs      id, statement, locator offset, source offset (u64 each),
//	         locator and source lengths (u32 each): 40 bytes each
//	texts, terms, evidence strings: the bytes
const (
	textCacheMagic   = "ENTTEXT1"
	textCacheVersion = 1  // bump when buildTextIndex, Tokenize or this layout changes
	textCacheUnicode = 16 // bytes of unicode.Version in the header
	textCacheHdrLen  = 8 + 4 + 4 + textCacheUnicode + quadstore.StampLen + 8*8 + 8*int(numTextFields) + 4 + 4
	textDocLen       = 40
	textEvLen        = 40
)

// textCacheSize is the size of the sections of a text cache of these
// counts.
func textCacheSize(nDocs, nTerms, nPosts, nStmts, nEvs, textB, termB, evB uint64) uint64 {
	p := func(n uint64) uint64 { return (n + 7) &^ 7 }
	return textDocLen*nDocs + 8*(nTerms+1) + p(4*(nTerms+1)) + 8*nPosts +
		32*nStmts + textEvLen*nEvs + p(textB) + p(termB) + p(evB)
}

// textCacheUnicodeVersion is unicode.Version as the header holds it.
func textCacheUnicodeVersion() []byte {
	v := make([]byte, textCacheUnicode)
	copy(v, unicode.Version)
	return v
}

// saveText writes ix, the full-text index of the store in the state st,
// to the store's text cache file. Errors are ignored: it is a cache. The
// sections are streamed to the file a chunk at a time (a buffer of the
// whole file, 6 MB for Movies, cost a page fault a page), the checksum
// taken as they go and the header written last.
func (db *DB) saveText(ix *TextIndex, st quadstore.Stamp) {
	ne := binary.NativeEndian
	var textB, termB, evB int
	for _, d := range ix.docs {
		textB += len(d.text)
	}
	for _, t := range ix.sorted {
		termB += len(t)
	}
	for _, e := range ix.evs {
		evB += len(e.locator) + len(e.source)
	}
	nDocs, nTerms, nPosts, nStmts, nEvs := len(ix.docs), len(ix.sorted), len(ix.posts), len(ix.stmts), len(ix.evs)
	size := textCacheSize(uint64(nDocs), uint64(nTerms), uint64(nPosts), uint64(nStmts), uint64(nEvs), uint64(textB), uint64(termB), uint64(evB))
	hdr := make([]byte, textCacheHdrLen)
	copy(hdr, textCacheMagic)
	ne.PutUint32(hdr[8:], textCacheVersion)
	ne.PutUint32(hdr[12:], linkCacheProbe)
	copy(hdr[16:], textCacheUnicodeVersion())
	h := hdr[16+textCacheUnicode:]
	copy(h, st[:])
	h = h[quadstore.StampLen:]
	for i, v := range []int{nDocs, nTerms, nPosts, nStmts, nEvs, textB, termB, evB} {
		ne.PutUint64(h[8*i:], uint64(v))
	}
	h = h[64:]
	for f, v := range ix.avgLen {
		ne.PutUint64(h[8*f:], math.Float64bits(v))
	}
	db.writeKept(quadstore.TextCacheFile, st, func(f keptWriter) error {
		if _, err := f.Write(hdr); err != nil { // its checksum written last
			return err
		}
		w := &chunkWriter{f: f, sum: crc32.Update(0, crc32.IEEETable, hdr[:textCacheHdrLen-8])}
		off := uint64(0)
		for _, d := range ix.docs {
			w.b = ne.AppendUint64(w.b, d.owner)
			w.b = ne.AppendUint64(w.b, d.ev)
			w.b = ne.AppendUint64(w.b, off)
			w.b = ne.AppendUint32(w.b, uint32(len(d.text)))
			w.b = ne.AppendUint32(w.b, uint32(d.n))
			w.b = ne.AppendUint64(w.b, uint64(d.field))
			off += uint64(len(d.text))
			w.spill()
		}
		off = 0
		for _, t := range ix.sorted {
			w.b = ne.AppendUint64(w.b, off)
			off += uint64(len(t))
			w.spill()
		}
		w.b = ne.AppendUint64(w.b, off)
		for _, v := range ix.start {
			w.b = ne.AppendUint32(w.b, uint32(v))
			w.spill()
		}
		w.pad()
		for _, p := range ix.posts {
			w.b = ne.AppendUint32(w.b, uint32(p.doc))
			w.b = ne.AppendUint32(w.b, uint32(p.pos))
			w.spill()
		}
		for id, t := range ix.stmts {
			w.b = ne.AppendUint64(w.b, id)
			w.b = ne.AppendUint64(w.b, t.s)
			w.b = ne.AppendUint64(w.b, t.p)
			w.b = ne.AppendUint64(w.b, t.o)
			w.spill()
		}
		var evs []byte
		for id, e := range ix.evs {
			w.b = ne.AppendUint64(w.b, id)
			w.b = ne.AppendUint64(w.b, e.stmt)
			w.b = ne.AppendUint64(w.b, uint64(len(evs)))
			evs = append(evs, e.locator...)
			w.b = ne.AppendUint64(w.b, uint64(len(evs)))
			evs = append(evs, e.source...)
			w.b = ne.AppendUint32(w.b, uint32(len(e.locator)))
			w.b = ne.AppendUint32(w.b, uint32(len(e.source)))
			w.spill()
		}
		for _, d := range ix.docs {
			w.b = append(w.b, d.text...)
			w.spill()
		}
		w.pad()
		for _, t := range ix.sorted {
			w.b = append(w.b, t...)
			w.spill()
		}
		w.pad()
		w.b = append(w.b, evs...)
		w.pad()
		w.flush()
		if w.err != nil {
			return w.err
		}
		if uint64(w.n) != size {
			return fmt.Errorf("graph: text cache of %d bytes, want %d", w.n, size)
		}
		ne.PutUint32(hdr[textCacheHdrLen-8:], w.sum)
		_, err := f.WriteAt(hdr, 0)
		return err
	})
}

// chunkWriter writes a cache file's sections a chunk at a time, taking
// their checksum as it goes: the sections are appended to b, and spill
// writes b out once it holds a chunk.
type chunkWriter struct {
	f   io.Writer
	b   []byte
	n   int64 // bytes written and in b
	sum uint32
	err error
}

const cacheChunk = 256 << 10

// spill writes out what b holds once it is a chunk.
func (w *chunkWriter) spill() {
	if len(w.b) >= cacheChunk {
		w.flush()
	}
}

// flush writes out what b holds.
func (w *chunkWriter) flush() {
	if w.b == nil {
		w.b = make([]byte, 0, cacheChunk+4096)
	}
	if len(w.b) == 0 {
		return
	}
	w.sum = crc32.Update(w.sum, crc32.IEEETable, w.b)
	w.n += int64(len(w.b))
	if w.err == nil {
		_, w.err = w.f.Write(w.b)
	}
	w.b = w.b[:0]
}

// pad pads the sections written so far to a multiple of 8 bytes.
func (w *chunkWriter) pad() {
	for (w.n+int64(len(w.b)))%8 != 0 {
		w.b = append(w.b, 0)
	}
}

// loadText reads the store's full-text index from its cache file; nil
// when there is none that matches the store as it is. The texts and terms
// are strings over the file's bytes (mapped, when large, for the life of
// the process, as the link cache is).
func (db *DB) loadText(ctx context.Context, st quadstore.Stamp) *TextIndex {
	f, ok := db.openKept(ctx, quadstore.TextCacheFile, st)
	if !ok {
		return nil
	}
	defer f.Close()
	hdr := make([]byte, textCacheHdrLen)
	if _, err := f.ReadAt(hdr, 0); err != nil || string(hdr[:8]) != textCacheMagic {
		return nil
	}
	ne := binary.NativeEndian
	if ne.Uint32(hdr[8:]) != textCacheVersion || ne.Uint32(hdr[12:]) != linkCacheProbe ||
		string(hdr[16:16+textCacheUnicode]) != string(textCacheUnicodeVersion()) {
		return nil
	}
	h := hdr[16+textCacheUnicode:]
	if string(h[:quadstore.StampLen]) != string(st[:]) {
		return nil
	}
	h = h[quadstore.StampLen:]
	var c [8]uint64
	for i := range c {
		c[i] = ne.Uint64(h[8*i:])
		if c[i] > 1<<40 {
			return nil
		}
	}
	nDocs, nTerms, nPosts, nStmts, nEvs, textB, termB, evB := c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]
	if nDocs >= 1<<31 || nTerms >= 1<<31 || nPosts >= 1<<31 {
		return nil
	}
	h = h[64:]
	ix := &TextIndex{qs: db.qs}
	for f := range ix.avgLen {
		v := math.Float64frombits(ne.Uint64(h[8*f:]))
		if !(v >= 0 && v <= math.MaxInt32) { // not NaN, not negative, at most a text's words
			return nil
		}
		ix.avgLen[f] = v
	}
	sum := ne.Uint32(hdr[textCacheHdrLen-8:])
	size := textCacheSize(nDocs, nTerms, nPosts, nStmts, nEvs, textB, termB, evB)
	if fsize := f.Size(); fsize < 0 || uint64(fsize) != uint64(textCacheHdrLen)+size || size > uint64(math.MaxInt-textCacheHdrLen) {
		return nil
	}
	b, err := f.Bytes(textCacheHdrLen + int(size))
	if err != nil || string(b[:textCacheHdrLen]) != string(hdr) || uintptr(unsafe.Pointer(&b[0]))%8 != 0 {
		return nil
	}
	if crc32.Update(crc32.ChecksumIEEE(b[:textCacheHdrLen-8]), crc32.IEEETable, b[textCacheHdrLen:]) != sum {
		return nil
	}
	// The sections, in place; every offset and id is checked before it
	// is used (the checksum makes a damaged file unlikely; a wrong one
	// must not panic later).
	off := textCacheHdrLen
	next := func(n int) []byte {
		s := b[off : off+n]
		off += pad8(n)
		return s
	}
	docs := next(textDocLen * int(nDocs))
	termOff := unsafe.Slice((*uint64)(unsafe.Pointer(&b[off])), nTerms+1)
	off += 8 * int(nTerms+1)
	ix.start = unsafe.Slice((*int32)(unsafe.Pointer(&b[off])), nTerms+1)
	off += pad8(4 * int(nTerms+1))
	if nPosts > 0 {
		ix.posts = unsafe.Slice((*posting)(unsafe.Pointer(&b[off])), nPosts)
	}
	off += 8 * int(nPosts)
	stmts := next(32 * int(nStmts))
	evs := next(textEvLen * int(nEvs))
	texts, terms, evStrs := next(int(textB)), next(int(termB)), next(int(evB))
	str := func(blob []byte, at, n uint64) (string, bool) {
		if at > uint64(len(blob)) || n > uint64(len(blob))-at {
			return "", false
		}
		if n == 0 {
			return "", true
		}
		return unsafe.String(&blob[at], int(n)), true
	}

	ix.docs = make([]textDoc, nDocs)
	for i := range ix.docs {
		r := docs[textDocLen*i:]
		d := textDoc{owner: ne.Uint64(r), ev: ne.Uint64(r[8:]), n: int32(ne.Uint32(r[28:])), field: TextField(ne.Uint64(r[32:]))}
		var ok bool
		if d.text, ok = str(texts, ne.Uint64(r[16:]), uint64(ne.Uint32(r[24:]))); !ok || ne.Uint64(r[32:]) >= uint64(numTextFields) || d.n < 0 {
			return nil
		}
		ix.docs[i] = d
	}
	if termOff[0] != 0 || termOff[nTerms] != termB {
		return nil
	}
	ix.sorted = make([]string, nTerms)
	for i := range ix.sorted {
		at, end := termOff[i], termOff[i+1]
		t, ok := str(terms, at, end-at)
		if !ok || end < at || (i > 0 && strings.Compare(ix.sorted[i-1], t) >= 0) {
			return nil // binary searches need the terms in order, each once
		}
		ix.sorted[i] = t
	}
	if ix.start[0] != 0 || uint64(ix.start[nTerms]) != nPosts {
		return nil
	}
	// Each term's postings: in texts that exist, at words they have,
	// in text order, each once (the counts and phrases rely on it).
	for t := range nTerms {
		if ix.start[t] > ix.start[t+1] {
			return nil
		}
		prev := posting{-1, -1}
		for _, p := range ix.posts[ix.start[t]:ix.start[t+1]] {
			if p.doc < 0 || uint64(p.doc) >= nDocs || p.pos < 0 || p.pos >= ix.docs[p.doc].n ||
				p.doc < prev.doc || (p.doc == prev.doc && p.pos <= prev.pos) {
				return nil
			}
			prev = p
		}
	}
	ix.stmts = make(map[uint64]stmtTriple, nStmts)
	for i := range int(nStmts) {
		r := stmts[32*i:]
		ix.stmts[ne.Uint64(r)] = stmtTriple{ne.Uint64(r[8:]), ne.Uint64(r[16:]), ne.Uint64(r[24:])}
	}
	if uint64(len(ix.stmts)) != nStmts {
		return nil // an id twice
	}
	ix.evs = make(map[uint64]evInfo, nEvs)
	for i := range int(nEvs) {
		r := evs[textEvLen*i:]
		loc, ok1 := str(evStrs, ne.Uint64(r[16:]), uint64(ne.Uint32(r[32:])))
		src, ok2 := str(evStrs, ne.Uint64(r[24:]), uint64(ne.Uint32(r[36:])))
		if !ok1 || !ok2 {
			return nil
		}
		ix.evs[ne.Uint64(r)] = evInfo{stmt: ne.Uint64(r[8:]), locator: loc, source: src}
	}
	if uint64(len(ix.evs)) != nEvs {
		return nil
	}
	return ix
}
