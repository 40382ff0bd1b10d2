package loader

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/internal/textdist"
)

// Resolver answers what a reader needs to know of entities already in the
// store (a seed or CSV file may link to them). Nil means an empty store.
type Resolver interface {
	// EntityType returns the type name of the entity with this id
	// (entity:slug), or ok false.
	EntityType(id quad.IRI) (typ string, ok bool)
	// ResolveName finds entities by name, alias or slug, ignoring case.
	ResolveName(name string) []ResolvedEntity
	// SourceExists reports whether a source (source:slug) is stored.
	SourceExists(id quad.IRI) bool
}

// ResolvedEntity is an entity a Resolver found.
type ResolvedEntity struct {
	ID   quad.IRI
	Type string
	Name string
}

// SeedReader reads the seed format (docs/seed-format.md) and yields its
// quads, checking every name against the data model's vocabulary. An
// error is an *Error at the offending line and column; after one, reading
// goes on with the next block.
type SeedReader struct {
	lr   *lineReader
	name string
	res  Resolver
	decl *declarations // the load's, to add this file's declarations to at the end

	queue []quad.Quad
	err   error // an error to return after the queue drains

	pending  *block // the block being read
	skipping bool   // a broken block's details are being skipped
	eof      bool
	sources  map[string]bool
	entities map[string]*seedEntity // by slug
	names    map[string]string      // lower-case name or alias -> slug
	stmts    map[string]seedStmt    // statement id -> where and its qualifiers
	edits    *[]graph.Edit          // the load's, to add this file's changes to
	ownEdits []graph.Edit           // the changes, when read alone
}

type seedStmt struct {
	line int
	vals map[string]quad.Value // the single-valued qualifiers
}

type seedEntity struct {
	slug, typ, name string
	line            int
}

// block is one block of the file: its header and its detail lines.
type block struct {
	line    int
	src     string // the header line
	details []detail
}

type detail struct {
	line       int
	src        string
	key, value string
	keyCol     int // column (characters, from 1) of the key
	valueAt    int // byte offset in src where the value starts
	valueCol   int // column (characters, from 1) where the value starts
}

// NewSeedReader reads a seed file from r; name is used in positions. A
// leading byte-order mark is skipped.
func NewSeedReader(r io.Reader, name string, res Resolver, maxLine int) *SeedReader {
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	return &SeedReader{
		lr: newLineReader(r, maxLine), name: name, res: res,
		sources: map[string]bool{}, entities: map[string]*seedEntity{},
		names: map[string]string{}, stmts: map[string]seedStmt{},
	}
}

// ReadQuad returns the next quad, io.EOF at the end.
func (s *SeedReader) ReadQuad() (quad.Quad, error) {
	for {
		if len(s.queue) > 0 {
			q := s.queue[0]
			s.queue = s.queue[1:]
			return q, nil
		}
		if s.err != nil {
			err := s.err
			s.err = nil
			return quad.Quad{}, err
		}
		if s.eof && s.pending == nil {
			s.declare()
			return quad.Quad{}, io.EOF
		}
		if err := s.readBlock(); err != nil {
			return quad.Quad{}, err
		}
	}
}

// readBlock reads lines until a block is complete and turns it into quads
// (or an error).
func (s *SeedReader) readBlock() error {
	for {
		line, err := s.lr.next()
		if err == io.EOF {
			s.eof = true
			return s.finish()
		} else if err == errLineTooLong {
			s.pending, s.eof = nil, true // reading stops: the block is cut short
			return lineLimitError(s.name, s.lr.line, s.lr.max)
		} else if err != nil {
			return ioError(s.name, err)
		}
		text := string(line)
		if at, msg, bad := badText(line, true); bad {
			return s.errf(s.lr.line, colAt(text, at), ErrSyntax, text, "%s", msg)
		}
		trimmed := strings.TrimSpace(text)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if text[0] == ' ' || text[0] == '\t' {
			if s.skipping {
				continue
			}
			if s.pending == nil {
				return s.errf(s.lr.line, 1, ErrSyntax, text, "an indented line must belong to a block above it (source, entity or relation)")
			}
			d, perr := parseDetail(s.lr.line, text)
			if perr != nil {
				// Drop the whole block: it cannot load half-read.
				s.pending, s.skipping = nil, true
				return s.wrap(perr)
			}
			s.pending.details = append(s.pending.details, d)
			continue
		}
		// A new block: finish the one before.
		s.skipping = false
		next := &block{line: s.lr.line, src: text}
		if s.pending != nil {
			err := s.finish()
			s.pending = next
			if err != nil {
				return err
			}
			if len(s.queue) > 0 {
				return nil
			}
			continue
		}
		s.pending = next
	}
}

