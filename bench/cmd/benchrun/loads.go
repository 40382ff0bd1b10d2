//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// B15 measures issue 14's load goals against their floors, whole
// processes in interleaved rounds: a bulk load of Movies into an empty
// store beside `load --dry-run` of the same file (the parse alone), and
// 10^6 synthetic quads loaded into a store that already holds Movies, by
// Entente and by Cayley on leveldb.

// b15Heading starts B15's section.
const b15Heading = "## B15 "

// b15Quads is the size of the incremental load.
const b15Quads = 1_000_000

type b15Row struct {
	name, cmd string
	walls     []float64 // ms, whole process
	rss       []float64 // MB
	err       string
}

type b15result struct {
	rounds int
	rows   []*b15Row
}

func (r *b15result) row(name string) *b15Row {
	for _, x := range r.rows {
		if x.name == name {
			return x
		}
	}
	return nil
}

func runB15(data string, rounds int) *b15result {
	bin, _ := seedStore()
	synth := filepath.Join(tmp, fmt.Sprintf("b15-synthetic-%d.nq.gz", b15Quads))
	if err := writeSynthetic(synth, b15Quads); err != nil {
		fatal(err)
	}
	defer os.Remove(synth)
	// A store of each system holding Movies, copied fresh for every
	// incremental load (untimed).
	base := map[string]string{}
	for _, s := range []string{"entente", "leveldb"} {
		dir := filepath.Join(tmp, "b15-movies-"+s)
		if m := runWorker("-system", s, "-task", "load", "-db", dir, "-data", data); m.err != nil {
			fatal(fmt.Errorf("B15: loading Movies into %s: %w", s, m.err))
		}
		base[s] = dir
	}
	res := &b15result{rounds: rounds, rows: []*b15Row{
		{name: "bulk", cmd: "`entente --db NEW load movies.nq.gz`: Movies into an empty store"},
		{name: "dry", cmd: "`entente --db MOVIES --read-only load --dry-run movies.nq.gz`: the same file parsed and checked, nothing written"},
		{name: "inc-entente", cmd: fmt.Sprintf("`entente --db MOVIES load synthetic.nq.gz`: %s synthetic quads into a store holding Movies", thousands(b15Quads))},
		{name: "inc-leveldb", cmd: fmt.Sprintf("Cayley on leveldb (as `cayley load`: its reader and quad writer, batches of 10,000; a process of bench/cmd/benchworker that opens, loads, closes): the same %s quads into its store holding Movies", thousands(b15Quads))},
	}}
	for round := range rounds {
		for _, row := range res.rows {
			dir := filepath.Join(tmp, fmt.Sprintf("b15-%s-%d", row.name, round))
			var ms, mb float64
			var err error
			switch row.name {
			case "bulk":
				ms, mb, _, err = wholeProcess([]string{bin, "--db", dir, "load", "--quiet", data})
			case "dry":
				ms, mb, _, err = wholeProcess([]string{bin, "--db", base["entente"], "--read-only", "load", "--dry-run", "--quiet", data})
			case "inc-entente":
				if err = copyDir(base["entente"], dir); err == nil {
					ms, mb, _, err = wholeProcess([]string{bin, "--db", dir, "load", "--quiet", synth})
				}
			case "inc-leveldb":
				if err = copyDir(base["leveldb"], dir); err == nil {
					m := runWorker("-system", "leveldb", "-task", "load", "-db", dir, "-data", synth, "-stats=false")
					ms, mb, err = float64(m.wall.Microseconds())/1000, m.rssMB, m.err
				}
			}
			os.RemoveAll(dir)
			if err != nil {
				row.err = err.Error()
				continue
			}
			row.walls = append(row.walls, ms)
			row.rss = append(row.rss, mb)
		}
		progress("B15 round %d of %d", round+1, rounds)
	}
	return res
}

func markdownB15(b *strings.Builder, r *b15result) {
	fmt.Fprintf(b, "\n## B15 — loads against their floors: bulk beside the parse alone, and 10^6 quads into a store holding Movies\n\n")
	b.WriteString(stamp("B15"))
	if r == nil {
		b.WriteString("Not run.\n")
		return
	}
	fmt.Fprintf(b, "Whole processes, from start to exit, %d interleaved rounds (each row once a round, in this order); each load\n", r.rounds)
	b.WriteString("into a fresh store, or a fresh copy of a store holding Movies (copied untimed). The dry run (the parse\n")
	b.WriteString("floor) opens a store holding Movies read-only, parses and checks the file, and writes nothing. The synthetic\n")
	b.WriteString("file is B4's generator's 10^6 lines (new entities, names and links, some with qualifiers; quads/s counts\n")
	b.WriteString("the lines). Both stores write with their defaults:\n")
	b.WriteString("Badger's `SyncWrites` off and leveldb's unsynced writes — a commit survives the process being killed, not\n")
	b.WriteString("the machine losing power.\n\n")
	b.WriteString("| row | p50 s | min–max s | quads/s (p50) | peak RSS MB (p50) |\n|---|---:|---:|---:|---:|\n")
	for _, row := range r.rows {
		if len(row.walls) == 0 {
			fmt.Fprintf(b, "| %s | failed: %s | | | |\n", row.cmd, row.err)
			continue
		}
		med := median(row.walls) / 1000
		n := 471705.0
		if strings.HasPrefix(row.name, "inc-") {
			n = b15Quads
		}
		fmt.Fprintf(b, "| %s | %.2f | %.2f–%.2f | %s | %.0f |\n", row.cmd, med, pct(row.walls, 0)/1000, pct(row.walls, 100)/1000, thousands(n/med), median(row.rss))
	}
	ratio := func(a, c string) string {
		x, y := r.row(a), r.row(c)
		if x == nil || y == nil || len(x.walls) == 0 || len(y.walls) == 0 {
			return "—"
		}
		return fmt.Sprintf("%.1f×", median(x.walls)/median(y.walls))
	}
	b.WriteString("\nIssue 14's goals as ratios of these medians:\n\n")
	b.WriteString("| goal | ratio | measured | goal |\n|---|---|---:|---:|\n")
	fmt.Fprintf(b, "| 4 bulk load near the parse | bulk / dry run | %s | ≤ 3× |\n", ratio("bulk", "dry"))
	fmt.Fprintf(b, "| 3 incremental loads | leveldb's time / Entente's | %s | ≥ 5× |\n", ratio("inc-leveldb", "inc-entente"))
}
