//go:build unix

package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/entente-kg/entente/bench"
)

// b10set is B10 on one data set: a warm process (the link index, then
// every statement several times) and a cold process per statement.
type b10set struct {
	name    string
	queries []string
	warm    measure
	cold    []measure
}

// runB10 measures B10 on Movies (the store in movies) and on the seed
// graph.
func runB10(movies string) []*b10set {
	_, seed := seedStore()
	sets := []*b10set{
		{name: "movies", queries: bench.NetworkQueries},
		{name: "seed", queries: bench.SeedNetworkQueries},
	}
	dirs := map[string]string{"movies": movies, "seed": seed}
	for _, s := range sets {
		s.warm = runWorker("-task", "network", "-set", s.name, "-db", dirs[s.name], "-reps", "5")
		progress("B10 %s: warm %v", s.name, errText(s.warm.err))
		for i := range s.queries {
			s.cold = append(s.cold, runWorker("-task", "network-cold", "-set", s.name, "-db", dirs[s.name], "-query", fmt.Sprint(i)))
		}
	}
	return sets
}

// b10Heading starts B10's section.
const b10Heading = "## B10 "

// markdownB10 writes B10's section.
func markdownB10(b *strings.Builder, sets []*b10set) {
	fmt.Fprintf(b, "\n## B10 — network statements (rank, brokers, components, communities) on Movies and the seed graph\n\n")
	b.WriteString(stamp("B10"))
	b.WriteString(machine())
	b.WriteString("\n")
	b.WriteString("Each statement through EQL (`query.Run`, default bounds: 30 s, a work budget of 10,000,000). **Warm**: one\n")
	b.WriteString("process builds the link index, then runs each statement 5 times (median and p95 of those). **Cold**: a fresh\n")
	b.WriteString("process per statement: open the store, build the link index, answer. On Movies, betweenness and closeness are\n")
	b.WriteString("sampled (the note gives the sources and the seed), and `communities` keeps the best of as many seeded runs\n")
	b.WriteString("of Louvain as the work budget allows (the note says how many).\n\n")
	for _, s := range sets {
		first, _ := s.warm.out["first_ms"].(float64)
		fmt.Fprintf(b, "**%s** — link index built in %s ms; warm process peak RSS %.0f MB.\n\n", s.name, ms(first), s.warm.rssMB)
		b.WriteString("| statement | rows | warm p50 ms | warm p95 ms | cold ms (process) | cold peak RSS MB | answer |\n|---|---|---|---|---|---|---|\n")
		qs, _ := s.warm.out["queries"].([]interface{})
		for i, name := range s.queries {
			var q map[string]interface{}
			if i < len(qs) {
				q, _ = qs[i].(map[string]interface{})
			}
			rows, p50, p95 := "", "", ""
			answer := ""
			if q != nil {
				rows = fmt.Sprint(q["results"])
				if v, ok := q["median_ms"].(float64); ok {
					p50 = ms(v)
				}
				if v, ok := q["p95_ms"].(float64); ok {
					p95 = ms(v)
				}
				if e, ok := q["error"].(string); ok && e != "" {
					answer, rows = "error: "+oneLineText(e), "—"
				} else if n, ok := q["note"].(string); ok {
					answer = oneLineText(n)
				}
			}
			cold, coldRSS := "", ""
			if i < len(s.cold) {
				c := s.cold[i]
				if v, ok := c.out["cold_ms"].(float64); ok {
					cold = ms(v)
				}
				coldRSS = fmt.Sprintf("%.0f", c.rssMB)
				if c.err != nil {
					cold += " (" + oneLineText(c.err.Error()) + ")"
				}
			}
			fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s | %s | %s |\n", name, rows, p50, p95, cold, coldRSS, answer)
		}
		b.WriteString("\n")
	}
	var all []string
	for _, s := range sets {
		if s.warm.err != nil {
			all = append(all, s.name+": "+s.warm.err.Error())
		}
	}
	sort.Strings(all)
	for _, e := range all {
		fmt.Fprintf(b, "Error: %s\n\n", e)
	}
}

// oneLineText is an error or note for a table cell: its first line,
// without pipes, at most 160 characters.
func oneLineText(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.ReplaceAll(s, "|", "/")
	if r := []rune(s); len(r) > 160 {
		s = string(r[:159]) + "…"
	}
	return s
}
