package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// Issue 9, items 1 and 4, through the binary on the seed graph: paths
// rank what is over what is only proposed, and match finds what exists.
// Each test loads the seed graph into a store of its own (habitsStore).

func lines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }

// TestTrustPathStrongest: the first answer of path Japan to India uses no
// proposed relation, and the note names the shorter proposed path and the
// clause that shows it; with that clause, the proposed one-hop path.
func TestTrustPathStrongest(t *testing.T) {
	db := habitsStore(t)
	r := entente(t, "", "--db", db, "query", "path Japan to India").must(t, 0)
	out := lines(r.stdout)
	if len(out) < 2 {
		t.Fatalf("path Japan to India printed %q", r.stdout)
	}
	if strings.Contains(out[0], "proposed") || strings.Contains(out[0], "[weakest:") {
		t.Errorf("the first answer uses a proposed or weaker link: %s", out[0])
	}
	foot := out[len(out)-1]
	for _, want := range []string{"a shorter path (1 hop)", "proposed", "path Japan to India including proposed"} {
		if !strings.Contains(foot, want) {
			t.Errorf("the note %q does not say %q", foot, want)
		}
	}

	r = entente(t, "", "--db", db, "query", "path Japan to India including proposed").must(t, 0)
	out = lines(r.stdout)
	if len(out) != 2 || !strings.HasPrefix(out[0], "Japan —supports [proposed") || !strings.HasSuffix(out[0], "→ India  [weakest: proposed]") || out[1] != "(1 row)" {
		t.Errorf("path Japan to India including proposed printed\n%s", r.stdout)
	}

	// JSON: every path has its weakest status.
	r = entente(t, "", "--db", db, "query", "--format", "json", "path Japan to India including proposed").must(t, 0)
	var p struct {
		Length  int    `json:"length"`
		Weakest string `json:"weakest"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil || p.Length != 1 || p.Weakest != "proposed" {
		t.Errorf("JSON path: %v, %+v\n%s", err, p, r.stdout)
	}
	r = entente(t, "", "--db", db, "query", "--format", "json", "path Japan to India").must(t, 0)
	for _, l := range lines(r.stdout) {
		if !strings.Contains(l, `"weakest":"existing"`) {
			t.Errorf("a strongest path is not existing: %.200s", l)
		}
	}
}

// TestTrustPathIncluding: the clause's errors carry a position and a
// suggestion; paths counts what the weaker links add.
func TestTrustPathIncluding(t *testing.T) {
	db := habitsStore(t)
	r := entente(t, "", "--db", db, "query", "path Japan to India including propsed").must(t, 1)
	if !strings.Contains(r.stderr, "1:31: expected a status") || !strings.Contains(r.stderr, "did you mean proposed?") {
		t.Errorf("including propsed: %s", r.stderr)
	}
	r = entente(t, "", "--db", db, "query", "paths Japan to India max 2").must(t, 0)
	foot := lines(r.stdout)
	if f := foot[len(foot)-1]; !strings.Contains(f, "more paths go through weaker links") || !strings.Contains(f, "paths Japan to India max 2 including ") {
		t.Errorf("paths note: %s", f)
	}
	// at risk, written with a space, is at_risk.
	entente(t, "", "--db", db, "query", `path Japan to India including "at risk"`).must(t, 0)
}

// TestTrustMatchExists: match (n:Sector) lists every Sector entity,
// linked or not; show of a sector without relations is its card.
func TestTrustMatchExists(t *testing.T) {
	db := habitsStore(t)
	s, _ := stats(t, db)
	sectors := int(s.EntitiesByType["Sector"])
	if sectors == 0 {
		t.Fatal("the seed graph has no sectors")
	}
	r := entente(t, "", "--db", db, "query", "--format", "json", "match (n:Sector) return n.name").must(t, 0)
	if n := len(lines(r.stdout)); n != sectors {
		t.Errorf("match (n:Sector) gave %d rows; stats counts %d sectors\n%s", n, sectors, r.stdout)
	}
	r = entente(t, "", "--db", db, "query", "show Semiconductors").must(t, 0)
	if !strings.HasPrefix(r.stdout, "Semiconductors  (Sector)  entity:semiconductors") || r.stderr != "" {
		t.Errorf("show Semiconductors: %q %q", r.stdout, r.stderr)
	}
	// A sector joined to a pattern that needs a link matches nothing.
	r = entente(t, "", "--db", db, "query", "--format", "json", "match (n:Sector), (n)-[r]-(x) return count(*) as n").must(t, 0)
	if strings.TrimSpace(r.stdout) != `{"n":0}` {
		t.Errorf("a sector with a relationship: %s", r.stdout)
	}
}

// TestTrustActor: (c:Actor) matches countries, blocs, organisations,
// groups and persons: the EU is among the actors exposed to US tariffs.
func TestTrustActor(t *testing.T) {
	db := habitsStore(t)
	r := entente(t, "", "--db", db, "query", "--format", "csv",
		`match (c:Actor)-[r:tariff_exposure]->(u {name: "United States"}) return distinct c.name order by c.name`).must(t, 0)
	if !strings.Contains(r.stdout, "\nEuropean Union\n") || !strings.Contains(r.stdout, "\nJapan\n") {
		t.Errorf("(c:Actor) tariff exposure:\n%s", r.stdout)
	}
	s, _ := stats(t, db)
	want := 0
	for _, typ := range []string{"Country", "Bloc", "Organisation", "Group", "Person"} {
		want += int(s.EntitiesByType[typ])
	}
	r = entente(t, "", "--db", db, "query", "--format", "json", "match (c:Actor) return count(c) as n").must(t, 0)
	var n struct{ N int }
	if err := json.Unmarshal([]byte(r.stdout), &n); err != nil || n.N != want {
		t.Errorf("(c:Actor) counts %s; the actor types hold %d", r.stdout, want)
	}
	r = entente(t, "", "--db", db, "query", "match (c:Actr) return c").must(t, 1)
	if !strings.Contains(r.stderr, `unknown type "Actr" (did you mean Actor?)`) {
		t.Errorf("(c:Actr): %s", r.stderr)
	}
}

// TestTrustSymmetricOnce: a symmetric relation is one row per pair in
// match, not two; the answers that read one end keep it for both.
func TestTrustSymmetricOnce(t *testing.T) {
	db := habitsStore(t)
	r := entente(t, "", "--db", db, "query", "--format", "csv",
		`match (a)-[r]-(b) where r.status = "at risk" return a.name, type(r), b.name`).must(t, 0)
	pairs := 0
	for _, l := range lines(r.stdout) {
		if l == "South Korea,cooperation,China" || l == "China,cooperation,South Korea" {
			pairs++
		}
	}
	if pairs != 1 {
		t.Errorf("South Korea–China at risk cooperation is listed %d times:\n%s", pairs, r.stdout)
	}
	// The partner relation stored as European Union —partner→ Japan is
	// still found from Japan.
	r = entente(t, "", "--db", db, "query", "--format", "csv", `match (a)-[:partner]-(b) where a.name = "Japan" return b.name`).must(t, 0)
	if !strings.Contains(r.stdout, "\nEuropean Union\n") {
		t.Errorf("Japan's partners:\n%s", r.stdout)
	}
	// Each country keeps its symmetric relations in a count by country.
	one := entente(t, "", "--db", db, "query", "--format", "json", `match (c {name: "Australia"})-[r]-(x) return count(*) as n`).must(t, 0)
	both := entente(t, "", "--db", db, "query", "--format", "json", `match (c:Country)-[r]-(x) where c.name = "Australia" return c.name, count(*) as n`).must(t, 0)
	if !strings.Contains(both.stdout, strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(one.stdout), "{"), "}")) {
		t.Errorf("Australia's degree: %s alone, %s by country", one.stdout, both.stdout)
	}
}
