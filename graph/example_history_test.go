package graph_test

import (
	"context"
	"fmt"
	"log"

	"github.com/cayleygraph/cayley/query/path"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
)

// Every write is a transaction; a retracted relation is gone from the
// present and still there as of the transaction before.
func ExampleDB_Retract() {
	db, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()

	japan, australia := quad.IRI("entity:japan"), quad.IRI("entity:australia")
	stmt := quad.IRI("stmt:japan/security_pact/australia")
	err = db.Update(ctx, func(b *graph.Batch) error {
		b.Meta = graph.TxMeta{Author: "ana", Message: "first facts"}
		b.Add(quad.Make(japan, graph.PredType, quad.IRI("type:Country"), nil))
		b.Add(quad.Make(japan, graph.PredName, quad.String("Japan"), nil))
		b.Add(quad.Make(australia, graph.PredType, quad.IRI("type:Country"), nil))
		b.Add(quad.Make(australia, graph.PredName, quad.String("Australia"), nil))
		b.Add(quad.Make(japan, quad.IRI("rel:security_pact"), australia, stmt))
		b.Add(quad.Make(stmt, quad.IRI("q:status"), quad.String("proposed"), nil))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}

	// A dated change of status, then a retraction, each with its reason.
	if _, err := db.Amend(ctx, graph.Target{Subject: "Japan", Kind: "security_pact", Object: "Australia"},
		graph.Amendment{Set: map[string]string{"status": "existing"}, From: "2024-06"},
		graph.TxMeta{Author: "ben", Message: "signed in June 2024 (an example)"}); err != nil {
		log.Fatal(err)
	}
	tx, err := db.Retract(ctx, graph.Target{Subject: "Japan", Kind: "security_pact", Object: "Australia"},
		graph.TxMeta{Author: "ana", Message: "an example"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tx.Name(), "removed", tx.Removed, "quads")

	txs, err := db.Log(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range txs {
		fmt.Println(t.Name(), t.Author, t.Kind+":", t.Message)
	}

	relations := func(v *graph.DB) int {
		st, err := v.Stats(ctx)
		if err != nil {
			log.Fatal(err)
		}
		return int(st.Relations)
	}
	before, err := db.AsOf(ctx, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("relations now:", relations(db), "as of tx:2:", relations(before))

	// In the world, as the store held it after tx:2: proposed until June 2024.
	may, _ := graph.ParseDate("2024-05")
	then, err := before.At(ctx, graph.Period{From: may, Until: may})
	if err != nil {
		log.Fatal(err)
	}
	status, err := path.StartPath(then.QuadStore(), stmt).Out(quad.IRI("q:status")).Iterate(ctx).AllValues(then.QuadStore())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("status in May 2024:", status)
	// Output:
	// tx:3 removed 7 quads
	// tx:3 ana retract: an example
	// tx:2 ben amend: signed in June 2024 (an example)
	// tx:1 ana change: first facts
	// relations now: 0 as of tx:2: 1
	// status in May 2024: ["proposed"]
}
