package query

import (
	"errors"
	"math/rand/v2"
	"slices"
)

// This file is the communities statement's Louvain method (Blondel et
// al., 2008), on the view's links in compressed rows: a pass visits each
// node once and reads its links once, so a run costs about the links
// times the passes, where gonum's community.Modularize, which it
// replaces, took minutes on the 30k-movie graph. It maximises the
// modularity with a resolution, directed (Leicht and Newman) or not: an
// undirected link is the two arcs, which gives the same modularity and
// the same moves.

// louvainGraph is a weighted directed graph on nodes 0…n-1, as Louvain
// reads it: for each node its neighbours either way, each with the
// weight of the arcs between them both ways (A[i][j] + A[j][i]), its
// self-loop (A[i][i]), and the weight of its arcs out and in.
type louvainGraph struct {
	start     []int32 // node i's neighbours are adj[start[i]:start[i+1]]
	adj       []int32
	w         []float64 // A[i][j] + A[j][i], beside adj
	self      []float64 // A[i][i]
	kout, kin []float64 // Σ_j A[i][j], Σ_j A[j][i] (self-loop included)
	m         float64   // Σ A
}

func (g *louvainGraph) len() int { return len(g.self) }

// louvainOf builds the graph of view v's nodes (node i is v.nodes[i]):
// the weight of an arc is the number of relations the view allows along
// it (arcsOf).
func louvainOf(v *netView, charge func(int) error) (*louvainGraph, error) {
	a, err := arcsOf(v, charge)
	if err != nil {
		return nil, err
	}
	return newLouvainGraph(a.start, a.adj, a.w), nil
}

// viewArcs are the arcs of a view between its nodes numbered by their
// place in it (node i is v.nodes[i], pos[n] the place of node n, -1 if
// not in the view): the arcs out of node i are adj[start[i]:start[i+1]],
// sorted (as the view's nodes are), each weighing w beside it the
// number of relations the view allows along it (netView.outN: both ways
// when the view is undirected, which makes the weights symmetric).
type viewArcs struct {
	pos        []int32
	start, adj []int32
	w          []float64
}

// arcsOf numbers the arcs of view v by the places of their nodes.
func arcsOf(v *netView, charge func(int) error) (*viewArcs, error) {
	n := len(v.nodes)
	a := &viewArcs{pos: make([]int32, len(v.in)), start: make([]int32, n+1),
		adj: make([]int32, 0, len(v.out)), w: make([]float64, 0, len(v.out))}
	for i := range a.pos {
		a.pos[i] = -1
	}
	for i, u := range v.nodes {
		a.pos[u] = int32(i)
	}
	for i, u := range v.nodes {
		if err := charge(1); err != nil {
			return nil, err
		}
		for k := v.outStart[u]; k < v.outStart[u+1]; k++ {
			a.adj = append(a.adj, a.pos[v.out[k]])
			a.w = append(a.w, float64(v.outN[k]))
		}
		a.start[i+1] = int32(len(a.adj))
	}
	return a, nil
}

// newLouvainGraph builds the graph of the arcs out of each node i,
// oadj[ostart[i]:ostart[i+1]] (sorted, without i) with weights ow
// beside them.
func newLouvainGraph(ostart, oadj []int32, ow []float64) *louvainGraph {
	n := len(ostart) - 1
	g := &louvainGraph{self: make([]float64, n), kout: make([]float64, n), kin: make([]float64, n)}
	for i := 0; i < n; i++ {
		for e := ostart[i]; e < ostart[i+1]; e++ {
			g.kout[i] += ow[e]
			g.kin[oadj[e]] += ow[e]
			g.m += ow[e]
		}
	}
	// The arcs into each node, A[j][i], in rows: the transpose.
	istart := make([]int32, n+1)
	for _, j := range oadj {
		istart[j+1]++
	}
	for i := 0; i < n; i++ {
		istart[i+1] += istart[i]
	}
	iadj := make([]int32, len(oadj))
	iw := make([]float64, len(oadj))
	fill := slices.Clone(istart[:n])
	for i := 0; i < n; i++ {
		for e := ostart[i]; e < ostart[i+1]; e++ {
			j := oadj[e]
			iadj[fill[j]] = int32(i)
			iw[fill[j]] = ow[e]
			fill[j]++
		}
	}
	// Neighbours either way: the two sorted rows merged.
	g.start = make([]int32, n+1)
	for i := 0; i < n; i++ {
		o, oe := ostart[i], ostart[i+1]
		p, pe := istart[i], istart[i+1]
		for o < oe || p < pe {
			switch {
			case p == pe || (o < oe && oadj[o] < iadj[p]):
				g.adj, g.w = append(g.adj, oadj[o]), append(g.w, ow[o])
				o++
			case o == oe || iadj[p] < oadj[o]:
				g.adj, g.w = append(g.adj, iadj[p]), append(g.w, iw[p])
				p++
			default:
				g.adj, g.w = append(g.adj, oadj[o]), append(g.w, ow[o]+iw[p])
				o++
				p++
			}
		}
		g.start[i+1] = int32(len(g.adj))
	}
	return g
}

