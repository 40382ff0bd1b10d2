package query

import (
	"fmt"
	"sort"
	"strings"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query/syntax"
)

// binding is one way the patterns match: each variable's value, and for
// node variables their number in the link index.
// binding holds the values of a match's variables so far: a value per
// variable (nil while unbound) and, for a node variable, the node's index
// (-1 otherwise; below -1, an entity without links: unlinkedIndex), in
// slots numbered by the statement's vars. Slices, not
// maps: a match may hold a million bindings.
type binding struct {
	vars *varSlots
	vals []Value
	idx  []int32
	// sym and mirror identify a match of a symmetric relation by a
	// pattern of two nodes (symmetricOnce): sym the relation and its two
	// nodes in the pattern's order, mirror the same match the other way
	// round when this one has the relation's subject on the wrong side.
	sym, mirror string
}

// varSlots numbers a statement's variables.
type varSlots struct {
	names []string
	slot  map[string]int
}

func newBinding() binding {
	return binding{vars: &varSlots{slot: map[string]int{}}}
}

// slotOf is k's slot, numbered when first asked for.
func (v *varSlots) slotOf(k string) int {
	i, ok := v.slot[k]
	if !ok {
		i = len(v.names)
		v.slot[k] = i
		v.names = append(v.names, k)
	}
	return i
}

func (b binding) clone() binding {
	n := len(b.vars.names)
	c := binding{vars: b.vars, vals: make([]Value, n), idx: make([]int32, n), sym: b.sym, mirror: b.mirror}
	copy(c.vals, b.vals)
	copy(c.idx, b.idx)
	for i := len(b.idx); i < n; i++ {
		c.idx[i] = -1
	}
	return c
}

// set binds k to v; setNode binds a node variable to v, node i.
func (b *binding) set(k string, v Value) { b.setNode(k, v, -1) }

func (b *binding) setNode(k string, v Value, i int32) {
	j := b.vars.slotOf(k)
	for len(b.vals) <= j {
		b.vals = append(b.vals, nil)
		b.idx = append(b.idx, -1)
	}
	b.vals[j], b.idx[j] = v, i
}

// node is the node a node variable is bound to; false when k is "" or
// not bound to a node.
func (b binding) node(k string) (int32, bool) {
	if k == "" {
		return 0, false
	}
	j, ok := b.vars.slot[k]
	if !ok || j >= len(b.idx) || b.idx[j] == -1 {
		return 0, false
	}
	return b.idx[j], true
}

// scope is the binding's variables, for evaluating an expression.
func (b binding) scope() *scope {
	vars := make(map[string]Value, len(b.vals))
	for j, v := range b.vals {
		if v != nil {
			vars[b.vars.names[j]] = v
		}
	}
	return &scope{vars: vars}
}

// compiled node and relationship patterns.
type nodeMatcher struct {
	pat    *syntax.NodePat
	varKey string
	types  []string // any of these types
	props  []syntax.Prop

	cands     []int32 // the candidates, once found: they depend on the pattern alone
	candsDone bool
	// alone: the pattern is a node alone, (n:Sector), which entities
	// without links match too.
	alone bool
}

type relMatcher struct {
	pat    *syntax.RelPat
	varKey string
	preds  map[int32]bool // nil: any
	min    int
	max    int
	props  []syntax.Prop
}

// errStop ends an enumeration early (the row cap).
type stopErr struct{}

func (stopErr) Error() string { return "stop" }

