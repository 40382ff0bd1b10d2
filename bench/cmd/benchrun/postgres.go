//go:build unix

package main

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/entente-kg/entente/bench"
	"github.com/entente-kg/entente/graph/quadstore"
	"github.com/entente-kg/entente/internal/pgtest"
	_ "github.com/lib/pq"
)

// b14Heading starts B14's section.
const b14Heading = "## B14 "

// b14Settings are the benchmark cluster's server options: PostgreSQL's
// defaults (fsync, synchronous_commit and full_page_writes on), on the
// loopback interface only.
const b14Settings = "-c listen_addresses=127.0.0.1"

// b14Systems are B14's systems, in the order of each interleaved round:
// Entente on Badger beside the two on PostgreSQL.
var b14Systems = append([]string{"entente"}, bench.PostgresSystems...)

// b14result is B1, B2 and B3 on PostgreSQL (issue 13).
type b14result struct {
	// skipped says why nothing was measured (no PostgreSQL here).
	skipped string
	version string
	rounds  int
	timeout time.Duration
	loads   map[string][]measure // system -> its loads, one a round
	gizmo   map[string]measure   // system -> B2's queries
	warm    map[string]measure   // entente, entente-pg -> B3 warm
	cold    map[string][]measure // entente, entente-pg -> B3 cold, a pair a run
	// rebuilt: cold runs of B3's first pairs with nothing kept (the link
	// index's file, or the rows of entente_cache, removed first).
	rebuilt map[string][]measure
}

// rebuiltPairs is how many of B3's pairs run cold with nothing kept.
const rebuiltPairs = 5

