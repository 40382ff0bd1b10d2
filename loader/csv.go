package loader

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
)

// CSV edge lists let spreadsheet users contribute relations (docs/csv.md).
// The header names the columns, in any order:
//
//	subject, relation, object                       required
//	status, sector, instrument, quantity, period, rank, …   qualifiers (optional: any of the vocabulary)
//	subject_type, object_type                       the type each end has (checked); with
//	                                                Create, the type of an end to create
//	source, locator, note                           the evidence (required)
//
// Subjects and objects are entity slugs, names, aliases or ids; a relation
// is a kind of the vocabulary. Each row is one relation with one piece of
// evidence; rows naming the same relation add evidence to it. Lines that
// start with # are comments. Fields are separated by commas, or by
// semicolons or tabs when the header line has no comma but has those.
//
// A name the graph lacks is an error (with the closest names), unless the
// file declares it before the rows that use it, in a declaration row —
// relation "type", the name as the subject and its type as the object
// (Hanwha Ocean,type,Organisation; Robotics,type,Sector) — or the load
// is given Create. A source cited by the rows is declared the same way:
// relation "title", "date" (ISO 8601) or "publisher", the source as the
// subject (ecfr-2024,title,Europe and its Indo-Pacific partners).
var (
	csvRequired = []string{"subject", "relation", "object", "source", "locator", "note"}
	csvEnds     = []string{"subject_type", "object_type"}
	// csvID is the optional column that tells apart parallel relations of
	// one kind between the same ends, as a seed file's id: line does.
	csvID = "id"
	// csvRelNote is the optional column of a relation's own note (the
	// note column is the evidence's paraphrase).
	csvRelNote = "relation_note"
)

// csvQualifiers are the qualifier columns: the vocabulary's, note aside
// (the note column is the evidence's).
func csvQualifiers() []string {
	var out []string
	for _, n := range graph.QualifierNames() {
		if n != "note" {
			out = append(out, n)
		}
	}
	return out
}

// csvDeclarations are the words of a declaration row's relation cell.
var csvDeclarations = []string{"type", "alias", "title", "date", "publisher"}

// CSVReader reads a CSV edge list and yields its quads, with the same
// checks as the seed format. An error is an *Error at the row (line) and
// column; reading goes on with the next row.
type CSVReader struct {
	r    *csv.Reader
	in   *csvInput
	name string
	res  Resolver
	decl *declarations // the load's, to add this file's declarations to at the end

	cols    map[string]int
	header  []string
	queue   []quad.Quad
	started bool
	done    bool // the header was refused: no row can be read

	// Create lets rows create the entities, sectors and instruments they
	// name that the graph lacks (from subject_type and object_type), as
	// if the file declared them (the load's --create).
	Create bool

	created []createdEntity             // entities created here, in order
	byName  map[string]entityRef        // lower-case name or slug -> entity created here
	stmts   map[string]csvStmt          // statement id -> its qualifiers, for conflicts
	sources map[string]quad.IRI         // lower-case source cell -> id
	evSeen  map[string]bool             // evidence ids written
	srcDecl map[string]*csvSource       // lower-case source cell -> its declaration
	names   map[string][]ResolvedEntity // cache of resolver answers

	edits    *[]graph.Edit // the load's, to add this file's changes to
	ownEdits []graph.Edit  // the changes, when read alone
}

// csvSource is what declaration rows say of a source.
type csvSource struct {
	line                   int
	title, date, publisher string
}

type createdEntity struct {
	ref  entityRef
	name string
}

type csvStmt struct {
	line  int
	quals string
	vals  map[string]quad.Value // the single-valued qualifiers
}

// NewCSVReader reads a CSV edge list from r. A leading byte-order mark is
// skipped. Fields are separated by commas, or by semicolons or tabs when
// the header line has no comma but has one of those.
func NewCSVReader(r io.Reader, name string, res Resolver, maxLine int) *CSVReader {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	comma, r := sniffComma(skipBOM(r))
	in := &csvInput{r: r, max: maxLine, line: 1, first: 1, lines: [][]byte{nil}, comma: comma}
	cr := csv.NewReader(in)
	cr.Comma = rune(comma)
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = comma != '\t'
	cr.Comment = '#' // lines starting with # are comments (an export's header)
	return &CSVReader{r: cr, in: in, name: name, res: res,
		byName: map[string]entityRef{}, stmts: map[string]csvStmt{}, sources: map[string]quad.IRI{},
		evSeen: map[string]bool{}, names: map[string][]ResolvedEntity{}, srcDecl: map[string]*csvSource{}}
}

// sniffComma tells the field separator from the header line (the first
// line that is not a comment), as far as the first 64 KiB hold it: a
// comma, else a semicolon or a tab, whichever the line has more of
// outside quotes. It returns the separator and the input to read, r
// from its start.
func sniffComma(r io.Reader) (byte, io.Reader) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(br.Size())
	var rest io.Reader = br
	if err != nil && err != bufio.ErrBufferFull {
		// Peek took the error from br: the input is what it read, then
		// the error.
		rest = io.MultiReader(bytes.NewReader(head), errorReader{err})
	}
	return sniffLine(head), rest
}

