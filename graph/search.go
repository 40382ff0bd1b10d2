package graph

import (
	"context"
	"errors"
	"sort"
)

// Link is one relation in a Links index: From —Pred→ To, with its
// statement (label) number.
type Link struct {
	From, To, Pred, Label int32
}

// Step is one hop of a path: every relation joining the two nodes that the
// search allows (parallel relations make one hop).
type Step []Link

// NodePath is a path found by a search: Nodes[i] and Nodes[i+1] are joined
// by Steps[i].
type NodePath struct {
	Nodes []int32
	Steps []Step
}

// Search bounds and filters a path search. The zero value walks every link
// in either direction.
type Search struct {
	// Max is the most hops (default 8).
	Max int
	// Directed walks links only from subject to object; predicates for
	// which Symmetric is true walk both ways anyway.
	Directed  bool
	Symmetric func(pred int32) bool
	// Pred, Node and Link, when set, say which predicates, intermediate
	// nodes and relations a path may use.
	Pred func(pred int32) bool
	Node func(n int32) bool
	Link func(Link) bool
	// Below, when not zero, walks only links stronger than it
	// (Links.Strength(label) < Below): Below StrengthAtRisk walks
	// existing links, stated or inferred.
	Below Strength
	// Limit caps the paths returned (default 100); a search that finds
	// more says so.
	Limit int
}

// ErrSearchTooLarge: a search touched more of the graph than it may.
var ErrSearchTooLarge = errors.New("graph: search too large")

func (s *Search) withDefaults() Search {
	r := *s
	if r.Max <= 0 {
		r.Max = 8
	}
	if r.Limit <= 0 {
		r.Limit = 100
	}
	return r
}

// allowed reports whether the search may walk link lk from node `from`
// (forward: in the direction of the path).
func (l *Links) allowed(s *Search, lk Link, reverse bool) bool {
	if s.Pred != nil && !s.Pred(lk.Pred) {
		return false
	}
	if s.Below != 0 && l.Strength(lk.Label) >= s.Below {
		return false
	}
	if s.Directed && reverse && (s.Symmetric == nil || !s.Symmetric(lk.Pred)) {
		return false
	}
	if s.Link != nil && !s.Link(lk) {
		return false
	}
	return true
}

// eachStep calls fn for each node v one allowed hop from u. forward says
// whether the walk goes along the path (from its start) or against it
// (from its end, in a directed search).
func (l *Links) eachStep(s *Search, u int32, forward bool, fn func(v int32) bool) bool {
	for _, e := range l.Out(u) {
		// u —e→ Other: along the path if forward, else against it.
		if l.allowed(s, Link{u, e.Other, e.Pred, e.Label}, !forward) {
			if !fn(e.Other) {
				return false
			}
		}
	}
	for _, e := range l.In(u) {
		if l.allowed(s, Link{e.Other, u, e.Pred, e.Label}, forward) {
			if !fn(e.Other) {
				return false
			}
		}
	}
	return true
}

// step returns the allowed relations for the hop u → v of a path.
func (l *Links) step(s *Search, u, v int32) Step {
	var st Step
	out := l.Out(u)
	i := sort.Search(len(out), func(i int) bool { return out[i].Other >= v })
	for ; i < len(out) && out[i].Other == v; i++ {
		lk := Link{u, v, out[i].Pred, out[i].Label}
		if l.allowed(s, lk, false) {
			st = append(st, lk)
		}
	}
	in := l.In(u)
	i = sort.Search(len(in), func(i int) bool { return in[i].Other >= v })
	for ; i < len(in) && in[i].Other == v; i++ {
		lk := Link{v, u, in[i].Pred, in[i].Label}
		if u == v {
			continue // a self-loop is listed once, as an out edge
		}
		if l.allowed(s, lk, true) {
			st = append(st, lk)
		}
	}
	return st
}

func (s *Search) nodeOK(n, from, to int32) bool {
	return n == from || n == to || s.Node == nil || s.Node(n)
}

