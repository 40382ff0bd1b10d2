package query

import (
	"fmt"
	"sort"
	"strings"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query/syntax"
)

// Defaults of the moves.
const (
	// DefaultPathMax is how many hops path searches by default: enough
	// for Cayley's movie graph, where two actors are four hops apart per
	// film they share.
	DefaultPathMax = 12
	// DefaultPathsMax is how many hops paths enumerates by default.
	DefaultPathsMax = 4
	// MaxPathLimit caps the limit a path statement may ask for.
	MaxPathLimit = 100000
)

func sortStrings(xs []string) { sort.Strings(xs) }

// show answers "show ENTITY": a card with the entity's type, names,
// aliases and every relation, in and out.
func (ev *evaluator) show(s *syntax.Show) (*Result, error) {
	r, err := ev.entity(s.Entity)
	if err != nil {
		return nil, err
	}
	if _, err := ev.catalog(); err != nil {
		return nil, err
	}
	node, err := ev.node(r.ref)
	if err != nil {
		return nil, err
	}
	if e := ev.cat.ByID(r.id); e != nil {
		node.Description = e.Description
	}
	links, err := ev.getLinks()
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: "show", Entity: node, Columns: []string{"entity", "relations"}}
	var rels List
	if i, ok := links.Index(r.ref); ok {
		var lks []graph.Link
		for _, e := range links.Out(i) {
			lks = append(lks, graph.Link{From: i, To: e.Other, Pred: e.Pred, Label: e.Label})
		}
		for _, e := range links.In(i) {
			if e.Other != i {
				lks = append(lks, graph.Link{From: e.Other, To: i, Pred: e.Pred, Label: e.Label})
			}
		}
		if len(lks) > ev.opts.Limit {
			res.Capped = true
			res.Note = fmt.Sprintf("showing %d of %d relations (raise the cap with --limit)", ev.opts.Limit, len(lks))
			lks = lks[:ev.opts.Limit]
		}
		for _, lk := range lks {
			rel, err := ev.relation(lk)
			if err != nil {
				return nil, err
			}
			rels = append(rels, rel)
		}
	}
	sortRelations(rels, node)
	res.Rows = [][]Value{{node, rels}}
	return res, nil
}

