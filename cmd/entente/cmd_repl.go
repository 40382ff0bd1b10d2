package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/entente-kg/entente/repl"
	"golang.org/x/term"
)

func cmdRepl(g *globals, args []string) int {
	fs := newFlags(g, "repl", "repl [--history FILE | --no-history]")
	history := fs.String("history", g.history, "the history file (default $ENTENTE_HISTORY, else in the user's state directory)")
	noHistory := fs.Bool("no-history", g.noHistory, "keep no history")
	if _, st := parseFlags(g, fs, args); st >= 0 {
		return st
	}
	// The shell holds the store read-only, so that other processes can
	// read it too; :load takes the write lock only while it loads.
	db, st := g.openReader()
	if st >= 0 {
		return st
	}
	defer db.Close()

	cfg := repl.Config{
		DB:        db,
		Out:       g.env.stdout,
		Err:       g.env.stderr,
		Version:   versionString(),
		StoreName: g.storeName(),
	}
	if g.readOnly {
		cfg.StoreName += " (read-only)"
	} else {
		cfg.Reopen = g.reopener()
	}
	interactive := g.env.stdinTTY && g.env.stdoutTTY
	if interactive {
		path := ""
		if !*noHistory {
			path = historyPath(g.env.getenv, *history)
		}
		t := repl.NewTerminal(path)
		defer t.Close()
		cfg.In = t
		cfg.History = t.History()
		cfg.Interactive = true
		cfg.Color = g.env.getenv("NO_COLOR") == "" && g.env.getenv("TERM") != "dumb"
		cfg.Width = g.env.width
		cfg.Height = func() int {
			if _, h, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
				return h
			}
			return 0
		}
		cfg.Pager = pager(g.env.getenv)
		// Ctrl-C while a statement runs arrives as SIGINT (the line
		// editor reads it as a key at the prompt).
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		defer signal.Stop(sig)
		ints := make(chan struct{}, 1)
		go func() {
			for range sig {
				select {
				case ints <- struct{}{}:
				default:
				}
			}
		}()
		cfg.Interrupts = ints
	} else {
		cfg.In = repl.NewLines(g.env.stdin, nil)
	}
	// SIGTERM (systemd, docker stop, kill) ends the session cleanly: the
	// running statement is cancelled, the terminal restored and the store
	// closed by the deferred calls above.
	ctx, stop := g.env.terminate(context.Background())
	defer stop()
	failures, err := repl.Run(ctx, cfg)
	if ctx.Err() != nil {
		fmt.Fprintln(g.env.stderr, "entente: terminated")
		return exitBad
	}
	if err != nil {
		fmt.Fprintf(g.env.stderr, "entente: %v\n", err)
		return exitBad
	}
	if failures > 0 && !interactive {
		what := "statements"
		if failures == 1 {
			what = "statement"
		}
		fmt.Fprintf(g.env.stderr, "entente: %d %s failed\n", failures, what)
		return exitBad
	}
	return exitOK
}

// historyPath is where the REPL keeps its history: the flag, else
// $ENTENTE_HISTORY ("off" turns it off), else the user's state directory.
func historyPath(getenv func(string) string, flag string) string {
	if flag != "" {
		return flag
	}
	if h := getenv("ENTENTE_HISTORY"); h != "" {
		if strings.EqualFold(h, "off") || strings.EqualFold(h, "none") {
			return ""
		}
		return h
	}
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "entente", "history")
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".local", "state", "entente", "history")
	}
	return ""
}

// pager is the command long answers go through: $PAGER, else less -FRX if
// installed; none otherwise.
func pager(getenv func(string) string) string {
	if p := getenv("PAGER"); p != "" {
		return p
	}
	if _, err := exec.LookPath("less"); err == nil {
		return "less -FRX"
	}
	return ""
}

func readAll(r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	return string(b), err
}