// errorReader is a reader that fails.
type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) { return 0, e.err }

// sniffLine tells the field separator of the header line in head.
func sniffLine(head []byte) byte {
	for len(head) > 0 && head[0] == '#' {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			return ','
		}
		head = head[i+1:]
	}
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	n := map[byte]int{}
	quoted := false
	for _, c := range head {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			n[c]++
		}
	}
	switch {
	case n[','] > 0:
		return ','
	case n[';'] >= n['\t'] && n[';'] > 0:
		return ';'
	case n['\t'] > 0:
		return '\t'
	}
	return ','
}

// csvInput feeds the CSV reader. It follows the quoting of the fields as
// it passes the input on, and stops reading — returning an error, then
// the end of the input — at a physical line longer than max bytes
// (without its ending, LF or CRLF) or a record longer than max bytes (a
// quoted field may span lines: one never closed would otherwise be read
// to the end of the input). It keeps the lines of the record being read,
// so that the CSV reader's columns, which count bytes, can be told in
// characters, and where an open quoted field began.
type csvInput struct {
	r     io.Reader
	max   int
	comma byte   // the field separator
	buf   []byte // buf[pos:] is read from r and not yet passed on
	pos   int
	err   error
	run   int // bytes of the current line so far, without its ending
	rec   int // bytes of the current record so far

	quote     csvQuote // where the quoting stands
	quoteLine int      // the line and byte column of the open quoted
	quoteCol  int      // field's opening quote

	line  int      // the current physical line, from 1
	first int      // the line of lines[0]
	lines [][]byte // lines first..line, the last one still growing
}

// csvQuote is the state of csvInput's reading of the quoting, as
// encoding/csv (TrimLeadingSpace, Comment '#') reads it.
type csvQuote int

const (
	csvRecordStart   csvQuote = iota // at the start of a record
	csvFieldStart                    // after a comma, or leading blanks
	csvUnquoted                      // in an unquoted field
	csvQuoted                        // in a quoted field
	csvQuoteInQuoted                 // after a quote in a quoted field
	csvComment                       // in a comment line
)

// next moves the quoting on by one byte; comma is the field separator.
func (q csvQuote) next(c, comma byte) csvQuote {
	switch q {
	case csvRecordStart, csvFieldStart:
		switch {
		case c == '#' && q == csvRecordStart:
			return csvComment
		case c == '"':
			return csvQuoted
		case c == comma:
			return csvFieldStart
		case c == ' ' || c == '\t' || c == '\r':
			return csvFieldStart
		case c == '\n':
			return csvRecordStart
		}
		return csvUnquoted
	case csvQuoted:
		if c == '"' {
			return csvQuoteInQuoted
		}
		return csvQuoted
	case csvQuoteInQuoted:
		switch c {
		case '"':
			return csvQuoted
		case comma:
			return csvFieldStart
		case '\n':
			return csvRecordStart
		}
		return csvUnquoted // an extraneous quote: the CSV reader says so
	case csvComment:
		if c == '\n' {
			return csvRecordStart
		}
		return csvComment
	}
	switch c { // csvUnquoted
	case comma:
		return csvFieldStart
	case '\n':
		return csvRecordStart
	}
	return csvUnquoted
}

// errCSVTooLong is a physical line, or a record, over the limit.
type errCSVTooLong struct {
	line, col int  // where: the line, or the open quote of the record
	record    bool // the record, not the line, is over the limit
}

func (e *errCSVTooLong) Error() string { return fmt.Sprintf("line %d is too long", e.line) }

func (l *csvInput) Read(p []byte) (int, error) {
	out := 0
	for out == 0 && len(p) > 0 {
		if l.pos == len(l.buf) {
			if l.err != nil {
				return 0, l.err
			}
			if l.buf == nil {
				l.buf = make([]byte, 32<<10)
			}
			n, err := l.r.Read(l.buf[:cap(l.buf)])
			l.buf, l.pos, l.err = l.buf[:n], 0, err
		}
		for ; l.pos < len(l.buf) && out < len(p); l.pos++ {
			c := l.buf[l.pos]
			if c != '\n' {
				// A CR one past the limit may start the line's CRLF ending.
				if l.run++; l.run > l.max && (l.run > l.max+1 || c != '\r') {
					return out, l.stop(&errCSVTooLong{line: l.line})
				}
			}
			if l.rec++; l.rec > l.max+1 && l.quote == csvQuoted {
				return out, l.stop(&errCSVTooLong{line: l.quoteLine, col: l.quoteCol, record: true})
			}
			if q := l.quote.next(c, l.comma); q != l.quote {
				if q == csvQuoted && l.quote != csvQuoteInQuoted {
					l.quoteLine, l.quoteCol = l.line, len(l.lines[len(l.lines)-1])+1
				}
				l.quote = q
			}
			p[out] = c
			out++
			cur := &l.lines[len(l.lines)-1]
			*cur = append(*cur, c)
			if c == '\n' {
				l.run = 0
				l.line++
				l.lines = append(l.lines, nil)
				if l.quote == csvRecordStart {
					l.rec = 0
				}
			}
		}
	}
	return out, nil
}

