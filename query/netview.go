package query

import (
	"slices"

	"github.com/entente-kg/entente/graph"
	gg "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/simple"
)

// This file is the adapter between the link index and gonum's graph
// algorithms: a netView is the graph a network statement reads — the
// nodes and links its filters (via, avoid, where, including, directed)
// allow — as a gonum graph whose node ids are the index's dense node
// numbers. Parallel relations between two nodes make one edge; mult
// counts them.

// netView is a filtered, simple view of a link index. Its adjacency is
// built once, in compressed rows, so that gonum's many calls to From are
// cheap.
type netView struct {
	l        *graph.Links
	w        *walker
	directed bool
	nodes    []int32 // the view's nodes, in index order
	in       []bool  // by node number: in the view
	// out[outStart[u]:outStart[u+1]] are the nodes one allowed hop from u
	// (both ways when undirected); inn likewise, the nodes with a hop to u.
	outStart, out []int32
	innStart, inn []int32
	// outN[k] is the number of allowed relations along the hop out[k]
	// (as mult counts them).
	outN  []int32
	links int // allowed links between nodes of the view
}

// newView builds the view of l that search s allows (Node is tested on
// every node but those of keep, which are always in the view).
func newView(l *graph.Links, s *graph.Search, directed bool, keep map[int32]bool, charge func(int) error) (*netView, error) {
	v := &netView{l: l, w: &walker{l: l, s: s, from: -1, to: -1}, directed: directed, in: make([]bool, l.Len())}
	// The rows are sized once, for at most every edge of the view's nodes
	// both ways whose predicate the search allows: growing them is most
	// of a build's time on a large graph.
	hops := 0
	for n := int32(0); int(n) < l.Len(); n++ {
		if keep[n] || s.Node == nil || s.Node(n) {
			v.in[n] = true
			if s.Pred == nil {
				hops += len(l.Out(n)) + len(l.In(n))
				continue
			}
			for _, es := range [2][]graph.Edge{l.Out(n), l.In(n)} {
				for _, e := range es {
					if s.Pred(e.Pred) {
						hops++
					}
				}
			}
		}
	}
	n := l.Len()
	v.nodes = make([]int32, 0, n)
	for u := int32(0); int(u) < n; u++ {
		if v.in[u] {
			v.nodes = append(v.nodes, u)
		}
	}
	v.out, v.outN = make([]int32, 0, hops), make([]int32, 0, hops)
	v.outStart = make([]int32, n+1)
	var buf []int32
	for u := int32(0); int(u) < n; u++ {
		if err := charge(1); err != nil {
			return nil, err
		}
		buf = buf[:0]
		if v.in[u] {
			for _, e := range l.Out(u) {
				if e.Other != u && v.in[e.Other] && v.w.allowed(graph.Link{From: u, To: e.Other, Pred: e.Pred, Label: e.Label}, false) {
					buf = append(buf, e.Other)
					v.links++
				}
			}
			for _, e := range l.In(u) {
				if e.Other != u && v.in[e.Other] && v.w.allowed(graph.Link{From: e.Other, To: u, Pred: e.Pred, Label: e.Label}, true) {
					buf = append(buf, e.Other)
				}
			}
			slices.Sort(buf)
			// Each hop once, with the number of relations along it.
			for k := 0; k < len(buf); {
				j := k + 1
				for j < len(buf) && buf[j] == buf[k] {
					j++
				}
				v.out = append(v.out, buf[k])
				v.outN = append(v.outN, int32(j-k))
				k = j
			}
		}
		v.outStart[u+1] = int32(len(v.out))
	}
	v.transpose()
	return v, nil
}

// transpose fills in the nodes with a hop to each node: the same as the
// nodes one hop from it, when undirected.
func (v *netView) transpose() {
	n := len(v.in)
	if !v.directed {
		v.innStart, v.inn = v.outStart, v.out
		return
	}
	v.innStart = make([]int32, n+1)
	for _, x := range v.out {
		v.innStart[x+1]++
	}
	for i := 0; i < n; i++ {
		v.innStart[i+1] += v.innStart[i]
	}
	v.inn = make([]int32, len(v.out))
	fill := append([]int32(nil), v.innStart[:n]...)
	for u := int32(0); int(u) < n; u++ {
		for _, x := range v.from(u) {
			v.inn[fill[x]] = u
			fill[x]++
		}
	}
}

func (v *netView) from(u int32) []int32 { return v.out[v.outStart[u]:v.outStart[u+1]] }
func (v *netView) to(u int32) []int32   { return v.inn[v.innStart[u]:v.innStart[u+1]] }

// hasHop reports whether v may be reached from u in one hop.
func (v *netView) hasHop(u, x int32) bool {
	_, ok := slices.BinarySearch(v.from(u), x)
	return ok
}

// mult is the number of allowed relations for the hop u → x.
func (v *netView) mult(u, x int32) int { return len(v.w.step(u, x)) }

// degree is the number of allowed relations at u, either way.
func (v *netView) degree(u int32) int {
	d := 0
	for _, e := range v.l.Out(u) {
		if v.in[e.Other] && v.w.allowed(graph.Link{From: u, To: e.Other, Pred: e.Pred, Label: e.Label}, false) {
			d++
		}
	}
	for _, e := range v.l.In(u) {
		if e.Other != u && v.in[e.Other] && v.w.allowed(graph.Link{From: e.Other, To: u, Pred: e.Pred, Label: e.Label}, true) {
			d++
		}
	}
	return d
}

// gnode is a node of a view as gonum sees it: its dense number.
type gnode int64

func (n gnode) ID() int64 { return int64(n) }

