package syntax

import (
	"bufio"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func readCases(t *testing.T, name string) []string {
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		out = append(out, line)
	}
	return out
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the output:\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// TestParse parses every statement, compares its canonical form with the
// golden file, and checks that the canonical form parses to itself.
// search.txt holds the search statements.
func TestParse(t *testing.T) {
	for _, name := range []string{"statements", "search"} {
		t.Run(name, func(t *testing.T) { parseGolden(t, name) })
	}
}

func parseGolden(t *testing.T, name string) {
	var b strings.Builder
	for _, src := range readCases(t, name+".txt") {
		st, err := Parse(src)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		canon := st.String()
		b.WriteString(src + "\n  => " + canon + "\n")
		again, err := Parse(canon)
		if err != nil {
			t.Errorf("canonical form %q does not parse: %v", canon, err)
			continue
		}
		if again.String() != canon {
			t.Errorf("round trip: %q -> %q", canon, again.String())
		}
	}
	golden(t, name+".golden", b.String())
}

// TestErrors pins the whole message of every syntax error.
// search_errors.txt holds those of search statements.
func TestErrors(t *testing.T) {
	for _, name := range []string{"errors", "search_errors"} {
		t.Run(name, func(t *testing.T) { errorsGolden(t, name) })
	}
}

func errorsGolden(t *testing.T, name string) {
	var b strings.Builder
	for _, src := range readCases(t, name+".txt") {
		_, err := Parse(src)
		if err == nil {
			t.Errorf("%q parsed", src)
			continue
		}
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("%q: error %T is not a *syntax.Error", src, err)
			continue
		}
		b.WriteString(src + "\n  => " + e.Error() + "\n" + indent(e.Caret(src)) + "\n")
	}
	golden(t, name+".golden", b.String())
}

func indent(s string) string { return "     " + strings.ReplaceAll(s, "\n", "\n     ") }

func TestComplete(t *testing.T) {
	for _, c := range []struct {
		src  string
		want bool
	}{
		{"show Japan", true},
		{"path Japan to", false},
		{"match (a)-[r]->(b)", false},
		{"match (a", false},
		{`show "South`, false},
		{"shw Japan", true}, // an error more input cannot fix
		{"", true},
		{"neighbors Japan via", false},
	} {
		if got := Complete(c.src); got != c.want {
			t.Errorf("Complete(%q) = %v, want %v", c.src, got, c.want)
		}
	}
}

func TestLexer(t *testing.T) {
	l := NewLexer(`show <en/kevin_bacon> "a\"b" 28500 -3 x.y <= <> != S.Z. Sakall south-korea`)
	var kinds []Kind
	var texts []string
	for {
		tk := l.Next()
		if tk.Kind == EOF {
			break
		}
		kinds = append(kinds, tk.Kind)
		texts = append(texts, tk.Value)
	}
	want := []Kind{Bare, IRI, String, Int, Int, Bare, Dot, Bare, Le, Neq, Neq, Bare, Bare, Bare}
	if len(kinds) != len(want) {
		t.Fatalf("kinds %v, texts %q", kinds, texts)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("token %d: %v, want %v (texts %q)", i, kinds[i], want[i], texts)
		}
	}
	if texts[1] != "en/kevin_bacon" || texts[2] != `a"b` || texts[11] != "S.Z." || texts[13] != "south-korea" {
		t.Fatalf("values %q", texts)
	}
}

// FuzzParse: the parser never panics; an error has a valid position.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"statements.txt", "errors.txt", "search.txt", "search_errors.txt"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		st, err := Parse(src)
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T", err)
			}
			lines := strings.Count(src, "\n") + 1
			if e.Pos.Line < 1 || e.Pos.Line > lines || e.Pos.Col < 1 {
				t.Fatalf("bad position %v for %q", e.Pos, src)
			}
			_ = e.Caret(src)
			return
		}
		canon := st.String()
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("%q parsed, its canonical form %q does not: %v", src, canon, err)
		}
		if again.String() != canon {
			t.Fatalf("round trip %q -> %q", canon, again.String())
		}
		Complete(src)
	})
}

// TestDots: a dot after a variable of any case is property access; only
// initialisms of single capitals (U.S., S.Z.) keep their dots.
func TestDots(t *testing.T) {
	for src, want := range map[string]string{
		"C.name":        "C|.|name",
		"Rel.sector":    "Rel|.|sector",
		"node.Type":     "node|.|Type",
		"R.ID":          "R|.|ID",
		"U.S.":          "U.S.",
		"U.S.A. x":      "U.S.A.|x",
		"S.Z. Sakall":   "S.Z.|Sakall",
		"St. Kitts":     "St|.|Kitts",
		"U.S":           "U|.|S",
		"A.A.A":         "A|.|A|.|A",
		"U.S.name":      "U|.|S|.|name",
		"EU–Japan.name": "EU–Japan|.|name",
	} {
		l := NewLexer(src)
		var texts []string
		for tk := l.Next(); tk.Kind != EOF; tk = l.Next() {
			texts = append(texts, tk.Text)
		}
		if got := strings.Join(texts, "|"); got != want {
			t.Errorf("%q: tokens %s, want %s", src, got, want)
		}
	}
}

// TestComments: "--" starts a comment except right after a node
// pattern's ")" on the same line, where it is a relationship.
func TestComments(t *testing.T) {
	for src, want := range map[string]string{
		"match (a)-- (b) return a":                         "match (a)--(b) return a",
		"match (a) -- (b) return a":                        "match (a)--(b) return a",
		"match (a)--\n(b) return a":                        "match (a)--(b) return a",
		"match (a)\n-- the start\nreturn a":                "match (a) return a",
		"match (a) return a -- the end":                    "match (a) return a",
		"show Japan -- a comment":                          "show Japan",
		"show Japan # a comment":                           "show Japan",
		"show Japan // a comment":                          "show Japan",
		"-- first\nshow Japan":                             "show Japan",
		"match (a)-->(b) return a --\n limit 2":            "match (a)-->(b) return a limit 2",
		"match (a)<-- (b) where a.name = \"x--\" return a": `match (a)<--(b) where a.name = "x--" return a`,
	} {
		st, err := Parse(src)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if st.String() != want {
			t.Errorf("%q: %s, want %s", src, st, want)
		}
	}
}

// TestEchoAndCaret: a message repeats at most EchoMax characters of what
// was written, and the caret line shows at most CaretWidth of a long line,
// around the column.
func TestEchoAndCaret(t *testing.T) {
	if got := Echo("Japan"); got != `"Japan"` {
		t.Errorf("Echo: %s", got)
	}
	long := strings.Repeat("é", 10000)
	if got, want := Echo(long), `"`+strings.Repeat("é", EchoMax)+`…" (10000 characters)`; got != want {
		t.Errorf("Echo(long) = %s", got)
	}
	if got := Shorten(long); !strings.HasSuffix(got, "… (10000 characters)") {
		t.Errorf("Shorten(long) = %s", got)
	}
	if got := Caret("a\n\tbc", 2, 2); got != " bc\n ^" {
		t.Errorf("Caret: %q", got)
	}
	src := "show " + strings.Repeat("x", 5000) + "!" + strings.Repeat("y", 5000)
	got := Caret(src, 1, 5006)
	lines := strings.Split(got, "\n")
	if n := len([]rune(lines[0])); n > CaretWidth+2 {
		t.Fatalf("caret line of %d characters", n)
	}
	if col := len(lines[1]) - 1; []rune(lines[0])[col] != '!' {
		t.Fatalf("caret not under the column:\n%s", got)
	}
}
