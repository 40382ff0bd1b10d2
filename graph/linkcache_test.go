package graph

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/quadstore"
)

// linkQuads is a small graph with what the link index holds: links with
// and without statements, statuses and bases, attributes and literals
// (which it leaves out), a node linked only one way.
func linkQuads(seed int64, n int) []quad.Quad {
	r := rand.New(rand.NewSource(seed))
	kinds := []quad.IRI{"rel:partner", "rel:supplies", "rel:member_of"}
	statuses := []string{"existing", "proposed", "lapsed", "at risk"}
	var qs []quad.Quad
	for i := 0; i < n; i++ {
		e := quad.IRI(fmt.Sprintf("entity:e%d", i))
		qs = append(qs,
			quad.Make(e, PredName, quad.String(fmt.Sprintf("E %d", i)), nil),
			quad.Make(e, PredType, quad.IRI("type:Country"), nil))
		for k := 0; k < 3; k++ {
			o := quad.IRI(fmt.Sprintf("entity:e%d", r.Intn(n)))
			kind := kinds[r.Intn(len(kinds))]
			if k == 0 {
				stmt := quad.IRI(fmt.Sprintf("stmt:s%d", i))
				qs = append(qs,
					quad.Make(e, kind, o, stmt),
					quad.Make(stmt, PredStatus, quad.String(statuses[r.Intn(len(statuses))]), nil))
				if i%3 == 0 {
					qs = append(qs, quad.Make(stmt, PredBasis, quad.String("inferred"), nil))
				}
				continue
			}
			qs = append(qs, quad.Make(e, kind, o, nil))
		}
	}
	return qs
}

func writeQuads(t *testing.T, db *DB, qs []quad.Quad) {
	t.Helper()
	err := db.Update(context.Background(), func(b *Batch) error {
		for _, q := range qs {
			b.Add(q)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// sameLinks fails the test unless a and b are the same index.
func sameLinks(t *testing.T, what string, a, b *Links) {
	t.Helper()
	if !reflect.DeepEqual(a.ids, b.ids) || !reflect.DeepEqual(a.dense, b.dense) ||
		!reflect.DeepEqual(a.Preds, b.Preds) || !reflect.DeepEqual(a.PredRefs, b.PredRefs) ||
		!reflect.DeepEqual(a.predIndex, b.predIndex) || !reflect.DeepEqual(a.Labels, b.Labels) ||
		!reflect.DeepEqual(a.outStart, b.outStart) || !reflect.DeepEqual(a.inStart, b.inStart) ||
		!reflect.DeepEqual(a.out, b.out) || !reflect.DeepEqual(a.in, b.in) ||
		!reflect.DeepEqual(a.strength, b.strength) || a.has != b.has {
		t.Fatalf("%s: the link index differs from one built from the store", what)
	}
	for i := range a.Len() {
		if a.Node(int32(i)) != b.Node(int32(i)) {
			t.Fatalf("%s: node %d is %v, want %v", what, i, a.Node(int32(i)), b.Node(int32(i)))
		}
		if j, ok := a.Index(b.Node(int32(i))); !ok || j != int32(i) {
			t.Fatalf("%s: Index(node %d) = %d, %v", what, i, j, ok)
		}
	}
}

// freshLinks opens dir in a new DB, as a new process would, and returns
// its link index and one built from the store; read says whether the
// index came from the cache file.
func freshLinks(t *testing.T, dir string, ro bool) (got, want *Links, read bool) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(dir, &Options{ReadOnly: ro})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err = db.Links(ctx)
	if err != nil {
		t.Fatal(err)
	}
	read = db.links.read
	want, err = db.BuildLinks(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return got, want, read
}

func TestLinkCache(t *testing.T) {
	t.Run("read", testLinkCache)
	t.Run("mapped", func(t *testing.T) {
		defer func(m int) { mapMin = m }(mapMin)
		mapMin = 0
		testLinkCache(t)
	})
}

func testLinkCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cache := filepath.Join(dir, quadstore.CacheFile)
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeQuads(t, db, linkQuads(1, 200))
	l, err := db.Links(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cache); err != nil {
		t.Fatalf("no link cache after Links: %v", err)
	}
	// The process that wrote it changes the store: its own index follows,
	// and the file no longer matches.
	writeQuads(t, db, linkQuads(2, 220)[:300])
	l2, err := db.Links(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if l2 == l {
		t.Fatal("Links gave the index of the store before the change")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	testCacheFile(t, dir, linksKept)
}

// TestLinkCacheAfterBulkLoad: a load into an empty store keeps the link
// index, so the next process reads it: built in memory, or, from
// linkFileMin links, straight into its file without holding it.
func TestLinkCacheAfterBulkLoad(t *testing.T) {
	for _, intoFile := range []bool{false, true} {
		t.Run(map[bool]string{false: "in memory", true: "into its file"}[intoFile], func(t *testing.T) {
			if intoFile {
				buildIntoFile(t)
			}
			dir := t.TempDir()
			db, err := Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := db.Load(context.Background(), &quadstore.SliceReader{Quads: withLiteralLinks(3, 300)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Bulk {
				t.Fatal("the load into an empty store did not take the bulk path")
			}
			if held := db.links.links != nil; held == intoFile {
				t.Fatalf("the load held the link index in memory: %v", held)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			got, want, read := freshLinks(t, dir, true)
			if !read {
				t.Fatal("no link index kept after a load into an empty store")
			}
			sameLinks(t, "after a bulk load", got, want)
		})
	}
}

func TestLinkCacheInMemory(t *testing.T) {
	db, err := Open("", &Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	writeQuads(t, db, linkQuads(1, 50))
	if _, ok := db.stamp(context.Background()); ok {
		t.Fatal("a store in memory has a stamp for a cache on disk")
	}
	if _, err := db.Links(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// linksKept is how testCacheFile exercises the link index kept with a
// store, on disk or in PostgreSQL (dir is then the database's address).
var linksKept = cacheFileTest{
	name: quadstore.CacheFile,
	fresh: func(t *testing.T, dir string, ro, _ bool, what string) bool {
		t.Helper()
		got, want, read := freshLinks(t, dir, ro)
		sameLinks(t, what, got, want)
		if got.Len() == 0 {
			t.Fatalf("%s: an empty link index", what)
		}
		return read
	},
	damage: func(size int) []int { return []int{9, 20, linkCacheHdrLen + 3, size - 5} },
	change: func(t *testing.T, dir string) {
		db, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(context.Background(), func(b *Batch) error {
			b.Remove(quad.Make(quad.IRI("entity:e0"), quad.IRI("rel:partner"), quad.IRI("entity:e1"), nil))
			b.Add(quad.Make(quad.IRI("entity:new"), quad.IRI("rel:partner"), quad.IRI("entity:e1"), nil))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	},
}
