package syntax

import (
	"strconv"
	"strings"
)

// Stmt is a parsed statement. String prints it back in canonical form:
// keywords in lower case, names quoted when they need it, options in the
// grammar's order.
type Stmt interface {
	Pos() Pos
	String() string
	stmt()
}

// Name is an entity or relation as written: a bare name (one or more
// words), a quoted string, or an IRI.
type Name struct {
	At     Pos
	Text   string // the words joined by one space, or the unquoted text
	Quoted bool
	IRI    bool
	// Words holds the bare words of an unquoted name, each with its
	// position (why splits a run of words into two names).
	Words []Word
}

// Word is one bare word of a name.
type Word struct {
	At   Pos
	Text string
}

func (n *Name) String() string {
	switch {
	case n.IRI:
		return "<" + n.Text + ">"
	case n.Quoted || needsQuotes(n.Text):
		return strconv.Quote(n.Text)
	}
	return n.Text
}

// needsQuotes reports whether a name must be quoted to read back as one
// name: a keyword among its words, or characters a bare name cannot have.
func needsQuotes(s string) bool {
	if s == "" {
		return true
	}
	l := NewLexer(s)
	for {
		t := l.Next()
		if t.Kind == EOF {
			return false
		}
		if t.Kind != Bare || IsKeyword(t.Text) {
			return true
		}
	}
}

// Dir is a direction of travel.
type Dir int

// Directions.
const (
	Both Dir = iota
	Out
	In
)

func (d Dir) String() string {
	return [...]string{"both", "out", "in"}[d]
}

// Show is "show ENTITY": the entity's card.
type Show struct {
	At     Pos
	Entity *Name
}

func (s *Show) Pos() Pos       { return s.At }
func (s *Show) String() string { return "show " + s.Entity.String() }
func (*Show) stmt()            {}

// Neighbors is "neighbors ENTITY [depth N] [via KINDS] [in|out|both]
// [where EXPR] [limit N]".
type Neighbors struct {
	At     Pos
	Entity *Name
	Depth  int // 0: default (1)
	Via    []*Name
	Dir    Dir
	DirSet bool
	Where  Expr
	Limit  int
	// DepthAt and LimitAt are the positions of the numbers given, for
	// errors about their bounds.
	DepthAt, LimitAt Pos
}

func (s *Neighbors) Pos() Pos { return s.At }
func (s *Neighbors) String() string {
	var b strings.Builder
	b.WriteString("neighbors " + s.Entity.String())
	if s.Depth > 0 {
		b.WriteString(" depth " + strconv.Itoa(s.Depth))
	}
	writeNames(&b, "via", s.Via)
	if s.DirSet {
		b.WriteString(" " + s.Dir.String())
	}
	if s.Where != nil {
		b.WriteString(" where " + s.Where.String())
	}
	if s.Limit > 0 {
		b.WriteString(" limit " + strconv.Itoa(s.Limit))
	}
	return b.String()
}
func (*Neighbors) stmt() {}

func writeNames(b *strings.Builder, kw string, names []*Name) {
	if len(names) == 0 {
		return
	}
	b.WriteString(" " + kw + " ")
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n.String())
	}
}

// Path is "path A to B …" (all shortest paths) or, with All, "paths A to
// B …" (all simple paths up to max hops).
type Path struct {
	At       Pos
	All      bool
	From, To *Name
	Via      []*Name
	Max      int
	Avoid    []*Name
	Directed bool
	// Including is the weakest status the path may walk ("proposed" for
	// "including proposed"), in canonical form; "" for the default, the
	// strongest available.
	Including string
	Where     Expr
	Limit     int
	// MaxAt and LimitAt are the positions of the numbers given, for
	// errors about their bounds; IncludingAt that of the status.
	MaxAt, LimitAt, IncludingAt Pos
}

func (s *Path) Pos() Pos { return s.At }
func (s *Path) String() string {
	var b strings.Builder
	if s.All {
		b.WriteString("paths ")
	} else {
		b.WriteString("path ")
	}
	b.WriteString(s.From.String() + " to " + s.To.String())
	writeNames(&b, "via", s.Via)
	if s.Max > 0 {
		b.WriteString(" max " + strconv.Itoa(s.Max))
	}
	writeNames(&b, "avoid", s.Avoid)
	if s.Directed {
		b.WriteString(" directed")
	}
	if s.Including != "" {
		b.WriteString(" including " + s.Including)
	}
	if s.Where != nil {
		b.WriteString(" where " + s.Where.String())
	}
	if s.Limit > 0 {
		b.WriteString(" limit " + strconv.Itoa(s.Limit))
	}
	return b.String()
}
func (*Path) stmt() {}

// Why is "why A B": every statement linking two entities. Parts are the
// names as written; a run of bare words is split into the two entities
// when the statement is evaluated.
type Why struct {
	At    Pos
	Parts []*Name
}

