package loader_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/entente-kg/entente/loader"
)

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGzipInput(t *testing.T) {
	src := "<http://ex/a> <http://ex/p> \"one\" .\n<http://ex/a> <http://ex/p> \"two\" .\n"
	for _, name := range []string{"data.nq.gz", "data.NQ.GZ", "data.nq"} { // gzip is told by its magic bytes
		t.Run(name, func(t *testing.T) {
			db := openMem(t)
			res, err := load(t, db, name, string(gzipBytes(t, []byte(src))), nil)
			if err != nil || res.Added != 2 {
				t.Fatalf("%+v %v", res, err)
			}
			wantQuads(t, db, nq(iri("http://ex/a"), iri("http://ex/p"), str("two"), nil))
		})
	}
	// Other formats are decompressed too.
	db := openMem(t)
	res, err := load(t, db, "data.seed.gz", string(gzipBytes(t, []byte(seedPrelude))), nil)
	if err != nil || res.Added != 13 {
		t.Errorf("seed.gz: %+v %v", res, err)
	}
	// An error in a compressed file has its line.
	_, err = load(t, openMem(t), "bad.nq.gz", string(gzipBytes(t, []byte(src+"<http://ex/a> oops .\n"))), nil)
	if le := asLoaderError(t, err); le.Line != 3 || le.Col != 15 {
		t.Errorf("error %v, want line 3, column 15", err)
	}
}

func TestGzipCorrupt(t *testing.T) {
	db := openMem(t)
	mustLoad(t, db, "base.nq", "<http://ex/base> <http://ex/p> <http://ex/o> .\n", nil)
	before := snapshot(t, db)
	// The magic bytes and nothing valid after them.
	_, err := load(t, db, "bad.nq.gz", "\x1f\x8b\x00\x00garbage", nil)
	if err == nil || !errors.Is(err, loader.ErrSyntax) || !strings.Contains(err.Error(), "not a valid gzip stream") {
		t.Errorf("error %v, want a syntax error about the gzip stream", err)
	}
	// A stream cut short.
	z := gzipBytes(t, bytes.Repeat([]byte("<http://ex/a> <http://ex/p> <http://ex/o> .\n"), 1000))
	_, err = loadString(db, "cut.nq.gz", string(z[:len(z)/2]), nil)
	if !errors.Is(err, loader.ErrSyntax) {
		t.Errorf("truncated gzip: %v, want ErrSyntax", err)
	}
	if got, want := errText(err, ""), "cut.nq.gz: the gzip stream is truncated: the file ends after 99 bytes of compressed data, before the stream does"; got != want {
		t.Errorf("error\n got %s\nwant %s", got, want)
	}
	if snapshot(t, db) != before {
		t.Errorf("failed loads changed the store")
	}
}

// bomb returns gzip data that expands about 250 MiB from well under
// 1 MiB: the same compressed member, of 1 MiB of a repeated valid
// N-Quads line, many times (gzip readers read concatenated members as
// one stream, as gunzip does).
func bomb(t testing.TB) []byte {
	t.Helper()
	line := `<http://ex/a> <http://ex/p> "` + strings.Repeat("z", 4000) + "\" .\n"
	member := gzipBytes(t, bytes.Repeat([]byte(line), (1<<20)/len(line)))
	return bytes.Repeat(member, 250)
}

