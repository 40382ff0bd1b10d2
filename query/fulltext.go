package query

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query/syntax"
)

// DefaultSearchLimit is how many hits a search statement returns without
// a limit clause.
const DefaultSearchLimit = 20

// Snippet is a text a search matched, with the matched words marked.
type Snippet struct {
	Text string
	// Spans are the matched words, as byte offsets [start, end) into
	// Text, in order; the words of a phrase make one span.
	Spans [][2]int
}

// Marks open and close a match in a snippet's text.
const (
	MarkOpen  = "«"
	MarkClose = "»"
)

// snippetWindow is how many characters of a long text String shows around
// its first match.
const snippetWindow = 160

// Marked is the whole text with each match between « and ».
func (s Snippet) Marked() string { return s.mark(0, len(s.Text)) }

// String is the text with each match between « and », cut to about 160
// characters around the first match (… where it was cut).
func (s Snippet) String() string {
	if utf8.RuneCountInString(s.Text) <= snippetWindow || len(s.Spans) == 0 {
		return s.Marked()
	}
	// Start a little before the first match, at a word boundary.
	from := s.Spans[0][0]
	for back := 0; from > 0 && back < 40; back++ {
		_, n := utf8.DecodeLastRuneInString(s.Text[:from])
		from -= n
	}
	if i := strings.IndexByte(s.Text[from:], ' '); from > 0 && i >= 0 && from+i < s.Spans[0][0] {
		from += i + 1
	}
	to, count := from, 0
	for to < len(s.Text) && count < snippetWindow {
		_, n := utf8.DecodeRuneInString(s.Text[to:])
		to += n
		count++
	}
	out := s.mark(from, to)
	if from > 0 {
		out = "…" + out
	}
	if to < len(s.Text) {
		out += "…"
	}
	return out
}

// mark writes Text[from:to] with its matches marked.
func (s Snippet) mark(from, to int) string {
	var b strings.Builder
	at := from
	for _, sp := range s.Spans {
		if sp[1] <= from || sp[0] >= to {
			continue
		}
		start, end := max(sp[0], from), min(sp[1], to)
		b.WriteString(s.Text[at:start] + MarkOpen + s.Text[start:end] + MarkClose)
		at = end
	}
	b.WriteString(s.Text[at:to])
	return b.String()
}

// MarshalJSON writes the text, the text with its matches marked
// ("highlight") and the matches' offsets in characters (Unicode code
// points), [start, end) each.
func (s Snippet) MarshalJSON() ([]byte, error) {
	offsets := make([][2]int, len(s.Spans))
	for i, sp := range s.Spans {
		offsets[i] = [2]int{utf8.RuneCountInString(s.Text[:sp[0]]), utf8.RuneCountInString(s.Text[:sp[1]])}
	}
	return json.Marshal(struct {
		Text      string   `json:"text"`
		Highlight string   `json:"highlight"`
		Offsets   [][2]int `json:"offsets"`
	}{s.Text, s.Marked(), offsets})
}