// sortRelations orders a card's relations: by kind (the vocabulary's
// order), outgoing first, then by the other end's name.
func sortRelations(rels List, self *Node) {
	sort.SliceStable(rels, func(i, j int) bool {
		a, b := rels[i].(*Relation), rels[j].(*Relation)
		ka, oka := kindRank[a.Kind]
		kb, okb := kindRank[b.Kind]
		if oka != okb {
			return oka
		}
		if ka != kb {
			return ka < kb
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		outA, outB := a.From.ID == self.ID, b.From.ID == self.ID
		if outA != outB {
			return outA
		}
		return other(a, self).Label() < other(b, self).Label()
	})
}

func other(r *Relation, self *Node) *Node {
	if r.From.ID == self.ID {
		return r.To
	}
	return r.From
}

// filters compiles a move's via, avoid and where into a search.
type filters struct {
	search  graph.Search
	links   *graph.Links
	err     error
	notes   []string
	avoided map[int32]bool
}

func (ev *evaluator) compileFilters(via, avoid []*syntax.Name, where syntax.Expr, directed bool) (*filters, error) {
	f := &filters{}
	var viaPreds []cgraph.Ref
	attrs := false
	for _, n := range via {
		ps, err := ev.relationKind(n)
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 {
			f.notes = append(f.notes, fmt.Sprintf("the graph has no %s relations", n.Text))
		}
		for _, p := range ps {
			if v, _ := ev.qs.NameOf(p); graph.IsAttribute(v) {
				attrs = true
			}
		}
		viaPreds = append(viaPreds, ps...)
	}
	var links *graph.Links
	var err error
	if attrs {
		// Attributes are walked only when named: an index of just these.
		links, err = ev.db.BuildLinks(ev.ctx, viaPreds)
	} else {
		links, err = ev.getLinks()
	}
	if err != nil {
		return nil, err
	}
	ev.links = links
	f.links = links
	if via != nil {
		allowed := map[int32]bool{}
		for _, p := range viaPreds {
			if i, ok := links.PredIndex(p); ok {
				allowed[i] = true
			}
		}
		f.search.Pred = func(p int32) bool { return allowed[p] }
	}
	f.avoided = map[int32]bool{}
	avoidPred := map[int32]bool{}
	for _, n := range avoid {
		if ev.isKindName(n) {
			ps, err := ev.relationKind(n)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				if i, ok := links.PredIndex(p); ok {
					avoidPred[i] = true
				}
			}
			continue
		}
		r, err := ev.entity(n)
		if err != nil {
			return nil, err
		}
		if i, ok := links.Index(r.ref); ok {
			f.avoided[i] = true
		}
	}
	if len(avoidPred) > 0 {
		prev := f.search.Pred
		f.search.Pred = func(p int32) bool { return !avoidPred[p] && (prev == nil || prev(p)) }
	}
	var relConds, nodeConds []syntax.Expr
	if where != nil {
		sc := &scope{moves: true}
		if err := ev.checkExpr(where, sc, map[string]string{"rel": "rel", "node": "node"}); err != nil {
			return nil, err
		}
		for _, c := range conjuncts(where) {
			rel, node := refs(c)
			switch {
			case node && !rel:
				nodeConds = append(nodeConds, c)
			default:
				relConds = append(relConds, c)
			}
		}
	}
	if len(nodeConds) > 0 || len(f.avoided) > 0 {
		cache := map[int32]bool{}
		f.search.Node = func(n int32) bool {
			if f.avoided[n] {
				return false
			}
			if len(nodeConds) == 0 {
				return true
			}
			if ok, seen := cache[n]; seen {
				return ok
			}
			node, err := ev.node(links.Nodes[n])
			if err != nil {
				f.err = err
				return false
			}
			ok := ev.holds(nodeConds, &scope{moves: true, vars: map[string]Value{"node": node}})
			cache[n] = ok
			return ok
		}
	}
	if len(relConds) > 0 {
		cache := map[graph.Link]bool{}
		f.search.Link = func(lk graph.Link) bool {
			if ok, seen := cache[lk]; seen {
				return ok
			}
			rel, err := ev.relation(lk)
			if err != nil {
				f.err = err
				return false
			}
			ok := ev.holds(relConds, &scope{moves: true, vars: map[string]Value{"rel": rel}})
			cache[lk] = ok
			return ok
		}
	}
	f.search.Directed = directed
	f.search.Symmetric = func(p int32) bool {
		if k, ok := graph.LookupKind(graph.ShortName(links.Preds[p])); ok && strings.HasPrefix(links.Preds[p].String(), "<"+graph.RelPrefix) {
			return k.Symmetric
		}
		return false
	}
	return f, nil
}

// holds reports whether every condition is true.
func (ev *evaluator) holds(conds []syntax.Expr, sc *scope) bool {
	for _, c := range conds {
		v, err := ev.eval(c, sc)
		if err != nil || !truthy(v) {
			return false
		}
	}
	return true
}

// endpoint resolves a path's end and finds it in the link index.
func (ev *evaluator) endpoint(n *syntax.Name, links *graph.Links) (int32, *Node, error) {
	r, err := ev.entity(n)
	if err != nil {
		return 0, nil, err
	}
	node, err := ev.node(r.ref)
	if err != nil {
		return 0, nil, err
	}
	i, ok := links.Index(r.ref)
	if !ok {
		return -1, node, nil
	}
	return i, node, nil
}

// path answers "path A to B" (all shortest paths) and "paths A to B" (all
// simple paths up to max hops).
func (ev *evaluator) path(s *syntax.Path) (*Result, error) {
	res, _, err := ev.runPath(s, s.Avoid)
	return res, err
}

