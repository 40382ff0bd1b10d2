package loader

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
)

// The curated readers (seed and CSV) check a file against what is already
// known: the store as it was before the load, and what the earlier files
// of the same load declared. A name finds one entity, an entity has one
// type and one name, and a statement one value of each single-valued
// qualifier, across files and loads as within a file.

// singleValued lists the qualifiers a statement has one value of: a
// second, different value contradicts the first. A note is a remark; a
// relation may gather several.
var singleValued = map[string]bool{
	"status": true, "sector": true, "instrument": true, "quantity": true, "period": true, "rank": true,
	"basis": true, "valid_from": true, "valid_until": true, "venue": true,
}

// known is what is known of an entity and where it was declared.
type known struct {
	types []string
	name  string // "" when it has none
	where string // "in the store", "in a.seed"
}

// facts is what a load's Resolver knows beyond the Resolver interface.
type facts interface {
	// entity returns what is known of the entity with this id.
	entity(id quad.IRI) (known, bool)
	// qualifier returns the values a statement has for a qualifier, and
	// where they were declared.
	qualifier(stmt quad.IRI, name string) ([]quad.Value, string)
	// slugs lists the slugs of the known entities, for suggestions.
	slugs() []string
	// names lists every known name, alias and slug, for suggestions.
	names() []string
}

// storedVersions is what a load's Resolver knows of the versions of the
// sources the store holds (a seed file's source block may give one).
type storedVersions interface {
	// sourceVersion returns the version of a stored source, "" when it
	// has none; ok is false when the store does not hold the source.
	sourceVersion(id quad.IRI) (version string, ok bool)
}

// catalogResolver answers a Resolver's questions from a store's catalog
// and the single-valued qualifiers of its statements.
type catalogResolver struct {
	cat      *graph.Catalog
	quals    map[quad.Value]map[string][]quad.Value
	versions map[quad.Value]string // a stored source's version (schema:version)
}

