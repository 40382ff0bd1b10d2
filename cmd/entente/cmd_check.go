package main

import (
	"context"
	"fmt"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/render"
)

func cmdCheck(g *globals, args []string) int {
	fs := newFlags(g, "check", "check [--repair]")
	repair := fs.Bool("repair", false, "open a store whose write-ahead log is damaged, accepting the loss of the writes after the damage (which check reports first)")
	if _, st := parseFlags(g, fs, args); st >= 0 {
		return st
	}
	if *repair {
		if g.readOnly {
			fmt.Fprintln(g.env.stderr, "entente: check: --repair writes; it cannot be used with --read-only")
			return exitUsage
		}
		w, st := g.openWith(&graph.Options{MustExist: true, Repair: true})
		if st >= 0 {
			return st
		}
		w.Close()
	}
	db, st := g.openReader()
	if st >= 0 {
		return st
	}
	defer func() {
		if db != nil {
			db.Close()
		}
	}()
	ctx, cancel := g.env.interrupt(context.Background())
	defer cancel()
	rep, err := db.Check(ctx)
	if err != nil {
		return report(g.env.stderr, err)
	}
	if rep.Journals > 0 && !g.readOnly {
		// Loads a crash interrupted: a writable open settles them (and
		// says so); then check again.
		db.Close()
		w, st := g.open(false)
		if st >= 0 {
			return st
		}
		w.Close()
		if db, st = g.openReader(); st >= 0 {
			return st
		}
		if rep, err = db.Check(ctx); err != nil {
			return report(g.env.stderr, err)
		}
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(g.env.stdout, "problem: %s\n", p)
	}
	if rep.Journals > 0 {
		fmt.Fprintf(g.env.stdout, "note: %d unfinished load journals (settled at the next writable open)\n", rep.Journals)
	}
	if !rep.OK() {
		fmt.Fprintf(g.env.stdout, "store %s is NOT consistent: %d problems\n", g.storeName(), len(rep.Problems))
		return exitBad
	}
	fmt.Fprintf(g.env.stdout, "store %s is consistent: %s quads, %s nodes; every index entry resolves and every count agrees\n",
		g.storeName(), render.Thousands(rep.Quads), render.Thousands(rep.Nodes))
	if rep.Transactions > 0 {
		fmt.Fprintf(g.env.stdout, "history: %s, each undoes back to the one before it\n", render.Count(int64(rep.Transactions), "transaction"))
	}
	return exitOK
}
