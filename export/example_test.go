package export_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
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

// Draw paths as a PNG picture 1,200 pixels wide: one line per pair of
// nodes, the paths from left to right, with a title, a legend and a
// caption. The explorer and the command line draw the same picture.
func ExampleWrite_png() {
	db := seedDB(nil)
	ctx := context.Background()
	q := "paths Japan to India max 2"
	res, err := query.Run(ctx, db, q, nil)
	if err != nil {
		log.Fatal(err)
	}
	var b bytes.Buffer
	o := &export.Options{Query: q, Time: stamp, Width: 1200}
	if err := export.Write(ctx, &b, res, export.PNG, o); err != nil {
		log.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.Bounds().Dx(), "pixels wide;", export.SubgraphOf(res).Summary(export.PNG, o))
	// Output:
	// 1200 pixels wide; 6 nodes, 28 relations in 8 lines
}
