package graph

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
)

// TextField names what a text of the full-text index is: an entity's
// name, alias or description, or a relation's note, evidence paraphrase,
// evidence locator or evidence source.
type TextField uint8

// The fields of the full-text index.
const (
	FieldName TextField = iota
	FieldAlias
	FieldDescription
	FieldNote
	FieldEvidence
	FieldLocator
	FieldSource
	numTextFields
)

var textFieldNames = [numTextFields]string{"name", "alias", "description", "note", "evidence", "locator", "source"}

// String is the field's name as queries write it (name, alias, …).
func (f TextField) String() string {
	if f < numTextFields {
		return textFieldNames[f]
	}
	return fmt.Sprintf("field(%d)", f)
}

// TextFieldNames lists the fields' names, in order.
func TextFieldNames() []string { return append([]string(nil), textFieldNames[:]...) }

// LookupTextField finds a field by name, ignoring case; plurals (names,
// aliases, notes) name the same field.
func LookupTextField(name string) (TextField, bool) {
	n := strings.ToLower(name)
	for i, f := range textFieldNames {
		if n == f || n == f+"s" || n == f+"es" {
			return TextField(i), true
		}
	}
	return 0, false
}

// OfEntity reports whether the field belongs to an entity rather than a
// relation.
func (f TextField) OfEntity() bool { return f <= FieldDescription }

// TextFields is a set of fields; the zero value means every field.
type TextFields uint16

// With adds a field to the set.
func (s TextFields) With(f TextField) TextFields { return s | 1<<f }

// Has reports whether the set holds f (an empty set holds every field).
func (s TextFields) Has(f TextField) bool { return s == 0 || s&(1<<f) != 0 }

// MaxTextTerms caps the words a prefix (semi*) may stand for, and
// MaxTextClauses the words and phrases of one query.
const (
	MaxTextTerms   = 4096
	MaxTextClauses = 32
)

// TextToken is a word of a text: its index term and its place in the
// text, in bytes.
type TextToken struct {
	Term       string
	Start, End int
}

// Tokenize splits a text into words the way the full-text index does:
// a word is a run of letters and digits (an apostrophe inside a word
// joins it: Japan's); its term is lower case, without accents (é → e,
// ß → ss), without a possessive 's, and reduced to its singular by
// StemTerm.
func Tokenize(s string) []TextToken {
	var out []TextToken
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			i += n
			continue
		}
		start := i
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if isWordRune(r) {
				i += n
				continue
			}
			if (r == '\'' || r == '’') && i+n < len(s) {
				if r2, _ := utf8.DecodeRuneInString(s[i+n:]); unicode.IsLetter(r2) {
					i += n
					continue
				}
			}
			break
		}
		if t := termOf(s[start:i]); t != "" {
			out = append(out, TextToken{Term: t, Start: start, End: i})
		}
	}
	return out
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// termOf folds a word to its index term.
func termOf(w string) string {
	f := foldWord(w)
	if strings.HasSuffix(f, "'s") {
		f = f[:len(f)-2]
	}
	f = strings.ReplaceAll(f, "'", "")
	return StemTerm(f)
}

