// Package repl is Entente's interactive shell: it reads EQL (or Gizmo)
// statements and colon commands, runs them against a store and prints the
// answers. It reads through the LineReader interface and writes to
// io.Writers, so that it runs — and is tested — without a terminal; the
// adapter for peterh/liner lives in liner.go.
package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/query/syntax"
	"github.com/entente-kg/entente/render"
)

// LineReader is where the shell reads its input.
type LineReader interface {
	// Prompt shows prompt and returns the line typed, io.EOF at the end of
	// input (Ctrl-D), or ErrInterrupt when the user pressed Ctrl-C.
	Prompt(prompt string) (string, error)
	// AppendHistory records a statement in the in-memory history.
	AppendHistory(line string)
	// SetCompleter installs the Tab completion function.
	SetCompleter(func(line string, pos int) (head string, completions []string, tail string))
	Close() error
}

// ErrInterrupt is what a LineReader returns for Ctrl-C at the prompt.
var ErrInterrupt = errors.New("repl: interrupted")

// Prefiller is a LineReader that can show a prompt with text already
// typed, for the user to run with Enter or edit: the shell offers a
// statement this way (two lines typed as two statements, joined).
type Prefiller interface {
	PromptWithText(prompt, text string) (string, error)
}

// Config sets up a shell.
type Config struct {
	DB  *graph.DB
	In  LineReader
	Out io.Writer
	Err io.Writer
	// Interactive: a person at a terminal — a banner, prompts, colour
	// (unless Color is false), continuation prompts. Otherwise the shell
	// runs a script: no prompts, no colour.
	Interactive bool
	Color       bool
	// Width and Height return the terminal's size (0: unknown).
	Width, Height func() int
	// Interrupts delivers Ctrl-C while a statement runs: the statement is
	// cancelled and the shell goes on.
	Interrupts <-chan struct{}
	// History lists the previous sessions' statements, for :history.
	History []string
	// Options bound every query; Limit defaults to 100 in the shell.
	Options query.Options
	// Version and StoreName describe the session in the banner.
	Version, StoreName string
	// Pager, when set, is the command long output is piped through on a
	// terminal (less -FRX); "" prints directly.
	Pager string
	// Reopen, when set, opens the store again, for writing or read-only.
	// A shell that may write keeps its store open read-only, so that
	// other processes (entente query, another shell) can read it at the
	// same time, and :load takes the write lock only while it loads:
	// DB is read-only and Reopen(true) opens it for writing.
	Reopen func(write bool) (*graph.DB, error)
}

// session is the state of one shell.
type session struct {
	// Scripts: the number of lines read, the line the statement being
	// read starts at, and the line the statement running starts at, so
	// that errors give positions in the script.
	lineNo, textLine, stmtLine int

	cfg      Config
	ctx      context.Context
	lang     string // eql or gizmo
	format   render.Format
	evidence bool
	expanded bool // tables as records, a line a column (\x)
	wide     bool // only tables wider than the terminal (\x auto)
	timing   bool
	pager    bool
	opts     query.Options
	last     *query.Result
	lastSrc  string
	failures int
	history  []string
	comp     *completer
	// typed is the text of the statement typed so far, before the line
	// being edited (for completion); prefill is a line to offer at the
	// next prompt.
	typed, prefill string
	// lost is set when the store could not be reopened after :load; the
	// session ends with it.
	lost error
	// orig is the store the caller gave (the caller closes it).
	orig *graph.DB
}

