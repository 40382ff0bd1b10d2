package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/entente-kg/entente/render"
	"github.com/fogleman/gg"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

// A picture is the drawing operations of a laid-out graph, as Graphviz's
// json output gives them (the xdot operations of the graph, then of each
// edge, then of each node), in points with y upwards. PNG and PDF draw
// them: the same drawing as the SVG, whose renderer Graphviz compiled to
// WebAssembly has (its PNG and PDF need cairo, which it has not).
type picture struct {
	bb   [4]float64
	pad  float64
	ops  [][]xop // one list per object, in drawing order
	size [2]float64
}

// An xop is one xdot operation.
type xop struct {
	Op     string      `json:"op"`
	Color  string      `json:"color"`
	Points [][]float64 `json:"points"`
	Rect   []float64   `json:"rect"`
	Pt     []float64   `json:"pt"`
	Align  string      `json:"align"`
	Width  float64     `json:"width"`
	Text   string      `json:"text"`
	Size   float64     `json:"size"`
	Face   string      `json:"face"`
	Style  string      `json:"style"`
	Flags  int         `json:"flags"`
}

type xobject struct {
	Draw  []xop `json:"_draw_"`
	LDraw []xop `json:"_ldraw_"`
	HDraw []xop `json:"_hdraw_"`
	TDraw []xop `json:"_tdraw_"`
	HL    []xop `json:"_hldraw_"`
	TL    []xop `json:"_tldraw_"`
}