func TestGzipBomb(t *testing.T) {
	data := bomb(t)
	if len(data) > 1<<20 {
		t.Fatalf("the bomb is %d bytes; the test wants a high ratio", len(data))
	}
	for _, c := range []struct {
		name  string
		empty bool
		opts  *loader.Options
	}{
		{"default limits, empty store", true, nil},
		{"default limits, store with data", false, nil},
		{"dry run", false, &loader.Options{DryRun: true}},
		{"keep going", false, &loader.Options{KeepGoing: true}},
		{"lower ratio", false, &loader.Options{Limits: loader.Limits{MaxRatio: 10}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openMem(t)
			if !c.empty {
				mustLoad(t, db, "base.nq", "<http://ex/base> <http://ex/p> <http://ex/o> .\n", nil)
			}
			before := snapshot(t, db)
			start := time.Now()
			res, err := load(t, db, "bomb.nq.gz", string(data), c.opts)
			if !errors.Is(err, loader.ErrLimit) {
				t.Fatalf("error %v, want ErrLimit", err)
			}
			if !strings.Contains(err.Error(), "refusing a likely decompression bomb") {
				t.Errorf("error %q does not say why", err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("refusing the bomb took %v", d)
			}
			if res != nil && res.Added != 0 {
				t.Errorf("%d quads added", res.Added)
			}
			if snapshot(t, db) != before {
				t.Errorf("the store changed")
			}
		})
	}
}

// TestGzipBombMessage pins the message: the file's name once, the ratio
// and the sizes.
func TestGzipBombMessage(t *testing.T) {
	_, err := loadString(openMem(t), "bomb.nq.gz", string(bomb(t)), &loader.Options{DryRun: true})
	msg := errText(err, "")
	if !strings.HasPrefix(msg, "bomb.nq.gz: gzip data expands more than 250 times (") {
		t.Errorf("message %q", msg)
	}
	le := asLoaderError(t, err)
	if le.File != "bomb.nq.gz" || le.Line != 0 {
		t.Errorf("error at %s:%d", le.File, le.Line)
	}
}

func TestMaxSize(t *testing.T) {
	src := strings.Repeat("<http://ex/a> <http://ex/p> <http://ex/o> .\n", 1000) // 44,000 bytes
	lim := &loader.Options{Limits: loader.Limits{MaxSize: 10000}}
	for _, c := range []struct{ name, data string }{
		{"big.nq", src},
		{"big.nq.gz", string(gzipBytes(t, []byte(src)))},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openMem(t)
			_, err := loadString(db, c.name, c.data, lim)
			if !errors.Is(err, loader.ErrLimit) {
				t.Fatalf("error %v, want ErrLimit", err)
			}
			if st := stats(t, db); st.Quads != 0 {
				t.Errorf("%d quads written", st.Quads)
			}
			want := c.name + ": input is larger than the limit of 10000 bytes (--max-size)"
			if got := errText(err, ""); got != want {
				t.Errorf("error %q, want %q", got, want)
			}
		})
	}
	// Under the limit, it loads.
	if _, err := loadString(openMem(t), "ok.nq", src, &loader.Options{Limits: loader.Limits{MaxSize: int64(len(src))}}); err != nil {
		t.Errorf("an input of exactly MaxSize: %v", err)
	}
}

// TestMaxSizeEveryFormat checks that each reader passes the size error on
// as a limit error naming the file once.
func TestMaxSizeEveryFormat(t *testing.T) {
	big := strings.Repeat("x", 5000)
	for _, c := range []struct{ name, data string }{
		{"big.seed", seedPrelude + "entity korea Country \"Korea\"\n  description: " + big + "\n"},
		{"big.csv", "subject,relation,object,source,locator,note\nTokyo,partner,ROK,ecfr-2024,x," + big + "\n"},
		{"big.jsonld", `{"@id": "http://ex/a", "http://ex/p": "` + big + `"}`},
		{"big.nq", `<http://ex/a> <http://ex/p> "` + big + "\" .\n"},
	} {
		_, err := loadString(openMem(t), c.name, c.data, &loader.Options{Limits: loader.Limits{MaxSize: 1000}})
		if !errors.Is(err, loader.ErrLimit) {
			t.Errorf("%s: error %v, want ErrLimit", c.name, err)
			continue
		}
		if want := c.name + ": input is larger than the limit of 1000 bytes (--max-size)"; err.Error() != want {
			t.Errorf("%s: error %q, want %q", c.name, err, want)
		}
	}
}

// TestLimitsDefaults checks that the zero Limits are the documented
// defaults: a line just under 1 MiB loads.
func TestLimitsDefaults(t *testing.T) {
	if loader.DefaultMaxLine != 1<<20 {
		t.Errorf("DefaultMaxLine = %d", loader.DefaultMaxLine)
	}
	line := `<http://ex/a> <http://ex/p> "` + strings.Repeat("x", 1<<20-40) + "\" .\n"
	res, err := loader.LoadSources(context.Background(), openMem(t), []loader.Source{stringSource("ok.nq", line)}, &loader.Options{DryRun: true})
	if err != nil || len(res.Errors) != 0 || res.Read != 1 {
		t.Errorf("a line just under 1 MiB: %+v %v", res, err)
	}
}

