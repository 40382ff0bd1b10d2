package query

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query/syntax"
)

// scope binds the names an expression may use.
type scope struct {
	vars map[string]Value
	// moves: the where clause of a one-word move, where rel and node are
	// the hop and node under test, a bare qualifier name means rel's (and
	// type means node's), and other bare words are text.
	moves bool
}

// Properties of nodes and relations that expressions may read.
var (
	nodeProps = []string{"name", "id", "type", "types", "labels", "aliases", "slug", "description"}
	relProps  = append([]string{"kind", "type", "from", "to", "evidence", "locator", "source", "statement"}, graph.QualifierNames()...)
)

// checkExpr validates property names and variables before evaluation, so
// that a misspelt property is an error with a position rather than a
// silent null.
func (ev *evaluator) checkExpr(x syntax.Expr, sc *scope, kinds map[string]string) error {
	switch x := x.(type) {
	case *syntax.PropExpr:
		if id, ok := x.X.(*syntax.Ident); ok {
			kind := kinds[strings.ToLower(id.Name)]
			var props []string
			switch kind {
			case "node":
				props = nodeProps
			case "rel":
				props = relProps
			case "path":
				props = []string{"length", "weakest"}
			case "":
				if sc.moves {
					hint := ""
					if sugg := graph.Suggest(id.Name, []string{"rel", "node"}); len(sugg) > 0 {
						hint = " (did you mean " + sugg[0] + "?)"
					}
					return ev.errAt(id.At, ErrInvalid, "unknown name %q before .%s%s: a where clause here knows rel (each relation) and node (each node along the way)", id.Name, x.Name, hint)
				}
				return ev.errAt(id.At, ErrInvalid, "unknown variable %q (the pattern binds %s)", id.Name, varList(kinds))
			}
			if props != nil && !contains(props, strings.ToLower(x.Name)) {
				msg := fmt.Sprintf("%s has no property %q", id.Name, x.Name)
				if sugg := graph.Suggest(x.Name, props); len(sugg) > 0 {
					msg += " (did you mean " + strings.Join(sugg, ", ") + "?)"
				} else {
					msg += " (it has " + strings.Join(props, ", ") + ")"
				}
				return ev.errAt(x.Pos(), ErrInvalid, "%s", msg)
			}
			return nil
		}
		return ev.checkExpr(x.X, sc, kinds)
	case *syntax.Ident:
		if sc.moves {
			return nil
		}
		if _, ok := kinds[strings.ToLower(x.Name)]; !ok && !strings.HasPrefix(x.Name, "<") {
			return ev.errAt(x.At, ErrInvalid, "unknown variable %q (the pattern binds %s; quote text: %q)", x.Name, varList(kinds), x.Name)
		}
	case *syntax.Binary:
		if err := ev.checkExpr(x.L, sc, kinds); err != nil {
			return err
		}
		if err := ev.checkTextQuery(x); err != nil {
			return err
		}
		return ev.checkExpr(x.R, sc, kinds)
	case *syntax.Unary:
		return ev.checkExpr(x.X, sc, kinds)
	case *syntax.Paren:
		return ev.checkExpr(x.X, sc, kinds)
	case *syntax.ListExpr:
		for _, it := range x.Items {
			if err := ev.checkExpr(it, sc, kinds); err != nil {
				return err
			}
		}
	case *syntax.Call:
		if _, ok := functions[x.Name()]; !ok && x.Name() != "count" && x.Name() != "collect" {
			names := []string{"count", "collect"}
			for k := range functions {
				names = append(names, k)
			}
			msg := fmt.Sprintf("unknown function %s()", x.Fn)
			if sugg := graph.Suggest(x.Name(), names); len(sugg) > 0 {
				msg += " (did you mean " + sugg[0] + "()?)"
			}
			return ev.errAt(x.At, ErrInvalid, "%s", msg)
		}
		for _, a := range x.Args {
			if err := ev.checkExpr(a, sc, kinds); err != nil {
				return err
			}
		}
	}
	return nil
}

