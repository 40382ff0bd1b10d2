package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/quadstore"
	"github.com/entente-kg/entente/internal/textdist"
)

// Target names what a retraction or an amendment is about: a statement by
// its id, a relation by its subject, kind and object (names as in EQL;
// Where picks one of several parallel relations by their qualifiers), or
// an entity.
type Target struct {
	Statement string
	Subject   string
	Kind      string
	Object    string
	Where     map[string]string
	Entity    string
	// All lets a retraction of SUBJECT KIND OBJECT take every parallel
	// relation it names; without it, naming several is an error that
	// lists them.
	All bool
}

// ParseTarget reads a target from words as the command line and the shell
// take them: one word is a statement id (stmt:…) or an entity's name,
// three are SUBJECT KIND OBJECT; words KEY=VALUE after a relation pick
// among parallel relations. rest is what follows the target (for Amend:
// its assignments).
func ParseTarget(words []string, assignments bool) (t Target, rest []string, err error) {
	var plain []string
	for i, w := range words {
		if strings.Contains(w, "=") && len(plain) > 0 && (len(plain) == 1 || len(plain) == 3) {
			rest = words[i:]
			break
		}
		plain = append(plain, w)
	}
	switch len(plain) {
	case 1:
		if strings.HasPrefix(plain[0], StmtPrefix) {
			t.Statement = plain[0]
		} else {
			t.Entity = plain[0]
		}
	case 3:
		t.Subject, t.Kind, t.Object = plain[0], plain[1], plain[2]
	default:
		return t, nil, fmt.Errorf("name a statement (stmt:…), an entity, or a relation as SUBJECT KIND OBJECT (quote names with spaces); got %d words: %s", len(plain), strings.Join(plain, " "))
	}
	if !assignments && len(rest) > 0 {
		if t.Subject == "" {
			return t, nil, fmt.Errorf("%s: qualifiers pick among the relations of SUBJECT KIND OBJECT, not of a statement or an entity", rest[0])
		}
		t.Where = map[string]string{}
		for _, w := range rest {
			k, v, _ := strings.Cut(w, "=")
			t.Where[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
		rest = nil
	}
	return t, rest, nil
}

func (t Target) String() string {
	switch {
	case t.Statement != "":
		return t.Statement
	case t.Entity != "":
		return strings.TrimPrefix(t.Entity, EntityPrefix)
	}
	s := strings.TrimPrefix(t.Subject, EntityPrefix) + " " + t.Kind + " " + strings.TrimPrefix(t.Object, EntityPrefix)
	for _, k := range sortedKeys(t.Where) {
		s += " " + k + "=" + t.Where[k]
	}
	return s
}

// quadsWith returns the present quads with v in direction d.
func (db *DB) quadsWith(ctx context.Context, d quad.Direction, v quad.Value) ([]quad.Quad, error) {
	ref, err := db.qs.ValueOf(v)
	if err != nil || ref == nil {
		return nil, mapErr(err)
	}
	var out []quad.Quad
	it := db.qs.QuadIterator(d, ref).Iterate()
	defer it.Close()
	for it.Next(ctx) {
		q, err := db.qs.Quad(it.Result())
		if err != nil {
			return nil, mapErr(err)
		}
		out = append(out, q)
	}
	return out, mapErr(it.Err())
}

// entityOf resolves a name to one entity, with the closest names when
// there is none.
func (db *DB) entityOf(ctx context.Context, cat *Catalog, name string) (*Entity, error) {
	if name == "" {
		return nil, errors.New("no entity named")
	}
	es := cat.Lookup(name)
	if len(es) == 0 {
		if e := cat.ByID(quad.IRI(name)); e != nil {
			return e, nil
		}
		msg := fmt.Sprintf("no entity %q", name)
		sugg, _ := textdist.Suggest(ctx, name, cat.Names())
		if len(sugg) > 0 {
			msg += " (did you mean " + quoteList(sugg) + "?)"
		}
		return nil, fmt.Errorf("%w: %s", ErrNotFound, msg)
	}
	if len(es) > 1 {
		ids := make([]string, len(es))
		for i, e := range es {
			ids[i] = fmt.Sprintf("%s (%s)", IDText(e.ID), e.Type())
		}
		return nil, fmt.Errorf("%q names %d entities: %s; use an id", name, len(es), strings.Join(ids, ", "))
	}
	return es[0], nil
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// IDText is a node id as written in EQL and on the command line: an IRI
// without brackets.
func IDText(v quad.Value) string {
	if iri, ok := v.(quad.IRI); ok {
		return string(iri)
	}
	return quad.StringOf(v)
}

// relation is one stored relation: its quad and its statement (nil for a
// relation without one).
type relation struct {
	q    quad.Quad
	stmt quad.Value
}

// statementQuads returns every quad of a statement: the relation quads it
// labels, its own attributes, its evidence (unless another statement shares
// it) and its dated states.
func (db *DB) statementQuads(ctx context.Context, stmt quad.Value) ([]quad.Quad, error) {
	var out []quad.Quad
	labelled, err := db.quadsWith(ctx, quad.Label, stmt)
	if err != nil {
		return nil, err
	}
	out = append(out, labelled...)
	own, err := db.quadsWith(ctx, quad.Subject, stmt)
	if err != nil {
		return nil, err
	}
	out = append(out, own...)
	for _, q := range own {
		if q.Predicate != PredEvidence && q.Predicate != PredState {
			continue
		}
		users, err := db.quadsWith(ctx, quad.Object, q.Object)
		if err != nil {
			return nil, err
		}
		if len(users) > 1 {
			continue
		}
		sub, err := db.quadsWith(ctx, quad.Subject, q.Object)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}

// findRelations finds the relations a target names; for a statement id,
// the one it labels.
func (db *DB) findRelations(ctx context.Context, cat *Catalog, t Target) ([]relation, error) {
	if t.Statement != "" {
		stmt := quad.IRI(t.Statement)
		qs, err := db.quadsWith(ctx, quad.Label, stmt)
		if err != nil {
			return nil, err
		}
		if len(qs) == 0 {
			msg := "no statement " + t.Statement
			if sugg := db.closeStatements(ctx, t.Statement); len(sugg) > 0 {
				msg += " (did you mean " + strings.Join(sugg, ", ") + "?)"
			}
			return nil, fmt.Errorf("%w: %s", ErrNotFound, msg)
		}
		rels := make([]relation, len(qs))
		for i, q := range qs {
			rels[i] = relation{q: q, stmt: stmt}
		}
		return rels, nil
	}
	subj, err := db.entityOf(ctx, cat, t.Subject)
	if err != nil {
		return nil, err
	}
	obj, err := db.entityOf(ctx, cat, t.Object)
	if err != nil {
		return nil, err
	}
	var pred quad.Value
	symmetric := false
	if k, ok := LookupKind(t.Kind); ok {
		pred, symmetric = quad.IRI(RelPrefix+k.Name), k.Symmetric
	} else {
		pred = quad.IRI(strings.Trim(t.Kind, "<>"))
	}
	out, err := db.quadsWith(ctx, quad.Subject, subj.ID)
	if err != nil {
		return nil, err
	}
	in, err := db.quadsWith(ctx, quad.Object, subj.ID)
	if err != nil {
		return nil, err
	}
	var rels []relation
	var kinds []string
	seenKind := map[string]bool{}
	note := func(q quad.Quad) {
		k := ShortName(q.Predicate)
		if !seenKind[k] {
			seenKind[k] = true
			kinds = append(kinds, k)
		}
	}
	for _, q := range out {
		if q.Object != obj.ID || IsAttribute(q.Predicate) {
			continue
		}
		note(q)
		if q.Predicate == pred {
			rels = append(rels, relation{q: q, stmt: q.Label})
		}
	}
	for _, q := range in {
		if q.Subject != obj.ID || IsAttribute(q.Predicate) {
			continue
		}
		note(q)
		if q.Predicate == pred && symmetric {
			rels = append(rels, relation{q: q, stmt: q.Label})
		}
	}
	if len(rels) == 0 {
		if _, ok := LookupKind(t.Kind); !ok && len(kinds) == 0 {
			if sugg := Suggest(t.Kind, KindNames()); len(sugg) > 0 {
				return nil, fmt.Errorf("%w: no relation %s between %s and %s, and %s is no relation kind (did you mean %s?)",
					ErrNotFound, t.Kind, subj.Label(), obj.Label(), t.Kind, strings.Join(sugg, ", "))
			}
		}
		if len(kinds) == 0 {
			return nil, fmt.Errorf("%w: %s and %s are not linked at all", ErrNotFound, subj.Label(), obj.Label())
		}
		sort.Strings(kinds)
		return nil, fmt.Errorf("%w: no %s relation from %s to %s; they are linked by %s",
			ErrNotFound, ShortName(pred), subj.Label(), obj.Label(), strings.Join(kinds, ", "))
	}
	if len(t.Where) > 0 {
		var kept []relation
		for _, r := range rels {
			ok, err := db.qualifiersMatch(ctx, r.stmt, t.Where)
			if err != nil {
				return nil, err
			}
			if ok {
				kept = append(kept, r)
			}
		}
		if len(kept) == 0 {
			return nil, fmt.Errorf("%w: none of the %d %s relations from %s to %s has %s; their statements: %s",
				ErrNotFound, len(rels), ShortName(pred), subj.Label(), obj.Label(), whereText(t.Where), stmtList(rels))
		}
		rels = kept
	}
	return rels, nil
}

func whereText(w map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(w) {
		parts = append(parts, k+"="+w[k])
	}
	return strings.Join(parts, " ")
}

func stmtList(rels []relation) string {
	var ids []string
	for _, r := range rels {
		if r.stmt != nil {
			ids = append(ids, IDText(r.stmt))
		} else {
			ids = append(ids, r.q.NQuad())
		}
	}
	return strings.Join(ids, ", ")
}

// qualifiersMatch reports whether a statement's qualifiers have the values
// asked (a name for an entity-valued qualifier; status existing matches a
// statement without one).
func (db *DB) qualifiersMatch(ctx context.Context, stmt quad.Value, where map[string]string) (bool, error) {
	if stmt == nil {
		return false, nil
	}
	own, err := db.quadsWith(ctx, quad.Subject, stmt)
	if err != nil {
		return false, err
	}
	cat, err := db.Catalog(ctx)
	if err != nil {
		return false, err
	}
	for k, want := range where {
		found := false
		for _, q := range own {
			if ShortQualifier(q.Predicate) != k {
				continue
			}
			got := quad.ToString(q.Object)
			if e := cat.ByID(q.Object); e != nil {
				if strings.EqualFold(e.Name, want) || strings.EqualFold(e.Slug(), want) {
					found = true
				}
				for _, a := range e.Aliases {
					found = found || strings.EqualFold(a, want)
				}
			}
			if strings.EqualFold(got, want) {
				found = true
			}
		}
		if !found && k == "status" && strings.EqualFold(want, "existing") {
			found = true
			for _, q := range own {
				if q.Predicate == predStatus {
					found = false
				}
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

// ShortQualifier is a qualifier predicate's name: q:status → status.
func ShortQualifier(p quad.Value) string {
	return strings.TrimPrefix(iriOf(p), QualPrefix)
}

// closeStatements suggests statement ids close to id.
func (db *DB) closeStatements(ctx context.Context, id string) []string {
	ref, err := db.qs.ValueOf(TypeStatement)
	if err != nil || ref == nil {
		return nil
	}
	var ids []string
	it := db.qs.QuadIterator(quad.Object, ref).Iterate()
	defer it.Close()
	for it.Next(ctx) && len(ids) < 100000 {
		q, err := db.qs.Quad(it.Result())
		if err == nil && q.Predicate == PredType {
			ids = append(ids, IDText(q.Subject))
		}
	}
	sugg, _ := textdist.Suggest(ctx, id, ids)
	return sugg
}

// Retract removes what t names, as one transaction: a statement with its
// qualifiers, evidence and states; a relation (all the parallel relations
// of that kind unless t.Where picks some); or an entity with its
// attributes and every relation touching it. The history keeps it all:
// AsOf an earlier transaction still shows it. Nothing found is an error
// naming the closest match.
func (db *DB) Retract(ctx context.Context, t Target, meta TxMeta) (Tx, error) {
	if err := db.writable(); err != nil {
		return Tx{}, err
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	cat, err := db.Catalog(ctx)
	if err != nil {
		return Tx{}, err
	}
	remove, err := db.planRetract(ctx, cat, t)
	if err != nil {
		return Tx{}, err
	}
	if meta.Kind == "" {
		meta.Kind = "retract"
	}
	return db.commit(ctx, nil, remove, meta)
}

// countStatements counts the distinct relations among rels (a relation
// without a statement counts as one).
func countStatements(rels []relation) int {
	seen := map[quad.Value]bool{}
	n := 0
	for _, r := range rels {
		if r.stmt == nil {
			n++
		} else if !seen[r.stmt] {
			seen[r.stmt] = true
			n++
		}
	}
	return n
}

// planRetract: the quads a retraction removes.
func (db *DB) planRetract(ctx context.Context, cat *Catalog, t Target) ([]quad.Quad, error) {
	var remove []quad.Quad
	if t.Entity != "" {
		e, err := db.entityOf(ctx, cat, t.Entity)
		if err != nil {
			return nil, err
		}
		remove, err = db.entityQuads(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		return dedupe(remove), nil
	}
	rels, err := db.findRelations(ctx, cat, t)
	if err != nil {
		return nil, err
	}
	if n := countStatements(rels); n > 1 && !t.All {
		return nil, fmt.Errorf("%w: %s names %d relations: %s; pick one by its statement id or with KEY=VALUE qualifiers, or retract them all (--all; all: yes in a change file)",
			ErrAmbiguous, t, n, stmtList(rels))
	}
	for _, r := range rels {
		if r.stmt == nil {
			remove = append(remove, r.q)
			continue
		}
		qs, err := db.statementQuads(ctx, r.stmt)
		if err != nil {
			return nil, err
		}
		remove = append(remove, qs...)
	}
	return dedupe(remove), nil
}

// entityQuads: an entity's quads and its statements'. An entity that
// other relations name as a qualifier's value (the venue of a pact, a
// sector) is refused: retracting it would change those relations
// silently; they are amended or retracted first.
func (db *DB) entityQuads(ctx context.Context, id quad.Value) ([]quad.Quad, error) {
	var out []quad.Quad
	var users []string
	for _, d := range []quad.Direction{quad.Subject, quad.Object} {
		qs, err := db.quadsWith(ctx, d, id)
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			if d == quad.Object && q.Label == nil && strings.HasPrefix(iriOf(q.Predicate), QualPrefix) && strings.HasPrefix(iriOf(q.Subject), StmtPrefix) {
				users = append(users, fmt.Sprintf("%s (%s)", IDText(q.Subject), ShortQualifier(q.Predicate)))
				continue
			}
			out = append(out, q)
			if q.Label != nil && !IsAttribute(q.Predicate) {
				sq, err := db.statementQuads(ctx, q.Label)
				if err != nil {
					return nil, err
				}
				out = append(out, sq...)
			}
		}
	}
	if n := len(users); n > 0 {
		sort.Strings(users)
		more := ""
		if n > 10 {
			more = fmt.Sprintf(" and %d more", n-10)
			users = users[:10]
		}
		what := fmt.Sprintf("%d other relations", n)
		if n == 1 {
			what = "another relation"
		}
		return nil, fmt.Errorf("%s is the value of a qualifier of %s: %s%s; amend them (KEY=, to remove the qualifier) or retract them first",
			IDText(id), what, strings.Join(users, ", "), more)
	}
	return out, nil
}

func dedupe(qs []quad.Quad) []quad.Quad {
	seen := map[quad.Quad]bool{}
	out := qs[:0]
	for _, q := range qs {
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	return out
}

func (db *DB) writable() error {
	if err := db.usable(); err != nil {
		return err
	}
	if db.opts.ReadOnly || db.parent != nil {
		return ErrReadOnly
	}
	return nil
}

// commit writes one transaction; a change that changes nothing is an
// error, so that nothing is recorded for it.
func (db *DB) commit(ctx context.Context, adds, removes []quad.Quad, meta TxMeta) (Tx, error) {
	adds, removes = netChange(adds, removes)
	if len(adds) == 0 && len(removes) == 0 {
		return Tx{}, ErrNoChange
	}
	rec, err := db.qs.Commit(ctx, adds, removes, meta.TxOptions())
	if err != nil {
		return Tx{}, mapErr(err)
	}
	if rec.ID == 0 {
		return Tx{}, ErrNoChange
	}
	return TxOf(rec), nil
}

// netChange drops a quad both removed and added back (an amendment to
// the value a relation already has): it is no change.
func netChange(adds, removes []quad.Quad) (a, r []quad.Quad) {
	key := func(q quad.Quad) string { return q.NQuad() }
	added := map[string]bool{}
	for _, q := range adds {
		added[key(q)] = true
	}
	both := map[string]bool{}
	for _, q := range removes {
		if k := key(q); added[k] {
			both[k] = true
		} else {
			r = append(r, q)
		}
	}
	for _, q := range adds {
		if !both[key(q)] {
			a = append(a, q)
		}
	}
	return a, r
}

// ErrAmbiguous: a retraction or an amendment names several relations
// where it must name one.
var ErrAmbiguous = errors.New("graph: ambiguous")

// ErrNoChange: an amendment or a load that would change nothing.
var ErrNoChange = errors.New("graph: nothing to change: the store already holds it")

// Amendment is a change to a relation's qualifiers or an entity's names.
type Amendment struct {
	// Set gives qualifiers (relations: status, sector, basis, note,
	// valid_from, …) or attributes (entities: name, description, type) a
	// value; an empty value removes the qualifier.
	Set map[string]string
	// AddAlias and RemoveAlias change an entity's aliases.
	AddAlias, RemoveAlias []string
	// From dates a change of status in valid time: the relation keeps its
	// old status before From and has the new one from From on (dated
	// states), instead of the status being replaced outright.
	From string
}

// ParseAssignments reads KEY=VALUE, alias+=NAME and alias-=NAME words.
func ParseAssignments(words []string) (Amendment, error) {
	a := Amendment{Set: map[string]string{}}
	for _, w := range words {
		switch {
		case strings.Contains(w, "+="):
			k, v, _ := strings.Cut(w, "+=")
			if !strings.EqualFold(strings.TrimSpace(k), "alias") {
				return a, fmt.Errorf("%s: only alias takes += (add an alias)", w)
			}
			a.AddAlias = append(a.AddAlias, strings.TrimSpace(v))
		case strings.Contains(w, "-="):
			k, v, _ := strings.Cut(w, "-=")
			if !strings.EqualFold(strings.TrimSpace(k), "alias") {
				return a, fmt.Errorf("%s: only alias takes -= (remove an alias)", w)
			}
			a.RemoveAlias = append(a.RemoveAlias, strings.TrimSpace(v))
		case strings.Contains(w, "="):
			k, v, _ := strings.Cut(w, "=")
			a.Set[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		default:
			return a, fmt.Errorf("%q is not an assignment: write KEY=VALUE (status=existing), alias+=NAME or alias-=NAME", w)
		}
	}
	if len(a.Set) == 0 && len(a.AddAlias) == 0 && len(a.RemoveAlias) == 0 {
		return a, errors.New("nothing to amend: give KEY=VALUE (status=existing, sector=…, name=…), alias+=NAME or alias-=NAME")
	}
	return a, nil
}

// Amend changes what t names, as one transaction: a relation's qualifiers
// (t must name one statement) or an entity's name, aliases, description or
// type. The old values stay in the history.
func (db *DB) Amend(ctx context.Context, t Target, a Amendment, meta TxMeta) (Tx, error) {
	if err := db.writable(); err != nil {
		return Tx{}, err
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	cat, err := db.Catalog(ctx)
	if err != nil {
		return Tx{}, err
	}
	if meta.Kind == "" {
		meta.Kind = "amend"
	}
	adds, removes, err := db.planAmend(ctx, cat, t, a)
	if err != nil {
		return Tx{}, err
	}
	return db.commit(ctx, adds, removes, meta)
}

// planAmend: the quads an amendment adds and removes.
func (db *DB) planAmend(ctx context.Context, cat *Catalog, t Target, a Amendment) (adds, removes []quad.Quad, err error) {
	if t.Entity != "" {
		e, err := db.entityOf(ctx, cat, t.Entity)
		if err != nil {
			return nil, nil, err
		}
		return db.amendEntity(ctx, cat, e, a)
	}
	rels, err := db.findRelations(ctx, cat, t)
	if err != nil {
		return nil, nil, err
	}
	stmts := map[quad.Value]bool{}
	for _, r := range rels {
		if r.stmt == nil {
			return nil, nil, fmt.Errorf("the relation %s has no statement, so no qualifiers to amend (only relations loaded from the seed format, CSV or with a statement label carry them)", r.q.NQuad())
		}
		stmts[r.stmt] = true
	}
	if len(stmts) > 1 {
		return nil, nil, fmt.Errorf("%w: %s names %d relations: %s; pick one by its statement id or by its qualifiers (--where KEY=VALUE; where: in a change file)",
			ErrAmbiguous, t, len(stmts), stmtList(rels))
	}
	return db.amendStatement(ctx, cat, rels[0].stmt, a)
}

// Edit is one change a load states beside its additions (a seed file's
// retract and amend blocks, a CSV row's action): a retraction of Target,
// or an amendment of it. File and Line say where it is stated, for
// errors.
type Edit struct {
	Retract bool
	Target  Target
	Amend   Amendment
	Reason  string
	File    string
	Line    int
}

// Finished is what a load's LoadOptions.Finish adds to it.
type Finished = quadstore.Finished

// FinishEdits returns a LoadOptions.Finish that plans the edits edits()
// lists once a load's input is stored, so that they are part of its one
// transaction, and puts their reasons in its message (after meta's own).
func (db *DB) FinishEdits(edits func() []Edit, meta TxMeta) func(context.Context) (Finished, error) {
	return func(ctx context.Context) (Finished, error) {
		es := edits()
		if len(es) == 0 {
			return Finished{}, nil
		}
		adds, removes, err := db.PlanEdits(ctx, es)
		if err != nil {
			return Finished{}, err
		}
		var reasons []string
		seen := map[string]bool{}
		for _, e := range es {
			if e.Reason != "" && !seen[e.Reason] {
				seen[e.Reason] = true
				reasons = append(reasons, e.Reason)
			}
		}
		if len(reasons) > 0 {
			if meta.Message == "" {
				meta.Message = strings.Join(reasons, "; ")
			} else {
				meta.Message += " — " + strings.Join(reasons, "; ")
			}
		}
		return Finished{Adds: adds, Removes: removes, Meta: meta.TxOptions().Meta}, nil
	}
}

func (e Edit) String() string {
	if e.Retract {
		return "retract " + e.Target.String()
	}
	return "amend " + e.Target.String()
}

// PlanEdits works out what edits add and remove, against the store as
// it is (a load calls it once its own additions are stored, through
// LoadOptions.Finish, so that the whole load is one transaction). Two
// edits of the same relation or entity are an error: state one.
func (db *DB) PlanEdits(ctx context.Context, edits []Edit) (adds, removes []quad.Quad, err error) {
	if len(edits) == 0 {
		return nil, nil, nil
	}
	cat, err := db.Catalog(ctx)
	if err != nil {
		return nil, nil, err
	}
	touched := map[quad.Value]string{} // a statement or an entity -> the edit that changed it
	for _, e := range edits {
		var ad, rm []quad.Quad
		if e.Retract {
			rm, err = db.planRetract(ctx, cat, e.Target)
		} else {
			ad, rm, err = db.planAmend(ctx, cat, e.Target, e.Amend)
		}
		if err != nil {
			return nil, nil, editError(e, err)
		}
		mine := map[quad.Value]bool{}
		for _, q := range append(append([]quad.Quad(nil), ad...), rm...) {
			k := q.Subject
			if q.Label != nil {
				k = q.Label
			}
			mine[k] = true
		}
		for k := range mine {
			if other, ok := touched[k]; ok {
				return nil, nil, editError(e, fmt.Errorf("%s is changed by %s too; state one change", IDText(k), other))
			}
			where := e.String()
			if e.File != "" {
				where = fmt.Sprintf("%s:%d", e.File, e.Line)
			}
			touched[k] = where
		}
		adds, removes = append(adds, ad...), append(removes, rm...)
	}
	adds, removes = netChange(adds, removes)
	return adds, removes, nil
}

// EditError is an edit that cannot be planned, and why.
type EditError struct {
	Edit Edit
	Err  error
}

func (e *EditError) Error() string {
	if e.Edit.File == "" {
		return fmt.Sprintf("%s: %v", e.Edit, e.Err)
	}
	return fmt.Sprintf("%s:%d: %s: %v", e.Edit.File, e.Edit.Line, e.Edit, e.Err)
}

func (e *EditError) Unwrap() error { return e.Err }

func editError(e Edit, err error) error { return &EditError{Edit: e, Err: err} }

func (db *DB) amendStatement(ctx context.Context, cat *Catalog, stmt quad.Value, a Amendment) (adds, removes []quad.Quad, err error) {
	if len(a.AddAlias) > 0 || len(a.RemoveAlias) > 0 {
		return nil, nil, errors.New("aliases belong to entities, not relations")
	}
	own, err := db.quadsWith(ctx, quad.Subject, stmt)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range sortedKeys(a.Set) {
		v := a.Set[k]
		ql, ok := LookupQualifier(k)
		if !ok {
			msg := fmt.Sprintf("%s is not a qualifier (they are %s)", k, strings.Join(QualifierNames(), ", "))
			if sugg := Suggest(k, QualifierNames()); len(sugg) > 0 {
				msg = fmt.Sprintf("%s is not a qualifier (did you mean %s?)", k, strings.Join(sugg, ", "))
			}
			return nil, nil, errors.New(msg)
		}
		pred := ql.IRI()
		var old []quad.Quad
		for _, q := range own {
			if q.Predicate == pred {
				old = append(old, q)
			}
		}
		var val quad.Value
		if v != "" {
			if val, err = qualifierValue(ctx, db, cat, ql, v); err != nil {
				return nil, nil, err
			}
		}
		if ql.Name == "status" && a.From != "" {
			from, err := ParseDate(a.From)
			if err != nil {
				return nil, nil, fmt.Errorf("--from %s: %v", a.From, err)
			}
			if v == "" {
				return nil, nil, errors.New("a dated change of status needs the new status")
			}
			ad, rm, err := db.datedStatus(ctx, stmt, own, old, val, from)
			if err != nil {
				return nil, nil, err
			}
			adds, removes = append(adds, ad...), append(removes, rm...)
			continue
		}
		if ql.Name == "status" && !(len(old) == 1 && val != nil && old[0].Object == val) {
			for _, q := range own {
				if q.Predicate == PredState {
					return nil, nil, errors.New("the relation's status has dated states (see its states): give the date the new status holds from (--from DATE, or from: in a change file)")
				}
			}
		}
		removes = append(removes, old...)
		if val != nil {
			adds = append(adds, quad.Quad{Subject: stmt, Predicate: pred, Object: val})
		}
	}
	if a.From != "" {
		if _, ok := a.Set["status"]; !ok {
			return nil, nil, errors.New("--from dates a change of status: give status=…")
		}
	}
	return adds, removes, validSpan(own, adds, removes)
}

// validSpan checks valid_from is not after valid_until once amended.
func validSpan(own, adds, removes []quad.Quad) error {
	final := map[quad.Value]string{}
	gone := map[quad.Quad]bool{}
	for _, q := range removes {
		gone[q] = true
	}
	for _, q := range append(append([]quad.Quad(nil), own...), adds...) {
		if !gone[q] && (q.Predicate == predValidFrom || q.Predicate == predValidUntil) {
			final[q.Predicate] = quad.ToString(q.Object)
		}
	}
	f, u := final[predValidFrom], final[predValidUntil]
	if f == "" || u == "" {
		return nil
	}
	df, err1 := ParseDate(f)
	du, err2 := ParseDate(u)
	if err1 == nil && err2 == nil && df.First().After(du.Last()) {
		return fmt.Errorf("valid_from %s is after valid_until %s", f, u)
	}
	return nil
}

// datedStatus records a change of status from a date as dated states of
// the statement; its q:status becomes the status that holds today, the
// state with the latest date not after today. A date after today is
// refused: the present status could not follow it.
func (db *DB) datedStatus(ctx context.Context, stmt quad.Value, own, old []quad.Quad, status quad.Value, from Date) (adds, removes []quad.Quad, err error) {
	today := time.Now().UTC()
	if from.First().After(today) {
		return nil, nil, fmt.Errorf("--from %s is after today: record a change of status once it has happened (a relation that is yet to begin takes valid_from)", from)
	}
	stmtIRI := IDText(stmt)
	// The states so far: their dates and statuses.
	type state struct {
		from   string
		status quad.Value
	}
	states := map[quad.Value]*state{}
	for _, q := range own {
		if q.Predicate != PredState {
			continue
		}
		st := &state{}
		sq, err := db.quadsWith(ctx, quad.Subject, q.Object)
		if err != nil {
			return nil, nil, err
		}
		for _, x := range sq {
			switch x.Predicate {
			case predStatus:
				st.status = x.Object
			case predValidFrom:
				st.from = quad.ToString(x.Object)
			}
		}
		states[q.Object] = st
	}
	if len(states) == 0 {
		// The status so far becomes the first state, from the relation's
		// own start (if it has one).
		prev := quad.Value(quad.String("existing"))
		if len(old) > 0 {
			prev = old[0].Object
		}
		first := quad.IRI(stmtIRI + "/state/0")
		st := &state{status: prev}
		adds = append(adds,
			quad.Quad{Subject: stmt, Predicate: PredState, Object: first},
			quad.Quad{Subject: first, Predicate: predStatus, Object: prev})
		for _, q := range own {
			if q.Predicate == predValidFrom {
				adds = append(adds, quad.Quad{Subject: first, Predicate: predValidFrom, Object: q.Object})
				st.from = quad.ToString(q.Object)
			}
		}
		states[first] = st
	}
	node := quad.IRI(stmtIRI + "/state/" + from.String())
	existing, err := db.quadsWith(ctx, quad.Subject, node)
	if err != nil {
		return nil, nil, err
	}
	removes = append(removes, existing...)
	adds = append(adds,
		quad.Quad{Subject: stmt, Predicate: PredState, Object: node},
		quad.Quad{Subject: node, Predicate: predStatus, Object: status},
		quad.Quad{Subject: node, Predicate: predValidFrom, Object: quad.String(from.String())})
	states[node] = &state{from: from.String(), status: status}
	// The present status: the state of the latest date (none: the first).
	var present *state
	var presentFrom time.Time
	for _, st := range states {
		t := time.Time{}
		if st.from != "" {
			d, err := ParseDate(st.from)
			if err != nil || d.First().After(today) {
				continue
			}
			t = d.First()
		}
		if present == nil || t.After(presentFrom) {
			present, presentFrom = st, t
		}
	}
	if present != nil && present.status != nil {
		removes = append(removes, old...)
		adds = append(adds, quad.Quad{Subject: stmt, Predicate: predStatus, Object: present.status})
	}
	return adds, removes, nil
}

func qualifierValue(ctx context.Context, db *DB, cat *Catalog, ql *Qualifier, v string) (quad.Value, error) {
	if ql.Values != nil {
		for _, ok := range ql.Values {
			if strings.EqualFold(ok, v) {
				return quad.String(ok), nil
			}
		}
		msg := fmt.Sprintf("%s=%s: %s is one of %s", ql.Name, v, ql.Name, strings.Join(ql.Values, ", "))
		if sugg := Suggest(v, ql.Values); len(sugg) > 0 {
			msg += " (did you mean " + strings.Join(sugg, ", ") + "?)"
		}
		return nil, errors.New(msg)
	}
	if ql.Entity != "" {
		e, err := db.entityOf(ctx, cat, v)
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %w", ql.Name, v, err)
		}
		if !Allows([]string{ql.Entity}, e.Type()) {
			return nil, fmt.Errorf("%s=%s: a %s names a %s entity; %s is a %s", ql.Name, v, ql.Name, ql.Entity, e.Label(), e.Type())
		}
		return e.ID, nil
	}
	if ql.Name == "valid_from" || ql.Name == "valid_until" {
		if _, err := ParseDate(v); err != nil {
			return nil, fmt.Errorf("%s=%s: %v", ql.Name, v, err)
		}
	}
	return quad.String(v), nil
}

func (db *DB) amendEntity(ctx context.Context, cat *Catalog, e *Entity, a Amendment) (adds, removes []quad.Quad, err error) {
	own, err := db.quadsWith(ctx, quad.Subject, e.ID)
	if err != nil {
		return nil, nil, err
	}
	if a.From != "" {
		return nil, nil, errors.New("--from dates a change of a relation's status, not of an entity")
	}
	replace := func(pred quad.IRI, test func(quad.Value) bool, val quad.Value) {
		for _, q := range own {
			if test(q.Predicate) {
				removes = append(removes, q)
			}
		}
		if val != nil {
			adds = append(adds, quad.Quad{Subject: e.ID, Predicate: pred, Object: val})
		}
	}
	for _, k := range sortedKeys(a.Set) {
		v := a.Set[k]
		switch k {
		case "name":
			if v == "" {
				return nil, nil, errors.New("an entity keeps a name: give name=NEW")
			}
			if other := cat.Lookup(v); len(other) > 0 && other[0] != e {
				return nil, nil, fmt.Errorf("name=%s: %s already has that name or alias", v, IDText(other[0].ID))
			}
			replace(PredName, IsNamePredicate, quad.String(v))
		case "description":
			var val quad.Value
			if v != "" {
				val = quad.String(v)
			}
			replace(PredDescription, func(p quad.Value) bool { return p == PredDescription }, val)
		case "type":
			t, ok := LookupType(v)
			if !ok {
				return nil, nil, fmt.Errorf("type=%s: no such type (did you mean %s?)", v, strings.Join(Suggest(v, TypeNames()), ", "))
			}
			replace(PredType, IsTypePredicate, quad.IRI(TypePrefix+t.Name))
		default:
			return nil, nil, fmt.Errorf("%s: an entity's name, description, type or aliases (alias+=, alias-=) can be amended", k)
		}
	}
	for _, al := range a.AddAlias {
		if other := cat.Lookup(al); len(other) > 0 && other[0] != e {
			return nil, nil, fmt.Errorf("alias+=%s: %s already has that name or alias", al, IDText(other[0].ID))
		}
		adds = append(adds, quad.Quad{Subject: e.ID, Predicate: PredAlias, Object: quad.String(al)})
	}
	for _, al := range a.RemoveAlias {
		found := false
		for _, q := range own {
			if IsAliasPredicate(q.Predicate) && strings.EqualFold(quad.ToString(q.Object), al) {
				removes = append(removes, q)
				found = true
			}
		}
		if !found {
			return nil, nil, fmt.Errorf("alias-=%s: %s has no such alias (its aliases: %s)", al, e.Label(), strings.Join(e.Aliases, ", "))
		}
	}
	return adds, removes, nil
}

// MaxReplaceQuads bounds a replacing load, which holds its input in
// memory to compare it with the store.
const MaxReplaceQuads = 1_000_000

// Replace loads quads as one transaction in which what they say replaces
// what the store says: for each subject and attribute predicate (a name,
// a qualifier, evidence — not a relation) the input gives, the stored
// values it lacks are removed, and a statement the input places between
// other nodes (another subject, kind or object) moves. Quads already
// stored stay; nothing else changes.
func (db *DB) Replace(ctx context.Context, r quad.Reader, meta TxMeta) (Tx, error) {
	if err := db.writable(); err != nil {
		return Tx{}, err
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	var in []quad.Quad
	for {
		q, err := r.ReadQuad()
		if err == io.EOF {
			break
		} else if err != nil {
			return Tx{}, err
		}
		if !q.IsValid() {
			return Tx{}, fmt.Errorf("graph: invalid quad %v", q)
		}
		if len(in) >= MaxReplaceQuads {
			return Tx{}, fmt.Errorf("a replacing load holds at most %d statements; split the input", MaxReplaceQuads)
		}
		in = append(in, q)
		if len(in)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return Tx{}, err
			}
		}
	}
	have := map[quad.Quad]bool{}
	for _, q := range in {
		have[q] = true
	}
	type sp struct{ s, p quad.Value }
	given := map[sp]bool{}
	labels := map[quad.Value]bool{}
	for _, q := range in {
		if IsAttribute(q.Predicate) || IsLiteral(q.Object) {
			given[sp{q.Subject, q.Predicate}] = true
		} else if q.Label != nil {
			labels[q.Label] = true
		}
	}
	var removes []quad.Quad
	subjects := map[quad.Value]bool{}
	for k := range given {
		subjects[k.s] = true
	}
	for s := range subjects {
		qs, err := db.quadsWith(ctx, quad.Subject, s)
		if err != nil {
			return Tx{}, err
		}
		for _, q := range qs {
			if given[sp{q.Subject, q.Predicate}] && !have[q] {
				removes = append(removes, q)
			}
		}
	}
	for l := range labels {
		qs, err := db.quadsWith(ctx, quad.Label, l)
		if err != nil {
			return Tx{}, err
		}
		for _, q := range qs {
			if !have[q] && !IsAttribute(q.Predicate) {
				removes = append(removes, q)
			}
		}
	}
	if meta.Kind == "" {
		meta.Kind = "replace"
	}
	return db.commit(ctx, in, removes, meta)
}
