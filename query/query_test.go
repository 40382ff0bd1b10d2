package query_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/render"
	"github.com/entente-kg/entente/seeds"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	seedOnce sync.Once
	seedDB   *graph.DB
	seedErr  error
)

// seedStore is an in-memory store holding the seed graph, shared by the
// tests of this package.
func seedStore(t testing.TB) *graph.DB {
	seedOnce.Do(func() {
		seedDB, seedErr = graph.Open("", &graph.Options{InMemory: true})
		if seedErr == nil {
			_, seedErr = loader.LoadSources(context.Background(), seedDB, seeds.Sources(), nil)
		}
	})
	if seedErr != nil {
		t.Fatal(seedErr)
	}
	return seedDB
}

func run(t testing.TB, db *graph.DB, src string) (*query.Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return query.Run(ctx, db, src, nil)
}

func readLines(t *testing.T, path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := 0; i < len(wl) && i < len(gl); i++ {
			if wl[i] != gl[i] {
				t.Fatalf("%s differs at line %d:\n want %s\n  got %s", path, i+1, wl[i], gl[i])
			}
		}
		t.Fatalf("%s differs in length: want %d lines, got %d", path, len(wl), len(gl))
	}
}

// TestSeedStatements evaluates every statement of testdata/seed.txt on the
// seed graph and compares its JSON Lines with the golden file.
func TestSeedStatements(t *testing.T) {
	db := seedStore(t)
	var b strings.Builder
	for _, src := range readLines(t, "testdata/seed.txt") {
		res, err := run(t, db, src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		b.WriteString("> " + src + "\n")
		if res.Note != "" {
			b.WriteString("# " + res.Note + "\n")
		}
		var out bytes.Buffer
		if err := render.WriteJSON(&out, res); err != nil {
			t.Fatal(err)
		}
		b.Write(out.Bytes())
	}
	golden(t, "testdata/seed.golden", b.String())
}

// TestJSONContract checks the product brief's JSON contract on real
// answers: path rows carry length, nodes (id, name) and edges; every
// relation object carries from, to, rel, its qualifiers and evidence with
// source, locator and note.
func TestJSONContract(t *testing.T) {
	db := seedStore(t)
	checkRel := func(t *testing.T, m map[string]interface{}) {
		for _, k := range []string{"from", "to", "rel", "evidence"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("relation object without %q: %v", k, m)
			}
		}
		ev, ok := m["evidence"].([]interface{})
		if !ok {
			t.Fatalf("evidence is not an array: %v", m["evidence"])
		}
		for _, e := range ev {
			em := e.(map[string]interface{})
			for _, k := range []string{"source", "locator", "note"} {
				if s, _ := em[k].(string); s == "" {
					t.Fatalf("evidence without %s: %v", k, em)
				}
			}
		}
	}
	lines := func(src string) []map[string]interface{} {
		res, err := run(t, db, src)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		render.WriteJSON(&buf, res)
		var out []map[string]interface{}
		for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			var m map[string]interface{}
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				t.Fatalf("%s: line %q is not a JSON object: %v", src, l, err)
			}
			out = append(out, m)
		}
		return out
	}
	for _, row := range lines("path Japan to India where status != proposed") {
		n, _ := row["length"].(float64)
		nodes, _ := row["nodes"].([]interface{})
		edges, _ := row["edges"].([]interface{})
		if n < 1 || len(nodes) != int(n)+1 || len(edges) != int(n) {
			t.Fatalf("path row: %v", row)
		}
		for _, x := range nodes {
			m := x.(map[string]interface{})
			if m["id"] == nil || m["name"] == nil {
				t.Fatalf("path node without id or name: %v", m)
			}
		}
		for _, e := range edges {
			checkRel(t, e.(map[string]interface{}))
		}
	}
	why := lines("why Japan Australia")
	if len(why) == 0 {
		t.Fatal("no why rows")
	}
	for _, row := range why {
		checkRel(t, row)
		if row["status"] == nil && row["period"] == nil {
			t.Logf("why row without qualifiers: %v", row)
		}
	}
	for _, row := range lines(`match (c {name: "Japan"})-[r:tariff_exposure]->(u) return r`) {
		checkRel(t, row)
		if row["sector"] == nil {
			t.Fatalf("tariff_exposure without its sector: %v", row)
		}
	}
}

