package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The loaders' answers to hostile and broken input, through the binary:
// linear work, limits that stop reading at once, one rule for text, and
// messages that say what is wrong.

// inputStore creates a store holding one statement and returns its
// directory.
func inputStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	base := filepath.Join(dir, "base.nq")
	if err := os.WriteFile(base, []byte("<http://ex/base> <http://ex/p> <http://ex/o> .\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	entente(t, "", "--db", db, "load", base).must(t, 0)
	return db
}

// inputFile writes content to a new file called name and returns its path.
func inputFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ententeWithin runs the binary, killing it and failing the test if it
// runs longer than bound, a bound far above what it needs: the property
// tested is that it finishes, not its speed.
func ententeWithin(t *testing.T, bound time.Duration, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	r := ententeCtx(ctx, t, "", args...)
	if ctx.Err() != nil {
		t.Fatalf("entente %s: still running after %v", strings.Join(args, " "), bound)
	}
	return r
}

// TestInputJSONLDManyValues: one JSON-LD property with 40,000 values is
// checked (it took two minutes when each value was compared with every
// other).
func TestInputJSONLDManyValues(t *testing.T) {
	db := inputStore(t)
	var b strings.Builder
	b.WriteString(`{"@id": "http://ex/a", "http://ex/p": [`)
	for i := 0; i < 40000; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `"value %d"`, i)
	}
	b.WriteString("]}\n")
	doc := inputFile(t, "many.jsonld", b.String())
	r := ententeWithin(t, time.Minute, "--db", db, "load", "--dry-run", doc).must(t, 0)
	if !strings.Contains(r.stdout, "checked 40,000 statements from 1 file") {
		t.Errorf("summary: %s", r.stdout)
	}
}

// TestInputDevZero: /dev/zero as input, in every format, fails at once
// with the limit it crossed (it read 64 GiB before saying so).
func TestInputDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	db := inputStore(t)
	for _, c := range []struct{ format, want string }{
		{"nquads", "entente: /dev/zero:1:1: line is longer than the limit of 1 MiB (--max-line); reading stopped there"},
		{"seed", "entente: /dev/zero:1:1: line is longer than the limit of 1 MiB (--max-line); reading stopped there"},
		{"csv", "entente: /dev/zero:1:1: line is longer than the limit of 1 MiB (--max-line); reading stopped there"},
		{"jsonld", "entente: /dev/zero:1:1: control character U+0000 is not allowed (of the control characters, only tab and line endings are)"},
	} {
		t.Run(c.format, func(t *testing.T) {
			r := ententeWithin(t, time.Minute, "--db", db, "load", "--format", c.format, "/dev/zero").must(t, 1)
			if first := strings.SplitN(r.stderr, "\n", 2)[0]; first != c.want {
				t.Errorf("error line\n got %s\nwant %s", first, c.want)
			}
		})
	}
}

// TestInputTextRule: invalid UTF-8 and control characters are errors at
// the character in every format, and a CSV type that contradicts the
// stored one is an error; the store is left as it was.
func TestInputTextRule(t *testing.T) {
	db := inputStore(t)
	_, before := stats(t, db)
	const head = "subject,relation,object,source,locator,note,subject_type\n"
	for _, c := range []struct{ name, src, want string }{
		{"nul.csv", head + "Jap\x00an,partner,Korea,src,x,y,Country\n", "nul.csv:2:4: control character U+0000 is not allowed (of the control characters, only tab and line endings are)"},
		{"utf8.csv", head + "Japan,partner,Korea,src,x,caf\xe9,Country\n", "utf8.csv:2:30: invalid UTF-8"},
		{"nul.seed", "entity japan Country \"Ja\x00pan\"\n", "nul.seed:1:25: control character U+0000 is not allowed (of the control characters, only tab and line endings are)"},
		{"utf8.jsonld", `{"@id": "http://ex/a", "http://ex/p": "caf` + "\xe9" + `"}`, "utf8.jsonld:1:43: invalid UTF-8"},
		{"del.nq", "<http://ex/a> <http://ex/p> \"\x7f\" .\n", "del.nq:1:30: control character U+007F is not allowed (of the control characters, only tab and line endings are)"},
		{"type.csv", "subject,relation,object,source,locator,note,subject_type,object_type\nJapan,type,Country,,,,,\nKorea,type,Country,,,,,\nJapan,partner,Korea,src,x,y,Country,Country\nKorea,partner,Japan,src,x,y,,Person\n", `type.csv:5:30: entity "japan" is a Country earlier in this file; it cannot also be a Person (an entity has one type)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := inputFile(t, c.name, c.src)
			r := entente(t, "", "--db", db, "load", path).must(t, 1)
			want := "entente: " + path + ":" + strings.SplitN(c.want, ":", 2)[1]
			if first := strings.SplitN(r.stderr, "\n", 2)[0]; first != want {
				t.Errorf("error line\n got %s\nwant %s", first, want)
			}
		})
	}
	if _, after := stats(t, db); after != before {
		t.Errorf("the store changed:\n%s\n%s", before, after)
	}
}

// TestInputMessages: a truncated gzip, a number out of range, a
// directory, a stray CSV quote and a lookalike name each say what is
// wrong, where.
func TestInputMessages(t *testing.T) {
	db := inputStore(t)
	entente(t, "", "--db", db, "load", inputFile(t, "japan.csv", "subject,relation,object,source,locator,note,subject_type,object_type\nJapan,type,Country,,,,,\nKorea,type,Country,,,,,\nJapan,partner,Korea,src,x,y,Country,Country\n")).must(t, 0)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat("<http://ex/a> <http://ex/p> <http://ex/o> .\n", 1000)))
	zw.Close()
	cut := inputFile(t, "cut.nq.gz", gz.String()[:gz.Len()/2])
	dir := t.TempDir()
	for _, c := range []struct{ path, want string }{
		{cut, cut + ": the gzip stream is truncated: the file ends after " + fmt.Sprint(gz.Len()/2) + " bytes of compressed data, before the stream does"},
		{inputFile(t, "n.jsonld", `{"@id": "http://ex/a", "http://ex/p": 1e400}`), ":1:39: number 1e400 is out of range (a JSON-LD number must fit a 64-bit float)"},
		{dir, dir + ": is a directory, not a file: give the files in it"},
		{inputFile(t, "q.csv", "subject,relation,object,source,locator,note,subject_type,object_type\nJapan,partner,\"Korea,src,x,y,Country,Country\nIndia,partner,Japan,src,x,y,Country,\n"),
			`:2:15: the quoted field that starts here is not closed: the file ends inside it (a stray '"'?)`},
		{inputFile(t, "l.csv", "subject,relation,object,source,locator,note\nJ\u0430pan,partner,Korea,src,x,y\n"),
			`:2:1: unknown subject "Jаpan" (did you mean Japan? "Jаpan" has U+0430 CYRILLIC SMALL LETTER A at column 2 where "Japan" has "a")`},
	} {
		r := entente(t, "", "--db", db, "load", c.path).must(t, 1)
		want := "entente: " + c.want
		if strings.HasPrefix(c.want, ":") {
			want = "entente: " + c.path + c.want
		}
		if first := strings.SplitN(r.stderr, "\n", 2)[0]; first != want {
			t.Errorf("error line\n got %s\nwant %s", first, want)
		}
	}
}