func (s *Why) Pos() Pos { return s.At }
func (s *Why) String() string {
	parts := make([]string, len(s.Parts))
	for i, p := range s.Parts {
		parts[i] = p.String()
	}
	return "why " + strings.Join(parts, " ")
}
func (*Why) stmt() {}

// Compare is "compare path A to B avoid X": what taking X out changes.
// Net, when set instead of Path, is a network statement to compare
// (compare brokers between A and B avoid X, compare rank by … avoid X).
type Compare struct {
	At   Pos
	Path *Path
	Net  *Network
}

func (s *Compare) Pos() Pos { return s.At }
func (s *Compare) String() string {
	if s.Net != nil {
		return "compare " + s.Net.String()
	}
	return "compare " + s.Path.String()
}
func (*Compare) stmt() {}

// Match is a Cypher/GQL-style pattern query.
type Match struct {
	At       Pos
	Patterns []*Pattern
	Where    Expr
	Distinct bool
	Return   []*ReturnItem
	OrderBy  []*OrderItem
	Skip     int
	Limit    int
	HasSkip  bool
	HasLimit bool
}

func (s *Match) Pos() Pos { return s.At }
func (s *Match) String() string {
	var b strings.Builder
	b.WriteString("match ")
	for i, p := range s.Patterns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.String())
	}
	if s.Where != nil {
		b.WriteString(" where " + s.Where.String())
	}
	b.WriteString(" return ")
	if s.Distinct {
		b.WriteString("distinct ")
	}
	for i, r := range s.Return {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(r.String())
	}
	if len(s.OrderBy) > 0 {
		b.WriteString(" order by ")
		for i, o := range s.OrderBy {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(o.String())
		}
	}
	if s.HasSkip {
		b.WriteString(" skip " + strconv.Itoa(s.Skip))
	}
	if s.HasLimit {
		b.WriteString(" limit " + strconv.Itoa(s.Limit))
	}
	return b.String()
}
func (*Match) stmt() {}

// Pattern is a chain of node and relationship patterns, optionally bound
// to a path variable and with a shortest-path selector.
type Pattern struct {
	At       Pos
	Var      string // path variable, or ""
	Selector string // "", "shortest" or "all shortest"
	Nodes    []*NodePat
	Rels     []*RelPat // Rels[i] joins Nodes[i] and Nodes[i+1]
}

func (p *Pattern) String() string {
	var b strings.Builder
	if p.Var != "" {
		b.WriteString(p.Var + " = ")
	}
	if p.Selector != "" {
		b.WriteString(p.Selector + " ")
	}
	for i, n := range p.Nodes {
		if i > 0 {
			b.WriteString(p.Rels[i-1].String())
		}
		b.WriteString(n.String())
	}
	return b.String()
}

// Prop is one entry of a property map: key: value.
type Prop struct {
	Key   string
	Value Expr
}

func propsString(ps []Prop) string {
	if len(ps) == 0 {
		return ""
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Key + ": " + p.Value.String()
	}
	return " {" + strings.Join(parts, ", ") + "}"
}

// NodePat is (var:Label|Label {props}).
type NodePat struct {
	At       Pos
	Var      string
	Labels   []string
	LabelsAt []Pos // the position of each label, for errors about it
	Props    []Prop
}

func (n *NodePat) String() string {
	s := n.Var
	if len(n.Labels) > 0 {
		s += ":" + strings.Join(n.Labels, "|")
	}
	s += propsString(n.Props)
	return "(" + strings.TrimLeft(s, " ") + ")"
}

// RelPat is -[var:TYPE|TYPE *min..max {props}]-> (or <-[…]-, -[…]-).
type RelPat struct {
	At      Pos
	Var     string
	Types   []string
	TypesAt []Pos // the position of each type, for errors about it
	Dir     Dir
	VarLen  bool
	// For VarLen, the bounds written: *N sets both to N, *N.. the
	// minimum, *..M the maximum. Unset, the minimum is 1 and the maximum
	// the default path length.
	Min, Max       int
	MinSet, MaxSet bool
	Props          []Prop
	// RangeAt is the position of the range's "*", for errors about it.
	RangeAt Pos
}

func (r *RelPat) String() string {
	inner := r.Var
	if len(r.Types) > 0 {
		inner += ":" + strings.Join(r.Types, "|")
	}
	if r.VarLen {
		inner += "*"
		switch {
		case r.MinSet && r.MaxSet && r.Min == r.Max:
			inner += strconv.Itoa(r.Min)
		case r.MinSet || r.MaxSet:
			if r.MinSet {
				inner += strconv.Itoa(r.Min)
			}
			inner += ".."
			if r.MaxSet {
				inner += strconv.Itoa(r.Max)
			}
		}
	}
	inner += propsString(r.Props)
	body := "-"
	if inner != "" {
		body = "-[" + strings.TrimLeft(inner, " ") + "]-"
	} else {
		body = "--"
	}
	switch r.Dir {
	case Out:
		return body + ">"
	case In:
		return "<" + body
	}
	return body
}

