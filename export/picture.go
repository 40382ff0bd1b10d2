package export

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/entente-kg/entente/render"
)

// IsPicture reports whether a format is a picture Entente lays out and
// draws (SVG, PNG, PDF): the formats Options.Layout, the legend and
// MaxDrawNodes apply to.
func IsPicture(f Format) bool { return f == SVG || f == PNG || f == PDF }

// The most a picture may hold: MaxDrawNodes nodes and MaxDrawLines lines
// (a line is one pair of nodes, or one relation with Options.AllEdges).
// A picture of more cannot be read, and Graphviz's layout grows faster
// than the graph (seconds for a few thousand nodes, minutes beyond).
// GraphML and GEXF (Gephi lays out large graphs) and DOT, which is
// written without a layout, have no cap.
const (
	MaxDrawNodes = 300
	MaxDrawLines = 1000
)

// checkDrawable refuses a drawing too big for a picture.
func checkDrawable(d *drawing, f Format) error {
	if !IsPicture(f) || len(d.nodes) <= MaxDrawNodes && len(d.edges) <= MaxDrawLines {
		return nil
	}
	return fmt.Errorf("%w: %s nodes and %s lines (a picture holds at most %s nodes and %s lines); narrow the query — a lower limit (limit N), via KIND, a smaller depth — or export graphml or gexf for Gephi",
		ErrTooBig, render.Thousands(int64(len(d.nodes))), render.Thousands(int64(len(d.edges))),
		render.Thousands(MaxDrawNodes), render.Thousands(MaxDrawLines))
}

// decorID prefixes the ids of the title, legend and caption, which are
// nodes (and, for the legend's line samples, edges) of the picture.
const decorID = "entente-legend:"

// laidOut lays the drawing out with its engine, then adds the title
// above it and the legend and the caption below it, at positions
// computed from its bounding box: the positioned graph every picture
// format draws (with Graphviz's nop2, which keeps the positions).
func laidOut(ctx context.Context, d *drawing, sg *Subgraph, o *Options) ([]byte, error) {
	laid, err := runGraphviz(ctx, []byte(dotText(d, sg, o, false)), d.layout, "dot")
	if err != nil {
		return nil, err
	}
	bb, ok := boundingBox(laid)
	if !ok {
		return nil, fmt.Errorf("graphviz gave no bounding box")
	}
	deco := decorations(d, o, bb)
	i := bytes.LastIndexByte(laid, '}')
	if i < 0 {
		return nil, fmt.Errorf("graphviz gave no graph")
	}
	out := layoutAttr.ReplaceAll(bbAttr.ReplaceAll(laid[:i], nil), nil)
	out = append(out, deco...)
	return append(out, "}\n"...), nil
}

// bbAttr is the bounding box of a laid-out graph, which nop2 computes
// again; layoutAttr the engine it names, which Graphviz would run instead
// of nop2 (laying the decorations out with the rest).
var (
	bbAttr     = regexp.MustCompile(`\bbb="[^"]*",?\s*`)
	layoutAttr = regexp.MustCompile(`\blayout=[A-Za-z0-9]+,?\s*`)
)

// boundingBox reads the graph's bb="x0,y0,x1,y1" from Graphviz's output.
func boundingBox(dot []byte) ([4]float64, bool) {
	var bb [4]float64
	m := bbAttr.Find(dot)
	if m == nil {
		return bb, false
	}
	s := string(m)
	s = s[strings.IndexByte(s, '"')+1:]
	s = s[:strings.IndexByte(s, '"')]
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return bb, false
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return bb, false
		}
		bb[i] = v
	}
	return bb, true
}

