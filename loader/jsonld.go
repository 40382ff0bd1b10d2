package loader

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/cayleygraph/quad"
	"github.com/piprate/json-gold/ld"
)

// JSON-LD is read with json-gold, but never with its default document
// loader: that one reads local files named in @context and fetches URLs
// with no timeout, and a context cycle makes it recurse without end.
// Entente's loader refuses every remote or local context (and so @import):
// contexts must be inline.
//
// json-gold replaces the loader's error with one of its own, so the loader
// remembers what it refused, for the message.
type offlineLoader struct{ refused []string }

func (l *offlineLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	l.refused = append(l.refused, u)
	return nil, fmt.Errorf("remote context %q refused", u)
}

// DefaultMaxObject caps one top-level JSON-LD object in bytes.
const DefaultMaxObject = 16 << 20

// JSONLDReader reads a JSON-LD document and yields its quads. It streams:
// a top-level array, or the @graph array of a top-level object (after its
// @context, and its @id when the graph is named), is read one element at
// a time, so memory stays flat however many elements there are. Nesting
// deeper than the depth limit and elements larger than DefaultMaxObject
// are refused before they are parsed.
//
// Blank nodes are scoped to the document, as JSON-LD has them: a label
// such as _:x names one node in every element that uses it. Stored
// labels are made from a hash of the document's start (its context and
// first element) and, for the unlabelled nodes JSON-LD creates, the
// element's position, so loading the same document again adds nothing
// while two equal unlabelled nodes stay two.
type JSONLDReader struct {
	done  context.Context // stops converting a large element when done
	name  string
	scan  *jsonScanner
	dec   *json.Decoder
	state int // 0 start, 1 in top-level array, 2 in @graph array, 3 done
	ctx   interface{}
	rest  map[string]interface{} // other keys of a top-level object
	held  int64                  // their bytes in the input
	// decodeStart is where the data of the last Decode starts, which
	// the offsets of its errors count from.
	decodeStart int64
	top         int64 // offset of the top-level object
	// The streamed @graph is named by the top-level object's @id.
	named   bool
	graphID interface{}
	queue   []quad.Quad
	err     error
	// Blank nodes: the document's label prefix (set by the first
	// element) and the number of elements processed.
	docPrefix string
	elems     int
}

// NewJSONLDReader reads JSON-LD from r. A leading byte-order mark is
// skipped.
func NewJSONLDReader(r io.Reader, name string, maxDepth int) *JSONLDReader {
	if maxDepth <= 0 {
		maxDepth = 64
	}
	s := &jsonScanner{r: skipBOM(r), maxDepth: maxDepth, maxObject: DefaultMaxObject, keepLine: 1}
	// Numbers decode as float64: json-gold reads no other kind.
	dec := json.NewDecoder(s)
	return &JSONLDReader{done: context.Background(), name: name, scan: s, dec: dec}
}

// fail ends reading with an error at byte offset off of the input.
func (j *JSONLDReader) fail(off int64, kind error, format string, args ...interface{}) error {
	j.state = 3
	line, col := j.scan.position(off)
	return &Error{File: j.name, Line: line, Col: col, Kind: kind, Msg: fmt.Sprintf(format, args...), Src: j.scan.lineAt(off)}
}

// decodeErr turns an error of the decoder into a positioned one.
func (j *JSONLDReader) decodeErr(err error) error {
	var se *scanError
	if errors.As(err, &se) {
		return j.fail(se.off, se.kind, "%s", se.msg)
	}
	if j.scan.readErr != nil { // the input failed (gzip, size limit), not the JSON
		j.state = 3
		return ioError(j.name, j.scan.readErr)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return j.fail(j.scan.end(), ErrSyntax, "invalid JSON: unexpected end of input")
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return j.fail(j.syntaxOffset(), ErrSyntax, "invalid JSON: %s", syn.Error())
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) { // the only type decoded to is interface{}: a number out of range
		num := strings.TrimPrefix(ute.Value, "number ")
		return j.fail(j.scan.find(num, j.decodeStart+ute.Offset+2), ErrSyntax, "number %s is out of range (a JSON-LD number must fit a 64-bit float)", shorten(num))
	}
	j.state = 3
	return ioError(j.name, err)
}

