package loader

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"
)

// TestToRDFMatchesJSONGold runs the JSON-LD toRdf suite json-gold ships
// through the loader's node map and through json-gold's own, and checks
// they give the same statements (blank node labels aside: json-gold
// orders its nodes at random).
func TestToRDFMatchesJSONGold(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/piprate/json-gold").Output()
	if err != nil {
		t.Skipf("cannot find the json-gold module: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "ld", "testdata", "toRdf", "*-in.jsonld"))
	if len(files) < 300 {
		t.Skipf("only %d toRdf tests found", len(files))
	}
	ran := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		expanded := func() interface{} {
			var doc interface{}
			if json.Unmarshal(data, &doc) != nil {
				return nil
			}
			opts := ld.NewJsonLdOptions("https://w3c.github.io/json-ld-api/tests/toRdf/" + filepath.Base(f))
			opts.DocumentLoader = &offlineLoader{}
			opts.ProcessingMode = ld.JsonLd_1_1
			x, err := expand(doc, opts)
			if err != nil {
				return nil
			}
			return x
		}
		a, b := expanded(), expanded()
		if a == nil {
			continue
		}
		opts := ld.NewJsonLdOptions("")
		want, werr := ld.NewJsonLdApi().ToRDF(a, opts)
		got, gerr := toRDF(context.Background(), b, opts)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: json-gold: %v, loader: %v", filepath.Base(f), werr, gerr)
			continue
		}
		if werr != nil {
			continue
		}
		ran++
		if w, g := statements(want), statements(got); w != g {
			t.Errorf("%s:\njson-gold:\n%s\nloader:\n%s", filepath.Base(f), w, g)
		}
	}
	if ran < 300 {
		t.Errorf("only %d tests ran", ran)
	}
}

// statements renders a dataset as sorted N-Quads with blank node labels
// left out.
func statements(ds *ld.RDFDataset) string {
	term := func(n ld.Node) string {
		switch n := n.(type) {
		case *ld.BlankNode:
			return "_:"
		case *ld.IRI:
			return "<" + n.Value + ">"
		case *ld.Literal:
			return "\"" + n.Value + "\"@" + n.Language + "^^" + n.Datatype
		}
		return "?"
	}
	var lines []string
	for g, qs := range ds.Graphs {
		if strings.HasPrefix(g, "_:") {
			g = "_:"
		}
		for _, q := range qs {
			lines = append(lines, term(q.Subject)+" "+term(q.Predicate)+" "+term(q.Object)+" "+g)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
