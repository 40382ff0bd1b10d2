package quadstore_test

import (
	"testing"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/cayley/graph/graphtest"
	"github.com/entente-kg/entente/graph/quadstore"
	"github.com/entente-kg/entente/internal/cayleydata"
)

// configs are the store configurations every conformance suite runs on.
var configs = []struct {
	name string
	opts quadstore.Options
}{
	{"disk", quadstore.Options{}},
	{"memory", quadstore.Options{InMemory: true}},
}

func gen(opts quadstore.Options) func(t testing.TB) (cgraph.QuadStore, cgraph.Options) {
	return func(t testing.TB) (cgraph.QuadStore, cgraph.Options) {
		s, err := quadstore.Open(t.TempDir(), &opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, nil
	}
}

func chdirSuite(t *testing.T) {
	work, err := cayleydata.SuiteDir(t.TempDir())
	if err != nil {
		t.Skipf("Cayley's data sets are not available: %v", err)
	}
	t.Chdir(work)
}

// TestCayleyConformance runs Cayley's graphtest suite, which every Cayley
// backend must pass, against each configuration.
func TestCayleyConformance(t *testing.T) {
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			chdirSuite(t)
			graphtest.TestAll(t, gen(c.opts), &graphtest.Config{})
		})
	}
}

// TestCayleyIntegration loads the 30k-movie data set through the store's
// quad writer and runs Cayley's Gizmo integration queries on it.
func TestCayleyIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 471,705 quads")
	}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			chdirSuite(t)
			graphtest.TestIntegration(t, gen(c.opts), true)
		})
	}
}