// syntaxOffset finds where the decoder's syntax error is. The decoder
// stops at the start of the value (or token) it failed on, and the
// SyntaxError's own Offset counts only the bytes of its Decode calls, not
// of its Token calls; so the value is read again from there, alone, and
// its error's offset is counted from its start. A value that reads well
// alone was not allowed where it stood: the error is at its start.
func (j *JSONLDReader) syntaxOffset() int64 {
	start := j.dec.InputOffset()
	var raw json.RawMessage
	err := json.NewDecoder(j.dec.Buffered()).Decode(&raw)
	var syn *json.SyntaxError
	if errors.As(err, &syn) && syn.Offset > 0 {
		return start + syn.Offset - 1
	}
	return j.scan.valueStart(start)
}

// ReadQuad returns the next quad, io.EOF at the end.
func (j *JSONLDReader) ReadQuad() (quad.Quad, error) {
	for len(j.queue) == 0 {
		if err := j.err; err != nil { // once: reading ended there
			j.err = nil
			return quad.Quad{}, err
		}
		if j.state == 3 {
			return quad.Quad{}, io.EOF
		}
		if err := j.step(); err != nil {
			j.err = err
		}
	}
	q := j.queue[0]
	j.queue = j.queue[1:]
	return q, nil
}

// step reads the next element (or the document's head) and queues its
// quads.
func (j *JSONLDReader) step() error {
	switch j.state {
	case 0:
		j.dec.More() // look ahead to the first token, for its position
		off := j.dec.InputOffset()
		tok, err := j.dec.Token()
		if err == io.EOF {
			return j.fail(off, ErrSyntax, "empty document: expected a JSON-LD object or array")
		} else if err != nil {
			return j.decodeErr(err)
		}
		switch tok {
		case json.Delim('['):
			j.state = 1
			return nil
		case json.Delim('{'):
			j.top = off
			return j.readTopObject()
		}
		return j.fail(off, ErrSyntax, "expected a JSON-LD object or array, found %s", describeToken(tok))
	case 1, 2:
		more := j.dec.More()
		off := j.dec.InputOffset() // at the element, or at the comma before it
		if !more {
			if _, err := j.dec.Token(); err != nil { // ] of the array
				return j.decodeErr(err)
			}
			if j.state == 2 {
				return j.finishTopObject()
			}
			return j.end()
		}
		j.scan.mark(off)
		j.decodeStart = j.scan.afterComma(off)
		var elem interface{}
		if err := j.dec.Decode(&elem); err != nil {
			return j.decodeErr(err)
		}
		j.scan.unmark()
		err := j.process(elem, j.scan.valueStart(off), j.state == 2)
		j.scan.forget(j.dec.InputOffset())
		return err
	}
	return nil
}

// key reads the next key of an object and returns it with its offset.
func (j *JSONLDReader) key() (string, int64, error) {
	off := j.dec.InputOffset() // at the key, or at the comma before it
	tok, err := j.dec.Token()
	if err != nil {
		return "", 0, j.decodeErr(err)
	}
	key, _ := tok.(string)
	return key, j.scan.valueStart(off), nil
}

// readTopObject reads the keys of a top-level object up to its @graph,
// whose elements are then streamed.
func (j *JSONLDReader) readTopObject() error {
	j.rest = map[string]interface{}{}
	for j.dec.More() {
		key, keyOff, err := j.key()
		if err != nil {
			return err
		}
		if key == "@graph" {
			t, err := j.dec.Token()
			if err != nil {
				return j.decodeErr(err)
			}
			if t != json.Delim('[') {
				return j.fail(keyOff, ErrSyntax, "expected @graph to be an array")
			}
			j.graphID, j.named = j.rest["@id"]
			j.state = 2
			return nil
		}
		v, err := j.member(keyOff)
		if err != nil {
			return err
		}
		if key == "@context" {
			j.ctx = v
			continue
		}
		j.rest[key] = v
	}
	return j.finishTopObject()
}

