package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/render"
)

var errAnswerTooLarge = errors.New("server: the answer is over the server's size cap: narrow the query or lower its limit")

// queryRequest is the body of POST /api/query.
type queryRequest struct {
	Query string `json:"query"`
	Lang  string `json:"lang"`
	// Limit is the row limit (the command line's --limit); a limit
	// clause in the query overrides it.
	Limit int `json:"limit"`
	// Format "jsonl" answers the rows alone, as JSON Lines, exactly as
	// `entente query --format json` prints them.
	Format string `json:"format"`
}

// answer is the body of a successful query: the rows as `query --format
// json` prints them, and the subgraph they hold, for drawing.
type answer struct {
	Kind      string            `json:"kind"`
	Statement string            `json:"statement"`
	Columns   []string          `json:"columns"`
	Rows      []json.RawMessage `json:"rows"`
	Capped    bool              `json:"capped"`
	Note      string            `json:"note,omitempty"`
	Notes     []string          `json:"notes,omitempty"`
	Graph     graphJ            `json:"graph"`
}

// graphJ is an answer's subgraph: nodes and relations in render's JSON
// (a relation has from, to, rel, its qualifiers and its evidence).
type graphJ struct {
	Nodes []interface{} `json:"nodes"`
	Edges []interface{} `json:"edges"`
	// Marks are a network answer's marks of its nodes, by node id: the
	// community or component (group), the rank and the score the page
	// outlines them by, as exports do.
	Marks map[string]markJ `json:"marks,omitempty"`
}

// markJ is one node's mark.
type markJ struct {
	Group int     `json:"group,omitempty"`
	Rank  int     `json:"rank,omitempty"`
	Score float64 `json:"score,omitempty"`
}

// decode reads a JSON request body under the body cap. It asks for
// application/json, which a cross-site form cannot send without a
// preflight this server never grants.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v interface{}) error {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("send the request as Content-Type: application/json (not %q)", ct)
	}
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return err
		}
		return fmt.Errorf("the request's body is not the JSON expected: %v", err)
	}
	return nil
}

// run evaluates one query under the server's bounds: a slot among the
// concurrent queries, the timeout, the row limit.
func (s *Server) run(ctx context.Context, lang, src string, limit int) (*query.Result, error) {
	if lang == "" {
		lang = "eql"
	}
	if lang != "eql" && lang != "gizmo" {
		return nil, fmt.Errorf("unknown lang %q (eql, gizmo)", lang)
	}
	if strings.TrimSpace(src) == "" {
		return nil, errors.New("no query given")
	}
	if limit <= 0 {
		limit = s.opts.Limit
	}
	if limit > maxLimit {
		limit = maxLimit
	}
	s.busy.Add(1)
	defer s.busy.Done()
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	if err := s.acquire(ctx); err != nil {
		return nil, err
	}
	defer s.release()
	return query.RunLang(ctx, s.db, lang, src, &query.Options{Limit: limit, Timeout: s.opts.Timeout})
}

// cappedBuffer is a buffer that fails past its cap.
type cappedBuffer struct {
	bytes.Buffer
	max int64
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if int64(b.Len()+len(p)) > b.max {
		return 0, errAnswerTooLarge
	}
	return b.Buffer.Write(p)
}

