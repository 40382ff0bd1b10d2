package export_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"fmt"
	"image"
	pngdec "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
)

var updateDocs = flag.Bool("update-docs", false, "write the pictures docs/export.md shows (docs/pictures/*.svg)")

// The answers docs/export.md shows as pictures, and the files they go to.
var docPictures = []struct{ query, file string }{
	{"paths Japan to India max 2", "paths-japan-india.svg"},
	{"neighbors Japan", "neighbors-japan.svg"},
}

// svgDoc is what the tests read of an SVG picture.
type svgDoc struct {
	ViewBox string  `xml:"viewBox,attr"`
	Groups  []svgG  `xml:"g"`
	Texts   []svgT  // every text, in the picture's coordinates
	Nodes   []svgG  // the node groups
	Edges   []svgG  // the edge groups
	scale   float64 // of graph0
	tx, ty  float64 // its translation
	box     [4]float64
}

type svgG struct {
	ID        string `xml:"id,attr"`
	Class     string `xml:"class,attr"`
	Transform string `xml:"transform,attr"`
	Title     string `xml:"title"`
	Groups    []svgG `xml:"g"`
	Texts     []svgT `xml:"text"`
	Links     []svgG `xml:"a"`
}

type svgT struct {
	X      float64 `xml:"x,attr"`
	Y      float64 `xml:"y,attr"`
	Anchor string  `xml:"text-anchor,attr"`
	Size   float64 `xml:"font-size,attr"`
	Text   string  `xml:",chardata"`
}

var translate = regexp.MustCompile(`scale\(([\d.]+)[ ,]?[\d.]*\).*translate\(([-\d.]+)[ ,]([-\d.]+)\)`)

func parseSVG(t *testing.T, data []byte) *svgDoc {
	t.Helper()
	var d svgDoc
	if err := xml.Unmarshal(data, &d); err != nil {
		t.Fatalf("not an SVG: %v", err)
	}
	var vb []float64
	for _, f := range strings.Fields(d.ViewBox) {
		v, _ := strconv.ParseFloat(f, 64)
		vb = append(vb, v)
	}
	if len(vb) != 4 || len(d.Groups) != 1 {
		t.Fatalf("viewBox %q, %d top groups", d.ViewBox, len(d.Groups))
	}
	d.box = [4]float64{vb[0], vb[1], vb[0] + vb[2], vb[1] + vb[3]}
	g := d.Groups[0]
	m := translate.FindStringSubmatch(g.Transform)
	if m == nil {
		t.Fatalf("graph0's transform %q", g.Transform)
	}
	d.scale, _ = strconv.ParseFloat(m[1], 64)
	d.tx, _ = strconv.ParseFloat(m[2], 64)
	d.ty, _ = strconv.ParseFloat(m[3], 64)
	var walk func(g svgG)
	walk = func(g svgG) {
		switch g.Class {
		case "node":
			d.Nodes = append(d.Nodes, g)
		case "edge":
			d.Edges = append(d.Edges, g)
		}
		for _, x := range g.Texts {
			x.X = (x.X + d.tx) * d.scale
			x.Y = (x.Y + d.ty) * d.scale
			d.Texts = append(d.Texts, x)
		}
		for _, c := range g.Groups {
			walk(c)
		}
		for _, c := range g.Links {
			walk(c)
		}
	}
	walk(g)
	return &d
}

// textsOf are the texts drawn in a node or edge group.
func textsOf(g svgG) []string {
	var out []string
	for _, x := range g.Texts {
		out = append(out, x.Text)
	}
	for _, c := range append(g.Groups, g.Links...) {
		out = append(out, textsOf(c)...)
	}
	return out
}

func (d *svgDoc) hasText(s string) bool {
	for _, x := range d.Texts {
		if x.Text == s {
			return true
		}
	}
	return false
}

// viewerFont is the font a viewer draws "Helvetica,sans-Serif" with
// here, as fontconfig chooses it (DejaVu Sans, often: 20% wider than the
// Helvetica Graphviz measures with); nil without fontconfig.
var viewerFont = sync.OnceValue(func() *sfnt.Font {
	out, err := exec.Command("fc-match", "-f", "%{file}", "Helvetica").Output()
	if err != nil {
		return nil
	}
	data, err := os.ReadFile(string(out))
	if err != nil {
		return nil
	}
	f, err := sfnt.Parse(data)
	if err != nil {
		return nil
	}
	return f
})

