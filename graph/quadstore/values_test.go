package quadstore

import (
	"context"
	"fmt"
	"math/rand"
	"testing"

	"github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/cayley/graph/refs"
	"github.com/cayleygraph/quad"
)

// TestValuesOfBatch checks that a large batch (read by scanning the node
// records) gives what one lookup each gives: in the batch's order, with
// repeats, ids of no node (nil), prefetched values, nodes removed.
func TestValuesOfBatch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var qs []quad.Quad
	for i := 0; i < 3000; i++ {
		qs = append(qs, quad.Make(quad.IRI(fmt.Sprintf("n:%d", i)), quad.IRI("p:name"), quad.String(fmt.Sprintf("name %d", i)), nil))
	}
	if _, err := s.Load(ctx, &SliceReader{Quads: qs}, nil); err != nil {
		t.Fatal(err)
	}
	// Some nodes gone with their last quad.
	if _, err := s.Commit(ctx, nil, qs[100:140], TxOptions{}); err != nil {
		t.Fatal(err)
	}
	// Reopened: no value cached.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir, &Options{ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewSource(1))
	max := s.MaxID()
	var rs []graph.Ref
	for i := 0; i < 5000; i++ {
		switch r.Intn(20) {
		case 0:
			rs = append(rs, refs.PreFetched(quad.String("fetched")))
		case 1:
			rs = append(rs, nil)
		case 2:
			rs = append(rs, s.NodeRef(max+uint64(r.Intn(10))+1))
		default:
			rs = append(rs, s.NodeRef(uint64(r.Intn(int(max)))+1))
		}
	}
	got, err := s.ValuesOf(ctx, rs)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) < scanValuesMin {
		t.Fatal("the batch is too small to be scanned")
	}
	for i, ref := range rs {
		var want quad.Value
		if ref != nil {
			if want, err = s.NameOf(ref); err != nil {
				t.Fatal(err)
			}
		}
		if got[i] != want {
			t.Fatalf("value %d (%v): %v, want %v", i, ref, got[i], want)
		}
	}
}