// foldWord lowers a word and takes its accents off; apostrophes become '.
func foldWord(w string) string {
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		switch {
		case r < utf8.RuneSelf:
			b.WriteByte(byte(unicode.ToLower(r)))
		case r == '’':
			b.WriteByte('\'')
		case unicode.Is(unicode.Mn, r):
			// a combining accent: dropped
		default:
			r = unicode.ToLower(r)
			if s, ok := accentFold[r]; ok {
				b.WriteString(s)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// accentFold maps the Latin letters with diacritics to their base letters.
var accentFold = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i"}
	for base, letters := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ď", "e": "èéêëēĕėęě", "g": "ĝğġģ", "h": "ĥħ",
		"i": "ìíîïĩīĭįǐ", "j": "ĵ", "k": "ķ", "l": "ĺļľŀ", "n": "ñńņňŉ", "o": "òóôõöōŏőǒ",
		"r": "ŕŗř", "s": "śŝşšș", "t": "ţťŧț", "u": "ùúûüũūŭůűųǔ", "w": "ŵ", "y": "ýÿŷ", "z": "źżž",
	} {
		for _, r := range letters {
			m[r] = base
		}
	}
	return m
}()

// StemTerm reduces an English plural to its singular, conservatively:
// policies → policy, taxes → tax, matches → match, tariffs → tariff,
// alliances → alliance; words of three letters or fewer, and words in
// -ss, -us, -is, are kept (US, gas, analysis, business), as are a few
// words whose singular is the same (series, news).
func StemTerm(t string) string {
	n := len(t)
	if n <= 3 || t[n-1] != 's' || unchangingPlurals[t] {
		return t
	}
	switch {
	case strings.HasSuffix(t, "ies") && n > 4 && !strings.HasSuffix(t, "eies") && !strings.HasSuffix(t, "aies"):
		return t[:n-3] + "y"
	case strings.HasSuffix(t, "sses"), strings.HasSuffix(t, "shes"), strings.HasSuffix(t, "ches"),
		strings.HasSuffix(t, "xes"), strings.HasSuffix(t, "zzes"):
		return t[:n-2]
	case strings.HasSuffix(t, "ss"), strings.HasSuffix(t, "us"), strings.HasSuffix(t, "is"):
		return t
	}
	return t[:n-1]
}

// unchangingPlurals are words in -s that StemTerm keeps.
var unchangingPlurals = set("series", "species", "news", "means", "always", "perhaps", "whereas", "towards", "afterwards")

// TextQuery is a parsed full-text query: every clause must match one text
// (a word, a phrase of words in a row, or a prefix).
type TextQuery struct {
	Clauses []TextClause
}

// TextClause is one word ("tariffs" → tariff), prefix (semi*) or phrase
// ("nuclear umbrella") of a query.
type TextClause struct {
	Terms  []string // the terms of a phrase in order; one for a word or a prefix
	Prefix bool
}

// ErrTextQuery: a full-text query has no word to look for, or a quote
// left open.
var ErrTextQuery = errors.New("graph: bad text query")

// ParseTextQuery parses a full-text query: words (all must occur in the
// text), phrases in double quotes ("nuclear umbrella": the words in a
// row) and prefixes (semi*: any word that begins so). Case, accents and
// plurals are ignored.
func ParseTextQuery(q string) (TextQuery, error) {
	var tq TextQuery
	add := func(c TextClause) error {
		if len(tq.Clauses) == MaxTextClauses {
			return fmt.Errorf("%w: more than %d words and phrases", ErrTextQuery, MaxTextClauses)
		}
		tq.Clauses = append(tq.Clauses, c)
		return nil
	}
	rest := q
	for rest != "" {
		i := strings.IndexAny(rest, "\"“”")
		plain := rest
		if i >= 0 {
			plain = rest[:i]
		}
		if err := addWords(plain, add); err != nil {
			return tq, err
		}
		if i < 0 {
			break
		}
		_, n := utf8.DecodeRuneInString(rest[i:])
		after := rest[i+n:]
		j := strings.IndexAny(after, "\"“”")
		if j < 0 {
			return tq, fmt.Errorf("%w: a phrase's quote is not closed: %s", ErrTextQuery, rest[i:])
		}
		var terms []string
		for _, t := range Tokenize(after[:j]) {
			terms = append(terms, t.Term)
		}
		if len(terms) > 0 {
			if err := add(TextClause{Terms: terms}); err != nil {
				return tq, err
			}
		}
		_, m := utf8.DecodeRuneInString(after[j:])
		rest = after[j+m:]
	}
	if len(tq.Clauses) == 0 {
		return tq, fmt.Errorf("%w: %q has no word to look for", ErrTextQuery, q)
	}
	return tq, nil
}

// addWords adds the words and prefixes of unquoted query text.
func addWords(s string, add func(TextClause) error) error {
	for _, f := range strings.Fields(s) {
		prefix := strings.HasSuffix(f, "*")
		toks := Tokenize(f)
		for i, t := range toks {
			c := TextClause{Terms: []string{t.Term}}
			if prefix && i == len(toks)-1 {
				// A prefix matches the start of any term: semi* finds
				// semiconductors, tariffs* tariff.
				c = TextClause{Terms: []string{StemTerm(strings.ReplaceAll(foldWord(f[t.Start:t.End]), "'", ""))}, Prefix: true}
			}
			if err := add(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// textDoc is one text of the index.
type textDoc struct {
	text  string
	owner uint64 // the entity (entity fields) or the statement (relation fields)
	ev    uint64 // the evidence node of evidence, locator and source texts
	field TextField
	n     int32 // its number of words
}

// posting is one occurrence of a term: the text and the word's position.
type posting struct{ doc, pos int32 }

// TextIndex is an in-memory inverted index of a store's texts: entity
// names, aliases and descriptions, and each relation's note and the
// paraphrase, locator and source of each piece of its evidence. It is
// built from the store in one pass over the predicates that hold them
// and is immutable: DB.TextIndex rebuilds it after the store changes.
type TextIndex struct {
	qs     storeNames
	docs   []textDoc
	sorted []string // every term, in order: a term's id is its place here
	start  []int32  // term id -> its postings, start[t]:start[t+1]
	posts  []posting
	avgLen [numTextFields]float64
	// what each statement and evidence node says, for hits
	stmts map[uint64]stmtTriple
	evs   map[uint64]evInfo
	b     *building // while it is built
}

type storeNames interface {
	NodeRef(id uint64) cgraph.Ref
}

type stmtTriple struct{ s, p, o uint64 }

type evInfo struct {
	stmt            uint64
	locator, source string
}

// Len is the number of texts indexed.
func (ix *TextIndex) Len() int { return len(ix.docs) }

// Terms is the number of distinct terms.
func (ix *TextIndex) Terms() int { return len(ix.sorted) }

type textIndexCache struct {
	mu      sync.Mutex
	version uint64
	ix      *TextIndex
	read    bool // ix was read from the store's cache file
}

// TextIndex returns the full-text index of the store's current contents,
// building it on first use and after the store changed.
func (db *DB) TextIndex(ctx context.Context) (*TextIndex, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	db.text.mu.Lock()
	defer db.text.mu.Unlock()
	v := db.qs.Version()
	if db.text.ix != nil && db.text.version == v {
		return db.text.ix, nil
	}
	// A store on disk keeps the index it had last in a file beside it
	// (textcache.go), valid while the store is unchanged.
	st, stable := db.stamp(ctx)
	if stable {
		if ix := db.loadText(ctx, st); ix != nil {
			db.text.ix, db.text.version, db.text.read = ix, v, true
			return ix, nil
		}
	}
	ix, err := db.buildTextIndex(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	db.text.ix, db.text.version, db.text.read = ix, v, false
	if stable && db.qs.Version() == v {
		if st2, ok := db.stamp(ctx); ok && st2 == st {
			db.saveText(ix, st)
		}
	}
	return ix, nil
}

// buildTextIndex reads every text the index holds, then inverts it.
func (db *DB) buildTextIndex(ctx context.Context) (*TextIndex, error) {
	qs := db.qs
	ix := &TextIndex{qs: qs, stmts: map[uint64]stmtTriple{}, evs: map[uint64]evInfo{}}
	preds, counts, err := qs.Predicates(ctx)
	if err != nil {
		return nil, err
	}
	idOf := func(v quad.Value) uint64 {
		r, _ := qs.ValueOf(v)
		if r == nil {
			return 0
		}
		id, _ := qs.NodeID(r)
		return id
	}
	metaTypes := map[uint64]bool{}
	for _, t := range []quad.Value{TypeStatement, TypeEvidence, TypeSource} {
		if id := idOf(t); id != 0 {
			metaTypes[id] = true
		}
	}
	// Pass 1: which nodes are the model's own; how statements and
	// evidence hang together.
	meta := map[uint64]bool{}
	evSource := map[uint64]uint64{}
	type pending struct {
		field       TextField
		owner, text uint64
	}
	var entityTexts []pending
	var relTexts []pending // notes (owner: statement), evidence (owner: evidence node)
	// The texts' slices sized at once from the predicates' counts (on
	// the 30k-movie graph, growing them was a third of the build).
	var nEntity, nRel int64
	for i, p := range preds {
		pv, err := qs.NameOf(p)
		if err != nil {
			return nil, err
		}
		var c int64
		if i < len(counts) {
			c = counts[i]
		}
		switch {
		case IsNamePredicate(pv), IsAliasPredicate(pv), pv == PredDescription:
			nEntity += c
		case pv == QualifierNote(), pv == PredNote, pv == PredLocator:
			nRel += c
		}
	}
	entityTexts = make([]pending, 0, nEntity)
	relTexts = make([]pending, 0, nRel)
	for _, p := range preds {
		pv, err := qs.NameOf(p)
		if err != nil {
			return nil, err
		}
		var fn func(s, o, lbl uint64)
		switch {
		case IsTypePredicate(pv):
			fn = func(s, o, _ uint64) {
				if metaTypes[o] {
					meta[s] = true
				}
			}
		case IsNamePredicate(pv):
			fn = func(s, o, _ uint64) { entityTexts = append(entityTexts, pending{FieldName, s, o}) }
		case IsAliasPredicate(pv):
			fn = func(s, o, _ uint64) { entityTexts = append(entityTexts, pending{FieldAlias, s, o}) }
		case pv == PredDescription:
			fn = func(s, o, _ uint64) { entityTexts = append(entityTexts, pending{FieldDescription, s, o}) }
		case pv == QualifierNote():
			fn = func(s, o, _ uint64) { relTexts = append(relTexts, pending{FieldNote, s, o}) }
		case pv == PredNote:
			fn = func(s, o, _ uint64) { relTexts = append(relTexts, pending{FieldEvidence, s, o}) }
		case pv == PredLocator:
			fn = func(s, o, _ uint64) { relTexts = append(relTexts, pending{FieldLocator, s, o}) }
		case pv == PredSource:
			fn = func(s, o, _ uint64) { evSource[s] = o }
		case pv == PredEvidence:
			fn = func(s, o, _ uint64) {
				if _, ok := ix.evs[o]; !ok {
					ix.evs[o] = evInfo{stmt: s}
				}
			}
		case pv == PredSubject, pv == PredPredicate, pv == PredObject:
			which := pv
			fn = func(s, o, _ uint64) {
				t := ix.stmts[s]
				switch which {
				case PredSubject:
					t.s = o
				case PredPredicate:
					t.p = o
				default:
					t.o = o
				}
				ix.stmts[s] = t
			}
		default:
			continue
		}
		if err := qs.ScanPredicate(ctx, p, fn); err != nil {
			return nil, err
		}
	}
	// Pass 2: the texts, read in id order in a few transactions.
	ids := make([]uint64, 0, len(entityTexts)+len(relTexts))
	for _, pts := range [][]pending{entityTexts, relTexts} {
		for _, pt := range pts {
			ids = append(ids, pt.text)
		}
	}
	texts, err := db.literalTexts(ctx, ids)
	if err != nil {
		return nil, err
	}
	// Room for every text and, about, every word (a word and a space
	// or two take six bytes or more).
	words := 0
	for _, t := range texts {
		words += len(t)/6 + 1
	}
	ix.docs = make([]textDoc, 0, len(entityTexts)+len(relTexts)+len(ix.evs))
	ix.b = &building{ids: map[string]int32{}, term: make([]int32, 0, words), post: make([]posting, 0, words)}
	for _, pt := range entityTexts {
		if !meta[pt.owner] {
			ix.addDoc(textDoc{text: texts[pt.text], owner: pt.owner, field: pt.field})
		}
	}
	sourceTitles := map[uint64]string{}
	sourceText := func(src uint64) (string, error) {
		if t, ok := sourceTitles[src]; ok {
			return t, nil
		}
		v, err := qs.NameOf(qs.NodeRef(src))
		if err != nil {
			return "", err
		}
		t := strings.TrimPrefix(iriOf(v), SourcePrefix)
		if t == "" {
			t = literalString(v)
		}
		sourceTitles[src] = t
		return t, nil
	}
	for evID, src := range evSource {
		info, ok := ix.evs[evID]
		if !ok {
			continue
		}
		if info.source, err = sourceText(src); err != nil {
			return nil, err
		}
		ix.evs[evID] = info
	}
	for _, pt := range relTexts {
		s := texts[pt.text]
		d := textDoc{text: s, owner: pt.owner, field: pt.field}
		if pt.field != FieldNote {
			info, ok := ix.evs[pt.owner]
			if !ok {
				continue // evidence of no statement
			}
			d.ev, d.owner = pt.owner, info.stmt
			if pt.field == FieldLocator {
				info.locator = s
				ix.evs[pt.owner] = info
			}
		}
		ix.addDoc(d)
	}
	// In id order, so that two builds of one store number its texts
	// alike (ties in score are ranked by that number).
	evIDs := make([]uint64, 0, len(ix.evs))
	for evID := range ix.evs {
		evIDs = append(evIDs, evID)
	}
	slices.Sort(evIDs)
	for _, evID := range evIDs {
		if info := ix.evs[evID]; info.source != "" {
			ix.addDoc(textDoc{text: info.source, owner: info.stmt, ev: evID, field: FieldSource})
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ix.invert()
	return ix, nil
}

// literalTexts reads the text of each literal node of ids (other nodes
// read as ""), in id order, a batch per transaction.
func (db *DB) literalTexts(ctx context.Context, ids []uint64) (map[uint64]string, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[uint64]string, len(ids))
	const batch = 8192
	refs := make([]cgraph.Ref, 0, batch)
	for len(ids) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := min(batch, len(ids))
		refs = refs[:0]
		for _, id := range ids[:n] {
			refs = append(refs, db.qs.NodeRef(id))
		}
		vals, err := db.qs.ValuesOf(ctx, refs)
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			out[ids[i]] = literalString(v)
		}
		ids = ids[n:]
	}
	return out, nil
}

// QualifierNote is the predicate of a relation's note qualifier (q:note).
func QualifierNote() quad.IRI { return quad.IRI(QualPrefix + "note") }

// building holds the terms in the order they were met and the postings
// in the order they were made, until invert.
type building struct {
	ids   map[string]int32
	terms []string
	term  []int32
	post  []posting
}

func (ix *TextIndex) addDoc(d textDoc) {
	if strings.TrimSpace(d.text) == "" {
		return
	}
	if ix.b == nil {
		ix.b = &building{ids: map[string]int32{}}
	}
	b := ix.b
	doc := int32(len(ix.docs))
	toks := Tokenize(d.text)
	for i, t := range toks {
		id, ok := b.ids[t.Term]
		if !ok {
			id = int32(len(b.terms))
			b.ids[t.Term] = id
			b.terms = append(b.terms, t.Term)
		}
		b.term = append(b.term, id)
		b.post = append(b.post, posting{doc, int32(i)})
	}
	d.n = int32(len(toks))
	ix.docs = append(ix.docs, d)
}

// invert sorts the terms, numbering each by its place in that order (so
// that a term is found by a binary search, and the index kept on disk
// needs no table of them), and the postings by term (a counting sort:
// each term's postings stay in text order).
func (ix *TextIndex) invert() {
	b := ix.b
	if b == nil {
		b = &building{}
	}
	ix.b = nil
	nt := len(b.terms)
	order := make([]int32, nt) // the terms' ids, in the terms' order
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int { return strings.Compare(b.terms[x], b.terms[y]) })
	rank := make([]int32, nt) // the place of each id
	ix.sorted = make([]string, nt)
	for r, id := range order {
		rank[id] = int32(r)
		ix.sorted[r] = b.terms[id]
	}
	ix.start = make([]int32, nt+1)
	for _, t := range b.term {
		ix.start[rank[t]+1]++
	}
	for i := 0; i < nt; i++ {
		ix.start[i+1] += ix.start[i]
	}
	fill := append([]int32(nil), ix.start[:nt]...)
	ix.posts = make([]posting, len(b.post))
	for i, t := range b.term {
		r := rank[t]
		ix.posts[fill[r]] = b.post[i]
		fill[r]++
	}
	var total, count [numTextFields]float64
	for _, d := range ix.docs {
		total[d.field] += float64(d.n)
		count[d.field]++
	}
	for f := range ix.avgLen {
		if count[f] > 0 {
			ix.avgLen[f] = total[f] / count[f]
		}
	}
}

// termID returns the id of a term, or false for a term no text has.
func (ix *TextIndex) termID(t string) (int32, bool) {
	i, ok := slices.BinarySearch(ix.sorted, t)
	return int32(i), ok
}

// TextHit is a text that matched a query: whose it is, the text with
// where the query's words are in it, and its score.
type TextHit struct {
	Field TextField
	// Entity is the entity of a name, alias or description.
	Entity cgraph.Ref
	// Statement is the statement of a relation's texts, and Subject,
	// Predicate and Object its relation (nil where the statement does
	// not say).
	Statement, Subject, Predicate, Object cgraph.Ref
	// Evidence is the evidence node of an evidence, locator or source
	// text; Locator and Source are that evidence's.
	Evidence        cgraph.Ref
	Locator, Source string
	Text            string
	// Spans are the matched words, as byte offsets [start, end) into
	// Text, in order.
	Spans [][2]int
	Score float64
}

// TextSearch bounds a search: the fields to look in (zero: all) and how
// many hits to return (zero: 20).
type TextSearch struct {
	Fields TextFields
	Limit  int
}

// BM25's parameters, and the weight of each field: a match in a name
// ranks above the same match in a paraphrase.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

var fieldWeight = [numTextFields]float64{FieldName: 2, FieldAlias: 1.5, FieldDescription: 1, FieldNote: 1, FieldEvidence: 1, FieldLocator: 0.8, FieldSource: 0.5}

// Search finds the texts that match every clause of q, best first (BM25
// over each text, weighted by field), and returns the first opts.Limit
// with the number that matched in all.
func (ix *TextIndex) Search(ctx context.Context, q TextQuery, opts TextSearch) ([]TextHit, int, error) {
	limit := opts.Limit
	if limit <= 0 {
		limit = 20
	}
	// Each clause: the terms it stands for, and the texts it matches.
	type clause struct {
		terms []int32
		docs  map[int32]bool // nil until computed; phrases only
		c     TextClause
	}
	cls := make([]clause, len(q.Clauses))
	for i, c := range q.Clauses {
		cls[i].c = c
		switch {
		case c.Prefix:
			lo := sort.SearchStrings(ix.sorted, c.Terms[0])
			for j := lo; j < len(ix.sorted) && strings.HasPrefix(ix.sorted[j], c.Terms[0]); j++ {
				if len(cls[i].terms) == MaxTextTerms {
					return nil, 0, fmt.Errorf("%w: %s* stands for more than %d words; give more of the word", ErrTextQuery, c.Terms[0], MaxTextTerms)
				}
				cls[i].terms = append(cls[i].terms, int32(j))
			}
		default:
			for _, t := range c.Terms {
				id, ok := ix.termID(t)
				if !ok {
					return nil, 0, nil // a word no text has: nothing matches
				}
				cls[i].terms = append(cls[i].terms, id)
			}
		}
		if len(cls[i].terms) == 0 {
			return nil, 0, nil
		}
	}
	// Candidate texts: those of the rarest clause, checked against the
	// others.
	docsOf := func(c *clause) map[int32]bool {
		if c.docs != nil {
			return c.docs
		}
		m := map[int32]bool{}
		if len(c.c.Terms) > 1 && !c.c.Prefix {
			ix.phraseDocs(c.terms, m)
		} else {
			for _, t := range c.terms {
				for _, p := range ix.posts[ix.start[t]:ix.start[t+1]] {
					m[p.doc] = true
				}
			}
		}
		c.docs = m
		return m
	}
	size := func(c *clause) int {
		n := 0
		for _, t := range c.terms {
			n += int(ix.start[t+1] - ix.start[t])
		}
		return n
	}
	sort.SliceStable(cls, func(a, b int) bool { return size(&cls[a]) < size(&cls[b]) })
	var cand []int32
	for d := range docsOf(&cls[0]) {
		if opts.Fields.Has(ix.docs[d].field) {
			cand = append(cand, d)
		}
	}
	for i := 1; i < len(cls) && len(cand) > 0; i++ {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		m := docsOf(&cls[i])
		kept := cand[:0]
		for _, d := range cand {
			if m[d] {
				kept = append(kept, d)
			}
		}
		cand = kept
	}
	if len(cand) == 0 {
		return nil, 0, ctx.Err()
	}
	// Score: BM25 of every term of every clause.
	n := float64(len(ix.docs))
	score := make(map[int32]float64, len(cand))
	for _, d := range cand {
		score[d] = 0
	}
	for _, c := range cls {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		for _, t := range c.terms {
			ps := ix.posts[ix.start[t]:ix.start[t+1]]
			df := 0
			for j := range ps {
				if j == 0 || ps[j].doc != ps[j-1].doc {
					df++
				}
			}
			idf := math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
			for j := 0; j < len(ps); {
				d, tf := ps[j].doc, 0
				for j < len(ps) && ps[j].doc == d {
					tf++
					j++
				}
				if _, ok := score[d]; !ok {
					continue
				}
				doc := &ix.docs[d]
				norm := 1 - bm25B + bm25B*float64(doc.n)/max(ix.avgLen[doc.field], 1)
				score[d] += fieldWeight[doc.field] * idf * float64(tf) * (bm25K1 + 1) / (float64(tf) + bm25K1*norm)
			}
		}
	}
	sort.Slice(cand, func(a, b int) bool {
		sa, sb := score[cand[a]], score[cand[b]]
		if sa != sb {
			return sa > sb
		}
		da, db := &ix.docs[cand[a]], &ix.docs[cand[b]]
		if da.field != db.field {
			return da.field < db.field
		}
		if da.text != db.text {
			return da.text < db.text
		}
		return cand[a] < cand[b]
	})
	total := len(cand)
	if len(cand) > limit {
		cand = cand[:limit]
	}
	clauses := make([]TextClause, len(cls))
	for i := range cls {
		clauses[i] = cls[i].c
	}
	hits := make([]TextHit, len(cand))
	for i, d := range cand {
		hits[i] = ix.hit(d, clauses, score[d])
	}
	return hits, total, nil
}

// phraseDocs adds to m the texts where the terms occur in a row.
func (ix *TextIndex) phraseDocs(terms []int32, m map[int32]bool) {
	at := map[posting]bool{}
	for _, p := range ix.posts[ix.start[terms[0]]:ix.start[terms[0]+1]] {
		at[p] = true
	}
	for k, t := range terms[1:] {
		next := map[posting]bool{}
		for _, p := range ix.posts[ix.start[t]:ix.start[t+1]] {
			if at[posting{p.doc, p.pos - int32(k) - 1}] {
				next[posting{p.doc, p.pos - int32(k) - 1}] = true
			}
		}
		at = next
	}
	for p := range at {
		m[p.doc] = true
	}
}

// hit describes text d for a search result.
func (ix *TextIndex) hit(d int32, clauses []TextClause, score float64) TextHit {
	doc := &ix.docs[d]
	h := TextHit{Field: doc.field, Text: doc.text, Score: score, Spans: MatchSpans(doc.text, clauses)}
	ref := func(id uint64) cgraph.Ref {
		if id == 0 {
			return nil
		}
		return ix.qs.NodeRef(id)
	}
	if doc.field.OfEntity() {
		h.Entity = ref(doc.owner)
		return h
	}
	h.Statement = ref(doc.owner)
	if t, ok := ix.stmts[doc.owner]; ok {
		h.Subject, h.Predicate, h.Object = ref(t.s), ref(t.p), ref(t.o)
	}
	if doc.ev != 0 {
		h.Evidence = ref(doc.ev)
		info := ix.evs[doc.ev]
		h.Locator, h.Source = info.locator, info.source
	}
	return h
}

// MatchSpans returns where the clauses match in text, as byte offsets
// [start, end) in order, or nil unless every clause matches: the
// analyser of the full-text index applied to one text, for highlighting
// and for testing a single value (EQL's matches).
func MatchSpans(text string, clauses []TextClause) [][2]int {
	toks := Tokenize(text)
	marked := make([]bool, len(toks))
	for _, c := range clauses {
		found := false
		for i, t := range toks {
			switch {
			case c.Prefix:
				if strings.HasPrefix(strings.ReplaceAll(foldWord(text[t.Start:t.End]), "'", ""), c.Terms[0]) || strings.HasPrefix(t.Term, c.Terms[0]) {
					marked[i], found = true, true
				}
			case i+len(c.Terms) <= len(toks):
				ok := true
				for k, term := range c.Terms {
					if toks[i+k].Term != term {
						ok = false
						break
					}
				}
				if ok {
					found = true
					for k := range c.Terms {
						marked[i+k] = true
					}
				}
			}
		}
		if !found {
			return nil
		}
	}
	var spans [][2]int
	for i, t := range toks {
		if !marked[i] {
			continue
		}
		// Words of one phrase in a row make one span.
		if n := len(spans); n > 0 && i > 0 && marked[i-1] && onlySpace(text[spans[n-1][1]:t.Start]) {
			spans[n-1][1] = t.End
			continue
		}
		spans = append(spans, [2]int{t.Start, t.End})
	}
	return spans
}

func onlySpace(s string) bool { return strings.TrimSpace(s) == "" }