func varList(kinds map[string]string) string {
	var vs []string
	for k := range kinds {
		vs = append(vs, k)
	}
	if len(vs) == 0 {
		return "no variables"
	}
	sortStrings(vs)
	return strings.Join(vs, ", ")
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// eval evaluates an expression. Null propagates: a comparison with null
// is false.
func (ev *evaluator) eval(x syntax.Expr, sc *scope) (Value, error) {
	switch x := x.(type) {
	case *syntax.Lit:
		return x.Value, nil
	case *syntax.Ident:
		name := strings.ToLower(x.Name)
		if v, ok := sc.vars[name]; ok {
			return v, nil
		}
		if sc.moves {
			if contains(graph.QualifierNames(), name) || name == "kind" {
				return property(sc.vars["rel"], name), nil
			}
			if name == "type" || name == "name" {
				return property(sc.vars["node"], name), nil
			}
			return x.Name, nil // a bare word means itself: semiconductors
		}
		if strings.HasPrefix(x.Name, "<") {
			return strings.Trim(x.Name, "<>"), nil
		}
		return nil, ev.errAt(x.At, ErrInvalid, "unknown variable %q", x.Name)
	case *syntax.PropExpr:
		v, err := ev.eval(x.X, sc)
		if err != nil {
			return nil, err
		}
		return property(v, strings.ToLower(x.Name)), nil
	case *syntax.Paren:
		return ev.eval(x.X, sc)
	case *syntax.ListExpr:
		out := make(List, len(x.Items))
		for i, it := range x.Items {
			v, err := ev.eval(it, sc)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case *syntax.Unary:
		v, err := ev.eval(x.X, sc)
		if err != nil {
			return nil, err
		}
		switch x.Op {
		case "not":
			return !truthy(v), nil
		case "is null":
			return isNull(v), nil
		case "is not null":
			return !isNull(v), nil
		}
	case *syntax.Binary:
		switch x.Op {
		case "and", "or":
			l, err := ev.eval(x.L, sc)
			if err != nil {
				return nil, err
			}
			if x.Op == "and" && !truthy(l) {
				return false, nil
			}
			if x.Op == "or" && truthy(l) {
				return true, nil
			}
			r, err := ev.eval(x.R, sc)
			if err != nil {
				return nil, err
			}
			return truthy(r), nil
		}
		l, err := ev.eval(x.L, sc)
		if err != nil {
			return nil, err
		}
		r, err := ev.eval(x.R, sc)
		if err != nil {
			return nil, err
		}
		return compareOp(x.Op, l, r), nil
	case *syntax.Call:
		if x.Name() == "count" || x.Name() == "collect" {
			return nil, ev.errAt(x.At, ErrInvalid, "%s() is an aggregate: it belongs in return, not here", x.Fn)
		}
		args := make([]Value, len(x.Args))
		for i, a := range x.Args {
			v, err := ev.eval(a, sc)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
		f := functions[x.Name()]
		if f.arity >= 0 && len(args) != f.arity {
			return nil, ev.errAt(x.At, ErrInvalid, "%s() takes %d argument(s), got %d", x.Fn, f.arity, len(args))
		}
		return f.fn(args), nil
	}
	return nil, ev.errAt(x.Pos(), ErrInvalid, "cannot evaluate %s", x)
}

type function struct {
	arity int // -1: any
	fn    func([]Value) Value
}

var functions = map[string]function{
	"length": {1, func(a []Value) Value {
		switch v := a[0].(type) {
		case *Path:
			return int64(v.Len())
		case List:
			return int64(len(v))
		case string:
			return int64(len([]rune(v)))
		}
		return nil
	}},
	"size": {1, func(a []Value) Value {
		switch v := a[0].(type) {
		case List:
			return int64(len(v))
		case string:
			return int64(len([]rune(v)))
		case *Path:
			return int64(v.Len())
		}
		return nil
	}},
	"nodes": {1, func(a []Value) Value {
		if p, ok := a[0].(*Path); ok {
			out := make(List, len(p.Nodes))
			for i, n := range p.Nodes {
				out[i] = n
			}
			return out
		}
		return nil
	}},
	"relationships": {1, relsOf},
	"rels":          {1, relsOf},
	"type":          {1, func(a []Value) Value { return property(a[0], "kind") }},
	"labels":        {1, func(a []Value) Value { return property(a[0], "types") }},
	"id":            {1, func(a []Value) Value { return property(a[0], "id") }},
	"name":          {1, func(a []Value) Value { return property(a[0], "name") }},
	"startnode":     {1, func(a []Value) Value { return property(a[0], "from") }},
	"endnode":       {1, func(a []Value) Value { return property(a[0], "to") }},
	"lower": {1, func(a []Value) Value {
		if s, ok := textOf(a[0]); ok {
			return strings.ToLower(s)
		}
		return nil
	}},
	"upper": {1, func(a []Value) Value {
		if s, ok := textOf(a[0]); ok {
			return strings.ToUpper(s)
		}
		return nil
	}},
	"coalesce": {-1, func(a []Value) Value {
		for _, v := range a {
			if !isNull(v) {
				return v
			}
		}
		return nil
	}},
}

func init() {
	functions["tolower"] = functions["lower"]
	functions["toupper"] = functions["upper"]
}

func relsOf(a []Value) Value {
	if p, ok := a[0].(*Path); ok {
		out := make(List, len(p.Hops))
		for i, h := range p.Hops {
			out[i] = h.Rel
		}
		return out
	}
	return nil
}

// property reads a property of a value; nil when it has none.
func property(v Value, name string) Value {
	switch v := v.(type) {
	case *Node:
		switch name {
		case "name":
			return v.Label()
		case "id":
			return IDString(v.ID)
		case "slug":
			return strings.TrimPrefix(IDString(v.ID), graph.EntityPrefix)
		case "type", "types", "labels":
			out := make(List, len(v.Types))
			for i, t := range v.Types {
				out[i] = t
			}
			return out
		case "aliases":
			out := make(List, len(v.Aliases))
			for i, a := range v.Aliases {
				out[i] = a
			}
			return out
		case "description":
			if v.Description != "" {
				return v.Description
			}
			return nil
		}
	case *Relation:
		switch name {
		case "kind", "type":
			return v.Kind
		case "from":
			return v.From
		case "to":
			return v.To
		case "statement":
			if v.Stmt == nil {
				return nil
			}
			return IDString(v.Stmt)
		case "evidence", "locator", "source":
			out := make(List, len(v.Evidence))
			for i, e := range v.Evidence {
				out[i] = e.field(name)
			}
			return out
		case "status":
			return v.Status()
		}
		if q := v.Qualifier(name); q != "" {
			return q
		}
		return nil
	case *Path:
		switch name {
		case "length":
			return int64(v.Len())
		case "weakest":
			if v.Weakest == "" {
				return nil
			}
			return v.Weakest
		}
	}
	return nil
}

func isNull(v Value) bool {
	switch v := v.(type) {
	case nil:
		return true
	case *Node:
		return v == nil
	case *Relation:
		return v == nil
	case *Path:
		return v == nil
	}
	return false
}

func truthy(v Value) bool {
	switch v := v.(type) {
	case bool:
		return v
	case nil:
		return false
	case int64:
		return v != 0
	case string:
		return v != ""
	case List:
		return len(v) > 0
	}
	return !isNull(v)
}

// textOf returns the text of a scalar value.
func textOf(v Value) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case Literal:
		return literalText(v.V), true
	case quad.Value:
		return literalText(v), true
	case *Node:
		return v.Label(), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func numberOf(v Value) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	case string:
		s := strings.ReplaceAll(strings.TrimSpace(v), ",", "")
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) {
			return f, true
		}
	case Literal:
		return numberOf(literalText(v.V))
	}
	return 0, false
}

