package quadstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/cayley/graph/iterator"
	"github.com/cayleygraph/cayley/graph/refs"
	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
)

// A constraint fixes node ids by direction; 0 leaves a direction free.
type constraint quadIDs

func (c constraint) match(q quadIDs) bool {
	for i, id := range c {
		if id != 0 && q[i] != id {
			return false
		}
	}
	return true
}

func (c constraint) count() int {
	n := 0
	for _, id := range c {
		if id != 0 {
			n++
		}
	}
	return n
}

// plan picks the index whose leading directions cover the most fixed
// directions, and the length of the scan prefix in directions.
func (c constraint) plan() (*index, int) {
	best, bestN := primary, 0
	for i := range indexes {
		x := &indexes[i]
		n := 0
		for _, d := range x.dirs {
			if c[d-1] == 0 {
				break
			}
			n++
		}
		if n > bestN {
			best, bestN = x, n
		}
	}
	return best, bestN
}

// quadShape is the set of quads matching a constraint: one prefix scan of
// the best index, filtered by the directions the prefix does not cover.
type quadShape struct {
	s      *QuadStore
	c      constraint
	x      *index
	prefix []byte
	n      int // directions covered by the prefix
	size   refs.Size
	sized  bool
}

var _ iterator.Shape = (*quadShape)(nil)

func (s *QuadStore) newQuadShape(c constraint) *quadShape {
	x, n := c.plan()
	return &quadShape{s: s, c: c, x: x, n: n, prefix: x.scanPrefix(nil, quadIDs(c), n)}
}

func (it *quadShape) String() string {
	var b strings.Builder
	b.WriteString("EntenteQuads(")
	sep := ""
	for i, id := range it.c {
		if id != 0 {
			fmt.Fprintf(&b, "%s%v=%d", sep, quad.Direction(i+1), id)
			sep = ","
		}
	}
	b.WriteString(")")
	return b.String()
}

func (it *quadShape) Iterate() iterator.Scanner {
	return &quadScanner{s: it.s, x: it.x, prefix: it.prefix, c: it.c, exact: it.c.count() == it.n}
}

func (it *quadShape) Lookup() iterator.Index {
	return &quadIndex{s: it.s, c: it.c}
}

func (it *quadShape) SubIterators() []iterator.Shape { return nil }

func (it *quadShape) Optimize(ctx context.Context) (iterator.Shape, bool) { return it, false }

func (it *quadShape) Stats(ctx context.Context) (iterator.Costs, error) {
	sz, err := it.estimate()
	contains := int64(1)
	if it.c.count() == 0 {
		contains = 2 // a key lookup
	}
	return iterator.Costs{ContainsCost: contains, NextCost: 1, Size: sz}, err
}

// estimate returns the number of matching quads: exact for a single fixed
// direction or none, an upper bound otherwise (the smallest degree), made
// exact by counting when that bound is small.
func (it *quadShape) estimate() (refs.Size, error) {
	if it.sized {
		return it.size, nil
	}
	var sz refs.Size
	if it.c.count() == 0 {
		sz = refs.Size{Value: it.s.nquads.Load(), Exact: true}
	} else {
		var min int64 = -1
		err := it.s.view(func(txn *badger.Txn) error {
			for i, id := range it.c {
				if id == 0 {
					continue
				}
				n, err := readCount(txn, quad.Direction(i+1), id)
				if err != nil {
					return err
				}
				if min < 0 || n < min {
					min = n
				}
			}
			return nil
		})
		if err != nil {
			return refs.Size{}, err
		}
		sz = refs.Size{Value: min, Exact: it.c.count() == 1}
		if !sz.Exact && min <= 64 {
			n, err := it.countScan()
			if err != nil {
				return refs.Size{}, err
			}
			sz = refs.Size{Value: n, Exact: true}
		}
	}
	it.size, it.sized = sz, true
	return sz, nil
}

// countScan counts the matching quads by scanning.
func (it *quadShape) countScan() (int64, error) {
	sc := it.Iterate()
	defer sc.Close()
	var n int64
	for sc.Next(context.Background()) {
		n++
	}
	return n, sc.Err()
}

// quadScanner lists the quads of a quadShape in index order.
type quadScanner struct {
	s      *QuadStore
	x      *index
	prefix []byte
	c      constraint
	exact  bool // the prefix covers every fixed direction

	txn  *badger.Txn
	it   *badger.Iterator
	done bool
	cur  quadRef
	err  error
	n    int

	// A scan of one node or predicate is read from the postings cache
	// when it holds it (cached, from position pos), else from Badger and
	// kept there once whole (fill, read at version; nil once too long).
	cacheable bool
	cached    []quadIDs
	pos       int
	fill      []quadIDs
	version   uint64
	small     [8]quadIDs // fill's first quads, without an allocation
}

