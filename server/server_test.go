package server

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
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
)

// seedDB is a Badger store on disk holding the seed graph, shared by the
// tests that only read.
var seedDB = sync.OnceValues(func() (*graph.DB, error) {
	dir, err := os.MkdirTemp("", "entente-server-test")
	if err != nil {
		return nil, err
	}
	return openSeeded(filepath.Join(dir, "db"))
})

func openSeeded(dir string) (*graph.DB, error) {
	db, err := graph.Open(dir, nil)
	if err != nil {
		return nil, err
	}
	if _, err := loader.LoadSources(context.Background(), db, seeds.Sources(), nil); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if db, err := seedDB(); err == nil {
		dir := filepath.Dir(db.Dir())
		db.Close()
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// testServer serves the seed graph over loopback with opts.
func testServer(t *testing.T, opts *Options) *httptest.Server {
	t.Helper()
	db, err := seedDB()
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T, v interface{}) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("not JSON (%v): %s", err, r.body)
	}
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

func post(t *testing.T, url string, body interface{}, hdr ...string) reply {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	setHeaders(req, hdr)
	return do(t, req)
}

func get(t *testing.T, url string, hdr ...string) reply {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	setHeaders(req, hdr)
	return do(t, req)
}

// setHeaders sets name, value pairs (Host is the request's host).
func setHeaders(req *http.Request, hdr []string) {
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
}

type answerJ struct {
	Kind    string            `json:"kind"`
	Columns []string          `json:"columns"`
	Rows    []json.RawMessage `json:"rows"`
	Capped  bool              `json:"capped"`
	Note    string            `json:"note"`
	Graph   struct {
		Nodes []map[string]interface{} `json:"nodes"`
		Edges []map[string]interface{} `json:"edges"`
		Marks map[string]struct {
			Group int     `json:"group"`
			Rank  int     `json:"rank"`
			Score float64 `json:"score"`
		} `json:"marks"`
	} `json:"graph"`
}

// TestNetworkMarks: a network answer carries its nodes' marks for the
// page to outline: communities by group (as the rows list them), ranks.
func TestNetworkMarks(t *testing.T) {
	ts := testServer(t, nil)
	var a answerJ
	r := post(t, ts.URL+"/api/query", map[string]string{"query": "communities", "lang": "eql"})
	if r.status != 200 {
		t.Fatalf("communities: %d %s", r.status, r.body)
	}
	r.json(t, &a)
	// Each member of each community the rows list is marked with its
	// community's number.
	if len(a.Rows) < 2 {
		t.Fatalf("communities: %d rows", len(a.Rows))
	}
	for _, raw := range a.Rows {
		var row struct {
			Community int `json:"community"`
			Members   []struct {
				ID string `json:"id"`
			} `json:"members"`
		}
		if err := json.Unmarshal(raw, &row); err != nil || row.Community < 1 || len(row.Members) < 2 {
			t.Fatalf("communities: row %s: %v", raw, err)
		}
		for _, m := range row.Members {
			if mk, ok := a.Graph.Marks[m.ID]; !ok || mk.Group != row.Community {
				t.Errorf("communities: %s of community %d is marked %d", m.ID, row.Community, mk.Group)
			}
		}
	}
	drawn := map[string]bool{}
	for _, n := range a.Graph.Nodes {
		drawn[n["id"].(string)] = true
	}
	for id := range a.Graph.Marks {
		if !drawn[id] {
			t.Errorf("communities: %s is marked and not drawn", id)
		}
	}
	a = answerJ{}
	post(t, ts.URL+"/api/query", map[string]string{"query": "rank by pagerank type Country limit 3", "lang": "eql"}).json(t, &a)
	ranks := map[int]bool{}
	for _, m := range a.Graph.Marks {
		if m.Rank == 0 || m.Score <= 0 || m.Group != 0 {
			t.Errorf("rank: mark %+v", m)
		}
		ranks[m.Rank] = true
	}
	if len(a.Graph.Marks) != 3 || !ranks[1] || !ranks[3] {
		t.Errorf("rank by pagerank limit 3: marks %+v", a.Graph.Marks)
	}
	a = answerJ{}
	post(t, ts.URL+"/api/query", map[string]string{"query": "why Japan Australia", "lang": "eql"}).json(t, &a)
	if a.Graph.Marks != nil {
		t.Errorf("why has marks: %+v", a.Graph.Marks)
	}
}

type errorJ struct {
	Error apiError `json:"error"`
}

// cliRows is what `entente query --format json` prints for src: the
// rows render writes for query.RunLang's answer under the command
// line's bounds.
func cliRows(t *testing.T, lang, src string) []string {
	t.Helper()
	db, _ := seedDB()
	res, err := query.RunLang(context.Background(), db, lang, src, &query.Options{Limit: query.DefaultLimit, Timeout: query.DefaultTimeout})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := render.WriteJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}

// TestQuerySameRows: POST /api/query answers the rows of `query --format
// json`, in the page's answer and as JSON Lines.
func TestQuerySameRows(t *testing.T) {
	ts := testServer(t, nil)
	for _, c := range []struct{ lang, src string }{
		{"eql", "why Japan Australia"},
		{"eql", "path Japan to India"},
		{"eql", `neighbors "South Korea" depth 2 via security_pact, partner`},
		{"eql", `match (c:Country)-[r:tariff_exposure]->(u {name: "United States"}) return c.name, r.sector`},
		{"eql", "show Japan"},
		{"gizmo", `g.V("<entity:japan>").Out().All()`},
	} {
		want := cliRows(t, c.lang, c.src)
		r := post(t, ts.URL+"/api/query", map[string]string{"query": c.src, "lang": c.lang})
		if r.status != 200 {
			t.Fatalf("%s: %d %s", c.src, r.status, r.body)
		}
		var a answerJ
		r.json(t, &a)
		var got []string
		for _, row := range a.Rows {
			got = append(got, string(row))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: rows differ from query --format json:\n got %s\nwant %s", c.src, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if c.lang == "eql" && !strings.HasPrefix(c.src, "match") && len(a.Graph.Nodes) == 0 {
			t.Errorf("%s: no nodes to draw", c.src)
		}
		r = post(t, ts.URL+"/api/query", map[string]string{"query": c.src, "lang": c.lang, "format": "jsonl"})
		if string(r.body) != strings.Join(want, "\n")+"\n" {
			t.Errorf("%s: JSON Lines differ:\n got %s\nwant %s", c.src, r.body, strings.Join(want, "\n"))
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-ndjson") {
			t.Errorf("%s: JSON Lines served as %q", c.src, ct)
		}
	}
}

// TestQueryErrors: errors are JSON with the command line's message,
// position and caret.
func TestQueryErrors(t *testing.T) {
	ts := testServer(t, nil)
	for _, c := range []struct {
		src, code string
		status    int
	}{
		{"path Japan to Indai", "unknown", 400},
		{"neighbors Japan depht 2", "", 400},
		{"match (a)-[r]->(b) retrun a", "syntax", 400},
	} {
		r := post(t, ts.URL+"/api/query", map[string]string{"query": c.src})
		if r.status != c.status {
			t.Fatalf("%s: status %d: %s", c.src, r.status, r.body)
		}
		var e errorJ
		r.json(t, &e)
		db, _ := seedDB()
		_, err := query.Run(context.Background(), db, c.src, nil)
		var qe *query.Error
		if !errors.As(err, &qe) {
			t.Fatalf("%s: the command line's error is %v", c.src, err)
		}
		if e.Error.Message != qe.Error() || e.Error.Line != qe.Line || e.Error.Col != qe.Col || e.Error.Caret != qe.Caret() || e.Error.Caret == "" {
			t.Errorf("%s: error %+v, want %q at %d:%d with caret %q", c.src, e.Error, qe.Error(), qe.Line, qe.Col, qe.Caret())
		}
		if c.code != "" && e.Error.Code != c.code {
			t.Errorf("%s: code %q, want %q", c.src, e.Error.Code, c.code)
		}
	}
	for _, c := range []struct {
		body interface{}
		want string
	}{
		{map[string]string{"query": "show Japan", "lang": "sparql"}, "unknown lang"},
		{map[string]string{"query": " "}, "no query"},
		{map[string]interface{}{"query": "show Japan", "limt": 3}, "unknown field"},
	} {
		r := post(t, ts.URL+"/api/query", c.body)
		if r.status != 400 || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%v: %d %s", c.body, r.status, r.body)
		}
	}
}