// fold normalises text for comparison: case, and hyphens, underscores and
// spaces as one.
func fold(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' {
			return ' '
		}
		return r
	}, s)
}

// equal compares two values the way an analyst means it: text ignoring
// case, a node equal to any of its names or its id, a list equal to a
// value when any element is.
func equal(a, b Value) bool {
	if isNull(a) || isNull(b) {
		return false
	}
	if la, ok := a.(List); ok {
		if lb, ok := b.(List); ok {
			if len(la) != len(lb) {
				return false
			}
			for i := range la {
				if !equal(la[i], lb[i]) {
					return false
				}
			}
			return true
		}
		for _, x := range la {
			if equal(x, b) {
				return true
			}
		}
		return false
	}
	if _, ok := b.(List); ok {
		return equal(b, a)
	}
	if na, ok := a.(*Node); ok {
		if nb, ok := b.(*Node); ok {
			return na.ID == nb.ID
		}
		s, ok := textOf(b)
		if !ok {
			return false
		}
		return nodeNamed(na, s)
	}
	if _, ok := b.(*Node); ok {
		return equal(b, a)
	}
	if ra, ok := a.(*Relation); ok {
		rb, ok := b.(*Relation)
		return ok && ra.From.ID == rb.From.ID && ra.To.ID == rb.To.ID && ra.Kind == rb.Kind && IDString(ra.Stmt) == IDString(rb.Stmt)
	}
	if fa, ok := numberOf(a); ok {
		if fb, ok := numberOf(b); ok {
			_, aStr := a.(string)
			_, bStr := b.(string)
			if !(aStr && bStr) {
				return fa == fb
			}
		}
	}
	sa, okA := textOf(a)
	sb, okB := textOf(b)
	return okA && okB && fold(sa) == fold(sb)
}

