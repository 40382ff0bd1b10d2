package export

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// typeColours fills nodes by entity type in DOT and SVG.
var typeColours = map[string]string{
	"Country":        "#cfe2ff",
	"Bloc":           "#b6d7a8",
	"Organisation":   "#ffe599",
	"Group":          "#d9d2e9",
	"Person":         "#f4cccc",
	"Sector":         "#fce5cd",
	"Agreement":      "#d0e0e3",
	"Forum":          "#ead1dc",
	"ProposedFormat": "#ffffff",
	"Policy":         "#eeeeee",
	"Region":         "#d9ead3",
	"Event":          "#fff2cc",
}

func dotQuote(s string) string { return strconv.Quote(s) }

// dotText writes the subgraph as a Graphviz digraph: nodes styled by type,
// edges labelled by kind, proposed and potential links dashed, every
// attribute kept as a DOT attribute.
func dotText(sg *Subgraph, o *Options) string {
	var b strings.Builder
	quals := qualifierNames(sg)
	fmt.Fprintf(&b, "// Exported by Entente on %s\n// query: %s\n", o.stamp(), strings.ReplaceAll(o.Query, "\n", " "))
	b.WriteString("digraph entente {\n")
	fmt.Fprintf(&b, "  graph [query=%s, created=%s, rankdir=LR, fontname=\"Helvetica\", overlap=false];\n", dotQuote(o.Query), dotQuote(o.stamp()))
	b.WriteString("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11, fillcolor=\"#ffffff\"];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n")
	for _, n := range sg.Nodes {
		attrs := []string{"label=" + dotQuote(n.Label())}
		typ := ""
		if len(n.Types) > 0 {
			typ = n.Types[0]
		}
		if c, ok := typeColours[typ]; ok {
			attrs = append(attrs, "fillcolor="+dotQuote(c))
		}
		if typ == "ProposedFormat" {
			attrs = append(attrs, `style="rounded,filled,dashed"`)
		}
		if typ == "Person" {
			attrs = append(attrs, "shape=ellipse")
		}
		for _, a := range nodeAttrs(n) {
			if a.key != "name" {
				attrs = append(attrs, a.key+"="+dotQuote(a.value))
			}
		}
		attrs = append(attrs, "tooltip="+dotQuote(n.Label()+" ("+typ+")"))
		fmt.Fprintf(&b, "  %s [%s];\n", dotQuote(nodeID(n)), strings.Join(attrs, ", "))
	}
	for _, r := range sg.Relations {
		st := status(r)
		label := r.Kind
		if sec := r.Qualifier("sector"); sec != "" {
			label += "\n(" + sec + ")"
		}
		attrs := []string{"label=" + dotQuote(label)}
		switch st {
		case "proposed", "potential":
			attrs = append(attrs, "style=dashed")
		case "at_risk":
			attrs = append(attrs, "color=\"#cc0000\"")
		case "lapsed":
			attrs = append(attrs, "style=dotted")
		}
		for _, a := range edgeAttrs(r, quals) {
			attrs = append(attrs, a.key+"="+dotQuote(a.value))
		}
		if len(r.Evidence) > 0 {
			attrs = append(attrs, "tooltip="+dotQuote(evidenceText(r)))
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", dotQuote(nodeID(r.From)), dotQuote(nodeID(r.To)), strings.Join(attrs, ", "))
	}
	b.WriteString("}\n")
	return b.String()
}

// writeSVG lays the subgraph out with Graphviz (compiled to WebAssembly in
// go-graphviz: no system Graphviz needed) and writes the picture, with the
// query and the time in its metadata.
func writeSVG(ctx context.Context, w io.Writer, sg *Subgraph, o *Options) error {
	svg, err := layoutSVG(ctx, []byte(dotText(sg, o)))
	if err != nil {
		return fmt.Errorf("svg: %w", err)
	}
	out := string(svg)
	meta := fmt.Sprintf("<metadata><entente:export xmlns:entente=\"urn:entente:export\" created=\"%s\">%s</entente:export></metadata>\n<desc>%s</desc>\n",
		o.stamp(), esc(o.Query), esc("Entente export of: "+o.Query))
	if i := strings.Index(out, "<g id=\"graph0\""); i >= 0 {
		out = out[:i] + meta + out[i:]
	}
	_, err = io.WriteString(w, out)
	return err
}
