// Package export writes the answer to a query as a subgraph — its nodes
// and relations, with every node's type, name and aliases and every
// relation's kind, qualifiers and evidence — in the formats the tools of
// analysts read: GraphML (Gephi, yEd, Cytoscape), GEXF (Gephi), DOT and
// SVG (Graphviz), N-Quads and JSON-LD (RDF tools, and Entente itself), CSV
// (spreadsheets) and Cytoscape.js JSON. Each file records the query and
// when it was made.
//
// SVG, PNG and PDF are pictures: laid out by Graphviz (built in, compiled
// to WebAssembly) in the layout that suits the answer, one line per pair
// of nodes, with a title, a legend and a caption (Options says how). A
// program gets a picture the way it gets any format: Write with PNG.
package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/render"
)

// Format names an export format.
type Format string

// The export formats.
const (
	GraphML   Format = "graphml"
	GEXF      Format = "gexf"
	DOT       Format = "dot"
	SVG       Format = "svg"
	NQuads    Format = "nquads"
	JSONLD    Format = "jsonld"
	CSV       Format = "csv"
	Cytoscape Format = "cytoscape"
	PNG       Format = "png"
	PDF       Format = "pdf"
)

// Formats lists the export formats.
var Formats = []Format{GraphML, GEXF, DOT, SVG, PNG, PDF, NQuads, JSONLD, CSV, Cytoscape}

// FormatList is the formats as text, for messages.
func FormatList() string {
	parts := make([]string, len(Formats))
	for i, f := range Formats {
		parts[i] = string(f)
	}
	return strings.Join(parts, ", ")
}

// Errors of an export. Callers test them with errors.Is.
var (
	// ErrFormat: an unknown format, or one a file name does not tell.
	ErrFormat = errors.New("export: unknown format")
	// ErrNoStore: N-Quads and JSON-LD export the store's own quads and
	// need it (Options.DB).
	ErrNoStore = errors.New("export: this format reads the quads from the store: set Options.DB")
	// ErrNoGraph: the answer has rows but no node or relation in them
	// (only text, numbers or counts, such as a Gizmo program's emitted
	// values): there is no subgraph to write, and nothing is written.
	ErrNoGraph = errors.New("export: the answer holds no nodes or relations to export")
	// ErrTooBig: the subgraph has more nodes or lines than a picture may
	// hold (MaxDrawNodes, MaxDrawLines); nothing is written.
	ErrTooBig = errors.New("export: too big to draw")
	// ErrCSVStdout: a CSV export writes two files and cannot go to
	// standard output.
	// ErrLayout: an unknown layout engine (Layouts lists them).
	ErrLayout    = errors.New("export: unknown layout")
	ErrCSVStdout = errors.New("export: CSV writes two files (the relations and FILE.nodes.csv): give a file name, not -")
)

// ParseFormat parses a format name.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "graphml":
		return GraphML, nil
	case "gexf":
		return GEXF, nil
	case "dot", "gv", "graphviz":
		return DOT, nil
	case "svg":
		return SVG, nil
	case "png":
		return PNG, nil
	case "pdf":
		return PDF, nil
	case "nquads", "n-quads", "nq":
		return NQuads, nil
	case "jsonld", "json-ld":
		return JSONLD, nil
	case "csv":
		return CSV, nil
	case "cytoscape", "cyjs", "cytoscape.js":
		return Cytoscape, nil
	}
	return "", fmt.Errorf("%w %q (%s)", ErrFormat, s, FormatList())
}

// FormatOf tells a format from a file name's extension.
func FormatOf(name string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".graphml":
		return GraphML, true
	case ".gexf":
		return GEXF, true
	case ".dot", ".gv":
		return DOT, true
	case ".svg":
		return SVG, true
	case ".png":
		return PNG, true
	case ".pdf":
		return PDF, true
	case ".nq", ".nquads":
		return NQuads, true
	case ".jsonld":
		return JSONLD, true
	case ".csv":
		return CSV, true
	case ".cyjs":
		return Cytoscape, true
	case ".json":
		return Cytoscape, true
	}
	return "", false
}

// Options describe an export.
type Options struct {
	// Query is the text of the query, recorded in the file.
	Query string
	// Time is when the export was made (default now).
	Time time.Time
	// DB is the store the answer came from; N-Quads and JSON-LD read the
	// exact quads of the subgraph from it. Without it they are rebuilt
	// from the answer.
	DB *graph.DB
	// Stdout is where WriteFile writes the path "-" (standard output);
	// nil makes "-" a file name like any other.
	Stdout io.Writer

	// The rest is for pictures (DOT, SVG, PNG, PDF).

	// AllEdges draws every relation as a line of its own; by default a
	// picture draws one line per pair of nodes, labelled with the kinds
	// of its relations and styled by the strongest status among them.
	AllEdges bool
	// Layout is the Graphviz layout engine (one of Layouts); "" chooses
	// by the answer: dot, left to right, for paths, compare and why;
	// twopi, radial, for a card or a neighbourhood; neato (sfdp over 100
	// nodes) for the rest.
	Layout string
	// NoTitle, NoLegend and NoCaption leave out the title (the query),
	// the legend (types and statuses drawn) and the caption (the date and
	// the sources of the evidence shown), for a picture to embed.
	NoTitle, NoLegend, NoCaption bool
	// Width is a PNG's width in pixels; else DPI is its resolution (96
	// when 0: a point is 4/3 pixel). A PDF is drawn to scale in points.
	Width int
	DPI   float64
}

