package graph

import (
	"context"
	"strings"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/internal/textdist"
)

// EntityType is a type of entity of the data model.
type EntityType struct {
	Name    string // Country
	Meaning string
}

// IRI is the type's IRI: type:Country.
func (t EntityType) IRI() quad.IRI { return quad.IRI(TypePrefix + t.Name) }

// EntityTypes are the entity types of the data model (docs/data-model.md).
var EntityTypes = []EntityType{
	{"Country", "a sovereign state"},
	{"Bloc", "a union or association of states acting together (EU, ASEAN)"},
	{"Organisation", "an institution, alliance organisation or think tank (NATO, G7, ECFR, European Commission, EEAS)"},
	{"Group", "an informal grouping of states (AP4: Australia, Japan, New Zealand, South Korea)"},
	{"Person", "a head of government, minister or adviser"},
	{"Sector", "an industry or field (automotive, semiconductors, batteries, AI, pharmaceuticals, clean technology)"},
	{"Agreement", "a treaty, deal or partnership in force or signed (EU–Japan Economic Partnership Agreement)"},
	{"Forum", "an existing multilateral grouping or meeting format (Global Energy Transition Forum)"},
	{"ProposedFormat", "a format proposed but not (yet) in place (the EU+1+1+AP4 defence ministers' dialogue)"},
	{"Policy", "a policy or instrument (carbon border adjustment mechanism, export controls, nuclear umbrella)"},
	{"Region", "a geographic or strategic region (the Indo-Pacific, the Korean peninsula)"},
	{"Event", "an event that shapes relations (an election, a war)"},
	{"Publication", "a document that argues a case (a commentary, a report), as the author of what it proposes and criticises"},
}

// Type classes used in relation domains and ranges.
var (
	actors     = []string{"Country", "Bloc", "Organisation", "Group", "Person"}
	states     = []string{"Country", "Bloc"}
	collective = []string{"Country", "Bloc", "Organisation", "Group"}
	anyType    = []string(nil) // no constraint
	// authors are the actors and the publications that put a case.
	authors = []string{"Country", "Bloc", "Organisation", "Group", "Person", "Publication"}
)

// RelationKind is a kind of relation of the data model.
type RelationKind struct {
	Name      string   // partner
	Meaning   string   // what "subject —kind→ object" says
	Domain    []string // types the subject may have; nil: any
	Range     []string // types the object may have; nil: any
	Symmetric bool     // "a —kind→ b" says the same as "b —kind→ a"
}

// IRI is the kind's predicate IRI: rel:partner.
func (k RelationKind) IRI() quad.IRI { return quad.IRI(RelPrefix + k.Name) }

// RelationKinds are the relation kinds of the data model. A loader of
// curated data rejects any other.
var RelationKinds = []RelationKind{
	{"partner", "the two work together as partners", collective, collective, true},
	{"ally", "the two are bound by a formal alliance", states, states, true},
	{"security_pact", "the two are bound by a security or defence treaty or alliance", collective, collective, true},
	{"defence_cooperation", "the two cooperate on defence or defence industry, short of a pact", collective, collective, true},
	{"cooperation", "the two cooperate in a field (qualifier sector)", actors, actors, true},
	{"dialogue_with", "the two hold a regular dialogue", actors, actors, true},
	{"tension_with", "relations between the two are strained or hostile", actors, actors, true},
	{"border_agreement", "the two have an agreement over their shared border", []string{"Country"}, []string{"Country"}, true},
	{"affinity_with", "the two share a personal or ideological affinity", []string{"Person"}, []string{"Person"}, true},
	{"negotiates_with", "the two hold or may hold talks", actors, actors, true},
	{"trading_partner", "the object is a trading partner of the subject (qualifier rank)", states, states, false},
	{"trade_surplus_with", "the subject runs a trade surplus with the object", states, states, false},
	{"tariff_exposure", "the subject is exposed to tariffs imposed by the object (qualifier sector)", states, states, false},
	{"security_guarantee", "the subject guarantees the object's security (qualifier instrument)", collective, collective, false},
	{"troops_in", "the subject has troops stationed in the object (qualifier quantity)", []string{"Country"}, []string{"Country", "Region"}, false},
	{"member_of", "the subject is a member of the object", collective, []string{"Bloc", "Organisation", "Group"}, false},
	{"participant_in", "the subject takes part in the object, an existing or proposed format", actors, []string{"Forum", "ProposedFormat", "Organisation", "Group"}, false},
	{"party_to", "the subject is a party to the object, an agreement", collective, []string{"Agreement"}, false},
	{"proposes", "the subject proposes the object", authors, []string{"ProposedFormat", "Policy", "Agreement"}, false},
	{"leads", "the subject leads the object (qualifier period)", []string{"Person"}, collective, false},
	{"advises", "the subject advises the object", []string{"Person"}, actors, false},
	{"appoints", "the subject appoints the object (an office or envoy)", actors, []string{"ProposedFormat", "Person", "Organisation"}, false},
	{"attached_to", "the subject is attached to, or sits within, the object", anyType, actors, false},
	{"part_of", "the subject is part of the object", []string{"Organisation", "Country", "Region"}, []string{"Organisation", "Bloc", "Country", "Region"}, false},
	{"located_in", "the subject lies in the object, a region", []string{"Country", "Region"}, []string{"Region"}, false},
	{"seeks_from", "the subject seeks something from the object (qualifier sector)", actors, actors, false},
	{"supplies", "the subject supplies the object (qualifier sector)", actors, actors, false},
	{"invests_in", "the subject invests in the object, an actor or a region (qualifier sector)", actors, append(actors[:len(actors):len(actors)], "Region"), false},
	{"depends_on", "the subject depends on the object (qualifier sector)", actors, actors, false},
	{"supports", "the subject backs the object", actors, anyType, false},
	{"pressures", "the subject presses the object with demands", actors, actors, false},
	{"criticises", "the subject criticises the object", authors, anyType, false},
	{"threat_to", "the subject is a threat to the object", actors, anyType, false},
	{"applies", "the subject applies a policy or instrument", actors, []string{"Policy"}, false},
	{"considers", "the subject considers adopting a policy or instrument", actors, []string{"Policy"}, false},
	{"targets", "the subject, a policy, is aimed at the object", []string{"Policy"}, actors, false},
	{"challenges", "the subject contests the object", actors, anyType, false},
	{"publishes", "the subject publishes the object, a publication", []string{"Organisation", "Person"}, []string{"Publication"}, false},
	{"involved_in", "the subject takes part in, or is a party to, the object, an event", actors, []string{"Event"}, false},
	{"affects", "the subject, an event, changed the object or its relations", []string{"Event"}, anyType, false},
}

