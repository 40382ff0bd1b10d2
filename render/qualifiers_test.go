package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/entente-kg/entente/query"
)

// troops is US —troops_in→ South Korea as the seed graph has it, with a
// qualifier no renderer knows by name (basis) and a valid time.
func troops() *query.Relation {
	r := rel(us, kr, "troops_in", "s:20", "status", "at_risk", "quantity", "28500", "basis", "inferred",
		"valid_from", "2024-11-05", "note", "a withdrawal may be threatened")
	r.Evidence = []query.Evidence{{Source: "ecfr-2024", Locator: "South Korea › What Seoul wants ¶1", Note: "The US keeps troops there."}}
	return r
}

// TestEveryQualifierInEveryView: each view carries every qualifier a
// relation holds, by whatever name, and its evidence when asked.
func TestEveryQualifierInEveryView(t *testing.T) {
	why := &query.Result{Kind: "why", Columns: []string{"relation"}, Rows: [][]query.Value{{troops()}}}
	neighbors := &query.Result{Kind: "neighbors", Columns: []string{"node", "relation"}, Rows: [][]query.Value{{kr, troops()}}}
	card := &query.Result{Kind: "show", Columns: []string{"entity", "relations"}, Rows: [][]query.Value{{us, query.List{troops()}}}}
	quals := []string{"at_risk", "quantity: 28,500", "basis: inferred", "valid_from: 2024-11-05"}
	for _, c := range []struct {
		name string
		res  *query.Result
		f    Format
		want []string
	}{
		{"why chain", why, Table, []string{"United States —troops_in [at_risk, quantity: 28,500, basis: inferred, valid_from: 2024-11-05]→ South Korea"}},
		{"neighbors table", neighbors, Table, quals},
		{"card", card, Table, quals},
		{"neighbors csv", neighbors, CSV, []string{"quantity: 28,500", "basis: inferred", "valid_from: 2024-11-05"}},
		{"card csv", card, CSV, []string{"basis", "valid_from", "2024-11-05", "inferred", "28500"}},
		{"json", why, JSON, []string{`"quantity":"28500"`, `"basis":"inferred"`, `"valid_from":"2024-11-05"`, `"status":"at_risk"`}},
	} {
		var b bytes.Buffer
		if err := Write(&b, c.res, c.f, nil); err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s lacks %q:\n%s", c.name, w, b.String())
			}
		}
		if strings.Contains(b.String(), "What Seoul wants") && c.f != JSON {
			t.Errorf("%s shows evidence unasked:\n%s", c.name, b.String())
		}
	}
}

// TestEvidenceInEveryFormat: --evidence is honoured by tables, cards,
// chains and CSV (JSON always carries it).
func TestEvidenceInEveryFormat(t *testing.T) {
	neighbors := &query.Result{Kind: "neighbors", Columns: []string{"depth", "node", "relation"},
		Rows: [][]query.Value{{int64(1), kr, troops()}, {int64(1), kr, troops()}}}
	card := &query.Result{Kind: "show", Columns: []string{"entity", "relations"}, Rows: [][]query.Value{{us, query.List{troops()}}}}
	for _, c := range []struct {
		name string
		res  *query.Result
		f    Format
	}{{"table", neighbors, Table}, {"chain", neighbors, Chain}, {"card", card, Table}, {"csv", neighbors, CSV}, {"card csv", card, CSV}} {
		var b bytes.Buffer
		if err := Write(&b, c.res, c.f, &Options{Evidence: true}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.Contains(out, "[ecfr-2024, South Korea › What Seoul wants ¶1] The US keeps troops there.") {
			t.Errorf("%s lacks the evidence:\n%s", c.name, out)
		}
		if c.f == Table && strings.Count(out, "What Seoul wants") != 1 {
			t.Errorf("%s: a relation's evidence is shown once:\n%s", c.name, out)
		}
		if c.f == CSV {
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatalf("%s: %v\n%s", c.name, err, out)
			}
			if h := recs[0]; h[len(h)-1] != "evidence" {
				t.Errorf("%s: header %v", c.name, h)
			}
		}
	}
	var b bytes.Buffer
	Write(&b, neighbors, Table, &Options{Evidence: true})
	if !strings.Contains(b.String(), "note: a withdrawal may be threatened") {
		t.Errorf("table evidence lacks the note:\n%s", b.String())
	}
	b.Reset()
	Write(&b, neighbors, JSON, &Options{Evidence: true})
	var row map[string]interface{}
	if err := json.Unmarshal([]byte(strings.SplitN(b.String(), "\n", 2)[0]), &row); err != nil {
		t.Fatal(err)
	}
	if row["relation"].(map[string]interface{})["evidence"] == nil {
		t.Errorf("json lacks evidence: %s", b.String())
	}
}

// TestChainTakesDefaultsAsRead: a chain leaves out an existing status and
// a stated basis, which every hop would otherwise carry; a table keeps
// them.
func TestChainTakesDefaultsAsRead(t *testing.T) {
	r := rel(jp, in, "partner", "s:30", "status", "existing", "basis", "stated", "period", "2024–")
	why := &query.Result{Kind: "why", Columns: []string{"relation"}, Rows: [][]query.Value{{r}}}
	var b bytes.Buffer
	Write(&b, why, Table, nil)
	if want := "Japan —partner [period: 2024–]→ India\n"; !strings.HasPrefix(b.String(), want) {
		t.Errorf("chain:\n%s\nwant %s", b.String(), want)
	}
	b.Reset()
	why.Kind = "match"
	Write(&b, why, Table, nil)
	if !strings.Contains(b.String(), "basis: stated") {
		t.Errorf("table:\n%s", b.String())
	}
}