// Shortest returns every shortest path from one node to another (as
// sequences of nodes, parallel relations grouped in one step), up to the
// limit; capped reports that there are more. A bidirectional breadth-first
// search meets in the middle, so it touches far less of a large graph
// than a search from one end.
func (l *Links) Shortest(ctx context.Context, from, to int32, s0 *Search) (paths []NodePath, capped bool, err error) {
	s := s0.withDefaults()
	if from == to {
		return []NodePath{{Nodes: []int32{from}}}, false, nil
	}
	n := l.Len()
	distF := make([]int32, n)
	distB := make([]int32, n)
	for i := range distF {
		distF[i], distB[i] = -1, -1
	}
	distF[from], distB[to] = 0, 0
	frontF, frontB := []int32{from}, []int32{to}
	depthF, depthB := 0, 0
	var meet []int32
	visited := 0
	for len(meet) == 0 {
		if depthF+depthB >= s.Max || len(frontF) == 0 || len(frontB) == 0 {
			return nil, false, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		// Expand the side whose frontier has fewer links to follow.
		forward := l.frontierCost(frontF) <= l.frontierCost(frontB)
		front, dist, other := frontF, distF, distB
		d := int32(depthF)
		if !forward {
			front, dist, other, d = frontB, distB, distF, int32(depthB)
		}
		var next []int32
		for _, u := range front {
			if visited++; visited&4095 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, false, err
				}
			}
			l.eachStep(&s, u, forward, func(v int32) bool {
				if dist[v] >= 0 || !s.nodeOK(v, from, to) {
					return true
				}
				dist[v] = d + 1
				next = append(next, v)
				if other[v] >= 0 {
					meet = append(meet, v)
				}
				return true
			})
		}
		if forward {
			frontF, depthF = next, depthF+1
		} else {
			frontB, depthB = next, depthB+1
		}
	}
	sort.Slice(meet, func(i, j int) bool { return meet[i] < meet[j] })
	// Every shortest path passes through exactly one meeting node: the
	// nodes at depthF from the start on the side that met.
	for _, m := range meet {
		prefixes := l.chains(ctx, &s, m, from, distF, true, s.Limit+1)
		suffixes := l.chains(ctx, &s, m, to, distB, false, s.Limit+1)
		for _, pre := range prefixes {
			for _, suf := range suffixes {
				if len(paths) > s.Limit {
					break
				}
				nodes := append(reverseCopy(pre), suf[1:]...)
				paths = append(paths, l.withSteps(&s, nodes))
			}
		}
		if len(paths) > s.Limit {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
	}
	if len(paths) > s.Limit {
		return paths[:s.Limit], true, nil
	}
	return paths, false, nil
}

func (l *Links) frontierCost(front []int32) int {
	c := 0
	for _, u := range front {
		c += l.Degree(u)
		if c > 1<<20 {
			break
		}
	}
	return c
}

// chains lists the node sequences from m back to end along decreasing
// distances (dist is the distance from end), m first; up to limit.
// fromStart says m's side is the start's: the walk from m goes against
// the path.
func (l *Links) chains(ctx context.Context, s *Search, m, end int32, dist []int32, fromStart bool, limit int) [][]int32 {
	var out [][]int32
	cur := []int32{m}
	var walk func(u int32)
	walk = func(u int32) {
		if len(out) >= limit {
			return
		}
		if u == end {
			out = append(out, append([]int32(nil), cur...))
			return
		}
		d := dist[u]
		seen := map[int32]bool{}
		// From the start's side, u's predecessor w steps w → u along the
		// path: found by walking from u against it.
		l.eachStep(s, u, !fromStart, func(w int32) bool {
			if dist[w] == d-1 && !seen[w] {
				seen[w] = true
				cur = append(cur, w)
				walk(w)
				cur = cur[:len(cur)-1]
			}
			return len(out) < limit
		})
	}
	walk(m)
	sortChains(out)
	return out
}

func sortChains(cs [][]int32) {
	sort.Slice(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return len(a) < len(b)
	})
}

func reverseCopy(xs []int32) []int32 {
	out := make([]int32, len(xs))
	for i, x := range xs {
		out[len(xs)-1-i] = x
	}
	return out
}

func (l *Links) withSteps(s *Search, nodes []int32) NodePath {
	p := NodePath{Nodes: nodes, Steps: make([]Step, len(nodes)-1)}
	for i := 0; i+1 < len(nodes); i++ {
		p.Steps[i] = l.step(s, nodes[i], nodes[i+1])
	}
	return p
}

// Distances returns every node's distance from n, up to max hops, walking
// forward (or backward in a directed search); -1 for nodes further away.
func (l *Links) Distances(ctx context.Context, n int32, max int, forward bool, s0 *Search) ([]int32, error) {
	s := s0.withDefaults()
	dist := make([]int32, l.Len())
	for i := range dist {
		dist[i] = -1
	}
	dist[n] = 0
	front := []int32{n}
	for d := int32(0); int(d) < max && len(front) > 0; d++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var next []int32
		for _, u := range front {
			l.eachStep(&s, u, forward, func(v int32) bool {
				if dist[v] < 0 {
					dist[v] = d + 1
					next = append(next, v)
				}
				return true
			})
		}
		front = next
	}
	return dist, nil
}

// Reached is a node a neighbourhood search reached: its distance and the
// step from the node it was reached from.
type Reached struct {
	Node   int32
	Depth  int
	Parent int32
	Step   Step
}
