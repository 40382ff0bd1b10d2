package query

import (
	"sort"
	"strings"

	"github.com/entente-kg/entente/graph"
)

// This file holds the searches whose answers must come in the documented
// order even when a cap cuts them: nodes and paths are ordered by name
// (ignoring case), then by id, node by node (nodeKey). Each search
// explores the graph in that order, so that the first N answers it finds
// are the first N of the whole ordering.

// walker walks a link index under a graph.Search's filters, the way the
// graph package's searches do: Pred, Link and the direction rule on every
// link, Node on every node but the two ends of a path.
type walker struct {
	l        *graph.Links
	s        *graph.Search
	from, to int32 // the ends of a path (exempt from s.Node); -1 if none
}

// allowed reports whether the search may use link lk; reverse says the
// walk goes from lk.To to lk.From. Directed searches walk a link only
// forward, except the symmetric kinds.
func (w *walker) allowed(lk graph.Link, reverse bool) bool {
	s := w.s
	if s.Pred != nil && !s.Pred(lk.Pred) {
		return false
	}
	if s.Below != 0 && w.l.Strength(lk.Label) >= s.Below {
		return false
	}
	if s.Directed && reverse && (s.Symmetric == nil || !s.Symmetric(lk.Pred)) {
		return false
	}
	return s.Link == nil || s.Link(lk)
}

func (w *walker) nodeOK(n int32) bool {
	return n == w.from || n == w.to || w.s.Node == nil || w.s.Node(n)
}

// each calls fn for every node one allowed hop from u (forward: along the
// path; otherwise against it, from its end), until fn returns false. A
// node joined to u by several links is given once per link.
func (w *walker) each(u int32, forward bool, fn func(v int32) bool) {
	for _, e := range w.l.Out(u) {
		if w.allowed(graph.Link{From: u, To: e.Other, Pred: e.Pred, Label: e.Label}, !forward) && !fn(e.Other) {
			return
		}
	}
	for _, e := range w.l.In(u) {
		if w.allowed(graph.Link{From: e.Other, To: u, Pred: e.Pred, Label: e.Label}, forward) && !fn(e.Other) {
			return
		}
	}
}

// step returns the links the search allows for the hop u → v of a path.
func (w *walker) step(u, v int32) graph.Step {
	var st graph.Step
	for _, e := range w.l.Out(u) {
		if e.Other == v {
			if lk := (graph.Link{From: u, To: v, Pred: e.Pred, Label: e.Label}); w.allowed(lk, false) {
				st = append(st, lk)
			}
		}
	}
	if u == v {
		return st // a self-loop is listed once, as an out edge
	}
	for _, e := range w.l.In(u) {
		if e.Other == v {
			if lk := (graph.Link{From: v, To: u, Pred: e.Pred, Label: e.Label}); w.allowed(lk, true) {
				st = append(st, lk)
			}
		}
	}
	return st
}

func (w *walker) nodePath(nodes []int32) graph.NodePath {
	p := graph.NodePath{Nodes: nodes, Steps: make([]graph.Step, len(nodes)-1)}
	for i := 0; i+1 < len(nodes); i++ {
		p.Steps[i] = w.step(nodes[i], nodes[i+1])
	}
	return p
}

// nodeKey is what nodes are ordered by: the name ignoring case, then the
// id. Paths compare their nodes' keys one by one.
func (ev *evaluator) nodeKey(l *graph.Links, i int32) (string, error) {
	n, err := ev.node(l.Node(i))
	if err != nil {
		return "", err
	}
	return strings.ToLower(n.Label()) + "\x00" + IDString(n.ID), nil
}

// sortNodes orders node numbers by nodeKey, dropping repeats.
func (ev *evaluator) sortNodes(l *graph.Links, ns []int32) ([]int32, error) {
	keys := make(map[int32]string, len(ns))
	out := ns[:0:0]
	for _, n := range ns {
		if _, dup := keys[n]; dup {
			continue
		}
		k, err := ev.nodeKey(l, n)
		if err != nil {
			return nil, err
		}
		keys[n] = k
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return keys[out[i]] < keys[out[j]] })
	return out, nil
}

