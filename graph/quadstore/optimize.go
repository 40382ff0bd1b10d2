package quadstore

import (
	"context"

	"github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/cayley/graph/iterator"
	"github.com/cayleygraph/cayley/query/shape"
)

var _ shape.Optimizer = (*QuadStore)(nil)

// OptimizeShape turns a set of quads filtered on several directions (what
// Gizmo's out("<name>") from a fixed node becomes) into one prefix scan of
// the index that covers most of the filter, instead of an intersection of
// one scan per direction.
func (s *QuadStore) OptimizeShape(ctx context.Context, sh shape.Shape) (shape.Shape, bool) {
	qa, ok := sh.(shape.QuadsAction)
	if !ok || len(qa.Filter) == 0 {
		return sh, false
	}
	var c constraint
	for d, r := range qa.Filter {
		if d < 1 || d > 4 {
			return sh, false
		}
		id, ok := s.nodeID(r)
		if !ok {
			if _, isNode := r.(nodeRef); isNode || r == nil {
				return shape.Null{}, true
			}
			// A reference this store did not make: leave it to Cayley.
			return sh, false
		}
		c[d-1] = id
	}
	return qa.SimplifyFrom(indexScan{c: c}), true
}

// indexScan is the shape of a constrained quad scan.
type indexScan struct{ c constraint }

func (sh indexScan) BuildIterator(qs graph.QuadStore) iterator.Shape {
	s, ok := graph.Unwrap(qs).(*QuadStore)
	if !ok {
		return iterator.NewNull()
	}
	return s.newQuadShape(sh.c)
}

func (sh indexScan) Optimize(ctx context.Context, r shape.Optimizer) (shape.Shape, bool) {
	return sh, false
}
