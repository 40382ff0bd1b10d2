package quadstore

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
)

// verifyFolds checks that every node with a text is found by that text
// in any case, through a snapshot.
func verifyFolds(t *testing.T, s *QuadStore, nodes map[string]quad.Value) {
	t.Helper()
	sn, ok := s.Snapshot()
	if !ok {
		t.Fatal("the store has no folded-name index")
	}
	defer sn.Close()
	ctx := context.Background()
	for _, v := range nodes {
		f, ok := foldedText(v)
		if !ok {
			continue
		}
		id, err := sn.ID(v)
		if err != nil || id == 0 {
			t.Fatalf("ID(%v) = %d, %v", v, id, err)
		}
		ids, ok, err := sn.Folded(ctx, "  "+strings.ToUpper(f)+" ")
		if err != nil || !ok || !slices.Contains(ids, id) {
			t.Fatalf("Folded(%q) = %v, %v, %v: node %d (%v) is not among them", f, ids, ok, err, id, v)
		}
	}
}

// TestFoldIndexBuiltForOlderStore: a store without the folded-name index
// (made before it) is read without it read-only, and gets it at its first
// writable open; check finds an index that disagrees with the nodes.
func TestFoldIndexBuiltForOlderStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := model{}
	qs := []quad.Quad{
		quad.Make(quad.IRI("entity:japan"), quad.IRI("schema:name"), quad.String("Japan"), nil),
		quad.Make(quad.IRI("entity:japan"), quad.IRI("skos:altLabel"), quad.LangString{Value: "Nippon", Lang: "ja"}, nil),
		quad.Make(quad.BNode("b1"), quad.IRI("schema:name"), quad.String(strings.Repeat("long ", 100)), nil),
		quad.Make(quad.BNode("b1"), quad.IRI("p:count"), quad.Int(3), nil),
	}
	m.add(qs...)
	if _, err := s.Load(ctx, &sliceReader{qs: qs, failAt: -1}, &LoadOptions{BulkLimit: -1}); err != nil {
		t.Fatal(err)
	}
	verify(t, s, m)
	// Make it an older store: no index, no record.
	err = s.db.Update(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pfxFold}})
		var keys [][]byte
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, it.Item().KeyCopy(nil))
		}
		it.Close()
		// entity:japan, Japan, Nippon, _:b1 and the three predicates:
		// not the long name, not the number.
		if len(keys) != 7 {
			t.Errorf("%d index keys, want 7", len(keys))
		}
		for _, k := range append(keys, keyFold) {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	ro, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ro.Snapshot(); ok || ro.HasFoldIndex() {
		t.Fatal("a store without the index offers a snapshot that would use it")
	}
	if rep, err := ro.Check(ctx); err != nil || !rep.OK() {
		t.Fatalf("check of a store without the index: %v, %v", rep.Problems, err)
	}
	ro.Close()

	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !s.HasFoldIndex() {
		t.Fatal("a writable open did not build the index")
	}
	verify(t, s, m)

	// An entry lost, and one for a text the node does not have.
	err = s.db.Update(func(txn *badger.Txn) error {
		japan, err := lookupID(txn, hashOf(quad.String("Japan")))
		if err != nil || japan == 0 {
			t.Fatalf("no node Japan: %v", err)
		}
		if err := txn.Delete(foldKey(quad.String("Japan"), japan)); err != nil {
			return err
		}
		return txn.Set(foldKey(quad.String("Korea"), 1), nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rep.Problems, "\n")
	if !strings.Contains(got, `files node 1 under "korea"`) {
		t.Errorf("check missed a wrong entry: %s", got)
	}
	if !strings.Contains(got, "lacks 1 of the store's nodes") {
		t.Errorf("check missed a lost entry: %s", got)
	}
	s.Close()
}