// errRunOver ends a run of Louvain that the work budget cannot finish,
// when an earlier run already gave an answer.
var errRunOver = errors.New("query: the run does not fit the work budget")

// louvain returns the community of each node of g (numbers from 0, not
// dense), one run of the method seeded by rng: the nodes are visited in
// a random order, each moved to the neighbouring community that raises
// the modularity most, until no move raises it (localMoves); the communities then
// become the nodes of a smaller graph, and so on until nothing moves.
// Then the nodes of g are visited again from that partition (a node may
// have been better off apart from the group it was merged with), and if
// one moves, the method goes on from the new partition. charge is called
// with the nodes visited, and the communities aggregated.
func louvain(g *louvainGraph, resolution float64, rng *rand.Rand, charge func(int) error) ([]int32, error) {
	n := g.len()
	member := make([]int32, n) // node of g → node of the current level
	for i := range member {
		member[i] = int32(i)
	}
	if g.m == 0 {
		return member, nil
	}
	cur := g
	for {
		comm, moved, err := cur.localMoves(resolution, rng, charge, nil)
		if err != nil {
			return nil, err
		}
		if !moved {
			if cur == g {
				return member, nil
			}
			// Refine: the nodes of g from the partition found.
			if comm, moved, err = g.localMoves(resolution, rng, charge, member); err != nil {
				return nil, err
			}
			if !moved {
				return member, nil
			}
			cur = g
			for i := range member {
				member[i] = int32(i)
			}
		}
		dense, k := renumber(comm)
		for i, c := range member {
			member[i] = dense[comm[c]]
		}
		if err := charge(cur.len()); err != nil {
			return nil, err
		}
		cur = cur.aggregate(comm, dense, k)
	}
}

// localMoves is Louvain's first phase on g, from partition start (each
// node apart when nil): every node is visited in a random order, then
// the neighbours of those that moved, until none is left. A node goes to the community that gains the most
// modularity, or apart from all if every one would lose it. It returns each node's community (a node number) and
// whether any node moved.
func (g *louvainGraph) localMoves(resolution float64, rng *rand.Rand, charge func(int) error, start []int32) ([]int32, bool, error) {
	n := g.len()
	c := make([]int32, n)
	totOut := make([]float64, n)
	totIn := make([]float64, n)
	size := make([]int32, n)
	for i := range c {
		c[i] = int32(i)
		if start != nil {
			c[i] = start[i]
		}
		totOut[c[i]] += g.kout[i]
		totIn[c[i]] += g.kin[i]
		size[c[i]]++
	}
	var free []int32 // the empty communities
	for x := n - 1; x >= 0; x-- {
		if size[x] == 0 {
			free = append(free, int32(x))
		}
	}
	wc := make([]float64, n) // weight from the node at hand into each community
	seen := make([]bool, n)
	var touched []int32
	// gain is what moving node i (taken out of its community) into
	// community x adds to the modularity, times m.
	gain := func(i int32, x int32) float64 {
		return wc[x] - resolution*(g.kout[i]*totIn[x]+g.kin[i]*totOut[x])/g.m
	}
	// The nodes to visit, a ring of at most n: every node in a random
	// order, then again the neighbours of a node that moved (those not in
	// the community it joined) until none is left.
	queue := make([]int32, n)
	for k, i := range rng.Perm(n) {
		queue[k] = int32(i)
	}
	queued := make([]bool, n)
	for i := range queued {
		queued[i] = true
	}
	head, count := 0, n
	moved := false
	visits := 0
	for ; count > 0; visits++ {
		if visits == 1024 {
			if err := charge(visits); err != nil {
				return nil, false, err
			}
			visits = 0
		}
		i := queue[head]
		head = (head + 1) % n
		count--
		queued[i] = false
		touched = touched[:0]
		for e := g.start[i]; e < g.start[i+1]; e++ {
			x := c[g.adj[e]]
			if !seen[x] {
				seen[x] = true
				touched = append(touched, x)
			}
			wc[x] += g.w[e]
		}
		old := c[i]
		totOut[old] -= g.kout[i]
		totIn[old] -= g.kin[i]
		size[old]--
		// A move must gain more than rounding can (the totals are exact,
		// the division by m is not), or two nodes could trade places
		// for ever.
		eps := 1e-12 * (1 + g.kout[i] + g.kin[i])
		best, bestGain := old, gain(i, old)
		for _, x := range touched {
			if x != old {
				if gx := gain(i, x); gx > bestGain+eps {
					best, bestGain = x, gx
				}
			}
		}
		if bestGain < -eps && size[old] > 0 {
			// Better alone (a gain of 0), in an empty community.
			best = free[len(free)-1]
			free = free[:len(free)-1]
		}
		totOut[best] += g.kout[i]
		totIn[best] += g.kin[i]
		size[best]++
		if size[old] == 0 && best != old {
			free = append(free, old)
		}
		c[i] = best
		for _, x := range touched {
			wc[x], seen[x] = 0, false
		}
		if best == old {
			continue
		}
		moved = true
		for e := g.start[i]; e < g.start[i+1]; e++ {
			if j := g.adj[e]; !queued[j] && c[j] != best {
				queued[j] = true
				queue[(head+count)%n] = j
				count++
			}
		}
	}
	if err := charge(visits); err != nil {
		return nil, false, err
	}
	return c, moved, nil
}

