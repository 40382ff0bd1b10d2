package syntax

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/entente-kg/entente/internal/textdist"
)

// keywords are the words with a meaning in some statement. A bare name
// ends at a keyword; a name containing one must be quoted.
var keywords = map[string]bool{
	"show": true, "neighbors": true, "neighbours": true, "path": true, "paths": true, "why": true,
	"compare": true, "match": true, "to": true, "via": true, "max": true, "avoid": true,
	"directed": true, "including": true, "where": true, "depth": true, "in": true, "out": true, "both": true,
	"limit": true, "and": true, "or": true, "not": true, "return": true, "order": true, "by": true,
	"skip": true, "distinct": true, "asc": true, "desc": true, "ascending": true, "descending": true,
	"shortest": true, "all": true, "contains": true, "matches": true, "starts": true, "ends": true, "with": true,
	"as": true, "is": true, "null": true, "true": true, "false": true,
	"during": true,
}

// IsKeyword reports whether a word is an EQL keyword (ignoring case).
func IsKeyword(w string) bool { return keywords[strings.ToLower(w)] }

// Keywords lists the keywords, for completion.
func Keywords() []string {
	out := make([]string, 0, len(keywords))
	for k := range keywords {
		out = append(out, k)
	}
	return out
}

// maxDepth bounds the nesting of expressions and patterns.
const maxDepth = 64

// Parse parses one statement (an optional trailing ";" is allowed).
func Parse(src string) (Stmt, error) {
	// A trailing time clause (as of, at, during) is cut off first and
	// parsed on its own: it holds dates and timestamps, not tokens.
	end := splitTime(src)
	s, ok, err := parseHistory(src, end)
	if err != nil {
		return nil, err
	}
	if !ok {
		p := &parser{lx: NewLexer(src[:end]), src: src}
		p.next()
		if s, err = p.statement(); err != nil {
			return nil, err
		}
		if p.tok.Kind == Semi {
			p.next()
		}
		if p.tok.Kind != EOF {
			return nil, p.errExpected("the end of the statement")
		}
		if e := p.lx.Err(); e != nil {
			return nil, e
		}
	}
	if end < len(src) {
		return parseTime(src, end, s)
	}
	return s, nil
}

// Complete reports whether src is a whole statement rather than the start
// of one: the REPL keeps reading lines until it is. A statement with a
// syntax error that more input cannot fix is "complete" (so its error is
// shown).
func Complete(src string) bool {
	if strings.TrimSpace(src) == "" {
		return true
	}
	_, err := Parse(src)
	if err == nil {
		return true
	}
	e, ok := err.(*Error)
	if !ok {
		return true
	}
	// An error at the very end means the statement stopped short.
	l := NewLexer(src)
	var last Token
	for {
		t := l.Next()
		if t.Kind == EOF {
			return !(e.Pos == t.Pos || e.Pos.Line > last.Pos.Line || strings.Contains(e.Msg, "unterminated") || openBrackets(src))
		}
		last = t
	}
}

// openBrackets reports whether src has more opening brackets than closing.
func openBrackets(src string) bool {
	l := NewLexer(src)
	depth := 0
	for {
		t := l.Next()
		switch t.Kind {
		case EOF:
			return depth > 0
		case LParen, LBrack, LBrace:
			depth++
		case RParen, RBrack, RBrace:
			depth--
		}
	}
}

type parser struct {
	lx    *Lexer
	src   string
	tok   Token
	ahead []Token
	depth int
	// last is the bare name parsed last and lastNext the position of the
	// token after it: a misspelt keyword after a name is read as one of
	// its words, and errors look there for it.
	last     *Name
	lastNext Pos
}

func (p *parser) next() {
	if len(p.ahead) > 0 {
		p.tok = p.ahead[0]
		p.ahead = p.ahead[1:]
		return
	}
	p.tok = p.lx.Next()
}

// peek returns the token after the current one.
func (p *parser) peek() Token {
	if len(p.ahead) == 0 {
		p.ahead = append(p.ahead, p.lx.Next())
	}
	return p.ahead[0]
}

