package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/simple"
)

// The network statements through the binary, each answer checked against
// a brute-force computation on the same seed graph: removing each
// candidate and asking path again (bridges), enumerating the strongest
// paths with path (brokers), every shortest path of every pair
// (betweenness), PageRank by power iteration, and the communities'
// modularity counted from the links (a local optimum, as high as gonum's
// Louvain finds).

// netRows runs a statement through the binary and returns its JSON rows.
func netRows(t *testing.T, db, stmt string) []map[string]any {
	t.Helper()
	r := entente(t, "", "--db", db, "query", "--format", "json", stmt).must(t, 0)
	var rows []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%s: %v: %s", stmt, err, l)
		}
		rows = append(rows, m)
	}
	return rows
}

func nodeID(v any) string { return v.(map[string]any)["id"].(string) }

// bruteGraph is the seed graph's links, read in-process from the store.
type bruteGraph struct {
	l      *graph.Links
	ids    []string // by node number
	index  map[string]int32
	events map[int32]bool
	sym    []bool // by predicate number
	stmt   []string
}

func openBrute(t *testing.T, dir string) (*bruteGraph, *graph.DB) {
	t.Helper()
	db, err := graph.Open(dir, &graph.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	l, err := db.Links(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := db.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	qs := db.QuadStore()
	g := &bruteGraph{l: l, index: map[string]int32{}, events: map[int32]bool{}}
	for i := range l.Len() {
		v, err := qs.NameOf(l.Node(int32(i)))
		if err != nil {
			t.Fatal(err)
		}
		id := query.IDString(v)
		g.ids = append(g.ids, id)
		g.index[id] = int32(i)
		if e := cat.ByID(v); e != nil {
			for _, ty := range e.Types {
				if ty == "Event" {
					g.events[int32(i)] = true
				}
			}
		}
	}
	for _, p := range l.Preds {
		k, ok := graph.LookupKind(strings.Trim(p.String(), "<>"))
		g.sym = append(g.sym, ok && k.Symmetric)
	}
	for _, r := range l.Labels {
		if r == nil {
			g.stmt = append(g.stmt, "")
			continue
		}
		v, _ := qs.NameOf(r)
		g.stmt = append(g.stmt, query.IDString(v))
	}
	return g, db
}

// adj is the undirected simple graph of the links stronger than below,
// without the nodes of out, events, or the links of cut (by statement),
// except that the nodes of keep stay.
func (g *bruteGraph) adj(below graph.Strength, out map[int32]bool, cut map[string]bool, keep ...int32) [][]int32 {
	kept := map[int32]bool{}
	for _, k := range keep {
		kept[k] = true
	}
	in := func(n int32) bool { return kept[n] || !out[n] && !g.events[n] }
	sets := make([]map[int32]bool, g.l.Len())
	for u := int32(0); int(u) < g.l.Len(); u++ {
		for _, e := range g.l.Out(u) {
			if e.Other == u || !in(u) || !in(e.Other) || g.l.Strength(e.Label) >= below || cut[g.stmt[e.Label]] {
				continue
			}
			for _, p := range [][2]int32{{u, e.Other}, {e.Other, u}} {
				if sets[p[0]] == nil {
					sets[p[0]] = map[int32]bool{}
				}
				sets[p[0]][p[1]] = true
			}
		}
	}
	out2 := make([][]int32, g.l.Len())
	for u, s := range sets {
		for v := range s {
			out2[u] = append(out2[u], v)
		}
		sort.Slice(out2[u], func(i, j int) bool { return out2[u][i] < out2[u][j] })
	}
	return out2
}

// bfs is the distance from s to every node (-1: unreached).
func bfs(adj [][]int32, s int32) []int {
	d := make([]int, len(adj))
	for i := range d {
		d[i] = -1
	}
	d[s] = 0
	q := []int32{s}
	for len(q) > 0 {
		u := q[0]
		q = q[1:]
		for _, v := range adj[u] {
			if d[v] < 0 {
				d[v] = d[u] + 1
				q = append(q, v)
			}
		}
	}
	return d
}

// pathIDs runs a path statement in-process and returns each path's node
// ids.
func pathIDs(t *testing.T, db *graph.DB, stmt string) [][]string {
	t.Helper()
	res, err := query.Run(context.Background(), db, stmt, &query.Options{PathLimit: 100000})
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	var out [][]string
	for _, row := range res.Rows {
		p := row[0].(*query.Path)
		var ids []string
		for _, n := range p.Nodes {
			ids = append(ids, query.IDString(n.ID))
		}
		out = append(out, ids)
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-3*math.Max(1, math.Abs(b)) }

func TestNetworkStatements(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "eql.db")
	entente(t, "", "--db", dir, "load", "--seed").must(t, 0)
	// Every answer through the binary first: the checks below hold the
	// store open.
	stmts := []string{
		`brokers between EU and India`,
		`brokers between EU and India avoid partner`,
		`brokers between Europe and (Japan, "South Korea", India) avoid partner`,
		`bridges "North Korea" to EU`,
		`bridges "North Korea" to EU avoid "South Korea"`,
		`rank by betweenness`,
		`rank by betweenness avoid "United States"`,
		`rank by pagerank type Country`,
		`rank by pagerank type Country avoid "United States"`,
		`communities`,
		`communities avoid Japan`,
	}
	answers := map[string][]map[string]any{}
	for _, s := range stmts {
		answers[s] = netRows(t, dir, s)
	}
	g, db := openBrute(t, dir)
	for _, n := range []string{"north-korea", "eu", "south-korea", "united-states"} {
		if _, ok := g.index["entity:"+n]; !ok {
			t.Fatalf("no node entity:%s", n)
		}
	}
	id := func(name string) int32 { return g.index["entity:"+name] }

	t.Run("brokers", func(t *testing.T) {
		if rows := answers[`brokers between EU and India`]; len(rows) != 0 {
			t.Errorf("EU and India are partners: no broker on the one-hop path, got %v", rows)
		}
		for _, c := range []struct {
			stmt     string
			from, to []string
			avoid    string
		}{
			{`brokers between EU and India avoid partner`, []string{"EU"}, []string{"India"}, " avoid partner"},
			{`brokers between Europe and (Japan, "South Korea", India) avoid partner`, []string{"Europe"}, []string{"Japan", `"South Korea"`, "India"}, " avoid partner"},
		} {
			// Enumerate the strongest paths of each pair with path, and
			// count the share of each pair's paths every entity lies on.
			score := map[string]float64{}
			carried := map[string]int{}
			total := 0
			for _, a := range c.from {
				for _, b := range c.to {
					ps := pathIDs(t, db, fmt.Sprintf("path %s to %s%s limit 100000", a, b, c.avoid))
					total += len(ps)
					for _, p := range ps {
						for _, n := range p[1 : len(p)-1] {
							score[n] += 1 / float64(len(ps))
							carried[n]++
						}
					}
				}
			}
			rows := answers[c.stmt]
			t.Logf("%s: %d brokers over %d paths", c.stmt, len(score), total)
			if len(rows) != len(score) || len(rows) == 0 {
				t.Errorf("%s: %d brokers, brute force %d", c.stmt, len(rows), len(score))
			}
			for _, r := range rows {
				n := nodeID(r["node"])
				if !near(r["score"].(float64), score[n]) {
					t.Errorf("%s: %s scores %v, brute force %v", c.stmt, n, r["score"], score[n])
				}
				if want := fmt.Sprintf("%d of %d paths", carried[n], total); r["share"] != want || len(r["paths"].([]any)) != carried[n] {
					t.Errorf("%s: %s carries %v (%d paths listed), brute force %s", c.stmt, n, r["share"], len(r["paths"].([]any)), want)
				}
			}
		}
	})

	t.Run("bridges", func(t *testing.T) {
		from, to := id("north-korea"), id("eu")
		for _, c := range []struct {
			stmt  string
			avoid []int32
			text  string
		}{
			{`bridges "North Korea" to EU`, nil, ""},
			{`bridges "North Korea" to EU avoid "South Korea"`, []int32{id("south-korea")}, `, "South Korea"`},
		} {
			rows := answers[c.stmt]
			// Removing each entity in turn, and asking path again.
			var singles []string
			for n := int32(0); int(n) < g.l.Len(); n++ {
				if n == from || n == to || g.events[n] || contains32(c.avoid, n) {
					continue
				}
				ps := pathIDs(t, db, fmt.Sprintf(`path "North Korea" to EU avoid <%s>%s including existing max 24 limit 1`, g.ids[n], c.text))
				if len(ps) == 0 {
					singles = append(singles, g.ids[n])
				}
			}
			var gotSingles []string
			nodeCut, relCut := 0, 0
			var cutNodes, cutRels, aloneRels []any
			for _, r := range rows {
				switch r["cut"] {
				case "entity":
					gotSingles = append(gotSingles, nodeID(r["what"]))
				case "entities":
					nodeCut = int(r["size"].(float64))
					cutNodes = r["what"].([]any)
				case "relation":
					relCut = 1
					aloneRels = append(aloneRels, r["what"])
				case "relations":
					relCut = int(r["size"].(float64))
					cutRels = r["what"].([]any)
				}
			}
			sort.Strings(singles)
			sort.Strings(gotSingles)
			t.Logf("%s: alone %v; relations cut %d", c.stmt, singles, relCut)
			if strings.Join(singles, " ") != strings.Join(gotSingles, " ") {
				t.Errorf("%s: entities alone %v, brute force %v", c.stmt, gotSingles, singles)
			}
			if len(singles) == 0 {
				// No single entity cuts: the cut given must, and be of
				// the size stated.
				if nodeCut < 2 || len(cutNodes) != nodeCut {
					t.Fatalf("%s: no single cut, and a cut of %d (%d listed)", c.stmt, nodeCut, len(cutNodes))
				}
				var names []string
				for _, n := range cutNodes {
					names = append(names, "<"+nodeID(n)+">")
				}
				if ps := pathIDs(t, db, fmt.Sprintf(`path "North Korea" to EU avoid %s%s including existing max 24 limit 1`, strings.Join(names, ", "), c.text)); len(ps) != 0 {
					t.Errorf("%s: avoiding %v still leaves %v", c.stmt, names, ps[0])
				}
			}
			// Relations: the cut listed cuts, and no smaller set does.
			out := map[int32]bool{}
			for _, a := range c.avoid {
				out[a] = true
			}
			// Each relation listed as cutting alone does.
			for _, r := range aloneRels {
				st := r.(map[string]any)["statement"].(string)
				if d := bfs(g.adj(graph.StrengthAtRisk, out, map[string]bool{st: true}, from, to), from)[to]; d >= 0 {
					t.Errorf("%s: without %s alone, North Korea still reaches EU in %d hops", c.stmt, st, d)
				}
			}
			if len(aloneRels) > 0 {
				continue
			}
			cut := map[string]bool{}
			for _, r := range cutRels {
				cut[r.(map[string]any)["statement"].(string)] = true
			}
			if len(cut) != relCut || relCut == 0 {
				t.Fatalf("%s: a relation cut of %d, %d listed", c.stmt, relCut, len(cut))
			}
			if d := bfs(g.adj(graph.StrengthAtRisk, out, cut, from, to), from)[to]; d >= 0 {
				t.Errorf("%s: without %v, North Korea still reaches EU in %d hops", c.stmt, cut, d)
			}
			var stmts []string
			for u := int32(0); int(u) < g.l.Len(); u++ {
				for _, e := range g.l.Out(u) {
					if g.l.Strength(e.Label) < graph.StrengthAtRisk && g.stmt[e.Label] != "" {
						stmts = append(stmts, g.stmt[e.Label])
					}
				}
			}
			smaller := func(k int) bool { // some k relations cut them
				var rec func(start int, chosen map[string]bool) bool
				rec = func(start int, chosen map[string]bool) bool {
					if len(chosen) == k {
						return bfs(g.adj(graph.StrengthAtRisk, out, chosen, from, to), from)[to] < 0
					}
					for i := start; i < len(stmts); i++ {
						chosen[stmts[i]] = true
						if rec(i+1, chosen) {
							return true
						}
						delete(chosen, stmts[i])
					}
					return false
				}
				return rec(0, map[string]bool{})
			}
			if relCut <= 3 && relCut > 1 && smaller(relCut-1) {
				t.Errorf("%s: fewer than %d relations cut them", c.stmt, relCut)
			}
		}
	})

	t.Run("betweenness", func(t *testing.T) {
		for _, c := range []struct {
			stmt  string
			avoid []int32
		}{
			{`rank by betweenness`, nil},
			{`rank by betweenness avoid "United States"`, []int32{id("united-states")}},
		} {
			out := map[int32]bool{}
			for _, a := range c.avoid {
				out[a] = true
			}
			adj := g.adj(graph.StrengthAtRisk, out, nil)
			// Every shortest path of every pair, one by one.
			want := map[string]float64{}
			for s := int32(0); int(s) < len(adj); s++ {
				if out[s] || g.events[s] {
					continue
				}
				dist := bfs(adj, s)
				for t2 := s + 1; int(t2) < len(adj); t2++ {
					if dist[t2] <= 0 {
						continue
					}
					var paths [][]int32
					var walk func(u int32, p []int32)
					walk = func(u int32, p []int32) {
						if u == t2 {
							paths = append(paths, append([]int32(nil), p...))
							return
						}
						for _, v := range adj[u] {
							if dist[v] == dist[u]+1 && dist[v] <= dist[t2] {
								walk(v, append(p, v))
							}
						}
					}
					walk(s, []int32{s})
					var kept [][]int32
					for _, p := range paths {
						if p[len(p)-1] == t2 && len(p)-1 == dist[t2] {
							kept = append(kept, p)
						}
					}
					for _, p := range kept {
						for _, n := range p[1 : len(p)-1] {
							want[g.ids[n]] += 1 / float64(len(kept))
						}
					}
				}
			}
			rows := answers[c.stmt]
			t.Logf("%s: %d rows; United States %.4f, India %.4f by brute force", c.stmt, len(rows), want["entity:united-states"], want["entity:india"])
			nodes := 0
			for n := range adj {
				if !out[int32(n)] && !g.events[int32(n)] {
					nodes++
				}
			}
			if len(rows) != nodes {
				t.Errorf("%s: %d rows, %d nodes", c.stmt, len(rows), nodes)
			}
			for _, r := range rows {
				n := nodeID(r["node"])
				if !near(r["betweenness"].(float64), want[n]) {
					t.Errorf("%s: %s %v, brute force %v", c.stmt, n, r["betweenness"], want[n])
				}
				for _, a := range c.avoid {
					if n == g.ids[a] {
						t.Errorf("%s: %s is ranked", c.stmt, n)
					}
				}
			}
		}
	})

	t.Run("pagerank", func(t *testing.T) {
		cat, err := db.Catalog(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			stmt  string
			avoid []int32
		}{
			{`rank by pagerank type Country`, nil},
			{`rank by pagerank type Country avoid "United States"`, []int32{id("united-states")}},
		} {
			out := map[int32]bool{}
			for _, a := range c.avoid {
				out[a] = true
			}
			in := func(n int32) bool { return !out[n] && !g.events[n] }
			// The directed graph: subject to object, symmetric kinds both
			// ways; power iteration, dangling nodes spread evenly.
			succ := map[int32]map[int32]bool{}
			var nodes []int32
			for u := int32(0); int(u) < g.l.Len(); u++ {
				if !in(u) {
					continue
				}
				nodes = append(nodes, u)
				for _, e := range g.l.Out(u) {
					if e.Other == u || !in(e.Other) || g.l.Strength(e.Label) >= graph.StrengthAtRisk {
						continue
					}
					add := func(a, b int32) {
						if succ[a] == nil {
							succ[a] = map[int32]bool{}
						}
						succ[a][b] = true
					}
					add(u, e.Other)
					if g.sym[e.Pred] {
						add(e.Other, u)
					}
				}
			}
			n := float64(len(nodes))
			pr := map[int32]float64{}
			for _, u := range nodes {
				pr[u] = 1 / n
			}
			for it := 0; it < 1000; it++ {
				next := map[int32]float64{}
				dangling := 0.0
				for _, u := range nodes {
					if len(succ[u]) == 0 {
						dangling += pr[u]
						continue
					}
					for v := range succ[u] {
						next[v] += 0.85 * pr[u] / float64(len(succ[u]))
					}
				}
				for _, u := range nodes {
					next[u] += 0.85*dangling/n + 0.15/n
				}
				pr = next
			}
			countries := map[string]bool{}
			for _, e := range cat.Entities {
				for _, ty := range e.Types {
					if ty == "Country" {
						if i, ok := g.index[query.IDString(e.ID)]; ok && in(i) {
							countries[query.IDString(e.ID)] = true
						}
					}
				}
			}
			rows := answers[c.stmt]
			t.Logf("%s: %d countries; India %.4f by power iteration", c.stmt, len(countries), pr[g.index["entity:india"]])
			if len(rows) != len(countries) || len(rows) < 16 {
				t.Errorf("%s: %d rows, %d countries", c.stmt, len(rows), len(countries))
			}
			for _, r := range rows {
				id := nodeID(r["node"])
				if !countries[id] {
					t.Errorf("%s: %s is not a country of the graph", c.stmt, id)
				}
				if got, want := r["pagerank"].(float64), pr[g.index[id]]; math.Abs(got-want) > 1e-4 {
					t.Errorf("%s: %s %v, power iteration %v", c.stmt, id, got, want)
				}
			}
		}
	})

	t.Run("communities", func(t *testing.T) {
		where := func(stmt string) map[string]int {
			at := map[string]int{}
			seen := map[string]bool{}
			for _, r := range answers[stmt] {
				for _, m := range r["members"].([]any) {
					n := nodeID(m)
					if seen[n] {
						t.Errorf("%s: %s in two communities", stmt, n)
					}
					seen[n] = true
					at[n] = int(r["community"].(float64))
				}
			}
			return at
		}
		if _, ok := where(`communities avoid Japan`)["entity:japan"]; ok {
			t.Errorf("communities avoid Japan: Japan is in a community")
		}
		// The modularity the note gives is that of the partition listed,
		// counted here from the links (the relations between two
		// entities the weight of their link, resolution 0.75), and no
		// entity raises it by moving to a neighbour's community or apart.
		for _, c := range []struct {
			stmt  string
			avoid string
		}{{`communities`, ""}, {`communities avoid Japan`, "japan"}} {
			weight := map[[2]int32]float64{}
			for u := int32(0); int(u) < g.l.Len(); u++ {
				for _, e := range g.l.Out(u) {
					v := e.Other
					if v == u || g.events[u] || g.events[v] || g.l.Strength(e.Label) >= graph.StrengthAtRisk ||
						(c.avoid != "" && (u == id(c.avoid) || v == id(c.avoid))) {
						continue
					}
					weight[[2]int32{min(u, v), max(u, v)}]++
				}
			}
			at := map[int32]int{}
			for n, k := range where(c.stmt) {
				at[g.index[n]] = k
			}
			group := func(n int32) int { // alone: a group of its own
				if k, ok := at[n]; ok {
					return k
				}
				return -1 - int(n)
			}
			modularity := func() float64 {
				var total float64
				inside, degree := map[int]float64{}, map[int]float64{}
				for p, w := range weight {
					total += w
					degree[group(p[0])] += w
					degree[group(p[1])] += w
					if group(p[0]) == group(p[1]) {
						inside[group(p[0])] += w
					}
				}
				q := 0.0
				for k, d := range degree {
					q += inside[k]/total - 0.75*(d/(2*total))*(d/(2*total))
				}
				return q
			}
			q := modularity()
			rows := answers[c.stmt]
			res, err := query.Run(context.Background(), db, c.stmt, nil)
			if err != nil {
				t.Fatalf("%s: %v", c.stmt, err)
			}
			var noted float64
			if _, err := fmt.Sscanf(res.Note, "modularity %f", &noted); err != nil || math.Abs(noted-q) > 0.0005 {
				t.Errorf("%s: the note's modularity %v (%v), counted %.4f over %d communities", c.stmt, noted, err, q, len(rows))
			}
			// As high as gonum's Louvain finds in as many runs (within a
			// little: both are heuristics).
			wg := simple.NewWeightedUndirectedGraph(0, 0)
			for p, w := range weight {
				wg.SetWeightedEdge(simple.WeightedEdge{F: simple.Node(p[0]), T: simple.Node(p[1]), W: w})
			}
			best := math.Inf(-1)
			for seed := uint64(1); seed <= 20; seed++ {
				r := community.Modularize(wg, 0.75, rand.NewPCG(seed, seed))
				best = max(best, community.Q(wg, r.Communities(), 0.75))
			}
			if q < best-0.005 {
				t.Errorf("%s: modularity %.5f, gonum's Louvain %.5f", c.stmt, q, best)
			}
			t.Logf("%s: modularity %.5f, gonum's Louvain %.5f", c.stmt, q, best)
			for p := range weight {
				for _, pair := range [][2]int32{p, {p[1], p[0]}} {
					n := pair[0]
					old, had := at[n]
					for _, k := range []int{group(pair[1]), -1 - int(n)} {
						at[n] = k
						if moved := modularity(); moved > q+1e-9 {
							t.Errorf("%s: %s raises the modularity from %.5f to %.5f by moving (to %d)", c.stmt, g.ids[n], q, moved, k)
						}
					}
					if had {
						at[n] = old
					} else {
						delete(at, n)
					}
				}
			}
		}
	})
}

func contains32(xs []int32, x int32) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}