// viewerWidth is the width of a text in the viewer's font, else 0.6 em a
// character.
func viewerWidth(s string, size float64) float64 {
	f := viewerFont()
	if f == nil {
		return 0.6 * size * float64(utf8.RuneCountInString(s))
	}
	var buf sfnt.Buffer
	w := 0.0
	for _, r := range s {
		i, err := f.GlyphIndex(&buf, r)
		a, err2 := f.GlyphAdvance(&buf, i, fixed.Int26_6(size*64), font.HintingNone)
		if err != nil || err2 != nil || i == 0 {
			w += 0.6 * size
			continue
		}
		w += float64(a) / 64
	}
	return w
}

// clipped lists the texts that reach outside the view box, each measured
// as a viewer here draws it (viewerWidth).
func (d *svgDoc) clipped() []string {
	var out []string
	for _, x := range d.Texts {
		w := viewerWidth(x.Text, x.Size) * d.scale
		left := x.X
		switch x.Anchor {
		case "middle":
			left -= w / 2
		case "end":
			left -= w
		}
		top, bottom := x.Y-x.Size*d.scale, x.Y+0.3*x.Size*d.scale
		if left < d.box[0] || left+w > d.box[2] || top < d.box[1] || bottom > d.box[3] {
			out = append(out, fmt.Sprintf("%q at x %.0f..%.0f, y %.0f..%.0f (view box %v)", x.Text, left, left+w, top, bottom, d.box))
		}
	}
	return out
}

// legend reads the legend's entries: the node groups entente-legend:type:T
// and entente-legend:status:S.
func (d *svgDoc) legend(kind string) []string {
	var out []string
	for _, n := range d.Nodes {
		if rest, ok := strings.CutPrefix(n.Title, "entente-legend:"+kind+":"); ok {
			out = append(out, rest)
		}
	}
	sort.Strings(out)
	return out
}

// lines are the edges of the graph, not of the legend.
func (d *svgDoc) lines() []svgG {
	var out []svgG
	for _, e := range d.Edges {
		if !strings.HasPrefix(e.Title, "entente-legend:") {
			out = append(out, e)
		}
	}
	return out
}

// wantLegend is what the legend must list for a subgraph: the first type
// of every node, and for every pair of nodes the status of its strongest
// relation.
func wantLegend(sg *export.Subgraph) (types, statuses []string) {
	ts, ss := map[string]bool{}, map[string]bool{}
	for _, n := range sg.Nodes {
		t := "untyped"
		if len(n.Types) > 0 {
			t = n.Types[0]
		}
		ts[t] = true
	}
	best := map[[2]string]graph.Strength{}
	for _, r := range sg.Relations {
		a, b := query.IDString(r.From.ID), query.IDString(r.To.ID)
		if a > b {
			a, b = b, a
		}
		k := [2]string{a, b}
		s := graph.StrengthOf(r.Qualifier("status"), r.Qualifier("basis"))
		if old, ok := best[k]; !ok || s < old {
			best[k] = s
		}
	}
	for _, s := range best {
		ss[s.Status()] = true
	}
	for t := range ts {
		types = append(types, t)
	}
	for s := range ss {
		statuses = append(statuses, s)
	}
	sort.Strings(types)
	sort.Strings(statuses)
	return types, statuses
}

