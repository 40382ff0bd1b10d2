package graph_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/cayleygraph/quad/nquads"
	eg "github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/seeds"
)

// tricky holds what the catalog's rules treat specially: names that
// differ only in case, spaces around names, two names, a named statement
// and source, a node that is both a statement and typed, blank nodes,
// a description alone, language-tagged and typed names, ids with no
// entity: prefix, and a name too long for the folded-name index.
var tricky = `
<entity:japan> <rdf:type> <type:Country> .
<entity:japan> <schema:name> "Japan" .
<entity:japan> <skos:altLabel> "  Nippon " .
<entity:japan-2> <rdf:type> <type:Country> .
<entity:japan-2> <schema:name> "JAPAN" .
<entity:twice> <schema:name> "First Name" .
<entity:twice> <rdfs:label> "Second Name" .
<entity:twice> <skos:altLabel> "" .
<stmt:s1> <rdf:type> <type:Statement> .
<stmt:s1> <schema:name> "Japan" .
<stmt:s1> <rel:status> "proposed" .
<source:paper> <rdf:type> <type:Source> .
<source:paper> <schema:name> "The Paper" .
<stmt:s2> <rdf:type> <type:Statement> .
<stmt:s2> <rdf:type> <type:Country> .
<stmt:s2> <schema:name> "Hybrid" .
_:b1 <schema:name> "Blank Entity" .
_:b1 <rdf:type> <type:Org> .
<entity:described> <schema:description> "only a description" .
<entity:tokyo> <schema:name> "Tokyo"@en .
<entity:osaka> <schema:name> "Osaka"^^<xsd:string> .
<http://example.org/Thing> <schema:name> "Some Thing" .
<entity:long> <schema:name> "` + strings.Repeat("Long name ", 120) + `" .
<entity:kyoto> <schema:name> "Kyoto" .
<entity:kyoto> <schema:name> "kyoto" .
<entity:istanbul> <schema:name> "\u0130stanbul" .
<entity:kelvin> <schema:name> "\u212a\u212aelvin" .
<entity:padded> <schema:name> "Padded` + strings.Repeat(" ", 3100) + `" .
<entity:labelled> <schema:name> "Labelled" <graph:a> .
<entity:labelled> <schema:name> "Labelled" <graph:b> .
<entity:labelled> <skos:altLabel> "Tagged" <graph:b> .
<entity:` + strings.Repeat("word-", 203) + `end> <schema:name> "A long slug" .
` + manyNames

// manyNames gives entities several names and aliases under one predicate:
// the catalog takes the first name and lists the aliases in the order of
// their node ids, which a reader must follow whatever order its store
// returns a node's quads in. The texts are met first, in another order,
// as the objects of other quads.
var manyNames = func() string {
	var b strings.Builder
	for i := range 8 {
		for _, n := range []string{"Bravo", "Alpha", "Zulu", "Mike"} {
			fmt.Fprintf(&b, "<entity:mentions> <rel:mentions> \"%s %d\" .\n", n, i)
			fmt.Fprintf(&b, "<entity:mentions> <rel:mentions> \"%s alias %d\" .\n", n, i)
		}
	}
	for i := range 8 {
		for _, n := range []string{"Zulu", "Alpha", "Mike", "Bravo"} {
			fmt.Fprintf(&b, "<entity:multi-%d> <schema:name> \"%s %d\" .\n", i, n, i)
			fmt.Fprintf(&b, "<entity:multi-%d> <skos:altLabel> \"%s alias %d\" .\n", i, n, i)
		}
	}
	return b.String()
}()

// TestEntityReaderMatchesCatalog checks that the reader answers every
// lookup and id as the catalog does, on the seed graph with the tricky
// cases added, on every backend (on PostgreSQL, whose reader has no index
// of names, through Among).
func TestEntityReaderMatchesCatalog(t *testing.T) {
	eachBackend(t, testEntityReaderMatchesCatalog)
}