// member decodes the value of a member of the top-level object (its key
// at keyOff), counting it against the limit on what the object holds
// besides its @graph: all of it is kept until the object ends.
func (j *JSONLDReader) member(keyOff int64) (interface{}, error) {
	start := j.dec.InputOffset()
	j.scan.mark(start)
	j.decodeStart = j.scan.afterComma(start)
	var v interface{}
	if err := j.dec.Decode(&v); err != nil {
		return nil, j.decodeErr(err)
	}
	j.scan.unmark()
	end := j.dec.InputOffset()
	if j.held += end - start; j.held > j.scan.maxObject {
		return nil, j.fail(keyOff, ErrLimit, "the members of the top-level object besides @graph are larger than the limit of %s", byteSize(j.scan.maxObject))
	}
	j.scan.forget(end)
	return v, nil
}

// finishTopObject processes what the top-level object held besides its
// @context and @graph, and checks nothing follows the document.
func (j *JSONLDReader) finishTopObject() error {
	// the rest of the object's keys after @graph
	for j.dec.More() {
		key, keyOff, err := j.key()
		if err != nil {
			return err
		}
		v, err := j.member(keyOff)
		if err != nil {
			return err
		}
		switch key {
		case "@context":
			return j.fail(keyOff, ErrSyntax, "@context must come before @graph, so that the graph can be read as it streams")
		case "@id":
			return j.fail(keyOff, ErrSyntax, "@id must come before @graph, so that the graph's elements can be named as they stream")
		}
		j.rest[key] = v
	}
	if _, err := j.dec.Token(); err != nil { // }
		return j.decodeErr(err)
	}
	node := map[string]interface{}{}
	for k, v := range j.rest {
		if k != "@id" {
			node[k] = v
		}
	}
	if len(node) > 0 {
		for k, v := range j.rest {
			node[k] = v
		}
		if err := j.process(node, j.top, false); err != nil {
			return err
		}
	}
	return j.end()
}

func (j *JSONLDReader) end() error {
	j.dec.More() // look ahead, for the position of anything after the document
	off := j.dec.InputOffset()
	if _, err := j.dec.Token(); err != io.EOF {
		if err != nil {
			return j.decodeErr(err)
		}
		return j.fail(off, ErrSyntax, "unexpected data after the JSON-LD document")
	}
	j.state = 3
	return nil
}

// describeToken says what a JSON token is, briefly.
func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case string:
		return fmt.Sprintf("a string %q", shorten(t))
	case float64, json.Number:
		return "a number"
	case bool:
		return fmt.Sprintf("%v", t)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// errProcessor is a panic of json-gold, turned into an error.
var errProcessor = errors.New("the JSON-LD processor failed on this element")

