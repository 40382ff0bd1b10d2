package export

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
	"github.com/cayleygraph/quad/nquads"
	"github.com/entente-kg/entente/graph"
)

// quadsOf collects the stored quads of a subgraph: each node's type, name,
// alias and description quads; each relation's quad; each statement's
// qualifier and evidence quads, the evidence nodes and their sources, and
// the entities qualifiers name (a sector). Loaded into an empty store they
// answer the same query the same way.
func quadsOf(ctx context.Context, sg *Subgraph, db *graph.DB) ([]quad.Quad, error) {
	if db == nil {
		return nil, ErrNoStore
	}
	qs := db.QuadStore()
	var out []quad.Quad
	seenQuad := map[string]bool{}
	add := func(q quad.Quad) {
		// The key is the whole quad, label included: relations that
		// share subject, kind and object are told apart by their
		// statements.
		k := q.NQuad()
		if !seenQuad[k] {
			seenQuad[k] = true
			out = append(out, q)
		}
	}
	described := map[string]bool{}
	// describe adds a node's attribute quads (all of them, for the
	// model's statement, evidence and source nodes).
	var describe func(v quad.Value, all bool) error
	describe = func(v quad.Value, all bool) error {
		if v == nil || graph.IsLiteral(v) || described[v.String()] {
			return nil
		}
		described[v.String()] = true
		r, err := qs.ValueOf(v)
		if err != nil || r == nil {
			return err
		}
		it := qs.QuadIterator(quad.Subject, r).Iterate()
		defer it.Close()
		var follow []quad.Value
		for it.Next(ctx) {
			q, err := qs.Quad(it.Result())
			if err != nil {
				return err
			}
			p := q.Predicate
			if !all && !(graph.IsTypePredicate(p) || graph.IsNamePredicate(p) || graph.IsAliasPredicate(p) || p == graph.PredDescription) {
				continue
			}
			add(q)
			if all && !graph.IsLiteral(q.Object) && !graph.IsTypePredicate(p) {
				follow = append(follow, q.Object)
			}
		}
		if err := it.Err(); err != nil {
			return err
		}
		for _, f := range follow {
			meta := strings.HasPrefix(f.String(), "<"+graph.EvidencePrefix) || strings.HasPrefix(f.String(), "<"+graph.SourcePrefix)
			if err := describe(f, meta); err != nil {
				return err
			}
		}
		return nil
	}
	for _, n := range sg.Nodes {
		if err := describe(n.ID, false); err != nil {
			return nil, err
		}
	}
	for _, r := range sg.Relations {
		q := quad.Quad{Subject: r.From.ID, Predicate: r.Pred, Object: r.To.ID, Label: r.Stmt}
		add(q)
		if r.Stmt != nil {
			if err := describe(r.Stmt, true); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// writeNQuads writes the subgraph's stored quads, with the query and the
// time in comments at the top.
func writeNQuads(ctx context.Context, w io.Writer, sg *Subgraph, o *Options) error {
	qs, err := quadsOf(ctx, sg, o.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "# Exported by Entente on %s\n# query: %s\n", o.stamp(), strings.ReplaceAll(o.Query, "\n", " "))
	nw := nquads.NewWriter(w)
	for _, q := range qs {
		if err := nw.WriteQuad(q); err != nil {
			return err
		}
	}
	return nw.Close()
}

// writeJSONLD writes the subgraph's stored quads as JSON-LD: the default
// graph's nodes, and each relation in the named graph of its statement —
// the same layout as the store, so that loading it back gives the same
// graph. IRIs are kept as the store writes them; the query and the time
// are in an entry that JSON-LD processing ignores, so that the document's
// quads are exactly the N-Quads export's.
func writeJSONLD(ctx context.Context, w io.Writer, sg *Subgraph, o *Options) error {
	qs, err := quadsOf(ctx, sg, o.DB)
	if err != nil {
		return err
	}
	type nodeMap map[string]map[string][]interface{}
	graphs := map[string]nodeMap{}
	var graphOrder []string
	for _, q := range qs {
		g := ""
		if q.Label != nil {
			g = idOf(q.Label)
		}
		nm, ok := graphs[g]
		if !ok {
			nm = nodeMap{}
			graphs[g] = nm
			graphOrder = append(graphOrder, g)
		}
		s := idOf(q.Subject)
		if nm[s] == nil {
			nm[s] = map[string][]interface{}{}
		}
		p := idOf(q.Predicate)
		nm[s][p] = append(nm[s][p], jsonldValue(q.Object))
	}
	objects := func(nm nodeMap) []interface{} {
		ids := make([]string, 0, len(nm))
		for id := range nm {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		var out []interface{}
		for _, id := range ids {
			obj := map[string]interface{}{"@id": id}
			for p, vs := range nm[id] {
				obj[p] = vs
			}
			out = append(out, obj)
		}
		return out
	}
	def := graphs[""]
	if def == nil {
		def = nodeMap{}
	}
	var all []interface{}
	named := map[string]bool{}
	sort.Strings(graphOrder)
	for _, g := range graphOrder {
		if g != "" {
			named[g] = true
		}
	}
	for _, obj := range objects(def) {
		m := obj.(map[string]interface{})
		if id := m["@id"].(string); named[id] {
			m["@graph"] = objects(graphs[id])
			delete(named, id)
		}
		all = append(all, m)
	}
	for _, g := range graphOrder {
		if named[g] {
			all = append(all, map[string]interface{}{"@id": g, "@graph": objects(graphs[g])})
		}
	}
	if all == nil {
		all = []interface{}{}
	}
	// The top-level object holds the context, the query and the time, and
	// the graph. Its only other key, entente_export, is no term of the
	// context: JSON-LD processing drops it, as N-Quads parsers skip
	// comments, so the document's quads are exactly the N-Quads export's
	// (an @id or a property beside @graph would make the content a named
	// graph instead).
	type meta struct {
		Comment string `json:"comment"`
		Query   string `json:"query"`
		Created string `json:"created"`
	}
	doc := struct {
		Context map[string]interface{} `json:"@context"`
		Export  meta                   `json:"entente_export"`
		Graph   []interface{}          `json:"@graph"`
	}{
		Context: map[string]interface{}{"@version": 1.1},
		Export:  meta{Comment: "Exported by Entente; JSON-LD processing ignores this entry", Query: o.Query, Created: o.stamp()},
		Graph:   all,
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func idOf(v quad.Value) string {
	switch v := v.(type) {
	case quad.IRI:
		return string(v)
	case quad.BNode:
		return v.String()
	}
	return quad.ToString(v)
}

func jsonldValue(v quad.Value) interface{} {
	switch v := v.(type) {
	case quad.IRI:
		return map[string]interface{}{"@id": string(v)}
	case quad.BNode:
		return map[string]interface{}{"@id": v.String()}
	case quad.String:
		return map[string]interface{}{"@value": string(v)}
	case quad.LangString:
		return map[string]interface{}{"@value": string(v.Value), "@language": v.Lang}
	case quad.TypedString:
		return map[string]interface{}{"@value": string(v.Value), "@type": string(v.Type)}
	}
	if ts, ok := v.(quad.TypedStringer); ok {
		t := ts.TypedString()
		return map[string]interface{}{"@value": string(t.Value), "@type": string(t.Type)}
	}
	return map[string]interface{}{"@value": quad.ToString(v)}
}

var _ cgraph.Ref
