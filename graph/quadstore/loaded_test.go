package quadstore

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
)

// TestLoadedGraph: right after a bulk load, ScanPredicate and LiteralIDs
// answer from the graph the load held exactly as from the store, for every
// predicate (labelled quads, literals, blank nodes, a predicate that is
// also a subject); after a change to the store they read the store.
func TestLoadedGraph(t *testing.T) {
	ctx := context.Background()
	var in []quad.Quad
	for i := range 3000 {
		s := quad.IRI(fmt.Sprintf("entity:e%d", i))
		in = append(in,
			quad.Make(s, quad.IRI("rel:partner"), quad.IRI(fmt.Sprintf("entity:e%d", (i*7)%3000)), nil),
			quad.Make(s, quad.IRI("name"), quad.String(fmt.Sprintf("E %d", i)), nil),
			quad.Make(s, quad.IRI("rel:member"), quad.BNode(fmt.Sprintf("g%d", i%40)), quad.IRI(fmt.Sprintf("stmt:%d", i%5))),
			quad.Make(s, quad.IRI("since"), quad.Int(1950+i%70), nil),
		)
	}
	in = append(in, quad.Make(quad.IRI("rel:partner"), quad.IRI("rel:inverse"), quad.IRI("rel:partner"), nil))
	in = append(in, in[:500]...) // duplicates
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Load(ctx, &sliceReader{qs: in, failAt: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Bulk || s.loadedNow() == nil {
		t.Fatalf("bulk %v: the load kept no graph", res.Bulk)
	}
	type link struct{ s, o, l uint64 }
	read := func() (map[graph.Ref][]link, []bool) {
		preds, _, err := s.Predicates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		scans := map[graph.Ref][]link{}
		for _, p := range preds {
			var l []link
			if err := s.ScanPredicate(ctx, p, func(su, o, lb uint64) { l = append(l, link{su, o, lb}) }); err != nil {
				t.Fatal(err)
			}
			scans[p] = l
		}
		lit, err := s.LiteralIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var lits []bool
		for id := uint64(0); id <= s.MaxID()+70; id++ {
			lits = append(lits, lit(id))
		}
		return scans, lits
	}
	memScans, memLits := read()
	if s.loadedNow() == nil {
		t.Fatal("reading lost the loaded graph")
	}
	s.ForgetLoaded()
	storeScans, storeLits := read()
	if len(memScans) != len(storeScans) || len(memScans) < 5 {
		t.Fatalf("%d predicates from the load's graph, %d from the store", len(memScans), len(storeScans))
	}
	for p, want := range storeScans {
		if got := memScans[p]; !slices.Equal(got, want) {
			t.Errorf("predicate %v: %d quads from the load's graph, %d from the store (or another order)", p, len(got), len(want))
		}
	}
	if !slices.Equal(memLits, storeLits) {
		t.Error("the literals differ")
	}

	// A change: the store answers from then on.
	s2, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.Load(ctx, &sliceReader{qs: in, failAt: -1}, nil); err != nil {
		t.Fatal(err)
	}
	if s2.loadedNow() == nil {
		t.Fatal("the load kept no graph")
	}
	extra := quad.Make(quad.IRI("entity:new"), quad.IRI("rel:partner"), quad.IRI("entity:e1"), nil)
	if err := s2.ApplyDeltas([]graph.Delta{{Quad: extra, Action: graph.Add}}, graph.IgnoreOpts{}); err != nil {
		t.Fatal(err)
	}
	p, err := s2.ValueOf(quad.IRI("rel:partner"))
	if err != nil || p == nil {
		t.Fatal(p, err)
	}
	n := 0
	if err := s2.ScanPredicate(ctx, p, func(uint64, uint64, uint64) { n++ }); err != nil {
		t.Fatal(err)
	}
	if n != 3001 {
		t.Fatalf("%d quads of rel:partner after adding one to 3000", n)
	}
	if s2.loadedNow() != nil {
		t.Fatal("the loaded graph outlived a change")
	}
}