// forgetKept removes what a store keeps for the next process: the link
// and text indexes' files beside a Badger store, every row of a
// PostgreSQL store's entente_cache (its numbering of the nodes too).
func forgetKept(target string) error {
	if !strings.HasPrefix(target, "postgres://") {
		for _, name := range []string{quadstore.CacheFile, quadstore.TextCacheFile} {
			if err := os.Remove(filepath.Join(target, name)); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
		return nil
	}
	db, err := sql.Open("postgres", target)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(`DELETE FROM entente_cache`)
	return err
}

// runB14 starts a throwaway PostgreSQL cluster and measures, in
// interleaved rounds, Movies loaded into Entente's Badger store, Entente's
// PostgreSQL store and Cayley's own SQL store on PostgreSQL (each load a
// fresh process into a fresh store or database), then Cayley's Gizmo
// integration queries on each (each query cut off after timeout), then
// B3's path queries warm and cold on Entente's two stores.
func runB14(data string, rounds int, timeout time.Duration) *b14result {
	res := &b14result{rounds: rounds, timeout: timeout,
		loads: map[string][]measure{}, gizmo: map[string]measure{}, warm: map[string]measure{}, cold: map[string][]measure{},
		rebuilt: map[string][]measure{}}
	srv, err := pgtest.StartWith(b14Settings)
	if err != nil {
		res.skipped = "no PostgreSQL cluster could be started here: " + err.Error()
		progress("B14: skipped: %s", res.skipped)
		return res
	}
	defer srv.Stop()
	if out, err := exec.Command(srv.Bin("postgres"), "--version").Output(); err == nil {
		res.version = strings.TrimSpace(string(out))
	}
	loaded := map[string]string{} // system -> the store or database its last load filled
	drop := func(s, target string) {
		if strings.HasPrefix(target, "postgres://") {
			srv.DropDB(target)
		} else {
			os.RemoveAll(target)
		}
	}
	for i := range rounds {
		for _, s := range b14Systems {
			var target string
			if s == "entente" {
				target = filepath.Join(tmp, fmt.Sprintf("b14-badger-%d", i))
			} else if target, err = srv.CreateDB(); err != nil {
				fatal(err)
			}
			m := runWorker("-system", s, "-task", "load", "-db", target, "-data", data)
			if s == "entente" {
				m.diskMB = diskMB(target)
			} else if mb, ok := m.out["database_mb"].(float64); ok {
				m.diskMB = mb
			}
			progress("B14 load %-10s round %d: %.2f s (process %.2f s), %.0f MB RSS, %.0f MB stored %v", s, i+1, m.seconds, m.wall.Seconds(), m.rssMB, m.diskMB, errText(m.err))
			res.loads[s] = append(res.loads[s], m)
			if m.err != nil {
				drop(s, target)
				continue
			}
			if prev := loaded[s]; prev != "" {
				drop(s, prev) // keep one copy of each: Movies is ~400 MB in PostgreSQL
			}
			loaded[s] = target
		}
	}
	for _, s := range b14Systems {
		if loaded[s] == "" {
			continue
		}
		m := runWorker("-system", s, "-task", "gizmo", "-db", loaded[s], "-data", data, "-query-timeout", timeout.String())
		progress("B14 gizmo %-10s: %.1f s %v", s, m.seconds, errText(m.err))
		res.gizmo[s] = m
	}
	ententes := []string{"entente", "entente-pg"}
	for _, s := range ententes {
		if loaded[s] == "" {
			continue
		}
		m := runWorker("-system", s, "-task", "paths", "-db", loaded[s], "-reps", "5", "-gizmo=false")
		progress("B14 paths warm %-10s: first %.0f ms %v", s, m.out["first_ms"], errText(m.err))
		res.warm[s] = m
	}
	for p := range bench.Pairs {
		for _, s := range ententes {
			if loaded[s] == "" {
				continue
			}
			res.cold[s] = append(res.cold[s], runWorker("-system", s, "-task", "path-cold", "-db", loaded[s], "-pair", fmt.Sprint(p)))
		}
	}
	progress("B14 paths cold: %d pairs", len(bench.Pairs))
	for p := range rebuiltPairs {
		for _, s := range ententes {
			if loaded[s] == "" {
				continue
			}
			if err := forgetKept(loaded[s]); err != nil {
				fatal(err)
			}
			res.rebuilt[s] = append(res.rebuilt[s], runWorker("-system", s, "-task", "path-cold", "-db", loaded[s], "-pair", fmt.Sprint(p)))
		}
	}
	progress("B14 paths cold, nothing kept: %d pairs", rebuiltPairs)
	return res
}

var b14Names = map[string]string{
	"entente":    "Entente, Badger",
	"entente-pg": "Entente, PostgreSQL",
	"cayley-pg":  "Cayley's SQL store, PostgreSQL",
}

// markdownB14 writes B14's section.
func markdownB14(b *strings.Builder, r *b14result) {
	fmt.Fprintf(b, "\n## B14 — B1, B2 and B3 on PostgreSQL\n\n")
	b.WriteString(stamp("B14"))
	if r == nil || r.skipped != "" {
		why := "not run"
		if r != nil {
			why = r.skipped
		}
		fmt.Fprintf(b, "Not measured: %s. (`.ci/run` installs PostgreSQL; so does `apt-get install postgresql`.)\n", why)
		return
	}
	fmt.Fprintf(b, "A throwaway cluster (%s) started by the harness in a temporary directory on this machine, with\n", r.version)
	b.WriteString("PostgreSQL's default settings (fsync, synchronous_commit and full_page_writes on; `" + b14Settings + "`),\n")
	b.WriteString("reached over loopback. Entente's Badger store runs in the same rounds for comparison. Cayley's SQL store is\n")
	b.WriteString("loaded as `cayley load` does (its N-Quads reader, its quad writer, batches of 10,000), each store in a\n")
	b.WriteString("fresh database.\n\n")

	fmt.Fprintf(b, "**B1, loading Movies** into an empty store: %d interleaved rounds (Badger, Entente PostgreSQL, Cayley\n", r.rounds)
	b.WriteString("PostgreSQL, then again), each load a fresh process. *Load s* is timed inside the process, from opening the\n")
	b.WriteString("store (with `init`'s schema, on PostgreSQL) to the end of the load; *process s* is the process from start to\n")
	b.WriteString("exit (closing, and counting the store's quads and nodes for the record, included). Stored: the store's\n")
	b.WriteString("directory, or `pg_database_size` of its database.\n\n")
	b.WriteString("| store | load s (median) | process s (median) | runs, load s | quads/s | peak RSS MB | stored MB | time over Entente on PostgreSQL |\n|---|---:|---:|---|---:|---:|---:|---:|\n")
	type loadRow struct {
		secs, wall, rss, disk []float64
		errs                  []string
	}
	rows := map[string]*loadRow{}
	for _, s := range b14Systems {
		x := &loadRow{}
		rows[s] = x
		for _, m := range r.loads[s] {
			if m.err != nil {
				x.errs = append(x.errs, m.err.Error())
				continue
			}
			x.secs = append(x.secs, m.seconds)
			x.wall = append(x.wall, m.wall.Seconds())
			x.rss = append(x.rss, m.rssMB)
			x.disk = append(x.disk, m.diskMB)
		}
	}
	pgMed := median(rows["entente-pg"].secs)
	for _, s := range b14Systems {
		x := rows[s]
		if len(x.secs) == 0 {
			fmt.Fprintf(b, "| %s | failed: %s | | | | | | |\n", b14Names[s], strings.Join(x.errs, "; "))
			continue
		}
		med := median(x.secs)
		var runs []string
		for _, v := range x.secs {
			runs = append(runs, fmt.Sprintf("%.2f", v))
		}
		ratio := "—"
		if s != "entente-pg" && pgMed > 0 {
			ratio = fmt.Sprintf("%.2f×", med/pgMed)
		}
		fmt.Fprintf(b, "| %s | %.2f | %.2f | %s | %s | %.0f | %.0f | %s |\n", b14Names[s], med, median(x.wall), strings.Join(runs, ", "),
			thousands(471705/med), median(x.rss), median(x.disk), ratio)
	}

	fmt.Fprintf(b, "\n**B2, Cayley's Gizmo integration queries** (bench/queries.go, Cayley's graphtest) run by Cayley's Gizmo on\n")
	fmt.Fprintf(b, "each store loaded above, checked against the expected count, then timed as in B2. Each run is cut off after\n")
	fmt.Fprintf(b, "%v; on PostgreSQL a Gizmo query is Cayley's SQL store's: its optimizer turns the iterator tree into SQL.\n", r.timeout)
	b.WriteString("Median ms.\n\n")
	b.WriteString("| query |")
	sep := "|---|"
	for _, s := range b14Systems {
		fmt.Fprintf(b, " %s ms |", b14Names[s])
		sep += "---:|"
	}
	b.WriteString("\n" + sep + "\n")
	total := map[string]float64{}
	cut := map[string]int{}
	for qi, q := range bench.GizmoQueries {
		fmt.Fprintf(b, "| %s |", q.Name)
		for _, s := range b14Systems {
			v, e := gizmoCell(r.gizmo[s], qi)
			switch {
			case e != "":
				fmt.Fprintf(b, " %s |", e)
				cut[s]++
			default:
				fmt.Fprintf(b, " %s |", ms(v))
				total[s] += v
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("| **total of those answered** |")
	for _, s := range b14Systems {
		note := ""
		if cut[s] > 0 {
			note = fmt.Sprintf(" (%d not)", cut[s])
		}
		fmt.Fprintf(b, " **%s**%s |", ms(total[s]), note)
	}
	b.WriteString("\n")
	for _, s := range b14Systems {
		if m, ok := r.gizmo[s]; ok && m.err != nil && m.out == nil {
			fmt.Fprintf(b, "\n%s failed: %v\n", b14Names[s], m.err)
		}
	}

	b.WriteString("\n**B3, `path \"A\" to \"B\"`** between B3's 20 actor pairs on Entente's two stores. Warm: one process asks each\n")
	b.WriteString("pair five times (every link, then co-star only), after a first query that reads the link index the load\n")
	b.WriteString("into an empty store kept: beside the store on Badger, in the database with its numbering of the nodes on\n")
	b.WriteString("PostgreSQL (docs/scale.md). Cold: a fresh\n")
	fmt.Fprintf(b, "process per pair, the two stores alternating, reading what is kept; then the first %d pairs again with\n", rebuiltPairs)
	b.WriteString("nothing kept (the index files, or the rows of `entente_cache`, removed before each run), so that each\n")
	b.WriteString("process builds the index from the store, and keeps it again.\n\n")
	b.WriteString("| figure | Entente, Badger | Entente, PostgreSQL |\n|---|---:|---:|\n")
	type stats struct {
		first          float64
		all, co        []float64
		cold, wall     []float64
		rbWall, rbRSS  []float64 // nothing kept
		rbFails        int
		rss            []float64
		answers        []string
		warmErr, fails string
	}
	st := map[string]*stats{}
	for _, s := range []string{"entente", "entente-pg"} {
		x := &stats{}
		st[s] = x
		w := r.warm[s]
		if w.err != nil {
			x.warmErr = w.err.Error()
		}
		x.first, _ = w.out["first_ms"].(float64)
		pairs, _ := w.out["pairs"].([]interface{})
		for _, p := range pairs {
			pm, _ := p.(map[string]interface{})
			x.all = append(x.all, floats(pm["times_ms"])...)
			x.co = append(x.co, floats(pm["costar_times_ms"])...)
			x.answers = append(x.answers, fmt.Sprint(pm["length"], "/", pm["paths"], "/", pm["costar_length"]))
		}
		n := 0
		for _, m := range r.cold[s] {
			if m.err != nil {
				n++
				continue
			}
			if c, ok := m.out["cold_ms"].(float64); ok {
				x.cold = append(x.cold, c)
			}
			x.wall = append(x.wall, float64(m.wall.Milliseconds()))
			x.rss = append(x.rss, m.rssMB)
		}
		if n > 0 {
			x.fails = fmt.Sprintf("%d of %d failed", n, len(r.cold[s]))
		}
		for _, m := range r.rebuilt[s] {
			if m.err != nil {
				x.rbFails++
				continue
			}
			x.rbWall = append(x.rbWall, float64(m.wall.Milliseconds()))
			x.rbRSS = append(x.rbRSS, m.rssMB)
		}
	}
	a, p := st["entente"], st["entente-pg"]
	row := func(name string, f func(*stats) string) {
		fmt.Fprintf(b, "| %s | %s | %s |\n", name, f(a), f(p))
	}
	if a.warmErr != "" || p.warmErr != "" {
		row("warm run", func(x *stats) string {
			if x.warmErr != "" {
				return "failed: " + x.warmErr
			}
			return "ok"
		})
	}
	row("first query (link index) ms", func(x *stats) string { return ms(x.first) })
	row("warm, every link: p50 / p95 ms (5 runs of each pair)", func(x *stats) string {
		return ms(median(x.all)) + " / " + ms(pct(x.all, 95))
	})
	row("warm, co-star only: p50 / p95 ms", func(x *stats) string { return ms(median(x.co)) + " / " + ms(pct(x.co, 95)) })
	row("cold, in-process start to answer: p50 / p95 ms", func(x *stats) string {
		return fmt.Sprintf("%.0f / %.0f", median(x.cold), pct(x.cold, 95))
	})
	row("cold, whole process: p50 / min–max ms", func(x *stats) string {
		return fmt.Sprintf("%.0f / %.0f–%.0f", median(x.wall), pct(x.wall, 0), pct(x.wall, 100))
	})
	row("cold, peak RSS MB (p50)", func(x *stats) string { return fmt.Sprintf("%.0f", median(x.rss)) })
	if a.fails != "" || p.fails != "" {
		row("cold runs failed", func(x *stats) string { return x.fails })
	}
	row(fmt.Sprintf("cold with nothing kept, whole process: p50 / min–max ms (%d pairs)", rebuiltPairs), func(x *stats) string {
		if len(x.rbWall) == 0 {
			return "—"
		}
		return fmt.Sprintf("%.0f / %.0f–%.0f", median(x.rbWall), pct(x.rbWall, 0), pct(x.rbWall, 100))
	})
	row("cold with nothing kept, peak RSS MB (p50)", func(x *stats) string {
		if len(x.rbRSS) == 0 {
			return "—"
		}
		return fmt.Sprintf("%.0f", median(x.rbRSS))
	})
	if a.rbFails > 0 || p.rbFails > 0 {
		row("cold runs with nothing kept that failed", func(x *stats) string { return fmt.Sprint(x.rbFails) })
	}
	same := "yes"
	if strings.Join(a.answers, ",") != strings.Join(p.answers, ",") || len(a.answers) == 0 {
		same = "**no**"
	}
	fmt.Fprintf(b, "\nThe same answers on both stores (hops, number of shortest paths, co-star hops for every pair): %s.\n", same)
}

// gizmoCell is one query's median from a B2 run, or why there is none.
func gizmoCell(m measure, i int) (float64, string) {
	if m.out == nil {
		if m.err != nil {
			return 0, "failed"
		}
		return 0, "—"
	}
	qs, _ := m.out["queries"].([]interface{})
	if i >= len(qs) {
		return 0, "—"
	}
	q, _ := qs[i].(map[string]interface{})
	if e, _ := q["error"].(string); e != "" {
		return 0, e
	}
	v, _ := q["median_ms"].(float64)
	return v, ""
}
