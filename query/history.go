package query

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query/syntax"
)

// timed evaluates a statement in time: on the store as of a transaction
// and/or as it held in the world during a period.
func (ev *evaluator) timed(s *syntax.Timed) (*Result, error) {
	switch s.Stmt.(type) {
	case *syntax.History, *syntax.Changes:
		if s.From != "" {
			return nil, ev.errAt(s.ValidAt, ErrInvalid, "%s lists changes to the store; at and during ask about the world (give them to another statement), as of bounds it", strings.Fields(s.Stmt.String())[0])
		}
	}
	db := ev.db
	var notes []string
	if s.AsOf != "" {
		tx, err := db.ResolveTx(ev.ctx, s.AsOf)
		if err != nil {
			if errors.Is(err, graph.ErrNoTx) {
				return nil, ev.errAt(s.AsOfAt, ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "graph: "))
			}
			var e *Error
			if !errors.As(err, &e) && !errors.Is(err, graph.ErrClosed) {
				return nil, ev.errAt(s.AsOfAt, ErrInvalid, "%s", err.Error())
			}
			return nil, err
		}
		if tx.ID == 0 {
			if _, ok := s.Stmt.(*syntax.Changes); !ok {
				first := "it has no transactions"
				if log, err := db.Log(ev.ctx); err == nil && len(log) > 0 {
					first = "its first transaction, " + describeTx(log[len(log)-1]) + ", came later"
				}
				return nil, ev.errAt(s.AsOfAt, ErrInvalid, "as of %s the store held nothing: %s", s.AsOf, first)
			}
		}
		if db, err = db.AsOf(ev.ctx, tx.ID); err != nil {
			return nil, err
		}
		if tx.ID != 0 {
			notes = append(notes, fmt.Sprintf("as of %s: the store after %s", s.AsOf, describeTx(tx)))
		}
	}
	if s.From != "" {
		from, err := graph.ParseDate(s.From)
		if err != nil {
			return nil, ev.errAt(s.ValidAt, ErrInvalid, "%s: %v", s.From, err)
		}
		until, err := graph.ParseDate(s.Until)
		if err != nil {
			return nil, ev.errAt(s.ValidAt, ErrInvalid, "%s: %v", s.Until, err)
		}
		if until.Last().Before(from.First()) {
			return nil, ev.errAt(s.ValidAt, ErrInvalid, "the period ends (%s) before it begins (%s)", s.Until, s.From)
		}
		p := graph.Period{From: from, Until: until}
		if db, err = db.At(ev.ctx, p); err != nil {
			return nil, err
		}
		word := "at " + p.String()
		if s.During {
			word = "during " + p.String()
		}
		notes = append(notes, word+": relations and entities whose valid_from/valid_until exclude it are left out; dated statuses as they stood then")
	}
	res, err := Eval(ev.ctx, db, s.Stmt, ev.src, &ev.opts)
	if err != nil {
		return nil, err
	}
	res.Notes = append(notes, res.Notes...)
	return res, nil
}

func describeTx(tx graph.Tx) string {
	s := fmt.Sprintf("%s (%s", tx.Name(), tx.Time.UTC().Format(time.RFC3339))
	if tx.Author != "" {
		s += ", " + tx.Author
	}
	if tx.Message != "" {
		s += ": " + tx.Message
	}
	return s + ")"
}

// historyColumns are the columns of history and changes.
var historyColumns = []string{"tx", "time", "author", "change", "subject", "kind", "object", "detail", "reason"}

