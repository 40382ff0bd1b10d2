package quadstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
)

// roundTables opens the store in dir rounds times, commits per quads of
// its own and closes it: each close flushes a table to level 0, and the
// close that leaves level0Tables there compacts them into level 1
// (tidyLevel0). before, if set, runs before each round. It returns the
// quads committed.
func roundTables(t *testing.T, dir string, rounds, per int, before func(round int)) int {
	t.Helper()
	n := 0
	for round := range rounds {
		if before != nil {
			before(round)
		}
		s, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		var qs []quad.Quad
		for range per {
			qs = append(qs, quad.MakeIRI(fmt.Sprintf("s%d", n), "p", fmt.Sprintf("o%d", n), ""))
			n++
		}
		if _, err := s.Commit(context.Background(), qs, nil, TxOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// TestCompactionLeftover: a crash after a compaction's MANIFEST record but
// before Badger deleted the tables it replaced leaves those tables behind.
// They are leftovers the MANIFEST says are gone, not tables a truncated
// MANIFEST lost: the store opens (setting them aside), nothing is lost.
func TestCompactionLeftover(t *testing.T) {
	dir := t.TempDir()
	// The tables of the rounds before the close that compacts level 0
	// are what that compaction replaced.
	saved := map[string][]byte{}
	n := roundTables(t, dir, level0Tables+2, 200, func(round int) {
		if round != level0Tables-1 {
			return
		}
		tables, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
		for _, f := range tables {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			saved[filepath.Base(f)] = b
		}
	})
	var back []string
	for name, b := range saved {
		if _, err := os.Stat(filepath.Join(dir, name)); os.IsNotExist(err) {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
			back = append(back, name)
		}
	}
	if len(back) != level0Tables-1 {
		t.Fatalf("the compaction replaced %v of the %d tables saved, want all", back, len(saved))
	}
	fc, err := checkFiles(dir, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := fc.err(dir); err != nil {
		t.Fatalf("tables a compaction replaced (%v) are taken for damage: %v", back, err)
	}
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("open with the leftovers of a compaction: %v", err)
	}
	defer s.Close()
	if notes := strings.Join(s.Notes(), "; "); !strings.Contains(notes, orphansDirName) {
		t.Fatalf("notes: %q", notes)
	}
	if got := s.nquads.Load(); got != int64(n) {
		t.Fatalf("%d quads after setting the leftovers aside, want %d", got, n)
	}
}
