package loader

import (
	"context"
	"fmt"
	"sort"

	"github.com/piprate/json-gold/ld"
)

// json-gold turns expanded JSON-LD into RDF by first flattening it into a
// node map, and it keeps each property's values a set by comparing every
// new value with every value already there: 40,000 values on one property
// cost 800 million comparisons. The loader builds the node map itself —
// the same algorithm (JSON-LD 1.1 Processing Algorithms, "Node Map
// Generation"), in the same order — with a hash set per property, and
// hands each node to json-gold's GraphToRDF. It checks its context as it
// goes, so that a cancelled load stops within a few thousand values.

// toRDF turns an expanded JSON-LD document into an RDF dataset. Its
// nodes are converted in the order of their ids (and their properties in
// order, as GraphToRDF takes them), so that the blank nodes json-gold
// makes up for lists are labelled the same on every run.
func toRDF(ctx context.Context, expanded interface{}, opts *ld.JsonLdOptions) (ds *ld.RDFDataset, err error) {
	// json-gold panics on some invalid input ({"": true}), and into an
	// empty store the reader runs in the bulk loader's goroutine, where a
	// panic would end the process.
	defer func() {
		if r := recover(); r != nil {
			ds, err = nil, fmt.Errorf("%w (%v)", errProcessor, r)
		}
	}()
	m := &nodeMapper{ctx: ctx, issuer: ld.NewIdentifierIssuer("_:b"),
		graphs: map[string]map[string]interface{}{"@default": {}}, seen: map[valueKey]struct{}{}}
	if _, err := m.walk(expanded, "@default", "", "", nil); err != nil {
		return nil, err
	}
	ds = ld.NewRDFDataset()
	for _, name := range sortedKeys(m.graphs) {
		if ld.IsRelativeIri(name) {
			continue
		}
		graph := m.graphs[name]
		var quads []*ld.Quad
		for _, id := range sortedKeys(graph) {
			node, _ := graph[id].(map[string]interface{})
			for _, p := range sortedKeys(node) {
				vs, _ := node[p].([]interface{})
				for len(vs) > 0 { // a bounded part at a time, to look at ctx between
					if err := ctx.Err(); err != nil {
						return nil, err
					}
					part := vs[:min(len(vs), convertPart)]
					vs = vs[len(part):]
					ds.GraphToRDF(name, map[string]interface{}{id: map[string]interface{}{"@id": id, p: part}}, m.issuer, opts.ProduceGeneralizedRdf)
					quads = append(quads, ds.Graphs[name]...)
				}
			}
		}
		ds.Graphs[name] = quads
	}
	return ds, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// nodeMapper builds a node map: graph name -> node id -> node, where a
// node maps each property to the array of its values.
type nodeMapper struct {
	ctx    context.Context
	issuer *ld.IdentifierIssuer
	graphs map[string]map[string]interface{}
	// seen holds the values each property of each node has, as json-gold
	// compares them (ld.CompareValues).
	seen  map[valueKey]struct{}
	steps int
}

// valueKey is one value of one property of a node, for the hash set that
// keeps a property's values a set: a string (a type), a value object by
// its @value, @type, @language and @index, or a node reference by its
// @id.
type valueKey struct {
	graph, node, property string
	kind                  byte
	v, typ, lang, index   interface{}
}

// checkEvery is how many values the node map takes between looks at its
// context; convertPart how many values of a property GraphToRDF converts
// between looks.
const (
	checkEvery  = 4096
	convertPart = 1024
)

func (m *nodeMapper) tick() error {
	if m.steps++; m.steps%checkEvery == 0 {
		return m.ctx.Err()
	}
	return nil
}

// keyOf returns the key of a value for a node's property; ok is false for
// a value json-gold never finds equal to another (a list object, or a
// value it cannot compare).
func keyOf(v interface{}) (k valueKey, ok bool) {
	obj, isMap := v.(map[string]interface{})
	switch {
	case !isMap:
		k = valueKey{kind: 's', v: v}
	case ld.IsValue(obj):
		k = valueKey{kind: 'v', v: obj["@value"], typ: obj["@type"], lang: obj["@language"], index: obj["@index"]}
	case obj["@id"] != nil:
		k = valueKey{kind: 'i', v: obj["@id"]}
	default:
		return k, false
	}
	for _, x := range []interface{}{k.v, k.typ, k.lang, k.index} {
		switch x.(type) {
		case nil, string, float64, bool:
		default: // a JSON literal's object or array: never equal to another
			return k, false
		}
	}
	return k, true
}

// add adds a value (or each value of an array) to a property of a node,
// unless the property has it already: ld.AddValue without duplicates,
// in constant time.
func (m *nodeMapper) add(graph, id string, node map[string]interface{}, property string, value interface{}) error {
	if node == nil {
		return nil
	}
	if vs, ok := value.([]interface{}); ok {
		if _, found := node[property]; !found && len(vs) == 0 {
			node[property] = []interface{}{}
		}
		for _, v := range vs {
			if err := m.add(graph, id, node, property, v); err != nil {
				return err
			}
		}
		return nil
	}
	if err := m.tick(); err != nil {
		return err
	}
	if k, ok := keyOf(value); ok {
		k.graph, k.node, k.property = graph, id, property
		if _, dup := m.seen[k]; dup {
			return nil
		}
		m.seen[k] = struct{}{}
	}
	vs, _ := node[property].([]interface{})
	node[property] = append(vs, value)
	return nil
}

// walk is ld.JsonLdApi.GenerateNodeMap: it adds element, found under
// property of subject (a node id, or a node reference for a reverse
// property) in graph, to the node map, and returns list with the
// element appended when it is an item of one.
func (m *nodeMapper) walk(element interface{}, graph string, subject interface{}, property string, list map[string]interface{}) (map[string]interface{}, error) {
	if items, ok := element.([]interface{}); ok {
		for _, item := range items {
			var err error
			if list, err = m.walk(item, graph, subject, property, list); err != nil {
				return nil, err
			}
		}
		return list, nil
	}
	elem, ok := element.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("expected map or list to GenerateNodeMap, got %T", element)
	}
	nodes := m.graphs[graph]
	if nodes == nil {
		nodes = map[string]interface{}{}
		m.graphs[graph] = nodes
	}
	// The node the element is a value of: nil under a reverse property,
	// whose values are added to the element's node instead.
	subjectID, _ := subject.(string)
	subjectNode, _ := nodes[subjectID].(map[string]interface{})

	if t, ok := elem["@type"]; ok { // blank node types get the document's labels
		types := ld.Arrayify(t)
		relabelled := make([]interface{}, len(types))
		for i, x := range types {
			s, _ := x.(string)
			if len(s) > 1 && s[:2] == "_:" {
				s = m.issuer.GetId(s)
			}
			relabelled[i] = s
		}
		if ld.IsValue(elem) {
			elem["@type"] = relabelled[0]
		} else {
			elem["@type"] = relabelled
		}
	}

	if ld.IsValue(elem) || ld.IsList(elem) {
		value := interface{}(elem)
		if ld.IsList(elem) {
			result, err := m.walk(elem["@list"], graph, subject, property, map[string]interface{}{"@list": []interface{}{}})
			if err != nil {
				return nil, err
			}
			value = result
		}
		if list != nil {
			list["@list"] = append(list["@list"].([]interface{}), value)
			return list, nil
		}
		return list, m.add(graph, subjectID, subjectNode, property, value)
	}

	// A node object.
	id, _ := elem["@id"].(string)
	if elem["@id"] == nil {
		id = m.issuer.GetId("")
	} else if len(id) > 1 && id[:2] == "_:" {
		id = m.issuer.GetId(id)
	}
	node, ok := nodes[id].(map[string]interface{})
	if !ok {
		node = map[string]interface{}{"@id": id}
		nodes[id] = node
	}
	if ref, isRef := subject.(map[string]interface{}); isRef { // a reverse property
		if err := m.add(graph, id, node, property, ref); err != nil {
			return nil, err
		}
	} else if property != "" {
		ref := map[string]interface{}{"@id": id}
		if list != nil {
			list["@list"] = append(list["@list"].([]interface{}), ref)
		} else if err := m.add(graph, subjectID, subjectNode, property, ref); err != nil {
			return nil, err
		}
	}
	if t, ok := elem["@type"]; ok {
		if err := m.add(graph, id, node, "@type", t); err != nil {
			return nil, err
		}
	}
	if index, ok := elem["@index"]; ok {
		if have, found := node["@index"]; found && have != index {
			return nil, ld.NewJsonLdError(ld.ConflictingIndexes, "conflicting @index property detected")
		}
		node["@index"] = index
	}
	if rev, ok := elem["@reverse"].(map[string]interface{}); ok {
		ref := map[string]interface{}{"@id": id}
		for _, p := range sortedKeys(rev) {
			vs, _ := rev[p].([]interface{})
			for _, v := range vs {
				if _, err := m.walk(v, graph, ref, p, nil); err != nil {
					return nil, err
				}
			}
		}
	}
	if g, ok := elem["@graph"]; ok {
		if _, err := m.walk(g, id, "", "", nil); err != nil {
			return nil, err
		}
	}
	if inc, ok := elem["@included"]; ok {
		if _, err := m.walk(inc, graph, "", "", nil); err != nil {
			return nil, err
		}
	}
	for _, p := range ld.GetOrderedKeys(elem) {
		switch p {
		case "@id", "@type", "@index", "@reverse", "@graph", "@included":
			continue
		}
		value := elem[p]
		if len(p) > 1 && p[:2] == "_:" {
			p = m.issuer.GetId(p)
		}
		if _, found := node[p]; !found {
			node[p] = []interface{}{}
		}
		if _, err := m.walk(value, graph, id, p, nil); err != nil {
			return nil, err
		}
	}
	return list, nil
}