func newCatalogResolver(ctx context.Context, db *graph.DB, quals bool) (*catalogResolver, error) {
	cat, err := db.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	r := &catalogResolver{cat: cat}
	if quals {
		if r.quals, err = storeQualifiers(ctx, db); err != nil {
			return nil, err
		}
		if r.versions, err = storeVersions(ctx, db); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// readerResolver answers a Resolver's questions from the store as it was
// when the load began, reading only the entities, statements and sources
// the files name (graph.EntityReader): a small load into a large store
// costs what it loads, not a catalog of the store. What needs every name
// — suggestions for a misspelt one, a name too long for the index — reads
// the catalog, once.
type readerResolver struct {
	ctx   context.Context
	db    *graph.DB
	r     *graph.EntityReader
	quals map[quad.IRI]map[string][]quad.Value // by statement, read on first use
	cat   *graph.Catalog                       // read on first need
	err   error                                // the first read that failed
}

// close ends the snapshot (once the inputs are read: it would otherwise
// keep Badger from discarding what the load's batches overwrite).
func (r *readerResolver) close() { r.r.Close() }

// failed returns the first read that failed: the load stops there rather
// than go on with an answer it could not read.
func (r *readerResolver) failed() error { return r.err }

func (r *readerResolver) fail(err error) {
	if err != nil && r.err == nil {
		r.err = err
	}
}

// catalog returns the store's catalog, for what needs every name.
func (r *readerResolver) catalog() *graph.Catalog {
	if r.cat == nil && r.err == nil {
		cat, err := r.db.Catalog(r.ctx)
		r.fail(err)
		r.cat = cat
	}
	return r.cat
}

func (r *readerResolver) byID(id quad.IRI) *graph.Entity {
	e, err := r.r.ByID(id)
	r.fail(err)
	return e
}

func (r *readerResolver) EntityType(id quad.IRI) (string, bool) {
	if e := r.byID(id); e != nil {
		return e.Type(), true
	}
	return "", false
}

func (r *readerResolver) ResolveName(name string) []ResolvedEntity {
	es, ok, err := r.r.Lookup(name)
	r.fail(err)
	if !ok {
		// A name too long for the index: the catalog, which is the store
		// as it is now, holding the load's committed batches too; of its
		// entities, those the store held when the load began, as it held
		// them.
		es = nil
		if cat := r.catalog(); cat != nil {
			es, err = r.r.Among(cat.Lookup(name), name)
			r.fail(err)
		}
	}
	return resolvedOf(es)
}

func (r *readerResolver) SourceExists(id quad.IRI) bool {
	ok, err := r.r.IsSource(id)
	r.fail(err)
	return ok
}

func (r *readerResolver) sourceVersion(id quad.IRI) (string, bool) {
	if !r.SourceExists(id) {
		return "", false
	}
	version := ""
	r.fail(r.r.Properties(id, func(p, o quad.Value) {
		if p == graph.PredVersion {
			version = quad.ToString(o) // the last, as storeVersions
		}
	}))
	return version, true
}

func (r *readerResolver) entity(id quad.IRI) (known, bool) {
	e := r.byID(id)
	if e == nil {
		return known{}, false
	}
	return known{types: e.Types, name: e.Name, where: "in the store"}, true
}

// qualifier reads a statement's single-valued qualifiers as
// storeQualifiers does for every statement.
func (r *readerResolver) qualifier(stmt quad.IRI, name string) ([]quad.Value, string) {
	m, ok := r.quals[stmt]
	if !ok {
		m = map[string][]quad.Value{}
		isStmt := false
		r.fail(r.r.Properties(stmt, func(p, o quad.Value) {
			if p == graph.PredType && o == graph.TypeStatement {
				isStmt = true
			}
			for _, q := range graph.Qualifiers {
				if singleValued[q.Name] && p == q.IRI() {
					m[q.Name] = append(m[q.Name], o)
				}
			}
		}))
		if isStmt && len(m["status"]) == 0 {
			m["status"] = []quad.Value{defaultStatus}
		}
		r.quals[stmt] = m
	}
	return m[name], "in the store"
}

func (r *readerResolver) slugs() []string {
	if cat := r.catalog(); cat != nil {
		return catalogSlugs(cat)
	}
	return nil
}

func (r *readerResolver) names() []string {
	if cat := r.catalog(); cat != nil {
		return cat.Names()
	}
	return nil
}

// storeVersions reads the version of every stored source that has one.
func storeVersions(ctx context.Context, db *graph.DB) (map[quad.Value]string, error) {
	out := map[quad.Value]string{}
	err := scanQuads(ctx, db, quad.Predicate, graph.PredVersion, func(q quad.Quad) {
		out[q.Subject] = quad.ToString(q.Object)
	})
	return out, err
}

// scanQuads calls fn with every stored quad whose value in direction dir
// is v (none when the store does not know v).
func scanQuads(ctx context.Context, db *graph.DB, dir quad.Direction, v quad.Value, fn func(quad.Quad)) error {
	qs := db.QuadStore()
	ref, err := qs.ValueOf(v)
	if err != nil || ref == nil {
		return err
	}
	it := qs.QuadIterator(dir, ref).Iterate()
	defer it.Close()
	for it.Next(ctx) {
		q, err := qs.Quad(it.Result())
		if err != nil {
			return err
		}
		fn(q)
	}
	return it.Err()
}

// storeQualifiers reads the single-valued qualifiers of every statement of
// the store, before the load writes anything: a load into a store with
// data commits batches as it reads, and its checks must see the store as
// it was.
func storeQualifiers(ctx context.Context, db *graph.DB) (map[quad.Value]map[string][]quad.Value, error) {
	out := map[quad.Value]map[string][]quad.Value{}
	of := func(stmt quad.Value) map[string][]quad.Value {
		m := out[stmt]
		if m == nil {
			m = map[string][]quad.Value{}
			out[stmt] = m
		}
		return m
	}
	for _, q := range graph.Qualifiers {
		if !singleValued[q.Name] {
			continue
		}
		err := scanQuads(ctx, db, quad.Predicate, q.IRI(), func(st quad.Quad) {
			m := of(st.Subject)
			m[q.Name] = append(m[q.Name], st.Object)
		})
		if err != nil {
			return nil, err
		}
	}
	// A statement without a stored status is existing: a load must not
	// give it another silently.
	err := scanQuads(ctx, db, quad.Object, graph.TypeStatement, func(st quad.Quad) {
		if m := of(st.Subject); st.Predicate == graph.PredType && len(m["status"]) == 0 {
			m["status"] = []quad.Value{defaultStatus}
		}
	})
	return out, err
}

func (r *catalogResolver) EntityType(id quad.IRI) (string, bool) {
	e := r.cat.ByID(id)
	if e == nil {
		return "", false
	}
	return e.Type(), true
}

func (r *catalogResolver) ResolveName(name string) []ResolvedEntity {
	return resolvedOf(r.cat.Lookup(name))
}

// resolvedOf lists the entities a name found that a file can refer to
// (those with an IRI).
func resolvedOf(es []*graph.Entity) []ResolvedEntity {
	var out []ResolvedEntity
	for _, e := range es {
		if iri, ok := e.ID.(quad.IRI); ok {
			out = append(out, ResolvedEntity{ID: iri, Type: e.Type(), Name: e.Label()})
		}
	}
	return out
}

func (r *catalogResolver) SourceExists(id quad.IRI) bool {
	_, ok := r.cat.Sources[id]
	return ok
}

// sourceVersion returns the version of a stored source, "" when it has
// none; ok is false when the store does not hold the source.
func (r *catalogResolver) sourceVersion(id quad.IRI) (string, bool) {
	if !r.SourceExists(id) {
		return "", false
	}
	return r.versions[id], true
}

func (r *catalogResolver) entity(id quad.IRI) (known, bool) {
	e := r.cat.ByID(id)
	if e == nil {
		return known{}, false
	}
	return known{types: e.Types, name: e.Name, where: "in the store"}, true
}

func (r *catalogResolver) qualifier(stmt quad.IRI, name string) ([]quad.Value, string) {
	return r.quals[stmt][name], "in the store"
}

func (r *catalogResolver) slugs() []string { return catalogSlugs(r.cat) }

// catalogSlugs lists the slugs of the catalog's entities.
func catalogSlugs(cat *graph.Catalog) []string {
	var out []string
	for _, e := range cat.Entities {
		if iri, ok := e.ID.(quad.IRI); ok && strings.HasPrefix(string(iri), graph.EntityPrefix) {
			out = append(out, e.Slug())
		}
	}
	return out
}

func (r *catalogResolver) names() []string { return r.cat.Names() }

// declarations are what the files of a load read so far declared: the
// entities, sources and statements of their valid blocks and rows. A file
// adds its own when it has been read to the end, so the files after it
// see them as they see the store.
type declarations struct {
	entities map[quad.IRI]*declared
	byName   map[string][]quad.IRI // lower-case name, alias, slug and id
	sources  map[quad.IRI]bool
	quals    map[quad.IRI]map[string]declaredValue
}

type declared struct {
	typ, name, file string
}

type declaredValue struct {
	v    quad.Value
	file string
}

func newDeclarations() *declarations {
	return &declarations{
		entities: map[quad.IRI]*declared{}, byName: map[string][]quad.IRI{},
		sources: map[quad.IRI]bool{}, quals: map[quad.IRI]map[string]declaredValue{},
	}
}

// addEntity declares an entity with its names (name, aliases).
func (d *declarations) addEntity(file string, id quad.IRI, typ, name string, names ...string) {
	if d == nil {
		return
	}
	if _, ok := d.entities[id]; !ok {
		d.entities[id] = &declared{typ: typ, name: name, file: file}
	}
	keys := append([]string{name, string(id), strings.TrimPrefix(string(id), graph.EntityPrefix)}, names...)
	for _, k := range keys {
		k = strings.ToLower(strings.TrimSpace(k))
		if k != "" && !containsIRI(d.byName[k], id) {
			d.byName[k] = append(d.byName[k], id)
		}
	}
}

func (d *declarations) addSource(id quad.IRI) {
	if d != nil {
		d.sources[id] = true
	}
}

// addQualifiers declares a statement's single-valued qualifiers; a
// statement stated without a status is existing.
func (d *declarations) addQualifiers(file string, stmt quad.IRI, vals map[string]quad.Value) {
	if d == nil {
		return
	}
	m := d.quals[stmt]
	if m == nil {
		m = map[string]declaredValue{}
		d.quals[stmt] = m
	}
	for k, v := range vals {
		if _, ok := m[k]; !ok {
			m[k] = declaredValue{v, file}
		}
	}
	if _, ok := m["status"]; !ok {
		m["status"] = declaredValue{defaultStatus, file}
	}
}

// defaultStatus is the status of a relation that states none.
var defaultStatus = quad.String("existing")

func containsIRI(xs []quad.IRI, x quad.IRI) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// loadResolver is the Resolver of one load: the store as it was (nil for
// none), then the declarations of the load's earlier files.
type loadResolver struct {
	store Resolver
	decl  *declarations
	// replace: the load replaces what the store says (load --replace),
	// so the store's qualifiers are no contradiction.
	replace bool
}

func (r *loadResolver) EntityType(id quad.IRI) (string, bool) {
	if r.store != nil {
		if t, ok := r.store.EntityType(id); ok {
			return t, true
		}
	}
	if e, ok := r.decl.entities[id]; ok {
		return e.typ, true
	}
	return "", false
}

func (r *loadResolver) ResolveName(name string) []ResolvedEntity {
	var out []ResolvedEntity
	if r.store != nil {
		out = r.store.ResolveName(name)
	}
	for _, id := range r.decl.byName[strings.ToLower(strings.TrimSpace(name))] {
		dup := false
		for _, e := range out {
			dup = dup || e.ID == id
		}
		if !dup {
			e := r.decl.entities[id]
			out = append(out, ResolvedEntity{ID: id, Type: e.typ, Name: e.name})
		}
	}
	return out
}

func (r *loadResolver) SourceExists(id quad.IRI) bool {
	return r.decl.sources[id] || r.store != nil && r.store.SourceExists(id)
}

func (r *loadResolver) sourceVersion(id quad.IRI) (string, bool) {
	if r.replace {
		// load --replace: the new edition replaces what the store says.
		return "", false
	}
	if v, ok := r.store.(storedVersions); ok {
		return v.sourceVersion(id)
	}
	return "", false
}

func (r *loadResolver) entity(id quad.IRI) (known, bool) {
	if f, ok := r.store.(facts); ok {
		if k, ok := f.entity(id); ok {
			return k, true
		}
	}
	if e, ok := r.decl.entities[id]; ok {
		return known{types: []string{e.typ}, name: e.name, where: "in " + e.file}, true
	}
	return known{}, false
}

func (r *loadResolver) qualifier(stmt quad.IRI, name string) ([]quad.Value, string) {
	if f, ok := r.store.(facts); ok && !r.replace {
		if vs, where := f.qualifier(stmt, name); len(vs) > 0 {
			return vs, where
		}
	}
	if v, ok := r.decl.quals[stmt][name]; ok {
		return []quad.Value{v.v}, "in " + v.file
	}
	return nil, ""
}

func (r *loadResolver) slugs() []string {
	var out []string
	if f, ok := r.store.(facts); ok {
		out = f.slugs()
	}
	for id := range r.decl.entities {
		if strings.HasPrefix(string(id), graph.EntityPrefix) {
			out = append(out, strings.TrimPrefix(string(id), graph.EntityPrefix))
		}
	}
	return out
}

func (r *loadResolver) names() []string {
	var out []string
	if f, ok := r.store.(facts); ok {
		out = f.names()
	}
	for k := range r.decl.byName {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// whereIs says where an entity was declared, for messages: "in the store"
// or "in FILE"; "" when unknown.
func whereIs(res Resolver, id quad.IRI) string {
	if f, ok := res.(facts); ok {
		if k, ok := f.entity(id); ok {
			return k.where
		}
	}
	return ""
}

// typeConflict says why an entity known to have the types have (declared
// where: "in the store", "in a.seed") cannot be given the type typ — an
// entity has one type; "" when it can. The seed and CSV readers both ask
// it.
func typeConflict(id quad.IRI, have []string, where, typ string) string {
	if len(have) == 0 || containsFold(have, typ) {
		return ""
	}
	return fmt.Sprintf("entity %q is %s %s; it cannot also be %s (an entity has one type)", slugOf(id), withArticle(have[0]), where, withArticle(typ))
}

// knownTypes returns the types of an entity the store or an earlier file
// of the load has, and where it was declared.
func knownTypes(res Resolver, id quad.IRI) ([]string, string) {
	if f, ok := res.(facts); ok {
		if k, ok := f.entity(id); ok {
			return k.types, k.where
		}
	}
	return nil, ""
}

// showValue renders a qualifier's value for a message: an entity by its
// slug, text as it is, quoted.
func showValue(v quad.Value) string {
	switch v := v.(type) {
	case quad.IRI:
		return fmt.Sprintf("%q", strings.TrimPrefix(string(v), graph.EntityPrefix))
	case quad.String:
		return fmt.Sprintf("%q", string(v))
	}
	return v.String()
}

// conflict checks a statement's single-valued qualifier against what is
// known of it: a different value is an error message, "" none.
func conflict(res Resolver, stmt quad.IRI, name string, v quad.Value, says string) string {
	f, ok := res.(facts)
	if !ok || !singleValued[name] {
		return ""
	}
	vals, where := f.qualifier(stmt, name)
	if len(vals) == 0 {
		return ""
	}
	for _, have := range vals {
		if have == v {
			return ""
		}
	}
	return fmt.Sprintf("%s already has %s %s %s; %s %s", string(stmt), name, showValue(vals[0]), where, says, showValue(v))
}

// evidenceID names a piece of evidence by its statement and its content:
// the same evidence, from a seed or a CSV file, is one node however often
// it is loaded, and different evidence for one statement — from another
// file, or a second source — is another node beside it, never mixed in.
func evidenceID(stmt, src, loc, note string) quad.IRI {
	sum := sha256.Sum256([]byte(src + "|" + loc + "|" + note))
	return quad.IRI(graph.EvidencePrefix + strings.TrimPrefix(stmt, graph.StmtPrefix) + "/" + hex.EncodeToString(sum[:4]))
}