func TestComplete(t *testing.T) {
	ts := testServer(t, nil)
	var a struct {
		Hits []struct{ ID, Name, Type, Match string } `json:"hits"`
	}
	get(t, ts.URL+"/api/complete?q=Jap").json(t, &a)
	if len(a.Hits) == 0 || a.Hits[0].Name != "Japan" || a.Hits[0].ID != "entity:japan" || a.Hits[0].Type != "Country" {
		t.Fatalf("Jap: %+v", a.Hits)
	}
	a.Hits = nil
	get(t, ts.URL+"/api/complete?q=tokyo").json(t, &a)
	if len(a.Hits) != 1 || a.Hits[0].Name != "Japan" || a.Hits[0].Match != "Tokyo" {
		t.Fatalf("tokyo (an alias): %+v", a.Hits)
	}
	a.Hits = nil
	get(t, ts.URL+"/api/complete?q=korea&limit=3").json(t, &a)
	if len(a.Hits) == 0 || len(a.Hits) > 3 || !strings.Contains(a.Hits[0].Name, "Korea") {
		t.Fatalf("korea (a word inside the name): %+v", a.Hits)
	}
	if r := get(t, ts.URL+"/api/complete?q=x&limit=-1"); r.status != 400 {
		t.Errorf("a negative limit: %d %s", r.status, r.body)
	}
}

