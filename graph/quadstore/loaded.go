package quadstore

import (
	"context"
	"slices"

	"github.com/cayleygraph/quad"
)

// loadedGraph is the graph a bulk load just wrote, as it held it: its quads
// packed in the P index's order and which of its nodes are literals. Right
// after a load into an empty store the link index is built (graph's
// keepLinks), reading every quad of every link predicate and every value
// once (ScanPredicate, LiteralIDs): from Badger that took about 70 ms of a
// Movies load, from this about 25. It answers only while
// the store is as the load left it (version), and goes with
// ForgetLoaded, Close or the first read after a change.
type loadedGraph struct {
	version uint64
	p       quadPacking
	keys    []uint64 // the quads packed in the P index's order, each once
	literal []uint64 // a bit an id, set for a literal
}

// loaded returns the builder's graph, its quads packed by p in the P
// index's order as keys (its version is set once the load is recorded).
func (b *bulkBuilder) loaded(p quadPacking, keys []uint64) *loadedGraph {
	n := b.values()
	g := &loadedGraph{p: p, keys: keys, literal: make([]uint64, n/64+1)}
	for id := 1; id <= n; id++ {
		if literalEncoding(b.value(uint32(id))) {
			g.literal[id/64] |= 1 << (id % 64)
		}
	}
	return g
}

// loadedNow returns the loaded graph if the store is as the load left it,
// and forgets it otherwise.
func (s *QuadStore) loadedNow() *loadedGraph {
	g := s.loaded.Load()
	if g != nil && g.version != s.version.Load() {
		s.loaded.CompareAndSwap(g, nil)
		return nil
	}
	return g
}

// ForgetLoaded lets go of the graph a bulk load held for the reads that
// follow it (the link index's); they read the store from then on.
func (s *QuadStore) ForgetLoaded() { s.loaded.Store(nil) }

// scanPredicate is ScanPredicate from the loaded graph: the quads of
// predicate id in the P index's order.
func (g *loadedGraph) scanPredicate(ctx context.Context, id uint64, fn func(subj, obj, label uint64)) error {
	x := &indexes[quad.Predicate-1]
	shift := g.p.bits * uint(g.p.dirs-1)
	if id >= 1<<g.p.bits {
		return nil // not a node of the load
	}
	lo, _ := slices.BinarySearch(g.keys, id<<shift)
	for i := lo; i < len(g.keys) && g.keys[i]>>shift == id; i++ {
		if (i-lo)&8191 == 8191 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		q := g.p.unpack(g.keys[i], x)
		fn(uint64(q[quad.Subject-1]), uint64(q[quad.Object-1]), uint64(q[quad.Label-1]))
	}
	return nil
}

// isLiteral reports whether node id of the load is a literal.
func (g *loadedGraph) isLiteral(id uint64) bool {
	return id/64 < uint64(len(g.literal)) && g.literal[id/64]&(1<<(id%64)) != 0
}
