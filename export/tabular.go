package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
)

// csvQualifiers returns the qualifier columns of a CSV export: those of
// qualifierNames that the relations hold, but the note (the evidence's
// column).
func csvQualifiers(sg *Subgraph) []string {
	held := map[string]bool{}
	for _, r := range sg.Relations {
		for _, q := range r.Qualifiers {
			held[q.Name] = q.Name != "note"
		}
	}
	var cols []string
	for _, q := range qualifierNames(sg) {
		if held[q] {
			cols = append(cols, q)
		}
	}
	return cols
}

// writeEdgesCSV writes Entente's CSV edge list (docs/csv.md) after comment
// lines with the query and the time: a declaration row for every entity,
// sector and instrument the relations name and one for each alias of an
// entity, then one record per relation
// and piece of evidence, so that the file loads back into an empty store
// without --create.
func writeEdgesCSV(w io.Writer, sg *Subgraph, o *Options) error {
	fmt.Fprintf(w, "# Exported by Entente on %s\n# query: %s\n", o.stamp(), strings.ReplaceAll(o.Query, "\n", " "))
	cw := csv.NewWriter(w)
	quals := csvQualifiers(sg)
	header := append([]string{"subject", "relation", "object"}, quals...)
	header = append(header, "subject_type", "object_type", "id", "relation_note", "source", "locator", "note")
	cw.Write(header)
	declared := map[string]bool{}
	declare := func(name, typ string) {
		if name == "" || typ == "" || declared[name] {
			return
		}
		declared[name] = true
		row := make([]string, len(header))
		row[0], row[1], row[2] = name, "type", typ
		cw.Write(row)
	}
	for _, n := range sg.Nodes {
		declare(n.Label(), firstType(n))
	}
	for _, n := range sg.Nodes {
		if !declared[n.Label()] {
			continue
		}
		for _, a := range n.Aliases {
			row := make([]string, len(header))
			row[0], row[1], row[2] = n.Label(), "alias", a
			cw.Write(row)
		}
	}
	for _, r := range sg.Relations {
		declare(r.Qualifier("sector"), "Sector")
		declare(r.Qualifier("instrument"), "Policy")
	}
	for _, r := range sg.Relations {
		base := []string{r.From.Label(), r.Kind, r.To.Label()}
		for _, q := range quals {
			base = append(base, r.Qualifier(q))
		}
		base = append(base, firstType(r.From), firstType(r.To), stmtID(r), r.Qualifier("note"))
		if len(r.Evidence) == 0 {
			cw.Write(append(base, "", "", ""))
			continue
		}
		for _, e := range r.Evidence {
			cw.Write(append(append([]string(nil), base...), e.Source, e.Locator, e.Note))
		}
	}
	cw.Flush()
	return cw.Error()
}

// stmtID is what tells a relation apart from the others of its kind
// between the same ends, for the CSV id column: what its statement's IRI
// (stmt:SUBJECT/KIND/OBJECT[/SECTOR][/ID]) holds after the ends, the kind
// and the sector; "" for data without Entente's statements.
func stmtID(r *query.Relation) string {
	st, ok := r.Stmt.(quad.IRI)
	from, ok1 := r.From.ID.(quad.IRI)
	to, ok2 := r.To.ID.(quad.IRI)
	if !ok || !ok1 || !ok2 {
		return ""
	}
	slug := func(id quad.IRI) string { return strings.TrimPrefix(string(id), graph.EntityPrefix) }
	rest, ok := strings.CutPrefix(string(st), graph.StmtPrefix+slug(from)+"/"+r.Kind+"/"+slug(to))
	if !ok || rest == "" {
		return ""
	}
	rest = strings.TrimPrefix(rest, "/")
	if r.Qualifier("sector") != "" {
		_, rest, _ = strings.Cut(rest, "/")
	}
	return rest
}

func firstType(n *query.Node) string {
	if len(n.Types) > 0 {
		return n.Types[0]
	}
	return ""
}

// writeNodesCSV writes one record per node.
func writeNodesCSV(w io.Writer, sg *Subgraph, o *Options) error {
	fmt.Fprintf(w, "# Exported by Entente on %s\n# query: %s\n", o.stamp(), strings.ReplaceAll(o.Query, "\n", " "))
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "name", "type", "aliases", "description"})
	for _, n := range sg.Nodes {
		cw.Write([]string{nodeID(n), n.Label(), strings.Join(n.Types, "; "), strings.Join(n.Aliases, "; "), n.Description})
	}
	cw.Flush()
	return cw.Error()
}

// writeCytoscape writes Cytoscape.js elements JSON.
func writeCytoscape(w io.Writer, sg *Subgraph, o *Options) error {
	type element struct {
		Data    map[string]interface{} `json:"data"`
		Classes string                 `json:"classes,omitempty"`
	}
	var nodes, edges []element
	for _, n := range sg.Nodes {
		d := map[string]interface{}{"id": nodeID(n), "label": n.Label(), "name": n.Label()}
		if len(n.Types) > 0 {
			d["type"] = n.Types[0]
			d["types"] = n.Types
		}
		if len(n.Aliases) > 0 {
			d["aliases"] = n.Aliases
		}
		if n.Description != "" {
			d["description"] = n.Description
		}
		nodes = append(nodes, element{Data: d, Classes: strings.ToLower(firstType(n))})
	}
	for i, r := range sg.Relations {
		d := map[string]interface{}{
			"id": fmt.Sprintf("e%d", i+1), "source": nodeID(r.From), "target": nodeID(r.To),
			"label": r.Kind, "kind": r.Kind, "status": status(r),
		}
		for _, q := range r.Qualifiers {
			if q.Name != "status" {
				d[q.Name] = q.Value
			}
		}
		if r.Stmt != nil {
			d["statement"] = query.IDString(r.Stmt)
		}
		ev := r.Evidence
		if ev == nil {
			ev = []query.Evidence{}
		}
		d["evidence"] = ev
		edges = append(edges, element{Data: d, Classes: status(r)})
	}
	if nodes == nil {
		nodes = []element{}
	}
	if edges == nil {
		edges = []element{}
	}
	doc := map[string]interface{}{
		"format_version": "1.0",
		"generated_by":   "Entente",
		"data":           map[string]interface{}{"query": o.Query, "created": o.stamp()},
		"elements":       map[string]interface{}{"nodes": nodes, "edges": edges},
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
