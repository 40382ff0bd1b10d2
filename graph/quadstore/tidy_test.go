package quadstore

import (
	"context"
	"fmt"
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
