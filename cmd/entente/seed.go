package main

import (
	"context"
	"fmt"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/render"
	"github.com/entente-kg/entente/seeds"
)

// loadSeed loads the built-in seed graph.
func loadSeed(ctx context.Context, db *graph.DB, opts *loader.Options) (*loader.Result, error) {
	return loader.LoadSources(ctx, db, seeds.Sources(), opts)
}

func storeFormat() string { return graph.FormatVersion }

// seedIfNew loads the seed graph into the default store the first time it
// is opened.
func (g *globals) seedIfNew(db *graph.DB, created bool) error {
	if !created || db.ReadOnly() {
		return nil
	}
	res, err := loadSeed(context.Background(), db, nil)
	if err != nil {
		return fmt.Errorf("seeding the new default store: %w", err)
	}
	st, err := db.Stats(context.Background())
	if err != nil {
		return err
	}
	fmt.Fprintf(g.env.stderr, "entente: created the default store at %s and loaded the built-in seed graph (%s entities, %s relations, %s quads)\n",
		g.storeName(), render.Thousands(st.Entities), render.Thousands(st.Relations), render.Thousands(res.Added))
	return nil
}
