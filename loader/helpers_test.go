package loader_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/seeds"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with the file testdata/name, or rewrites the file
// with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
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
		t.Errorf("%s differs from the output (go test -update rewrites it):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// stringSource is an input held in memory, named name (its extension
// tells the format).
func stringSource(name, content string) loader.Source {
	return loader.Source{Name: name, Size: int64(len(content)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content)), nil
	}}
}

// loadString loads content, named name, into db through LoadSources.
func loadString(db *graph.DB, name, content string, opts *loader.Options) (*loader.Result, error) {
	return loader.LoadSources(context.Background(), db, []loader.Source{stringSource(name, content)}, opts)
}

// openMem opens an empty in-memory store, closed when the test ends.
func openMem(t testing.TB) *graph.DB {
	t.Helper()
	db, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openSeeded opens an in-memory store holding the embedded seed graph.
func openSeeded(t testing.TB) *graph.DB {
	t.Helper()
	db := openMem(t)
	if _, err := loader.LoadSources(context.Background(), db, seeds.Sources(), nil); err != nil {
		t.Fatalf("loading the seed graph: %v", err)
	}
	return db
}

// writeFile writes content to a new file called name in a temporary
// directory and returns its path.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// load writes content to a file called name and loads it into db.
func load(t testing.TB, db *graph.DB, name, content string, opts *loader.Options) (*loader.Result, error) {
	t.Helper()
	return loader.Load(context.Background(), db, []string{writeFile(t, name, content)}, opts)
}

// mustLoad is load that fails the test on an error.
func mustLoad(t testing.TB, db *graph.DB, name, content string, opts *loader.Options) *loader.Result {
	t.Helper()
	res, err := load(t, db, name, content, opts)
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	return res
}

// allQuads returns every stored quad in N-Quads form, sorted.
func allQuads(t testing.TB, db *graph.DB) []string {
	t.Helper()
	ctx := context.Background()
	qs := db.QuadStore()
	it := qs.QuadsAllIterator().Iterate()
	defer it.Close()
	var out []string
	for it.Next(ctx) {
		q, err := qs.Quad(it.Result())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, q.NQuad())
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// quadSet is allQuads as a set.
func quadSet(t testing.TB, db *graph.DB) map[string]bool {
	t.Helper()
	m := map[string]bool{}
	for _, q := range allQuads(t, db) {
		m[q] = true
	}
	return m
}

// nq renders a quad the way allQuads does (N-Quads).
func nq(s, p, o, l quad.Value) string {
	return quad.Quad{Subject: s, Predicate: p, Object: o, Label: l}.NQuad()
}

// iri is shorthand for quad.IRI.
func iri(s string) quad.IRI { return quad.IRI(s) }

// str is shorthand for quad.String.
func str(s string) quad.String { return quad.String(s) }

// wantQuads fails the test for each quad of want the store lacks.
func wantQuads(t testing.TB, db *graph.DB, want ...string) {
	t.Helper()
	have := quadSet(t, db)
	for _, w := range want {
		if !have[w] {
			t.Errorf("store lacks %s", w)
		}
	}
}

// stats returns the store's statistics.
func stats(t testing.TB, db *graph.DB) *graph.Stats {
	t.Helper()
	st, err := db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// statsJSON returns the store's statistics as JSON, for comparisons.
func statsJSON(t testing.TB, db *graph.DB) string {
	t.Helper()
	b, err := json.Marshal(stats(t, db))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// snapshot is what must not change when a load fails: the statistics and
// every quad.
func snapshot(t testing.TB, db *graph.DB) string {
	t.Helper()
	return statsJSON(t, db) + "\n" + strings.Join(allQuads(t, db), "\n")
}

// asLoaderError returns err as a *loader.Error, failing the test if it is
// not one.
func asLoaderError(t testing.TB, err error) *loader.Error {
	t.Helper()
	var le *loader.Error
	if !errors.As(err, &le) {
		t.Fatalf("error %v (%T) is not a *loader.Error", err, err)
	}
	return le
}

// errText returns err's message with the temporary directory of path
// replaced by nothing, so that messages can be compared.
func errText(err error, path string) string {
	if err == nil {
		return "<nil>"
	}
	return strings.ReplaceAll(err.Error(), filepath.Dir(path)+string(filepath.Separator), "")
}
