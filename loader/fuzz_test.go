package loader_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/loader"
)

// The fuzz targets feed arbitrary bytes to each reader and read every
// statement until io.EOF or an error. The property: no panic, no endless
// loop, and an error that is a *loader.Error has a valid position — Line
// >= 0 and, when Line > 0, Col >= 1 — and renders (Error, Caret) without
// panicking. Their corpora start from testdata/ and the error tables of
// the other tests.

// fakeResolver is a small store for the seed and CSV readers: japan and
// two entities named Korea (ambiguous), and one source.
type fakeResolver struct{}

func (fakeResolver) EntityType(id quad.IRI) (string, bool) {
	switch id {
	case "entity:japan", "entity:south-korea", "entity:north-korea":
		return "Country", true
	case "entity:semiconductors":
		return "Sector", true
	}
	return "", false
}

func (fakeResolver) ResolveName(name string) []loader.ResolvedEntity {
	switch strings.ToLower(name) {
	case "japan", "tokyo", "entity:japan":
		return []loader.ResolvedEntity{{ID: "entity:japan", Type: "Country", Name: "Japan"}}
	case "korea":
		return []loader.ResolvedEntity{
			{ID: "entity:south-korea", Type: "Country", Name: "South Korea"},
			{ID: "entity:north-korea", Type: "Country", Name: "North Korea"},
		}
	case "semiconductors", "chips":
		return []loader.ResolvedEntity{{ID: "entity:semiconductors", Type: "Sector", Name: "Semiconductors"}}
	}
	return nil
}

func (fakeResolver) SourceExists(id quad.IRI) bool { return id == "source:ecfr-2024" }

// drain reads r to the end or the first error and checks the property.
func drain(t *testing.T, r quad.Reader, size int) {
	t.Helper()
	n := 0
	limit := 100*size + 1000 // far more statements than any input can hold
	for {
		_, err := r.ReadQuad()
		if err == io.EOF {
			return
		}
		if err != nil {
			checkError(t, err)
			return
		}
		if n++; n > limit {
			t.Fatalf("more than %d statements from %d bytes: a loop", limit, size)
		}
	}
}

func checkError(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if msg == "" {
		t.Fatalf("empty error message")
	}
	var le *loader.Error
	if !errors.As(err, &le) {
		return
	}
	if le.Line < 0 || (le.Line > 0 && le.Col < 1) {
		t.Fatalf("error %q at line %d, column %d", msg, le.Line, le.Col)
	}
	if le.Col < 0 {
		t.Fatalf("error %q at column %d", msg, le.Col)
	}
	if le.Kind == nil {
		t.Fatalf("error %q has no kind", msg)
	}
	_ = le.Caret()
}

// addFiles adds the testdata files with one of the extensions to the
// corpus.
func addFiles(f *testing.F, exts ...string) {
	for _, ext := range exts {
		files, err := filepath.Glob(filepath.Join("testdata", "*"+ext))
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

func FuzzNQuads(f *testing.F) {
	addFiles(f, ".nq", ".nt")
	for _, c := range nquadsErrorCases {
		f.Add([]byte(c.line + "\n"))
	}
	for _, s := range []string{
		"", "\n", "\r", "\r\n\r\n", "#", "<", "<>", "_:", "_:a.", "_:a. <b> <c> .", "\"", "\"\\", "\"\\u", "\"\\U0011FFFF\"",
		"<a> <b> \"x\"@en-", "<a> <b> \"x\"^^", "<a> <b> \"x\"^^<", "<a> <b> <c> <d> <e> .", "\xff\xfe", "<a\\u0041> <b> <c> .",
		"<a> <b> _:c.\n<a> <b> _:c..\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := &loader.NQuadsOptions{Strict: len(data)%2 == 1, Triples: len(data)%3 == 0, MaxLine: 256}
		drain(t, loader.NewNQuadsReader(bytes.NewReader(data), "fuzz.nq", opts), len(data))
	})
}

func FuzzSeed(f *testing.F) {
	addFiles(f, ".seed")
	for _, c := range seedErrorCases {
		f.Add([]byte(c.src))
	}
	f.Add([]byte(multiErrorSeed))
	f.Add([]byte(validSeed))
	for _, s := range []string{
		"", "entity", "entity a", "entity a Country", "entity a Country \"", "entity a Country \"\\", "source", "source a",
		"a -b-> c", "a --> c", "->", " x", "\tx: y", "entity a Country \"A\"\n  alias: \"", "entity a Country \"A\"\n  alias: ,",
		"japan -partner-> japan\n  evidence: ecfr-2024 | a | b", "japan -cooperation-> japan\n  sector: Korea\n  evidence: ecfr-2024 | a | b",
		"japan -cooperation-> japan\n  sector: chips\n  instrument: tokyo\n  evidence: ecfr-2024|a|b",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		drain(t, loader.NewSeedReader(bytes.NewReader(data), "fuzz.seed", nil, 256), len(data))
		drain(t, loader.NewSeedReader(bytes.NewReader(data), "fuzz.seed", fakeResolver{}, 0), len(data))
	})
}