// Run runs the shell until the input ends or :quit, and returns how many
// statements and commands failed. Errors never end the session. When
// cfg.Reopen is set and cfg.DB is read-only, :load reopens the store for
// writing and then read-only again; Run closes the stores it opened that
// way (cfg.DB itself stays the caller's to close, and may be closed by
// then).
func Run(ctx context.Context, cfg Config) (failures int, err error) {
	if cfg.Out == nil {
		cfg.Out = os.Stdout
	}
	if cfg.Err == nil {
		cfg.Err = cfg.Out
	}
	s := &session{cfg: cfg, ctx: ctx, lang: "eql", format: render.Table, opts: cfg.Options, history: cfg.History,
		pager: cfg.Interactive && cfg.Pager != "", orig: cfg.DB}
	if s.opts.Limit <= 0 {
		s.opts.Limit = 100
	}
	if s.opts.Timeout <= 0 {
		s.opts.Timeout = query.DefaultTimeout
	}
	defer func() {
		if s.cfg.DB != s.orig {
			s.cfg.DB.Close()
		}
	}()
	s.comp = newCompleter(s)
	cfg.In.SetCompleter(s.comp.complete)
	if cfg.Interactive {
		s.banner()
	}
	var (
		lines   []string // the lines of the statement being read
		held    bool     // scripts: lines hold a whole statement the next line may continue
		joined  bool     // the last line ended with \: the next one continues the statement
		semis   bool     // scripts: the script ends its statements with ";"
		lastRun string   // on a terminal: the statement run last, if nothing came after it
	)
	reset := func() { lines, held, joined = nil, false, false }
	for {
		if s.lost != nil {
			return s.failures, s.lost
		}
		if ctx.Err() != nil {
			return s.failures, nil // SIGTERM: the caller says so
		}
		prompt := ""
		if cfg.Interactive {
			prompt = s.prompt(len(lines) > 0)
		}
		s.typed = strings.Join(lines, "\n")
		line, err := s.readLine(prompt)
		if errors.Is(err, ErrInterrupt) {
			reset() // Ctrl-C at the prompt clears what was typed
			lastRun = ""
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(lines) > 0 {
				s.runText(strings.Join(lines, "\n"))
			}
			if cfg.Interactive {
				fmt.Fprintln(cfg.Out)
			}
			return s.failures, s.lost
		}
		if err != nil {
			if ctx.Err() != nil {
				return s.failures, nil
			}
			return s.failures, err
		}
		s.lineNo++
		if len(lines) == 0 {
			s.textLine = s.lineNo
		}
		trimmed := strings.TrimSpace(line)
		if held && !joined {
			switch s.afterWhole(trimmed, semis) {
			case skipLine:
				continue
			case endStatement:
				s.runText(strings.Join(lines, "\n"))
				reset()
				s.textLine = s.lineNo // this line starts afresh
				if trimmed == "" {
					continue
				}
			}
		}
		if len(lines) == 0 || !joined {
			if trimmed == "" && len(lines) == 0 || isComment(trimmed) {
				continue
			}
		}
		if len(lines) > 0 && !held && !joined && s.startsAfresh(trimmed, lines) {
			// An unfinished statement (path Japan to) never swallows
			// the statement or command after it: it fails alone.
			s.runText(strings.Join(lines, "\n"))
			reset()
			s.textLine = s.lineNo
		}
		if len(lines) == 0 {
			cmd, word := shellWord(trimmed) // quit, \q: a colon command
			if word || strings.HasPrefix(trimmed, ":") {
				if !word {
					cmd = trimmed
				}
				cfg.In.AppendHistory(trimmed)
				s.history = append(s.history, trimmed)
				lastRun = ""
				if quit := s.command(cmd); quit {
					return s.failures, s.lost
				}
				continue
			}
			if cfg.Interactive && lastRun != "" && s.continuesStatement(trimmed) {
				s.continuation(lastRun, trimmed)
				lastRun = ""
				continue
			}
		}
		if body, ok := s.backslash(lines, line); ok {
			lines, held, joined = append(lines, body), false, true
			continue
		}
		joined = false
		lines = append(lines, line)
		text := strings.Join(lines, "\n")
		stmts, rest := s.split(text)
		if s.empty(rest) {
			if len(stmts) > 0 && !cfg.Interactive {
				semis = true // a line ended with ";"
			}
			lastRun = lastStatement(stmts)
			s.runText(text)
			reset()
			continue
		}
		if !s.whole(rest) {
			// Unfinished: run what the ";" ended, keep the rest.
			held = false
			if len(stmts) > 0 {
				s.runText(text[:len(text)-len(rest)])
				lines = []string{rest}
				s.textLine = s.lineNo - strings.Count(rest, "\n")
			}
			continue
		}
		if cfg.Interactive {
			lastRun = strings.TrimSpace(rest)
			s.runText(text)
			reset()
			continue
		}
		// A script: the next line may continue the statement.
		if len(stmts) > 0 {
			s.runText(text[:len(text)-len(rest)])
			s.textLine = s.lineNo - strings.Count(rest, "\n")
		}
		lines, held = []string{rest}, true
	}
}

func lastStatement(stmts []string) string {
	for i := len(stmts) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(stmts[i]); t != "" {
			return t
		}
	}
	return ""
}

// readLine reads a line, with text already typed if the shell offers one.
// When the session's context ends (SIGTERM) while it waits, it returns
// the context's error at once; the read is left to end with the process.
func (s *session) readLine(prompt string) (string, error) {
	read := func() (string, error) {
		if s.prefill != "" {
			text := s.prefill
			s.prefill = ""
			if p, ok := s.cfg.In.(Prefiller); ok {
				return p.PromptWithText(prompt, text)
			}
		}
		return s.cfg.In.Prompt(prompt)
	}
	if s.ctx.Done() == nil {
		return read()
	}
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := read()
		got <- answer{line, err}
	}()
	select {
	case a := <-got:
		return a.line, a.err
	case <-s.ctx.Done():
		return "", s.ctx.Err()
	}
}