// TestPictures draws a path answer and a neighbourhood and looks at the
// pictures: one line per pair of nodes; a legend of exactly the types and
// statuses drawn; a title and a caption; no text outside the view box;
// the path drawn from left to right; and, drawn by librsvg, a picture
// that is not blank. The SVGs are the ones docs/export.md shows
// (-update-docs writes them there).
func TestPictures(t *testing.T) {
	d := seedDB(t)
	for _, p := range docPictures {
		t.Run(p.file, func(t *testing.T) {
			res := answer(t, d, p.query)
			sg := export.SubgraphOf(res)
			var b bytes.Buffer
			if err := export.Write(context.Background(), &b, res, export.SVG, &export.Options{Query: p.query, Time: stamp}); err != nil {
				t.Fatal(err)
			}
			doc := parseSVG(t, b.Bytes())
			if n := len(doc.lines()); n != sg.Pairs() || n >= len(sg.Relations) {
				t.Errorf("%d lines for %d relations between %d pairs of nodes", n, len(sg.Relations), sg.Pairs())
			}
			types, statuses := wantLegend(sg)
			if got := doc.legend("type"); strings.Join(got, ",") != strings.Join(types, ",") {
				t.Errorf("the legend's types are %v; the picture draws %v", got, types)
			}
			if got := doc.legend("status"); strings.Join(got, ",") != strings.Join(statuses, ",") {
				t.Errorf("the legend's statuses are %v; the picture draws %v", got, statuses)
			}
			for _, want := range []string{p.query, "Entente, 27 November 2026. Evidence from ecfr-2024."} {
				if !doc.hasText(want) {
					t.Errorf("no text %q", want)
				}
			}
			if c := doc.clipped(); len(c) > 0 {
				t.Errorf("%d texts outside the view box:\n%s", len(c), strings.Join(c, "\n"))
			}
			if res.Kind == "paths" {
				checkLeftToRight(t, doc, "Japan", "India")
			}
			path := filepath.Join(t.TempDir(), p.file)
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			img := renderSVG(t, path)
			if img != nil {
				checkDrawnSize(t, img, doc)
				checkMargin(t, img)
			}
			docFile := filepath.Join("..", "docs", "pictures", p.file)
			if *updateDocs {
				if err := os.WriteFile(docFile, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if old, err := os.ReadFile(docFile); err != nil || !bytes.Equal(old, b.Bytes()) {
				t.Errorf("%s is not the picture this test makes (%v): run go test ./export -run TestPictures -update-docs", docFile, err)
			}
		})
	}
}

// checkLeftToRight: the paths' first node is left of every other node,
// and their last node right of every other.
func checkLeftToRight(t *testing.T, doc *svgDoc, first, last string) {
	t.Helper()
	xs := map[string]float64{}
	for _, n := range doc.Nodes {
		if strings.HasPrefix(n.Title, "entente-legend:") {
			continue
		}
		txt := textsOf(n)
		if len(txt) == 0 {
			continue
		}
		for _, g := range append(n.Links, n) {
			for _, x := range g.Texts {
				xs[strings.Join(txt, " ")] = x.X
			}
		}
	}
	for name, x := range xs {
		if name != first && x <= xs[first] || name != last && x >= xs[last] {
			t.Errorf("%s at x %.0f: not between %s (%.0f) and %s (%.0f)", name, x, first, xs[first], last, xs[last])
		}
	}
}

// checkMargin: nothing is drawn in the picture's outer 8 pixels (its
// padding is 29), so nothing was cut at its edge.
func checkMargin(t *testing.T, img image.Image) {
	t.Helper()
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if x >= b.Min.X+8 && x < b.Max.X-8 && y >= b.Min.Y+8 && y < b.Max.Y-8 {
				continue
			}
			if r, g, bl, _ := img.At(x, y).RGBA(); r+g+bl < 3*0xf000 {
				t.Errorf("ink at (%d, %d), at the picture's edge: something is cut", x, y)
				return
			}
		}
	}
}

// checkDrawnSize: librsvg drew the whole view box (at 96 dpi, 4/3 pixel a
// point).
func checkDrawnSize(t *testing.T, img image.Image, doc *svgDoc) {
	t.Helper()
	w := (doc.box[2] - doc.box[0]) * 4 / 3
	if dx := float64(img.Bounds().Dx()); dx < w-2 || dx > w+2 {
		t.Errorf("librsvg drew %d pixels wide; the view box is %.0f", img.Bounds().Dx(), w)
	}
}

// TestPNGAndPDF: PNG and PDF are drawn from the same positioned graph as
// the SVG: the PNG has the SVG's proportions, at 96 dpi or the width
// asked, and is not blank; the PDF is one page of the SVG's size in
// points, whose cross-reference table points at its objects.
func TestPNGAndPDF(t *testing.T) {
	d := seedDB(t)
	const q = "paths Japan to India max 2"
	res := answer(t, d, q)
	ctx := context.Background()
	var svg bytes.Buffer
	if err := export.Write(ctx, &svg, res, export.SVG, &export.Options{Query: q, Time: stamp}); err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, svg.Bytes())
	w, h := doc.box[2]-doc.box[0], doc.box[3]-doc.box[1]
	for _, o := range []*export.Options{{Query: q}, {Query: q, Width: 800}, {Query: q, DPI: 192}} {
		var b bytes.Buffer
		if err := export.Write(ctx, &b, res, export.PNG, o); err != nil {
			t.Fatal(err)
		}
		img, err := pngdec.Decode(&b)
		if err != nil {
			t.Fatal(err)
		}
		wantW := w * 4 / 3
		switch {
		case o.Width > 0:
			wantW = float64(o.Width)
		case o.DPI > 0:
			wantW = w * o.DPI / 72
		}
		dx, dy := float64(img.Bounds().Dx()), float64(img.Bounds().Dy())
		if dx < wantW-2 || dx > wantW+2 || dy < wantW*h/w-2 || dy > wantW*h/w+2 {
			t.Errorf("%+v: a PNG of %.0f×%.0f, want %.0f×%.0f", o, dx, dy, wantW, wantW*h/w)
		}
		if ink := inked(img); ink < 0.02 {
			t.Errorf("%+v: %.1f%% ink: blank", o, 100*ink)
		}
		checkMargin(t, img)
	}
	var b bytes.Buffer
	if err := export.Write(ctx, &b, res, export.PDF, &export.Options{Query: q, Time: stamp}); err != nil {
		t.Fatal(err)
	}
	pdf := b.String()
	if !strings.HasPrefix(pdf, "%PDF-1.4\n") || !strings.HasSuffix(pdf, "%%EOF\n") {
		t.Fatalf("not a PDF: %.40q … %.20q", pdf, pdf[len(pdf)-20:])
	}
	if want := fmt.Sprintf("/MediaBox [0 0 %s %s]", trim(w), trim(h)); !strings.Contains(pdf, want) {
		t.Errorf("no %s (the SVG's size)", want)
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindStringSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref")
	}
	at, _ := strconv.Atoi(m[1])
	if !strings.HasPrefix(pdf[at:], "xref\n0 8\n") {
		t.Fatalf("startxref %d points at %.20q", at, pdf[at:])
	}
	for i, line := range strings.Split(pdf[at:], "\n")[3:10] {
		off, _ := strconv.Atoi(line[:10])
		if want := fmt.Sprintf("%d 0 obj\n", i+1); !strings.HasPrefix(pdf[off:], want) {
			t.Errorf("object %d: the table points at %.12q", i+1, pdf[off:])
		}
	}
	for _, want := range []string{"(Japan) Tj", "(paths Japan to India max 2) Tj", "/BaseFont /Helvetica"} {
		if !strings.Contains(pdf, want) {
			t.Errorf("the PDF has no %s", want)
		}
	}
	checkPDF(t, writeTemp(t, "p.pdf", b.Bytes()), w, h, "paths Japan to India max 2", "Japan", "defence_cooperation ×2")
}

