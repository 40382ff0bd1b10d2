package query

import (
	"errors"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/simple"
)

// The maximum flow is gonum's on random networks, and the nodes the
// source still reaches after it make a cut of that capacity: the arcs
// from them to the rest carry the flow whole.
func TestMaxFlowIsGonums(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for trial := 0; trial < 200; trial++ {
		n := 2 + rng.IntN(30)
		p := rng.Float64() * 0.4
		var arcs []flowArc
		g := simple.NewWeightedDirectedGraph(0, 0)
		for i := 0; i < n; i++ {
			g.AddNode(simple.Node(i))
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if i != j && rng.Float64() < p {
					c := int32(1 + rng.IntN(4))
					if rng.IntN(10) == 0 {
						c = unbounded
					}
					arcs = append(arcs, flowArc{int32(i), int32(j), c})
					g.SetWeightedEdge(simple.WeightedEdge{F: simple.Node(i), T: simple.Node(j), W: float64(c)})
				}
			}
		}
		s, dst := int32(0), int32(n-1)
		f := newFlowNet(n, arcs)
		got, err := f.maxFlow(s, dst, noCharge)
		if err != nil {
			t.Fatal(err)
		}
		want := int(network.MaxFlowDinic(g, simple.Node(s), simple.Node(dst), 1e-9))
		if got != want && !(got >= unbounded && want >= unbounded) {
			t.Fatalf("trial %d (%d nodes, %d arcs): flow %d, gonum's %d", trial, n, len(arcs), got, want)
		}
		if got >= unbounded {
			continue // no cut: a path of arcs no cut takes
		}
		side := f.reach(s)
		if side[dst] {
			t.Fatalf("trial %d: the sink is still reached after the flow", trial)
		}
		cut := 0
		for _, a := range arcs {
			if side[a.from] && !side[a.to] {
				cut += int(a.cap)
			}
		}
		if cut != got {
			t.Errorf("trial %d: the cut read from the flow weighs %d, the flow %d", trial, cut, got)
		}
	}
}

// A flow stops when its charge fails.
func TestMaxFlowCharges(t *testing.T) {
	// Two disjoint paths of two hops, then a long path.
	arcs := []flowArc{{0, 1, 1}, {1, 5, 1}, {0, 2, 1}, {2, 5, 1}, {0, 3, 1}, {3, 4, 1}, {4, 6, 1}, {6, 5, 1}}
	spent := 0
	k, err := newFlowNet(7, arcs).maxFlow(0, 5, func(n int) error { spent += n; return nil })
	if err != nil || k != 3 {
		t.Fatalf("flow %d, %v; want 3", k, err)
	}
	if spent == 0 {
		t.Error("nothing charged")
	}
	stop := errors.New("stop")
	if _, err := newFlowNet(7, arcs).maxFlow(0, 5, func(int) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("a failing charge: %v", err)
	}
}

// A path as long as the graph: the walk that carries the flow keeps its
// path in a slice, not in calls (a chain of 2,000,000 nodes took 256 MB
// of stack when it recursed).
func TestMaxFlowLongChain(t *testing.T) {
	const n = 1_000_000
	arcs := make([]flowArc, 0, n)
	for i := int32(0); i+1 < n; i++ {
		arcs = append(arcs, flowArc{i, i + 1, 2})
	}
	arcs = append(arcs, flowArc{0, n - 1, 1})
	f := newFlowNet(n, arcs)
	k, err := f.maxFlow(0, n-1, noCharge)
	if err != nil || k != 3 {
		t.Fatalf("flow %d, %v; want 3", k, err)
	}
	if side := f.reach(0); side[n-1] || !side[0] {
		t.Error("the sink is reached after the flow")
	}
}
