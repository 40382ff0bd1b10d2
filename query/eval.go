package query

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/internal/textdist"
	"github.com/entente-kg/entente/query/syntax"
)

// RunLang runs src in the named language on db: "gizmo" with Gizmo,
// anything else (the shell's and the command line's "eql") with Run.
func RunLang(ctx context.Context, db *graph.DB, lang, src string, opts *Options) (*Result, error) {
	if lang == "gizmo" {
		return Gizmo(ctx, db.QuadStore(), src, opts)
	}
	return Run(ctx, db, src, opts)
}

// Run parses and evaluates one EQL statement against db, bounded by ctx
// and opts. Errors are *Error values: a syntax error with its position,
// an unknown or ambiguous name with candidates and suggestions.
func Run(ctx context.Context, db *graph.DB, src string, opts *Options) (*Result, error) {
	st, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return Eval(ctx, db, st, src, opts)
}

// Parse parses one EQL statement, turning syntax errors into *Error.
func Parse(src string) (syntax.Stmt, error) {
	st, err := syntax.Parse(src)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return nil, &Error{Line: se.Pos.Line, Col: se.Pos.Col, Msg: se.Msg, Kind: ErrSyntax, Src: src}
		}
		return nil, err
	}
	return st, nil
}

// Eval evaluates a parsed statement; src is its text, for error carets.
func Eval(ctx context.Context, db *graph.DB, st syntax.Stmt, src string, opts *Options) (res *Result, err error) {
	ev := &evaluator{ctx: ctx, db: db, qs: db.QuadStore(), src: src, opts: opts.withDefaults(),
		nodes: map[cgraph.Ref]*Node{}, stmts: map[cgraph.Ref]*stmtInfo{}}
	defer ev.closeReader()
	if beforeEval != nil {
		beforeEval(ev)
	}
	defer func() {
		// The evaluator must not take the process down: a bug becomes an
		// error (and a fuzz failure).
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("query: internal error evaluating %s: %v", syntax.Echo(src), r)
		}
	}()
	switch s := st.(type) {
	case *syntax.Show:
		res, err = ev.show(s)
	case *syntax.Neighbors:
		res, err = ev.neighbors(s)
	case *syntax.Path:
		res, err = ev.path(s)
	case *syntax.Why:
		res, err = ev.why(s)
	case *syntax.Compare:
		res, err = ev.compare(s)
	case *syntax.Match:
		res, err = ev.match(s)
	case *syntax.Search:
		res, err = ev.search(s)
	case *syntax.Network:
		res, err = ev.network(s)
	case *syntax.Timed:
		res, err = ev.timed(s)
	case *syntax.History:
		res, err = ev.history(s)
	case *syntax.Changes:
		res, err = ev.changes(s)
	default:
		return nil, fmt.Errorf("query: cannot evaluate %T", st)
	}
	if err == errWorkSpent { // each statement says which search ran out; this is a backstop
		err = ev.tooLarge(syntax.Pos{}, "the statement", "fewer hops, via, avoid, where")
	}
	if err != nil {
		if ce := context.Cause(ctx); ce != nil && errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return nil, err
	}
	res.Statement = st.String()
	return res, nil
}

// evaluator holds what one statement's evaluation has learned.
type evaluator struct {
	ctx  context.Context
	db   *graph.DB
	qs   cgraph.QuadStore
	src  string
	opts Options

	cat *graph.Catalog
	// er answers what the catalog says of single entities without
	// building it (entities), where the store can; nodes are then
	// described by it.
	er      *graph.EntityReader
	erTried bool
	links   *graph.Links
	nodes   map[cgraph.Ref]*Node
	stmts   map[cgraph.Ref]*stmtInfo
	preds   []cgraph.Ref // every predicate, once read

	symLinks *graph.Links // the index symFn was made for
	symFn    func(int32) bool

	rels   map[graph.Link]*Relation // the relations made, for relsOf
	relsOf *graph.Links

	unlinked []cgraph.Ref // the entities without links a match met (unlinkedIndex)

	work, nextCheck int64        // the work done (Options.MaxWork); when to check ctx next
	scratch         *walkScratch // the path walks' state
}