func nodeNamed(n *Node, s string) bool {
	f := fold(s)
	if fold(n.Name) == f || fold(IDString(n.ID)) == f || fold(strings.TrimPrefix(IDString(n.ID), graph.EntityPrefix)) == f {
		return true
	}
	for _, a := range n.Aliases {
		if fold(a) == f {
			return true
		}
	}
	return false
}

// less orders two values: numbers numerically, text ignoring case; ok is
// false when they do not compare.
func less(a, b Value) (lt, ok bool) {
	if fa, okA := numberOf(a); okA {
		if fb, okB := numberOf(b); okB {
			return fa < fb, true
		}
	}
	sa, okA := textOf(a)
	sb, okB := textOf(b)
	if okA && okB {
		return strings.ToLower(sa) < strings.ToLower(sb), true
	}
	return false, false
}

func compareOp(op string, l, r Value) Value {
	if isNull(l) || isNull(r) {
		return false
	}
	switch op {
	case "=":
		return equal(l, r)
	case "<>":
		return !equal(l, r)
	case "<", "<=", ">", ">=":
		if list, ok := l.(List); ok { // any element
			for _, x := range list {
				if b, _ := compareOp(op, x, r).(bool); b {
					return true
				}
			}
			return false
		}
		lt, ok := less(l, r)
		if !ok {
			return false
		}
		gt, _ := less(r, l)
		switch op {
		case "<":
			return lt
		case "<=":
			return !gt
		case ">":
			return gt
		}
		return !lt
	case "in":
		list, ok := r.(List)
		if !ok {
			return equal(l, r)
		}
		for _, x := range list {
			if equal(l, x) {
				return true
			}
		}
		return false
	case "matches":
		q, ok := textOf(r)
		return ok && textMatches(l, q)
	case "contains", "starts with", "ends with":
		if list, ok := l.(List); ok { // any element
			for _, x := range list {
				if b, _ := compareOp(op, x, r).(bool); b || equal(x, r) {
					return true
				}
			}
			return false
		}
		sl, okL := textOf(l)
		sr, okR := textOf(r)
		if !okL || !okR {
			return false
		}
		sl, sr = strings.ToLower(sl), strings.ToLower(sr)
		switch op {
		case "contains":
			return strings.Contains(sl, sr)
		case "starts with":
			return strings.HasPrefix(sl, sr)
		}
		return strings.HasSuffix(sl, sr)
	}
	return false
}

// moveField reports whether a bare word of a move's where clause reads
// the relation under test (rel, kind, a qualifier) or the node (node,
// type, name).
func moveField(word string) (rel, node bool) {
	switch w := strings.ToLower(word); {
	case w == "rel" || w == "kind" || contains(graph.QualifierNames(), w):
		return true, false
	case w == "node" || w == "type" || w == "name":
		return false, true
	}
	return false, false
}

// moveFields lists the bare words a move's where clause reads.
func moveFields() []string {
	return append([]string{"rel", "node", "kind", "type", "name"}, graph.QualifierNames()...)
}