// history answers `history NAME`: every change to an entity or a
// statement.
func (ev *evaluator) history(s *syntax.History) (*Result, error) {
	changes, err := ev.db.Changes(ev.ctx, 0, 0)
	if err != nil {
		return nil, err
	}
	var match func(q quad.Quad) bool
	var seed quad.Value
	target := s.Target
	if strings.HasPrefix(target, graph.StmtPrefix) {
		stmt := quad.IRI(target)
		found := false
		for _, c := range changes {
			if c.Quad.Label == stmt || c.Quad.Subject == stmt {
				found = true
				break
			}
		}
		if !found {
			// Added by the first load, and not changed since?
			ref, _ := ev.qs.ValueOf(stmt)
			found = ref != nil
		}
		if !found {
			return nil, ev.errAt(s.TargetAt, ErrUnknown, "no statement %s in the store's history", target)
		}
		seed = stmt
		match = func(q quad.Quad) bool { return q.Label == stmt || q.Subject == stmt || isPartOf(q.Subject, stmt) }
	} else {
		id, err := ev.historyEntity(s, changes)
		if err != nil {
			return nil, err
		}
		seed = id
		stmts := map[quad.Value]bool{}
		// The statements of its relations, stored now or once.
		for _, d := range []quad.Direction{quad.Subject, quad.Object} {
			ref, _ := ev.qs.ValueOf(id)
			if ref == nil {
				break
			}
			it := ev.qs.QuadIterator(d, ref).Iterate()
			for it.Next(ev.ctx) {
				if q, err := ev.qs.Quad(it.Result()); err == nil && q.Label != nil && !graph.IsAttribute(q.Predicate) {
					stmts[q.Label] = true
				}
			}
			it.Close()
		}
		for _, c := range changes {
			if c.Quad.Label != nil && (c.Quad.Subject == id || c.Quad.Object == id) && !graph.IsAttribute(c.Quad.Predicate) {
				stmts[c.Quad.Label] = true
			}
		}
		match = func(q quad.Quad) bool {
			return q.Subject == id || q.Object == id || stmts[q.Label] || stmts[q.Subject] || partOfAny(q.Subject, stmts)
		}
	}
	kept, err := ev.implicitChanges(seed, match, changes)
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		if match(c.Quad) {
			kept = append(kept, c)
		}
	}
	// One order whatever the store's ids: a history export loaded
	// elsewhere answers the same.
	sort.SliceStable(kept, func(i, j int) bool {
		if kept[i].Tx.ID != kept[j].Tx.ID {
			return kept[i].Tx.ID < kept[j].Tx.ID
		}
		if kept[i].Added != kept[j].Added {
			return !kept[i].Added
		}
		return kept[i].Quad.String() < kept[j].Quad.String()
	})
	res, err := ev.changeRows(kept, "history")
	if err != nil {
		return nil, err
	}
	if len(res.Rows) == 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("no change in the store's history touches %s", target))
	}
	return res, nil
}

// implicitChanges: what the first load, an implicit transaction whose
// quads are not recorded one by one, added that match picks. A quad was
// there after it if no later transaction touched it and it is there now,
// or if the first later change to it removed it; the present store is
// read through its indexes from seed (the entity or the statement asked
// about): its quads, its relations' statements, their qualifiers,
// evidence and states.
func (ev *evaluator) implicitChanges(seed quad.Value, match func(quad.Quad) bool, changes []graph.Change) ([]graph.Change, error) {
	log, err := ev.db.Log(ev.ctx)
	if err != nil || len(log) == 0 || !log[len(log)-1].Implicit {
		return nil, err
	}
	first := log[len(log)-1]
	// The first later change to each quad: true if it added the quad.
	firstAdded := map[quad.Quad]bool{}
	for _, c := range changes {
		if _, ok := firstAdded[c.Quad]; !ok {
			firstAdded[c.Quad] = c.Added
		}
	}
	seen := map[quad.Quad]bool{}
	var out []graph.Change
	keep := func(q quad.Quad) {
		if !seen[q] && match(q) {
			seen[q] = true
			out = append(out, graph.Change{Tx: first, Added: true, Quad: q})
		}
	}
	qs := ev.qs
	visited := map[quad.Value]bool{}
	var visit func(n quad.Value, dirs ...quad.Direction) error
	visit = func(n quad.Value, dirs ...quad.Direction) error {
		ref, err := qs.ValueOf(n)
		if err != nil || ref == nil {
			return err
		}
		var next []quad.Value
		for _, d := range dirs {
			it := qs.QuadIterator(d, ref).Iterate()
			for it.Next(ev.ctx) {
				q, err := qs.Quad(it.Result())
				if err != nil {
					it.Close()
					return err
				}
				if added, changed := firstAdded[q]; !changed || !added {
					keep(q)
				}
				// A relation's statement, a statement's evidence and states.
				if q.Label != nil && !graph.IsAttribute(q.Predicate) && !visited[q.Label] {
					next = append(next, q.Label)
				}
				if ni, ok := n.(quad.IRI); ok && d == quad.Subject && strings.HasPrefix(string(ni), graph.StmtPrefix) &&
					isPartOf(q.Object, n) && !visited[q.Object] {
					next = append(next, q.Object)
				}
			}
			err := it.Err()
			it.Close()
			if err != nil {
				return err
			}
		}
		for _, m := range next {
			if visited[m] {
				continue
			}
			visited[m] = true
			if err := visit(m, quad.Subject, quad.Label); err != nil {
				return err
			}
		}
		return nil
	}
	visited[seed] = true
	if err := visit(seed, quad.Subject, quad.Object, quad.Label); err != nil {
		return nil, err
	}
	// What a later transaction removed first was there after the first.
	for q, added := range firstAdded {
		if !added {
			keep(q)
		}
	}
	return out, nil
}

