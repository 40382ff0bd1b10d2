//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/entente-kg/entente/bench"
)

// b7set is B7 on one data set: the warm processes (index build, then
// every search several times) and the cold ones (open, one search).
type b7set struct {
	name    string
	queries []string
	warm    []measure
	cold    []measure // round by round, query by query
	rebuilt []measure // a cold process per round whose search builds the index
}

// runB7 measures B7 on Movies (the store in movies) and on the seed graph,
// in interleaved rounds: each round runs, for each data set, a warm
// process and then a cold process per search.
func runB7(movies string, rounds int) []*b7set {
	_, seed := seedStore()
	sets := []*b7set{
		{name: "movies", queries: bench.SearchQueries},
		{name: "seed", queries: bench.SeedSearchQueries},
	}
	dirs := map[string]string{"movies": movies, "seed": seed}
	for r := 0; r < rounds; r++ {
		for _, s := range sets {
			m := runWorker("-task", "search", "-set", s.name, "-db", dirs[s.name], "-reps", "5")
			s.warm = append(s.warm, m)
			build, _ := m.out["build_ms"].(float64)
			progress("B7 %s round %d: warm, index built in %.0f ms %v", s.name, r+1, build, errText(m.err))
			for i := range s.queries {
				s.cold = append(s.cold, runWorker("-task", "search-cold", "-set", s.name, "-db", dirs[s.name], "-query", fmt.Sprint(i)))
			}
			// The first search again, its index rebuilt (and kept again
			// for the next round's cold processes).
			s.rebuilt = append(s.rebuilt, runWorker("-task", "search-cold", "-set", s.name, "-db", dirs[s.name], "-query", "0", "-rebuild"))
		}
	}
	return sets
}

