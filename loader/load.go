package loader

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

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
	// Create lets CSV rows create the entities, sectors and instruments
	// they name that the graph lacks (from subject_type and object_type),
	// as if the file declared them; without it a name the graph lacks is
	// an error with the closest names (see CSVReader).
	Create bool
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
	// Tx describes the load's transaction in the store's history (author,
	// message); its sources default to the inputs' names.
	Tx graph.TxMeta
	// Replace makes what the inputs say replace what the store says of
	// the same subjects (graph.DB.Replace): a qualifier, a name or a
	// statement's relation given anew replaces the stored one, as one
	// transaction, instead of being refused as a contradiction.
	Replace bool
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
	Files int   // inputs read
	Read  int64 // statements read (valid ones)
	Added int64 // quads that were new to the store
	// Removed counts the quads a replacing load removed.
	Removed int64
	// Tx is the load's transaction (ID 0 when it changed nothing).
	Tx graph.Tx
	// Changes counts the retractions and amendments the inputs state
	// (seed retract and amend blocks, CSV rows with an action).
	Changes int
	// Transactions counts the transactions a history file brought.
	Transactions int
	Bulk         bool      // the store was empty and written directly
	Errors       ErrorList // with DryRun or KeepGoing: every error found
	DryRun       bool      // nothing was written
}

// Load reads the inputs at paths ("-" is standard input; .gz files are
// decompressed) and adds their statements to db as one all-or-nothing
// load: an error in any input leaves the store as it was (unless
// KeepGoing). Loading the same input twice adds nothing the second time.
func Load(ctx context.Context, db *graph.DB, paths []string, opts *Options) (*Result, error) {
	if len(paths) == 0 {
		return nil, errors.New("loader: no input given")
	}
	stdin := 0
	var stdinReader io.Reader
	if opts != nil {
		stdinReader = opts.Stdin
	}
	srcs := make([]Source, len(paths))
	for i, p := range paths {
		if p == "-" {
			stdin++
		} else if st, err := os.Stat(p); err != nil {
			return nil, err
		} else if st.IsDir() {
			return nil, &Error{File: p, Kind: ErrInvalid, Msg: "is a directory, not a file: give the files in it"}
		}
		srcs[i] = FileSource(p, stdinReader)
	}
	if stdin > 1 {
		return nil, errors.New("loader: standard input (-) can be read only once")
	}
	return LoadSources(ctx, db, srcs, opts)
}