// continuation reports a line that can only continue a statement, typed
// after a statement that already ran, and offers the two as one.
func (s *session) continuation(prev, line string) {
	s.failures++
	word := strings.Fields(line)[0]
	if s.lang == "gizmo" {
		word = line
		if i := strings.IndexAny(line, "("); i > 0 {
			word = line[:i] + "(…)"
		}
	} else if t := firstToken(line); t.Text != "" {
		word = t.Text
	}
	both := s.joinLines(prev, line)
	fmt.Fprintf(s.cfg.Err, "error: %q continues a statement, but the line before it was a whole statement and has already run\n", word)
	if _, ok := s.cfg.In.(Prefiller); ok {
		s.prefill = both
		fmt.Fprintln(s.cfg.Err, "hint: the two lines are at the prompt as one statement: press Enter to run it. To go on to the next line without running, end the line with \\")
		return
	}
	fmt.Fprintf(s.cfg.Err, "hint: type it on one line (%s), or end a line with \\ to go on to the next without running\n", both)
}

func (s *session) prompt(cont bool) string {
	name := "entente"
	if s.lang == "gizmo" {
		name = "gizmo"
	}
	if cont {
		return strings.Repeat(" ", len(name)-3) + "...> "
	}
	return name + "> "
}

// runText records text in the history as one line and runs each of its
// statements.
func (s *session) runText(text string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	one := strings.Join(strings.Fields(text), " ")
	s.cfg.In.AppendHistory(one)
	s.history = append(s.history, one)
	stmts, rest := s.split(text)
	stmts = append(stmts, rest)
	pos := 0
	for _, st := range stmts {
		// Where the statement starts in the script, for its errors.
		s.stmtLine = 0
		if i := strings.Index(text[pos:], st); i >= 0 && s.textLine > 0 {
			lead := len(st) - len(strings.TrimLeft(st, " \t\r\n"))
			s.stmtLine = s.textLine + strings.Count(text[:pos+i+lead], "\n")
			pos += i + len(st)
		}
		if !s.empty(st) {
			s.execute(strings.TrimSpace(st))
		}
	}
}

// bounded runs fn under the timeout, cancellable by Ctrl-C: a statement,
// or an export. It reports how long fn took, and says so and returns
// false when Ctrl-C stopped it; fn's error is printed.
func (s *session) bounded(fn func(ctx context.Context) error) (time.Duration, bool) {
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.Timeout)
	defer cancel()
	// Drop a Ctrl-C left over from before this statement.
	for drained := false; !drained; {
		select {
		case <-s.cfg.Interrupts:
		default:
			drained = true
		}
	}
	interrupted := make(chan bool, 1)
	done := make(chan struct{})
	go func() {
		select {
		case <-s.cfg.Interrupts:
			interrupted <- true
			cancel()
		case <-done:
		}
	}()
	start := time.Now()
	err := fn(ctx)
	close(done)
	elapsed := time.Since(start)
	select {
	case <-interrupted:
		fmt.Fprintf(s.cfg.Err, "interrupted after %v: the statement was cancelled\n", elapsed.Round(time.Millisecond))
		s.failures++
		return elapsed, false
	default:
	}
	if err != nil {
		s.failures++
		s.printError(err, ctx)
		return elapsed, false
	}
	return elapsed, true
}

// execute runs one statement under the timeout, cancellable by Ctrl-C.
func (s *session) execute(src string) {
	var res *query.Result
	elapsed, ok := s.bounded(func(ctx context.Context) error {
		var err error
		res, err = query.RunLang(ctx, s.cfg.DB, s.lang, src, &s.opts)
		return err
	})
	if !ok {
		return
	}
	s.last, s.lastSrc = res, src
	s.print(res)
	// Notes follow the answer; a script's JSON or CSV output stays only
	// rows, its notes going to the error stream.
	machine := s.format == render.JSON || s.format == render.CSV
	notes := s.cfg.Out
	if machine && !s.cfg.Interactive {
		notes = s.cfg.Err
	}
	for _, n := range res.Notes {
		if n != res.Note {
			fmt.Fprintln(notes, s.dim("note: "+n))
		}
	}
	if res.Note != "" && machine {
		fmt.Fprintln(notes, s.dim("note: "+res.Note))
	}
	if s.timing {
		fmt.Fprintln(notes, s.dim(fmt.Sprintf("time: %v", elapsed.Round(10*time.Microsecond))))
	}
	if res.Capped && s.cfg.Interactive {
		fmt.Fprintln(s.cfg.Out, s.dim(fmt.Sprintf("hint: :limit N raises the row cap (now %d); :export FILE writes the answer", s.opts.Limit)))
	}
}