// match answers a Cypher/GQL-style pattern query.
func (ev *evaluator) match(s *syntax.Match) (*Result, error) {
	links, err := ev.getLinks()
	if err != nil {
		return nil, err
	}
	// Nodes are described as the catalog describes them; the catalog is
	// built only where a pattern needs every entity (a node without a
	// name or id, a type none of the model's).
	if err := ev.entities(); err != nil {
		return nil, err
	}
	kinds := map[string]string{}
	declare := func(name, kind string, at syntax.Pos) error {
		if name == "" {
			return nil
		}
		key := strings.ToLower(name)
		if prev, ok := kinds[key]; ok && prev != kind {
			return ev.errAt(at, ErrInvalid, "variable %s is a %s here but a %s before", name, kind, prev)
		}
		kinds[key] = kind
		return nil
	}
	type compiled struct {
		pat   *syntax.Pattern
		nodes []*nodeMatcher
		rels  []*relMatcher
	}
	var pats []compiled
	for _, pt := range s.Patterns {
		c := compiled{pat: pt}
		if err := declare(pt.Var, "path", pt.At); err != nil {
			return nil, err
		}
		for _, n := range pt.Nodes {
			if err := declare(n.Var, "node", n.At); err != nil {
				return nil, err
			}
			m, err := ev.compileNode(n)
			if err != nil {
				return nil, err
			}
			m.alone = len(pt.Rels) == 0
			c.nodes = append(c.nodes, m)
		}
		for _, r := range pt.Rels {
			kind := "rel"
			if r.VarLen {
				kind = "rels"
			}
			if err := declare(r.Var, kind, r.At); err != nil {
				return nil, err
			}
			m, err := ev.compileRel(r, links)
			if err != nil {
				return nil, err
			}
			c.rels = append(c.rels, m)
		}
		pats = append(pats, c)
	}
	sc := &scope{}
	if s.Where != nil {
		if err := ev.checkExpr(s.Where, sc, kinds); err != nil {
			return nil, err
		}
	}
	for _, r := range s.Return {
		if err := ev.checkExpr(r.Expr, sc, kinds); err != nil {
			if r.Alias == "" || !isAggregate(r.Expr) {
				return nil, err
			}
		}
	}
	// Enumerate bindings pattern by pattern.
	limit := ev.opts.Limit
	if s.HasLimit {
		limit = s.Limit
	}
	aggregate := false
	for _, r := range s.Return {
		if isAggregate(r.Expr) {
			aggregate = true
		}
	}
	// Without aggregation, order or distinct, enumeration can stop once
	// enough rows are found.
	want := -1
	if !aggregate && len(s.OrderBy) == 0 && !s.Distinct && !(len(pats) == 1 && len(pats[0].nodes) == 2 && ev.maySymmetric(pats[0].rels[0], links)) {
		// (symmetricOnce needs every binding of a two-node pattern
		// that may match a symmetric relation.)
		want = s.Skip + limit + 1
	}
	// The last pattern's bindings are filtered by where as they come, so
	// that enumeration stops once enough rows are found.
	bindings := []binding{newBinding()}
	work := 0
	for pi, c := range pats {
		last := pi == len(pats)-1
		var next []binding
		for _, b := range bindings {
			err := ev.matchPattern(c.pat, c.nodes, c.rels, links, b, func(nb binding) error {
				if work++; work&1023 == 0 {
					if err := ev.ctx.Err(); err != nil {
						return err
					}
				}
				if last && s.Where != nil {
					v, err := ev.eval(s.Where, nb.scope())
					if err != nil {
						return err
					}
					if !truthy(v) {
						return nil
					}
				}
				next = append(next, nb)
				if last && want > 0 && len(next) >= want {
					return stopErr{}
				}
				if len(next) > 1_000_000 {
					return ev.errAt(c.pat.At, ErrInvalid, "the pattern matches more than a million ways: narrow it (a name, a type, fewer hops)")
				}
				return nil
			})
			if _, stop := err.(stopErr); stop {
				break
			}
			if err != nil {
				return nil, err
			}
		}
		bindings = next
	}
	rows := symmetricOnce(s, bindings)
	res := &Result{Kind: "match"}
	for _, r := range s.Return {
		res.Columns = append(res.Columns, r.Name())
	}
	var out [][]Value
	var orderKeys [][]Value
	if aggregate {
		out, orderKeys, err = ev.aggregate(s, rows)
	} else {
		for _, b := range rows {
			row, err := ev.project(s.Return, b)
			if err != nil {
				return nil, err
			}
			keys, err := ev.orderKeys(s, b, row)
			if err != nil {
				return nil, err
			}
			out = append(out, row)
			orderKeys = append(orderKeys, keys)
		}
	}
	if err != nil {
		return nil, err
	}
	if s.Distinct {
		seen := map[string]bool{}
		var o2 [][]Value
		var k2 [][]Value
		for i, row := range out {
			k := rowKey(row)
			if !seen[k] {
				seen[k] = true
				o2 = append(o2, row)
				k2 = append(k2, orderKeys[i])
			}
		}
		out, orderKeys = o2, k2
	}
	if len(s.OrderBy) > 0 {
		idx := make([]int, len(out))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool {
			ka, kb := orderKeys[idx[a]], orderKeys[idx[b]]
			for i, o := range s.OrderBy {
				lt, _ := less(ka[i], kb[i])
				gt, _ := less(kb[i], ka[i])
				if isNull(ka[i]) != isNull(kb[i]) {
					lt, gt = !isNull(ka[i]) == !o.Desc, isNull(ka[i]) == !o.Desc
				}
				if lt || gt {
					if o.Desc {
						return gt
					}
					return lt
				}
			}
			return false
		})
		sorted := make([][]Value, len(out))
		for i, j := range idx {
			sorted[i] = out[j]
		}
		out = sorted
	}
	if s.Skip > 0 {
		if s.Skip >= len(out) {
			out = nil
		} else {
			out = out[s.Skip:]
		}
	}
	if len(out) > limit {
		out = out[:limit]
		res.Capped = true
		res.Note = fmt.Sprintf("showing %s (limit %d)", theFirst(limit, "row", "rows"), limit)
	}
	res.Rows = out
	return res, nil
}

func isAggregate(x syntax.Expr) bool {
	found := false
	var walk func(syntax.Expr)
	walk = func(x syntax.Expr) {
		switch x := x.(type) {
		case *syntax.Call:
			if x.Name() == "count" || x.Name() == "collect" {
				found = true
			}
			for _, a := range x.Args {
				walk(a)
			}
		case *syntax.Binary:
			walk(x.L)
			walk(x.R)
		case *syntax.Unary:
			walk(x.X)
		case *syntax.Paren:
			walk(x.X)
		case *syntax.PropExpr:
			walk(x.X)
		}
	}
	walk(x)
	return found
}

func (ev *evaluator) project(items []*syntax.ReturnItem, b binding) ([]Value, error) {
	row := make([]Value, len(items))
	for i, it := range items {
		v, err := ev.eval(it.Expr, b.scope())
		if err != nil {
			return nil, err
		}
		row[i] = v
	}
	return row, nil
}