func (p *parser) errAt(pos Pos, format string, args ...interface{}) *Error {
	if e := p.lx.Err(); e != nil && (e.Pos.Line < pos.Line || e.Pos.Line == pos.Line && e.Pos.Col <= pos.Col) {
		return e
	}
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) errExpected(what string) *Error {
	return p.errAt(p.tok.Pos, "expected %s, found %s", what, p.tok.Describe())
}

// is reports whether the current token is the keyword kw.
func (p *parser) is(kw string) bool {
	return p.tok.Kind == Bare && strings.EqualFold(p.tok.Text, kw)
}

func (p *parser) accept(kw string) bool {
	if p.is(kw) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectKw(kw string) error {
	if p.accept(kw) {
		return nil
	}
	return p.errKeywords(fmt.Sprintf("%q", kw), []string{kw})
}

// errKeywords is "expected WHAT, found …" where one of the keywords kws
// was expected, with a suggestion when the token found — or the last word
// of the name before it, which a misspelt keyword joins — is close to one.
func (p *parser) errKeywords(what string, kws []string) *Error {
	if p.tok.Kind == Bare && !IsKeyword(p.tok.Text) {
		if s := suggestWord(p.tok.Text, kws); s != "" {
			return p.errAt(p.tok.Pos, "expected %s, found %s (did you mean %s?)", what, p.tok.Describe(), s)
		}
	}
	if n := p.last; n != nil && p.lastNext == p.tok.Pos {
		for i := len(n.Words) - 1; i > 0; i-- {
			w := n.Words[i]
			if s := suggestWord(w.Text, kws); s != "" {
				return p.errAt(w.At, "expected %s after %q, found %q (did you mean %s?)", what, strings.Join(wordTexts(n.Words[:i]), " "), w.Text, s)
			}
		}
	}
	return p.errExpected(what)
}

func wordTexts(ws []Word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Text
	}
	return out
}

// The options of neighbors and of path/paths, for errors.
var (
	neighborsOptions = []string{"depth", "via", "in", "out", "both", "where", "limit"}
	pathOptions      = []string{"via", "max", "avoid", "directed", "including", "where", "limit"}
)

// errOption reports a token that is not one of a statement's options.
func (p *parser) errOption(opts []string, _ *Name) *Error {
	return p.errKeywords(strings.Join(opts, ", ")+" or the end", opts)
}

func (p *parser) expect(k Kind) (Token, error) {
	if p.tok.Kind != k {
		return p.tok, p.errExpected(k.String())
	}
	t := p.tok
	p.next()
	return t, nil
}

var statementWords = []string{"show", "neighbors", "path", "paths", "why", "compare", "match", "search", "history", "changes",
	"brokers", "bridges", "rank", "communities", "components"}

// statement = show | neighbors | path | paths | why | compare | match | search
//
//	| brokers | bridges | rank | communities | components .
func (p *parser) statement() (Stmt, error) {
	if p.tok.Kind != Bare {
		return nil, p.errExpected("a statement (" + strings.Join(statementWords, ", ") + ")")
	}
	at := p.tok.Pos
	switch strings.ToLower(p.tok.Text) {
	case "show":
		p.next()
		return p.show(at)
	case "neighbors", "neighbours":
		p.next()
		return p.neighbors(at)
	case "path":
		p.next()
		return p.path(at, false)
	case "paths":
		p.next()
		return p.path(at, true)
	case "why":
		p.next()
		return p.why(at)
	case "compare":
		p.next()
		return p.compare(at)
	case "match":
		p.next()
		return p.match(at)
	case "search":
		p.next()
		return p.search(at)
	case "brokers", "bridges", "rank", "communities", "components":
		move := strings.ToLower(p.tok.Text)
		p.next()
		return p.network(at, move)
	}
	msg := fmt.Sprintf("expected a statement (%s), found %s", strings.Join(statementWords, ", "), p.tok.Describe())
	if s := suggestWord(p.tok.Text, append(statementWords, "neighbours")); s != "" {
		msg += " (did you mean " + s + "?)"
	}
	return nil, p.errAt(p.tok.Pos, "%s", msg)
}

// suggestWord returns the closest of words to w, if close: at most one
// edit (a transposition counts as one) per three characters.
func suggestWord(w string, words []string) string {
	w = strings.ToLower(w)
	best, bestD := "", 3
	for _, c := range words {
		if d, ok := textdist.Within(w, c, min(bestD-1, max(1, len([]rune(c))/3))); ok {
			best, bestD = c, d
		}
	}
	return best
}

