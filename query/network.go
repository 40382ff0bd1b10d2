package query

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query/syntax"
	gg "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/flow"
	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/topo"
)

// This file answers the network statements — brokers, bridges, rank,
// communities, components — with gonum's algorithms, and Louvain of our
// own (louvain.go), over a netView of the link index (netview.go).

// Bounds of the network statements.
const (
	// sampleSeed seeds the choice of sources when betweenness or
	// closeness is sampled, so that an answer can be asked again.
	sampleSeed = 1
	// minSample and maxSample bound how many sources a sampled measure
	// walks from; between them, as many as the work budget allows.
	minSample, maxSample = 8, 256
	// maxMembers is the most members a component's row lists.
	maxMembers = 100
	// pageRankDamping and pageRankTol are PageRank's parameters.
	pageRankDamping, pageRankTol = 0.85, 1e-8
	// communityResolution is Louvain's resolution: a little lower than
	// the usual 1, for somewhat larger communities — on a graph as small
	// as the seed, 1 splits close partners apart.
	communityResolution = 0.75
	// communityRuns is the most runs of Louvain (seeds 1, 2, …) a
	// communities statement makes, keeping the partition of highest
	// modularity: one run's answer depends on its seed.
	communityRuns = 20
)

// netRun is the state of one network statement's evaluation.
type netRun struct {
	ev       *evaluator
	s        *syntax.Network
	f        *filters
	ends     []int32 // the named entities, by node number (-1: no links)
	keep     map[int32]bool
	directed bool
	views    map[graph.Strength]*netView
	events   bool // events were left out
}

// network answers a network statement.
func (ev *evaluator) network(s *syntax.Network) (*Result, error) {
	nr, err := ev.newNetRun(s, s.Avoid)
	if err != nil {
		return nil, err
	}
	switch s.Move {
	case "brokers":
		return nr.brokers()
	case "bridges":
		return nr.bridges()
	case "rank":
		return nr.rank()
	case "communities":
		return nr.communities()
	case "components":
		return nr.components()
	}
	return nil, fmt.Errorf("query: unknown network statement %q", s.Move)
}

// newNetRun resolves the statement's names and compiles its filters, with
// the given avoid list.
func (ev *evaluator) newNetRun(s *syntax.Network, avoid []*syntax.Name) (*netRun, error) {
	var ends []resolved
	var endNames []*syntax.Name
	for _, n := range append(append([]*syntax.Name{}, s.From...), s.To...) {
		r, err := ev.entity(n)
		if err != nil {
			return nil, err
		}
		ends = append(ends, r)
		endNames = append(endNames, n)
	}
	// Statuses in the avoid list take out the relations of that status;
	// the rest are entities and kinds, as path takes them.
	var rest []*syntax.Name
	avoidStatus := map[string]bool{}
	for _, n := range avoid {
		if !n.Quoted && !n.IRI {
			canon := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(n.Text))
			if _, ok := graph.StatusStrength(canon); ok && canon != "" {
				avoidStatus[canon] = true
				continue
			}
		}
		rest = append(rest, n)
	}
	f, err := ev.compileFilters(s.Via, rest, s.Where, s.Directed, ends, endNames, true)
	if err != nil {
		return nil, err
	}
	if len(avoidStatus) > 0 {
		prev, l := f.search.Link, f.links
		f.search.Link = func(lk graph.Link) bool {
			return !avoidStatus[l.Strength(lk.Label).Status()] && (prev == nil || prev(lk))
		}
	}
	nr := &netRun{ev: ev, s: s, f: f, keep: map[int32]bool{}, directed: s.Directed, views: map[graph.Strength]*netView{}}
	for _, e := range ends {
		i := index(f.links, e)
		nr.ends = append(nr.ends, i)
		if i >= 0 {
			nr.keep[i] = true
			f.ends[i] = true // where's node conditions do not test the ends
		}
	}
	for n := range f.events {
		if !nr.keep[n] {
			nr.events = true
			break
		}
	}
	return nr, nil
}

// view is the statement's graph walking links stronger than below (0:
// every link).
func (nr *netRun) view(below graph.Strength) (*netView, error) {
	if v, ok := nr.views[below]; ok {
		return v, nil
	}
	search := nr.f.search
	search.Below = below
	search.Directed = nr.directed
	v, err := newView(nr.f.links, &search, nr.directed, nr.keep, nr.ev.charge)
	if err == nil && nr.f.err != nil {
		err = nr.f.err
	}
	if err != nil {
		return nil, nr.workErr(err)
	}
	nr.views[below] = v
	return v, nil
}

func (nr *netRun) workErr(err error) error {
	if err == errWorkSpent {
		return nr.ev.tooLarge(nr.s.At, "the "+nr.s.Move+" statement", "via, avoid, where, including")
	}
	return err
}

// globalBelow is the strength the statements that read the whole graph
// (rank, communities, components) walk: existing relations, stated or
// inferred, unless including says otherwise.
func (nr *netRun) globalBelow() graph.Strength {
	if nr.s.Including != "" {
		st, _ := graph.StatusStrength(nr.s.Including)
		return st + 2
	}
	return graph.StrengthAtRisk
}

// tiers are the strengths a pair's strongest paths are looked for in,
// strongest first, as path does; one, with including.
func (nr *netRun) tiers() []graph.Strength {
	if nr.s.Including != "" {
		return []graph.Strength{nr.globalBelow()}
	}
	var out []graph.Strength
	for t := graph.StrengthExisting; t < graph.StrengthLapsed; t++ {
		if nr.f.links.Has(t) {
			out = append(out, t+1)
		}
	}
	return out
}

// statusTiers are the strengths bridges looks for a path in: whole
// statuses (stated and inferred together), strongest first, as including
// names them; one, with including.
func (nr *netRun) statusTiers() []graph.Strength {
	if nr.s.Including != "" {
		return []graph.Strength{nr.globalBelow()}
	}
	var out []graph.Strength
	for t := graph.StrengthExisting; t < graph.StrengthLapsed; t += 2 {
		if nr.f.links.Has(t) || nr.f.links.Has(t+1) {
			out = append(out, t+2)
		}
	}
	return out
}