// orderKeys evaluates the order by expressions of a row: a return alias or
// item's text names that column; anything else is evaluated on the row's
// binding.
func (ev *evaluator) orderKeys(s *syntax.Match, b binding, row []Value) ([]Value, error) {
	keys := make([]Value, len(s.OrderBy))
	for i, o := range s.OrderBy {
		if col := returnColumn(s, o.Expr); col >= 0 {
			keys[i] = row[col]
			continue
		}
		v, err := ev.eval(o.Expr, b.scope())
		if err != nil {
			return nil, err
		}
		keys[i] = v
	}
	return keys, nil
}

func returnColumn(s *syntax.Match, x syntax.Expr) int {
	text := x.String()
	for j, r := range s.Return {
		if strings.EqualFold(r.Alias, text) || r.Expr.String() == text {
			return j
		}
	}
	return -1
}

// aggregate groups rows by the return items that are not aggregates and
// computes count() and collect() per group.
func (ev *evaluator) aggregate(s *syntax.Match, rows []binding) ([][]Value, [][]Value, error) {
	type group struct {
		row  []Value
		aggs [][]Value // per return item: the values collected
		n    int
	}
	var order []string
	groups := map[string]*group{}
	for _, b := range rows {
		keyVals := make([]Value, len(s.Return))
		for i, r := range s.Return {
			if isAggregate(r.Expr) {
				continue
			}
			v, err := ev.eval(r.Expr, b.scope())
			if err != nil {
				return nil, nil, err
			}
			keyVals[i] = v
		}
		k := rowKey(keyVals)
		g, ok := groups[k]
		if !ok {
			g = &group{row: keyVals, aggs: make([][]Value, len(s.Return))}
			groups[k] = g
			order = append(order, k)
		}
		g.n++
		for i, r := range s.Return {
			c, ok := r.Expr.(*syntax.Call)
			if !ok || (c.Name() != "count" && c.Name() != "collect") {
				continue
			}
			if c.Star {
				g.aggs[i] = append(g.aggs[i], true)
				continue
			}
			if len(c.Args) != 1 {
				return nil, nil, ev.errAt(c.At, ErrInvalid, "%s() takes one argument", c.Fn)
			}
			v, err := ev.eval(c.Args[0], b.scope())
			if err != nil {
				return nil, nil, err
			}
			if !isNull(v) {
				g.aggs[i] = append(g.aggs[i], v)
			}
		}
	}
	if len(rows) == 0 && allAggregates(s.Return) {
		// count(*) over nothing is one row of zeros.
		groups[""] = &group{row: make([]Value, len(s.Return)), aggs: make([][]Value, len(s.Return))}
		order = append(order, "")
	}
	var out, keys [][]Value
	for _, k := range order {
		g := groups[k]
		row := append([]Value(nil), g.row...)
		for i, r := range s.Return {
			c, ok := r.Expr.(*syntax.Call)
			if !ok {
				if isAggregate(r.Expr) {
					return nil, nil, ev.errAt(r.Expr.Pos(), ErrInvalid, "count() and collect() must stand alone in a return item")
				}
				continue
			}
			vals := g.aggs[i]
			if c.Distinct {
				seen := map[string]bool{}
				var d []Value
				for _, v := range vals {
					if key := rowKey([]Value{v}); !seen[key] {
						seen[key] = true
						d = append(d, v)
					}
				}
				vals = d
			}
			if c.Name() == "count" {
				row[i] = int64(len(vals))
			} else {
				row[i] = List(vals)
			}
		}
		ks := make([]Value, len(s.OrderBy))
		for i, o := range s.OrderBy {
			col := returnColumn(s, o.Expr)
			if col < 0 {
				return nil, nil, ev.errAt(o.Expr.Pos(), ErrInvalid, "with count() or collect(), order by must name a returned column")
			}
			ks[i] = row[col]
		}
		out = append(out, row)
		keys = append(keys, ks)
	}
	return out, keys, nil
}

func allAggregates(items []*syntax.ReturnItem) bool {
	for _, r := range items {
		if !isAggregate(r.Expr) {
			return false
		}
	}
	return true
}

// rowKey is a text key identifying a row's values, for distinct and
// grouping.
func rowKey(row []Value) string {
	var b strings.Builder
	for _, v := range row {
		switch v := v.(type) {
		case *Node:
			b.WriteString("N" + IDString(v.ID))
		case *Relation:
			b.WriteString("R" + IDString(v.From.ID) + ">" + v.Kind + ">" + IDString(v.To.ID) + "@" + IDString(v.Stmt))
		case *Path:
			b.WriteString("P")
			for _, n := range v.Nodes {
				b.WriteString(IDString(n.ID) + "/")
			}
		case List:
			b.WriteString("[" + rowKey(v) + "]")
		default:
			fmt.Fprintf(&b, "%T:%v", v, v)
		}
		b.WriteByte(0)
	}
	return b.String()
}