// refs reports which of rel and node an expression of a move's where
// clause reads.
func refs(x syntax.Expr) (rel, node bool) {
	eachIdent(x, func(id *syntax.Ident) {
		r, n := moveField(id.Name)
		rel, node = rel || r, node || n
	})
	return rel, node
}

// eachIdent calls fn for every identifier of an expression (a variable,
// the root of a property access, a bare word).
func eachIdent(x syntax.Expr, fn func(*syntax.Ident)) {
	switch x := x.(type) {
	case *syntax.Ident:
		fn(x)
	case *syntax.PropExpr:
		eachIdent(x.X, fn)
	case *syntax.Binary:
		eachIdent(x.L, fn)
		eachIdent(x.R, fn)
	case *syntax.Unary:
		eachIdent(x.X, fn)
	case *syntax.Paren:
		eachIdent(x.X, fn)
	case *syntax.ListExpr:
		for _, it := range x.Items {
			eachIdent(it, fn)
		}
	case *syntax.Call:
		for _, a := range x.Args {
			eachIdent(a, fn)
		}
	}
}

// checkMoveWhere checks the where clause of a move before it runs: its
// properties (rel.sectr is an error with a suggestion) and its bare
// words. A bare word is a field (rel, node, kind, type, name, a
// qualifier), or text where it is compared with something that reads the
// graph (status != proposed, node.type in (Country, Bloc)); any other bare
// word is a misspelt field, an error.
func (ev *evaluator) checkMoveWhere(where syntax.Expr) (syntax.Expr, error) {
	if where == nil {
		return nil, nil
	}
	if err := ev.checkExpr(where, &scope{moves: true}, map[string]string{"rel": "rel", "node": "node"}); err != nil {
		return nil, err
	}
	reads := func(x syntax.Expr) bool {
		r, n := refs(x)
		return r || n
	}
	var check func(x syntax.Expr, text bool) error
	check = func(x syntax.Expr, text bool) error {
		switch x := x.(type) {
		case *syntax.Ident:
			if r, n := moveField(x.Name); r || n || text || strings.HasPrefix(x.Name, "<") {
				return nil
			}
			msg := fmt.Sprintf("unknown property %q", x.Name)
			if sugg := graph.Suggest(x.Name, moveFields()); len(sugg) > 0 {
				msg += " (did you mean " + strings.Join(sugg, ", ") + "?)"
			} else {
				msg += fmt.Sprintf(": a bare word here is kind, type, name or a qualifier (%s), or text compared with one of them; quote other text: %q", strings.Join(graph.QualifierNames(), ", "), x.Name)
			}
			return ev.errAt(x.At, ErrInvalid, "%s", msg)
		case *syntax.Binary:
			if x.Op == "and" || x.Op == "or" {
				if err := check(x.L, false); err != nil {
					return err
				}
				return check(x.R, false)
			}
			l, r := x.L, x.R
			if id, ok := r.(*syntax.Ident); ok && !reads(l) && !reads(r) && len(graph.Suggest(id.Name, moveFields())) > 0 {
				l, r = r, l // report the likelier misspelling: proposed = statsu
			}
			if err := check(l, reads(r)); err != nil {
				return err
			}
			return check(r, reads(l))
		case *syntax.Unary:
			return check(x.X, false)
		case *syntax.Paren:
			return check(x.X, text)
		case *syntax.ListExpr:
			for _, it := range x.Items {
				if err := check(it, text); err != nil {
					return err
				}
			}
		case *syntax.Call:
			for _, a := range x.Args {
				if err := check(a, false); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return where, check(where, false)
}

// conjuncts splits an expression at its top-level ands.
func conjuncts(x syntax.Expr) []syntax.Expr {
	if b, ok := x.(*syntax.Binary); ok && b.Op == "and" {
		return append(conjuncts(b.L), conjuncts(b.R)...)
	}
	if p, ok := x.(*syntax.Paren); ok {
		if b, ok := p.X.(*syntax.Binary); ok && b.Op == "and" {
			return conjuncts(b)
		}
	}
	return []syntax.Expr{x}
}