// walksNote says which relations a whole-graph statement walked.
func (nr *netRun) walksNote() string {
	below := nr.globalBelow()
	var s string
	if nr.s.Including == "" {
		s = "walking existing relations"
		weaker := false
		for t := graph.StrengthAtRisk; t < graph.StrengthLapsed; t++ {
			weaker = weaker || nr.f.links.Has(t)
		}
		if weaker {
			s += " (including proposed adds the weaker)"
		}
	} else {
		s = "walking relations down to " + (below - 1).Status()
	}
	if nr.events {
		s += "; events left out, as paths leave them"
	}
	return s
}

// limit is the most rows the statement returns.
func (nr *netRun) limit() (int, error) {
	if nr.s.Limit > 0 {
		return nr.s.Limit, nil
	}
	return nr.ev.opts.Limit, nil
}

// cut keeps the first rows of res, up to the statement's limit, and says
// so.
func (nr *netRun) cut(res *Result, what string) error {
	lim, err := nr.limit()
	if err != nil {
		return err
	}
	if len(res.Rows) > lim {
		res.Capped = true
		how := "(raise the row limit)"
		if nr.s.Limit > 0 {
			how = fmt.Sprintf("(limit %d)", nr.s.Limit)
		}
		res.Note = joinNote(fmt.Sprintf("showing the first %d of %d %s %s", lim, len(res.Rows), what, how), res.Note)
		res.Rows = res.Rows[:lim]
	}
	return nil
}

func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// round keeps four decimals of a score.
func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// ranked is a node with its score, for rows in rank order.
type ranked struct {
	n     int32
	score float64
	node  *Node
	key   string
}

// scored is a node and its score, before its rows are looked up.
type scored struct {
	n     int32
	score float64
}

// order sorts nodes by score, highest first, then by name and id, and
// returns the first keep of them: only those (and those tied with the
// last) are looked up, which on a large graph is most of the cost.
func (nr *netRun) order(scores map[int32]float64, keep int) ([]ranked, error) {
	list := make([]scored, 0, len(scores))
	for n, sc := range scores {
		list = append(list, scored{n, sc})
	}
	return nr.orderScored(list, keep)
}

// orderScored is order for scores in a slice, which it reorders.
func (nr *netRun) orderScored(list []scored, keep int) ([]ranked, error) {
	list = firstScored(list, keep)
	out := make([]ranked, len(list))
	for i, r := range list {
		out[i].n, out[i].score = r.n, r.score
	}
	for i := range out {
		if err := nr.ev.ctx.Err(); err != nil {
			return nil, err
		}
		node, err := nr.ev.node(nr.f.links.Node(out[i].n))
		if err != nil {
			return nil, err
		}
		out[i].node, out[i].key = node, strings.ToLower(node.Label())+"\x00"+IDString(node.ID)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].key < out[j].key
	})
	if keep < len(out) {
		out = out[:keep]
	}
	return out, nil
}

// pageRank is gonum's PageRankSparse (network.pageRankSparse) on the
// view's directed hops, read from its rows instead of through gonum's
// graph interface and maps: the same matrix, the same sums in the same
// order, the same random start and stopping rule, so the same ranks, a
// few times faster on a large graph, and cancellable between iterations.
// It returns the rank of each of v.nodes, in their order.
func pageRank(ctx context.Context, v *netView, damp, tol float64) ([]float64, error) {
	n := len(v.nodes)
	if n == 0 {
		return nil, nil
	}
	index := make([]int32, len(v.in)) // node number -> position in v.nodes
	for i, u := range v.nodes {
		index[u] = int32(i)
	}
	// share[j] is what node j passes along each of its hops; a node with
	// none (dangling) passes damp/n to every node.
	share := make([]float64, n)
	var dangling []int32
	df := damp / float64(n)
	for j, u := range v.nodes {
		if k := len(v.from(u)); k > 0 {
			share[j] = damp / float64(k)
		} else {
			dangling = append(dangling, int32(j))
		}
	}
	last := make([]float64, n)
	for i := range last {
		last[i] = 1
	}
	vec := make([]float64, n)
	var sum float64
	for i := range vec {
		r := rand.NormFloat64()
		sum += r
		vec[i] = r
	}
	f := 1 / sum
	for i := range vec {
		vec[i] *= f
	}
	dt := (1 - damp) / float64(n)
	cur, prev := vec, last
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cur, prev = prev, cur
		// Row i of the matrix: the hops into v.nodes[i], from sources in
		// ascending order (as gonum adds them, column by column).
		for i, x := range v.nodes {
			var s float64
			for _, u := range v.to(x) {
				j := index[u]
				s += prev[j] * share[j]
			}
			cur[i] = s
		}
		var with float64
		for _, j := range dangling {
			with += prev[j] * df
		}
		var away float64
		for _, x := range prev {
			away += dt * x
		}
		c := with + away
		for i := range cur {
			cur[i] += c
		}
		var d float64
		for i, x := range vec {
			e := x - last[i]
			d += e * e
		}
		if math.Sqrt(d) < tol {
			return cur, nil
		}
	}
}

// firstScored rounds the scores to four decimals and returns the first
// keep of list by score, highest first, then by node number, with those
// tied with the last of them; it reorders list.
func firstScored(list []scored, keep int) []scored {
	nan := false
	for i := range list {
		list[i].score = round(list[i].score)
		nan = nan || math.IsNaN(list[i].score)
	}
	switch {
	case keep <= 0:
		list = list[:0]
	case keep < len(list) && !nan:
		// The first keep and those tied with the last: every node scoring
		// at least the keep-th highest score, found without sorting them
		// all (a rank of the whole movie graph keeps 10 of 211,687).
		least := keepHighest(list, keep)
		sel := list[:0]
		for _, r := range list {
			if r.score >= least {
				sel = append(sel, r)
			}
		}
		list = sel
	}
	slices.SortFunc(list, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.n, b.n)
	})
	if keep < len(list) {
		// The first keep and those tied with the last: what the selection
		// kept, or, with scores that are not numbers (none of the measures
		// gives one), what the sort put first.
		end := keep
		for end < len(list) && keep > 0 && list[end].score == list[keep-1].score {
			end++
		}
		list = list[:end]
	}
	return list
}