func (ev *evaluator) compileNode(n *syntax.NodePat) (*nodeMatcher, error) {
	m := &nodeMatcher{pat: n, varKey: strings.ToLower(n.Var), props: n.Props}
	if len(n.Labels) > 0 {
		known := map[string]bool{}
		var names []string
		for _, t := range graph.TypeNames() {
			known[strings.ToLower(t)] = true
			names = append(names, t)
		}
		for _, t := range graph.Supertypes {
			known[strings.ToLower(t.Name)] = true
			names = append(names, t.Name)
		}
		for _, l := range n.Labels {
			if known[strings.ToLower(strings.Trim(l, "<>"))] {
				continue
			}
			// A type the model does not name: the store's own types.
			cat, err := ev.catalog()
			if err != nil {
				return nil, err
			}
			for _, e := range cat.Entities {
				for _, t := range e.Types {
					if !known[strings.ToLower(t)] {
						known[strings.ToLower(t)] = true
						names = append(names, t)
					}
				}
			}
			break
		}
		for i, l := range n.Labels {
			l = strings.Trim(l, "<>")
			if !known[strings.ToLower(l)] {
				msg := fmt.Sprintf("unknown type %s", syntax.Echo(l))
				if sugg := graph.Suggest(l, names); len(sugg) > 0 {
					msg += " (did you mean " + strings.Join(sugg, ", ") + "?)"
				}
				at := n.At
				if i < len(n.LabelsAt) {
					at = n.LabelsAt[i]
				}
				return nil, ev.errAt(at, ErrUnknown, "%s", msg)
			}
			if subs, ok := graph.SubtypesOf(l); ok {
				m.types = append(m.types, subs...)
				continue
			}
			m.types = append(m.types, l)
		}
	}
	for _, p := range n.Props {
		if !contains(nodeProps, strings.ToLower(p.Key)) {
			msg := fmt.Sprintf("nodes have no property %s", syntax.Echo(p.Key))
			if sugg := graph.Suggest(p.Key, nodeProps); len(sugg) > 0 {
				msg += " (did you mean " + sugg[0] + "?)"
			}
			return nil, ev.errAt(p.Value.Pos(), ErrInvalid, "%s", msg)
		}
		if err := ev.checkExpr(p.Value, &scope{}, map[string]string{}); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (ev *evaluator) compileRel(r *syntax.RelPat, links *graph.Links) (*relMatcher, error) {
	m := &relMatcher{pat: r, varKey: strings.ToLower(r.Var), props: r.Props, min: 1, max: 1}
	if r.VarLen {
		m.max = DefaultPathMax
		if r.MinSet {
			m.min = r.Min
		}
		if r.MaxSet {
			m.max = r.Max
		}
		if m.max < m.min {
			// Only without a maximum: the parser refuses *3..2.
			return nil, ev.errAt(r.RangeAt, ErrInvalid, "the range *%d.. is empty: without a maximum a path has at most %d hops (write *%d..%d)", m.min, m.max, m.min, MaxHops)
		}
		if m.max > MaxHops {
			return nil, ev.errAt(r.RangeAt, ErrInvalid, "*..%d is more hops than a search may take (%d)", m.max, MaxHops)
		}
	}
	if len(r.Types) > 0 {
		m.preds = map[int32]bool{}
		for i, t := range r.Types {
			at := r.At
			if i < len(r.TypesAt) {
				at = r.TypesAt[i]
			}
			name := &syntax.Name{At: at, Text: strings.Trim(t, "<>"), IRI: strings.HasPrefix(t, "<")}
			ps, err := ev.relationKind(name)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				if i, ok := links.PredIndex(p); ok {
					m.preds[i] = true
				}
			}
		}
	}
	for _, p := range r.Props {
		if !contains(relProps, strings.ToLower(p.Key)) {
			msg := fmt.Sprintf("relationships have no property %s", syntax.Echo(p.Key))
			if sugg := graph.Suggest(p.Key, relProps); len(sugg) > 0 {
				msg += " (did you mean " + sugg[0] + "?)"
			}
			return nil, ev.errAt(p.Value.Pos(), ErrInvalid, "%s", msg)
		}
	}
	return m, nil
}

// nodeOK reports whether node i matches a node pattern.
func (ev *evaluator) nodeOK(m *nodeMatcher, links *graph.Links, i int32) (bool, *Node, error) {
	n, err := ev.nodeAt(links, i)
	if err != nil {
		return false, nil, err
	}
	if len(m.types) > 0 {
		ok := false
		for _, t := range m.types {
			for _, nt := range n.Types {
				if strings.EqualFold(t, nt) {
					ok = true
				}
			}
		}
		if !ok {
			return false, n, nil
		}
	}
	for _, p := range m.props {
		want, err := ev.eval(p.Value, &scope{})
		if err != nil {
			return false, nil, err
		}
		got := property(n, strings.ToLower(p.Key))
		if strings.EqualFold(p.Key, "name") {
			if s, ok := textOf(want); ok && nodeNamed(n, s) {
				continue
			}
			return false, n, nil
		}
		if !equal(got, want) {
			return false, n, nil
		}
	}
	return true, n, nil
}

// candidates lists the nodes that may match a node pattern on their own:
// by name or id when the pattern gives one, else by type, else all.
func (ev *evaluator) candidates(m *nodeMatcher, links *graph.Links) ([]int32, error) {
	// A pattern matched once per binding of the patterns before it (match
	// (a), (b)) finds its candidates once.
	if m.candsDone {
		return m.cands, nil
	}
	out, err := ev.findCandidates(m, links)
	if err != nil {
		return nil, err
	}
	m.cands, m.candsDone = out, true
	return out, nil
}

func (ev *evaluator) findCandidates(m *nodeMatcher, links *graph.Links) ([]int32, error) {
	for _, p := range m.props {
		key := strings.ToLower(p.Key)
		if key != "name" && key != "id" {
			continue
		}
		v, err := ev.eval(p.Value, &scope{})
		if err != nil {
			return nil, err
		}
		s, ok := textOf(v)
		if !ok {
			return nil, nil
		}
		var out []int32
		if key == "id" {
			if r, _ := ev.qs.ValueOf(idValue(s)); r != nil {
				if i, ok := links.Index(r); ok {
					out = append(out, i)
				}
			}
			return out, nil
		}
		es, err := ev.lookup(s)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if r, _ := ev.qs.ValueOf(e.ID); r != nil {
				if i, ok := ev.matchIndex(m, links, r); ok {
					out = append(out, i)
				}
			}
		}
		if len(out) == 0 {
			if found, _ := ev.exactName(s); len(found) > 0 {
				for _, f := range found {
					if i, ok := ev.matchIndex(m, links, f.ref); ok {
						out = append(out, i)
					}
				}
			}
		}
		return out, nil
	}
	cat, err := ev.catalog()
	if err != nil {
		return nil, err
	}
	var out []int32
	for i, e := range cat.Entities {
		if i%1024 == 0 {
			if err := ev.ctx.Err(); err != nil {
				return nil, err
			}
		}
		r, _ := ev.qs.ValueOf(e.ID)
		if r == nil {
			continue
		}
		if i, ok := ev.matchIndex(m, links, r); ok {
			out = append(out, i)
		}
	}
	if len(m.types) == 0 && len(out) == 0 {
		for i := range links.Len() {
			out = append(out, int32(i))
		}
	}
	return out, nil
}

