package graph

import (
	"strings"

	"github.com/cayleygraph/quad"
)

// The IRIs of Entente's data model (docs/data-model.md). Entities, types,
// relation kinds, statements and evidence each have a prefix; the
// attributes use the common RDF vocabularies in their short form.
const (
	EntityPrefix   = "entity:"
	TypePrefix     = "type:"
	RelPrefix      = "rel:"
	StmtPrefix     = "stmt:"
	EvidencePrefix = "ev:"
	QualPrefix     = "q:"
	SourcePrefix   = "source:"
)

// Predicates and types of the data model.
var (
	PredType        = quad.IRI("rdf:type")
	PredName        = quad.IRI("schema:name")
	PredAlias       = quad.IRI("skos:altLabel")
	PredDescription = quad.IRI("schema:description")

	// A source's publisher, date and address.
	PredPublisher = quad.IRI("schema:publisher")
	PredDate      = quad.IRI("schema:datePublished")
	PredURL       = quad.IRI("schema:url")
	// PredVersion is a source's edition in a curated seed graph: a store
	// holding another edition of the graph cannot take this one in.
	PredVersion = quad.IRI("schema:version")

	// A statement node names a relation in the label of its quad and
	// points back at it (RDF reification).
	PredSubject   = quad.IRI("rdf:subject")
	PredPredicate = quad.IRI("rdf:predicate")
	PredObject    = quad.IRI("rdf:object")

	PredEvidence = quad.IRI("ev:evidence")
	PredSource   = quad.IRI("ev:source")
	PredLocator  = quad.IRI("ev:locator")
	PredNote     = quad.IRI("ev:note")

	TypeStatement = quad.IRI("type:Statement")
	TypeEvidence  = quad.IRI("type:Evidence")
	TypeSource    = quad.IRI("type:Source")
)

// Predicates other vocabularies use for the same attributes. They give
// types and names to data loaded from elsewhere (Cayley's movie data uses
// the bare <type> and <name>).
var (
	typePredicates = set(
		"rdf:type", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "type", "a",
	)
	namePredicates = set(
		"schema:name", "http://schema.org/name", "https://schema.org/name", "name",
		"rdfs:label", "http://www.w3.org/2000/01/rdf-schema#label", "label",
		"skos:prefLabel", "http://www.w3.org/2004/02/skos/core#prefLabel",
		"foaf:name", "http://xmlns.com/foaf/0.1/name",
	)
	aliasPredicates = set(
		"skos:altLabel", "http://www.w3.org/2004/02/skos/core#altLabel", "alias",
		"schema:alternateName", "http://schema.org/alternateName",
	)
	otherAttributes = set(
		"schema:description", "http://schema.org/description", "rdfs:comment",
		"schema:publisher", "schema:datePublished", "schema:url", "schema:version",
		"http://www.w3.org/2000/01/rdf-schema#comment", "description",
		"rdf:subject", "rdf:predicate", "rdf:object",
		"http://www.w3.org/1999/02/22-rdf-syntax-ns#subject",
		"http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate",
		"http://www.w3.org/1999/02/22-rdf-syntax-ns#object",
	)
)

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// iriOf returns the text of an IRI value, or "" for anything else.
func iriOf(v quad.Value) string {
	if iri, ok := v.(quad.IRI); ok {
		return string(iri)
	}
	return ""
}

// IsTypePredicate reports whether p gives a node its type.
func IsTypePredicate(p quad.Value) bool { return typePredicates[iriOf(p)] }

// IsNamePredicate reports whether p gives a node its display name.
func IsNamePredicate(p quad.Value) bool { return namePredicates[iriOf(p)] }

// IsAliasPredicate reports whether p gives a node another name.
func IsAliasPredicate(p quad.Value) bool { return aliasPredicates[iriOf(p)] }

// IsAttribute reports whether p is an attribute rather than a link: type,
// name, alias, label and description predicates, the statement and
// evidence vocabulary. Paths and neighbourhoods do not walk attributes
// (nor any quad whose object is a literal).
func IsAttribute(p quad.Value) bool {
	s := iriOf(p)
	return typePredicates[s] || namePredicates[s] || aliasPredicates[s] || otherAttributes[s] ||
		strings.HasPrefix(s, QualPrefix) || strings.HasPrefix(s, EvidencePrefix)
}

// IsLiteral reports whether v is a literal (not an IRI or blank node).
func IsLiteral(v quad.Value) bool {
	switch v.(type) {
	case quad.IRI, quad.BNode, nil:
		return false
	}
	return true
}

// IsMetaType reports whether t types the model's own bookkeeping nodes
// (statements, evidence, sources) rather than entities.
func IsMetaType(t quad.Value) bool {
	return t == TypeStatement || t == TypeEvidence || t == TypeSource
}

// ShortName is how a type, relation kind or IRI reads in results:
// type:Country → Country, rel:partner → partner, other IRIs without
// their angle brackets, literals as their text.
func ShortName(v quad.Value) string {
	switch v := v.(type) {
	case quad.IRI:
		s := string(v)
		for _, p := range []string{TypePrefix, RelPrefix, EntityPrefix} {
			if strings.HasPrefix(s, p) {
				return s[len(p):]
			}
		}
		return s
	case quad.BNode:
		return v.String()
	case nil:
		return ""
	}
	return quad.ToString(v)
}
