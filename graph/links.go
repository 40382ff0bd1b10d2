package graph

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"sync"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
)

// Links is an in-memory index of a store's links — the quads between two
// nodes whose predicate is not an attribute (IsAttribute) — for path
// search and neighbourhoods. Nodes and predicates get dense numbers; each
// node's edges are stored in compressed rows, out and in. It costs about
// 24 bytes per link and 40 per node (a few tens of MB for Cayley's
// 30k-movie graph) and is built from the store in one pass over its link
// predicates. It is immutable: DB.Links rebuilds it after the store
// changes, and keeps it in a file beside a store on disk for the next
// process (linkcache.go).
type Links struct {
	ids       []uint64 // dense node number -> store node id
	dense     []int32  // store node id -> dense number, -1 if none
	idOf      func(cgraph.Ref) (uint64, bool)
	refOf     func(uint64) cgraph.Ref
	Preds     []quad.Value // dense predicate number -> predicate
	PredRefs  []cgraph.Ref
	predIndex map[cgraph.Ref]int32
	Labels    []cgraph.Ref // dense label number -> statement node; 0 is none
	outStart  []int32
	out       []Edge
	inStart   []int32
	in        []Edge
	// strength is each label's strength (status and basis); has the
	// strengths the index's links have, one bit each (strength.go).
	strength []Strength
	has      uint16
}

// Edge is one link seen from a node: the node at the other end, the
// predicate, and the statement (label) of the quad. Out edges go from the
// node to Other; in edges come from Other to the node.
type Edge struct {
	Other int32
	Pred  int32
	Label int32
}

// Len is the number of nodes with links.
func (l *Links) Len() int { return len(l.ids) }

// Node returns the store reference of the node numbered n.
func (l *Links) Node(n int32) cgraph.Ref { return l.refOf(l.ids[n]) }

// Index returns the dense number of a node reference.
func (l *Links) Index(r cgraph.Ref) (int32, bool) {
	id, ok := l.idOf(r)
	if !ok || id >= uint64(len(l.dense)) || l.dense[id] < 0 {
		return 0, false
	}
	return l.dense[id], true
}

// PredIndex returns the dense number of a predicate reference.
func (l *Links) PredIndex(r cgraph.Ref) (int32, bool) {
	i, ok := l.predIndex[r]
	return i, ok
}

// Out returns the edges from node n.
func (l *Links) Out(n int32) []Edge { return l.out[l.outStart[n]:l.outStart[n+1]] }

// In returns the edges into node n.
func (l *Links) In(n int32) []Edge { return l.in[l.inStart[n]:l.inStart[n+1]] }

// Degree is the number of links at n, both ways.
func (l *Links) Degree(n int32) int {
	return int(l.outStart[n+1]-l.outStart[n]) + int(l.inStart[n+1]-l.inStart[n])
}

type linksCache struct {
	mu      sync.Mutex
	version uint64
	links   *Links
	// read says links was read from the store's cache file (tests).
	read bool
}

// Links returns the index of the store's links, building it on first use
// and after the store changed.
func (db *DB) Links(ctx context.Context) (*Links, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	db.links.mu.Lock()
	defer db.links.mu.Unlock()
	v := db.qs.Version()
	if db.links.links != nil && db.links.version == v {
		return db.links.links, nil
	}
	// A store on disk keeps the index it had last in a file beside it
	// (linkcache.go), valid while the store is unchanged.
	st, stable := db.stamp(ctx)
	if stable {
		if l := db.loadLinks(ctx, st); l != nil {
			db.links.links, db.links.version, db.links.read = l, v, true
			return l, nil
		}
	}
	l, err := db.BuildLinks(ctx, nil)
	if err != nil {
		return nil, err
	}
	db.links.links, db.links.version, db.links.read = l, v, false
	if stable && db.qs.Version() == v {
		if st2, ok := db.stamp(ctx); ok && st2 == st {
			db.saveLinks(l, st)
		}
	}
	return l, nil
}

// BuildLinks builds an index of the links whose predicate is in preds, or,
// for nil preds, of every link predicate. Naming attribute predicates in
// preds indexes them too (walking "via type"); quads with a literal object
// are never links.
func (db *DB) BuildLinks(ctx context.Context, preds []cgraph.Ref) (*Links, error) {
	preds, want, err := db.linkPreds(ctx, preds)
	if err != nil {
		return nil, err
	}
	b, err := db.readLinks(ctx, preds, make([]link, 0, want), nil)
	if err != nil {
		return nil, err
	}
	l := b.l
	// The out rows from the links, then the in rows from the out rows,
	// so that the links and both rows are never held at once. With 64 MB
	// of links or more, what the build let go is handed back to the
	// system before each (at 4×10^7 links, 240 MB of labels and
	// strengths, then the 480 MB of links).
	big := b.links >= 1<<22
	if big {
		debug.FreeOSMemory()
	}
	l.out = make([]Edge, b.links)
	b.fillOut(0)
	b.rs = nil
	if big {
		debug.FreeOSMemory()
	}
	l.in = make([]Edge, b.links)
	b.fillIn(0)
	b.sortRows()
	l.Labels = make([]cgraph.Ref, len(b.labelIDs))
	for i, id := range b.labelIDs[1:] {
		l.Labels[i+1] = db.qs.NodeRef(id)
	}
	return l, nil
}

