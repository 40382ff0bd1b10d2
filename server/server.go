// Package server is Entente's explorer: an HTTP server that presents a
// store in the browser — a page, embedded in the binary, that searches,
// expands, finds paths and shows every link's evidence — and the JSON API
// the page reads (POST /api/query and the rest; docs/explorer.md).
//
// The server only presents. Queries are evaluated by package query under
// the same bounds as the command line, answers are the rows of package
// render's JSON Lines, files are written by package export and loads go
// through package loader.
//
// It is safe by default: Check refuses an address off the loopback
// interface without a token; with a token every request must carry it;
// it is read-only unless Options.Write; bodies and answers are capped;
// requests from other sites (an Origin or a Host that is not the
// server's) are refused, and no CORS header is ever sent.
package server

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
)

// Errors of the server's set-up, for errors.Is.
var (
	// ErrNeedToken: an address off the loopback interface, or write
	// access, was asked for without a token.
	ErrNeedToken = errors.New("server: a token is required")
	// ErrReadOnly: write access was asked for on a store opened
	// read-only.
	ErrReadOnly = errors.New("server: the store is open read-only")
)

// Defaults of Options.
const (
	DefaultMaxBody    = 1 << 20  // a JSON request
	DefaultMaxLoad    = 64 << 20 // a file loaded through the API
	DefaultMaxAnswer  = 32 << 20 // an answer or an exported file
	DefaultConcurrent = 8        // queries evaluated at once
	DefaultDrawLimit  = 500      // nodes a neighbourhood answers (the page asks for more)
	tokenCookie       = "entente_token"
	maxLimit          = 100_000 // most rows a request may ask for
)

// Options configure a Server. The zero value serves read-only, with the
// command line's bounds.
type Options struct {
	// Token, when set, must be carried by every request: an
	// Authorization: Bearer header, or the cookie the page gets when
	// opened with ?token=T.
	Token string
	// Write enables POST /api/load, /api/retract and /api/amend. It
	// needs a Token and a store open for writing.
	Write bool
	// Timeout bounds each query (default query.DefaultTimeout).
	Timeout time.Duration
	// Limit is the row limit of a query that names none (default
	// query.DefaultLimit).
	Limit int
	// MaxBody caps a JSON request's body, MaxLoad a loaded file's,
	// MaxAnswer an answer's or an export's bytes.
	MaxBody, MaxLoad, MaxAnswer int64
	// Concurrent caps the queries evaluated at once; others wait, within
	// their timeout.
	Concurrent int
	// Version is reported by /api/info.
	Version string
	// Log, when set, gets a line per failed request.
	Log io.Writer
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	if r.Timeout <= 0 {
		r.Timeout = query.DefaultTimeout
	}
	if r.Limit <= 0 {
		r.Limit = query.DefaultLimit
	}
	if r.MaxBody <= 0 {
		r.MaxBody = DefaultMaxBody
	}
	if r.MaxLoad <= 0 {
		r.MaxLoad = DefaultMaxLoad
	}
	if r.MaxAnswer <= 0 {
		r.MaxAnswer = DefaultMaxAnswer
	}
	if r.Concurrent <= 0 {
		r.Concurrent = DefaultConcurrent
	}
	return r
}

// Server is the explorer's HTTP handler over one store.
type Server struct {
	db    *graph.DB
	opts  Options
	mux   *http.ServeMux
	sem   chan struct{}
	names nameCache
	// loadMu makes loads through the API one at a time.
	loadMu sync.Mutex
	// busy counts the queries and loads under way (Wait).
	busy sync.WaitGroup
}

// Wait waits for the queries and loads under way to end: after the
// HTTP server has shut down (their contexts cancelled), before the store
// is closed.
func (s *Server) Wait() { s.busy.Wait() }

//go:embed static
var staticFS embed.FS