// SuggestKeyword returns the keyword closest to w, if close ("" if none
// is): for "did you mean" on a misspelt keyword.
func SuggestKeyword(w string) string {
	if IsKeyword(w) {
		return ""
	}
	return suggestWord(w, sortedKeywords)
}

var sortedKeywords = func() []string {
	ks := Keywords()
	sort.Strings(ks)
	return ks
}()

// name = IDENT { IDENT } | STRING | IRI .
//
// A bare name is the run of words up to a keyword or punctuation.
func (p *parser) name(what string) (*Name, error) {
	switch p.tok.Kind {
	case String:
		n := &Name{At: p.tok.Pos, Text: p.tok.Value, Quoted: true}
		p.next()
		if n.Text == "" {
			return nil, p.errAt(n.At, "empty name")
		}
		return n, nil
	case IRI:
		n := &Name{At: p.tok.Pos, Text: p.tok.Value, IRI: true}
		p.next()
		return n, nil
	case Bare:
		if IsKeyword(p.tok.Text) {
			return nil, p.errAt(p.tok.Pos, "expected %s, found the keyword %q (quote a name that is a keyword: \"%s\")", what, p.tok.Text, p.tok.Text)
		}
		n := &Name{At: p.tok.Pos}
		var words []string
		for p.tok.Kind == Bare && !IsKeyword(p.tok.Text) {
			n.Words = append(n.Words, Word{p.tok.Pos, p.tok.Text})
			words = append(words, p.tok.Text)
			p.next()
		}
		n.Text = strings.Join(words, " ")
		p.last, p.lastNext = n, p.tok.Pos
		return n, nil
	}
	return nil, p.errExpected(what)
}

// show = "show" name .
func (p *parser) show(at Pos) (Stmt, error) {
	n, err := p.name("an entity to show")
	if err != nil {
		return nil, err
	}
	return &Show{At: at, Entity: n}, nil
}

// nameList = name { "," name } .
func (p *parser) nameList(what string) ([]*Name, error) {
	var out []*Name
	for {
		n, err := p.name(what)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if p.tok.Kind != Comma {
			return out, nil
		}
		p.next()
	}
}

// positiveInt reads an integer from 1 and returns it with its position.
func (p *parser) positiveInt(what string) (int, Pos, error) {
	t := p.tok
	if t.Kind != Int {
		return 0, t.Pos, p.errExpected(what)
	}
	n, err := strconv.Atoi(t.Text)
	if err != nil || n < 1 {
		return 0, t.Pos, p.errAt(t.Pos, "%s must be a whole number from 1, found %s", what, t.Text)
	}
	p.next()
	return n, t.Pos, nil
}

// neighbors = ("neighbors"|"neighbours") name { "depth" INT | "via" nameList
//
//	| "in" | "out" | "both" | "where" expr | "limit" INT } .
func (p *parser) neighbors(at Pos) (Stmt, error) {
	n, err := p.name("an entity")
	if err != nil {
		return nil, err
	}
	s := &Neighbors{At: at, Entity: n}
	seen := map[string]bool{}
	for p.tok.Kind == Bare {
		kw := strings.ToLower(p.tok.Text)
		if seen[kw] || (s.DirSet && (kw == "in" || kw == "out" || kw == "both")) {
			return nil, p.errAt(p.tok.Pos, "%q is given twice", kw)
		}
		seen[kw] = true
		switch kw {
		case "depth":
			p.next()
			if s.Depth, s.DepthAt, err = p.positiveInt("a depth"); err != nil {
				return nil, err
			}
		case "via":
			p.next()
			if s.Via, err = p.nameList("a relation kind"); err != nil {
				return nil, err
			}
		case "in", "out", "both":
			p.next()
			s.Dir, s.DirSet = map[string]Dir{"in": In, "out": Out, "both": Both}[kw], true
		case "where":
			p.next()
			if s.Where, err = p.expr(); err != nil {
				return nil, err
			}
		case "limit":
			p.next()
			if s.Limit, s.LimitAt, err = p.positiveInt("a limit"); err != nil {
				return nil, err
			}
		default:
			return nil, p.errOption(neighborsOptions, n)
		}
	}
	if p.tok.Kind != EOF && p.tok.Kind != Semi {
		return nil, p.errOption(neighborsOptions, n)
	}
	return s, nil
}

