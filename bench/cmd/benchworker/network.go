package main

import (
	"context"
	"sort"
	"time"

	"github.com/entente-kg/entente/bench"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
)

// networkQueries are B10's statements of a data set: movies or seed.
func networkQueries(set string) []string {
	if set == "seed" {
		return bench.SeedNetworkQueries
	}
	return bench.NetworkQueries
}

// runNetwork is B10 warm: the first statement builds the link index
// (FirstMs), then every statement runs reps times in the same process. A
// statement that fails (runs out of work) is recorded with its error and
// the time it took to say so.
func runNetwork(out *output, dir, set string, reps int) error {
	ctx := context.Background()
	db, err := graph.Open(dir, &graph.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	t := time.Now()
	if _, err := db.Links(ctx); err != nil {
		return err
	}
	out.FirstMs = msSince(t)
	start := time.Now()
	for _, src := range networkQueries(set) {
		qr := queryResult{Name: src, Runs: reps}
		var times []float64
		for i := 0; i < reps; i++ {
			c, cancel := context.WithTimeout(ctx, query.DefaultTimeout)
			t := time.Now()
			res, err := query.Run(c, db, src, nil)
			cancel()
			times = append(times, msSince(t))
			if err != nil {
				qr.Error = err.Error()
				continue
			}
			qr.Results = len(res.Rows)
			qr.Note = res.Note
		}
		sort.Float64s(times)
		qr.Median, qr.P95 = times[len(times)/2], times[min(len(times)-1, len(times)*95/100)]
		out.Queries = append(out.Queries, qr)
	}
	out.Seconds = time.Since(start).Seconds()
	return nil
}

// runNetworkCold is B10 cold: open the store and answer one statement
// (which builds the link index) in a fresh process.
func runNetworkCold(out *output, dir, set string, i int) error {
	db, err := graph.Open(dir, &graph.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	qs := networkQueries(set)
	src := qs[i%len(qs)]
	qr := queryResult{Name: src, Runs: 1}
	res, err := query.Run(context.Background(), db, src, nil)
	if err != nil {
		qr.Error = err.Error()
	} else {
		qr.Results = len(res.Rows)
	}
	out.ColdMs = msSince(processStart)
	out.Queries = []queryResult{qr}
	return nil
}
