// Package loader reads graphs into a store: Entente's seed format, CSV
// edge lists, N-Quads and N-Triples, and JSON-LD, each streamed from its
// input (files, gzip-compressed or not, or standard input) and bounded —
// line length (a CSV record's too), decompressed size, expansion ratio,
// the size of a JSON-LD element and of any one JSON value, nesting
// depth. A reader stops at the first limit its input crosses: it does
// not read an over-long line to its end.
// Reading takes memory that does not grow with the input: the N-Quads and
// JSON-LD readers hold one line or one element at a time; the seed and
// CSV readers also remember each relation they have declared (to catch a
// relation declared twice), a few dozen bytes apiece. (How much a load
// holds before it writes is the store's affair: see graph.DB.Load.)
//
// Load and LoadSources are all or nothing: an error in any input leaves the
// store as it was, unless Options.KeepGoing asks to load the valid
// statements and list the errors. Options.DryRun validates without
// writing. Loading the same input twice adds nothing.
//
// Curated formats (seed files and CSV) are checked against the data
// model's vocabulary (graph.RelationKinds, graph.EntityTypes,
// graph.Qualifiers) and keep every fact's evidence; RDF formats load as
// they are. A curated file may name what the store holds and what the
// curated files before it in the same load declared, and is checked
// against both: a name or alias finds one entity, an entity has one type
// and one name, and a relation one value of each single-valued qualifier
// (status, sector, instrument, quantity, period, rank, basis, valid_from,
// valid_until, venue). Declaring again what is already there changes
// nothing; a seed file whose source gives a version is refused by a
// store holding another version of that source (a load never replaces
// stored facts). Every input error is an *Error
// with file:line:col (columns count characters), what was found and what
// was expected, and a Caret rendering of the line. A leading UTF-8
// byte-order mark is skipped in every format.
//
// JSON-LD contexts must be inline: the loader never reads a file or
// fetches a URL named in a document.
package loader