// simplePaths returns the simple paths (no node twice) from one node to
// another of minLen to maxLen hops, shortest first and, among paths of a
// length, in the order of their nodes' names; at most limit, capped
// reporting that there are more. With firstLength it stops after the
// first length that has any path (the shortest paths of at least minLen
// hops).
//
// It walks depth first once per length, children in name order, so that
// paths are found in the documented order and the first limit found are
// the first of the whole answer. A walk extends a path only towards a
// node from which the end can still be reached, without passing the
// path, within the hops left (reach): each node it expands lies on a
// path of at most that length, so a walk costs about its answer's size
// times its length, not the number of simple paths around it. A search
// that spends the statement's work budget (Options.MaxWork) stops; cutAt
// is then the length it was walking, and the paths found are still the
// first of the order: every path shorter than cutAt, and the first of
// cutAt hops.
func (ev *evaluator) simplePaths(w *walker, minLen, maxLen, limit int, firstLength bool) (paths []graph.NodePath, capped bool, cutAt int, err error) {
	from, to := w.from, w.to
	if from == to {
		if minLen <= 0 {
			return []graph.NodePath{{Nodes: []int32{from}}}, false, 0, nil
		}
		return nil, false, 0, nil
	}
	toEnd, err := w.l.Distances(ev.ctx, to, maxLen, false, w.s)
	if err != nil {
		return nil, false, 0, err
	}
	if toEnd[from] < 0 {
		return nil, false, 0, nil
	}
	pw := &pathWalk{ev: ev, w: w, toEnd: toEnd, limit: limit, scratch: ev.walkScratch(w.l)}
	pw.scratch.on[from] = true
	defer func() { pw.scratch.on[from] = false }()
	pw.cur = []int32{from}
	for length := max(minLen, int(toEnd[from]), 1); length <= maxLen; length++ {
		before := len(pw.paths)
		if err := pw.walk(from, length); err != nil {
			if err == errWorkSpent {
				return pw.paths[:min(len(pw.paths), limit)], true, length, nil
			}
			return nil, false, 0, err
		}
		if len(pw.paths) > limit {
			return pw.paths[:limit], true, 0, nil
		}
		if firstLength && len(pw.paths) > before {
			break
		}
	}
	return pw.paths, false, 0, nil
}

// pathWalk is one enumeration of simplePaths.
type pathWalk struct {
	ev      *evaluator
	w       *walker
	toEnd   []int32 // hops to the end, ignoring the path; -1: out of reach
	limit   int
	cur     []int32 // the path so far
	paths   []graph.NodePath
	scratch *walkScratch
}

// walkScratch is the per-node state of the path walks, kept by the
// evaluator for its link index and reused: a statement may walk many
// times (a match with many pairs of ends).
type walkScratch struct {
	links *graph.Links // the index it is for
	on    []bool       // on the current path
	// dead: the end cannot be reached from the node without passing the
	// current path, as it was when the node was marked; the marks made
	// while extending a path are undone when the walk leaves it.
	// deadList lists the marked nodes in order.
	dead     []bool
	deadList []int32
	// reach's search: mark is epoch when a node has been reached in this
	// search, epoch+1 once it has been expanded; g is its hops from the
	// start (at most MaxHops); buckets hold the nodes to expand by g +
	// hops to the end.
	mark    []uint32
	g       []uint8
	epoch   uint32
	buckets [][]int32
	reached []int32
	keys    map[int32]string // nodeKey
	steps   map[[2]int32]graph.Step
	stepsOf *walker
}

func (ev *evaluator) walkScratch(l *graph.Links) *walkScratch {
	if sc := ev.scratch; sc != nil && sc.links == l {
		return sc
	}
	n := l.Len()
	ev.scratch = &walkScratch{links: l, on: make([]bool, n), dead: make([]bool, n), mark: make([]uint32, n),
		g: make([]uint8, n), keys: map[int32]string{}}
	return ev.scratch
}

// key is nodeKey, remembered.
func (pw *pathWalk) key(n int32) (string, error) {
	if k, ok := pw.scratch.keys[n]; ok {
		return k, nil
	}
	k, err := pw.ev.nodeKey(pw.w.l, n)
	if err != nil {
		return "", err
	}
	pw.scratch.keys[n] = k
	return k, nil
}

