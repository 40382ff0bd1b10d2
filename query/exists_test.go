package query_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestMatchFindsWhatExists: a node alone matches entities without links
// (sectors); a supertype matches its subtypes; a symmetric relation is one
// row per pair.
func TestMatchFindsWhatExists(t *testing.T) {
	db := seedStore(t)
	rows := func(src string) []string {
		t.Helper()
		res, err := run(t, db, src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		var out []string
		for _, row := range res.Rows {
			var cells []string
			for _, v := range row {
				cells = append(cells, fmt.Sprint(v))
			}
			out = append(out, strings.Join(cells, ","))
		}
		return out
	}
	cat := rows(`match (n) where n.type = "Sector" return n.name`)
	if got := rows(`match (n:Sector) return n.name`); len(got) != len(cat) || len(got) < 20 {
		t.Errorf("match (n:Sector): %d rows; the catalog has %d sectors", len(got), len(cat))
	}
	if got := rows(`match (n:Sector), (n)-[r]-(x) return n.name`); len(got) != 0 {
		t.Errorf("sectors with a relationship: %q", got)
	}
	if got := rows(`match (c:Actor {name: "EU"}) return c.name`); len(got) != 1 || got[0] != "European Union" {
		t.Errorf("(c:Actor {name: EU}): %q", got)
	}
	if got := rows(`match (c:Actor) where c.name = "Semiconductors" return c`); len(got) != 0 {
		t.Errorf("a Sector is an Actor: %q", got)
	}
	pairs := 0
	for _, r := range rows(`match (a)-[r]-(b) where r.status = "at risk" return a.name, type(r), b.name`) {
		if strings.Contains(r, ",cooperation,") && strings.Contains(r, "South Korea") && strings.Contains(r, "China") {
			pairs++
		}
	}
	if pairs != 1 {
		t.Errorf("South Korea–China: %d rows, want 1", pairs)
	}
	// Both ends keep a symmetric relation when the answer reads one end.
	from := rows(`match (a {name: "Australia"})-[r:security_pact]-(b) return b.name`)
	by := rows(`match (a:Country)-[r:security_pact]-(b) where a.name = "Australia" return a.name, count(*)`)
	if len(from) == 0 || len(by) != 1 || by[0] != fmt.Sprintf("Australia,%d", len(from)) {
		t.Errorf("Australia's security pacts: %q from it, %q by country", from, by)
	}
}
