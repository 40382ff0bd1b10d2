package main

import (
	"context"
	"errors"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
)

func loadSeed(ctx context.Context, db *graph.DB, opts *loader.Options) (*loader.Result, error) {
	return nil, errors.New("the seed graph is not available yet")
}

func storeFormat() string { return graph.FormatVersion }
