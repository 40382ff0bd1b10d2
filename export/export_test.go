package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	pngdec "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/render"
	"github.com/entente-kg/entente/seeds"
	"github.com/goccy/go-graphviz"
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
	if n != len(sg.Nodes) || e != len(sg.Relations) {
		t.Fatalf("Graphviz sees %d nodes, %d edges; want %d, %d", n, e, len(sg.Nodes), len(sg.Relations))
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
// picture is not blank: a fair share of its pixels are ink.
func renderSVG(t *testing.T, path string) {
	bin, err := exec.LookPath("rsvg-convert")
	if err != nil {
		t.Log("no rsvg-convert here: the SVG is not drawn")
		return
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
}

// TestNQuadsRoundTrip: the N-Quads export loads into an empty store and
// gives the same answers to the same query.
func TestNQuadsRoundTrip(t *testing.T) {
	for _, f := range []export.Format{export.NQuads, export.JSONLD} {
		t.Run(string(f), func(t *testing.T) {
			dir, _ := exportAll(t)
			fresh, err := graph.Open("", &graph.Options{InMemory: true})
			if err != nil {
				t.Fatal(err)
			}
			defer fresh.Close()
			if _, err := loader.Load(context.Background(), fresh, []string{filepath.Join(dir, "japan."+string(f))}, &loader.Options{Strict: f == export.NQuads}); err != nil {
				t.Fatal(err)
			}
			want := jsonLines(t, answer(t, seedDB(t), neighborhood))
			got := jsonLines(t, answer(t, fresh, neighborhood))
			if got != want {
				t.Fatalf("the re-loaded export answers differently:\nwant %s\n got %s", want, got)
			}
			// The evidence of a link in the subgraph comes along too.
			q := "why Japan Australia"
			if a, b := jsonLines(t, answer(t, seedDB(t), q)), jsonLines(t, answer(t, fresh, q)); a != b {
				t.Fatalf("%s differs:\nwant %s\n got %s", q, a, b)
			}
		})
	}
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
	if strings.Join(recs[0], ",") != "subject,relation,object,status,sector,instrument,quantity,period,rank,subject_type,object_type,source,locator,note" {
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
	for name, want := range map[string]export.Format{"a.graphml": export.GraphML, "b.GEXF": export.GEXF, "c.gv": export.DOT, "d.nq": export.NQuads, "e.jsonld": export.JSONLD, "f.cyjs": export.Cytoscape} {
		if f, ok := export.FormatOf(name); !ok || f != want {
			t.Errorf("%s: %v", name, f)
		}
	}
	if _, err := export.ParseFormat("pdf"); err == nil {
		t.Error("pdf accepted")
	}
}
