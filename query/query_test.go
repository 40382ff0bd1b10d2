package query_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
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
	for _, st := range seedBackends {
		t.Run(st.name, func(t *testing.T) { testSeedStatements(t, st.open(t)) })
	}
	// On PostgreSQL, again with every group of nodes described in a batch
	// (as statements do there from 100 nodes on): the same answers.
	t.Run("postgres-batched", func(t *testing.T) {
		db := seedBackends[1].open(t)
		defer query.SetRemoteDescribeMin(1)()
		testSeedStatements(t, db)
	})
}

// testSeedStatements runs testdata/seed.txt on a store holding the seed
// graph and compares the answers with the one golden file, whatever the
// store.
func testSeedStatements(t *testing.T, db *graph.DB) {
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
		// What the rows do not show (exports draw it): the marks of a
		// network answer and the relations among its nodes, sorted.
		var more []string
		for id, m := range res.Marks {
			more = append(more, fmt.Sprintf("# mark %s group %d rank %d score %.4g", id, m.Group, m.Rank, m.Score))
		}
		for _, r := range res.Extra {
			more = append(more, fmt.Sprintf("# extra %s (%s) -%s-> %s (%s)", r.From.Label(), strings.Join(r.From.Types, ","), r.Kind, r.To.Label(), strings.Join(r.To.Types, ",")))
		}
		sort.Strings(more)
		for _, l := range more {
			b.WriteString(l + "\n")
		}
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
	// A lookalike letter of another script: the suggestion says where.
	for _, q := range []string{"show Jаpan", "path India to Jаpan"} {
		_, err = run(t, db, q)
		if err == nil || !strings.Contains(err.Error(), `(did you mean Japan? "Jаpan" has U+0430 CYRILLIC SMALL LETTER A at column 2 where "Japan" has "a")`) {
			t.Fatalf("%s: %v", q, err)
		}
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

// TestCapOrder: a capped answer is the first N rows of the whole answer,
// in the documented order.
func TestCapOrder(t *testing.T) {
	db := seedStore(t)
	for _, c := range []struct{ capped, whole string }{
		{"paths Japan to India max 3 limit 20", "paths Japan to India max 3 limit 100000"},
		{"paths Japan to India max 2 including proposed limit 3", "paths Japan to India max 2 including proposed"},
		{"path Japan to India where status != proposed limit 2", "path Japan to India where status != proposed"},
		{"path Japan to \"North Korea\" avoid \"South Korea\", \"United States\" limit 1", "path Japan to \"North Korea\" avoid \"South Korea\", \"United States\""},
		{"neighbors Japan depth 2 limit 7", "neighbors Japan depth 2"},
		{"neighbors Japan depth 2 limit 40", "neighbors Japan depth 2"},
		{"neighbors \"North Korea\" depth 3 via tension_with, partner limit 4", "neighbors \"North Korea\" depth 3 via tension_with, partner"},
	} {
		capped, err := run(t, db, c.capped)
		if err != nil {
			t.Fatalf("%s: %v", c.capped, err)
		}
		whole, err := run(t, db, c.whole)
		if err != nil {
			t.Fatalf("%s: %v", c.whole, err)
		}
		if !capped.Capped || len(capped.Rows) >= len(whole.Rows) {
			t.Errorf("%s: capped %v, %d rows of %d", c.capped, capped.Capped, len(capped.Rows), len(whole.Rows))
			continue
		}
		want := whole
		want.Rows = whole.Rows[:len(capped.Rows)]
		if a, b := jsonOf(t, capped), jsonOf(t, want); a != b {
			t.Errorf("%s: not the first %d rows of %s:\n got %s\nwant %s", c.capped, len(capped.Rows), c.whole, a, b)
		}
	}
}

func jsonOf(t *testing.T, res *query.Result) string {
	var buf bytes.Buffer
	if err := render.WriteJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestRowLimit: the row limit of the options caps every statement, and
// says so; a limit clause in the statement overrides it.
func TestRowLimit(t *testing.T) {
	db := seedStore(t)
	for _, c := range []struct {
		src  string
		rows int
		note string
	}{
		{"paths Japan to India", 2, "showing 2 of ≥ 3 paths"},
		{"path Japan to India where status != proposed", 2, "showing 2 of ≥ 3 paths"},
		{"why \"South Korea\" \"United States\"", 2, "showing 2 of 10 relations"},
		{"compare path Japan to \"North Korea\" avoid \"South Korea\", \"United States\"", 2, "showing the first 2 of"},
		{"neighbors Japan", 2, "showing the first 2 nodes"},
		{"show Japan", 1, "showing 2 of 64 relations"},
		{"match (c:Country) return c.name", 2, "showing the first 2 rows"},
		{"paths Japan to India max 2 including proposed limit 5", 5, "showing 5 of ≥ 6 paths"},
	} {
		res, err := query.Run(context.Background(), db, c.src, &query.Options{Limit: 2})
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if !res.Capped || len(res.Rows) != c.rows || !strings.Contains(res.Note, c.note) {
			t.Errorf("%s: capped %v, %d rows, note %q; want %d rows, a note with %q", c.src, res.Capped, len(res.Rows), res.Note, c.rows, c.note)
		}
	}
	res, err := query.Run(context.Background(), db, "show Japan", &query.Options{Limit: 2})
	if err == nil {
		rels := res.Rows[0][1].(query.List)
		if r := rels[0].(*query.Relation); len(rels) != 2 || r.Kind != "partner" || r.To.Label() != "NATO" {
			t.Errorf("show Japan under a limit of 2: not the first relations of the card: %v", rels)
		}
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

// TestErrors pins the whole message of every error of testdata/errors.txt
// on the seed graph, with its caret.
func TestErrors(t *testing.T) {
	db := seedStore(t)
	var b strings.Builder
	for _, src := range readLines(t, "testdata/errors.txt") {
		_, err := run(t, db, src)
		var qe *query.Error
		if !errors.As(err, &qe) {
			t.Errorf("%s: %v, want a *query.Error", src, err)
			continue
		}
		b.WriteString("> " + src + "\n" + qe.Error() + "\n" + qe.Caret() + "\n")
	}
	golden(t, "testdata/errors.golden", b.String())
}

// TestViaAttribute: a via naming only an attribute finds nothing to walk,
// and the note says why rather than that the entity has no links.
func TestViaAttribute(t *testing.T) {
	db := seedStore(t)
	for _, src := range []string{"neighbors India via name", "path India to Japan via name"} {
		res, err := query.Run(context.Background(), db, src, nil)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if len(res.Rows) != 0 || !strings.Contains(res.Note, "via name: it is an attribute") {
			t.Errorf("%s: %d rows, note %q", src, len(res.Rows), res.Note)
		}
	}
	res, err := query.Run(context.Background(), db, "neighbors India via type", nil)
	if err != nil || len(res.Rows) == 0 {
		t.Errorf("neighbors India via type: %v, %v", res, err)
	}
}

// TestRangeBounds: *..M is 1 to M hops, as the reference says; *0..M
// includes the start itself.
func TestRangeBounds(t *testing.T) {
	db := seedStore(t)
	names := func(src string) []string {
		res, err := query.Run(context.Background(), db, src, nil)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		var out []string
		for _, row := range res.Rows {
			out = append(out, fmt.Sprint(row[0]))
		}
		return out
	}
	has := func(xs []string, x string) bool {
		for _, y := range xs {
			if y == x {
				return true
			}
		}
		return false
	}
	for src, wantJapan := range map[string]bool{
		`match (a {name: "Japan"})-[*..1]-(b) return distinct b.name`:  false,
		`match (a {name: "Japan"})-[*1..1]-(b) return distinct b.name`: false,
		`match (a {name: "Japan"})-[*0..1]-(b) return distinct b.name`: true,
		`match (a {name: "Japan"})-[*0]-(b) return distinct b.name`:    true,
	} {
		got := names(src)
		if len(got) == 0 || has(got, "Japan") != wantJapan {
			t.Errorf("%s: %v; Japan itself wanted: %v", src, got, wantJapan)
		}
	}
	if got := names(`match (a {name: "Japan"})-[*0]-(b) return distinct b.name`); len(got) != 1 {
		t.Errorf("*0 matches %v, want Japan alone", got)
	}
	if _, err := query.Run(context.Background(), db, `match (a {name: "Japan"})-[*13..]-(b) return b`, nil); err == nil || !strings.Contains(err.Error(), "*13..24") {
		t.Errorf("*13.. without a maximum: %v", err)
	}
}

// TestPathsNotThroughEvents: an event links those it involves or affects
// only as context, so paths do not pass through one — unless via names
// its kinds — but may start or end at one.
func TestPathsNotThroughEvents(t *testing.T) {
	db := seedStore(t)
	through := func(q string) (n int, events int) {
		t.Helper()
		res, err := run(t, db, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for _, row := range res.Rows {
			p := row[0].(*query.Path)
			for _, node := range p.Nodes[1 : len(p.Nodes)-1] {
				if slices.Contains(node.Types, "Event") {
					events++
				}
			}
		}
		return len(res.Rows), events
	}
	for _, q := range []string{"path Japan to India", "paths Japan to India max 3", "path Japan to India including lapsed", "paths \"South Korea\" to Russia max 3"} {
		if n, ev := through(q); n == 0 || ev > 0 {
			t.Errorf("%s: %d paths, %d through an event", q, n, ev)
		}
	}
	if n, ev := through("path Japan to India via affects"); n == 0 || ev != n {
		t.Errorf("via affects: %d paths, %d through an event", n, ev)
	}
	if n, _ := through(`path "2024 US presidential election" to India`); n == 0 {
		t.Error("no path from an event")
	}
}
