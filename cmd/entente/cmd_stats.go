package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/render"
)

func cmdStats(g *globals, args []string) int {
	fs := newFlags(g, "stats", "stats [--format table|json]")
	format := fs.String("format", "table", "output: table, or json (one object)")
	if _, st := parseFlags(g, fs, args); st >= 0 {
		return st
	}
	if *format != "table" && *format != "json" {
		fmt.Fprintf(g.env.stderr, "entente: stats: unknown --format %q (table, json)\n", *format)
		return exitUsage
	}
	db, st := g.openReader()
	if st >= 0 {
		return st
	}
	defer db.Close()
	ctx, cancel := g.env.interrupt(context.Background())
	defer cancel()
	s, err := db.Stats(ctx)
	if err != nil {
		return report(g.env.stderr, err)
	}
	if *format == "json" {
		b, err := json.Marshal(s)
		if err != nil {
			return report(g.env.stderr, err)
		}
		fmt.Fprintf(g.env.stdout, "%s\n", b)
		return exitOK
	}
	writeStats(g, s)
	return exitOK
}

func writeStats(g *globals, s *graph.Stats) {
	w := g.env.stdout
	fmt.Fprintf(w, "quads      %12s\nnodes      %12s\nentities   %12s\nrelations  %12s\n",
		render.Thousands(s.Quads), render.Thousands(s.Nodes), render.Thousands(s.Entities), render.Thousands(s.Relations))
	writeCounts := func(title string, m map[string]int64) {
		if len(m) > 0 {
			fmt.Fprintf(w, "\n%s\n", title)
			render.Counts(w, m, nil)
		}
	}
	writeCounts("entities by type", s.EntitiesByType)
	writeCounts("relations by kind", s.RelationsByKind)
}