func FuzzCSV(f *testing.F) {
	addFiles(f, ".csv")
	for _, c := range csvErrorCases {
		f.Add([]byte(c.src))
	}
	f.Add([]byte(validCSV))
	for _, s := range []string{
		"", "subject", "subject,relation,object,source,locator,note\n", "subject,relation,object,source,locator,note\n,,,,,\n",
		"subject,relation,object,source,locator,note\nKorea,partner,Japan,s,l,n\n",
		"subject,relation,object,source,locator,note,subject_type,object_type,sector,instrument\nA!,partner,b,s,l,n,Country,Country,chips,x\n",
		"subject,relation,object,source,locator,note\n\"a\nb\",partner,\"\"\"\",s,l,n\n",
		"\ufeffsubject,relation,object,source,locator,note\n#c\nTokyo,partner,Tokyo,source:x,l,n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		drain(t, loader.NewCSVReader(bytes.NewReader(data), "fuzz.csv", nil, 256), len(data))
		drain(t, loader.NewCSVReader(bytes.NewReader(data), "fuzz.csv", fakeResolver{}, 0), len(data))
	})
}

func FuzzJSONLD(f *testing.F) {
	addFiles(f, ".jsonld", ".json")
	for _, s := range []string{
		"", "{}", "[]", "[{}]", "null", "1", "\"x\"", "{\"@graph\": []}", "{\"@graph\": {}}", "{\"@graph\": [1, \"x\", null]}",
		`{"@context": {"@vocab": "http://ex/"}, "@graph": [{"a": 1}], "b": 2}`,
		`{"@context": "http://example.com/ctx.jsonld", "@id": "http://ex/a"}`,
		`{"@context": {"@import": "/etc/passwd"}}`,
		`{"@id": "http://ex/g", "@graph": [{"@id": "_:b", "http://ex/p": {"@list": [1, 2.5, true, null]}}]}`,
		`{"@context": {"p": {"@id": "http://ex/p", "@type": "@id", "@container": "@index"}}, "p": {"x": "y"}}`,
		`{"@context": {"@version": 1.1, "p": {"@id": "http://ex/p", "@nest": "n"}}, "n": {"p": "v"}}`,
		`{"@type": "@json", "http://ex/p": {"@value": {"a": [1]}, "@type": "@json"}}`,
		`[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]`, `{"a": "\u00e9\ud800"}`, "{\n\"a\" \"b\"\n}",
		`{"@graph": [{"@id": "http://ex/a", "http://ex/p": "v"}], "@context": {}}`,
		`{"@reverse": {"http://ex/p": {"@id": "http://ex/b"}}, "@id": "http://ex/a"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		drain(t, loader.NewJSONLDReader(bytes.NewReader(data), "fuzz.jsonld", 16), len(data))
	})
}

// TestTestdataLoads checks that the corpus's valid files are valid: each
// loads without an error (the CSV file into the seed graph, whose names it
// uses).
func TestTestdataLoads(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"valid.seed", "valid.csv", "valid.nq", "crlf.nq", "valid.jsonld"} {
		db := openSeeded(t)
		before := stats(t, db).Quads
		res, err := loader.Load(ctx, db, []string{filepath.Join("testdata", name)}, nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if res.Added == 0 || stats(t, db).Quads != before+res.Added {
			t.Errorf("%s: result %+v", name, res)
		}
	}
}