// search answers `search "TEXT" [in FIELDS] [limit N]` from the store's
// full-text index: one row per matching text, best first.
func (ev *evaluator) search(s *syntax.Search) (*Result, error) {
	tq, err := graph.ParseTextQuery(s.Text)
	if err != nil {
		return nil, ev.errAt(s.TextAt, ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "graph: "))
	}
	var fields graph.TextFields
	for _, w := range s.Fields {
		f, ok := graph.LookupTextField(w.Text)
		if !ok {
			msg := fmt.Sprintf("unknown field %q to search", w.Text)
			if sugg := graph.Suggest(strings.ToLower(w.Text), graph.TextFieldNames()); len(sugg) > 0 {
				msg += " (did you mean " + sugg[0] + "?)"
			} else {
				msg += " (the fields are " + strings.Join(graph.TextFieldNames(), ", ") + ")"
			}
			return nil, ev.errAt(w.At, ErrInvalid, "%s", msg)
		}
		fields = fields.With(f)
	}
	limit := min(DefaultSearchLimit, ev.opts.Limit)
	if s.Limit > 0 {
		limit = s.Limit
	}
	ix, err := ev.db.TextIndex(ev.ctx)
	if err != nil {
		return nil, err
	}
	hits, total, err := ix.Search(ev.ctx, tq, graph.TextSearch{Fields: fields, Limit: limit})
	if err != nil {
		if errors.Is(err, graph.ErrTextQuery) {
			return nil, ev.errAt(s.TextAt, ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "graph: bad text query: "))
		}
		return nil, err
	}
	res := &Result{Kind: "search", Columns: []string{"hit", "field", "text", "locator", "score"}}
	for _, h := range hits {
		hit, err := ev.hitValue(h)
		if err != nil {
			return nil, err
		}
		var loc Value
		if h.Locator != "" {
			loc = h.Locator
		} else if rel, ok := hit.(*Relation); ok && len(rel.Evidence) > 0 {
			loc = rel.Evidence[0].Locator // a note: where its relation is stated
		}
		score := math.Round(h.Score*100) / 100
		res.Rows = append(res.Rows, []Value{hit, h.Field.String(), Snippet{Text: h.Text, Spans: h.Spans}, loc, score})
	}
	if total > len(hits) {
		res.Capped = true
		res.Note = fmt.Sprintf("showing %s of %s (limit %d)", theFirst(len(hits), "hit", "hits"), plural(total, "hit", "hits"), limit)
	}
	return res, nil
}

// hitValue is what a hit belongs to: the entity, or the relation of the
// statement (the statement node itself where it does not say which
// relation it is).
func (ev *evaluator) hitValue(h graph.TextHit) (Value, error) {
	if h.Field.OfEntity() {
		return ev.node(h.Entity)
	}
	if h.Subject == nil || h.Predicate == nil || h.Object == nil {
		return ev.node(h.Statement)
	}
	from, err := ev.node(h.Subject)
	if err != nil {
		return nil, err
	}
	to, err := ev.node(h.Object)
	if err != nil {
		return nil, err
	}
	pred, err := ev.qs.NameOf(h.Predicate)
	if err != nil {
		return nil, err
	}
	rel := &Relation{From: from, To: to, Kind: graph.ShortName(pred), Pred: pred}
	return rel, ev.attachStatement(rel, h.Statement)
}

// attachStatement gives a relation its statement's id, qualifiers and
// evidence.
func (ev *evaluator) attachStatement(rel *Relation, stmt cgraph.Ref) error {
	var err error
	if rel.Stmt, err = ev.qs.NameOf(stmt); err != nil {
		return err
	}
	info, err := ev.statement(stmt)
	if err != nil {
		return err
	}
	rel.Qualifiers, rel.Evidence = info.quals, info.evidence
	return nil
}

// textMatches is EQL's matches: the text matches the full-text query q
// as search would match it (every word, phrase and prefix of q, ignoring
// case, accents and plurals). A list matches when any element does.
func textMatches(v Value, q string) bool {
	tq, err := graph.ParseTextQuery(q)
	if err != nil {
		return false
	}
	if list, ok := v.(List); ok {
		for _, x := range list {
			if textMatches(x, q) {
				return true
			}
		}
		return false
	}
	s, ok := textOf(v)
	return ok && graph.MatchSpans(s, tq.Clauses) != nil
}

// checkTextQuery checks the query of a matches comparison written as a
// literal, so that a quote left open is an error rather than no rows.
func (ev *evaluator) checkTextQuery(x *syntax.Binary) error {
	lit, ok := x.R.(*syntax.Lit)
	if x.Op != "matches" || !ok {
		return nil
	}
	q, ok := lit.Value.(string)
	if !ok {
		return ev.errAt(x.R.Pos(), ErrInvalid, "matches takes a text to search for, found %s", lit)
	}
	if _, err := graph.ParseTextQuery(q); err != nil {
		return ev.errAt(x.R.Pos(), ErrInvalid, "%s", strings.TrimPrefix(err.Error(), "graph: bad text query: "))
	}
	return nil
}

// field is one field of a piece of evidence by its EQL name: evidence
// (the paraphrase), locator or source.
func (e Evidence) field(name string) string {
	switch name {
	case "locator":
		return e.Locator
	case "source":
		return e.Source
	}
	return e.Note
}
