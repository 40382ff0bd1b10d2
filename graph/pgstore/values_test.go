package pgstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/quadstore"
)

// TestValuesOf: the batched read of node values gives what Cayley's
// NameOf gives, node by node, for every kind of value the nodes table
// holds, in the order asked, with repeats, unknown nodes and more nodes
// than one batch.
func TestValuesOf(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	when := time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC)
	objects := []quad.Value{
		quad.String("plain"),
		quad.String("with\x00nul"),
		quad.LangString{Value: "Japon", Lang: "fr"},
		quad.TypedString{Value: "2024-03-01", Type: "http://www.w3.org/2001/XMLSchema#date"},
		quad.IRI("http://example.org/x"),
		quad.BNode("b1"),
		quad.Int(-42),
		quad.Bool(true),
		quad.Float(2.5),
		quad.Time(when),
	}
	var adds []quad.Quad
	for i, o := range objects {
		adds = append(adds, quad.Make(quad.IRI(fmt.Sprintf("s%d", i)), quad.IRI("p"), o, nil))
	}
	for i := range 5000 { // more than one batch
		adds = append(adds, quad.Make(quad.IRI("many"), quad.IRI("p"), quad.String(fmt.Sprintf("v%d", i)), nil))
	}
	if _, err := s.Commit(ctx, adds, nil, quadstore.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	ref := func(v quad.Value) cgraph.Ref {
		r, err := s.ValueOf(v)
		if err != nil || r == nil {
			t.Fatalf("ValueOf(%v): %v, %v", v, r, err)
		}
		return r
	}
	var rs []cgraph.Ref
	for _, q := range adds {
		rs = append(rs, ref(q.Object), ref(q.Subject))
	}
	rs = append(rs, ref(objects[0]), nil) // a repeat, and no node
	got, err := s.ValuesOf(ctx, rs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rs) {
		t.Fatalf("%d values for %d refs", len(got), len(rs))
	}
	for i, r := range rs {
		want, err := s.NameOf(r)
		if err != nil {
			t.Fatal(err)
		}
		if !valueEqual(got[i], want) {
			t.Errorf("ref %d: ValuesOf %#v, NameOf %#v", i, got[i], want)
		}
	}
	for i, o := range objects {
		if !valueEqual(got[2*i], o) {
			t.Errorf("object %d: read back %#v, stored %#v", i, got[2*i], o)
		}
	}
	// The history keeps the NUL too (PostgreSQL's text cannot hold one).
	found := false
	if err := s.Changes(ctx, 0, 0, func(_ quadstore.TxRecord, op quadstore.Op) error {
		found = found || op.Quad.Object == objects[1]
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Error("the history has no quad with the string holding a NUL")
	}
	if _, err := s.ValuesOf(canceled(), rs); err == nil {
		t.Error("ValuesOf with a cancelled context: no error")
	}
}

func valueEqual(a, b quad.Value) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if ta, ok := a.(quad.Time); ok {
		tb, ok := b.(quad.Time)
		return ok && time.Time(ta).Equal(time.Time(tb))
	}
	return a == b
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