// historyEntity resolves the entity of a history statement, in the
// present store or, for one since retracted, in its history.
func (ev *evaluator) historyEntity(s *syntax.History, changes []graph.Change) (quad.Value, error) {
	// The fast path, as for the other statements: the exact text as the
	// name or alias of one entity.
	if found, err := ev.exactName(s.Target); err != nil {
		return nil, err
	} else if len(found) == 1 {
		return found[0].id, nil
	}
	if err := ev.entities(); err != nil {
		return nil, err
	}
	es, err := ev.lookup(s.Target)
	if err != nil {
		return nil, err
	}
	if len(es) == 1 {
		return es[0].ID, nil
	} else if len(es) > 1 {
		return nil, ev.errAt(s.TargetAt, ErrAmbiguous, "%q names %d entities; use an id", s.Target, len(es))
	}
	if e, err := ev.entityOf(quad.IRI(s.Target)); err != nil {
		return nil, err
	} else if e != nil {
		return e.ID, nil
	}
	// Retracted: a name or alias some change removed.
	for i := len(changes) - 1; i >= 0; i-- {
		q := changes[i].Quad
		if (graph.IsNamePredicate(q.Predicate) || graph.IsAliasPredicate(q.Predicate)) && strings.EqualFold(quad.ToString(q.Object), s.Target) {
			return q.Subject, nil
		}
		if graph.IDText(q.Subject) == s.Target {
			return q.Subject, nil
		}
	}
	n := &syntax.Name{At: s.TargetAt, Text: s.Target, Quoted: true}
	_, err = ev.entity(n)
	if err == nil {
		err = ev.errAt(s.TargetAt, ErrUnknown, "unknown entity %q", s.Target)
	}
	return nil, err
}

// isPartOf: a node minted under a statement (its dated states,
// stmt:…/state/…) or its evidence (ev:…).
func isPartOf(v, stmt quad.Value) bool {
	s, ok := v.(quad.IRI)
	if !ok {
		return false
	}
	st := string(stmt.(quad.IRI))
	return strings.HasPrefix(string(s), st+"/") ||
		strings.HasPrefix(string(s), graph.EvidencePrefix+strings.TrimPrefix(st, graph.StmtPrefix)+"/")
}

func partOfAny(v quad.Value, stmts map[quad.Value]bool) bool {
	s, ok := v.(quad.IRI)
	if !ok {
		return false
	}
	str := string(s)
	var base string
	switch {
	case strings.HasPrefix(str, graph.StmtPrefix):
		if i := strings.LastIndex(str, "/state/"); i > 0 {
			base = str[:i]
		}
	case strings.HasPrefix(str, graph.EvidencePrefix):
		if i := strings.LastIndex(str, "/"); i > 0 {
			base = graph.StmtPrefix + str[len(graph.EvidencePrefix):i]
		}
	}
	return base != "" && stmts[quad.IRI(base)]
}

// changes answers `changes since POINT`.
func (ev *evaluator) changes(s *syntax.Changes) (*Result, error) {
	tx, err := ev.db.ResolveTx(ev.ctx, s.Since)
	if err != nil {
		if errors.Is(err, graph.ErrNoTx) {
			return nil, ev.errAt(s.SinceAt, ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "graph: "))
		}
		if errors.Is(err, graph.ErrClosed) {
			return nil, err
		}
		return nil, ev.errAt(s.SinceAt, ErrInvalid, "%s", err.Error())
	}
	changes, err := ev.db.Changes(ev.ctx, tx.ID, 0)
	if err != nil {
		return nil, err
	}
	res, err := ev.changeRows(changes, "changes")
	if err != nil {
		return nil, err
	}
	if tx.ID > 0 {
		res.Notes = append(res.Notes, "since "+describeTx(tx))
	} else {
		res.Notes = append(res.Notes, "since before the store's first transaction")
	}
	if log, err := ev.db.Log(ev.ctx); err == nil && len(log) > 0 {
		if first := log[len(log)-1]; first.Implicit && first.ID > tx.ID {
			res.Notes = append(res.Notes, fmt.Sprintf("%s, the first load into the empty store, added %d quads at once: they are not listed one by one (history NAME lists an entity's)", first.Name(), first.Added))
		}
	}
	if len(res.Rows) == 0 {
		res.Notes = append(res.Notes, "no changes since "+s.Since)
	}
	return res, nil
}

