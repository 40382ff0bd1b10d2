package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"image"
	pngdec "image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/cayleygraph/quad/nquads"
	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/render"
	"github.com/entente-kg/entente/seeds"
	"github.com/goccy/go-graphviz"
	"github.com/piprate/json-gold/ld"
)

var (
	once sync.Once
	db   *graph.DB
)

func seedDB(t testing.TB) *graph.DB {
	once.Do(func() {
		var err error
		db, err = graph.Open("", &graph.Options{InMemory: true})
		if err != nil {
			panic(err)
		}
		if _, err := loader.LoadSources(context.Background(), db, seeds.Sources(), nil); err != nil {
			panic(err)
		}
	})
	return db
}

const neighborhood = "neighbors Japan depth 1"

func answer(t testing.TB, d *graph.DB, src string) *query.Result {
	res, err := query.Run(context.Background(), d, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func jsonLines(t testing.TB, res *query.Result) string {
	var b bytes.Buffer
	if err := render.WriteJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var stamp = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// exportAll writes the neighbourhood of Japan in every format.
func exportAll(t *testing.T) (dir string, sg *export.Subgraph) {
	dir = t.TempDir()
	d := seedDB(t)
	res := answer(t, d, neighborhood)
	for _, f := range export.Formats {
		path := filepath.Join(dir, "japan."+string(f))
		if _, err := export.WriteFile(context.Background(), path, res, f, &export.Options{Query: neighborhood, Time: stamp, DB: d}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	return dir, export.SubgraphOf(res)
}

func read(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// python runs a Python check, if Python is installed.
func python(t *testing.T, script string, args ...string) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Log("no python3 here: the Python consumer checks are skipped")
		return
	}
	out, err := exec.Command(py, append([]string{"-c", script}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
}

func TestGraphML(t *testing.T) {
	dir, sg := exportAll(t)
	path := filepath.Join(dir, "japan.graphml")
	var doc struct {
		Keys []struct {
			ID   string `xml:"id,attr"`
			For  string `xml:"for,attr"`
			Name string `xml:"attr.name,attr"`
			Type string `xml:"attr.type,attr"`
		} `xml:"key"`
		Graph struct {
			Data  []struct{ Key, Value string } `xml:"data"`
			Nodes []struct {
				ID   string `xml:"id,attr"`
				Data []struct {
					Key   string `xml:"key,attr"`
					Value string `xml:",chardata"`
				} `xml:"data"`
			} `xml:"node"`
			Edges []struct {
				Source string `xml:"source,attr"`
				Target string `xml:"target,attr"`
				Data   []struct {
					Key   string `xml:"key,attr"`
					Value string `xml:",chardata"`
				} `xml:"data"`
			} `xml:"edge"`
		} `xml:"graph"`
	}
	if err := xml.Unmarshal(read(t, path), &doc); err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, k := range doc.Keys {
		keys[k.For+"/"+k.Name] = k.Type
	}
	for _, k := range []string{"node/name", "node/type", "node/aliases", "edge/kind", "edge/status", "edge/evidence", "edge/locators", "graph/query", "graph/created"} {
		if keys[k] == "" {
			t.Errorf("no typed key %s: %v", k, keys)
		}
	}
	if len(doc.Graph.Nodes) != len(sg.Nodes) || len(doc.Graph.Edges) != len(sg.Relations) {
		t.Fatalf("%d nodes, %d edges; want %d, %d", len(doc.Graph.Nodes), len(doc.Graph.Edges), len(sg.Nodes), len(sg.Relations))
	}
	ids := map[string]bool{}
	for _, n := range doc.Graph.Nodes {
		ids[n.ID] = true
	}
	evidence := 0
	for _, e := range doc.Graph.Edges {
		if !ids[e.Source] || !ids[e.Target] {
			t.Fatalf("edge %s → %s to an unknown node", e.Source, e.Target)
		}
		for _, d := range e.Data {
			if d.Key == "e_evidence" && strings.Contains(d.Value, "ecfr-2024") {
				evidence++
			}
		}
	}
	if evidence != len(doc.Graph.Edges) {
		t.Fatalf("%d of %d edges carry evidence", evidence, len(doc.Graph.Edges))
	}
	python(t, `
import sys, xml.etree.ElementTree as ET
ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
root = ET.parse(sys.argv[1]).getroot()
g = root.find("g:graph", ns)
nodes = g.findall("g:node", ns); edges = g.findall("g:edge", ns)
assert len(nodes) == int(sys.argv[2]) and len(edges) == int(sys.argv[3]), (len(nodes), len(edges))
`, path, itoa(len(sg.Nodes)), itoa(len(sg.Relations)))
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int) string {
	var b []byte
	if n == 0 {
		return "0"
	}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestGEXF(t *testing.T) {
	dir, sg := exportAll(t)
	path := filepath.Join(dir, "japan.gexf")
	var doc struct {
		Meta struct {
			Description string `xml:"description"`
		} `xml:"meta"`
		Graph struct {
			Attributes []struct {
				Class string `xml:"class,attr"`
				Attrs []struct {
					Title string `xml:"title,attr"`
				} `xml:"attribute"`
			} `xml:"attributes"`
			Nodes []struct {
				ID    string `xml:"id,attr"`
				Label string `xml:"label,attr"`
			} `xml:"nodes>node"`
			Edges []struct {
				Source string `xml:"source,attr"`
				Target string `xml:"target,attr"`
				Label  string `xml:"label,attr"`
			} `xml:"edges>edge"`
		} `xml:"graph"`
	}
	if err := xml.Unmarshal(read(t, path), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Meta.Description, neighborhood) || len(doc.Graph.Nodes) != len(sg.Nodes) || len(doc.Graph.Edges) != len(sg.Relations) {
		t.Fatalf("description %q, %d nodes, %d edges", doc.Meta.Description, len(doc.Graph.Nodes), len(doc.Graph.Edges))
	}
	python(t, `
import sys, xml.etree.ElementTree as ET
ns = {"x": "http://gexf.net/1.3"}
root = ET.parse(sys.argv[1]).getroot()
assert len(root.findall(".//x:node", ns)) == int(sys.argv[2])
assert len(root.findall(".//x:edge", ns)) == int(sys.argv[3])
`, path, itoa(len(sg.Nodes)), itoa(len(sg.Relations)))
}

// TestDOTAndSVG: Graphviz itself (go-graphviz's build of it) parses the DOT
// file, and the SVG is a well-formed picture naming the nodes.
func TestDOTAndSVG(t *testing.T) {
	dir, sg := exportAll(t)
	dot := read(t, filepath.Join(dir, "japan.dot"))
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		t.Fatalf("Graphviz does not parse the DOT file: %v", err)
	}
	n, e := 0, 0
	for node, _ := g.FirstNode(); node != nil; node, _ = g.NextNode(node) {
		n++
		for edge, _ := g.FirstOut(node); edge != nil; edge, _ = g.NextOut(edge) {
			e++
		}
	}
	g.Close()
	if pairs := distinctPairs(sg); n != len(sg.Nodes) || e != pairs {
		t.Fatalf("Graphviz sees %d nodes, %d edges; want %d nodes, and one edge for each of the %d pairs of nodes the %d relations join", n, e, len(sg.Nodes), pairs, len(sg.Relations))
	}
	if !strings.Contains(string(dot), "style=dashed") {
		t.Error("no proposed link is dashed")
	}
	if dotBin, err := exec.LookPath("dot"); err == nil {
		out, err := exec.Command(dotBin, "-Tsvg", filepath.Join(dir, "japan.dot")).CombinedOutput()
		if err != nil {
			t.Fatalf("system Graphviz: %v\n%s", err, out)
		}
	}
	svg := read(t, filepath.Join(dir, "japan.svg"))
	var root struct {
		XMLName xml.Name
		Width   string `xml:"width,attr"`
	}
	if err := xml.Unmarshal(svg, &root); err != nil || root.XMLName.Local != "svg" || root.Width == "" {
		t.Fatalf("not an SVG picture: %v %v", err, root.XMLName)
	}
	for _, want := range []string{">Japan<", ">South Korea<", ">security_pact<", "<metadata>", "stroke-dasharray"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("the SVG lacks %q", want)
		}
	}
	python(t, `
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag.endswith("svg"), root.tag
texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
assert "Japan" in texts, texts[:10]
`, filepath.Join(dir, "japan.svg"))
	renderSVG(t, filepath.Join(dir, "japan.svg"))
}

// renderSVG draws the SVG with librsvg, if installed, and checks that the
// picture is not blank: a fair share of its pixels are ink. It returns
// the drawing, nil when librsvg is missing.
func renderSVG(t *testing.T, path string) image.Image {
	bin, err := exec.LookPath("rsvg-convert")
	if err != nil {
		t.Log("no rsvg-convert here (librsvg2-bin): the SVG is not drawn")
		return nil
	}
	png := path + ".png"
	if out, err := exec.Command(bin, "-b", "white", "-o", png, path).CombinedOutput(); err != nil {
		t.Fatalf("rsvg-convert: %v\n%s", err, out)
	}
	f, err := os.Open(png)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := pngdec.Decode(f)
	if err != nil {
		t.Fatalf("the drawn SVG is not a PNG: %v", err)
	}
	b := img.Bounds()
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r+g+bl < 3*0xf000 {
				ink++
			}
		}
	}
	if b.Dx() < 200 || b.Dy() < 100 || ink < b.Dx()*b.Dy()/100 {
		t.Fatalf("the drawn SVG is %dx%d with %d inked pixels: not a picture of the graph", b.Dx(), b.Dy(), ink)
	}
	t.Logf("drawn by librsvg: %dx%d, %.1f%% ink", b.Dx(), b.Dy(), 100*float64(ink)/float64(b.Dx()*b.Dy()))
	return img
}

// roundTrips are the answers whose N-Quads and JSON-LD exports must load
// into an empty store and answer the same: a neighbourhood, paths with
// their parallel relations (every relation but the lapsed: capped at 100,
// and all of them), and a card whose relations include parallel ones
// (Japan's three tariff_exposure relations to the United States, one
// statement each).
var roundTrips = []string{neighborhood, "paths Japan to India including proposed", "paths Japan to India including proposed limit 1000", "show Japan"}

// TestNQuadsRoundTrip: the N-Quads and JSON-LD exports load into an empty
// store, which then holds every relation of the subgraph and gives the
// same answers to the same query.
func TestNQuadsRoundTrip(t *testing.T) {
	d := seedDB(t)
	for _, q := range roundTrips {
		res := answer(t, d, q)
		sg := export.SubgraphOf(res)
		for _, f := range []export.Format{export.NQuads, export.JSONLD} {
			t.Run(q+"/"+string(f), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "answer."+string(f))
				if _, err := export.WriteFile(context.Background(), path, res, f, &export.Options{Query: q, Time: stamp, DB: d}); err != nil {
					t.Fatal(err)
				}
				fresh, err := graph.Open("", &graph.Options{InMemory: true})
				if err != nil {
					t.Fatal(err)
				}
				defer fresh.Close()
				if _, err := loader.Load(context.Background(), fresh, []string{path}, &loader.Options{Strict: f == export.NQuads}); err != nil {
					t.Fatal(err)
				}
				st, err := fresh.Stats(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if st.Relations != int64(len(sg.Relations)) {
					t.Errorf("%d relations loaded back, want the subgraph's %d", st.Relations, len(sg.Relations))
				}
				again := answer(t, fresh, q)
				if res.Capped {
					samePaths(t, d, fresh, res, again)
				} else if want, got := canonical(t, res), canonical(t, again); got != want {
					t.Fatalf("the re-loaded export answers differently:\nwant %s\n got %s", want, got)
				}
				// The evidence of a link in the subgraph comes along too.
				w := "why Japan Australia"
				if a, b := jsonLines(t, answer(t, d, w)), jsonLines(t, answer(t, fresh, w)); a != b {
					t.Fatalf("%s differs:\nwant %s\n got %s", w, a, b)
				}
			})
		}
	}
}

// canonical is an answer's JSON lines with the relations of a card in one
// order. A card orders its relations by kind, direction and the other
// end, and parallel relations (one kind between the same two entities)
// as the store happens to hold them, which a re-loaded store may not.
func canonical(t *testing.T, res *query.Result) string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(jsonLines(t, res)), "\n") {
		var row map[string]interface{}
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatal(err)
		}
		if rels, ok := row["relations"].([]interface{}); ok {
			texts := make([]string, len(rels))
			for i, r := range rels {
				b, _ := json.Marshal(r)
				texts[i] = string(b)
			}
			sort.Strings(texts)
			row["relations"] = texts
		}
		b, _ := json.Marshal(row)
		out = append(out, string(b))
	}
	return strings.Join(out, "\n")
}

