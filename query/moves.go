package query

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
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
	// MaxHops caps the hops a path search may take: the max of path and
	// paths, the *..N of match.
	MaxHops = 2 * DefaultPathMax
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
	// The card's nodes as the catalog describes them.
	if err := ev.entities(); err != nil {
		return nil, err
	}
	node, err := ev.node(r.ref)
	if err != nil {
		return nil, err
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
			// The first of the card's order: sort on what it reads
			// (kind, direction, the other end) before loading the
			// statements of the relations kept.
			stubs := make(List, len(lks))
			at := map[*Relation]graph.Link{}
			for j, lk := range lks {
				from, err := ev.node(links.Node(lk.From))
				if err != nil {
					return nil, err
				}
				to, err := ev.node(links.Node(lk.To))
				if err != nil {
					return nil, err
				}
				r := &Relation{From: from, To: to, Kind: graph.ShortName(links.Preds[lk.Pred])}
				stubs[j], at[r] = r, lk
			}
			sortRelations(stubs, node)
			for j := range lks {
				lks[j] = at[stubs[j].(*Relation)]
			}
			res.Capped = true
			res.Note = fmt.Sprintf("showing %d of %d relations (raise the row limit)", ev.opts.Limit, len(lks))
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
	// A sector, an instrument or a venue is rarely an end of a relation:
	// the relations that name it as a qualifier are its card's too.
	named, err := ev.relationsNaming(r.ref, links)
	if err != nil {
		return nil, err
	}
	rels = append(rels, named...)
	sortRelations(rels, node)
	res.Rows = [][]Value{{node, rels}}
	return res, nil
}

// relationsNaming returns the relations with a qualifier whose value is the
// entity ref (sector: Semiconductors, instrument: Nuclear umbrella).
func (ev *evaluator) relationsNaming(ref cgraph.Ref, links *graph.Links) (List, error) {
	var out List
	err := ev.quadsTo(ref, func(pv quad.Value, stmt cgraph.Ref) error {
		if iri, ok := pv.(quad.IRI); !ok || !strings.HasPrefix(string(iri), graph.QualPrefix) {
			return nil
		}
		lk, ok, err := ev.linkOfStatement(stmt, links)
		if err != nil || !ok {
			return err
		}
		rel, err := ev.relation(lk)
		if err == nil {
			out = append(out, rel)
		}
		return err
	})
	return out, err
}

// linkOfStatement finds the link of the index whose statement node is
// stmt, among the links of the statement's subject.
func (ev *evaluator) linkOfStatement(stmt cgraph.Ref, links *graph.Links) (graph.Link, bool, error) {
	subj, err := ev.qs.ValueOf(graph.PredSubject)
	if err != nil || subj == nil {
		return graph.Link{}, false, err
	}
	sit := ev.qs.QuadIterator(quad.Subject, stmt).Iterate()
	defer sit.Close()
	key := stmt.Key()
	for sit.Next(ev.ctx) {
		q := sit.Result()
		p, _ := ev.qs.QuadDirection(q, quad.Predicate)
		if p.Key() != subj.Key() {
			continue
		}
		s, _ := ev.qs.QuadDirection(q, quad.Object)
		i, ok := links.Index(s)
		if !ok {
			return graph.Link{}, false, nil
		}
		for _, e := range links.Out(i) {
			if l := links.Labels[e.Label]; l != nil && l.Key() == key {
				return graph.Link{From: i, To: e.Other, Pred: e.Pred, Label: e.Label}, true, nil
			}
		}
	}
	return graph.Link{}, false, sit.Err()
}

