package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/query"
	"golang.org/x/term"
)

// Exit statuses (the product's command-line contract).
const (
	exitOK    = 0
	exitBad   = 1 // a bad query or bad input
	exitUsage = 2
	exitStore = 3 // the store cannot be opened
)

// env is what a run of the command sees of the world; tests build their
// own.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// stdinTTY etc. say whether each stream is a terminal.
	stdinTTY, stdoutTTY, stderrTTY bool
	// width returns the terminal's width (0 when unknown).
	width func() int
	// interrupt returns a context cancelled by Ctrl-C (SIGINT) or
	// SIGTERM.
	interrupt func(context.Context) (context.Context, context.CancelFunc)
	// terminate returns a context cancelled by SIGTERM only (the shell,
	// where Ctrl-C cancels a statement, not the session).
	terminate func(context.Context) (context.Context, context.CancelFunc)
	// errWidth returns the width of the terminal standard error is on
	// (0 when unknown), for the progress bar.
	errWidth func() int
}

func newEnv() *env {
	isTTY := func(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
	return &env{
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		getenv:    os.Getenv,
		stdinTTY:  isTTY(os.Stdin),
		stdoutTTY: isTTY(os.Stdout),
		stderrTTY: isTTY(os.Stderr),
		width: func() int {
			if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
				return w
			}
			return 0
		},
		errWidth: func() int {
			if w, _, err := term.GetSize(int(os.Stderr.Fd())); err == nil {
				return w
			}
			return 0
		},
		terminate: func(ctx context.Context) (context.Context, context.CancelFunc) {
			return signal.NotifyContext(ctx, syscall.SIGTERM)
		},
		interrupt: func(ctx context.Context) (context.Context, context.CancelFunc) {
			// SIGTERM (timeout, systemd, docker stop) is a request to
			// stop, like Ctrl-C: a load is undone, not left to a crash.
			return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		},
	}
}

// globals are the flags every command takes.
type globals struct {
	env      *env
	db       string
	readOnly bool
	dbSet    bool
	// history and noHistory are the shell's flags, accepted before the
	// command too (entente --no-history).
	history   string
	noHistory bool
}

func (g *globals) register(fs *flag.FlagSet) {
	fs.Func("db", "the store's directory or postgres:// address (default $ENTENTE_DB, else the user's data directory)", func(s string) error {
		g.db, g.dbSet = s, true
		return nil
	})
	fs.BoolFunc("read-only", "open the store read-only", func(s string) error {
		g.readOnly = s == "true"
		return nil
	})
}

const usage = `Entente — an embedded knowledge graph of countries, alliances and industries.

Usage:
  entente [--db DIR] [--read-only]            open the interactive shell (REPL)
  entente [--db DIR] repl [--history FILE | --no-history]
                                               the same
  entente [--db DIR] load [flags] FILE...      load N-Quads, N-Triples, CSV, JSON-LD or seed files (.gz, - for stdin)
  entente [--db DIR] load --seed               load the built-in seed graph (idempotent)
  entente [--db DIR] query [flags] 'QUERY'     run one query (EQL or --lang gizmo)
  entente [--db DIR] export --query 'QUERY' --format F -o FILE   (-o - for standard output)
                                               write a query's answer as a subgraph
  entente [--db DIR] stats [--format json]     count quads, nodes, entities, relations
  entente [--db DIR] check [--repair]          verify the store (files, checksums, indexes, counts, history)
  entente [--db DIR] log [--format json]       list the transactions, newest first
  entente [--db DIR] retract --reason TEXT (SUBJECT KIND OBJECT | STMT-ID | ENTITY)
                                               retract a fact (the history keeps it)
  entente [--db DIR] amend --reason TEXT [--from DATE] TARGET KEY=VALUE...
                                               change a relation's qualifiers or an entity's names
  entente [--db DIR] history ENTITY|STMT-ID    each change to it, with transaction, author and reason
  entente [--db DIR] diff --since T            what was added, amended and retracted since T
  entente [--db DIR] serve [--addr 127.0.0.1:7474] [--open]
                                               the explorer: a page and its JSON API in the browser
  entente --db postgres://USER@HOST:PORT/DB init
                                               create the schema of a store on PostgreSQL
  entente copy --from SRC --to DST             copy a store into an empty one (Badger or PostgreSQL), history kept
  entente version                              print the version (also --version)
  entente help [COMMAND]                       print help

The store is --db DIR, else $ENTENTE_DB, else %s.
DIR may be a PostgreSQL address instead, postgres://USER@HOST:PORT/DB (see docs/scale.md).
A change (load, retract, amend) records $ENTENTE_TX_TIME (RFC 3339), when set, as its time.
Exit status: 0 ok, 1 bad query or input, 2 usage error, 3 store cannot be opened.
Run 'entente help COMMAND' for a command's flags.
`

// printUsage prints the usage to w: standard output when asked for
// (--help, so that | less works), standard error after a usage error.
func printUsage(w io.Writer, g *globals) {
	fmt.Fprintf(w, usage, defaultStoreDir(g.env.getenv))
}

