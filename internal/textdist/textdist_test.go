package textdist

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

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

// reference is the whole table, written plainly, for Within to agree
// with.
func reference(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

func TestWithin(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		b := make([]rune, rng.IntN(12))
		for i := range b {
			b[i] = rune('a' + rng.IntN(4))
		}
		return string(b)
	}
	for range 20000 {
		a, b := word(), word()
		want := reference(a, b)
		if d := Distance(a, b); d != want {
			t.Fatalf("Distance(%q, %q) = %d, want %d", a, b, d, want)
		}
		for max := 0; max <= 6; max++ {
			d, ok := Within(a, b, max)
			if ok != (want <= max) || ok && d != want {
				t.Fatalf("Within(%q, %q, %d) = %d, %v; the distance is %d", a, b, max, d, ok, want)
			}
		}
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"Japan", "Japon", "Jamaica", "Kevin Bacon", "Kevin Bacon (actor)", "India"}
	for _, c := range []struct {
		name string
		want []string
	}{
		{"japn", []string{"Japan", "Japon"}},
		{"Kevin Bacn", []string{"Kevin Bacon"}},
		{"Kevin Bac", []string{"Kevin Bacon", "Kevin Bacon (actor)"}}, // prefixes
		{"Zzzzz", nil},
		{strings.Repeat("Japan", 20), nil},
	} {
		got, err := Suggest(context.Background(), c.name, names)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Suggest(%q) = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

// TestSuggestBounded: a name far longer than any candidate costs no more
// than reading it, a name past MaxSuggest gets nothing, and a done context
// stops the search.
func TestSuggestBounded(t *testing.T) {
	cands := make([]string, 100000)
	for i := range cands {
		cands[i] = fmt.Sprintf("candidate number %d", i)
	}
	long := strings.Repeat("x", 10000)
	if got, err := Suggest(context.Background(), long, cands); got != nil || err != nil {
		t.Fatalf("a long name: %q, %v", got, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Suggest(ctx, "candidate numbr 5", cands); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if d, ok := Within(long, long[1:], 3); !ok || d != 1 {
		t.Fatalf("Within on long strings: %d, %v", d, ok)
	}
}
