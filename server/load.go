package server

import (
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
)

// load is POST /api/load?name=FILE[&format=F][&dry_run=1][&create=1]:
// the body is one input — N-Quads, N-Triples, CSV, JSON-LD or a seed
// file, gzipped or not — loaded as `entente load` loads it, all or
// nothing. Only with Options.Write.
func (s *Server) load(w http.ResponseWriter, r *http.Request) {
	if !s.writeAllowed(w) {
		return
	}
	q := r.URL.Query()
	name := path.Base(q.Get("name"))
	if name == "." || name == "/" {
		name = "upload"
	}
	opts := &loader.Options{DryRun: q.Get("dry_run") == "1" || q.Get("dry_run") == "true",
		Create: q.Get("create") == "1" || q.Get("create") == "true",
		Tx:     graph.TxMeta{Author: q.Get("author"), Message: q.Get("message")}}
	var format loader.Format
	if f := q.Get("format"); f != "" {
		var err error
		if format, err = loader.ParseFormat(f); err != nil {
			writeErr(w, err)
			return
		}
	}
	opts.Limits.MaxSize = s.opts.MaxLoad * 250 // after decompression, within the ratio
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxLoad)
	used := false
	src := loader.Source{Name: name, Format: format, Size: r.ContentLength, Open: func() (io.ReadCloser, error) {
		if used {
			return nil, errReadTwice
		}
		used = true
		return io.NopCloser(body), nil
	}}
	s.busy.Add(1)
	defer s.busy.Done()
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	res, err := loader.LoadSources(r.Context(), s.db, []loader.Source{src}, opts)
	if err != nil {
		writeErr(w, err)
		return
	}
	out := map[string]interface{}{"read": res.Read, "added": res.Added, "dry_run": res.DryRun, "errors": []string{}}
	if len(res.Errors) > 0 {
		msgs := make([]string, len(res.Errors))
		for i, e := range res.Errors {
			msgs[i] = e.Error()
		}
		out["errors"] = msgs
	}
	writeJSON(w, http.StatusOK, out)
}

type readTwiceError struct{}

func (readTwiceError) Error() string {
	return strings.TrimSpace("server: an uploaded input can be read only once")
}

var errReadTwice error = readTwiceError{}
