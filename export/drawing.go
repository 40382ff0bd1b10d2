package export

import (
	"fmt"
	"sort"
	"strings"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
)

// A drawing is what a picture shows of a subgraph: its nodes, and its
// relations as lines — one line per pair of nodes, standing for every
// relation between the two, unless Options.AllEdges asks for one line per
// relation — with the layout that suits the answer.
type drawing struct {
	nodes  []*query.Node
	edges  []*drawEdge
	layout string
	// root is the centre of a radial layout (the entity of a card or a
	// neighbourhood); from and to are the ends every path shares, drawn
	// first and last.
	root, from, to *query.Node
}

// A drawEdge is one line: the relations between tail and head (in either
// direction), drawn from tail to head.
type drawEdge struct {
	tail, head *query.Node
	rels       []*query.Relation
}

// strength is the strongest strength among the line's relations.
func (e *drawEdge) strength() graph.Strength {
	best := graph.NumStrengths
	for _, r := range e.rels {
		if s := graph.StrengthOf(r.Qualifier("status"), r.Qualifier("basis")); s < best {
			best = s
		}
	}
	if best == graph.NumStrengths {
		return graph.StrengthExisting
	}
	return best
}

// status is the line's status: the status of its strongest relation.
func (e *drawEdge) status() string { return e.strength().Status() }

// dir is Graphviz's dir of the line drawn from tail to head: forward
// when every relation goes from tail to head, back when every one goes
// from head to tail, both otherwise.
func (e *drawEdge) dir(tail, head *query.Node) string {
	fwd, back := false, false
	for _, r := range e.rels {
		if r.From.ID == tail.ID && r.To.ID == head.ID {
			fwd = true
		} else {
			back = true
		}
	}
	switch {
	case fwd && back:
		return "both"
	case back:
		return "back"
	}
	return "forward"
}