// parseDrawing reads Graphviz's json output.
func parseDrawing(data []byte) (*picture, error) {
	var g struct {
		xobject
		BB      string    `json:"bb"`
		Pad     string    `json:"pad"`
		Objects []xobject `json:"objects"`
		Edges   []xobject `json:"edges"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, fmt.Errorf("graphviz's drawing: %w", err)
	}
	p := &picture{pad: 4}
	if v, err := strconv.ParseFloat(g.Pad, 64); err == nil {
		p.pad = v * 72
	}
	parts := strings.Split(g.BB, ",")
	if len(parts) != 4 {
		return nil, errors.New("graphviz's drawing has no bounding box")
	}
	for i, s := range parts {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("graphviz's drawing: bounding box %q", g.BB)
		}
		p.bb[i] = v
	}
	p.size = [2]float64{p.bb[2] - p.bb[0] + 2*p.pad, p.bb[3] - p.bb[1] + 2*p.pad}
	p.ops = append(p.ops, g.Draw)
	for _, e := range g.Edges {
		p.ops = append(p.ops, e.Draw, e.HDraw, e.TDraw)
	}
	for _, n := range g.Objects {
		p.ops = append(p.ops, n.Draw, n.LDraw)
	}
	for _, e := range g.Edges {
		p.ops = append(p.ops, e.LDraw, e.HL, e.TL)
	}
	return p, nil
}

// The most pixels a PNG may have, and on a side (drawing one takes four
// bytes a pixel).
const (
	maxPixels = 25_000_000
	maxSide   = 16_000
)

// scale is how many pixels a point is in a PNG: Width over the picture's
// width, else DPI/72; by default 96 dpi, less for a picture that would
// be over maxPixels or maxSide at 96 dpi.
func (o *Options) scale(p *picture) float64 {
	if o.Width > 0 {
		return float64(o.Width) / p.size[0]
	}
	if o.DPI > 0 {
		return o.DPI / 72
	}
	s := 96.0 / 72
	s = min(s, math.Sqrt(maxPixels/(p.size[0]*p.size[1]))*0.999, maxSide/max(p.size[0], p.size[1]))
	return s
}

// colour parses #rrggbb or #rrggbbaa (Graphviz's colours in xdot).
func colour(s string) (r, g, b, a float64, ok bool) {
	s = strings.TrimPrefix(s, "#")
	if len(s) != 6 && len(s) != 8 {
		switch strings.ToLower(s) {
		case "black":
			return 0, 0, 0, 1, true
		case "white":
			return 1, 1, 1, 1, true
		case "transparent", "none":
			return 0, 0, 0, 0, true
		}
		return 0, 0, 0, 1, false
	}
	if len(s) == 6 {
		s += "ff"
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return 0, 0, 0, 1, false
	}
	return float64(v>>24&0xff) / 255, float64(v>>16&0xff) / 255, float64(v>>8&0xff) / 255, float64(v&0xff) / 255, true
}

// A pen is the state the operations of one list set.
type pen struct {
	stroke, fill string
	style        string
	width        float64
	size         float64
	bold         bool
}

func newPen() pen { return pen{stroke: "#000000", fill: "#000000", style: "solid", width: 1, size: 14} }

// apply updates the pen with a state operation; it reports whether op was
// one.
func (p *pen) apply(op xop) bool {
	switch op.Op {
	case "c":
		p.stroke = op.Color
	case "C":
		p.fill = op.Color
	case "S":
		switch {
		case strings.HasPrefix(op.Style, "setlinewidth("):
			if v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(op.Style, "setlinewidth("), ")"), 64); err == nil {
				p.width = v
			}
		case op.Style == "bold":
			p.width = 2
		default:
			p.style = op.Style
		}
	case "F":
		p.size = op.Size
		p.bold = strings.Contains(strings.ToLower(op.Face), "bold")
	case "t":
		p.bold = op.Flags&1 != 0
	default:
		return false
	}
	return true
}

// dashes is the dash pattern of a style, in points, as Graphviz's SVG
// draws it.
func dashes(style string) []float64 {
	switch style {
	case "dashed":
		return []float64{5, 2}
	case "dotted":
		return []float64{1, 5}
	}
	return nil
}

// faces caches font faces by size and weight while drawing one PNG.
type faces map[[2]float64]font.Face

func (fs faces) face(size float64, bold bool) (font.Face, error) {
	k := [2]float64{size, 0}
	if bold {
		k[1] = 1
	}
	if f, ok := fs[k]; ok {
		return f, nil
	}
	loadFonts()
	var src *sfnt.Font = regular
	if bold {
		src = boldFont
	}
	f, err := opentype.NewFace(src, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, err
	}
	fs[k] = f
	return f, nil
}

// writePNG draws the picture at scale pixels a point, on white.
func (p *picture) writePNG(w io.Writer, scale float64) error {
	wpx, hpx := int(p.size[0]*scale+0.5), int(p.size[1]*scale+0.5)
	if wpx < 1 || hpx < 1 || wpx > maxSide || hpx > maxSide || wpx*hpx > maxPixels {
		return fmt.Errorf("png: %s × %s pixels is more than a PNG may have (%s pixels, %s a side): ask a smaller width or dpi (%w)",
			render.Thousands(int64(wpx)), render.Thousands(int64(hpx)), render.Thousands(maxPixels), render.Thousands(maxSide), ErrTooBig)
	}
	dc := gg.NewContext(wpx, hpx)
	dc.SetRGB(1, 1, 1)
	dc.Clear()
	X := func(x float64) float64 { return (x - p.bb[0] + p.pad) * scale }
	Y := func(y float64) float64 { return (p.bb[3] - y + p.pad) * scale }
	fs := faces{}
	for _, list := range p.ops {
		pn := newPen()
		for _, op := range list {
			if pn.apply(op) {
				continue
			}
			setStroke := func() bool {
				r, g, b, a, _ := colour(pn.stroke)
				if a == 0 || pn.style == "invis" {
					return false
				}
				dc.SetRGBA(r, g, b, a)
				dc.SetLineWidth(pn.width * scale)
				if d := dashes(pn.style); d != nil {
					dc.SetDash(d[0]*scale, d[1]*scale)
				} else {
					dc.SetDash()
				}
				return true
			}
			fillThenStroke := func(filled bool) {
				if filled {
					if r, g, b, a, _ := colour(pn.fill); a > 0 && pn.style != "invis" {
						dc.SetRGBA(r, g, b, a)
						dc.FillPreserve()
					}
				}
				if setStroke() {
					dc.Stroke()
				}
				dc.ClearPath()
			}
			switch op.Op {
			case "P", "p", "L":
				if len(op.Points) == 0 {
					continue
				}
				dc.MoveTo(X(op.Points[0][0]), Y(op.Points[0][1]))
				for _, pt := range op.Points[1:] {
					dc.LineTo(X(pt[0]), Y(pt[1]))
				}
				if op.Op != "L" {
					dc.ClosePath()
				}
				fillThenStroke(op.Op == "P")
			case "B", "b":
				if len(op.Points) == 0 {
					continue
				}
				dc.MoveTo(X(op.Points[0][0]), Y(op.Points[0][1]))
				for i := 1; i+2 < len(op.Points); i += 3 {
					a, b, c := op.Points[i], op.Points[i+1], op.Points[i+2]
					dc.CubicTo(X(a[0]), Y(a[1]), X(b[0]), Y(b[1]), X(c[0]), Y(c[1]))
				}
				if op.Op == "B" {
					dc.ClosePath()
				}
				fillThenStroke(op.Op == "B")
			case "E", "e":
				if len(op.Rect) != 4 {
					continue
				}
				dc.DrawEllipse(X(op.Rect[0]), Y(op.Rect[1]), op.Rect[2]*scale, op.Rect[3]*scale)
				fillThenStroke(op.Op == "E")
			case "T":
				if len(op.Pt) != 2 || pn.style == "invis" {
					continue
				}
				f, err := fs.face(pn.size*scale, pn.bold)
				if err != nil {
					return err
				}
				r, g, b, a, _ := colour(pn.stroke)
				dc.SetRGBA(r, g, b, a)
				dc.SetFontFace(f)
				tw := measure(op.Text, pn.size, pn.bold)
				x := op.Pt[0]
				switch op.Align {
				case "c":
					x -= tw / 2
				case "r":
					x -= tw
				}
				dc.DrawString(op.Text, X(x), Y(op.Pt[1]))
			}
		}
	}
	return dc.EncodePNG(w)
}
