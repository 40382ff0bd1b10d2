package query

import "slices"

// This file is the bridges statement's maximum flows, on the view's arcs
// in compressed rows: the fewest entities, or relations, that cut one
// entity from another, and one such cut read from the flow (the nodes
// the source still reaches). gonum's Dinic, which it replaces, built a
// graph of maps a flow, and the cut took a flow a candidate: minutes on
// the 30k-movie graph.

// flowNet is a flow network: each arc beside its reverse, the residual
// capacity of each.
type flowNet struct {
	start []int32 // node u's arcs are start[u]:start[u+1]
	head  []int32 // an arc's head
	cap   []int32 // its residual capacity
	rev   []int32 // its reverse arc
}

// flowArc is an arc of a network to build, with its capacity.
type flowArc struct{ from, to, cap int32 }

// unbounded is the capacity of an arc that no cut takes.
const unbounded = 1 << 30

func newFlowNet(n int, arcs []flowArc) *flowNet {
	f := &flowNet{start: make([]int32, n+1)}
	for _, a := range arcs {
		f.start[a.from+1]++
		f.start[a.to+1]++
	}
	for u := 0; u < n; u++ {
		f.start[u+1] += f.start[u]
	}
	m := 2 * len(arcs)
	f.head, f.cap, f.rev = make([]int32, m), make([]int32, m), make([]int32, m)
	fill := append([]int32(nil), f.start[:n]...)
	for _, a := range arcs {
		x, y := fill[a.from], fill[a.to]
		fill[a.from]++
		fill[a.to]++
		f.head[x], f.cap[x], f.rev[x] = a.to, a.cap, y
		f.head[y], f.cap[y], f.rev[y] = a.from, 0, x
	}
	return f
}

// maxFlow pushes as much flow from s to t as the network carries and
// returns it (unbounded or more when a path of unbounded arcs joins them) (Dinic's method: in phases, a search numbers the nodes by
// their distance from s along arcs with room, then paths that step one
// distance further each hop carry flow until none is left; a phase or
// so a path length, where a search a path took one search for each unit
// of flow). charge is called with the nodes each phase's search visits
// (its walks take no more arcs than the search reads).
func (f *flowNet) maxFlow(s, t int32, charge func(int) error) (int, error) {
	n := len(f.start) - 1
	level := make([]int32, n)
	next := make([]int32, n) // the next arc of each node a walk tries
	queue := make([]int32, 0, n)
	var path []int32
	total := 0
	for {
		for i := range level {
			level[i] = -1
		}
		level[s] = 0
		queue = append(queue[:0], s)
		for k := 0; k < len(queue); k++ {
			u := queue[k]
			if level[t] >= 0 && level[u] >= level[t] {
				break
			}
			for e := f.start[u]; e < f.start[u+1]; e++ {
				if x := f.head[e]; f.cap[e] > 0 && level[x] < 0 {
					level[x] = level[u] + 1
					queue = append(queue, x)
				}
			}
		}
		if err := charge(len(queue)); err != nil {
			return 0, err
		}
		if level[t] < 0 {
			return total, nil
		}
		copy(next, f.start[:n])
		for {
			var pushed int32
			pushed, path = f.augment(s, t, level, next, path)
			if pushed == 0 {
				break
			}
			total += int(pushed)
			if total >= unbounded {
				// A path of arcs no cut takes: there is no cut to read
				// (bridges asks only of ends not linked directly).
				return total, nil
			}
		}
	}
}

// augment sends what it can along one path from s to t whose every hop
// steps one level further, and returns what it sent; an arc that leads
// nowhere is not tried again this phase. The walk keeps its path in
// path (its arcs, returned for reuse), not in calls: a path may be as
// long as the graph.
func (f *flowNet) augment(s, t int32, level, next, path []int32) (int32, []int32) {
	path = path[:0]
	u := s
	for {
		if u == t {
			push := int32(unbounded)
			for _, e := range path {
				push = min(push, f.cap[e])
			}
			for _, e := range path {
				f.cap[e] -= push
				f.cap[f.rev[e]] += push
			}
			return push, path
		}
		advanced := false
		for ; next[u] < f.start[u+1]; next[u]++ {
			e := next[u]
			if x := f.head[e]; f.cap[e] > 0 && level[x] == level[u]+1 {
				path = append(path, e)
				u, advanced = x, true
				break
			}
		}
		if advanced {
			continue
		}
		// A dead end: back to the arc's tail, which tries its next arc.
		if len(path) == 0 {
			return 0, path
		}
		e := path[len(path)-1]
		path = path[:len(path)-1]
		u = f.head[f.rev[e]]
		next[u]++
	}
}

