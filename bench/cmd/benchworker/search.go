package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/entente-kg/entente/bench"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/graph/quadstore"
	"github.com/entente-kg/entente/query"
)

// searchQueries are B7's searches of a data set: movies or seed.
func searchQueries(set string) []string {
	if set == "seed" {
		return bench.SeedSearchQueries
	}
	return bench.SearchQueries
}

// runSearch is B7 warm: build the full-text index once (the file the
// store keeps it in removed first, so that it is built from the store; it
// is written again, as the first search after a change does), then run
// every search reps times in the same process.
func runSearch(out *output, dir, set string, reps int) error {
	ctx := context.Background()
	if err := os.Remove(filepath.Join(dir, quadstore.TextCacheFile)); err != nil && !os.IsNotExist(err) {
		return err
	}
	db, err := graph.Open(dir, &graph.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	t := time.Now()
	ix, err := db.TextIndex(ctx)
	if err != nil {
		return err
	}
	out.BuildMs = msSince(t)
	out.Texts, out.Terms = ix.Len(), ix.Terms()
	start := time.Now()
	for _, src := range searchQueries(set) {
		qr := queryResult{Name: src, Runs: reps}
		var times []float64
		for i := 0; i < reps; i++ {
			c, cancel := context.WithTimeout(ctx, time.Minute)
			t := time.Now()
			res, err := query.Run(c, db, src, nil)
			cancel()
			if err != nil {
				return fmt.Errorf("%s: %w", src, err)
			}
			times = append(times, msSince(t))
			qr.Results = len(res.Rows)
		}
		sort.Float64s(times)
		qr.Median, qr.P95 = times[len(times)/2], times[min(len(times)-1, len(times)*95/100)]
		out.Queries = append(out.Queries, qr)
	}
	out.Seconds = time.Since(start).Seconds()
	return nil
}

// runSearchCold is B7 cold: open the store and answer one search in a
// fresh process, which reads the full-text index the store keeps or, with
// rebuild (its file removed first), builds it.
func runSearchCold(out *output, dir, set string, i int, rebuild bool) error {
	if rebuild {
		if err := os.Remove(filepath.Join(dir, quadstore.TextCacheFile)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	db, err := graph.Open(dir, &graph.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	qs := searchQueries(set)
	src := qs[i%len(qs)]
	res, err := query.Run(context.Background(), db, src, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	out.ColdMs = msSince(processStart)
	out.Queries = []queryResult{{Name: src, Results: len(res.Rows), Runs: 1}}
	return nil
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }
