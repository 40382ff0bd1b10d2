package query_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/cayleygraph/quad/nquads"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
)

// strengthStore: A —partner→ B —partner→ C, both stated and existing; a
// direct A —partner→ C inferred from the text; B —supports→ C proposed
// beside B —partner→ C; A —partner→ D lapsed, D's only link.
func strengthStore(t *testing.T) *graph.DB {
	t.Helper()
	var b strings.Builder
	for _, n := range []string{"A", "B", "C", "D"} {
		id := "<entity:" + strings.ToLower(n) + ">"
		b.WriteString(id + " <rdf:type> <type:Country> .\n")
		b.WriteString(id + ` <schema:name> "` + n + "\" .\n")
	}
	rel := func(s, kind, o, status, basis string) {
		stmt := "<stmt:" + s + "/" + kind + "/" + o + ">"
		b.WriteString("<entity:" + s + "> <rel:" + kind + "> <entity:" + o + "> " + stmt + " .\n")
		b.WriteString(stmt + " <rdf:type> <type:Statement> .\n")
		if status != "" {
			b.WriteString(stmt + ` <q:status> "` + status + "\" .\n")
		}
		if basis != "" {
			b.WriteString(stmt + ` <q:basis> "` + basis + "\" .\n")
		}
	}
	rel("a", "partner", "b", "existing", "stated")
	rel("b", "partner", "c", "", "")
	rel("a", "partner", "c", "existing", "inferred")
	rel("b", "supports", "c", "proposed", "stated")
	rel("a", "partner", "d", "lapsed", "background")
	db, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Load(context.Background(), nquads.NewReader(strings.NewReader(b.String()), false), nil); err != nil {
		t.Fatal(err)
	}
	return db
}

// chains writes each path of an answer as its nodes and weakest hop.
func chains(res *query.Result) []string {
	var out []string
	for _, row := range res.Rows {
		p := row[0].(*query.Path)
		var names []string
		for _, n := range p.Nodes {
			names = append(names, n.Label())
		}
		out = append(out, strings.Join(names, "-")+" "+p.Weakest)
	}
	return out
}

func TestStrengthOrder(t *testing.T) {
	order := []graph.Strength{
		graph.StrengthOf("", ""),
		graph.StrengthOf("existing", "inferred"),
		graph.StrengthOf("at risk", "background"),
		graph.StrengthOf("at_risk", "inferred"),
		graph.StrengthOf("Potential", ""),
		graph.StrengthOf("potential", "inferred"),
		graph.StrengthOf("proposed", "stated"),
		graph.StrengthOf("proposed", "inferred"),
		graph.StrengthOf("lapsed", ""),
		graph.StrengthOf("lapsed", "inferred"),
	}
	if !sort.SliceIsSorted(order, func(i, j int) bool { return order[i] < order[j] }) || order[0] != graph.StrengthExisting {
		t.Errorf("strengths out of order: %v", order)
	}
	for i := 1; i < len(order); i++ {
		if order[i] == order[i-1] {
			t.Errorf("%v and %v are one strength", order[i-1], order[i])
		}
	}
	if s := graph.StrengthOf("at-risk", "inferred").String(); s != "at_risk, inferred" {
		t.Errorf("String: %q", s)
	}
	if _, ok := graph.StatusStrength("active"); ok {
		t.Error("a status outside the data model is known")
	}
}

func TestPathStrongest(t *testing.T) {
	db := strengthStore(t)
	for _, c := range []struct {
		src   string
		paths []string
		note  string
	}{
		// Stated before inferred: the longer stated path, and a note on
		// the shorter inferred one.
		{"path A to C", []string{"A-B-C existing"}, "a shorter path (1 hop) goes through weaker links (existing, inferred): path A to C including existing"},
		{"path A to C including existing", []string{"A-C existing, inferred"}, ""},
		// A hop is as strong as its strongest parallel relation: B–C is
		// a partner (existing) beside a proposed supports.
		{"path B to C including proposed", []string{"B-C existing"}, ""},
		// The strongest available may be weak: it is said on the path.
		{"path B to C via supports", []string{"B-C proposed"}, ""},
		// Lapsed relations are walked only when asked.
		{"path A to D", nil, "a path of 1 hop goes through lapsed links: path A to D including lapsed"},
		{"path A to D including lapsed", []string{"A-D lapsed"}, ""},
		{"paths A to C", []string{"A-B-C existing"}, "1 more path goes through weaker links (down to existing, inferred): paths A to C including existing"},
		{"paths A to C including proposed", []string{"A-C existing, inferred", "A-B-C existing"}, ""},
		// where filters before the strengths are tried (B —partner→ C
		// has no basis: basis != inferred is null there, not = is true).
		{"path A to C including existing where not basis = inferred", []string{"A-B-C existing"}, ""},
		{"path A to C including existing where basis != inferred", nil, "no path from A to C within 12 hops"},
	} {
		res, err := run(t, db, c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := chains(res); strings.Join(got, "|") != strings.Join(c.paths, "|") {
			t.Errorf("%s: %q, want %q", c.src, got, c.paths)
		}
		if !strings.Contains(res.Note, c.note) || c.note == "" && res.Note != "" {
			t.Errorf("%s: note %q, want %q", c.src, res.Note, c.note)
		}
	}
}

func TestMatchHopStatus(t *testing.T) {
	db := strengthStore(t)
	for _, c := range []struct{ src, want string }{
		{`match p = (a {name: "A"})-[*..2]-(c {name: "C"}) return p.weakest order by length(p)`, "existing, inferred|existing"},
		{`match p = (a {name: "A"})-[*..2 {basis: "inferred"}]-(c {name: "C"}) return p.weakest`, "existing, inferred"},
		{`match p = (a {name: "A"})-[*..2 {status: ["at_risk", "proposed"]}]-(c {name: "C"}) return p.weakest`, ""},
		{`match p = (a {name: "B"})-[*1 {status: ["existing", "proposed"]}]-(c {name: "C"}) return p.weakest`, "existing"},
		{`match p = (a {name: "A"})-[*..2]-(c {name: "C"}) where p.weakest = "existing" return length(p)`, "2"},
	} {
		res, err := run(t, db, c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		var got []string
		for _, row := range res.Rows {
			got = append(got, strings.TrimSpace(fmt.Sprint(row[0])))
		}
		if strings.Join(got, "|") != c.want {
			t.Errorf("%s: %q, want %q", c.src, strings.Join(got, "|"), c.want)
		}
	}
}