// errWorkSpent: a search used up the statement's work budget
// (Options.MaxWork). Statements turn it into a note or an *Error.
var errWorkSpent = errors.New("query: the search ran out of work")

// charge spends n units of the statement's work budget (a link examined,
// a node expanded) and, every thousand or so, checks the context.
func (ev *evaluator) charge(n int) error {
	ev.work += int64(n)
	if ev.work > ev.opts.MaxWork {
		return errWorkSpent
	}
	if ev.work >= ev.nextCheck {
		ev.nextCheck = ev.work + 1024
		return ev.ctx.Err()
	}
	return nil
}

// tooLarge is the error of a search, written at pos, that ran out of
// work.
func (ev *evaluator) tooLarge(pos syntax.Pos, what, narrow string) *Error {
	return ev.errAt(pos, graph.ErrSearchTooLarge, "%s ran out of work before it finished: narrow it (%s)", what, narrow)
}

func (ev *evaluator) errAt(pos syntax.Pos, kind error, format string, args ...interface{}) *Error {
	return &Error{Line: pos.Line, Col: pos.Col, Msg: fmt.Sprintf(format, args...), Kind: kind, Src: ev.src}
}

func (ev *evaluator) catalog() (*graph.Catalog, error) {
	if ev.cat == nil {
		c, err := ev.db.Catalog(ev.ctx)
		if err != nil {
			return nil, err
		}
		ev.cat = c
	}
	return ev.cat, nil
}

// entities makes the evaluation describe nodes as the catalog does (its
// rules for which nodes are entities, and their name, types, aliases and
// description) from here on: from the catalog when it has it, else by
// reading each entity alone where the store can (graph.EntityReader: the
// catalog, built from every name of the store, costs most of a second on
// the 30k-movie graph), else from the catalog it builds.
func (ev *evaluator) entities() error {
	if ev.cat != nil {
		return nil
	}
	if !ev.erTried {
		ev.erTried = true
		if r, ok := ev.db.EntityReader(ev.ctx); ok {
			ev.er = r
		}
	}
	if ev.er != nil {
		return nil
	}
	_, err := ev.catalog()
	return err
}

// entityOf is what the catalog says of the node v (nil: no entity), once
// entities was called.
func (ev *evaluator) entityOf(v quad.Value) (*graph.Entity, error) {
	if ev.cat != nil {
		return ev.cat.ByID(v), nil
	}
	if ev.er != nil {
		return ev.er.ByID(v)
	}
	return nil, fmt.Errorf("query: no catalog to describe %s", v)
}

// beforeEval, when set, is called with each new evaluator (tests).
var beforeEval func(*evaluator)

func (ev *evaluator) closeReader() {
	if ev.er != nil {
		ev.er.Close()
	}
}

// lookup finds the entities a name denotes ignoring case: from the
// evaluation's catalog when it has one, else as graph.DB.Lookup finds them
// (without building a catalog where the store can).
func (ev *evaluator) lookup(text string) ([]*graph.Entity, error) {
	if ev.cat != nil {
		return ev.cat.Lookup(text), nil
	}
	return ev.db.Lookup(ev.ctx, text)
}

func (ev *evaluator) getLinks() (*graph.Links, error) {
	if ev.links == nil {
		l, err := ev.db.Links(ev.ctx)
		if err != nil {
			return nil, err
		}
		ev.links = l
	}
	return ev.links, nil
}

// resolved is an entity a name denotes.
type resolved struct {
	id  quad.Value
	ref cgraph.Ref
}

