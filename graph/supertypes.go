package graph

import "strings"

// Supertype is an abstract type of the vocabulary (docs/data-model.md,
// "Type hierarchy"): no entity has it as its type, but a node pattern
// with it — (c:Actor) — matches every entity of its subtypes.
type Supertype struct {
	Name     string // Actor
	Meaning  string
	Subtypes []string // the entity types it stands for
}

// Supertypes are the abstract types of the data model.
var Supertypes = []Supertype{
	{"Actor", "whoever can act in international affairs: a state, a bloc, an organisation, a group or a person",
		[]string{"Country", "Bloc", "Organisation", "Group", "Person"}},
}

// SubtypesOf returns the types a supertype stands for (ignoring case);
// false when name is not a supertype.
func SubtypesOf(name string) ([]string, bool) {
	for _, s := range Supertypes {
		if strings.EqualFold(s.Name, name) {
			return s.Subtypes, true
		}
	}
	return nil, false
}

// SupertypesOf lists the supertypes a type belongs to (Country: Actor).
func SupertypesOf(typ string) []string {
	var out []string
	for _, s := range Supertypes {
		if Allows(s.Subtypes, typ) {
			out = append(out, s.Name)
		}
	}
	return out
}
