package loader_test

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/loader"
)

func TestNQuadsValid(t *testing.T) {
	db := openMem(t)
	src := "# a comment\n" +
		"<http://ex/a> <http://ex/p> <http://ex/b> .\n" +
		"\n" +
		"  <http://ex/a> <http://ex/p> <http://ex/c> <http://ex/g> . # a trailing comment\n" +
		"_:x <http://ex/name> \"tab\\there, quote \\\" and \\u00e9\\U0001F600\" .\n" +
		"_:x <http://ex/name> \"chat\"@fr-CA _:g1 .\n" +
		"<http://ex/a> <http://ex/age> \"42\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n" +
		"<http://ex/\\u00E9t\\u00e9> <http://ex/p> _:end.\n" +
		"<name> <type> <Person> .\n"
	res := mustLoad(t, db, "x.nq", src, nil)
	if res.Read != 7 || res.Added != 7 {
		t.Errorf("result %+v, want 7 read and added", res)
	}
	want := []quad.Quad{
		quad.Make(iri("http://ex/a"), iri("http://ex/p"), iri("http://ex/b"), nil),
		quad.Make(iri("http://ex/a"), iri("http://ex/p"), iri("http://ex/c"), iri("http://ex/g")),
		quad.Make(quad.BNode("x"), iri("http://ex/name"), str("tab\there, quote \" and é😀"), nil),
		quad.Make(quad.BNode("x"), iri("http://ex/name"), quad.LangString{Value: "chat", Lang: "fr-CA"}, quad.BNode("g1")),
		quad.Make(iri("http://ex/a"), iri("http://ex/age"), quad.TypedString{Value: "42", Type: "http://www.w3.org/2001/XMLSchema#integer"}, nil),
		quad.Make(iri("http://ex/été"), iri("http://ex/p"), quad.BNode("end"), nil),
		quad.Make(iri("name"), iri("type"), iri("Person"), nil),
	}
	have := quadSet(t, db)
	for _, q := range want {
		if !have[q.NQuad()] {
			t.Errorf("store lacks %s (has %v)", q.NQuad(), allQuads(t, db))
		}
	}
	// Blank node labels are kept: a second load adds nothing.
	before := snapshot(t, db)
	res = mustLoad(t, db, "x.nq", src, nil)
	if res.Added != 0 || snapshot(t, db) != before {
		t.Errorf("second load added %d quads", res.Added)
	}
}

var nquadsErrorCases = []struct{ name, line, want string }{
	{"invalid UTF-8", "<http://ex/a> <http://ex/p> \"caf\xe9\" .", `x.nq:1:33: invalid UTF-8`},
	{"literal subject", `"lit" <http://ex/p> <http://ex/o> .`, `x.nq:1:1: expected a subject (an IRI <…> or a blank node _:…), found "\"lit\""`},
	{"literal predicate", `<http://ex/a> "p" <http://ex/o> .`, `x.nq:1:15: expected a predicate (an IRI <…>), found "\"p\""`},
	{"blank predicate", `<http://ex/a> _:p <http://ex/o> .`, `x.nq:1:15: expected a predicate (an IRI <…>), found "_:p"`},
	{"no dot", `<http://ex/a> <http://ex/p> <http://ex/o>`, `x.nq:1:42: expected "." to end the statement, found end of line`},
	{"text after the dot", `<http://ex/a> <http://ex/p> <http://ex/o> . extra`, `x.nq:1:45: expected the end of the line after ".", found "extra"`},
	{"literal graph label", `<http://ex/a> <http://ex/p> <http://ex/o> "g" .`, `x.nq:1:43: expected a graph label (an IRI <…> or a blank node _:…) or ".", found "\"g\""`},
	{"unterminated string", `<http://ex/a> <http://ex/p> "unterminated .`, `x.nq:1:29: expected '"' to close the string, found end of line`},
	{"unknown escape", `<http://ex/a> <http://ex/p> "bad \q escape" .`, `x.nq:1:34: unknown escape "\q" in a string (expected \t \b \n \r \f \" \' \\ \u or \U)`},
	{"datatype not an IRI", `<http://ex/a> <http://ex/p> "x"^^xsd:int .`, `x.nq:1:34: expected a datatype IRI <…> after "^^", found "xsd:int"`},
	{"bad hex escape", `<http://ex/a> <http://ex/p> "\u00ZZ" .`, `x.nq:1:34: expected a hexadecimal digit in the \u escape, found "ZZ\""`},
	{"surrogate escape", `<http://ex/a> <http://ex/p> "\uD800" .`, `x.nq:1:30: escape \uD800 is not a valid character`},
	{"escaped space in an IRI", `<http://ex/\u0020> <http://ex/p> <http://ex/o> .`, `x.nq:1:17: escaped character U+0020 is not allowed in an IRI`},
	{"quote in an IRI, columns in characters", `<http://ex/é> <http://ex/p> "日本" <http://ex/"> .`, `x.nq:1:45: character "\"" is not allowed in an IRI`},
	{"relative IRI, strict", `<a> <http://ex/p> <http://ex/o> .`, `x.nq:1:1: expected an absolute IRI, found relative IRI <a> (strict mode)`},
	{"graph label in N-Triples", `<http://ex/a> <http://ex/p> <http://ex/o> <http://ex/g> .`, `x.nt:1:43: expected "." to end the triple, found "<http://ex/g>" (N-Triples has no graph label)`},
}

