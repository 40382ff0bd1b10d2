package storetest

import (
	"context"
	"fmt"

	"github.com/cayleygraph/cayley/graph/memstore"
	"github.com/cayleygraph/cayley/query/path"
	"github.com/cayleygraph/quad"
)

// CanaryRecursiveTags reproduces, on Cayley's memstore, the bug behind the
// follows_recursive_loop entry of UpstreamBugs: with <2>'s "knows" quads
// inserted the other way round from Cayley's test, memstore tags <3> with
// pid <1> although <3> is reached from <2> only. It returns an error when
// the bug is gone, so that the skip can go too.
func CanaryRecursiveTags() error {
	qs := memstore.New(
		quad.MakeIRI("1", "relatesTo", "x", ""),
		quad.MakeIRI("2", "relatesTo", "x", ""),
		quad.MakeIRI("3", "relatesTo", "y", ""),
		quad.MakeIRI("1", "knows", "2", ""),
		quad.MakeIRI("2", "knows", "1", ""),
		quad.MakeIRI("2", "knows", "3", ""),
	)
	p := path.StartPath(qs, quad.IRI("1")).FollowRecursive(
		path.StartMorphism().Tag("pid").Out(quad.IRI("knows")), 2, nil,
	).Has(quad.IRI("relatesTo")).Tag("id")
	pid := map[quad.Value]quad.Value{}
	err := p.Iterate(context.Background()).Paths(true).TagValues(qs, func(tags map[string]quad.Value) error {
		pid[tags["id"]] = tags["pid"]
		return nil
	})
	if err != nil {
		return err
	}
	if got := pid[quad.IRI("3")]; got != quad.IRI("1") {
		return fmt.Errorf("Cayley's Recursive iterator now tags <3> with pid %v: the upstream bug is fixed; remove it from UpstreamBugs", got)
	}
	return nil
}