// keepHighest returns the k-th highest score of rs (0 < k < len(rs)):
// the least of the k highest, kept in a heap whose root is that least.
func keepHighest(rs []scored, k int) float64 {
	h := make([]float64, 0, k)
	for _, r := range rs {
		x := r.score
		if len(h) < k {
			h = append(h, x)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if h[p] <= h[i] {
					break
				}
				h[p], h[i] = h[i], h[p]
				i = p
			}
			continue
		}
		if x <= h[0] {
			continue
		}
		h[0] = x
		for i := 0; ; {
			c := 2*i + 1
			if c >= k {
				break
			}
			if c+1 < k && h[c+1] < h[c] {
				c++
			}
			if h[i] <= h[c] {
				break
			}
			h[i], h[c] = h[c], h[i]
			i = c
		}
	}
	return h[0]
}

// rank answers "rank by MEASURE [type T]".
func (nr *netRun) rank() (*Result, error) {
	ev, s := nr.ev, nr.s
	// The nodes of rank's type, by their number in the link index: read
	// from the type predicates' quads, not node by node.
	var ofType []bool
	if s.Type != nil {
		typed, err := ev.db.TypedNodes(ev.ctx)
		if err != nil {
			return nil, err
		}
		types, err := ev.typeSet(s.Type, typed)
		if err != nil {
			return nil, err
		}
		ofType = make([]bool, nr.f.links.Len())
		for _, r := range typed.Nodes(func(t string) bool { return types[strings.ToLower(t)] }) {
			if i, ok := nr.f.links.Index(r); ok {
				ofType[i] = true
			}
		}
	}
	if s.Measure == "pagerank" {
		// PageRank reads where relations point: from subject to object
		// (the symmetric kinds both ways).
		nr.directed = true
	}
	v, err := nr.view(nr.globalBelow())
	if err != nil {
		return nil, err
	}
	var notes []string
	var list []scored
	switch s.Measure {
	case "degree":
		list = make([]scored, len(v.nodes))
		for i, n := range v.nodes {
			list[i] = scored{n, float64(v.degree(n))}
		}
	case "pagerank":
		// Charged its graph twice: the sparse matrix is built once, and
		// each iteration is a product with it.
		if err := ev.charge(2 * (len(v.nodes) + len(v.out))); err != nil {
			return nil, nr.workErr(err)
		}
		pr, err := pageRank(ev.ctx, v, pageRankDamping, pageRankTol)
		if err != nil {
			return nil, err
		}
		list = make([]scored, len(v.nodes))
		for i, n := range v.nodes {
			list[i] = scored{n, pr[i]}
		}
	case "betweenness", "closeness":
		var scores map[int32]float64
		k, exact := nr.sampleSize(v)
		if exact {
			if err := ev.charge(len(v.nodes) * (len(v.nodes) + len(v.out))); err != nil {
				return nil, nr.workErr(err)
			}
			if s.Measure == "betweenness" {
				half := 1.0
				if !v.directed {
					half = 0.5 // gonum counts each pair both ways
				}
				scores = map[int32]float64{}
				for id, x := range networkBetweenness(v) {
					scores[int32(id)] = x * half
				}
			} else {
				scores = closeness(v)
			}
		} else {
			sc, err := nr.sampled(v, k, s.Measure == "betweenness")
			if err != nil {
				return nil, err
			}
			scores = sc
			notes = append(notes, fmt.Sprintf("%s estimated from %d of %d sources chosen at random (seed %d): %s is exact on graphs of fewer nodes", s.Measure, k, len(v.nodes), sampleSeed, s.Measure))
		}
		// Every node of the view, 0 where the measure gave none.
		list = make([]scored, len(v.nodes))
		for i, n := range v.nodes {
			list[i] = scored{n, scores[n]}
		}
	}
	if ofType != nil {
		kept := list[:0]
		for _, r := range list {
			if ofType[r.n] {
				kept = append(kept, r)
			}
		}
		list = kept
	}
	total := len(list)
	lim, err := nr.limit()
	if err != nil {
		return nil, err
	}
	order, err := nr.orderScored(list, lim)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: "rank", Columns: []string{"rank", "node", "type", s.Measure}, Notes: append(nr.f.notes, notes...)}
	for i, r := range order {
		rk := i + 1
		if i > 0 && order[i-1].score == r.score {
			rk = int(res.Rows[i-1][0].(int64))
		}
		var score Value = r.score
		if s.Measure == "degree" || math.Abs(r.score) >= 1e5 {
			score = int64(math.Round(r.score)) // a count, or an estimate too large for decimals
		}
		res.Rows = append(res.Rows, []Value{int64(rk), r.node, typeText(r.node), score})
		nr.mark(res, r.node, Mark{Rank: rk, Score: r.score})
	}
	ns := make([]int32, len(order))
	for i, r := range order {
		ns[i] = r.n
	}
	if err := nr.linksAmong(res, v, ns); err != nil {
		return nil, err
	}
	res.Note = nr.walksNote()
	if len(notes) > 0 {
		res.Note = joinNote(notes[0], res.Note)
	}
	if total > len(res.Rows) {
		res.Capped = true
		how := "(raise the row limit)"
		if s.Limit > 0 {
			how = fmt.Sprintf("(limit %d)", s.Limit)
		}
		res.Note = joinNote(fmt.Sprintf("showing the first %d of %d entities %s", len(res.Rows), total, how), res.Note)
	}
	return res, nil
}

