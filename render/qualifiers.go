package render

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/entente-kg/entente/query"
)

// tellApart knows, for each set of relations of an answer that share their
// two ends and their kind, which qualifiers tell them apart: South Korea
// seeks two things from the United States, and only the sector says which
// row is which. A chain shows those qualifiers on the hop; qualifiers that
// all the relations of a set share (or a relation alone in its set has)
// are left to :evidence and JSON.
type tellApart map[relGroup]map[string]bool

// relGroup is the two ends (either way round) and the kind of a relation.
type relGroup struct{ a, b, kind string }

func groupOf(r *query.Relation) relGroup {
	a, b := query.IDString(r.From.ID), query.IDString(r.To.ID)
	if b < a {
		a, b = b, a
	}
	return relGroup{a, b, r.Kind}
}

// relIdentity names a relation: its statement, else its ends, kind and
// qualifiers (two paths through the same hop hold two copies of it).
func relIdentity(r *query.Relation) string {
	if r.Stmt != nil {
		return query.IDString(r.Stmt)
	}
	var b strings.Builder
	b.WriteString(query.IDString(r.From.ID) + "\x00" + r.Kind + "\x00" + query.IDString(r.To.ID))
	for _, q := range r.Qualifiers {
		b.WriteString("\x00" + q.Name + "=" + q.Value)
	}
	return b.String()
}

// newTellApart looks at every relation of res: relation rows, and the hops
// of paths with their parallel relations.
func newTellApart(res *query.Result) tellApart { return tellApartOf(rowRelations(res)) }

// rowRelations lists the relations of res's rows in order: relation
// values, and the hops of paths with their parallel relations.
func rowRelations(res *query.Result) []*query.Relation {
	var rels []*query.Relation
	var walk func(v query.Value)
	walk = func(v query.Value) {
		switch v := v.(type) {
		case *query.Relation:
			rels = append(rels, v)
		case *query.Path:
			for _, h := range v.Hops {
				rels = append(rels, h.Rel)
				rels = append(rels, h.Also...)
			}
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
	return rels
}

// hopTellApart looks only at one path's hops (for a value rendered
// without its answer).
func hopTellApart(p *query.Path) tellApart {
	var rels []*query.Relation
	for _, h := range p.Hops {
		rels = append(rels, h.Rel)
		rels = append(rels, h.Also...)
	}
	return tellApartOf(rels)
}

func tellApartOf(rels []*query.Relation) tellApart {
	groups := map[relGroup][]*query.Relation{}
	seen := map[string]bool{}
	for _, r := range rels {
		if r == nil || r.From == nil || r.To == nil {
			continue
		}
		id := relIdentity(r)
		if seen[id] {
			continue
		}
		seen[id] = true
		g := groupOf(r)
		groups[g] = append(groups[g], r)
	}
	t := tellApart{}
	for g, rs := range groups {
		if len(rs) < 2 {
			continue
		}
		names := map[string]bool{}
		for _, r := range rs {
			for _, q := range r.Qualifiers {
				names[q.Name] = true
			}
		}
		differ := map[string]bool{}
		for n := range names {
			first := rs[0].Qualifier(n)
			for _, r := range rs[1:] {
				if r.Qualifier(n) != first {
					differ[n] = true
					break
				}
			}
		}
		// A note tells relations apart only when nothing else does.
		if len(differ) > 1 || (len(differ) == 1 && !differ["note"]) {
			delete(differ, "note")
		}
		if len(differ) > 0 {
			t[g] = differ
		}
	}
	return t
}

// label is what a chain shows in brackets on a hop: the status when it is
// not existing, then every other qualifier the relation holds, whatever
// its name ("potential, sector: Semiconductors", "at_risk, quantity:
// 28,500") — but a basis that is the strongest, stated, which a chain
// takes as read as it does an existing status. The note, free text, is
// left to :evidence and JSON unless it alone tells the relation apart
// from the others of its set.
func (t tellApart) label(r *query.Relation) string {
	var parts []string
	if st := r.Qualifier("status"); st != "" && st != "existing" {
		parts = append(parts, st)
	}
	differ := t[groupOf(r)]
	for _, q := range r.Qualifiers {
		switch {
		case q.Name == "status" || q.Value == "" || (q.Name == "basis" && q.Value == "stated" && !differ["basis"]):
		case q.Name == "note":
			if differ["note"] {
				parts = append(parts, "note: "+shorten(q.Value, 40))
			}
		default:
			parts = append(parts, q.Name+": "+qualValue(q))
		}
	}
	return strings.Join(parts, ", ")
}

// qualParts lists every qualifier of a relation but its note as "name:
// value", in the order the relation holds them: status, sector, … and
// then any others, so that a qualifier added to the vocabulary shows
// without more work.
func qualParts(r *query.Relation) []string {
	var parts []string
	for _, q := range r.Qualifiers {
		if q.Name != "note" && q.Value != "" {
			parts = append(parts, q.Name+": "+qualValue(q))
		}
	}
	return parts
}

// qualValue is a qualifier's value as people read it: a quantity that is
// a whole number gets thousands separators (28500 reads 28,500).
func qualValue(q query.Qualifier) string {
	if q.Name == "quantity" {
		if n, err := strconv.ParseInt(q.Value, 10, 64); err == nil {
			return Thousands(n)
		}
	}
	return q.Value
}

// shorten cuts s to at most n characters, ending it with "…".
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// alsoText sums up a hop's parallel relations: "+2 more: cooperation ×2"
// (at most three kinds are named). A relation that runs against the
// direction the path walks is marked with ←.
func alsoText(h query.Hop, from *query.Node) string {
	if len(h.Also) == 0 {
		return ""
	}
	type item struct {
		name string
		n    int
	}
	var items []*item
	byName := map[string]*item{}
	for _, a := range h.Also {
		name := a.Kind
		if from != nil && a.From != nil && a.From.ID != from.ID {
			name = "←" + name
		}
		if it, ok := byName[name]; ok {
			it.n++
			continue
		}
		it := &item{name: name, n: 1}
		byName[name] = it
		items = append(items, it)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].n > items[j].n })
	var parts []string
	for i, it := range items {
		if i == 3 {
			parts = append(parts, "…")
			break
		}
		if it.n > 1 {
			parts = append(parts, it.name+" ×"+itoa(it.n))
		} else {
			parts = append(parts, it.name)
		}
	}
	return "+" + itoa(len(h.Also)) + " more: " + strings.Join(parts, ", ")
}