// runPath evaluates a path statement with the given avoid list, returning
// the result and the raw paths.
func (ev *evaluator) runPath(s *syntax.Path, avoid []*syntax.Name) (*Result, []*Path, error) {
	f, err := ev.compileFilters(s.Via, avoid, s.Where, s.Directed)
	if err != nil {
		return nil, nil, err
	}
	kind := "path"
	if s.All {
		kind = "paths"
	}
	res := &Result{Kind: kind, Columns: []string{"path"}, Notes: f.notes}
	from, fromNode, err := ev.endpoint(s.From, f.links)
	if err != nil {
		return nil, nil, err
	}
	to, toNode, err := ev.endpoint(s.To, f.links)
	if err != nil {
		return nil, nil, err
	}
	for _, n := range []*syntax.Name{s.From, s.To} {
		for _, a := range avoid {
			if !ev.isKindName(a) && strings.EqualFold(a.Text, n.Text) {
				return nil, nil, ev.errAt(a.At, ErrInvalid, "cannot avoid %s: it is an end of the path", a)
			}
		}
	}
	max := s.Max
	if max == 0 {
		max = DefaultPathMax
		if s.All {
			max = DefaultPathsMax
		}
	}
	if max > 2*DefaultPathMax {
		return nil, nil, ev.errAt(s.At, ErrInvalid, "max %d is more hops than a search may take (%d)", max, 2*DefaultPathMax)
	}
	limit := s.Limit
	if limit == 0 {
		limit = ev.opts.PathLimit
	}
	if limit > MaxPathLimit {
		return nil, nil, ev.errAt(s.At, ErrInvalid, "limit %d is over the most paths a statement may enumerate (%d)", limit, MaxPathLimit)
	}
	if from < 0 || to < 0 {
		lone := fromNode
		if to < 0 {
			lone = toNode
		}
		res.Note = fmt.Sprintf("no path: %s has no links", lone.Label())
		return res, nil, nil
	}
	search := f.search
	search.Max, search.Limit = max, limit
	var nps []graph.NodePath
	var capped bool
	if s.All {
		nps, capped, err = f.links.Simple(ev.ctx, from, to, &search)
	} else {
		nps, capped, err = f.links.Shortest(ev.ctx, from, to, &search)
	}
	if err != nil {
		return nil, nil, err
	}
	if f.err != nil {
		return nil, nil, f.err
	}
	var paths []*Path
	for _, np := range nps {
		if err := ev.ctx.Err(); err != nil {
			return nil, nil, err
		}
		p, err := ev.pathOf(np)
		if err != nil {
			return nil, nil, err
		}
		paths = append(paths, p)
	}
	sortPaths(paths)
	for _, p := range paths {
		res.Rows = append(res.Rows, []Value{p})
		for _, h := range p.Hops {
			res.Extra = append(res.Extra, h.Also...)
		}
	}
	switch {
	case capped:
		res.Capped = true
		res.Note = fmt.Sprintf("showing %d of ≥ %d paths (raise the cap with limit N)", len(paths), len(paths)+1)
	case len(paths) == 0:
		res.Note = fmt.Sprintf("no path from %s to %s within %d hops", fromNode.Label(), toNode.Label(), max)
	}
	return res, paths, nil
}

// sortPaths orders paths by length, then by the names along them.
func sortPaths(ps []*Path) {
	key := func(p *Path) string {
		var b strings.Builder
		for _, n := range p.Nodes {
			b.WriteString(strings.ToLower(n.Label()))
			b.WriteByte(0)
		}
		return b.String()
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Len() != ps[j].Len() {
			return ps[i].Len() < ps[j].Len()
		}
		return key(ps[i]) < key(ps[j])
	})
}