// samePaths checks a capped paths answer against its re-loaded export:
// the search stops at the cap in the order the store holds the graph, so
// the re-loaded store may show other paths; but it holds every path of
// the answer, holds only paths of the original graph, and shows as many.
func samePaths(t *testing.T, orig, fresh *graph.DB, res, again *query.Result) {
	t.Helper()
	if len(again.Rows) != len(res.Rows) || again.Note != res.Note {
		t.Fatalf("%d paths (%s), want %d (%s)", len(again.Rows), again.Note, len(res.Rows), res.Note)
	}
	all := func(d *graph.DB) map[string]bool {
		r := answer(t, d, res.Statement+" limit 100000")
		if r.Capped {
			t.Fatalf("%s: capped", r.Statement)
		}
		set := map[string]bool{}
		for _, row := range r.Rows {
			set[render.Text(row[0])] = true
		}
		return set
	}
	inOrig, inFresh := all(orig), all(fresh)
	for _, row := range res.Rows {
		if p := render.Text(row[0]); !inFresh[p] {
			t.Errorf("the re-loaded store lacks the path %s", p)
		}
	}
	for p := range inFresh {
		if !inOrig[p] {
			t.Errorf("the re-loaded store has a path the graph has not: %s", p)
		}
	}
}

// TestParallelRelations: relations that share subject, kind and object
// but not their statement are each written, in every format.
func TestParallelRelations(t *testing.T) {
	d := seedDB(t)
	const q = "show Japan"
	res := answer(t, d, q)
	stmts := map[string]bool{}
	for _, r := range export.SubgraphOf(res).Relations {
		if r.Kind == "tariff_exposure" && query.IDString(r.To.ID) == "entity:united-states" {
			stmts[query.IDString(r.Stmt)] = true
		}
	}
	if len(stmts) != 3 {
		t.Fatalf("the subgraph has %d tariff_exposure relations from Japan to the United States, want 3: %v", len(stmts), stmts)
	}
	for _, f := range []export.Format{export.NQuads, export.JSONLD, export.GraphML, export.GEXF, export.DOT, export.Cytoscape} {
		var b bytes.Buffer
		if err := export.Write(context.Background(), &b, res, f, &export.Options{Query: q, Time: stamp, DB: d}); err != nil {
			t.Fatal(err)
		}
		for s := range stmts {
			if !strings.Contains(b.String(), s) {
				t.Errorf("%s: no relation of statement %s", f, s)
			}
		}
		if f == export.NQuads {
			n := 0
			for _, line := range strings.Split(b.String(), "\n") {
				if strings.HasPrefix(line, "<entity:japan> <rel:tariff_exposure> <entity:united-states> ") {
					n++
				}
			}
			if n != 3 {
				t.Errorf("N-Quads: %d tariff_exposure quads from Japan to the United States, want 3", n)
			}
		}
	}
}