// Qualifier is a qualifier a relation may carry.
type Qualifier struct {
	Name    string
	Meaning string
	// Values lists the allowed values; nil allows any text.
	Values []string
	// Entity names the entity type a value must be (a sector is a
	// Sector entity); "" for text.
	Entity string
}

// IRI is the qualifier's predicate IRI: q:status.
func (q Qualifier) IRI() quad.IRI { return quad.IRI(QualPrefix + q.Name) }

// Statuses are the values of the status qualifier.
var Statuses = []string{"existing", "proposed", "potential", "at_risk", "lapsed"}

// Bases are the values of the basis qualifier: how the source supports a
// relation.
var Bases = []string{"stated", "inferred", "background"}

// Qualifiers are the qualifiers of the data model, in the order results
// show them.
var Qualifiers = []Qualifier{
	{"status", "existing (the default), proposed, potential, at_risk or lapsed", Statuses, ""},
	{"sector", "the field the relation concerns; a Sector entity", nil, "Sector"},
	{"instrument", "the policy or instrument through which it works; a Policy entity", nil, "Policy"},
	{"quantity", "how many or how much (troops, money)", nil, ""},
	{"period", "when it holds (first Trump administration, 2024–)", nil, ""},
	{"rank", "where the object ranks for the subject (largest, most important)", nil, ""},
	{"note", "a remark in the project's own words", nil, ""},
	{"basis", "stated (the locator's paragraph says it), inferred (the note says from what) or background (known, not in the source; the note says so)", Bases, ""},
	{"valid_from", "when it begins to hold in the world: an ISO 8601 date (2025, 2025-01, 2025-01-20)", nil, ""},
	{"valid_until", "when it ceases to hold in the world: an ISO 8601 date, not before valid_from", nil, ""},
	{"venue", "the organisation within which it happens (Japan's role in NATO); an Organisation entity", nil, "Organisation"},
}

var (
	typeIndex      = map[string]*EntityType{}
	kindIndex      = map[string]*RelationKind{}
	qualifierIndex = map[string]*Qualifier{}
)

func init() {
	for i := range EntityTypes {
		typeIndex[strings.ToLower(EntityTypes[i].Name)] = &EntityTypes[i]
	}
	for i := range RelationKinds {
		kindIndex[RelationKinds[i].Name] = &RelationKinds[i]
	}
	for i := range Qualifiers {
		qualifierIndex[Qualifiers[i].Name] = &Qualifiers[i]
	}
}

// LookupType finds an entity type by name, ignoring case.
func LookupType(name string) (*EntityType, bool) {
	t, ok := typeIndex[strings.ToLower(name)]
	return t, ok
}

// LookupKind finds a relation kind by name (or by its IRI, rel:name).
func LookupKind(name string) (*RelationKind, bool) {
	k, ok := kindIndex[strings.TrimPrefix(strings.ToLower(name), RelPrefix)]
	return k, ok
}

// LookupQualifier finds a qualifier by name.
func LookupQualifier(name string) (*Qualifier, bool) {
	q, ok := qualifierIndex[strings.ToLower(name)]
	return q, ok
}

// Allows reports whether a type is in a domain or range (nil allows all).
func Allows(types []string, t string) bool {
	if types == nil {
		return true
	}
	for _, x := range types {
		if strings.EqualFold(x, t) {
			return true
		}
	}
	return false
}

// Suggest returns the candidates closest to name by edit distance, for
// "did you mean" (at most three, closest first; none if nothing is close):
// textdist.Suggest without a context, for the short lists of a
// vocabulary.
func Suggest(name string, candidates []string) []string {
	s, _ := textdist.Suggest(context.Background(), name, candidates)
	return s
}

// Distance is the edit distance between two strings, in characters (see
// textdist.Distance).
func Distance(a, b string) int { return textdist.Distance(a, b) }

// KindNames, TypeNames and QualifierNames list the vocabulary's names.
func KindNames() []string {
	out := make([]string, len(RelationKinds))
	for i, k := range RelationKinds {
		out[i] = k.Name
	}
	return out
}

// TypeNames lists the entity type names.
func TypeNames() []string {
	out := make([]string, len(EntityTypes))
	for i, t := range EntityTypes {
		out[i] = t.Name
	}
	return out
}

// QualifierNames lists the qualifier names.
func QualifierNames() []string {
	out := make([]string, len(Qualifiers))
	for i, q := range Qualifiers {
		out[i] = q.Name
	}
	return out
}