func TestEntityNeighborsPath(t *testing.T) {
	ts := testServer(t, nil)
	var card answerJ
	get(t, ts.URL+"/api/entity?id=entity:japan").json(t, &card)
	if card.Kind != "show" || len(card.Rows) != 1 || !strings.Contains(string(card.Rows[0]), `"aliases":["Tokyo"`) {
		t.Fatalf("card: %+v", card)
	}
	var nb answerJ
	get(t, ts.URL+"/api/neighbors?id=entity:japan&limit=3").json(t, &nb)
	if nb.Kind != "neighbors" || len(nb.Rows) != 3 || !nb.Capped || !strings.Contains(nb.Note, "showing the first 3 nodes") {
		t.Fatalf("neighbors capped at 3: kind %s, %d rows, capped %v, note %q", nb.Kind, len(nb.Rows), nb.Capped, nb.Note)
	}
	var nb2 answerJ
	get(t, ts.URL+"/api/neighbors?id=entity:japan&depth=2").json(t, &nb2)
	if want := cliRows(t, "eql", "neighbors Japan depth 2 limit 500"); len(nb2.Rows) != len(want) || len(want) < 40 {
		t.Fatalf("neighbors depth 2: %d rows, want %d", len(nb2.Rows), len(want))
	}
	var p answerJ
	get(t, ts.URL+"/api/path?from=entity:japan&to=entity:india").json(t, &p)
	want := cliRows(t, "eql", "path Japan to India")
	if p.Kind != "path" || len(p.Rows) != len(want) || string(p.Rows[0]) != want[0] {
		t.Fatalf("path: %+v", p)
	}
	var ps answerJ
	get(t, ts.URL+"/api/path?from=entity:japan&to=entity:india&all=1&limit=5").json(t, &ps)
	if ps.Kind != "paths" || len(ps.Rows) != 5 {
		t.Fatalf("paths: kind %s, %d rows", ps.Kind, len(ps.Rows))
	}
	for _, u := range []string{"/api/entity?id=", "/api/entity?id=a%20b", "/api/path?from=entity:japan", "/api/entity?id=entity:atlantis", "/api/path?from=entity:japan&to=entity:india&including=x%20y"} {
		if r := get(t, ts.URL+u); r.status != 400 {
			t.Errorf("%s: %d %s", u, r.status, r.body)
		}
	}
	if r := get(t, ts.URL+"/api/nothing"); r.status != 404 || !strings.Contains(string(r.body), `"error"`) {
		t.Errorf("unknown endpoint: %d %s", r.status, r.body)
	}
}

