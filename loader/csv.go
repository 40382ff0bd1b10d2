package loader

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
)

// CSV edge lists let spreadsheet users contribute relations. The header
// names the columns, in any order:
//
//	subject, relation, object                       required
//	status, sector, instrument, quantity, period, rank   qualifiers (optional)
//	subject_type, object_type                       create entities not yet in the graph
//	source, locator, note                           the evidence (required)
//
// Subjects and objects are entity slugs, names, aliases or ids; a relation
// is a kind of the vocabulary. Each row is one relation with one piece of
// evidence; rows naming the same relation add evidence to it. Lines that
// start with # are comments.
var (
	csvRequired   = []string{"subject", "relation", "object", "source", "locator", "note"}
	csvOptional   = []string{"status", "sector", "instrument", "quantity", "period", "rank", "subject_type", "object_type"}
	csvQualifiers = []string{"status", "sector", "instrument", "quantity", "period", "rank"}
)

// CSVReader reads a CSV edge list and yields its quads, with the same
// checks as the seed format. An error is an *Error at the row (line) and
// column; reading goes on with the next row.
type CSVReader struct {
	r    *csv.Reader
	name string
	res  Resolver

	cols    map[string]int
	header  []string
	queue   []quad.Quad
	started bool

	created map[string]entityRef        // lower-case name or slug -> entity created here
	stmts   map[string]csvStmt          // statement id -> its qualifiers, for conflicts
	sources map[string]quad.IRI         // lower-case source cell -> id
	evSeen  map[string]bool             // evidence ids written
	names   map[string][]ResolvedEntity // cache of resolver answers
}

type csvStmt struct {
	line  int
	quals string
}

// NewCSVReader reads a CSV edge list from r.
func NewCSVReader(r io.Reader, name string, res Resolver, maxLine int) *CSVReader {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	cr := csv.NewReader(&lineLimit{r: r, max: maxLine})
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	cr.Comment = '#' // lines starting with # are comments (an export's header)
	return &CSVReader{r: cr, name: name, res: res,
		created: map[string]entityRef{}, stmts: map[string]csvStmt{}, sources: map[string]quad.IRI{},
		evSeen: map[string]bool{}, names: map[string][]ResolvedEntity{}}
}

// lineLimit fails a read when a physical line grows past max bytes.
type lineLimit struct {
	r    io.Reader
	max  int
	run  int
	line int
}

var errCSVLineTooLong = errors.New("line too long")

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.run = 0
			l.line++
			continue
		}
		if l.run++; l.run > l.max {
			return i, errCSVLineTooLong
		}
	}
	return n, err
}

func (c *CSVReader) errAt(line, col int, kind error, format string, args ...interface{}) error {
	return &Error{File: c.name, Line: line, Col: col, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// ReadQuad returns the next quad, io.EOF at the end.
func (c *CSVReader) ReadQuad() (quad.Quad, error) {
	for len(c.queue) == 0 {
		if !c.started {
			c.started = true
			if err := c.readHeader(); err != nil {
				return quad.Quad{}, err
			}
			continue
		}
		rec, err := c.r.Read()
		if err == io.EOF {
			return quad.Quad{}, io.EOF
		}
		if err != nil {
			return quad.Quad{}, c.csvError(err)
		}
		line, _ := c.r.FieldPos(0)
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

func (c *CSVReader) csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, errCSVLineTooLong) {
			return c.errAt(pe.Line, 1, ErrLimit, "line is longer than the limit")
		}
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return c.errAt(pe.Line, pe.Column, ErrSyntax, "expected %d fields as in the header, found another number", len(c.header))
		}
		return c.errAt(pe.Line, pe.Column, ErrSyntax, "%v", pe.Err)
	}
	if errors.Is(err, errCSVLineTooLong) {
		return &Error{File: c.name, Kind: ErrLimit, Msg: "a line is longer than the limit"}
	}
	return fmt.Errorf("%s: %w", c.name, err)
}

