// Package bench holds what Entente's benchmarks (bench/README.md) share:
// the systems under test, opened through their Go libraries, and the
// queries they run. The programs in cmd/ drive it: benchrun runs every
// benchmark, each system in its own process (benchworker), and writes
// RESULTS.md.
package bench

// GizmoQuery is one of Cayley's Gizmo integration queries on the 30k-movie
// data set, with the number of results it must return.
type GizmoQuery struct {
	Name    string
	Query   string
	Results int
}

// gizmoCommon is the preamble of several queries.
const gizmoCommon = `
var movie1 = g.V().has("<name>", "The Net")
var movie2 = g.V().has("<name>", "Speed")
var actor1 = g.V().has("<name>", "Sandra Bullock")
var actor2 = g.V().has("<name>", "Keanu Reeves")
var filmToActor = g.Morphism().out("</film/film/starring>").out("</film/performance/actor>")
var coStars1 = g.Morphism().in("</film/performance/actor>").in("</film/film/starring>").save("<name>","costar1_movie").follow(filmToActor)
var coStars2 = g.Morphism().in("</film/performance/actor>").in("</film/film/starring>").save("<name>","costar2_movie").follow(filmToActor)
var m1_actors = movie1.save("<name>","movie1").follow(filmToActor)
var m2_actors = movie2.save("<name>","movie2").follow(filmToActor)
`

// GizmoQueries are the queries of Cayley's graph/graphtest/integration.go
// (Apache License 2.0, The Cayley Authors), B2 of bench/README.md. The
// result counts are the ones that test expects.
var GizmoQueries = []GizmoQuery{
	{"name predicate", `g.V("Humphrey Bogart").in("<name>").all()`, 1},
	{"two large sets with no intersection", `
function getId(x) { return g.V(x).in("<name>") }
var actor_to_film = g.M().in("</film/performance/actor>").in("</film/film/starring>")
getId("Oliver Hardy").follow(actor_to_film).out("<name>").intersect(
	getId("Mel Blanc").follow(actor_to_film).out("<name>")).all()`, 0},
	{"three huge sets with small intersection", `
function getId(x) { return g.V(x).in("<name>") }
var actor_to_film = g.M().in("</film/performance/actor>").in("</film/film/starring>")
var a = getId("Oliver Hardy").follow(actor_to_film).followR(actor_to_film)
var b = getId("Mel Blanc").follow(actor_to_film).followR(actor_to_film)
var c = getId("Billy Gilbert").follow(actor_to_film).followR(actor_to_film)
seen = {}
a.intersect(b).intersect(c).forEach(function (d) {
	if (!(d.id in seen)) {
		seen[d.id] = true;
		g.emit(d)
	}
})`, 2},
	{"the helpless checker", `g.V().as("person").in("<name>").in().in().out("<name>").is("Casablanca").all()`, 15},
	{"the helpless checker, negated (films without Ingrid Bergman)", `g.V().as("person").in("<name>").in().in().out("<name>").except(g.V("Ingrid Bergman").in("<name>").in().in().out("<name>")).is("Casablanca").all()`, 0},
	{"the helpless checker, negated (without actors Ingrid Bergman)", `g.V().as("person").in("<name>").except(g.V("Ingrid Bergman").in("<name>")).in().in().out("<name>").is("Casablanca").all()`, 14},
	{"Net and Speed", gizmoCommon + `m1_actors.intersect(m2_actors).out("<name>").all()`, 1},
	{"Keanu in The Net", gizmoCommon + `actor2.intersect(m1_actors).out("<name>").all()`, 0},
	{"Keanu in Speed", gizmoCommon + `actor2.intersect(m2_actors).out("<name>").all()`, 1},
	{"Keanu with other in The Net", gizmoCommon + `actor2.follow(coStars1).intersect(m1_actors).out("<name>").all()`, 2},
	{"Keanu and Bullock with other", gizmoCommon + `actor1.save("<name>","costar1_actor").follow(coStars1).intersect(actor2.save("<name>","costar2_actor").follow(coStars2)).out("<name>").all()`, 166},
	{"Save a number of predicates around a set of nodes", `g.V("_:9037", "_:49278", "_:44112", "_:44709", "_:43382").save("</film/performance/character>", "char").save("</film/performance/actor>", "act").saveR("</film/film/starring>", "film").all()`, 5},
}
