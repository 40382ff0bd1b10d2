package graph_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/cayleygraph/quad"
	eg "github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/internal/pgtest"
)

// The store-level tests run on every backend: Badger on disk, Badger in
// memory and PostgreSQL (on a throwaway cluster the package starts once;
// without PostgreSQL that case skips, saying why).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openFunc opens a fresh, empty, writable store, closed when the test
// ends.
type openFunc func(t testing.TB) *eg.DB

var backends = []struct {
	name string
	open openFunc
}{
	{"badger", func(t testing.TB) *eg.DB { return mustOpen(t, t.TempDir(), nil) }},
	{"memory", func(t testing.TB) *eg.DB { return mustOpen(t, "", &eg.Options{InMemory: true}) }},
	{"postgres", func(t testing.TB) *eg.DB {
		url := pgtest.DB(t)
		if err := eg.Init(context.Background(), url); err != nil {
			t.Fatal(err)
		}
		return mustOpen(t, url, nil)
	}},
}

func mustOpen(t testing.TB, addr string, o *eg.Options) *eg.DB {
	t.Helper()
	db, err := eg.Open(addr, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// eachBackend runs test as a subtest per backend.
func eachBackend(t *testing.T, test func(t *testing.T, open openFunc)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { test(t, b.open) })
	}
}

// failingReader yields its quads, then an error.
type failingReader struct {
	sliceReader
	err error
}

func (r *failingReader) ReadQuad() (quad.Quad, error) {
	q, err := r.sliceReader.ReadQuad()
	if err != nil {
		return q, r.err
	}
	return q, nil
}

// TestBackendLoadAllOrNothing: a load that fails part way leaves the store
// as it was — quads, history, check — on every backend.
func TestBackendLoadAllOrNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, open openFunc) {
		ctx := context.Background()
		db := historyStore(t, open)
		before, err := db.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var qs []quad.Quad
		for i := range 5000 {
			qs = append(qs, quad.MakeIRI(fmt.Sprintf("entity:n%d", i), "rel:partner", "entity:japan", ""))
		}
		boom := errors.New("boom")
		_, err = db.Load(ctx, &failingReader{sliceReader{qs: qs}, boom}, &eg.LoadOptions{BatchSize: 1000})
		if !errors.Is(err, boom) {
			t.Fatalf("load: %v, want boom", err)
		}
		after, err := db.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after.Quads != before.Quads || after.Nodes != before.Nodes {
			t.Fatalf("a failed load changed the store: %d quads %d nodes, was %d %d", after.Quads, after.Nodes, before.Quads, before.Nodes)
		}
		if log, _ := db.Log(ctx); len(log) != 1 {
			t.Fatalf("a failed load is in the history: %+v", log)
		}
		rep, err := db.Check(ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("check: %+v %v", rep, err)
		}
		// The same load without the error goes in whole, as one transaction.
		res, err := db.Load(ctx, &sliceReader{qs: qs}, &eg.LoadOptions{BatchSize: 1000})
		if err != nil || res.Added != 5000 || res.Tx.ID != 2 {
			t.Fatalf("load: %+v %v", res, err)
		}
		if rep, err := db.Check(ctx); err != nil || !rep.OK() || rep.Transactions != 2 {
			t.Fatalf("check: %+v %v", rep, err)
		}
	})
}

// TestBackendLinksFollowChanges: the link index and the text index are
// rebuilt when the store changes.
func TestBackendLinksFollowChanges(t *testing.T) {
	eachBackend(t, func(t *testing.T, open openFunc) {
		ctx := context.Background()
		db := historyStore(t, open)
		edges := func() int {
			l, err := db.Links(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for i := range l.Len() {
				n += len(l.Out(int32(i)))
			}
			return n
		}
		if got := edges(); got != 3 {
			t.Fatalf("%d links, want 3", got)
		}
		err := db.Update(ctx, func(b *eg.Batch) error {
			b.Add(quad.MakeIRI("entity:india", "rel:partner", "entity:korea", ""))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := edges(); got != 4 {
			t.Fatalf("%d links after a change, want 4", got)
		}
	})
}

// TestPostgresSharedStore: several processes' handles on one PostgreSQL
// store write at once, each sees the others' changes (the link index
// follows the change counter in the database), and the history stays
// whole.
func TestPostgresSharedStore(t *testing.T) {
	url := pgtest.DB(t)
	ctx := context.Background()
	if err := eg.Init(ctx, url); err != nil {
		t.Fatal(err)
	}
	if err := eg.Init(ctx, url); !errors.Is(err, eg.ErrInitialized) {
		t.Fatalf("second init: %v", err)
	}
	a, b := mustOpen(t, url, nil), mustOpen(t, url, nil)
	ro := mustOpen(t, url, &eg.Options{ReadOnly: true})
	const writers, each = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+1)
	for w := range writers {
		db := a
		if w%2 == 1 {
			db = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				err := db.Update(ctx, func(bt *eg.Batch) error {
					bt.Add(quad.MakeIRI(fmt.Sprintf("entity:w%d", w), "rel:partner", fmt.Sprintf("entity:x%d", i), ""))
					return nil
				})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // a reader, never blocked
		defer wg.Done()
		for range 20 {
			if _, err := ro.Links(ctx); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, db := range []*eg.DB{a, b, ro} {
		st, err := db.Stats(ctx)
		if err != nil || st.Quads != writers*each {
			t.Fatalf("stats %+v %v", st, err)
		}
		l, err := db.Links(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for i := range l.Len() {
			n += len(l.Out(int32(i)))
		}
		if n != writers*each {
			t.Fatalf("%d links, want %d", n, writers*each)
		}
	}
	log, err := a.Log(ctx)
	if err != nil || len(log) != writers*each {
		t.Fatalf("%d transactions, %v", len(log), err)
	}
	if rep, err := b.Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("check: %+v %v", rep, err)
	}
	if err := ro.Update(ctx, func(bt *eg.Batch) error {
		bt.Add(quad.MakeIRI("entity:a", "rel:partner", "entity:b", ""))
		return nil
	}); !errors.Is(err, eg.ErrReadOnly) {
		t.Fatalf("read-only write: %v", err)
	}
	// A database without the schema is refused, clearly.
	if _, err := eg.Open(pgtest.DB(t), nil); !errors.Is(err, eg.ErrNoStore) {
		t.Fatalf("open without schema: %v", err)
	}
}
