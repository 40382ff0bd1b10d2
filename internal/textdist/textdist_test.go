package textdist

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"partner", "partner", 0},
		{"partnr", "partner", 1},  // a deletion
		{"patrner", "partner", 1}, // a transposition
		{"shwo", "show", 1},
		{"Japan", "Japon", 1},
		{"kitten", "sitting", 3},
		{"Zürich", "Zurich", 1}, // characters, not bytes
		{"ca", "abc", 3},        // optimal string alignment, not full Damerau
	} {
		if d := Distance(c.a, c.b); d != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, d, c.d)
		}
		if d := Distance(c.b, c.a); d != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetry)", c.b, c.a, d, c.d)
		}
	}
}