// TestExport: every format, of one query and of a view of several,
// narrowed to the nodes and relations drawn.
func TestExport(t *testing.T) {
	ts := testServer(t, nil)
	for _, f := range export.Formats {
		f := string(f)
		r := post(t, ts.URL+"/api/export", map[string]string{"query": "why Japan Australia", "format": f})
		if r.status != 200 || len(r.body) == 0 {
			t.Fatalf("%s: %d %s", f, r.status, r.body)
		}
		if !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") {
			t.Errorf("%s: not an attachment: %q", f, r.header.Get("Content-Disposition"))
		}
		switch f {
		case "svg":
			if !bytes.Contains(r.body, []byte("<svg")) || !bytes.Contains(r.body, []byte("Australia")) {
				t.Errorf("svg: %.300s", r.body)
			}
		case "csv":
			zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
			if err != nil || len(zr.File) != 2 {
				t.Fatalf("csv: not a zip of two files: %v", err)
			}
		case "graphml":
			if !bytes.Contains(r.body, []byte("security_pact")) {
				t.Errorf("graphml: %.300s", r.body)
			}
		case "png":
			if !bytes.HasPrefix(r.body, []byte("\x89PNG")) || r.header.Get("Content-Type") != "image/png" {
				t.Errorf("png: %s, %.20q", r.header.Get("Content-Type"), r.body)
			}
		case "pdf":
			if !bytes.HasPrefix(r.body, []byte("%PDF")) || r.header.Get("Content-Type") != "application/pdf" {
				t.Errorf("pdf: %s, %.20q", r.header.Get("Content-Type"), r.body)
			}
		}
	}
	// A view: the union of several answers, keeping only what is drawn.
	view := map[string]interface{}{
		"format":  "cytoscape",
		"queries": []map[string]interface{}{{"query": "show <entity:japan>", "limit": 1}, {"query": "neighbors <entity:japan> limit 500"}},
		"nodes":   []string{"entity:japan", "entity:australia"},
		"edges":   []string{"entity:japan\x1fsecurity_pact\x1fentity:australia\x1fstmt:japan/security_pact/australia"},
	}
	r := post(t, ts.URL+"/api/export", view)
	if r.status != 200 {
		t.Fatalf("view: %d %s", r.status, r.body)
	}
	var cyjs struct {
		Elements struct {
			Nodes []interface{} `json:"nodes"`
			Edges []interface{} `json:"edges"`
		} `json:"elements"`
	}
	r.json(t, &cyjs)
	if len(cyjs.Elements.Nodes) != 2 || len(cyjs.Elements.Edges) != 1 {
		t.Errorf("view narrowed to 2 nodes and 1 relation: %s", r.body)
	}
	for _, c := range []struct {
		body interface{}
		want string
	}{
		{map[string]string{"query": "why Japan Australia", "format": "xlsx"}, "unknown format"},
		{map[string]string{"format": "svg"}, "no query"},
		{map[string]string{"query": "match (a:Country) return count(*)", "format": "graphml"}, "no nodes or relations"},
	} {
		r := post(t, ts.URL+"/api/export", c.body)
		if r.status != 400 || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%v: %d %s", c.body, r.status, r.body)
		}
	}
}

