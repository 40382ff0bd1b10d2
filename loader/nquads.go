package loader

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/cayleygraph/quad"
)

// DefaultMaxLine is the longest line (in bytes) a line-based reader
// accepts unless told otherwise: long enough for any real literal, short
// enough that a runaway one cannot exhaust memory.
const DefaultMaxLine = 1 << 20

// NQuadsOptions configure an N-Quads or N-Triples reader.
type NQuadsOptions struct {
	// Triples reads N-Triples: a graph label is an error.
	Triples bool
	// Strict follows RDF 1.1 to the letter: every IRI must be absolute,
	// and a literal may hold any character, control characters too
	// (without it they are refused, as in every format: see badText).
	// Without it relative IRIs such as <name> are accepted, as Cayley
	// writes and reads them (its movie data set uses them throughout).
	Strict bool
	// MaxLine caps the length of a line in bytes (default DefaultMaxLine).
	MaxLine int
}

// NQuadsReader reads N-Quads or N-Triples one statement per line. Blank
// node labels are kept as written (they name the same node in every file
// and every load, which keeps loads idempotent). An error is an *Error
// for that line; reading on continues with the next line.
type NQuadsReader struct {
	lr   *lineReader
	name string
	opts NQuadsOptions
	p    parser
}

// NewNQuadsReader reads from r; name is used in error positions.
func NewNQuadsReader(r io.Reader, name string, opts *NQuadsOptions) *NQuadsReader {
	var o NQuadsOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultMaxLine
	}
	return &NQuadsReader{lr: newLineReader(r, o.MaxLine), name: name, opts: o}
}

// Line returns the number of the line read last.
func (r *NQuadsReader) Line() int { return r.lr.line }

// ReadQuad returns the next statement, io.EOF at the end.
func (r *NQuadsReader) ReadQuad() (quad.Quad, error) {
	for {
		line, err := r.lr.next()
		if err == io.EOF {
			return quad.Quad{}, io.EOF
		} else if errors.Is(err, errLineTooLong) {
			return quad.Quad{}, lineLimitError(r.name, r.lr.line, r.opts.MaxLine)
		} else if err != nil {
			return quad.Quad{}, ioError(r.name, err)
		}
		r.p = parser{src: line, strict: r.opts.Strict}
		q, ok, perr := r.p.statement(r.opts.Triples)
		if perr != nil {
			return quad.Quad{}, &Error{File: r.name, Line: r.lr.line, Col: r.p.col(perr.at),
				Msg: perr.msg, Kind: ErrSyntax, Src: string(line)}
		}
		if ok {
			return q, nil
		}
	}
}

// lineReader splits input into lines at LF, CR or CRLF. A line over the
// limit ends the input: reading stops within a chunk of crossing it,
// never holding more than the limit and a chunk in memory.
type lineReader struct {
	r    io.Reader
	max  int // the longest line, in bytes, without its ending
	line int
	buf  []byte // buf[pos:] is read and not yet returned
	pos  int
	err  error // the error that ended reading: io.EOF at the end
	// skipLF: the last line ended with CR, so an LF that follows is part
	// of its ending.
	skipLF bool
}

var errLineTooLong = errors.New("line too long")

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: skipBOM(r), max: max}
}

// readChunk is how much lineReader asks its input for at a time.
const readChunk = 64 << 10

// fill reads more input after buf[pos:].
func (l *lineReader) fill() {
	if l.pos > 0 {
		n := copy(l.buf, l.buf[l.pos:])
		l.buf, l.pos = l.buf[:n], 0
	}
	if cap(l.buf)-len(l.buf) < readChunk {
		nb := make([]byte, len(l.buf), 2*cap(l.buf)+readChunk)
		copy(nb, l.buf)
		l.buf = nb
	}
	n, err := l.r.Read(l.buf[len(l.buf):cap(l.buf)])
	l.buf = l.buf[:len(l.buf)+n]
	if err != nil {
		l.err = err
	}
}

