// Package syntax is the front end of EQL, Entente's query language: a
// lexer you pull tokens from, a recursive-descent parser, and the AST,
// whose nodes print back to canonical source. It needs only the standard
// library. docs/query-language.md has the grammar.
package syntax

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is a token's kind.
type Kind int

// Token kinds.
const (
	EOF    Kind = iota
	Bare        // a bare word: a name or keyword
	String      // "…" or '…'
	IRI         // <…>
	Int
	Float
	LParen // (
	RParen // )
	LBrack // [
	RBrack // ]
	LBrace // {
	RBrace // }
	Comma  // ,
	Colon  // :
	Semi   // ;
	Dot    // .
	DotDot // ..
	Pipe   // |
	Star   // *
	Eq     // =
	Neq    // <> or !=
	Lt     // <
	Le     // <=
	Gt     // >
	Ge     // >=
	Dash   // -
	ArrowR // ->
	ArrowL // <-
	Illegal
)

var kindNames = [...]string{
	EOF: "end of input", Bare: "a name", String: "a string", IRI: "an IRI", Int: "a number", Float: "a number",
	LParen: `"("`, RParen: `")"`, LBrack: `"["`, RBrack: `"]"`, LBrace: `"{"`, RBrace: `"}"`,
	Comma: `","`, Colon: `":"`, Semi: `";"`, Dot: `"."`, DotDot: `".."`, Pipe: `"|"`, Star: `"*"`,
	Eq: `"="`, Neq: `"<>"`, Lt: `"<"`, Le: `"<="`, Gt: `">"`, Ge: `">="`, Dash: `"-"`,
	ArrowR: `"->"`, ArrowL: `"<-"`, Illegal: "an illegal character",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Pos is a position in the source: line and column (in characters), from 1.
type Pos struct {
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Token is one token: its kind, position, text as written, and value
// (the unquoted text of a string or IRI).
type Token struct {
	Kind  Kind
	Pos   Pos
	Text  string
	Value string
}

// Describe says what the token is, for error messages.
func (t Token) Describe() string {
	switch t.Kind {
	case EOF:
		return "end of input"
	case Bare:
		return Echo(t.Text)
	case String, IRI, Int, Float, Illegal:
		s := t.Text
		if utf8.RuneCountInString(s) > 30 {
			s = string([]rune(s)[:30]) + "…"
		}
		return s
	}
	return t.Kind.String()
}

// Lexer turns source into tokens, one Next call at a time.
type Lexer struct {
	src  string
	off  int
	line int
	col  int
	err  *Error
	prev Kind // the kind of the token returned last (EOF before the first)
}

// NewLexer returns a lexer over src.
func NewLexer(src string) *Lexer { return &Lexer{src: src, line: 1, col: 1} }

// Err returns the first lexical error (an unterminated string, say).
func (l *Lexer) Err() *Error { return l.err }

func (l *Lexer) peek(n int) rune {
	off := l.off
	for ; n > 0; n-- {
		if off >= len(l.src) {
			return -1
		}
		_, w := utf8.DecodeRuneInString(l.src[off:])
		off += w
	}
	if off >= len(l.src) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(l.src[off:])
	return r
}

func (l *Lexer) advance() rune {
	r, w := utf8.DecodeRuneInString(l.src[l.off:])
	l.off += w
	if r == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
	return r
}

// skipSpace skips whitespace and comments. A comment runs to the end of
// the line from "//", "#", or "--" followed by whitespace (SQL style). A
// "--" right after a node pattern's ")" is a relationship instead —
// (a)-- (b), (a) -- (b) — unless it starts its line.
func (l *Lexer) skipSpace() {
	lineStart := l.off == 0
	for l.off < len(l.src) {
		r := l.peek(0)
		switch {
		case r == '/' && l.peek(1) == '/', r == '#', r == '-' && l.peek(1) == '-' && isSpaceOrEnd(l.peek(2)) && (lineStart || l.prev != RParen):
			for l.off < len(l.src) && l.peek(0) != '\n' {
				l.advance()
			}
		case r == '\n':
			l.advance()
			lineStart = true
		case unicode.IsSpace(r):
			l.advance()
		default:
			return
		}
	}
}

func isSpaceOrEnd(r rune) bool { return r < 0 || unicode.IsSpace(r) }

// IsNameStart and IsNameChar say which characters make a bare name.
func IsNameStart(r rune) bool { return unicode.IsLetter(r) || r == '_' }

// IsNameChar reports whether r can continue a bare name.
func IsNameChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '\'' || r == '’'
}

// Next returns the next token; at the end it keeps returning EOF.
func (l *Lexer) Next() Token {
	t := l.next()
	l.prev = t.Kind
	return t
}

func (l *Lexer) next() Token {
	l.skipSpace()
	pos := Pos{l.line, l.col}
	start := l.off
	if l.off >= len(l.src) {
		return Token{Kind: EOF, Pos: pos}
	}
	tok := func(k Kind, n int) Token {
		for i := 0; i < n; i++ {
			l.advance()
		}
		return Token{Kind: k, Pos: pos, Text: l.src[start:l.off]}
	}
	r := l.peek(0)
	switch {
	case IsNameStart(r):
		for l.off < len(l.src) {
			c := l.peek(0)
			if IsNameChar(c) {
				l.advance()
				continue
			}
			// A hyphen inside a name (south-korea, EU-Japan) when a
			// letter or digit follows; "-[" and "->" are pattern arrows.
			if (c == '-' || c == '–' || c == '+') && (unicode.IsLetter(l.peek(1)) || unicode.IsDigit(l.peek(1))) {
				l.advance()
				continue
			}
			// An initialism of single capitals with a closing dot
			// (U.S., S.Z.) is one word; any other dot is property
			// access: C.name, U.S.name.
			if r, size := utf8.DecodeRuneInString(l.src[start:l.off]); c == '.' && size == l.off-start && unicode.IsUpper(r) {
				if n := l.initialismRest(); n > 0 {
					for i := 0; i < n; i++ {
						l.advance()
					}
					continue
				}
			}
			break
		}
		text := l.src[start:l.off]
		return Token{Kind: Bare, Pos: pos, Text: text, Value: text}
	case unicode.IsDigit(r):
		for unicode.IsDigit(l.peek(0)) {
			l.advance()
		}
		kind := Int
		if l.peek(0) == '.' && unicode.IsDigit(l.peek(1)) {
			kind = Float
			l.advance()
			for unicode.IsDigit(l.peek(0)) {
				l.advance()
			}
		}
		// 28,500-style numbers are not numbers here; a letter right
		// after digits (2nd, 1980s) makes a name.
		if IsNameStart(l.peek(0)) {
			for IsNameChar(l.peek(0)) {
				l.advance()
			}
			text := l.src[start:l.off]
			return Token{Kind: Bare, Pos: pos, Text: text, Value: text}
		}
		text := l.src[start:l.off]
		return Token{Kind: kind, Pos: pos, Text: text, Value: text}
	case r == '"' || r == '\'' || r == '“':
		return l.str(pos)
	case r == '<':
		switch l.peek(1) {
		case '-':
			return tok(ArrowL, 2)
		case '=':
			return tok(Le, 2)
		case '>':
			return tok(Neq, 2)
		}
		if t, ok := l.iri(pos); ok {
			return t
		}
		return tok(Lt, 1)
	case r == '>':
		if l.peek(1) == '=' {
			return tok(Ge, 2)
		}
		return tok(Gt, 1)
	case r == '!':
		if l.peek(1) == '=' {
			return tok(Neq, 2)
		}
	case r == '-':
		if l.peek(1) == '>' {
			return tok(ArrowR, 2)
		}
		if unicode.IsDigit(l.peek(1)) {
			l.advance()
			t := l.Next()
			if t.Kind == Int || t.Kind == Float {
				t.Pos, t.Text, t.Value = pos, "-"+t.Text, "-"+t.Value
				return t
			}
		}
		return tok(Dash, 1)
	case r == '.':
		if l.peek(1) == '.' {
			return tok(DotDot, 2)
		}
		return tok(Dot, 1)
	}
	switch r {
	case '(':
		return tok(LParen, 1)
	case ')':
		return tok(RParen, 1)
	case '[':
		return tok(LBrack, 1)
	case ']':
		return tok(RBrack, 1)
	case '{':
		return tok(LBrace, 1)
	case '}':
		return tok(RBrace, 1)
	case ',':
		return tok(Comma, 1)
	case ':':
		return tok(Colon, 1)
	case ';':
		return tok(Semi, 1)
	case '|':
		return tok(Pipe, 1)
	case '*':
		return tok(Star, 1)
	case '=':
		if l.peek(1) == '=' {
			return tok(Eq, 2)
		}
		return tok(Eq, 1)
	}
	t := tok(Illegal, 1)
	if l.err == nil {
		l.err = &Error{Pos: pos, Msg: fmt.Sprintf("unexpected character %q", r)}
	}
	return t
}

// str scans a string in double, single or curly quotes, with \" \\ \n \t
// escapes.
func (l *Lexer) str(pos Pos) Token {
	start := l.off
	open := l.advance()
	closeq := open
	if open == '“' {
		closeq = '”'
	}
	var b strings.Builder
	for {
		if l.off >= len(l.src) || l.peek(0) == '\n' {
			if l.err == nil {
				l.err = &Error{Pos: pos, Msg: fmt.Sprintf("unterminated string: expected %q to close it", closeq)}
			}
			return Token{Kind: Illegal, Pos: pos, Text: l.src[start:l.off]}
		}
		r := l.advance()
		if r == closeq {
			return Token{Kind: String, Pos: pos, Text: l.src[start:l.off], Value: b.String()}
		}
		if r == '\\' && l.off < len(l.src) {
			switch e := l.advance(); e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'a':
				b.WriteByte('\a')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'v':
				b.WriteByte('\v')
			case 'x', 'u', 'U':
				n := map[rune]int{'x': 2, 'u': 4, 'U': 8}[e]
				var v rune
				ok := true
				for i := 0; i < n; i++ {
					d := hexDigit(l.peek(0))
					if d < 0 {
						ok = false
						break
					}
					l.advance()
					v = v<<4 | rune(d)
				}
				if !ok || !utf8.ValidRune(v) {
					if l.err == nil {
						l.err = &Error{Pos: Pos{l.line, l.col}, Msg: fmt.Sprintf("bad \\%c escape in a string", e)}
					}
					continue
				}
				if e == 'x' {
					b.WriteByte(byte(v)) // \xHH is a byte, as in Go
				} else {
					b.WriteRune(v)
				}
			default:
				b.WriteRune(e)
			}
			continue
		}
		b.WriteRune(r)
	}
}

