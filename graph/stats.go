package graph

import (
	"context"
	"maps"
	"slices"

	cgraph "github.com/cayleygraph/cayley/graph"
)

// Stats counts what a store holds. Quads and nodes are Cayley's counts;
// entities and relations are the data model's (docs/data-model.md).
type Stats struct {
	Quads int64 `json:"quads"`
	Nodes int64 `json:"nodes"`
	// Entities are the nodes with a type, not counting the model's own
	// statement, evidence and source nodes (whatever other types they
	// have); EntitiesByType counts each once a type.
	Entities int64 `json:"entities"`
	// Relations are the quads that link two nodes: predicate not an
	// attribute (IsAttribute), neither subject nor object a literal.
	Relations       int64            `json:"relations"`
	EntitiesByType  map[string]int64 `json:"entities_by_type"`
	RelationsByKind map[string]int64 `json:"relations_by_kind"`
}

// QuadCount is the number of quads the store holds (Stats' Quads),
// without reading the links and types Stats reads.
func (db *DB) QuadCount(ctx context.Context) (int64, error) {
	if err := db.usable(); err != nil {
		return 0, err
	}
	st, err := db.qs.Stats(ctx, true)
	if err != nil {
		return 0, mapErr(err)
	}
	return st.Quads.Value, nil
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
	// An entity is a subject with a type other than the model's own, and
	// none of the model's own; each counts once a type.
	typed, err := db.TypedNodes(ctx)
	if err != nil {
		return nil, err
	}
	var seen []uint64 // a bit a node id
	for name, ids := range typed.byName {
		st.EntitiesByType[name] = int64(len(ids))
		for _, s := range ids {
			if w := int(s / 64); w >= len(seen) {
				seen = append(seen, make([]uint64, w+1-len(seen))...)
			}
			if seen[s/64]&(1<<(s%64)) == 0 {
				seen[s/64] |= 1 << (s % 64)
				st.Entities++
			}
		}
	}
	return st, nil
}

// eachTyped calls fn with the subject's store id and the type's short name
// (ShortName) of every quad of a type predicate, "" for the model's own
// types (statement, evidence, source). Each type's value is read once.
func (db *DB) eachTyped(ctx context.Context, fn func(s uint64, name string)) error {
	qs := db.qs
	preds, _, err := qs.Predicates(ctx)
	if err != nil {
		return mapErr(err)
	}
	types := map[uint64]string{} // type node id -> short name; "" for a meta type
	var nameErr error
	for _, p := range preds {
		pv, err := qs.NameOf(p)
		if err != nil {
			return mapErr(err)
		}
		if !IsTypePredicate(pv) {
			continue
		}
		err = qs.ScanPredicate(ctx, p, func(s, o, _ uint64) {
			if nameErr != nil {
				return
			}
			name, ok := types[o]
			if !ok {
				ov, err := qs.NameOf(qs.NodeRef(o))
				if err != nil {
					nameErr = err
					return
				}
				if ov != nil && !IsMetaType(ov) {
					name = ShortName(ov)
				}
				types[o] = name
			}
			fn(s, name)
		})
		if err == nil {
			err = nameErr
		}
		if err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// TypedNodes is which entities have which type, read from the quads of
// the type predicates, as the catalog reads them (a type is the short
// name of the quad's object; the model's own types are none, and a node
// with one of them is no entity).
type TypedNodes struct {
	byName map[string][]uint64 // store ids, each once a name
	refOf  func(uint64) cgraph.Ref
}

// TypedNodes reads the types of the store's nodes: one pass over the
// type predicates' quads, without reading the nodes themselves.
func (db *DB) TypedNodes(ctx context.Context) (*TypedNodes, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	t := &TypedNodes{byName: map[string][]uint64{}, refOf: db.qs.NodeRef}
	meta := map[uint64]bool{}
	err := db.eachTyped(ctx, func(s uint64, name string) {
		if name != "" {
			t.byName[name] = append(t.byName[name], s)
		} else {
			meta[s] = true
		}
	})
	if err != nil {
		return nil, err
	}
	// A statement, evidence or source node is no entity, whatever other
	// types it has (as in the catalog).
	for name, ids := range t.byName {
		slices.Sort(ids)
		ids = slices.Compact(ids)
		ids = slices.DeleteFunc(ids, func(id uint64) bool { return meta[id] })
		if len(ids) == 0 {
			delete(t.byName, name)
			continue
		}
		t.byName[name] = ids
	}
	return t, nil
}

// Names lists the types, sorted.
func (t *TypedNodes) Names() []string {
	return slices.Sorted(maps.Keys(t.byName))
}

// Nodes returns the nodes with a type that keep accepts, each once.
func (t *TypedNodes) Nodes(keep func(name string) bool) []cgraph.Ref {
	var ids []uint64
	for name, xs := range t.byName {
		if keep(name) {
			ids = append(ids, xs...)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	refs := make([]cgraph.Ref, len(ids))
	for i, id := range ids {
		refs[i] = t.refOf(id)
	}
	return refs
}