// link is one link while the index is built: store ids as read, then node
// and label numbers; s is droppedLink for a link left out (a literal's).
type link struct{ s, o, lbl uint32 }

const droppedLink = math.MaxUint32

// linkBuild is a link index being built: the index without its rows and
// labels, and what it is built from.
type linkBuild struct {
	l        *Links
	labelIDs []uint64 // label number -> store id, 0 (none) first
	rs       []link   // the links read, predicate by predicate
	ends     []int    // the links of predicate i are rs[ends[i-1]:ends[i]]
	links    int      // how many are kept
	// tick, when set, is called every tickEvery steps of the long loops,
	// and window after each window of rows is filled (a build into maps
	// of files drops their pages then).
	tick, window func()
}

func (b *linkBuild) ticked(k int) {
	if b.tick != nil && k%tickEvery == 0 {
		b.tick()
	}
}

// linkPreds returns preds, or for nil preds every link predicate of the
// store, and how many quads they have (an upper bound of their links).
func (db *DB) linkPreds(ctx context.Context, preds []cgraph.Ref) ([]cgraph.Ref, int, error) {
	qs := db.qs
	all, counts, err := qs.Predicates(ctx)
	if err != nil {
		return nil, 0, mapErr(err)
	}
	if preds == nil {
		for _, p := range all {
			v, err := qs.NameOf(p)
			if err != nil {
				return nil, 0, mapErr(err)
			}
			if !IsAttribute(v) {
				preds = append(preds, p)
			}
		}
	}
	n := make(map[cgraph.Ref]int64, len(all))
	for i, p := range all {
		n[p] = counts[i]
	}
	want := 0
	for _, p := range preds {
		want += int(n[p])
	}
	return preds, want, nil
}

// errMoreLinks says a store held more links than its predicates' counts,
// which sized a build into a file.
var errMoreLinks = errors.New("graph: the store has more links than its predicates' counts say")

// readLinks reads the links of preds into rs, which grows as needed
// unless tick is set (a map of a file: more links than its capacity is
// an error), numbers their nodes and labels, and counts the rows.
func (db *DB) readLinks(ctx context.Context, preds []cgraph.Ref, rs []link, tick func()) (*linkBuild, error) {
	qs := db.qs
	// Which nodes are literals is read while the predicates are scanned:
	// two passes over the store at once.
	type litResult struct {
		test func(uint64) bool
		err  error
	}
	litc := make(chan litResult, 1)
	go func() {
		test, err := qs.LiteralIDs(ctx)
		litc <- litResult{test, err}
	}()
	type strResult struct {
		list []idStrength
		err  error
	}
	strc := make(chan strResult, 1)
	go func() {
		list, err := readStrengths(ctx, qs)
		strc <- strResult{list, err}
	}()
	fail := func(err error) (*linkBuild, error) {
		<-litc
		<-strc
		return nil, err
	}
	l := &Links{
		predIndex: map[cgraph.Ref]int32{},
		idOf:      qs.NodeID,
		refOf:     qs.NodeRef,
	}
	b := &linkBuild{l: l, labelIDs: []uint64{0}, tick: tick}
	// The links are read as store ids, then numbered in place: 12 bytes a
	// link, in a slice sized once from the predicates' counts (10^8 quads
	// of B4's graph have 4×10^7 links).
	maxID := qs.MaxID()
	if maxID >= math.MaxUint32 {
		return fail(fmt.Errorf("graph: the link index numbers nodes in 32 bits; this store's ids reach %d", maxID))
	}
	fixed := tick != nil
	over := false
	for _, p := range preds {
		pv, err := qs.NameOf(p)
		if err != nil {
			return fail(mapErr(err))
		}
		pi := int32(len(l.Preds))
		l.Preds = append(l.Preds, pv)
		l.PredRefs = append(l.PredRefs, p)
		l.predIndex[p] = pi
		err = qs.ScanPredicate(ctx, p, func(s, o, lbl uint64) {
			if s > maxID || o > maxID || lbl > maxID {
				return // not a node of the store
			}
			if fixed && len(rs) == cap(rs) {
				over = true
				return
			}
			rs = append(rs, link{uint32(s), uint32(o), uint32(lbl)})
			b.ticked(len(rs))
		})
		b.ends = append(b.ends, len(rs))
		if err != nil {
			return fail(mapErr(err))
		}
	}
	if over {
		return fail(fmt.Errorf("%w (%d)", errMoreLinks, cap(rs)))
	}
	b.rs = rs
	lit, str := <-litc, <-strc
	if lit.err != nil {
		return nil, mapErr(lit.err)
	}
	if str.err != nil {
		return nil, mapErr(str.err)
	}
	isLiteral := lit.test
	// Nodes and labels are numbered densely through slices indexed by
	// store id: no hashing on the hot path.
	l.dense = make([]int32, maxID+1)
	for i := range l.dense {
		l.dense[i] = -1
	}
	node := func(id uint32) int32 {
		if i := l.dense[id]; i >= 0 {
			return i
		}
		i := int32(len(l.ids))
		l.ids = append(l.ids, uint64(id))
		l.dense[id] = i
		return i
	}
	labelOf := make([]int32, maxID+1) // 0: not a label
	for k := range rs {
		b.ticked(k)
		r := &rs[k]
		if isLiteral(uint64(r.o)) || isLiteral(uint64(r.s)) {
			r.s = droppedLink
			continue
		}
		var li int32
		if r.lbl != 0 {
			if li = labelOf[r.lbl]; li == 0 {
				li = int32(len(b.labelIDs))
				b.labelIDs = append(b.labelIDs, uint64(r.lbl))
				labelOf[r.lbl] = li
			}
		}
		r.s, r.o, r.lbl = uint32(node(r.s)), uint32(node(r.o)), uint32(li)
		b.links++
	}
	// Each statement's strength (the zero Strength without status or
	// basis), and which strengths the links have.
	l.strength = make([]Strength, len(b.labelIDs))
	for _, x := range str.list {
		if x.id <= maxID {
			if li := labelOf[x.id]; li > 0 {
				l.strength[li] = x.s
			}
		}
	}
	labelOf, str.list = nil, nil
	l.has = 1 << StrengthExisting // links without a statement
	for _, st := range l.strength[1:] {
		l.has |= 1 << st
	}
	n := len(l.ids)
	l.outStart = make([]int32, n+1)
	l.inStart = make([]int32, n+1)
	for k, r := range rs {
		b.ticked(k)
		if r.s != droppedLink {
			l.outStart[r.s+1]++
			l.inStart[r.o+1]++
		}
	}
	for i := 0; i < n; i++ {
		l.outStart[i+1] += l.outStart[i]
		l.inStart[i+1] += l.inStart[i]
	}
	return b, nil
}

