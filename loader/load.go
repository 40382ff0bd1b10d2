package loader

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
)

// Options configure Load. The zero value reads each file in the format its
// name says and loads it all or nothing.
type Options struct {
	// Format forces the format of every input; "" tells it from each
	// file's name, or from the first bytes of standard input.
	Format Format
	// Strict follows the RDF 1.1 grammars to the letter (absolute IRIs).
	Strict bool
	// DryRun reads and validates everything and writes nothing; Result
	// lists every error found (up to MaxErrors).
	DryRun bool
	// KeepGoing loads the valid statements and lists every error instead
	// of loading nothing at the first.
	KeepGoing bool
	// MaxErrors caps how many errors DryRun and KeepGoing collect
	// (default 100); past it the load stops.
	MaxErrors int
	// Limits bound each input.
	Limits Limits
	// Stdin is read for the path "-" (default os.Stdin).
	Stdin io.Reader
	// Progress, when set, is called as input is read.
	Progress func(Progress)
	// Committed, when set, is called after each batch the store commits
	// (for logs and tests).
	Committed func(graph.LoadProgress)
	// Store passes options to the store's loader (batch size, bulk
	// limit); nil means its defaults.
	Store *graph.LoadOptions
}

// Progress reports how far a load has come.
type Progress struct {
	File  string // the input being read
	Bytes int64  // raw bytes read, over all inputs
	Size  int64  // raw bytes of all inputs, -1 if unknown (stdin)
	Quads int64  // statements read
	// Writing: all input is read and the store is writing it (the bulk
	// path into an empty store).
	Writing bool
}

// Result sums up a load.
type Result struct {
	Files  int       // inputs read
	Read   int64     // statements read (valid ones)
	Added  int64     // quads that were new to the store
	Bulk   bool      // the store was empty and written directly
	Errors ErrorList // with DryRun or KeepGoing: every error found
	DryRun bool      // nothing was written
}

// Load reads the inputs at paths ("-" is standard input; .gz files are
// decompressed) and adds their statements to db as one all-or-nothing
// load: an error in any input leaves the store as it was (unless
// KeepGoing). Loading the same input twice adds nothing the second time.
func Load(ctx context.Context, db *graph.DB, paths []string, opts *Options) (*Result, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o.Limits.defaults()
	if o.MaxErrors <= 0 {
		o.MaxErrors = 100
	}
	if len(paths) == 0 {
		return nil, errors.New("loader: no input given")
	}
	stdin := 0
	for _, p := range paths {
		if p == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return nil, errors.New("loader: standard input (-) can be read only once")
	}
	// Check every input is there and its format known before writing.
	size := int64(0)
	for _, p := range paths {
		if p == "-" {
			size = -1
			continue
		}
		f, err := FormatOfPath(p, o.Format)
		if err != nil {
			return nil, err
		}
		_ = f
		sz, err := fileSize(p)
		if err != nil {
			return nil, err
		}
		if size >= 0 {
			size += sz
		}
	}
	mr := &multiReader{paths: paths, opts: &o, size: size}
	defer mr.close()
	res := &Result{DryRun: o.DryRun}
	if o.DryRun {
		for {
			_, err := mr.ReadQuad()
			if err == io.EOF {
				break
			} else if err != nil {
				if errors.Is(err, errTooManyErrors) {
					break
				}
				res.Files, res.Read, res.Errors = mr.files, mr.quads, mr.errs
				return res, err
			}
			if err := ctx.Err(); err != nil {
				return res, err
			}
		}
		res.Files, res.Read, res.Errors = mr.files, mr.quads, mr.errs
		return res, nil
	}
	var sopts graph.LoadOptions
	if o.Store != nil {
		sopts = *o.Store
	}
	sopts.Source = describe(paths)
	if o.Progress != nil || o.Committed != nil {
		sopts.Progress = func(p graph.LoadProgress) {
			if p.Writing && o.Progress != nil {
				o.Progress(Progress{Bytes: mr.bytes(), Size: size, Quads: p.Read, Writing: true})
			}
			if p.Batches > 0 && o.Committed != nil {
				o.Committed(p)
			}
		}
	}
	lr, err := db.Load(ctx, mr, &sopts)
	res.Files, res.Read, res.Errors = mr.files, mr.quads, mr.errs
	res.Added, res.Bulk = lr.Added, lr.Bulk
	if errors.Is(err, errTooManyErrors) {
		return res, mr.errs
	}
	return res, err
}

