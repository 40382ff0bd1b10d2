// Package textdist measures how far apart two words are, for the "did you
// mean" suggestions of the loader, the query language and the shell. It
// uses the standard library only, so that query/syntax may import it.
package textdist

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"
)

// Distance is the Damerau–Levenshtein (optimal string alignment) edit
// distance between two strings, in characters: insertions, deletions,
// substitutions and transpositions of neighbours each cost one. Its work
// is the product of the two lengths: for words, not for text of unbounded
// length (see Within).
func Distance(a, b string) int {
	d, _ := within([]rune(a), []rune(b), -1)
	return d
}

// Within returns the distance between a and b and true when it is at most
// max, and false otherwise (the distance is then more than max). Its work
// is the shorter length times max, not the product of the lengths: two
// strings whose lengths differ by more than max are not compared at all,
// and only the cells of the table within max of its diagonal are
// computed.
func Within(a, b string, max int) (int, bool) {
	if max < 0 {
		return 0, false
	}
	if diff := utf8.RuneCountInString(a) - utf8.RuneCountInString(b); diff > max || -diff > max {
		return max + 1, false
	}
	d, ok := within([]rune(a), []rune(b), max)
	return d, ok
}

// within computes the distance by rows of the table, only the band of
// cells within bound of the diagonal (the whole table when bound < 0),
// and stops once two rows in a row exceed bound: no later cell can be
// smaller.
func within(a, b []rune, bound int) (int, bool) {
	n := len(b)
	inf := n + len(a) + 1
	band := inf
	if bound >= 0 {
		inf, band = bound+1, bound
	}
	prev2 := make([]int, n+1)
	prev := make([]int, n+1)
	cur := make([]int, n+1)
	for j := range prev {
		prev[j] = min(j, inf)
	}
	prevMin := 0
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-band), min(n, i+band)
		if lo == 1 {
			cur[0] = min(i, inf)
		} else {
			cur[lo-1] = inf
		}
		rowMin := cur[lo-1]
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			c := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				c = min(c, prev2[j-2]+1)
			}
			c = min(c, inf)
			cur[j] = c
			rowMin = min(rowMin, c)
		}
		if hi < n {
			cur[hi+1] = inf
		}
		if bound >= 0 && rowMin > bound && prevMin > bound {
			return inf, false
		}
		prevMin = rowMin
		prev2, prev, cur = prev, cur, prev2
	}
	d := prev[n]
	return d, bound < 0 || d <= bound
}

// MaxSuggest is the longest name, in characters, that Suggest looks for
// close candidates of: a longer one gets no suggestion.
const MaxSuggest = 256

// Suggest returns the candidates closest to name, for "did you mean": at
// most three, closest first (equally close ones in the order of their
// text), none when nothing is close. Case is ignored. A candidate is close
// when it is at most one edit per three characters of the shorter of the
// two away (at least one edit), or when it starts with the name and the
// name has three letters or more. A name longer than MaxSuggest characters
// has no suggestion; the work per candidate is bounded by the candidate's
// length times its allowance of edits, and ctx is checked as the
// candidates are gone through (its error is returned when it is done).
func Suggest(ctx context.Context, name string, candidates []string) ([]string, error) {
	type scored struct {
		s string
		d int
	}
	if utf8.RuneCountInString(name) > MaxSuggest {
		return nil, ctx.Err()
	}
	lname := strings.ToLower(name)
	ln := utf8.RuneCountInString(lname)
	var out []scored
	for i, c := range candidates {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		lc := strings.ToLower(c)
		lcn := utf8.RuneCountInString(lc)
		if len(lname) >= 3 && strings.HasPrefix(lc, lname) {
			out = append(out, scored{c, lcn - ln})
			continue
		}
		if d, ok := Within(lname, lc, max(1, min(ln, lcn)/3)); ok {
			out = append(out, scored{c, d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].d != out[j].d {
			return out[i].d < out[j].d
		}
		return out[i].s < out[j].s
	})
	var res []string
	seen := map[string]bool{}
	for _, s := range out {
		if !seen[s.s] && len(res) < 3 {
			seen[s.s] = true
			res = append(res, s.s)
		}
	}
	return res, nil
}
