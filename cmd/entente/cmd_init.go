package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/entente-kg/entente/graph"
)

// cmdInit creates the schema of a store on a database server: entente
// --db postgres://USER@HOST:PORT/DB init. A directory needs none (the
// first load creates the store), so init refuses one.
func cmdInit(g *globals, args []string) int {
	fs := newFlags(g, "init", "--db postgres://USER@HOST:PORT/DB init")
	pos, st := parseFlags(g, fs, args)
	if st >= 0 {
		return st
	}
	if len(pos) > 0 {
		fmt.Fprintf(g.env.stderr, "entente: init takes no arguments (the database is --db URL or $ENTENTE_DB)\n")
		return exitUsage
	}
	addr := g.storeDir()
	if !graph.IsURL(addr) {
		fmt.Fprintf(g.env.stderr, "entente: init: %s is a directory; init is for a database (--db postgres://USER@HOST:PORT/DB) — a directory becomes a store at its first load\n", addr)
		return exitUsage
	}
	if g.readOnly {
		fmt.Fprintln(g.env.stderr, "entente: init writes; it cannot be used with --read-only")
		return exitUsage
	}
	ctx, cancel := g.env.interrupt(context.Background())
	defer cancel()
	err := graph.Init(ctx, addr)
	switch {
	case errors.Is(err, graph.ErrInitialized):
		fmt.Fprintf(g.env.stdout, "entente: %s already has the Entente schema (%s); nothing to do\n", graph.Redact(addr), graph.PostgresFormatVersion)
		return exitOK
	case err != nil:
		fmt.Fprintf(g.env.stderr, "entente: init: %v\n", err)
		return exitStore
	}
	fmt.Fprintf(g.env.stdout, "entente: created the Entente schema (%s) in %s; load it with `entente --db URL load --seed` or `load FILE`\n", graph.PostgresFormatVersion, graph.Redact(addr))
	return exitOK
}
