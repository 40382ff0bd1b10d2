// Command entente is Entente's command line: an interactive shell over the
// graph, and one-shot commands to load, query, export, count and check it.
//
//	entente [--db DIR] [--read-only]                      the REPL (same as "entente repl")
//	entente [--db DIR] load [--format F] [--dry-run] FILE...
//	entente [--db DIR] load --seed
//	entente [--db DIR] query [--lang eql|gizmo] [--format table|json|csv] [--timeout D] 'QUERY'
//	entente [--db DIR] export --query 'QUERY' --format F -o FILE
//	entente [--db DIR] stats [--format json]
//	entente [--db DIR] check
//	entente [--db DIR] serve [--addr 127.0.0.1:7474] [--open]
//	entente version
//
// Exit status: 0 success, 1 a bad query or bad input, 2 a usage error, 3 a
// store that cannot be opened (locked, corrupt, another format version).
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], newEnv()))
}
