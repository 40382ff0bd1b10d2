package loader

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Format names an input format.
type Format string

// The formats Load reads.
const (
	NQuads   Format = "nquads"
	NTriples Format = "ntriples"
	CSV      Format = "csv"
	JSONLD   Format = "jsonld"
	Seed     Format = "seed"
	// History is a store's whole history (entente export --history),
	// loaded back into an empty store with its transactions.
	History Format = "history"
)

// Formats lists the formats, for help texts.
var Formats = []Format{NQuads, NTriples, CSV, JSONLD, Seed}

// ParseFormat parses a format name, accepting common aliases.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "nquads", "n-quads", "nq":
		return NQuads, nil
	case "ntriples", "n-triples", "nt":
		return NTriples, nil
	case "csv":
		return CSV, nil
	case "jsonld", "json-ld", "json":
		return JSONLD, nil
	case "seed", "entente":
		return Seed, nil
	case "history":
		return History, nil
	}
	return "", fmt.Errorf("%w %q (known: nquads, ntriples, csv, jsonld, seed, history)", ErrFormat, s)
}

// FormatOf tells a file's format from its name (a trailing .gz is
// ignored); ok is false when the name does not say.
func FormatOf(name string) (Format, bool) {
	name = strings.TrimSuffix(strings.ToLower(name), ".gz")
	if strings.HasSuffix(name, ".history.jsonl") {
		return History, true
	}
	switch filepath.Ext(name) {
	case ".nq", ".nquads":
		return NQuads, true
	case ".nt", ".ntriples":
		return NTriples, true
	case ".csv":
		return CSV, true
	case ".jsonld", ".json":
		return JSONLD, true
	case ".seed":
		return Seed, true
	}
	return "", false
}

// sniff guesses a format from the first bytes of an input.
func sniff(head []byte) (Format, bool) {
	s := strings.TrimLeft(string(head), " \t\r\n\ufeff")
	for strings.HasPrefix(s, "#") { // skip comment lines
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return "", false
		}
		s = strings.TrimLeft(s[i+1:], " \t\r\n")
	}
	switch {
	case s == "":
		return "", false
	case s[0] == '<' || strings.HasPrefix(s, "_:"):
		return NQuads, true
	case strings.HasPrefix(s, `{"format":"entente-history"`):
		return History, true
	case s[0] == '{' || s[0] == '[':
		return JSONLD, true
	case strings.HasPrefix(strings.ToLower(s), "subject,"):
		return CSV, true
	case strings.HasPrefix(s, "entity ") || strings.HasPrefix(s, "source ") || strings.HasPrefix(s, "relation "):
		return Seed, true
	}
	return "", false
}

// Limits bound what an input may cost.
type Limits struct {
	// MaxLine is the longest line of a line-based format, and the
	// longest CSV record, in bytes (default 1 MiB). Reading an input
	// stops at the first line over it.
	MaxLine int
	// MaxSize caps the bytes read from one input after decompression
	// (default 64 GiB).
	MaxSize int64
	// MaxRatio caps how much a compressed input may expand, once past
	// 64 MiB (default 250): more is a decompression bomb, not data.
	MaxRatio int64
	// MaxDepth caps the nesting of JSON-LD documents (default 64).
	MaxDepth int
}

func (l *Limits) defaults() {
	if l.MaxLine <= 0 {
		l.MaxLine = DefaultMaxLine
	}
	if l.MaxSize <= 0 {
		l.MaxSize = 64 << 30
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 250
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 64
	}
}

// input is one opened source: the decompressed bytes and how far through
// the raw bytes reading is (for progress).
type input struct {
	name   string
	r      io.Reader
	closer io.Closer
	raw    *countingReader
	size   int64 // raw size, -1 if unknown
	gz     bool
}

func (in *input) Close() error {
	if in.closer != nil {
		return in.closer.Close()
	}
	return nil
}

// Source is one input: a name for messages, its format ("" to tell it
// from the name or the first bytes) and a way to open it.
type Source struct {
	Name   string
	Format Format
	Open   func() (io.ReadCloser, error)
	// Size is the input's size in bytes, -1 if unknown (for progress).
	Size int64
}