// process turns one element into quads with json-gold, offline. elem is
// the top-level node, an element of a top-level array, or an element of
// the streamed @graph (inGraph); off is where it starts.
func (j *JSONLDReader) process(elem interface{}, off int64, inGraph bool) error {
	// Each element is processed as a document of its own, in the
	// top-level object's context and, for the elements of a named graph,
	// under its name.
	doc := map[string]interface{}{"@graph": []interface{}{elem}}
	if j.ctx != nil {
		doc["@context"] = j.ctx
	}
	if inGraph && j.named {
		doc["@id"] = j.graphID
	}
	if j.docPrefix == "" {
		ctx, _ := json.Marshal(j.ctx)
		raw, _ := json.Marshal(elem) // keys sorted
		sum := sha256.Sum256(append(append(ctx, 0), raw...))
		j.docPrefix = hex.EncodeToString(sum[:6])
	}
	elemPrefix := fmt.Sprintf("%s.e%d.", j.docPrefix, j.elems)
	j.elems++
	loader := &offlineLoader{}
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = loader
	opts.ProcessingMode = ld.JsonLd_1_1
	// json-gold relabels blank nodes per run: labelled ones are turned
	// into reserved IRIs after expansion (which resolves @id aliases) and
	// back into the document's blank nodes after conversion.
	var ds *ld.RDFDataset
	out, err := expand(doc, opts)
	if err == nil {
		ds, err = toRDF(j.done, labelBlankNodes(out), opts)
	}
	if err != nil {
		if j.done.Err() != nil {
			j.state = 3
			return j.done.Err()
		}
		if len(loader.refused) > 0 {
			return j.fail(off, ErrInvalid, "remote context %q refused: Entente never fetches from the network or opens files; put the context inline in @context", loader.refused[0])
		}
		msg := err.Error()
		var lde *ld.JsonLdError
		if errors.As(err, &lde) {
			msg = fmt.Sprintf("%s: %v", lde.Code, lde.Details)
		}
		j.state = 3
		line, col := j.scan.position(off)
		return &Error{File: j.name, Line: line, Col: col, Kind: ErrSyntax, Msg: "invalid JSON-LD: " + shortenMsg(msg), Src: j.scan.lineAt(off)}
	}
	for g, qs := range ds.Graphs {
		var label quad.Value
		if g != "@default" {
			if strings.HasPrefix(g, "_:") {
				label = j.node(ld.NewBlankNode(g), elemPrefix)
			} else {
				label = j.node(ld.NewIRI(g), elemPrefix)
			}
		}
		for _, q := range qs {
			j.queue = append(j.queue, quad.Quad{
				Subject:   j.node(q.Subject, elemPrefix),
				Predicate: j.node(q.Predicate, elemPrefix),
				Object:    j.node(q.Object, elemPrefix),
				Label:     label,
			})
		}
	}
	return nil
}

// labelledBlank is the reserved IRI scheme that carries a labelled blank
// node through json-gold, which would relabel it.
const labelledBlank = "urn:x-entente-blank:"

// labelBlankNodes rewrites, in expanded JSON-LD, every blank node label
// (_:x in @id and @type) into a reserved IRI.
func labelBlankNodes(v interface{}) interface{} {
	blank := func(x interface{}) interface{} {
		if s, ok := x.(string); ok && strings.HasPrefix(s, "_:") {
			return labelledBlank + strings.TrimPrefix(s, "_:")
		}
		return x
	}
	switch t := v.(type) {
	case map[string]interface{}:
		if _, isValue := t["@value"]; isValue {
			return t
		}
		for k, x := range t {
			switch k {
			case "@id":
				t[k] = blank(x)
			case "@type":
				if xs, ok := x.([]interface{}); ok {
					for i := range xs {
						xs[i] = blank(xs[i])
					}
				} else {
					t[k] = blank(x)
				}
			default:
				labelBlankNodes(x)
			}
		}
	case []interface{}:
		for _, x := range t {
			labelBlankNodes(x)
		}
	}
	return v
}

// expand runs json-gold's expansion, recovering its panics as toRDF does.
func expand(doc interface{}, opts *ld.JsonLdOptions) (out interface{}, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%w (%v)", errProcessor, r)
		}
	}()
	return ld.NewJsonLdProcessor().Expand(doc, opts)
}

// node turns json-gold's term into a quad value. Labelled blank nodes come
// back from their reserved IRIs into the document's scope; the blank nodes
// json-gold made up are the element's own.
func (j *JSONLDReader) node(n ld.Node, elemPrefix string) quad.Value {
	switch n := n.(type) {
	case *ld.IRI:
		if label, ok := strings.CutPrefix(n.Value, labelledBlank); ok {
			return quad.BNode(j.docPrefix + ".n." + label)
		}
		return quad.IRI(n.Value)
	case *ld.BlankNode:
		return quad.BNode(elemPrefix + strings.TrimPrefix(n.Attribute, "_:"))
	case *ld.Literal:
		switch {
		case n.Language != "":
			return quad.LangString{Value: quad.String(n.Value), Lang: n.Language}
		case n.Datatype == "" || n.Datatype == ld.XSDString:
			return quad.String(n.Value)
		}
		return quad.TypedString{Value: quad.String(n.Value), Type: quad.IRI(n.Datatype)}
	}
	return nil
}

