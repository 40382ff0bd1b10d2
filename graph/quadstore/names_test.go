package quadstore

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
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
		for _, f := range foldedTexts(v) {
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
}

// TestFoldIndexBuiltForOlderStore: a format-1 store (made before the
// folded-name index) is read without it read-only, and gets it, as format
// 2, at its first writable open, stale entries gone; check finds an index
// that disagrees with the nodes.
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
		quad.Make(quad.BNode("b1"), quad.IRI("schema:name"), quad.String(strings.Repeat("long ", 300)), nil),
		quad.Make(quad.BNode("b1"), quad.IRI("p:count"), quad.Int(3), nil),
	}
	m.add(qs...)
	if _, err := s.Load(ctx, &sliceReader{qs: qs, failAt: -1}, &LoadOptions{BulkLimit: -1}); err != nil {
		t.Fatal(err)
	}
	verify(t, s, m)
	// Make it a format-1 store: no index, and an entry an older build
	// left stale.
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
		for _, k := range keys {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		if err := txn.Set(appendFoldKey(nil, "stale", 99), nil); err != nil {
			return err
		}
		return txn.Set(keyFormat, []byte(formatWithoutFolds))
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
	s.Close()
	if s, err = Open(dir, &Options{ReadOnly: true}); err != nil || !s.HasFoldIndex() {
		t.Fatalf("reopened after the upgrade: %v, index %v", err, err == nil && s.HasFoldIndex())
	}
	s.Close()
	if s, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}

	// An entry lost, and one for a text the node does not have.
	err = s.db.Update(func(txn *badger.Txn) error {
		japan, err := lookupID(txn, hashOf(quad.String("Japan")))
		if err != nil || japan == 0 {
			t.Fatalf("no node Japan: %v", err)
		}
		if err := txn.Delete(appendFoldKey(nil, "japan", japan)); err != nil {
			return err
		}
		return txn.Set(appendFoldKey(nil, "korea", 1), nil)
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
	if !strings.Contains(got, "lacks 1 entries of the store's nodes") {
		t.Errorf("check missed a lost entry: %s", got)
	}
	s.Close()
}

// TestFoldedTexts: what a value is filed under, as the catalog folds it.
func TestFoldedTexts(t *testing.T) {
	for _, c := range []struct {
		v    quad.Value
		want []string
	}{
		{quad.String("  Japan "), []string{"japan"}},
		{quad.String("Japan" + strings.Repeat(" ", 2000)), []string{"japan"}},
		{quad.String("\u212a\u212aK"), []string{"kkk"}}, // Kelvin signs fold to one byte each
		{quad.String("\u0130stanbul"), []string{strings.ToLower("\u0130stanbul")}},
		{quad.IRI("entity:japan"), []string{"entity:japan"}},
		{quad.IRI("entity: Japan "), []string{"entity: japan", "entity:japan"}},
		{quad.BNode("B1"), []string{"_:b1"}},
		{quad.LangString{Value: "Tokyo", Lang: "en"}, []string{"tokyo"}},
		{quad.Int(3), nil},
		{quad.String("   "), nil},
		{quad.String(strings.Repeat("a", MaxFoldedBytes)), []string{strings.Repeat("a", MaxFoldedBytes)}},
		{quad.String(strings.Repeat("a", MaxFoldedBytes+1)), nil},
	} {
		if got := foldedTexts(c.v); !slices.Equal(got, c.want) {
			t.Errorf("foldedTexts(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// foldArenaOf fills an arena with the fold keys of n values shaped like
// the movie data's (IRIs under /en/, blank nodes, names), with entity
// IRIs (two keys each), texts from one byte to past 127 (two bytes of
// length), and the same text under several ids.
func foldArenaOf(n int, seed uint64) *foldArena {
	rng := rand.New(rand.NewPCG(seed, 1))
	words := []string{"kevin", "bacon", "mystic", "river", "clint", "eastwood", "the", "a", "über", "東京", "film", "night"}
	text := func(sep string) string {
		var b strings.Builder
		for k := range rng.IntN(3) + 1 {
			if k > 0 {
				b.WriteString(sep)
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		if rng.IntN(3) == 0 {
			fmt.Fprintf(&b, "%s%d", sep, rng.IntN(3000))
		}
		if rng.IntN(100) == 0 {
			b.WriteString(strings.Repeat(sep+"long", 30+rng.IntN(20)))
		}
		return b.String()
	}
	a := &foldArena{}
	for i := range n {
		var v quad.Value
		switch r := rng.IntN(20); {
		case r < 8:
			v = quad.IRI("/en/" + text("_"))
		case r < 15:
			v = quad.BNode(fmt.Sprint(rng.IntN(200_000)))
		case r < 19:
			v = quad.String(strings.ToUpper(text(" ")[:1]) + text(" "))
		default:
			v = quad.IRI("entity:" + text("-"))
		}
		id := uint64(i + 1)
		if rng.IntN(10) == 0 {
			id = uint64(rng.IntN(n) + 1) // another id's text, or its own again
		}
		for _, f := range foldedTexts(v) {
			off := len(a.buf)
			a.buf = appendFoldKey(a.buf, f, id)
			a.keys = append(a.keys, uint64(off)<<16|uint64(len(a.buf)-off))
		}
	}
	return a
}

// TestFoldArenaSort: the fold keys sort a byte at a time as they do
// compared.
func TestFoldArenaSort(t *testing.T) {
	for _, n := range []int{0, 1, 50, 3_000, 60_000} {
		a := foldArenaOf(n, uint64(n))
		want := slices.Clone(a.keys)
		slices.SortFunc(want, func(p, q uint64) int {
			return bytes.Compare(a.buf[p>>16:p>>16+p&0xffff], a.buf[q>>16:q>>16+q&0xffff])
		})
		a.sort()
		for i := range a.keys {
			if got, w := a.key(i), a.buf[want[i]>>16:want[i]>>16+want[i]&0xffff]; !bytes.Equal(got, w) {
				t.Fatalf("%d keys: key %d is %q, want %q", n, i, got, w)
			}
		}
	}
}

// BenchmarkFoldArenaSort sorts the fold keys of 294,000 values shaped like
// the movie data's a byte at a time (foldArena.sort) and by comparison.
func BenchmarkFoldArenaSort(b *testing.B) {
	a := foldArenaOf(294_000, 1)
	keys := slices.Clone(a.keys)
	b.Run("bytes", func(b *testing.B) {
		for b.Loop() {
			copy(a.keys, keys)
			a.sort()
		}
	})
	b.Run("compared", func(b *testing.B) {
		for b.Loop() {
			copy(a.keys, keys)
			slices.SortFunc(a.keys, func(p, q uint64) int {
				return bytes.Compare(a.buf[p>>16:p>>16+p&0xffff], a.buf[q>>16:q>>16+q&0xffff])
			})
		}
	})
}