func TestInfoAndPage(t *testing.T) {
	ts := testServer(t, &Options{Version: "entente test"})
	var info map[string]interface{}
	get(t, ts.URL+"/api/info").json(t, &info)
	if info["write"] != false || info["version"] != "entente test" || len(info["formats"].([]interface{})) < 8 {
		t.Errorf("info: %v", info)
	}
	r := get(t, ts.URL+"/")
	if r.status != 200 || !bytes.Contains(r.body, []byte(`<script src="/static/cytoscape.min.js">`)) {
		t.Fatalf("page: %d %.200s", r.status, r.body)
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP: %q", csp)
	}
	for _, f := range []string{"app.js", "app.css", "cytoscape.min.js", "cytoscape.LICENSE"} {
		if r := get(t, ts.URL+"/static/"+f); r.status != 200 || len(r.body) < 100 {
			t.Errorf("%s: %d, %d bytes", f, r.status, len(r.body))
		}
	}
	// No file the page loads comes from elsewhere.
	for _, f := range []string{"index.html", "app.js", "app.css"} {
		b, _ := staticFS.ReadFile("static/" + f)
		for _, bad := range []string{"http://", "https://", "//cdn", "fonts.googleapis"} {
			if bytes.Contains(b, []byte(bad)) {
				t.Errorf("%s refers to %s: the page must work offline", f, bad)
			}
		}
	}
}

// TestSafetyDefaults: the rules of "safe by default".
func TestSafetyDefaults(t *testing.T) {
	for _, c := range []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:7474", "", true},
		{"[::1]:7474", "", true},
		{"localhost:7474", "", true},
		{"127.0.0.1:0", "", true},
		{"0.0.0.0:7474", "", false},
		{":7474", "", false},
		{"192.168.1.10:7474", "", false},
		{"[::]:7474", "", false},
		{"0.0.0.0:7474", "s3cret", true},
		{"nonsense", "", false},
	} {
		err := Check(c.addr, c.token)
		if (err == nil) != c.ok {
			t.Errorf("Check(%q, %q) = %v", c.addr, c.token, err)
		}
		if err != nil && c.addr != "nonsense" && !errors.Is(err, ErrNeedToken) {
			t.Errorf("Check(%q): %v is not ErrNeedToken", c.addr, err)
		}
	}
	ts := testServer(t, nil)
	q := map[string]string{"query": "why Japan Australia"}
	// Cross-origin requests are refused, same-origin ones served.
	if r := post(t, ts.URL+"/api/query", q, "Origin", "http://evil.example"); r.status != 403 {
		t.Errorf("cross-origin POST: %d %s", r.status, r.body)
	}
	if r := post(t, ts.URL+"/api/query", q, "Origin", "null"); r.status != 403 {
		t.Errorf("Origin null: %d %s", r.status, r.body)
	}
	if r := post(t, ts.URL+"/api/query", q, "Sec-Fetch-Site", "cross-site"); r.status != 403 {
		t.Errorf("Sec-Fetch-Site cross-site: %d %s", r.status, r.body)
	}
	if r := post(t, ts.URL+"/api/query", q, "Origin", ts.URL); r.status != 200 {
		t.Errorf("same-origin POST: %d %s", r.status, r.body)
	}
	// A renamed host (DNS rebinding) is refused without a token.
	if r := get(t, ts.URL+"/api/info", "Host", "attacker.example:80"); r.status != 403 {
		t.Errorf("Host attacker.example: %d %s", r.status, r.body)
	}
	// A form's content type (no preflight) is refused.
	req, _ := http.NewRequest("POST", ts.URL+"/api/query", strings.NewReader(`{"query":"show Japan"}`))
	req.Header.Set("Content-Type", "text/plain")
	if r := do(t, req); r.status != 400 || !strings.Contains(string(r.body), "application/json") {
		t.Errorf("text/plain body: %d %s", r.status, r.body)
	}
	// No CORS: neither answers nor preflights grant another origin.
	req, _ = http.NewRequest("OPTIONS", ts.URL+"/api/query", nil)
	req.Header.Set("Access-Control-Request-Method", "POST")
	r := do(t, req)
	if r.status < 400 || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight: %d %v", r.status, r.header)
	}
	for _, r := range []reply{post(t, ts.URL+"/api/query", q), get(t, ts.URL+"/")} {
		for k := range r.header {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("CORS header %s sent", k)
			}
		}
	}
	// Write endpoints are closed by default.
	req, _ = http.NewRequest("POST", ts.URL+"/api/load?name=x.nq", strings.NewReader("<a> <b> <c> .\n"))
	if r := do(t, req); r.status != 403 || !strings.Contains(string(r.body), "read-only") {
		t.Errorf("load on a read-only server: %d %s", r.status, r.body)
	}
	// Write access needs a token.
	db, _ := seedDB()
	if _, err := New(db, &Options{Write: true}); !errors.Is(err, ErrNeedToken) {
		t.Errorf("New(Write, no token) = %v", err)
	}
}

