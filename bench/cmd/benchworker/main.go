// Command benchworker runs one benchmark task on one system and prints its
// figures as one JSON object. benchrun starts it once per measurement, so
// that each system's peak memory is its own.
//
//	benchworker -system entente -task load -db DIR -data movies.nq.gz
//	benchworker -system bolt -task gizmo -db DIR -data movies.nq.gz
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/entente-kg/entente/bench"
)

type queryResult struct {
	Name    string  `json:"name"`
	Results int     `json:"results"`
	Runs    int     `json:"runs"`
	Median  float64 `json:"median_ms"`
	P95     float64 `json:"p95_ms"`
	Error   string  `json:"error,omitempty"`
}

type output struct {
	System  string        `json:"system"`
	Task    string        `json:"task"`
	Seconds float64       `json:"seconds"`
	Quads   int64         `json:"quads"`
	Nodes   int64         `json:"nodes"`
	Queries []queryResult `json:"queries,omitempty"`
	Error   string        `json:"error,omitempty"`
}

func main() {
	system := flag.String("system", "entente", "entente, memstore, btree, bolt or leveldb")
	task := flag.String("task", "load", "load (into an empty store), reload (the same file again), gizmo (B2 queries)")
	dir := flag.String("db", "", "store directory")
	data := flag.String("data", "", "N-Quads file (gzip) to load")
	minTime := flag.Duration("min-time", time.Second, "gizmo: run each query at least this long")
	flag.Parse()
	out := output{System: *system, Task: *task}
	if err := run(&out, *dir, *data, *minTime); err != nil {
		out.Error = err.Error()
	}
	json.NewEncoder(os.Stdout).Encode(out)
	if out.Error != "" {
		os.Exit(1)
	}
}

func run(out *output, dir, data string, minTime time.Duration) error {
	ctx := context.Background()
	start := time.Now()
	s, err := bench.Open(out.System, dir)
	if err != nil {
		return err
	}
	defer s.Close()
	switch out.Task {
	case "load", "reload":
		if out.Task == "reload" && !bench.Persistent(out.System) {
			if err := s.Load(ctx, data); err != nil { // the first load, not timed
				return err
			}
			start = time.Now()
		}
		if err := s.Load(ctx, data); err != nil {
			return err
		}
		out.Seconds = time.Since(start).Seconds()
	case "gizmo":
		if !bench.Persistent(out.System) {
			if err := s.Load(ctx, data); err != nil {
				return err
			}
		}
		start = time.Now()
		for _, q := range bench.GizmoQueries {
			out.Queries = append(out.Queries, timeQuery(ctx, s, q, minTime))
		}
		out.Seconds = time.Since(start).Seconds()
	default:
		return fmt.Errorf("unknown task %q", out.Task)
	}
	st, err := s.QS.Stats(ctx, true)
	if err != nil {
		return err
	}
	out.Quads, out.Nodes = st.Quads.Value, st.Nodes.Value
	return nil
}

// timeQuery runs a query once to warm up and check its answer, then again
// until minTime has passed, at least 5 times unless that takes over 5
// seconds (then at least once), at most 500 times.
func timeQuery(ctx context.Context, s *bench.Store, q bench.GizmoQuery, minTime time.Duration) queryResult {
	r := queryResult{Name: q.Name}
	n, err := bench.RunGizmo(ctx, s.QS, q.Query)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Results = n
	if n != q.Results {
		r.Error = fmt.Sprintf("%d results, expected %d", n, q.Results)
		return r
	}
	var times []float64
	begin := time.Now()
	for len(times) == 0 || (len(times) < 5 && time.Since(begin) < 5*time.Second) || (time.Since(begin) < minTime && len(times) < 500) {
		t := time.Now()
		if _, err := bench.RunGizmo(ctx, s.QS, q.Query); err != nil {
			r.Error = err.Error()
			return r
		}
		times = append(times, float64(time.Since(t).Microseconds())/1000)
	}
	sort.Float64s(times)
	r.Runs = len(times)
	r.Median = times[len(times)/2]
	r.P95 = times[min(len(times)-1, len(times)*95/100)]
	return r
}
