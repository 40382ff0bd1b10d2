package syntax

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Timed is a statement asked in time: `STATEMENT [as of POINT] [at DATE |
// during DATE .. DATE]`. as of asks what the store held after a
// transaction (a transaction id tx:12, a date or a timestamp: the last
// transaction at or before it); at and during ask what held in the world
// then (valid time).
type Timed struct {
	Stmt   Stmt
	AsOf   string // as written, without quotes; "" for the present
	AsOfAt Pos
	// From and Until are the valid-time dates (at: the same date).
	From, Until string
	During      bool
	ValidAt     Pos
}

func (t *Timed) Pos() Pos { return t.Stmt.Pos() }
func (t *Timed) String() string {
	s := t.Stmt.String()
	if t.AsOf != "" {
		s += " as of " + timeWord(t.AsOf)
	}
	switch {
	case t.During:
		s += " during " + t.From + " .. " + t.Until
	case t.From != "":
		s += " at " + t.From
	}
	return s
}
func (*Timed) stmt() {}

func timeWord(w string) string {
	if strings.ContainsAny(w, " \t\"") {
		return strconv.Quote(w)
	}
	return w
}

// History is `history NAME`: each change to an entity (its names, types
// and every relation touching it) or to a statement (stmt:…), with its
// transaction.
type History struct {
	At       Pos
	Target   string
	TargetAt Pos
}

func (h *History) Pos() Pos { return h.At }
func (h *History) String() string {
	if strings.HasPrefix(h.Target, "stmt:") || !needsQuotes(h.Target) {
		return "history " + h.Target
	}
	return "history " + strconv.Quote(h.Target)
}
func (*History) stmt() {}

// Changes is `changes since POINT`: every change after a transaction (an
// id, a date or a timestamp), oldest first.
type Changes struct {
	At      Pos
	Since   string
	SinceAt Pos
}

func (c *Changes) Pos() Pos       { return c.At }
func (c *Changes) String() string { return "changes since " + timeWord(c.Since) }
func (*Changes) stmt()            {}