// reach marks the nodes s reaches along arcs with room: after maxFlow,
// the source's side of a smallest cut.
func (f *flowNet) reach(s int32) []bool {
	seen := make([]bool, len(f.start)-1)
	seen[s] = true
	queue := []int32{s}
	for k := 0; k < len(queue); k++ {
		u := queue[k]
		for e := f.start[u]; e < f.start[u+1]; e++ {
			if x := f.head[e]; f.cap[e] > 0 && !seen[x] {
				seen[x] = true
				queue = append(queue, x)
			}
		}
	}
	return seen
}

// vertexCut is the fewest entities whose removal cuts dst from src in
// view v, whose arcs are a (0 when they are linked directly, or one is not in the view),
// and one such set: a maximum flow where each node but the two ends is
// an arc of capacity 1 (node i enters at 2i and leaves at 2i+1), the cut
// those whose arc the source reaches the tail of and not the head.
func (nr *netRun) vertexCut(v *netView, a *viewArcs, src, dst int32) (int, []int32, error) {
	if !v.in[src] || !v.in[dst] || v.hasHop(src, dst) {
		return 0, nil, nil
	}
	n := len(v.nodes)
	arcs := make([]flowArc, 0, n+len(a.adj))
	for i, u := range v.nodes {
		c := int32(1)
		if u == src || u == dst {
			c = unbounded
		}
		arcs = append(arcs, flowArc{int32(2 * i), int32(2*i + 1), c})
		for _, j := range a.adj[a.start[i]:a.start[i+1]] {
			arcs = append(arcs, flowArc{int32(2*i + 1), 2 * j, unbounded})
		}
	}
	f := newFlowNet(2*n, arcs)
	s := 2*a.pos[src] + 1
	k, err := f.maxFlow(s, 2*a.pos[dst], nr.ev.charge)
	if err != nil {
		return 0, nil, nr.workErr(err)
	}
	side := f.reach(s)
	var cut []int32
	for i, u := range v.nodes {
		if side[2*i] && !side[2*i+1] {
			cut = append(cut, u)
		}
	}
	return k, cut, nil
}

// relationCut is the fewest relations whose removal cuts dst from src
// in view v, whose arcs are a, and the hops that hold one such set: a maximum flow where
// each hop's capacity is the number of relations it stands for.
func (nr *netRun) relationCut(v *netView, a *viewArcs, src, dst int32) (int, [][2]int32, error) {
	if a.pos[src] < 0 || a.pos[dst] < 0 {
		return 0, nil, nil
	}
	arcs := make([]flowArc, 0, len(a.adj))
	for i := range v.nodes {
		for e := a.start[i]; e < a.start[i+1]; e++ {
			arcs = append(arcs, flowArc{int32(i), a.adj[e], int32(a.w[e])})
		}
	}
	f := newFlowNet(len(v.nodes), arcs)
	s := a.pos[src]
	k, err := f.maxFlow(s, a.pos[dst], nr.ev.charge)
	if err != nil {
		return 0, nil, nr.workErr(err)
	}
	side := f.reach(s)
	var cut [][2]int32
	for i, u := range v.nodes {
		if !side[i] {
			continue
		}
		for e := a.start[i]; e < a.start[i+1]; e++ {
			if j := a.adj[e]; !side[j] {
				cut = append(cut, [2]int32{u, v.nodes[j]})
			}
		}
	}
	return k, cut, nil
}

// shortestPath is one path of fewest hops from src to dst in view v (its
// nodes, both ends included), nil when there is none.
func (v *netView) shortestPath(src, dst int32) []int32 {
	via := map[int32]int32{src: src}
	queue := []int32{src}
	for k := 0; k < len(queue); k++ {
		u := queue[k]
		if u == dst {
			var path []int32
			for x := dst; x != src; x = via[x] {
				path = append(path, x)
			}
			path = append(path, src)
			slices.Reverse(path)
			return path
		}
		for _, x := range v.from(u) {
			if _, ok := via[x]; !ok {
				via[x] = u
				queue = append(queue, x)
			}
		}
	}
	return nil
}
