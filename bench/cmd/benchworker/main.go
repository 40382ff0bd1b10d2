// Command benchworker runs one benchmark task on one system and prints its
// figures as one JSON object. benchrun starts it once per measurement, so
// that each system's peak memory is its own.
//
//	benchworker -system entente -task load -db DIR -data movies.nq.gz
//	benchworker -system bolt -task gizmo -db DIR -data movies.nq.gz
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/entente-kg/entente/bench"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
)

type queryResult struct {
	Name    string  `json:"name"`
	Results int     `json:"results"`
	Runs    int     `json:"runs"`
	Median  float64 `json:"median_ms"`
	P95     float64 `json:"p95_ms"`
	Error   string  `json:"error,omitempty"`
	Note    string  `json:"note,omitempty"`
}

type output struct {
	System  string        `json:"system"`
	Task    string        `json:"task"`
	Seconds float64       `json:"seconds"`
	Quads   int64         `json:"quads"`
	Nodes   int64         `json:"nodes"`
	Queries []queryResult `json:"queries,omitempty"`
	Pairs   []pairResult  `json:"pairs,omitempty"`
	// B3: the first path query, which builds the link index.
	FirstMs float64 `json:"first_ms,omitempty"`
	// B3 cold: from the start of the process to the answer.
	ColdMs float64 `json:"cold_ms,omitempty"`
	// B7: building the full-text index, and what it holds.
	BuildMs float64 `json:"build_ms,omitempty"`
	Texts   int     `json:"texts,omitempty"`
	Terms   int     `json:"terms,omitempty"`
	// B14: the size of a PostgreSQL database after the task.
	DatabaseMB float64 `json:"database_mb,omitempty"`
	Error      string  `json:"error,omitempty"`
}

type pairResult struct {
	A, B      string
	Length    int       `json:"length"`
	Paths     int       `json:"paths"`
	Times     []float64 `json:"times_ms"`
	CoLength  int       `json:"costar_length"`
	CoTimes   []float64 `json:"costar_times_ms"`
	GizmoMs   float64   `json:"gizmo_ms"`
	GizmoRows int       `json:"gizmo_rows"`
	GizmoErr  string    `json:"gizmo_error,omitempty"`
}

func main() {
	system := flag.String("system", "entente", "entente, memstore, btree, bolt or leveldb")
	task := flag.String("task", "load", "load (into an empty store), reload (the same file again), gizmo (B2 queries), paths and path-cold (B3), synthetic-paths (B4), search and search-cold (B7), network and network-cold (B10), history (B8: changes and as of, on a copy of a Movies store)")
	dir := flag.String("db", "", "store directory")
	data := flag.String("data", "", "N-Quads file (gzip) to load")
	minTime := flag.Duration("min-time", time.Second, "gizmo: run each query at least this long")
	pair := flag.Int("pair", 0, "path-cold: the pair to ask for")
	reps := flag.Int("reps", 5, "paths: runs of each pair's query")
	quads := flag.Int("quads", 0, "synthetic-paths: the size of the synthetic graph in the store (B4)")
	set := flag.String("set", "movies", "search, search-cold, network, network-cold: the statements of movies or seed (B7, B10)")
	nth := flag.Int("query", 0, "search-cold, network-cold: the statement to run")
	rebuild := flag.Bool("rebuild", false, "search-cold: remove the full-text index the store keeps first, so that the search builds it")
	changes := flag.Int("changes", 1000, "history: relations retracted one a transaction, and as many in one (B8)")
	queryTimeout := flag.Duration("query-timeout", 0, "gizmo: cut a query off after this long (0: never)")
	withGizmo := flag.Bool("gizmo", true, "paths: also time the Gizmo traversal of each co-star connection")
	withStats := flag.Bool("stats", true, "load, gizmo: count the store's quads and nodes at the end (an exact count scans some stores whole)")
	flag.Parse()
	out := output{System: *system, Task: *task}
	var err error
	switch *task {
	case "paths":
		err = runPaths(&out, *dir, *reps, *withGizmo)
	case "path-cold":
		err = runCold(&out, *dir, *pair)
	case "synthetic-paths":
		err = runSyntheticPaths(&out, *dir, *quads, *reps)
	case "search":
		err = runSearch(&out, *dir, *set, *reps)
	case "search-cold":
		err = runSearchCold(&out, *dir, *set, *nth, *rebuild)
	case "network":
		err = runNetwork(&out, *dir, *set, *reps)
	case "network-cold":
		err = runNetworkCold(&out, *dir, *set, *nth)
	case "history":
		err = runHistory(&out, *dir, *changes, *reps)
	default:
		err = run(&out, *dir, *data, *minTime, *queryTimeout, *withStats)
	}
	if err != nil {
		out.Error = err.Error()
	}
	json.NewEncoder(os.Stdout).Encode(out)
	if out.Error != "" {
		os.Exit(1)
	}
}

func run(out *output, dir, data string, minTime, timeout time.Duration, withStats bool) error {
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
			out.Queries = append(out.Queries, timeQuery(ctx, s, q, minTime, timeout))
		}
		out.Seconds = time.Since(start).Seconds()
	default:
		return fmt.Errorf("unknown task %q", out.Task)
	}
	if !withStats {
		return nil
	}
	st, err := s.QS.Stats(ctx, true)
	if err != nil {
		return err
	}
	out.Quads, out.Nodes = st.Quads.Value, st.Nodes.Value
	if graph.IsURL(dir) {
		if out.DatabaseMB, err = databaseMB(ctx, dir); err != nil {
			return err
		}
	}
	return nil
}