// matchIndex is the number a node pattern's candidate gets: its number in
// the link index, or, for a pattern of a node alone, an unlinkedIndex
// when it has no links (every entity is matchable, linked or not).
func (ev *evaluator) matchIndex(m *nodeMatcher, links *graph.Links, r cgraph.Ref) (int32, bool) {
	if i, ok := links.Index(r); ok {
		return i, true
	}
	if !m.alone {
		return 0, false
	}
	ev.unlinked = append(ev.unlinked, r)
	return unlinkedIndex(len(ev.unlinked) - 1), true
}

// unlinkedIndex numbers the k-th entity without links met by a match
// (ev.unlinked[k]): -2, -3, …, so that -1 still means unbound.
func unlinkedIndex(k int) int32 { return int32(-2 - k) }

// nodeAt materialises node i of a match: a node of the link index, or an
// entity without links (unlinkedIndex).
func (ev *evaluator) nodeAt(links *graph.Links, i int32) (*Node, error) {
	if i < -1 {
		return ev.node(ev.unlinked[-2-i])
	}
	return ev.node(links.Node(i))
}

// symmetricKeys are a binding's sym and mirror (see binding) for a match
// of a symmetric relation h between the nodes of a two-node pattern
// (in the pattern's order, h seen from nodes[0]). The relation's subject
// belongs on the left of the arrow (on the right of <-).
func symmetricKeys(h Hop, nodes []int32, dir syntax.Dir) (sym, mirror string) {
	rel := IDString(h.Rel.Stmt) + "\x00" + IDString(h.Rel.Pred) + "\x00"
	key := func(a, b int32) string { return fmt.Sprintf("%s%d\x00%d", rel, a, b) }
	sym = key(nodes[0], nodes[1])
	subjectLeft := !h.Reverse
	if subjectLeft == (dir == syntax.In) {
		mirror = key(nodes[1], nodes[0])
	}
	return sym, mirror
}

// symmetricOnce drops, from the bindings of a one-pattern match of two
// nodes and a relationship, each match of a symmetric relation with its
// subject on the wrong side whose mirror image is among them: a
// symmetric relation says the same either way, so it is one row, not
// two. It keeps both when the answer reads only one of the two nodes
// (return c.name, count(*)): each end then has the relation.
func symmetricOnce(s *syntax.Match, bindings []binding) []binding {
	if len(s.Patterns) != 1 || len(s.Patterns[0].Nodes) != 2 {
		return bindings
	}
	a, b := strings.ToLower(s.Patterns[0].Nodes[0].Var), strings.ToLower(s.Patterns[0].Nodes[1].Var)
	readA, readB := false, false
	read := func(x syntax.Expr) {
		eachIdent(x, func(id *syntax.Ident) {
			switch strings.ToLower(id.Name) {
			case a:
				readA = true
			case b:
				readB = true
			}
		})
	}
	for _, r := range s.Return {
		read(r.Expr)
	}
	for _, o := range s.OrderBy {
		read(o.Expr)
	}
	if readA != readB && a != "" && b != "" {
		return bindings
	}
	present := map[string]bool{}
	for _, x := range bindings {
		if x.sym != "" {
			present[x.sym] = true
		}
	}
	out := bindings[:0]
	for _, x := range bindings {
		if x.mirror == "" || !present[x.mirror] {
			out = append(out, x)
		}
	}
	return out
}

