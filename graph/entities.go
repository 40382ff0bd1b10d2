package graph

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/quadstore"
)

// An EntityReader answers what the Catalog answers of a few entities — by
// id, and by name, alias, slug or id ignoring case — by reading only
// those, from the store as it was when the reader was made: a load that
// checks a few names against a large store costs what those names cost,
// and sees the store as it was before its own batches. It follows the
// catalog's rules exactly (ByID and Lookup give what Catalog.ByID and
// Catalog.Lookup give). It is not safe for concurrent use; Close it when
// done.
type EntityReader struct {
	ctx     context.Context
	sn      nodeSource
	indexed bool
	closed  bool
	nodes   map[uint64]*nodeFacts
	vals    map[uint64]quad.Value
}

// nodeFacts is what the catalog's rules make of one node.
type nodeFacts struct {
	e    *Entity // nil when the catalog has no entry for it
	meta bool    // a statement, evidence or source node
}

// EntityReader returns a reader of the store as it is now; ok is false
// when the store cannot answer so (a view, an empty store): use the
// Catalog. On the Badger store it reads a snapshot and finds names in the
// folded-name index; on PostgreSQL, or a Badger store made before that
// index opened read-only, it reads the store as it is at each read and
// its Lookup does not answer (ok false: ask the Catalog), while ByID,
// IsMeta, IsSource and Properties read only the nodes asked for.
func (db *DB) EntityReader(ctx context.Context) (*EntityReader, bool) {
	return db.entityReader(ctx, false)
}

// entityReader is EntityReader; with indexed, only a reader whose Lookup
// answers.
func (db *DB) entityReader(ctx context.Context, indexed bool) (*EntityReader, bool) {
	if db.usable() != nil || db.parent != nil {
		return nil, false
	}
	// An empty store has nothing to read (and its first load may take
	// the bulk path, which rewrites the store under any snapshot).
	if st, err := db.qs.Stats(ctx, false); err != nil || st.Quads.Value == 0 && st.Nodes.Value == 0 {
		return nil, false
	}
	var src nodeSource
	if qs, ok := db.qs.(*quadstore.QuadStore); ok {
		if sn, ok := qs.Snapshot(); ok {
			src = sn
		}
	}
	if src == nil {
		if indexed {
			return nil, false
		}
		src = &storeNodes{ctx: ctx, qs: db.qs}
	}
	_, indexed = src.(*quadstore.Snapshot)
	return &EntityReader{ctx: ctx, sn: src, indexed: indexed, nodes: map[uint64]*nodeFacts{}, vals: map[uint64]quad.Value{}}, true
}

// Indexed reports whether Lookup finds names in an index of the store's
// (else it answers ok false for every name), and whether the reader sees
// the store as it was when it was made (else as it is at each read).
func (r *EntityReader) Indexed() bool { return r.indexed }

// nodeSource is what an EntityReader reads a node at a time: the Badger
// store's Snapshot, or any store through storeNodes.
type nodeSource interface {
	// ID returns the id of a value, 0 when the store does not hold it.
	ID(v quad.Value) (uint64, error)
	// Value returns the value of node id, nil when there is none.
	Value(id uint64) (quad.Value, error)
	// Folded returns the ids of the nodes whose text folds to
	// Fold(text), in id order; ok is false when it cannot answer.
	Folded(ctx context.Context, text string) (ids []uint64, ok bool, err error)
	// Quads calls fn with the ids of every quad whose node in direction
	// d is id, ordered by the other directions' ids (for the subject:
	// predicate, then object, then label).
	Quads(ctx context.Context, d quad.Direction, id uint64, fn func(q [4]uint64) error) error
	Close()
}

// storeNodes reads nodes through the backend's own interface, for a store
// without snapshots or a folded-name index.
type storeNodes struct {
	ctx    context.Context
	qs     backend
	synced bool
}

// sync makes the store's ids the ones the catalog reads (on PostgreSQL, a
// process numbers the nodes when first asked for its predicates), so that
// a node's names come in the same order as there. Only the first read
// pays for it.
func (s *storeNodes) sync() error {
	if !s.synced {
		if _, _, err := s.qs.Predicates(s.ctx); err != nil {
			return err
		}
		s.synced = true
	}
	return nil
}

func (s *storeNodes) ID(v quad.Value) (uint64, error) {
	if err := s.sync(); err != nil {
		return 0, err
	}
	ref, err := s.qs.ValueOf(v)
	if err != nil || ref == nil {
		return 0, err
	}
	id, _ := s.qs.NodeID(ref)
	return id, nil
}

func (s *storeNodes) Value(id uint64) (quad.Value, error) {
	if err := s.sync(); err != nil {
		return nil, err
	}
	ref := s.qs.NodeRef(id)
	if ref == nil {
		return nil, nil
	}
	return s.qs.NameOf(ref)
}

func (*storeNodes) Folded(context.Context, string) ([]uint64, bool, error) { return nil, false, nil }

