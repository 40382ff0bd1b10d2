package pgstore_test

import (
	"context"
	"flag"
	"os"
	"testing"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/entente-kg/entente/graph/pgstore"
	"github.com/entente-kg/entente/internal/pgtest"
	"github.com/entente-kg/entente/internal/storetest"
)

func TestMain(m *testing.M) {
	flag.Parse()
	storetest.SkipUpstreamBugs("^TestConformance$")
	os.Exit(pgtest.Main(m))
}

// open makes a fresh database with the schema and opens it.
func open(t testing.TB) *pgstore.Store {
	t.Helper()
	url := pgtest.DB(t)
	ctx := context.Background()
	if err := pgstore.Init(ctx, url); err != nil {
		t.Fatal(err)
	}
	s, err := pgstore.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConformance runs the conformance suite every store configuration
// runs (Cayley's graphtest and its integration queries on the movie
// data) on the PostgreSQL store.
func TestConformance(t *testing.T) {
	pgtest.Require(t)
	storetest.RunSQL(t, func(t testing.TB) cgraph.QuadStore { return open(t) })
}
