package quadstore

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
)

// hookReader yields quads and calls hook before the quad at index at.
type hookReader struct {
	qs   []quad.Quad
	i    int
	at   int
	hook func()
}

func (r *hookReader) ReadQuad() (quad.Quad, error) {
	if r.i == r.at && r.hook != nil {
		r.hook()
		r.hook = nil
	}
	if r.i >= len(r.qs) {
		return quad.Quad{}, io.EOF
	}
	r.i++
	return r.qs[r.i-1], nil
}

// storeHolding opens a new store on disk holding base (closed when the
// test ends), and the model of it.
func storeHolding(t *testing.T, base []quad.Quad) (*QuadStore, model) {
	t.Helper()
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Load(context.Background(), &sliceReader{qs: base, failAt: -1}, nil); err != nil {
		t.Fatal(err)
	}
	m := model{}
	m.add(base...)
	return s, m
}

// TestLoadMemo: a load in batches into a store with data remembers its
// counters and the quads it added between batches; a quad it repeats in a
// later batch, and one another writer added between its batches with a
// node the load created, are found, not added twice; the counters stay
// exact (check compares them with the indexes).
func TestLoadMemo(t *testing.T) {
	ctx := context.Background()
	base := []quad.Quad{quad.Make(quad.IRI("old"), quad.IRI("knows"), quad.IRI("hub"), nil)}
	s, m := storeHolding(t, base)
	var in []quad.Quad
	for i := 0; i < 2000; i++ {
		in = append(in,
			quad.Make(quad.IRI(fmt.Sprintf("n%d", i)), quad.IRI("knows"), quad.IRI("hub"), nil),
			quad.Make(quad.IRI(fmt.Sprintf("n%d", i)), quad.IRI("knows"), quad.IRI(fmt.Sprintf("n%d", i/2)), nil),
			quad.Make(quad.IRI(fmt.Sprintf("n%d", i)), quad.IRI("name"), quad.String(fmt.Sprintf("N %d", i)), nil),
		)
	}
	// Repeated in later batches: quads with nodes the load created, and
	// one between nodes it did not.
	in = append(in, in[:300]...)
	in = append(in, base...)
	// Another writer, between two batches, adds a quad the load will add
	// later, with a node the load created.
	foreign := quad.Make(quad.IRI("n10"), quad.IRI("likes"), quad.IRI("n20"), nil)
	in = append(in, foreign)
	r := &hookReader{qs: in, at: 3000, hook: func() {
		if _, err := s.Commit(ctx, []quad.Quad{foreign}, nil, TxOptions{}); err != nil {
			t.Error(err)
		}
	}}
	res, err := s.Load(ctx, r, &LoadOptions{BatchSize: 128})
	if err != nil {
		t.Fatal(err)
	}
	m.add(in...)
	if want := int64(len(m) - len(base) - 1); res.Added != want {
		t.Errorf("the load added %d quads, want %d", res.Added, want)
	}
	// The load's transaction took its id when it began and its time when
	// it ended, after the other writer's: check says so. (A known
	// oddity of a write between a load's batches, not of the memo.)
	verify(t, s, m, "is dated before transaction")
}

// TestQuadFilter: no false negatives, and few false positives.
func TestQuadFilter(t *testing.T) {
	var f quadFilter
	n := filterItems + 1000 // into a second filter
	for i := 0; i < n; i++ {
		f.add(quadIDs{uint64(i), 7, uint64(i) * 3, 0})
	}
	for i := 0; i < n; i++ {
		if !f.has(quadIDs{uint64(i), 7, uint64(i) * 3, 0}) {
			t.Fatalf("quad %d added but not found", i)
		}
	}
	fp := 0
	for i := 0; i < 100000; i++ {
		if f.has(quadIDs{uint64(i), 8, uint64(i) * 3, 0}) {
			fp++
		}
	}
	if fp > 1000 {
		t.Errorf("%d false positives in 100,000", fp)
	}
}

// tooBigTxn fails the first commit of a transaction holding more than max
// sets as Badger fails one too large.
type tooBigTxn struct {
	kvTxn
	sets   *int
	max    int
	failed *bool
}

func (t tooBigTxn) Set(k, v []byte) error { *t.sets++; return t.kvTxn.Set(k, v) }

func (t tooBigTxn) Commit() error {
	if *t.sets > t.max && !*t.failed {
		*t.failed = true
		return badger.ErrTxnTooBig
	}
	return t.kvTxn.Commit()
}

// TestLoadBatchTooLarge: a batch that fails its commit as too large is
// written again in halves, and counted once.
func TestLoadBatchTooLarge(t *testing.T) {
	ctx := context.Background()
	s, m := storeHolding(t, []quad.Quad{quad.Make(quad.IRI("a"), quad.IRI("p"), quad.IRI("b"), nil)})
	var in []quad.Quad
	for i := 0; i < 500; i++ {
		in = append(in, quad.Make(quad.IRI(fmt.Sprintf("n%d", i)), quad.IRI("p"), quad.IRI("b"), nil))
	}
	m.add(in...)
	failed := false
	s.wrapTxn = func(txn *badger.Txn) kvTxn {
		return tooBigTxn{kvTxn: txn, sets: new(int), max: 1000, failed: &failed}
	}
	res, err := s.Load(ctx, &sliceReader{qs: in, failAt: -1}, &LoadOptions{BatchSize: 500})
	s.wrapTxn = nil
	if err != nil {
		t.Fatal(err)
	}
	if !failed {
		t.Fatal("no batch was too large")
	}
	if res.Added != int64(len(in)) || res.Tx.Added != int64(len(in)) {
		t.Errorf("added %d (record: %d), want %d", res.Added, res.Tx.Added, len(in))
	}
	verify(t, s, m)
}
