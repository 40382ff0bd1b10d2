package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/entente-kg/entente/graph"
)

// changeRequest is the body of POST /api/retract and POST /api/amend:
// the target as the command line's words (SUBJECT KIND OBJECT
// [KEY=VALUE…], a statement id, or an entity), and for an amendment its
// changes (KEY=VALUE, alias+=NAME, alias-=NAME) — the words of `entente
// retract` and `entente amend`. Reason is required and kept in the
// history.
type changeRequest struct {
	Target  []string `json:"target"`
	Changes []string `json:"changes"`
	From    string   `json:"from"`
	// Where picks one of parallel relations by its qualifiers (amend);
	// All retracts every parallel relation the target names.
	Where   map[string]string `json:"where"`
	All     bool              `json:"all"`
	Reason  string            `json:"reason"`
	Author  string            `json:"author"`
	Message string            `json:"message"`
}

func (s *Server) writeAllowed(w http.ResponseWriter) bool {
	if !s.opts.Write {
		writeError(w, http.StatusForbidden, "read_only", "this server is read-only: start it with --write (and --token) to change the store through the API")
		return false
	}
	return true
}

func (c *changeRequest) meta(kind string) graph.TxMeta {
	msg := strings.TrimSpace(c.Reason)
	if m := strings.TrimSpace(c.Message); m != "" {
		msg = m + " — " + msg
	}
	return graph.TxMeta{Author: strings.TrimSpace(c.Author), Message: msg, Kind: kind}
}

// parse reads a change request, with changes (amend) or without
// (retract).
func (s *Server) parseChange(w http.ResponseWriter, r *http.Request, amend bool) (*changeRequest, graph.Target, graph.Amendment, bool) {
	var req changeRequest
	var t graph.Target
	var a graph.Amendment
	if err := s.decode(w, r, &req); err != nil {
		writeErr(w, err)
		return nil, t, a, false
	}
	if strings.TrimSpace(req.Reason) == "" {
		writeErr(w, errors.New("give a reason: the history keeps why a fact was changed"))
		return nil, t, a, false
	}
	words := req.Target
	if amend {
		words = append(append([]string(nil), req.Target...), req.Changes...)
	} else if len(req.Changes) > 0 {
		writeErr(w, errors.New("a retraction takes no changes"))
		return nil, t, a, false
	}
	t, rest, err := graph.ParseTarget(words, amend)
	if err != nil {
		writeErr(w, err)
		return nil, t, a, false
	}
	if amend {
		if a, err = graph.ParseAssignments(rest); err != nil {
			writeErr(w, err)
			return nil, t, a, false
		}
		a.From = req.From
		if len(req.Where) > 0 {
			if t.Subject == "" {
				writeErr(w, errors.New("where picks among the relations of SUBJECT KIND OBJECT, not of a statement or an entity"))
				return nil, t, a, false
			}
			t.Where = req.Where
		}
	} else if len(req.Where) > 0 {
		writeErr(w, errors.New("a retraction picks by the KEY=VALUE words after SUBJECT KIND OBJECT, not where"))
		return nil, t, a, false
	}
	t.All = req.All
	return &req, t, a, true
}

// retract is POST /api/retract: `entente retract` through the API (only
// with Options.Write).
func (s *Server) retract(w http.ResponseWriter, r *http.Request) {
	if !s.writeAllowed(w) {
		return
	}
	req, t, _, ok := s.parseChange(w, r, false)
	if !ok {
		return
	}
	s.change(w, r, "retracted "+t.String(), func() (graph.Tx, error) {
		return s.db.Retract(r.Context(), t, req.meta("retract"))
	})
}

// amend is POST /api/amend: `entente amend` through the API (only with
// Options.Write).
func (s *Server) amend(w http.ResponseWriter, r *http.Request) {
	if !s.writeAllowed(w) {
		return
	}
	req, t, a, ok := s.parseChange(w, r, true)
	if !ok {
		return
	}
	s.change(w, r, "amended "+t.String(), func() (graph.Tx, error) {
		return s.db.Amend(r.Context(), t, a, req.meta("amend"))
	})
}

func (s *Server) change(w http.ResponseWriter, r *http.Request, what string, fn func() (graph.Tx, error)) {
	s.busy.Add(1)
	defer s.busy.Done()
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	tx, err := fn()
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{"tx": tx, "what": what})
}
