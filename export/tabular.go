package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/entente-kg/entente/query"
)

// csvQualifiers are the qualifier columns of a CSV export: the columns
// Entente's CSV loader reads, so that an export of curated data loads
// back.
var csvQualifiers = []string{"status", "sector", "instrument", "quantity", "period", "rank"}

// writeEdgesCSV writes one record per relation and piece of evidence, in
// the columns of Entente's CSV edge lists, after comment lines with the
// query and the time.
func writeEdgesCSV(w io.Writer, sg *Subgraph, o *Options) error {
	fmt.Fprintf(w, "# Exported by Entente on %s\n# query: %s\n", o.stamp(), strings.ReplaceAll(o.Query, "\n", " "))
	cw := csv.NewWriter(w)
	header := append([]string{"subject", "relation", "object"}, csvQualifiers...)
	header = append(header, "subject_type", "object_type", "source", "locator", "note")
	cw.Write(header)
	for _, r := range sg.Relations {
		base := []string{r.From.Label(), r.Kind, r.To.Label()}
		for _, q := range csvQualifiers {
			base = append(base, r.Qualifier(q))
		}
		base = append(base, firstType(r.From), firstType(r.To))
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