// next returns the next line without its ending, errLineTooLong for a line
// of more than max bytes (after which it returns io.EOF: the rest of the
// input is not read), or the input's error. The slice is valid until the
// next call.
func (l *lineReader) next() ([]byte, error) {
	scanned := 0 // bytes of buf[pos:] known to hold no line ending
	for {
		data := l.buf[l.pos:]
		if l.skipLF && len(data) > 0 {
			l.skipLF = false
			if data[0] == '\n' {
				l.pos++
				continue
			}
		}
		if i := bytes.IndexAny(data[scanned:], "\r\n"); i >= 0 {
			i += scanned
			l.line++
			if i > l.max {
				return nil, l.tooLong()
			}
			l.pos += i + 1
			l.skipLF = data[i] == '\r'
			return data[:i], nil
		}
		scanned = len(data)
		if len(data) > l.max {
			l.line++
			return nil, l.tooLong()
		}
		if l.err != nil {
			if l.err != io.EOF || len(data) == 0 {
				return nil, l.err
			}
			l.line++ // the last line, without an ending
			l.pos += len(data)
			return data, nil
		}
		l.fill()
	}
}

// lineLimitError is the error of a line over the limit of max bytes, in
// every line-based format.
func lineLimitError(file string, line, max int) *Error {
	return &Error{File: file, Line: line, Col: 1, Kind: ErrLimit,
		Msg: fmt.Sprintf("line is longer than the limit of %s (--max-line); reading stopped there", byteSize(int64(max)))}
}

// tooLong stops reading at a line over the limit.
func (l *lineReader) tooLong() error {
	l.buf, l.pos, l.err = nil, 0, io.EOF
	return errLineTooLong
}

// parser parses one line of N-Quads.
type parser struct {
	src    []byte
	pos    int
	strict bool
}

type parseError struct {
	at  int
	msg string
}

func (p *parser) fail(at int, format string, args ...interface{}) *parseError {
	return &parseError{at: at, msg: fmt.Sprintf(format, args...)}
}

// col converts a byte offset to a column in characters, from 1.
func (p *parser) col(at int) int {
	if at > len(p.src) {
		at = len(p.src)
	}
	return utf8.RuneCount(p.src[:at]) + 1
}

func (p *parser) found() string { return quoteFound(string(p.src[p.pos:min(len(p.src), p.pos+64)])) }

func (p *parser) ws() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

// statement parses
//
//	statement = subject predicate object [ graphLabel ] "." [ comment ] .
//
// ok is false for a blank or comment-only line.
func (p *parser) statement(triples bool) (q quad.Quad, ok bool, err *parseError) {
	if at, msg, bad := badText(p.src, !p.strict); bad {
		return q, false, p.fail(at, "%s", msg)
	}
	p.ws()
	if p.pos == len(p.src) || p.src[p.pos] == '#' {
		return q, false, nil
	}
	if q.Subject, err = p.term("a subject (an IRI <…> or a blank node _:…)", true, false); err != nil {
		return q, false, err
	}
	p.ws()
	if q.Predicate, err = p.term("a predicate (an IRI <…>)", false, false); err != nil {
		return q, false, err
	}
	p.ws()
	if q.Object, err = p.term("an object (an IRI <…>, a blank node _:… or a literal \"…\")", true, true); err != nil {
		return q, false, err
	}
	p.ws()
	if p.pos < len(p.src) && p.src[p.pos] != '.' {
		if triples {
			return q, false, p.fail(p.pos, "expected \".\" to end the triple, found %s (N-Triples has no graph label)", p.found())
		}
		if q.Label, err = p.term("a graph label (an IRI <…> or a blank node _:…) or \".\"", true, false); err != nil {
			return q, false, err
		}
		p.ws()
	}
	if p.pos >= len(p.src) || p.src[p.pos] != '.' {
		return q, false, p.fail(p.pos, "expected \".\" to end the statement, found %s", p.found())
	}
	p.pos++
	p.ws()
	if p.pos < len(p.src) && p.src[p.pos] != '#' {
		return q, false, p.fail(p.pos, "expected the end of the line after \".\", found %s", p.found())
	}
	return q, true, nil
}

// term parses one of IRIREF, BLANK_NODE_LABEL or literal, as allowed.
func (p *parser) term(what string, bnode, literal bool) (quad.Value, *parseError) {
	if p.pos >= len(p.src) {
		return nil, p.fail(p.pos, "expected %s, found end of line", what)
	}
	switch c := p.src[p.pos]; {
	case c == '<':
		iri, err := p.iri()
		if err != nil {
			return nil, err
		}
		return quad.IRI(iri), nil
	case c == '_' && bnode:
		return p.blank()
	case c == '"' && literal:
		return p.literal()
	}
	return nil, p.fail(p.pos, "expected %s, found %s", what, p.found())
}