func (s *storeNodes) Quads(ctx context.Context, d quad.Direction, id uint64, fn func(q [4]uint64) error) error {
	if err := s.sync(); err != nil {
		return err
	}
	ref := s.qs.NodeRef(id)
	if ref == nil {
		return nil
	}
	it := s.qs.QuadIterator(d, ref).Iterate()
	defer it.Close()
	var qs [][4]uint64
	for it.Next(ctx) {
		var q [4]uint64
		for i, dir := range quad.Directions {
			r, err := s.qs.QuadDirection(it.Result(), dir)
			if err != nil {
				return err
			}
			if r == nil {
				continue // no label
			}
			var ok bool
			if q[i], ok = s.qs.NodeID(r); !ok && dir != quad.Label { // a label's invalid ref: none
				return fmt.Errorf("%w: a quad of node %d has no id for its %s", ErrCorrupt, id, dir)
			}
		}
		qs = append(qs, q)
	}
	if err := it.Err(); err != nil {
		return err
	}
	slices.SortFunc(qs, func(a, b [4]uint64) int {
		for i := range a {
			if i != int(d-1) && a[i] != b[i] {
				return cmp.Compare(a[i], b[i])
			}
		}
		return 0
	})
	for _, q := range qs {
		if err := fn(q); err != nil {
			return err
		}
	}
	return nil
}

func (*storeNodes) Close() {}

// Lookup finds the entities a name, alias, slug or id denotes, ignoring
// case, as Catalog.Lookup: from the catalog when this store has it built
// already, else from the folded-name index (a fresh process need not
// build the catalog to resolve one name), else from a catalog it builds.
func (db *DB) Lookup(ctx context.Context, name string) ([]*Entity, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	db.catalog.mu.Lock()
	cat := db.catalog.cat
	if db.catalog.version != db.qs.Version() {
		cat = nil
	}
	db.catalog.mu.Unlock()
	if cat == nil {
		if r, ok := db.entityReader(ctx, true); ok {
			es, ok, err := r.Lookup(name)
			r.Close()
			if err != nil || ok {
				return es, err
			}
		}
		var err error
		if cat, err = db.Catalog(ctx); err != nil {
			return nil, err
		}
	}
	return cat.Lookup(name), nil
}

// Close ends the reader; it answers ErrClosed from then on. Closing it
// again does nothing.
func (r *EntityReader) Close() {
	if !r.closed {
		r.closed = true
		r.sn.Close()
	}
}

// ByID returns the entity with this id as the catalog has it (a source
// node too, as Catalog.ByID), or nil.
func (r *EntityReader) ByID(id quad.Value) (*Entity, error) {
	f, err := r.factsOfValue(id)
	if err != nil || f == nil {
		return nil, err
	}
	return f.e, nil
}

// IsMeta reports whether a node is one of the model's statement, evidence
// or source nodes.
func (r *EntityReader) IsMeta(id quad.Value) (bool, error) {
	f, err := r.factsOfValue(id)
	if err != nil || f == nil {
		return false, err
	}
	return f.meta, nil
}

// IsSource reports whether the catalog lists id among its sources.
func (r *EntityReader) IsSource(id quad.Value) (bool, error) {
	f, err := r.factsOfValue(id)
	if err != nil || f == nil {
		return false, err
	}
	return f.meta && f.e != nil, nil
}

// Lookup finds the entities a name, alias, slug or id denotes, ignoring
// case, in id order, as Catalog.Lookup. ok is false for a name too long
// for the index to answer (quadstore.MaxFoldedBytes folded, with the
// entity: prefix): ask the Catalog.
func (r *EntityReader) Lookup(name string) (es []*Entity, ok bool, err error) {
	if r.closed {
		return nil, true, ErrClosed
	}
	f := quadstore.Fold(name)
	if f == "" {
		return nil, true, nil
	}
	if len(EntityPrefix+f) > quadstore.MaxFoldedBytes {
		return nil, false, nil // as a slug, too long for the index
	}
	var ids []uint64
	for _, text := range []string{f, EntityPrefix + f} {
		got, ok, err := r.sn.Folded(r.ctx, text)
		if err != nil {
			return nil, true, mapErr(err)
		}
		if !ok {
			return nil, false, nil
		}
		ids = append(ids, got...)
	}
	seen := map[uint64]bool{}
	add := func(id uint64) error {
		if seen[id] {
			return nil
		}
		seen[id] = true
		nf, err := r.facts(id)
		if err != nil || nf.e == nil || nf.meta {
			return err
		}
		for _, k := range entityKeys(nf.e) {
			if k == f {
				es = append(es, nf.e)
				break
			}
		}
		return nil
	}
	for _, id := range ids {
		v, err := r.value(id)
		if err != nil {
			return nil, true, err
		}
		if !IsLiteral(v) {
			if err := add(id); err != nil {
				return nil, true, err
			}
			continue
		}
		// A name or alias: the nodes it names.
		err = r.sn.Quads(r.ctx, quad.Object, id, func(q [4]uint64) error {
			p, err := r.value(q[quad.Predicate-1])
			if err != nil {
				return err
			}
			if IsNamePredicate(p) || IsAliasPredicate(p) {
				return add(q[quad.Subject-1])
			}
			return nil
		})
		if err != nil {
			return nil, true, mapErr(err)
		}
	}
	sort.Slice(es, func(i, j int) bool { return idLess(es[i].ID, es[j].ID) })
	return es, true, nil
}