// LoadSources is Load for any inputs.
func LoadSources(ctx context.Context, db *graph.DB, srcs []Source, opts *Options) (*Result, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	o.Limits.defaults()
	if o.MaxErrors <= 0 {
		o.MaxErrors = 100
	}
	if len(srcs) == 0 {
		return nil, errors.New("loader: no input given")
	}
	// Every input's format must be known before anything is written.
	size := int64(0)
	for i := range srcs {
		if srcs[i].Format == "" {
			f, err := FormatOfPath(srcs[i].Name, o.Format)
			if err != nil {
				return nil, err
			}
			srcs[i].Format = f
		}
		if size >= 0 && srcs[i].Size >= 0 {
			size += srcs[i].Size
		} else {
			size = -1
		}
	}
	for _, s := range srcs {
		if s.Format == History {
			if len(srcs) > 1 {
				return nil, fmt.Errorf("loader: %s is a store's history: load it alone, into an empty store", s.Name)
			}
			return loadHistory(ctx, db, s, &o)
		}
	}
	// The curated readers check each file against the store as it was
	// and against the files read before it; the RDF readers resolve
	// nothing, so a load of only those reads nothing of the store first
	// (a one-fact N-Quads load into a large store costs what one fact
	// costs, not a catalog of the store).
	res := &loadResolver{decl: newDeclarations(), replace: o.Replace}
	curated := false
	for _, s := range srcs {
		curated = curated || s.Format == Seed || s.Format == CSV || s.Format == ""
	}
	if db != nil && curated {
		// A reader that cannot find names (on PostgreSQL) would ask a
		// catalog for each: build the catalog once instead.
		er, ok := db.EntityReader(ctx)
		if ok && !er.Indexed() {
			er.Close()
			ok = false
		}
		if ok {
			rr := &readerResolver{ctx: ctx, db: db, r: er, quals: map[quad.IRI]map[string][]quad.Value{}}
			defer rr.close()
			res.store = rr
		} else {
			cr, err := newCatalogResolver(ctx, db, true)
			if err != nil {
				return nil, err
			}
			res.store = cr
		}
	}
	mr := &multiReader{ctx: ctx, srcs: srcs, opts: &o, size: size, res: res}
	defer mr.close()
	result := &Result{DryRun: o.DryRun}
	if o.DryRun {
		for {
			_, err := mr.ReadQuad()
			if err == io.EOF {
				break
			} else if err != nil {
				if errors.Is(err, errTooManyErrors) {
					break
				}
				result.Files, result.Read, result.Errors = mr.files, mr.quads, mr.errs
				return result, err
			}
			if err := ctx.Err(); err != nil {
				return result, err
			}
		}
		result.Files, result.Read, result.Errors, result.Changes = mr.files, mr.quads, mr.errs, len(mr.edits)
		// The changes the inputs state, planned against the store as it
		// is (without this load's additions, which a dry run does not
		// write).
		if db != nil && len(mr.edits) > 0 {
			if _, _, err := db.PlanEdits(ctx, mr.edits); err != nil {
				e := editError(err)
				if e == nil {
					return result, err
				}
				result.Errors = append(result.Errors, e)
			}
		}
		return result, nil
	}
	var sopts graph.LoadOptions
	if o.Store != nil {
		sopts = *o.Store
	}
	names := make([]string, len(srcs))
	for i, s := range srcs {
		names[i] = s.Name
	}
	sopts.Source = describe(names)
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
	meta := o.Tx
	if len(meta.Sources) == 0 {
		meta.Sources = names
	}
	if o.Replace {
		tx, err := db.Replace(ctx, noEdits{mr}, meta)
		result.Files, result.Read, result.Errors = mr.files, mr.quads, mr.errs
		if errors.Is(err, graph.ErrNoChange) {
			return result, nil
		}
		result.Added, result.Removed, result.Tx = tx.Added, tx.Removed, tx
		if errors.Is(err, errTooManyErrors) {
			return result, mr.errs
		}
		return result, err
	}
	if meta.Kind == "" {
		meta.Kind = "load"
	}
	sopts.Tx = meta.TxOptions()
	// A file's retract and amend blocks (CSV: its action column) are
	// planned once its additions are stored, in the same transaction.
	sopts.Finish = db.FinishEdits(func() []graph.Edit { return mr.edits }, meta)
	lr, err := db.Load(ctx, mr, &sopts)
	result.Files, result.Read, result.Errors = mr.files, mr.quads, mr.errs
	result.Added, result.Removed, result.Bulk, result.Changes = lr.Added, lr.Removed, lr.Bulk, len(mr.edits)
	if err != nil {
		err = editLoadError(err)
	}
	if lr.Tx.ID != 0 {
		result.Tx = graph.TxOf(lr.Tx)
	}
	if errors.Is(err, errTooManyErrors) {
		return result, mr.errs
	}
	return result, err
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

var errTooManyErrors = errors.New("loader: too many errors")

// multiReader reads the inputs one after the other as one quad stream.
type multiReader struct {
	ctx   context.Context
	edits []graph.Edit // the changes the inputs state
	srcs  []Source
	opts  *Options
	size  int64
	res   *loadResolver

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
			if m.next >= len(m.srcs) {
				if rr, ok := m.res.store.(*readerResolver); ok {
					rr.close() // every input is read and checked
				}
				return quad.Quad{}, io.EOF
			}
			if err := m.openNext(); err != nil {
				return quad.Quad{}, err
			}
		}
		q, err := m.rd.ReadQuad()
		if rr, ok := m.res.store.(*readerResolver); ok && rr.failed() != nil {
			// The store could not be read to check the input.
			return quad.Quad{}, rr.failed()
		}
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
	src := m.srcs[m.next]
	m.next++
	in, err := open(src, m.opts.Limits)
	if err != nil {
		return err
	}
	format := src.Format
	if format == "" { // standard input: sniff
		br := bufio.NewReader(in.r)
		in.r = br
		head, _ := br.Peek(4096)
		f, ok := sniff(head)
		if !ok {
			in.Close()
			return fmt.Errorf("%w: cannot tell the format of %s; use --format (%s)", ErrFormat, src.Name, formatList())
		}
		format = f
	}
	rd, err := newFormatReader(m.ctx, format, in, m.opts, m.res, &m.edits)
	if err != nil {
		in.Close()
		return err
	}
	m.cur, m.rd = in, rd
	m.files++
	return nil
}