// changeRows turns changes into rows a person reads: a relation added or
// retracted (its statement's bookkeeping folded in), a qualifier or an
// entity's attribute set, changed or unset, a dated status. A transaction
// that adds quads wholesale (a load) shows each relation it added.
func (ev *evaluator) changeRows(changes []graph.Change, kind string) (*Result, error) {
	res := &Result{Kind: kind, Columns: historyColumns}
	// Names of nodes, also of ones since retracted, from the changes.
	names := map[quad.Value]string{}
	nodes := map[quad.Value]bool{}
	for _, c := range changes {
		if graph.IsNamePredicate(c.Quad.Predicate) {
			names[c.Quad.Subject] = quad.ToString(c.Quad.Object)
		}
		nodes[c.Quad.Subject], nodes[c.Quad.Object] = true, true
	}
	// An entity's label as the catalog gives it: from the catalog when
	// the nodes are many, else by reading each (entities).
	if len(nodes) > catalogLabelMin {
		if _, err := ev.catalog(); err != nil {
			return nil, err
		}
	} else if err := ev.entities(); err != nil {
		return nil, err
	}
	var lerr error
	label := func(v quad.Value) string {
		if !graph.IsLiteral(v) {
			e, err := ev.entityOf(v)
			if err != nil && lerr == nil {
				lerr = err
			}
			if e != nil {
				return e.Label()
			}
		}
		if n, ok := names[v]; ok {
			return n
		}
		if graph.IsLiteral(v) {
			return quad.ToString(v)
		}
		return graph.ShortName(v)
	}
	// Per transaction: the statements added or removed whole (their
	// relation quad is among the changes), whose own quads fold in.
	type key struct {
		tx   uint64
		subj quad.Value
		pred quad.Value
	}
	whole := map[uint64]map[quad.Value]bool{}
	for _, c := range changes {
		q := c.Quad
		if q.Label != nil && !graph.IsAttribute(q.Predicate) && !graph.IsLiteral(q.Object) {
			if whole[c.Tx.ID] == nil {
				whole[c.Tx.ID] = map[quad.Value]bool{}
			}
			whole[c.Tx.ID][q.Label] = true
		}
	}
	// Qualifier and attribute changes pair up: old and new value.
	type pair struct {
		tx       graph.Tx
		old, new []string
		subj     quad.Value
		pred     quad.Value
	}
	pairs := map[key]*pair{}
	var order []key
	row := func(tx graph.Tx, change, subj, kind, obj, detail string) {
		res.Rows = append(res.Rows, []Value{tx.Name(), tx.Time.UTC().Format(time.RFC3339), tx.Author, change, subj, kind, obj, detail, tx.Message})
	}
	for _, c := range changes {
		q := c.Quad
		w := whole[c.Tx.ID]
		switch {
		case q.Label != nil && !graph.IsAttribute(q.Predicate) && !graph.IsLiteral(q.Object),
			q.Label == nil && !graph.IsAttribute(q.Predicate) && !graph.IsLiteral(q.Object) && !isBookkeeping(q):
			change := "retracted"
			if c.Added {
				change = "added"
			}
			detail := ""
			if q.Label != nil {
				detail = graph.IDText(q.Label)
			}
			row(c.Tx, change, label(q.Subject), graph.ShortName(q.Predicate), label(q.Object), detail)
		case w[q.Subject] || partOfAny(q.Subject, w) || isBookkeeping(q):
			// folded into its statement's row
		case q.Predicate == graph.PredState:
			// the state's own quads say it
		default:
			k := key{c.Tx.ID, q.Subject, q.Predicate}
			p := pairs[k]
			if p == nil {
				p = &pair{tx: c.Tx, subj: q.Subject, pred: q.Predicate}
				pairs[k] = p
				order = append(order, k)
			}
			if c.Added {
				p.new = append(p.new, label(q.Object))
			} else {
				p.old = append(p.old, label(q.Object))
			}
		}
	}
	// The relation each statement of the changes stands for, also once
	// retracted: its relation quad among the changes.
	rels := map[quad.Value]quad.Quad{}
	for _, c := range changes {
		if q := c.Quad; q.Label != nil && !graph.IsAttribute(q.Predicate) && !graph.IsLiteral(q.Object) {
			rels[q.Label] = q
		}
	}
	relOf := func(stmt quad.Value) (quad.Quad, bool) { q, ok := rels[stmt]; return q, ok }
	for _, k := range order {
		p := pairs[k]
		what := graph.ShortQualifier(p.pred)
		if !strings.HasPrefix(graph.IDText(p.pred), graph.QualPrefix) {
			what = attributeName(p.pred)
		}
		var change, detail string
		switch {
		case len(p.old) == 0:
			change, detail = "set", what+": "+strings.Join(p.new, ", ")
		case len(p.new) == 0:
			change, detail = "unset", what+": "+strings.Join(p.old, ", ")
		default:
			change, detail = "amended", what+": "+strings.Join(p.old, ", ")+" → "+strings.Join(p.new, ", ")
		}
		subj, kind, obj := ev.describeSubject(p.subj, label, relOf)
		if id := graph.IDText(p.subj); strings.Contains(id, "/state/") {
			// A dated state: its status row says it, with its date; the
			// first state keeps the status from before.
			if strings.HasSuffix(id, "/state/0") || what != "status" {
				continue
			}
			change = "dated"
			if from := stateFrom(changes, p.tx.ID, p.subj); from != "" {
				detail += " from " + from
			}
		}
		row(p.tx, change, subj, kind, obj, detail)
	}
	if lerr != nil {
		return nil, lerr
	}
	// Rows in transaction order, stable within one.
	sort.SliceStable(res.Rows, func(i, j int) bool {
		return txNum(res.Rows[i][0].(string)) < txNum(res.Rows[j][0].(string))
	})
	if lim := ev.opts.Limit; len(res.Rows) > lim {
		res.Capped = true
		res.Note = fmt.Sprintf("showing the first %d of %d changes (limit %d)", lim, len(res.Rows), lim)
		res.Rows = res.Rows[:lim]
	}
	return res, nil
}

