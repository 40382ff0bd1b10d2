package graph

import (
	"context"
	"sort"
	"strings"
	"sync"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/quadstore"
)

// Entity is an entity as the catalog knows it.
type Entity struct {
	ID          quad.Value // an IRI or blank node
	Name        string     // the display name ("" if it has none)
	Types       []string   // short type names
	Aliases     []string
	Description string
}

// Slug is the entity's id without the entity: prefix (japan), or its id
// as text for other nodes.
func (e *Entity) Slug() string {
	if iri, ok := e.ID.(quad.IRI); ok {
		return strings.TrimPrefix(string(iri), EntityPrefix)
	}
	return e.ID.String()
}

// Label is the entity's name, else its slug.
func (e *Entity) Label() string {
	if e.Name != "" {
		return e.Name
	}
	return e.Slug()
}

// Type is the entity's first type ("" if none).
func (e *Entity) Type() string {
	if len(e.Types) > 0 {
		return e.Types[0]
	}
	return ""
}

// Catalog is an index of a store's entities — every node with a type, a
// name or an alias, not counting the model's statement, evidence and
// source nodes — by id and by name. It is built from the store on first
// use and rebuilt after the store changes; it is safe for concurrent use
// and must not be modified.
type Catalog struct {
	Entities []*Entity // in id order
	byID     map[quad.Value]*Entity
	byName   map[string][]*Entity // lower-case name, alias and slug
	display  map[string]string    // lower-case key -> the key as written
	meta     map[quad.Value]bool  // statement, evidence and source nodes
	Sources  map[quad.Value]*Entity
}

type catalogCache struct {
	mu      sync.Mutex
	version uint64
	cat     *Catalog
}

// Catalog returns the catalog of the store's current contents.
func (db *DB) Catalog(ctx context.Context) (*Catalog, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	db.catalog.mu.Lock()
	defer db.catalog.mu.Unlock()
	v := db.qs.Version()
	if db.catalog.cat != nil && db.catalog.version == v {
		return db.catalog.cat, nil
	}
	cat, err := buildCatalog(ctx, db)
	if err != nil {
		return nil, mapErr(err)
	}
	db.catalog.cat, db.catalog.version = cat, v
	return cat, nil
}