func testEntityReaderMatchesCatalog(t *testing.T, open openFunc) {
	ctx := context.Background()
	db := open(t)
	if _, err := loader.LoadSources(ctx, db, seeds.Sources(), nil); err != nil {
		t.Fatal(err)
	}
	qs, err := quad.ReadAll(nquads.NewReader(strings.NewReader(tricky), false))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(b *eg.Batch) error {
		for _, q := range qs {
			b.Add(q)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cat, err := db.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := db.EntityReader(ctx)
	if !ok {
		t.Fatal("no entity reader")
	}
	defer r.Close()
	if indexed := r.Indexed(); indexed != (t.Name() != "TestEntityReaderMatchesCatalog/postgres") {
		t.Errorf("Indexed() = %v", indexed)
	}

	ids := []quad.Value{quad.IRI("entity:nothing"), quad.IRI("stmt:s1"), quad.BNode("b1"), quad.String("Japan")}
	for _, e := range cat.Entities {
		ids = append(ids, e.ID)
	}
	for id := range cat.Sources {
		ids = append(ids, id)
	}
	for _, id := range ids {
		got, err := r.ByID(id)
		if err != nil {
			t.Fatal(err)
		}
		if want := cat.ByID(id); !reflect.DeepEqual(got, want) {
			t.Errorf("ByID(%v) = %+v, the catalog has %+v", id, got, want)
		}
		meta, err := r.IsMeta(id)
		if err != nil || meta != cat.IsMeta(id) {
			t.Errorf("IsMeta(%v) = %v, %v; the catalog says %v", id, meta, err, cat.IsMeta(id))
		}
	}

	names := append(cat.Names(), "nothing at all", "japan", " JAPAN ", "NIPPON", "Japan-2", "ENTITY:JAPAN",
		"_:B1", "hybrid", "the paper", "second name", "HTTP://EXAMPLE.ORG/THING", "", "istanbul", "i\u0307stanbul",
		"kkelvin", "padded", strings.Repeat("WORD-", 203)+"END", "tagged")
	lookups, long := 0, 0
	for _, n := range names {
		for _, v := range []string{n, strings.ToUpper(n), " " + strings.ToLower(n) + "\t"} {
			got, ok, err := r.Lookup(v)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				long++
				if r.Indexed() && len("entity:"+quadFold(v)) <= 1024 {
					t.Errorf("Lookup(%q) says the name is too long", v)
				}
				if got, err = r.Among(cat.Lookup(v), v); err != nil {
					t.Fatal(err)
				}
			} else {
				lookups++
			}
			want := cat.Lookup(v)
			if len(got) != len(want) {
				t.Errorf("Lookup(%q) found %d entities, the catalog %d: %v, %v", v, len(got), len(want), got, want)
				continue
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("Lookup(%q)[%d] = %+v, the catalog has %+v", v, i, got[i], want[i])
				}
			}
		}
	}
	if r.Indexed() && (long == 0 || lookups < 3*len(cat.Names())) || long+lookups < 3*len(cat.Names()) {
		t.Errorf("%d lookups compared, %d too long: the cases did not run", lookups, long)
	}
	if es, err := db.Lookup(ctx, "JAPAN"); err != nil || len(es) != 2 {
		t.Errorf("JAPAN finds %d entities (%v), want Japan and JAPAN", len(es), err)
	}
	for _, n := range []string{"kkelvin", "padded", strings.Repeat("word-", 203) + "end", "tagged"} {
		es, ok, _ := r.Lookup(n)
		if !ok {
			es, _ = r.Among(cat.Lookup(n), n)
		}
		if len(es) != 1 {
			t.Errorf("%q finds %d entities, want 1", n, len(es))
		}
	}

	if !r.Indexed() {
		return
	}
	// The reader sees the store as it was when it was made.
	if err := db.Update(ctx, func(b *eg.Batch) error {
		b.Add(quad.Make(quad.IRI("entity:jp3"), eg.PredName, quad.String("japan"), nil))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if es, _, _ := r.Lookup("Japan"); len(es) != 2 {
		t.Errorf("a reader made before a write sees it: %v", es)
	}
	r2, _ := db.EntityReader(ctx)
	defer r2.Close()
	if es, _, _ := r2.Lookup("Japan"); len(es) != 3 {
		t.Errorf("a reader made after a write does not see it: %v", es)
	}
	if rep, err := db.Check(ctx); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("check: %v %v", rep, err)
	}
}

func quadFold(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