// iri parses IRIREF = "<" { IRI char | UCHAR } ">".
func (p *parser) iri() (string, *parseError) {
	start := p.pos
	p.pos++ // <
	var b strings.Builder
	plain := p.pos
	for {
		if p.pos >= len(p.src) {
			return "", p.fail(start, "expected \">\" to close the IRI, found end of line")
		}
		c := p.src[p.pos]
		switch {
		case c == '>':
			var s string
			if b.Len() == 0 {
				s = string(p.src[plain:p.pos])
			} else {
				b.Write(p.src[plain:p.pos])
				s = b.String()
			}
			p.pos++
			if p.strict && !hasScheme(s) {
				return "", p.fail(start, "expected an absolute IRI, found relative IRI <%s> (strict mode)", shorten(s))
			}
			return s, nil
		case c == '\\':
			b.Write(p.src[plain:p.pos])
			r, err := p.uchar()
			if err != nil {
				return "", err
			}
			if r <= 0x20 || strings.ContainsRune("<>\"{}|^`\\", r) {
				return "", p.fail(p.pos-1, "escaped character %U is not allowed in an IRI", r)
			}
			b.WriteRune(r)
			plain = p.pos
		case c <= 0x20 || c == '<' || c == '"' || c == '{' || c == '}' || c == '|' || c == '^' || c == '`':
			what := quoteFound(string(p.src[p.pos : p.pos+1]))
			if c > ' ' {
				what = "character " + what
			}
			return "", p.fail(p.pos, "%s is not allowed in an IRI", what)
		default:
			p.pos++
		}
	}
}