func describe(paths []string) string {
	if len(paths) == 1 {
		return paths[0]
	}
	return fmt.Sprintf("%s and %d more", paths[0], len(paths)-1)
}

// FormatOfPath returns the format of the input at path: forced, or told
// from its name. Standard input ("-") is sniffed when read.
func FormatOfPath(path string, forced Format) (Format, error) {
	if forced != "" {
		return forced, nil
	}
	if path == "-" {
		return "", nil
	}
	f, ok := FormatOf(path)
	if !ok {
		return "", fmt.Errorf("%w: cannot tell the format of %s from its name; use --format (%s)", ErrFormat, path, formatList())
	}
	return f, nil
}

func formatList() string {
	s := ""
	for i, f := range Formats {
		if i > 0 {
			s += ", "
		}
		s += string(f)
	}
	return s
}

func fileSize(path string) (int64, error) {
	in, err := open(path, nil, Limits{MaxSize: 1, MaxLine: 1})
	if err != nil {
		return 0, err
	}
	defer in.Close()
	return in.size, nil
}

var errTooManyErrors = errors.New("loader: too many errors")

// multiReader reads the inputs one after the other as one quad stream.
type multiReader struct {
	paths []string
	opts  *Options
	size  int64

	next  int
	cur   *input
	rd    quad.Reader
	files int
	quads int64
	done  int64 // raw bytes of inputs finished
	errs  ErrorList
	tick  int
}

func (m *multiReader) bytes() int64 {
	if m.cur != nil {
		return m.done + m.cur.raw.n
	}
	return m.done
}

func (m *multiReader) close() {
	if m.cur != nil {
		m.cur.Close()
		m.cur = nil
	}
}

func (m *multiReader) ReadQuad() (quad.Quad, error) {
	for {
		if m.rd == nil {
			if m.next >= len(m.paths) {
				return quad.Quad{}, io.EOF
			}
			if err := m.openNext(); err != nil {
				return quad.Quad{}, err
			}
		}
		q, err := m.rd.ReadQuad()
		if err == io.EOF {
			m.done += m.cur.raw.n
			m.close()
			m.rd = nil
			continue
		}
		if err != nil {
			var le *Error
			// An error at a line is recoverable: the reader goes on with
			// the next one. Anything else (I/O, a decompression bomb)
			// ends the load.
			if errors.As(err, &le) && le.Line > 0 && (m.opts.KeepGoing || m.opts.DryRun) {
				m.errs = append(m.errs, le)
				if len(m.errs) >= m.opts.MaxErrors {
					return quad.Quad{}, errTooManyErrors
				}
				continue
			}
			return quad.Quad{}, err
		}
		m.quads++
		if m.opts.Progress != nil {
			if m.tick++; m.tick&1023 == 0 {
				m.opts.Progress(Progress{File: m.cur.name, Bytes: m.bytes(), Size: m.size, Quads: m.quads})
			}
		}
		return q, nil
	}
}

func (m *multiReader) openNext() error {
	path := m.paths[m.next]
	m.next++
	in, err := open(path, m.opts.Stdin, m.opts.Limits)
	if err != nil {
		return err
	}
	format, err := FormatOfPath(path, m.opts.Format)
	if err != nil {
		in.Close()
		return err
	}
	if format == "" { // stdin: sniff
		br := bufio.NewReader(in.r)
		in.r = br
		head, _ := br.Peek(4096)
		f, ok := sniff(head)
		if !ok {
			in.Close()
			return fmt.Errorf("%w: cannot tell the format of standard input; use --format (%s)", ErrFormat, formatList())
		}
		format = f
	}
	rd, err := newFormatReader(format, in, m.opts)
	if err != nil {
		in.Close()
		return err
	}
	m.cur, m.rd = in, rd
	m.files++
	return nil
}

// newFormatReader returns the statement reader for a format.
func newFormatReader(f Format, in *input, o *Options) (quad.Reader, error) {
	switch f {
	case NQuads, NTriples:
		return NewNQuadsReader(in.r, in.name, &NQuadsOptions{Triples: f == NTriples, Strict: o.Strict, MaxLine: o.Limits.MaxLine}), nil
	}
	return nil, fmt.Errorf("%w %q", ErrFormat, f)
}
