package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestSearch: search and match find evidence through the real binary,
// with locators, in table and JSON.
func TestSearch(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)

	r := entente(t, "", "--db", db, "query", `search "Ukraine"`).must(t, 0)
	if !strings.Contains(r.stdout, "«Ukraine»") || !strings.Contains(r.stdout, " ¶") || !strings.Contains(r.stdout, "→ Ukraine") {
		t.Errorf("search Ukraine, table: want marked hits, a relation and a locator:\n%s", r.stdout)
	}

	r = entente(t, "", "--db", db, "query", "--format", "json", `search Ukraine in evidence limit 3`).must(t, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) == 0 || len(lines) > 3 {
		t.Fatalf("search in evidence limit 3, JSON: %d lines\n%s", len(lines), r.stdout)
	}
	for _, l := range lines {
		var hit struct {
			Hit   map[string]interface{} `json:"hit"`
			Field string                 `json:"field"`
			Text  struct {
				Text      string   `json:"text"`
				Highlight string   `json:"highlight"`
				Offsets   [][2]int `json:"offsets"`
			} `json:"text"`
			Locator string `json:"locator"`
		}
		if err := json.Unmarshal([]byte(l), &hit); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if hit.Field != "evidence" || hit.Locator == "" || hit.Hit["rel"] == nil || len(hit.Text.Offsets) == 0 ||
			!strings.Contains(hit.Text.Highlight, "«") {
			t.Errorf("a hit without its relation, locator or marks: %s", l)
			continue
		}
		runes := []rune(hit.Text.Text)
		if o := hit.Text.Offsets[0]; o[1] > len(runes) || !strings.EqualFold(string(runes[o[0]:o[1]]), "Ukraine") {
			t.Errorf("offsets %v do not point at the match in %q", hit.Text.Offsets, hit.Text.Text)
		}
	}

	r = entente(t, "", "--db", db, "query", `match (a)-[r]->(b) where r.evidence contains "Ukraine" return a.name, r.locator`).must(t, 0)
	if !strings.Contains(r.stdout, "r.locator") || !strings.Contains(r.stdout, "¶") || strings.Contains(r.stdout, "(0 rows)") {
		t.Errorf("match … r.evidence contains: want rows with locators:\n%s", r.stdout)
	}

	r = entente(t, "", "--db", db, "query", `search "x" in evdence`).must(t, 1)
	if !strings.Contains(r.stderr, "did you mean evidence?") {
		t.Errorf("a misspelt field: %s", r.stderr)
	}
}
