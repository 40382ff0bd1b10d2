package textdist

import (
	"fmt"
	"unicode/utf8"
)

// lookalikes are the letters of other scripts that look like a Latin
// letter, with their Unicode names (the standard library has no table of
// names).
var lookalikes = map[rune]struct {
	latin rune
	name  string
}{
	'а': {'a', "CYRILLIC SMALL LETTER A"}, 'е': {'e', "CYRILLIC SMALL LETTER IE"},
	'о': {'o', "CYRILLIC SMALL LETTER O"}, 'р': {'p', "CYRILLIC SMALL LETTER ER"},
	'с': {'c', "CYRILLIC SMALL LETTER ES"}, 'у': {'y', "CYRILLIC SMALL LETTER U"},
	'х': {'x', "CYRILLIC SMALL LETTER HA"}, 'і': {'i', "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I"},
	'ј': {'j', "CYRILLIC SMALL LETTER JE"}, 'ѕ': {'s', "CYRILLIC SMALL LETTER DZE"},
	'ԁ': {'d', "CYRILLIC SMALL LETTER KOMI DE"}, 'ԛ': {'q', "CYRILLIC SMALL LETTER QA"},
	'ԝ': {'w', "CYRILLIC SMALL LETTER WE"}, 'һ': {'h', "CYRILLIC SMALL LETTER SHHA"},
	'А': {'A', "CYRILLIC CAPITAL LETTER A"}, 'В': {'B', "CYRILLIC CAPITAL LETTER VE"},
	'Е': {'E', "CYRILLIC CAPITAL LETTER IE"}, 'К': {'K', "CYRILLIC CAPITAL LETTER KA"},
	'М': {'M', "CYRILLIC CAPITAL LETTER EM"}, 'Н': {'H', "CYRILLIC CAPITAL LETTER EN"},
	'О': {'O', "CYRILLIC CAPITAL LETTER O"}, 'Р': {'P', "CYRILLIC CAPITAL LETTER ER"},
	'С': {'C', "CYRILLIC CAPITAL LETTER ES"}, 'Т': {'T', "CYRILLIC CAPITAL LETTER TE"},
	'Х': {'X', "CYRILLIC CAPITAL LETTER HA"}, 'І': {'I', "CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I"},
	'Ј': {'J', "CYRILLIC CAPITAL LETTER JE"}, 'Ѕ': {'S', "CYRILLIC CAPITAL LETTER DZE"},
	'ο': {'o', "GREEK SMALL LETTER OMICRON"}, 'α': {'a', "GREEK SMALL LETTER ALPHA"},
	'ν': {'v', "GREEK SMALL LETTER NU"}, 'ι': {'i', "GREEK SMALL LETTER IOTA"},
	'κ': {'k', "GREEK SMALL LETTER KAPPA"}, 'ρ': {'p', "GREEK SMALL LETTER RHO"},
	'Α': {'A', "GREEK CAPITAL LETTER ALPHA"}, 'Β': {'B', "GREEK CAPITAL LETTER BETA"},
	'Ε': {'E', "GREEK CAPITAL LETTER EPSILON"}, 'Ζ': {'Z', "GREEK CAPITAL LETTER ZETA"},
	'Η': {'H', "GREEK CAPITAL LETTER ETA"}, 'Ι': {'I', "GREEK CAPITAL LETTER IOTA"},
	'Κ': {'K', "GREEK CAPITAL LETTER KAPPA"}, 'Μ': {'M', "GREEK CAPITAL LETTER MU"},
	'Ν': {'N', "GREEK CAPITAL LETTER NU"}, 'Ο': {'O', "GREEK CAPITAL LETTER OMICRON"},
	'Ρ': {'P', "GREEK CAPITAL LETTER RHO"}, 'Τ': {'T', "GREEK CAPITAL LETTER TAU"},
	'Υ': {'Y', "GREEK CAPITAL LETTER UPSILON"}, 'Χ': {'X', "GREEK CAPITAL LETTER CHI"},
}

// Lookalike says where two names that look the same differ, for a "did
// you mean" whose suggestion would otherwise read as the name itself:
// `"Jаpan" has U+0430 CYRILLIC SMALL LETTER A at column 2 where "Japan"
// has "a"`. It is "" unless the names differ only in letters of other
// scripts that look like the Latin letters of the suggestion.
func Lookalike(name, suggestion string) string {
	if utf8.RuneCountInString(name) != utf8.RuneCountInString(suggestion) {
		return ""
	}
	note := ""
	rs := []rune(suggestion)
	for i, r := range []rune(name) {
		if r == rs[i] {
			continue
		}
		l, ok := lookalikes[r]
		if !ok || l.latin != rs[i] {
			return ""
		}
		if note == "" {
			note = fmt.Sprintf("%q has %U %s at column %d where %q has %q", name, r, l.name, i+1, suggestion, string(rs[i]))
		}
	}
	return note
}
