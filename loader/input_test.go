package loader_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/loader"
)

// TestStdinSniffing loads standard input ("-") in each format, told from
// its first bytes.
func TestStdinSniffing(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, src string
		seeded    bool
		want      string
	}{
		{"nquads", "# exported\n\n<http://ex/a> <http://ex/p> <http://ex/o> .\n",
			false, nq(iri("http://ex/a"), iri("http://ex/p"), iri("http://ex/o"), nil)},
		{"nquads, blank node first", "_:b <http://ex/p> \"v\" .\n",
			false, nq(quad.BNode("b"), iri("http://ex/p"), str("v"), nil)},
		{"jsonld object", "  {\"@id\": \"http://ex/a\", \"http://ex/p\": \"v\"}",
			false, nq(iri("http://ex/a"), iri("http://ex/p"), str("v"), nil)},
		{"jsonld array", "[{\"@id\": \"http://ex/a\", \"http://ex/p\": \"w\"}]",
			false, nq(iri("http://ex/a"), iri("http://ex/p"), str("w"), nil)},
		{"csv", "Subject,relation,object,source,locator,note\nTokyo,partner,Seoul,ecfr-2024,Introduction ¶1,A note.\n",
			true, nq(iri("entity:japan"), iri("rel:partner"), iri("entity:south-korea"), iri("stmt:japan/partner/south-korea"))},
		{"seed", "# seed\nentity freedonia Country \"Freedonia\"\n",
			false, nq(iri("entity:freedonia"), iri("schema:name"), str("Freedonia"), nil)},
		{"seed starting with a source", "source s\n  title: T\n",
			false, nq(iri("source:s"), iri("schema:name"), str("T"), nil)},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openMem(t)
			if c.seeded {
				db = openSeeded(t)
			}
			res, err := loader.Load(ctx, db, []string{"-"}, &loader.Options{Stdin: strings.NewReader(c.src)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Files != 1 || res.Added == 0 {
				t.Errorf("result %+v", res)
			}
			wantQuads(t, db, c.want)
		})
	}
}

// TestByteOrderMark loads each format with a leading byte-order mark, as
// Windows tools write it. The sniffer skips one; so should the readers.
func TestByteOrderMark(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ name, src string }{
		{"bom.csv", "subject,relation,object,source,locator,note\nTokyo,partner,Seoul,ecfr-2024,Introduction ¶1,A note.\n"},
		{"bom.nq", "<http://ex/a> <http://ex/p> <http://ex/o> .\n"},
		{"bom.jsonld", `{"@id": "http://ex/a", "http://ex/p": "v"}`},
		{"bom.seed", "entity freedonia Country \"Freedonia\"\n"},
	} {
		for _, stdin := range []bool{false, true} {
			db := openSeeded(t)
			var err error
			if stdin {
				_, err = loader.Load(ctx, db, []string{"-"}, &loader.Options{Stdin: strings.NewReader("\ufeff" + c.src)})
			} else {
				_, err = loadString(db, c.name, "\ufeff"+c.src, nil)
			}
			if err != nil {
				t.Errorf("%s (stdin %v): %v", c.name, stdin, err)
			}
		}
	}
	// Columns count from after the mark.
	for _, c := range []struct{ name, src, want string }{
		{"bom.nq", "<http://ex/a> <http://ex/p> oops .\n", `bom.nq:1:29: expected an object (an IRI <…>, a blank node _:… or a literal "…"), found "oops"`},
		{"bom.seed", "entity korea Countyr \"Korea\"\n", `bom.seed:1:14: unknown entity type "Countyr" (did you mean Country?)`},
		{"bom.jsonld", `{"@id": "http://ex/a" "x"}`, `bom.jsonld:1:23: invalid JSON: invalid character '"' after object key:value pair`},
		{"bom.csv", "subject,relation,object,source,locator,note\nTokyo,partnr,Seoul,ecfr-2024,x,y\n", `bom.csv:2:7: unknown relation kind "partnr" (did you mean partner?)`},
	} {
		_, err := loadString(openSeeded(t), c.name, "\ufeff"+c.src, nil)
		if got := errText(err, ""); got != c.want {
			t.Errorf("error\n got %s\nwant %s", got, c.want)
		}
	}
}

func TestStdinErrors(t *testing.T) {
	ctx := context.Background()
	db := openMem(t)
	// Errors on standard input are at "-".
	_, err := loader.Load(ctx, db, []string{"-"}, &loader.Options{Stdin: strings.NewReader("<http://ex/a> <http://ex/p> oops .\n")})
	if got, want := errText(err, ""), `-:1:29: expected an object (an IRI <…>, a blank node _:… or a literal "…"), found "oops"`; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	// Nothing to tell the format by.
	for _, src := range []string{"hello world\n", "", "# only a comment\n", "   \n\n"} {
		_, err = loader.Load(ctx, db, []string{"-"}, &loader.Options{Stdin: strings.NewReader(src)})
		if !errors.Is(err, loader.ErrFormat) {
			t.Errorf("stdin %q: error %v, want ErrFormat", src, err)
		}
	}
	// --format tells it.
	res, err := loader.Load(ctx, db, []string{"-"}, &loader.Options{Format: loader.NTriples, Stdin: strings.NewReader("<a> <b> <c> .\n")})
	if err != nil || res.Added != 1 {
		t.Errorf("--format ntriples on stdin: %+v %v", res, err)
	}
	// Standard input can be read once.
	_, err = loader.Load(ctx, db, []string{"-", "-"}, &loader.Options{Stdin: strings.NewReader("<a> <b> <c> .\n")})
	if err == nil || err.Error() != "loader: standard input (-) can be read only once" {
		t.Errorf("two -: %v", err)
	}
	// A gzip stream on standard input.
	res, err = loader.Load(ctx, openMem(t), []string{"-"}, &loader.Options{Stdin: strings.NewReader(string(gzipBytes(t, []byte("<http://ex/z> <http://ex/p> \"gz\" .\n"))))})
	if err != nil || res.Added != 1 {
		t.Errorf("gzip on stdin: %+v %v", res, err)
	}
	if st := stats(t, db); st.Quads != 1 {
		t.Errorf("%d quads in the store, want the one --format load", st.Quads)
	}
}