var dateRE = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`)

// posAt is the position of byte offset off in src.
func posAt(src string, off int) Pos {
	p := Pos{Line: 1, Col: 1}
	for i, r := range src {
		if i >= off {
			break
		}
		if r == '\n' {
			p.Line++
			p.Col = 1
		} else {
			p.Col++
		}
	}
	return p
}

// offsetOf is the byte offset of a position in src.
func offsetOf(src string, p Pos) int {
	line, col := 1, 1
	for i, r := range src {
		if line == p.Line && col == p.Col {
			return i
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return len(src)
}

// splitTime finds a trailing time clause: the first `as of`, `at` or
// `during` outside brackets and strings. It returns the offset where it
// begins (len(src) when there is none).
func splitTime(src string) int {
	l := NewLexer(src)
	depth := 0
	for {
		t := l.Next()
		switch t.Kind {
		case EOF, Illegal:
			return len(src)
		case LParen, LBrack, LBrace:
			depth++
		case RParen, RBrack, RBrace:
			depth--
		case Bare:
			if depth > 0 {
				continue
			}
			switch strings.ToLower(t.Text) {
			case "at", "during":
				off := offsetOf(src, t.Pos)
				rest := strings.TrimLeft(src[off+len(t.Text):], " \t\r\n")
				if len(rest) >= 4 && strings.EqualFold(rest[:4], "risk") && (len(rest) == 4 || !isWordByte(rest[4])) {
					continue // the status "at risk"
				}
				return off
			case "as":
				off := offsetOf(src, t.Pos)
				rest := strings.TrimLeft(src[off+2:], " \t\r\n")
				if len(rest) >= 2 && strings.EqualFold(rest[:2], "of") && (len(rest) == 2 || !isWordByte(rest[2])) {
					return off
				}
			}
		}
		if l.Err() != nil {
			return len(src)
		}
	}
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= utf8.RuneSelf
}

type timeWordTok struct {
	text string
	off  int
}

// timeWords splits a time clause into words: quoted strings whole, ".."
// apart, a trailing ";" dropped.
func timeWords(src string, base int) ([]timeWordTok, *Error) {
	var out []timeWordTok
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == ';' && strings.TrimSpace(src[i+1:]) == "":
			return out, nil
		case c == '"' || c == '\'':
			j := strings.IndexByte(src[i+1:], c)
			if j < 0 {
				return nil, &Error{Pos: posAt(src, i), Msg: "unterminated string"}
			}
			out = append(out, timeWordTok{src[i+1 : i+1+j], base + i})
			i += j + 2
		case strings.HasPrefix(src[i:], ".."):
			out = append(out, timeWordTok{"..", base + i})
			i += 2
		default:
			j := i
			for j < len(src) && !strings.ContainsRune(" \t\n\r;\"'", rune(src[j])) && !strings.HasPrefix(src[j:], "..") {
				j++
			}
			out = append(out, timeWordTok{src[i:j], base + i})
			i = j
		}
	}
	return out, nil
}

// parseTime parses the time clause src[off:] of a parsed statement.
func parseTime(src string, off int, st Stmt) (Stmt, error) {
	ws, e := timeWords(src[off:], off)
	if e != nil {
		e.Pos = posAt(src, off)
		return nil, e
	}
	t := &Timed{Stmt: st}
	errAt := func(o int, format string, args ...interface{}) error {
		return &Error{Pos: posAt(src, o), Msg: fmt.Sprintf(format, args...)}
	}
	date := func(i int, what string) (string, error) {
		if i >= len(ws) {
			return "", errAt(len(src), "expected %s (a date: 2025, 2025-06 or 2025-06-30)", what)
		}
		if !dateRE.MatchString(ws[i].text) {
			return "", errAt(ws[i].off, "expected %s (a date: 2025, 2025-06 or 2025-06-30), found %q", what, ws[i].text)
		}
		return ws[i].text, nil
	}
	for i := 0; i < len(ws); {
		w := strings.ToLower(ws[i].text)
		switch {
		case w == "as" && i+1 < len(ws) && strings.EqualFold(ws[i+1].text, "of"):
			if t.AsOf != "" {
				return nil, errAt(ws[i].off, "as of is given twice")
			}
			i += 2
			if i >= len(ws) {
				return nil, errAt(len(src), "expected a transaction (tx:12), a date or a timestamp after as of")
			}
			t.AsOf, t.AsOfAt = ws[i].text, posAt(src, ws[i].off)
			if strings.EqualFold(t.AsOf, "tx") && i+1 < len(ws) {
				i++
				t.AsOf = "tx:" + ws[i].text
			}
			i++
		case w == "at" || w == "during":
			if t.From != "" {
				return nil, errAt(ws[i].off, "valid time (at, during) is given twice")
			}
			t.ValidAt = posAt(src, ws[i].off)
			var err error
			if t.From, err = date(i+1, "a date after "+w); err != nil {
				return nil, err
			}
			t.Until = t.From
			i += 2
			if w == "during" {
				t.During = true
				if i >= len(ws) || ws[i].text != ".." {
					o := len(src)
					if i < len(ws) {
						o = ws[i].off
					}
					return nil, errAt(o, `expected ".." and the end of the period (during 2023 .. 2024)`)
				}
				if t.Until, err = date(i+1, "the end of the period"); err != nil {
					return nil, err
				}
				i += 2
			}
		default:
			return nil, errAt(ws[i].off, "expected as of, at, during or the end of the statement, found %q", ws[i].text)
		}
	}
	return t, nil
}

// parseHistory parses `history TARGET` and `changes since POINT`, whose
// arguments are taken as written (statement ids have colons and slashes).
func parseHistory(src string, end int) (Stmt, bool, error) {
	head := src[:end]
	trimmed := strings.TrimLeft(head, " \t\r\n")
	lead := len(head) - len(trimmed)
	word, rest, _ := strings.Cut(trimmed, " ")
	word = strings.ToLower(strings.TrimRight(word, ";"))
	at := posAt(src, lead)
	arg := func() (string, Pos) {
		r := strings.TrimRight(strings.TrimSpace(rest), ";")
		r = strings.TrimSpace(r)
		o := strings.Index(head, r)
		if len(r) >= 2 && (r[0] == '"' && r[len(r)-1] == '"' || r[0] == '\'' && r[len(r)-1] == '\'' || r[0] == '<' && r[len(r)-1] == '>') {
			r = r[1 : len(r)-1]
		}
		return r, posAt(src, max(o, 0))
	}
	switch word {
	case "history":
		t, pos := arg()
		if t == "" {
			return nil, true, &Error{Pos: posAt(src, len(head)), Msg: "expected an entity's name or a statement id after history"}
		}
		return &History{At: at, Target: t, TargetAt: pos}, true, nil
	case "changes":
		r := strings.TrimSpace(rest)
		if len(r) < 5 || !strings.EqualFold(r[:5], "since") {
			return nil, true, &Error{Pos: posAt(src, len(head)-len(strings.TrimLeft(rest, " "))), Msg: "expected since after changes (changes since 2026-12-01, changes since tx:3)"}
		}
		rest = r[5:]
		s, pos := arg()
		if s == "" {
			return nil, true, &Error{Pos: posAt(src, len(head)), Msg: "expected a transaction (tx:3), a date or a timestamp after changes since"}
		}
		return &Changes{At: at, Since: s, SinceAt: pos}, true, nil
	}
	return nil, false, nil
}
