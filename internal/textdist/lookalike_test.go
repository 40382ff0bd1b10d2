package textdist

import "testing"

func TestLookalike(t *testing.T) {
	for _, c := range []struct{ name, sugg, want string }{
		{"Jаpan", "Japan", `"Jаpan" has U+0430 CYRILLIC SMALL LETTER A at column 2 where "Japan" has "a"`},
		{"Κorea", "Korea", `"Κorea" has U+039A GREEK CAPITAL LETTER KAPPA at column 1 where "Korea" has "K"`},
		{"Jаpаn", "Japan", `"Jаpаn" has U+0430 CYRILLIC SMALL LETTER A at column 2 where "Japan" has "a"`},
		{"Japon", "Japan", ""}, // a misspelling, which reads as one
		{"Jаpon", "Japan", ""}, // a lookalike and a misspelling
		{"Japa", "Japan", ""},
		{"Japan", "Japan", ""},
	} {
		if got := Lookalike(c.name, c.sugg); got != c.want {
			t.Errorf("Lookalike(%q, %q) = %q, want %q", c.name, c.sugg, got, c.want)
		}
	}
}
