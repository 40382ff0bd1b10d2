package query

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/seeds"
)

// describeEdges are quads the catalog's rules treat carefully: several
// descriptions, an entity with only a description, names that are not
// strings, an empty alias, an alias that is an IRI, a name in a
// language, names by two predicates, and relations to a source and to a
// node typed as a statement.
func describeEdges() []quad.Quad {
	e := func(s string) quad.IRI { return quad.IRI(graph.EntityPrefix + s) }
	name, desc, typ, alias, rel := graph.PredName, graph.PredDescription, graph.PredType, graph.PredAlias, quad.IRI("rel:partner")
	return []quad.Quad{
		quad.Make(e("japan"), desc, quad.String("AAA first"), nil),
		quad.Make(e("japan"), desc, quad.String("ZZZ second"), nil),
		quad.Make(e("desc-only"), desc, quad.String("only a description"), nil),
		quad.Make(e("japan"), rel, e("desc-only"), nil),
		quad.Make(e("int-name"), name, quad.Int(42), nil),
		quad.Make(e("japan"), rel, e("int-name"), nil),
		quad.Make(e("iri-name"), name, quad.IRI("http://example.org/y"), nil),
		quad.Make(e("iri-name"), typ, quad.IRI("type:Country"), nil),
		quad.Make(e("japan"), rel, e("iri-name"), nil),
		quad.Make(e("empty-alias"), alias, quad.String(""), nil),
		quad.Make(e("japan"), rel, e("empty-alias"), nil),
		quad.Make(e("india"), alias, quad.IRI("entity:bharat"), nil),
		quad.Make(e("lang-name"), name, quad.LangString{Value: "Nihon", Lang: "ja"}, nil),
		quad.Make(e("japan"), rel, e("lang-name"), nil),
		quad.Make(e("two-names"), quad.IRI("rdfs:label"), quad.String("Label Name"), nil),
		quad.Make(e("two-names"), name, quad.String("Schema Name"), nil),
		quad.Make(e("japan"), rel, e("two-names"), nil),
		quad.Make(e("japan"), quad.IRI("rel:cites"), quad.IRI("source:ecfr-2024"), nil),
		quad.Make(quad.IRI("stmt:made-up"), typ, graph.TypeStatement, nil),
		quad.Make(quad.IRI("stmt:made-up"), name, quad.String("Made-up Statement"), nil),
		quad.Make(e("japan"), quad.IRI("rel:cites"), quad.IRI("stmt:made-up"), nil),
	}
}

// show, history, changes and name-anchored match describe nodes as the
// catalog does whether it is built or each entity is read alone (a
// store on disk, as a fresh process reads it): the same answers for
// every entity of the seed graph with describeEdges added, a source
// amended and a name unset.
func TestDescribeAsCatalog(t *testing.T) {
	ctx := context.Background()
	db, err := graph.Open(filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := loader.LoadSources(ctx, db, seeds.Sources(), nil); err != nil {
		t.Fatal(err)
	}
	update := func(add, remove []quad.Quad) {
		t.Helper()
		if err := db.Update(ctx, func(b *graph.Batch) error {
			for _, q := range remove {
				b.Remove(q)
			}
			for _, q := range add {
				b.Add(q)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	update(describeEdges(), nil)
	src := quad.IRI("source:ecfr-2024")
	update([]quad.Quad{quad.Make(src, graph.PredPublisher, quad.String("ECFR"), nil)},
		[]quad.Quad{quad.Make(src, graph.PredPublisher, quad.String("European Council on Foreign Relations"), nil),
			quad.Make(quad.IRI(graph.EntityPrefix+"two-names"), graph.PredName, quad.String("Schema Name"), nil)})

	ev := &evaluator{ctx: ctx, db: db}
	if err := ev.entities(); err != nil || ev.er == nil || ev.cat != nil {
		t.Fatalf("a store on disk reads entities alone: reader %v, catalog %v, %v", ev.er != nil, ev.cat != nil, err)
	}
	ev.closeReader()

	cat, err := db.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{"show <source:ecfr-2024>", "history <source:ecfr-2024>", "changes since tx:1", "changes since tx:2", `history "Label Name"`}
	for _, e := range cat.Entities {
		label := strings.ReplaceAll(e.Label(), `"`, `\"`)
		stmts = append(stmts,
			"show <"+IDString(e.ID)+">",
			fmt.Sprintf(`history "%s"`, label),
			fmt.Sprintf(`match (a {name: "%s"})-[r]-(b) return a, r, b`, label),
			fmt.Sprintf(`match (a {name: "%s"}) return a.name, a.type, a.aliases, a.description`, label))
	}
	defer func() { beforeEval = nil }()
	answer := func(stmt string, withCatalog bool) string {
		beforeEval = nil
		if withCatalog {
			beforeEval = func(ev *evaluator) {
				if _, err := ev.catalog(); err != nil {
					t.Fatal(err)
				}
			}
		}
		res, err := Run(ctx, db, stmt, nil)
		b, _ := json.Marshal(res)
		return fmt.Sprintf("%s %v", b, err)
	}
	differ := 0
	for _, stmt := range stmts {
		if alone, whole := answer(stmt, false), answer(stmt, true); alone != whole {
			differ++
			if differ <= 5 {
				t.Errorf("%s:\nentities read alone: %.800s\nthe catalog:         %.800s", stmt, alone, whole)
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d statements answer otherwise without the catalog", differ, len(stmts))
	}
}
