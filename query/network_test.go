package query

import (
	"context"
	"math"
	"testing"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/query/syntax"
	"github.com/entente-kg/entente/seeds"
	"gonum.org/v1/gonum/graph/path"
)

// netRunOf compiles a network statement on the seed graph, for the tests
// of the parts gonum does not provide.
func netRunOf(t *testing.T, src string) *netRun {
	t.Helper()
	db, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := loader.LoadSources(context.Background(), db, seeds.Sources(), nil); err != nil {
		t.Fatal(err)
	}
	st, err := syntax.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	ev := &evaluator{ctx: context.Background(), db: db, qs: db.QuadStore(), src: src, opts: (&Options{}).withDefaults(),
		nodes: map[cgraph.Ref]*Node{}, stmts: map[cgraph.Ref]*stmtInfo{}}
	nr, err := ev.newNetRun(st.(*syntax.Network), st.(*syntax.Network).Avoid)
	if err != nil {
		t.Fatal(err)
	}
	return nr
}

// The sampled measures, written by hand, agree with gonum's exact ones
// when every node is a source.
func TestSampledAllSources(t *testing.T) {
	for _, directed := range []bool{false, true} {
		src := "rank by betweenness"
		if directed {
			src += " directed"
		}
		nr := netRunOf(t, src)
		v, err := nr.view(nr.globalBelow())
		if err != nil {
			t.Fatal(err)
		}
		k, exact := nr.sampleSize(v)
		if !exact || k != len(v.nodes) {
			t.Fatalf("%s: the seed graph is sampled (%d of %d)", src, k, len(v.nodes))
		}
		for _, betweenness := range []bool{true, false} {
			want := map[int32]float64{}
			if betweenness {
				half := map[bool]float64{false: 0.5, true: 1}[directed]
				for id, x := range networkBetweenness(v) {
					want[int32(id)] = x * half
				}
			} else {
				want = closeness(v)
			}
			got, err := nr.sampled(v, len(v.nodes), betweenness)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range v.nodes {
				if math.Abs(got[n]-want[n]) > 1e-9*math.Max(1, want[n]) {
					t.Errorf("%s (betweenness %v): node %d sampled %v, gonum %v", src, betweenness, n, got[n], want[n])
				}
			}
		}
	}
}

// countShortest, which decides whether brokers may ask gonum to list a
// pair's paths, counts what AllTo lists.
func TestCountShortest(t *testing.T) {
	nr := netRunOf(t, "brokers between EU and India avoid partner")
	v, err := nr.view(graph.StrengthAtRisk)
	if err != nil {
		t.Fatal(err)
	}
	a := nr.ends[0]
	sp := path.DijkstraAllFrom(gnode(a), v.gonum())
	checked := 0
	for _, b := range v.nodes {
		if math.IsInf(sp.WeightTo(int64(b)), 1) || b == a {
			continue
		}
		all, _ := sp.AllTo(int64(b))
		if n := countShortest(v, sp, b); n != float64(len(all)) {
			t.Errorf("node %d: %v paths counted, %d listed", b, n, len(all))
		}
		checked++
	}
	if checked < 20 {
		t.Errorf("only %d nodes reached", checked)
	}
}
