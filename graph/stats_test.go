package graph_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/cayleygraph/quad"
	eg "github.com/entente-kg/entente/graph"
)

// statsGraph has what Stats must tell apart: several type predicates, an
// entity with two types, the model's own types, attributes, a literal
// object under a link predicate, two link predicates with one short name,
// links in statements (labels) and the same link in two of them.
func statsGraph() []quad.Quad {
	iri := func(s string) quad.IRI { return quad.IRI(s) }
	q := func(s, p string, o quad.Value, l string) quad.Quad {
		var lv quad.Value
		if l != "" {
			lv = iri(l)
		}
		return quad.Quad{Subject: iri(s), Predicate: iri(p), Object: o, Label: lv}
	}
	return []quad.Quad{
		q("entity:jp", "rdf:type", iri("type:Country"), ""),
		q("entity:kr", "rdf:type", iri("type:Country"), ""),
		q("entity:in", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", iri("type:Country"), ""),
		q("entity:eu", "type", iri("type:Bloc"), ""),
		q("entity:eu", "rdf:type", iri("type:Organisation"), ""),
		q("entity:ap4", "a", quad.String("Group"), ""),
		q("st:1", "rdf:type", eg.TypeStatement, ""),
		q("ev:1", "rdf:type", eg.TypeEvidence, ""),
		q("src:1", "rdf:type", eg.TypeSource, ""),
		// Statement and source nodes with other types too are no
		// entities; a type stated twice counts once.
		q("st:1", "rdf:type", iri("type:Country"), ""),
		q("src:1", "rdf:type", iri("type:Organisation"), ""),
		q("entity:jp", "rdf:type", iri("type:Country"), "st:1"),
		q("entity:hybrid", "rdf:type", iri("type:Statement"), ""),
		q("entity:hybrid", "rdf:type", iri("type:Hybrid"), ""),
		q("entity:jp", "schema:name", quad.String("Japan"), ""),
		q("entity:jp", "skos:altLabel", quad.String("Nippon"), ""),
		q("st:1", "rdf:subject", iri("entity:jp"), ""),
		q("st:1", "ev:evidence", iri("ev:1"), ""),
		q("entity:jp", "rel:partner", iri("entity:eu"), ""),
		q("entity:jp", "rel:partner", iri("entity:eu"), "st:1"),
		q("entity:jp", "rel:partner", iri("entity:eu"), "st:2"),
		q("entity:kr", "rel:partner", iri("entity:eu"), "st:2"),
		q("entity:kr", "<rel:partner>", iri("entity:in"), ""),
		q("entity:kr", "rel:partner", quad.String("the EU"), ""),
		q("entity:in", "rel:member_of", iri("entity:ap4"), ""),
		q("entity:in", "rel:member_of", quad.Int(4), ""),
		// A literal subject (the Go API takes one): no link.
		{Subject: quad.String("Tokyo"), Predicate: iri("rel:capital_of"), Object: iri("entity:jp")},
		q("entity:eu", "http://example.org/borders", iri("entity:in"), ""),
		q("_:b", "http://example.org/borders", quad.BNode("c"), ""),
	}
}

// wantStats counts qs by the data model's rules, without a store: the
// oracle Stats is held to.
func wantStats(qs []quad.Quad) eg.Stats {
	st := eg.Stats{EntitiesByType: map[string]int64{}, RelationsByKind: map[string]int64{}}
	nodes := map[quad.Value]bool{}
	meta := map[quad.Value]bool{}
	for _, q := range qs {
		if eg.IsTypePredicate(q.Predicate) && eg.IsMetaType(q.Object) {
			meta[q.Subject] = true
		}
	}
	entities := map[quad.Value]bool{}
	byType := map[string]map[quad.Value]bool{}
	for _, q := range qs {
		st.Quads++
		for _, v := range []quad.Value{q.Subject, q.Predicate, q.Object, q.Label} {
			if v != nil {
				nodes[v] = true
			}
		}
		switch {
		case eg.IsTypePredicate(q.Predicate):
			if !eg.IsMetaType(q.Object) && !meta[q.Subject] {
				ty := eg.ShortName(q.Object)
				if byType[ty] == nil {
					byType[ty] = map[quad.Value]bool{}
				}
				byType[ty][q.Subject] = true
				entities[q.Subject] = true
			}
		case eg.IsAttribute(q.Predicate), eg.IsLiteral(q.Object), eg.IsLiteral(q.Subject):
		default:
			st.RelationsByKind[eg.ShortName(q.Predicate)]++
			st.Relations++
		}
	}
	for ty, es := range byType {
		st.EntitiesByType[ty] = int64(len(es))
	}
	st.Nodes, st.Entities = int64(len(nodes)), int64(len(entities))
	return st
}

func checkStats(t *testing.T, db *eg.DB, want eg.Stats) {
	t.Helper()
	got, err := db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got.Quads != want.Quads || got.Nodes != want.Nodes || got.Entities != want.Entities || got.Relations != want.Relations ||
		!maps.Equal(got.EntitiesByType, want.EntitiesByType) || !maps.Equal(got.RelationsByKind, want.RelationsByKind) {
		t.Fatalf("stats\n got %+v\nwant %+v", *got, want)
	}
	if n, err := db.QuadCount(context.Background()); err != nil || n != want.Quads {
		t.Fatalf("QuadCount = %d, %v; want %d", n, err, want.Quads)
	}
}

// TestStats: Stats counts by the data model's rules on every backend,
// after a change, in a fresh process (which reads the link index the
// store keeps) and in a view of the past.
func TestStats(t *testing.T) {
	eachBackend(t, func(t *testing.T, open openFunc) {
		ctx := context.Background()
		db := open(t)
		checkStats(t, db, wantStats(nil))
		qs := statsGraph()
		res, err := db.Load(ctx, quad.NewReader(qs), nil)
		if err != nil {
			t.Fatal(err)
		}
		checkStats(t, db, wantStats(qs))

		// A change moves every count it touches: a type, a link, a link
		// in one statement of two, a new kind.
		gone := []quad.Quad{qs[0], qs[13], qs[15]}
		more := []quad.Quad{
			quad.MakeIRI("entity:in", "rel:ally", "entity:jp", ""),
			quad.MakeIRI("entity:uk", "rdf:type", "type:Country", ""),
		}
		err = db.Update(ctx, func(b *eg.Batch) error {
			for _, q := range gone {
				b.Remove(q)
			}
			for _, q := range more {
				b.Add(q)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var now []quad.Quad
		for _, q := range qs {
			if q != gone[0] && q != gone[1] && q != gone[2] {
				now = append(now, q)
			}
		}
		now = append(now, more...)
		checkStats(t, db, wantStats(now))

		past, err := db.AsOf(ctx, res.Tx.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkStats(t, past, wantStats(qs))

		if addr := db.Dir(); addr != "" {
			past.Close()
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			// A fresh process: twice, the second reading what the first
			// kept.
			for i := range 2 {
				t.Run(fmt.Sprint("fresh", i), func(t *testing.T) {
					fresh := mustOpen(t, addr, &eg.Options{ReadOnly: true})
					checkStats(t, fresh, wantStats(now))
				})
			}
		}
	})
}

// TestTypedNodes: the nodes of each type, as the catalog types them, on
// every backend.
func TestTypedNodes(t *testing.T) {
	eachBackend(t, func(t *testing.T, open openFunc) {
		ctx := context.Background()
		db := open(t)
		qs := statsGraph()
		if _, err := db.Load(ctx, quad.NewReader(qs), nil); err != nil {
			t.Fatal(err)
		}
		typed, err := db.TypedNodes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cat, err := db.Catalog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The catalog's types of every entity, and its entities by type.
		names := map[string]bool{}
		byType := map[string][]string{}
		for _, e := range cat.Entities {
			for _, ty := range e.Types {
				names[ty] = true
				byType[ty] = append(byType[ty], eg.IDText(e.ID))
			}
		}
		if got, want := typed.Names(), slices.Sorted(maps.Keys(names)); !slices.Equal(got, want) {
			t.Fatalf("types %q, the catalog's %q", got, want)
		}
		for _, keep := range [][]string{{"Country"}, {"Bloc", "Organisation"}, {"Group"}, {"Statement"}, {"Nothing"}} {
			var want []string
			for _, ty := range keep {
				want = append(want, byType[ty]...)
			}
			slices.Sort(want)
			want = slices.Compact(want)
			var got []string
			for _, r := range typed.Nodes(func(name string) bool { return slices.Contains(keep, name) }) {
				v, err := db.QuadStore().NameOf(r)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, eg.IDText(v))
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("nodes of %q: %q, the catalog's %q", keep, got, want)
			}
		}
	})
}