func (sc *quadScanner) open() bool {
	if sc.s.closed.Load() {
		sc.err = ErrClosed
		return false
	}
	sc.cacheable = len(sc.prefix) == 1+8 // one direction fixed
	if sc.cacheable {
		sc.version = sc.s.version.Load()
		if qs, ok := sc.s.postings.get(sc.prefix, sc.version); ok {
			sc.cached = qs
			return true
		}
		sc.fill = sc.small[:0]
	}
	sc.txn = sc.s.readTxn()
	sc.it = sc.txn.NewIterator(badger.IteratorOptions{Prefix: sc.prefix, PrefetchValues: false})
	sc.it.Seek(sc.prefix)
	return true
}

func (sc *quadScanner) Next(ctx context.Context) bool {
	if sc.done || sc.err != nil {
		return false
	}
	if sc.it == nil && sc.cached == nil {
		if !sc.open() {
			return false
		}
	} else if sc.it != nil {
		sc.it.Next()
	}
	if sc.cached != nil {
		return sc.nextCached(ctx)
	}
	for ; sc.it.Valid(); sc.it.Next() {
		if sc.n++; sc.n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				sc.err = err
				sc.release()
				return false
			}
		}
		k := sc.it.Item().Key()
		if len(k) != quadKeyLen {
			sc.err = fmt.Errorf("%w: quad key of %d bytes", ErrCorrupt, len(k))
			sc.release()
			return false
		}
		q := sc.x.decode(k)
		if sc.fill != nil {
			if len(sc.fill) < postingsMaxQuads {
				sc.fill = append(sc.fill, q)
			} else {
				sc.fill = nil // too long to keep
			}
		}
		if !sc.exact && !sc.c.match(q) {
			continue
		}
		sc.cur = quadRef(q)
		return true
	}
	if sc.fill != nil { // the whole scan: keep it
		sc.s.postings.put(sc.prefix, sc.version, sc.fill)
		sc.fill = nil
	}
	sc.release()
	return false
}

// nextCached is Next over a scan the postings cache held.
func (sc *quadScanner) nextCached(ctx context.Context) bool {
	for sc.pos < len(sc.cached) {
		q := sc.cached[sc.pos]
		sc.pos++
		if sc.n++; sc.n&1023 == 1 {
			if err := ctx.Err(); err != nil {
				sc.err = err
				sc.release()
				return false
			}
		}
		if !sc.exact && !sc.c.match(q) {
			continue
		}
		sc.cur = quadRef(q)
		return true
	}
	sc.release()
	return false
}

func (sc *quadScanner) release() {
	sc.done = true
	sc.cached, sc.fill = nil, nil
	if sc.it != nil {
		sc.it.Close()
		sc.s.endRead(sc.txn)
		sc.it, sc.txn = nil, nil
	}
}

func (sc *quadScanner) Result() graph.Ref {
	if sc.cur == (quadRef{}) {
		return nil
	}
	return sc.cur
}

func (sc *quadScanner) NextPath(ctx context.Context) bool { return false }
func (sc *quadScanner) TagResults(map[string]graph.Ref)   {}
func (sc *quadScanner) Err() error                        { return sc.err }
func (sc *quadScanner) String() string                    { return "EntenteQuadsNext" }
func (sc *quadScanner) Close() error {
	sc.release()
	return nil
}

// quadIndex answers Contains for a quadShape. A quad reference carries its
// node ids, so a constrained check needs no I/O; the unconstrained one (all
// quads) checks that the quad is stored.
type quadIndex struct {
	s   *QuadStore
	c   constraint
	cur quadRef
	err error
}

func (ix *quadIndex) Contains(ctx context.Context, r graph.Ref) bool {
	q, ok := r.(quadRef)
	if !ok || !ix.c.match(quadIDs(q)) {
		return false
	}
	if ix.c.count() == 0 {
		found, err := ix.s.hasQuad(quadIDs(q))
		if err != nil {
			ix.err = err
			return false
		}
		if !found {
			return false
		}
	}
	ix.cur = q
	return true
}

func (ix *quadIndex) Result() graph.Ref {
	if ix.cur == (quadRef{}) {
		return nil
	}
	return ix.cur
}