// date is the day of the export, for a picture's caption.
func (o *Options) date() string {
	t := o.Time
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Format("2 January 2006")
}

func (o *Options) stamp() string {
	t := o.Time
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Format(time.RFC3339)
}

// Subgraph is the nodes and relations of an answer.
type Subgraph struct {
	Nodes     []*query.Node
	Relations []*query.Relation
	// Marks are the answer's marks of its nodes (query.Result.Marks):
	// group, rank and score (marks.go).
	Marks map[string]query.Mark
}

// SubgraphOf collects every node and relation an answer holds: its
// entities, relations, paths (and their parallel relations), the
// relations of a card, and the nodes of a Gizmo result with the
// relations between them.
func SubgraphOf(res *query.Result) *Subgraph {
	sg := &Subgraph{Marks: res.Marks}
	nodes := map[string]*query.Node{}
	rels := map[string]bool{}
	addNode := func(n *query.Node) {
		if n == nil {
			return
		}
		k := n.ID.String()
		if prev, ok := nodes[k]; !ok {
			nodes[k] = n
			sg.Nodes = append(sg.Nodes, n)
		} else if prev.Name == "" && n.Name != "" {
			*prev = *n
		}
	}
	addRel := func(r *query.Relation) {
		if r == nil {
			return
		}
		k := relKey(r)
		if rels[k] {
			return
		}
		rels[k] = true
		addNode(r.From)
		addNode(r.To)
		sg.Relations = append(sg.Relations, r)
	}
	var walk func(v query.Value)
	walk = func(v query.Value) {
		switch v := v.(type) {
		case *query.Node:
			addNode(v)
		case query.GizmoNode:
			addNode(v.Node)
		case *query.Relation:
			addRel(v)
		case *query.Path:
			for _, n := range v.Nodes {
				addNode(n)
			}
			for _, h := range v.Hops {
				addRel(h.Rel)
				for _, a := range h.Also {
					addRel(a)
				}
			}
		case query.List:
			for _, x := range v {
				walk(x)
			}
		}
	}
	if res.Entity != nil {
		addNode(res.Entity)
	}
	for _, row := range res.Rows {
		for _, v := range row {
			walk(v)
		}
	}
	for _, r := range res.Extra {
		addRel(r)
	}
	return sg
}

// Pairs counts the pairs of nodes the relations join, whichever way they
// go: the lines of a picture, which draws one line per pair.
func (sg *Subgraph) Pairs() int {
	pairs := map[string]bool{}
	for _, r := range sg.Relations {
		pairs[pairKey(r.From, r.To)] = true
	}
	return len(pairs)
}

// Summary says what an export of the subgraph in format f holds, for a
// message: "6 nodes, 28 relations", and for a picture that draws one line
// per pair of nodes, "in 9 lines".
func (sg *Subgraph) Summary(f Format, o *Options) string {
	s := fmt.Sprintf("%d nodes, %d relations", len(sg.Nodes), len(sg.Relations))
	if (f == DOT || IsPicture(f)) && (o == nil || !o.AllEdges) {
		if n := sg.Pairs(); n != len(sg.Relations) {
			s += fmt.Sprintf(" in %d lines", n)
		}
	}
	return s
}

func relKey(r *query.Relation) string {
	return r.From.ID.String() + "\x00" + r.Pred.String() + "\x00" + r.To.ID.String() + "\x00" + query.IDString(r.Stmt)
}