// stop ends reading at an error: the CSV reader gets it, then the end of
// the input.
func (l *csvInput) stop(err error) error {
	l.buf, l.pos, l.err = nil, 0, io.EOF
	return err
}

// openQuote returns the line and column (in characters) of the opening
// quote of a quoted field the input ended in; ok is false when it ended
// outside one.
func (l *csvInput) openQuote() (line, col int, ok bool) {
	if l.quote != csvQuoted || l.err != io.EOF {
		return 0, 0, false
	}
	return l.quoteLine, l.col(l.quoteLine, l.quoteCol), true
}

// forget drops the lines before line n.
func (l *csvInput) forget(n int) {
	if k := n - l.first; k > 0 && k < len(l.lines) {
		l.lines = append(l.lines[:0], l.lines[k:]...)
		l.first = n
	}
}

// text returns a kept line without its ending, "" if it is not kept.
func (l *csvInput) text(line int) string {
	if i := line - l.first; i >= 0 && i < len(l.lines) {
		return strings.TrimRight(string(l.lines[i]), "\r\n")
	}
	return ""
}

// raw returns a kept line as read, with its ending.
func (l *csvInput) raw(line int) ([]byte, bool) {
	if i := line - l.first; i >= 0 && i < len(l.lines) {
		return l.lines[i], true
	}
	return nil, false
}

// col turns a column in bytes on a line into one in characters.
func (l *csvInput) col(line, col int) int {
	if i := line - l.first; i >= 0 && i < len(l.lines) && col >= 1 && col-1 <= len(l.lines[i]) {
		return utf8.RuneCount(l.lines[i][:col-1]) + 1
	}
	return col
}

func (c *CSVReader) errAt(line, col int, kind error, format string, args ...interface{}) error {
	return &Error{File: c.name, Line: line, Col: col, Kind: kind, Msg: fmt.Sprintf(format, args...), Src: c.in.text(line)}
}

// checkText holds the cells of the record read last to the rule of
// every reader (see badText), and says where the first one breaks it:
// at the character itself, found in the record's lines from the start
// of its cell (the CSV reader leaves such characters as they are).
func (c *CSVReader) checkText(rec []string) error {
	for i, cell := range rec {
		_, msg, bad := badText([]byte(cell), true)
		if !bad {
			continue
		}
		line, col := c.r.FieldPos(i)
		for l, from := line, col-1; ; l, from = l+1, 0 {
			raw, kept := c.in.raw(l)
			if !kept {
				break
			}
			if at, rawMsg, bad := badText(raw[min(from, len(raw)):], true); bad {
				return c.errAt(l, c.in.col(l, from+at+1), ErrSyntax, "%s", rawMsg)
			}
		}
		return c.errAt(line, c.in.col(line, col), ErrSyntax, "%s", msg)
	}
	return nil
}

// fieldPos is the line and column (in characters) of field i of the
// record read last.
func (c *CSVReader) fieldPos(i int) (int, int) {
	line, col := c.r.FieldPos(i)
	return line, c.in.col(line, col)
}

// ReadQuad returns the next quad, io.EOF at the end.
func (c *CSVReader) ReadQuad() (quad.Quad, error) {
	for len(c.queue) == 0 {
		if !c.started {
			c.started = true
			if err := c.readHeader(); err != nil {
				c.done = true
				return quad.Quad{}, err
			}
			continue
		}
		if c.done {
			return quad.Quad{}, io.EOF
		}
		rec, err := c.r.Read()
		if err == io.EOF {
			c.done = true
			c.declare()
			return quad.Quad{}, io.EOF
		}
		if err != nil {
			return quad.Quad{}, c.csvError(err, len(rec))
		}
		line, _ := c.r.FieldPos(0)
		c.in.forget(line)
		if err := c.checkText(rec); err != nil {
			return quad.Quad{}, err
		}
		qs, err := c.row(line, rec)
		if err != nil {
			return quad.Quad{}, err
		}
		c.queue = qs
	}
	q := c.queue[0]
	c.queue = c.queue[1:]
	return q, nil
}

// declare adds what this file declared to the load's declarations, for
// the files after it.
func (c *CSVReader) declare() {
	if c.decl == nil {
		return
	}
	for _, e := range c.created {
		c.decl.addEntity(c.name, e.ref.id, e.ref.typ, e.name)
	}
	for _, id := range c.sources {
		c.decl.addSource(id)
	}
	for stmt, st := range c.stmts {
		c.decl.addQualifiers(c.name, quad.IRI(stmt), st.vals)
	}
}

