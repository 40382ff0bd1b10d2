package graph

import "context"

// Stats counts what a store holds. Quads and nodes are Cayley's counts;
// entities and relations are the data model's (docs/data-model.md).
type Stats struct {
	Quads int64 `json:"quads"`
	Nodes int64 `json:"nodes"`
	// Entities are the nodes with a type, not counting the model's own
	// statement, evidence and source nodes.
	Entities int64 `json:"entities"`
	// Relations are the quads that link two nodes: predicate not an
	// attribute (IsAttribute), object not a literal.
	Relations       int64            `json:"relations"`
	EntitiesByType  map[string]int64 `json:"entities_by_type"`
	RelationsByKind map[string]int64 `json:"relations_by_kind"`
}

// Stats counts the store's quads, nodes, entities and relations. The
// relations come from the link index (DB.Links), which a store keeps
// between processes: they are its links, counted by predicate. The
// entities are read from the quads of the type predicates.
func (db *DB) Stats(ctx context.Context) (*Stats, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	qs := db.qs
	cst, err := qs.Stats(ctx, true)
	if err != nil {
		return nil, mapErr(err)
	}
	st := &Stats{
		Quads:           cst.Quads.Value,
		Nodes:           cst.Nodes.Value,
		EntitiesByType:  map[string]int64{},
		RelationsByKind: map[string]int64{},
	}
	l, err := db.Links(ctx)
	if err != nil {
		return nil, err
	}
	byPred := make([]int64, len(l.Preds))
	for _, e := range l.out {
		byPred[e.Pred]++
	}
	for i, n := range byPred {
		if n > 0 {
			st.RelationsByKind[ShortName(l.Preds[i])] += n
			st.Relations += n
		}
	}
	preds, _, err := qs.Predicates(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	// An entity is a subject with a type other than the model's own: one
	// bit a node id, each type's value read once.
	var seen []uint64
	types := map[uint64]string{} // type node id -> short name; "" for a meta type
	var nameErr error
	for _, p := range preds {
		pv, err := qs.NameOf(p)
		if err != nil {
			return nil, mapErr(err)
		}
		if !IsTypePredicate(pv) {
			continue
		}
		err = qs.ScanPredicate(ctx, p, func(s, o, _ uint64) {
			name, ok := types[o]
			if !ok {
				ov, err := qs.NameOf(qs.NodeRef(o))
				if err != nil {
					nameErr = err
					return
				}
				if !IsMetaType(ov) {
					name = ShortName(ov)
				}
				types[o] = name
			}
			if name == "" {
				return
			}
			st.EntitiesByType[name]++
			if w := int(s / 64); w >= len(seen) {
				seen = append(seen, make([]uint64, w+1-len(seen))...)
			}
			if seen[s/64]&(1<<(s%64)) == 0 {
				seen[s/64] |= 1 << (s % 64)
				st.Entities++
			}
		})
		if err == nil {
			err = nameErr
		}
		if err != nil {
			return nil, mapErr(err)
		}
	}
	return st, nil
}