// typeSet resolves rank's type: the type and its subtypes, lower case.
// typed is the store's nodes by type.
func (ev *evaluator) typeSet(n *syntax.Name, typed *graph.TypedNodes) (map[string]bool, error) {
	known := map[string]string{}
	for _, t := range graph.TypeNames() {
		known[strings.ToLower(t)] = t
	}
	for _, t := range graph.Supertypes {
		known[strings.ToLower(t.Name)] = t.Name
	}
	for _, t := range typed.Names() {
		known[strings.ToLower(t)] = t
	}
	name, ok := known[strings.ToLower(n.Text)]
	if !ok {
		names := make([]string, 0, len(known))
		for _, t := range known {
			names = append(names, t)
		}
		sort.Strings(names)
		msg := fmt.Sprintf("unknown type %s", syntax.Echo(n.Text))
		if sugg := graph.Suggest(n.Text, names); len(sugg) > 0 {
			msg += " (did you mean " + strings.Join(sugg, ", ") + "?)"
		}
		return nil, ev.errAt(n.At, ErrUnknown, "%s", msg)
	}
	out := map[string]bool{strings.ToLower(name): true}
	if subs, ok := graph.SubtypesOf(name); ok {
		for _, t := range subs {
			out[strings.ToLower(t)] = true
		}
	}
	return out, nil
}

// sampleSize says whether betweenness and closeness can be exact within
// the work budget (every node a source), and otherwise how many sources
// to sample: as many as the budget allows, within minSample..maxSample.
func (nr *netRun) sampleSize(v *netView) (int, bool) {
	n, m := int64(len(v.nodes)), int64(len(v.out))
	budget := nr.ev.opts.MaxWork - nr.ev.work
	if n*(n+m) <= budget/2 && n <= 5000 {
		return int(n), true
	}
	// A sampled walk is charged the nodes it reaches.
	k := budget / (2*n + 1)
	return int(max(min(k, maxSample, n), min(minSample, n))), false
}

// networkBetweenness is gonum's betweenness of the view: each ordered
// pair of nodes counted (both ways, when undirected).
func networkBetweenness(v *netView) map[int64]float64 { return network.Betweenness(v.gonum()) }

// closeness is gonum's closeness (one over the sum of the distances from
// the nodes that reach a node) scaled by the share of the graph that
// reaches it (Wasserman and Faust), so that a node of a small component
// does not rank above the well connected.
func closeness(v *netView) map[int32]float64 {
	g := v.gonum()
	all := path.DijkstraAllPaths(g)
	c := network.Closeness(g, all)
	n := float64(len(v.nodes))
	out := make(map[int32]float64, len(c))
	for id, x := range c {
		r := 0.0
		for _, u := range v.nodes {
			if int64(u) != id && !math.IsInf(all.Weight(int64(u), id), 0) {
				r++
			}
		}
		if r == 0 || n < 2 || math.IsInf(x, 0) {
			out[int32(id)] = 0
			continue
		}
		out[int32(id)] = x * r * r / (n - 1)
	}
	return out
}

// sampled estimates betweenness (Brandes' accumulation) or closeness
// from breadth-first walks out of k sources chosen at random — gonum has
// no sampled measures. The estimates are scaled to the whole graph.
func (nr *netRun) sampled(v *netView, k int, betweenness bool) (map[int32]float64, error) {
	rng := rand.New(rand.NewPCG(sampleSeed, sampleSeed))
	perm := rng.Perm(len(v.nodes))
	n := len(v.in)
	dist := make([]int32, n)
	sigma := make([]float64, n)
	delta := make([]float64, n)
	score := make([]float64, n)
	sumd := make([]float64, n)
	reach := make([]float64, n)
	for i := range dist {
		dist[i] = -1
	}
	var order []int32
	for _, pi := range perm[:k] {
		src := v.nodes[pi]
		order = order[:0]
		dist[src], sigma[src] = 0, 1
		order = append(order, src)
		for head := 0; head < len(order); head++ {
			u := order[head]
			for _, x := range v.from(u) {
				if dist[x] < 0 {
					dist[x] = dist[u] + 1
					order = append(order, x)
				}
				if dist[x] == dist[u]+1 {
					sigma[x] += sigma[u]
				}
			}
		}
		if err := nr.ev.charge(len(order) + 1); err != nil {
			return nil, nr.workErr(err)
		}
		for i := len(order) - 1; i >= 0; i-- {
			w := order[i]
			if betweenness {
				for _, u := range v.to(w) {
					if dist[u] >= 0 && dist[u] == dist[w]-1 {
						delta[u] += sigma[u] / sigma[w] * (1 + delta[w])
					}
				}
				if w != src {
					score[w] += delta[w]
				}
			} else if w != src {
				sumd[w] += float64(dist[w])
				reach[w]++
			}
		}
		for _, w := range order {
			dist[w], sigma[w], delta[w] = -1, 0, 0
		}
	}
	total := float64(len(v.nodes))
	scale := total / float64(k)
	out := make(map[int32]float64, len(v.nodes))
	for _, u := range v.nodes {
		if betweenness {
			x := score[u] * scale
			if !v.directed {
				x /= 2
			}
			out[u] = x
			continue
		}
		if reach[u] == 0 || total < 2 {
			out[u] = 0
			continue
		}
		r := reach[u] * scale
		out[u] = r * r / ((total - 1) * sumd[u] * scale)
	}
	return out, nil
}

