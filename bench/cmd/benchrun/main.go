//go:build unix

// Command benchrun runs Entente's benchmarks (bench/README.md) side by
// side with Cayley's own backends, each measurement in its own process,
// and writes the figures to bench/RESULTS.md.
//
//	go run ./bench/cmd/benchrun [-out bench/RESULTS.md] [-runs 3] [-only B1,B2]
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/entente-kg/entente/bench"
	"github.com/entente-kg/entente/internal/cayleydata"
)

type measure struct {
	out     map[string]interface{}
	raw     []byte
	wall    time.Duration
	rssMB   float64
	diskMB  float64
	seconds float64
	err     error
}

var (
	worker string
	tmp    string
)

func main() {
	out := flag.String("out", "bench/RESULTS.md", "where to write the results")
	runs := flag.Int("runs", 3, "runs of each load (the median is reported)")
	only := flag.String("only", "", "comma-separated benchmarks to run (B1,B2,B3,B4,B5,B6,B7,B8,B9,B10,B13,B14,B15; B3, B5, B7–B10 and B13–B15 alone rewrite only their sections); default all")
	b13Rounds := flag.Int("b13-rounds", 11, "B13: interleaved rounds of the whole-process figures")
	b8Changes := flag.Int("b8-changes", 1000, "B8: relations retracted one a transaction, and as many in one")
	b15Rounds := flag.Int("b15-rounds", 3, "B15: interleaved rounds of the loads against their floors")
	b14Rounds := flag.Int("b14-rounds", 3, "B14: interleaved rounds of the loads on PostgreSQL")
	b14Timeout := flag.Duration("b14-timeout", 30*time.Second, "B14: Gizmo queries on PostgreSQL are cut off after this long")
	b9Clients := flag.Int("b9-clients", 50, "B9: concurrent clients of the explorer's API")
	b9Time := flag.Duration("b9-time", 30*time.Second, "B9: how long the clients run")
	b4Sizes := flag.String("b4-sizes", "100000,1000000,10000000", "B4: synthetic graph sizes in quads")
	b4Peers := flag.String("b4-peers", "leveldb", "B4: Cayley backends to load the synthetic graphs up to 10^6 quads")
	systems := flag.String("systems", strings.Join(bench.Systems, ","), "systems to compare")
	data := flag.String("data", "", "N-Quads data set (default: Cayley's 30k-movie data in the module cache)")
	minTime := flag.Duration("min-time", time.Second, "B2: time each query at least this long")
	flag.Parse()

	if *data == "" {
		p, err := cayleydata.Movies()
		if err != nil {
			fatal(err)
		}
		*data = p
	}
	var err error
	tmp, err = os.MkdirTemp("", "entente-bench")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(tmp)
	worker = filepath.Join(tmp, "benchworker")
	build(worker, "./bench/cmd/benchworker")

	want := func(b string) bool {
		return *only == "" || strings.Contains(","+*only+",", ","+b+",")
	}
	sys := strings.Split(*systems, ",")
	r := &report{systems: sys, started: time.Now()}
	loaded := map[string]string{} // system -> a directory holding the data
	if want("B1") || want("B2") || want("B6") {
		r.b1 = map[string][]measure{}
		for _, s := range sys {
			n := *runs
			if !want("B1") {
				n = 1
			}
			for i := 0; i < n; i++ {
				dir := filepath.Join(tmp, fmt.Sprintf("%s-%d", s, i))
				m := runWorker("-system", s, "-task", "load", "-db", dir, "-data", *data)
				if bench.Persistent(s) {
					m.diskMB = diskMB(dir)
				}
				progress("B1 load %-8s run %d: %.2f s, %.0f MB RSS %v", s, i+1, m.seconds, m.rssMB, errText(m.err))
				r.b1[s] = append(r.b1[s], m)
				if m.err == nil {
					loaded[s] = dir
				}
			}
		}
	}
	if want("B2") {
		r.b2 = map[string]measure{}
		for _, s := range sys {
			dir := loaded[s]
			if dir == "" && bench.Persistent(s) {
				continue
			}
			m := runWorker("-system", s, "-task", "gizmo", "-db", dir, "-data", *data, "-min-time", minTime.String())
			progress("B2 gizmo %-8s: %.1f s %v", s, m.seconds, errText(m.err))
			r.b2[s] = m
		}
	}
	if want("B6") {
		r.b6 = map[string]measure{}
		for _, s := range sys {
			dir := loaded[s]
			if dir == "" && bench.Persistent(s) {
				continue
			}
			m := runWorker("-system", s, "-task", "reload", "-db", dir, "-data", *data)
			progress("B6 reload %-8s: %.2f s %v", s, m.seconds, errText(m.err))
			r.b6[s] = m
		}
	}
	if want("B3") {
		dir := moviesStore(loaded, *data)
		r.b3warm = runWorker("-system", "entente", "-task", "paths", "-db", dir, "-reps", "5")
		progress("B3 warm: %.1f s %v", r.b3warm.seconds, errText(r.b3warm.err))
		for i := range bench.Pairs {
			m := runWorker("-system", "entente", "-task", "path-cold", "-db", dir, "-pair", fmt.Sprint(i))
			r.b3cold = append(r.b3cold, m)
		}
		progress("B3 cold: %d runs", len(r.b3cold))
	}
	if want("B4") {
		for _, f := range strings.Split(*b4Sizes, ",") {
			var n int
			if _, err := fmt.Sscan(f, &n); err != nil || n <= 0 {
				fatal(fmt.Errorf("-b4-sizes: bad size %q", f))
			}
			r.b4 = append(r.b4, synthetic(n, strings.Split(*b4Peers, ",")))
		}
	}
	if want("B5") {
		r.b5 = replStart(20)
		progress("B5: %d runs", len(r.b5))
	}
	if want("B7") {
		r.b7rounds = max(*runs, 5)
		r.b7 = runB7(moviesStore(loaded, *data), r.b7rounds)
	}
	if want("B9") {
		r.b9 = runB9(moviesStore(loaded, *data), *b9Clients, *b9Time)
		progress("B9: %d clients for %v %v", *b9Clients, *b9Time, errText(r.b9.err))
	}
	if want("B8") {
		r.b8 = runB8(moviesStore(loaded, *data), *b8Changes, 3, max(*runs, 5))
	}
	if want("B10") {
		r.b10 = runB10(moviesStore(loaded, *data))
	}
	if want("B13") {
		r.b13 = runB13(moviesStore(loaded, *data), *b13Rounds)
	}
	if want("B14") {
		r.b14 = runB14(*data, *b14Rounds, *b14Timeout)
	}
	if want("B15") {
		r.b15 = runB15(*data, *b15Rounds)
	}
	// The sections that can be measured alone: when -only names only
	// those, each replaces its own section of the file and the others'
	// figures stay as they were.
	spliced := []struct {
		id, heading string
		write       func(*strings.Builder)
	}{
		{"B3", b3Heading, func(b *strings.Builder) { r.markdownB3(b) }},
		{"B5", b5Heading, func(b *strings.Builder) { r.markdownB5(b) }},
		{"B7", b7Heading, func(b *strings.Builder) { markdownB7(b, r.b7, r.b7rounds) }},
		{"B8", b8Heading, func(b *strings.Builder) { markdownB8(b, r.b8) }},
		{"B9", b9Heading, func(b *strings.Builder) { markdownB9(b, r.b9) }},
		{"B10", b10Heading, func(b *strings.Builder) { markdownB10(b, r.b10) }},
		{"B13", b13Heading, func(b *strings.Builder) { markdownB13(b, r.b13) }},
		{"B14", b14Heading, func(b *strings.Builder) { markdownB14(b, r.b14) }},
		{"B15", b15Heading, func(b *strings.Builder) { markdownB15(b, r.b15) }},
	}
	if *only != "" {
		alone := true
		for _, id := range strings.Split(*only, ",") {
			found := false
			for _, sec := range spliced {
				found = found || sec.id == id
			}
			alone = alone && found
		}
		if alone {
			for _, sec := range spliced {
				if !want(sec.id) {
					continue
				}
				var b strings.Builder
				sec.write(&b)
				if err := spliceSection(*out, sec.heading, b.String()); err != nil {
					fatal(err)
				}
				fmt.Fprintf(os.Stderr, "wrote %s into %s\n", sec.id, *out)
			}
			return
		}
	}
	fullRun = *only == ""
	md := r.markdown(*data, *runs)
	if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
		fatal(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s\n", *out)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return "ERROR: " + err.Error()
}

func progress(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchrun:", err)
	os.Exit(1)
}

// build builds a command as make build does: static, without cgo.
func build(out, pkg string) {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fatal(fmt.Errorf("building %s: %w", pkg, err))
	}
}