// path = ("path"|"paths") name "to" name { "via" nameList | "max" INT
//
//	| "avoid" nameList | "directed" | "including" status | "where" expr
//	| "limit" INT } .
func (p *parser) path(at Pos, all bool) (*Path, error) {
	from, err := p.name("the entity a path starts from")
	if err != nil {
		return nil, err
	}
	if err := p.expectKw("to"); err != nil {
		return nil, err
	}
	to, err := p.name("the entity a path goes to")
	if err != nil {
		return nil, err
	}
	s := &Path{At: at, All: all, From: from, To: to}
	seen := map[string]bool{}
	for p.tok.Kind == Bare {
		kw := strings.ToLower(p.tok.Text)
		if seen[kw] {
			return nil, p.errAt(p.tok.Pos, "%q is given twice", kw)
		}
		seen[kw] = true
		switch kw {
		case "via":
			p.next()
			if s.Via, err = p.nameList("a relation kind"); err != nil {
				return nil, err
			}
		case "max":
			p.next()
			if s.Max, s.MaxAt, err = p.positiveInt("the most hops"); err != nil {
				return nil, err
			}
		case "avoid":
			p.next()
			if s.Avoid, err = p.nameList("an entity or relation kind to avoid"); err != nil {
				return nil, err
			}
		case "directed":
			p.next()
			s.Directed = true
		case "including":
			p.next()
			if s.Including, s.IncludingAt, err = p.status(); err != nil {
				return nil, err
			}
		case "where":
			p.next()
			if s.Where, err = p.expr(); err != nil {
				return nil, err
			}
		case "limit":
			p.next()
			if s.Limit, s.LimitAt, err = p.positiveInt("a limit"); err != nil {
				return nil, err
			}
		default:
			return nil, p.errOption(pathOptions, to)
		}
	}
	if p.tok.Kind != EOF && p.tok.Kind != Semi {
		return nil, p.errOption(pathOptions, to)
	}
	return s, nil
}

// Statuses are the statuses of a relation, strongest first: the words
// "including" takes.
var Statuses = []string{"existing", "at_risk", "potential", "proposed", "lapsed"}

// status = "existing" | "at_risk" | "potential" | "proposed" | "lapsed" .
//
// Case, and a space or hyphen for the underscore, do not matter: "at
// risk" and at-risk are at_risk. It returns the canonical form.
func (p *parser) status() (string, Pos, error) {
	at := p.tok.Pos
	const what = "a status (" + "existing, at_risk, potential, proposed or lapsed)"
	if p.tok.Kind != Bare && p.tok.Kind != String {
		return "", at, p.errExpected(what)
	}
	n, err := p.name(what)
	if err != nil {
		return "", at, err
	}
	canon := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(n.Text)))
	for _, st := range Statuses {
		if canon == st {
			return st, at, nil
		}
	}
	msg := fmt.Sprintf("expected %s, found %s", what, Echo(n.Text))
	if sg := suggestWord(canon, Statuses); sg != "" {
		msg += " (did you mean " + sg + "?)"
	}
	return "", at, p.errAt(at, "%s", msg)
}

// why = "why" name [ "and" ] name .
//
// Bare words are kept one by one; evaluation splits them into two names.
func (p *parser) why(at Pos) (Stmt, error) {
	s := &Why{At: at}
	for p.tok.Kind != EOF && p.tok.Kind != Semi {
		switch p.tok.Kind {
		case String, IRI:
			n, err := p.name("an entity")
			if err != nil {
				return nil, err
			}
			s.Parts = append(s.Parts, n)
		case Bare:
			if p.is("and") && len(s.Parts) > 0 {
				p.next()
				continue
			}
			if IsKeyword(p.tok.Text) {
				return nil, p.errAt(p.tok.Pos, "expected an entity, found the keyword %q (quote it: \"%s\")", p.tok.Text, p.tok.Text)
			}
			s.Parts = append(s.Parts, &Name{At: p.tok.Pos, Text: p.tok.Text, Words: []Word{{p.tok.Pos, p.tok.Text}}})
			p.next()
		default:
			return nil, p.errExpected("an entity")
		}
	}
	if len(s.Parts) < 2 {
		return nil, p.errExpected("two entities (why A B)")
	}
	return s, nil
}

