package query

import (
	"math/rand/v2"
	"slices"
	"testing"

	gg "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/topo"
)

// randomView is a view of n nodes, some left out, with arcs at random
// (both ways when undirected, as newView builds them).
func randomView(rng *rand.Rand, n int, p float64, directed bool) *netView {
	v := &netView{directed: directed, in: make([]bool, n), outStart: make([]int32, n+1)}
	for i := 0; i < n; i++ {
		if rng.IntN(8) != 0 {
			v.in[i] = true
			v.nodes = append(v.nodes, int32(i))
		}
	}
	adj := make([][]int32, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j && v.in[i] && v.in[j] && rng.Float64() < p {
				adj[i] = append(adj[i], int32(j))
				if !directed {
					adj[j] = append(adj[j], int32(i))
				}
			}
		}
	}
	for i := 0; i < n; i++ {
		slices.Sort(adj[i])
		adj[i] = slices.Compact(adj[i])
		v.out = append(v.out, adj[i]...)
		v.outStart[i+1] = int32(len(v.out))
	}
	v.transpose()
	return v
}

// canonical sorts each part and the parts, to compare partitions.
func canonical(parts [][]int32) [][]int32 {
	for _, p := range parts {
		slices.Sort(p)
	}
	slices.SortFunc(parts, func(a, b []int32) int { return int(a[0] - b[0]) })
	return parts
}

// The view's components are gonum's: connected, or strongly connected
// when directed, on random views.
func TestPartsAreGonums(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	for trial := 0; trial < 300; trial++ {
		dir := trial%2 == 1
		v := randomView(rng, 1+rng.IntN(60), rng.Float64()*0.08, dir)
		var sets [][]gg.Node
		if dir {
			sets = topo.TarjanSCC(directed{v})
		} else {
			sets = topo.ConnectedComponents(undirected{v})
		}
		var want [][]int32
		for _, s := range sets {
			var p []int32
			for _, n := range s {
				p = append(p, int32(n.ID()))
			}
			want = append(want, p)
		}
		got := canonical(v.parts())
		want = canonical(want)
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("trial %d (directed %v, %d nodes): parts %v, gonum's %v", trial, dir, len(v.nodes), got, want)
		}
	}
}

// A chain of a million nodes, one strongly connected component: the
// walk keeps its calls in a slice.
func TestPartsLongCycle(t *testing.T) {
	const n = 1_000_000
	v := &netView{directed: true, in: make([]bool, n), outStart: make([]int32, n+1)}
	for i := int32(0); i < n; i++ {
		v.in[i] = true
		v.nodes = append(v.nodes, i)
		v.out = append(v.out, (i+1)%n)
		v.outStart[i+1] = int32(len(v.out))
	}
	v.transpose()
	if parts := v.parts(); len(parts) != 1 || len(parts[0]) != n {
		t.Fatalf("%d parts", len(parts))
	}
}
