package export

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/query"
)

// A network answer's marks (query.Result.Marks) reach the files as node
// attributes, and a picture's DOT outlines each group in its colour.
func TestMarks(t *testing.T) {
	a := &query.Node{ID: quad.IRI("entity:a"), Name: "A", Types: []string{"Country"}}
	b := &query.Node{ID: quad.IRI("entity:b"), Name: "B", Types: []string{"Country"}}
	rel := &query.Relation{From: a, To: b, Kind: "partner", Pred: quad.IRI("rel:partner")}
	res := &query.Result{Kind: "communities", Columns: []string{"community", "size", "members"},
		Rows:  [][]query.Value{{int64(1), int64(2), query.List{a, b}}},
		Extra: []*query.Relation{rel},
		Marks: map[string]query.Mark{"entity:a": {Group: 1}, "entity:b": {Group: 2}}}
	var g bytes.Buffer
	if err := Write(context.Background(), &g, res, GraphML, &Options{Query: "communities"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`attr.name="group"`, `<data key="n_group">1</data>`, `<data key="n_group">2</data>`} {
		if !strings.Contains(g.String(), want) {
			t.Errorf("GraphML lacks %s:\n%s", want, g.String())
		}
	}
	sg := SubgraphOf(res)
	dot := dotText(drawingOf(res, sg, &Options{}), sg, &Options{}, false)
	for _, want := range []string{`color="` + groupColours[0] + `", penwidth=2.5`, `color="` + groupColours[1] + `", penwidth=2.5`} {
		if !strings.Contains(dot, want) {
			t.Errorf("DOT lacks %s:\n%s", want, dot)
		}
	}
	res.Marks = map[string]query.Mark{"entity:a": {Rank: 1, Score: 0.5}, "entity:b": {Rank: 2, Score: 0.25}}
	sg = SubgraphOf(res)
	dot = dotText(drawingOf(res, sg, &Options{}), sg, &Options{}, false)
	if !strings.Contains(dot, `color="`+rankColours[0]+`"`) || !strings.Contains(dot, `color="`+rankColours[3]+`"`) {
		t.Errorf("DOT of a rank lacks the shades of ranks 1 and 2:\n%s", dot)
	}
	g.Reset()
	if err := Write(context.Background(), &g, res, GEXF, &Options{}); err != nil {
		t.Fatal(err)
	}
	if s := g.String(); !strings.Contains(s, `title="rank"`) || !strings.Contains(s, `value="0.5"`) || strings.Contains(s, `title="group"`) {
		t.Errorf("GEXF of a rank:\n%s", s)
	}
}