// fillOut fills the out rows, l.out, from the links. With a window
// (a build into maps of files), it fills the rows of about window edges
// in each pass over the links, so that what it writes stays within that
// many edges between two ticks; without, in one pass.
func (b *linkBuild) fillOut(window int) {
	l := b.l
	fill := append([]int32(nil), l.outStart[:len(l.ids)]...)
	for _, w := range rowWindows(l.outStart, window) {
		lo, hi := uint32(w[0]), uint32(w[1])
		start := 0
		for pi, end := range b.ends {
			for k, r := range b.rs[start:end] {
				b.ticked(k)
				if r.s == droppedLink || r.s < lo || r.s >= hi {
					continue
				}
				l.out[fill[r.s]] = Edge{Other: int32(r.o), Pred: int32(pi), Label: int32(r.lbl)}
				fill[r.s]++
			}
			start = end
		}
		b.windowDone()
	}
}

func (b *linkBuild) windowDone() {
	if b.window != nil {
		b.window()
	}
}

// fillIn fills the in rows, l.in, from the out rows, a window at a time
// as fillOut does.
func (b *linkBuild) fillIn(window int) {
	l := b.l
	n := len(l.ids)
	fill := append([]int32(nil), l.inStart[:n]...)
	for _, w := range rowWindows(l.inStart, window) {
		lo, hi := w[0], w[1]
		for s := range int32(n) {
			b.ticked(int(s))
			for _, e := range l.Out(s) {
				if e.Other < lo || e.Other >= hi {
					continue
				}
				l.in[fill[e.Other]] = Edge{Other: s, Pred: e.Pred, Label: e.Label}
				fill[e.Other]++
			}
		}
		b.windowDone()
	}
}

// rowWindows splits the nodes of rows starting at starts (one more than
// the nodes) into ranges [lo, hi) of about window edges or more each; one
// range of every node for a window of 0.
func rowWindows(starts []int32, window int) [][2]int32 {
	n := int32(len(starts) - 1)
	if window <= 0 {
		return [][2]int32{{0, n}}
	}
	var ws [][2]int32
	for lo := int32(0); lo < n; {
		hi := lo + 1
		for hi < n && int(starts[hi]-starts[lo]) < window {
			hi++
		}
		ws = append(ws, [2]int32{lo, hi})
		lo = hi
	}
	return ws
}

// sortRows orders each node's edges by neighbour, so that results are
// stable.
func (b *linkBuild) sortRows() {
	l := b.l
	for i := 0; i < len(l.ids); i++ {
		b.ticked(i)
		sortEdges(l.out[l.outStart[i]:l.outStart[i+1]])
		sortEdges(l.in[l.inStart[i]:l.inStart[i+1]])
	}
}

func sortEdges(es []Edge) {
	if len(es) < 2 {
		return
	}
	slices.SortFunc(es, func(a, b Edge) int {
		if c := cmp.Compare(a.Other, b.Other); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Pred, b.Pred); c != 0 {
			return c
		}
		return cmp.Compare(a.Label, b.Label)
	})
}
