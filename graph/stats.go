package graph

import (
	"context"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
)

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

// Stats counts the store's quads, nodes, entities and relations. It reads
// every quad of every link and type predicate once.
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
	preds, _, err := qs.Predicates(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	isLiteral, err := qs.Literals(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	entities := map[interface{}]struct{}{}
	for _, p := range preds {
		pv, err := qs.NameOf(p)
		if err != nil {
			return nil, mapErr(err)
		}
		typing := IsTypePredicate(pv)
		if !typing && IsAttribute(pv) {
			continue
		}
		kind := ShortName(pv)
		err = db.eachQuad(ctx, quad.Predicate, p, func(s, o cgraph.Ref) error {
			if typing {
				ov, err := qs.NameOf(o)
				if err != nil {
					return err
				}
				if IsMetaType(ov) {
					return nil
				}
				st.EntitiesByType[ShortName(ov)]++
				entities[s.Key()] = struct{}{}
				return nil
			}
			if isLiteral(o) {
				return nil
			}
			st.RelationsByKind[kind]++
			st.Relations++
			return nil
		})
		if err != nil {
			return nil, mapErr(err)
		}
	}
	st.Entities = int64(len(entities))
	return st, nil
}

// eachQuad calls fn with the subject and object of every quad that has
// node r in direction d.
func (db *DB) eachQuad(ctx context.Context, d quad.Direction, r cgraph.Ref, fn func(s, o cgraph.Ref) error) error {
	it := db.qs.QuadIterator(d, r).Iterate()
	defer it.Close()
	for it.Next(ctx) {
		q := it.Result()
		s, err := db.qs.QuadDirection(q, quad.Subject)
		if err != nil {
			return err
		}
		o, err := db.qs.QuadDirection(q, quad.Object)
		if err != nil {
			return err
		}
		if err := fn(s, o); err != nil {
			return err
		}
	}
	return it.Err()
}
