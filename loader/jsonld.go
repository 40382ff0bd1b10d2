package loader

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cayleygraph/quad"
	"github.com/piprate/json-gold/ld"
)

// JSON-LD is read with json-gold, but never with its default document
// loader: that one reads local files named in @context and fetches URLs
// with no timeout, and a context cycle makes it recurse without end.
// Entente's loader refuses every remote or local context (and so @import):
// contexts must be inline.
type offlineLoader struct{}

var errRemoteContext = errors.New("remote context refused")

func (offlineLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	return nil, fmt.Errorf("%w: %q (Entente never fetches or opens contexts; put the context inline in @context)", errRemoteContext, u)
}

// DefaultMaxObject caps one top-level JSON-LD object in bytes.
const DefaultMaxObject = 16 << 20

// JSONLDReader reads a JSON-LD document and yields its quads. It streams:
// a top-level array, or the @graph array of a top-level object (after its
// @context), is read one element at a time, so memory stays flat however
// many elements there are. Nesting deeper than the depth limit and
// elements larger than DefaultMaxObject are refused before they are
// parsed.
//
// JSON-LD processing renames blank nodes, so a blank node is known only
// within its top-level element; its label is made from a hash of the
// element, which keeps a reload idempotent.
type JSONLDReader struct {
	name  string
	scan  *jsonScanner
	dec   *json.Decoder
	state int // 0 start, 1 in top-level array, 2 in @graph array, 3 done
	ctx   interface{}
	rest  map[string]interface{} // other keys of a top-level object
	queue []quad.Quad
	err   error
}

// NewJSONLDReader reads JSON-LD from r.
func NewJSONLDReader(r io.Reader, name string, maxDepth int) *JSONLDReader {
	if maxDepth <= 0 {
		maxDepth = 64
	}
	s := &jsonScanner{r: r, maxDepth: maxDepth, maxObject: DefaultMaxObject, line: 1}
	// Numbers decode as float64: json-gold reads no other kind.
	dec := json.NewDecoder(s)
	return &JSONLDReader{name: name, scan: s, dec: dec}
}