// degree is how many links walking from n examines.
func (pw *pathWalk) degree(n int32) int {
	return 1 + len(pw.w.l.Out(n)) + len(pw.w.l.In(n))
}

// walk extends the current path, which ends at u, by exactly left hops
// to the end, adding the paths it finds in order, until there are more
// than the limit.
func (pw *pathWalk) walk(u int32, left int) error {
	ev, w, sc := pw.ev, pw.w, pw.scratch
	if err := ev.charge(pw.degree(u)); err != nil {
		return err
	}
	mark := len(sc.deadList)
	defer func() {
		for _, n := range sc.deadList[mark:] {
			sc.dead[n] = false
		}
		sc.deadList = sc.deadList[:mark]
	}()
	var next []int32
	w.each(u, true, func(v int32) bool {
		if v == w.to {
			if left == 1 {
				next = append(next, v)
			}
			return true
		}
		if left > 1 && !sc.on[v] && !sc.dead[v] && pw.toEnd[v] >= 0 && int(pw.toEnd[v]) <= left-1 && w.nodeOK(v) {
			next = append(next, v)
		}
		return true
	})
	next, err := pw.sortNodes(next)
	if err != nil {
		return err
	}
	for _, v := range next {
		if v == w.to {
			if err := pw.found(); err != nil {
				return err
			}
		} else {
			if sc.dead[v] { // marked by a sibling's reach
				continue
			}
			ok, err := pw.reach(v, left-1)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			sc.on[v] = true
			pw.cur = append(pw.cur, v)
			err = pw.walk(v, left-1)
			pw.cur = pw.cur[:len(pw.cur)-1]
			sc.on[v] = false
			if err != nil {
				return err
			}
		}
		if len(pw.paths) > pw.limit {
			return nil
		}
	}
	return nil
}

// sortNodes orders node numbers by nodeKey, dropping repeats.
func (pw *pathWalk) sortNodes(ns []int32) ([]int32, error) {
	if len(ns) < 2 {
		return ns, nil
	}
	keys := make(map[int32]string, len(ns))
	out := ns[:0]
	for _, n := range ns {
		if _, dup := keys[n]; dup {
			continue
		}
		k, err := pw.key(n)
		if err != nil {
			return nil, err
		}
		keys[n] = k
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return keys[out[i]] < keys[out[j]] })
	return out, nil
}

// found adds the current path, with the end, to the answer. Finding the
// links of each hop is work too, and each hop's links are found once.
func (pw *pathWalk) found() error {
	sc := pw.scratch
	if sc.stepsOf != pw.w {
		sc.steps, sc.stepsOf = map[[2]int32]graph.Step{}, pw.w
	}
	nodes := append(append(make([]int32, 0, len(pw.cur)+1), pw.cur...), pw.w.to)
	p := graph.NodePath{Nodes: nodes, Steps: make([]graph.Step, len(nodes)-1)}
	work := len(nodes)
	for i := 0; i+1 < len(nodes); i++ {
		k := [2]int32{nodes[i], nodes[i+1]}
		st, ok := sc.steps[k]
		if !ok {
			st = pw.w.step(k[0], k[1])
			sc.steps[k] = st
			work += pw.degree(k[0]) + len(st)
		}
		p.Steps[i] = st
	}
	if err := pw.ev.charge(work); err != nil {
		return err
	}
	pw.paths = append(pw.paths, p)
	return nil
}

