package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entente-kg/entente/internal/cayleydata"
)

// TestBounds: the runaway work, files and temporary files of issue 15
// (items 6–8, 10–12), through the binary. One Movies store and one seeded
// store serve every subtest. Bounds on time are generous (the work must
// end, not be fast).
func TestBounds(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed")
	entente(t, "", "--db", seed, "load", "--seed").must(t, 0)
	movies := ""
	if !testing.Short() {
		if m, err := cayleydata.Movies(); err == nil {
			movies = filepath.Join(dir, "movies")
			entente(t, "", "--db", movies, "load", m).must(t, 0)
		}
	}
	needMovies := func(t *testing.T) {
		if movies == "" {
			t.Skip("needs the Movies data set (not in -short)")
		}
	}

	// Item 6: a name far longer than any stored name is looked up within
	// the timeout, and the message repeats only its start and its length.
	t.Run("LongName", func(t *testing.T) {
		needMovies(t)
		name := strings.Repeat("a", 100_000)
		start := time.Now()
		r := entente(t, "", "--db", movies, "query", "--timeout", "20s", `show "`+name+`"`).must(t, 1)
		if d := time.Since(start); d > 30*time.Second {
			t.Fatalf("took %v", d)
		}
		if len(r.stderr) > 1000 || !strings.Contains(r.stderr, `…" (100000 characters)`) {
			t.Fatalf("the message (%d bytes): %.300s", len(r.stderr), r.stderr)
		}
	})

	// Item 7: Gizmo bombs end — the process exits — under --timeout, in
	// the command line and in the shell.
	t.Run("GizmoBomb", func(t *testing.T) {
		for _, src := range []string{
			`Array.prototype.fill.call({length: 1e9}, 0)`,
			`Array.prototype.indexOf.call({length: 2**53 - 1}, 1)`,
			`while (true) {}`,
		} {
			start := time.Now()
			entente(t, "", "--db", seed, "query", "--lang", "gizmo", "--timeout", "2s", src).must(t, 1)
			if d := time.Since(start); d > 30*time.Second {
				t.Fatalf("%s: took %v", src, d)
			}
		}
		start := time.Now()
		r := entente(t, ":timeout 2s\n:gizmo\nwhile (true) {}\n:eql\nshow Japan\n", "--db", seed, "repl").must(t, 1)
		if d := time.Since(start); d > 30*time.Second || !strings.Contains(r.stderr, "timed out after 2s") || !strings.Contains(r.stdout, "Japan  (Country)") {
			t.Fatalf("the shell (%v):\n%s\n%s", d, r.stdout, r.stderr)
		}
	})
}