// parseOrHelp parses args into fs. Asked for help (-h, --help), it prints
// the usage on standard output and returns exitOK; after a usage error, the
// error and the usage go to standard error and it returns exitUsage. It
// returns -1 when the command should go on.
func parseOrHelp(fs *flag.FlagSet, args []string, g *globals, usage func(io.Writer)) int {
	fs.SetOutput(g.env.stderr)
	fs.Usage = func() {} // printed below, where it belongs
	err := fs.Parse(args)
	defer fs.SetOutput(g.env.stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage(g.env.stdout)
		return exitOK
	case err != nil:
		usage(g.env.stderr)
		return exitUsage
	}
	return -1
}

// run runs the command line args and returns the exit status.
func run(args []string, e *env) int {
	g := &globals{env: e}
	fs := flag.NewFlagSet("entente", flag.ContinueOnError)
	g.register(fs)
	fs.StringVar(&g.history, "history", "", "the shell's history file")
	fs.BoolVar(&g.noHistory, "no-history", false, "keep no shell history")
	showVersion := fs.Bool("version", false, "print the version")
	if st := parseOrHelp(fs, args, g, func(w io.Writer) { printUsage(w, g) }); st >= 0 {
		return st
	}
	if *showVersion {
		fmt.Fprintln(e.stdout, versionString())
		return exitOK
	}
	rest := fs.Args()
	cmd := "repl"
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	switch cmd {
	case "repl", "shell":
		return cmdRepl(g, rest)
	case "load":
		return cmdLoad(g, rest)
	case "query", "q":
		return cmdQuery(g, rest)
	case "export":
		return cmdExport(g, rest)
	case "stats":
		return cmdStats(g, rest)
	case "check":
		return cmdCheck(g, rest)
	case "serve":
		return cmdServe(g, rest)
	case "log":
		return cmdLog(g, rest)
	case "init":
		return cmdInit(g, rest)
	case "copy":
		return cmdCopy(g, rest)
	case "retract":
		return cmdRetract(g, rest)
	case "amend":
		return cmdAmend(g, rest)
	case "history":
		return cmdHistory(g, rest)
	case "diff":
		return cmdDiff(g, rest)
	case "version":
		fmt.Fprintln(e.stdout, versionString())
		return exitOK
	case "help":
		if len(rest) > 0 && rest[0] != "help" && rest[0] != "version" {
			return run([]string{rest[0], "-h"}, e)
		}
		printUsage(e.stdout, g)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "entente: unknown command %q (run 'entente help')\n", cmd)
	return exitUsage
}