func (s *session) printError(err error, ctx context.Context) {
	var qe *query.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(s.cfg.Err, "error: the statement timed out after %v (raise it with :timeout)\n", s.opts.Timeout)
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(s.cfg.Err, "error: cancelled")
	case errors.As(err, &qe) && !s.cfg.Interactive && qe.Line > 0 && s.stmtLine > 0:
		// In a script, the position is the script's.
		fmt.Fprintf(s.cfg.Err, "error: line %d:%d: %s\n", s.stmtLine+qe.Line-1, qe.Col, qe.Msg)
		if c := qe.Caret(); c != "" {
			fmt.Fprintln(s.cfg.Err, "  "+strings.ReplaceAll(c, "\n", "\n  "))
		}
	case errors.As(err, &qe):
		fmt.Fprintf(s.cfg.Err, "error: %v\n", qe)
		if c := qe.Caret(); c != "" {
			fmt.Fprintln(s.cfg.Err, "  "+strings.ReplaceAll(c, "\n", "\n  "))
		}
	default:
		fmt.Fprintf(s.cfg.Err, "error: %v\n", err)
	}
}

func (s *session) renderOptions() *render.Options {
	o := &render.Options{Evidence: s.evidence, Expanded: s.expanded, ExpandWide: s.wide, Color: s.color()}
	if s.cfg.Width != nil {
		o.Width = s.cfg.Width()
	}
	return o
}

func (s *session) color() bool { return s.cfg.Interactive && s.cfg.Color }

func (s *session) dim(text string) string {
	if s.color() {
		return "\x1b[2m" + text + "\x1b[0m"
	}
	return text
}

// print renders a result, through the pager when it is longer than the
// terminal.
func (s *session) print(res *query.Result) {
	var b strings.Builder
	if err := render.Write(&b, res, s.format, s.renderOptions()); err != nil {
		fmt.Fprintf(s.cfg.Err, "error: %v\n", err)
		return
	}
	out := b.String()
	if s.pager && s.cfg.Height != nil {
		if h := s.cfg.Height(); h > 0 && strings.Count(out, "\n") > h-2 {
			if s.page(out) == nil {
				return
			}
		}
	}
	io.WriteString(s.cfg.Out, out)
}

func (s *session) page(text string) error {
	args := strings.Fields(s.cfg.Pager)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin = strings.NewReader(text)
	cmd.Stdout = s.cfg.Out
	cmd.Stderr = s.cfg.Err
	return cmd.Run()
}

// banner says what is loaded and how to start.
func (s *session) banner() {
	w := s.cfg.Out
	name := s.cfg.StoreName
	fmt.Fprintf(w, "Entente %s — %s\n", strings.TrimPrefix(s.cfg.Version, "entente "), name)
	st, err := s.cfg.DB.Stats(s.ctx)
	if err == nil {
		sources := 0
		if cat, err := s.cfg.DB.Catalog(s.ctx); err == nil {
			sources = len(cat.Sources)
		}
		fmt.Fprintf(w, "loaded: %s, %s, %s (%s)\n", render.Count(st.Entities, "entity"), render.Count(st.Relations, "relation"),
			render.Count(int64(sources), "source"), render.Count(st.Quads, "quad"))
	}
	ex := s.examples()
	if len(ex) > 0 {
		fmt.Fprintln(w, "try:")
		for _, e := range ex {
			fmt.Fprintln(w, "  "+e)
		}
	}
	fmt.Fprintln(w, ":help for help, Tab to complete, Ctrl-C to cancel, Ctrl-D to leave")
}

// examples returns three statements that work on the loaded graph: the
// seed graph's favourites if it is loaded, else some built from its
// best-connected entities.
func (s *session) examples() []string {
	cat, err := s.cfg.DB.Catalog(s.ctx)
	if err != nil || len(cat.Entities) == 0 {
		return nil
	}
	has := func(n string) bool { return len(cat.Lookup(n)) == 1 }
	if has("Japan") && has("India") && has("Australia") && has("South Korea") {
		return []string{"path Japan to India", "why Japan Australia", `neighbors "South Korea" via security_pact, ally, partner`}
	}
	links, err := s.cfg.DB.Links(s.ctx)
	if err != nil {
		return nil
	}
	type cand struct {
		name string
		deg  int
	}
	var cs []cand
	for _, e := range cat.Entities {
		if e.Name == "" || len(cat.Lookup(e.Name)) != 1 {
			continue
		}
		r, _ := s.cfg.DB.QuadStore().ValueOf(e.ID)
		if r == nil {
			continue
		}
		if i, ok := links.Index(r); ok {
			cs = append(cs, cand{e.Name, links.Degree(i)})
		}
	}
	if len(cs) < 2 {
		return nil
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].deg != cs[j].deg {
			return cs[i].deg > cs[j].deg
		}
		return cs[i].name < cs[j].name
	})
	a, b := quoteName(cs[0].name), quoteName(cs[1].name)
	return []string{"show " + a, "neighbors " + a, "path " + a + " to " + b}
}

