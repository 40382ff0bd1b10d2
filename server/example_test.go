package server_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/seeds"
	"github.com/entente-kg/entente/server"
)

// The explorer over a store, served here by httptest (entente serve
// listens on 127.0.0.1:7474): POST /api/query answers the rows of
// `entente query --format json`.
func Example() {
	dir, _ := os.MkdirTemp("", "entente-example")
	defer os.RemoveAll(dir)
	db, err := graph.Open(filepath.Join(dir, "db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := loader.LoadSources(context.Background(), db, seeds.Sources(), nil); err != nil {
		log.Fatal(err)
	}
	if err := server.Check("127.0.0.1:7474", ""); err != nil {
		log.Fatal(err)
	}
	s, err := server.New(db, nil) // read-only, the command line's bounds
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()

	body := `{"query": "match (c:Country)-[r:security_pact]->(d) return c.name, d.name", "format": "jsonl"}`
	resp, err := http.Post(ts.URL+"/api/query", "application/json", strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(os.Stdout, resp.Body)

	fmt.Println(server.Check("0.0.0.0:7474", ""))
	// Output:
	// {"c.name":"Japan","d.name":"Australia"}
	// {"c.name":"Japan","d.name":"Philippines"}
	// server: a token is required to listen on 0.0.0.0:7474, which is not loopback: give --token, or listen on 127.0.0.1
}