// newFormatReader returns the statement reader for a format. The curated
// readers add what they declare to the load's resolver when they reach
// the end of their input. The JSON-LD reader stops converting an element
// when ctx is done.
func newFormatReader(ctx context.Context, f Format, in *input, o *Options, res *loadResolver, edits *[]graph.Edit) (quad.Reader, error) {
	switch f {
	case NQuads, NTriples:
		return NewNQuadsReader(in.r, in.name, &NQuadsOptions{Triples: f == NTriples, Strict: o.Strict, MaxLine: o.Limits.MaxLine}), nil
	case Seed:
		r := NewSeedReader(in.r, in.name, res, o.Limits.MaxLine)
		r.decl, r.edits = res.decl, edits
		return r, nil
	case CSV:
		r := NewCSVReader(in.r, in.name, res, o.Limits.MaxLine)
		r.decl, r.Create, r.edits = res.decl, o.Create, edits
		return r, nil
	case JSONLD:
		r := NewJSONLDReader(in.r, in.name, o.Limits.MaxDepth)
		r.done = ctx
		return r, nil
	case History:
		// Known only once read (standard input, an unknown name).
		return nil, &Error{File: in.name, Kind: ErrInvalid, Msg: "is a store's history, which loads alone into an empty store: name it FILE.history.jsonl, or say --format history"}
	}
	return nil, fmt.Errorf("%w %q", ErrFormat, f)
}

// loadHistory loads a history file into an empty store.
func loadHistory(ctx context.Context, db *graph.DB, src Source, o *Options) (*Result, error) {
	if o.DryRun || o.Replace || o.KeepGoing {
		return nil, &Error{File: src.Name, Kind: ErrInvalid, Msg: "a history loads whole, into an empty store: --dry-run, --replace and --keep-going do not apply"}
	}
	in, err := open(src, o.Limits)
	if err != nil {
		return nil, ioError(src.Name, err)
	}
	defer in.Close()
	n, err := db.LoadHistory(ctx, in.r)
	if err != nil {
		return nil, &Error{File: src.Name, Kind: ErrInvalid, Msg: strings.TrimPrefix(err.Error(), "graph: ")}
	}
	res := &Result{Files: 1, Transactions: n}
	if n, err := db.QuadCount(ctx); err == nil {
		res.Read, res.Added = n, n
	}
	return res, nil
}

// noEdits refuses a replacing load's input that states changes: --replace
// says what holds, a change block what to change; one load takes one.
type noEdits struct{ m *multiReader }

func (n noEdits) ReadQuad() (quad.Quad, error) {
	q, err := n.m.ReadQuad()
	if err == io.EOF && len(n.m.edits) > 0 {
		e := n.m.edits[0]
		return q, &Error{File: e.File, Line: e.Line, Kind: ErrInvalid, Msg: e.String() + ": a replacing load (--replace) takes no retract or amend: load the changes without --replace"}
	}
	return q, err
}