// declare adds what this file declared to the load's declarations, for
// the files after it. It is called once, at the end of the input.
func (s *SeedReader) declare() {
	if s.decl == nil {
		return
	}
	aliases := map[string][]string{}
	for name, slug := range s.names {
		aliases[slug] = append(aliases[slug], name)
	}
	for slug, e := range s.entities {
		s.decl.addEntity(s.name, quad.IRI(graph.EntityPrefix+slug), e.typ, e.name, aliases[slug]...)
	}
	for slug := range s.sources {
		s.decl.addSource(quad.IRI(graph.SourcePrefix + slug))
	}
	for stmt, st := range s.stmts {
		s.decl.addQualifiers(s.name, quad.IRI(stmt), st.vals)
	}
	s.decl = nil
}

func (s *SeedReader) finish() error {
	b := s.pending
	s.pending = nil
	if b == nil {
		return nil
	}
	qs, err := s.compile(b)
	if err != nil {
		return err
	}
	s.queue = append(s.queue, qs...)
	return nil
}

// seedError is a parse error before it gets a file name.
type seedError struct {
	line, col int
	kind      error
	src, msg  string
}

func (s *SeedReader) wrap(e *seedError) error {
	return &Error{File: s.name, Line: e.line, Col: e.col, Kind: e.kind, Src: e.src, Msg: e.msg}
}

func (s *SeedReader) errf(line, col int, kind error, src, format string, args ...interface{}) error {
	return &Error{File: s.name, Line: line, Col: col, Kind: kind, Src: src, Msg: fmt.Sprintf(format, args...)}
}

// parseDetail parses an indented "key: value" line.
func parseDetail(line int, src string) (detail, *seedError) {
	indent := len(src) - len(strings.TrimLeft(src, " \t"))
	rest := src[indent:]
	i := strings.IndexByte(rest, ':')
	if i <= 0 {
		return detail{}, &seedError{line, indent + 1, ErrSyntax, src, fmt.Sprintf("expected \"key: value\", found %s", quoteFound(rest))}
	}
	key := strings.TrimSpace(rest[:i])
	for j, r := range key {
		if !(r >= 'a' && r <= 'z' || r == '_') {
			return detail{}, &seedError{line, indent + 1 + j, ErrSyntax, src, fmt.Sprintf("expected a key of lower-case letters before \":\", found %q", key)}
		}
	}
	value := rest[i+1:]
	lead := len(value) - len(strings.TrimLeft(value, " \t"))
	valueAt := indent + i + 1 + lead
	return detail{line: line, src: src, key: key, value: strings.TrimSpace(value),
		keyCol: colAt(src, indent), valueAt: valueAt, valueCol: colAt(src, valueAt)}, nil
}

var (
	slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	// relationRE matches a relation's header, with whatever follows its
	// object (an error unless it is empty).
	relationRE = regexp.MustCompile(`^(\S+)[ \t]+-(\S*)->[ \t]+(\S+)[ \t]*(.*)$`)
)

// compile checks one block and returns its quads.
func (s *SeedReader) compile(b *block) ([]quad.Quad, error) {
	word, _, next := nextWord(b.src, 0)
	switch {
	case word == "source":
		return s.compileSource(b, next)
	case word == "entity":
		return s.compileEntity(b, next)
	case word == "retract" || word == "amend":
		return nil, s.compileChange(b, word, next)
	case relationRE.MatchString(b.src):
		return s.compileRelation(b)
	}
	if strings.Contains(b.src, "->") || strings.Contains(b.src, "-") && strings.Count(b.src, " ") >= 2 {
		return nil, s.errf(b.line, 1, ErrSyntax, b.src, "expected a relation \"subject -kind-> object\", found %s", quoteFound(b.src))
	}
	sugg := graph.Suggest(word, []string{"source", "entity", "retract", "amend"})
	msg := fmt.Sprintf("expected \"source\", \"entity\", \"retract\", \"amend\" or a relation \"subject -kind-> object\", found %s", quoteFound(b.src))
	if len(sugg) > 0 {
		msg += " (did you mean " + sugg[0] + "?)"
	}
	return nil, s.errf(b.line, 1, ErrSyntax, b.src, "%s", msg)
}