// neighbors answers "neighbors ENTITY …": the nodes within depth hops.
func (ev *evaluator) neighbors(s *syntax.Neighbors) (*Result, error) {
	f, err := ev.compileFilters(s.Via, nil, s.Where, false)
	if err != nil {
		return nil, err
	}
	start, startNode, err := ev.endpoint(s.Entity, f.links)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: "neighbors", Columns: []string{"depth", "node", "type", "relation"}, Notes: f.notes}
	if start < 0 {
		res.Note = fmt.Sprintf("%s has no links", startNode.Label())
		return res, nil
	}
	depth := s.Depth
	if depth == 0 {
		depth = 1
	}
	if depth > ev.opts.MaxDepth {
		return nil, ev.errAt(s.At, ErrInvalid, "depth %d is over the limit of %d", depth, ev.opts.MaxDepth)
	}
	limit := s.Limit
	if limit == 0 {
		limit = ev.opts.Limit
	}
	out, in := true, true
	if s.DirSet {
		out, in = s.Dir != syntax.In, s.Dir != syntax.Out
	}
	reached, capped, err := f.links.Neighborhood(ev.ctx, start, depth, out, in, &f.search, limit)
	if err != nil {
		return nil, err
	}
	if f.err != nil {
		return nil, f.err
	}
	for _, r := range reached {
		if err := ev.ctx.Err(); err != nil {
			return nil, err
		}
		node, err := ev.node(f.links.Nodes[r.Node])
		if err != nil {
			return nil, err
		}
		var rel *Relation
		if len(r.Step) > 0 {
			h, err := ev.hop(r.Parent, r.Step)
			if err != nil {
				return nil, err
			}
			rel = h.Rel
			res.Extra = append(res.Extra, h.Also...)
		}
		res.Rows = append(res.Rows, []Value{int64(r.Depth), node, typeText(node), rel})
	}
	sort.SliceStable(res.Rows, func(i, j int) bool {
		di, dj := res.Rows[i][0].(int64), res.Rows[j][0].(int64)
		if di != dj {
			return di < dj
		}
		return strings.ToLower(res.Rows[i][1].(*Node).Label()) < strings.ToLower(res.Rows[j][1].(*Node).Label())
	})
	if capped {
		res.Capped = true
		res.Note = fmt.Sprintf("showing the first %d nodes (raise the cap with limit N)", len(res.Rows))
	}
	return res, nil
}

func typeText(n *Node) Value {
	if len(n.Types) == 0 {
		return nil
	}
	return strings.Join(n.Types, ", ")
}

// why answers "why A B": every relation between the two, either way.
func (ev *evaluator) why(s *syntax.Why) (*Result, error) {
	a, b, err := ev.splitPair(s.Parts)
	if err != nil {
		return nil, err
	}
	links, err := ev.getLinks()
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: "why", Columns: []string{"relation"}}
	ia, okA := links.Index(a.ref)
	ib, okB := links.Index(b.ref)
	na, _ := ev.node(a.ref)
	nb, _ := ev.node(b.ref)
	if okA && okB {
		var lks []graph.Link
		for _, e := range links.Out(ia) {
			if e.Other == ib {
				lks = append(lks, graph.Link{From: ia, To: ib, Pred: e.Pred, Label: e.Label})
			}
		}
		for _, e := range links.In(ia) {
			if e.Other == ib && ia != ib {
				lks = append(lks, graph.Link{From: ib, To: ia, Pred: e.Pred, Label: e.Label})
			}
		}
		var rels List
		for _, lk := range lks {
			r, err := ev.relation(lk)
			if err != nil {
				return nil, err
			}
			rels = append(rels, r)
		}
		sortRelations(rels, na)
		for _, r := range rels {
			res.Rows = append(res.Rows, []Value{r})
		}
	}
	if len(res.Rows) == 0 {
		res.Note = fmt.Sprintf("no relation links %s and %s directly (try: path %s to %s)", na.Label(), nb.Label(), quoteName(na.Label()), quoteName(nb.Label()))
	}
	return res, nil
}

func quoteName(s string) string {
	n := &syntax.Name{Text: s}
	return n.String()
}

