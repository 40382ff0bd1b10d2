package query

import (
	"sort"
	"strings"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
)

// statesQualifier reads a relation's dated states (a status amended with
// a date: graph.DB.Amend with From) into one qualifier, "states", which
// says since when each status held: "proposed; existing from 2026-11-27".
// No states, no qualifier.
func (ev *evaluator) statesQualifier(states []cgraph.Ref) (*Qualifier, error) {
	if len(states) == 0 {
		return nil, nil
	}
	type state struct{ status, from string }
	var list []state
	for _, s := range states {
		var st state
		err := ev.eachOut(s, func(pv, ov quad.Value, _ cgraph.Ref) error {
			switch pv {
			case graph.PredStatus:
				st.status = literalText(ov)
			case quad.IRI(graph.QualPrefix + "valid_from"):
				st.from = literalText(ov)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if st.status != "" {
			list = append(list, st)
		}
	}
	if len(list) == 0 {
		return nil, nil
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].from < list[j].from })
	parts := make([]string, len(list))
	for i, st := range list {
		parts[i] = st.status
		if st.from != "" {
			parts[i] += " from " + st.from
		}
	}
	return &Qualifier{Name: "states", Value: strings.Join(parts, "; ")}, nil
}
