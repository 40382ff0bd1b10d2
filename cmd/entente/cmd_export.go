package main

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/render"
)

func cmdExport(g *globals, args []string) int {
	fs := newFlags(g, "export", "export --query 'QUERY' [--format F] -o FILE [picture flags]")
	src := fs.String("query", "", "the query whose answer to export (EQL, or Gizmo with --lang gizmo)")
	format := fs.String("format", "", "graphml, gexf, dot, svg, png, pdf, nquads, jsonld, csv or cytoscape (default: from the file's extension)")
	out := fs.String("o", "", "the file to write (CSV also writes FILE.nodes.csv), - for standard output")
	lang := fs.String("lang", "eql", "the query's language: eql or gizmo")
	timeout := fs.Duration("timeout", query.DefaultTimeout, "stop the query after this long")
	limit := fs.Int("limit", query.DefaultLimit, "most rows of the answer")
	allEdges := fs.Bool("all-edges", false, "picture: draw every relation as a line of its own (default: one line per pair of nodes)")
	layout := fs.String("layout", "", "picture: the Graphviz layout, "+strings.Join(export.Layouts, ", ")+" (default: by the answer)")
	noTitle := fs.Bool("no-title", false, "picture: no title (the query)")
	noLegend := fs.Bool("no-legend", false, "picture: no legend")
	noCaption := fs.Bool("no-caption", false, "picture: no caption (the date and the sources)")
	bare := fs.Bool("bare", false, "picture: the graph alone, to embed (--no-title --no-legend --no-caption)")
	width := fs.Int("width", 0, "PNG: the width in pixels (default: 96 dpi)")
	dpi := fs.Float64("dpi", 0, "PNG: the resolution in dots per inch (default 96)")
	history := fs.Bool("history", false, "write the store's whole history (every transaction and its changes, JSON Lines) instead of an answer; `entente load` reads it back into an empty store")
	pos, st := parseFlags(g, fs, args)
	if st >= 0 {
		return st
	}
	if *history {
		return exportHistory(g, *src, pos, *out)
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
	if *layout != "" {
		if _, err := export.ParseLayout(*layout); err != nil {
			fmt.Fprintf(g.env.stderr, "entente: %v\n", err)
			return exitUsage
		}
	}
	if *width < 0 || *dpi < 0 || *width > 0 && *dpi > 0 {
		fmt.Fprintln(g.env.stderr, "entente: export: give --width PIXELS or --dpi N (positive), not both")
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
	res, err := query.RunLang(ctx, db, *lang, *src, &query.Options{Limit: *limit, Timeout: *timeout})
	if err != nil {
		return report(g.env.stderr, err)
	}
	opts := &export.Options{
		Query: *src, Time: time.Now(), DB: db, Stdout: g.env.stdout,
		AllEdges: *allEdges, Layout: *layout, Width: *width, DPI: *dpi,
		NoTitle: *noTitle || *bare, NoLegend: *noLegend || *bare, NoCaption: *noCaption || *bare,
	}
	files, err := export.WriteFile(ctx, *out, res, f, opts)
	if err != nil {
		return report(g.env.stderr, err)
	}
	sg := export.SubgraphOf(res)
	summary := g.env.stdout
	if *out == "-" {
		summary = g.env.stderr // standard output holds the export
	}
	fmt.Fprintf(summary, "wrote %s (%s: %s)\n", strings.Join(files, ", "), f, sg.Summary(f, opts))
	if res.Capped {
		fmt.Fprintf(g.env.stderr, "entente: note: the answer was capped (%s); the export holds what it showed\n", res.Note)
	}
	return exitOK
}

// exportHistory writes the store's history to out.
func exportHistory(g *globals, src string, pos []string, out string) int {
	if src != "" || len(pos) > 0 {
		fmt.Fprintln(g.env.stderr, "entente: export: --history writes the whole store's history; it takes no query")
		return exitUsage
	}
	if out == "" {
		fmt.Fprintln(g.env.stderr, "entente: export: give -o FILE (FILE.history.jsonl; - for standard output)")
		return exitUsage
	}
	db, st := g.openReader()
	if st >= 0 {
		return st
	}
	defer db.Close()
	ctx, cancel := g.env.interrupt(context.Background())
	defer cancel()
	log, err := db.Log(ctx)
	if err != nil {
		return report(g.env.stderr, err)
	}
	write := func(w io.Writer) error { return db.WriteHistory(ctx, w) }
	if strings.HasSuffix(strings.ToLower(out), ".gz") {
		// FILE.history.jsonl.gz: compressed, as load reads it back.
		plain := write
		write = func(w io.Writer) error {
			zw := gzip.NewWriter(w)
			if err := plain(zw); err != nil {
				return err
			}
			return zw.Close()
		}
	}
	if err := export.WriteTo(ctx, out, g.env.stdout, write); err != nil {
		return report(g.env.stderr, err)
	}
	summary := g.env.stdout
	if out == "-" {
		summary = g.env.stderr
	}
	fmt.Fprintf(summary, "wrote %s (history: %s)\n", out, render.Count(int64(len(log)), "transaction"))
	return exitOK
}
