package query

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/entente-kg/entente/graph"

	gg "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/simple"
)

// arc is a weighted arc i → j of a test graph.
type arc struct {
	i, j int
	w    float64
}

// testGraph is a graph both as Louvain here reads it and as gonum does,
// so that the two can be compared.
type testGraph struct {
	n        int
	directed bool
	lg       *louvainGraph
	gonum    gg.Graph
}

// newTestGraph builds a graph of n nodes from its links: arcs when
// directed, else each link is the two arcs, as louvainOf reads an
// undirected view.
func newTestGraph(t *testing.T, n int, links []arc, directed bool) *testGraph {
	t.Helper()
	w := map[[2]int]float64{}
	var ug *simple.WeightedUndirectedGraph
	var dg *simple.WeightedDirectedGraph
	if directed {
		dg = simple.NewWeightedDirectedGraph(0, 0)
	} else {
		ug = simple.NewWeightedUndirectedGraph(0, 0)
	}
	for i := 0; i < n; i++ {
		if directed {
			dg.AddNode(simple.Node(i))
		} else {
			ug.AddNode(simple.Node(i))
		}
	}
	for _, a := range links {
		if a.i == a.j {
			t.Fatalf("self-loop %v", a)
		}
		w[[2]int{a.i, a.j}] += a.w
		if !directed {
			w[[2]int{a.j, a.i}] += a.w
		}
	}
	rows := make([][]arc, n)
	for k, x := range w {
		rows[k[0]] = append(rows[k[0]], arc{k[0], k[1], x})
		if directed {
			dg.SetWeightedEdge(simple.WeightedEdge{F: simple.Node(k[0]), T: simple.Node(k[1]), W: x})
		} else if k[0] < k[1] {
			ug.SetWeightedEdge(simple.WeightedEdge{F: simple.Node(k[0]), T: simple.Node(k[1]), W: x})
		}
	}
	ostart := make([]int32, n+1)
	var oadj []int32
	var ow []float64
	for i, r := range rows {
		slices.SortFunc(r, func(a, b arc) int { return a.j - b.j })
		for _, a := range r {
			oadj = append(oadj, int32(a.j))
			ow = append(ow, a.w)
		}
		ostart[i+1] = int32(len(oadj))
	}
	tg := &testGraph{n: n, directed: directed, lg: newLouvainGraph(ostart, oadj, ow)}
	if directed {
		tg.gonum = dg
	} else {
		tg.gonum = ug
	}
	return tg
}

// planted is a graph of groups of size nodes each, a link inside a group
// with probability pin and between groups with pout, of weight 1 to 3.
func planted(t *testing.T, groups, size int, pin, pout float64, directed bool, seed uint64) *testGraph {
	rng := rand.New(rand.NewPCG(seed, 0))
	n := groups * size
	var links []arc
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j || (!directed && j < i) {
				continue
			}
			p := pout
			if i/size == j/size {
				p = pin
			}
			if rng.Float64() < p {
				links = append(links, arc{i, j, float64(1 + rng.IntN(3))})
			}
		}
	}
	return newTestGraph(t, n, links, directed)
}

// sets turns a partition into gonum's communities.
func sets(c []int32) [][]gg.Node {
	by := map[int32][]gg.Node{}
	for i, x := range c {
		by[x] = append(by[x], simple.Node(i))
	}
	var out [][]gg.Node
	for _, s := range by {
		out = append(out, s)
	}
	return out
}

func noCharge(int) error { return nil }

// The modularity Louvain maximises is gonum's, directed and not, with a
// resolution, on any partition.
func TestLouvainModularityIsGonums(t *testing.T) {
	for _, directed := range []bool{false, true} {
		g := planted(t, 4, 12, 0.4, 0.05, directed, 7)
		rng := rand.New(rand.NewPCG(1, 2))
		for trial := 0; trial < 20; trial++ {
			c := make([]int32, g.n)
			k := 1 + rng.IntN(g.n)
			for i := range c {
				c[i] = int32(rng.IntN(k))
			}
			for _, res := range []float64{1, communityResolution} {
				got, want := g.lg.modularity(c, res), community.Q(g.gonum, sets(c), res)
				if math.Abs(got-want) > 1e-9 {
					t.Errorf("directed %v, resolution %v: modularity %v, gonum's Q %v", directed, res, got, want)
				}
			}
		}
	}
}

// Louvain's second phase keeps the modularity: a partition of the
// communities has, on the smaller graph, the modularity of the partition
// of their members on the graph.
func TestLouvainAggregateKeepsModularity(t *testing.T) {
	for _, directed := range []bool{false, true} {
		g := planted(t, 5, 10, 0.5, 0.04, directed, 3)
		c, moved, err := g.lg.localMoves(communityResolution, rand.New(rand.NewPCG(1, 1)), noCharge, nil)
		if err != nil || !moved {
			t.Fatalf("localMoves: moved %v, %v", moved, err)
		}
		dense, k := renumber(c)
		a := g.lg.aggregate(c, dense, k)
		if a.m != g.lg.m {
			t.Errorf("directed %v: m %v, aggregated %v", directed, g.lg.m, a.m)
		}
		same := make([]int32, k)
		for x := range same {
			same[x] = int32(x)
		}
		if got, want := a.modularity(same, communityResolution), g.lg.modularity(c, communityResolution); math.Abs(got-want) > 1e-9 {
			t.Errorf("directed %v: aggregated modularity %v, of the partition %v", directed, got, want)
		}
		// Two communities put together: the same on both graphs.
		coarse := slices.Clone(same)
		coarse[1] = 0
		members := make([]int32, g.n)
		for i := range members {
			members[i] = coarse[dense[c[i]]]
		}
		if got, want := a.modularity(coarse, communityResolution), g.lg.modularity(members, communityResolution); math.Abs(got-want) > 1e-9 {
			t.Errorf("directed %v: coarser aggregated modularity %v, of the partition %v", directed, got, want)
		}
	}
}