// FileSource is a file, or standard input for "-".
func FileSource(path string, stdin io.Reader) Source {
	if path == "-" {
		if stdin == nil {
			stdin = os.Stdin
		}
		return Source{Name: "-", Size: -1, Open: func() (io.ReadCloser, error) { return io.NopCloser(stdin), nil }}
	}
	src := Source{Name: path, Size: -1, Open: func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		if st, err := f.Stat(); err == nil && st.IsDir() {
			f.Close()
			return nil, fmt.Errorf("%s: is a directory", path)
		}
		return f, nil
	}}
	if st, err := os.Stat(path); err == nil {
		src.Size = st.Size()
	}
	return src
}

// open opens a source, detecting gzip by its magic bytes.
func open(src Source, lim Limits) (*input, error) {
	in := &input{name: src.Name, size: src.Size}
	rc, err := src.Open()
	if err != nil {
		return nil, err
	}
	in.closer = rc
	in.raw = &countingReader{r: rc}
	br := bufio.NewReaderSize(in.raw, 64<<10)
	head, _ := br.Peek(2)
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			in.Close()
			return nil, &Error{File: src.Name, Msg: fmt.Sprintf("not a valid gzip stream: %v", err), Kind: ErrSyntax}
		}
		in.gz = true
		in.r = &boundedReader{r: zr, raw: in.raw, name: src.Name, max: lim.MaxSize, ratio: lim.MaxRatio, gz: true}
	} else {
		in.r = &boundedReader{r: br, raw: in.raw, name: src.Name, max: lim.MaxSize}
	}
	return in, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// boundedReader stops an input at max bytes, and a compressed one that
// expands past ratio times its compressed size.
type boundedReader struct {
	r     io.Reader
	raw   *countingReader
	name  string
	n     int64
	max   int64
	ratio int64
	gz    bool // r decompresses
}

const bombFloor = 64 << 20

func (b *boundedReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > b.max { // nothing past the limit reaches the reader
		n -= int(b.n - b.max)
		b.n = b.max
		return n, &Error{File: b.name, Kind: ErrLimit,
			Msg: fmt.Sprintf("input is larger than the limit of %s (--max-size)", byteSize(b.max))}
	}
	if b.ratio > 0 && b.n > bombFloor && b.raw.n > 0 && b.n/b.raw.n > b.ratio {
		return n, &Error{File: b.name, Kind: ErrLimit,
			Msg: fmt.Sprintf("gzip data expands more than %d times (%s from %s): refusing a likely decompression bomb", b.ratio, byteSize(b.n), byteSize(b.raw.n))}
	}
	if b.gz && err == io.ErrUnexpectedEOF {
		return n, &Error{File: b.name, Kind: ErrSyntax,
			Msg: fmt.Sprintf("the gzip stream is truncated: the file ends after %s of compressed data, before the stream does", byteSize(b.raw.n))}
	}
	return n, err
}

// ioError names the input in an error of reading it, unless the error is
// an *Error, which names it already.
func ioError(name string, err error) error {
	var le *Error
	if errors.As(err, &le) {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// skipBOM returns a reader of r without a leading UTF-8 byte-order mark,
// as Windows tools write one.
func skipBOM(r io.Reader) io.Reader { return &bomReader{r: r} }

type bomReader struct {
	r    io.Reader
	head []byte // bytes read while looking for the mark, to return first
	err  error  // the error that came with them
	done bool
}

func (b *bomReader) Read(p []byte) (int, error) {
	if !b.done {
		b.done = true
		var buf [3]byte
		n := 0
		for n < len(buf) && b.err == nil {
			var k int
			k, b.err = b.r.Read(buf[n:])
			n += k
		}
		if string(buf[:n]) != "\ufeff" {
			b.head = append([]byte(nil), buf[:n]...)
		}
	}
	if len(b.head) > 0 {
		n := copy(p, b.head)
		b.head = b.head[n:]
		return n, nil
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.r.Read(p)
}
