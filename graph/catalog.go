package graph

import (
	"context"
	"sort"
	"strings"
	"sync"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
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
	names := map[cgraph.Ref]quad.Value{}
	name := func(r cgraph.Ref) (quad.Value, error) {
		if v, ok := names[r]; ok {
			return v, nil
		}
		v, err := qs.NameOf(r)
		if err == nil {
			names[r] = v
		}
		return v, err
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
	for _, ps := range passes {
		for _, p := range preds {
			pv, err := name(p)
			if err != nil {
				return nil, err
			}
			if !ps.test(pv) {
				continue
			}
			err = db.eachQuad(ctx, quad.Predicate, p, func(s, o cgraph.Ref) error {
				sv, err := name(s)
				if err != nil {
					return err
				}
				ov, err := qs.NameOf(o)
				if err != nil {
					return err
				}
				if sv != nil && ov != nil && !IsLiteral(sv) {
					ps.do(sv, ov)
				}
				return nil
			})
			if err != nil {
				return nil, err
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
		keys := append([]string{e.Name}, e.Aliases...)
		if iri, ok := id.(quad.IRI); ok {
			keys = append(keys, string(iri))
			if strings.HasPrefix(string(iri), EntityPrefix) {
				keys = append(keys, e.Slug())
			}
		} else {
			keys = append(keys, id.String())
		}
		seen := map[string]bool{}
		for _, written := range keys {
			written = strings.TrimSpace(written)
			k := strings.ToLower(written)
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
	sort.Slice(c.Entities, func(i, j int) bool { return idLess(c.Entities[i].ID, c.Entities[j].ID) })
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
	return c.byName[strings.ToLower(strings.TrimSpace(name))]
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
func idLess(a, b quad.Value) bool {
	sa, sb := a.String(), b.String()
	if iri, ok := a.(quad.IRI); ok {
		sa = string(iri)
	}
	if iri, ok := b.(quad.IRI); ok {
		sb = string(iri)
	}
	return sa < sb
}