// catalogLabelMin is from how many nodes the changes' labels come from
// the catalog (a variable for tests).
var catalogLabelMin = 2000

func txNum(s string) uint64 {
	var n uint64
	fmt.Sscanf(strings.TrimPrefix(s, "tx:"), "%d", &n)
	return n
}

func stateFrom(changes []graph.Change, tx uint64, state quad.Value) string {
	for _, c := range changes {
		if c.Tx.ID == tx && c.Added && c.Quad.Subject == state && graph.ShortQualifier(c.Quad.Predicate) == "valid_from" {
			return quad.ToString(c.Quad.Object)
		}
	}
	return ""
}

// describeSubject: the relation a statement (or one of its states) stands
// for, or an entity.
func (ev *evaluator) describeSubject(v quad.Value, label func(quad.Value) string, relOf func(quad.Value) (quad.Quad, bool)) (subj, kind, obj string) {
	s := graph.IDText(v)
	if i := strings.Index(s, "/state/"); i > 0 && strings.HasPrefix(s, graph.StmtPrefix) {
		v = quad.IRI(s[:i])
	}
	if strings.HasPrefix(graph.IDText(v), graph.StmtPrefix) {
		qs, _ := ev.db.QuadStore().ValueOf(v)
		if qs != nil {
			it := ev.qs.QuadIterator(quad.Label, qs).Iterate()
			defer it.Close()
			if it.Next(ev.ctx) {
				if q, err := ev.qs.Quad(it.Result()); err == nil {
					return label(q.Subject), graph.ShortName(q.Predicate), label(q.Object)
				}
			}
		}
		if q, ok := relOf(v); ok {
			return label(q.Subject), graph.ShortName(q.Predicate), label(q.Object)
		}
		return graph.IDText(v), "", ""
	}
	return label(v), "", ""
}

// isBookkeeping: the statement model's own quads (a statement's type and
// reification, its evidence links and their attributes).
func isBookkeeping(q quad.Quad) bool {
	switch q.Predicate {
	case graph.PredSubject, graph.PredPredicate, graph.PredObject, graph.PredEvidence,
		graph.PredSource, graph.PredLocator, graph.PredNote:
		return true
	case graph.PredType:
		return graph.IsMetaType(q.Object)
	}
	return false
}

func attributeName(p quad.Value) string {
	switch {
	case graph.IsNamePredicate(p):
		return "name"
	case graph.IsAliasPredicate(p):
		return "alias"
	case graph.IsTypePredicate(p):
		return "type"
	}
	return graph.ShortName(p)
}
