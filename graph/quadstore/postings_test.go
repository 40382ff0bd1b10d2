package quadstore

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/cayleygraph/quad"
)

// TestPostingsCache: a large scan of one node or predicate is kept and
// read again from memory, with the same quads; a write makes the next
// scan read the store again and see it; a scan that filters a cached
// prefix (subject and object fixed: no index leads with both) filters
// it; a scan stopped early keeps nothing.
func TestPostingsCache(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "db")
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3 * 256
	var qs []quad.Quad
	for i := range n {
		qs = append(qs, quad.Make(quad.IRI("hub"), quad.IRI("knows"), quad.IRI(fmt.Sprintf("n%d", i%(n/3))), quad.IRI(fmt.Sprintf("l%d", i/(n/3)))))
	}
	if _, err := s.Commit(ctx, qs, nil, TxOptions{}); err != nil {
		t.Fatal(err)
	}
	// Reopened: the first scans are at the store's first version.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	scan := func(d quad.Direction, v quad.Value, limit int) []string {
		t.Helper()
		r, err := s.ValueOf(v)
		if err != nil || r == nil {
			t.Fatalf("ValueOf(%v): %v %v", v, r, err)
		}
		it := s.QuadIterator(d, r).Iterate()
		defer it.Close()
		var out []string
		for it.Next(ctx) && (limit == 0 || len(out) < limit) {
			q, err := s.Quad(it.Result())
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, q.String())
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		sort.Strings(out)
		return out
	}
	held := func() int {
		s.postings.mu.Lock()
		defer s.postings.mu.Unlock()
		return len(s.postings.byKey)
	}
	scan(quad.Predicate, quad.IRI("knows"), 10) // stopped early
	if held() != 0 {
		t.Fatalf("a scan stopped early was kept (%d entries)", held())
	}
	first := scan(quad.Predicate, quad.IRI("knows"), 0)
	if len(first) != n || held() != 1 {
		t.Fatalf("first scan: %d quads, %d entries; want %d and 1", len(first), held(), n)
	}
	again := scan(quad.Predicate, quad.IRI("knows"), 0)
	if fmt.Sprint(again) != fmt.Sprint(first) {
		t.Fatal("the cached scan differs from the first")
	}
	// Subject and object fixed: the subject's postings, filtered.
	r1, _ := s.ValueOf(quad.IRI("hub"))
	r2, _ := s.ValueOf(quad.IRI("n7"))
	for range 2 {
		c := constraint{}
		c[quad.Subject-1], c[quad.Object-1] = uint64(r1.(nodeRef)), uint64(r2.(nodeRef))
		it := s.newQuadShape(c).Iterate()
		got := 0
		for it.Next(ctx) {
			got++
		}
		it.Close()
		if got != 3 {
			t.Fatalf("hub -> n7: %d quads, want 3", got)
		}
	}
	// A write: the next scan sees it, and the one after that its removal.
	extra := quad.Make(quad.IRI("other"), quad.IRI("knows"), quad.IRI("n1"), nil)
	if _, err := s.Commit(ctx, []quad.Quad{extra}, nil, TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := scan(quad.Predicate, quad.IRI("knows"), 0); len(got) != n+1 {
		t.Fatalf("after adding a quad: %d quads, want %d", len(got), n+1)
	}
	if _, err := s.Commit(ctx, nil, []quad.Quad{extra, qs[0]}, TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := scan(quad.Predicate, quad.IRI("knows"), 0); len(got) != n-1 {
		t.Fatalf("after removing two quads: %d quads, want %d", len(got), n-1)
	}
	// A cancelled context stops a cached scan too.
	r, _ := s.ValueOf(quad.IRI("knows"))
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	it := s.QuadIterator(quad.Predicate, r).Iterate()
	for it.Next(cctx) {
	}
	if it.Err() == nil {
		t.Error("a cancelled scan of the cached postings ended without an error")
	}
	it.Close()
}

// TestPostingsCacheConcurrent: readers scanning while a writer adds and
// removes a quad of the same predicate each see the store before or after
// a write, whole, never a mixture or a scan of an older version once a
// newer one was seen (run it with -race too).
func TestPostingsCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 500
	var qs []quad.Quad
	for i := range n {
		qs = append(qs, quad.Make(quad.IRI(fmt.Sprintf("s%d", i)), quad.IRI("p"), quad.IRI("o"), nil))
	}
	if _, err := s.Commit(ctx, qs, nil, TxOptions{}); err != nil {
		t.Fatal(err)
	}
	p, _ := s.ValueOf(quad.IRI("p"))
	extra := quad.Make(quad.IRI("x"), quad.IRI("p"), quad.IRI("o"), nil)
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				it := s.QuadIterator(quad.Predicate, p).Iterate()
				c := 0
				for it.Next(ctx) {
					c++
				}
				it.Close()
				if c != n && c != n+1 {
					errs <- fmt.Errorf("a scan saw %d quads, want %d or %d", c, n, n+1)
					return
				}
			}
		}()
	}
	for i := range 100 {
		var err error
		if i%2 == 0 {
			_, err = s.Commit(ctx, []quad.Quad{extra}, nil, TxOptions{})
		} else {
			_, err = s.Commit(ctx, nil, []quad.Quad{extra}, TxOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
		// Once a write is committed, every scan begun after it sees it.
		it := s.QuadIterator(quad.Predicate, p).Iterate()
		c := 0
		for it.Next(ctx) {
			c++
		}
		it.Close()
		if want := n + 1 - i%2; c != want {
			t.Fatalf("after write %d: a scan saw %d quads, want %d", i, c, want)
		}
	}
	close(done)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