// A ring of cliques, each joined to the next by one link, splits into
// its cliques whatever the seed.
func TestLouvainRingOfCliques(t *testing.T) {
	const cliques, size = 6, 7
	var links []arc
	for c := 0; c < cliques; c++ {
		for i := 0; i < size; i++ {
			for j := i + 1; j < size; j++ {
				links = append(links, arc{c*size + i, c*size + j, 1})
			}
		}
		links = append(links, arc{c * size, ((c+1)%cliques)*size + 1, 1})
	}
	for _, directed := range []bool{false, true} {
		g := newTestGraph(t, cliques*size, links, directed)
		for seed := uint64(1); seed <= 5; seed++ {
			c, err := louvain(g.lg, communityResolution, rand.New(rand.NewPCG(seed, seed)), noCharge)
			if err != nil {
				t.Fatal(err)
			}
			for i := range c {
				for j := range c {
					if (i/size == j/size) != (c[i] == c[j]) {
						t.Fatalf("directed %v, seed %d: nodes %d and %d: communities %d and %d", directed, seed, i, j, c[i], c[j])
					}
				}
			}
		}
	}
}

// On graphs with communities planted, the best of a few runs is as good
// as gonum's best of as many, and finds the planted groups.
func TestLouvainAsGoodAsGonum(t *testing.T) {
	for _, directed := range []bool{false, true} {
		g := planted(t, 8, 30, 0.2, 0.01, directed, 11)
		ours, theirs := math.Inf(-1), math.Inf(-1)
		var best []int32
		for seed := uint64(1); seed <= 10; seed++ {
			c, err := louvain(g.lg, communityResolution, rand.New(rand.NewPCG(seed, seed)), noCharge)
			if err != nil {
				t.Fatal(err)
			}
			if q := g.lg.modularity(c, communityResolution); q > ours {
				ours, best = q, c
			}
			r := community.Modularize(g.gonum, communityResolution, rand.NewPCG(seed, seed))
			theirs = max(theirs, community.Q(g.gonum, r.Communities(), communityResolution))
		}
		if ours < theirs-0.01 {
			t.Errorf("directed %v: modularity %.4f, gonum's %.4f", directed, ours, theirs)
		}
		// Each planted group falls in one community, mostly.
		wrong := 0
		for i := range best {
			if best[i] != best[(i/30)*30] {
				wrong++
			}
		}
		if wrong > len(best)/20 {
			t.Errorf("directed %v: %d of %d nodes away from their group's first", directed, wrong, len(best))
		}
		t.Logf("directed %v: modularity %.4f, gonum's %.4f", directed, ours, theirs)
	}
}

// A run stops when its charge fails, and each pass charges its nodes.
func TestLouvainCharges(t *testing.T) {
	g := planted(t, 4, 20, 0.3, 0.02, false, 5)
	spent := 0
	if _, err := louvain(g.lg, communityResolution, rand.New(rand.NewPCG(1, 1)), func(n int) error {
		spent += n
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if spent < 2*g.n {
		t.Errorf("charged %d for %d nodes: less than two passes", spent, g.n)
	}
	stop := errors.New("stop")
	left := spent / 2
	_, err := louvain(g.lg, communityResolution, rand.New(rand.NewPCG(1, 1)), func(n int) error {
		if left -= n; left < 0 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("with half the work: %v", err)
	}
}

// A graph without links, or without nodes, has no communities to find.
func TestLouvainEmpty(t *testing.T) {
	for _, n := range []int{0, 3} {
		g := newTestGraph(t, n, nil, false)
		c, err := louvain(g.lg, communityResolution, rand.New(rand.NewPCG(1, 1)), noCharge)
		if err != nil || len(c) != n {
			t.Fatalf("%d nodes: %v, %v", n, c, err)
		}
		if q := g.lg.modularity(c, communityResolution); q != 0 {
			t.Errorf("%d nodes: modularity %v", n, q)
		}
	}
}

// communities on the seed graph under budgets from too small for one
// run to enough for all: it fails as a search out of work, or answers
// with the best of the runs that fit, never past the budget.
func TestCommunitiesBudget(t *testing.T) {
	kinds := map[string]int{}
	for _, stmt := range []string{"communities", "communities directed"} {
		full := netRunOf(t, stmt)
		if _, err := full.communities(); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		spent := full.ev.work
		for budget := int64(50); budget <= spent+spent/4; budget += max(1, spent/60) {
			nr := full
			nr.ev.work, nr.ev.nextCheck, nr.ev.opts.MaxWork = 0, 0, budget
			res, err := nr.communities()
			switch {
			case err != nil:
				if !errors.Is(err, graph.ErrSearchTooLarge) {
					t.Fatalf("%s, budget %d: %v", stmt, budget, err)
				}
				kinds["out of work"]++
			case strings.Contains(res.Note, "one run of Louvain"):
				kinds["one run"]++
			case strings.Contains(res.Note, "the best of 20 runs"):
				kinds["all runs"]++
			case strings.Contains(res.Note, "the best of"):
				kinds["some runs"]++
			default:
				t.Fatalf("%s, budget %d: note %q", stmt, budget, res.Note)
			}
			if err == nil && nr.ev.work > budget {
				t.Errorf("%s, budget %d: %d spent", stmt, budget, nr.ev.work)
			}
		}
	}
	for _, k := range []string{"out of work", "one run", "some runs", "all runs"} {
		if kinds[k] == 0 {
			t.Errorf("no budget gave %q: %v", k, kinds)
		}
	}
}
