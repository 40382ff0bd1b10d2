package query_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/query"
)

// cliqueStore is a dense dead end, loaded from a generated seed file: n
// countries K0…, each a partner of every other and of HUB. AA and BB are
// partners of HUB alone, so that the one path from AA to BB is
// AA–HUB–BB, and a walk that misses that HUB is in the way wanders
// through every simple path of the clique. CC is a partner of HUB and of
// every K: the paths from AA to CC are countless.
func cliqueStore(t testing.TB, n int) *graph.DB {
	var b strings.Builder
	b.WriteString("source s1\n  title: synthetic\n\n")
	entity := func(id, name string) { fmt.Fprintf(&b, "entity %s Country %q\n\n", id, name) }
	partner := func(a, z string) {
		fmt.Fprintf(&b, "%s -partner-> %s\n  evidence: s1 | p1 | a synthetic link\n\n", a, z)
	}
	for _, id := range []string{"hub", "aa", "bb", "cc"} {
		entity(id, strings.ToUpper(id))
	}
	for i := 0; i < n; i++ {
		entity(fmt.Sprintf("k%d", i), fmt.Sprintf("K%d", i))
	}
	partner("aa", "hub")
	partner("hub", "bb")
	partner("hub", "cc")
	for i := 0; i < n; i++ {
		partner("hub", fmt.Sprintf("k%d", i))
		partner(fmt.Sprintf("k%d", i), "cc")
		for j := i + 1; j < n; j++ {
			partner(fmt.Sprintf("k%d", i), fmt.Sprintf("k%d", j))
		}
	}
	seed := b.String()
	db, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	src := loader.Source{Name: "clique.seed", Size: int64(len(seed)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(seed)), nil
	}}
	if _, err := loader.LoadSources(context.Background(), db, []loader.Source{src}, nil); err != nil {
		t.Fatal(err)
	}
	return db
}

// runWithin runs a statement, failing the test if it has not returned
// within d: the statements it is given would otherwise run for hours.
func runWithin(t *testing.T, d time.Duration, db *graph.DB, src string, opts *query.Options) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := query.Run(context.Background(), db, src, opts)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("%s: still running after %v", src, d)
		return nil
	}
}

// TestPathsDeadEnd: a region whose only way to the end is through a node
// already on the path is not walked through. With a work budget far
// below the clique's simple paths, the searches still finish.
func TestPathsDeadEnd(t *testing.T) {
	db := cliqueStore(t, 40)
	opts := &query.Options{MaxWork: 200_000}
	for _, src := range []string{"paths AA to BB max 8", "paths AA to BB max 24", "paths AA to BB max 24 directed"} {
		res, err := query.Run(context.Background(), db, src, opts)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if len(res.Rows) != 1 || res.Capped || res.Rows[0][0].(*query.Path).Len() != 2 {
			t.Errorf("%s: %d rows, capped %v, note %q; want AA–HUB–BB", src, len(res.Rows), res.Capped, res.Note)
		}
	}
	// The shortest paths of at least three hops: there are none.
	src := `match p = shortest (a {name: "AA"})-[*3..24]-(b {name: "BB"}) return p`
	if res, err := query.Run(context.Background(), db, src, opts); err != nil || len(res.Rows) != 0 {
		t.Errorf("%s: %v, %v; want no rows", src, res, err)
	}
	src = `match p = all shortest (a {name: "AA"})-[*3..24]-(b {name: "CC"}) return p`
	if res, err := query.Run(context.Background(), db, src, opts); err != nil || len(res.Rows) != 40 {
		t.Errorf("%s: %v, %v; want the 40 paths through a K", src, res, err)
	}
}

// TestSearchDeadline: the path searches obey their context while they
// walk, not only before they start, and stop promptly at a deadline.
func TestSearchDeadline(t *testing.T) {
	db := cliqueStore(t, 40)
	opts := &query.Options{MaxWork: 1 << 62}
	for _, src := range []string{
		// A few hundred milliseconds here; run again until the
		// deadline falls inside a run, however fast the machine.
		"paths AA to CC max 24 limit 100000",
		// Every simple path of up to 12 hops through the clique.
		`match (a {name: "AA"})-[*1..12]-(b {name: "BB"}) return count(*)`,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		deadline, _ := ctx.Deadline()
		var err error
		for i := 0; err == nil && i < 1000; i++ {
			_, err = query.Run(ctx, db, src, opts)
		}
		late := time.Since(deadline)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v, want the deadline", src, err)
		} else if late > time.Second {
			t.Errorf("%s: stopped %v after the deadline", src, late)
		}
	}
}

// TestWorkBudget: Options.MaxWork stops a search that would run for
// hours, with no deadline. A paths answer cut short is the first paths of
// the whole answer and says so; match and compare fail with
// graph.ErrSearchTooLarge.
func TestWorkBudget(t *testing.T) {
	db := cliqueStore(t, 40)
	ctx := context.Background()
	cut, err := query.Run(ctx, db, "paths AA to CC max 24 limit 100000", &query.Options{MaxWork: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	if !cut.Capped || len(cut.Rows) == 0 || !strings.Contains(cut.Note, "the search ran out of work at paths of") {
		t.Fatalf("cut short: capped %v, %d rows, note %q", cut.Capped, len(cut.Rows), cut.Note)
	}
	whole, err := query.Run(ctx, db, fmt.Sprintf("paths AA to CC max 24 limit %d", len(cut.Rows)+1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Rows) <= len(cut.Rows) {
		t.Fatalf("%d rows without the budget, %d with it", len(whole.Rows), len(cut.Rows))
	}
	whole.Rows, whole.Note, cut.Note = whole.Rows[:len(cut.Rows)], "", ""
	if a, b := jsonOf(t, cut), jsonOf(t, whole); a != b {
		t.Errorf("cut short: not the first %d paths:\n got %s\nwant %s", len(cut.Rows), a, b)
	}
	res, err := query.Run(ctx, db, "paths AA to CC max 24", &query.Options{MaxWork: 5})
	if err != nil || len(res.Rows) != 0 || res.Note != "no path of fewer than 2 hops: the search ran out of work at paths of 2 hops (narrow it: a lower max, via, avoid, where)" {
		t.Errorf("out of work at once: %v, %v", res, err)
	}

	for _, c := range []struct {
		src  string
		opts *query.Options
		want string
	}{
		// The default budget, against a walk through 40^11 paths.
		{`match (a {name: "AA"})-[*1..12]-(b {name: "BB"}) return count(*)`, nil,
			"1:25: the search for paths of 1 to 12 hops ran out of work before it finished: narrow it (fewer hops, a kind, a name or type at each end; shortest)"},
		{`match p = all shortest (a {name: "AA"})-[*3..24]-(b {name: "CC"}) return p`, &query.Options{MaxWork: 50},
			"1:42: the search for the all shortest paths of 3 to 24 hops ran out of work before it finished: narrow it (fewer hops, a kind, a name or type at each end)"},
		{"compare paths AA to CC max 24 limit 100000 avoid K0", &query.Options{MaxWork: 100_000},
			"1:9: the search for paths ran out of work before it finished: narrow it (a lower max, via, avoid, where)"},
	} {
		err := runWithin(t, 30*time.Second, db, c.src, c.opts)
		var qe *query.Error
		if !errors.Is(err, graph.ErrSearchTooLarge) || !errors.As(err, &qe) || qe.Error() != c.want {
			t.Errorf("%s:\n got %v\nwant %s", c.src, err, c.want)
		}
	}
}