// label names the kinds of the line's relations, one a line, in the order
// they come, with a count where several share a kind ("tariff_exposure
// ×3") and the sectors they name.
func (e *drawEdge) label() string {
	type kind struct {
		name    string
		n       int
		sectors []string
	}
	var kinds []*kind
	byName := map[string]*kind{}
	for _, r := range e.rels {
		k := byName[r.Kind]
		if k == nil {
			k = &kind{name: r.Kind}
			byName[r.Kind] = k
			kinds = append(kinds, k)
		}
		k.n++
		if s := r.Qualifier("sector"); s != "" && !contains(k.sectors, s) {
			k.sectors = append(k.sectors, s)
		}
	}
	var lines []string
	for _, k := range kinds {
		l := k.name
		if k.n > 1 {
			l += fmt.Sprintf(" ×%d", k.n)
		}
		lines = append(lines, l)
		if len(k.sectors) > 0 {
			lines = append(lines, wrap("("+strings.Join(k.sectors, ", ")+")", 28)...)
		}
	}
	return strings.Join(lines, "\n")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pairKey names the pair of nodes a relation joins, whichever way it goes.
func pairKey(a, b *query.Node) string {
	x, y := nodeID(a), nodeID(b)
	if x > y {
		x, y = y, x
	}
	return x + "\x00" + y
}

// drawingOf makes the drawing of an answer's subgraph.
func drawingOf(res *query.Result, sg *Subgraph, o *Options) *drawing {
	d := &drawing{nodes: sg.Nodes}
	paths := pathsOf(res)
	byPair := map[string]*drawEdge{}
	add := func(r *query.Relation, tail, head *query.Node) {
		k := pairKey(r.From, r.To)
		if o.AllEdges {
			k = relKey(r)
		}
		if e := byPair[k]; e != nil {
			for _, x := range e.rels {
				if relKey(x) == relKey(r) {
					return
				}
			}
			e.rels = append(e.rels, r)
			return
		}
		e := &drawEdge{tail: tail, head: head, rels: []*query.Relation{r}}
		byPair[k] = e
		d.edges = append(d.edges, e)
	}
	// The hops of paths first, each drawn the way the path goes, so that
	// a left-to-right layout draws every path in order.
	for _, p := range paths {
		for i, h := range p.Hops {
			if i+1 >= len(p.Nodes) {
				break
			}
			a, b := p.Nodes[i], p.Nodes[i+1]
			for _, r := range append([]*query.Relation{h.Rel}, h.Also...) {
				if r != nil {
					add(r, a, b)
				}
			}
		}
	}
	for _, r := range sg.Relations {
		add(r, r.From, r.To)
	}
	d.from, d.to = pathEnds(paths)
	d.root = rootOf(res, sg)
	d.layout = o.Layout
	if d.layout == "" {
		d.layout = layoutFor(res, len(sg.Nodes), len(paths) > 0)
	}
	return d
}

// pathsOf lists the paths of an answer (paths, compare, match rows).
func pathsOf(res *query.Result) []*query.Path {
	var out []*query.Path
	var walk func(v query.Value)
	walk = func(v query.Value) {
		switch v := v.(type) {
		case *query.Path:
			out = append(out, v)
		case query.List:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, row := range res.Rows {
		for _, v := range row {
			walk(v)
		}
	}
	return out
}

// pathEnds are the first and last nodes of the paths, when every path
// has the same two.
func pathEnds(paths []*query.Path) (from, to *query.Node) {
	for i, p := range paths {
		if len(p.Nodes) < 2 {
			return nil, nil
		}
		a, b := p.Nodes[0], p.Nodes[len(p.Nodes)-1]
		if i == 0 {
			from, to = a, b
		} else if a.ID != from.ID || b.ID != to.ID {
			return nil, nil
		}
	}
	if from != nil && from.ID == to.ID {
		return nil, nil
	}
	return from, to
}

// rootOf is the entity an answer is about: a card's entity, the centre of
// a neighbourhood (the node every relation of depth 1 names).
func rootOf(res *query.Result, sg *Subgraph) *query.Node {
	if res.Entity != nil {
		return res.Entity
	}
	if res.Kind != "neighbors" {
		return nil
	}
	count := map[string]int{}
	byID := map[string]*query.Node{}
	for _, r := range sg.Relations {
		for _, n := range []*query.Node{r.From, r.To} {
			count[nodeID(n)]++
			byID[nodeID(n)] = n
		}
	}
	var best *query.Node
	for _, n := range sg.Nodes {
		if best == nil || count[nodeID(n)] > count[nodeID(best)] {
			best = byID[nodeID(n)]
		}
	}
	return best
}

// The layout engines of Graphviz a picture may use.
var Layouts = []string{"dot", "twopi", "neato", "sfdp", "circo", "fdp"}

// ParseLayout checks a layout engine's name.
func ParseLayout(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if contains(Layouts, s) {
		return s, nil
	}
	return "", fmt.Errorf("%w %q (%s)", ErrLayout, s, strings.Join(Layouts, ", "))
}

// layoutFor chooses the layout that suits the answer: ranks from left to
// right for paths, a comparison and a why; a radial layout around the
// entity of a card or a neighbourhood; a force-directed one for the rest
// (sfdp when it is large).
func layoutFor(res *query.Result, nodes int, hasPaths bool) string {
	switch {
	case res.Kind == "path" || res.Kind == "paths" || res.Kind == "compare" || res.Kind == "why" || hasPaths:
		return "dot"
	case res.Kind == "neighbors" || res.Kind == "show":
		return "twopi"
	case nodes > 100:
		return "sfdp"
	}
	return "neato"
}

// legend lists what the drawing's marks mean: the types of its nodes (in
// the palette's order, then any others by name) and the statuses of its
// lines (strongest first).
func (d *drawing) legend() (types, statuses []string, merged bool) {
	seenT := map[string]bool{}
	for _, n := range d.nodes {
		seenT[nodeType(n)] = true
	}
	for _, t := range typeOrder {
		if seenT[t] {
			types = append(types, t)
			delete(seenT, t)
		}
	}
	var rest []string
	for t := range seenT {
		rest = append(rest, t)
	}
	sort.Strings(rest)
	types = append(types, rest...)
	seenS := map[string]bool{}
	for _, e := range d.edges {
		seenS[e.status()] = true
		if len(e.rels) > 1 {
			merged = true
		}
	}
	for _, s := range statusOrder {
		if seenS[s] {
			statuses = append(statuses, s)
		}
	}
	return types, statuses, merged
}

// sources lists the sources of the evidence the drawing's lines carry.
func (d *drawing) sources() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range d.edges {
		for _, r := range e.rels {
			for _, ev := range r.Evidence {
				if ev.Source != "" && !seen[ev.Source] {
					seen[ev.Source] = true
					out = append(out, ev.Source)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// nodeType is the type a node is drawn as: its first, or "untyped".
func nodeType(n *query.Node) string {
	if len(n.Types) > 0 {
		return n.Types[0]
	}
	return "untyped"
}

// wrap breaks text into lines of at most width characters, at spaces (a
// longer word stays whole).
func wrap(s string, width int) []string {
	words := strings.Fields(s)
	var lines []string
	cur := ""
	for _, w := range words {
		switch {
		case cur == "":
			cur = w
		case len([]rune(cur))+1+len([]rune(w)) <= width:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}
