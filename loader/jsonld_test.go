package loader_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/loader"
	"github.com/piprate/json-gold/ld"
)

const (
	xsdInteger = "http://www.w3.org/2001/XMLSchema#integer"
	xsdDouble  = "http://www.w3.org/2001/XMLSchema#double"
	xsdBoolean = "http://www.w3.org/2001/XMLSchema#boolean"
)

func TestJSONLDInlineContext(t *testing.T) {
	db := openMem(t)
	doc := `{
  "@context": {
    "schema": "http://schema.org/",
    "name": "schema:name",
    "knows": {"@id": "http://xmlns.com/foaf/0.1/knows", "@type": "@id"},
    "age": "schema:age",
    "ex": "http://ex/"
  },
  "@id": "ex:alice",
  "@type": "schema:Person",
  "name": [{"@value": "Alice", "@language": "en"}, "Alicia"],
  "knows": ["ex:bob", "ex:carol"],
  "age": 42,
  "schema:height": 1.7,
  "schema:member": true
}`
	res := mustLoad(t, db, "alice.jsonld", doc, nil)
	want := []string{
		nq(iri("http://ex/alice"), iri("http://schema.org/age"), quad.TypedString{Value: "42", Type: xsdInteger}, nil),
		nq(iri("http://ex/alice"), iri("http://schema.org/height"), quad.TypedString{Value: "1.7E0", Type: xsdDouble}, nil),
		nq(iri("http://ex/alice"), iri("http://schema.org/member"), quad.TypedString{Value: "true", Type: xsdBoolean}, nil),
		nq(iri("http://ex/alice"), iri("http://schema.org/name"), str("Alicia"), nil),
		nq(iri("http://ex/alice"), iri("http://schema.org/name"), quad.LangString{Value: "Alice", Lang: "en"}, nil),
		nq(iri("http://ex/alice"), iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), iri("http://schema.org/Person"), nil),
		nq(iri("http://ex/alice"), iri("http://xmlns.com/foaf/0.1/knows"), iri("http://ex/bob"), nil),
		nq(iri("http://ex/alice"), iri("http://xmlns.com/foaf/0.1/knows"), iri("http://ex/carol"), nil),
	}
	sort.Strings(want)
	if got := allQuads(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("quads:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Read != 8 || res.Added != 8 {
		t.Errorf("result %+v", res)
	}
	// The names are names to the catalog.
	st := stats(t, db)
	if st.Entities != 1 {
		t.Errorf("stats %+v: want one entity (alice)", st)
	}
}

