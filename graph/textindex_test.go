package graph_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/cayleygraph/quad"
	eg "github.com/entente-kg/entente/graph"
)

func TestTokenize(t *testing.T) {
	var terms []string
	for _, tok := range eg.Tokenize("Japan's TARIFFS on Électricité, policies & taxes — São Paulo’s semi-conductors (US) in 2024") {
		terms = append(terms, tok.Term)
	}
	want := []string{"japan", "tariff", "on", "electricite", "policy", "tax", "sao", "paulo", "semi", "conductor", "us", "in", "2024"}
	if !reflect.DeepEqual(terms, want) {
		t.Errorf("terms = %q, want %q", terms, want)
	}
	toks := eg.Tokenize("Café crème")
	if toks[1].Start != len("Café ") || toks[1].End != len("Café crème") {
		t.Errorf("offsets = %+v", toks)
	}
}

func TestStemTerm(t *testing.T) {
	for in, want := range map[string]string{
		"policies": "policy", "taxes": "tax", "matches": "match", "tariffs": "tariff", "alliances": "alliance",
		"us": "us", "gas": "gas", "analysis": "analysis", "business": "business", "class": "class", "series": "series",
	} {
		if got := eg.StemTerm(in); got != want {
			t.Errorf("StemTerm(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTextQuery(t *testing.T) {
	q, err := eg.ParseTextQuery(`Tariffs "nuclear umbrellas" semi*`)
	if err != nil {
		t.Fatal(err)
	}
	want := []eg.TextClause{{Terms: []string{"tariff"}}, {Terms: []string{"nuclear", "umbrella"}}, {Terms: []string{"semi"}, Prefix: true}}
	if !reflect.DeepEqual(q.Clauses, want) {
		t.Errorf("clauses = %+v, want %+v", q.Clauses, want)
	}
	for _, bad := range []string{``, `  -- `, `"open phrase`} {
		if _, err := eg.ParseTextQuery(bad); !errors.Is(err, eg.ErrTextQuery) {
			t.Errorf("%q: err = %v, want ErrTextQuery", bad, err)
		}
	}
}

func TestMatchSpans(t *testing.T) {
	q, _ := eg.ParseTextQuery(`"star wars" clone*`)
	got := eg.MatchSpans("Star Wars: The Clone Wars", q.Clauses)
	if want := [][2]int{{0, 9}, {15, 20}}; !reflect.DeepEqual(got, want) {
		t.Errorf("spans = %v, want %v", got, want)
	}
	q, _ = eg.ParseTextQuery(`wars empire`)
	if got := eg.MatchSpans("Star Wars", q.Clauses); got != nil {
		t.Errorf("a clause that does not match: spans = %v, want nil", got)
	}
}

// textStore is a store with two entities, one relation and its evidence,
// in the data model's shape.
func textStore(t *testing.T, open openFunc) *eg.DB {
	t.Helper()
	db := open(t)
	iri := func(s string) quad.Value { return quad.IRI(s) }
	str := func(s string) quad.Value { return quad.String(s) }
	quads := [][4]quad.Value{
		{iri("entity:korea"), eg.PredType, iri("type:Country"), nil},
		{iri("entity:korea"), eg.PredName, str("South Korea"), nil},
		{iri("entity:korea"), eg.PredAlias, str("Seoul"), nil},
		{iri("entity:ukraine"), eg.PredType, iri("type:Country"), nil},
		{iri("entity:ukraine"), eg.PredName, str("Ukraine"), nil},
		{iri("entity:korea"), iri("rel:supplies"), iri("entity:ukraine"), iri("stmt:k")},
		{iri("stmt:k"), eg.PredType, eg.TypeStatement, nil},
		{iri("stmt:k"), eg.PredSubject, iri("entity:korea"), nil},
		{iri("stmt:k"), eg.PredPredicate, iri("rel:supplies"), nil},
		{iri("stmt:k"), eg.PredObject, iri("entity:ukraine"), nil},
		{iri("stmt:k"), eg.QualifierNote(), str("arms deliveries, not yet made"), nil},
		{iri("stmt:k"), eg.PredEvidence, iri("ev:k/1"), nil},
		{iri("ev:k/1"), eg.PredType, eg.TypeEvidence, nil},
		{iri("ev:k/1"), eg.PredSource, iri("source:ecfr-2024"), nil},
		{iri("ev:k/1"), eg.PredLocator, str("South Korea › What Europeans should do ¶1"), nil},
		{iri("ev:k/1"), eg.PredNote, str("Europeans hope Seoul sends weapons straight to Ukraine."), nil},
		{iri("source:ecfr-2024"), eg.PredType, eg.TypeSource, nil},
		{iri("source:ecfr-2024"), eg.PredName, str("Europe and its partners"), nil},
	}
	err := db.Update(context.Background(), func(b *eg.Batch) error {
		for _, q := range quads {
			b.Add(quad.Quad{Subject: q[0], Predicate: q[1], Object: q[2], Label: q[3]})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func search(t *testing.T, db *eg.DB, q string, opts eg.TextSearch) ([]eg.TextHit, int) {
	t.Helper()
	ix, err := db.TextIndex(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tq, err := eg.ParseTextQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	hits, total, err := ix.Search(context.Background(), tq, opts)
	if err != nil {
		t.Fatal(err)
	}
	return hits, total
}

func TestTextIndex(t *testing.T) { eachBackend(t, testTextIndex) }

func testTextIndex(t *testing.T, open openFunc) {
	ctx := context.Background()
	db := textStore(t, open)
	hits, total := search(t, db, "ukraine", eg.TextSearch{})
	if total != 2 || len(hits) != 2 {
		t.Fatalf("ukraine: %d hits (%d in all), want 2: %+v", len(hits), total, hits)
	}
	if hits[0].Field != eg.FieldName || hits[1].Field != eg.FieldEvidence {
		t.Errorf("ukraine: fields %v, %v; want the name first, then the evidence", hits[0].Field, hits[1].Field)
	}
	ev := hits[1]
	if ev.Locator != "South Korea › What Europeans should do ¶1" || ev.Source != "ecfr-2024" || ev.Statement == nil || ev.Subject == nil || ev.Object == nil {
		t.Errorf("evidence hit = %+v", ev)
	}
	if s := ev.Text[ev.Spans[0][0]:ev.Spans[0][1]]; s != "Ukraine" {
		t.Errorf("span = %q", s)
	}
	// Fields, plurals, accents, prefixes, phrases.
	for _, c := range []struct {
		q      string
		fields eg.TextFields
		want   []eg.TextField
	}{
		{"seoul", 0, []eg.TextField{eg.FieldAlias, eg.FieldEvidence}},
		{"seoul", eg.TextFields(0).With(eg.FieldEvidence), []eg.TextField{eg.FieldEvidence}},
		{"DELIVERY", 0, []eg.TextField{eg.FieldNote}},
		{"ukràine weapon", 0, []eg.TextField{eg.FieldEvidence}},
		{"europ*", eg.TextFields(0).With(eg.FieldLocator), []eg.TextField{eg.FieldLocator}},
		{`"straight to ukraine"`, 0, []eg.TextField{eg.FieldEvidence}},
		{`"ukraine straight"`, 0, nil},
		{"ecfr", 0, []eg.TextField{eg.FieldSource}},
		{"statement", 0, nil},
	} {
		hits, _ := search(t, db, c.q, eg.TextSearch{Fields: c.fields})
		var got []eg.TextField
		for _, h := range hits {
			got = append(got, h.Field)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: fields %v, want %v", c.q, got, c.want)
		}
	}
	// The index follows the store.
	ix, _ := db.TextIndex(ctx)
	if err := db.Update(ctx, func(b *eg.Batch) error {
		b.Add(quad.Make(quad.IRI("entity:japan"), eg.PredName, quad.String("Japan"), nil))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if ix2, _ := db.TextIndex(ctx); ix2 == ix {
		t.Error("the index was not rebuilt after the store changed")
	}
	if hits, _ := search(t, db, "japan", eg.TextSearch{}); len(hits) != 1 {
		t.Errorf("japan after the update: %d hits", len(hits))
	}
}

func TestTextIndexCancelled(t *testing.T) {
	db := textStore(t, backends[1].open)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.TextIndex(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// FuzzTextQuery: parsing a search text and matching it against a text
// never panics, and the spans it marks lie in the text, in order, on
// word boundaries.
func FuzzTextQuery(f *testing.F) {
	for _, s := range [][2]string{
		{`tariffs "nuclear umbrella" semi*`, "Semiconductors and the nuclear umbrella: tariffs"},
		{`São*`, "São Paulo’s Japan's"},
		{`"open`, "x"},
		{`a* b`, "a b a"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, q, text string) {
		tq, err := eg.ParseTextQuery(q)
		if err != nil {
			if !errors.Is(err, eg.ErrTextQuery) {
				t.Fatalf("%q: %v", q, err)
			}
			return
		}
		end := 0
		for _, sp := range eg.MatchSpans(text, tq.Clauses) {
			if sp[0] < end || sp[1] <= sp[0] || sp[1] > len(text) {
				t.Fatalf("%q in %q: bad span %v after %d", q, text, sp, end)
			}
			end = sp[1]
		}
	})
}