// nextWord returns the word of src that starts at or after byte offset
// from (after spaces and tabs), its offset, and the offset after it.
func nextWord(src string, from int) (word string, at, end int) {
	at = skipBlank(src, from)
	end = at
	for end < len(src) && src[end] != ' ' && src[end] != '\t' {
		end++
	}
	return src[at:end], at, end
}

// skipBlank returns the offset of the first byte of src at or after from
// that is not a space or a tab.
func skipBlank(src string, from int) int {
	for from < len(src) && (src[from] == ' ' || src[from] == '\t') {
		from++
	}
	return from
}

// colAt returns the column (from 1, in characters) of byte offset at of
// src.
func colAt(src string, at int) int {
	return utf8.RuneCountInString(src[:min(at, len(src))]) + 1
}

// endCol is the column just past the end of a line, where "found end of
// line" points.
func endCol(src string) int { return colAt(src, len(src)) }

func (s *SeedReader) checkSlug(b *block, slug string, at int, what string) error {
	if slug == "" {
		return s.errf(b.line, endCol(b.src), ErrSyntax, b.src, "expected the %s's slug, found end of line", what)
	}
	if !slugRE.MatchString(slug) {
		return s.errf(b.line, colAt(b.src, at), ErrSyntax, b.src, "%s slug %q must be lower-case letters, digits and single hyphens (south-korea)", what, slug)
	}
	return nil
}

// compileSource compiles
//
//	source SLUG
//	  title: TEXT
//	  publisher: TEXT
//	  date: TEXT
//	  url: TEXT
func (s *SeedReader) compileSource(b *block, from int) ([]quad.Quad, error) {
	slug, slugAt, end := nextWord(b.src, from)
	if err := s.checkSlug(b, slug, slugAt, "source"); err != nil {
		return nil, err
	}
	if extraAt := skipBlank(b.src, end); extraAt < len(b.src) {
		return nil, s.errf(b.line, colAt(b.src, extraAt), ErrSyntax, b.src, "expected the end of the line after the source's slug, found %s", quoteFound(b.src[extraAt:]))
	}
	if s.sources[slug] {
		return nil, s.errf(b.line, colAt(b.src, slugAt), ErrInvalid, b.src, "source %q is declared twice", slug)
	}
	id := quad.IRI(graph.SourcePrefix + slug)
	qs := []quad.Quad{quad.Make(id, graph.PredType, graph.TypeSource, nil)}
	title := false
	for _, d := range b.details {
		pred, ok := map[string]quad.IRI{
			"title":     graph.PredName,
			"publisher": graph.PredPublisher,
			"date":      graph.PredDate,
			"url":       graph.PredURL,
			"version":   graph.PredVersion,
		}[d.key]
		if !ok {
			return nil, s.unknownKey(d, []string{"title", "publisher", "date", "url", "version"}, "a source")
		}
		if d.value == "" {
			return nil, s.errf(d.line, d.valueCol, ErrInvalid, d.src, "the source's %s is empty", d.key)
		}
		switch d.key {
		case "title":
			title = true
		case "date":
			if _, err := s.checkDate(d); err != nil {
				return nil, err
			}
		case "version":
			if err := s.checkVersion(d, slug); err != nil {
				return nil, err
			}
		}
		qs = append(qs, quad.Make(id, pred, quad.String(d.value), nil))
	}
	if !title {
		return nil, s.errf(b.line, 1, ErrInvalid, b.src, "source %q needs a title: line", slug)
	}
	s.sources[slug] = true
	return qs, nil
}

