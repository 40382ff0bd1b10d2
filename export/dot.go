package export

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/entente-kg/entente/query"
)

// typeColours fills nodes by entity type in pictures; typeOrder is the
// order of the legend.
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

var typeOrder = []string{"Country", "Bloc", "Organisation", "Group", "Person", "Sector", "Agreement", "Forum", "ProposedFormat", "Policy", "Region", "Event"}

// A lineStyle is how a line of a status is drawn.
type lineStyle struct{ style, color, meaning string }

// statusOrder is graph.Strength's order of the statuses, strongest first;
// statusStyles how each is drawn, and what the legend says of it.
var (
	statusOrder  = []string{"existing", "at_risk", "potential", "proposed", "lapsed"}
	statusStyles = map[string]lineStyle{
		"existing":  {"solid", "#555555", "existing"},
		"at_risk":   {"solid", "#cc0000", "at risk"},
		"potential": {"dashed", "#777777", "potential"},
		"proposed":  {"dashed", "#1f5fbf", "proposed"},
		"lapsed":    {"dotted", "#999999", "lapsed"},
	}
)

// nodeStyle is the DOT attributes that draw a node of a type.
func nodeStyle(typ string) []string {
	fill := "#ffffff"
	if c, ok := typeColours[typ]; ok {
		fill = c
	}
	attrs := []string{"fillcolor=" + dotQuote(fill)}
	switch typ {
	case "ProposedFormat":
		attrs = append(attrs, `style="rounded,filled,dashed"`)
	case "Person":
		attrs = append(attrs, "shape=ellipse")
	}
	return attrs
}

// edgeStyle is the DOT attributes that draw a line of a status.
func edgeStyle(status string) []string {
	st := statusStyles[status]
	if st.color == "" {
		st = statusStyles["existing"]
	}
	attrs := []string{"color=" + dotQuote(st.color)}
	if st.style != "solid" {
		attrs = append(attrs, "style="+st.style)
	}
	if status == "at_risk" {
		attrs = append(attrs, "fontcolor="+dotQuote(st.color))
	}
	return attrs
}

func dotQuote(s string) string { return strconv.Quote(s) }

// The fonts and sizes of a picture.
const (
	nodeFontSize  = 11.0
	edgeFontSize  = 9.0
	titleFontSize = 14.0
	smallFontSize = 9.0
	nameWidth     = 20 // characters of a name's line before it wraps
)