// runWorker runs one measurement in its own process and reads its JSON,
// its wall time and its peak resident memory.
func runWorker(args ...string) measure {
	cmd := exec.Command(worker, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	m := measure{wall: time.Since(start), raw: stdout.Bytes()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rssMB = float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	if jerr := json.Unmarshal(stdout.Bytes(), &m.out); jerr != nil && err == nil {
		err = fmt.Errorf("bad output %q: %v", stdout.String(), jerr)
	}
	if e, ok := m.out["error"].(string); ok && e != "" {
		err = fmt.Errorf("%s", e)
	} else if err != nil {
		err = fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	m.err = err
	if s, ok := m.out["seconds"].(float64); ok {
		m.seconds = s
	}
	return m
}

func diskMB(dir string) float64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return float64(n) / (1 << 20)
}

type report struct {
	systems []string
	started time.Time
	b1      map[string][]measure
	b2      map[string]measure
	b3warm  measure
	b3cold  []measure
	b4      []b4size
	b5      []float64 // ms to the first prompt
	b7      []*b7set
	b8      *b8result
	b10     []*b10set
	b9      *b9result
	b13     *b13result
	b14     *b14result
	b15     *b15result
	// b7rounds is how many interleaved rounds B7 ran.
	b7rounds int
	b6       map[string]measure
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func (r *report) markdown(data string, runs int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmark results\n\n")
	fmt.Fprintf(&b, "Written by `make bench` (bench/cmd/benchrun) at commit %s, started %s. Every figure below comes from one run of\n", commit(), r.started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "the harness, all systems side by side, each measurement in its own process. The machine is\n")
	fmt.Fprintf(&b, "shared and noisy: compare ratios and medians, not absolute times from another day.\n\n")
	b.WriteString(machine())
	fmt.Fprintf(&b, "\nData: `%s` (Cayley's 30k-movie data set, 471,705 quads), read from the module cache.\n", filepath.Base(data))
	fmt.Fprintf(&b, "Peers: Cayley's own backends through its library — %s.\n", strings.Join(r.systems[1:], ", "))

	if r.b1 != nil {
		fmt.Fprintf(&b, "\n## B1 — bulk load of Movies into an empty store\n\n")
		fmt.Fprintf(&b, "Median of %d runs, each a fresh process and store. Entente loads with its own loader (the bulk path\n", runs)
		fmt.Fprintf(&b, "into an empty store); Cayley's backends as `cayley load` does (its N-Quads reader, the store's quad writer,\n")
		fmt.Fprintf(&b, "batches of %d). Wall time is the load inside the process; RSS is the process's peak.\n\n", 10000)
		b.WriteString("| system | load s (median) | quads/s | peak RSS MB | disk MB | runs (s) | Entente is faster by |\n|---|---:|---:|---:|---:|---|---:|\n")
		ent := r.loadMedian("entente")
		for _, s := range r.systems {
			ms := r.b1[s]
			var secs, rss, disk []float64
			var errs []string
			for _, m := range ms {
				if m.err != nil {
					errs = append(errs, m.err.Error())
					continue
				}
				secs = append(secs, m.seconds)
				rss = append(rss, m.rssMB)
				disk = append(disk, m.diskMB)
			}
			if len(secs) == 0 {
				fmt.Fprintf(&b, "| %s | failed: %s | | | | | |\n", s, strings.Join(errs, "; "))
				continue
			}
			med := median(secs)
			var runsTxt []string
			for _, x := range secs {
				runsTxt = append(runsTxt, fmt.Sprintf("%.2f", x))
			}
			ratio := "—"
			if s != "entente" && ent > 0 {
				ratio = fmt.Sprintf("%.1f×", med/ent)
			}
			diskTxt := "—"
			if bench.Persistent(s) {
				diskTxt = fmt.Sprintf("%.0f", median(disk))
			}
			fmt.Fprintf(&b, "| %s | %.2f | %s | %.0f | %s | %s | %s |\n", s, med, thousands(471705/med), median(rss), diskTxt, strings.Join(runsTxt, ", "), ratio)
		}
	}
	if r.b2 != nil {
		fmt.Fprintf(&b, "\n## B2 — Cayley's Gizmo integration queries on Movies\n\n")
		b.WriteString("The queries of Cayley's graph/graphtest/integration.go, run by Cayley's Gizmo interpreter on each store,\n")
		b.WriteString("each checked against the expected result count, warmed up once, then timed repeatedly (at least 5 runs\n")
		b.WriteString("unless that takes over 5 s). Median milliseconds; the last columns are the peer's time over Entente's.\n")
		b.WriteString("Warm figures: after the warm-up run Entente's postings cache (docs/store.md) holds the scans the query\n")
		b.WriteString("reads, as memstore and btree hold every quad in memory; bolt and leveldb have their own caches.\n\n")
		head := "| query |"
		sep := "|---|"
		for _, s := range r.systems {
			head += " " + s + " ms |"
			sep += "---:|"
		}
		for _, s := range r.systems[1:] {
			head += " " + s + "/entente |"
			sep += "---:|"
		}
		b.WriteString(head + "\n" + sep + "\n")
		totals := map[string]float64{}
		failed := map[string]bool{}
		for qi, q := range bench.GizmoQueries {
			row := "| " + q.Name + " |"
			vals := map[string]float64{}
			for _, s := range r.systems {
				v, ok := r.queryMedian(s, qi)
				if !ok {
					row += " — |"
					failed[s] = true
					continue
				}
				vals[s] = v
				totals[s] += v
				row += fmt.Sprintf(" %s |", ms(v))
			}
			for _, s := range r.systems[1:] {
				if vals["entente"] > 0 && vals[s] > 0 {
					row += fmt.Sprintf(" %s |", ratioText(vals[s]/vals["entente"]))
				} else {
					row += " — |"
				}
			}
			b.WriteString(row + "\n")
		}
		row := "| **total** |"
		for _, s := range r.systems {
			if failed[s] {
				row += " incomplete |"
			} else {
				row += fmt.Sprintf(" **%s** |", ms(totals[s]))
			}
		}
		for _, s := range r.systems[1:] {
			if !failed[s] && !failed["entente"] && totals["entente"] > 0 {
				row += fmt.Sprintf(" **%s** |", ratioText(totals[s]/totals["entente"]))
			} else {
				row += " — |"
			}
		}
		b.WriteString(row + "\n")
		for _, s := range r.systems {
			if m, ok := r.b2[s]; ok && m.err != nil {
				fmt.Fprintf(&b, "\n%s failed: %v\n", s, m.err)
			}
		}
	}
	if r.b3warm.out != nil || r.b3warm.err != nil {
		r.markdownB3(&b)
	}
	if len(r.b4) > 0 {
		r.markdownB4(&b)
	}
	if len(r.b5) > 0 {
		r.markdownB5(&b)
	}
	if r.b6 != nil {
		fmt.Fprintf(&b, "\n## B6 — loading the same file again (idempotent)\n\n")
		b.WriteString("The same Movies file loaded into the store that already holds it. Quads and nodes must not change.\n\n")
		b.WriteString("| system | reload s | quads after | nodes after | unchanged |\n|---|---:|---:|---:|---|\n")
		for _, s := range r.systems {
			m, ok := r.b6[s]
			if !ok {
				continue
			}
			if m.err != nil {
				fmt.Fprintf(&b, "| %s | failed: %v | | | |\n", s, m.err)
				continue
			}
			q, _ := m.out["quads"].(float64)
			n, _ := m.out["nodes"].(float64)
			same := "yes"
			if q != 471705 || n != 293910 {
				same = "**no**"
			}
			fmt.Fprintf(&b, "| %s | %.2f | %s | %s | %s |\n", s, m.seconds, thousands(q), thousands(n), same)
		}
	}
	if len(r.b7) > 0 {
		markdownB7(&b, r.b7, r.b7rounds)
	}
	if r.b8 != nil {
		markdownB8(&b, r.b8)
	}
	if r.b9 != nil {
		markdownB9(&b, r.b9)
	}
	if len(r.b10) > 0 {
		markdownB10(&b, r.b10)
	}
	if r.b13 != nil {
		markdownB13(&b, r.b13)
	}
	if r.b14 != nil {
		markdownB14(&b, r.b14)
	}
	if r.b15 != nil {
		markdownB15(&b, r.b15)
	}
	return b.String()
}

// moviesStore returns a directory holding Entente's store of the movie
// data: one B1 loaded, else a new one.
func moviesStore(loaded map[string]string, data string) string {
	if dir := loaded["entente"]; dir != "" {
		return dir
	}
	dir := filepath.Join(tmp, "entente-movies")
	if _, err := os.Stat(dir); err == nil {
		return dir
	}
	if m := runWorker("-system", "entente", "-task", "load", "-db", dir, "-data", data); m.err != nil {
		fatal(m.err)
	}
	loaded["entente"] = dir
	return dir
}

func (r *report) loadMedian(s string) float64 {
	var xs []float64
	for _, m := range r.b1[s] {
		if m.err == nil {
			xs = append(xs, m.seconds)
		}
	}
	return median(xs)
}

func (r *report) queryMedian(s string, i int) (float64, bool) {
	m, ok := r.b2[s]
	if !ok || m.err != nil {
		return 0, false
	}
	qs, _ := m.out["queries"].([]interface{})
	if i >= len(qs) {
		return 0, false
	}
	q, _ := qs[i].(map[string]interface{})
	if e, _ := q["error"].(string); e != "" {
		return 0, false
	}
	v, ok := q["median_ms"].(float64)
	return v, ok
}

func ms(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func ratioText(x float64) string {
	if x >= 10 {
		return fmt.Sprintf("%.0f×", x)
	}
	return fmt.Sprintf("%.1f×", x)
}

func thousands(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// machine describes the machine, for the record.
func machine() string {
	var b strings.Builder
	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| Go | %s %s/%s |\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	cpu := "unknown"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
				break
			}
		}
	}
	fmt.Fprintf(&b, "| CPU | %s |\n| cores | %d |\n", cpu, runtime.NumCPU())
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "MemTotal:") {
				var kb float64
				fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "MemTotal:")), "%f", &kb)
				fmt.Fprintf(&b, "| memory | %.1f GiB |\n", kb/(1<<20))
			}
		}
	}
	return b.String()
}

