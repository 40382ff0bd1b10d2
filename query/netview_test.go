package query

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	gg "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/network"
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

// pageRank gives gonum's PageRankSparse ranks, on random directed views
// with dangling nodes and nodes left out, and stops when cancelled.
func TestPageRankIsGonums(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	for trial := 0; trial < 200; trial++ {
		v := randomView(rng, 1+rng.IntN(80), rng.Float64()*0.1, true)
		got, err := pageRank(context.Background(), v, pageRankDamping, pageRankTol)
		if err != nil {
			t.Fatal(err)
		}
		want := network.PageRankSparse(directed{v}, pageRankDamping, pageRankTol)
		if len(got) != len(v.nodes) || len(want) != len(v.nodes) {
			t.Fatalf("trial %d: %d ranks, gonum's %d, for %d nodes", trial, len(got), len(want), len(v.nodes))
		}
		for i, n := range v.nodes {
			if d := math.Abs(got[i] - want[int64(n)]); d > 1e-6 {
				t.Fatalf("trial %d (%d nodes): node %d ranks %g, gonum's %g", trial, len(v.nodes), n, got[i], want[int64(n)])
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := pageRank(ctx, randomView(rng, 50, 0.1, true), pageRankDamping, pageRankTol); err != context.Canceled {
		t.Fatalf("cancelled: %v", err)
	}
}

// firstScored keeps what a full sort would: the first keep by score, then
// node number, and every node tied with the last, for random scores with
// many ties and every keep.
func TestFirstScoredIsSorted(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for trial := 0; trial < 300; trial++ {
		n := rng.IntN(60)
		list := make([]scored, n)
		for i := range list {
			list[i] = scored{int32(rng.IntN(1000)), float64(rng.IntN(1+trial%12)) / 3}
		}
		for keep := 0; keep <= n+1; keep++ {
			want := slices.Clone(list)
			for i := range want {
				want[i].score = round(want[i].score)
			}
			slices.SortFunc(want, func(a, b scored) int {
				if a.score != b.score {
					if a.score > b.score {
						return -1
					}
					return 1
				}
				return int(a.n - b.n)
			})
			end := min(keep, len(want))
			for end < len(want) && keep > 0 && want[end].score == want[keep-1].score {
				end++
			}
			want = want[:end]
			got := firstScored(slices.Clone(list), keep)
			if !slices.Equal(got, want) {
				t.Fatalf("trial %d, keep %d of %v:\n got %v\nwant %v", trial, keep, list, got, want)
			}
		}
	}
}
