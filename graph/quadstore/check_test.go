package quadstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/dgraph-io/badger/v4/table"
)

// TestCheckWhileCompacting: Check verifies the tables of an open store
// while writes flush memtables and Badger's compactors replace tables
// (deleting one truncates it first: read through a map, that killed the
// process with SIGBUS). No run crashes or reports a table that went while
// it was read as damaged.
func TestCheckWhileCompacting(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir(), &Options{SmallWrites: true}) // 1 MiB memtables: a flush every few hundred quads
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stopWriter := writeWhile(ctx, s, -1)
	checks, tables := 0, map[uint64]bool{}
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) || checks < 3; checks++ {
		for _, tb := range s.db.Tables() {
			tables[tb.ID] = true
		}
		rep, err := s.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) > 0 {
			t.Fatalf("check %d: %q", checks, rep.Problems)
		}
	}
	if err := stopWriter(); err != nil {
		t.Fatal(err)
	}
	gone := 0
	for id := range tables {
		if _, err := os.Stat(filepath.Join(s.dir, table.IDToFilename(id))); os.IsNotExist(err) {
			gone++
		}
	}
	t.Logf("%d checks; %d tables seen, %d of them replaced since", checks, len(tables), gone)
	if gone == 0 {
		t.Fatal("no table was replaced while the checks ran: the test did not test")
	}
}

// writeWhile commits batches of 2,000 new quads into s, at most batches of
// them (no limit for -1), until the returned func is called; it returns
// the writes' error.
func writeWhile(ctx context.Context, s *QuadStore, batches int) (stop func() error) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	var werr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := 0; b != batches; b++ {
			select {
			case <-quit:
				return
			default:
			}
			var qs []quad.Quad
			for i := range 2000 {
				qs = append(qs, quad.Make(quad.IRI(fmt.Sprintf("b%d/s%d", b, i)), quad.IRI("p"), quad.String(fmt.Sprintf("object %d of batch %d", i, b)), nil))
			}
			if _, err := s.Commit(ctx, qs, nil, TxOptions{}); err != nil {
				werr = err
				return
			}
		}
	}()
	return func() error {
		close(quit)
		wg.Wait()
		return werr
	}
}

// TestCheckFindsDamagedTable: a table of an open store whose block is
// overwritten is reported, by name, with the block that fails.
func TestCheckFindsDamagedTable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var qs []quad.Quad
	for i := range 3000 {
		qs = append(qs, quad.Make(quad.IRI(fmt.Sprintf("s%d", i)), quad.IRI("p"), quad.String(fmt.Sprintf("object %d", i)), nil))
	}
	if _, err := s.Commit(ctx, qs, nil, TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // flushes a table
		t.Fatal(err)
	}
	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tbs := s.db.Tables()
	if len(tbs) == 0 {
		t.Fatal("no table")
	}
	name := table.IDToFilename(tbs[0].ID)
	// A copy cut short, as Badger's deletion truncates a table under
	// a reader: an error, not a panic, and the whole file verifies.
	whole, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := verifyTableCopy(filepath.Join(dir, name), tbs[0].ID); err != nil {
		t.Fatalf("the table before the damage: %v", err)
	}
	for _, n := range []int{0, len(whole) / 2, len(whole) - 1} {
		cut := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(cut, whole[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		if err := verifyTableCopy(cut, tbs[0].ID); err == nil {
			t.Errorf("a copy of %d of %d bytes verifies", n, len(whole))
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("damage!!"), 100); err != nil { // inside the first block
		t.Fatal(err)
	}
	f.Close()
	rep, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := "table " + name + " is damaged: block 0 at byte 0 fails its checksum"
	if !strings.Contains(strings.Join(rep.Problems, "\n"), want) {
		t.Fatalf("problems %q, want %q", rep.Problems, want)
	}
}

// TestCheckTableReplaced: a table a compaction replaces after Check has
// listed it, and before it reads it, is not reported.
func TestCheckTableReplaced(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	n := roundTables(t, dir, level0Tables-1, 500, nil) // level 0 tables, not compacted on close
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	compacted := false
	defer func() { checkTableHook = nil }()
	checkTableHook = func(id uint64) {
		if compacted {
			return
		}
		compacted = true
		if err := s.flushLevel0(); err != nil {
			t.Error(err)
		}
		if _, err := os.Stat(filepath.Join(dir, table.IDToFilename(id))); !os.IsNotExist(err) {
			t.Errorf("table %d is still there after the compaction: %v", id, err)
		}
	}
	rep, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !compacted {
		t.Fatal("no table was listed")
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("problems: %q", rep.Problems)
	}
	if rep.Quads != int64(n) {
		t.Fatalf("%d quads, want %d", rep.Quads, n)
	}
}