// TestNames: names resolve ignoring case, through aliases and capitals;
// unknown names suggest; ambiguous names list their candidates.
func TestNames(t *testing.T) {
	db := seedStore(t)
	for _, name := range []string{"Japan", "japan", "Tokyo", "ROK", "Seoul", "Republic of Korea", "New Delhi", "Washington", "Beijing", "Pyongyang", "Brussels", "south-korea", "<entity:south-korea>", "\"US\""} {
		res, err := run(t, db, "show "+name)
		if err != nil {
			t.Errorf("show %s: %v", name, err)
			continue
		}
		if res.Entity == nil || res.Entity.Label() == "" {
			t.Errorf("show %s: no entity", name)
		}
	}
	_, err := run(t, db, "show Japn")
	var qe *query.Error
	if !errors.As(err, &qe) || !errors.Is(err, query.ErrUnknown) || qe.Error() != `1:6: unknown entity "Japn" (did you mean Japan?)` {
		t.Fatalf("unknown entity: %v", err)
	}
	if c := qe.Caret(); c != "show Japn\n     ^" {
		t.Fatalf("caret: %q", c)
	}
	_, err = run(t, db, "neighbors Japan via partnr")
	if !errors.Is(err, query.ErrUnknown) || !strings.Contains(err.Error(), "did you mean partner") {
		t.Fatalf("unknown kind: %v", err)
	}
	_, err = run(t, db, "neighbors Japan where rel.secotr = semiconductors")
	if !errors.Is(err, query.ErrInvalid) || !strings.Contains(err.Error(), "did you mean sector") {
		t.Fatalf("unknown property: %v", err)
	}

	// Two entities called Georgia: the name is ambiguous and the error
	// lists both with id and type.
	amb, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer amb.Close()
	amb.Update(context.Background(), func(b *graph.Batch) error {
		for _, e := range [][3]string{{"georgia", "Country", "Georgia"}, {"georgia-us", "Region", "Georgia"}} {
			id := quad.IRI(graph.EntityPrefix + e[0])
			b.Add(quad.Make(id, graph.PredType, quad.IRI(graph.TypePrefix+e[1]), nil))
			b.Add(quad.Make(id, graph.PredName, quad.String(e[2]), nil))
		}
		return nil
	})
	_, err = run(t, amb, "show Georgia")
	want := `1:6: "Georgia" is ambiguous: it names entity:georgia (Country, "Georgia"); entity:georgia-us (Region, "Georgia"); use an id (<…>) or a more exact name`
	if !errors.Is(err, query.ErrAmbiguous) || err.Error() != want {
		t.Fatalf("ambiguous:\n got %v\nwant %s", err, want)
	}
}

// TestCaps: a capped answer says so.
func TestCaps(t *testing.T) {
	db := seedStore(t)
	res, err := run(t, db, "paths Japan to India max 3 limit 2")
	if err != nil {
		t.Fatal(err)
	}
	if !res.Capped || len(res.Rows) != 2 || !strings.Contains(res.Note, "showing 2 of ≥ 3 paths") {
		t.Fatalf("capped %v, %d rows, note %q", res.Capped, len(res.Rows), res.Note)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := query.Run(ctx, db, "paths Japan to India max 6 limit 100000", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	res, err = query.Run(context.Background(), db, "match (a)-[r]-(b) return a.name", &query.Options{Limit: 5})
	if err != nil || !res.Capped || len(res.Rows) != 5 {
		t.Fatalf("row cap: %v, %v", res, err)
	}
}

// FuzzEval: no statement, parsed or not, makes the evaluator panic or
// report an internal error.
func FuzzEval(f *testing.F) {
	data, err := os.ReadFile("testdata/seed.txt")
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(l, "#") {
			f.Add(l)
		}
	}
	db := seedStore(f)
	f.Fuzz(func(t *testing.T, src string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		res, err := query.Run(ctx, db, src, &query.Options{Limit: 50, PathLimit: 20})
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("%q: %v", src, err)
			}
			var qe *query.Error
			if errors.As(err, &qe) && qe.Line > 0 && (qe.Line > strings.Count(src, "\n")+1 || qe.Col < 1) {
				t.Fatalf("%q: bad position %d:%d", src, qe.Line, qe.Col)
			}
			return
		}
		var buf bytes.Buffer
		if err := render.WriteJSON(&buf, res); err != nil {
			t.Fatal(err)
		}
	})
}
