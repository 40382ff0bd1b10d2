package quadstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	for round := 0; round < 6; round++ { // over the 4 tables that start a compaction of level 0
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
		if err := s.Close(); err != nil { // flushes a table
			t.Fatal(err)
		}
	}
	saved := map[string][]byte{}
	tables, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	for _, f := range tables {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		saved[filepath.Base(f)] = b
	}
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The compactors run in the background: wait (a bounded while) until
	// one has replaced a table.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		gone := false
		for name := range saved {
			if _, err := os.Stat(filepath.Join(dir, name)); os.IsNotExist(err) {
				gone = true
			}
		}
		if gone {
			break
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
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
	if len(back) == 0 {
		t.Skip("the compaction replaced no table")
	}
	fc, err := checkFiles(dir, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := fc.err(dir); err != nil {
		t.Fatalf("tables a compaction replaced (%v) are taken for damage: %v", back, err)
	}
	s, err = Open(dir, nil)
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
