package loader_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
)

// quadModuleDir finds github.com/cayleygraph/quad, which ships the W3C
// N-Triples and N-Quads test suites.
func quadModuleDir(t *testing.T) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/cayleygraph/quad").Output()
	if err != nil {
		t.Skipf("cannot find the quad module: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// untar extracts a .tar.gz into a new temporary directory.
func untar(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := filepath.Join(dir, filepath.Base(h.Name))
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var manifestEntry = regexp.MustCompile(`(?s)<#([^>]+)>\s+(?:a|rdf:type)\s+rdft:Test(NTriples|NQuads)(Positive|Negative)Syntax\s*;.*?mf:action\s+<([^>]+)>`)

// TestW3CSuites runs the W3C N-Triples and N-Quads syntax suites through
// Load (strict mode): every positive test loads; every negative test is
// rejected with a line number and leaves the store as it was.
func TestW3CSuites(t *testing.T) {
	mod := quadModuleDir(t)
	ctx := context.Background()
	for _, suite := range []string{"ntriple_tests.tar.gz", "nquad_tests.tar.gz"} {
		t.Run(suite, func(t *testing.T) {
			dir := untar(t, filepath.Join(mod, suite))
			manifest, err := os.ReadFile(filepath.Join(dir, "manifest.ttl"))
			if err != nil {
				t.Fatal(err)
			}
			entries := manifestEntry.FindAllStringSubmatch(string(manifest), -1)
			if len(entries) < 60 {
				t.Fatalf("only %d tests found in the manifest", len(entries))
			}
			// A store with data, to show negative tests change nothing.
			db, err := graph.Open(t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			base := filepath.Join(t.TempDir(), "base.nq")
			os.WriteFile(base, []byte("<http://example/a> <http://example/b> <http://example/c> .\n"), 0o644)
			if _, err := loader.Load(ctx, db, []string{base}, nil); err != nil {
				t.Fatal(err)
			}
			before, _ := db.Stats(ctx)
			pos, neg := 0, 0
			for _, e := range entries {
				name, positive, file := e[1], e[3] == "Positive", filepath.Join(dir, e[4])
				t.Run(name, func(t *testing.T) {
					if positive {
						pos++
						fresh, err := graph.Open("", &graph.Options{InMemory: true})
						if err != nil {
							t.Fatal(err)
						}
						defer fresh.Close()
						if _, err := loader.Load(ctx, fresh, []string{file}, &loader.Options{Strict: true}); err != nil {
							t.Fatalf("positive test rejected: %v", err)
						}
						return
					}
					neg++
					_, err := loader.Load(ctx, db, []string{file}, &loader.Options{Strict: true})
					var le *loader.Error
					if !errors.As(err, &le) {
						t.Fatalf("negative test not rejected with a position: %v", err)
					}
					if le.Line < 1 || le.Col < 1 {
						t.Fatalf("error without a line and column: %v", err)
					}
					after, _ := db.Stats(ctx)
					if after.Quads != before.Quads || after.Nodes != before.Nodes {
						t.Fatalf("store changed: %+v -> %+v", before, after)
					}
				})
			}
			t.Logf("%d positive, %d negative tests", pos, neg)
		})
	}
}
