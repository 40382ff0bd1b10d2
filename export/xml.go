package export

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/entente-kg/entente/query"
)

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// attr is one attribute of a node or edge: its key and value.
type attr struct{ key, value string }

func nodeAttrs(n *query.Node) []attr {
	a := []attr{{"name", n.Label()}, {"type", strings.Join(n.Types, ", ")}}
	if len(n.Aliases) > 0 {
		a = append(a, attr{"aliases", strings.Join(n.Aliases, "; ")})
	}
	if n.Description != "" {
		a = append(a, attr{"description", n.Description})
	}
	return a
}

// edgeAttrs are the attributes a relation has a value for: its kind, its
// status (existing when none is stored), its other qualifiers, its
// statement and its evidence.
func edgeAttrs(r *query.Relation, quals []string) []attr {
	a := []attr{{"kind", r.Kind}}
	for _, q := range quals {
		v := r.Qualifier(q)
		if q == "status" {
			v = status(r)
		}
		if v != "" {
			a = append(a, attr{q, v})
		}
	}
	if r.Stmt != nil {
		a = append(a, attr{"statement", query.IDString(r.Stmt)})
	}
	a = append(a, attr{"evidence_count", fmt.Sprint(len(r.Evidence))})
	if len(r.Evidence) > 0 {
		a = append(a, attr{"evidence", evidenceText(r)})
		a = append(a, attr{"locators", joinEvidence(r, func(e query.Evidence) string { return e.Locator })})
		a = append(a, attr{"sources", joinEvidence(r, func(e query.Evidence) string { return e.Source })})
	}
	return a
}

func joinEvidence(r *query.Relation, f func(query.Evidence) string) string {
	parts := make([]string, len(r.Evidence))
	for i, e := range r.Evidence {
		parts[i] = f(e)
	}
	return strings.Join(parts, " | ")
}

var nodeKeys = []string{"name", "type", "aliases", "description"}

// edgeKeys are the edge attributes GraphML and GEXF declare: all of them,
// whether or not a relation of the subgraph has a value for each.
func edgeKeys(quals []string) []string {
	k := append([]string{"kind"}, quals...)
	return append(k, "statement", "evidence_count", "evidence", "locators", "sources")
}

// writeGraphML writes GraphML with typed key declarations.
func writeGraphML(w io.Writer, sg *Subgraph, o *Options) error {
	bw := bufio.NewWriter(w)
	quals := qualifierNames(sg)
	ek := edgeKeys(quals)
	fmt.Fprintln(bw, `<?xml version="1.0" encoding="UTF-8"?>`)
	fmt.Fprintln(bw, `<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">`)
	fmt.Fprintf(bw, "  <!-- Exported by Entente from the query: %s -->\n", esc(strings.ReplaceAll(o.Query, "--", "- -")))
	fmt.Fprintln(bw, `  <key id="g_query" for="graph" attr.name="query" attr.type="string"/>`)
	fmt.Fprintln(bw, `  <key id="g_created" for="graph" attr.name="created" attr.type="string"/>`)
	for _, k := range append(append([]string{}, nodeKeys...), markKeys(sg)...) {
		fmt.Fprintf(bw, "  <key id=\"n_%s\" for=\"node\" attr.name=\"%s\" attr.type=\"string\"/>\n", k, k)
	}
	for _, k := range ek {
		typ := "string"
		if k == "evidence_count" {
			typ = "int"
		}
		fmt.Fprintf(bw, "  <key id=\"e_%s\" for=\"edge\" attr.name=\"%s\" attr.type=\"%s\"/>\n", k, k, typ)
	}
	fmt.Fprintln(bw, `  <graph id="entente" edgedefault="directed">`)
	fmt.Fprintf(bw, "    <data key=\"g_query\">%s</data>\n", esc(o.Query))
	fmt.Fprintf(bw, "    <data key=\"g_created\">%s</data>\n", o.stamp())
	for _, n := range sg.Nodes {
		fmt.Fprintf(bw, "    <node id=\"%s\">\n", esc(nodeID(n)))
		for _, a := range append(nodeAttrs(n), markAttrs(sg, n)...) {
			fmt.Fprintf(bw, "      <data key=\"n_%s\">%s</data>\n", a.key, esc(a.value))
		}
		fmt.Fprintln(bw, "    </node>")
	}
	for i, r := range sg.Relations {
		fmt.Fprintf(bw, "    <edge id=\"e%d\" source=\"%s\" target=\"%s\">\n", i+1, esc(nodeID(r.From)), esc(nodeID(r.To)))
		for _, a := range edgeAttrs(r, quals) {
			fmt.Fprintf(bw, "      <data key=\"e_%s\">%s</data>\n", a.key, esc(a.value))
		}
		fmt.Fprintln(bw, "    </edge>")
	}
	fmt.Fprintln(bw, "  </graph>")
	fmt.Fprintln(bw, "</graphml>")
	return bw.Flush()
}