// endless is an input of head and then fill bytes without end, counting
// what is read.
type endless struct {
	head string
	fill byte
	n    int64
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		if e.n < int64(len(e.head)) {
			p[i] = e.head[e.n]
		} else {
			p[i] = e.fill
		}
		e.n++
	}
	return len(p), nil
}

func (e *endless) Close() error { return nil }

// TestEveryReaderStopsAtLimit feeds each reader an input without end
// (/dev/zero, a string never closed, white space): each stops with an
// error saying which limit was crossed and where, having read little
// more than the limit.
func TestEveryReaderStopsAtLimit(t *testing.T) {
	const maxLine = 1 << 20
	for _, c := range []struct {
		name, head string
		fill       byte
		want       string
	}{
		{"zero.nq", "", 0, "zero.nq:1:1: line is longer than the limit of 1 MiB (--max-line); reading stopped there"},
		{"zero.seed", "", 0, "zero.seed:1:1: line is longer than the limit of 1 MiB (--max-line); reading stopped there"},
		{"zero.csv", "", 0, "zero.csv:1:1: line is longer than the limit of 1 MiB (--max-line); reading stopped there"},
		{"quote.csv", "subject,relation,object,source,locator,note\nTokyo,partner,ROK,ecfr-2024,x,\"", '\n',
			`quote.csv:2:31: the quoted field that starts here runs past the limit of 1 MiB (--max-line) without its closing '"'; reading stopped`},
		{"zero.jsonld", "", 0, "zero.jsonld:1:1: control character U+0000 is not allowed (of the control characters, only tab and line endings are)"},
		{"string.jsonld", `["`, 'a', "string.jsonld:1:2: a JSON string is longer than the limit of 16 MiB"},
		{"key.jsonld", `{"@id": "http://ex/a", "`, 'k', "key.jsonld:1:23: a JSON string is longer than the limit of 16 MiB"},
		{"space.jsonld", `[{"@id": "http://ex/a", "http://ex/p": "v"},`, ' ', "space.jsonld:1:45: a JSON value or run of white space is longer than the limit of 16 MiB"},
		{"number.jsonld", `{"@id": "http://ex/a", "http://ex/p": 1`, '2', "number.jsonld:1:38: a JSON value or run of white space is longer than the limit of 16 MiB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := &endless{head: c.head, fill: c.fill}
			src := loader.Source{Name: c.name, Size: -1, Open: func() (io.ReadCloser, error) { return in, nil }}
			res, err := loader.LoadSources(context.Background(), nil, []loader.Source{src}, &loader.Options{DryRun: true, Limits: loader.Limits{MaxLine: maxLine}})
			if err == nil {
				err = res.Errors
			}
			if got := errText(err, ""); got != c.want {
				t.Errorf("error\n got %s\nwant %s", got, c.want)
			}
			if in.n > loader.DefaultMaxObject+1<<20 {
				t.Errorf("%d MiB read before stopping", in.n>>20)
			}
		})
	}
}

// TestJSONLDTopObjectLimit checks that what a top-level object holds
// besides its @graph, kept until the object ends, is bounded as a whole.
func TestJSONLDTopObjectLimit(t *testing.T) {
	big := strings.Repeat("v", 10<<20)
	doc := `{"http://ex/p": "` + big + `",` + "\n" + ` "http://ex/q": "` + big + `", "@graph": []}`
	_, err := loadString(openMem(t), "top.jsonld", doc, nil)
	if got, want := errText(err, ""), "top.jsonld:2:2: the members of the top-level object besides @graph are larger than the limit of 16 MiB"; got != want {
		t.Errorf("error\n got %s\nwant %s", got, want)
	}
	if !errors.Is(err, loader.ErrLimit) {
		t.Errorf("error %v is not ErrLimit", err)
	}
}