func quoteName(n string) string {
	return (&syntax.Name{Text: n}).String()
}

// command runs a colon command; it reports whether the shell should end.
func (s *session) command(line string) bool {
	fields := strings.Fields(line)
	name := strings.ToLower(strings.TrimPrefix(fields[0], ":"))
	args := fields[1:]
	w := s.cfg.Out
	fail := func(format string, a ...interface{}) {
		s.failures++
		fmt.Fprintf(s.cfg.Err, "error: "+format+"\n", a...)
	}
	onOff := func(arg []string, cur bool, what string) (bool, bool) {
		if len(arg) == 0 {
			return !cur, true
		}
		switch strings.ToLower(arg[0]) {
		case "on", "true", "yes":
			return true, true
		case "off", "false", "no":
			return false, true
		}
		fail(":%s takes on or off", what)
		return cur, false
	}
	switch name {
	case "quit", "q", "exit":
		return true
	case "help", "h", "?":
		s.help(args)
	case "format", "f":
		if len(args) == 0 {
			fmt.Fprintf(w, "format: %s (table, chain, json, csv)\n", s.format)
			return false
		}
		f, err := render.ParseFormat(args[0])
		if err != nil {
			fail("%v", err)
			return false
		}
		s.format = f
		s.confirm("format: %s", f)
	case "evidence":
		if v, ok := onOff(args, s.evidence, "evidence"); ok {
			s.evidence = v
			s.confirm("evidence: %s", onOffText(v))
		}
	case "timing":
		if v, ok := onOff(args, s.timing, "timing"); ok {
			s.timing = v
			s.confirm("timing: %s", onOffText(v))
		}
	case "pager":
		if v, ok := onOff(args, s.pager, "pager"); ok {
			if v && !s.cfg.Interactive {
				fmt.Fprintln(s.cfg.Err, "note: pager: off (a script's output is never paged)")
				return false
			}
			if v && s.cfg.Pager == "" {
				fail("no pager: set $PAGER, or install less")
				return false
			}
			s.pager = v
			s.confirm("pager: %s", onOffText(v))
		}
	case "limit":
		if len(args) == 0 {
			fmt.Fprintf(w, "limit: %d rows\n", s.opts.Limit)
			return false
		}
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 {
			fail(":limit takes a whole number from 1, not %q", args[0])
			return false
		}
		s.opts.Limit = n
		s.confirm("limit: %d rows", n)
	case "timeout":
		if len(args) == 0 {
			fmt.Fprintf(w, "timeout: %v\n", s.opts.Timeout)
			return false
		}
		d, err := time.ParseDuration(args[0])
		if err != nil || d <= 0 {
			fail(":timeout takes a duration such as 10s or 2m, not %q", args[0])
			return false
		}
		s.opts.Timeout = d
		s.confirm("timeout: %v", d)
	case "lang", "language":
		if len(args) == 0 {
			fmt.Fprintf(w, "language: %s\n", s.lang)
			return false
		}
		l := strings.ToLower(args[0])
		if l != "eql" && l != "gizmo" {
			fail(":lang takes eql or gizmo, not %q", args[0])
			return false
		}
		s.lang = l
		s.confirm("language: %s", l)
	case "gizmo", "eql":
		s.lang = name
		s.confirm("language: %s", name)
	case "expanded", "x":
		if len(args) > 0 && strings.EqualFold(args[0], "auto") {
			s.expanded, s.wide = false, true
			s.confirm("expanded display: auto (tables wider than the terminal)")
			return false
		}
		if v, ok := onOff(args, s.expanded || s.wide, "expanded"); ok {
			s.expanded, s.wide = v, false
			s.confirm("expanded display: %s", onOffText(v))
		}
	case "load":
		// --create: CSV rows create what the graph lacks, as for
		// entente load --create.
		create := len(args) > 0 && args[0] == "--create"
		if create {
			args = args[1:]
		}
		if len(args) == 0 {
			fail(":load takes one or more files (N-Quads, CSV, JSON-LD, seed; .gz too), after --create for CSV rows that create what the graph lacks")
			return false
		}
		var res *loader.Result
		err := s.writing(func(db *graph.DB) error {
			var err error
			res, err = loader.Load(s.ctx, db, args, &loader.Options{Create: create})
			return err
		})
		if err != nil {
			s.failures++
			s.printLoadError(err)
			fmt.Fprintln(s.cfg.Err, "nothing was loaded; the store is as it was")
			return false
		}
		fmt.Fprintf(s.reportTo(), "loaded %s from %s: %s new\n", render.Count(res.Read, "statement"), render.Count(int64(res.Files), "file"), render.Thousands(res.Added))
	case "retract", "amend":
		s.change(name, line, fail)
	case "log":
		n := 20
		if len(args) > 0 {
			if v, err := strconv.Atoi(args[0]); err == nil && v > 0 {
				n = v
			} else {
				fail(":log takes how many transactions to show (20 by default)")
				return false
			}
		}
		log, err := s.cfg.DB.Log(s.ctx)
		if err != nil {
			fail("%v", err)
			return false
		}
		if len(log) == 0 {
			fmt.Fprintln(w, "(no transactions: the store is empty)")
		}
		for i, t := range log {
			if i == n {
				fmt.Fprintf(w, "… %d older (:log %d)\n", len(log)-n, len(log))
				break
			}
			msg := t.Message
			if msg == "" {
				msg = strings.Join(t.Sources, ", ")
			}
			fmt.Fprintf(w, "%-6s %s  %-10s %-8s +%d -%d  %s\n", t.Name(), t.Time.UTC().Format(time.RFC3339), t.Author, t.Kind, t.Added, t.Removed, msg)
		}
	case "export":
		s.export(args, fail)
	case "stats":
		st, err := s.cfg.DB.Stats(s.ctx)
		if err != nil {
			fail("%v", err)
			return false
		}
		fmt.Fprintf(w, "quads %s, nodes %s, entities %s, relations %s\n", render.Thousands(st.Quads), render.Thousands(st.Nodes), render.Thousands(st.Entities), render.Thousands(st.Relations))
	case "schema":
		s.schema()
	case "history":
		start := 0
		if len(s.history) > 50 {
			start = len(s.history) - 50
		}
		for i := start; i < len(s.history); i++ {
			fmt.Fprintf(w, "%5d  %s\n", i+1, s.history[i])
		}
	default:
		msg := fmt.Sprintf("unknown command :%s", name)
		if sugg := graph.Suggest(name, commandNames()); len(sugg) > 0 {
			msg += " (did you mean :" + sugg[0] + "?)"
		}
		fail("%s — :help lists the commands", msg)
	}
	return false
}