// checkVersion refuses a source block whose version is not the one the
// store holds of the same source: a store loaded from another edition of
// a seed graph holds facts this edition changes, and a load never
// replaces stored facts.
func (s *SeedReader) checkVersion(d detail, slug string) error {
	v, ok := s.res.(storedVersions)
	if !ok {
		return nil
	}
	have, held := v.sourceVersion(quad.IRI(graph.SourcePrefix + slug))
	if !held || have == d.value {
		return nil
	}
	if have == "" {
		have = "an earlier edition (without a version)"
	} else {
		have = "version " + have
	}
	return s.errf(d.line, d.valueCol, ErrInvalid, d.src,
		"the store holds source %q from %s; this file is version %s, and a load does not change stored facts: load it with --replace to replace what the store says with what this edition says, or into a new store",
		slug, have, d.value)
}

// checkDate checks that a detail's value is an ISO 8601 date.
func (s *SeedReader) checkDate(d detail) (graph.Date, error) {
	t, err := graph.ParseDate(d.value)
	if err != nil {
		return t, s.errf(d.line, d.valueCol, ErrInvalid, d.src, "%s %q: %v", d.key, d.value, err)
	}
	return t, nil
}

// checkTime checks a block's time, valid_from and valid_until: each an
// ISO 8601 date, given once, the end not before the start.
func (s *SeedReader) checkTime(ds []detail) error {
	var from, until *detail
	var start, end graph.Date
	for i, d := range ds {
		if d.key != "valid_from" && d.key != "valid_until" {
			continue
		}
		t, err := s.checkDate(d)
		if err != nil {
			return err
		}
		at := &from
		if d.key == "valid_until" {
			at = &until
		}
		if *at != nil {
			return s.errf(d.line, d.keyCol, ErrInvalid, d.src, "%s is given twice (first at line %d)", d.key, (*at).line)
		}
		*at = &ds[i]
		if d.key == "valid_from" {
			start = t
		} else {
			end = t
		}
	}
	if from != nil && until != nil && end.Last().Before(start.First()) {
		return s.errf(until.line, until.valueCol, ErrInvalid, until.src, "valid_until %s is before valid_from %s (line %d)", end, start, from.line)
	}
	return nil
}

func (s *SeedReader) unknownKey(d detail, known []string, what string) error {
	msg := fmt.Sprintf("unknown key %q for %s (expected %s)", d.key, what, strings.Join(known, ", "))
	if sugg := graph.Suggest(d.key, known); len(sugg) > 0 {
		msg = fmt.Sprintf("unknown key %q for %s (did you mean %s?)", d.key, what, sugg[0])
	}
	return s.errf(d.line, d.keyCol, ErrInvalid, d.src, "%s", msg)
}

