package graph_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
	eg "github.com/entente-kg/entente/graph"
)

func seedStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db, err := eg.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(context.Background(), func(b *eg.Batch) error {
		b.Add(quad.MakeIRI("entity:japan", "rel:partner", "entity:australia", ""))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReadOnly(t *testing.T) {
	dir := seedStore(t)
	db, err := eg.Open(dir, &eg.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	st, err := db.Stats(ctx)
	if err != nil || st.Quads != 1 {
		t.Fatalf("stats %+v, %v", st, err)
	}
	err = db.Update(ctx, func(b *eg.Batch) error {
		b.Add(quad.MakeIRI("a", "b", "c", ""))
		return nil
	})
	if !errors.Is(err, eg.ErrReadOnly) {
		t.Fatalf("Update on a read-only store: %v", err)
	}
	if _, err := db.Load(ctx, quad.NewReader([]quad.Quad{quad.MakeIRI("a", "b", "c", "")}), nil); !errors.Is(err, eg.ErrReadOnly) {
		t.Fatalf("Load on a read-only store: %v", err)
	}
	if err := db.QuadStore().ApplyDeltas([]graph.Delta{{Quad: quad.MakeIRI("a", "b", "c", ""), Action: graph.Add}}, graph.IgnoreOpts{}); err == nil {
		t.Fatal("ApplyDeltas on a read-only store succeeded")
	}
	// Several readers may share the store; a writer may not join them.
	db2, err := eg.Open(dir, &eg.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	defer db2.Close()
	_, err = eg.Open(dir, nil)
	if !errors.Is(err, eg.ErrLocked) || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("writer beside readers: %v", err)
	}
}

func TestReadOnlyNoStore(t *testing.T) {
	_, err := eg.Open(filepath.Join(t.TempDir(), "nothing"), &eg.Options{ReadOnly: true})
	if !errors.Is(err, eg.ErrNoStore) {
		t.Fatalf("got %v", err)
	}
}

func TestLocked(t *testing.T) {
	dir := seedStore(t)
	db, err := eg.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ro := range []bool{false, true} {
		_, err = eg.Open(dir, &eg.Options{ReadOnly: ro})
		if !errors.Is(err, eg.ErrLocked) {
			t.Fatalf("read-only %v: %v", ro, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, dir) || !strings.Contains(msg, "open for writing") || !strings.Contains(msg, "process") {
			t.Fatalf("message does not name the directory and the holder: %s", msg)
		}
	}
	db.Close()
	db, err = eg.Open(dir, nil)
	if err != nil {
		t.Fatalf("after close: %v", err)
	}
	db.Close()
}

func TestFormatVersion(t *testing.T) {
	dir := seedStore(t)
	bdb, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := bdb.Update(func(txn *badger.Txn) error {
		return txn.Set([]byte("mformat"), []byte("entente-quadstore/0"))
	}); err != nil {
		t.Fatal(err)
	}
	bdb.Close()
	_, err = eg.Open(dir, nil)
	if !errors.Is(err, eg.ErrFormatVersion) {
		t.Fatalf("got %v", err)
	}
	want := `graph: store format version is not supported: store has "entente-quadstore/0", this build reads "entente-quadstore/2" (store ` + dir + `)`
	if err.Error() != want {
		t.Fatalf("message:\n got %s\nwant %s", err, want)
	}
}

func TestCorrupt(t *testing.T) {
	t.Run("manifest", func(t *testing.T) {
		dir := seedStore(t)
		if err := os.WriteFile(filepath.Join(dir, "MANIFEST"), []byte("this is not a manifest"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := eg.Open(dir, nil)
		if !errors.Is(err, eg.ErrCorrupt) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("foreign badger database", func(t *testing.T) {
		dir := t.TempDir()
		bdb, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
		if err != nil {
			t.Fatal(err)
		}
		bdb.Update(func(txn *badger.Txn) error { return txn.Set([]byte("k"), []byte("v")) })
		bdb.Close()
		_, err = eg.Open(dir, nil)
		if !errors.Is(err, eg.ErrCorrupt) || !strings.Contains(err.Error(), "not an Entente store") {
			t.Fatalf("got %v", err)
		}
	})
}

func TestClosed(t *testing.T) {
	db, err := eg.Open("", &eg.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := db.Stats(context.Background()); !errors.Is(err, eg.ErrClosed) {
		t.Fatalf("got %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}