// renumber numbers the communities of c densely from 0, in order of
// their first node: dense[x] is community x's number, k their count.
func renumber(c []int32) (dense []int32, k int32) {
	dense = make([]int32, len(c))
	for i := range dense {
		dense[i] = -1
	}
	for _, x := range c {
		if dense[x] < 0 {
			dense[x] = k
			k++
		}
	}
	return dense, k
}

// aggregate is Louvain's second phase: the graph whose nodes are g's k
// communities (node i of g in community dense[c[i]]), the weight between
// two the sum of the weights between their members, a community's
// self-loop the weight of the arcs inside it.
func (g *louvainGraph) aggregate(c, dense []int32, k int32) *louvainGraph {
	n := g.len()
	a := &louvainGraph{start: make([]int32, k+1), self: make([]float64, k),
		kout: make([]float64, k), kin: make([]float64, k), m: g.m}
	// The members of each community, in rows.
	mstart := make([]int32, k+1)
	for i := 0; i < n; i++ {
		mstart[dense[c[i]]+1]++
	}
	for x := int32(0); x < k; x++ {
		mstart[x+1] += mstart[x]
	}
	members := make([]int32, n)
	fill := slices.Clone(mstart[:k])
	for i := 0; i < n; i++ {
		x := dense[c[i]]
		members[fill[x]] = int32(i)
		fill[x]++
	}
	acc := make([]float64, k)
	seen := make([]bool, k)
	var touched []int32
	for x := int32(0); x < k; x++ {
		touched = touched[:0]
		for _, i := range members[mstart[x]:mstart[x+1]] {
			a.self[x] += g.self[i]
			a.kout[x] += g.kout[i]
			a.kin[x] += g.kin[i]
			for e := g.start[i]; e < g.start[i+1]; e++ {
				y := dense[c[g.adj[e]]]
				if y == x {
					// Each arc inside is met from both its ends.
					a.self[x] += g.w[e] / 2
					continue
				}
				if !seen[y] {
					seen[y] = true
					touched = append(touched, y)
				}
				acc[y] += g.w[e]
			}
		}
		slices.Sort(touched)
		for _, y := range touched {
			a.adj = append(a.adj, y)
			a.w = append(a.w, acc[y])
			acc[y], seen[y] = 0, false
		}
		a.start[x+1] = int32(len(a.adj))
	}
	return a
}

// modularity is the modularity of partition c of g (any community
// numbers below g.len()), with the given resolution:
// Q = 1/m Σ_C (in_C − resolution · out_C · in'_C / m), where in_C is the
// weight of the arcs inside C and out_C, in'_C the weight of the arcs
// out of and into its members.
func (g *louvainGraph) modularity(c []int32, resolution float64) float64 {
	if g.m == 0 {
		return 0
	}
	n := g.len()
	inside := make([]float64, n)
	tout := make([]float64, n)
	tin := make([]float64, n)
	for i := 0; i < n; i++ {
		x := c[i]
		inside[x] += g.self[i]
		tout[x] += g.kout[i]
		tin[x] += g.kin[i]
		for e := g.start[i]; e < g.start[i+1]; e++ {
			if c[g.adj[e]] == x {
				inside[x] += g.w[e] / 2
			}
		}
	}
	q := 0.0
	for x := 0; x < n; x++ {
		q += inside[x] - resolution*tout[x]*tin[x]/g.m
	}
	return q / g.m
}