func TestNQuadsErrors(t *testing.T) {
	db := openMem(t)
	mustLoad(t, db, "base.nq", "<http://ex/base> <http://ex/p> <http://ex/o> .\n", nil)
	before := snapshot(t, db)
	for _, c := range nquadsErrorCases {
		t.Run(c.name, func(t *testing.T) {
			name := c.want[:strings.IndexByte(c.want, ':')]
			// A valid line first: the error is on line 2.
			src := "<http://ex/s> <http://ex/p> <http://ex/o> .\n" + c.line + "\n"
			want := strings.Replace(c.want, ":1:", ":2:", 1)
			_, err := loadString(db, name, src, &loader.Options{Strict: strings.Contains(c.name, "strict")})
			if got := errText(err, ""); got != want {
				t.Errorf("error\n got %s\nwant %s", got, want)
			}
			le := asLoaderError(t, err)
			if !errors.Is(err, loader.ErrSyntax) || le.Src != c.line {
				t.Errorf("kind %v, src %q", le.Kind, le.Src)
			}
		})
	}
	if snapshot(t, db) != before {
		t.Errorf("failed loads changed the store")
	}
}

func TestNQuadsCaret(t *testing.T) {
	_, err := loadString(openMem(t), "x.nq", "<http://ex/é>\t<http://ex/p> \"x\" \"g\" .\n", nil)
	le := asLoaderError(t, err)
	if want := "<http://ex/é> <http://ex/p> \"x\" \"g\" .\n                                ^"; le.Caret() != want {
		t.Errorf("caret:\n%s\nwant:\n%s", le.Caret(), want)
	}
}

// TestNQuadsFoundSpace checks how a space is shown where the grammar
// wants something else.
func TestNQuadsFoundSpace(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{`<http://ex/a b> <http://ex/p> <http://ex/o> .`, "x.nq:1:13: a space is not allowed in an IRI"},
		{"<http://ex/a\tb> <http://ex/p> <http://ex/o> .", "x.nq:1:13: a tab is not allowed in an IRI"},
		{`<http://ex/a> <http://ex/p> "x"@ .`, `x.nq:1:32: expected a language tag after "@", found a space`},
	} {
		_, err := loadString(openMem(t), "x.nq", c.line+"\n", nil)
		if got := errText(err, ""); got != c.want {
			t.Errorf("error %q, want %q", got, c.want)
		}
	}
}

func TestNQuadsRelativeIRIs(t *testing.T) {
	src := "<alice> <follows> <bob> .\n<bob> <name> \"Bob\" .\n"
	db := openMem(t)
	res, err := loadString(db, "x.nq", src, nil)
	if err != nil || res.Added != 2 {
		t.Fatalf("relative IRIs by default: %+v %v", res, err)
	}
	wantQuads(t, db, nq(iri("alice"), iri("follows"), iri("bob"), nil))
	db = openMem(t)
	_, err = loadString(db, "x.nq", src, &loader.Options{Strict: true})
	if got, want := errText(err, ""), "x.nq:1:1: expected an absolute IRI, found relative IRI <alice> (strict mode)"; got != want {
		t.Errorf("strict: %s, want %s", got, want)
	}
	if st := stats(t, db); st.Quads != 0 {
		t.Errorf("strict load wrote %d quads", st.Quads)
	}
}

// TestNQuadsLineEndings reads CRLF, lone CR and a missing final newline;
// line numbers count each ending once.
func TestNQuadsLineEndings(t *testing.T) {
	db := openMem(t)
	src := "<http://ex/a> <http://ex/p> \"one\" .\r\n<http://ex/a> <http://ex/p> \"two\" .\r<http://ex/a> <http://ex/p> \"three\" .\r\n\r\n<http://ex/a> <http://ex/p> \"four\" ."
	res, err := loadString(db, "crlf.nq", src, nil)
	if err != nil || res.Added != 4 {
		t.Fatalf("%+v %v", res, err)
	}
	for _, v := range []string{"one", "two", "three", "four"} {
		wantQuads(t, db, nq(iri("http://ex/a"), iri("http://ex/p"), str(v), nil))
	}
	for _, q := range allQuads(t, db) {
		if strings.Contains(q, "\\r") {
			t.Errorf("a line ending was kept: %s", q)
		}
	}
	_, err = loadString(openMem(t), "crlf.nq", "<http://ex/a> <http://ex/p> \"one\" .\r\n\r\n<http://ex/a> <http://ex/p> two .\r\n", nil)
	if got, want := errText(err, ""), `crlf.nq:3:29: expected an object (an IRI <…>, a blank node _:… or a literal "…"), found "two"`; got != want {
		t.Errorf("error %s, want %s", got, want)
	}
}

// longLine is an io.Reader of a line of n bytes (a literal), then a valid
// line, made as it is read.
type longLine struct {
	n, off int
	tail   string
}