// newFlags makes a command's flag set, with the global flags on it too.
func newFlags(g *globals, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(g.env.stderr)
	g.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: entente %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses a command's flags, allowing flags after arguments too
// (entente load file.nq --dry-run). It returns a non-negative exit status
// when the command should stop.
func parseFlags(g *globals, fs *flag.FlagSet, args []string) ([]string, int) {
	var pos []string
	usage := fs.Usage
	for {
		if st := parseOrHelp(fs, args, g, func(w io.Writer) {
			fs.SetOutput(w)
			usage()
		}); st >= 0 {
			return nil, st
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	return pos, -1
}

// defaultStoreDir is the store used without --db: $ENTENTE_DB, else a
// directory in the user's data directory.
func defaultStoreDir(getenv func(string) string) string {
	if d := getenv("ENTENTE_DB"); d != "" {
		return d
	}
	return filepath.Join(userDataDir(getenv), "entente", "store")
}

func userDataDir(getenv func(string) string) string {
	switch runtime.GOOS {
	case "darwin", "windows", "ios":
		if d, err := os.UserConfigDir(); err == nil {
			return d
		}
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return d
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".local", "share")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share")
	}
	return "."
}

// storeName is the store's address for messages: a password in a
// database address masked.
func (g *globals) storeName() string { return graph.Redact(g.storeDir()) }

func (g *globals) storeDir() string {
	if g.dbSet {
		return g.db
	}
	return defaultStoreDir(g.env.getenv)
}

// usingDefaultStore reports whether no --db was given: the default store
// ($ENTENTE_DB or the data directory) is seeded when first created.
func (g *globals) usingDefaultStore() bool { return !g.dbSet }

// open opens the store, printing why it cannot and returning its exit
// status. Only the default store is created (and seeded) here when it does
// not exist; a store given with --db is created only by a command that
// writes (load), never by one that reads.
func (g *globals) open(readOnly bool) (*graph.DB, int) {
	return g.openWith(&graph.Options{ReadOnly: readOnly || g.readOnly})
}

func (g *globals) openWith(o *graph.Options) (*graph.DB, int) {
	dir := g.storeDir()
	created := g.usingDefaultStore() && !graph.Exists(dir)
	o.Log = g.engineLog()
	db, err := graph.Open(dir, o)
	if err != nil {
		return nil, openFailed(g.env.stderr, dir, err)
	}
	for _, n := range db.Notes() {
		fmt.Fprintf(g.env.stderr, "entente: note: %s\n", n)
	}
	if err := g.seedIfNew(db, created); err != nil {
		db.Close()
		fmt.Fprintf(g.env.stderr, "entente: %v\n", err)
		return nil, exitStore
	}
	return db, -1
}

// openFailed prints why the store in dir cannot be opened and returns the
// exit status: 1 for a full disk, 3 for a store that cannot be opened.
func openFailed(w io.Writer, dir string, err error) int {
	switch {
	case errors.Is(err, graph.ErrNoStore) && graph.IsURL(dir):
		fmt.Fprintf(w, "entente: cannot open the store: %v\n", err)
		return exitStore
	case errors.Is(err, graph.ErrNoStore):
		fmt.Fprintf(w, "entente: no store in %s (create one with `entente --db %s load FILE` or `load --seed`)\n", dir, dir)
		return exitStore
	case errors.Is(err, graph.ErrNoSpace):
		fmt.Fprintf(w, "entente: %v\n", err)
		return exitBad
	}
	fmt.Fprintf(w, "entente: cannot open the store: %v\n", err)
	return exitStore
}

// openReader opens the store for a command that only reads (query,
// export, stats, check, the shell between loads): read-only, so that any
// number of readers — other commands, shells — can use it at once. It never
// creates a store, but for the default store, which is created and seeded
// on first use. A store a crash left unsettled (logs Badger will not replay
// read-only, a load to undo) is opened once for writing to settle it,
// unless --read-only was given.
func (g *globals) openReader() (*graph.DB, int) {
	if g.readOnly {
		return g.open(true)
	}
	dir := g.storeDir()
	if g.usingDefaultStore() && !graph.Exists(dir) {
		db, st := g.open(false)
		if st >= 0 {
			return nil, st
		}
		db.Close()
	}
	db, err := graph.Open(dir, &graph.Options{ReadOnly: true, Log: g.engineLog()})
	if errors.Is(err, graph.ErrNeedsRecovery) {
		w, werr := graph.Open(dir, &graph.Options{MustExist: true, Log: g.engineLog()})
		if errors.Is(werr, graph.ErrNoSpace) {
			fmt.Fprintf(g.env.stderr, "entente: cannot open the store: a crash left it to settle (%v), which takes a write, and the disk is full: %v\n", strings.TrimPrefix(graph.ErrNeedsRecovery.Error(), "graph: "), werr)
			return nil, exitStore
		}
		if werr != nil {
			return nil, openFailed(g.env.stderr, dir, werr)
		}
		for _, n := range w.Notes() {
			fmt.Fprintf(g.env.stderr, "entente: note: %s\n", n)
		}
		w.Close()
		db, err = graph.Open(dir, &graph.Options{ReadOnly: true, Log: g.engineLog()})
	}
	if err != nil {
		return nil, openFailed(g.env.stderr, dir, err)
	}
	return db, -1
}

// engineLog is where the storage engine's own log lines go: nowhere, so
// that an error is the one line the command prints, unless
// ENTENTE_DEBUG is set.
func (g *globals) engineLog() io.Writer {
	if g.env.getenv("ENTENTE_DEBUG") != "" {
		return g.env.stderr
	}
	return nil
}

// reopener opens the store again, for writing or read-only (the shell's
// :load).
func (g *globals) reopener() func(write bool) (*graph.DB, error) {
	dir := g.storeDir()
	return func(write bool) (*graph.DB, error) {
		return graph.Open(dir, &graph.Options{ReadOnly: !write, Log: g.engineLog()})
	}
}

// report prints an error as one line (with a caret for query and input
// errors) and returns its exit status.
func report(w io.Writer, err error) int {
	var qe *query.Error
	var le *loader.Error
	var ll loader.ErrorList
	switch {
	case errors.As(err, &ll):
		for _, e := range ll {
			fmt.Fprintf(w, "entente: %v\n", e)
		}
		return exitBad
	case errors.As(err, &qe):
		fmt.Fprintf(w, "entente: %v\n", qe)
		if c := qe.Caret(); c != "" {
			fmt.Fprintln(w, indent(c))
		}
		return exitBad
	case errors.As(err, &le):
		fmt.Fprintf(w, "entente: %v\n", le)
		if c := le.Caret(); c != "" {
			fmt.Fprintln(w, indent(c))
		}
		return exitBad
	case errors.Is(err, graph.ErrLocked), errors.Is(err, graph.ErrCorrupt),
		errors.Is(err, graph.ErrFormatVersion), errors.Is(err, graph.ErrNoStore),
		errors.Is(err, graph.ErrNotStore), errors.Is(err, graph.ErrNeedsRecovery):
		fmt.Fprintf(w, "entente: %v\n", err)
		return exitStore
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(w, "entente: interrupted")
		return exitBad
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintln(w, "entente: timed out (raise it with --timeout)")
		return exitBad
	}
	fmt.Fprintf(w, "entente: %v\n", err)
	return exitBad
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// version is set by the linker (-X main.version=…); otherwise the module
// version from the build information is used.
var version = ""

func versionString() string {
	v := version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok {
			if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					v += " " + s.Value[:12]
				}
			}
		}
	}
	return fmt.Sprintf("entente %s (%s, store format %s)", v, runtime.Version(), storeFormat())
}
