package query

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/seeds"
)

// The labels of history's rows are the same read from each entity's own
// quads (a few nodes) as from the catalog (many): on the seed graph with
// a relation retracted, an entity renamed and one removed whole.
func TestHistoryLabelsOwnAsCatalog(t *testing.T) {
	ctx := context.Background()
	db, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := loader.LoadSources(ctx, db, seeds.Sources(), nil); err != nil {
		t.Fatal(err)
	}
	// Retract Japan's relations with AP4 and a name, and all of Vietnam.
	var japan, vietnam []quad.Quad
	qs := db.QuadStore()
	it := qs.QuadsAllIterator().Iterate()
	defer it.Close()
	for it.Next(ctx) {
		q, err := qs.Quad(it.Result())
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case q.Subject == quad.IRI(graph.EntityPrefix+"japan") && q.Object == quad.IRI(graph.EntityPrefix+"ap4"),
			q.Subject == quad.IRI(graph.EntityPrefix+"japan") && graph.IsNamePredicate(q.Predicate):
			japan = append(japan, q)
		case q.Subject == quad.IRI(graph.EntityPrefix+"vietnam"):
			vietnam = append(vietnam, q)
		}
	}
	if len(japan) < 2 || len(vietnam) == 0 {
		t.Fatalf("seed graph: %d of Japan's quads, %d of Vietnam's", len(japan), len(vietnam))
	}
	for _, qs := range [][]quad.Quad{japan, vietnam} {
		if err := db.Update(ctx, func(b *graph.Batch) error {
			for _, q := range qs {
				b.Remove(q)
			}
			if qs[0].Subject == japan[0].Subject {
				b.Add(quad.Make(japan[0].Subject, quad.IRI("name"), quad.String("Nippon-koku"), nil))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	defer func(v int) { catalogLabelMin = v }(catalogLabelMin)
	for _, stmt := range []string{`history Japan`, `history "Nippon-koku"`, `history Vietnam`, `history AP4`, `changes since tx:2`, `history "North Korea"`} {
		var rows [2][][]Value
		for i, min := range []int{1 << 30, 0} {
			catalogLabelMin = min
			res, err := Run(ctx, db, stmt, nil)
			if err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
			rows[i] = res.Rows
		}
		if len(rows[0]) == 0 {
			t.Errorf("%s: no rows", stmt)
		}
		if !reflect.DeepEqual(rows[0], rows[1]) {
			t.Errorf("%s: labels from the entities' quads\n%v\nfrom the catalog\n%v", stmt, fmt.Sprint(rows[0]), fmt.Sprint(rows[1]))
		}
	}
}