// compileEntity compiles
//
//	entity SLUG TYPE "NAME"
//	  alias: NAME, NAME, "NAME, WITH A COMMA", …
//	  description: TEXT
//
// An entity the store or an earlier file of the load already has may be
// declared again with the same type and name (loading a file twice
// changes nothing); its names and aliases must not find another entity.
func (s *SeedReader) compileEntity(b *block, from int) ([]quad.Quad, error) {
	slug, slugAt, end := nextWord(b.src, from)
	if err := s.checkSlug(b, slug, slugAt, "entity"); err != nil {
		return nil, err
	}
	typ, typAt, end := nextWord(b.src, end)
	if typ == "" {
		return nil, s.errf(b.line, endCol(b.src), ErrSyntax, b.src, "expected the entity's type after its slug, found end of line")
	}
	t, ok := graph.LookupType(typ)
	if !ok {
		return nil, s.errf(b.line, colAt(b.src, typAt), ErrInvalid, b.src, "%s", unknownName("entity type", typ, graph.TypeNames()))
	}
	nameAt := skipBlank(b.src, end)
	rest := b.src[nameAt:]
	if !strings.HasPrefix(rest, `"`) {
		return nil, s.errf(b.line, colAt(b.src, nameAt), ErrSyntax, b.src, "expected the entity's name in double quotes after its type, found %s", quoteFound(rest))
	}
	name, tail, ok := unquote(rest)
	if !ok {
		return nil, s.errf(b.line, colAt(b.src, nameAt), ErrSyntax, b.src, "expected '\"' to close the name, found end of line")
	}
	if tailAt := skipBlank(b.src, len(b.src)-len(tail)); tailAt < len(b.src) {
		return nil, s.errf(b.line, colAt(b.src, tailAt), ErrSyntax, b.src, "expected the end of the line after the name, found %s", quoteFound(b.src[tailAt:]))
	}
	if strings.TrimSpace(name) == "" {
		return nil, s.errf(b.line, colAt(b.src, nameAt), ErrInvalid, b.src, "the entity's name is empty")
	}
	if prev, dup := s.entities[slug]; dup {
		return nil, s.errf(b.line, colAt(b.src, slugAt), ErrInvalid, b.src, "entity %q is declared twice (first at line %d)", slug, prev.line)
	}
	id := quad.IRI(graph.EntityPrefix + slug)
	types, where := knownTypes(s.res, id)
	if msg := typeConflict(id, types, where, t.Name); msg != "" {
		return nil, s.errf(b.line, colAt(b.src, typAt), ErrInvalid, b.src, "%s", msg)
	}
	if f, ok := s.res.(facts); ok {
		if k, ok := f.entity(id); ok {
			if k.name != "" && k.name != name {
				return nil, s.errf(b.line, colAt(b.src, nameAt+1), ErrInvalid, b.src, "entity %q is named %q %s; this block names it %q (an entity has one name; give others as aliases)", slug, k.name, k.where, name)
			}
		}
	}
	qs := []quad.Quad{
		quad.Make(id, graph.PredType, t.IRI(), nil),
		quad.Make(id, graph.PredName, quad.String(name), nil),
	}
	taken := map[string]bool{}
	claim := func(n string, line, c int, src string) error {
		key := strings.ToLower(n)
		if other, ok := s.names[key]; ok && other != slug {
			return s.errf(line, c, ErrInvalid, src, "name %q already belongs to entity %q: names and aliases must find one entity", n, other)
		}
		if s.res != nil {
			for _, e := range s.res.ResolveName(n) {
				if e.ID != id {
					where := whereIs(s.res, e.ID)
					if where != "" {
						where = " " + where
					}
					return s.errf(line, c, ErrInvalid, src, "name %q already belongs to entity %q%s: names and aliases must find one entity",
						n, strings.TrimPrefix(string(e.ID), graph.EntityPrefix), where)
				}
			}
		}
		taken[key] = true
		return nil
	}
	if err := claim(name, b.line, colAt(b.src, nameAt+1), b.src); err != nil {
		return nil, err
	}
	for _, d := range b.details {
		switch d.key {
		case "alias":
			aliases, at, perr := splitList(d.value)
			if perr != "" {
				return nil, s.errf(d.line, colAt(d.src, d.valueAt+at[0]), ErrSyntax, d.src, "%s", perr)
			}
			for i, a := range aliases {
				if err := claim(a, d.line, colAt(d.src, d.valueAt+at[i]), d.src); err != nil {
					return nil, err
				}
				qs = append(qs, quad.Make(id, graph.PredAlias, quad.String(a), nil))
			}
		case "description":
			if d.value == "" {
				return nil, s.errf(d.line, d.valueCol, ErrInvalid, d.src, "the description is empty")
			}
			qs = append(qs, quad.Make(id, graph.PredDescription, quad.String(d.value), nil))
		case "valid_from", "valid_until":
			// When an event took place, when a publication appeared.
			q, _ := graph.LookupQualifier(d.key)
			qs = append(qs, quad.Make(id, q.IRI(), quad.String(d.value), nil))
		default:
			return nil, s.unknownKey(d, []string{"alias", "description", "valid_from", "valid_until"}, "an entity")
		}
	}
	if err := s.checkTime(b.details); err != nil {
		return nil, err
	}
	for k := range taken {
		s.names[k] = slug
	}
	s.entities[slug] = &seedEntity{slug: slug, typ: t.Name, name: name, line: b.line}
	return qs, nil
}

func containsFold(xs []string, x string) bool {
	for _, y := range xs {
		if strings.EqualFold(x, y) {
			return true
		}
	}
	return false
}

