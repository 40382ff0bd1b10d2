// Package graph is Entente's store: an embedded knowledge graph of
// entities and the relations between them, kept in Badger v4 and readable
// by everything written for Cayley.
//
// # Basics
//
// Open a store in a directory (created if needed), use it, close it:
//
//	db, err := graph.Open(dir, nil) // nil: writable, on disk
//	if err != nil { ... }
//	defer db.Close()
//
// Data goes in through Update, an atomic batch of quads, or Load, which
// streams any number of quads in and is all or nothing:
//
//	err = db.Update(ctx, func(b *graph.Batch) error {
//		b.Add(quad.Make(quad.IRI("entity:japan"), quad.IRI("rel:partner"), quad.IRI("entity:australia"), nil))
//		return nil
//	})
//
// A store can also live in PostgreSQL, shared by many processes: Init
// creates its schema in a database once, then Open takes the database's
// address instead of a directory, and everything else is the same:
//
//	err = graph.Init(ctx, "postgres://me@db.example:5432/entente")
//	db, err := graph.Open("postgres://me@db.example:5432/entente", nil)
//
// There each Update and each Load is one PostgreSQL transaction (all or
// nothing, whatever stops it), writers from any number of processes are
// serialised and readers never wait; the link and text indexes in each
// process follow a change counter in the database. docs/scale.md says
// when to choose it and what differs.
//
// QuadStore returns the store as a Cayley graph.QuadStore, so Cayley's path
// API and its Gizmo query language run on it unchanged. Stats counts quads,
// nodes, entities and relations; Check verifies the store's consistency.
//
// # The data model
//
// An entity is a node with a type (rdf:type), a name (schema:name) and any
// number of aliases (skos:altLabel); a relation is one quad from entity to
// entity whose predicate names its kind (rel:partner). A relation's
// qualifiers and evidence hang off the statement node named in its quad's
// label. docs/data-model.md describes the model in full; this package's
// vocabulary (PredType, IsAttribute, …) is its code.
//
// # Transactions and concurrency
//
// A DB is safe for use from several goroutines. Reads see a consistent
// snapshot; writes are serialised, and each Update is one Badger
// transaction, so a batch must fit in one (a few thousand quads; larger
// batches fail with ErrTooLarge). Load splits its input into transactions
// and keeps a journal of them, so that an error part way undoes what it
// wrote; a load into an empty store bypasses transactions and writes
// Badger's tables directly.
//
// # Lifetimes
//
// Iterators and Cayley sessions made from QuadStore are valid until Close;
// close them first. One process at a time may open a store for writing;
// several may open it read-only, but not while a writer has it. The lock
// is released by Close or by the process ending.
//
// # Caveats
//
// A process killed during a load into a store with data leaves the batches
// it committed; the next Open keeps them and reports it in Notes. A
// process killed during a load into an empty store leaves it empty. A
// store records its format version; another version is refused with
// ErrFormatVersion rather than read wrongly.
package graph