func pct(xs []float64, p int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := len(s) * p / 100
	if i >= len(s) {
		i = len(s) - 1
	}
	return s[i]
}

// b3Heading and b5Heading start B3's and B5's sections.
const (
	b3Heading = "## B3 "
	b5Heading = "## B5 "
)

// markdownB5 writes B5's section.
func (r *report) markdownB5(b *strings.Builder) {
	fmt.Fprintf(b, "\n## B5 — shell start to first prompt, seed graph\n\n")
	b.WriteString(stamp("B5"))
	b.WriteString("`entente --db DIR` on a pseudo-terminal, the store already seeded: time from starting the process to\n")
	b.WriteString("the first `entente> ` prompt (open, banner with counts and examples, line editor), each run a fresh process.\n")
	b.WriteString("B13 has the same figure interleaved with a Go hello-world's start.\n\n")
	fmt.Fprintf(b, "| runs | p50 ms | p95 ms | min ms |\n|---:|---:|---:|---:|\n| %d | %.0f | %.0f | %.0f |\n", len(r.b5), median(r.b5), pct(r.b5, 95), pct(r.b5, 0))
}

func (r *report) markdownB3(b *strings.Builder) {
	fmt.Fprintf(b, "\n## B3 — shortest paths between 20 actor pairs on Movies\n\n")
	b.WriteString(stamp("B3"))
	if r.b3warm.err != nil {
		fmt.Fprintf(b, "failed: %v\n", r.b3warm.err)
		return
	}
	b.WriteString("Entente on its Badger store. **Warm**: one process answers each pair's `path \"A\" to \"B\"` (every\n")
	b.WriteString("shortest path over every link: performances, films, directors) five times, after a first query that\n")
	b.WriteString("builds the in-memory link index. **Co-star**: the same restricted to acting (`via actor, starring`), and\n")
	b.WriteString("**Gizmo**: the cheapest Gizmo traversal that finds that co-star connection on the same store — Gizmo has\n")
	b.WriteString("no path search, so it expands the co-star morphism (`FollowRecursive`) as many times as the path is\n")
	b.WriteString("long and checks the other actor is reached (one run, after EQL has warmed the store). **Cold**: a fresh\n")
	b.WriteString("process per pair: open the store, read the link index it keeps (written by the warm process, which built\n")
	b.WriteString("it: docs/store.md), answer. B13 times such a process whole, beside one that rebuilds the index.\n\n")
	pairs, _ := r.b3warm.out["pairs"].([]interface{})
	var all, co []float64
	b.WriteString("| pair | hops | paths | warm p50 ms | co-star hops | co-star p50 ms | Gizmo ms | Gizmo / co-star |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range pairs {
		p := x.(map[string]interface{})
		ts := floats(p["times_ms"])
		cs := floats(p["costar_times_ms"])
		all = append(all, ts...)
		co = append(co, cs...)
		gz, _ := p["gizmo_ms"].(float64)
		gzTxt := fmt.Sprintf("%.0f", gz)
		ratio := "—"
		if e, _ := p["gizmo_error"].(string); e != "" {
			gzTxt = "failed: " + e
		} else if median(cs) > 0 {
			ratio = ratioText(gz / median(cs))
		}
		fmt.Fprintf(b, "| %s – %s | %v | %v | %s | %v | %s | %s | %s |\n", p["A"], p["B"], p["length"], p["paths"], ms(median(ts)), p["costar_length"], ms(median(cs)), gzTxt, ratio)
	}
	first, _ := r.b3warm.out["first_ms"].(float64)
	var cold, wall, rss []float64
	for _, m := range r.b3cold {
		if m.err != nil {
			continue
		}
		if c, ok := m.out["cold_ms"].(float64); ok {
			cold = append(cold, c)
		}
		wall = append(wall, float64(m.wall.Milliseconds()))
		rss = append(rss, m.rssMB)
	}
	b.WriteString("\n| figure | p50 | p95 |\n|---|---:|---:|\n")
	fmt.Fprintf(b, "| warm, every link (%d queries) | %s ms | %s ms |\n", len(all), ms(median(all)), ms(pct(all, 95)))
	fmt.Fprintf(b, "| warm, co-star only (%d queries) | %s ms | %s ms |\n", len(co), ms(median(co)), ms(pct(co, 95)))
	fmt.Fprintf(b, "| cold: process start to answer, in-process (%d runs) | %.0f ms | %.0f ms |\n", len(cold), median(cold), pct(cold, 95))
	fmt.Fprintf(b, "| cold: process wall time, from the harness | %.0f ms | %.0f ms |\n", median(wall), pct(wall, 95))
	fmt.Fprintf(b, "| cold: peak RSS | %.0f MB | %.0f MB |\n", median(rss), pct(rss, 95))
	fmt.Fprintf(b, "\nThe first query of the warm process, which builds the link index (or reads it where the store keeps one), took %s ms.\n", ms(first))
}

