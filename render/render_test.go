package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/query"
)

func node(id, name string) *query.Node { return &query.Node{ID: quad.IRI(id), Name: name} }

func rel(from, to *query.Node, kind, stmt string, quals ...string) *query.Relation {
	r := &query.Relation{From: from, To: to, Kind: kind, Stmt: quad.IRI(stmt)}
	for i := 0; i+1 < len(quals); i += 2 {
		r.Qualifiers = append(r.Qualifiers, query.Qualifier{Name: quals[i], Value: quals[i+1]})
	}
	return r
}

var (
	kr = node("entity:south-korea", "South Korea")
	us = node("entity:united-states", "United States")
	jp = node("entity:japan", "Japan")
	eu = node("entity:eu", "European Union")
	in = node("entity:india", "India")
)

// whyResult is why "South Korea" "United States": two seeks_from
// relations that only their sector tells apart, and one ally.
func whyResult() *query.Result {
	return &query.Result{Kind: "why", Columns: []string{"relation"}, Rows: [][]query.Value{
		{rel(kr, us, "ally", "s:1", "period", "since the Korean War")},
		{rel(kr, us, "seeks_from", "s:2", "sector", "Defence", "instrument", "Nuclear umbrella")},
		{rel(kr, us, "seeks_from", "s:3", "sector", "Command and control", "note", "more say")},
		{rel(kr, us, "invests_in", "s:4", "status", "potential", "sector", "Semiconductors")},
	}}
}

// pathResult is Japan ←partner— EU ←partner— India, the first hop
// standing for two more relations (cooperation both ways).
func pathResult() *query.Result {
	p := &query.Path{Nodes: []*query.Node{jp, eu, in}, Hops: []query.Hop{
		{Rel: rel(eu, jp, "partner", "s:10"), Reverse: true, Also: []*query.Relation{
			rel(eu, jp, "cooperation", "s:11", "sector", "Trade"),
			rel(jp, eu, "cooperation", "s:12", "sector", "Data"),
		}},
		{Rel: rel(in, eu, "partner", "s:13"), Reverse: true},
	}}
	return &query.Result{Kind: "path", Columns: []string{"path"}, Rows: [][]query.Value{{p}}}
}

func TestChainQualifiers(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, whyResult(), Chain, nil); err != nil {
		t.Fatal(err)
	}
	want := `South Korea —ally [period: since the Korean War]→ United States
South Korea —seeks_from [sector: Defence, instrument: Nuclear umbrella]→ United States
South Korea —seeks_from [sector: Command and control]→ United States
South Korea —invests_in [potential, sector: Semiconductors]→ United States
(4 rows)
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestParallelRelations(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, pathResult(), Table, nil); err != nil {
		t.Fatal(err)
	}
	want := "Japan ←partner (+2 more: ←cooperation, cooperation)— European Union ←partner— India\n(1 row)\n"
	if b.String() != want {
		t.Errorf("chain: got\n%s\nwant\n%s", b.String(), want)
	}

	b.Reset()
	Write(&b, pathResult(), Chain, &Options{Evidence: true})
	for _, w := range []string{"    also: European Union —cooperation→ Japan  (sector: Trade)", "    also: Japan —cooperation→ European Union  (sector: Data)"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("evidence lacks %q:\n%s", w, b.String())
		}
	}

	// A path in a table cell (match … return p) and in CSV.
	res := pathResult()
	res.Kind = "match"
	b.Reset()
	Write(&b, res, Table, nil)
	if !strings.Contains(b.String(), "←partner (+2 more: ←cooperation, cooperation)—") {
		t.Errorf("table:\n%s", b.String())
	}

	b.Reset()
	if err := Write(&b, pathResult(), JSON, nil); err != nil {
		t.Fatal(err)
	}
	var row struct {
		Edges []struct {
			Rel  string `json:"rel"`
			Also []struct {
				Rel     string `json:"rel"`
				Sector  string `json:"sector"`
				Reverse bool   `json:"reverse"`
			} `json:"also"`
		} `json:"edges"`
	}
	if err := json.Unmarshal(b.Bytes(), &row); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(row.Edges) != 2 || len(row.Edges[0].Also) != 2 || row.Edges[1].Also != nil {
		t.Fatalf("also: %s", b.String())
	}
	a := row.Edges[0].Also
	if a[0].Rel != "cooperation" || a[0].Sector != "Trade" || !a[0].Reverse || a[1].Reverse {
		t.Errorf("also: %+v", a)
	}
	if strings.Contains(b.String(), `"also":null`) || strings.Count(b.String(), `"also"`) != 1 {
		t.Errorf("an edge without parallel relations has an also: %s", b.String())
	}
}

func TestNumbers(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 471705: "471,705", 1234567: "1,234,567", -2940: "-2,940"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for _, c := range []struct {
		n    int64
		noun string
		want string
	}{{1, "file", "1 file"}, {0, "file", "0 files"}, {2940, "quad", "2,940 quads"}, {89, "entity", "89 entities"}, {1, "entity", "1 entity"}} {
		if got := Count(c.n, c.noun); got != c.want {
			t.Errorf("Count(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}