// uchar parses UCHAR = "\u" hex{4} | "\U" hex{8} at p.pos.
func (p *parser) uchar() (rune, *parseError) {
	at := p.pos
	if p.pos+1 >= len(p.src) || (p.src[p.pos+1] != 'u' && p.src[p.pos+1] != 'U') {
		return 0, p.fail(at, "expected \\u or \\U escape, found %s", p.found())
	}
	n := 4
	if p.src[p.pos+1] == 'U' {
		n = 8
	}
	p.pos += 2
	if p.pos+n > len(p.src) {
		return 0, p.fail(at, "expected %d hexadecimal digits after \\%c", n, p.src[at+1])
	}
	var r rune
	for i := 0; i < n; i++ {
		d := hexVal(p.src[p.pos+i])
		if d < 0 {
			return 0, p.fail(p.pos+i, "expected a hexadecimal digit in the \\%c escape, found %s", p.src[at+1], quoteFound(string(p.src[p.pos+i:])))
		}
		r = r<<4 | rune(d)
	}
	p.pos += n
	if !utf8.ValidRune(r) {
		return 0, p.fail(at, "escape \\%c%s is not a valid character", p.src[at+1], p.src[at+2:at+2+n])
	}
	return r, nil
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// blank parses BLANK_NODE_LABEL = "_:" (PN_CHARS_U | digit) [ { PN_CHARS | "." } PN_CHARS ].
func (p *parser) blank() (quad.Value, *parseError) {
	start := p.pos
	if p.pos+1 >= len(p.src) || p.src[p.pos+1] != ':' {
		return nil, p.fail(start, "expected \"_:\" to start a blank node, found %s", p.found())
	}
	p.pos += 2
	labelStart := p.pos
	r, n := utf8.DecodeRune(p.src[p.pos:])
	if n == 0 || !(isPNCharsU(r) || (r >= '0' && r <= '9')) {
		return nil, p.fail(p.pos, "expected a blank node label after \"_:\", found %s", p.found())
	}
	p.pos += n
	lastDot := false
	for p.pos < len(p.src) {
		r, n := utf8.DecodeRune(p.src[p.pos:])
		if r == '.' {
			lastDot = true
		} else if isPNChars(r) {
			lastDot = false
		} else {
			break
		}
		p.pos += n
	}
	if lastDot { // a label cannot end with "."; that dot ends the statement
		p.pos--
		for p.pos > labelStart && p.src[p.pos-1] == '.' {
			p.pos--
		}
	}
	return quad.BNode(p.src[labelStart:p.pos]), nil
}

// literal parses STRING_LITERAL_QUOTE [ "^^" IRIREF | LANGTAG ].
func (p *parser) literal() (quad.Value, *parseError) {
	start := p.pos
	p.pos++ // "
	var b strings.Builder
	plain := p.pos
	var s string
	for {
		if p.pos >= len(p.src) {
			return nil, p.fail(start, "expected '\"' to close the string, found end of line")
		}
		c := p.src[p.pos]
		if c == '"' {
			if b.Len() == 0 {
				s = string(p.src[plain:p.pos])
			} else {
				b.Write(p.src[plain:p.pos])
				s = b.String()
			}
			p.pos++
			break
		}
		if c != '\\' {
			p.pos++
			continue
		}
		b.Write(p.src[plain:p.pos])
		if p.pos+1 >= len(p.src) {
			return nil, p.fail(p.pos, "expected an escape after \"\\\", found end of line")
		}
		switch e := p.src[p.pos+1]; e {
		case 't':
			b.WriteByte('\t')
		case 'b':
			b.WriteByte('\b')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case '"', '\'', '\\':
			b.WriteByte(e)
		case 'u', 'U':
			r, err := p.uchar()
			if err != nil {
				return nil, err
			}
			b.WriteRune(r)
			plain = p.pos
			continue
		default:
			return nil, p.fail(p.pos, "unknown escape \"\\%c\" in a string (expected \\t \\b \\n \\r \\f \\\" \\' \\\\ \\u or \\U)", e)
		}
		p.pos += 2
		plain = p.pos
	}
	if p.pos < len(p.src) && p.src[p.pos] == '@' {
		at := p.pos
		p.pos++
		tagStart := p.pos
		for p.pos < len(p.src) && isAlpha(p.src[p.pos]) {
			p.pos++
		}
		if p.pos == tagStart {
			return nil, p.fail(at, "expected a language tag after \"@\", found %s", quoteFound(string(p.src[p.pos:])))
		}
		for p.pos < len(p.src) && p.src[p.pos] == '-' {
			p.pos++
			sub := p.pos
			for p.pos < len(p.src) && (isAlpha(p.src[p.pos]) || (p.src[p.pos] >= '0' && p.src[p.pos] <= '9')) {
				p.pos++
			}
			if p.pos == sub {
				return nil, p.fail(p.pos, "expected a language subtag after \"-\", found %s", p.found())
			}
		}
		return quad.LangString{Value: quad.String(s), Lang: string(p.src[tagStart:p.pos])}, nil
	}
	if p.pos+1 < len(p.src) && p.src[p.pos] == '^' && p.src[p.pos+1] == '^' {
		p.pos += 2
		if p.pos >= len(p.src) || p.src[p.pos] != '<' {
			return nil, p.fail(p.pos, "expected a datatype IRI <…> after \"^^\", found %s", p.found())
		}
		dt, err := p.iri()
		if err != nil {
			return nil, err
		}
		return quad.TypedString{Value: quad.String(s), Type: quad.IRI(dt)}, nil
	}
	return quad.String(s), nil
}

func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func isPNCharsBase(r rune) bool {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z',
		r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x2FF,
		r >= 0x370 && r <= 0x37D, r >= 0x37F && r <= 0x1FFF, r >= 0x200C && r <= 0x200D,
		r >= 0x2070 && r <= 0x218F, r >= 0x2C00 && r <= 0x2FEF, r >= 0x3001 && r <= 0xD7FF,
		r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFFD, r >= 0x10000 && r <= 0xEFFFF:
		return true
	}
	return false
}

func isPNCharsU(r rune) bool { return isPNCharsBase(r) || r == '_' || r == ':' }

func isPNChars(r rune) bool {
	return isPNCharsU(r) || r == '-' || (r >= '0' && r <= '9') || r == 0xB7 ||
		(r >= 0x300 && r <= 0x36F) || (r >= 0x203F && r <= 0x2040)
}

// hasScheme reports whether an IRI is absolute: scheme ":" ….
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c):
		case i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