// reach reports whether the end can be reached from v in at most bound
// hops without passing a node of the current path. It is an A* search
// guided by the hops to the end ignoring the path (a lower bound), which
// goes straight to the end when the path is not in the way. When it
// fails without the bound having cut it off, no node it reached can reach
// the end at all while the current path is kept: they are marked dead, so
// that a region whose only way out is through the path is searched once,
// not walked through.
func (pw *pathWalk) reach(v int32, bound int) (bool, error) {
	ev, w, sc, toEnd := pw.ev, pw.w, pw.scratch, pw.toEnd
	if bound < int(toEnd[v]) {
		return false, nil
	}
	sc.epoch += 2
	if sc.epoch < 2 { // wrapped: forget every mark
		clear(sc.mark)
		sc.epoch = 2
	}
	for len(sc.buckets) <= bound {
		sc.buckets = append(sc.buckets, nil)
	}
	for i := range sc.buckets {
		sc.buckets[i] = sc.buckets[i][:0]
	}
	sc.reached = sc.reached[:0]
	push := func(n, g int32) {
		sc.mark[n], sc.g[n] = sc.epoch, uint8(g)
		sc.buckets[g+toEnd[n]] = append(sc.buckets[g+toEnd[n]], n)
		sc.reached = append(sc.reached, n)
	}
	push(v, 0)
	cut, found := false, false
	for f := int(toEnd[v]); f <= bound && !found; f++ {
		// Nodes pushed while expanding go into this bucket or later
		// ones (the lower bound is consistent); last in, first out
		// goes deep first.
		for len(sc.buckets[f]) > 0 && !found {
			b := sc.buckets[f]
			x := b[len(b)-1]
			sc.buckets[f] = b[:len(b)-1]
			if sc.mark[x] == sc.epoch+1 || int(sc.g[x])+int(toEnd[x]) != f {
				continue // expanded already, or pushed again with fewer hops
			}
			sc.mark[x] = sc.epoch + 1
			if err := ev.charge(pw.degree(x)); err != nil {
				return false, err
			}
			g := int32(sc.g[x]) + 1
			w.each(x, true, func(y int32) bool {
				if y == w.to {
					found = true // g ≤ bound: f = g-1 + toEnd[x] and toEnd[x] ≥ 1
					return false
				}
				if sc.on[y] || sc.dead[y] || toEnd[y] < 0 || !w.nodeOK(y) || sc.mark[y] >= sc.epoch && int32(sc.g[y]) <= g {
					return true
				}
				if int(g+toEnd[y]) > bound {
					cut = true
					return true
				}
				push(y, g)
				return true
			})
		}
	}
	if !found && !cut {
		for _, n := range sc.reached {
			if !sc.dead[n] {
				sc.dead[n] = true
				sc.deadList = append(sc.deadList, n)
			}
		}
	}
	return found, nil
}

// shortestPaths returns the shortest paths between the walker's ends, up
// to limit, in the order of their nodes' names; capped reports that there
// are more. The bidirectional search of the graph package finds them;
// when there are more than limit, the first limit in order are found by
// walking from the start along decreasing distances to the end.
func (ev *evaluator) shortestPaths(w *walker, maxLen, limit int) ([]graph.NodePath, bool, error) {
	s := *w.s
	s.Max, s.Limit = maxLen, limit
	nps, capped, err := w.l.Shortest(ev.ctx, w.from, w.to, &s)
	if err != nil || !capped || len(nps) == 0 {
		return nps, capped, err
	}
	length := len(nps[0].Nodes) - 1
	// Distances to the end, through nodes the search may pass.
	dist := make(map[int32]int, 1024)
	dist[w.to] = 0
	front := []int32{w.to}
	for d := 1; d < length && len(front) > 0; d++ {
		if err := ev.ctx.Err(); err != nil {
			return nil, false, err
		}
		var next []int32
		for _, u := range front {
			w.each(u, false, func(v int32) bool {
				if _, seen := dist[v]; !seen && v != w.from && w.nodeOK(v) {
					dist[v] = d
					next = append(next, v)
				}
				return true
			})
		}
		front = next
	}
	var paths []graph.NodePath
	cur := []int32{w.from}
	var walk func(u int32, left int) error
	walk = func(u int32, left int) error {
		if len(paths) > limit {
			return nil
		}
		if err := ev.ctx.Err(); err != nil {
			return err
		}
		if left == 0 {
			paths = append(paths, w.nodePath(append([]int32(nil), cur...)))
			return nil
		}
		var next []int32
		w.each(u, true, func(v int32) bool {
			if d, ok := dist[v]; ok && d == left-1 {
				next = append(next, v)
			}
			return true
		})
		next, err := ev.sortNodes(w.l, next)
		if err != nil {
			return err
		}
		for _, v := range next {
			cur = append(cur, v)
			err := walk(v, left-1)
			cur = cur[:len(cur)-1]
			if err != nil || len(paths) > limit {
				return err
			}
		}
		return nil
	}
	if err := walk(w.from, length); err != nil {
		return nil, false, err
	}
	if len(paths) > limit {
		return paths[:limit], true, nil
	}
	return paths, false, nil
}