func floats(v interface{}) []float64 {
	xs, _ := v.([]interface{})
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if f, ok := x.(float64); ok {
			out = append(out, f)
		}
	}
	return out
}

// b4size is B4 at one size: the loads and Entente's path latency.
type b4size struct {
	quads   int
	loads   map[string]measure // system -> load
	paths   measure
	skipped string // why the size was not measured
}

// b4DiskPerQuad is what a size of B4 needs free on disk, per quad: the
// room the bulk path asks for its tables once its sorted runs (64 bytes a
// quad) are written (320 bytes a quad; the store takes about 170), and the
// gzip file.
const b4DiskPerQuad = 340

// synthetic runs B4 at one size: it writes the synthetic graph, loads it
// into Entente and the peers (up to 10^6 quads), and asks Entente for
// the 20 pairs' paths.
func synthetic(quads int, peers []string) b4size {
	res := b4size{quads: quads, loads: map[string]measure{}}
	var st syscall.Statfs_t
	if err := syscall.Statfs(tmp, &st); err == nil {
		free, need := int64(st.Bavail)*int64(st.Bsize), int64(quads)*b4DiskPerQuad
		if free < need {
			res.skipped = fmt.Sprintf("skipped: it needs about %d GB free in %s, which has %d GB", need>>30, os.TempDir(), free>>30)
			progress("B4 %d: %s", quads, res.skipped)
			return res
		}
	}
	file := filepath.Join(tmp, fmt.Sprintf("synthetic-%d.nq.gz", quads))
	if err := writeSynthetic(file, quads); err != nil {
		fatal(err)
	}
	defer os.Remove(file)
	systems := []string{"entente"}
	if quads <= 1_000_000 {
		systems = append(systems, peers...)
	}
	for _, s := range systems {
		dir := filepath.Join(tmp, fmt.Sprintf("b4-%s-%d", s, quads))
		m := runWorker("-system", s, "-task", "load", "-db", dir, "-data", file)
		if bench.Persistent(s) {
			m.diskMB = diskMB(dir)
		}
		progress("B4 %d load %-8s: %.2f s, %.0f MB RSS %v", quads, s, m.seconds, m.rssMB, errText(m.err))
		res.loads[s] = m
		if s == "entente" && m.err == nil {
			res.paths = runWorker("-system", "entente", "-task", "synthetic-paths", "-db", dir, "-quads", fmt.Sprint(quads), "-reps", "5")
			progress("B4 %d paths: first %.0f ms %v", quads, res.paths.out["first_ms"], errText(res.paths.err))
		}
		if s != "entente" || quads > 1_000_000 {
			os.RemoveAll(dir)
		}
	}
	return res
}