// splitPair resolves the two entities of why: quoted names stand alone;
// a run of bare words is split where both sides name an entity.
func (ev *evaluator) splitPair(parts []*syntax.Name) (resolved, resolved, error) {
	var words []syntax.Word
	var quoted []*syntax.Name
	for _, p := range parts {
		if p.Quoted || p.IRI {
			quoted = append(quoted, p)
		} else {
			words = append(words, p.Words...)
		}
	}
	join := func(ws []syntax.Word) *syntax.Name {
		texts := make([]string, len(ws))
		for i, w := range ws {
			texts[i] = w.Text
		}
		return &syntax.Name{At: ws[0].At, Text: strings.Join(texts, " "), Words: ws}
	}
	switch {
	case len(quoted) == 2 && len(words) == 0:
		a, err := ev.entity(quoted[0])
		if err != nil {
			return resolved{}, resolved{}, err
		}
		b, err := ev.entity(quoted[1])
		return a, b, err
	case len(quoted) == 1 && len(words) > 0:
		n := join(words)
		first := parts[0].Quoted || parts[0].IRI
		a, err := ev.entity(quoted[0])
		if err != nil {
			return resolved{}, resolved{}, err
		}
		b, err := ev.entity(n)
		if err != nil {
			return resolved{}, resolved{}, err
		}
		if first {
			return a, b, nil
		}
		return b, a, nil
	case len(quoted) == 0 && len(words) >= 2:
		type split struct{ a, b resolved }
		var ok []split
		var firstErr error
		for i := 1; i < len(words); i++ {
			a, errA := ev.entity(join(words[:i]))
			b, errB := ev.entity(join(words[i:]))
			if errA == nil && errB == nil {
				ok = append(ok, split{a, b})
			} else if firstErr == nil {
				if errA != nil {
					firstErr = errA
				} else {
					firstErr = errB
				}
			}
		}
		switch len(ok) {
		case 1:
			return ok[0].a, ok[0].b, nil
		case 0:
			if len(words) == 2 {
				return resolved{}, resolved{}, firstErr
			}
			return resolved{}, resolved{}, ev.errAt(words[0].At, ErrUnknown, "cannot read two entities in %q: quote them (why \"A\" \"B\"): %v", join(words).Text, firstErr)
		}
		return resolved{}, resolved{}, ev.errAt(words[0].At, ErrAmbiguous, "%q can be split into two entities in more than one way; quote them (why \"A\" \"B\")", join(words).Text)
	}
	return resolved{}, resolved{}, ev.errAt(parts[0].At, ErrInvalid, "why takes two entities (why A B)")
}

// compare answers "compare path A to B avoid X": the paths without X
// against the paths with it.
func (ev *evaluator) compare(s *syntax.Compare) (*Result, error) {
	base, basePaths, err := ev.runPath(s.Path, nil)
	if err != nil {
		return nil, err
	}
	alt, altPaths, err := ev.runPath(s.Path, s.Path.Avoid)
	if err != nil {
		return nil, err
	}
	key := func(p *Path) string {
		var b strings.Builder
		for _, n := range p.Nodes {
			b.WriteString(IDString(n.ID))
			b.WriteByte(0)
		}
		return b.String()
	}
	inAlt := map[string]bool{}
	for _, p := range altPaths {
		inAlt[key(p)] = true
	}
	inBase := map[string]bool{}
	for _, p := range basePaths {
		inBase[key(p)] = true
	}
	res := &Result{Kind: "compare", Columns: []string{"change", "length", "path"}, Notes: base.Notes}
	lost, kept, added := 0, 0, 0
	for _, p := range basePaths {
		change := "lost"
		if inAlt[key(p)] {
			change = "kept"
			kept++
		} else {
			lost++
		}
		res.Rows = append(res.Rows, []Value{change, int64(p.Len()), p})
	}
	for _, p := range altPaths {
		if !inBase[key(p)] {
			res.Rows = append(res.Rows, []Value{"new", int64(p.Len()), p})
			added++
		}
	}
	res.Extra = append(base.Extra, alt.Extra...)
	avoided := make([]string, len(s.Path.Avoid))
	for i, a := range s.Path.Avoid {
		avoided[i] = a.Text
	}
	what := strings.Join(avoided, ", ")
	shortest := func(ps []*Path) int {
		if len(ps) == 0 {
			return -1
		}
		return ps[0].Len()
	}
	bl, al := shortest(basePaths), shortest(altPaths)
	var summary string
	switch {
	case bl < 0:
		summary = "there is no path to compare, even with " + what
	case al < 0:
		summary = fmt.Sprintf("without %s there is no path any more (%d found with it)", what, len(basePaths))
	case al > bl && !s.Path.All:
		summary = fmt.Sprintf("without %s the shortest path grows from %d to %d hops: %d lost, %d new", what, bl, al, lost, added)
	default:
		summary = fmt.Sprintf("without %s: %d paths kept, %d lost, %d new", what, kept, lost, added)
	}
	res.Notes = append(res.Notes, summary)
	res.Note = summary
	if base.Capped || alt.Capped {
		res.Capped = true
		res.Note += " (the path cap was reached; raise it with limit N)"
	}
	return res, nil
}