// markdownB7 writes B7's section.
func markdownB7(b *strings.Builder, sets []*b7set, rounds int) {
	fmt.Fprintf(b, "\n## B7 — full-text search on Movies (names) and the seed graph (evidence)\n\n")
	b.WriteString(stamp("B7"))
	b.WriteString(machine())
	b.WriteString("\n")
	fmt.Fprintf(b, "`search \"…\"` through EQL (`query.Run`: parse, index, rank, materialise the hits) on Entente's in-memory\n")
	fmt.Fprintf(b, "inverted index (docs/store.md), in %d interleaved rounds. **Warm**: one process builds the index from the store\n", rounds)
	fmt.Fprintf(b, "(the `ENTENTE-TEXT` file the store keeps it in removed first; the build writes it again), then runs each search\n")
	fmt.Fprintf(b, "5 times (per search, the median of those 5; p50/p95 are over every search and round). **Cold**: a fresh process\n")
	fmt.Fprintf(b, "per search per round: open the store, read the index it keeps, answer, exit. **Cold, index rebuilt**: the\n")
	fmt.Fprintf(b, "first search in a fresh process once a round with `ENTENTE-TEXT` removed first, so that it builds the index.\n\n")
	for _, s := range sets {
		var builds, warm, cold, wall, rss []float64
		texts, terms := 0.0, 0.0
		perQuery := make([][]float64, len(s.queries))
		hits := make([]interface{}, len(s.queries))
		failed := ""
		for _, m := range s.warm {
			if m.err != nil {
				failed = m.err.Error()
				continue
			}
			if v, ok := m.out["build_ms"].(float64); ok {
				builds = append(builds, v)
			}
			texts, _ = m.out["texts"].(float64)
			terms, _ = m.out["terms"].(float64)
			qs, _ := m.out["queries"].([]interface{})
			for i, x := range qs {
				q, _ := x.(map[string]interface{})
				if v, ok := q["median_ms"].(float64); ok && i < len(perQuery) {
					perQuery[i] = append(perQuery[i], v)
					warm = append(warm, v)
					hits[i] = q["results"]
				}
			}
		}
		coldPerQuery := make([][]float64, len(s.queries))
		for i, m := range s.cold {
			if m.err != nil {
				failed = m.err.Error()
				continue
			}
			if v, ok := m.out["cold_ms"].(float64); ok {
				cold = append(cold, v)
			}
			w := float64(m.wall.Microseconds()) / 1000
			wall = append(wall, w)
			coldPerQuery[i%len(s.queries)] = append(coldPerQuery[i%len(s.queries)], w)
			rss = append(rss, m.rssMB)
		}
		var rebuilt, rebuiltRSS []float64
		for _, m := range s.rebuilt {
			if m.err != nil {
				failed = m.err.Error()
				continue
			}
			rebuilt = append(rebuilt, float64(m.wall.Microseconds())/1000)
			rebuiltRSS = append(rebuiltRSS, m.rssMB)
		}
		fmt.Fprintf(b, "### %s: %s texts, %s distinct terms\n\n", s.name, thousands(texts), thousands(terms))
		if failed != "" {
			fmt.Fprintf(b, "Some runs failed: %s\n\n", failed)
		}
		b.WriteString("| search | hits | warm p50 ms | cold wall p50 ms |\n|---|---:|---:|---:|\n")
		for i, q := range s.queries {
			fmt.Fprintf(b, "| `%s` | %v | %s | %.0f |\n", strings.ReplaceAll(q, "|", `\|`), hits[i], ms(median(perQuery[i])), median(coldPerQuery[i]))
		}
		b.WriteString("\n| figure | p50 | p95 | min–max |\n|---|---:|---:|---:|\n")
		fmt.Fprintf(b, "| index build, warm process (%d runs) | %s ms | %s ms | %s–%s ms |\n", len(builds), ms(median(builds)), ms(pct(builds, 95)), ms(pct(builds, 0)), ms(pct(builds, 100)))
		fmt.Fprintf(b, "| search, warm (%d) | %s ms | %s ms | %s–%s ms |\n", len(warm), ms(median(warm)), ms(pct(warm, 95)), ms(pct(warm, 0)), ms(pct(warm, 100)))
		fmt.Fprintf(b, "| cold: process start to answer, in-process (%d runs) | %.0f ms | %.0f ms | %.0f–%.0f ms |\n", len(cold), median(cold), pct(cold, 95), pct(cold, 0), pct(cold, 100))
		fmt.Fprintf(b, "| cold: process wall time, from the harness | %.0f ms | %.0f ms | %.0f–%.0f ms |\n", median(wall), pct(wall, 95), pct(wall, 0), pct(wall, 100))
		fmt.Fprintf(b, "| cold: peak RSS | %.0f MB | %.0f MB | %.0f–%.0f MB |\n", median(rss), pct(rss, 95), pct(rss, 0), pct(rss, 100))
		fmt.Fprintf(b, "| cold, index rebuilt: process wall time (`%s`, %d runs) | %.0f ms | %.0f ms | %.0f–%.0f ms |\n",
			strings.ReplaceAll(s.queries[0], "|", `\|`), len(rebuilt), median(rebuilt), pct(rebuilt, 95), pct(rebuilt, 0), pct(rebuilt, 100))
		fmt.Fprintf(b, "| cold, index rebuilt: peak RSS | %.0f MB | %.0f MB | %.0f–%.0f MB |\n\n", median(rebuiltRSS), pct(rebuiltRSS, 95), pct(rebuiltRSS, 0), pct(rebuiltRSS, 100))
	}
}

// spliceSection replaces the section of the Markdown file at path that
// starts with heading (up to the next "## " heading) with section, or
// appends it: a run of some benchmarks (-only) leaves the others' figures
// as they were.
func spliceSection(path, heading, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	section = strings.TrimLeft(section, "\n")
	if i := strings.Index(text, "\n"+heading); i >= 0 {
		rest := text[i+1+len(heading):]
		end := len(text)
		if j := strings.Index(rest, "\n## "); j >= 0 {
			end = i + 1 + len(heading) + j + 1
		}
		if end < len(text) {
			// A blank line before the next section's heading.
			section = strings.TrimRight(section, "\n") + "\n\n"
		}
		text = text[:i+1] + section + text[end:]
	} else {
		text = strings.TrimRight(text, "\n") + "\n\n" + section
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// b7Heading starts B7's section.
const b7Heading = "## B7 "

// fullRun is set when the run writes the whole results file (make bench)
// rather than some sections of it.
var fullRun bool

// stamp is the line that opens section id: the commit measured, when,
// and by what run.
func stamp(id string) string {
	by := "`go run ./bench/cmd/benchrun -only " + id + "`"
	if fullRun {
		by = "`make bench` (every section in one run)"
	}
	return fmt.Sprintf("Measured at commit %s on %s by %s.\n\n", commit(), time.Now().UTC().Format("2006-01-02 15:04 MST"), by)
}

// commit names the commit measured, and says when the tree differs from it.
func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	// The results file itself changes as sections are written: it is no
	// change to what is measured.
	if out, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench/RESULTS.md").Output(); err == nil && len(out) > 0 {
		c += " (with uncommitted changes in the tree)"
	}
	return c
}