// writeGEXF writes GEXF 1.3, with attribute declarations and the query
// in the meta description.
func writeGEXF(w io.Writer, sg *Subgraph, o *Options) error {
	bw := bufio.NewWriter(w)
	quals := qualifierNames(sg)
	ek := edgeKeys(quals)
	date := o.stamp()[:10]
	fmt.Fprintln(bw, `<?xml version="1.0" encoding="UTF-8"?>`)
	fmt.Fprintln(bw, `<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">`)
	fmt.Fprintf(bw, "  <meta lastmodifieddate=\"%s\">\n    <creator>Entente</creator>\n    <description>%s (exported %s)</description>\n  </meta>\n", date, esc(o.Query), o.stamp())
	fmt.Fprintln(bw, `  <graph defaultedgetype="directed" mode="static">`)
	fmt.Fprintln(bw, `    <attributes class="node">`)
	nk := append(append([]string{}, nodeKeys...), markKeys(sg)...)
	for i, k := range nk {
		fmt.Fprintf(bw, "      <attribute id=\"n%d\" title=\"%s\" type=\"string\"/>\n", i, k)
	}
	fmt.Fprintln(bw, `    </attributes>`)
	fmt.Fprintln(bw, `    <attributes class="edge">`)
	for i, k := range ek {
		typ := "string"
		if k == "evidence_count" {
			typ = "integer"
		}
		fmt.Fprintf(bw, "      <attribute id=\"e%d\" title=\"%s\" type=\"%s\"/>\n", i, k, typ)
	}
	fmt.Fprintln(bw, `    </attributes>`)
	nodeIdx := map[string]int{}
	for i, k := range nk {
		nodeIdx[k] = i
	}
	edgeIdx := map[string]int{}
	for i, k := range ek {
		edgeIdx[k] = i
	}
	fmt.Fprintln(bw, `    <nodes>`)
	for _, n := range sg.Nodes {
		fmt.Fprintf(bw, "      <node id=\"%s\" label=\"%s\">\n        <attvalues>\n", esc(nodeID(n)), esc(n.Label()))
		for _, a := range append(nodeAttrs(n), markAttrs(sg, n)...) {
			fmt.Fprintf(bw, "          <attvalue for=\"n%d\" value=\"%s\"/>\n", nodeIdx[a.key], esc(a.value))
		}
		fmt.Fprintln(bw, "        </attvalues>\n      </node>")
	}
	fmt.Fprintln(bw, `    </nodes>`)
	fmt.Fprintln(bw, `    <edges>`)
	for i, r := range sg.Relations {
		fmt.Fprintf(bw, "      <edge id=\"e%d\" source=\"%s\" target=\"%s\" label=\"%s\">\n        <attvalues>\n", i+1, esc(nodeID(r.From)), esc(nodeID(r.To)), esc(r.Kind))
		for _, a := range edgeAttrs(r, quals) {
			fmt.Fprintf(bw, "          <attvalue for=\"e%d\" value=\"%s\"/>\n", edgeIdx[a.key], esc(a.value))
		}
		fmt.Fprintln(bw, "        </attvalues>\n      </edge>")
	}
	fmt.Fprintln(bw, `    </edges>`)
	fmt.Fprintln(bw, `  </graph>`)
	fmt.Fprintln(bw, `</gexf>`)
	return bw.Flush()
}
