//go:build unix

package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

	// Item 8: a picture too big to draw is refused, with the count and
	// the cap, and nothing is written.
	t.Run("ExportTooBig", func(t *testing.T) {
		needMovies(t)
		out := filepath.Join(t.TempDir(), "x.svg")
		start := time.Now()
		r := entente(t, "", "--db", movies, "export", "--query", `neighbors "Kevin Bacon" depth 5`, "--limit", "100000", "-o", out).must(t, 1)
		if d := time.Since(start); d > 30*time.Second {
			t.Fatalf("took %v", d)
		}
		if !strings.Contains(r.stderr, "8,688 nodes and 8,687 lines (a picture holds at most 300 nodes and 1,000 lines); narrow the query — a lower limit (limit N), via KIND, a smaller depth") {
			t.Fatalf("the message: %s", r.stderr)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("written: %v", err)
		}
	})

	// Item 11: where -o points.
	const q = "why Japan Australia"
	t.Run("ExportFIFO", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skip(err)
		}
		got := make(chan []byte)
		go func() {
			b, _ := os.ReadFile(fifo)
			got <- b
		}()
		entente(t, "", "--db", seed, "export", "--query", q, "--format", "nquads", "-o", fifo).must(t, 0)
		if b := <-got; !strings.Contains(string(b), "<entity:japan>") {
			t.Fatalf("the reader got %q", b)
		}
		if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
			t.Fatalf("the FIFO is now %v (%v)", st.Mode(), err)
		}
	})
	t.Run("ExportKeepsMode", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "x.graphml")
		os.WriteFile(out, nil, 0o600)
		os.Chmod(out, 0o600)
		entente(t, "", "--db", seed, "export", "--query", q, "-o", out).must(t, 0)
		if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 || st.Size() == 0 {
			t.Fatalf("mode %v, %d bytes", st.Mode().Perm(), st.Size())
		}
	})
	t.Run("ExportStdout", func(t *testing.T) {
		r := entente(t, "", "--db", seed, "export", "--query", q, "--format", "nquads", "-o", "-").must(t, 0)
		if !strings.HasPrefix(r.stdout, "# ") || !strings.Contains(r.stdout, "<entity:japan>") || strings.Contains(r.stdout, "wrote") {
			t.Fatalf("stdout: %q", r.stdout)
		}
		if !strings.Contains(r.stderr, "wrote standard output") {
			t.Fatalf("stderr: %q", r.stderr)
		}
		// The shell's :export writes through the same writer.
		r = entente(t, q+"\n:export - nquads\n", "--db", seed, "repl").must(t, 0)
		if !strings.Contains(r.stdout, "<entity:japan> <rel:security_pact> <entity:australia>") {
			t.Fatalf("the shell: %q %q", r.stdout, r.stderr)
		}
	})
	t.Run("ExportSymlink", func(t *testing.T) {
		d := t.TempDir()
		target := filepath.Join(d, "real.graphml")
		os.WriteFile(target, []byte("old"), 0o644)
		link := filepath.Join(d, "link.graphml")
		os.Symlink("real.graphml", link)
		entente(t, "", "--db", seed, "export", "--query", q, "-o", link).must(t, 0)
		if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("the link was replaced (%v)", err)
		}
		if b, _ := os.ReadFile(target); !strings.Contains(string(b), "<graphml") {
			t.Fatalf("the target holds %q", b)
		}
	})

	// Item 12: no command but an SVG export loads Graphviz, and none
	// writes to the temporary directory; Graphviz's compiled code goes to
	// the user's cache directory, 0700, and not into one others may write.
	t.Run("TempDir", func(t *testing.T) {
		tmp, cache := t.TempDir(), t.TempDir()
		t.Setenv("TMPDIR", tmp)
		t.Setenv("XDG_CACHE_HOME", cache)
		empty := func(what string) {
			t.Helper()
			if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
				t.Fatalf("%s left %s in TMPDIR", what, entries[0].Name())
			}
		}
		entente(t, "", "--db", seed, "stats").must(t, 0)
		empty("stats")
		entente(t, "", "--db", seed, "version").must(t, 0)
		if _, err := os.Stat(filepath.Join(cache, "entente")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("stats made a cache: %v", err)
		}
		out := filepath.Join(t.TempDir(), "j.svg")
		entente(t, "", "--db", seed, "export", "--query", "show Japan", "-o", out).must(t, 0)
		empty("an SVG export")
		st, err := os.Stat(filepath.Join(cache, "entente", "graphviz"))
		if err != nil || st.Mode().Perm() != 0o700 {
			t.Fatalf("the cache: %v %v", st, err)
		}
		// A cache directory others may write to is not used.
		shared := t.TempDir()
		os.MkdirAll(filepath.Join(shared, "entente", "graphviz"), 0o755)
		os.Chmod(filepath.Join(shared, "entente"), 0o777)
		t.Setenv("XDG_CACHE_HOME", shared)
		entente(t, "", "--db", seed, "export", "--query", "show Japan", "-o", out).must(t, 0)
		if entries, _ := os.ReadDir(filepath.Join(shared, "entente", "graphviz")); len(entries) > 0 {
			t.Fatalf("wrote into a world-writable cache: %s", entries[0].Name())
		}
	})
}