func shortenMsg(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// jsonScanner passes JSON through, tracking the nesting depth and the size
// of the current element, and fails as soon as a limit is crossed — before
// the decoder has built anything. It keeps the input from a little before
// where the decoder stands, to turn a byte offset into a line and column.
type jsonScanner struct {
	r         io.Reader
	maxDepth  int
	maxObject int64

	n         int64             // bytes read
	rune      [utf8.UTFMax]byte // a character read in part, partial bytes
	partial   int
	partialAt int64 // its offset
	runStart  int64 // offset after the last delimiter outside a string
	depth     int
	inString  bool
	escape    bool
	marked    bool
	start     int64 // offset of the element being measured
	// err is sticky: json.Decoder drops a read error when the same read
	// returned bytes it can scan first, and reads on.
	err     error
	readErr error // an error of the input itself, not io.EOF

	keep     []byte // the input from offset keepAt on
	keepAt   int64
	keepLine int // the line of offset keepAt, from 1
	keepCol  int // characters before keepAt on its line
}

// scanChunk is the most jsonScanner reads at a time.
const scanChunk = 64 << 10

type scanError struct {
	off  int64
	kind error
	msg  string
}

func (e *scanError) Error() string { return e.msg }

// mark starts measuring the element at offset off; unmark stops.
func (s *jsonScanner) mark(off int64) {
	s.marked = true
	s.start = off
}

func (s *jsonScanner) unmark() { s.marked = false }

func (s *jsonScanner) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if len(p) > scanChunk { // to stop within a chunk of a limit
		p = p[:scanChunk]
	}
	n, err := s.r.Read(p)
	s.keep = append(s.keep, p[:n]...)
	for i := 0; i < n; i++ {
		c := p[i]
		off := s.n
		s.n++
		// The rule of every reader's text (see badText), before the
		// decoder turns invalid UTF-8 into U+FFFD.
		if c >= 0x80 || s.partial > 0 {
			if s.partial == 0 {
				s.partialAt = off
			}
			s.rune[s.partial] = c
			s.partial++
			if !utf8.FullRune(s.rune[:s.partial]) {
				continue
			}
			r, size := utf8.DecodeRune(s.rune[:s.partial])
			if r == utf8.RuneError && size <= 1 || controlChar(r) {
				s.err = &scanError{s.partialAt, ErrSyntax, textError(r)}
				return i, s.err
			}
			s.partial = 0
			continue
		}
		if controlChar(rune(c)) {
			s.err = &scanError{off, ErrSyntax, textError(rune(c))}
			return i, s.err
		}
		if s.inString {
			switch {
			case s.escape:
				s.escape = false
			case c == '\\':
				s.escape = true
			case c == '"':
				s.inString = false
			}
			continue
		}
		switch c {
		case '"':
			s.inString = true
		case '{', '[':
			s.depth++
			if s.depth > s.maxDepth {
				s.err = &scanError{off, ErrLimit, fmt.Sprintf("JSON nested more than %d levels deep", s.maxDepth)}
				return i, s.err
			}
			s.runStart = s.n
		case '}', ']':
			s.depth--
			s.runStart = s.n
		case ',', ':':
			s.runStart = s.n
		}
	}
	// A string, a number or white space the decoder holds whole, in or
	// out of an element.
	if s.n-s.runStart > s.maxObject {
		what := "a JSON value or run of white space is longer than the limit of %s"
		if s.inString {
			what = "a JSON string is longer than the limit of %s"
		}
		s.err = &scanError{s.runStart, ErrLimit, fmt.Sprintf(what, byteSize(s.maxObject))}
		return n, s.err
	}
	if s.marked && s.n-s.start > s.maxObject {
		s.err = &scanError{s.start, ErrLimit, fmt.Sprintf("a top-level JSON-LD object is larger than the limit of %s", byteSize(s.maxObject))}
		return n, s.err
	}
	if err == io.EOF && s.partial > 0 { // the input ends inside a character
		s.err = &scanError{s.partialAt, ErrSyntax, textError(utf8.RuneError)}
		return n, s.err
	}
	if err != nil && err != io.EOF {
		s.err, s.readErr = err, err
	}
	return n, err
}

