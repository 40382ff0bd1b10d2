package export_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/query"
)

// Write an answer as GraphML, every relation with its evidence.
func ExampleWrite() {
	db := seedDB(nil)
	ctx := context.Background()
	q := "why Japan Australia"
	res, err := query.Run(ctx, db, q, nil)
	if err != nil {
		log.Fatal(err)
	}
	var b bytes.Buffer
	if err := export.Write(ctx, &b, res, export.GraphML, &export.Options{Query: q, Time: stamp}); err != nil {
		log.Fatal(err)
	}
	sg := export.SubgraphOf(res)
	fmt.Println(len(sg.Nodes), "nodes,", len(sg.Relations), "relation")
	fmt.Println(strings.Contains(b.String(), `<data key="e_kind">security_pact</data>`))
	// Output:
	// 2 nodes, 1 relation
	// true
}