func (j *JSONLDReader) fail(line int, kind error, format string, args ...interface{}) error {
	j.state = 3
	return &Error{File: j.name, Line: line, Col: 1, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// decodeErr turns an error of the decoder into a positioned one.
func (j *JSONLDReader) decodeErr(err error) error {
	var se *scanError
	if errors.As(err, &se) {
		j.state = 3
		return &Error{File: j.name, Line: se.line, Col: se.col, Kind: ErrLimit, Msg: se.msg}
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) {
		return j.fail(j.scan.line, ErrSyntax, "invalid JSON: %v", err)
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return j.fail(j.scan.line, ErrSyntax, "invalid JSON: %v", err)
	}
	j.state = 3
	return fmt.Errorf("%s: %w", j.name, err)
}

// ReadQuad returns the next quad, io.EOF at the end.
func (j *JSONLDReader) ReadQuad() (quad.Quad, error) {
	for len(j.queue) == 0 {
		if j.err != nil {
			return quad.Quad{}, j.err
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
		tok, err := j.dec.Token()
		if err == io.EOF {
			return j.fail(1, ErrSyntax, "empty document: expected a JSON-LD object or array")
		} else if err != nil {
			return j.decodeErr(err)
		}
		switch tok {
		case json.Delim('['):
			j.state = 1
			return nil
		case json.Delim('{'):
			return j.readTopObject()
		}
		return j.fail(j.scan.line, ErrSyntax, "expected a JSON-LD object or array, found %v", tok)
	case 1, 2:
		if !j.dec.More() {
			if _, err := j.dec.Token(); err != nil { // ] of the array
				return j.decodeErr(err)
			}
			if j.state == 2 {
				return j.finishTopObject()
			}
			return j.end()
		}
		line := j.scan.line
		j.scan.mark()
		var elem interface{}
		if err := j.dec.Decode(&elem); err != nil {
			return j.decodeErr(err)
		}
		j.scan.unmark()
		return j.process(elem, line)
	}
	return nil
}

// readTopObject reads the keys of a top-level object up to its @graph,
// whose elements are then streamed.
func (j *JSONLDReader) readTopObject() error {
	j.rest = map[string]interface{}{}
	for j.dec.More() {
		tok, err := j.dec.Token()
		if err != nil {
			return j.decodeErr(err)
		}
		key, _ := tok.(string)
		if key == "@graph" {
			t, err := j.dec.Token()
			if err != nil {
				return j.decodeErr(err)
			}
			if t != json.Delim('[') {
				// A single object as the graph: read it whole.
				return j.fail(j.scan.line, ErrSyntax, "expected @graph to be an array")
			}
			j.state = 2
			return nil
		}
		line := j.scan.line
		j.scan.mark()
		var v interface{}
		if err := j.dec.Decode(&v); err != nil {
			return j.decodeErr(err)
		}
		if key == "@context" {
			j.ctx = v
			continue
		}
		_ = line
		j.rest[key] = v
	}
	return j.finishTopObject()
}

// finishTopObject processes what the top-level object held besides its
// @context and @graph, and checks nothing follows the document.
func (j *JSONLDReader) finishTopObject() error {
	// the rest of the object's keys after @graph
	for j.dec.More() {
		tok, err := j.dec.Token()
		if err != nil {
			return j.decodeErr(err)
		}
		key, _ := tok.(string)
		var v interface{}
		if err := j.dec.Decode(&v); err != nil {
			return j.decodeErr(err)
		}
		if key == "@context" {
			return j.fail(j.scan.line, ErrSyntax, "@context must come before @graph, so that the graph can be read as it streams")
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
		if err := j.process(node, 1); err != nil {
			return err
		}
	}
	return j.end()
}

func (j *JSONLDReader) end() error {
	if _, err := j.dec.Token(); err != io.EOF {
		if err != nil {
			return j.decodeErr(err)
		}
		return j.fail(j.scan.line, ErrSyntax, "unexpected data after the JSON-LD document")
	}
	j.state = 3
	return nil
}

// process turns one element into quads with json-gold, offline.
func (j *JSONLDReader) process(elem interface{}, line int) error {
	doc := elem
	if j.ctx != nil {
		if m, ok := elem.(map[string]interface{}); ok {
			if _, has := m["@context"]; !has {
				m2 := make(map[string]interface{}, len(m)+1)
				for k, v := range m {
					m2[k] = v
				}
				m2["@context"] = j.ctx
				doc = m2
			}
		}
	}
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = offlineLoader{}
	opts.ProcessingMode = ld.JsonLd_1_1
	out, err := ld.NewJsonLdProcessor().ToRDF(doc, opts)
	if err != nil {
		msg := err.Error()
		var lde *ld.JsonLdError
		if errors.As(err, &lde) {
			msg = fmt.Sprintf("%s: %v", lde.Code, lde.Details)
		}
		return &Error{File: j.name, Line: line, Col: 1, Kind: ErrSyntax, Msg: "invalid JSON-LD: " + shortenMsg(msg)}
	}
	ds, ok := out.(*ld.RDFDataset)
	if !ok {
		return fmt.Errorf("%s: JSON-LD processing returned %T", j.name, out)
	}
	raw, _ := json.Marshal(elem) // keys sorted: the same element, the same hash
	sum := sha256.Sum256(raw)
	prefix := hex.EncodeToString(sum[:6]) + "."
	for g, qs := range ds.Graphs {
		var label quad.Value
		if g != "@default" {
			label = j.node(ld.NewIRI(g), prefix)
			if strings.HasPrefix(g, "_:") {
				label = quad.BNode(prefix + strings.TrimPrefix(g, "_:"))
			}
		}
		for _, q := range qs {
			j.queue = append(j.queue, quad.Quad{
				Subject:   j.node(q.Subject, prefix),
				Predicate: j.node(q.Predicate, prefix),
				Object:    j.node(q.Object, prefix),
				Label:     label,
			})
		}
	}
	return nil
}

func (j *JSONLDReader) node(n ld.Node, prefix string) quad.Value {
	switch n := n.(type) {
	case *ld.IRI:
		return quad.IRI(n.Value)
	case *ld.BlankNode:
		return quad.BNode(prefix + strings.TrimPrefix(n.Attribute, "_:"))
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

// jsonScanner passes JSON through, tracking the line, the nesting depth
// and the size of the current element, and fails as soon as a limit is
// crossed — before the decoder has built anything.
type jsonScanner struct {
	r         io.Reader
	maxDepth  int
	maxObject int64

	line, col int
	depth     int
	inString  bool
	escape    bool
	marked    bool
	since0    int64
	n         int64
}

type scanError struct {
	line, col int
	msg       string
}

func (e *scanError) Error() string { return e.msg }

// mark starts counting the size of an element; unmark stops.
func (s *jsonScanner) mark() {
	s.marked = true
	s.since0 = s.n
}

func (s *jsonScanner) unmark() { s.marked = false }

func (s *jsonScanner) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	for i := 0; i < n; i++ {
		c := p[i]
		s.n++
		s.col++
		if c == '\n' {
			s.line++
			s.col = 0
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
				return i, &scanError{s.line, s.col, fmt.Sprintf("JSON nested more than %d levels deep", s.maxDepth)}
			}
		case '}', ']':
			s.depth--
		}
	}
	if s.marked {
		if s.n-s.since0 > s.maxObject {
			return n, &scanError{s.line, s.col, fmt.Sprintf("a top-level JSON-LD object is larger than the limit of %s", byteSize(s.maxObject))}
		}
	}
	return n, err
}