// writing runs fn with the store open for writing. A shell given Reopen
// holds its store read-only; it closes it, opens it for writing (which
// fails while another process has it open), runs fn, and opens it
// read-only again.
func (s *session) writing(fn func(*graph.DB) error) error {
	db := s.cfg.DB
	if !db.ReadOnly() || s.cfg.Reopen == nil {
		return fn(db)
	}
	db.Close()
	w, err := s.cfg.Reopen(true)
	if err != nil {
		s.reopen(nil)
		return err
	}
	ferr := fn(w)
	for _, n := range w.Notes() {
		fmt.Fprintln(s.cfg.Err, "note: "+n)
	}
	s.reopen(w)
	return ferr
}

// reopen opens the store read-only again after a write, closing w (the
// writer) first; if that fails it keeps the writer, and if there is none
// the session ends.
func (s *session) reopen(w *graph.DB) {
	if w != nil {
		w.Close()
	}
	r, err := s.cfg.Reopen(false)
	if err != nil && w != nil {
		if w2, err2 := s.cfg.Reopen(true); err2 == nil {
			s.setDB(w2)
			return
		}
	}
	if err != nil {
		s.lost = fmt.Errorf("the store could not be opened again: %w", err)
		return
	}
	s.setDB(r)
}

func (s *session) setDB(db *graph.DB) {
	if s.cfg.DB != db && s.cfg.DB != s.orig {
		s.cfg.DB.Close()
	}
	s.cfg.DB = db
	s.comp.version = ^uint64(0) // a new store: reload the completion words
}

// confirm says what a command set, on a terminal. A script's output
// holds only answers (so that :format csv leaves clean CSV): there it
// says nothing.
func (s *session) confirm(format string, args ...interface{}) {
	if s.cfg.Interactive {
		fmt.Fprintf(s.cfg.Out, format+"\n", args...)
	}
}