// maySymmetric reports whether a relationship pattern may match a
// relation of a symmetric kind: one of its kinds is, or, with none given,
// the graph has one.
func (ev *evaluator) maySymmetric(rm *relMatcher, links *graph.Links) bool {
	sym := ev.symmetricFor(links)
	for p := range links.Preds {
		if sym(int32(p)) && (rm.preds == nil || rm.preds[int32(p)]) {
			return true
		}
	}
	return false
}

// isSymmetric reports whether a relation is of a symmetric kind.
func isSymmetric(r *Relation) bool {
	iri, ok := r.Pred.(quad.IRI)
	if !ok || !strings.HasPrefix(string(iri), graph.RelPrefix) {
		return false
	}
	k, ok := graph.LookupKind(string(iri))
	return ok && k.Symmetric
}

// matchPattern finds every way a pattern matches, extending b.
func (ev *evaluator) matchPattern(pt *syntax.Pattern, nodes []*nodeMatcher, rels []*relMatcher, links *graph.Links, b binding, emit func(binding) error) error {
	if pt.Selector != "" {
		return ev.matchShortest(pt, nodes, rels, links, b, emit)
	}
	// Anchor on the most selective node pattern.
	anchor := 0
	best := 3
	for i, n := range nodes {
		rank := 2
		if _, bound := b.node(n.varKey); bound {
			rank = -1
		} else if hasNameProp(n) {
			rank = 0
		} else if len(n.types) > 0 {
			rank = 1
		}
		if rank < best {
			anchor, best = i, rank
		}
	}
	var starts []int32
	if i, bound := b.node(nodes[anchor].varKey); bound {
		if i < -1 && len(rels) > 0 {
			return nil // an entity without links has no relationship
		}
		starts = []int32{i}
	} else if best == 2 && len(rels) > 0 {
		// No name, id or type: every node with a link the pattern can
		// take from here.
		rm, dir := rels[min(anchor, len(rels)-1)], syntax.Both
		if anchor < len(rels) {
			dir = rm.pat.Dir
		} else {
			dir = flip(rm.pat.Dir)
		}
		starts = ev.linkedNodes(rm, dir, links)
	} else {
		var err error
		if starts, err = ev.candidates(nodes[anchor], links); err != nil {
			return err
		}
	}
	type partial struct {
		b     binding
		nodes []int32 // matched node per pattern position (-1 unmatched)
		hops  [][]Hop // hops per relationship position
	}
	var extend func(p partial, pos, dir int) error
	// extend matches the next relationship from position pos in direction
	// dir (+1 right, -1 left); right first, then left, then emit.
	extend = func(p partial, pos, dir int) error {
		if err := ev.ctx.Err(); err != nil {
			return err
		}
		if dir > 0 && pos == len(nodes)-1 {
			return extend(p, anchor, -1)
		}
		if dir < 0 && pos == 0 {
			return ev.finish(pt, p.b, p.nodes, p.hops, links, emit)
		}
		var ri, next int
		if dir > 0 {
			ri, next = pos, pos+1
		} else {
			ri, next = pos-1, pos-1
		}
		rm := rels[ri]
		nm := nodes[next]
		// Walking against the pattern flips the relationship's direction.
		rdir := rm.pat.Dir
		if dir < 0 {
			rdir = flip(rdir)
		}
		return ev.walkRel(rm, links, p.nodes[pos], rdir, func(end int32, hops []Hop) error {
			ok, node, err := ev.nodeOK(nm, links, end)
			if err != nil || !ok {
				return err
			}
			q := partial{b: p.b.clone(), nodes: append([]int32(nil), p.nodes...), hops: append([][]Hop(nil), p.hops...)}
			q.nodes[next] = end
			if dir < 0 {
				hops = reverseHops(hops)
			}
			q.hops[ri] = hops
			if nm.varKey != "" {
				q.b.setNode(nm.varKey, node, end)
			}
			if len(nodes) == 2 && !rm.pat.VarLen && isSymmetric(hops[0].Rel) {
				q.b.sym, q.b.mirror = symmetricKeys(hops[0], q.nodes, rm.pat.Dir)
			}
			if rm.varKey != "" {
				if rm.pat.VarLen {
					l := make(List, len(hops))
					for i, h := range hops {
						l[i] = h.Rel
					}
					q.b.set(rm.varKey, l)
				} else {
					q.b.set(rm.varKey, hops[0].Rel)
				}
			}
			return extend(q, next, dir)
		})
	}
	for i, st := range starts {
		if i%1024 == 0 {
			if err := ev.ctx.Err(); err != nil {
				return err
			}
		}
		ok, node, err := ev.nodeOK(nodes[anchor], links, st)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		p := partial{b: b.clone(), nodes: make([]int32, len(nodes)), hops: make([][]Hop, len(rels))}
		for i := range p.nodes {
			p.nodes[i] = -1
		}
		p.nodes[anchor] = st
		if k := nodes[anchor].varKey; k != "" {
			p.b.setNode(k, node, st)
		}
		if err := extend(p, anchor, +1); err != nil {
			return err
		}
	}
	return nil
}