// entity resolves a name to exactly one node: by IRI, by exact name or
// alias, then ignoring case (names, aliases, slugs, ids). No match is an
// error with suggestions; several are an error listing the candidates.
func (ev *evaluator) entity(n *syntax.Name) (resolved, error) {
	text := n.Text
	if n.IRI || strings.HasPrefix(text, "_:") {
		if strings.HasPrefix(text, "_:") {
			v := quad.BNode(text[2:])
			if r, _ := ev.qs.ValueOf(v); r != nil {
				return resolved{v, r}, nil
			}
		}
		if n.IRI {
			for _, iri := range iriForms(text, graph.EntityPrefix) {
				if r, _ := ev.qs.ValueOf(iri); r != nil {
					return resolved{iri, r}, nil
				}
			}
			return resolved{}, ev.errAt(n.At, ErrUnknown, "no node %s in the graph", n)
		}
	}
	// The fast path: the exact text as a name or alias.
	if found, err := ev.exactName(text); err != nil {
		return resolved{}, err
	} else if len(found) == 1 {
		return found[0], nil
	}
	cands, err := ev.lookup(text)
	if err != nil {
		return resolved{}, err
	}
	if len(cands) == 0 && strings.Contains(text, ":") {
		if r, _ := ev.qs.ValueOf(quad.IRI(text)); r != nil {
			return resolved{quad.IRI(text), r}, nil
		}
	}
	switch len(cands) {
	case 1:
		r, err := ev.qs.ValueOf(cands[0].ID)
		if err != nil || r == nil {
			return resolved{}, ev.errAt(n.At, ErrUnknown, "entity %s is in the catalog but not in the store", cands[0].ID)
		}
		return resolved{cands[0].ID, r}, nil
	case 0:
		msg := fmt.Sprintf("unknown entity %s", syntax.Echo(text))
		sugg, note, err := ev.suggestEntities(text)
		if err != nil {
			return resolved{}, err
		}
		msg += didYouMean(sugg, note)
		msg += keywordHint(n)
		return resolved{}, ev.errAt(n.At, ErrUnknown, "%s", msg)
	}
	var lines []string
	for i, c := range cands {
		if i == 8 {
			lines = append(lines, fmt.Sprintf("… and %d more", len(cands)-8))
			break
		}
		lines = append(lines, fmt.Sprintf("%s (%s, %q)", IDString(c.ID), orDash(c.Type()), c.Label()))
	}
	return resolved{}, ev.errAt(n.At, ErrAmbiguous, "%s is ambiguous: it names %s; use an id (<…>) or a more exact name", syntax.Echo(text), strings.Join(lines, "; "))
}

// iriForms lists the IRIs an IRI written <text> may denote, in the order
// they are tried: the text itself; then, for a text with no scheme, the
// text with prefix (entity:south-korea for <south-korea>) and the text
// with a leading "/" (/en/kevin_bacon for <en/kevin_bacon>: Cayley's data
// sets write ids as absolute paths).
func iriForms(text, prefix string) []quad.IRI {
	out := []quad.IRI{quad.IRI(text)}
	if strings.Contains(text, ":") {
		return out
	}
	if prefix != "" {
		out = append(out, quad.IRI(prefix+text))
	}
	if !strings.HasPrefix(text, "/") {
		out = append(out, quad.IRI("/"+text))
	}
	return out
}

