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
	n, err := ev.node(l.Nodes[i])
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
func (ev *evaluator) simplePaths(w *walker, minLen, maxLen, limit int, firstLength bool) (paths []graph.NodePath, capped bool, err error) {
	from, to := w.from, w.to
	if from == to {
		if minLen <= 0 {
			return []graph.NodePath{{Nodes: []int32{from}}}, false, nil
		}
		return nil, false, nil
	}
	toEnd, err := w.l.Distances(ev.ctx, to, maxLen, false, w.s)
	if err != nil {
		return nil, false, err
	}
	if toEnd[from] < 0 {
		return nil, false, nil
	}
	onPath := map[int32]bool{from: true}
	cur := []int32{from}
	work := 0
	var walk func(u int32, left int) error
	walk = func(u int32, left int) error {
		if len(paths) > limit {
			return nil
		}
		if work++; work&1023 == 0 {
			if err := ev.ctx.Err(); err != nil {
				return err
			}
		}
		if left == 0 {
			if u == to {
				paths = append(paths, w.nodePath(append([]int32(nil), cur...)))
			}
			return nil
		}
		var next []int32
		w.each(u, true, func(v int32) bool {
			if onPath[v] || toEnd[v] < 0 || int(toEnd[v]) > left-1 || !w.nodeOK(v) || v == to && left != 1 {
				return true
			}
			next = append(next, v)
			return true
		})
		next, err := ev.sortNodes(w.l, next)
		if err != nil {
			return err
		}
		for _, v := range next {
			onPath[v] = true
			cur = append(cur, v)
			err := walk(v, left-1)
			cur = cur[:len(cur)-1]
			delete(onPath, v)
			if err != nil || len(paths) > limit {
				return err
			}
		}
		return nil
	}
	for length := max(minLen, int(toEnd[from]), 1); length <= maxLen; length++ {
		before := len(paths)
		if err := walk(from, length); err != nil {
			return nil, false, err
		}
		if len(paths) > limit {
			return paths[:limit], true, nil
		}
		if firstLength && len(paths) > before {
			break
		}
	}
	return paths, false, nil
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
