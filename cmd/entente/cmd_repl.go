package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/render"
)

func cmdRepl(g *globals, args []string) int {
	fs := newFlags(g, "repl", "repl")
	if _, st := parseFlags(fs, args); st >= 0 {
		return st
	}
	db, st := g.open(false)
	if st >= 0 {
		return st
	}
	defer db.Close()
	sc := bufio.NewScanner(g.env.stdin)
	failed := false
	for {
		if g.env.stdinTTY {
			fmt.Fprint(g.env.stdout, "gizmo> ")
		}
		if !sc.Scan() {
			break
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if line == ":quit" || line == ":q" {
			break
		}
		ctx, cancel := context.WithTimeout(context.Background(), query.DefaultTimeout)
		res, err := query.Gizmo(ctx, db.QuadStore(), line, nil)
		cancel()
		if err != nil {
			report(g.env.stderr, err)
			failed = true
			continue
		}
		render.Write(g.env.stdout, res, render.Table, nil)
	}
	if failed {
		return exitBad
	}
	return exitOK
}

func readAll(r io.Reader) (string, error) {
	b, err := io.ReadAll(r)
	return string(b), err
}
