package main

import (
	"context"
	"fmt"
	"sort"
	"time"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/bench"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
)

// runHistory is B8 on a copy of the Movies store: n relations retracted
// one transaction each, n more in one transaction, then a path asked of
// the present and as of the first transaction (the first as-of question
// builds the view; the next ones reuse it). The store is changed: the
// harness gives a copy.
func runHistory(out *output, dir string, n, reps int) error {
	ctx := context.Background()
	db, err := graph.Open(dir, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	// The relations to retract: directed_by links, which no benchmark
	// path walks.
	qs := db.QuadStore()
	pred, err := qs.ValueOf(quad.IRI("/film/film/directed_by"))
	if err != nil || pred == nil {
		return fmt.Errorf("no /film/film/directed_by relations in %s: %v", dir, err)
	}
	var rels []quad.Quad
	it := qs.QuadIterator(quad.Predicate, pred).Iterate()
	for it.Next(ctx) && len(rels) < 2*n {
		q, err := qs.Quad(it.Result())
		if err != nil {
			it.Close()
			return err
		}
		rels = append(rels, q)
	}
	it.Close()
	if len(rels) < 2*n {
		return fmt.Errorf("only %d directed_by relations, want %d", len(rels), 2*n)
	}
	retract := func(batch []quad.Quad) (float64, error) {
		t := time.Now()
		err := db.Update(ctx, func(b *graph.Batch) error {
			b.Meta = graph.TxMeta{Author: "bench", Message: "B8", Kind: "retract"}
			for _, q := range batch {
				b.Remove(q)
			}
			return nil
		})
		return msSince(t), err
	}
	// One at a time.
	var times []float64
	start := time.Now()
	for _, q := range rels[:n] {
		ms, err := retract([]quad.Quad{q})
		if err != nil {
			return err
		}
		times = append(times, ms)
	}
	out.Queries = append(out.Queries, summary(fmt.Sprintf("retract 1 relation, a transaction each (%d)", n), times, n))
	out.Queries[len(out.Queries)-1].Note = fmt.Sprintf("%.0f transactions/s", float64(n)/time.Since(start).Seconds())
	// All in one.
	ms, err := retract(rels[n:])
	if err != nil {
		return err
	}
	out.Queries = append(out.Queries, summary(fmt.Sprintf("retract %d relations in one transaction", n), []float64{ms}, n))
	log, err := db.Log(ctx)
	if err != nil {
		return err
	}
	out.Queries = append(out.Queries, queryResult{Name: "transactions in the log", Results: len(log), Runs: 1})

	// Questions: the present, then as of the first transaction.
	ask := func(src string) (float64, int, error) {
		c, cancel := context.WithTimeout(ctx, query.DefaultTimeout)
		defer cancel()
		t := time.Now()
		res, err := query.Run(c, db, src, nil)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", src, err)
		}
		return msSince(t), len(res.Rows), nil
	}
	p := bench.PathQuery(bench.Pairs[0])
	if _, _, err := ask(p); err != nil { // builds the present's link index
		return err
	}
	for _, src := range []string{p, p + " as of tx:1"} {
		first, rows, err := ask(src)
		if err != nil {
			return err
		}
		var times []float64
		for i := 0; i < reps; i++ {
			ms, _, err := ask(src)
			if err != nil {
				return err
			}
			times = append(times, ms)
		}
		r := summary(src, times, rows)
		r.Note = fmt.Sprintf("first %.0f ms", first)
		out.Queries = append(out.Queries, r)
	}
	// A history question on an entity the changes touched.
	var director quad.Value
	if d := rels[0].Object; d != nil {
		director = d
	}
	name, err := nameOf(ctx, qs, director)
	if err == nil && name != "" {
		ms, rows, err := ask(fmt.Sprintf("history %q", name))
		if err != nil {
			return err
		}
		out.Queries = append(out.Queries, queryResult{Name: fmt.Sprintf("history %q", name), Results: rows, Runs: 1, Median: ms, P95: ms})
	}
	out.Seconds = time.Since(start).Seconds()
	return nil
}

// summary is a measurement's median and p95.
func summary(name string, times []float64, results int) queryResult {
	s := append([]float64(nil), times...)
	sort.Float64s(s)
	return queryResult{Name: name, Results: results, Runs: len(s), Median: s[len(s)/2], P95: s[min(len(s)-1, len(s)*95/100)]}
}

// nameOf reads a node's <name>.
func nameOf(ctx context.Context, qs cgraph.QuadStore, v quad.Value) (string, error) {
	ref, err := qs.ValueOf(v)
	if err != nil || ref == nil {
		return "", err
	}
	it := qs.QuadIterator(quad.Subject, ref).Iterate()
	defer it.Close()
	for it.Next(ctx) {
		q, err := qs.Quad(it.Result())
		if err != nil {
			return "", err
		}
		if q.Predicate == quad.IRI("name") {
			return quad.ToString(q.Object), nil
		}
	}
	return "", it.Err()
}