// nodeIter iterates over node numbers as gonum's graph.Nodes.
type nodeIter struct {
	ns []int32
	i  int
}

func (it *nodeIter) Next() bool {
	if it.i < len(it.ns) {
		it.i++
		return true
	}
	return false
}
func (it *nodeIter) Node() gg.Node {
	if it.i == 0 || it.i > len(it.ns) {
		return nil
	}
	return gnode(it.ns[it.i-1])
}
func (it *nodeIter) Len() int { return len(it.ns) - it.i }
func (it *nodeIter) Reset()   { it.i = 0 }

func (v *netView) ok(id int64) bool { return id >= 0 && id < int64(len(v.in)) && v.in[id] }

// Node, Nodes, From, HasEdgeBetween and Edge make a view a gonum
// graph.Graph.
func (v *netView) Node(id int64) gg.Node {
	if !v.ok(id) {
		return nil
	}
	return gnode(id)
}
func (v *netView) Nodes() gg.Nodes { return &nodeIter{ns: v.nodes} }
func (v *netView) From(id int64) gg.Nodes {
	if !v.ok(id) {
		return &nodeIter{}
	}
	return &nodeIter{ns: v.from(int32(id))}
}
func (v *netView) HasEdgeBetween(x, y int64) bool {
	if !v.ok(x) || !v.ok(y) {
		return false
	}
	return v.hasHop(int32(x), int32(y)) || v.hasHop(int32(y), int32(x))
}
func (v *netView) Edge(u, x int64) gg.Edge {
	if !v.ok(u) || !v.ok(x) || !v.hasHop(int32(u), int32(x)) {
		return nil
	}
	return simple.Edge{F: gnode(u), T: gnode(x)}
}

// undirected is a view as gonum's graph.Undirected.
type undirected struct{ *netView }

func (g undirected) EdgeBetween(x, y int64) gg.Edge { return g.Edge(x, y) }

// directed is a view as gonum's graph.Directed.
type directed struct{ *netView }

func (g directed) HasEdgeFromTo(u, x int64) bool {
	return g.ok(u) && g.ok(x) && g.hasHop(int32(u), int32(x))
}
func (g directed) To(id int64) gg.Nodes {
	if !g.ok(id) {
		return &nodeIter{}
	}
	return &nodeIter{ns: g.to(int32(id))}
}

// gonum returns the view as gonum reads it: directed or undirected.
func (v *netView) gonum() gg.Graph {
	if v.directed {
		return directed{v}
	}
	return undirected{v}
}

// without returns a view of the same graph less some nodes and hops,
// for cuts: a copy of the adjacency without them.
func (v *netView) without(nodes map[int32]bool, hops map[[2]int32]bool) *netView {
	c := *v
	c.in = slices.Clone(v.in)
	c.nodes = nil
	for _, n := range v.nodes {
		if nodes[n] {
			c.in[n] = false
		} else {
			c.nodes = append(c.nodes, n)
		}
	}
	n := len(v.in)
	c.outStart = make([]int32, n+1)
	c.out = make([]int32, 0, len(v.out))
	c.outN = make([]int32, 0, len(v.out))
	for u := int32(0); int(u) < n; u++ {
		if c.in[u] {
			for k := v.outStart[u]; k < v.outStart[u+1]; k++ {
				if x := v.out[k]; c.in[x] && !hops[[2]int32{u, x}] && !hops[[2]int32{x, u}] {
					c.out = append(c.out, x)
					c.outN = append(c.outN, v.outN[k])
				}
			}
		}
		c.outStart[u+1] = int32(len(c.out))
	}
	c.transpose()
	return &c
}

// parts returns the view's connected components, strongly connected when
// the view is directed (Tarjan's method, its recursion kept in a slice),
// each a list of nodes: on compressed rows, where gonum's walks read the
// graph through its interfaces and sets of maps.
func (v *netView) parts() [][]int32 {
	var out [][]int32
	n := len(v.in)
	if !v.directed {
		seen := make([]bool, n)
		for _, s := range v.nodes {
			if seen[s] {
				continue
			}
			seen[s] = true
			part := []int32{s}
			for k := 0; k < len(part); k++ {
				for _, x := range v.from(part[k]) {
					if !seen[x] {
						seen[x] = true
						part = append(part, x)
					}
				}
			}
			out = append(out, part)
		}
		return out
	}
	index := make([]int32, n)
	low := make([]int32, n)
	for i := range index {
		index[i] = -1
	}
	onStack := make([]bool, n)
	var stack []int32
	type frame struct{ u, e int32 } // a node, and its next arc to try
	var calls []frame
	next := int32(0)
	visit := func(u int32) {
		index[u], low[u] = next, next
		next++
		stack = append(stack, u)
		onStack[u] = true
		calls = append(calls, frame{u: u})
	}
	for _, s := range v.nodes {
		if index[s] >= 0 {
			continue
		}
		visit(s)
		for len(calls) > 0 {
			top := len(calls) - 1
			u := calls[top].u
			if adj := v.from(u); int(calls[top].e) < len(adj) {
				w := adj[calls[top].e]
				calls[top].e++
				if index[w] < 0 {
					visit(w)
				} else if onStack[w] {
					low[u] = min(low[u], index[w])
				}
				continue
			}
			calls = calls[:top]
			if top > 0 {
				p := calls[top-1].u
				low[p] = min(low[p], low[u])
			}
			if low[u] == index[u] {
				var part []int32
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					part = append(part, w)
					if w == u {
						break
					}
				}
				out = append(out, part)
			}
		}
	}
	return out
}
