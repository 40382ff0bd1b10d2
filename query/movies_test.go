package query_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/internal/cayleydata"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/render"
)

// miniMovies is a store shaped like Cayley's movie data: ids that are
// absolute paths, the bare <name> and <type>, performances as blank nodes.
//
//	Kevin Bacon ←actor— _:p1 ←starring— Mystic River —directed_by→ Clint Eastwood
//	Mystic River —starring→ _:p3 —actor→ Clint Eastwood
//	Unforgiven —directed_by→ Clint Eastwood, Unforgiven —starring→ _:p2 —actor→ Clint Eastwood
func miniMovies(t *testing.T) *graph.DB {
	db, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	iri := func(s string) quad.IRI { return quad.IRI(s) }
	name, typ := iri("name"), iri("type")
	starring, actor, directedBy := iri("/film/film/starring"), iri("/film/performance/actor"), iri("/film/film/directed_by")
	err = db.Update(context.Background(), func(b *graph.Batch) error {
		for _, q := range []quad.Quad{
			quad.Make(iri("/en/kevin_bacon"), name, quad.String("Kevin Bacon"), nil),
			quad.Make(iri("/en/kevin_bacon"), typ, iri("/people/person"), nil),
			quad.Make(iri("/en/clint_eastwood"), name, quad.String("Clint Eastwood"), nil),
			quad.Make(iri("/en/clint_eastwood"), typ, iri("/people/person"), nil),
			quad.Make(iri("/en/mystic_river"), name, quad.String("Mystic River"), nil),
			quad.Make(iri("/en/mystic_river"), typ, iri("/film/film"), nil),
			quad.Make(iri("/en/unforgiven"), name, quad.String("Unforgiven"), nil),
			quad.Make(iri("/en/unforgiven"), typ, iri("/film/film"), nil),
			quad.Make(iri("/en/mystic_river"), starring, quad.BNode("p1"), nil),
			quad.Make(quad.BNode("p1"), actor, iri("/en/kevin_bacon"), nil),
			quad.Make(iri("/en/mystic_river"), starring, quad.BNode("p3"), nil),
			quad.Make(quad.BNode("p3"), actor, iri("/en/clint_eastwood"), nil),
			quad.Make(iri("/en/mystic_river"), directedBy, iri("/en/clint_eastwood"), nil),
			quad.Make(iri("/en/unforgiven"), directedBy, iri("/en/clint_eastwood"), nil),
			quad.Make(iri("/en/unforgiven"), starring, quad.BNode("p2"), nil),
			quad.Make(quad.BNode("p2"), actor, iri("/en/clint_eastwood"), nil),
		} {
			b.Add(q)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// hops lists the lengths of a path answer's rows.
func hops(res *query.Result) []int {
	var out []int
	for _, row := range res.Rows {
		out = append(out, row[0].(*query.Path).Len())
	}
	return out
}

// TestMovieNames: IRIs written without the leading "/" of the movie data's
// ids resolve; relation names (short, last segment, IRI) resolve in avoid
// and take the relations out; an unconstrained pattern start ranges over
// every node with the link it needs.
func TestMovieNames(t *testing.T) {
	db := miniMovies(t)
	for _, src := range []string{"show <en/kevin_bacon>", "show </en/kevin_bacon>", `show "Kevin Bacon"`} {
		res, err := run(t, db, src)
		if err != nil || res.Entity == nil || res.Entity.Label() != "Kevin Bacon" {
			t.Errorf("%s: %v", src, err)
		}
	}
	res, err := run(t, db, `path <en/kevin_bacon> to "Clint Eastwood"`)
	if err != nil || len(res.Rows) != 1 || hops(res)[0] != 3 {
		t.Fatalf("path: %v, %v", res, err)
	}
	for _, avoid := range []string{"directed_by", "</film/film/directed_by>", "<film/film/directed_by>", "Directed_By"} {
		src := `path <en/kevin_bacon> to "Clint Eastwood" avoid ` + avoid
		res, err := run(t, db, src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if h := hops(res); len(h) != 1 || h[0] != 4 {
			t.Errorf("%s: paths of %v hops, want one of 4 (directed_by avoided)", src, h)
		}
	}
	for src, want := range map[string]string{
		`path <en/kevin_bacon> to "Clint Eastwood" avoid directd_by`:       `1:49: unknown entity or relation kind "directd_by" (did you mean directed_by`,
		`path <en/kevin_bacon> to "Clint Eastwood" avoid partner`:          `1:49: the graph has no partner relations: nothing to avoid`,
		`path <en/kevin_bacon> to "Clint Eastwood" avoid </film/no_such>`:  `1:49: no node or predicate </film/no_such> in the graph: nothing to avoid`,
		`path <en/kevin_bacon> to "Clint Eastwood" avoid <en/kevin_bacon>`: `1:49: cannot avoid <en/kevin_bacon>: it is an end of the path`,
		`show <en/kevin_bacn>`: `1:6: no node <en/kevin_bacn> in the graph`,
	} {
		_, err := run(t, db, src)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s:\n got %v\nwant %s…", src, err, want)
		}
	}
	// Performances have no name and no type: a pattern starting from
	// one still finds them.
	res, err = run(t, db, `match (x)-[:actor]->(y) return x, y.name order by y.name, x`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range res.Rows {
		got = append(got, row[0].(*query.Node).Label()+" "+row[1].(string))
	}
	if strings.Join(got, "; ") != "_:p2 Clint Eastwood; _:p3 Clint Eastwood; _:p1 Kevin Bacon" {
		t.Errorf("match (x)-[:actor]->(y): %q", got)
	}
	res, err = run(t, db, `match (x)<-[:starring]-(f)-[:directed_by]->(d) return count(*) as n`)
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != int64(3) {
		t.Errorf("match (x)<-[:starring]-(f)-[:directed_by]->(d): %v, %v", res, err)
	}
}

// TestMovieStatements runs the requirements' examples that are about
// Cayley's 30k-movie data set, and the movie examples of
// docs/query-language.md, on the real data, comparing their JSON Lines
// (and errors) with testdata/movies.golden.
func TestMovieStatements(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 471,705 quads")
	}
	movies, err := cayleydata.Movies()
	if err != nil {
		t.Skip(err)
	}
	db, err := graph.Open(filepath.Join(t.TempDir(), "movies"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := loader.Load(context.Background(), db, []string{movies}, nil); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, src := range readLines(t, "testdata/movies.txt") {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		start := time.Now()
		res, err := query.Run(ctx, db, src, nil)
		cancel()
		b.WriteString("> " + src + "\n")
		var qe *query.Error
		switch {
		case errors.As(err, &qe):
			b.WriteString("error: " + qe.Error() + "\n")
			continue
		case err != nil:
			t.Errorf("%s: %v", src, err)
			continue
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s took %v", src, d)
		}
		if res.Note != "" {
			b.WriteString("# " + res.Note + "\n")
		}
		var out bytes.Buffer
		if err := render.WriteJSON(&out, res); err != nil {
			t.Fatal(err)
		}
		b.Write(out.Bytes())
	}
	golden(t, "testdata/movies.golden", b.String())
}