func buildCatalog(ctx context.Context, db *DB) (*Catalog, error) {
	qs := db.qs
	c := &Catalog{
		byID:    map[quad.Value]*Entity{},
		byName:  map[string][]*Entity{},
		display: map[string]string{},
		meta:    map[quad.Value]bool{},
		Sources: map[quad.Value]*Entity{},
	}
	preds, _, err := qs.Predicates(ctx)
	if err != nil {
		return nil, err
	}
	predNames, err := qs.ValuesOf(ctx, preds)
	if err != nil {
		return nil, err
	}
	get := func(id quad.Value) *Entity {
		e := c.byID[id]
		if e == nil {
			e = &Entity{ID: id}
			c.byID[id] = e
		}
		return e
	}
	// Types first, so that meta nodes are known before names are read.
	type pass struct {
		test func(quad.Value) bool
		do   func(s, o quad.Value)
	}
	passes := []pass{
		{IsTypePredicate, func(s, o quad.Value) {
			if IsMetaType(o) {
				c.meta[s] = true
				if o == TypeSource {
					get(s)
				}
				return
			}
			e := get(s)
			e.Types = append(e.Types, ShortName(o))
		}},
		{IsNamePredicate, func(s, o quad.Value) {
			if c.meta[s] && c.byID[s] == nil {
				return
			}
			if lit := literalString(o); lit != "" && get(s).Name == "" {
				get(s).Name = lit
			}
		}},
		{IsAliasPredicate, func(s, o quad.Value) {
			if c.meta[s] {
				return
			}
			if lit := literalString(o); lit != "" {
				e := get(s)
				e.Aliases = append(e.Aliases, lit)
			}
		}},
		{func(p quad.Value) bool { return p == PredDescription }, func(s, o quad.Value) {
			if !c.meta[s] {
				get(s).Description = literalString(o)
			}
		}},
	}
	// The quads of each pass's predicates, by node id, read first; then
	// every node they name, in one batch (a lookup each is most of the
	// time on a large store).
	type pair struct{ s, o uint64 }
	pairs := make([][]pair, len(passes))
	var maxID uint64
	for i, ps := range passes {
		for j, p := range preds {
			if pv := predNames[j]; pv == nil || !ps.test(pv) {
				continue
			}
			err := qs.ScanPredicate(ctx, p, func(s, o, _ uint64) {
				pairs[i] = append(pairs[i], pair{s, o})
				maxID = max(maxID, s, o)
			})
			if err != nil {
				return nil, err
			}
		}
	}
	// ids numbers the nodes named, by store id: 0 for none yet, else
	// 1 + the node's place in refs. (Not sized by the store's MaxID: a
	// load's last step builds a catalog while it holds the write lock.)
	ids := make([]int32, maxID+1)
	var refs []cgraph.Ref
	for _, ps := range pairs {
		for _, pr := range ps {
			for _, id := range [2]uint64{pr.s, pr.o} {
				if ids[id] == 0 {
					refs = append(refs, qs.NodeRef(id))
					ids[id] = int32(len(refs))
				}
			}
		}
	}
	vals, err := qs.ValuesOf(ctx, refs)
	if err != nil {
		return nil, err
	}
	for i, ps := range passes {
		for _, pr := range pairs[i] {
			sv, ov := vals[ids[pr.s]-1], vals[ids[pr.o]-1]
			if sv != nil && ov != nil && !IsLiteral(sv) {
				ps.do(sv, ov)
			}
		}
	}
	for id, e := range c.byID {
		if c.meta[id] {
			c.Sources[id] = e
			continue
		}
		sort.Strings(e.Types)
		c.Entities = append(c.Entities, e)
		seen := map[string]bool{}
		for _, written := range writtenKeys(e) {
			written = strings.TrimSpace(written)
			k := quadstore.Fold(written)
			if k == "" || seen[k] {
				continue
			}
			seen[k] = true
			c.byName[k] = append(c.byName[k], e)
			if _, ok := c.display[k]; !ok {
				c.display[k] = written
			}
		}
	}
	// Sorted by id text, each computed once.
	keys := make(map[*Entity]string, len(c.Entities))
	for _, e := range c.Entities {
		keys[e] = idText(e.ID)
	}
	sort.Slice(c.Entities, func(i, j int) bool { return keys[c.Entities[i]] < keys[c.Entities[j]] })
	for _, es := range c.byName {
		sort.Slice(es, func(i, j int) bool { return idLess(es[i].ID, es[j].ID) })
	}
	return c, nil
}

func literalString(v quad.Value) string {
	switch v := v.(type) {
	case quad.String:
		return string(v)
	case quad.LangString:
		return string(v.Value)
	case quad.TypedString:
		return string(v.Value)
	}
	return ""
}

// ByID returns the entity with this id, or nil.
func (c *Catalog) ByID(id quad.Value) *Entity { return c.byID[id] }

// IsMeta reports whether a node is one of the model's statement, evidence
// or source nodes.
func (c *Catalog) IsMeta(id quad.Value) bool { return c.meta[id] }

// Lookup finds the entities a name, alias, slug or id denotes, ignoring
// case.
func (c *Catalog) Lookup(name string) []*Entity {
	return c.byName[quadstore.Fold(name)]
}

// Names returns every name, alias and slug in the catalog as written,
// for suggestions and completion.
func (c *Catalog) Names() []string {
	out := make([]string, 0, len(c.byName))
	for k := range c.byName {
		out = append(out, c.display[k])
	}
	sort.Strings(out)
	return out
}

// idLess orders ids by their text without brackets (entity:georgia before
// entity:georgia-us).
func idLess(a, b quad.Value) bool { return idText(a) < idText(b) }

// idText is an id's text as idLess orders it.
func idText(v quad.Value) string {
	if iri, ok := v.(quad.IRI); ok {
		return string(iri)
	}
	return v.String()
}