// respond answers a result: its rows as render's JSON, and its subgraph.
func (s *Server) respond(w http.ResponseWriter, res *query.Result) {
	buf := &cappedBuffer{max: s.opts.MaxAnswer}
	if err := render.WriteJSON(buf, res); err != nil {
		writeErr(w, err)
		return
	}
	a := answer{Kind: res.Kind, Statement: res.Statement, Columns: res.Columns, Rows: []json.RawMessage{},
		Capped: res.Capped, Note: res.Note, Notes: res.Notes, Graph: subgraphJSON(export.SubgraphOf(res))}
	if a.Columns == nil {
		a.Columns = []string{}
	}
	for _, line := range bytes.Split(buf.Bytes(), []byte("\n")) {
		if len(line) > 0 {
			a.Rows = append(a.Rows, json.RawMessage(line))
		}
	}
	out := &cappedBuffer{max: s.opts.MaxAnswer}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		writeErr(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(out.Bytes())
}

func subgraphJSON(sg *export.Subgraph) graphJ {
	g := graphJ{Nodes: make([]interface{}, 0, len(sg.Nodes)), Edges: make([]interface{}, 0, len(sg.Relations))}
	for _, n := range sg.Nodes {
		g.Nodes = append(g.Nodes, render.JSONValue(n))
	}
	for _, r := range sg.Relations {
		g.Edges = append(g.Edges, render.JSONValue(r))
	}
	if len(sg.Marks) > 0 {
		g.Marks = make(map[string]markJ, len(sg.Marks))
		for id, m := range sg.Marks {
			g.Marks[id] = markJ{Group: m.Group, Rank: m.Rank, Score: m.Score}
		}
	}
	return g
}

// query is POST /api/query.
func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	var req queryRequest
	if err := s.decode(w, r, &req); err != nil {
		writeErr(w, err)
		return
	}
	res, err := s.run(r.Context(), req.Lang, req.Query, req.Limit)
	if err != nil {
		writeErr(w, err)
		return
	}
	if req.Format == "jsonl" || req.Format == "json" {
		buf := &cappedBuffer{max: s.opts.MaxAnswer}
		if err := render.WriteJSON(buf, res); err != nil {
			writeErr(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		w.Write(buf.Bytes())
		return
	}
	if req.Format != "" {
		writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("unknown format %q (leave it out for the page's answer, or jsonl)", req.Format))
		return
	}
	s.respond(w, res)
}

// info is GET /api/info: what the page needs to know of the server and
// the vocabulary.
func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	formats := make([]string, len(export.Formats))
	for i, f := range export.Formats {
		formats[i] = string(f)
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{
		"version":    s.opts.Version,
		"write":      s.opts.Write,
		"limit":      s.opts.Limit,
		"draw_limit": DefaultDrawLimit,
		"timeout":    s.opts.Timeout.String(),
		"formats":    formats,
		"kinds":      graph.KindNames(),
		"types":      graph.TypeNames(),
		"statuses":   []string{"existing", "at_risk", "potential", "proposed", "lapsed"},
	})
}

// ref writes a node id as an EQL name: an IRI in angle brackets where it
// can be written so, else a quoted string (a blank node, "_:label").
func ref(id string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return "", errors.New("no id given")
	}
	if strings.HasPrefix(id, "_:") {
		return strconv.Quote(id), nil
	}
	if strings.ContainsAny(id, " \t\r\n<>\"") || strings.HasPrefix(id, "-") || strings.HasPrefix(id, "=") || strings.HasPrefix(id, ">") {
		return "", fmt.Errorf("%q is not a node id this API can name (give the id as /api/complete answers it)", id)
	}
	return "<" + id + ">", nil
}

func intParam(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s must be a positive number, not %q", name, v)
	}
	return n, nil
}