// New makes the explorer over db. Write access needs a token and a store
// open for writing.
func New(db *graph.DB, opts *Options) (*Server, error) {
	o := opts.withDefaults()
	if o.Write && o.Token == "" {
		return nil, fmt.Errorf("%w for write access (--write needs --token)", ErrNeedToken)
	}
	if o.Write && db.ReadOnly() {
		return nil, ErrReadOnly
	}
	s := &Server{db: db, opts: o, mux: http.NewServeMux(), sem: make(chan struct{}, o.Concurrent)}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	files := http.FileServerFS(static)
	s.mux.HandleFunc("GET /{$}", s.page)
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", files))
	s.mux.HandleFunc("GET /api/info", s.info)
	s.mux.HandleFunc("POST /api/query", s.query)
	s.mux.HandleFunc("GET /api/complete", s.complete)
	s.mux.HandleFunc("GET /api/entity", s.entity)
	s.mux.HandleFunc("GET /api/neighbors", s.neighbors)
	s.mux.HandleFunc("GET /api/path", s.path)
	s.mux.HandleFunc("POST /api/export", s.export)
	s.mux.HandleFunc("POST /api/load", s.load)
	s.mux.HandleFunc("POST /api/retract", s.retract)
	s.mux.HandleFunc("POST /api/amend", s.amend)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such API endpoint: "+r.Method+" "+r.URL.Path+" (see docs/explorer.md)")
	})
	return s, nil
}

// Check refuses to serve on addr without a token unless it is on the
// loopback interface (127.0.0.0/8, ::1, localhost).
func Check(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("server: address %q: %w", addr, err)
	}
	if IsLoopback(host) || token != "" {
		return nil
	}
	return fmt.Errorf("%w to listen on %s, which is not loopback: give --token, or listen on 127.0.0.1", ErrNeedToken, addr)
}

// IsLoopback reports whether a host name or address is the loopback
// interface's.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ServeHTTP applies the safety rules, then serves the page or the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	h.Set("Cache-Control", "no-store")
	if msg := s.refuseSite(r); msg != "" {
		writeError(w, http.StatusForbidden, "forbidden", msg)
		return
	}
	if s.opts.Token != "" {
		if t := r.URL.Query().Get("token"); t != "" && r.Method == http.MethodGet && r.URL.Path == "/" {
			if !s.tokenOK(t) {
				writeError(w, http.StatusUnauthorized, "unauthorized", "wrong token")
				return
			}
			// The page's own requests carry the token as a cookie; the
			// address bar keeps no secret.
			http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			q := r.URL.Query()
			q.Del("token")
			u := url.URL{Path: "/", RawQuery: q.Encode(), Fragment: r.URL.Fragment}
			http.Redirect(w, r, u.String(), http.StatusSeeOther)
			return
		}
		if !s.authorized(r) {
			h.Set("WWW-Authenticate", `Bearer realm="entente"`)
			writeError(w, http.StatusUnauthorized, "unauthorized", "this server needs its token: send Authorization: Bearer TOKEN, or open the page once with ?token=TOKEN")
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) tokenOK(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.opts.Token)) == 1
}

func (s *Server) authorized(r *http.Request) bool {
	if a := r.Header.Get("Authorization"); a != "" {
		t, ok := strings.CutPrefix(a, "Bearer ")
		return ok && s.tokenOK(strings.TrimSpace(t))
	}
	if c, err := r.Cookie(tokenCookie); err == nil {
		return s.tokenOK(c.Value)
	}
	return false
}

// refuseSite says why a request from another site is refused ("" to
// serve it): a browser's Origin that is not this server, a fetch the
// browser marks cross-site, or — without a token — a Host header that is
// not a loopback name (a DNS-rebinding page that renamed the server).
func (s *Server) refuseSite(r *http.Request) string {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || o == "null" || !strings.EqualFold(u.Host, r.Host) {
			return fmt.Sprintf("cross-origin request refused (Origin %s is not this server, %s)", o, r.Host)
		}
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return "cross-site request refused"
	}
	if s.opts.Token == "" {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if !IsLoopback(host) {
			return fmt.Sprintf("request for host %q refused: without a token this server answers only to loopback names (localhost, 127.0.0.1, [::1])", r.Host)
		}
	}
	return ""
}

// acquire waits for a query slot within ctx; release gives it back.
func (s *Server) acquire(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Server) release() { <-s.sem }

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	b, err := staticFS.ReadFile("static/index.html")
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b)
}