// csvError positions an error of the CSV reader; fields is the number of
// fields of the record it came with.
func (c *CSVReader) csvError(err error, fields int) error {
	var long *errCSVTooLong
	if errors.As(err, &long) {
		if long.record {
			return c.errAt(long.line, c.in.col(long.line, long.col), ErrLimit, "the quoted field that starts here runs past the limit of %s (--max-line) without its closing '\"'; reading stopped", byteSize(int64(c.in.max)))
		}
		return lineLimitError(c.name, long.line, c.in.max)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if line, col, ok := c.in.openQuote(); ok && errors.Is(pe.Err, csv.ErrQuote) {
			return c.errAt(line, col, ErrSyntax, "the quoted field that starts here is not closed: the file ends inside it (a stray '\"'?)")
		}
		col := c.in.col(pe.Line, pe.Column)
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return c.errAt(pe.Line, col, ErrSyntax, "expected %d fields as in the header, found %d", len(c.header), fields)
		}
		return c.errAt(pe.Line, col, ErrSyntax, "%v", pe.Err)
	}
	return ioError(c.name, err)
}

func (c *CSVReader) readHeader() error {
	rec, err := c.r.Read()
	if err == io.EOF {
		return c.errAt(1, 1, ErrSyntax, "empty file: expected a header line (%s)", strings.Join(csvRequired, string(c.in.comma)))
	} else if err != nil {
		return c.csvError(err, len(rec))
	}
	if err := c.checkText(rec); err != nil {
		return err
	}
	c.header = append([]string(nil), rec...)
	hl, _ := c.r.FieldPos(0) // the header's line: # comments may come before it
	c.cols = map[string]int{}
	known := append(append(append([]string{}, csvRequired...), csvQualifiers()...), append(append(csvEnds, csvID, csvRelNote), csvChangeCols...)...)
	for i, h := range c.header {
		name := strings.ToLower(strings.TrimSpace(h))
		_, col := c.fieldPos(i)
		if !contains(known, name) {
			msg := unknownName("column", name, known) + " (columns: " + strings.Join(known, ", ") + ")"
			if len(c.header) == 1 && strings.ContainsAny(h, ",;\t|") {
				msg = fmt.Sprintf("the header is one column %q: the fields must be separated by commas (or semicolons or tabs)", h)
			}
			return c.errAt(hl, col, ErrInvalid, "%s", msg)
		}
		if _, dup := c.cols[name]; dup {
			return c.errAt(hl, col, ErrInvalid, "column %q appears twice", name)
		}
		c.cols[name] = i
	}
	for _, r := range csvRequired {
		if _, ok := c.cols[r]; !ok {
			what := "column"
			if r == "source" || r == "locator" || r == "note" {
				what = "evidence column"
			}
			return c.errAt(hl, 1, ErrInvalid, "missing %s %q (a CSV edge list needs %s)", what, r, strings.Join(csvRequired, ", "))
		}
	}
	return nil
}

