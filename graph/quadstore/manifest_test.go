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

// TestCompactionLeftover: a crash after a compaction's MANIFEST record but
// before Badger deleted the tables it replaced leaves those tables behind.
// They are leftovers the MANIFEST says are gone, not tables a truncated
// MANIFEST lost: the store opens (setting them aside), nothing is lost.
func TestCompactionLeftover(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	n := 0
	// Each round's close flushes a table to level 0, and the close that
	// leaves level0Tables there compacts them into level 1 (tidyLevel0):
	// the tables of the rounds before it are what that compaction
	// replaced.
	saved := map[string][]byte{}
	for round := 0; round < level0Tables+2; round++ {
		if round == level0Tables-1 {
			tables, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
			for _, f := range tables {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				saved[filepath.Base(f)] = b
			}
		}
		s, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		var qs []quad.Quad
		for i := 0; i < 200; i++ {
			qs = append(qs, quad.MakeIRI(fmt.Sprintf("s%d", n), "p", fmt.Sprintf("o%d", n), ""))
			n++
		}
		if _, err := s.Commit(ctx, qs, nil, TxOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
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
