package quadstore_test

import (
	"flag"
	"os"
	"testing"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/entente-kg/entente/graph/quadstore"
	"github.com/entente-kg/entente/internal/storetest"
)

func TestMain(m *testing.M) {
	flag.Parse()
	storetest.SkipUpstreamBugs("^TestConformance$/^(disk|memory)$")
	os.Exit(m.Run())
}

// TestConformance runs the conformance suite on every configuration of
// the store.
func TestConformance(t *testing.T) {
	for _, c := range []struct {
		name string
		opts quadstore.Options
	}{
		{"disk", quadstore.Options{}},
		{"memory", quadstore.Options{InMemory: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			storetest.Run(t, func(t testing.TB) cgraph.QuadStore {
				s, err := quadstore.Open(t.TempDir(), &c.opts)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			})
		})
	}
}

// TestUpstreamBugCanary fails when Cayley fixes a bug the suite skips.
func TestUpstreamBugCanary(t *testing.T) {
	if err := storetest.CanaryRecursiveTags(); err != nil {
		t.Fatal(err)
	}
}