// entity is GET /api/entity?id=ID: the entity's card, the answer of
// `show <ID>`.
func (s *Server) entity(w http.ResponseWriter, r *http.Request) {
	id, err := ref(r.URL.Query().Get("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	limit, err := intParam(r, "limit", s.opts.Limit)
	if err != nil {
		writeErr(w, err)
		return
	}
	res, err := s.run(r.Context(), "eql", "show "+id, limit)
	if err != nil {
		writeErr(w, err)
		return
	}
	s.respond(w, res)
}

// neighbors is GET /api/neighbors?id=ID[&depth=D][&limit=N][&via=K,K]:
// the nodes around one, `neighbors <ID> depth D limit N` (D: 1, N: 500
// unless given).
func (s *Server) neighbors(w http.ResponseWriter, r *http.Request) {
	id, err := ref(r.URL.Query().Get("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	limit, err := intParam(r, "limit", DefaultDrawLimit)
	if err != nil {
		writeErr(w, err)
		return
	}
	src := "neighbors " + id
	depth, err := intParam(r, "depth", 1)
	if err != nil {
		writeErr(w, err)
		return
	}
	if depth > 1 {
		src += " depth " + strconv.Itoa(depth)
	}
	if via := r.URL.Query().Get("via"); via != "" {
		var kinds []string
		for _, k := range strings.Split(via, ",") {
			k, err := ref(k)
			if err != nil {
				writeErr(w, err)
				return
			}
			kinds = append(kinds, k)
		}
		src += " via " + strings.Join(kinds, ", ")
	}
	src += " limit " + strconv.Itoa(min(limit, maxLimit))
	res, err := s.run(r.Context(), "eql", src, limit)
	if err != nil {
		writeErr(w, err)
		return
	}
	s.respond(w, res)
}

// path is GET /api/path?from=ID&to=ID[&all=1][&including=STATUS]: the
// shortest paths among the strongest, `path <A> to <B>` (all=1: every
// simple path among the strongest, `paths <A> to <B>`).
func (s *Server) path(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err := ref(q.Get("from"))
	if err != nil {
		writeErr(w, fmt.Errorf("from: %w", err))
		return
	}
	to, err := ref(q.Get("to"))
	if err != nil {
		writeErr(w, fmt.Errorf("to: %w", err))
		return
	}
	stmt := "path"
	if q.Get("all") == "1" || q.Get("all") == "true" {
		stmt = "paths"
	}
	src := stmt + " " + from + " to " + to
	if inc := q.Get("including"); inc != "" {
		if !isWord(inc) {
			writeErr(w, fmt.Errorf("including: %q is not a status", inc))
			return
		}
		src += " including " + inc
	}
	limit, err := intParam(r, "limit", 0)
	if err != nil {
		writeErr(w, err)
		return
	}
	if limit > 0 {
		src += " limit " + strconv.Itoa(min(limit, maxLimit))
	}
	res, err := s.run(r.Context(), "eql", src, limit)
	if err != nil {
		writeErr(w, err)
		return
	}
	s.respond(w, res)
}

func isWord(s string) bool {
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return s != ""
}

// complete is GET /api/complete?q=TEXT[&limit=N]: entities whose name,
// alias or id starts with the text (then those with a word that does),
// best first.
func (s *Server) complete(w http.ResponseWriter, r *http.Request) {
	text := strings.TrimSpace(r.URL.Query().Get("q"))
	limit, err := intParam(r, "limit", 10)
	if err != nil {
		writeErr(w, err)
		return
	}
	limit = min(limit, 100)
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.Timeout)
	defer cancel()
	idx, err := s.names.get(ctx, s.db)
	if err != nil {
		writeErr(w, err)
		return
	}
	hits := idx.complete(text, limit)
	out := make([]interface{}, len(hits))
	for i, h := range hits {
		o := map[string]interface{}{"id": query.IDString(h.e.ID), "name": h.e.Label(), "type": h.e.Type(), "match": h.match}
		if len(h.e.Aliases) > 0 {
			o["aliases"] = h.e.Aliases
		}
		out[i] = o
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"query": text, "hits": out})
}

// exportRequest is the body of POST /api/export: the queries whose
// answers make the view (one, or the page's several), the format, and —
// to export only what the page draws — the ids of its nodes and the keys
// of its relations.
type exportRequest struct {
	Query   string         `json:"query"`
	Lang    string         `json:"lang"`
	Queries []queryRequest `json:"queries"`
	Format  string         `json:"format"`
	Limit   int            `json:"limit"`
	// Nodes, when given, keeps only these node ids; Edges, when given,
	// only these relations (RelationKey).
	Nodes []string `json:"nodes"`
	Edges []string `json:"edges"`
}

// RelationKey is how the API names one relation of an answer: from, rel,
// to and statement ids joined by U+001F, as the page computes it from a
// relation's JSON.
func RelationKey(r *query.Relation) string {
	return query.IDString(r.From.ID) + "\x1f" + r.Kind + "\x1f" + query.IDString(r.To.ID) + "\x1f" + query.IDString(r.Stmt)
}

// export is POST /api/export: the file export writes, as an attachment
// (CSV: a zip of its two files).
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	var req exportRequest
	if err := s.decode(w, r, &req); err != nil {
		writeErr(w, err)
		return
	}
	f, err := export.ParseFormat(req.Format)
	if err != nil {
		writeErr(w, err)
		return
	}
	qs := req.Queries
	if req.Query != "" {
		qs = append([]queryRequest{{Query: req.Query, Lang: req.Lang}}, qs...)
	}
	if len(qs) == 0 {
		writeErr(w, errors.New("no query given: send query, or queries"))
		return
	}
	if len(qs) > 100 {
		writeErr(w, errors.New("at most 100 queries make one view"))
		return
	}
	s.busy.Add(1) // the export reads the store after the queries
	defer s.busy.Done()
	merged := &query.Result{Kind: "view"}
	var texts []string
	for _, q := range qs {
		res, err := s.run(r.Context(), q.Lang, q.Query, max(q.Limit, req.Limit))
		if err != nil {
			writeErr(w, err)
			return
		}
		texts = append(texts, q.Query)
		merged.Rows = append(merged.Rows, res.Rows...)
		if res.Entity != nil {
			merged.Rows = append(merged.Rows, []query.Value{res.Entity})
		}
		merged.Extra = append(merged.Extra, res.Extra...)
	}
	if req.Nodes != nil || req.Edges != nil {
		merged = only(merged, req.Nodes, req.Edges)
	}
	opts := &export.Options{Query: strings.Join(texts, "; "), DB: s.db}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.Timeout)
	defer cancel()
	buf := &cappedBuffer{max: s.opts.MaxAnswer}
	name := "entente-view." + extension(f)
	ctype := contentType(f)
	if f == export.CSV {
		err = writeCSVZip(ctx, buf, merged, opts)
		name, ctype = "entente-view.zip", "application/zip"
	} else {
		err = export.Write(ctx, buf, merged, f, opts)
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(buf.Bytes())
}

// only keeps of an answer the nodes and relations named.
func only(res *query.Result, nodes, edges []string) *query.Result {
	sg := export.SubgraphOf(res)
	keepN := map[string]bool{}
	for _, n := range nodes {
		keepN[n] = true
	}
	keepE := map[string]bool{}
	for _, e := range edges {
		keepE[e] = true
	}
	out := &query.Result{Kind: res.Kind}
	for _, n := range sg.Nodes {
		if nodes == nil || keepN[query.IDString(n.ID)] {
			out.Rows = append(out.Rows, []query.Value{n})
		}
	}
	for _, r := range sg.Relations {
		if edges != nil && !keepE[RelationKey(r)] {
			continue
		}
		if nodes != nil && (!keepN[query.IDString(r.From.ID)] || !keepN[query.IDString(r.To.ID)]) {
			continue
		}
		out.Rows = append(out.Rows, []query.Value{r})
	}
	return out
}

func extension(f export.Format) string {
	switch f {
	case export.NQuads:
		return "nq"
	case export.Cytoscape:
		return "cyjs"
	}
	return string(f)
}

func contentType(f export.Format) string {
	switch f {
	case export.SVG:
		return "image/svg+xml"
	case export.GraphML, export.GEXF:
		return "application/xml; charset=utf-8"
	case export.NQuads:
		return "application/n-quads; charset=utf-8"
	case export.JSONLD:
		return "application/ld+json; charset=utf-8"
	case export.Cytoscape:
		return "application/json; charset=utf-8"
	case export.DOT, export.CSV:
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension("." + extension(f)); t != "" {
		return t
	}
	return "application/octet-stream"
}
