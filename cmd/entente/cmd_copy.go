package main

import (
	"context"
	"fmt"
	"io"
	"reflect"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/render"
)

// cmdCopy copies a store into an empty one, Badger or PostgreSQL either
// way: entente copy --from SRC --to DST. It streams the source's whole
// history (graph.WriteHistory) into the destination (graph.LoadHistory),
// so that every transaction keeps its id, time, author and message, then
// verifies that both stores count the same quads, nodes, entities,
// relations (by type and kind) and transactions.
func cmdCopy(g *globals, args []string) int {
	fs := newFlags(g, "copy", "copy --from SRC --to DST")
	from := fs.String("from", "", "the store to copy: a directory or a postgres:// address")
	to := fs.String("to", "", "an empty store to copy into: a directory (created) or a postgres:// address (after init)")
	pos, st := parseFlags(g, fs, args)
	if st >= 0 {
		return st
	}
	if *from == "" || *to == "" || len(pos) > 0 {
		fmt.Fprintln(g.env.stderr, "entente: copy needs --from SRC and --to DST, and nothing else")
		return exitUsage
	}
	if *from == *to {
		fmt.Fprintln(g.env.stderr, "entente: copy: --from and --to are the same store")
		return exitUsage
	}
	src, err := graph.Open(*from, &graph.Options{ReadOnly: true, Log: g.engineLog()})
	if err != nil {
		return openFailed(g.env.stderr, graph.Redact(*from), err)
	}
	defer src.Close()
	dst, err := graph.Open(*to, &graph.Options{Log: g.engineLog()})
	if err != nil {
		return openFailed(g.env.stderr, graph.Redact(*to), err)
	}
	defer dst.Close()
	ctx, cancel := g.env.interrupt(context.Background())
	defer cancel()

	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(src.WriteHistory(ctx, pw)) }()
	n, err := dst.LoadHistory(ctx, pr)
	pr.CloseWithError(err)
	if err != nil {
		fmt.Fprintf(g.env.stderr, "entente: copy: %v (after %s; discard %s and copy again)\n",
			err, render.Count(int64(n), "transaction"), graph.Redact(*to))
		return exitBad
	}
	a, err := src.Stats(ctx)
	if err != nil {
		return report(g.env.stderr, err)
	}
	b, err := dst.Stats(ctx)
	if err != nil {
		return report(g.env.stderr, err)
	}
	la, err := src.Log(ctx)
	if err != nil {
		return report(g.env.stderr, err)
	}
	lb, err := dst.Log(ctx)
	if err != nil {
		return report(g.env.stderr, err)
	}
	if !reflect.DeepEqual(a, b) || len(la) != len(lb) {
		fmt.Fprintf(g.env.stderr, "entente: copy: the copy does not count what the source does: source %d quads, %d nodes, %d entities, %d relations, %d transactions; copy %d, %d, %d, %d, %d\n",
			a.Quads, a.Nodes, a.Entities, a.Relations, len(la), b.Quads, b.Nodes, b.Entities, b.Relations, len(lb))
		return exitBad
	}
	fmt.Fprintf(g.env.stdout, "copied %s into %s: %s quads, %s nodes, %s entities, %s relations; counts verified\n",
		render.Count(int64(len(lb)), "transaction"), graph.Redact(*to),
		render.Thousands(b.Quads), render.Thousands(b.Nodes), render.Thousands(b.Entities), render.Thousands(b.Relations))
	return exitOK
}