// unquote reads a double-quoted string at the start of s; \" and \\ are
// escapes.
func unquote(s string) (val, rest string, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			}
		case '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}

// splitList splits "a, b, \"c, d\"" into its items, with the byte offset
// of each in s. On an error, errAt is the offset of the offending text.
func splitList(s string) (items []string, at []int, errMsg string) {
	pos := 0
	for {
		pos = skipBlank(s, pos)
		if pos == len(s) { // an empty list, or a comma at its end
			return items, at, ""
		}
		start := pos
		var item string
		if s[pos] == '"' {
			v, rest, ok := unquote(s[pos:])
			if !ok {
				return nil, []int{start}, "expected '\"' to close the quoted name"
			}
			item = v
			pos = skipBlank(s, len(s)-len(rest))
			if pos < len(s) && s[pos] != ',' {
				return nil, []int{pos}, fmt.Sprintf("expected \",\" after a quoted name, found %s", quoteFound(s[pos:]))
			}
		} else {
			end := strings.IndexByte(s[pos:], ',')
			if end < 0 {
				end = len(s)
			} else {
				end += pos
			}
			item = strings.TrimSpace(s[pos:end])
			pos = end
		}
		if strings.TrimSpace(item) == "" {
			return nil, []int{start}, "empty name in the list (two commas in a row?)"
		}
		items = append(items, item)
		at = append(at, start)
		if pos == len(s) {
			return items, at, ""
		}
		pos++ // ,
	}
}

func unknownName(what, name string, known []string) string {
	return fmt.Sprintf("unknown %s %q", what, name) + didYouMean(name, graph.Suggest(name, known))
}

// didYouMean is the " (did you mean …?)" of a message, "" without
// suggestions. When the first suggestion looks the same as the name, it
// says where they differ.
func didYouMean(name string, sugg []string) string {
	if len(sugg) == 0 {
		return ""
	}
	msg := " (did you mean " + strings.Join(sugg, ", ") + "?"
	if note := textdist.Lookalike(name, sugg[0]); note != "" {
		msg += " " + note
	}
	return msg + ")"
}

// entityRef is what a relation knows of an entity it names.
type entityRef struct {
	id  quad.IRI
	typ string
}

// lookupEntity finds an entity by slug, in the file or in the store (or
// an earlier file of the load).
func (s *SeedReader) lookupEntity(slug string) (entityRef, bool) {
	if e, ok := s.entities[slug]; ok {
		return entityRef{quad.IRI(graph.EntityPrefix + slug), e.typ}, true
	}
	if s.res != nil {
		id := quad.IRI(graph.EntityPrefix + slug)
		if t, ok := s.res.EntityType(id); ok {
			return entityRef{id, t}, true
		}
	}
	return entityRef{}, false
}

// slugs lists the slugs an entity reference may use, for suggestions.
func (s *SeedReader) slugs() []string {
	out := make([]string, 0, len(s.entities))
	for k := range s.entities {
		out = append(out, k)
	}
	if f, ok := s.res.(facts); ok {
		out = append(out, f.slugs()...)
	}
	return out
}

// findEntity resolves a qualifier's entity by slug, name or alias.
func (s *SeedReader) findEntity(name string) (entityRef, bool) {
	if r, ok := s.lookupEntity(name); ok {
		return r, true
	}
	if slug, ok := s.names[strings.ToLower(name)]; ok {
		return s.lookupEntity(slug)
	}
	if s.res != nil {
		if found := s.res.ResolveName(name); len(found) == 1 {
			return entityRef{found[0].ID, found[0].Type}, true
		}
	}
	return entityRef{}, false
}

