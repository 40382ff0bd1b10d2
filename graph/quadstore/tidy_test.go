package quadstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
)

// TestCloseCompactsLevel0: a store written by many short processes (open,
// one small change, close) keeps level 0 at Badger's limit, where it grew
// by a table a process before; no key of the tidying is left behind, and
// the store holds every change and passes check.
func TestCloseCompactsLevel0(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m := model{}
	base := []quad.Quad{}
	for i := 0; i < 200; i++ {
		base = append(base, quad.Make(quad.IRI(fmt.Sprintf("n%d", i)), quad.IRI("knows"), quad.IRI(fmt.Sprintf("n%d", i/3)), nil))
	}
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, &sliceReader{qs: base, failAt: -1}, nil); err != nil {
		t.Fatal(err)
	}
	m.add(base...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	most, tidied := 0, false
	for i := 0; i < 3*level0Tables+1; i++ {
		s, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		l0 := s.db.Levels()[0].NumTables
		most = max(most, l0)
		if l0 == 0 && i > 0 {
			tidied = true
		}
		if l0 > level0Tables {
			t.Fatalf("after %d short writers level 0 holds %d tables, more than %d", i, l0, level0Tables)
		}
		err = s.db.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pfxTidy}})
			defer it.Close()
			if it.Rewind(); it.Valid() {
				return fmt.Errorf("a tidying key was left: %q", it.Item().Key())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		q := quad.Make(quad.IRI(fmt.Sprintf("new%d", i)), quad.IRI("says"), quad.String(fmt.Sprintf("change %d", i)), nil)
		if _, err := s.Commit(ctx, []quad.Quad{q}, nil, TxOptions{}); err != nil {
			t.Fatal(err)
		}
		m.add(q)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if !tidied || most < level0Tables-1 {
		t.Errorf("level 0 held at most %d tables and was never emptied: the test did not exercise the tidying", most)
	}
	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	verify(t, s, m)
}

// TestTidySkippedOnShortDisk: on a disk without room for the compaction,
// the close leaves level 0 as it is, and says so, rather than write
// tables into sparse maps a full disk would turn into SIGBUS.
func TestTidySkippedOnShortDisk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	m := model{}
	log := &lockedLog{}
	for i := 0; i < level0Tables+2; i++ {
		s, err := Open(dir, &Options{Log: log})
		if err != nil {
			t.Fatal(err)
		}
		q := quad.Make(quad.IRI(fmt.Sprintf("n%d", i)), quad.IRI("says"), quad.String("hi"), nil)
		if _, err := s.Commit(ctx, []quad.Quad{q}, nil, TxOptions{}); err != nil {
			t.Fatal(err)
		}
		m.add(q)
		s.freeSpace = func(string) (int64, bool) { return spaceMargin + 1, true }
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if l0 := s.db.Levels()[0].NumTables; l0 <= level0Tables {
		t.Errorf("level 0 holds %d tables: it was compacted on a disk without room", l0)
	}
	if !strings.Contains(log.String(), "compacting level 0") {
		t.Errorf("the log says nothing of the skipped compaction: %q", log.String())
	}
	verify(t, s, m)
}

// lockedLog is a log Badger's goroutines can write at once.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCloseCompactsManifest: a store written by many short processes keeps
// its MANIFEST short, where every flush and compaction appended a record
// until Badger's own rewrite at 10,000 deleted tables; the store holds
// every change and passes check. The rewrite keeps every table on its
// level; a table the MANIFEST does not list (what a crash leaves, which
// its records of deleted tables explain) stops it.
func TestCloseCompactsManifest(t *testing.T) {
	defer func(n int64) { manifestCompactAt = n }(manifestCompactAt)
	dir := t.TempDir()
	path := filepath.Join(dir, badger.ManifestFilename)
	m := model{}
	writers := func(n int, each func(i int, size int64)) {
		t.Helper()
		for i := range n {
			s, err := Open(dir, &Options{SmallWrites: true})
			if err != nil {
				t.Fatal(err)
			}
			q := quad.Make(quad.IRI(fmt.Sprintf("n%d", len(m))), quad.IRI("knows"), quad.IRI("hub"), nil)
			if _, err := s.AddQuads([]quad.Quad{q}); err != nil {
				t.Fatal(err)
			}
			m.add(q)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			each(i, info.Size())
		}
	}
	manifestCompactAt = 512
	largest, rewrites := int64(0), 0
	writers(60, func(i int, size int64) {
		if size < largest {
			rewrites++
		}
		largest = size
		if size >= manifestCompactAt {
			t.Fatalf("after %d writers the MANIFEST is %d bytes, over the %d at which a closing writer rewrites it", i+1, size, manifestCompactAt)
		}
	})
	if rewrites == 0 {
		t.Fatal("the MANIFEST was never rewritten")
	}
	if _, err := os.Stat(filepath.Join(dir, manifestRewrite)); !os.IsNotExist(err) {
		t.Fatalf("%s left behind (%v)", manifestRewrite, err)
	}

	// A long MANIFEST, with tables on two levels at least.
	manifestCompactAt = 1 << 40
	writers(50, func(int, int64) {})
	var mf badger.Manifest
	var size int64
	for tries := 0; ; tries++ {
		var ok bool
		if mf, size, ok = recordTables(dir); !ok {
			t.Fatal("the MANIFEST does not read whole")
		}
		levels := map[uint8]bool{}
		for _, tm := range mf.Tables {
			levels[tm.Level] = true
		}
		if len(levels) >= 2 {
			break
		}
		if tries == 2*level0Tables {
			t.Fatalf("the tables stay on %d level, want two or more to rewrite", len(levels))
		}
		writers(1, func(int, int64) {}) // level 0 was just compacted
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(dir, "999999.sst")
	if err := os.WriteFile(stray, []byte("left by a crash"), 0o644); err != nil {
		t.Fatal(err)
	}
	manifestCompactAt = 1
	if err := compactManifest(dir, mf, size); err != nil {
		t.Fatal(err)
	}
	if after, err := os.ReadFile(path); err != nil || string(after) != string(before) {
		t.Fatalf("the MANIFEST was rewritten with a table it does not list beside it (%v)", err)
	}
	if err := os.Remove(stray); err != nil {
		t.Fatal(err)
	}
	if err := compactManifest(dir, mf, size); err != nil {
		t.Fatal(err)
	}
	after, size2, ok := recordTables(dir)
	if !ok || size2*4 > size {
		t.Fatalf("the MANIFEST was not rewritten: %d bytes, %d before (read whole: %v)", size2, size, ok)
	}
	if len(after.Tables) != len(mf.Tables) {
		t.Fatalf("the rewritten MANIFEST lists %d tables, %d before", len(after.Tables), len(mf.Tables))
	}
	for id, tm := range mf.Tables {
		if after.Tables[id] != tm {
			t.Fatalf("table %d: %+v after the rewrite, %+v before", id, after.Tables[id], tm)
		}
	}
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	verify(t, s, m)
}