func (ix *quadIndex) NextPath(ctx context.Context) bool { return false }
func (ix *quadIndex) TagResults(map[string]graph.Ref)   {}
func (ix *quadIndex) Err() error                        { return ix.err }
func (ix *quadIndex) String() string                    { return "EntenteQuadsContains" }
func (ix *quadIndex) Close() error                      { return nil }

func (s *QuadStore) hasQuad(q quadIDs) (bool, error) {
	var found bool
	err := s.view(func(txn *badger.Txn) error {
		_, err := txn.Get(primary.key(nil, q))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		found = err == nil
		return err
	})
	return found, err
}

// allNodes is the set of all nodes.
type allNodes struct{ s *QuadStore }

func (it *allNodes) String() string                                      { return "EntenteAllNodes" }
func (it *allNodes) SubIterators() []iterator.Shape                      { return nil }
func (it *allNodes) Optimize(ctx context.Context) (iterator.Shape, bool) { return it, false }
func (it *allNodes) Iterate() iterator.Scanner                           { return &nodeScanner{s: it.s} }
func (it *allNodes) Lookup() iterator.Index                              { return &nodeIndex{s: it.s} }
func (it *allNodes) Stats(ctx context.Context) (iterator.Costs, error) {
	return iterator.Costs{
		ContainsCost: 2,
		NextCost:     1,
		Size:         refs.Size{Value: it.s.nnodes.Load(), Exact: true},
	}, nil
}

type nodeScanner struct {
	s    *QuadStore
	txn  *badger.Txn
	it   *badger.Iterator
	done bool
	cur  nodeRef
	err  error
	n    int
}

var nodePrefix = []byte{pfxNode}

func (sc *nodeScanner) Next(ctx context.Context) bool {
	if sc.done || sc.err != nil {
		return false
	}
	if sc.it == nil {
		if sc.s.closed.Load() {
			sc.err = ErrClosed
			return false
		}
		sc.txn = sc.s.readTxn()
		sc.it = sc.txn.NewIterator(badger.IteratorOptions{Prefix: nodePrefix, PrefetchValues: false})
		sc.it.Seek(nodePrefix)
	} else {
		sc.it.Next()
	}
	if sc.n++; sc.n&1023 == 0 {
		if err := ctx.Err(); err != nil {
			sc.err = err
			sc.release()
			return false
		}
	}
	if !sc.it.Valid() {
		sc.release()
		return false
	}
	k := sc.it.Item().Key()
	if len(k) != 9 {
		sc.err = fmt.Errorf("%w: node key of %d bytes", ErrCorrupt, len(k))
		sc.release()
		return false
	}
	sc.cur = nodeRef(u64(k[1:]))
	return true
}

func (sc *nodeScanner) release() {
	sc.done = true
	if sc.it != nil {
		sc.it.Close()
		sc.s.endRead(sc.txn)
		sc.it, sc.txn = nil, nil
	}
}

func (sc *nodeScanner) Result() graph.Ref {
	if sc.cur == 0 {
		return nil
	}
	return sc.cur
}
func (sc *nodeScanner) NextPath(ctx context.Context) bool { return false }
func (sc *nodeScanner) TagResults(map[string]graph.Ref)   {}
func (sc *nodeScanner) Err() error                        { return sc.err }
func (sc *nodeScanner) String() string                    { return "EntenteAllNodesNext" }
func (sc *nodeScanner) Close() error {
	sc.release()
	return nil
}

type nodeIndex struct {
	s   *QuadStore
	cur nodeRef
	err error
}

func (ix *nodeIndex) Contains(ctx context.Context, r graph.Ref) bool {
	id, ok := ix.s.nodeID(r)
	if !ok {
		return false
	}
	if _, ok := ix.s.names.get(id); !ok {
		err := ix.s.view(func(txn *badger.Txn) error {
			_, err := txn.Get(nodeKey(id))
			return err
		})
		if errors.Is(err, badger.ErrKeyNotFound) {
			return false
		} else if err != nil {
			ix.err = err
			return false
		}
	}
	ix.cur = nodeRef(id)
	return true
}

func (ix *nodeIndex) Result() graph.Ref {
	if ix.cur == 0 {
		return nil
	}
	return ix.cur
}
func (ix *nodeIndex) NextPath(ctx context.Context) bool { return false }
func (ix *nodeIndex) TagResults(map[string]graph.Ref)   {}
func (ix *nodeIndex) Err() error                        { return ix.err }
func (ix *nodeIndex) String() string                    { return "EntenteAllNodesContains" }
func (ix *nodeIndex) Close() error                      { return nil }
