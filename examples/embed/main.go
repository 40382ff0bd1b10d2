// Command embed shows Entente as a library: open a store, load the seed
// graph, ask a question in EQL and through the Go API, walk the paths hop
// by hop with their evidence, and export the answer as GraphML.
//
//	go run ./examples/embed
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/seeds"
)

func main() {
	dir, err := os.MkdirTemp("", "entente-embed")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := run(context.Background(), dir, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run does the work in dir, writing what it finds to w.
func run(ctx context.Context, dir string, w io.Writer) error {
	// 1. Open (or create) a store on disk. One process may write to it.
	db, err := graph.Open(filepath.Join(dir, "store"), nil)
	if err != nil {
		return err
	}
	defer db.Close()

	// 2. Load the built-in seed graph; all or nothing, and idempotent.
	res, err := loader.LoadSources(ctx, db, seeds.Sources(), nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "loaded %d quads\n", res.Added)

	// 3. Ask in EQL, bounded by a timeout.
	ctx, cancel := context.WithTimeout(ctx, query.DefaultTimeout)
	defer cancel()
	ans, err := query.Run(ctx, db, `path "North Korea" to "European Union" via threat_to, troops_in, defence_cooperation`, nil)
	if err != nil {
		return err
	}

	// 4. Walk the paths: every hop carries its relation, direction,
	// qualifiers and evidence.
	for _, row := range ans.Rows {
		p := row[0].(*query.Path)
		for i, h := range p.Hops {
			from, to := p.Nodes[i].Label(), p.Nodes[i+1].Label()
			fmt.Fprintf(w, "%s —%s→ %s\n", from, h.Rel.Kind, to)
			for _, e := range h.Rel.Evidence {
				fmt.Fprintf(w, "    [%s] %s\n", e.Locator, e.Note)
			}
		}
	}

	// 5. The same kind of question through the Go API.
	paths, err := query.ShortestPaths(ctx, db, "Tokyo", "New Delhi", nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Tokyo to New Delhi: %d shortest paths of %d hops\n", len(paths), paths[0].Len())

	// 6. Export the first answer as a subgraph for Gephi or yEd.
	out := filepath.Join(dir, "north-korea-eu.graphml")
	files, err := export.WriteFile(ctx, out, ans, export.GraphML, &export.Options{Query: "path North Korea to EU", DB: db})
	if err != nil {
		return err
	}
	sg := export.SubgraphOf(ans)
	fmt.Fprintf(w, "exported %d nodes and %d relations to %s\n", len(sg.Nodes), len(sg.Relations), filepath.Base(files[0]))
	return nil
}
