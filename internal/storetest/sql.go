package storetest

import (
	"testing"

	"github.com/cayleygraph/cayley/graph/graphtest"
)

// SQLConfig is the configuration Cayley runs graphtest with on its own
// SQL stores (graph/sql/sqltest with postgres's settings): no primitive
// values, times to the microsecond, comparisons optimized into SQL.
var SQLConfig = graphtest.Config{
	NoPrimitives:        true,
	TimeInMcs:           true,
	TimeRound:           true,
	OptimizesComparison: true,
}

// RunSQL runs Cayley's graphtest suite (as subtest "cayley") on a store
// built on Cayley's SQL store, with SQLConfig. The integration queries on
// the movie data are left out, as Cayley's own SQL tests leave them out:
// through Cayley's SQL shapes two of them run for minutes.
func RunSQL(t *testing.T, open Open) {
	t.Run("cayley", func(t *testing.T) {
		chdir(t)
		conf := SQLConfig
		graphtest.TestAll(t, gen(open), &conf)
	})
}
