package query_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/entente-kg/entente/query"
)

// TestSearchSeed: search finds relations by their evidence, with locators,
// and entities by their names, each match marked.
func TestSearchSeed(t *testing.T) {
	db := seedStore(t)
	res, err := run(t, db, `search "Ukraine"`)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != "search" || len(res.Rows) < 2 {
		t.Fatalf("search Ukraine: kind %q, %d rows", res.Kind, len(res.Rows))
	}
	rels, located := 0, 0
	for _, row := range res.Rows {
		text, ok := row[2].(query.Snippet)
		if !ok || !strings.Contains(text.String(), "«") {
			t.Errorf("text %v is not a marked snippet", row[2])
		}
		if _, ok := row[0].(*query.Relation); ok {
			rels++
			if loc, _ := row[3].(string); loc != "" {
				located++
			}
		}
	}
	if rels == 0 || located == 0 {
		t.Errorf("search Ukraine: %d relation hits, %d with a locator; want some of each", rels, located)
	}
	if n, ok := res.Rows[0][0].(*query.Node); !ok || n.Name != "Ukraine" {
		t.Errorf("first hit %v, want the entity Ukraine (a name ranks first)", res.Rows[0][0])
	}
	// in evidence: relations only; limit caps with a note.
	res, err = run(t, db, `search ukraine in evidence limit 1`)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0][1] != "evidence" {
		t.Fatalf("in evidence limit 1: %v", res.Rows)
	}
	if !res.Capped || !strings.Contains(res.Note, "limit 1") {
		t.Errorf("capped %v, note %q", res.Capped, res.Note)
	}
}

// TestMatchText: contains, starts with and matches on evidence, locators
// and names.
func TestMatchText(t *testing.T) {
	db := seedStore(t)
	count := func(src string) int {
		t.Helper()
		res, err := run(t, db, src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		return len(res.Rows)
	}
	contains := count(`match (a)-[r]->(b) where r.evidence contains "Ukraine" return a.name, r.locator`)
	if contains == 0 {
		t.Error("r.evidence contains: no rows")
	}
	if n := count(`match (a)-[r]->(b) where r.evidence matches "ukrain*" return a.name`); n < contains {
		t.Errorf("matches ukrain*: %d rows, fewer than contains (%d)", n, contains)
	}
	if n := count(`match (a)-[r]->(b) where r.locator starts with "South Korea" return a.name`); n == 0 {
		t.Error("r.locator starts with: no rows")
	}
	if n := count(`match (a)-[r]->(b) where r.source contains "ecfr" return a.name limit 1`); n != 1 {
		t.Errorf("r.source contains: %d rows", n)
	}
	if n := count(`match (n) where n.aliases contains "seoul" return n.name`); n != 1 {
		t.Errorf("n.aliases contains: %d rows", n)
	}
	if n := count(`match (n) where n.name matches "korea*" return n.name`); n < 2 {
		t.Errorf("n.name matches: %d rows", n)
	}
}

func TestSearchErrors(t *testing.T) {
	db := seedStore(t)
	for src, want := range map[string]string{
		`search "Japan" in evdence`: `unknown field "evdence" to search (did you mean evidence?)`,
		`search "--"`:               `has no word to look for`,
		`search 'say "open'`:        `a phrase's quote is not closed`,
		`match (a)-[r]->(b) where r.locatr contains "x" return a`:   `did you mean locator`,
		`match (a)-[r]->(b) where r.evidence matches '"x' return a`: `a phrase's quote is not closed`,
	} {
		_, err := run(t, db, src)
		var qe *query.Error
		if !errors.As(err, &qe) || !strings.Contains(qe.Error(), want) {
			t.Errorf("%s: %v, want an error saying %q", src, err, want)
		}
	}
}

func TestSnippet(t *testing.T) {
	s := query.Snippet{Text: "São Paulo and Rio", Spans: [][2]int{{0, 4}, {15, 18}}}
	if got := s.String(); got != "«São» Paulo and «Rio»" {
		t.Errorf("String = %q", got)
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"text":"São Paulo and Rio","highlight":"«São» Paulo and «Rio»","offsets":[[0,3],[14,17]]}`; string(data) != want {
		t.Errorf("JSON = %s, want %s", data, want)
	}
	long := query.Snippet{Text: strings.Repeat("word ", 100) + "needle" + strings.Repeat(" word", 100)}
	long.Spans = [][2]int{{500, 506}}
	if got := long.String(); !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "«needle»") || len([]rune(got)) > 170 {
		t.Errorf("long snippet = %q", got)
	}
}