// communities answers "communities": Louvain's partition of the graph
// (louvain.go), the best of several seeded runs, the communities of two
// or more members largest first, each with its members and the kinds of
// the relations inside it.
func (nr *netRun) communities() (*Result, error) {
	ev := nr.ev
	v, err := nr.view(nr.globalBelow())
	if err != nil {
		return nil, err
	}
	// Louvain reads only the nodes with a link: those without are alone
	// anyway, and on a graph narrowed by via they are most of it.
	isolated := map[int32]bool{}
	for _, n := range v.nodes {
		if len(v.from(n)) == 0 && len(v.to(n)) == 0 {
			isolated[n] = true
		}
	}
	if len(isolated) > 0 {
		v = v.without(isolated, nil)
	}
	// Each pair of entities weighs the number of relations between them.
	lg, err := louvainOf(v, ev.charge)
	if err != nil {
		return nil, nr.workErr(err)
	}
	// As many runs as the work budget allows, up to communityRuns; the
	// partition of highest modularity, the first found on a tie. The
	// first run must finish within the budget; a later one that would
	// not (as the run before it cost) is not started, and one that runs
	// out of work all the same is dropped.
	var best []int32
	q := math.Inf(-1)
	runs := 0
	var last int64
	if lg.m == 0 {
		// No relations between the entities: each is alone.
		best, q = make([]int32, lg.len()), 0
		for i := range best {
			best[i] = int32(i)
		}
	}
	for seed := uint64(1); seed <= communityRuns && lg.m > 0; seed++ {
		if runs > 0 && ev.work+last > ev.opts.MaxWork {
			break
		}
		charge := ev.charge
		if runs > 0 {
			charge = func(n int) error {
				if ev.work+int64(n) > ev.opts.MaxWork {
					return errRunOver
				}
				return ev.charge(n)
			}
		}
		before := ev.work
		c, err := louvain(lg, communityResolution, rand.New(rand.NewPCG(seed, seed)), charge)
		if errors.Is(err, errRunOver) {
			break
		}
		if err != nil {
			return nil, nr.workErr(err)
		}
		runs++
		last = ev.work - before
		if cq := lg.modularity(c, communityResolution); cq > q+1e-12 {
			best, q = c, cq
		}
	}
	comms := make([][]gg.Node, lg.len())
	for i, x := range best {
		comms[x] = append(comms[x], gnode(v.nodes[i]))
	}
	lim, err := nr.limit()
	if err != nil {
		return nil, err
	}
	groups, total, alone, err := nr.groups(comms, lim)
	if err != nil {
		return nil, err
	}
	alone += len(isolated)
	res := &Result{Kind: "communities", Columns: []string{"community", "size", "members", "kinds"}, Notes: nr.f.notes}
	for i, grp := range groups {
		members := memberList(grp)
		inside := map[int32]bool{}
		for _, n := range grp.all {
			inside[n] = true
		}
		kinds := map[string]int{}
		for _, n := range grp.all {
			for _, e := range v.l.Out(n) {
				lk := graph.Link{From: n, To: e.Other, Pred: e.Pred, Label: e.Label}
				if inside[e.Other] && e.Other != n && v.w.allowed(lk, false) {
					kinds[graph.ShortName(v.l.Preds[e.Pred])]++
					if len(res.Extra) < maxExtra {
						rel, err := ev.relation(lk)
						if err != nil {
							return nil, err
						}
						res.Extra = append(res.Extra, rel)
					}
				}
			}
		}
		res.Rows = append(res.Rows, []Value{int64(i + 1), int64(grp.size), members, kindList(kinds)})
		if err := nr.markGroup(res, grp, i+1); err != nil {
			return nil, err
		}
	}
	switch runs {
	case 0:
		res.Note = "no relations between the entities: no communities"
	case 1:
		res.Note = fmt.Sprintf("modularity %.3f: one run of Louvain (seed 1, resolution %g, the relations between two entities as the weight of their link; the work budget allows no more)", q, communityResolution)
	default:
		res.Note = fmt.Sprintf("modularity %.3f: the best of %d runs of Louvain (seeds 1–%d, resolution %g, the relations between two entities as the weight of their link)", q, runs, runs, communityResolution)
	}
	if alone > 0 {
		res.Note += fmt.Sprintf("; %s no relation to the others", plural(alone, "entity has", "entities have"))
	}
	res.Note = joinNote(res.Note, nr.walksNote())
	nr.capped(res, total, "communities")
	return res, nil
}

// maxExtra is the most relations a network answer carries for an export
// beside its rows (Result.Extra), and the most nodes it marks.
const maxExtra = 5000

// mark records what the statement found of a node, for exports.
func (nr *netRun) mark(res *Result, n *Node, m Mark) {
	if res.Marks == nil {
		res.Marks = map[string]Mark{}
	}
	if len(res.Marks) < maxExtra {
		res.Marks[IDString(n.ID)] = m
	}
}

// describeAll describes the nodes ns ahead of their use (evaluator's
// describeAll).
func (nr *netRun) describeAll(ns []int32) error {
	refs := make([]cgraph.Ref, len(ns))
	for i, n := range ns {
		refs[i] = nr.f.links.Node(n)
	}
	return nr.ev.describeAll(refs)
}

// markGroup marks the members of a community or component with its
// number.
func (nr *netRun) markGroup(res *Result, g grouped, number int) error {
	if err := nr.describeAll(g.all[:max(0, min(len(g.all), maxExtra-len(res.Marks)))]); err != nil {
		return err
	}
	for _, n := range g.all {
		if len(res.Marks) >= maxExtra {
			return nil
		}
		node, err := nr.ev.node(nr.f.links.Node(n))
		if err != nil {
			return err
		}
		nr.mark(res, node, Mark{Group: number})
	}
	return nil
}

// linksAmong adds to the answer's Extra the relations the view allows
// between the given nodes, so that an export draws them.
func (nr *netRun) linksAmong(res *Result, v *netView, ns []int32) error {
	in := make(map[int32]bool, len(ns))
	for _, n := range ns {
		in[n] = true
	}
	var lks []graph.Link
	var ends []int32
collect:
	for _, n := range ns {
		for _, e := range v.l.Out(n) {
			if len(res.Extra)+len(lks) >= maxExtra {
				break collect
			}
			lk := graph.Link{From: n, To: e.Other, Pred: e.Pred, Label: e.Label}
			if in[e.Other] && e.Other != n && v.in[e.Other] && v.w.allowed(lk, false) {
				lks = append(lks, lk)
				ends = append(ends, n, e.Other)
			}
		}
	}
	if err := nr.describeAll(ends); err != nil {
		return err
	}
	for _, lk := range lks {
		rel, err := nr.ev.relation(lk)
		if err != nil {
			return err
		}
		res.Extra = append(res.Extra, rel)
	}
	return nil
}