// dotText writes the drawing as a Graphviz digraph: nodes styled by
// type, long names wrapped, one line per pair of nodes (or per relation)
// labelled by kind and styled by status, every attribute kept as a DOT
// attribute, and the layout engine named in the graph's layout
// attribute. The DOT file (asFile) writes each line from the subject to
// the object of its first relation, for the tools that read DOT as data;
// a picture draws the hops of paths in the paths' order (a hop against
// its relation is head -> tail, dir=back), which dot ranks left to right.
func dotText(d *drawing, sg *Subgraph, o *Options, asFile bool) string {
	var b strings.Builder
	quals := qualifierNames(sg)
	fmt.Fprintf(&b, "// Exported by Entente on %s\n// query: %s\n", o.stamp(), strings.ReplaceAll(o.Query, "\n", " "))
	b.WriteString("digraph entente {\n")
	fmt.Fprintf(&b, "  graph [query=%s, created=%s, layout=%s, %s, fontname=\"Helvetica\", pad=0.3, outputorder=edgesfirst];\n",
		dotQuote(o.Query), dotQuote(o.stamp()), d.layout, layoutAttrs(d))
	fmt.Fprintf(&b, "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=%g, fillcolor=\"#ffffff\", margin=\"0.12,0.06\"];\n", nodeFontSize)
	fmt.Fprintf(&b, "  edge [fontname=\"Helvetica\", fontsize=%g, color=\"#555555\", arrowsize=0.7];\n", edgeFontSize)
	for _, n := range d.nodes {
		typ := nodeType(n)
		lines := wrap(n.Label(), nameWidth)
		attrs := []string{"label=" + dotQuote(strings.Join(lines, "\n"))}
		attrs = append(attrs, fmt.Sprintf("width=%.2f", boxWidth(n)/72))
		attrs = append(attrs, nodeStyle(typ)...)
		attrs = append(attrs, markStyle(sg, n)...)
		if asFile {
			// The data, for the tools that read DOT; a picture has none
			// (a qualifier of other data might be named as an attribute
			// Graphviz draws by: pos, label, style).
			for _, a := range append(nodeAttrs(n), markAttrs(sg, n)...) {
				if a.key != "name" {
					attrs = append(attrs, a.key+"="+dotQuote(a.value))
				}
			}
		}
		attrs = append(attrs, "tooltip="+dotQuote(n.Label()+" ("+strings.Join(n.Types, ", ")+")"))
		fmt.Fprintf(&b, "  %s [%s];\n", dotQuote(nodeID(n)), strings.Join(attrs, ", "))
	}
	if d.layout == "dot" && d.from != nil {
		fmt.Fprintf(&b, "  { rank=source; %s }\n  { rank=sink; %s }\n", dotQuote(nodeID(d.from)), dotQuote(nodeID(d.to)))
	}
	for _, e := range d.edges {
		tail, head := e.tail, e.head
		if asFile {
			tail, head = e.rels[0].From, e.rels[0].To
		}
		label := e.label()
		attrs := []string{"label=" + dotQuote(label)}
		if end := d.outerEnd(tail, head); end != "" && strings.Count(label, "\n") < 3 {
			// In a radial picture, the lines to the centre crowd there:
			// a short label goes near the outer end, on the line.
			attrs = []string{end + "label=" + dotQuote(label), "labelangle=0", "labeldistance=4.5"}
		}
		attrs = append(attrs, edgeStyle(e.status())...)
		if dir := e.dir(tail, head); dir != "forward" {
			attrs = append(attrs, "dir="+dir)
		}
		if asFile {
			attrs = append(attrs, lineAttrs(e, quals)...)
		} else {
			attrs = append(attrs, "tooltip="+dotQuote(lineTooltip(e)))
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", dotQuote(nodeID(tail)), dotQuote(nodeID(head)), strings.Join(attrs, ", "))
	}
	b.WriteString("}\n")
	return b.String()
}

// maxSplineNodes is the most nodes whose lines a force-directed or radial
// layout routes around the boxes (splines=true): the routing grows fast
// (in the WebAssembly Graphviz, a star of 100 nodes takes 1.2 s, of 150
// nodes 3.8 s, of 300 nodes 33 s); larger drawings get straight lines
// (300 nodes: 2 to 3 s).
const maxSplineNodes = 100

// boxWidth is the width, in points, of a node's box: wide enough for its
// name, wrapped, in a wider font than Graphviz measures with (a viewer
// without Helvetica draws it in another).
func boxWidth(n *query.Node) float64 {
	w := 0.0
	for _, l := range wrap(n.Label(), nameWidth) {
		w = max(w, textWidth(l, nodeFontSize, false))
	}
	return w + 20
}

// boxHeight is the height, in points, of a node's box.
func boxHeight(n *query.Node) float64 {
	return float64(len(wrap(n.Label(), nameWidth)))*nodeFontSize*1.2 + 10
}

// ringRadius is the radius, in inches, of the first ring of a radial
// picture: about long enough for the boxes around the centre to sit side
// by side (the layout stretches the rings where they still overlap).
func (d *drawing) ringRadius() float64 {
	around := 0.0
	seen := map[string]bool{}
	for _, e := range d.edges {
		for _, n := range []*query.Node{e.tail, e.head} {
			if n.ID != d.root.ID && (e.tail.ID == d.root.ID || e.head.ID == d.root.ID) && !seen[nodeID(n)] {
				seen[nodeID(n)] = true
				// What a box takes along the ring, on average over the angles
				// (2/π of its width and of its height), and a gap.
				around += 0.64*(boxWidth(n)+boxHeight(n)) + 8
			}
		}
	}
	return max(2.2, around/(2*math.Pi)/72)
}

// oneRing reports whether every node of a radial picture is joined to
// its centre.
func (d *drawing) oneRing() bool {
	joined := map[string]bool{nodeID(d.root): true}
	for _, e := range d.edges {
		if e.tail.ID == d.root.ID {
			joined[nodeID(e.head)] = true
		} else if e.head.ID == d.root.ID {
			joined[nodeID(e.tail)] = true
		}
	}
	return len(joined) == len(d.nodes)
}

// outerEnd is "head" or "tail": the end of a line from tail to head
// that is not the centre of a radial picture; "" for a line that does
// not touch the centre, or another layout.
func (d *drawing) outerEnd(tail, head *query.Node) string {
	if d.layout != "twopi" || d.root == nil {
		return ""
	}
	switch d.root.ID {
	case tail.ID:
		return "head"
	case head.ID:
		return "tail"
	}
	return ""
}

// layoutAttrs are the graph attributes of a layout engine.
func layoutAttrs(d *drawing) string {
	splines := "splines=true"
	if len(d.nodes) > maxSplineNodes {
		splines = "splines=false"
	}
	switch d.layout {
	case "dot":
		return "rankdir=LR, nodesep=0.25, ranksep=0.7"
	case "twopi":
		if d.root == nil {
			return "overlap=false, " + splines + ", ranksep=2.2"
		}
		// One ring around the centre: Graphviz's overlap=false (Voronoi
		// here) would move boxes far off it; scalexy stretches it where
		// boxes still touch, keeping the picture radial. With more rings,
		// stretching them apart grows the picture threefold (a depth-2
		// neighbourhood of Japan: 7,077 points wide), so boxes move.
		overlap := "false"
		if d.oneRing() {
			overlap = "scalexy"
		}
		return fmt.Sprintf("overlap=%s, %s, ranksep=%.2f, root=%s", overlap, splines, d.ringRadius(), dotQuote(nodeID(d.root)))
	case "circo":
		return "overlap=false, " + splines
	}
	return "overlap=false, " + splines + ", sep=\"+12\""
}

// lineAttrs are the data of a line, for the DOT file: a relation's own
// attributes (its kind, qualifiers, statement and evidence) when it stands
// for one; for several, their count, kinds, strongest status, statements,
// and evidence joined.
func lineAttrs(e *drawEdge, quals []string) []string {
	var attrs []string
	if len(e.rels) == 1 {
		r := e.rels[0]
		for _, a := range edgeAttrs(r, quals) {
			attrs = append(attrs, a.key+"="+dotQuote(a.value))
		}
		if len(r.Evidence) > 0 {
			attrs = append(attrs, "tooltip="+dotQuote(evidenceText(r)))
		}
		return attrs
	}
	var kinds, stmts, evidence []string
	var sources []string
	n := 0
	for _, r := range e.rels {
		kinds = append(kinds, r.Kind)
		if r.Stmt != nil {
			stmts = append(stmts, query.IDString(r.Stmt))
		}
		n += len(r.Evidence)
		if len(r.Evidence) > 0 {
			evidence = append(evidence, evidenceText(r))
		}
		for _, ev := range r.Evidence {
			if !contains(sources, ev.Source) {
				sources = append(sources, ev.Source)
			}
		}
	}
	attrs = append(attrs,
		"relations="+dotQuote(strconv.Itoa(len(e.rels))),
		"kind="+dotQuote(strings.Join(kinds, "; ")),
		"status="+dotQuote(e.status()))
	if len(stmts) > 0 {
		attrs = append(attrs, "statement="+dotQuote(strings.Join(stmts, " | ")))
	}
	attrs = append(attrs, "evidence_count="+dotQuote(strconv.Itoa(n)))
	if n > 0 {
		attrs = append(attrs, "evidence="+dotQuote(strings.Join(evidence, " | ")), "sources="+dotQuote(strings.Join(sources, " | ")))
	}
	return append(attrs, "tooltip="+dotQuote(lineTooltip(e)))
}

// lineTooltip says what a line stands for, a relation a line: its ends,
// kind and status, and its evidence.
func lineTooltip(e *drawEdge) string {
	var tips []string
	for _, r := range e.rels {
		tip := fmt.Sprintf("%s —%s→ %s (%s)", r.From.Label(), r.Kind, r.To.Label(), status(r))
		if len(r.Evidence) > 0 {
			tip += ": " + evidenceText(r)
		}
		tips = append(tips, tip)
	}
	return strings.Join(tips, "\n")
}
