package graph_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/cayleygraph/cayley/query/path"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
)

// Open a store, write a batch, count what it holds.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "entente-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := graph.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	ctx := context.Background()
	japan, australia := quad.IRI("entity:japan"), quad.IRI("entity:australia")
	err = db.Update(ctx, func(b *graph.Batch) error {
		b.Add(quad.Make(japan, graph.PredType, quad.IRI("type:Country"), nil))
		b.Add(quad.Make(japan, graph.PredName, quad.String("Japan"), nil))
		b.Add(quad.Make(australia, graph.PredType, quad.IRI("type:Country"), nil))
		b.Add(quad.Make(japan, quad.IRI("rel:security_pact"), australia, nil))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	st, err := db.Stats(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Quads, "quads,", st.Entities, "entities,", st.Relations, "relation:", st.RelationsByKind)
	// Output: 4 quads, 2 entities, 1 relation: map[security_pact:1]
}

// Cayley's path API runs on the store.
func ExampleDB_QuadStore() {
	db, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	db.Update(ctx, func(b *graph.Batch) error {
		b.Add(quad.MakeIRI("entity:japan", "rel:partner", "entity:australia", ""))
		b.Add(quad.MakeIRI("entity:japan", "rel:partner", "entity:india", ""))
		return nil
	})
	p := path.StartPath(db.QuadStore(), quad.IRI("entity:japan")).Out(quad.IRI("rel:partner"))
	vals, err := p.Iterate(ctx).AllValues(db.QuadStore())
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range vals {
		fmt.Println(v)
	}
	// Unordered output:
	// <entity:australia>
	// <entity:india>
}

// A second writer is refused with ErrLocked, naming the directory.
func ExampleErrLocked() {
	dir, _ := os.MkdirTemp("", "entente-example")
	defer os.RemoveAll(dir)
	db, err := graph.Open(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	_, err = graph.Open(dir, nil) // in this process too: the lock is per open
	fmt.Println(errors.Is(err, graph.ErrLocked))
	// Output: true
}
