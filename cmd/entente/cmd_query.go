package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/render"
)

func cmdQuery(g *globals, args []string) int {
	fs := newFlags(g, "query", "query [--lang eql|gizmo] [--format table|chain|json|csv] [--evidence] [--expanded] [--timeout D] [--limit N] 'QUERY'")
	lang := fs.String("lang", "eql", "query language: eql (Entente's) or gizmo (Cayley's JavaScript)")
	format := fs.String("format", "table", "output: table, chain, json (JSON Lines) or csv")
	timeout := fs.Duration("timeout", query.DefaultTimeout, "stop the query after this long")
	limit := fs.Int("limit", query.DefaultLimit, "most rows to return (a limit clause in the query overrides it)")
	evidence := fs.Bool("evidence", false, "show each relation's note and evidence: under chains and cards, below tables, in a last CSV column (JSON always has it)")
	expanded := fs.Bool("expanded", false, "print a table's rows as records, a line a column (-x)")
	fs.BoolVar(expanded, "x", false, "the same as --expanded")
	pos, st := parseFlags(g, fs, args)
	if st >= 0 {
		return st
	}
	if len(pos) == 0 {
		fmt.Fprintln(g.env.stderr, "entente: query: no query given")
		return exitUsage
	}
	src := strings.Join(pos, " ")
	if src == "-" {
		b, err := readAll(g.env.stdin)
		if err != nil {
			return report(g.env.stderr, err)
		}
		src = b
	}
	f, err := render.ParseFormat(*format)
	if err != nil {
		fmt.Fprintf(g.env.stderr, "entente: query: %v\n", err)
		return exitUsage
	}
	if *lang != "eql" && *lang != "gizmo" {
		fmt.Fprintf(g.env.stderr, "entente: query: unknown --lang %q (eql, gizmo)\n", *lang)
		return exitUsage
	}
	if *timeout <= 0 {
		fmt.Fprintln(g.env.stderr, "entente: query: --timeout must be positive")
		return exitUsage
	}
	db, st := g.openReader()
	if st >= 0 {
		return st
	}
	defer db.Close()
	ctx, cancel := g.env.interrupt(context.Background())
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, *timeout)
	defer cancelT()
	opts := &query.Options{Limit: *limit, Timeout: *timeout}
	res, err := query.RunLang(ctx, db, *lang, src, opts)
	if err != nil {
		return report(g.env.stderr, err)
	}
	if *expanded && f != render.Table {
		fmt.Fprintf(g.env.stderr, "entente: query: --expanded is a table layout; it cannot apply to --format %s\n", f)
		return exitUsage
	}
	ro := &render.Options{Evidence: *evidence, Expanded: *expanded}
	if g.env.stdoutTTY {
		ro.Width = g.env.width()
		ro.Color = g.env.getenv("NO_COLOR") == ""
	}
	sigCtx, stop := g.env.interrupt(context.Background())
	defer stop()
	if err := render.Write(render.ContextWriter(sigCtx, g.env.stdout), res, f, ro); err != nil {
		return report(g.env.stderr, err)
	}
	writeNotes(g.env.stderr, res, f)
	return exitOK
}

// writeNotes prints the answer's remarks on standard error, as the shell
// prints them under an answer: the notes, and — where the output has no
// footer to carry it (JSON, CSV) — what a cap cut. Standard output holds
// only the answer.
func writeNotes(w io.Writer, res *query.Result, f render.Format) {
	for _, n := range res.Notes {
		if n != res.Note {
			fmt.Fprintf(w, "entente: note: %s\n", n)
		}
	}
	if res.Note != "" && (f == render.JSON || f == render.CSV) {
		fmt.Fprintf(w, "entente: note: %s\n", res.Note)
	}
}
