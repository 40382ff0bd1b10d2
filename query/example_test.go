package query_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/query"
	"github.com/entente-kg/entente/seeds"
)

// exampleDB is an in-memory store with the seed graph.
func exampleDB() *graph.DB {
	db, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := loader.LoadSources(context.Background(), db, seeds.Sources(), nil); err != nil {
		log.Fatal(err)
	}
	return db
}

// Run an EQL statement and walk its rows: here every shortest path from
// Japan to India among the strongest (every hop an existing relation),
// hop by hop, and the path's weakest status.
func ExampleRun() {
	db := exampleDB()
	defer db.Close()
	res, err := query.Run(context.Background(), db, "path Japan to India", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, row := range res.Rows {
		p := row[0].(*query.Path)
		var b strings.Builder
		b.WriteString(p.Nodes[0].Label())
		for i, h := range p.Hops {
			arrow := " —" + h.Rel.Kind + "→ "
			if h.Reverse {
				arrow = " ←" + h.Rel.Kind + "— "
			}
			b.WriteString(arrow + p.Nodes[i+1].Label())
		}
		fmt.Println(b.String(), "—", p.Weakest)
	}
	fmt.Println(res.Note)
	// Output:
	// Japan —tension_with→ China ←tension_with— India — existing
	// Japan ←partner— Europe ←partner— India — existing
	// Japan ←partner— European Union ←partner— India — existing
	// Japan —ally→ United States ←partner— India — existing
	// a shorter path (1 hop) goes through weaker links (proposed): path Japan to India including proposed
}

// Every relation between two entities, with its evidence.
func ExampleRun_why() {
	db := exampleDB()
	defer db.Close()
	res, err := query.Run(context.Background(), db, "why Japan Australia", nil)
	if err != nil {
		log.Fatal(err)
	}
	r := res.Rows[0][0].(*query.Relation)
	fmt.Println(r.From.Label(), r.Kind, r.To.Label())
	fmt.Println(r.Evidence[0].Source, "—", r.Evidence[0].Locator)
	// Output:
	// Japan security_pact Australia
	// ecfr-2024 — Japan › What Europeans should do now ¶2
}

// Shortest paths without writing EQL; names resolve as in EQL (here a
// capital stands for its country).
func ExampleShortestPaths() {
	db := exampleDB()
	defer db.Close()
	paths, err := query.ShortestPaths(context.Background(), db, "Pyongyang", "Europe", nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range paths {
		fmt.Println(p.Len(), "hops via", p.Nodes[1].Label())
	}
	// Output:
	// 2 hops via Russia
	// 2 hops via South Korea
}

// A misspelt name is an error with a position and a suggestion.
func ExampleError() {
	db := exampleDB()
	defer db.Close()
	_, err := query.Run(context.Background(), db, "show Austrlia", nil)
	fmt.Println(err)
	if qe, ok := err.(*query.Error); ok {
		fmt.Println(qe.Caret())
	}
	// Output:
	// 1:6: unknown entity "Austrlia" (did you mean Australia?)
	// show Austrlia
	//      ^
}