// compare = "compare" ( path | paths | brokers | bridges | rank | communities
//
//	| components ) .  The statement must say what to avoid.
func (p *parser) compare(at Pos) (Stmt, error) {
	all := false
	switch {
	case p.is("path"):
	case p.is("paths"):
		all = true
	case p.is("brokers"), p.is("bridges"), p.is("rank"), p.is("communities"), p.is("components"):
		move := strings.ToLower(p.tok.Text)
		nat := p.tok.Pos
		p.next()
		st, err := p.network(nat, move)
		if err != nil {
			return nil, err
		}
		if s := st.(*Network); len(s.Avoid) > 0 {
			return &Compare{At: at, Net: s}, nil
		}
		return nil, p.errAt(p.tok.Pos, "expected \"avoid\" and what to take out: compare shows what avoiding it changes")
	default:
		return nil, p.errExpected(`"path", "paths" or a network statement (compare path A to B avoid X)`)
	}
	pat := p.tok.Pos
	p.next()
	s, err := p.path(pat, all)
	if err != nil {
		return nil, err
	}
	if len(s.Avoid) == 0 {
		return nil, p.errAt(p.tok.Pos, "expected \"avoid\" and what to take out: compare shows what avoiding it changes")
	}
	return &Compare{At: at, Path: s}, nil
}

// match = "match" pattern { "," pattern } [ "where" expr ]
//
//	"return" [ "distinct" ] returnItem { "," returnItem }
//	[ "order" "by" orderItem { "," orderItem } ] [ "skip" INT ] [ "limit" INT ] .
func (p *parser) match(at Pos) (Stmt, error) {
	s := &Match{At: at}
	for {
		pt, err := p.pattern()
		if err != nil {
			return nil, err
		}
		s.Patterns = append(s.Patterns, pt)
		if p.tok.Kind != Comma {
			break
		}
		p.next()
	}
	var err error
	if p.accept("where") {
		if s.Where, err = p.expr(); err != nil {
			return nil, err
		}
	}
	if err := p.expectKw("return"); err != nil {
		return nil, err
	}
	if p.accept("distinct") {
		s.Distinct = true
	}
	for {
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		item := &ReturnItem{Expr: x}
		if p.accept("as") {
			t, err := p.expect(Bare)
			if err != nil {
				return nil, err
			}
			item.Alias = t.Text
		}
		s.Return = append(s.Return, item)
		if p.tok.Kind != Comma {
			break
		}
		p.next()
	}
	if p.accept("order") {
		if err := p.expectKw("by"); err != nil {
			return nil, err
		}
		for {
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			o := &OrderItem{Expr: x}
			if p.accept("desc") || p.accept("descending") {
				o.Desc = true
			} else if !p.accept("asc") {
				p.accept("ascending")
			}
			s.OrderBy = append(s.OrderBy, o)
			if p.tok.Kind != Comma {
				break
			}
			p.next()
		}
	}
	if p.accept("skip") {
		t, err := p.expect(Int)
		if err != nil {
			return nil, err
		}
		s.Skip, _ = strconv.Atoi(t.Text)
		s.HasSkip = true
	}
	if p.accept("limit") {
		n, _, err := p.positiveInt("a limit")
		if err != nil {
			return nil, err
		}
		s.Limit, s.HasLimit = n, true
	}
	return s, nil
}

