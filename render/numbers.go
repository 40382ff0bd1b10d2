package render

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Thousands writes n with thousands separators: 471,705.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Count writes a number of things: "1 file", "2 files", "2,940 quads",
// "89 entities" (a noun ending in y takes -ies).
func Count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		noun = strings.TrimSuffix(noun, "y") + "ie"
	}
	return Thousands(n) + " " + noun + "s"
}

// Counts writes one line per name with its count, the largest first (then
// by name), names aligned and counts with separators; meaning, when not
// nil, adds a remark after the count. It writes nothing for an empty map.
func Counts(w io.Writer, m map[string]int64, meaning func(string) string) {
	keys := make([]string, 0, len(m))
	width, cw := 0, 0
	for k, n := range m {
		keys = append(keys, k)
		width = max(width, len(k))
		cw = max(cw, len(Thousands(n)))
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		line := fmt.Sprintf("  %-*s  %*s", width, k, cw, Thousands(m[k]))
		if meaning != nil {
			if mm := meaning(k); mm != "" {
				line += "  " + mm
			}
		}
		fmt.Fprintln(w, line)
	}
}