func TestCaps(t *testing.T) {
	ts := testServer(t, &Options{MaxBody: 200, MaxAnswer: 2000, Timeout: 300 * time.Millisecond})
	big := map[string]string{"query": "show Japan" + strings.Repeat(" ", 300)}
	r := post(t, ts.URL+"/api/query", big)
	if r.status != 413 || !strings.Contains(string(r.body), "200 bytes") {
		t.Errorf("oversize body: %d %s", r.status, r.body)
	}
	r = post(t, ts.URL+"/api/query", map[string]string{"query": "show Japan"})
	if r.status != 413 || !strings.Contains(string(r.body), "answer_too_large") {
		t.Errorf("oversize answer: %d %s", r.status, r.body)
	}
	r = post(t, ts.URL+"/api/query", map[string]string{"query": "why Japan Philippines"})
	if r.status != 200 {
		t.Errorf("a small answer under the cap: %d %s", r.status, r.body)
	}
	start := time.Now()
	r = post(t, ts.URL+"/api/query", map[string]string{"lang": "gizmo", "query": "var i = 0; while (true) { i++ }"})
	if r.status != 504 || !strings.Contains(string(r.body), "timeout") {
		t.Errorf("a query past the timeout: %d %s", r.status, r.body)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the timeout of 300ms stopped the query after %v", d)
	}
}

func TestToken(t *testing.T) {
	ts := testServer(t, &Options{Token: "s3cret"})
	q := map[string]string{"query": "why Japan Australia"}
	if r := post(t, ts.URL+"/api/query", q); r.status != 401 || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %s", r.status, r.body)
	}
	if r := post(t, ts.URL+"/api/query", q, "Authorization", "Bearer wrong"); r.status != 401 {
		t.Errorf("wrong token: %d %s", r.status, r.body)
	}
	if r := get(t, ts.URL+"/"); r.status != 401 {
		t.Errorf("the page without a token: %d", r.status)
	}
	if r := post(t, ts.URL+"/api/query", q, "Authorization", "Bearer s3cret"); r.status != 200 {
		t.Errorf("with the token: %d %s", r.status, r.body)
	}
	// With a token, another host name may be used (a server on the LAN).
	if r := get(t, ts.URL+"/api/info", "Host", "explorer.lan:7474", "Authorization", "Bearer s3cret"); r.status != 200 {
		t.Errorf("a LAN host with the token: %d %s", r.status, r.body)
	}
	// The page opened with ?token= gets a cookie and an address without it.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(ts.URL + "/?token=s3cret#op=add:entity:japan")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 303 || strings.Contains(loc, "s3cret") || len(resp.Cookies()) != 1 {
		t.Fatalf("?token=: %d, Location %q, cookies %v", resp.StatusCode, loc, resp.Cookies())
	}
	c := resp.Cookies()[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Errorf("cookie: %+v", c)
	}
	if r := get(t, ts.URL+"/api/info", "Cookie", c.Name+"="+c.Value); r.status != 200 {
		t.Errorf("with the cookie: %d %s", r.status, r.body)
	}
	if r := get(t, ts.URL+"/?token=wrong"); r.status != 401 {
		t.Errorf("?token=wrong: %d", r.status)
	}
}

