package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/query"
)

func cmdExport(g *globals, args []string) int {
	fs := newFlags(g, "export", "export --query 'QUERY' [--format F] -o FILE")
	src := fs.String("query", "", "the query whose answer to export (EQL, or Gizmo with --lang gizmo)")
	format := fs.String("format", "", "graphml, gexf, dot, svg, nquads, jsonld, csv or cytoscape (default: from the file's extension)")
	out := fs.String("o", "", "the file to write (CSV also writes FILE.nodes.csv), - for standard output")
	lang := fs.String("lang", "eql", "the query's language: eql or gizmo")
	timeout := fs.Duration("timeout", query.DefaultTimeout, "stop the query after this long")
	limit := fs.Int("limit", query.DefaultLimit, "most rows of the answer")
	pos, st := parseFlags(g, fs, args)
	if st >= 0 {
		return st
	}
	if *src == "" && len(pos) > 0 {
		*src = strings.Join(pos, " ")
	}
	if *src == "" || *out == "" {
		fmt.Fprintln(g.env.stderr, "entente: export: give --query 'QUERY' and -o FILE")
		return exitUsage
	}
	var f export.Format
	var err error
	if *format != "" {
		if f, err = export.ParseFormat(*format); err != nil {
			fmt.Fprintf(g.env.stderr, "entente: export: %v\n", err)
			return exitUsage
		}
	} else {
		var ok bool
		if f, ok = export.FormatOf(*out); !ok {
			fmt.Fprintf(g.env.stderr, "entente: export: cannot tell the format of %s from its name; give --format (%s)\n", *out, export.FormatList())
			return exitUsage
		}
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
	res, err := query.RunLang(ctx, db, *lang, *src, &query.Options{Limit: *limit, Timeout: *timeout})
	if err != nil {
		return report(g.env.stderr, err)
	}
	files, err := export.WriteFile(ctx, *out, res, f, &export.Options{Query: *src, Time: time.Now(), DB: db, Stdout: g.env.stdout})
	if err != nil {
		return report(g.env.stderr, err)
	}
	sg := export.SubgraphOf(res)
	summary := g.env.stdout
	if *out == "-" {
		summary = g.env.stderr // standard output holds the export
	}
	fmt.Fprintf(summary, "wrote %s (%s: %d nodes, %d relations)\n", strings.Join(files, ", "), f, len(sg.Nodes), len(sg.Relations))
	if res.Capped {
		fmt.Fprintf(g.env.stderr, "entente: note: the answer was capped (%s); the export holds what it showed\n", res.Note)
	}
	return exitOK
}
