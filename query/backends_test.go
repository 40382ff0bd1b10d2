package query_test

import (
	"context"
	"os"
	"testing"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/internal/pgtest"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/seeds"
)

// TestMain starts a throwaway PostgreSQL cluster for the tests that run on
// every store (pgtest; without PostgreSQL they skip that case, saying so).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// seedBackends open a store holding the seed graph: the package's shared
// in-memory Badger store, and a fresh PostgreSQL one.
var seedBackends = []struct {
	name string
	open func(t testing.TB) *graph.DB
}{
	{"memory", seedStore},
	{"postgres", func(t testing.TB) *graph.DB {
		url := pgtest.DB(t)
		ctx := context.Background()
		if err := graph.Init(ctx, url); err != nil {
			t.Fatal(err)
		}
		db, err := graph.Open(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := loader.LoadSources(ctx, db, seeds.Sources(), nil); err != nil {
			t.Fatal(err)
		}
		return db
	}},
}
