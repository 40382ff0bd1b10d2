package query

import (
	"github.com/cayleygraph/quad"
)

// Result is the answer to one statement: rows of named values. Every
// statement — the one-word moves, match, Gizmo — answers in this one shape,
// and every renderer (table, chains, cards, JSON Lines, CSV) and exporter
// reads it.
type Result struct {
	// Statement is the canonical text of the statement answered.
	Statement string
	// Kind names the statement (show, neighbors, path, paths, why,
	// match, compare, gizmo), for renderers that present some
	// differently.
	Kind string
	// Columns names the values of each row.
	Columns []string
	Rows    [][]Value
	// Capped is set when a cap (row limit, path limit) cut the answer
	// short; Note then says what was cut, in words ("showing 100 of
	// ≥ 100 paths").
	Capped bool
	Note   string
	// Notes are other remarks for the reader (what a comparison found,
	// which names were resolved how).
	Notes []string
	// Entity is the subject of a show statement's card.
	Entity *Node
	// Extra holds relations of the answer that its rows do not show (the
	// parallel relations of a hop), so that an export keeps them.
	Extra []*Relation
	// Marks says what a network statement (rank, brokers, communities,
	// components) found of the nodes of its answer, by node id
	// (IDString): so that an export can colour them by group or rank.
	Marks map[string]Mark
}

// Mark is what a network statement found of one node: the community or
// component it belongs to (from 1; 0 for none), its rank (from 1; 0 for
// none) and its score.
type Mark struct {
	Group int
	Rank  int
	Score float64
}

// A Value is one cell of a row: *Node, *Relation, *Path, Literal, List, or
// a Go scalar (int64, float64, string, bool) or nil.
type Value interface{}

// Node is a node of the graph: an entity with its type, name and aliases,
// or any other node (a blank node of Cayley's movie data, say).
type Node struct {
	ID          quad.Value // an IRI or blank node
	Name        string     // the display name; "" when the node has none
	Types       []string   // short type names (Country, /film/film)
	Aliases     []string
	Description string
}

// Label is how the node reads: its name, else its short id.
func (n *Node) Label() string {
	if n == nil {
		return ""
	}
	if n.Name != "" {
		return n.Name
	}
	return IDString(n.ID)
}

// IDString is a node id as results print it: an IRI without its angle
// brackets, a blank node as _:label.
func IDString(v quad.Value) string {
	switch v := v.(type) {
	case quad.IRI:
		return string(v)
	case nil:
		return ""
	}
	return v.String()
}

// Relation is one link between two nodes, with its statement's
// qualifiers and evidence.
type Relation struct {
	From, To *Node
	Kind     string     // short kind name (partner, /film/film/starring)
	Pred     quad.Value // the predicate IRI
	Stmt     quad.Value // the statement node (the quad's label), or nil
	// Qualifiers in a fixed order: status, sector, quantity, period,
	// rank, note, then any others by name.
	Qualifiers []Qualifier
	Evidence   []Evidence
}

// Qualifier is one named qualifier of a relation.
type Qualifier struct {
	Name  string
	Value string
}

// Qualifier returns the value of a qualifier, "" if absent.
func (r *Relation) Qualifier(name string) string {
	for _, q := range r.Qualifiers {
		if q.Name == name {
			return q.Value
		}
	}
	return ""
}

// Status is the relation's status: the stored one, else "existing" (the
// store records the default status by leaving it out).
func (r *Relation) Status() string {
	if s := r.Qualifier("status"); s != "" {
		return s
	}
	return "existing"
}

// Evidence is what supports a relation: a source, where in it, and a
// paraphrase in the project's own words.
type Evidence struct {
	Source  string `json:"source"`
	Locator string `json:"locator"`
	Note    string `json:"note"`
}

// Hop is one step of a path: the relation, and whether the path walked it
// against its direction.
type Hop struct {
	Rel     *Relation
	Reverse bool // the path goes from Rel.To to Rel.From
	// Also holds the other relations joining the same two nodes (a path
	// is a sequence of nodes; parallel relations are one hop).
	Also []*Relation
}

// Path is a walk through the graph: Nodes[i] and Nodes[i+1] are joined by
// Hops[i].
type Path struct {
	Nodes []*Node
	Hops  []Hop
	// Weakest is the strength of the path's weakest hop (a hop is as
	// strong as its strongest relation): "existing", "at_risk",
	// "potential", "proposed" or "lapsed", with ", inferred" when that
	// relation is inferred. "" for a path of no hops.
	Weakest string
}

// Len is the number of hops.
func (p *Path) Len() int { return len(p.Hops) }

// Literal is a literal value of the graph (a name, a number).
type Literal struct{ V quad.Value }

// List is a list of values (nodes(p), collect()).
type List []Value