// decorations are the DOT statements of the title, the legend and the
// caption, placed around a drawing whose bounding box is bb (in points, y
// upwards): the title above, left-aligned; below, the legend's types in a
// column and its lines in another; under them the caption.
func decorations(d *drawing, o *Options, bb [4]float64) []byte {
	var b bytes.Buffer
	x0, y0, x1, y1 := bb[0], bb[1], bb[2], bb[3]
	width := max(x1-x0, 360)
	// text places a line of text with its left end at (x, y), y being the
	// line's middle: a node as wide as the text in a wide font, the text
	// justified to its left (\l).
	text := func(id, s string, x, y, size float64, bold bool, colour string) {
		w := textWidth(s, size, bold) + 2
		h := size * 1.4
		font := "Helvetica"
		if bold {
			font = "Helvetica-Bold"
		}
		label := dotQuote(s)
		label = label[:len(label)-1] + `\l"`
		fmt.Fprintf(&b, "  %s [shape=plaintext, style=\"\", fixedsize=true, margin=0, width=%.3f, height=%.3f, pos=\"%.2f,%.2f\", label=%s, fontname=%s, fontsize=%g, fontcolor=%s];\n",
			dotQuote(decorID+id), w/72, h/72, x+w/2, y, label, dotQuote(font), size, dotQuote(colour))
	}
	if !o.NoTitle {
		title := strings.Join(strings.Fields(o.Query), " ")
		if title != "" {
			lines := wrap(title, max(30, int(width/9)))
			y := y1 + 14 + titleFontSize*1.4*float64(len(lines))
			for i, l := range lines {
				text("title:"+strconv.Itoa(i), l, x0, y-titleFontSize*1.4*(float64(i)+0.5), titleFontSize, true, "#000000")
			}
		}
	}
	y := y0 - 14
	if len(d.nodes) == 0 {
		// An empty answer is a picture too: say so, rather than leave a
		// blank space under the title.
		text("empty", "The answer is empty: nothing to draw.", x0, y-smallFontSize, smallFontSize+2, false, "#555555")
		y -= 2*smallFontSize + 8
	}
	if !o.NoLegend {
		types, statuses, merged := d.legend()
		const row = 18.0
		col := 0.0
		for i, t := range types {
			cy := y - row*(float64(i)+0.5)
			attrs := append([]string{"shape=box", `style="rounded,filled"`, "fixedsize=true", "width=0.40", "height=0.20", `label=" "`,
				fmt.Sprintf("pos=\"%.2f,%.2f\"", x0+14, cy)}, nodeStyle(t)...)
			fmt.Fprintf(&b, "  %s [%s];\n", dotQuote(decorID+"type:"+t), strings.Join(attrs, ", "))
			text("type-name:"+t, t, x0+34, cy, smallFontSize+1, false, "#000000")
			col = max(col, 34+textWidth(t, smallFontSize+1, false)+4)
		}
		x := x0 + col + 24
		if len(types) == 0 {
			x = x0
		}
		for i, s := range statuses {
			cy := y - row*(float64(i)+0.5)
			a, z := dotQuote(decorID+"from:"+s), dotQuote(decorID+"to:"+s)
			fmt.Fprintf(&b, "  %s [shape=point, style=invis, width=0.01, height=0.01, label=\"\", pos=\"%.2f,%.2f\"];\n", a, x, cy)
			fmt.Fprintf(&b, "  %s [shape=point, style=invis, width=0.01, height=0.01, label=\"\", pos=\"%.2f,%.2f\"];\n", z, x+36, cy)
			attrs := append([]string{"dir=none", "penwidth=1.5", fmt.Sprintf("pos=\"%.2f,%.2f %.2f,%.2f %.2f,%.2f %.2f,%.2f\"", x, cy, x+12, cy, x+24, cy, x+36, cy),
				"tooltip=" + dotQuote(statusStyles[s].meaning)}, edgeStyle(s)...)
			fmt.Fprintf(&b, "  %s -> %s [%s];\n", a, z, strings.Join(attrs, ", "))
			text("status:"+s, statusStyles[s].meaning, x+44, cy, smallFontSize+1, false, "#000000")
		}
		rows := max(len(types), len(statuses))
		if merged {
			note := "one line per pair of nodes; ×N: N relations of a kind"
			text("note", note, x0, y-row*(float64(rows)+0.5), smallFontSize, false, "#555555")
			rows++
		}
		y -= row*float64(rows) + 6
	}
	if !o.NoCaption {
		caption := "Entente, " + o.date()
		if src := d.sources(); len(src) > 0 {
			if len(src) > 12 {
				src = append(src[:12:12], fmt.Sprintf("and %d more", len(src)-12))
			}
			caption += ". Evidence from " + strings.Join(src, ", ")
		}
		caption += "."
		lines := wrap(caption, max(40, int(width/5.5)))
		for i, l := range lines {
			text("caption:"+strconv.Itoa(i), l, x0, y-smallFontSize*1.4*(float64(i)+0.5), smallFontSize, false, "#555555")
		}
	}
	return b.Bytes()
}

// writeSVG lays the drawing out with Graphviz (compiled to WebAssembly in
// go-graphviz: no system Graphviz needed) and writes the picture, with the
// query and the time in its metadata.
func writeSVG(ctx context.Context, w io.Writer, d *drawing, sg *Subgraph, o *Options) error {
	pos, err := laidOut(ctx, d, sg, o)
	if err != nil {
		return fmt.Errorf("svg: %w", err)
	}
	svg, err := runGraphviz(ctx, pos, "nop2", "svg")
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

// writePicture writes a raster or PDF picture: the same positioned graph
// as the SVG, its drawing operations (Graphviz's json output) drawn by
// Entente.
func writePicture(ctx context.Context, w io.Writer, d *drawing, sg *Subgraph, f Format, o *Options) error {
	pos, err := laidOut(ctx, d, sg, o)
	if err != nil {
		return fmt.Errorf("%s: %w", f, err)
	}
	ops, err := runGraphviz(ctx, pos, "nop2", "json")
	if err != nil {
		return fmt.Errorf("%s: %w", f, err)
	}
	pic, err := parseDrawing(ops)
	if err != nil {
		return fmt.Errorf("%s: %w", f, err)
	}
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	switch f {
	case PNG:
		return pic.writePNG(w, o.scale(pic))
	case PDF:
		return pic.writePDF(w, o)
	}
	return fmt.Errorf("%w %q", ErrFormat, f)
}