// sortRelations orders a card's relations: by kind (the vocabulary's
// order), outgoing first, then by the other end's name.
func sortRelations(rels List, self *Node) {
	sort.SliceStable(rels, func(i, j int) bool {
		a, b := rels[i].(*Relation), rels[j].(*Relation)
		if c := compareKinds(a.Kind, b.Kind); c != 0 {
			return c < 0
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
	search graph.Search
	links  *graph.Links
	err    error
	notes  []string
	// avoided holds the entities avoid takes out, by node number.
	avoided map[int32]bool
	// events holds the Event entities, which paths do not pass through
	// unless via names their kinds.
	events map[int32]bool
	// The parts of the where clause (split at its top-level ands) by what
	// they read: the relation only, the node only, or both.
	relConds, nodeConds, mixedConds []syntax.Expr
	// ends are the path's two ends, which node conditions do not test.
	ends map[int32]bool
	// attrVia names the via kinds that are attributes only, such as name:
	// their values are text, which paths and neighbourhoods never reach.
	attrVia []string
}

// noLinks says that a node has no links to walk, and why when via named
// only attributes.
func (f *filters) noLinks(n *Node) string {
	if len(f.attrVia) > 0 {
		return fmt.Sprintf("%s has no links via %s: %s an attribute (its values are text, not nodes to walk to)",
			n.Label(), strings.Join(f.attrVia, ", "), map[bool]string{true: "it is", false: "they are"}[len(f.attrVia) == 1])
	}
	return fmt.Sprintf("%s has no links", n.Label())
}

// eventNodes returns the link index's numbers of the entities of type
// Event: one look-up of the type's quads, nothing where the data has none.
func (ev *evaluator) eventNodes(links *graph.Links) (map[int32]bool, error) {
	t, _ := graph.LookupType("Event")
	if t == nil {
		return nil, nil
	}
	ref, err := ev.qs.ValueOf(t.IRI())
	if err != nil || ref == nil {
		return nil, err
	}
	out := map[int32]bool{}
	err = ev.quadsTo(ref, func(pv quad.Value, s cgraph.Ref) error {
		if pv == graph.PredType {
			if i, ok := links.Index(s); ok {
				out[i] = true
			}
		}
		return nil
	})
	return out, err
}

// avoidItem is one name of an avoid list, resolved: relation kinds (the
// predicates) or an entity.
type avoidItem struct {
	name   *syntax.Name
	preds  []cgraph.Ref
	entity *resolved
}

// compileFilters resolves a move's via, avoid and where against the link
// index. ends are the entities the move starts from (and goes to): an
// avoid that names one of them is an error. forPath says the where clause
// is tested along paths (a condition reading both the relation and the
// node is then tested with each end of the relation the path passes
// through); for neighbors, the caller tests it with the node reached.
func (ev *evaluator) compileFilters(via, avoid []*syntax.Name, where syntax.Expr, directed bool, ends []resolved, endNames []*syntax.Name, forPath bool) (*filters, error) {
	f := &filters{ends: map[int32]bool{}}
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
		onlyAttrs := len(ps) > 0
		for _, p := range ps {
			if v, _ := ev.qs.NameOf(p); graph.IsAttribute(v) {
				attrs = true
			} else {
				onlyAttrs = false
			}
		}
		if onlyAttrs {
			f.attrVia = append(f.attrVia, n.Text)
		}
		viaPreds = append(viaPreds, ps...)
	}
	var avoids []avoidItem
	for _, n := range avoid {
		it, err := ev.avoidItem(n)
		if err != nil {
			return nil, err
		}
		if it.entity != nil {
			for i, e := range ends {
				if e.id == it.entity.id || e.ref == it.entity.ref {
					end, _ := ev.node(e.ref)
					if fold(n.Text) == fold(end.Label()) || fold(n.Text) == fold(endNames[i].Text) {
						return nil, ev.errAt(n.At, ErrInvalid, "cannot avoid %s: it is an end of the path", n)
					}
					return nil, ev.errAt(n.At, ErrInvalid, "cannot avoid %s: it names %s, an end of the path", n, quoteName(end.Label()))
				}
			}
		}
		avoids = append(avoids, it)
	}
	where, err := ev.checkMoveWhere(where)
	if err != nil {
		return nil, err
	}
	var links *graph.Links
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
	for _, it := range avoids {
		for _, p := range it.preds {
			if i, ok := links.PredIndex(p); ok {
				avoidPred[i] = true
			}
		}
		if it.entity != nil {
			if i, ok := links.Index(it.entity.ref); ok {
				f.avoided[i] = true
			}
		}
	}
	if len(avoidPred) > 0 {
		prev := f.search.Pred
		f.search.Pred = func(p int32) bool { return !avoidPred[p] && (prev == nil || prev(p)) }
	}
	if where != nil {
		for _, c := range conjuncts(where) {
			switch rel, node := refs(c); {
			case node && !rel:
				f.nodeConds = append(f.nodeConds, c)
			case node && rel:
				f.mixedConds = append(f.mixedConds, c)
			default:
				f.relConds = append(f.relConds, c)
			}
		}
	}
	if forPath && via == nil {
		// An event links those it involves or affects to each other
		// only as context: a path does not pass through one unless via
		// names its kinds (it may start or end at one).
		if f.events, err = ev.eventNodes(links); err != nil {
			return nil, err
		}
	}
	if len(f.nodeConds) > 0 || len(f.avoided) > 0 || len(f.events) > 0 {
		cache := map[int32]bool{}
		f.search.Node = func(n int32) bool {
			if f.avoided[n] || f.events[n] {
				return false
			}
			if len(f.nodeConds) == 0 {
				return true
			}
			if ok, seen := cache[n]; seen {
				return ok
			}
			node, err := ev.node(links.Node(n))
			if err != nil {
				f.err = err
				return false
			}
			ok := ev.holds(f.nodeConds, &scope{moves: true, vars: map[string]Value{"node": node}})
			cache[n] = ok
			return ok
		}
	}
	if len(f.relConds) > 0 || forPath && len(f.mixedConds) > 0 {
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
			ok := ev.holds(f.relConds, &scope{moves: true, vars: map[string]Value{"rel": rel}})
			if ok && forPath && len(f.mixedConds) > 0 {
				// Tested with each end the path passes through; a
				// relation between the two ends, with no node.
				tested := false
				for _, end := range [...]*Node{rel.From, rel.To} {
					n := lk.From
					if end == rel.To {
						n = lk.To
					}
					if f.ends[n] {
						continue
					}
					tested = true
					ok = ok && ev.holds(f.mixedConds, &scope{moves: true, vars: map[string]Value{"rel": rel, "node": end}})
				}
				if !tested {
					ok = ev.holds(f.mixedConds, &scope{moves: true, vars: map[string]Value{"rel": rel, "node": nil}})
				}
			}
			cache[lk] = ok
			return ok
		}
	}
	f.search.Directed = directed
	f.search.Symmetric = ev.symmetric(links)
	return f, nil
}

// symmetric reports which predicates of a link index are symmetric kinds
// of the vocabulary (partner, ally, …): they mean the same either way, so
// every walk treats them as undirected.
func (ev *evaluator) symmetric(l *graph.Links) func(int32) bool {
	sym := make([]bool, len(l.Preds))
	for i, p := range l.Preds {
		if iri, ok := p.(quad.IRI); ok && strings.HasPrefix(string(iri), graph.RelPrefix) {
			if k, ok := graph.LookupKind(string(iri)); ok {
				sym[i] = k.Symmetric
			}
		}
	}
	return func(p int32) bool { return p >= 0 && int(p) < len(sym) && sym[p] }
}

// avoidItem resolves a name of an avoid list. A quoted name is an entity.
// An IRI is a predicate when the store has it as one, else a node. A bare
// name is a relation kind when it resolves as one (a kind of the
// vocabulary, or a predicate's short name or last segment: directed_by),
// else an entity. A name that denotes nothing in the graph is an error:
// nothing would be avoided.
func (ev *evaluator) avoidItem(n *syntax.Name) (avoidItem, error) {
	if n.Quoted {
		r, err := ev.entity(n)
		return avoidItem{name: n, entity: &r}, err
	}
	if n.IRI {
		if p, ok, err := ev.predicateIRI(n.Text); err != nil {
			return avoidItem{}, err
		} else if ok {
			return avoidItem{name: n, preds: []cgraph.Ref{p}}, nil
		}
		for _, iri := range iriForms(n.Text, graph.EntityPrefix) {
			if r, _ := ev.qs.ValueOf(iri); r != nil {
				return avoidItem{name: n, entity: &resolved{iri, r}}, nil
			}
		}
		return avoidItem{}, ev.errAt(n.At, ErrUnknown, "no node or predicate %s in the graph: nothing to avoid", n)
	}
	ps, kindErr := ev.relationKind(n)
	if kindErr == nil && len(ps) > 0 {
		return avoidItem{name: n, preds: ps}, nil
	}
	r, err := ev.entity(n)
	if err == nil {
		return avoidItem{name: n, entity: &r}, nil
	}
	if kindErr == nil { // a kind of the vocabulary the store has none of
		return avoidItem{}, ev.errAt(n.At, ErrUnknown, "the graph has no %s relations: nothing to avoid", n.Text)
	}
	if !errors.Is(err, ErrUnknown) {
		return avoidItem{}, err
	}
	msg := fmt.Sprintf("unknown entity or relation kind %s", syntax.Echo(n.Text))
	sugg, note, err := ev.suggestEntities(n.Text)
	if err != nil {
		return avoidItem{}, err
	}
	names, _ := ev.predicateNames()
	sugg = append(sugg, graph.Suggest(n.Text, append(graph.KindNames(), names...))...)
	msg += didYouMean(sugg, note)
	return avoidItem{}, ev.errAt(n.At, ErrUnknown, "%s%s", msg, keywordHint(n))
}

// predicateIRI finds the predicate an IRI written <text> denotes, if the
// store has it as a predicate.
func (ev *evaluator) predicateIRI(text string) (cgraph.Ref, bool, error) {
	preds, err := ev.allPreds()
	if err != nil {
		return nil, false, err
	}
	for _, iri := range iriForms(text, graph.RelPrefix) {
		r, _ := ev.qs.ValueOf(iri)
		if r == nil {
			continue
		}
		for _, p := range preds {
			if p == r {
				return p, true, nil
			}
		}
	}
	return nil, false, nil
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

// index finds a resolved entity in the link index (-1: it has no links).
func index(links *graph.Links, r resolved) int32 {
	if i, ok := links.Index(r.ref); ok {
		return i
	}
	return -1
}

// path answers "path A to B" (all shortest paths) and "paths A to B" (all
// simple paths up to max hops).
func (ev *evaluator) path(s *syntax.Path) (*Result, error) {
	res, _, _, err := ev.runPath(s, s.Avoid)
	return res, err
}

// pathLimit is the most paths a path statement returns: its limit clause,
// else the path cap and the row limit, whichever is lower.
func (ev *evaluator) pathLimit(s *syntax.Path) (int, error) {
	if s.Limit > MaxPathLimit {
		return 0, ev.errAt(s.LimitAt, ErrInvalid, "limit %d is over the most paths a statement may enumerate (%d)", s.Limit, MaxPathLimit)
	}
	if s.Limit > 0 {
		return s.Limit, nil
	}
	return min(ev.opts.PathLimit, ev.opts.Limit), nil
}

// runPath evaluates a path statement with the given avoid list, returning
// the result and the raw paths; cutAt > 0 when a paths search ran out of
// work while walking paths of that many hops (the result says so).
func (ev *evaluator) runPath(s *syntax.Path, avoid []*syntax.Name) (res *Result, paths []*Path, cutAt int, err error) {
	fromR, err := ev.entity(s.From)
	if err != nil {
		return nil, nil, 0, err
	}
	toR, err := ev.entity(s.To)
	if err != nil {
		return nil, nil, 0, err
	}
	max := s.Max
	if max == 0 {
		max = DefaultPathMax
		if s.All {
			max = DefaultPathsMax
		}
	}
	if max > MaxHops {
		return nil, nil, 0, ev.errAt(s.MaxAt, ErrInvalid, "max %d is more hops than a search may take (%d)", max, MaxHops)
	}
	limit, err := ev.pathLimit(s)
	if err != nil {
		return nil, nil, 0, err
	}
	f, err := ev.compileFilters(s.Via, avoid, s.Where, s.Directed, []resolved{fromR, toR}, []*syntax.Name{s.From, s.To}, true)
	if err != nil {
		return nil, nil, 0, err
	}
	kind := "path"
	if s.All {
		kind = "paths"
	}
	res = &Result{Kind: kind, Columns: []string{"path"}, Notes: f.notes}
	fromNode, err := ev.node(fromR.ref)
	if err != nil {
		return nil, nil, 0, err
	}
	toNode, err := ev.node(toR.ref)
	if err != nil {
		return nil, nil, 0, err
	}
	from, to := index(f.links, fromR), index(f.links, toR)
	if from < 0 || to < 0 {
		lone := fromNode
		if to < 0 {
			lone = toNode
		}
		if fromR.id == toR.id {
			p := &Path{Nodes: []*Node{fromNode}}
			res.Rows = [][]Value{{p}}
			return res, []*Path{p}, 0, nil
		}
		res.Note = "no path: " + f.noLinks(lone)
		return res, nil, 0, nil
	}
	f.ends[from], f.ends[to] = true, true
	ps := &pathSearch{ev: ev, s: s, f: f, from: from, to: to, max: max, limit: limit}
	var nps []graph.NodePath
	var capped bool
	var strengthNote string
	if s.Including != "" {
		st, _ := graph.StatusStrength(s.Including)
		nps, capped, cutAt, err = ps.run(st + 2)
	} else {
		nps, capped, cutAt, strengthNote, err = ps.strongest()
	}
	if err != nil {
		return nil, nil, 0, err
	}
	// The paths share their hops and relations; each relation is listed
	// in Extra once.
	hops := map[[2]int32]Hop{}
	extra := map[*Relation]bool{}
	paths = make([]*Path, 0, len(nps))
	for i, np := range nps {
		if err := ev.ctx.Err(); err != nil {
			return nil, nil, 0, err
		}
		p, err := ev.pathOf(np, hops)
		if err != nil {
			return nil, nil, 0, err
		}
		nps[i] = graph.NodePath{}
		paths = append(paths, p)
	}
	sortPaths(paths)
	res.Rows = make([][]Value, 0, len(paths))
	for _, p := range paths {
		res.Rows = append(res.Rows, []Value{p})
		for _, h := range p.Hops {
			for _, r := range h.Also {
				if !extra[r] {
					extra[r] = true
					res.Extra = append(res.Extra, r)
				}
			}
		}
	}
	switch {
	case cutAt > 0 && len(paths) > 0:
		res.Capped = true
		res.Note = fmt.Sprintf("showing %s: the search ran out of work at paths of %s; there may be more (narrow it: a lower max, via, avoid, where)", theFirst(len(paths), "path", "paths"), plural(cutAt, "hop", "hops"))
	case cutAt > 0:
		res.Capped = true
		res.Note = fmt.Sprintf("no path of fewer than %s: the search ran out of work at paths of %s (narrow it: a lower max, via, avoid, where)", plural(cutAt, "hop", "hops"), plural(cutAt, "hop", "hops"))
	case capped:
		res.Capped = true
		res.Note = fmt.Sprintf("showing %d of ≥ %d paths (raise the cap with limit N)", len(paths), len(paths)+1)
	case len(paths) == 0:
		res.Note = fmt.Sprintf("no path from %s to %s within %s", fromNode.Label(), toNode.Label(), plural(max, "hop", "hops"))
	}
	if strengthNote != "" {
		if res.Note != "" {
			res.Note += "; "
		}
		res.Note += strengthNote
	}
	return res, paths, cutAt, nil
}

// pathSearch is the search of one path statement, which may run once per
// strength (strongest).
type pathSearch struct {
	ev         *evaluator
	s          *syntax.Path
	f          *filters
	from, to   int32
	max, limit int
	shortest   int // hops of the paths found by the last run; -1: none
}

// run searches, walking only links stronger than below (graph.Search's
// Below; 0 walks every link): the shortest paths for path, the simple
// paths for paths.
func (ps *pathSearch) run(below graph.Strength) (nps []graph.NodePath, capped bool, cutAt int, err error) {
	search := ps.f.search
	search.Below = below
	// A walker of its own: the walks remember their steps by walker.
	w := &walker{l: ps.f.links, s: &search, from: ps.from, to: ps.to}
	if ps.s.All {
		nps, capped, cutAt, err = ps.ev.simplePaths(w, 0, ps.max, ps.limit, false)
	} else {
		nps, capped, err = ps.ev.shortestPaths(w, ps.max, ps.limit)
	}
	if err == nil && ps.f.err != nil {
		err = ps.f.err
	}
	ps.shortest = -1
	if len(nps) > 0 {
		ps.shortest = len(nps[0].Nodes) - 1
	}
	return nps, capped, cutAt, err
}

// hops is the length of the shortest path walking only links stronger
// than below; -1 if there is none within max hops.
func (ps *pathSearch) hops(below graph.Strength) (int, error) {
	search := ps.f.search
	search.Below, search.Max, search.Limit = below, ps.max, 1
	nps, _, err := ps.f.links.Shortest(ps.ev.ctx, ps.from, ps.to, &search)
	if err == nil && ps.f.err != nil {
		err = ps.f.err
	}
	if err != nil || len(nps) == 0 {
		return -1, err
	}
	return len(nps[0].Nodes) - 1, nil
}

// strongest answers a path statement without "including": the paths that
// walk only the strongest links that join the two ends, trying each
// strength the graph has in turn, strongest first, short of lapsed
// (graph.Strength). note says when weaker links give a shorter path (for
// path) or more paths (for paths), with the clause that shows them, or,
// when there is no path, that one goes through lapsed links.
func (ps *pathSearch) strongest() (nps []graph.NodePath, capped bool, cutAt int, note string, err error) {
	l := ps.f.links
	var tiers []graph.Strength
	for t := graph.StrengthExisting; t < graph.StrengthLapsed; t++ {
		if l.Has(t) {
			tiers = append(tiers, t)
		}
	}
	chosen := -1
	for i, t := range tiers {
		if ps.s.All && i < len(tiers)-1 {
			// Enumerating is dear: first see that a path exists.
			if n, err := ps.hops(t + 1); err != nil {
				return nil, false, 0, "", err
			} else if n < 0 {
				continue
			}
		}
		if nps, capped, cutAt, err = ps.run(t + 1); err != nil {
			return nil, false, 0, "", err
		}
		if len(nps) > 0 || cutAt > 0 {
			chosen = i
			break
		}
	}
	clause := func(t graph.Strength) string {
		c := *ps.s
		c.Including = t.Status()
		return c.String()
	}
	if chosen < 0 {
		// No path short of lapsed links: is there one through them?
		if l.Has(graph.StrengthLapsed) || l.Has(graph.StrengthLapsedInferred) {
			if n, err := ps.hops(0); err != nil {
				return nil, false, 0, "", err
			} else if n >= 0 {
				note = fmt.Sprintf("a path of %s goes through lapsed links: %s", plural(n, "hop", "hops"), clause(graph.StrengthLapsed))
			}
		}
		return nps, capped, cutAt, note, nil
	}
	weaker := tiers[chosen+1:]
	if len(weaker) == 0 || cutAt > 0 {
		return nps, capped, cutAt, "", nil
	}
	if !ps.s.All {
		found := ps.shortest
		for _, t := range weaker {
			n, err := ps.hops(t + 1)
			if err != nil {
				return nil, false, 0, "", err
			}
			if n >= 0 && n < found {
				note = fmt.Sprintf("a shorter path (%s) goes through weaker links (%s): %s", plural(n, "hop", "hops"), t, clause(t))
				break
			}
		}
		return nps, capped, cutAt, note, nil
	}
	// paths: how many more paths the weaker links give, and how weak.
	all, allCapped, allCut, err := ps.run(weaker[len(weaker)-1] + 1)
	if err != nil {
		return nil, false, 0, "", err
	}
	if more := len(all) - len(nps); more > 0 && allCut == 0 {
		weakest := graph.StrengthExisting
		for _, np := range all {
			weakest = max(weakest, stepsStrength(l, np))
		}
		count := fmt.Sprintf("%d more", more)
		if allCapped {
			count = fmt.Sprintf("≥ %d more", more)
		}
		note = fmt.Sprintf("%s %s through weaker links (down to %s): %s", count, map[bool]string{true: "path goes", false: "paths go"}[more == 1 && !allCapped], weakest, clause(weakest))
	}
	return nps, capped, cutAt, note, nil
}

// stepsStrength is the strength of a path's weakest step, a step being as
// strong as its strongest link.
func stepsStrength(l *graph.Links, np graph.NodePath) graph.Strength {
	weakest := graph.StrengthExisting
	for _, st := range np.Steps {
		best := graph.NumStrengths
		for _, lk := range st {
			best = min(best, l.Strength(lk.Label))
		}
		if best < graph.NumStrengths {
			weakest = max(weakest, best)
		}
	}
	return weakest
}

// sortPaths orders paths by length, then by their nodes, one by one: by
// name ignoring case, then by id.
func sortPaths(ps []*Path) {
	key := func(p *Path) string {
		var b strings.Builder
		for _, n := range p.Nodes {
			b.WriteString(strings.ToLower(n.Label()))
			b.WriteByte(0)
			b.WriteString(IDString(n.ID))
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
	startR, err := ev.entity(s.Entity)
	if err != nil {
		return nil, err
	}
	depth := s.Depth
	if depth == 0 {
		depth = 1
	}
	if depth > ev.opts.MaxDepth {
		return nil, ev.errAt(s.DepthAt, ErrInvalid, "depth %d is over the limit of %d", depth, ev.opts.MaxDepth)
	}
	limit := s.Limit
	if limit == 0 {
		limit = ev.opts.Limit
	}
	f, err := ev.compileFilters(s.Via, nil, s.Where, false, []resolved{startR}, []*syntax.Name{s.Entity}, false)
	if err != nil {
		return nil, err
	}
	startNode, err := ev.node(startR.ref)
	if err != nil {
		return nil, err
	}
	res := &Result{Kind: "neighbors", Columns: []string{"depth", "node", "type", "relation"}, Notes: f.notes}
	start := index(f.links, startR)
	if start < 0 {
		res.Note = f.noLinks(startNode)
		return res, nil
	}
	out, in := true, true
	if s.DirSet {
		out, in = s.Dir != syntax.In, s.Dir != syntax.Out
	}
	reached, capped, err := ev.neighborhood(f, start, depth, out, in, limit)
	if err != nil {
		return nil, err
	}
	for _, r := range reached {
		if err := ev.ctx.Err(); err != nil {
			return nil, err
		}
		node, err := ev.node(f.links.Node(r.Node))
		if err != nil {
			return nil, err
		}
		if len(r.Step) == 0 {
			res.Rows = append(res.Rows, []Value{int64(r.Depth), node, typeText(node), (*Relation)(nil)})
			continue
		}
		h, err := ev.hop(r.Parent, r.Step)
		if err != nil {
			return nil, err
		}
		// Every relation joining the node to the one that reached it, a
		// row each: parallel relations (three tariff exposures of Japan
		// to the United States) are facts of their own, not hidden
		// behind the strongest.
		for _, rel := range append([]*Relation{h.Rel}, h.Also...) {
			res.Rows = append(res.Rows, []Value{int64(r.Depth), node, typeText(node), rel})
		}
	}
	if capped {
		res.Capped = true
		res.Note = fmt.Sprintf("showing %s (raise the cap with limit N)", theFirst(len(reached), "node", "nodes"))
	}
	return res, nil
}

// neighborhood walks breadth-first from start, up to depth hops, and
// returns each node reached once, at the depth where it is first
// reached, with the step from the node that reached it: nodes in order of
// depth, then name, then id; at most limit (capped: there are more). out
// follows links from subject to object, in from object to subject; the
// symmetric kinds are followed both ways whatever the direction. A node
// that fails the node conditions is neither listed nor walked through;
// a condition reading both the relation and the node is tested with the
// node the relation reaches.
func (ev *evaluator) neighborhood(f *filters, start int32, depth int, out, in bool, limit int) (res []graph.Reached, capped bool, err error) {
	l := f.links
	s := &f.search
	linkOK := func(lk graph.Link, v int32) (bool, error) {
		if s.Pred != nil && !s.Pred(lk.Pred) {
			return false, nil
		}
		if s.Link != nil && !s.Link(lk) {
			return false, f.err
		}
		if len(f.mixedConds) > 0 {
			rel, err := ev.relation(lk)
			if err != nil {
				return false, err
			}
			node, err := ev.node(l.Node(v))
			if err != nil {
				return false, err
			}
			return ev.holds(f.mixedConds, &scope{moves: true, vars: map[string]Value{"rel": rel, "node": node}}), nil
		}
		return true, nil
	}
	seen := map[int32]bool{start: true}
	front := []int32{start}
	for d := 1; d <= depth && len(front) > 0; d++ {
		if err := ev.ctx.Err(); err != nil {
			return nil, false, err
		}
		var level []graph.Reached
		for _, u := range front {
			steps := map[int32]graph.Step{}
			var order []int32
			add := func(lk graph.Link, v int32) error {
				if seen[v] {
					return nil
				}
				if s.Node != nil && !s.Node(v) {
					return f.err
				}
				ok, err := linkOK(lk, v)
				if err != nil || !ok {
					return err
				}
				if _, ok := steps[v]; !ok {
					order = append(order, v)
				}
				steps[v] = append(steps[v], lk)
				return nil
			}
			for _, e := range l.Out(u) {
				if out || s.Symmetric(e.Pred) {
					if err := add(graph.Link{From: u, To: e.Other, Pred: e.Pred, Label: e.Label}, e.Other); err != nil {
						return nil, false, err
					}
				}
			}
			for _, e := range l.In(u) {
				if e.Other != u && (in || s.Symmetric(e.Pred)) {
					if err := add(graph.Link{From: e.Other, To: u, Pred: e.Pred, Label: e.Label}, e.Other); err != nil {
						return nil, false, err
					}
				}
			}
			for _, v := range order {
				if st := steps[v]; len(st) > 0 && !seen[v] {
					seen[v] = true
					level = append(level, graph.Reached{Node: v, Depth: d, Parent: u, Step: st})
				}
			}
		}
		// The level in order: the rows, and the order in which the next
		// level's nodes find their parents.
		keys := make(map[int32]string, len(level))
		for _, r := range level {
			if keys[r.Node], err = ev.nodeKey(l, r.Node); err != nil {
				return nil, false, err
			}
		}
		sort.Slice(level, func(i, j int) bool { return keys[level[i].Node] < keys[level[j].Node] })
		next := make([]int32, len(level))
		for i, r := range level {
			next[i] = r.Node
		}
		if len(res)+len(level) > limit {
			return append(res, level[:limit-len(res)]...), true, nil
		}
		res = append(res, level...)
		front = next
	}
	return res, false, nil
}

// theFirst is "the first row", "the first 5 rows".
func theFirst(n int, one, many string) string {
	if n == 1 {
		return "the first " + one
	}
	return fmt.Sprintf("the first %d %s", n, many)
}

// plural writes a count with its noun: 1 path, 2 paths.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
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
		if len(rels) > ev.opts.Limit {
			res.Capped = true
			res.Note = fmt.Sprintf("showing %d of %d relations (raise the row limit)", ev.opts.Limit, len(rels))
			rels = rels[:ev.opts.Limit]
		}
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
			return resolved{}, resolved{}, ev.errAt(words[0].At, ErrUnknown, "cannot read two entities in %s: quote them (why \"A\" \"B\"): %v", syntax.Echo(join(words).Text), firstErr)
		}
		return resolved{}, resolved{}, ev.errAt(words[0].At, ErrAmbiguous, "%s can be split into two entities in more than one way; quote them (why \"A\" \"B\")", syntax.Echo(join(words).Text))
	}
	return resolved{}, resolved{}, ev.errAt(parts[0].At, ErrInvalid, "why takes two entities (why A B)")
}

// compare answers "compare path A to B avoid X": the paths without X
// against the paths with it.
func (ev *evaluator) compare(s *syntax.Compare) (*Result, error) {
	if s.Net != nil {
		return ev.compareNetwork(s.Net)
	}
	base, basePaths, cut, err := ev.runPath(s.Path, nil)
	if err != nil {
		return nil, err
	}
	alt, altPaths, altCut, err := ev.runPath(s.Path, s.Path.Avoid)
	if err != nil {
		return nil, err
	}
	if cut > 0 || altCut > 0 {
		// Paths lost and new are not known when either answer is cut.
		return nil, ev.tooLarge(s.Path.At, "the search for paths", "a lower max, via, avoid, where")
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
		summary = fmt.Sprintf("without %s there is no path any more (%s found with it)", what, plural(len(basePaths), "path", "paths"))
	case al > bl && !s.Path.All:
		summary = fmt.Sprintf("without %s the shortest path grows from %d to %d hops: %d lost, %d new", what, bl, al, lost, added)
	default:
		summary = fmt.Sprintf("without %s: %s kept, %d lost, %d new", what, plural(kept, "path", "paths"), lost, added)
	}
	res.Notes = append(res.Notes, summary)
	res.Note = summary
	if base.Capped || alt.Capped {
		res.Capped = true
		res.Note += " (the path cap was reached; raise it with limit N)"
	}
	if s.Path.Limit == 0 && len(res.Rows) > ev.opts.Limit {
		res.Capped = true
		res.Note += fmt.Sprintf(" — showing the first %d of %d rows (raise the row limit)", ev.opts.Limit, len(res.Rows))
		res.Rows = res.Rows[:ev.opts.Limit]
	}
	return res, nil
}