// linkedNodes lists the nodes from which a relationship pattern can take
// a first hop in direction dir: those with a link of its kinds (any link
// when it has none); every node when it may have no hop at all (*0..).
func (ev *evaluator) linkedNodes(rm *relMatcher, dir syntax.Dir, links *graph.Links) []int32 {
	sym := ev.symmetricFor(links)
	var out []int32
	for i := range links.Len() {
		n := int32(i)
		ok := rm.min == 0
		for _, e := range links.Out(n) {
			if ok {
				break
			}
			ok = (rm.preds == nil || rm.preds[e.Pred]) && (dir != syntax.In || sym(e.Pred))
		}
		for _, e := range links.In(n) {
			if ok {
				break
			}
			ok = (rm.preds == nil || rm.preds[e.Pred]) && (dir != syntax.Out || sym(e.Pred))
		}
		if ok {
			out = append(out, n)
		}
	}
	return out
}

// symmetricFor is ev.symmetric for a link index, computed once.
func (ev *evaluator) symmetricFor(links *graph.Links) func(int32) bool {
	if ev.symLinks != links {
		ev.symLinks, ev.symFn = links, ev.symmetric(links)
	}
	return ev.symFn
}

func hasNameProp(n *nodeMatcher) bool {
	for _, p := range n.props {
		if k := strings.ToLower(p.Key); k == "name" || k == "id" {
			return true
		}
	}
	return false
}

func flip(d syntax.Dir) syntax.Dir {
	switch d {
	case syntax.Out:
		return syntax.In
	case syntax.In:
		return syntax.Out
	}
	return d
}

func reverseHops(hs []Hop) []Hop {
	out := make([]Hop, len(hs))
	for i, h := range hs {
		h.Reverse = !h.Reverse
		out[len(hs)-1-i] = h
	}
	return out
}

// walkRel calls fn for every node a relationship pattern reaches from
// node u, with the hops that reach it. A fixed-length relationship yields
// one hop per relation (parallel relations are separate matches); a
// variable-length one yields simple paths of min..max hops, parallel
// relations grouped.
func (ev *evaluator) walkRel(rm *relMatcher, links *graph.Links, u int32, dir syntax.Dir, fn func(end int32, hops []Hop) error) error {
	relOK := func(lk graph.Link) (bool, *Relation, error) {
		if rm.preds != nil && !rm.preds[lk.Pred] {
			return false, nil, nil
		}
		rel, err := ev.relation(lk)
		if err != nil {
			return false, nil, err
		}
		for _, p := range rm.props {
			want, err := ev.eval(p.Value, &scope{})
			if err != nil {
				return false, nil, err
			}
			if !equal(property(rel, strings.ToLower(p.Key)), want) {
				return false, rel, nil
			}
		}
		return true, rel, nil
	}
	// A directed relationship walks links in its direction, and the
	// symmetric kinds either way.
	sym := ev.symmetricFor(links)
	edges := func(x int32) []graph.Link {
		var out []graph.Link
		for _, e := range links.Out(x) {
			if dir != syntax.In || sym(e.Pred) && e.Other != x {
				out = append(out, graph.Link{From: x, To: e.Other, Pred: e.Pred, Label: e.Label})
			}
		}
		for _, e := range links.In(x) {
			if dir == syntax.In || (dir == syntax.Both || sym(e.Pred)) && e.Other != x {
				out = append(out, graph.Link{From: e.Other, To: x, Pred: e.Pred, Label: e.Label})
			}
		}
		return out
	}
	otherEnd := func(lk graph.Link, x int32) int32 {
		if lk.From == x {
			return lk.To
		}
		return lk.From
	}
	if !rm.pat.VarLen {
		for _, lk := range edges(u) {
			ok, rel, err := relOK(lk)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if err := fn(otherEnd(lk, u), []Hop{{Rel: rel, Reverse: lk.From != u}}); err != nil {
				return err
			}
		}
		return nil
	}
	onPath := map[int32]bool{u: true}
	var hops []Hop
	var walk func(x int32, depth int) error
	walk = func(x int32, depth int) error {
		if err := ev.charge(1 + len(links.Out(x)) + len(links.In(x))); err == errWorkSpent {
			return ev.tooLarge(rm.pat.RangeAt, fmt.Sprintf("the search for paths of %d to %d hops", rm.min, rm.max), "fewer hops, a kind, a name or type at each end; shortest")
		} else if err != nil {
			return err
		}
		if depth >= rm.min && depth > 0 {
			if err := fn(x, append([]Hop(nil), hops...)); err != nil {
				return err
			}
		}
		if depth == rm.max {
			return nil
		}
		// Group the allowed relations by the node they lead to.
		byEnd := map[int32][]graph.Link{}
		var ends []int32
		for _, lk := range edges(x) {
			v := otherEnd(lk, x)
			if onPath[v] {
				continue
			}
			if _, seen := byEnd[v]; !seen {
				ends = append(ends, v)
			}
			byEnd[v] = append(byEnd[v], lk)
		}
		for _, v := range ends {
			var st graph.Step
			for _, lk := range byEnd[v] {
				ok, _, err := relOK(lk)
				if err != nil {
					return err
				}
				if ok {
					st = append(st, lk)
				}
			}
			if len(st) == 0 {
				continue
			}
			h, err := ev.hop(x, st)
			if err != nil {
				return err
			}
			onPath[v] = true
			hops = append(hops, h)
			err = walk(v, depth+1)
			hops = hops[:len(hops)-1]
			delete(onPath, v)
			if err != nil {
				return err
			}
		}
		return nil
	}
	if rm.min == 0 {
		if err := fn(u, nil); err != nil {
			return err
		}
	}
	return walk(u, 0)
}