// reportTo is where what a command did (loaded, wrote) is reported: the
// output on a terminal, the error stream in a script, whose output holds
// only answers.
func (s *session) reportTo() io.Writer {
	if s.cfg.Interactive {
		return s.cfg.Out
	}
	return s.cfg.Err
}

func onOffText(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func (s *session) printLoadError(err error) {
	var le *loader.Error
	var ll loader.ErrorList
	switch {
	case errors.As(err, &ll):
		for _, e := range ll {
			fmt.Fprintf(s.cfg.Err, "error: %v\n", e)
		}
	case errors.As(err, &le):
		fmt.Fprintf(s.cfg.Err, "error: %v\n", le)
		if c := le.Caret(); c != "" {
			fmt.Fprintln(s.cfg.Err, "  "+strings.ReplaceAll(c, "\n", "\n  "))
		}
	default:
		fmt.Fprintf(s.cfg.Err, "error: %v\n", err)
	}
}

// export writes the last answer as a subgraph:
//
//	:export FILE [FORMAT] [OPTION...]
//
// where an option is one of pictureOptions (all-edges, bare, no-title,
// no-legend, no-caption, layout=L, width=N, dpi=N), with or without a
// leading "--".
func (s *session) export(args []string, fail func(string, ...interface{})) {
	if s.last == nil {
		fail("nothing to export yet: run a statement first")
		return
	}
	if len(args) == 0 {
		fail(":export takes a file name, optionally a format (%s), and picture options (%s)", export.FormatList(), strings.Join(pictureOptions, ", "))
		return
	}
	path := args[0]
	var f export.Format
	opts := &export.Options{Query: s.lastSrc, DB: s.cfg.DB, Stdout: s.cfg.Out}
	for _, a := range args[1:] {
		if handled, err := pictureOption(a, opts); handled {
			if err != nil {
				fail("%v", err)
				return
			}
			continue
		}
		if f != "" {
			fail("%q is no format and no picture option (%s)", a, strings.Join(pictureOptions, ", "))
			return
		}
		var err error
		if f, err = export.ParseFormat(a); err != nil {
			fail("%v", err)
			return
		}
	}
	if f == "" {
		var ok bool
		if f, ok = export.FormatOf(path); !ok {
			fail("cannot tell the format of %s from its name; say it: :export %s graphml (%s)", path, path, export.FormatList())
			return
		}
	}
	var files []string
	if _, ok := s.bounded(func(ctx context.Context) error {
		var err error
		files, err = export.WriteFile(ctx, path, s.last, f, opts)
		return err
	}); !ok {
		return
	}
	sg := export.SubgraphOf(s.last)
	w := s.reportTo()
	if path == "-" {
		w = s.cfg.Err // the export is the output
	}
	fmt.Fprintf(w, "wrote %s (%s: %s)\n", strings.Join(files, ", "), f, sg.Summary(f, opts))
}

// pictureOptions are the options of :export for pictures, as the
// completion offers them.
var pictureOptions = []string{"all-edges", "bare", "no-title", "no-legend", "no-caption", "layout=", "width=", "dpi="}

// pictureOption reads one option of :export into o; handled is false for
// a word that is no option (a format).
func pictureOption(word string, o *export.Options) (handled bool, err error) {
	w := strings.TrimPrefix(strings.TrimPrefix(word, "-"), "-")
	name, value, hasValue := strings.Cut(w, "=")
	switch strings.ToLower(name) {
	case "all-edges":
		o.AllEdges = true
	case "bare":
		o.NoTitle, o.NoLegend, o.NoCaption = true, true, true
	case "no-title":
		o.NoTitle = true
	case "no-legend":
		o.NoLegend = true
	case "no-caption":
		o.NoCaption = true
	case "layout":
		if o.Layout, err = export.ParseLayout(value); err != nil {
			return true, err
		}
	case "width", "dpi":
		n, perr := strconv.ParseFloat(value, 64)
		if !hasValue || perr != nil || n <= 0 || name == "width" && n != float64(int(n)) {
			return true, fmt.Errorf("%s takes a positive number (width=1600 pixels, dpi=150)", name)
		}
		if name == "width" {
			o.Width = int(n)
		} else {
			o.DPI = n
		}
	default:
		return false, nil
	}
	if hasValue && name != "layout" && name != "width" && name != "dpi" {
		return true, fmt.Errorf("%s takes no value", name)
	}
	return true, nil
}

// schema lists the entity types and relation kinds with their counts.
func (s *session) schema() {
	st, err := s.cfg.DB.Stats(s.ctx)
	if err != nil {
		s.failures++
		fmt.Fprintf(s.cfg.Err, "error: %v\n", err)
		return
	}
	w := s.cfg.Out
	fmt.Fprintln(w, "entity types:")
	writeCounts(w, st.EntitiesByType, func(k string) string {
		if t, ok := graph.LookupType(k); ok {
			return t.Meaning
		}
		return ""
	})
	fmt.Fprintln(w, "relation kinds:")
	writeCounts(w, st.RelationsByKind, func(k string) string {
		if r, ok := graph.LookupKind(k); ok {
			sym := ""
			if r.Symmetric {
				sym = " (symmetric)"
			}
			return r.Meaning + sym
		}
		return ""
	})
	fmt.Fprintf(w, "qualifiers: %s\n", strings.Join(graph.QualifierNames(), ", "))
}

func writeCounts(w io.Writer, m map[string]int64, meaning func(string) string) {
	if len(m) == 0 {
		fmt.Fprintln(w, "  (none)")
		return
	}
	render.Counts(w, m, meaning)
}

// change runs :retract or :amend: the command line's retract and amend,
// with words quoted as in a shell ("South Korea").
func (s *session) change(name, line string, fail func(string, ...interface{})) {
	words, err := splitWords(line)
	if err != nil {
		fail("%v", err)
		return
	}
	words = words[1:]
	var meta graph.TxMeta
	meta.Kind = name
	var from string
	var all bool
	where := map[string]string{}
	var rest []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		flagVal := func() (string, bool) {
			if k, v, ok := strings.Cut(w, "="); ok && strings.HasPrefix(k, "--") {
				return v, true
			}
			if i+1 < len(words) {
				i++
				return words[i], true
			}
			fail("%s needs a value", w)
			return "", false
		}
		switch {
		case w == "--reason" || strings.HasPrefix(w, "--reason=") || w == "--message" || strings.HasPrefix(w, "--message="):
			v, ok := flagVal()
			if !ok {
				return
			}
			meta.Message = v
		case w == "--author" || strings.HasPrefix(w, "--author="):
			v, ok := flagVal()
			if !ok {
				return
			}
			meta.Author = v
		case (w == "--from" || strings.HasPrefix(w, "--from=")) && name == "amend":
			v, ok := flagVal()
			if !ok {
				return
			}
			from = v
		case (w == "--where" || strings.HasPrefix(w, "--where=")) && name == "amend":
			v, ok := flagVal()
			if !ok {
				return
			}
			k, val, found := strings.Cut(v, "=")
			if !found || strings.TrimSpace(k) == "" {
				fail("--where takes KEY=VALUE (venue=NATO), not %q", v)
				return
			}
			where[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(val)
		case w == "--all" && name == "retract":
			all = true
		case strings.HasPrefix(w, "--"):
			fail("unknown option %s (:%s takes --reason, --author%s)", w, name, map[bool]string{true: ", --from, --where", false: ", --all"}[name == "amend"])
			return
		default:
			rest = append(rest, w)
		}
	}
	if strings.TrimSpace(meta.Message) == "" {
		fail(":%s needs --reason TEXT: the history keeps why", name)
		return
	}
	t, assign, err := graph.ParseTarget(rest, name == "amend")
	if err != nil {
		fail("%v", err)
		return
	}
	t.All = all
	if len(where) > 0 {
		if t.Subject == "" {
			fail("--where picks among the relations of SUBJECT KIND OBJECT, not of a statement or an entity")
			return
		}
		t.Where = where
	}
	var a graph.Amendment
	if name == "amend" {
		if a, err = graph.ParseAssignments(assign); err != nil {
			fail("%v", err)
			return
		}
		a.From = from
	}
	var tx graph.Tx
	err = s.writing(func(db *graph.DB) error {
		var err error
		if name == "retract" {
			tx, err = db.Retract(s.ctx, t, meta)
		} else {
			tx, err = db.Amend(s.ctx, t, a, meta)
		}
		return err
	})
	if err != nil {
		fail("%s", strings.TrimPrefix(err.Error(), "graph: "))
		return
	}
	verb := map[string]string{"retract": "retracted", "amend": "amended"}[name]
	fmt.Fprintf(s.reportTo(), "%s: %s %s (%d added, %d removed)\n", tx.Name(), verb, t, tx.Added, tx.Removed)
}

// splitWords splits a line into words, keeping "…" and '…' together.
func splitWords(line string) ([]string, error) {
	var out []string
	var cur strings.Builder
	in := false
	var quote rune
	has := false
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, has = r, true
		case r == ' ' || r == '\t':
			if has || in {
				out = append(out, cur.String())
				cur.Reset()
				in, has = false, false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if has || in {
		out = append(out, cur.String())
	}
	return out, nil
}