// ReturnItem is "expr [as alias]".
type ReturnItem struct {
	Expr  Expr
	Alias string
}

func (r *ReturnItem) String() string {
	if r.Alias != "" {
		return r.Expr.String() + " as " + r.Alias
	}
	return r.Expr.String()
}

// Name is the column name: the alias, else the expression's text.
func (r *ReturnItem) Name() string {
	if r.Alias != "" {
		return r.Alias
	}
	return r.Expr.String()
}

// OrderItem is "expr [asc|desc]".
type OrderItem struct {
	Expr Expr
	Desc bool
}

func (o *OrderItem) String() string {
	if o.Desc {
		return o.Expr.String() + " desc"
	}
	return o.Expr.String()
}

// Expr is an expression of where, return and order by.
type Expr interface {
	Pos() Pos
	String() string
	expr()
}

// Ident is a variable, or in the moves' where clauses a bare word meaning
// itself (semiconductors).
type Ident struct {
	At   Pos
	Name string
}

func (e *Ident) Pos() Pos { return e.At }
func (e *Ident) String() string {
	if needsQuotes(e.Name) && !IsKeyword(e.Name) {
		return strconv.Quote(e.Name)
	}
	return e.Name
}
func (*Ident) expr() {}

// PropExpr is X.name.
type PropExpr struct {
	X    Expr
	Name string
}

func (e *PropExpr) Pos() Pos { return e.X.Pos() }
func (e *PropExpr) String() string {
	x := e.X.String()
	if strings.HasSuffix(x, ".") { // a name ending in a dot (U.S.): keep them apart
		return x + " ." + e.Name
	}
	return x + "." + e.Name
}
func (*PropExpr) expr() {}

// Lit is a literal: string, int64, float64, bool or nil.
type Lit struct {
	At    Pos
	Value interface{}
}

func (e *Lit) Pos() Pos { return e.At }
func (e *Lit) String() string {
	switch v := e.Value.(type) {
	case string:
		return strconv.Quote(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		f := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(f, ".") {
			f += ".0"
		}
		return f
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return "null"
	}
	return "?"
}
func (*Lit) expr() {}

// ListExpr is (a, b, c) or [a, b, c].
type ListExpr struct {
	At    Pos
	Items []Expr
}

func (e *ListExpr) Pos() Pos { return e.At }
func (e *ListExpr) String() string {
	parts := make([]string, len(e.Items))
	simple := len(e.Items) > 0
	for i, x := range e.Items {
		parts[i] = x.String()
		switch x.(type) {
		case *Ident, *Lit:
		default:
			simple = false
		}
	}
	// (Country, Bloc) as the moves' examples write it; brackets where
	// parentheses would read as grouping.
	if simple {
		return "(" + strings.Join(parts, ", ") + ")"
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
func (*ListExpr) expr() {}

// Binary is "L op R": = <> < <= > >= and or in contains "starts with"
// "ends with".
type Binary struct {
	Op   string
	L, R Expr
}

func (e *Binary) Pos() Pos       { return e.L.Pos() }
func (e *Binary) String() string { return e.L.String() + " " + e.Op + " " + e.R.String() }
func (*Binary) expr()            {}

// Unary is "not X", "X is null" (Op "is null") or "X is not null".
type Unary struct {
	At Pos
	Op string
	X  Expr
}

func (e *Unary) Pos() Pos { return e.At }
func (e *Unary) String() string {
	if e.Op == "not" {
		return "not " + paren(e.X)
	}
	return e.X.String() + " " + e.Op
}
func (*Unary) expr() {}

func paren(x Expr) string {
	if _, ok := x.(*Binary); ok {
		return "(" + x.String() + ")"
	}
	return x.String()
}

// Call is fn(args), count(*), count(distinct x). Fn is as written;
// function names are matched ignoring case (Name).
type Call struct {
	At       Pos
	Fn       string
	Args     []Expr
	Star     bool
	Distinct bool
}

func (e *Call) Pos() Pos { return e.At }

// Name is the function's name in lower case.
func (e *Call) Name() string { return strings.ToLower(e.Fn) }
func (e *Call) String() string {
	if e.Star {
		return e.Fn + "(*)"
	}
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = a.String()
	}
	d := ""
	if e.Distinct {
		d = "distinct "
	}
	return e.Fn + "(" + d + strings.Join(parts, ", ") + ")"
}
func (*Call) expr() {}

// Paren keeps explicit parentheses around a boolean expression, so that
// String prints back what was written.
type Paren struct {
	At Pos
	X  Expr
}

func (e *Paren) Pos() Pos       { return e.At }
func (e *Paren) String() string { return "(" + e.X.String() + ")" }
func (*Paren) expr()            {}