// TestJSONLDIsTheNQuads: a standard JSON-LD 1.1 processor (json-gold)
// reads the JSON-LD export as exactly the N-Quads export's quads: the
// relations in their statements' graphs, everything else in the default
// graph, and nothing about the export itself.
func TestJSONLDIsTheNQuads(t *testing.T) {
	d := seedDB(t)
	for _, q := range roundTrips {
		res := answer(t, d, q)
		o := &export.Options{Query: q, Time: stamp, DB: d}
		var nq, jl bytes.Buffer
		if err := export.Write(context.Background(), &nq, res, export.NQuads, o); err != nil {
			t.Fatal(err)
		}
		if err := export.Write(context.Background(), &jl, res, export.JSONLD, o); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		r := nquads.NewReader(&nq, false)
		for {
			qd, err := r.ReadQuad()
			if err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			want[qd.NQuad()] = true
		}
		var doc interface{}
		if err := json.Unmarshal(jl.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		opts := ld.NewJsonLdOptions("")
		opts.ProcessingMode = ld.JsonLd_1_1
		out, err := ld.NewJsonLdProcessor().ToRDF(doc, opts)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for g, quads := range out.(*ld.RDFDataset).Graphs {
			var label quad.Value
			if g != "@default" {
				label = quad.IRI(g)
			}
			for _, x := range quads {
				got[quad.Quad{Subject: ldValue(x.Subject), Predicate: ldValue(x.Predicate), Object: ldValue(x.Object), Label: label}.NQuad()] = true
			}
		}
		for k := range want {
			if !got[k] {
				t.Errorf("%s: JSON-LD lacks %s", q, k)
			}
		}
		for k := range got {
			if !want[k] {
				t.Errorf("%s: JSON-LD has %s, which the N-Quads export has not", q, k)
			}
		}
		if len(want) < 100 {
			t.Errorf("%s: only %d quads", q, len(want))
		}
	}
}

func ldValue(n ld.Node) quad.Value {
	switch n := n.(type) {
	case *ld.IRI:
		return quad.IRI(n.Value)
	case *ld.BlankNode:
		return quad.BNode(strings.TrimPrefix(n.Attribute, "_:"))
	case *ld.Literal:
		switch {
		case n.Language != "":
			return quad.LangString{Value: quad.String(n.Value), Lang: n.Language}
		case n.Datatype == "" || n.Datatype == ld.XSDString:
			return quad.String(n.Value)
		}
		return quad.TypedString{Value: quad.String(n.Value), Type: quad.IRI(n.Datatype)}
	}
	return nil
}

func TestCSV(t *testing.T) {
	dir, sg := exportAll(t)
	edges := filepath.Join(dir, "japan.csv")
	r := csv.NewReader(bytes.NewReader(read(t, edges)))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if h := strings.Join(recs[0], ","); !strings.HasPrefix(h, "subject,relation,object,status,") || !strings.Contains(h, ",basis,") ||
		!strings.HasSuffix(h, ",subject_type,object_type,id,relation_note,source,locator,note") {
		t.Fatalf("header %v", recs[0])
	}
	if len(recs)-1 < len(sg.Relations) {
		t.Fatalf("%d records for %d relations", len(recs)-1, len(sg.Relations))
	}
	nr := csv.NewReader(bytes.NewReader(read(t, filepath.Join(dir, "japan.nodes.csv"))))
	nr.Comment = '#'
	nodes, err := nr.ReadAll()
	if err != nil || len(nodes)-1 != len(sg.Nodes) {
		t.Fatalf("nodes file: %d records, %v", len(nodes), err)
	}
	if !strings.Contains(string(read(t, edges)), "# query: "+neighborhood) {
		t.Error("the CSV does not record the query")
	}
	// Entente's own CSV loader reads it back into an empty store.
	fresh, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if _, err := loader.Load(context.Background(), fresh, []string{edges}, nil); err != nil {
		t.Fatalf("loading the CSV export: %v", err)
	}
	st, _ := fresh.Stats(context.Background())
	if st.Relations != int64(len(sg.Relations)) {
		t.Fatalf("%d relations loaded back, want %d", st.Relations, len(sg.Relations))
	}
}

func TestCytoscape(t *testing.T) {
	dir, sg := exportAll(t)
	var doc struct {
		Data     map[string]string `json:"data"`
		Elements struct {
			Nodes []struct {
				Data map[string]interface{} `json:"data"`
			} `json:"nodes"`
			Edges []struct {
				Data map[string]interface{} `json:"data"`
			} `json:"edges"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(read(t, filepath.Join(dir, "japan.cytoscape")), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Data["query"] != neighborhood || doc.Data["created"] != "2026-11-27T12:00:00Z" {
		t.Fatalf("data %v", doc.Data)
	}
	ids := map[string]bool{}
	for _, n := range doc.Elements.Nodes {
		ids[n.Data["id"].(string)] = true
	}
	if len(ids) != len(sg.Nodes) || len(doc.Elements.Edges) != len(sg.Relations) {
		t.Fatalf("%d nodes, %d edges", len(ids), len(doc.Elements.Edges))
	}
	for _, e := range doc.Elements.Edges {
		if !ids[e.Data["source"].(string)] || !ids[e.Data["target"].(string)] {
			t.Fatalf("edge to an unknown node: %v", e.Data)
		}
		if ev, ok := e.Data["evidence"].([]interface{}); !ok || len(ev) == 0 {
			t.Fatalf("edge without evidence: %v", e.Data)
		}
	}
}

// TestSubgraphOfPaths: a path answer exports its nodes, its hops and their
// parallel relations.
func TestSubgraphOfPaths(t *testing.T) {
	res := answer(t, seedDB(t), "path Japan to India where status != proposed")
	sg := export.SubgraphOf(res)
	if len(sg.Nodes) < 3 || len(sg.Relations) < 2 {
		t.Fatalf("%d nodes, %d relations", len(sg.Nodes), len(sg.Relations))
	}
	var b bytes.Buffer
	if err := export.Write(context.Background(), &b, res, export.NQuads, nil); err == nil {
		t.Fatal("N-Quads without the store should fail")
	}
}

func TestFormats(t *testing.T) {
	for name, want := range map[string]export.Format{"a.graphml": export.GraphML, "b.GEXF": export.GEXF, "c.gv": export.DOT, "d.nq": export.NQuads, "e.jsonld": export.JSONLD, "f.cyjs": export.Cytoscape, "g.PNG": export.PNG, "h.pdf": export.PDF} {
		if f, ok := export.FormatOf(name); !ok || f != want {
			t.Errorf("%s: %v", name, f)
		}
	}
	if _, err := export.ParseFormat("jpeg"); err == nil {
		t.Error("jpeg accepted")
	}
}

// TestGizmo: a Gizmo answer exports the nodes it returns, with their
// names, types and aliases, and the relations between the nodes of each
// result; its rows still print as Cayley writes nodes; its N-Quads export
// answers the same program again; and an answer of mere values is an
// error, with no file written.
func TestGizmo(t *testing.T) {
	d := seedDB(t)
	ctx := context.Background()
	gizmo := func(t *testing.T, d *graph.DB, src string) *query.Result {
		res, err := query.Gizmo(ctx, d.QuadStore(), src, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	t.Run("nodes", func(t *testing.T) {
		const src = `g.V("<entity:japan>").Out("<rel:security_pact>").All()`
		res := gizmo(t, d, src)
		if got := jsonLines(t, res); got != "{\"id\":\"<entity:australia>\"}\n{\"id\":\"<entity:philippines>\"}\n" {
			t.Fatalf("the rows print as %q", got)
		}
		var b bytes.Buffer
		if err := export.Write(ctx, &b, res, export.GraphML, &export.Options{Query: src, Time: stamp}); err != nil {
			t.Fatal(err)
		}
		doc := parseGraphML(t, b.Bytes())
		if len(doc.Graph.Nodes) != 2 || len(doc.Graph.Edges) != 0 {
			t.Fatalf("%d nodes, %d edges; want 2, 0", len(doc.Graph.Nodes), len(doc.Graph.Edges))
		}
		for _, n := range doc.Graph.Nodes {
			attrs := map[string]string{}
			for _, d := range n.Data {
				attrs[d.Key] = d.Value
			}
			if attrs["n_type"] != "Country" || attrs["n_name"] == "" || attrs["n_aliases"] == "" {
				t.Errorf("node %s: %v", n.ID, attrs)
			}
		}
	})
	t.Run("tags", func(t *testing.T) {
		const src = `g.V("<entity:japan>").Tag("from").Out("<rel:security_pact>").All()`
		res := gizmo(t, d, src)
		sg := export.SubgraphOf(res)
		if len(sg.Nodes) != 3 || len(sg.Relations) != 2 {
			t.Fatalf("%d nodes, %d relations; want 3, 2", len(sg.Nodes), len(sg.Relations))
		}
		for _, r := range sg.Relations {
			if r.Kind != "security_pact" || r.From.Name != "Japan" || r.Stmt == nil || len(r.Evidence) == 0 || r.Qualifier("basis") == "" {
				t.Errorf("relation %s —%s→ %s, statement %v, %d evidence, %v", r.From.Label(), r.Kind, r.To.Label(), r.Stmt, len(r.Evidence), r.Qualifiers)
			}
		}
		path := filepath.Join(t.TempDir(), "pacts.nq")
		if _, err := export.WriteFile(ctx, path, res, export.NQuads, &export.Options{Query: src, Time: stamp, DB: d}); err != nil {
			t.Fatal(err)
		}
		fresh, err := graph.Open("", &graph.Options{InMemory: true})
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		if _, err := loader.Load(ctx, fresh, []string{path}, &loader.Options{Strict: true}); err != nil {
			t.Fatal(err)
		}
		if want, got := jsonLines(t, res), jsonLines(t, gizmo(t, fresh, src)); got != want {
			t.Fatalf("the re-loaded export answers differently:\nwant %s\n got %s", want, got)
		}
	})
	for _, src := range []string{
		`g.V("<entity:japan>").Out("<schema:name>").All()`,
		`g.Emit(g.V("<entity:japan>").Out().Count())`,
	} {
		t.Run("values", func(t *testing.T) {
			res := gizmo(t, d, src)
			if len(res.Rows) == 0 {
				t.Fatal("no rows")
			}
			path := filepath.Join(t.TempDir(), "values.graphml")
			_, err := export.WriteFile(ctx, path, res, export.GraphML, &export.Options{Query: src})
			if !errors.Is(err, export.ErrNoGraph) {
				t.Fatalf("%s: error %v, want ErrNoGraph", src, err)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("%s: a file was written", src)
			}
			if err := export.Write(ctx, io.Discard, res, export.DOT, nil); !errors.Is(err, export.ErrNoGraph) {
				t.Fatalf("%s: Write: %v, want ErrNoGraph", src, err)
			}
		})
	}
}

type graphML struct {
	Keys []struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	} `xml:"key"`
	Graph struct {
		Data []struct {
			Key   string `xml:"key,attr"`
			Value string `xml:",chardata"`
		} `xml:"data"`
		Nodes []struct {
			ID   string `xml:"id,attr"`
			Data []struct {
				Key   string `xml:"key,attr"`
				Value string `xml:",chardata"`
			} `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			Data []struct {
				Key   string `xml:"key,attr"`
				Value string `xml:",chardata"`
			} `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

func parseGraphML(t *testing.T, b []byte) *graphML {
	var doc graphML
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// TestStableSchema: GraphML and GEXF declare every edge attribute — the
// data model's qualifiers, status first, and the evidence — whether or not
// the export's relations have a value for it, and every edge has a status.
// "why Japan Australia" is one relation with no stored status.
func TestStableSchema(t *testing.T) {
	const q = "why Japan Australia"
	res := answer(t, seedDB(t), q)
	want := append(graph.QualifierNames(), "statement", "evidence_count", "evidence", "locators", "sources")
	var b bytes.Buffer
	if err := export.Write(context.Background(), &b, res, export.GraphML, &export.Options{Query: q, Time: stamp}); err != nil {
		t.Fatal(err)
	}
	doc := parseGraphML(t, b.Bytes())
	declared := map[string]bool{}
	for _, k := range doc.Keys {
		if k.For == "edge" {
			declared[k.Name] = true
		}
	}
	for _, k := range want {
		if !declared[k] {
			t.Errorf("GraphML declares no edge key %s", k)
		}
	}
	for _, e := range doc.Graph.Edges {
		status := ""
		for _, d := range e.Data {
			if d.Key == "e_status" {
				status = d.Value
			}
		}
		if status != "existing" {
			t.Errorf("GraphML edge status %q, want existing", status)
		}
	}
	b.Reset()
	if err := export.Write(context.Background(), &b, res, export.GEXF, &export.Options{Query: q, Time: stamp}); err != nil {
		t.Fatal(err)
	}
	var gexf struct {
		Attributes []struct {
			Class string `xml:"class,attr"`
			Attrs []struct {
				ID    string `xml:"id,attr"`
				Title string `xml:"title,attr"`
			} `xml:"attribute"`
		} `xml:"graph>attributes"`
		Edges []struct {
			Values []struct {
				For   string `xml:"for,attr"`
				Value string `xml:"value,attr"`
			} `xml:"attvalues>attvalue"`
		} `xml:"graph>edges>edge"`
	}
	if err := xml.Unmarshal(b.Bytes(), &gexf); err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for _, a := range gexf.Attributes {
		if a.Class == "edge" {
			for _, x := range a.Attrs {
				titles[x.Title] = x.ID
			}
		}
	}
	for _, k := range want {
		if titles[k] == "" {
			t.Errorf("GEXF declares no edge attribute %s", k)
		}
	}
	for _, e := range gexf.Edges {
		status := ""
		for _, v := range e.Values {
			if v.For == titles["status"] {
				status = v.Value
			}
		}
		if status != "existing" {
			t.Errorf("GEXF edge status %q, want existing", status)
		}
	}
}

// TestQueryAndTime: every file of every format records the query and the
// time of the export, read back as each format's readers see them. The
// query has quotes, an ampersand and angle brackets to escape.
func TestQueryAndTime(t *testing.T) {
	const q = `path "South Korea" to <entity:india> directed`
	const created = "2026-11-27T12:00:00Z"
	d := seedDB(t)
	res := answer(t, d, q)
	dir := t.TempDir()
	files := map[export.Format][]string{}
	for _, f := range export.Formats {
		fs, err := export.WriteFile(context.Background(), filepath.Join(dir, "p."+string(f)), res, f, &export.Options{Query: q, Time: stamp, DB: d})
		if err != nil {
			t.Fatal(err)
		}
		files[f] = fs
	}
	check := func(f export.Format, what, query, time string) {
		t.Helper()
		if !strings.Contains(query, q) || !strings.Contains(time, created) {
			t.Errorf("%s: %s records the query %q and the time %q", f, what, query, time)
		}
	}
	// GraphML: the graph's query and created attributes.
	g := parseGraphML(t, read(t, files[export.GraphML][0]))
	attrs := map[string]string{}
	for _, d := range g.Graph.Data {
		attrs[d.Key] = d.Value
	}
	check(export.GraphML, "the graph data", attrs["g_query"], attrs["g_created"])
	// GEXF: the meta description.
	var gexf struct {
		Description string `xml:"meta>description"`
	}
	if err := xml.Unmarshal(read(t, files[export.GEXF][0]), &gexf); err != nil {
		t.Fatal(err)
	}
	check(export.GEXF, "meta", gexf.Description, gexf.Description)
	// DOT: the graph attributes, as Graphviz reads them.
	dg, err := graphviz.ParseBytes(read(t, files[export.DOT][0]))
	if err != nil {
		t.Fatal(err)
	}
	check(export.DOT, "the graph attributes", dg.GetStr("query"), dg.GetStr("created"))
	dg.Close()
	// SVG: the metadata element.
	var svg struct {
		Export struct {
			Created string `xml:"created,attr"`
			Query   string `xml:",chardata"`
		} `xml:"metadata>export"`
		Desc string `xml:"desc"`
	}
	if err := xml.Unmarshal(read(t, files[export.SVG][0]), &svg); err != nil {
		t.Fatal(err)
	}
	check(export.SVG, "metadata", svg.Export.Query, svg.Export.Created)
	// N-Quads and both CSV files: comment lines.
	for _, f := range []export.Format{export.NQuads, export.CSV} {
		for _, path := range files[f] {
			lines := strings.SplitN(string(read(t, path)), "\n", 3)
			if len(lines) < 3 || lines[0] != "# Exported by Entente on "+created || lines[1] != "# query: "+q {
				t.Errorf("%s: %s begins %q", f, filepath.Base(path), lines[:min(2, len(lines))])
			}
		}
	}
	if len(files[export.CSV]) != 2 {
		t.Errorf("CSV wrote %v", files[export.CSV])
	}
	// JSON-LD and Cytoscape: JSON members.
	var jl struct {
		Export struct{ Query, Created string } `json:"entente_export"`
	}
	if err := json.Unmarshal(read(t, files[export.JSONLD][0]), &jl); err != nil {
		t.Fatal(err)
	}
	check(export.JSONLD, "entente_export", jl.Export.Query, jl.Export.Created)
	var cy struct {
		Data struct{ Query, Created string } `json:"data"`
	}
	if err := json.Unmarshal(read(t, files[export.Cytoscape][0]), &cy); err != nil {
		t.Fatal(err)
	}
	check(export.Cytoscape, "data", cy.Data.Query, cy.Data.Created)
}

// TestTooBigToDraw: a picture refuses a subgraph over MaxDrawNodes nodes,
// saying how many, the cap and how to narrow the query, and writes
// nothing; GraphML and DOT take it.
func TestTooBigToDraw(t *testing.T) {
	res := &query.Result{Kind: "neighbors", Columns: []string{"node"}}
	for i := range export.MaxDrawNodes + 1 {
		res.Rows = append(res.Rows, []query.Value{&query.Node{ID: quad.IRI("entity:n" + strconv.Itoa(i)), Name: "n"}})
	}
	path := filepath.Join(t.TempDir(), "big.svg")
	_, err := export.WriteFile(context.Background(), path, res, export.SVG, nil)
	if !errors.Is(err, export.ErrTooBig) || !strings.Contains(err.Error(), "301 nodes and 0 lines (a picture holds at most 300 nodes and 1,000 lines); narrow the query — a lower limit (limit N), via KIND, a smaller depth") {
		t.Fatalf("%v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("something was written: %v", err)
	}
	for _, f := range []export.Format{export.PNG, export.PDF} {
		if _, err := export.WriteFile(context.Background(), path, res, f, nil); !errors.Is(err, export.ErrTooBig) {
			t.Fatalf("%s: %v", f, err)
		}
	}
	for _, f := range []export.Format{export.GraphML, export.DOT} {
		if _, err := export.WriteFile(context.Background(), filepath.Join(t.TempDir(), "big."+string(f)), res, f, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSVGCancelled: a layout whose context is done stops with the
// context's error, and the next SVG is drawn (Graphviz is loaded again).
func TestSVGCancelled(t *testing.T) {
	d := seedDB(t)
	res := answer(t, d, "show Japan")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := export.Write(ctx, io.Discard, res, export.SVG, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	var b bytes.Buffer
	if err := export.Write(context.Background(), &b, res, export.SVG, nil); err != nil || !strings.Contains(b.String(), "<svg") {
		t.Fatalf("after: %v", err)
	}
}

// distinctPairs counts the pairs of nodes the subgraph's relations join,
// whichever way they go.
func distinctPairs(sg *export.Subgraph) int {
	pairs := map[[2]string]bool{}
	for _, r := range sg.Relations {
		a, b := query.IDString(r.From.ID), query.IDString(r.To.ID)
		if a > b {
			a, b = b, a
		}
		pairs[[2]string{a, b}] = true
	}
	return len(pairs)
}
