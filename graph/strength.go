package graph

import (
	"context"
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

// readStrengths reads the status and basis of every statement that has
// them, by store id: two scans, of the q:status and q:basis predicates.
func readStrengths(ctx context.Context, qs storeScanner) (map[uint64]Strength, error) {
	status, basis := map[uint64]string{}, map[uint64]string{}
	for _, x := range []struct {
		pred quad.IRI
		into map[uint64]string
	}{{PredStatus, status}, {PredBasis, basis}} {
		p, err := qs.ValueOf(x.pred)
		if err != nil || p == nil {
			continue
		}
		texts := map[uint64]string{}
		var ids [][2]uint64
		if err := qs.ScanPredicate(ctx, p, func(s, o, _ uint64) { ids = append(ids, [2]uint64{s, o}) }); err != nil {
			return nil, err
		}
		for _, so := range ids {
			t, ok := texts[so[1]]
			if !ok {
				v, err := qs.NameOf(qs.NodeRef(so[1]))
				if err != nil {
					return nil, err
				}
				t = quad.ToString(v)
				if sv, ok := v.(quad.String); ok {
					t = string(sv)
				}
				texts[so[1]] = t
			}
			x.into[so[0]] = t
		}
	}
	out := make(map[uint64]Strength, len(status)+len(basis))
	for id, s := range status {
		out[id] = StrengthOf(s, basis[id])
	}
	for id, b := range basis {
		if _, done := out[id]; !done {
			out[id] = StrengthOf("", b)
		}
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