// iri scans <…> when it closes on the same line with no space inside.
func (l *Lexer) iri(pos Pos) (Token, bool) {
	rest := l.src[l.off+1:]
	end := strings.IndexAny(rest, "> \t\n<\"")
	if end <= 0 || rest[end] != '>' {
		return Token{}, false
	}
	start := l.off
	for i := 0; i < utf8.RuneCountInString(rest[:end])+2; i++ {
		l.advance()
	}
	return Token{Kind: IRI, Pos: pos, Text: l.src[start:l.off], Value: rest[:end]}, true
}

// initialismRest returns how many characters from the current dot
// complete an initialism begun by one capital letter: one or more dots
// each followed by a single capital, then a closing dot that no letter,
// digit or dot follows (".S." of U.S.); 0 if they do not.
func (l *Lexer) initialismRest() int {
	n := 0
	for l.peek(n) == '.' && unicode.IsUpper(l.peek(n+1)) && !IsNameChar(l.peek(n+2)) {
		n += 2
	}
	if n == 0 || l.peek(n) != '.' || IsNameChar(l.peek(n+1)) || l.peek(n+1) == '.' {
		return 0
	}
	return n + 1
}

func hexDigit(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case r >= 'a' && r <= 'f':
		return int(r-'a') + 10
	case r >= 'A' && r <= 'F':
		return int(r-'A') + 10
	}
	return -1
}