func (c *CSVReader) cell(rec []string, name string) string {
	if i, ok := c.cols[name]; ok && i < len(rec) {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

func (c *CSVReader) colOf(name string) int {
	if i, ok := c.cols[name]; ok {
		_, col := c.fieldPos(i)
		return col
	}
	return 1
}

func (c *CSVReader) resolve(name string) []ResolvedEntity {
	key := strings.ToLower(name)
	if r, ok := c.names[key]; ok {
		return r
	}
	var out []ResolvedEntity
	if c.res != nil {
		out = c.res.ResolveName(strings.Trim(name, "<>"))
	}
	c.names[key] = out
	return out
}

// entity resolves a subject or object cell, creating the entity when the
// row gives its type and it is unknown.
func (c *CSVReader) entity(line int, rec []string, role string) (entityRef, []quad.Quad, error) {
	name := c.cell(rec, role)
	col := c.colOf(role)
	if name == "" {
		return entityRef{}, nil, c.errAt(line, col, ErrInvalid, "the %s is empty", role)
	}
	typName := c.cell(rec, role+"_type")
	var t *graph.EntityType
	if typName != "" {
		var ok bool
		if t, ok = graph.LookupType(typName); !ok {
			return entityRef{}, nil, c.errAt(line, c.colOf(role+"_type"), ErrInvalid, "%s", unknownName("entity type", typName, graph.TypeNames()))
		}
	}
	// A type given for an entity that exists must be the one it has.
	known := func(r entityRef, types []string, where string) (entityRef, []quad.Quad, error) {
		if typName != "" {
			if msg := typeConflict(r.id, types, where, t.Name); msg != "" {
				return entityRef{}, nil, c.errAt(line, c.colOf(role+"_type"), ErrInvalid, "%s", msg)
			}
		}
		return r, nil, nil
	}
	if r, ok := c.byName[strings.ToLower(name)]; ok {
		return known(r, []string{r.typ}, "earlier in this file")
	}
	found := c.resolve(name)
	switch {
	case len(found) == 1:
		r := entityRef{found[0].ID, found[0].Type}
		types, where := knownTypes(c.res, r.id)
		if len(types) == 0 {
			types, where = []string{r.typ}, "already"
		}
		return known(r, types, where)
	case len(found) > 1:
		var cands []string
		for _, f := range found {
			cands = append(cands, fmt.Sprintf("%s (%s, %q)", f.ID, f.Type, f.Name))
		}
		return entityRef{}, nil, c.errAt(line, col, ErrInvalid, "%s %q is ambiguous: it names %s; use an id", role, name, strings.Join(cands, ", "))
	}
	if typName == "" || !c.Create {
		return entityRef{}, nil, c.errAt(line, col, ErrInvalid, "%s", c.unknown(role, name, typName, ""))
	}
	qs, err := c.create(line, col, name, t)
	if err != nil {
		return entityRef{}, nil, err
	}
	return c.byName[strings.ToLower(name)], qs, nil
}

// unknown says that a name the row gives is not in the graph: the closest
// names (of entity type want, when not ""), and how to add it: a
// declaration row, or --create.
func (c *CSVReader) unknown(role, name, typ, want string) string {
	msg := fmt.Sprintf("unknown %s %q", role, name)
	if f, ok := c.res.(facts); ok {
		names := append([]string(nil), f.names()...)
		for k := range c.byName {
			names = append(names, k)
		}
		var sugg []string
		seen := map[quad.IRI]bool{}
		for _, n := range graph.Suggest(name, names) {
			id, t := c.entityOf(n)
			if (want == "" || t == want) && (id == "" || !seen[id]) {
				seen[id] = true // one name for each entity
				sugg = append(sugg, n)
			}
		}
		if dym := didYouMean(name, sugg); dym != "" {
			return msg + dym
		}
	}
	if typ == "" {
		typ = want
	}
	if typ == "" {
		typ = "TYPE"
	}
	what := "entity"
	if want != "" {
		what = strings.ToLower(want)
	}
	decl := name + string(c.in.comma) + "type" + string(c.in.comma) + typ
	if c.Create && want == "" {
		return msg + fmt.Sprintf(": no entity has this name, alias or id; to add it, give its type in the %s_type column, or declare it above in a row of its own (%s)", role, decl)
	}
	return msg + fmt.Sprintf(": no %s has this name, alias or id; to add it, declare it above in a row of its own (%s), or load with --create", what, decl)
}

// entityOf is the id and type of the one entity a name names, "" if
// none or several.
func (c *CSVReader) entityOf(name string) (quad.IRI, string) {
	if r, ok := c.byName[strings.ToLower(name)]; ok {
		return r.id, r.typ
	}
	if found := c.resolve(name); len(found) == 1 {
		return found[0].ID, found[0].Type
	}
	return "", ""
}

// suggestKind returns the relation kinds closest to a name, for "did you
// mean": those Suggest finds, else those sharing the longest beginning
// of three letters or more with it (alliance: ally).
func suggestKind(name string) []string {
	kinds := graph.KindNames()
	if s := graph.Suggest(name, kinds); len(s) > 0 {
		return s
	}
	lname := []rune(strings.ToLower(name))
	best, out := 2, []string(nil)
	for _, k := range kinds {
		n := 0
		for _, r := range k {
			if n >= len(lname) || lname[n] != r {
				break
			}
			n++
		}
		switch {
		case n > best:
			best, out = n, []string{k}
		case n == best && out != nil:
			out = append(out, k)
		}
	}
	if len(out) > 3 {
		return nil
	}
	return out
}

// declaration reads a declaration row: an entity with its type (Hanwha
// Ocean,type,Organisation), or a source's title, date or publisher
// (ecfr-2024,title,…). It takes no qualifier and no evidence.
func (c *CSVReader) declaration(line int, rec []string, what string) ([]quad.Quad, error) {
	for _, col := range append(append(csvQualifiers(), csvEnds...), "source", "locator", "note", csvID, csvRelNote) {
		if c.cell(rec, col) != "" {
			return nil, c.errAt(line, c.colOf(col), ErrInvalid, "a declaration row (%s) takes no %s: leave the cell empty", what, col)
		}
	}
	name, value := c.cell(rec, "subject"), c.cell(rec, "object")
	if name == "" {
		return nil, c.errAt(line, c.colOf("subject"), ErrInvalid, "the subject is empty: a %s row names what it declares in the subject column", what)
	}
	if value == "" {
		return nil, c.errAt(line, c.colOf("object"), ErrInvalid, "the object is empty: a %s row gives the %s in the object column", what, what)
	}
	if what == "alias" {
		return c.declareAlias(line, name, value)
	}
	if what != "type" {
		return nil, c.declareSource(line, name, what, value)
	}
	t, ok := graph.LookupType(value)
	if !ok {
		return nil, c.errAt(line, c.colOf("object"), ErrInvalid, "%s", unknownName("entity type", value, graph.TypeNames()))
	}
	col := c.colOf("subject")
	if r, ok := c.byName[strings.ToLower(name)]; ok {
		if msg := typeConflict(r.id, []string{r.typ}, "earlier in this file", t.Name); msg != "" {
			return nil, c.errAt(line, c.colOf("object"), ErrInvalid, "%s", msg)
		}
		return nil, nil
	}
	switch found := c.resolve(name); {
	case len(found) == 1:
		// Declared already, in the store or an earlier file: the same
		// type is no news.
		types, where := knownTypes(c.res, found[0].ID)
		if len(types) == 0 {
			types, where = []string{found[0].Type}, "already"
		}
		if msg := typeConflict(found[0].ID, types, where, t.Name); msg != "" {
			return nil, c.errAt(line, c.colOf("object"), ErrInvalid, "%s", msg)
		}
		return nil, nil
	case len(found) > 1:
		return nil, c.errAt(line, col, ErrInvalid, "%q names %d entities already; declare a new entity under another name", name, len(found))
	}
	return c.create(line, col, name, t)
}

// declareAlias reads an alias row (South Korea,alias,ROK): another name of
// an entity declared above or in the graph, which the rows after it may
// use too.
func (c *CSVReader) declareAlias(line int, name, alias string) ([]quad.Quad, error) {
	r, ok := c.byName[strings.ToLower(name)]
	if !ok {
		switch found := c.resolve(name); len(found) {
		case 1:
			r = entityRef{found[0].ID, found[0].Type}
		case 0:
			return nil, c.errAt(line, c.colOf("subject"), ErrInvalid, "%s", c.unknown("subject", name, "", ""))
		default:
			return nil, c.errAt(line, c.colOf("subject"), ErrInvalid, "%q names %d entities; give the alias to one by its id", name, len(found))
		}
	}
	if other, ok := c.byName[strings.ToLower(alias)]; ok && other.id != r.id {
		return nil, c.errAt(line, c.colOf("object"), ErrInvalid, "the alias %q is a name of %s already", alias, strings.Trim(fmt.Sprint(other.id), "<>"))
	}
	for _, f := range c.resolve(alias) {
		if f.ID != r.id {
			return nil, c.errAt(line, c.colOf("object"), ErrInvalid, "the alias %q is a name of %s already", alias, strings.Trim(fmt.Sprint(f.ID), "<>"))
		}
	}
	c.byName[strings.ToLower(alias)] = r
	return []quad.Quad{quad.Make(r.id, graph.PredAlias, quad.String(alias), nil)}, nil
}

// create makes a new entity of type t named name, at a declaration or
// (with Create) a row's end.
func (c *CSVReader) create(line, col int, name string, t *graph.EntityType) ([]quad.Quad, error) {
	slug := Slugify(name)
	if slug == "" {
		return nil, c.errAt(line, col, ErrInvalid, "cannot make an id from the name %q", name)
	}
	id := quad.IRI(graph.EntityPrefix + slug)
	if other, ok := c.byName[slug]; ok {
		return nil, c.errAt(line, col, ErrInvalid, "cannot create %q: id %s is taken by %s with another name", name, id, withArticle(other.typ))
	}
	if c.res != nil {
		if other, ok := c.res.EntityType(id); ok {
			return nil, c.errAt(line, col, ErrInvalid, "cannot create %q: id %s is taken by %s with another name", name, id, withArticle(other))
		}
	}
	r := entityRef{id, t.Name}
	c.byName[strings.ToLower(name)] = r
	c.byName[slug] = r
	c.created = append(c.created, createdEntity{r, name})
	return []quad.Quad{
		quad.Make(id, graph.PredType, t.IRI(), nil),
		quad.Make(id, graph.PredName, quad.String(name), nil),
	}, nil
}

// declareSource records a source's title, date or publisher, before the
// rows that cite it.
func (c *CSVReader) declareSource(line int, name, what, value string) error {
	key := strings.ToLower(name)
	if _, cited := c.sources[key]; cited {
		return c.errAt(line, c.colOf("subject"), ErrInvalid, "source %q is cited above; declare its %s before the rows that cite it", name, what)
	}
	d := c.srcDecl[key]
	if d == nil {
		d = &csvSource{line: line}
		c.srcDecl[key] = d
	}
	at := map[string]*string{"title": &d.title, "date": &d.date, "publisher": &d.publisher}[what]
	if *at != "" {
		return c.errAt(line, c.colOf("object"), ErrInvalid, "source %q has its %s declared twice", name, what)
	}
	if what == "date" {
		if _, err := graph.ParseDate(value); err != nil {
			return c.errAt(line, c.colOf("object"), ErrInvalid, "date %q: %v", value, err)
		}
	}
	*at = value
	return nil
}

func slugOf(id quad.IRI) string {
	return strings.TrimPrefix(string(id), graph.EntityPrefix)
}

// row compiles one row into quads. A row that fails leaves nothing
// behind: the entities it created are forgotten.
func (c *CSVReader) row(line int, rec []string) ([]quad.Quad, error) {
	mark := len(c.created)
	qs, err := c.compileRow(line, rec)
	if err != nil {
		for _, e := range c.created[mark:] {
			for _, k := range []string{strings.ToLower(e.name), slugOf(e.ref.id)} {
				if c.byName[k] == e.ref {
					delete(c.byName, k)
				}
			}
		}
		c.created = c.created[:mark]
	}
	return qs, err
}

func (c *CSVReader) compileRow(line int, rec []string) ([]quad.Quad, error) {
	var qs []quad.Quad
	if action := strings.ToLower(c.cell(rec, "action")); action != "" && action != "add" {
		return nil, c.changeRow(line, rec, action)
	}
	if c.cell(rec, "from") != "" {
		return nil, c.errAt(line, c.colOf("from"), ErrInvalid, "from dates an amendment of status: it needs the action amend")
	}
	kindName := c.cell(rec, "relation")
	if contains(csvDeclarations, strings.ToLower(kindName)) {
		return c.declaration(line, rec, strings.ToLower(kindName))
	}
	kind, ok := graph.LookupKind(kindName)
	if !ok {
		msg := fmt.Sprintf("unknown relation kind %q", kindName) + didYouMean(kindName, suggestKind(kindName))
		return nil, c.errAt(line, c.colOf("relation"), ErrInvalid, "%s", msg)
	}
	var ends [2]entityRef
	for i, role := range []string{"subject", "object"} {
		r, created, err := c.entity(line, rec, role)
		if err != nil {
			return nil, err
		}
		allowed := kind.Domain
		if i == 1 {
			allowed = kind.Range
		}
		if !graph.Allows(allowed, r.typ) {
			return nil, c.errAt(line, c.colOf(role), ErrInvalid, "%s needs %s %s of type %s; %q is %s", kind.Name, article(role), role, strings.Join(allowed, ", "), c.cell(rec, role), withArticle(r.typ))
		}
		ends[i] = r
		qs = append(qs, created...)
	}
	stmt := graph.StmtPrefix + slugOf(ends[0].id) + "/" + kind.Name + "/" + slugOf(ends[1].id)
	var quals []quad.Quad
	var qualText []string
	vals := map[string]quad.Value{}
	for _, name := range csvQualifiers() {
		v := c.cell(rec, name)
		if v == "" {
			continue
		}
		q, _ := graph.LookupQualifier(name)
		var val quad.Value = quad.String(v)
		if name == "valid_from" || name == "valid_until" {
			if _, err := graph.ParseDate(v); err != nil {
				return nil, c.errAt(line, c.colOf(name), ErrInvalid, "%s %q: %v", name, v, err)
			}
		}
		switch {
		case q.Values != nil:
			if !contains(q.Values, v) {
				return nil, c.errAt(line, c.colOf(name), ErrInvalid, "%s", unknownName(name, v, q.Values)+" (expected "+strings.Join(q.Values, ", ")+")")
			}
		case q.Entity != "":
			found := c.resolve(v)
			if r, ok := c.byName[strings.ToLower(v)]; ok {
				found = []ResolvedEntity{{ID: r.id, Type: r.typ}}
			}
			if len(found) == 0 && !c.Create {
				return nil, c.errAt(line, c.colOf(name), ErrInvalid, "%s", c.unknown(name, v, q.Entity, q.Entity))
			}
			if len(found) == 0 {
				// With Create, a sector or instrument the graph lacks
				// is created, as subject_type creates a subject.
				slug := Slugify(v)
				if slug == "" {
					return nil, c.errAt(line, c.colOf(name), ErrInvalid, "cannot make an id from the %s %q", name, v)
				}
				id := quad.IRI(graph.EntityPrefix + slug)
				if c.res != nil {
					if other, ok := c.res.EntityType(id); ok {
						return nil, c.errAt(line, c.colOf(name), ErrInvalid, "%s %q: id %s is taken by %s", name, v, id, withArticle(other))
					}
				}
				r := entityRef{id, q.Entity}
				c.byName[strings.ToLower(v)] = r
				c.byName[slug] = r
				c.created = append(c.created, createdEntity{r, v})
				t, _ := graph.LookupType(q.Entity)
				qs = append(qs, quad.Make(id, graph.PredType, t.IRI(), nil), quad.Make(id, graph.PredName, quad.String(v), nil))
				found = []ResolvedEntity{{ID: id, Type: q.Entity}}
			}
			if len(found) != 1 || found[0].Type != q.Entity {
				return nil, c.errAt(line, c.colOf(name), ErrInvalid, "%s %q is not a %s entity of the graph", name, v, q.Entity)
			}
			val = found[0].ID
			if name == "sector" {
				stmt += "/" + slugOf(found[0].ID)
			}
		}
		quals = append(quals, quad.Make(nil, q.IRI(), val, nil))
		qualText = append(qualText, name+"="+v)
		if singleValued[name] {
			vals[name] = val
		}
	}
	if v := c.cell(rec, csvRelNote); v != "" {
		q, _ := graph.LookupQualifier("note")
		quals = append(quals, quad.Make(nil, q.IRI(), quad.String(v), nil))
		qualText = append(qualText, "note="+v)
	}
	if id := c.cell(rec, csvID); id != "" {
		if strings.ContainsAny(id, "/ <>\"") {
			return nil, c.errAt(line, c.colOf(csvID), ErrInvalid, "id %q: an id is a word (letters, digits, - and _), with no /, space or quote", id)
		}
		stmt += "/" + id
	}
	src, loc, note := c.cell(rec, "source"), c.cell(rec, "locator"), c.cell(rec, "note")
	for _, f := range []struct{ name, v string }{{"source", src}, {"locator", loc}, {"note", note}} {
		if f.v == "" {
			return nil, c.errAt(line, c.colOf(f.name), ErrInvalid, "missing evidence %s: every row needs source, locator and note", f.name)
		}
	}
	stmtID := quad.IRI(stmt)
	joined := strings.Join(qualText, ";")
	if prev, ok := c.stmts[stmt]; ok {
		if prev.quals != joined {
			return nil, c.errAt(line, 1, ErrInvalid, "this row's relation is the one at line %d with other qualifiers (%s vs %s); a relation has one set of qualifiers", prev.line, orNone(joined), orNone(prev.quals))
		}
	} else {
		// The store, or an earlier file, may know the relation already.
		for _, name := range csvQualifiers() {
			v, ok := vals[name]
			says := "this row says"
			if !ok && name == "status" {
				// No status: the relation is existing, which the store
				// must not contradict either.
				v, ok, says = defaultStatus, true, "this row (no status) says"
			}
			if ok {
				if msg := conflict(c.res, stmtID, name, v, says); msg != "" {
					return nil, c.errAt(line, c.colOf(name), ErrInvalid, "%s", msg)
				}
			}
		}
		c.stmts[stmt] = csvStmt{line, joined, vals}
		qs = append(qs,
			quad.Make(ends[0].id, kind.IRI(), ends[1].id, stmtID),
			quad.Make(stmtID, graph.PredType, graph.TypeStatement, nil),
			quad.Make(stmtID, graph.PredSubject, ends[0].id, nil),
			quad.Make(stmtID, graph.PredPredicate, kind.IRI(), nil),
			quad.Make(stmtID, graph.PredObject, ends[1].id, nil),
		)
		for _, q := range quals {
			q.Subject = stmtID
			qs = append(qs, q)
		}
	}
	srcID, srcQuads := c.source(src)
	qs = append(qs, srcQuads...)
	ev := evidenceID(stmt, src, loc, note)
	if !c.evSeen[string(ev)] {
		c.evSeen[string(ev)] = true
		qs = append(qs,
			quad.Make(stmtID, graph.PredEvidence, ev, nil),
			quad.Make(ev, graph.PredType, graph.TypeEvidence, nil),
			quad.Make(ev, graph.PredSource, srcID, nil),
			quad.Make(ev, graph.PredLocator, quad.String(loc), nil),
			quad.Make(ev, graph.PredNote, quad.String(note), nil),
		)
	}
	return qs, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// sourceID is the id of the source a row's source cell names.
func sourceID(cell string) quad.IRI {
	if strings.HasPrefix(cell, graph.SourcePrefix) {
		return quad.IRI(cell)
	}
	return quad.IRI(graph.SourcePrefix + Slugify(cell))
}

// source returns a source's id, adding it to the graph when the graph
// lacks it or the file declares it: named by its declared title, else by
// the cell, with its declared date and publisher.
func (c *CSVReader) source(cell string) (quad.IRI, []quad.Quad) {
	key := strings.ToLower(cell)
	if id, ok := c.sources[key]; ok {
		return id, nil
	}
	id := sourceID(cell)
	c.sources[key] = id
	d := c.srcDecl[key]
	if d == nil && c.res != nil && c.res.SourceExists(id) {
		return id, nil
	}
	title := cell
	if d != nil && d.title != "" {
		title = d.title
	}
	qs := []quad.Quad{
		quad.Make(id, graph.PredType, graph.TypeSource, nil),
		quad.Make(id, graph.PredName, quad.String(title), nil),
	}
	if d != nil && d.date != "" {
		qs = append(qs, quad.Make(id, graph.PredDate, quad.String(d.date), nil))
	}
	if d != nil && d.publisher != "" {
		qs = append(qs, quad.Make(id, graph.PredPublisher, quad.String(d.publisher), nil))
	}
	return id, qs
}

// withArticle puts "a" or "an" before a type name; "" is "an entity of no
// type".
func withArticle(typ string) string {
	if typ == "" {
		return "an entity of no type"
	}
	return article(typ) + " " + typ
}

// article returns "a" or "an" for a word, as it sounds in English
// (close enough for the words of messages: an object, a subject).
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}