// databaseMB is the size of the PostgreSQL database at url.
func databaseMB(ctx context.Context, url string) (float64, error) {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return float64(n) / (1 << 20), nil
}

// timeQuery runs a query once to warm up and check its answer, then again
// until minTime has passed, at least 5 times unless that takes over 5
// seconds (then at least once), at most 500 times. A timeout, when set,
// bounds each run: a query cut off is reported as such.
func timeQuery(ctx context.Context, s *bench.Store, q bench.GizmoQuery, minTime, timeout time.Duration) queryResult {
	r := queryResult{Name: q.Name}
	gizmo := func() (int, error) {
		c, cancel := ctx, context.CancelFunc(func() {})
		if timeout > 0 {
			c, cancel = context.WithTimeout(ctx, timeout)
		}
		defer cancel()
		n, err := bench.RunGizmo(c, s.QS, q.Query)
		if c.Err() != nil && ctx.Err() == nil { // an iterator may just stop
			return n, fmt.Errorf("cut off after %v", timeout)
		}
		return n, err
	}
	n, err := gizmo()
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
		if _, err := gizmo(); err != nil {
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

var processStart = time.Now()

// runPaths is B3 warm: every pair's shortest paths, several times each, in
// one process, and the Gizmo traversal that finds the same co-star chain.
func runPaths(out *output, dir string, reps int, withGizmo bool) error {
	ctx := context.Background()
	db, err := graph.Open(dir, &graph.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	ask := func(src string) (*query.Result, float64, error) {
		c, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		t := time.Now()
		res, err := query.Run(c, db, src, nil)
		return res, float64(time.Since(t).Microseconds()) / 1000, err
	}
	// The first query builds the link index.
	_, first, err := ask(bench.PathQuery(bench.Pairs[0]))
	if err != nil {
		return err
	}
	out.FirstMs = first
	start := time.Now()
	for _, p := range bench.Pairs {
		pr := pairResult{A: p.A, B: p.B}
		for i := 0; i < reps; i++ {
			res, ms, err := ask(bench.PathQuery(p))
			if err != nil {
				return fmt.Errorf("%s: %w", bench.PathQuery(p), err)
			}
			pr.Times = append(pr.Times, ms)
			if len(res.Rows) > 0 {
				pr.Length = res.Rows[0][0].(*query.Path).Len()
			}
			pr.Paths = len(res.Rows)
		}
		var ids [2]string
		for i := 0; i < reps; i++ {
			res, ms, err := ask(bench.CoStarQuery(p))
			if err != nil {
				return fmt.Errorf("%s: %w", bench.CoStarQuery(p), err)
			}
			pr.CoTimes = append(pr.CoTimes, ms)
			if len(res.Rows) > 0 {
				path := res.Rows[0][0].(*query.Path)
				pr.CoLength = path.Len()
				ids = [2]string{query.IDString(path.Nodes[0].ID), query.IDString(path.Nodes[len(path.Nodes)-1].ID)}
			}
		}
		if pr.CoLength > 0 && withGizmo {
			src := bench.CoStarGizmo(ids[0], ids[1], pr.CoLength/4)
			c, cancel := context.WithTimeout(ctx, time.Minute)
			t := time.Now()
			n, err := bench.RunGizmo(c, db.QuadStore(), src)
			cancel()
			pr.GizmoMs = float64(time.Since(t).Microseconds()) / 1000
			pr.GizmoRows = n
			if err != nil {
				pr.GizmoErr = err.Error()
			}
		}
		out.Pairs = append(out.Pairs, pr)
	}
	out.Seconds = time.Since(start).Seconds()
	return nil
}

// runCold is B3 cold: open the store and answer one pair, in a fresh
// process.
func runCold(out *output, dir string, pair int) error {
	db, err := graph.Open(dir, &graph.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	p := bench.Pairs[pair%len(bench.Pairs)]
	res, err := query.Run(context.Background(), db, bench.PathQuery(p), nil)
	if err != nil {
		return err
	}
	out.ColdMs = float64(time.Since(processStart).Microseconds()) / 1000
	out.Pairs = []pairResult{{A: p.A, B: p.B, Paths: len(res.Rows)}}
	return nil
}

// runSyntheticPaths is B4's path latency: the first query (which builds
// the link index), then each of the synthetic graph's pairs reps times.
func runSyntheticPaths(out *output, dir string, quads, reps int) error {
	db, err := graph.Open(dir, &graph.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	pairs := bench.SyntheticPairs(quads)
	for i, p := range pairs {
		pr := pairResult{A: p.A, B: p.B}
		for k := 0; k < reps+boolInt(i == 0); k++ {
			c, cancel := context.WithTimeout(context.Background(), time.Minute)
			t := time.Now()
			res, err := query.Run(c, db, bench.PathQuery(p), nil)
			ms := float64(time.Since(t).Microseconds()) / 1000
			cancel()
			if err != nil {
				return fmt.Errorf("%s: %w", bench.PathQuery(p), err)
			}
			if i == 0 && k == 0 {
				out.FirstMs = ms
				continue
			}
			pr.Times = append(pr.Times, ms)
			pr.Paths = len(res.Rows)
			if len(res.Rows) > 0 {
				pr.Length = res.Rows[0][0].(*query.Path).Len()
			}
		}
		out.Pairs = append(out.Pairs, pr)
	}
	st, err := db.Stats(context.Background())
	if err != nil {
		return err
	}
	out.Quads, out.Nodes = st.Quads, st.Nodes
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