func TestInputFormats(t *testing.T) {
	ctx := context.Background()
	db := openMem(t)
	// An unknown extension without --format.
	p := writeFile(t, "data.txt", "<http://ex/a> <http://ex/p> <http://ex/o> .\n")
	_, err := loader.Load(ctx, db, []string{p}, nil)
	if !errors.Is(err, loader.ErrFormat) {
		t.Errorf("error %v, want ErrFormat", err)
	}
	if got, want := errText(err, p), "loader: unknown format: cannot tell the format of data.txt from its name; use --format (nquads, ntriples, csv, jsonld, seed)"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	// ... and with it.
	if res, err := loader.Load(ctx, db, []string{p}, &loader.Options{Format: loader.NQuads}); err != nil || res.Added != 1 {
		t.Errorf("--format nquads: %+v %v", res, err)
	}
	// A good file and one of unknown format: nothing is read.
	good := writeFile(t, "good.nq", "<http://ex/b> <http://ex/p> <http://ex/o> .\n")
	if res, err := loader.Load(ctx, db, []string{good, p}, nil); !errors.Is(err, loader.ErrFormat) || res != nil {
		t.Errorf("good and unknown: %+v %v", res, err)
	}
	// A file that does not exist; a directory.
	before := snapshot(t, db)
	if _, err := loader.Load(ctx, db, []string{good, filepath.Join(t.TempDir(), "missing.nq")}, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "dir.nq")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := loader.Load(ctx, db, []string{good, dir}, nil); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	if snapshot(t, db) != before {
		t.Errorf("failed loads changed the store")
	}
	// No input.
	if _, err := loader.Load(ctx, db, nil, nil); err == nil {
		t.Errorf("no input: no error")
	}
	if _, err := loader.LoadSources(ctx, db, nil, nil); err == nil {
		t.Errorf("no sources: no error")
	}
}

func TestFormatNames(t *testing.T) {
	for in, want := range map[string]loader.Format{
		"nquads": loader.NQuads, "N-Quads": loader.NQuads, "nq": loader.NQuads,
		"ntriples": loader.NTriples, "nt": loader.NTriples, "csv": loader.CSV,
		"JSON-LD": loader.JSONLD, "json": loader.JSONLD, "seed": loader.Seed, "entente": loader.Seed,
		"history": loader.History,
	} {
		if got, err := loader.ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := loader.ParseFormat("turtle"); !errors.Is(err, loader.ErrFormat) || err.Error() != `loader: unknown format "turtle" (known: nquads, ntriples, csv, jsonld, seed, history)` {
		t.Errorf("ParseFormat(turtle): %v", err)
	}
	for name, want := range map[string]loader.Format{
		"a.nq": loader.NQuads, "a.nq.gz": loader.NQuads, "A.NQUADS": loader.NQuads, "dir.x/a.nt": loader.NTriples,
		"a.ntriples.gz": loader.NTriples, "a.csv": loader.CSV, "a.json": loader.JSONLD, "a.jsonld.gz": loader.JSONLD,
		"seeds/europe.seed": loader.Seed, "log.history.jsonl": loader.History,
	} {
		if got, ok := loader.FormatOf(name); !ok || got != want {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	for _, name := range []string{"a.txt", "a.gz", "nq", "a.nq.zip", "-"} {
		if got, ok := loader.FormatOf(name); ok {
			t.Errorf("FormatOf(%q) = %q", name, got)
		}
	}
	// A forced format wins over the name.
	if f, err := loader.FormatOfPath("a.csv", loader.Seed); err != nil || f != loader.Seed {
		t.Errorf("FormatOfPath forced: %q %v", f, err)
	}
	if f, err := loader.FormatOfPath("-", ""); err != nil || f != "" {
		t.Errorf("FormatOfPath(-): %q %v (want it left to sniffing)", f, err)
	}
}

// TestProgress checks the progress callbacks on a load large enough to
// report.
func TestProgress(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		b.WriteString("<http://ex/a> <http://ex/p> \"")
		b.WriteString(strings.Repeat("v", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString("\" <http://ex/g" + string(rune('a'+i%26)) + "> .\n")
	}
	src := b.String()
	var reads []loader.Progress
	db := openMem(t)
	mustLoad(t, db, "base.nq", "<http://ex/base> <http://ex/p> <http://ex/o> .\n", nil)
	res := mustLoad(t, db, "p.nq", src, &loader.Options{Progress: func(p loader.Progress) { reads = append(reads, p) }})
	if len(reads) < 2 {
		t.Fatalf("%d progress reports for %d quads", len(reads), res.Read)
	}
	last := int64(0)
	for _, p := range reads {
		if p.Quads < last || p.Bytes <= 0 || p.Size != int64(len(src)) {
			t.Errorf("progress %+v after %d quads", p, last)
		}
		last = p.Quads
	}
}