// Among returns, of the entities a Catalog found for name, those the
// store held under that name when the reader was made, as it held them:
// for a name Lookup cannot answer (ok false), with a catalog built since.
func (r *EntityReader) Among(es []*Entity, name string) ([]*Entity, error) {
	f := quadstore.Fold(name)
	var out []*Entity
	for _, e := range es {
		nf, err := r.factsOfValue(e.ID)
		if err != nil {
			return nil, err
		}
		if nf != nil && nf.e != nil && !nf.meta && slices.Contains(entityKeys(nf.e), f) {
			out = append(out, nf.e)
		}
	}
	return out, nil
}

// Properties calls fn with the predicate and object of every quad whose
// subject is id, in the store's order.
func (r *EntityReader) Properties(id quad.Value, fn func(p, o quad.Value)) error {
	if r.closed {
		return ErrClosed
	}
	n, err := r.sn.ID(id)
	if err != nil || n == 0 {
		return mapErr(err)
	}
	return r.properties(n, fn)
}

// properties is Properties for a node id.
func (r *EntityReader) properties(id uint64, fn func(p, o quad.Value)) error {
	err := r.sn.Quads(r.ctx, quad.Subject, id, func(q [4]uint64) error {
		p, err := r.value(q[quad.Predicate-1])
		if err != nil {
			return err
		}
		o, err := r.value(q[quad.Object-1])
		if err != nil {
			return err
		}
		if p != nil && o != nil {
			fn(p, o)
		}
		return nil
	})
	return mapErr(err)
}

func (r *EntityReader) value(id uint64) (quad.Value, error) {
	if v, ok := r.vals[id]; ok {
		return v, nil
	}
	v, err := r.sn.Value(id)
	if err != nil {
		return nil, mapErr(err)
	}
	r.vals[id] = v
	return v, nil
}

func (r *EntityReader) factsOfValue(v quad.Value) (*nodeFacts, error) {
	if r.closed {
		return nil, ErrClosed
	}
	if v == nil || IsLiteral(v) {
		return nil, nil
	}
	id, err := r.sn.ID(v)
	if err != nil || id == 0 {
		return nil, mapErr(err)
	}
	return r.facts(id)
}

// facts applies buildCatalog's passes to one node: types first (a meta
// type makes it a statement, evidence or source node), then names,
// aliases and descriptions, each in the order the catalog reads them
// (predicate id, then object id).
func (r *EntityReader) facts(id uint64) (*nodeFacts, error) {
	if f, ok := r.nodes[id]; ok {
		return f, nil
	}
	f := &nodeFacts{}
	r.nodes[id] = f
	sv, err := r.value(id)
	if err != nil || sv == nil || IsLiteral(sv) {
		return f, err
	}
	type po struct{ p, o quad.Value }
	var quads []po
	if err := r.properties(id, func(p, o quad.Value) { quads = append(quads, po{p, o}) }); err != nil {
		return nil, err
	}
	var e *Entity
	get := func() *Entity {
		if e == nil {
			e = &Entity{ID: sv}
		}
		return e
	}
	for _, q := range quads {
		if !IsTypePredicate(q.p) {
			continue
		}
		if IsMetaType(q.o) {
			f.meta = true
			if q.o == TypeSource {
				get()
			}
			continue
		}
		get().Types = append(get().Types, ShortName(q.o))
	}
	typed := e != nil
	for _, q := range quads {
		if !IsNamePredicate(q.p) || f.meta && !typed {
			continue
		}
		if lit := literalString(q.o); lit != "" && get().Name == "" {
			get().Name = lit
		}
	}
	for _, q := range quads {
		if f.meta || !IsAliasPredicate(q.p) {
			continue
		}
		if lit := literalString(q.o); lit != "" {
			get().Aliases = append(get().Aliases, lit)
		}
	}
	for _, q := range quads {
		if !f.meta && q.p == PredDescription {
			get().Description = literalString(q.o)
		}
	}
	if e != nil && !f.meta {
		sort.Strings(e.Types)
	}
	f.e = e
	return f, nil
}

// writtenKeys lists what the catalog files an entity under, as written:
// its name, aliases, id and (for an entity: IRI) slug.
func writtenKeys(e *Entity) []string {
	keys := append([]string{e.Name}, e.Aliases...)
	if iri, ok := e.ID.(quad.IRI); ok {
		keys = append(keys, string(iri))
		if strings.HasPrefix(string(iri), EntityPrefix) {
			keys = append(keys, e.Slug())
		}
	} else {
		keys = append(keys, e.ID.String())
	}
	return keys
}

// entityKeys lists the folded keys the catalog files an entity under.
func entityKeys(e *Entity) []string {
	var out []string
	for _, k := range writtenKeys(e) {
		if k = quadstore.Fold(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}