// end is the offset of the end of the input for a position: the end of
// its last line.
func (s *jsonScanner) end() int64 {
	if s.n > 0 && s.byteAt(s.n-1) == '\n' {
		return s.n - 1
	}
	return s.n
}

// byteAt returns the byte at offset off, or 0 if it is not kept.
func (s *jsonScanner) byteAt(off int64) byte {
	if i := off - s.keepAt; i >= 0 && i < int64(len(s.keep)) {
		return s.keep[i]
	}
	return 0
}

// find returns the offset of the last text before offset end, as kept;
// end when it is not there.
func (s *jsonScanner) find(text string, end int64) int64 {
	i := min(max(end-s.keepAt, 0), int64(len(s.keep)))
	if at := bytes.LastIndex(s.keep[:i], []byte(text)); at >= 0 {
		return s.keepAt + int64(at)
	}
	return end
}

// afterComma returns the offset after the comma or colon that follows
// offset off and white space, or off when none does: where the decoder
// starts the data of a value.
func (s *jsonScanner) afterComma(off int64) int64 {
	for p := off; p < s.keepAt+int64(len(s.keep)); p++ {
		switch s.byteAt(p) {
		case ' ', '\t', '\r', '\n':
		case ',', ':':
			return p + 1
		default:
			return off
		}
	}
	return off
}

// valueStart skips a comma and white space from offset off: the decoder
// stands at the comma before an array's next element or object's next key.
func (s *jsonScanner) valueStart(off int64) int64 {
	comma := false
	for off < s.keepAt+int64(len(s.keep)) {
		switch s.byteAt(off) {
		case ' ', '\t', '\r', '\n':
		case ',':
			if comma {
				return off
			}
			comma = true
		default:
			return off
		}
		off++
	}
	return off
}

// position returns the line and column (in characters, from 1) of byte
// offset off, which must be at or after the decoder's position.
func (s *jsonScanner) position(off int64) (line, col int) {
	off = min(max(off, s.keepAt), s.keepAt+int64(len(s.keep)))
	data := s.keep[:off-s.keepAt]
	line, col = s.keepLine, s.keepCol
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		line += bytes.Count(data, []byte{'\n'})
		col = 0
		data = data[i+1:]
	}
	return line, col + runeCount(data) + 1
}

// lineAt returns the line that holds offset off, up to a little past it,
// for Error.Src; "" when its start is no longer kept.
func (s *jsonScanner) lineAt(off int64) string {
	off = min(max(off, s.keepAt), s.keepAt+int64(len(s.keep)))
	i := int(off - s.keepAt)
	start := bytes.LastIndexByte(s.keep[:i], '\n') + 1
	if start == 0 && s.keepCol > 0 {
		return ""
	}
	end := min(len(s.keep), i+200)
	if nl := bytes.IndexByte(s.keep[i:end], '\n'); nl >= 0 {
		end = i + nl
	}
	return strings.TrimRight(string(s.keep[start:end]), "\r")
}

// keepContext is how much input before the decoder's position is kept for
// the source line of an error; the rest is dropped in steps of
// forgetStep, counting its lines.
const (
	keepContext = 4 << 10
	forgetStep  = 64 << 10
)

// forget drops the input kept from before offset off, the decoder's
// position, keeping keepContext bytes.
func (s *jsonScanner) forget(off int64) {
	cut := off - keepContext
	if cut-s.keepAt < forgetStep {
		return
	}
	drop := s.keep[:cut-s.keepAt]
	if i := bytes.LastIndexByte(drop, '\n'); i >= 0 {
		s.keepLine += bytes.Count(drop, []byte{'\n'})
		s.keepCol = runeCount(drop[i+1:])
	} else {
		s.keepCol += runeCount(drop)
	}
	s.keep = append(s.keep[:0], s.keep[cut-s.keepAt:]...)
	s.keepAt = cut
}

// runeCount counts the characters of UTF-8 text that may start or end in
// the middle of one: the bytes that do not continue a character.
func runeCount(b []byte) int {
	n := 0
	for _, c := range b {
		if c&0xC0 != 0x80 {
			n++
		}
	}
	return n
}