// TestLoad: with --write and a token, POST /api/load loads as entente
// load does; a bad file is an error with its position and changes
// nothing.
func TestLoad(t *testing.T) {
	db, err := openSeeded(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(db, &Options{Token: "t", Write: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	load := func(name, body string, hdr ...string) reply {
		req, _ := http.NewRequest("POST", ts.URL+"/api/load?name="+name, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer t")
		setHeaders(req, hdr)
		return do(t, req)
	}
	before, _ := db.Stats(context.Background())
	r := load("bad.nq", "<a> <b> <c> .\n<a> <b> \"unterminated .\n")
	var e errorJ
	r.json(t, &e)
	if r.status != 400 || e.Error.Line != 2 || e.Error.Caret == "" {
		t.Errorf("bad N-Quads: %d %s", r.status, r.body)
	}
	after, _ := db.Stats(context.Background())
	if after.Quads != before.Quads {
		t.Errorf("a failed load changed the store: %d quads, then %d", before.Quads, after.Quads)
	}
	r = load("new.nq", "<entity:atlantis> <name> \"Atlantis\" .\n<entity:atlantis> <type> <type:Country> .\n")
	if r.status != 200 || !strings.Contains(string(r.body), `"added":2`) {
		t.Fatalf("load: %d %s", r.status, r.body)
	}
	if r := post(t, ts.URL+"/api/query", map[string]string{"query": "show Atlantis"}, "Authorization", "Bearer t"); r.status != 200 {
		t.Errorf("the loaded entity: %d %s", r.status, r.body)
	}
	if r := load("x.nq", "<a> <b> <c> .\n", "Origin", "http://evil.example"); r.status != 403 {
		t.Errorf("a cross-origin load: %d %s", r.status, r.body)
	}

	// Amend and retract, as entente amend and retract do.
	change := func(what string, body interface{}) reply {
		return post(t, ts.URL+"/api/"+what, body, "Authorization", "Bearer t")
	}
	why := func(a, b string) string {
		r := post(t, ts.URL+"/api/query", map[string]string{"query": "why " + a + " " + b, "format": "jsonl"}, "Authorization", "Bearer t")
		return string(r.body)
	}
	r = change("amend", map[string]interface{}{"target": []string{"Japan", "security_pact", "Australia"}, "changes": []string{"status=at_risk"}, "reason": "a test"})
	if r.status != 200 || !strings.Contains(string(r.body), `"kind":"amend"`) || !strings.Contains(why("Japan", "Australia"), `"status":"at_risk"`) {
		t.Errorf("amend: %d %s\n%s", r.status, r.body, why("Japan", "Australia"))
	}
	r = change("retract", map[string]interface{}{"target": []string{"Japan", "security_pact", "Philippines"}, "reason": "a test"})
	if r.status != 200 || strings.Contains(why("Japan", "Philippines"), "security_pact") {
		t.Errorf("retract: %d %s\n%s", r.status, r.body, why("Japan", "Philippines"))
	}
	for _, c := range []struct {
		what   string
		body   map[string]interface{}
		status int
		want   string
	}{
		{"retract", map[string]interface{}{"target": []string{"Japan", "security_pact", "Philippines"}}, 400, "give a reason"},
		{"retract", map[string]interface{}{"target": []string{"Japan", "security_pact", "Philippines"}, "reason": "again"}, 404, "not_found"},
		{"amend", map[string]interface{}{"target": []string{"Japan", "security_pact", "Australia"}, "reason": "nothing"}, 400, "nothing to amend"},
	} {
		if r := change(c.what, c.body); r.status != c.status || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s %v: %d %s", c.what, c.body, r.status, r.body)
		}
	}
}

// TestWriteClosed: a read-only server refuses every change.
func TestWriteClosed(t *testing.T) {
	ts := testServer(t, nil)
	for _, what := range []string{"amend", "retract"} {
		r := post(t, ts.URL+"/api/"+what, map[string]interface{}{"target": []string{"Japan"}, "changes": []string{"name=Nippon"}, "reason": "x"})
		if r.status != 403 || !strings.Contains(string(r.body), "read_only") {
			t.Errorf("%s on a read-only server: %d %s", what, r.status, r.body)
		}
	}
}
