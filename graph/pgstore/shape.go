package pgstore

import (
	"context"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/cayley/graph/iterator"
	csql "github.com/cayleygraph/cayley/graph/sql"
	"github.com/cayleygraph/cayley/query/shape"
)

// Cayley's SQL optimizer turns query shapes into SQL (csql.Select), and a
// Select builds its iterator only on Cayley's own *csql.QuadStore, not on
// a store wrapping it. OptimizeShape therefore hands the optimizer the
// shapes it knows (unwrapping the children it inspects, so that it still
// merges them into one query) and wraps what it returns in onSQL, which
// builds the shape's iterators on the inner store.

// onSQL is a shape optimized into SQL, built on Cayley's SQL store.
type onSQL struct {
	shape.Shape
	qs *csql.QuadStore
}

func (s onSQL) BuildIterator(cgraph.QuadStore) iterator.Shape { return s.Shape.BuildIterator(s.qs) }

func (s onSQL) Optimize(ctx context.Context, r shape.Optimizer) (shape.Shape, bool) {
	in, ok := s.Shape.Optimize(ctx, r)
	if !ok {
		return s, false
	}
	return onSQL{in, s.qs}, true
}

func unwrap(s shape.Shape) shape.Shape {
	if w, ok := s.(onSQL); ok {
		return w.Shape
	}
	return s
}

// OptimizeShape optimizes a shape into SQL where Cayley's SQL store can.
func (s *Store) OptimizeShape(ctx context.Context, sh shape.Shape) (shape.Shape, bool) {
	orig := sh
	switch x := sh.(type) {
	case shape.Quads:
		y := make(shape.Quads, len(x))
		for i, f := range x {
			f.Values = unwrap(f.Values)
			y[i] = f
		}
		sh = y
	case shape.Intersect:
		y := make(shape.Intersect, len(x))
		for i, c := range x {
			y[i] = unwrap(c)
		}
		sh = y
	case shape.NodesFrom:
		x.Quads = unwrap(x.Quads)
		sh = x
	case shape.Save:
		x.From = unwrap(x.From)
		sh = x
	case shape.Page:
		x.From = unwrap(x.From)
		sh = x
	case shape.Filter:
		x.From = unwrap(x.From)
		sh = x
	}
	out, ok := s.QuadStore.OptimizeShape(ctx, sh)
	if !ok {
		return orig, false
	}
	return onSQL{out, s.QuadStore}, true
}