func writeSynthetic(path string, quads int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if err := bench.WriteSynthetic(zw, quads); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// markdownB4Goal writes issue 14's goal 5 for Entente's loads: the cost
// per quad at each size against 10^6's, and the peak RSS.
func (r *report) markdownB4Goal(b *strings.Builder) {
	perQuad := map[int]float64{}
	for _, z := range r.b4 {
		if m, ok := z.loads["entente"]; ok && m.err == nil {
			if q, _ := m.out["quads"].(float64); q > 0 {
				perQuad[z.quads] = m.seconds / q
			}
		}
	}
	base, ok := perQuad[1_000_000]
	if !ok {
		return
	}
	b.WriteString("\nIssue 14's goal 5 for Entente (flat: the cost per quad within 1.3× of 10^6's; peak RSS at most 1,500 MB at any size):\n\n")
	b.WriteString("| quads | µs per quad over 10^6's | peak RSS MB |\n|---:|---:|---:|\n")
	for _, z := range r.b4 {
		if z.skipped != "" {
			fmt.Fprintf(b, "| %s | %s | |\n", thousands(float64(z.quads)), z.skipped)
			continue
		}
		pq, ok := perQuad[z.quads]
		if !ok {
			continue
		}
		fmt.Fprintf(b, "| %s | %.2f× | %.0f |\n", thousands(float64(z.quads)), pq/base, z.loads["entente"].rssMB)
	}
	b.WriteString("\n")
	if _, ok := perQuad[100_000_000]; !ok {
		b.WriteString("10^8 quads is not among `make bench`'s sizes and was not measured in this run: it needs about 34 GB of disk\n")
		b.WriteString("(`go run ./bench/cmd/benchrun -only B4 -b4-sizes 1000000,100000000` measures it, or says why it skipped). ")
	}
	b.WriteString("Past\n24,117,248 distinct values (about 1.2×10^8 of these quads) the bulk path streams the rest in parts of 4,194,304\n")
	b.WriteString("quads into the store it wrote, each costing several times the bulk path's per quad, so the cost is not flat\n")
	b.WriteString("there (docs/store.md). The peak RSS is the process's own memory and the file pages it has mapped; at 10^8 it\n")
	b.WriteString("comes as the load finishes reading, the last chunk sorted into runs beside the dictionary; the link index the load keeps (1.2 GB\n")
	b.WriteString("at 10^8) is built straight into its file, not held (docs/store.md).\n")
}

func (r *report) markdownB4(b *strings.Builder) {
	fmt.Fprintf(b, "\n## B4 — synthetic graphs at growing size\n\n")
	fmt.Fprintf(b, "Generated by `bench.WriteSynthetic` (deterministic): entities of four types, each with a name and\n")
	fmt.Fprintf(b, "%d outgoing links of six kinds whose targets favour low numbers, so a few hubs gather many links; %d\n", bench.SyntheticLinks, bench.SyntheticQualified)
	b.WriteString("links of each entity are statements with a status qualifier, as in the seed graph. Each load is a\n")
	b.WriteString("fresh process into an empty store from a gzip N-Quads file; Cayley's backends are loaded up to 10^6\n")
	b.WriteString("quads. Paths: `path \"Entity a\" to \"Entity b\"` for 20 fixed random pairs, five times each, in one\n")
	b.WriteString("process after a first query that builds the link index.\n\n")
	b.WriteString("| quads in file | system | load s | quads/s | µs per quad | peak RSS MB | disk MB |\n|---:|---|---:|---:|---:|---:|---:|\n")
	for _, z := range r.b4 {
		if z.skipped != "" {
			fmt.Fprintf(b, "| %s | entente | %s | | | | |\n", thousands(float64(z.quads)), z.skipped)
			continue
		}
		for _, s := range bench.Systems {
			m, ok := z.loads[s]
			if !ok {
				continue
			}
			if m.err != nil {
				fmt.Fprintf(b, "| %s | %s | failed: %v | | | | |\n", thousands(float64(z.quads)), s, m.err)
				continue
			}
			q, _ := m.out["quads"].(float64)
			fmt.Fprintf(b, "| %s | %s | %.2f | %s | %.2f | %.0f | %.0f |\n", thousands(float64(z.quads)), s, m.seconds, thousands(q/m.seconds), m.seconds*1e6/q, m.rssMB, m.diskMB)
		}
	}
	r.markdownB4Goal(b)
	b.WriteString("\n| quads | entities | first query ms (builds index) | path p50 ms | path p95 ms | median hops | process peak RSS MB |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, z := range r.b4 {
		if z.paths.err != nil {
			fmt.Fprintf(b, "| %s | | failed: %v | | | | |\n", thousands(float64(z.quads)), z.paths.err)
			continue
		}
		if z.paths.out == nil {
			continue
		}
		var all, hops []float64
		pairs, _ := z.paths.out["pairs"].([]interface{})
		for _, x := range pairs {
			p := x.(map[string]interface{})
			all = append(all, floats(p["times_ms"])...)
			if l, ok := p["length"].(float64); ok {
				hops = append(hops, l)
			}
		}
		first, _ := z.paths.out["first_ms"].(float64)
		fmt.Fprintf(b, "| %s | %s | %.0f | %s | %s | %.0f | %.0f |\n", thousands(float64(z.quads)), thousands(float64(bench.SyntheticEntities(z.quads))), first, ms(median(all)), ms(pct(all, 95)), median(hops), z.paths.rssMB)
	}
}