// compileRelation compiles
//
//	SUBJECT -KIND-> OBJECT
//	  qualifier: value …
//	  evidence: SOURCE | LOCATOR | PARAPHRASE
func (s *SeedReader) compileRelation(b *block) ([]quad.Quad, error) {
	m := relationRE.FindStringSubmatchIndex(b.src)
	subjSlug, kindName, objSlug := b.src[m[2]:m[3]], b.src[m[4]:m[5]], b.src[m[6]:m[7]]
	if m[8] < m[9] {
		return nil, s.errf(b.line, colAt(b.src, m[8]), ErrSyntax, b.src, "expected the end of the line after the object, found %s", quoteFound(b.src[m[8]:]))
	}
	kind, ok := graph.LookupKind(kindName)
	if !ok {
		return nil, s.errf(b.line, colAt(b.src, m[4]), ErrInvalid, b.src, "%s", unknownName("relation kind", kindName, graph.KindNames()))
	}
	ends := [2]entityRef{}
	for i, slug := range []string{subjSlug, objSlug} {
		c := colAt(b.src, m[2+4*i])
		r, ok := s.lookupEntity(slug)
		if !ok {
			return nil, s.errf(b.line, c, ErrInvalid, b.src, "%s", unknownName("entity", slug, s.slugs()))
		}
		allowed := kind.Domain
		role := "subject"
		if i == 1 {
			allowed, role = kind.Range, "object"
		}
		if !graph.Allows(allowed, r.typ) {
			return nil, s.errf(b.line, c, ErrInvalid, b.src, "%s needs %s %s of type %s; %s is %s",
				kind.Name, article(role), role, strings.Join(allowed, ", "), slug, withArticle(r.typ))
		}
		ends[i] = r
	}
	stmt := graph.StmtPrefix + subjSlug + "/" + kind.Name + "/" + objSlug
	type qual struct {
		d    detail
		name string
		q    quad.Quad // on the statement, before its id is final
	}
	var quals []qual
	var evidence []detail
	var sector, id string
	seen := map[string]int{}
	var basis *detail // an inference or background knowledge needs a note
	hasNote := false
	for _, d := range b.details {
		if d.key == "evidence" {
			evidence = append(evidence, d)
			continue
		}
		if d.key == "id" {
			if !slugRE.MatchString(d.value) {
				return nil, s.errf(d.line, d.valueCol, ErrSyntax, d.src, "id %q must be lower-case letters, digits and single hyphens", d.value)
			}
			id = d.value
			continue
		}
		q, ok := graph.LookupQualifier(d.key)
		if !ok {
			return nil, s.unknownKey(d, append(graph.QualifierNames(), "evidence", "id"), "a relation")
		}
		if prev, dup := seen[d.key]; dup {
			return nil, s.errf(d.line, d.keyCol, ErrInvalid, d.src, "qualifier %s is given twice (first at line %d)", d.key, prev)
		}
		seen[d.key] = d.line
		if d.value == "" {
			return nil, s.errf(d.line, d.valueCol, ErrInvalid, d.src, "qualifier %s is empty", d.key)
		}
		var v quad.Value = quad.String(d.value)
		switch {
		case q.Values != nil:
			if !contains(q.Values, d.value) {
				return nil, s.errf(d.line, d.valueCol, ErrInvalid, d.src, "%s", unknownName(d.key, d.value, q.Values)+" (expected "+strings.Join(q.Values, ", ")+")")
			}
		case q.Entity != "":
			r, ok := s.findEntity(d.value)
			if !ok {
				return nil, s.errf(d.line, d.valueCol, ErrInvalid, d.src, "%s", unknownName(strings.ToLower(q.Entity), d.value, s.slugsOfType(q.Entity)))
			}
			if r.typ != q.Entity {
				return nil, s.errf(d.line, d.valueCol, ErrInvalid, d.src, "%s must be %s entity; %s is %s", d.key, withArticle(q.Entity), d.value, withArticle(r.typ))
			}
			v = r.id
			if d.key == "sector" {
				sector = strings.TrimPrefix(string(r.id), graph.EntityPrefix)
			}
		}
		if d.key == "basis" {
			basis = &d
		}
		hasNote = hasNote || d.key == "note"
		quals = append(quals, qual{d, q.Name, quad.Make(nil, q.IRI(), v, nil)})
	}
	if err := s.checkTime(b.details); err != nil {
		return nil, err
	}
	if basis != nil && basis.value != "stated" && !hasNote {
		why := map[string]string{"inferred": "what it is inferred from", "background": "that it is known from outside the source"}
		return nil, s.errf(basis.line, basis.valueCol, ErrInvalid, basis.src, "basis %s needs a note: line saying %s", basis.value, why[basis.value])
	}
	if sector != "" {
		stmt += "/" + sector
	}
	if id != "" {
		stmt += "/" + id
	}
	if prev, dup := s.stmts[stmt]; dup {
		return nil, s.errf(b.line, 1, ErrInvalid, b.src, "%s -%s-> %s is declared twice (first at line %d); give each an id: line, or a different sector", subjSlug, kind.Name, objSlug, prev.line)
	}
	if len(evidence) == 0 {
		return nil, s.errf(b.line, 1, ErrInvalid, b.src, "relation %s -%s-> %s has no evidence: line (evidence: SOURCE | LOCATOR | PARAPHRASE)", subjSlug, kind.Name, objSlug)
	}
	stmtID := quad.IRI(stmt)
	vals := map[string]quad.Value{}
	for _, q := range quals {
		// The store, or an earlier file, may know the relation already.
		if msg := conflict(s.res, stmtID, q.name, q.q.Object, "this block says"); msg != "" {
			return nil, s.errf(q.d.line, q.d.valueCol, ErrInvalid, q.d.src, "%s", msg)
		}
		if singleValued[q.name] {
			vals[q.name] = q.q.Object
		}
	}
	if _, ok := vals["status"]; !ok {
		// No status line: the relation is existing, which the store must
		// not contradict either.
		if msg := conflict(s.res, stmtID, "status", defaultStatus, "this block (no status line) says"); msg != "" {
			return nil, s.errf(b.line, 1, ErrInvalid, b.src, "%s", msg)
		}
	}
	qs := []quad.Quad{
		quad.Make(ends[0].id, kind.IRI(), ends[1].id, stmtID),
		quad.Make(stmtID, graph.PredType, graph.TypeStatement, nil),
		quad.Make(stmtID, graph.PredSubject, ends[0].id, nil),
		quad.Make(stmtID, graph.PredPredicate, kind.IRI(), nil),
		quad.Make(stmtID, graph.PredObject, ends[1].id, nil),
	}
	for _, q := range quals {
		q.q.Subject = stmtID
		qs = append(qs, q.q)
	}
	for _, d := range evidence {
		parts := strings.Split(d.value, "|")
		if len(parts) != 3 {
			return nil, s.errf(d.line, d.valueCol, ErrSyntax, d.src, "expected evidence as SOURCE | LOCATOR | PARAPHRASE, found %d parts", len(parts))
		}
		src, loc, note := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
		if !s.sources[src] && (s.res == nil || !s.res.SourceExists(quad.IRI(graph.SourcePrefix+src))) {
			known := make([]string, 0, len(s.sources))
			for k := range s.sources {
				known = append(known, k)
			}
			return nil, s.errf(d.line, d.valueCol, ErrInvalid, d.src, "%s", unknownName("source", src, known)+" (declare it with a source block)")
		}
		if loc == "" {
			return nil, s.errf(d.line, colAt(d.src, d.valueAt+len(parts[0])+1), ErrInvalid, d.src, "the evidence has no locator")
		}
		if note == "" {
			return nil, s.errf(d.line, utf8.RuneCountInString(d.src), ErrInvalid, d.src, "the evidence has no paraphrase")
		}
		ev := evidenceID(stmt, src, loc, note)
		qs = append(qs,
			quad.Make(stmtID, graph.PredEvidence, ev, nil),
			quad.Make(ev, graph.PredType, graph.TypeEvidence, nil),
			quad.Make(ev, graph.PredSource, quad.IRI(graph.SourcePrefix+src), nil),
			quad.Make(ev, graph.PredLocator, quad.String(loc), nil),
			quad.Make(ev, graph.PredNote, quad.String(note), nil),
		)
	}
	s.stmts[stmt] = seedStmt{b.line, vals}
	return qs, nil
}

func (s *SeedReader) slugsOfType(t string) []string {
	var out []string
	for k, e := range s.entities {
		if e.typ == t {
			out = append(out, k)
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Slugify makes an entity slug from a name: lower case, letters and digits,
// runs of anything else as one hyphen.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) && r < 0x80 || unicode.IsDigit(r) && r < 0x80 {
			b.WriteRune(r)
			dash = false
		} else if b.Len() > 0 && !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