// memberList is a group's members as a row shows them, with "… and N
// more" after the first maxMembers.
func memberList(g grouped) List {
	members := make(List, 0, len(g.members)+1)
	for _, r := range g.members {
		members = append(members, r.node)
	}
	if g.size > len(g.members) {
		members = append(members, fmt.Sprintf("… and %d more", g.size-len(g.members)))
	}
	return members
}

// capped says, when the rows are fewer than total, that the answer
// shows the first of them.
func (nr *netRun) capped(res *Result, total int, what string) {
	if total <= len(res.Rows) {
		return
	}
	res.Capped = true
	how := "(raise the row limit)"
	if nr.s.Limit > 0 {
		how = fmt.Sprintf("(limit %d)", nr.s.Limit)
	}
	res.Note = joinNote(fmt.Sprintf("showing the first %d of %d %s %s", len(res.Rows), total, what, how), res.Note)
}

// kindList lists relation kinds by count, most first: partner ×3.
func kindList(kinds map[string]int) List {
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if kinds[names[i]] != kinds[names[j]] {
			return kinds[names[i]] > kinds[names[j]]
		}
		return names[i] < names[j]
	})
	out := make(List, len(names))
	for i, k := range names {
		out[i] = fmt.Sprintf("%s ×%d", k, kinds[k])
	}
	return out
}

// groups orders gonum's node sets, largest first, then by their first
// member, and returns the first keep of those of two or more nodes (and
// how many there are, and how many nodes are alone). Members are by name;
// of a set of more than maxMembers, its maxMembers best connected.
func (nr *netRun) groups(sets [][]gg.Node, keep int) (out []grouped, total, alone int, err error) {
	for _, set := range sets {
		if len(set) < 2 {
			alone += len(set)
			continue
		}
		g := grouped{size: len(set)}
		for _, n := range set {
			g.all = append(g.all, int32(n.ID()))
		}
		slices.Sort(g.all)
		out = append(out, g)
	}
	total = len(out)
	// Sizes first: only the sets kept (and those as large as the last)
	// have their members looked up.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].size != out[j].size {
			return out[i].size > out[j].size
		}
		return out[i].all[0] < out[j].all[0]
	})
	if keep < len(out) {
		end := keep
		for end < len(out) && keep > 0 && out[end].size == out[keep-1].size {
			end++
		}
		out = out[:end]
	}
	// The members the answer names and marks, described at once (a batch
	// where that saves round trips: describeAll).
	var marked []int32
	for _, g := range out {
		if len(marked) >= maxExtra {
			break
		}
		marked = append(marked, g.all[:min(len(g.all), maxExtra-len(marked))]...)
	}
	if err := nr.describeAll(marked); err != nil {
		return nil, 0, 0, err
	}
	v := nr.views[nr.globalBelow()]
	for i := range out {
		scores := make(map[int32]float64, out[i].size)
		for _, n := range out[i].all {
			scores[n] = 0
			if out[i].size > maxMembers {
				scores[n] = float64(len(v.from(n)))
			}
		}
		if out[i].members, err = nr.order(scores, maxMembers); err != nil {
			return nil, 0, 0, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].size != out[j].size {
			return out[i].size > out[j].size
		}
		return out[i].members[0].key < out[j].members[0].key
	})
	if keep < len(out) {
		out = out[:keep]
	}
	return out, total, alone, nil
}

// grouped is a community or component: its first members (all of them,
// by name, up to maxMembers; else the best connected) and its size.
type grouped struct {
	members []ranked
	size    int
	all     []int32
}

// components answers "components": the connected components (strongly
// connected, when directed), largest first.
func (nr *netRun) components() (*Result, error) {
	ev := nr.ev
	v, err := nr.view(nr.globalBelow())
	if err != nil {
		return nil, err
	}
	if err := ev.charge(len(v.nodes) + len(v.out)); err != nil {
		return nil, nr.workErr(err)
	}
	var sets [][]gg.Node
	for _, part := range v.parts() {
		set := make([]gg.Node, len(part))
		for i, n := range part {
			set[i] = gnode(n)
		}
		sets = append(sets, set)
	}
	lim, err := nr.limit()
	if err != nil {
		return nil, err
	}
	groups, total, alone, err := nr.groups(sets, lim)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: "components", Columns: []string{"component", "size", "members"}, Notes: nr.f.notes}
	for i, grp := range groups {
		res.Rows = append(res.Rows, []Value{int64(i + 1), int64(grp.size), memberList(grp)})
		if err := nr.markGroup(res, grp, i+1); err != nil {
			return nil, err
		}
		if err := nr.linksAmong(res, v, grp.all); err != nil {
			return nil, err
		}
	}
	if alone > 0 {
		res.Note = fmt.Sprintf("%s no relation to any other", plural(alone, "entity has", "entities have"))
	}
	res.Note = joinNote(res.Note, nr.walksNote())
	nr.capped(res, total, "components")
	return res, nil
}

