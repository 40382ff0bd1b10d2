package loader_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/seeds"
)

// Load the built-in seed graph into a new store.
func ExampleLoadSources() {
	db, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	res, err := loader.LoadSources(context.Background(), db, seeds.Sources(), nil)
	if err != nil {
		log.Fatal(err)
	}
	st, _ := db.Stats(context.Background())
	fmt.Println(res.Added == st.Quads, st.Entities > 60, st.Relations > 150)
	// Output: true true true
}

// Load a file; an error anywhere leaves the store as it was.
func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "entente-example")
	defer os.RemoveAll(dir)
	good := filepath.Join(dir, "good.nq")
	bad := filepath.Join(dir, "bad.nq")
	os.WriteFile(good, []byte("<entity:a> <rel:partner> <entity:b> .\n"), 0o644)
	os.WriteFile(bad, []byte("<entity:c> <rel:partner> <entity:d> .\n<entity:c> <rel:partner> .\n"), 0o644)

	db, err := graph.Open(filepath.Join(dir, "store"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := loader.Load(ctx, db, []string{good}, nil); err != nil {
		log.Fatal(err)
	}
	_, err = loader.Load(ctx, db, []string{bad}, nil)
	fmt.Println(filepath.Base(err.Error()))
	st, _ := db.Stats(ctx)
	fmt.Println(st.Quads, "quad: the failed load left nothing behind")
	// Output:
	// bad.nq:2:26: expected an object (an IRI <…>, a blank node _:… or a literal "…"), found "."
	// 1 quad: the failed load left nothing behind
}