func (l *longLine) Read(p []byte) (int, error) {
	head := `<http://ex/a> <http://ex/p> "`
	total := l.n + len(l.tail)
	if l.off >= total {
		return 0, io.EOF
	}
	i := 0
	for ; i < len(p) && l.off < total; i++ {
		switch {
		case l.off < len(head):
			p[i] = head[l.off]
		case l.off < l.n-3:
			p[i] = 'x'
		case l.off < l.n:
			p[i] = "\" ."[l.off-(l.n-3)]
		default:
			p[i] = l.tail[l.off-l.n]
		}
		l.off++
	}
	return i, nil
}

func TestNQuadsLineCap(t *testing.T) {
	// Through Load: a 2 MB literal against the default 1 MiB cap.
	db := openMem(t)
	src := "<http://ex/a> <http://ex/p> \"small\" .\n" +
		`<http://ex/a> <http://ex/p> "` + strings.Repeat("x", 2<<20) + "\" .\n" +
		"<http://ex/a> <http://ex/p> \"after\" .\n"
	start := time.Now()
	_, err := loadString(db, "big.nq", src, nil)
	if got, want := errText(err, ""), "big.nq:2:1: line is longer than the limit of 1 MiB (--max-line); reading stopped there"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if !errors.Is(err, loader.ErrLimit) {
		t.Errorf("error %v is not ErrLimit", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("rejecting the line took %v", d)
	}
	if st := stats(t, db); st.Quads != 0 {
		t.Errorf("%d quads written", st.Quads)
	}

	// The reader alone, over a 256 MiB line made as it is read: refused
	// as soon as it is over the limit, and reading stops there.
	r := loader.NewNQuadsReader(&longLine{n: 256 << 20, tail: "\n<http://ex/a> <http://ex/p> \"after\" .\n"}, "huge.nq", nil)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	_, err = r.ReadQuad()
	runtime.ReadMemStats(&m1)
	if got, want := errText(err, ""), "huge.nq:1:1: line is longer than the limit of 1 MiB (--max-line); reading stopped there"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 16<<20 {
		t.Errorf("%d MiB allocated to refuse a long line", alloc>>20)
	}
	if _, err := r.ReadQuad(); err != io.EOF {
		t.Errorf("after the long line: %v, want io.EOF", err)
	}

}

// TestNQuadsLineCapExact checks the cap at its edge: a line of MaxLine
// bytes (without its ending) loads, one byte more does not, whatever the
// line ending.
func TestNQuadsLineCapExact(t *testing.T) {
	line := `<http://ex/a> <http://ex/p> "` + strings.Repeat("y", 100) + "\" ."
	for _, c := range []struct {
		max int
		end string
		ok  bool
	}{
		{len(line), "\n", true}, {len(line), "\r\n", true}, {len(line), "\r", true}, {len(line), "", true},
		{len(line) - 1, "\r\n", false}, {len(line) - 1, "\n", false}, {len(line) - 1, "\r", false}, {len(line) - 1, "", false},
		{len(line) - 2, "", false},
	} {
		res, err := loadString(openMem(t), "cap.nq", line+c.end, &loader.Options{Limits: loader.Limits{MaxLine: c.max}, DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if ok := len(res.Errors) == 0; ok != c.ok {
			t.Errorf("MaxLine %d, a line of %d bytes + %q: errors %v", c.max, len(line), c.end, res.Errors)
		}
	}
}

// TestNQuadsLineCapLoneCR checks that the cap applies to each line of a
// file whose lines end with a lone CR, not to the whole file.
func TestNQuadsLineCapLoneCR(t *testing.T) {
	src := strings.Repeat("<http://ex/a> <http://ex/p> \"v\" .\r", 100)
	res, err := loadString(openMem(t), "cr.nq", src, &loader.Options{Limits: loader.Limits{MaxLine: 100}})
	if err != nil || res.Read != 100 {
		t.Errorf("%+v %v", res, err)
	}
}

// TestNQuadsDryRunListsErrors checks that a dry run goes on after a
// syntax error and stops at a long line, listing both.
func TestNQuadsDryRunListsErrors(t *testing.T) {
	src := "<http://ex/a> <http://ex/p> \"1\" .\n" +
		"<http://ex/a> <http://ex/p> 2 .\n" +
		"<http://ex/a> <http://ex/p> \"3\" .\n" +
		`<http://ex/a> <http://ex/p> "` + strings.Repeat("x", 3000) + "\" .\n" +
		"<http://ex/a> <http://ex/p> \"5\" .\n"
	res, err := loadString(openMem(t), "x.nq", src, &loader.Options{DryRun: true, Limits: loader.Limits{MaxLine: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(errorStrings(res.Errors), "\n")
	want := `x.nq:2:29: expected an object (an IRI <…>, a blank node _:… or a literal "…"), found "2"` + "\n" +
		"x.nq:4:1: line is longer than the limit of 1000 bytes (--max-line); reading stopped there"
	if got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
	if res.Read != 2 {
		t.Errorf("%d quads read, want 2", res.Read)
	}
}
