package quadstore

import (
	"context"
	"testing"

	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
)

func TestStamp(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	st0, ok := s.Stamp()
	if !ok {
		t.Fatal("no stamp for an empty store")
	}
	q := quad.MakeIRI("a", "p", "b", "")
	if _, err := s.Commit(ctx, []quad.Quad{q}, nil, TxOptions{}); err != nil {
		t.Fatal(err)
	}
	st1, _ := s.Stamp()
	if st1 == st0 {
		t.Fatal("a commit left the stamp as it was")
	}
	// Removed and added back: the same quads, another state of the history.
	if _, err := s.Commit(ctx, nil, []quad.Quad{q}, TxOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(ctx, []quad.Quad{q}, nil, TxOptions{}); err != nil {
		t.Fatal(err)
	}
	st2, _ := s.Stamp()
	if st2 == st1 {
		t.Fatal("two commits left the stamp as it was")
	}
	// A transaction in several commits is between two states.
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(journalHeader(99), []byte{0}) }); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Stamp(); ok {
		t.Fatal("a stamp while a load's journal is there")
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(journalHeader(99)) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st, ok := s.Stamp(); !ok || st != st2 {
		t.Fatalf("the stamp after reopening is %x, %v; want %x", st, ok, st2)
	}
	refs := s.NodeRefs([]uint64{1, 2, 300000})
	for i, id := range []uint64{1, 2, 300000} {
		if refs[i] != s.NodeRef(id) {
			t.Fatalf("NodeRefs[%d] = %v, want %v", i, refs[i], s.NodeRef(id))
		}
		if got, ok := s.NodeID(refs[i]); !ok || got != id {
			t.Fatalf("NodeID(NodeRefs[%d]) = %d, %v", i, got, ok)
		}
	}
}