func TestJSONLDTopLevelArray(t *testing.T) {
	db := openMem(t)
	mustLoad(t, db, "nodes.json", `[
  {"@id": "http://ex/a", "http://schema.org/name": "A", "http://ex/next": {"@id": "http://ex/b"}},
  {"@context": {"n": "http://schema.org/name"}, "@id": "http://ex/b", "n": "B"},
  {"@id": "http://ex/c", "@type": "http://ex/Thing"}
]`, nil)
	want := []string{
		nq(iri("http://ex/a"), iri("http://ex/next"), iri("http://ex/b"), nil),
		nq(iri("http://ex/a"), iri("http://schema.org/name"), str("A"), nil),
		nq(iri("http://ex/b"), iri("http://schema.org/name"), str("B"), nil),
		nq(iri("http://ex/c"), iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), iri("http://ex/Thing"), nil),
	}
	if got := allQuads(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("quads:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// countingReader counts the bytes read from a string.
type countingReader struct {
	r *strings.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	if len(p) > 4096 {
		p = p[:4096]
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestJSONLDGraphStreaming reads a large @graph and checks that the first
// quads come out before the document is read, and that the @context given
// before @graph applies to every element.
func TestJSONLDGraphStreaming(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"@context": {"@vocab": "http://schema.org/", "ex": "http://ex/"}, "@graph": [`)
	const n = 2000
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"@id": "ex:n%d", "name": "Node %d", "knows": {"@id": "ex:n%d"}}`, i, i, (i+1)%n)
	}
	b.WriteString("]}")
	doc := b.String()
	cr := &countingReader{r: strings.NewReader(doc)}
	r := loader.NewJSONLDReader(cr, "big.jsonld", 0)
	q, err := r.ReadQuad()
	if err != nil {
		t.Fatal(err)
	}
	if cr.n >= len(doc)/2 {
		t.Errorf("%d of %d bytes read before the first quad: not streaming", cr.n, len(doc))
	}
	if !strings.HasPrefix(q.Subject.String(), "<http://ex/n0>") {
		t.Errorf("first quad %v", q)
	}
	count := 1
	for {
		q, err = r.ReadQuad()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("after %d quads: %v", count, err)
		}
		if !strings.HasPrefix(string(q.Predicate.(quad.IRI)), "http://schema.org/") {
			t.Fatalf("the context was not applied: %v", q)
		}
		count++
	}
	if count != 2*n {
		t.Errorf("%d quads, want %d", count, 2*n)
	}
	// Through Load, with the store.
	db := openMem(t)
	res := mustLoad(t, db, "big.jsonld", doc, nil)
	if res.Added != 2*n {
		t.Errorf("result %+v", res)
	}
	wantQuads(t, db, nq(iri("http://ex/n1999"), iri("http://schema.org/knows"), iri("http://ex/n0"), nil))
}

// TestJSONLDRemoteContextRefused points @context at a live HTTP server and
// checks that the loader never asks it.
func TestJSONLDRemoteContextRefused(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/ld+json")
		io.WriteString(w, `{"@context": {"name": "http://schema.org/name"}}`)
	}))
	defer srv.Close()
	ctxURL := srv.URL + "/ctx.jsonld"
	for _, c := range []struct{ name, doc string }{
		{"string context", `{"@context": "` + ctxURL + `", "@id": "http://ex/a", "name": "A"}`},
		{"context in an array", `{"@context": [{"x": "http://ex/x"}, "` + ctxURL + `"], "@id": "http://ex/a", "name": "A"}`},
		{"@import", `{"@context": {"@import": "` + ctxURL + `", "name": "http://schema.org/name"}, "@id": "http://ex/a", "name": "A"}`},
		{"context of a graph element", `{"@graph": [{"@context": "` + ctxURL + `", "@id": "http://ex/a", "name": "A"}]}`},
		{"scoped context", `{"@context": {"p": {"@id": "http://ex/p", "@context": "` + ctxURL + `"}}, "@id": "http://ex/a", "p": {"name": "A"}}`},
		{"example.com", `{"@context": "http://example.com/ctx.jsonld", "@id": "http://ex/a", "name": "A"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openMem(t)
			_, err := loadString(db, "remote.jsonld", c.doc, nil)
			if err == nil {
				t.Fatalf("a remote context was accepted")
			}
			le := asLoaderError(t, err)
			if le.Line != 1 {
				t.Errorf("error %v: want line 1", err)
			}
			url := ctxURL
			if c.name == "example.com" {
				url = "http://example.com/ctx.jsonld"
			}
			if !strings.Contains(err.Error(), url) {
				t.Errorf("error %q does not name the context", err)
			}
			if !strings.Contains(err.Error(), "refused") || !strings.Contains(err.Error(), "never fetches") {
				t.Errorf("error %q does not say the context was refused", err)
			}
			if st := stats(t, db); st.Quads != 0 {
				t.Errorf("%d quads written", st.Quads)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the loader fetched the remote context %d times", n)
	}
}

// TestJSONLDLocalContextRefused names local files as contexts. One holds a
// valid context: had it been read, the document would load.
func TestJSONLDLocalContextRefused(t *testing.T) {
	good := filepath.Join(t.TempDir(), "ctx.jsonld")
	if err := os.WriteFile(good, []byte(`{"@context": {"name": "http://schema.org/name"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"/etc/passwd", good, "file://" + good, "ctx.jsonld"} {
		db := openMem(t)
		// Loaded from the context file's directory, so that a relative
		// reference would find it too.
		p := filepath.Join(filepath.Dir(good), "doc.jsonld")
		if err := os.WriteFile(p, []byte(`{"@context": "`+ref+`", "@id": "http://ex/a", "name": "A"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := loader.Load(context.Background(), db, []string{p}, nil)
		if err == nil {
			t.Errorf("context %q: the document loaded (the file was read)", ref)
			continue
		}
		if !strings.Contains(err.Error(), ref) {
			t.Errorf("context %q: error %q does not name it", ref, err)
		}
		if strings.Contains(err.Error(), "root:") {
			t.Errorf("context %q: the error shows the file's content: %v", ref, err)
		}
		if st := stats(t, db); st.Quads != 0 {
			t.Errorf("context %q: %d quads written", ref, st.Quads)
		}
	}
}

// TestJSONLDDepthLimit nests JSON deeper than MaxDepth in several places
// of a document. Each must be refused as over a limit, at its line.
func TestJSONLDDepthLimit(t *testing.T) {
	nest := func(d int) string {
		return strings.Repeat(`{"http://ex/p": `, d) + `"x"` + strings.Repeat("}", d)
	}
	for _, c := range []struct {
		name  string
		doc   string
		depth int
	}{
		{"arrays", strings.Repeat("[", 70) + strings.Repeat("]", 70), 0},
		{"arrays, small limit", strings.Repeat("[", 20) + strings.Repeat("]", 20), 8},
		{"an object in @graph", `{"@graph": [{"@id": "http://ex/a", "http://ex/p": ` + nest(70) + `}]}`, 0},
		{"an object in @graph, small limit", `{"@graph": [{"@id": "http://ex/a", "http://ex/p": ` + nest(20) + `}]}`, 8},
		{"after many elements", `{"@graph": [` + strings.Repeat(`{"@id": "http://ex/a", "http://ex/p": "x"},`+"\n", 100) + nest(70) + `]}`, 0},
		{"a top-level object", nest(100), 0},
		{"in @context", `{"@context": ` + nest(100) + `, "@id": "http://ex/a"}`, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openMem(t)
			mustLoad(t, db, "base.nq", "<http://ex/base> <http://ex/p> <http://ex/o> .\n", nil)
			before := snapshot(t, db)
			_, err := loadString(db, "deep.jsonld", c.doc, &loader.Options{Limits: loader.Limits{MaxDepth: c.depth}})
			if err == nil {
				t.Fatal("loaded")
			}
			le := asLoaderError(t, err)
			max := c.depth
			if max == 0 {
				max = 64
			}
			if !errors.Is(err, loader.ErrLimit) || !strings.Contains(le.Msg, fmt.Sprintf("more than %d levels", max)) {
				t.Errorf("error %v, want ErrLimit: more than %d levels", err, max)
			}
			if snapshot(t, db) != before {
				t.Errorf("the store changed")
			}
		})
	}
}

// TestJSONLDDepthWithinLimit checks that nesting up to the limit loads.
func TestJSONLDDepthWithinLimit(t *testing.T) {
	// 1 for the node object, 8 for the nested values: depth 9.
	doc := `{"@id": "http://ex/a", "http://ex/p": ` + strings.Repeat(`{"http://ex/p": `, 7) + `"x"` + strings.Repeat("}", 7) + `}`
	if _, err := loadString(openMem(t), "ok.jsonld", doc, &loader.Options{Limits: loader.Limits{MaxDepth: 8}}); err != nil {
		t.Errorf("depth 8 with MaxDepth 8: %v", err)
	}
}

func TestJSONLDErrors(t *testing.T) {
	for _, c := range []struct{ name, doc, want string }{
		{"empty", "", "x.jsonld:1:1: empty document: expected a JSON-LD object or array"},
		{"not an object", `"a string"`, "x.jsonld:1:1: expected a JSON-LD object or array, found a string"},
		{"data after the document", `{"@id": "http://ex/a", "http://ex/p": "v"} {}`, "x.jsonld:1:44: unexpected data after the JSON-LD document"},
		{"@context after @graph", `{"@graph": [{"@id": "http://ex/a", "http://ex/p": "v"}], "@context": {}}`,
			"x.jsonld:1:58: @context must come before @graph, so that the graph can be read as it streams"},
		{"@graph not an array", `{"@graph": {"@id": "http://ex/a"}}`, "x.jsonld:1:2: expected @graph to be an array"},
		{"@id after @graph", `{"@graph": [{"@id": "http://ex/a", "http://ex/p": "v"}], "@id": "http://ex/g"}`,
			"x.jsonld:1:58: @id must come before @graph, so that the graph's elements can be named as they stream"},
		{"invalid JSON-LD in a later element", "[\n{\"@id\": \"http://ex/a\", \"http://ex/p\": \"v\"},\n  {\"@id\": 5, \"http://ex/p\": \"v\"}\n]",
			"x.jsonld:3:3: invalid JSON-LD: invalid @id value: "},
		{"a string at the top", `"http://example.com/doc"`, `x.jsonld:1:1: expected a JSON-LD object or array, found a string "http://example.com/doc"`},
		{"invalid JSON-LD", `{"@id": 5, "http://ex/p": "v"}`, "x.jsonld:1:1: invalid JSON-LD: invalid @id value: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openMem(t)
			_, err := loadString(db, "x.jsonld", c.doc, nil)
			got := errText(err, "")
			if !strings.HasPrefix(got, c.want) {
				t.Errorf("error\n got %s\nwant %s…", got, c.want)
			}
			if !errors.Is(err, loader.ErrSyntax) {
				t.Errorf("error %v is not ErrSyntax", err)
			}
			if st := stats(t, db); st.Quads != 0 {
				t.Errorf("%d quads written", st.Quads)
			}
		})
	}
}

// TestJSONLDInvalidJSONLine checks that invalid JSON is reported at the
// line that holds the error.
func TestJSONLDInvalidJSONLine(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		line, col int
	}{
		{"missing comma", "{\n  \"@id\": \"http://ex/a\",\n  \"http://ex/p\": \"v\"\n  \"http://ex/q\": 1\n}\n", 4, 3},
		{"in a graph element", "{\"@graph\": [\n{\"@id\": \"http://ex/a\", \"http://ex/p\": \"v\"},\n{\"@id\": \"http://ex/b\" \"x\"}\n]}\n", 3, 23},
		{"in an array, then more lines", "[\n{\"@id\": \"http://ex/a\", \"http://ex/p\": \"v\"},\n{\"@id\": \"http://ex/b\",, \"http://ex/p\": \"w\"},\n" +
			strings.Repeat("{\"@id\": \"http://ex/c\", \"http://ex/p\": \"w\"},\n", 50) + "{}\n]\n", 3, 23},
		{"unterminated", "{\n\"@id\": \"http://ex/a\",\n\"http://ex/p\": \"v\n", 3, 18},
		{"columns in characters", "[\n{\"@id\": \"http://ex/é\", \"http://ex/p\": \"日本\" \"x\"}\n]", 2, 44},
		{"truncated", "{\"@graph\": [\n{\"@id\": \"http://ex/a\", \"http://ex/p\": \"v\"},\n{\"@id\": \"http://ex/b\"\n", 3, 22},
		{"after a long first line", "[" + strings.Repeat(" ", 100000) + "{\"@id\": \"http://ex/a\", \"http://ex/p\": \"v\"},\n" +
			strings.Repeat("{\"@id\": \"http://ex/a\", \"http://ex/p\": \"v\"},\n", 3000) + "{\"@id\" 1}\n]", 3002, 8},
	} {
		_, err := loadString(openMem(t), "x.jsonld", c.doc, nil)
		if err == nil {
			t.Errorf("%s: loaded", c.name)
			continue
		}
		le := asLoaderError(t, err)
		if !errors.Is(err, loader.ErrSyntax) || !strings.Contains(le.Msg, "invalid JSON") {
			t.Errorf("%s: error %v", c.name, err)
		}
		if le.Line != c.line || le.Col != c.col {
			t.Errorf("%s: error at %d:%d, want %d:%d (%v)", c.name, le.Line, le.Col, c.line, c.col, err)
		}
	}
}

// TestJSONLDBlankNodesIdempotent loads a document of blank nodes twice:
// the second load adds nothing, and two equal unlabelled nodes stay two.
func TestJSONLDBlankNodesIdempotent(t *testing.T) {
	doc := `{"@context": {"@vocab": "http://schema.org/"}, "@graph": [
  {"name": "Anonymous", "knows": {"name": "Nested"}},
  {"@id": "_:named", "name": "Labelled"},
  {"name": "Twin"},
  {"name": "Twin"}
]}`
	db := openMem(t)
	res := mustLoad(t, db, "bnodes.jsonld", doc, nil)
	if res.Added != 6 {
		t.Errorf("first load added %d quads, want 6", res.Added)
	}
	first := statsJSON(t, db)
	quads := allQuads(t, db)
	res = mustLoad(t, db, "bnodes.jsonld", doc, nil)
	if res.Added != 0 {
		t.Errorf("second load added %d quads", res.Added)
	}
	if second := statsJSON(t, db); second != first {
		t.Errorf("stats changed:\n%s\n%s", first, second)
	}
	if again := allQuads(t, db); strings.Join(again, "\n") != strings.Join(quads, "\n") {
		t.Errorf("quads changed")
	}
	// Two unlabelled nodes are two nodes, however alike.
	n := 0
	for _, q := range quads {
		if strings.Contains(q, `"Twin"`) {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d quads name Twin, want 2 (two nodes)", n)
	}
}

// TestJSONLDBlankNodeAcrossElements: a blank node label names one node in
// the whole document, also through an @id alias, as JSON-LD scopes it.
func TestJSONLDBlankNodeAcrossElements(t *testing.T) {
	for name, doc := range map[string]string{
		"@graph": `{"@graph": [
  {"@id": "_:b0", "http://ex/name": "x"},
  {"@id": "http://ex/a", "http://ex/p": {"@id": "_:b0"}}
]}`,
		"top-level array": `[{"@id": "_:b0", "http://ex/name": "x"}, {"@id": "http://ex/a", "http://ex/p": {"@id": "_:b0"}}]`,
		"@id alias": `{"@context": {"id": "@id", "p": {"@id": "http://ex/p", "@type": "@id"}}, "@graph": [
  {"id": "_:b0", "http://ex/name": "x"},
  {"id": "http://ex/a", "p": "_:b0"}
]}`,
	} {
		db := openMem(t)
		mustLoad(t, db, "doc.jsonld", doc, nil)
		var subject, object string
		for _, q := range allQuads(t, db) {
			f := strings.Fields(q)
			switch f[1] {
			case "<http://ex/name>":
				subject = f[0]
			case "<http://ex/p>":
				object = f[2]
			}
		}
		if subject == "" || subject != object || !strings.HasPrefix(subject, "_:") {
			t.Errorf("%s: _:b0 is %s in one element and %s in the other", name, subject, object)
		}
	}
}

// toRDF converts a whole document with json-gold, offline, into sorted
// N-Quads with blank nodes renamed by order of appearance.
func toRDF(t *testing.T, doc string) []string {
	t.Helper()
	var v interface{}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	opts := ld.NewJsonLdOptions("")
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.Format = "application/n-quads"
	out, err := ld.NewJsonLdProcessor().ToRDF(v, opts)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(out.(string), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return canonBlanks(lines)
}

var blankRE = regexp.MustCompile(`_:[A-Za-z0-9.]+`)

// canonBlanks renames blank nodes _:b1, _:b2… by first appearance in the
// sorted lines (enough for the small documents compared here).
func canonBlanks(lines []string) []string {
	sort.Slice(lines, func(i, j int) bool {
		return blankRE.ReplaceAllString(lines[i], "_:") < blankRE.ReplaceAllString(lines[j], "_:")
	})
	names := map[string]string{}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = blankRE.ReplaceAllStringFunc(l, func(b string) string {
			if _, ok := names[b]; !ok {
				names[b] = fmt.Sprintf("_:b%d", len(names)+1)
			}
			return names[b]
		})
	}
	sort.Strings(out)
	return out
}

// TestJSONLDAsJSONGold compares the streaming reader with json-gold
// converting each whole document.
func TestJSONLDAsJSONGold(t *testing.T) {
	var mismatch []string
	for _, c := range []struct{ name, doc string }{
		{"node", `{"@id": "http://ex/a", "http://ex/p": [{"@value": "v", "@language": "de"}, 3, 2.5, false]}`},
		{"context and graph", `{"@context": {"@vocab": "http://ex/"}, "@graph": [{"@id": "http://ex/a", "p": "v"}, {"@id": "http://ex/b", "q": {"r": "s"}}]}`},
		{"array", `[{"@id": "http://ex/a", "http://ex/p": {"@id": "http://ex/b"}}, {"@id": "http://ex/b", "@type": "http://ex/T"}]`},
		{"list", `{"@id": "http://ex/a", "http://ex/p": {"@list": ["x", "y"]}}`},
		{"reverse", `{"@context": {"child": {"@reverse": "http://ex/parent"}}, "@id": "http://ex/a", "child": {"@id": "http://ex/b"}}`},
		{"named graph", `{"@id": "http://ex/g", "@graph": [{"@id": "http://ex/a", "http://ex/p": "v"}]}`},
		{"named graph with properties", `{"@id": "http://ex/g", "http://ex/date": "2024", "@graph": [{"@id": "http://ex/a", "http://ex/p": "v"}]}`},
		{"nested named graph", `[{"@id": "http://ex/g", "@graph": {"@id": "http://ex/a", "http://ex/p": "v"}}]`},
		{"named graph, compact IRI", `{"@context": {"ex": "http://ex/"}, "@id": "ex:g", "@graph": [{"@id": "ex:a", "ex:p": "v"}, {"@id": "ex:b", "ex:p": "w"}]}`},
		{"named graph, blank node", `{"@id": "_:g", "http://ex/date": "2024", "@graph": [{"@id": "http://ex/a", "http://ex/in": {"@id": "_:g"}}, {"@id": "http://ex/b", "http://ex/p": "w"}]}`},
		{"element context on top of the document's", `{"@context": {"@vocab": "http://ex/"}, "@graph": [{"@context": {"q": "http://other/q"}, "@id": "http://ex/a", "p": "v", "q": "w"}]}`},
		{"blank node across elements", `{"@graph": [{"@id": "_:x", "http://ex/name": "x"}, {"@id": "http://ex/a", "http://ex/p": {"@id": "_:x"}}, {"http://ex/name": "anonymous"}]}`},
		{"values in @graph", `{"@graph": [{"@id": "http://ex/a", "http://ex/p": "v"}, "http://example.com/doc", 1, null]}`},
	} {
		db := openMem(t)
		if _, err := loadString(db, "x.jsonld", c.doc, nil); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := canonBlanks(allQuads(t, db))
		want := toRDF(t, c.doc)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			mismatch = append(mismatch, fmt.Sprintf("%s:\n got %s\nwant %s", c.name, strings.Join(got, "\n     "), strings.Join(want, "\n     ")))
		}
	}
	if len(mismatch) > 0 {
		t.Errorf("the streaming reader differs from json-gold:\n%s", strings.Join(mismatch, "\n"))
	}
}

// TestJSONLDNoPanic feeds documents json-gold v0.5.0 panics on to the
// reader: each must be an error, not a panic. (Not through Load: into an
// empty store the reader runs in a goroutine of the bulk loader, where a
// panic ends the test binary.)
func TestJSONLDNoPanic(t *testing.T) {
	for _, doc := range []string{`{"": true}`, `{"": 1}`, `[{"@id": "http://ex/a", "": false}]`, `{"@graph": [{"": 2}]}`} {
		t.Run(doc, func(t *testing.T) {
			r := loader.NewJSONLDReader(strings.NewReader(doc), "p.jsonld", 0)
			var err error
			for err == nil {
				_, err = r.ReadQuad()
			}
			if err == io.EOF {
				return // a processor may also ignore the empty term
			}
			if le := asLoaderError(t, err); le.Line != 1 || !errors.Is(err, loader.ErrSyntax) {
				t.Errorf("error %v", err)
			}
		})
	}
}

// TestJSONLDNoPanicThroughLoad loads documents json-gold panics on into an
// empty store, where the reader runs in the bulk loader's goroutine, and
// into one with data: each is an error, and the store is unchanged.
func TestJSONLDNoPanicThroughLoad(t *testing.T) {
	for _, empty := range []bool{true, false} {
		for _, doc := range []string{`{"": true}`, "[\n{\"@id\": \"http://ex/a\", \"http://ex/p\": \"v\"},\n{\"@id\": \"http://ex/a\", \"\": false}\n]"} {
			db := openMem(t)
			if !empty {
				mustLoad(t, db, "base.nq", "<http://ex/base> <http://ex/p> <http://ex/o> .\n", nil)
			}
			before := snapshot(t, db)
			_, err := loadString(db, "p.jsonld", doc, nil)
			if !errors.Is(err, loader.ErrSyntax) || !strings.Contains(err.Error(), "invalid JSON-LD: the JSON-LD processor failed on this element") {
				t.Errorf("empty store %v, %s: error %v", empty, doc, err)
			}
			if le := asLoaderError(t, err); le.Line != max(1, strings.Count(doc, "\n")) {
				t.Errorf("empty store %v, %s: error at line %d", empty, doc, le.Line)
			}
			if snapshot(t, db) != before {
				t.Errorf("empty store %v, %s: the store changed", empty, doc)
			}
		}
	}
}

// TestJSONLDErrorCaret checks that a JSON error carries its line for the
// caret.
func TestJSONLDErrorCaret(t *testing.T) {
	_, err := loadString(openMem(t), "x.jsonld", "{\n  \"@id\": \"http://ex/a\",\n  \"http://ex/p\": \"v\"\n  \"http://ex/q\": 1\n}\n", nil)
	le := asLoaderError(t, err)
	if want := "  \"http://ex/q\": 1\n  ^"; le.Caret() != want {
		t.Errorf("caret:\n%s\nwant:\n%s", le.Caret(), want)
	}
	if got, want := err.Error(), `x.jsonld:4:3: invalid JSON: invalid character '"' after object key:value pair`; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

// TestJSONLDTruncatedGzip checks that a gzip stream cut short is reported
// as such, not as invalid JSON.
func TestJSONLDTruncatedGzip(t *testing.T) {
	doc := "[" + strings.Repeat(`{"@id": "http://ex/a", "http://ex/p": "v"},`+"\n", 2000) + "{}]"
	z := gzipBytes(t, []byte(doc))
	_, err := loadString(openMem(t), "cut.jsonld.gz", string(z[:len(z)/2]), nil)
	if !errors.Is(err, loader.ErrSyntax) {
		t.Errorf("error %v, want ErrSyntax", err)
	}
	if got, want := err.Error(), "cut.jsonld.gz: the gzip stream is truncated: the file ends after 169 bytes of compressed data, before the stream does"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

// manyValues is a JSON-LD node with n values on one property, each value
// written twice when twice is set.
func manyValues(n int, twice bool) string {
	var b strings.Builder
	b.WriteString(`{"@id": "http://ex/a", "http://ex/p": [`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `"v%d"`, i)
		if twice {
			fmt.Fprintf(&b, `, "v%d"`, i)
		}
	}
	b.WriteString(`], "http://ex/q": [{"@id": "http://ex/b"}, {"@id": "http://ex/b"}, 1, 1.0, "1"]}`)
	return b.String()
}

// TestJSONLDManyValues loads a node with 40,000 values on one property,
// each written twice: a property's values are a set, as JSON-LD has them.
func TestJSONLDManyValues(t *testing.T) {
	res, err := loadString(nil, "many.jsonld", manyValues(40000, true), &loader.Options{DryRun: true})
	if err != nil || res.Read != 40000+3 {
		t.Fatalf("%+v %v, want %d statements", res, err, 40000+3)
	}
	db := openMem(t)
	if _, err := loadString(db, "many.jsonld", manyValues(3, true), nil); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(allQuads(t, db), "\n")
	want := `<http://ex/a> <http://ex/p> "v0" .
<http://ex/a> <http://ex/p> "v1" .
<http://ex/a> <http://ex/p> "v2" .
<http://ex/a> <http://ex/q> "1" .
<http://ex/a> <http://ex/q> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://ex/a> <http://ex/q> <http://ex/b> .`
	if got != want {
		t.Errorf("quads:\n%s\nwant:\n%s", got, want)
	}
}

// TestJSONLDCancelInElement cancels a load while one large element is
// converted: the conversion stops, not only the load after it.
func TestJSONLDCancelInElement(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := loader.LoadSources(ctx, nil, []loader.Source{stringSource("many.jsonld", manyValues(40000, false))}, &loader.Options{DryRun: true})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if res.Read != 0 {
		t.Errorf("%d statements read from an element whose conversion was cancelled", res.Read)
	}
}
