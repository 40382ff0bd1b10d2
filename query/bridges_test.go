package query

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/entente-kg/entente/graph"
	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/simple"
)

// gonumVertexFlow is the fewest entities that cut dst from src, by
// gonum's Dinic on the split graph (what bridges ran before flow.go).
func gonumVertexFlow(v *netView, src, dst int32) int {
	if !v.in[src] || !v.in[dst] || v.hasHop(src, dst) {
		return 0
	}
	pos := map[int32]int{}
	for i, n := range v.nodes {
		pos[n] = i
	}
	big := float64(len(v.nodes) + 1)
	g := simple.NewWeightedDirectedGraph(0, 0)
	for i := range 2 * len(v.nodes) {
		g.AddNode(gnode(i))
	}
	for i, n := range v.nodes {
		c := 1.0
		if n == src || n == dst {
			c = big
		}
		g.SetWeightedEdge(g.NewWeightedEdge(gnode(2*i), gnode(2*i+1), c))
	}
	for i, u := range v.nodes {
		for _, x := range v.from(u) {
			g.SetWeightedEdge(g.NewWeightedEdge(gnode(2*i+1), gnode(2*pos[x]), big))
		}
	}
	return int(math.Round(network.MaxFlowDinic(g, gnode(2*pos[src]+1), gnode(2*pos[dst]), 1e-9)))
}

// gonumRelationFlow is the fewest relations that cut dst from src, by
// gonum's Dinic.
func gonumRelationFlow(v *netView, src, dst int32) int {
	pos := map[int32]int{}
	for i, n := range v.nodes {
		pos[n] = i
	}
	g := simple.NewWeightedDirectedGraph(0, 0)
	for i := range v.nodes {
		g.AddNode(gnode(i))
	}
	for i, u := range v.nodes {
		for _, x := range v.from(u) {
			g.SetWeightedEdge(g.NewWeightedEdge(gnode(i), gnode(pos[x]), float64(v.mult(u, x))))
		}
	}
	return int(math.Round(network.MaxFlowDinic(g, gnode(pos[src]), gnode(pos[dst]), 1e-9)))
}

// reaches reports whether src reaches dst in v without the nodes rmN and
// the relations rmL.
func reaches(v *netView, src, dst int32, rmN map[int32]bool, rmL map[graph.Link]bool) bool {
	seen := map[int32]bool{src: true}
	q := []int32{src}
	for k := 0; k < len(q); k++ {
		u := q[k]
		if u == dst {
			return true
		}
		for _, x := range v.from(u) {
			if seen[x] || rmN[x] {
				continue
			}
			ok := false
			for _, lk := range v.w.step(u, x) {
				if !rmL[lk] {
					ok = true
					break
				}
			}
			if ok {
				seen[x] = true
				q = append(q, x)
			}
		}
	}
	return false
}

// viewLinks lists every relation of view v once.
func viewLinks(v *netView) []graph.Link {
	seen := map[graph.Link]bool{}
	var out []graph.Link
	for _, u := range v.nodes {
		for _, x := range v.from(u) {
			for _, lk := range v.w.step(u, x) {
				if !seen[lk] {
					seen[lk] = true
					out = append(out, lk)
				}
			}
		}
	}
	return out
}

