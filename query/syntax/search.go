package syntax

import (
	"strconv"
	"strings"
)

// Search is `search "TEXT" [in FIELD {, FIELD}] [limit N]`: a full-text
// search of names, aliases, descriptions, notes and evidence.
type Search struct {
	At     Pos
	Text   string // the query as written, without its quotes
	TextAt Pos
	Fields []Word // the fields to search, as written; none: all
	Limit  int
	// LimitAt is the position of the limit, for errors about its bound.
	LimitAt Pos
}

func (s *Search) Pos() Pos { return s.At }
func (s *Search) String() string {
	var b strings.Builder
	b.WriteString("search " + strconv.Quote(s.Text))
	for i, f := range s.Fields {
		if i == 0 {
			b.WriteString(" in ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(strings.ToLower(f.Text))
	}
	if s.Limit > 0 {
		b.WriteString(" limit " + strconv.Itoa(s.Limit))
	}
	return b.String()
}
func (*Search) stmt() {}

// search = "search" ( STRING | IDENT { IDENT | "*" } ) [ "in" IDENT { "," IDENT } ] [ "limit" INT ] .
//
// A phrase inside the text is quoted with the other quote:
// search '"nuclear umbrella" Japan'.
func (p *parser) search(at Pos) (Stmt, error) {
	s := &Search{At: at, TextAt: p.tok.Pos}
	switch {
	case p.tok.Kind == String:
		s.Text = p.tok.Value
		p.next()
	case p.tok.Kind == Bare && !IsKeyword(p.tok.Text):
		// Bare words up to a keyword; a * right after a word is a prefix.
		var b strings.Builder
		for p.tok.Kind == Bare && !IsKeyword(p.tok.Text) || p.tok.Kind == Star {
			if p.tok.Kind == Bare && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(p.tok.Text)
			p.next()
		}
		s.Text = b.String()
	default:
		return nil, p.errExpected(`the text to search for ("…")`)
	}
	if strings.TrimSpace(s.Text) == "" {
		return nil, p.errAt(s.TextAt, "empty search text")
	}
	if p.accept("in") {
		for {
			if p.tok.Kind != Bare {
				return nil, p.errExpected("a field (name, alias, description, note, evidence, locator, source)")
			}
			s.Fields = append(s.Fields, Word{p.tok.Pos, p.tok.Text})
			p.next()
			if p.tok.Kind != Comma {
				break
			}
			p.next()
		}
	}
	if p.accept("limit") {
		n, pos, err := p.positiveInt("a limit")
		if err != nil {
			return nil, err
		}
		s.Limit, s.LimitAt = n, pos
	}
	if p.tok.Kind != EOF && p.tok.Kind != Semi {
		return nil, p.errKeywords("in, limit or the end", []string{"in", "limit"})
	}
	return s, nil
}