// finish binds a whole match's path variable and emits it.
func (ev *evaluator) finish(pt *syntax.Pattern, b binding, nodes []int32, hops [][]Hop, links *graph.Links, emit func(binding) error) error {
	if pt.Var != "" {
		p := &Path{}
		for i, n := range nodes {
			if i > 0 {
				// intermediate nodes of variable-length hops
				for _, h := range hops[i-1][:max(0, len(hops[i-1])-1)] {
					end := h.Rel.To
					if h.Reverse {
						end = h.Rel.From
					}
					p.Nodes = append(p.Nodes, end)
				}
				p.Hops = append(p.Hops, hops[i-1]...)
			}
			node, err := ev.nodeAt(links, n)
			if err != nil {
				return err
			}
			p.Nodes = append(p.Nodes, node)
		}
		setWeakest(p)
		b.set(strings.ToLower(pt.Var), p)
	}
	return emit(b)
}

// matchShortest handles "shortest" and "all shortest" patterns: one
// relationship between two node patterns, answered by the path search.
func (ev *evaluator) matchShortest(pt *syntax.Pattern, nodes []*nodeMatcher, rels []*relMatcher, links *graph.Links, b binding, emit func(binding) error) error {
	ends := make([][]int32, 2)
	for i, n := range nodes {
		if idx, bound := b.node(n.varKey); bound {
			if idx >= 0 { // an entity without links is on no path
				ends[i] = []int32{idx}
			}
			continue
		}
		cands, err := ev.candidates(n, links)
		if err != nil {
			return err
		}
		for _, c := range cands {
			if ok, _, err := ev.nodeOK(n, links, c); err != nil {
				return err
			} else if ok {
				ends[i] = append(ends[i], c)
			}
		}
	}
	if len(ends[0])*len(ends[1]) > 10000 {
		return ev.errAt(pt.At, ErrInvalid, "%s between %d × %d node pairs is too many: name the ends", pt.Selector, len(ends[0]), len(ends[1]))
	}
	rm := rels[0]
	search := graph.Search{Symmetric: ev.symmetricFor(links)}
	maxLen, limit := rm.max, 1
	if !rm.pat.VarLen {
		maxLen = 1
	}
	if pt.Selector == "all shortest" {
		limit = ev.opts.PathLimit
	}
	if rm.preds != nil {
		search.Pred = func(p int32) bool { return rm.preds[p] }
	}
	if len(rm.props) > 0 {
		search.Link = func(lk graph.Link) bool {
			rel, err := ev.relation(lk)
			if err != nil {
				return false
			}
			for _, p := range rm.props {
				want, _ := ev.eval(p.Value, &scope{})
				if !equal(property(rel, strings.ToLower(p.Key)), want) {
					return false
				}
			}
			return true
		}
	}
	search.Directed = rm.pat.Dir != syntax.Both
	hops := map[[2]int32]Hop{}
	for _, a := range ends[0] {
		for _, z := range ends[1] {
			if a == z {
				continue
			}
			from, to := a, z
			if rm.pat.Dir == syntax.In {
				from, to = z, a
			}
			// The shortest paths of at least min hops: when the
			// shortest are shorter, the shortest simple paths of min
			// hops or more.
			w := &walker{l: links, s: &search, from: from, to: to}
			nps, _, err := ev.shortestPaths(w, maxLen, limit)
			if err == nil && len(nps) > 0 && len(nps[0].Nodes)-1 < rm.min {
				var cutAt int
				nps, _, cutAt, err = ev.simplePaths(w, rm.min, maxLen, limit, true)
				if err == nil && cutAt > 0 {
					// A match row is a fact: an answer cut short
					// would state a wrong one.
					return ev.tooLarge(rm.pat.RangeAt, fmt.Sprintf("the search for the %s paths of %d to %d hops", pt.Selector, rm.min, maxLen), "fewer hops, a kind, a name or type at each end")
				}
			}
			if err != nil {
				return err
			}
			for _, np := range nps {
				p, err := ev.pathOf(np, hops)
				if err != nil {
					return err
				}
				if rm.pat.Dir == syntax.In {
					p = reversePath(p)
				}
				nb := b.clone()
				na, _ := ev.node(links.Node(a))
				nz, _ := ev.node(links.Node(z))
				if k := nodes[0].varKey; k != "" {
					nb.setNode(k, na, a)
				}
				if k := nodes[1].varKey; k != "" {
					nb.setNode(k, nz, z)
				}
				if rm.varKey != "" {
					l := make(List, len(p.Hops))
					for i, h := range p.Hops {
						l[i] = h.Rel
					}
					nb.set(rm.varKey, l)
				}
				if pt.Var != "" {
					nb.set(strings.ToLower(pt.Var), p)
				}
				if err := emit(nb); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func reversePath(p *Path) *Path {
	out := &Path{}
	for i := len(p.Nodes) - 1; i >= 0; i-- {
		out.Nodes = append(out.Nodes, p.Nodes[i])
	}
	out.Hops = reverseHops(p.Hops)
	out.Weakest = p.Weakest
	return out
}