// suggestEntities returns the names (quoted when a bare name cannot be
// written so) of the entities closest to text, for "did you mean". A
// suggestion that is an id or a slug is given as its entity's name, or as
// an IRI for a node without one. The note says where text differs from
// the closest name when the two look alike (a Cyrillic а in "Jаpan").
func (ev *evaluator) suggestEntities(text string) (out []string, note string, err error) {
	cat, err := ev.catalog()
	if err != nil {
		return nil, "", nil
	}
	sugg, err := textdist.Suggest(ev.ctx, text, cat.Names())
	if err != nil {
		return nil, "", err
	}
	if len(sugg) > 0 {
		note = textdist.Lookalike(text, sugg[0])
	}
	seen := map[string]bool{}
	for _, s := range sugg {
		for _, e := range cat.Lookup(s) {
			var w string
			switch {
			case e.Name != "" && (strings.EqualFold(e.Name, s) || !containsFold(e.Aliases, s)):
				w = quoteSuggestion(e.Name)
			case e.Name != "":
				w = quoteSuggestion(s) // an alias
			default:
				w = "<" + IDString(e.ID) + ">"
			}
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	if len(out) > 3 {
		out = out[:3]
	}
	return out, note, nil
}

func containsFold(xs []string, x string) bool {
	for _, y := range xs {
		if strings.EqualFold(x, y) {
			return true
		}
	}
	return false
}

// keywordHint says which word of a bare name of several words looks like
// a misspelt keyword (a misspelt option joins the name before it: path
// Japan to India dirceted). Words shorter than four letters are left
// alone: "of" is one letter from "or".
func keywordHint(n *syntax.Name) string {
	for i := len(n.Words) - 1; i > 0; i-- {
		if w := n.Words[i].Text; len([]rune(w)) < 4 {
			continue
		}
		if k := syntax.SuggestKeyword(n.Words[i].Text); k != "" {
			return fmt.Sprintf("; is %s a misspelt %s?", syntax.Echo(n.Words[i].Text), k)
		}
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "no type"
	}
	return s
}

// didYouMean writes the "did you mean" of a message, with a note on
// lookalike letters; "" without suggestions.
func didYouMean(sugg []string, note string) string {
	if len(sugg) == 0 {
		return ""
	}
	msg := " (did you mean " + strings.Join(sugg, ", ") + "?"
	if note != "" {
		msg += " " + note
	}
	return msg + ")"
}

// quoteSuggestion writes a name for "did you mean": quoted when it has
// spaces or commas (to keep a list of them readable) or could not be
// written bare.
func quoteSuggestion(x string) string {
	if strings.ContainsAny(x, " ,") {
		return fmt.Sprintf("%q", x)
	}
	return quoteName(x)
}

// exactName finds the nodes with this exact name or alias, leaving out the
// model's statement, evidence and source nodes.
func (ev *evaluator) exactName(text string) ([]resolved, error) {
	v, err := ev.qs.ValueOf(quad.String(text))
	if err != nil || v == nil {
		return nil, err
	}
	seen := map[cgraph.Ref]bool{}
	var out []resolved
	err = ev.quadsTo(v, func(pv quad.Value, s cgraph.Ref) error {
		if !graph.IsNamePredicate(pv) && !graph.IsAliasPredicate(pv) || seen[s] {
			return nil
		}
		seen[s] = true
		if meta, err := ev.isMeta(s); err != nil || meta {
			return nil
		}
		sv, err := ev.qs.NameOf(s)
		if err != nil {
			return err
		}
		out = append(out, resolved{sv, s})
		return nil
	})
	return out, err
}

// quadsTo calls fn with the predicate and the subject of every quad whose
// object is ref.
func (ev *evaluator) quadsTo(ref cgraph.Ref, fn func(pred quad.Value, subj cgraph.Ref) error) error {
	it := ev.qs.QuadIterator(quad.Object, ref).Iterate()
	defer it.Close()
	for it.Next(ev.ctx) {
		q := it.Result()
		p, _ := ev.qs.QuadDirection(q, quad.Predicate)
		pv, err := ev.qs.NameOf(p)
		if err != nil {
			return err
		}
		s, _ := ev.qs.QuadDirection(q, quad.Subject)
		if err := fn(pv, s); err != nil {
			return err
		}
	}
	return it.Err()
}

// isMeta reports whether a node is a statement, evidence or source node.
func (ev *evaluator) isMeta(r cgraph.Ref) (bool, error) {
	it := ev.qs.QuadIterator(quad.Subject, r).Iterate()
	defer it.Close()
	for it.Next(ev.ctx) {
		q := it.Result()
		p, _ := ev.qs.QuadDirection(q, quad.Predicate)
		pv, _ := ev.qs.NameOf(p)
		if graph.IsTypePredicate(pv) {
			o, _ := ev.qs.QuadDirection(q, quad.Object)
			ov, _ := ev.qs.NameOf(o)
			if graph.IsMetaType(ov) {
				return true, nil
			}
		}
	}
	return false, it.Err()
}

// allPreds lists the store's predicates.
func (ev *evaluator) allPreds() ([]cgraph.Ref, error) {
	if ev.preds == nil {
		ps, _, err := ev.db.Predicates(ev.ctx)
		if err != nil {
			return nil, err
		}
		ev.preds = ps
	}
	return ev.preds, nil
}

// relationKind resolves a relation name to the predicates it denotes: a
// kind of the vocabulary (partner), an IRI, a predicate's short name
// (/film/film/starring or starring), or an attribute word (type, name).
// A kind of the vocabulary the store has no link of is no error: it
// denotes nothing.
func (ev *evaluator) relationKind(n *syntax.Name) ([]cgraph.Ref, error) {
	text := n.Text
	if n.IRI {
		for _, iri := range iriForms(text, graph.RelPrefix) {
			if r, _ := ev.qs.ValueOf(iri); r != nil {
				return []cgraph.Ref{r}, nil
			}
		}
		return nil, ev.errAt(n.At, ErrUnknown, "no predicate %s in the graph", n)
	}
	if k, ok := graph.LookupKind(text); ok {
		r, _ := ev.qs.ValueOf(k.IRI())
		if r == nil {
			return []cgraph.Ref{}, nil
		}
		return []cgraph.Ref{r}, nil
	}
	preds, err := ev.allPreds()
	if err != nil {
		return nil, err
	}
	lower := strings.ToLower(text)
	var out []cgraph.Ref
	for _, p := range preds {
		v, err := ev.qs.NameOf(p)
		if err != nil {
			return nil, err
		}
		short := strings.ToLower(graph.ShortName(v))
		last := short
		if i := strings.LastIndexAny(short, "/#:"); i >= 0 {
			last = short[i+1:]
		}
		switch {
		case short == lower, last == lower:
			out = append(out, p)
		case lower == "type" && graph.IsTypePredicate(v), lower == "name" && graph.IsNamePredicate(v),
			(lower == "alias" || lower == "aliases") && graph.IsAliasPredicate(v):
			out = append(out, p)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	names, err := ev.predicateNames()
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("unknown relation kind %s", syntax.Echo(text))
	if sugg := graph.Suggest(text, append(graph.KindNames(), names...)); len(sugg) > 0 {
		msg += " (did you mean " + strings.Join(sugg, ", ") + "?)"
	}
	return nil, ev.errAt(n.At, ErrUnknown, "%s", msg)
}

// predicateNames lists the names of the store's predicates, short form
// and last segment (/film/film/directed_by, directed_by), for
// suggestions.
func (ev *evaluator) predicateNames() ([]string, error) {
	preds, err := ev.allPreds()
	if err != nil {
		return nil, err
	}
	var names []string
	seen := map[string]bool{}
	for _, p := range preds {
		v, err := ev.qs.NameOf(p)
		if err != nil {
			return nil, err
		}
		short := graph.ShortName(v)
		for _, n := range []string{short, short[strings.LastIndexAny(short, "/#:")+1:]} {
			if n != "" && !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	return names, nil
}

// node materialises a node reference as a result node, with its name,
// types and aliases from the catalog when it is an entity (or as the
// catalog would give them, after entities), else from its own quads.
func (ev *evaluator) node(r cgraph.Ref) (*Node, error) {
	if n, ok := ev.nodes[r]; ok {
		return n, nil
	}
	v, err := ev.qs.NameOf(r)
	if err != nil {
		return nil, err
	}
	var n *Node
	switch {
	case ev.cat != nil:
		n = ev.catalogNode(v)
	case ev.er != nil:
		n = &Node{ID: v}
		e, err := ev.er.ByID(v)
		if err != nil {
			return nil, err
		}
		if e != nil {
			n.Name, n.Types, n.Aliases, n.Description = e.Name, e.Types, e.Aliases, e.Description
		}
	default:
		n = &Node{ID: v}
		if err := ev.describe(r, n); err != nil {
			return nil, err
		}
	}
	ev.nodes[r] = n
	return n, nil
}

// catalogNode is the node with value v as the catalog describes it.
func (ev *evaluator) catalogNode(v quad.Value) *Node {
	n := &Node{ID: v}
	if e := ev.cat.ByID(v); e != nil {
		n.Name, n.Types, n.Aliases, n.Description = e.Name, e.Types, e.Aliases, e.Description
	}
	return n
}

// describeAll describes the nodes of refs ahead of their use when they
// are many and the store is on a database server (graph.DB.Remote), where
// each lookup is a round trip: their values are read in a batch, then
// each is described as node describes it (from the catalog when this
// evaluation has built it, else from its own quads), so that the answer
// is the same on every store. Elsewhere it does nothing: node does the
// work as it goes.
func (ev *evaluator) describeAll(refs []cgraph.Ref) error {
	if len(refs) < remoteDescribeMin || !ev.db.Remote() {
		return nil
	}
	var todo []cgraph.Ref
	for _, r := range refs {
		if _, ok := ev.nodes[r]; !ok {
			todo = append(todo, r)
		}
	}
	if len(todo) < remoteDescribeMin {
		return nil
	}
	vals, err := ev.db.ValuesOf(ev.ctx, todo)
	if err != nil {
		return err
	}
	for i, r := range todo {
		if vals[i] == nil {
			continue // node says what it says of a ref without a value
		}
		if ev.cat != nil {
			ev.nodes[r] = ev.catalogNode(vals[i])
			continue
		}
		n := &Node{ID: vals[i]}
		if err := ev.describe(r, n); err != nil {
			return err
		}
		ev.nodes[r] = n
	}
	return nil
}

// remoteDescribeMin is from how many nodes describeAll reads them in a
// batch (a variable for tests).
var remoteDescribeMin = 100

// describe reads a node's name, types and aliases from its own quads (when
// the catalog has not been built: a large graph, one path query).
func (ev *evaluator) describe(r cgraph.Ref, n *Node) error {
	if graph.IsLiteral(n.ID) {
		return nil
	}
	it := ev.qs.QuadIterator(quad.Subject, r).Iterate()
	defer it.Close()
	for it.Next(ev.ctx) {
		q := it.Result()
		p, _ := ev.qs.QuadDirection(q, quad.Predicate)
		pv, err := ev.qs.NameOf(p)
		if err != nil {
			return err
		}
		switch {
		case graph.IsNamePredicate(pv), graph.IsAliasPredicate(pv), graph.IsTypePredicate(pv), pv == graph.PredDescription:
			o, _ := ev.qs.QuadDirection(q, quad.Object)
			ov, err := ev.qs.NameOf(o)
			if err != nil {
				return err
			}
			switch {
			case graph.IsTypePredicate(pv):
				n.Types = append(n.Types, graph.ShortName(ov))
			case graph.IsNamePredicate(pv) && n.Name == "":
				n.Name = literalText(ov)
			case graph.IsAliasPredicate(pv):
				n.Aliases = append(n.Aliases, literalText(ov))
			case pv == graph.PredDescription && n.Description == "" && graph.IsLiteral(ov):
				n.Description = literalText(ov)
			}
		}
	}
	sort.Strings(n.Types)
	return it.Err()
}

func literalText(v quad.Value) string {
	switch v := v.(type) {
	case quad.String:
		return string(v)
	case quad.LangString:
		return string(v.Value)
	case quad.TypedString:
		return string(v.Value)
	case nil:
		return ""
	}
	return quad.ToString(v)
}

// stmtInfo is what a statement node says of its relation.
type stmtInfo struct {
	quals    []Qualifier
	evidence []Evidence
}

var qualOrder = map[string]int{}

func init() {
	for i, q := range graph.Qualifiers {
		qualOrder[q.Name] = i
	}
}

// statement reads a statement node's qualifiers and evidence.
func (ev *evaluator) statement(r cgraph.Ref) (*stmtInfo, error) {
	if r == nil {
		return &stmtInfo{}, nil
	}
	if s, ok := ev.stmts[r]; ok {
		return s, nil
	}
	info := &stmtInfo{}
	type evNode struct {
		ref cgraph.Ref
		id  string
	}
	var evs []evNode
	var states []cgraph.Ref
	err := ev.eachOut(r, func(pv, ov quad.Value, o cgraph.Ref) error {
		iri, _ := pv.(quad.IRI)
		switch {
		case pv == graph.PredEvidence:
			evs = append(evs, evNode{o, ov.String()})
		case pv == graph.PredState:
			states = append(states, o)
		case strings.HasPrefix(string(iri), graph.QualPrefix):
			name := strings.TrimPrefix(string(iri), graph.QualPrefix)
			val := literalText(ov)
			if _, ok := ov.(quad.IRI); ok {
				n, err := ev.node(o)
				if err != nil {
					return err
				}
				val = n.Label()
			}
			info.quals = append(info.quals, Qualifier{Name: name, Value: val})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if q, err := ev.statesQualifier(states); err != nil {
		return nil, err
	} else if q != nil {
		info.quals = append(info.quals, *q)
	}
	sort.SliceStable(info.quals, func(i, j int) bool {
		oi, iok := qualOrder[info.quals[i].Name]
		oj, jok := qualOrder[info.quals[j].Name]
		if iok != jok {
			return iok
		}
		if oi != oj {
			return oi < oj
		}
		return info.quals[i].Name < info.quals[j].Name
	})
	sort.Slice(evs, func(i, j int) bool { return evs[i].id < evs[j].id })
	for _, e := range evs {
		var item Evidence
		err := ev.eachOut(e.ref, func(pv, ov quad.Value, o cgraph.Ref) error {
			switch pv {
			case graph.PredSource:
				item.Source = strings.TrimPrefix(IDString(ov), graph.SourcePrefix)
			case graph.PredLocator:
				item.Locator = literalText(ov)
			case graph.PredNote:
				item.Note = literalText(ov)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		info.evidence = append(info.evidence, item)
	}
	// Evidence in a stable, readable order: by source, then where in it.
	sort.SliceStable(info.evidence, func(i, j int) bool {
		a, b := info.evidence[i], info.evidence[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Locator != b.Locator {
			return a.Locator < b.Locator
		}
		return a.Note < b.Note
	})
	ev.stmts[r] = info
	return info, nil
}

// eachOut calls fn with the predicate, object and object reference of each
// quad whose subject is r.
func (ev *evaluator) eachOut(r cgraph.Ref, fn func(p, o quad.Value, oref cgraph.Ref) error) error {
	it := ev.qs.QuadIterator(quad.Subject, r).Iterate()
	defer it.Close()
	for it.Next(ev.ctx) {
		q := it.Result()
		p, _ := ev.qs.QuadDirection(q, quad.Predicate)
		o, _ := ev.qs.QuadDirection(q, quad.Object)
		pv, err := ev.qs.NameOf(p)
		if err != nil {
			return err
		}
		ov, err := ev.qs.NameOf(o)
		if err != nil {
			return err
		}
		if err := fn(pv, ov, o); err != nil {
			return err
		}
	}
	return it.Err()
}

// relation materialises a link of the index as a result relation; a
// link met again (by many paths) is the same relation.
func (ev *evaluator) relation(lk graph.Link) (*Relation, error) {
	l := ev.links
	if ev.relsOf != l {
		ev.rels, ev.relsOf = map[graph.Link]*Relation{}, l
	}
	if r, ok := ev.rels[lk]; ok {
		return r, nil
	}
	r, err := ev.newRelation(lk)
	if err != nil {
		return nil, err
	}
	ev.rels[lk] = r
	return r, nil
}

func (ev *evaluator) newRelation(lk graph.Link) (*Relation, error) {
	l := ev.links
	from, err := ev.node(l.Node(lk.From))
	if err != nil {
		return nil, err
	}
	to, err := ev.node(l.Node(lk.To))
	if err != nil {
		return nil, err
	}
	pred := l.Preds[lk.Pred]
	rel := &Relation{From: from, To: to, Kind: graph.ShortName(pred), Pred: pred}
	if lk.Label != 0 {
		lr := l.Labels[lk.Label]
		if rel.Stmt, err = ev.qs.NameOf(lr); err != nil {
			return nil, err
		}
		info, err := ev.statement(lr)
		if err != nil {
			return nil, err
		}
		rel.Qualifiers, rel.Evidence = info.quals, info.evidence
	}
	return rel, nil
}

// strength is how real a relation is (graph.Strength: its status, then
// its basis); lower is stronger.
func strength(r *Relation) graph.Strength {
	return graph.StrengthOf(r.Qualifier("status"), r.Qualifier("basis"))
}

// kindRank orders relation kinds as the vocabulary lists them.
var kindRank = func() map[string]int {
	m := map[string]int{}
	for i, k := range graph.RelationKinds {
		m[k.Name] = i
	}
	return m
}()

// compareKinds orders relation kinds: the vocabulary's in its order, then
// any other by name.
func compareKinds(a, b string) int {
	ra, oka := kindRank[a]
	rb, okb := kindRank[b]
	switch {
	case oka != okb:
		if oka {
			return -1
		}
		return 1
	case ra != rb:
		return ra - rb
	}
	return strings.Compare(a, b)
}

// hop turns a step of a search into a hop: the best relation, the others
// as Also, and the direction relative to the path (from u).
func (ev *evaluator) hop(u int32, st graph.Step) (Hop, error) {
	rels := make([]*Relation, len(st))
	for i, lk := range st {
		r, err := ev.relation(lk)
		if err != nil {
			return Hop{}, err
		}
		rels[i] = r
	}
	idx := make([]int, len(st))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ra, rb := rels[idx[a]], rels[idx[b]]
		sa, sb := strength(ra), strength(rb)
		if sa != sb {
			return sa < sb
		}
		if c := compareKinds(ra.Kind, rb.Kind); c != 0 {
			return c < 0
		}
		return IDString(ra.Stmt) < IDString(rb.Stmt)
	})
	h := Hop{Rel: rels[idx[0]], Reverse: st[idx[0]].From != u}
	for _, i := range idx[1:] {
		h.Also = append(h.Also, rels[i])
	}
	return h, nil
}

// pathOf materialises a search's path. hops, when not nil, keeps the
// hops made for the paths of one search, which share them.
func (ev *evaluator) pathOf(np graph.NodePath, hops map[[2]int32]Hop) (*Path, error) {
	p := &Path{Nodes: make([]*Node, 0, len(np.Nodes)), Hops: make([]Hop, 0, len(np.Steps))}
	for _, n := range np.Nodes {
		node, err := ev.node(ev.links.Node(n))
		if err != nil {
			return nil, err
		}
		p.Nodes = append(p.Nodes, node)
	}
	for i, st := range np.Steps {
		if len(st) == 0 {
			return nil, fmt.Errorf("query: internal error: empty step in a path")
		}
		k := [2]int32{np.Nodes[i], np.Nodes[i+1]}
		h, ok := hops[k]
		if !ok {
			var err error
			if h, err = ev.hop(k[0], st); err != nil {
				return nil, err
			}
			if hops != nil {
				hops[k] = h
			}
		}
		p.Hops = append(p.Hops, h)
	}
	setWeakest(p)
	return p, nil
}

// setWeakest sets a path's Weakest from its hops.
func setWeakest(p *Path) {
	if len(p.Hops) == 0 {
		return
	}
	w := graph.StrengthExisting
	for _, h := range p.Hops {
		w = max(w, strength(h.Rel))
	}
	p.Weakest = w.String()
}

// idValue reads an id as a node value: <iri>, _:blank, or an IRI.
func idValue(s string) quad.Value {
	switch {
	case strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">"):
		return quad.IRI(s[1 : len(s)-1])
	case strings.HasPrefix(s, "_:"):
		return quad.BNode(s[2:])
	}
	return quad.IRI(s)
}

// ShortestPaths returns the shortest paths among the strongest (as path
// does: see Strength in docs/query-language.md) between two entities, named as
// in EQL (a name, an alias, an id), up to opts.PathLimit — the Go form of
// "path FROM to TO".
func ShortestPaths(ctx context.Context, db *graph.DB, from, to string, opts *Options) ([]*Path, error) {
	st := &syntax.Path{From: nameOf(from), To: nameOf(to)}
	res, err := Eval(ctx, db, st, st.String(), opts)
	if err != nil {
		return nil, err
	}
	out := make([]*Path, 0, len(res.Rows))
	for _, row := range res.Rows {
		if p, ok := row[0].(*Path); ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// nameOf makes a statement's name from a Go string: an IRI in angle
// brackets, else a quoted name.
func nameOf(s string) *syntax.Name {
	if strings.HasPrefix(s, "<") && strings.HasSuffix(s, ">") {
		return &syntax.Name{Text: s[1 : len(s)-1], IRI: true}
	}
	return &syntax.Name{Text: s, Quoted: true}
}