// pattern = [ VAR "=" ] [ "shortest" | "all" "shortest" ] node { rel node } .
func (p *parser) pattern() (*Pattern, error) {
	pt := &Pattern{At: p.tok.Pos}
	if p.tok.Kind == Bare && !IsKeyword(p.tok.Text) && p.peek().Kind == Eq {
		pt.Var = p.tok.Text
		p.next()
		p.next()
	}
	switch {
	case p.accept("shortest"):
		pt.Selector = "shortest"
	case p.is("all") && strings.EqualFold(p.peek().Text, "shortest"):
		p.next()
		p.next()
		pt.Selector = "all shortest"
	}
	n, err := p.nodePat()
	if err != nil {
		return nil, err
	}
	pt.Nodes = append(pt.Nodes, n)
	for p.tok.Kind == Dash || p.tok.Kind == ArrowL || p.tok.Kind == ArrowR {
		r, err := p.relPat()
		if err != nil {
			return nil, err
		}
		n, err := p.nodePat()
		if err != nil {
			return nil, err
		}
		pt.Rels = append(pt.Rels, r)
		pt.Nodes = append(pt.Nodes, n)
	}
	if pt.Selector != "" && len(pt.Rels) != 1 {
		return nil, p.errAt(pt.At, "%s needs a pattern of two nodes and one relationship: shortest (a)-[*..6]-(b)", pt.Selector)
	}
	return pt, nil
}

// node = "(" [ VAR ] [ ":" LABEL { "|" LABEL } ] [ props ] ")" .
func (p *parser) nodePat() (*NodePat, error) {
	t, err := p.expect(LParen)
	if err != nil {
		return nil, p.errAt(t.Pos, "expected a node pattern \"(\", found %s", t.Describe())
	}
	n := &NodePat{At: t.Pos}
	if p.tok.Kind == Bare && !IsKeyword(p.tok.Text) {
		n.Var = p.tok.Text
		p.next()
	}
	if p.tok.Kind == Colon {
		p.next()
		for {
			at := p.tok.Pos
			l, err := p.label("a type")
			if err != nil {
				return nil, err
			}
			n.Labels = append(n.Labels, l)
			n.LabelsAt = append(n.LabelsAt, at)
			if p.tok.Kind != Pipe && p.tok.Kind != Colon {
				break
			}
			p.next()
		}
	}
	if p.tok.Kind == LBrace {
		if n.Props, err = p.props(); err != nil {
			return nil, err
		}
	}
	if _, err := p.expect(RParen); err != nil {
		return nil, err
	}
	return n, nil
}

// label = IDENT | STRING | IRI .
func (p *parser) label(what string) (string, error) {
	switch p.tok.Kind {
	case Bare, String, IRI:
		v := p.tok.Value
		if p.tok.Kind == IRI {
			v = "<" + v + ">"
		}
		p.next()
		return v, nil
	}
	return "", p.errExpected(what)
}

// rel = ( "-" | "<-" ) [ "[" [ VAR ] [ ":" TYPE { "|" TYPE } ] [ range ] [ props ] "]" ] ( "-" | "->" ) .
// range = "*" [ INT ] [ ".." [ INT ] ] .
func (p *parser) relPat() (*RelPat, error) {
	r := &RelPat{At: p.tok.Pos}
	left := p.tok.Kind
	p.next()
	if left == ArrowR { // "-->": a bare arrow after "-"
		r.Dir = Out
		return r, nil
	}
	if p.tok.Kind == LBrack {
		p.next()
		if p.tok.Kind == Bare && !IsKeyword(p.tok.Text) {
			r.Var = p.tok.Text
			p.next()
		}
		if p.tok.Kind == Colon {
			p.next()
			for {
				at := p.tok.Pos
				l, err := p.label("a relation kind")
				if err != nil {
					return nil, err
				}
				r.Types = append(r.Types, l)
				r.TypesAt = append(r.TypesAt, at)
				if p.tok.Kind != Pipe {
					break
				}
				p.next()
				if p.tok.Kind == Colon {
					p.next()
				}
			}
		}
		if p.tok.Kind == Star {
			r.RangeAt = p.tok.Pos
			p.next()
			r.VarLen = true
			if p.tok.Kind == Int {
				n, err := p.rangeBound()
				if err != nil {
					return nil, err
				}
				r.Min, r.Max = n, n
				r.MinSet, r.MaxSet = true, true
			}
			if p.tok.Kind == DotDot {
				p.next()
				r.Max, r.MaxSet = 0, false
				if p.tok.Kind == Int {
					n, err := p.rangeBound()
					if err != nil {
						return nil, err
					}
					r.Max, r.MaxSet = n, true
				}
			}
			if r.MinSet && r.MaxSet && r.Min > r.Max {
				return nil, p.errAt(r.At, "the range *%d..%d is empty", r.Min, r.Max)
			}
		}
		if p.tok.Kind == LBrace {
			var err error
			if r.Props, err = p.props(); err != nil {
				return nil, err
			}
		}
		if _, err := p.expect(RBrack); err != nil {
			return nil, err
		}
	}
	switch p.tok.Kind {
	case Dash:
		p.next()
		if left == ArrowL {
			r.Dir = In
		} else {
			r.Dir = Both
		}
	case ArrowR:
		p.next()
		if left == ArrowL {
			return nil, p.errAt(r.At, "a relationship cannot point both ways: use -[…]- for either direction")
		}
		r.Dir = Out
	default:
		return nil, p.errExpected(`"-" or "->" to close the relationship`)
	}
	return r, nil
}

