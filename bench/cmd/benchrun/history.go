//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/entente-kg/entente/bench"
)

// B8 measures the living graph (issue 11) on copies of the Movies store:
// retractions one transaction each and many in one, the store's growth,
// a path asked of the present and as of the first transaction (warm, in
// one process, and cold, each a whole process of the entente binary),
// and history of an entity the changes touched.

// b8Heading starts B8's section.
const b8Heading = "## B8 "

type b8run struct {
	worker             measure
	diskBefore, diskMB float64
}

type b8result struct {
	changes int
	runs    []b8run
	// Whole processes of the entente binary on the changed copy of the
	// first run, interleaved: the present and as of tx:1.
	coldPresent, coldAsOf []float64 // ms
	coldErr               string
	seedAsOf              []float64 // ms: why Japan India as of tx:1 on a changed seed store
}

func runB8(movies string, changes, runs, rounds int) *b8result {
	bin, seed := seedStore()
	r := &b8result{changes: changes}
	var first string
	for i := 0; i < runs; i++ {
		dir := filepath.Join(tmp, fmt.Sprintf("b8-movies-%d", i))
		os.RemoveAll(dir)
		if err := copyDir(movies, dir); err != nil {
			fatal(err)
		}
		run := b8run{diskBefore: diskMB(dir)}
		run.worker = runWorker("-task", "history", "-db", dir, "-changes", fmt.Sprint(changes), "-reps", "5")
		run.diskMB = diskMB(dir)
		progress("B8 run %d: %v", i+1, errText(run.worker.err))
		r.runs = append(r.runs, run)
		if i == 0 {
			first = dir
		}
	}
	// Cold, whole processes: present, then as of tx:1, interleaved.
	p := bench.PathQuery(bench.Pairs[0])
	for i := 0; i < rounds; i++ {
		for _, q := range []string{p, p + " as of tx:1"} {
			t := time.Now()
			out, err := exec.Command(bin, "--db", first, "--read-only", "query", q).CombinedOutput()
			ms := float64(time.Since(t).Microseconds()) / 1000
			if err != nil {
				r.coldErr = fmt.Sprintf("%s: %v: %s", q, err, firstLine(string(out)))
				continue
			}
			if strings.HasSuffix(q, "tx:1") {
				r.coldAsOf = append(r.coldAsOf, ms)
			} else {
				r.coldPresent = append(r.coldPresent, ms)
			}
		}
	}
	// The seed graph: a retraction, then why … as of tx:1 in fresh processes.
	sdir := filepath.Join(tmp, "b8-seed")
	os.RemoveAll(sdir)
	if err := copyDir(seed, sdir); err != nil {
		fatal(err)
	}
	if out, err := exec.Command(bin, "--db", sdir, "retract", "--reason", "B8", "Japan", "supports", "India").CombinedOutput(); err != nil {
		fatal(fmt.Errorf("B8 seed retract: %v: %s", err, out))
	}
	for i := 0; i < rounds; i++ {
		t := time.Now()
		if out, err := exec.Command(bin, "--db", sdir, "--read-only", "query", "why Japan India as of tx:1").CombinedOutput(); err != nil {
			r.coldErr = fmt.Sprintf("seed as of: %v: %s", err, firstLine(string(out)))
			continue
		}
		r.seedAsOf = append(r.seedAsOf, float64(time.Since(t).Microseconds())/1000)
	}
	return r
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// markdownB8 writes B8's section.
func markdownB8(b *strings.Builder, r *b8result) {
	fmt.Fprintf(b, "\n## B8 — the living graph: retractions, store growth, paths as of a past transaction\n\n")
	b.WriteString(stamp("B8"))
	b.WriteString(machine())
	b.WriteString("\n")
	fmt.Fprintf(b, "Each run takes a fresh copy of a store holding Movies (loaded by the bulk path: its first, implicit transaction) and,\n")
	fmt.Fprintf(b, "in one process through the Go API (`graph.DB.Update` with a transaction's author and message), retracts %s\n", thousands(float64(r.changes)))
	fmt.Fprintf(b, "`/film/film/directed_by` relations one transaction each, then %s more in one transaction; then asks\n", thousands(float64(r.changes)))
	b.WriteString("`path \"Kevin Bacon\" to \"Humphrey Bogart\"` of the present and `as of tx:1` (the first as-of question builds an\n")
	b.WriteString("in-memory view of the store as it was and its link index; the next reuse it), and `history` of a director whose\n")
	b.WriteString("relation was retracted. Writes are Badger transactions with `SyncWrites` off (Badger's default): a commit\n")
	b.WriteString("survives the process being killed, not the machine losing power.\n\n")
	b.WriteString("| run | measure | p50 ms | p95 ms | rows | note |\n|---|---|---:|---:|---:|---|\n")
	for i, run := range r.runs {
		if run.worker.err != nil {
			fmt.Fprintf(b, "| %d | error | | | | %s |\n", i+1, oneLineText(run.worker.err.Error()))
			continue
		}
		qs, _ := run.worker.out["queries"].([]interface{})
		for _, x := range qs {
			q, _ := x.(map[string]interface{})
			name, _ := q["name"].(string)
			p50, _ := q["median_ms"].(float64)
			p95, _ := q["p95_ms"].(float64)
			note, _ := q["note"].(string)
			rows := fmt.Sprint(q["results"])
			if name == "transactions in the log" {
				fmt.Fprintf(b, "| %d | %s | | | %s | |\n", i+1, name, rows)
				continue
			}
			fmt.Fprintf(b, "| %d | `%s` | %s | %s | %s | %s |\n", i+1, name, ms(p50), ms(p95), rows, note)
		}
		fmt.Fprintf(b, "| %d | store on disk | | | | %.0f MB before, %.0f MB after (the history: 33 bytes a change and a record a transaction, plus Badger's logs) |\n",
			i+1, run.diskBefore, run.diskMB)
	}
	b.WriteString("\nWhole processes of the `entente` binary (start to exit), interleaved, on the first run's store after its changes:\n\n")
	b.WriteString("| command | runs | p50 ms | min–max ms |\n|---|---:|---:|---|\n")
	p := bench.PathQuery(bench.Pairs[0])
	for _, row := range []struct {
		cmd string
		xs  []float64
	}{
		{"entente --read-only query '" + p + "'", r.coldPresent},
		{"entente --read-only query '" + p + " as of tx:1'", r.coldAsOf},
		{"entente --read-only query 'why Japan India as of tx:1' (the seed graph, after a retraction)", r.seedAsOf},
	} {
		lo, hi := minMax(row.xs)
		fmt.Fprintf(b, "| `%s` | %d | %s | %s–%s |\n", row.cmd, len(row.xs), ms(median(row.xs)), ms(lo), ms(hi))
	}
	if r.coldErr != "" {
		fmt.Fprintf(b, "\nError: %s\n", oneLineText(r.coldErr))
	}
}

func minMax(xs []float64) (lo, hi float64) {
	for i, x := range xs {
		if i == 0 || x < lo {
			lo = x
		}
		if i == 0 || x > hi {
			hi = x
		}
	}
	return lo, hi
}