func (c *CSVReader) readHeader() error {
	rec, err := c.r.Read()
	if err == io.EOF {
		return c.errAt(1, 1, ErrSyntax, "empty file: expected a header line (%s)", strings.Join(csvRequired, ","))
	} else if err != nil {
		return c.csvError(err)
	}
	c.header = append([]string(nil), rec...)
	c.cols = map[string]int{}
	known := append(append([]string{}, csvRequired...), csvOptional...)
	for i, h := range c.header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		_, col := c.r.FieldPos(i)
		if !contains(known, name) {
			return c.errAt(1, col, ErrInvalid, "%s", unknownName("column", name, known)+" (columns: "+strings.Join(known, ", ")+")")
		}
		if _, dup := c.cols[name]; dup {
			return c.errAt(1, col, ErrInvalid, "column %q appears twice", name)
		}
		c.cols[name] = i
	}
	for _, r := range csvRequired {
		if _, ok := c.cols[r]; !ok {
			what := "column"
			if r == "source" || r == "locator" || r == "note" {
				what = "evidence column"
			}
			return c.errAt(1, 1, ErrInvalid, "missing %s %q (a CSV edge list needs %s)", what, r, strings.Join(csvRequired, ", "))
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
		_, col := c.r.FieldPos(i)
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
	if r, ok := c.created[strings.ToLower(name)]; ok {
		return r, nil, nil
	}
	found := c.resolve(name)
	switch {
	case len(found) == 1:
		return entityRef{found[0].ID, found[0].Type}, nil, nil
	case len(found) > 1:
		var cands []string
		for _, f := range found {
			cands = append(cands, fmt.Sprintf("%s (%s, %q)", f.ID, f.Type, f.Name))
		}
		return entityRef{}, nil, c.errAt(line, col, ErrInvalid, "%s %q is ambiguous: it names %s; use an id", role, name, strings.Join(cands, ", "))
	}
	typName := c.cell(rec, role+"_type")
	if typName == "" {
		msg := fmt.Sprintf("unknown %s %q: no entity has this name, alias or id (give a %s_type column to create it)", role, name, role)
		if c.res != nil {
			if cat, ok := c.res.(catalogResolver); ok {
				if sugg := graph.Suggest(name, cat.cat.Names()); len(sugg) > 0 {
					msg = fmt.Sprintf("unknown %s %q (did you mean %s?)", role, name, strings.Join(sugg, ", "))
				}
			}
		}
		return entityRef{}, nil, c.errAt(line, col, ErrInvalid, "%s", msg)
	}
	t, ok := graph.LookupType(typName)
	if !ok {
		return entityRef{}, nil, c.errAt(line, c.colOf(role+"_type"), ErrInvalid, "%s", unknownName("entity type", typName, graph.TypeNames()))
	}
	slug := Slugify(name)
	if slug == "" {
		return entityRef{}, nil, c.errAt(line, col, ErrInvalid, "cannot make an id from the name %q", name)
	}
	id := quad.IRI(graph.EntityPrefix + slug)
	if c.res != nil {
		if other, ok := c.res.EntityType(id); ok {
			return entityRef{}, nil, c.errAt(line, col, ErrInvalid, "cannot create %q: id %s is taken by a %s with another name", name, id, other)
		}
	}
	r := entityRef{id, t.Name}
	c.created[strings.ToLower(name)] = r
	c.created[slug] = r
	return r, []quad.Quad{
		quad.Make(id, graph.PredType, t.IRI(), nil),
		quad.Make(id, graph.PredName, quad.String(name), nil),
	}, nil
}

func slugOf(id quad.IRI) string {
	return strings.TrimPrefix(string(id), graph.EntityPrefix)
}

// row compiles one row into quads.
func (c *CSVReader) row(line int, rec []string) ([]quad.Quad, error) {
	var qs []quad.Quad
	kindName := c.cell(rec, "relation")
	kind, ok := graph.LookupKind(kindName)
	if !ok {
		return nil, c.errAt(line, c.colOf("relation"), ErrInvalid, "%s", unknownName("relation kind", kindName, graph.KindNames()))
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
			return nil, c.errAt(line, c.colOf(role), ErrInvalid, "%s needs a %s of type %s; %q is a %s", kind.Name, role, strings.Join(allowed, ", "), c.cell(rec, role), orNone(r.typ))
		}
		ends[i] = r
		qs = append(qs, created...)
	}
	stmt := graph.StmtPrefix + slugOf(ends[0].id) + "/" + kind.Name + "/" + slugOf(ends[1].id)
	var quals []quad.Quad
	var qualText []string
	for _, name := range csvQualifiers {
		v := c.cell(rec, name)
		if v == "" {
			continue
		}
		q, _ := graph.LookupQualifier(name)
		var val quad.Value = quad.String(v)
		switch {
		case q.Values != nil:
			if !contains(q.Values, v) {
				return nil, c.errAt(line, c.colOf(name), ErrInvalid, "%s", unknownName(name, v, q.Values)+" (expected "+strings.Join(q.Values, ", ")+")")
			}
		case q.Entity != "":
			found := c.resolve(v)
			if r, ok := c.created[strings.ToLower(v)]; ok {
				found = []ResolvedEntity{{ID: r.id, Type: r.typ}}
			}
			if len(found) == 0 {
				// A sector or instrument the graph lacks is created,
				// as subject_type creates a subject.
				slug := Slugify(v)
				if slug == "" {
					return nil, c.errAt(line, c.colOf(name), ErrInvalid, "cannot make an id from the %s %q", name, v)
				}
				id := quad.IRI(graph.EntityPrefix + slug)
				if c.res != nil {
					if other, ok := c.res.EntityType(id); ok {
						return nil, c.errAt(line, c.colOf(name), ErrInvalid, "%s %q: id %s is taken by a %s", name, v, id, other)
					}
				}
				r := entityRef{id, q.Entity}
				c.created[strings.ToLower(v)] = r
				c.created[slug] = r
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
	}
	stmtID := quad.IRI(stmt)
	joined := strings.Join(qualText, ";")
	if prev, ok := c.stmts[stmt]; ok {
		if prev.quals != joined {
			return nil, c.errAt(line, 1, ErrInvalid, "this row's relation is the one at line %d with other qualifiers (%s vs %s); a relation has one set of qualifiers", prev.line, orNone(joined), orNone(prev.quals))
		}
	} else {
		c.stmts[stmt] = csvStmt{line, joined}
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
	src, loc, note := c.cell(rec, "source"), c.cell(rec, "locator"), c.cell(rec, "note")
	for _, f := range []struct{ name, v string }{{"source", src}, {"locator", loc}, {"note", note}} {
		if f.v == "" {
			return nil, c.errAt(line, c.colOf(f.name), ErrInvalid, "missing evidence %s: every row needs source, locator and note", f.name)
		}
	}
	srcID, srcQuads := c.source(src)
	qs = append(qs, srcQuads...)
	sum := sha256.Sum256([]byte(src + "|" + loc + "|" + note))
	ev := quad.IRI(graph.EvidencePrefix + strings.TrimPrefix(stmt, graph.StmtPrefix) + "/" + hex.EncodeToString(sum[:4]))
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

// source returns a source's id, declaring it when the graph lacks it.
func (c *CSVReader) source(cell string) (quad.IRI, []quad.Quad) {
	key := strings.ToLower(cell)
	if id, ok := c.sources[key]; ok {
		return id, nil
	}
	id := quad.IRI(graph.SourcePrefix + Slugify(cell))
	if strings.HasPrefix(cell, graph.SourcePrefix) {
		id = quad.IRI(cell)
	}
	c.sources[key] = id
	if c.res != nil && c.res.SourceExists(id) {
		return id, nil
	}
	return id, []quad.Quad{
		quad.Make(id, graph.PredType, graph.TypeSource, nil),
		quad.Make(id, graph.PredName, quad.String(cell), nil),
	}
}