// rangeBound reads a bound of a range: a whole number from 0.
func (p *parser) rangeBound() (int, error) {
	n, err := strconv.Atoi(p.tok.Text)
	if err != nil || n < 0 {
		return 0, p.errAt(p.tok.Pos, "a bound of a range must be a whole number from 0, found %s", p.tok.Text)
	}
	p.next()
	return n, nil
}

// props = "{" key ":" expr { "," key ":" expr } "}" .
func (p *parser) props() ([]Prop, error) {
	p.next() // {
	var out []Prop
	for p.tok.Kind != RBrace {
		k, err := p.label("a property name")
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(Colon); err != nil {
			return nil, err
		}
		v, err := p.primary()
		if err != nil {
			return nil, err
		}
		out = append(out, Prop{Key: k, Value: v})
		if p.tok.Kind == Comma {
			p.next()
			continue
		}
		if p.tok.Kind != RBrace {
			return nil, p.errExpected(`"," or "}"`)
		}
	}
	p.next()
	return out, nil
}

// expr = orExpr .
func (p *parser) expr() (Expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errAt(p.tok.Pos, "expression nested too deeply (more than %d levels)", maxDepth)
	}
	return p.orExpr()
}

// orExpr = andExpr { "or" andExpr } .
func (p *parser) orExpr() (Expr, error) {
	x, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for p.accept("or") {
		y, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		x = &Binary{Op: "or", L: x, R: y}
	}
	return x, nil
}

// andExpr = notExpr { "and" notExpr } .
func (p *parser) andExpr() (Expr, error) {
	x, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	for p.accept("and") {
		y, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		x = &Binary{Op: "and", L: x, R: y}
	}
	return x, nil
}

// notExpr = "not" notExpr | comparison .
func (p *parser) notExpr() (Expr, error) {
	if p.is("not") {
		at := p.tok.Pos
		p.next()
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, p.errAt(at, "expression nested too deeply (more than %d levels)", maxDepth)
		}
		x, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		return &Unary{At: at, Op: "not", X: x}, nil
	}
	return p.comparison()
}

// comparison = primary [ ( "=" | "<>" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "contains"
//
//	| "starts" "with" | "ends" "with" | "matches" ) primary | "is" [ "not" ] "null" ] .
func (p *parser) comparison() (Expr, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	op := ""
	switch p.tok.Kind {
	case Eq:
		op = "="
	case Neq:
		op = "<>"
	case Lt:
		op = "<"
	case Le:
		op = "<="
	case Gt:
		op = ">"
	case Ge:
		op = ">="
	case Bare:
		switch {
		case p.is("in"):
			op = "in"
		case p.is("contains"):
			op = "contains"
		case p.is("matches"):
			op = "matches"
		case p.is("starts"), p.is("ends"):
			w := strings.ToLower(p.tok.Text)
			p.next()
			if err := p.expectKw("with"); err != nil {
				return nil, err
			}
			y, err := p.primary()
			if err != nil {
				return nil, err
			}
			return &Binary{Op: w + " with", L: x, R: y}, nil
		case p.is("is"):
			at := p.tok.Pos
			p.next()
			o := "is null"
			if p.accept("not") {
				o = "is not null"
			}
			if err := p.expectKw("null"); err != nil {
				return nil, err
			}
			return &Unary{At: at, Op: o, X: x}, nil
		}
	}
	if op == "" {
		return x, nil
	}
	p.next()
	y, err := p.primary()
	if err != nil {
		return nil, err
	}
	if op == "in" {
		if _, ok := y.(*ListExpr); !ok {
			return nil, p.errAt(y.Pos(), "expected a list after in: (a, b, …)")
		}
	}
	return &Binary{Op: op, L: x, R: y}, nil
}

