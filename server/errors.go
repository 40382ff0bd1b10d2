package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/query"
)

// apiError is the body of every error answer:
//
//	{"error": {"code": "syntax", "message": "1:6: …", "line": 1, "col": 6, "caret": "…"}}
//
// line, col and caret are those of the command line's message, present
// when the error has a position.
type apiError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Line    int            `json:"line,omitempty"`
	Col     int            `json:"col,omitempty"`
	Caret   string         `json:"caret,omitempty"`
	File    string         `json:"file,omitempty"`
	Errors  []loaderErrorJ `json:"errors,omitempty"`
}

type loaderErrorJ struct {
	Message string `json:"message"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Caret   string `json:"caret,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]apiError{"error": {Code: code, Message: msg}})
}

// writeErr answers an error of a query, an export or a load with its
// status and position.
func writeErr(w http.ResponseWriter, err error) {
	var qe *query.Error
	var le *loader.Error
	var ll loader.ErrorList
	var mb *http.MaxBytesError
	e := apiError{Code: "bad_request", Message: err.Error()}
	status := http.StatusBadRequest
	switch {
	case errors.As(err, &mb):
		status, e.Code = http.StatusRequestEntityTooLarge, "too_large"
		e.Message = "the request's body is over the server's cap of " + bytesText(mb.Limit)
	case errors.As(err, &ll):
		e.Code = "bad_input"
		for _, x := range ll {
			e.Errors = append(e.Errors, loaderErrorJ{Message: x.Error(), File: x.File, Line: x.Line, Col: x.Col, Caret: x.Caret()})
		}
		if len(ll) > 0 {
			e.Message = ll[0].Error()
		}
	case errors.As(err, &qe):
		e.Code = queryCode(qe)
		e.Line, e.Col, e.Caret = qe.Line, qe.Col, qe.Caret()
		if errors.Is(err, context.DeadlineExceeded) {
			status, e.Code = http.StatusGatewayTimeout, "timeout"
		}
	case errors.As(err, &le):
		e.Code = "bad_input"
		e.File, e.Line, e.Col, e.Caret = le.File, le.Line, le.Col, le.Caret()
	case errors.Is(err, context.DeadlineExceeded):
		status, e.Code = http.StatusGatewayTimeout, "timeout"
		e.Message = "timed out (the server's query timeout; narrow the query)"
	case errors.Is(err, context.Canceled):
		status, e.Code = 499, "canceled"
		e.Message = "canceled"
	case errors.Is(err, errAnswerTooLarge):
		status, e.Code = http.StatusRequestEntityTooLarge, "answer_too_large"
	case errors.Is(err, export.ErrTooBig), errors.Is(err, export.ErrNoGraph), errors.Is(err, export.ErrFormat):
		e.Code = "export"
	case errors.Is(err, graph.ErrNotFound):
		status, e.Code = http.StatusNotFound, "not_found"
		e.Message = strings.TrimPrefix(e.Message, "graph: ")
	case errors.Is(err, graph.ErrNoChange):
		status, e.Code = http.StatusConflict, "no_change"
		e.Message = strings.TrimPrefix(e.Message, "graph: ")
	case errors.Is(err, graph.ErrAmbiguous):
		status, e.Code = http.StatusConflict, "ambiguous"
		e.Message = strings.TrimPrefix(e.Message, "graph: ")
	case errors.Is(err, graph.ErrNoSpace):
		status, e.Code = http.StatusInsufficientStorage, "no_space"
	case errors.Is(err, graph.ErrReadOnly):
		status, e.Code = http.StatusForbidden, "read_only"
	}
	writeJSON(w, status, map[string]apiError{"error": e})
}

func queryCode(qe *query.Error) string {
	switch {
	case errors.Is(qe, query.ErrSyntax):
		return "syntax"
	case errors.Is(qe, query.ErrUnknown):
		return "unknown"
	case errors.Is(qe, query.ErrAmbiguous):
		return "ambiguous"
	case errors.Is(qe, query.ErrGizmo):
		return "gizmo"
	case errors.Is(qe, graph.ErrSearchTooLarge):
		return "too_large"
	}
	return "invalid"
}

// bytesText writes a size: 1 MiB, 64 MiB, 512 bytes.
func bytesText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
