// Package query evaluates EQL, Entente's query language, and runs Cayley's
// Gizmo, against a graph.DB. Both answer in one result model (Result: rows
// of named values that are nodes, relations, paths, literals or scalars)
// that package render prints and package export writes as subgraphs.
//
// # Basics
//
//	res, err := query.Run(ctx, db, `path Japan to India avoid "United States"`, nil)
//	for _, row := range res.Rows {
//		p := row[0].(*query.Path)
//		for i, h := range p.Hops {
//			fmt.Println(p.Nodes[i].Label(), h.Rel.Kind, p.Nodes[i+1].Label(), h.Rel.Evidence)
//		}
//	}
//
// ShortestPaths asks the same question without writing EQL. Parse checks a
// statement without running it; Gizmo runs a Gizmo program.
//
// # Statements
//
// show, neighbors, path, paths, why and compare answer the everyday
// questions about links; match is a subset of Cypher/GQL pattern matching
// for the rest. brokers, bridges, rank, communities and components look at
// the graph as a network, with gonum's algorithms over a filtered view of
// the link index (betweenness, PageRank, closeness, Louvain, dominators,
// maximum flow); betweenness and closeness are sampled, with a stated seed,
// on graphs too large for the work budget. docs/query-language.md has the grammar, a tutorial and the
// reference.
//
// # Bounds
//
// Every evaluation obeys its context (cancel it, or give it a deadline:
// Options.Timeout is the default callers use, 30 s), caps its rows
// (Options.Limit, 1000), the paths it enumerates (Options.PathLimit, 100),
// the hops of path searches (MaxHops, 24), the depth of neighbourhoods
// (Options.MaxDepth, 8) and the work of the searches that enumerate simple
// paths (Options.MaxWork, 10 million links and nodes examined), so that a
// dense graph cannot keep it running, even under context.Background(). A
// capped answer says so in Result.Capped and Result.Note; it holds the
// first rows of the whole answer in its documented order. A paths
// statement out of work answers with the paths found so far, which are
// still the first; match and compare fail with an *Error wrapping
// graph.ErrSearchTooLarge. A Gizmo program is also stopped when it grows
// the heap by more than Options.MaxMemory.
//
// # Concurrency and lifetimes
//
// Run, Gizmo and ShortestPaths may be called from several goroutines on
// one DB. The first query after the store changes builds two indexes the
// store keeps until the next change: the catalog of entity names and the
// index of links used by path searches. A Result does not refer to the
// store; it stays valid after the DB is closed, and must not be modified
// while it is shared (its rows share nodes, relations and hops).
//
// # Errors
//
// A statement that cannot be answered as written returns an *Error with its
// line, column and a Caret rendering, and a Kind for errors.Is: ErrSyntax,
// ErrUnknown (with "did you mean" suggestions), ErrAmbiguous (listing each
// candidate's id, type and name), ErrInvalid or graph.ErrSearchTooLarge. A
// cancelled or timed-out query returns the context's error.
package query
