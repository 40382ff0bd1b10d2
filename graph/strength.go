package graph

import (
	"cmp"
	"context"
	"slices"
	"strings"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
)

// Strength says how real a relation is, from its status and its basis
// (docs/query-language.md, "Strength"): lower is stronger. The status
// decides first — existing (or none), at_risk, potential, proposed,
// lapsed — then the basis: a relation the source states (or background
// knowledge, or no basis given) is stronger than one inferred from it.
// A relation without a statement (data from elsewhere) is existing and
// stated: StrengthExisting, the zero value.
type Strength uint8

// The strengths, strongest first.
const (
	StrengthExisting Strength = iota
	StrengthExistingInferred
	StrengthAtRisk
	StrengthAtRiskInferred
	StrengthPotential
	StrengthPotentialInferred
	StrengthProposed
	StrengthProposedInferred
	StrengthLapsed
	StrengthLapsedInferred
	// NumStrengths is one more than the weakest strength.
	NumStrengths
)

// PredStatus and PredBasis are the qualifiers a strength is read from.
var (
	PredStatus = quad.IRI(QualPrefix + "status")
	PredBasis  = quad.IRI(QualPrefix + "basis")
)

// strengthStatuses are the statuses in order, strongest first.
var strengthStatuses = []string{"existing", "at_risk", "potential", "proposed", "lapsed"}

// StatusStrength is the strength of a stated relation of this status
// (ignoring case; "at risk" and "at-risk" are at_risk); ok is false for
// a status that is not one of the data model's.
func StatusStrength(status string) (Strength, bool) {
	s := strings.ToLower(strings.TrimSpace(status))
	s = strings.NewReplacer(" ", "_", "-", "_").Replace(s)
	if s == "" {
		return StrengthExisting, true
	}
	for i, x := range strengthStatuses {
		if s == x {
			return Strength(2 * i), true
		}
	}
	return StrengthExisting, false
}

// StrengthOf is the strength of a relation with this status and basis.
// A status outside the data model counts as existing.
func StrengthOf(status, basis string) Strength {
	st, _ := StatusStrength(status)
	if strings.EqualFold(strings.TrimSpace(basis), "inferred") {
		st++
	}
	return st
}

// Status is the strength's status: existing, at_risk, …
func (s Strength) Status() string { return strengthStatuses[min(int(s)/2, len(strengthStatuses)-1)] }

// Inferred reports whether the strength is that of an inferred relation.
func (s Strength) Inferred() bool { return s%2 == 1 }

// String is the status, with ", inferred" for an inferred relation.
func (s Strength) String() string {
	if s.Inferred() {
		return s.Status() + ", inferred"
	}
	return s.Status()
}

// Has reports whether some link of the index has strength s, for
// searches that try strengths in turn: a strength no link has needs no
// search of its own.
func (l *Links) Has(s Strength) bool { return l.has&(1<<s) != 0 }

// Strength is the strength of a link of the index, by its label.
func (l *Links) Strength(label int32) Strength {
	if int(label) < len(l.strength) {
		return l.strength[label]
	}
	return StrengthExisting
}

// idStrength is the strength of the statement with store id id.
type idStrength struct {
	id uint64
	s  Strength
}

// readStrengths reads the status and basis of every statement that has
// either, in store id order (a statement with two statuses has the one
// its last quad names, in the predicate index's order). It holds 16 bytes a
// statement while it reads, not a map's 40 or more: a store of 10^8 quads
// has 10^7 statements.
func readStrengths(ctx context.Context, qs storeScanner) ([]idStrength, error) {
	type said struct {
		id   uint64
		text int32 // into texts
	}
	var texts []string
	textOf := map[uint64]int32{}
	var lists [2][]said // status, basis
	for i, pred := range []quad.IRI{PredStatus, PredBasis} {
		p, err := qs.ValueOf(pred)
		if err != nil || p == nil {
			continue
		}
		// Each distinct object is numbered as it is read (a status has a
		// few values), and named after the scan.
		var list []said
		var objs []uint64
		if err := qs.ScanPredicate(ctx, p, func(s, o, _ uint64) {
			t, ok := textOf[o]
			if !ok {
				t = int32(len(objs))
				objs = append(objs, o)
				textOf[o] = t
			}
			list = append(list, said{s, t})
		}); err != nil {
			return nil, err
		}
		// The numbers of this predicate's objects are into texts from here.
		base := int32(len(texts))
		for _, o := range objs {
			v, err := qs.NameOf(qs.NodeRef(o))
			if err != nil {
				return nil, err
			}
			text := quad.ToString(v)
			if sv, ok := v.(quad.String); ok {
				text = string(sv)
			}
			texts = append(texts, text)
		}
		for j := range list {
			list[j].text += base
		}
		clear(textOf)
		// Stable, so that of one statement's quads the last read is last.
		slices.SortStableFunc(list, func(a, b said) int { return cmp.Compare(a.id, b.id) })
		lists[i] = list
	}
	// The last of each id, merged: status, basis, or both.
	status, basis := lists[0], lists[1]
	out := make([]idStrength, 0, max(len(status), len(basis)))
	for len(status) > 0 || len(basis) > 0 {
		var id uint64
		switch {
		case len(basis) == 0 || len(status) > 0 && status[0].id <= basis[0].id:
			id = status[0].id
		default:
			id = basis[0].id
		}
		var st, ba string
		for len(status) > 0 && status[0].id == id {
			st, status = texts[status[0].text], status[1:]
		}
		for len(basis) > 0 && basis[0].id == id {
			ba, basis = texts[basis[0].text], basis[1:]
		}
		out = append(out, idStrength{id, StrengthOf(st, ba)})
	}
	return out, nil
}

// storeScanner is what readStrengths needs of the quad store.
type storeScanner interface {
	ValueOf(quad.Value) (cgraph.Ref, error)
	NameOf(cgraph.Ref) (quad.Value, error)
	NodeRef(uint64) cgraph.Ref
	ScanPredicate(ctx context.Context, p cgraph.Ref, fn func(s, o, lbl uint64)) error
}