// primary = literal | list | call | IDENT { "." IDENT } | "(" expr ")" .
func (p *parser) primary() (Expr, error) {
	t := p.tok
	switch t.Kind {
	case String:
		p.next()
		return &Lit{At: t.Pos, Value: t.Value}, nil
	case IRI:
		p.next()
		return &Ident{At: t.Pos, Name: "<" + t.Value + ">"}, nil
	case Int:
		p.next()
		n, err := strconv.ParseInt(t.Text, 10, 64)
		if err != nil {
			return nil, p.errAt(t.Pos, "number %s is too large", t.Text)
		}
		return &Lit{At: t.Pos, Value: n}, nil
	case Float:
		p.next()
		f, _ := strconv.ParseFloat(t.Text, 64)
		return &Lit{At: t.Pos, Value: f}, nil
	case LBrack:
		return p.list(RBrack)
	case LParen:
		// A list (a, b) or a parenthesised expression.
		p.next()
		first, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.tok.Kind == Comma {
			items := []Expr{first}
			for p.tok.Kind == Comma {
				p.next()
				x, err := p.expr()
				if err != nil {
					return nil, err
				}
				items = append(items, x)
			}
			if _, err := p.expect(RParen); err != nil {
				return nil, err
			}
			return &ListExpr{At: t.Pos, Items: items}, nil
		}
		if _, err := p.expect(RParen); err != nil {
			return nil, err
		}
		if _, isIdent := first.(*Ident); isIdent {
			return &ListExpr{At: t.Pos, Items: []Expr{first}}, nil
		}
		if _, isLit := first.(*Lit); isLit {
			return &ListExpr{At: t.Pos, Items: []Expr{first}}, nil
		}
		return &Paren{At: t.Pos, X: first}, nil
	case Bare:
		switch strings.ToLower(t.Text) {
		case "true", "false":
			p.next()
			return &Lit{At: t.Pos, Value: strings.EqualFold(t.Text, "true")}, nil
		case "null":
			p.next()
			return &Lit{At: t.Pos, Value: nil}, nil
		}
		if IsKeyword(t.Text) {
			return nil, p.errAt(t.Pos, "expected a value, found the keyword %q", t.Text)
		}
		p.next()
		if p.tok.Kind == LParen {
			return p.call(t)
		}
		var x Expr = &Ident{At: t.Pos, Name: t.Text}
		for p.tok.Kind == Dot {
			p.next()
			f, err := p.expect(Bare)
			if err != nil {
				return nil, p.errAt(f.Pos, "expected a property name after \".\", found %s", f.Describe())
			}
			x = &PropExpr{X: x, Name: f.Text}
		}
		return x, nil
	}
	return nil, p.errExpected("a value")
}

// list = "[" [ expr { "," expr } ] "]" .
func (p *parser) list(close Kind) (Expr, error) {
	at := p.tok.Pos
	p.next()
	l := &ListExpr{At: at}
	for p.tok.Kind != close {
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		l.Items = append(l.Items, x)
		if p.tok.Kind == Comma {
			p.next()
			continue
		}
		if p.tok.Kind != close {
			return nil, p.errExpected(`"," or ` + close.String())
		}
	}
	p.next()
	return l, nil
}

// call = IDENT "(" ( "*" | [ "distinct" ] [ expr { "," expr } ] ) ")" .
func (p *parser) call(fn Token) (Expr, error) {
	p.next() // (
	c := &Call{At: fn.Pos, Fn: fn.Text}
	if p.tok.Kind == Star {
		p.next()
		c.Star = true
	} else {
		if p.accept("distinct") {
			c.Distinct = true
		}
		for p.tok.Kind != RParen {
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			c.Args = append(c.Args, x)
			if p.tok.Kind == Comma {
				p.next()
				continue
			}
			if p.tok.Kind != RParen {
				return nil, p.errExpected(`"," or ")"`)
			}
		}
	}
	if _, err := p.expect(RParen); err != nil {
		return nil, err
	}
	return c, nil
}