// checkPDF hands the PDF to poppler, where installed (poppler-utils):
// pdfinfo reads one page of the size wanted, pdftotext finds the texts,
// and pdftoppm draws a picture that is not blank.
func checkPDF(t *testing.T, path string, w, h float64, texts ...string) {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Log("no pdftoppm here (poppler-utils): the PDF is not drawn")
		return
	}
	info, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	if want := fmt.Sprintf("Page size:       %s x %s pts", trim(w), trim(h)); !strings.Contains(string(info), "Pages:           1\n") || !strings.Contains(string(info), want) {
		t.Errorf("pdfinfo: want one page, %s:\n%s", want, info)
	}
	txt, err := exec.Command("pdftotext", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, txt)
	}
	for _, want := range texts {
		if !strings.Contains(string(txt), want) {
			t.Errorf("pdftotext finds no %q", want)
		}
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "72", "-singlefile", path, strings.TrimSuffix(path, ".pdf")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(strings.TrimSuffix(path, ".pdf") + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := pngdec.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if ink := inked(img); ink < 0.02 {
		t.Errorf("poppler draws the PDF with %.1f%% ink: blank", 100*ink)
	}
}

func trim(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

func writeTemp(t *testing.T, name string, data []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// inked is the share of pixels that are not white.
func inked(img image.Image) float64 {
	b := img.Bounds()
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r+g+bl < 3*0xf000 {
				ink++
			}
		}
	}
	return float64(ink) / float64(b.Dx()*b.Dy())
}

// TestAllEdgesAndBare: --all-edges draws every relation; --bare leaves out
// the title, the legend and the caption; --layout is obeyed.
func TestAllEdgesAndBare(t *testing.T) {
	d := seedDB(t)
	const q = "paths Japan to India max 2"
	res := answer(t, d, q)
	sg := export.SubgraphOf(res)
	var b bytes.Buffer
	if err := export.Write(context.Background(), &b, res, export.SVG, &export.Options{Query: q, AllEdges: true, NoTitle: true, NoLegend: true, NoCaption: true, Layout: "neato"}); err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, b.Bytes())
	if n := len(doc.lines()); n != len(sg.Relations) {
		t.Errorf("all edges: %d lines for %d relations", n, len(sg.Relations))
	}
	if n := len(doc.Nodes); n != len(sg.Nodes) {
		t.Errorf("bare: %d nodes drawn for %d", n, len(sg.Nodes))
	}
	if doc.hasText(q) {
		t.Error("bare: a title")
	}
	var dot bytes.Buffer
	if err := export.Write(context.Background(), &dot, res, export.DOT, &export.Options{Query: q, Layout: "neato"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dot.String(), "layout=neato") {
		t.Error("the DOT file does not name its layout")
	}
	if err := export.Write(context.Background(), &dot, res, export.SVG, &export.Options{Layout: "spring"}); err == nil || !strings.Contains(err.Error(), `unknown layout "spring" (dot, twopi, neato, sfdp, circo, fdp)`) {
		t.Errorf("an unknown layout: %v", err)
	}
}