// brokers answers "brokers between A and B": for each pair of an entity
// of A and one of B, the strongest shortest paths between them, as path
// finds them (the strongest links that join them, within its default max
// of hops), enumerated by gonum; each entity inside those paths scores,
// for each pair, the share of the pair's paths it lies on — betweenness
// restricted to those pairs.
func (nr *netRun) brokers() (*Result, error) {
	ev, s := nr.ev, nr.s
	na := len(s.From)
	type carried struct {
		score float64
		paths []*Path
		pairs int
	}
	by := map[int32]*carried{}
	var notes []string
	pairs, found := 0, 0
	total := 0
	cache := map[[2]int64]path.ShortestAlts{}
	hopsByTier := map[graph.Strength]map[[2]int32]Hop{}
	for i, a := range nr.ends[:na] {
		for j, b := range nr.ends[na:] {
			if a == b && a >= 0 {
				continue
			}
			pairs++
			if a < 0 || b < 0 {
				lone := s.From[i]
				if b < 0 {
					lone = s.To[j]
				}
				notes = append(notes, fmt.Sprintf("%s has no links", lone.Text))
				continue
			}
			var nodePaths [][]gg.Node
			var tier graph.Strength
			for _, t := range nr.tiers() {
				v, err := nr.view(t)
				if err != nil {
					return nil, err
				}
				key := [2]int64{int64(a), int64(t)}
				sp, ok := cache[key]
				if !ok {
					if err := ev.charge(len(v.nodes) + len(v.out)); err != nil {
						return nil, nr.workErr(err)
					}
					sp = path.DijkstraAllFrom(gnode(a), v.gonum())
					cache[key] = sp
				}
				if w := sp.WeightTo(int64(b)); math.IsInf(w, 1) || w > DefaultPathMax {
					continue
				}
				// Enumerate only what can be: count the paths first.
				if n := countShortest(v, sp, b); n > maxBrokerPaths {
					return nil, ev.errAt(s.At, graph.ErrSearchTooLarge, "there are %.0f strongest paths from %s to %s, more than brokers lists (%d): narrow it (via, avoid, where)", n, s.From[i].Text, s.To[j].Text, maxBrokerPaths)
				}
				if err := ev.charge(len(v.nodes)); err != nil {
					return nil, nr.workErr(err)
				}
				nodePaths, _ = sp.AllTo(int64(b))
				tier = t
				break
			}
			if len(nodePaths) == 0 {
				notes = append(notes, fmt.Sprintf("no path from %s to %s within %d hops", s.From[i].Text, s.To[j].Text, DefaultPathMax))
				continue
			}
			found++
			total += len(nodePaths)
			search := nr.views[tier].w.s
			w := &walker{l: nr.f.links, s: search, from: a, to: b}
			if hopsByTier[tier] == nil {
				hopsByTier[tier] = map[[2]int32]Hop{}
			}
			share := 1 / float64(len(nodePaths))
			seen := map[int32]bool{}
			for _, np := range nodePaths {
				ns := make([]int32, len(np))
				for k, n := range np {
					ns[k] = int32(n.ID())
				}
				p, err := ev.pathOf(w.nodePath(ns), hopsByTier[tier])
				if err != nil {
					return nil, err
				}
				for _, n := range ns[1 : len(ns)-1] {
					c := by[n]
					if c == nil {
						c = &carried{}
						by[n] = c
					}
					c.score += share
					c.paths = append(c.paths, p)
					if !seen[n] {
						seen[n] = true
						c.pairs++
					}
				}
			}
		}
	}
	scores := make(map[int32]float64, len(by))
	for n, c := range by {
		scores[n] = c.score
	}
	order, err := nr.order(scores, len(scores))
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: "brokers", Columns: []string{"rank", "node", "type", "score", "share", "paths"}, Notes: append(nr.f.notes, notes...)}
	for i, r := range order {
		rk := i + 1
		if i > 0 && order[i-1].score == r.score {
			rk = int(res.Rows[i-1][0].(int64))
		}
		c := by[r.n]
		sortPaths(c.paths)
		ps := make(List, len(c.paths))
		for k, p := range c.paths {
			ps[k] = p
		}
		res.Rows = append(res.Rows, []Value{int64(rk), r.node, typeText(r.node), r.score, fmt.Sprintf("%d of %d paths", len(c.paths), total), ps})
		nr.mark(res, r.node, Mark{Rank: rk, Score: r.score})
	}
	what := fmt.Sprintf("%s between them, %s", plural(found, "pair linked", "pairs linked"), plural(total, "strongest path", "strongest paths"))
	if pairs == 1 {
		what = plural(total, "strongest path", "strongest paths")
	}
	switch {
	case found == 0:
		res.Note = "no path between them"
	case len(order) == 0 && pairs == 1:
		res.Note = what + fmt.Sprintf(": %s and %s are linked directly, with no one between them", s.From[0].Text, s.To[0].Text)
	case len(order) == 0:
		res.Note = what + ": none passes through another entity"
	default:
		res.Note = what
	}
	if s.Including != "" {
		res.Note += ", walking relations down to " + s.Including
	}
	for _, n := range notes {
		res.Note = joinNote(res.Note, n)
	}
	return res, nr.cut(res, "brokers")
}

// maxBrokerPaths is the most shortest paths brokers enumerates for one
// pair.
const maxBrokerPaths = 10_000

// countShortest counts the shortest paths to b that gonum's search from
// a found (sp), layer by layer — so that AllTo is not asked to list
// millions.
func countShortest(v *netView, sp path.ShortestAlts, b int32) float64 {
	db := sp.WeightTo(int64(b))
	layers := make([][]int32, int(db)+1)
	for _, n := range v.nodes {
		if w := sp.WeightTo(int64(n)); !math.IsInf(w, 1) && w <= db {
			layers[int(w)] = append(layers[int(w)], n)
		}
	}
	sigma := map[int32]float64{}
	for _, n := range layers[0] {
		sigma[n] = 1
	}
	for d := 1; d <= int(db); d++ {
		for _, x := range layers[d] {
			for _, u := range v.to(x) {
				if w := sp.WeightTo(int64(u)); w == float64(d-1) {
					sigma[x] += sigma[u]
				}
			}
		}
	}
	return sigma[b]
}