// The cuts bridges gives, against brute force and gonum's flows, on the
// seed graph's views (undirected and directed, every status tier, with
// nodes dropped at random) between random pairs: the entity cut has the
// size of the flow, holds neither end and cuts; the relation cut lists
// as many distinct relations as the flow and cuts; and the relations
// that cut alone are exactly those that removed one by one cut.
func TestBridgesCutsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	pairs, singlesChecked, multiSingles := 0, 0, 0
	for _, directed := range []bool{false, true} {
		src := `bridges "North Korea" to EU`
		if directed {
			src += " directed"
		}
		nr := netRunOf(t, src)
		for _, tier := range nr.statusTiers() {
			for trial := 0; trial < 12; trial++ {
				search := nr.f.search
				search.Below = tier
				search.Directed = directed
				drop := map[int32]bool{}
				if trial > 0 {
					p := rng.Float64() * 0.6
					for n := 0; n < nr.f.links.Len(); n++ {
						if rng.Float64() < p {
							drop[int32(n)] = true
						}
					}
					old := search.Node
					search.Node = func(n int32) bool { return !drop[n] && (old == nil || old(n)) }
				}
				v, err := newView(nr.f.links, &search, directed, nil, noCharge)
				if err != nil {
					t.Fatal(err)
				}
				links := viewLinks(v)
				for pi := 0; pi < 60; pi++ {
					if len(v.nodes) < 2 {
						break
					}
					a := v.nodes[rng.IntN(len(v.nodes))]
					b := v.nodes[rng.IntN(len(v.nodes))]
					if a == b || !reaches(v, a, b, nil, nil) {
						continue
					}
					pairs++
					arcs, err := arcsOf(v, noCharge)
					if err != nil {
						t.Fatal(err)
					}
					k, set, err := nr.vertexCut(v, arcs, a, b)
					if err != nil {
						t.Fatal(err)
					}
					if want := gonumVertexFlow(v, a, b); k != want {
						t.Errorf("vertex flow %d, old %d", k, want)
					}
					if !v.hasHop(a, b) {
						rm := map[int32]bool{}
						for _, n := range set {
							if n == a || n == b {
								t.Errorf("cut holds an end")
							}
							rm[n] = true
						}
						if len(set) != k || len(rm) != k {
							t.Errorf("vertex cut size %d, k %d", len(set), k)
						}
						if reaches(v, a, b, rm, nil) {
							t.Errorf("vertex cut does not cut (dir %v)", directed)
						}
						if k == 2 {
							for _, n := range v.nodes {
								if n != a && n != b && !reaches(v, a, b, map[int32]bool{n: true}, nil) {
									t.Errorf("single vertex cuts but k=2")
								}
							}
						}
					}
					rk, hops, err := nr.relationCut(v, arcs, a, b)
					if err != nil {
						t.Fatal(err)
					}
					if want := gonumRelationFlow(v, a, b); rk != want {
						t.Errorf("relation flow %d, old %d", rk, want)
					}
					rmL := map[graph.Link]bool{}
					cnt := 0
					for _, h := range hops {
						for _, lk := range v.w.step(h[0], h[1]) {
							rmL[lk] = true
							cnt++
						}
					}
					if cnt != rk || len(rmL) != rk {
						t.Errorf("relation cut lists %d (%d distinct), k %d", cnt, len(rmL), rk)
					}
					if reaches(v, a, b, nil, rmL) {
						t.Errorf("relation cut does not cut (dir %v)", directed)
					}
					var brute []graph.Link
					for _, lk := range links {
						if !reaches(v, a, b, nil, map[graph.Link]bool{lk: true}) {
							brute = append(brute, lk)
						}
					}
					if (len(brute) > 0) != (rk == 1) {
						t.Errorf("rk %d but %d single relations cut", rk, len(brute))
					}
					if rk == 1 {
						singlesChecked++
						if len(brute) > 1 {
							multiSingles++
						}
						lks, err := nr.singleRelations(v, a, b)
						if err != nil {
							t.Fatal(err)
						}
						got := map[graph.Link]bool{}
						for _, lk := range lks {
							got[lk] = true
						}
						if len(got) != len(brute) {
							t.Errorf("singles: path method %d, brute %d (dir %v)", len(got), len(brute), directed)
						}
						for _, lk := range brute {
							if !got[lk] {
								t.Errorf("single %v missed", lk)
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d pairs; %d cut by one relation, %d of them by several each alone", pairs, singlesChecked, multiSingles)
	if pairs < 500 || singlesChecked < 100 || multiSingles < 20 {
		t.Errorf("too few cases: %d pairs, %d cut by one relation, %d by several alone", pairs, singlesChecked, multiSingles)
	}
}