// Write writes an answer's subgraph to w in format f. CSV writes the
// relations only (WriteFile writes the nodes beside them). An answer whose
// rows hold no node or relation is ErrNoGraph.
func Write(ctx context.Context, w io.Writer, res *query.Result, f Format, o *Options) error {
	if o == nil {
		o = &Options{}
	}
	sg := SubgraphOf(res)
	if err := checkGraph(res, sg); err != nil {
		return err
	}
	var d *drawing
	if f == DOT || IsPicture(f) {
		if o.Layout != "" {
			if _, err := ParseLayout(o.Layout); err != nil {
				return err
			}
		}
		d = drawingOf(res, sg, o)
		if err := checkDrawable(d, f); err != nil {
			return err
		}
	}
	switch f {
	case GraphML:
		return writeGraphML(w, sg, o)
	case GEXF:
		return writeGEXF(w, sg, o)
	case DOT:
		_, err := io.WriteString(w, dotText(d, sg, o, true))
		return err
	case SVG:
		return writeSVG(ctx, w, d, sg, o)
	case PNG, PDF:
		return writePicture(ctx, w, d, sg, f, o)
	case NQuads:
		return writeNQuads(ctx, w, sg, o)
	case JSONLD:
		return writeJSONLD(ctx, w, sg, o)
	case CSV:
		return writeEdgesCSV(w, sg, o)
	case Cytoscape:
		return writeCytoscape(w, sg, o)
	}
	return fmt.Errorf("%w %q", ErrFormat, f)
}

// WriteFile writes an answer's subgraph to path (and, for CSV, its nodes
// to PATH.nodes.csv beside it). A regular file — new, or replacing one
// that keeps its permissions — is written through a temporary file beside
// it and renamed into place, so that a failed or cancelled export leaves
// no half-written file; a new file gets mode 0644, less the process's
// umask. A symbolic link is followed: the file it names is written and the
// link stays. A FIFO or a character device (/dev/stdout) is written in
// place. The path "-" is Options.Stdout, when set (CSV, which writes two
// files, needs a file name). It returns the files written.
func WriteFile(ctx context.Context, path string, res *query.Result, f Format, o *Options) ([]string, error) {
	if o == nil {
		o = &Options{}
	}
	sg := SubgraphOf(res)
	if err := checkGraph(res, sg); err != nil {
		return nil, err
	}
	if IsPicture(f) {
		if o.Layout != "" {
			if _, err := ParseLayout(o.Layout); err != nil {
				return nil, err
			}
		}
		if err := checkDrawable(drawingOf(res, sg, o), f); err != nil {
			return nil, err
		}
	}
	if path == "-" && o.Stdout != nil {
		if f == CSV {
			return nil, ErrCSVStdout
		}
		if err := Write(ctx, render.ContextWriter(ctx, o.Stdout), res, f, o); err != nil {
			return nil, err
		}
		return []string{"standard output"}, nil
	}
	if err := writeDestination(ctx, path, func(w io.Writer) error { return Write(ctx, w, res, f, o) }); err != nil {
		return nil, fmt.Errorf("export: %s: %w", path, err)
	}
	files := []string{path}
	if f == CSV {
		nodes := NodesPath(path)
		if err := writeDestination(ctx, nodes, func(w io.Writer) error { return writeNodesCSV(w, sg, o) }); err != nil {
			return files, fmt.Errorf("export: %s: %w", nodes, err)
		}
		files = append(files, nodes)
	}
	return files, nil
}

// checkGraph refuses an answer that has rows but nothing graph-like in
// them: an empty file would look like an empty answer.
func checkGraph(res *query.Result, sg *Subgraph) error {
	if len(res.Rows) == 0 || len(sg.Nodes) > 0 || len(sg.Relations) > 0 {
		return nil
	}
	if res.Kind == "gizmo" {
		return fmt.Errorf("%w (only values: a Gizmo program exports the nodes it returns or tags, not their names or counts)", ErrNoGraph)
	}
	return fmt.Errorf("%w (only text, numbers or counts)", ErrNoGraph)
}

// NodesPath is where a CSV export's nodes go: edges.csv → edges.nodes.csv.
func NodesPath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ".nodes.csv"
}

// evidenceText joins a relation's evidence in one line, for formats whose
// attributes are plain values.
func evidenceText(r *query.Relation) string {
	parts := make([]string, len(r.Evidence))
	for i, e := range r.Evidence {
		parts[i] = fmt.Sprintf("[%s, %s] %s", e.Source, e.Locator, e.Note)
	}
	return strings.Join(parts, " | ")
}

// qualifierNames lists every qualifier of the data model, in its order,
// then any other qualifier a relation of the subgraph has, by name: the
// attributes GraphML and GEXF declare whatever the subgraph holds, so that
// tools see one schema.
func qualifierNames(sg *Subgraph) []string {
	out := graph.QualifierNames()
	seen := map[string]bool{}
	for _, r := range sg.Relations {
		for _, q := range r.Qualifiers {
			seen[q.Name] = true
		}
	}
	for _, q := range out {
		delete(seen, q)
	}
	var rest []string
	for q := range seen {
		rest = append(rest, q)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func nodeID(n *query.Node) string { return query.IDString(n.ID) }

// status is a relation's status, "existing" when none is given.
func status(r *query.Relation) string {
	if s := r.Qualifier("status"); s != "" {
		return s
	}
	return "existing"
}

func isLiteral(v quad.Value) bool { return graph.IsLiteral(v) }