// bridges answers "bridges A to B": the entities and the relations whose
// removal cuts A from B. Single entities are the dominators of B in a
// walk from A (gonum's flow.Dominators); the fewest entities and the
// fewest relations that cut them are maximum flows (gonum's
// network.MaxFlowDinic), and a smallest cut is found by taking out, in
// name order, each candidate whose removal lowers the flow by its
// capacity.
func (nr *netRun) bridges() (*Result, error) {
	ev, s := nr.ev, nr.s
	res := &Result{Kind: "bridges", Columns: []string{"cut", "size", "what"}, Notes: nr.f.notes}
	src, dst := nr.ends[0], nr.ends[1]
	if src < 0 || dst < 0 {
		lone := s.From[0]
		if dst < 0 {
			lone = s.To[0]
		}
		res.Note = fmt.Sprintf("nothing to cut: %s has no links", lone.Text)
		return res, nil
	}
	if src == dst {
		return nil, ev.errAt(s.To[0].At, ErrInvalid, "%s and %s are the same entity: there is nothing to cut", s.From[0], s.To[0])
	}
	var v *netView
	var tier graph.Strength
	for _, t := range nr.statusTiers() {
		tv, err := nr.view(t)
		if err != nil {
			return nil, err
		}
		if err := ev.charge(len(tv.nodes) + len(tv.out)); err != nil {
			return nil, nr.workErr(err)
		}
		if topo.PathExistsIn(tv.gonum(), gnode(src), gnode(dst)) {
			v, tier = tv, t
			break
		}
	}
	if v == nil {
		res.Note = fmt.Sprintf("nothing to cut: no path from %s to %s", s.From[0].Text, s.To[0].Text)
		return res, nil
	}
	walks := "walking existing relations"
	if tier > graph.StrengthAtRisk {
		walks = "walking relations down to " + (tier - 1).Status()
		if nr.s.Including == "" {
			walks += ", the strongest that link them"
		}
	}
	// Entities: those that lie on every path (dominators), then the size
	// of the smallest set that cuts, and one such set.
	adjacent := v.hasHop(src, dst)
	arcs, err := arcsOf(v, ev.charge)
	if err != nil {
		return nil, nr.workErr(err)
	}
	var nodeCut int
	var singles, nodeSet []int32
	if !adjacent {
		dt := flow.Dominators(gnode(src), directed{v})
		for d := dt.DominatorOf(int64(dst)); d != nil && d.ID() != int64(src); d = dt.DominatorOf(d.ID()) {
			singles = append(singles, int32(d.ID()))
		}
		if nodeCut, nodeSet, err = nr.vertexCut(v, arcs, src, dst); err != nil {
			return nil, err
		}
	}
	order := func(ns []int32) ([]ranked, error) {
		sc := make(map[int32]float64, len(ns))
		for _, n := range ns {
			sc[n] = 0
		}
		return nr.order(sc, len(sc))
	}
	if len(singles) > 0 {
		rs, err := order(singles)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			res.Rows = append(res.Rows, []Value{"entity", int64(1), r.node})
		}
	} else if nodeCut > 1 {
		// One smallest set, as the flow found it (the one nearest the
		// first entity), ranked.
		rs, err := order(nodeSet)
		if err != nil {
			return nil, err
		}
		var cut List
		for _, r := range rs {
			cut = append(cut, r.node)
		}
		res.Rows = append(res.Rows, []Value{"entities", int64(nodeCut), cut})
	}
	// Relations: the fewest whose removal cuts the two.
	relCut, relHops, err := nr.relationCut(v, arcs, src, dst)
	if err != nil {
		return nil, err
	}
	if relCut == 1 {
		lks, err := nr.singleRelations(v, src, dst)
		if err != nil {
			return nil, err
		}
		for _, lk := range lks {
			rel, err := ev.relation(lk)
			if err != nil {
				return nil, err
			}
			res.Rows = append(res.Rows, []Value{"relation", int64(1), rel})
		}
	} else if relCut > 1 {
		// One smallest set, as the flow found it.
		var cut List
		for _, h := range relHops {
			for _, lk := range v.w.step(h[0], h[1]) {
				rel, err := ev.relation(lk)
				if err != nil {
					return nil, err
				}
				cut = append(cut, rel)
			}
		}
		res.Rows = append(res.Rows, []Value{"relations", int64(relCut), cut})
	}
	from, to := s.From[0].Text, s.To[0].Text
	var parts []string
	switch {
	case adjacent:
		parts = append(parts, fmt.Sprintf("%s and %s are linked directly: no entity between them cuts them apart", from, to))
	case len(singles) > 0:
		parts = append(parts, fmt.Sprintf("%s alone %s %s to %s", plural(len(singles), "entity", "entities"), map[bool]string{true: "links", false: "each link"}[len(singles) == 1], from, to))
	default:
		parts = append(parts, fmt.Sprintf("no one entity links %s to %s: it takes %d to cut them", from, to, nodeCut))
	}
	parts = append(parts, fmt.Sprintf("the fewest relations that cut them: %d", relCut))
	res.Note = strings.Join(parts, "; ") + " (" + walks + ")"
	return res, nil
}

// singleRelations lists the relations of view v that each cut dst from
// src alone, in the order of a shortest path between them: one that
// does lies on every path (the only relation of one of its hops).
func (nr *netRun) singleRelations(v *netView, src, dst int32) ([]graph.Link, error) {
	var out []graph.Link
	path := v.shortestPath(src, dst)
	for k := 0; k+1 < len(path); k++ {
		h := [2]int32{path[k], path[k+1]}
		if v.mult(h[0], h[1]) != 1 {
			continue
		}
		if err := nr.ev.charge(len(v.nodes) + len(v.out)); err != nil {
			return nil, nr.workErr(err)
		}
		if !topo.PathExistsIn(v.without(nil, map[[2]int32]bool{h: true}).gonum(), gnode(src), gnode(dst)) {
			out = append(out, v.w.step(h[0], h[1])[0])
		}
	}
	return out, nil
}
