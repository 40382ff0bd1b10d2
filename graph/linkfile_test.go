package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/quadstore"
)

// buildIntoFile sets the link index to be built into its file from any
// size, its maps' pages dropped at every step and its rows filled 50
// edges at a time, for the rest of the test.
func buildIntoFile(t *testing.T) {
	t.Helper()
	min, tick, window := linkFileMin, tickEvery, linkWindow
	linkFileMin, tickEvery, linkWindow = 1, 1, 50
	t.Cleanup(func() { linkFileMin, tickEvery, linkWindow = min, tick, window })
}

// withLiteralLinks is linkQuads with quads of link predicates whose object
// is a literal, which the link index leaves out.
func withLiteralLinks(seed int64, n int) []quad.Quad {
	qs := linkQuads(seed, n)
	for i := 0; i < n; i += 7 {
		qs = append(qs, quad.Make(quad.IRI("entity:e"+string(rune('a'+i%26))), quad.IRI("rel:partner"), quad.String("not a node"), nil))
	}
	return qs
}

// TestWriteLinks: the index built into its file is the file saveLinks
// writes of the index built in memory, byte for byte, and leaves no
// scratch file behind; so too for a store whose link predicates all point
// at literals, whose index has no links (its empty sections come last).
func TestWriteLinks(t *testing.T) {
	var none []quad.Quad
	for i := range 50 {
		none = append(none, quad.Make(quad.IRI(fmt.Sprintf("entity:e%d", i)), quad.IRI("rel:partner"), quad.String(fmt.Sprintf("partner %d", i)), nil))
	}
	for _, c := range []struct {
		name  string
		quads []quad.Quad
		check func(l *Links) bool
	}{
		{"links", withLiteralLinks(5, 400), func(l *Links) bool { return l.Len() > 0 && len(l.Labels) >= 2 }},
		{"none", none, func(l *Links) bool { return l.Len() == 0 }},
	} {
		t.Run(c.name, func(t *testing.T) { testWriteLinks(t, c.quads, c.check) })
	}
}

func testWriteLinks(t *testing.T, qs []quad.Quad, check func(*Links) bool) {
	buildIntoFile(t)
	ctx := context.Background()
	dir := t.TempDir()
	cache := filepath.Join(dir, quadstore.CacheFile)
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	writeQuads(t, db, qs)
	st, ok := db.stamp(ctx)
	if !ok {
		t.Fatal("a store on disk has no stamp")
	}
	if !db.writeLinks(ctx, st) {
		t.Fatal("writeLinks did not build the index into its file")
	}
	got, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	if db.links.links != nil {
		t.Fatal("writeLinks kept the index in memory")
	}
	if tmps, _ := filepath.Glob(cache + ".*.tmp"); len(tmps) > 0 {
		t.Fatalf("left behind: %v", tmps)
	}
	if err := os.Remove(cache); err != nil {
		t.Fatal(err)
	}
	l, err := db.Links(ctx) // built in memory, saved by saveLinks
	if err != nil {
		t.Fatal(err)
	}
	if !check(l) {
		t.Fatalf("a link index of %d nodes and %d labels", l.Len(), len(l.Labels))
	}
	want, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		n := 0
		for n < min(len(got), len(want)) && got[n] == want[n] {
			n++
		}
		t.Fatalf("the file built in place (%d bytes) differs from the one saved (%d bytes) from byte %d", len(got), len(want), n)
	}
	// The store changed since st: nothing is kept.
	os.Remove(cache)
	writeQuads(t, db, []quad.Quad{quad.MakeIRI("entity:x", "rel:partner", "entity:y", "")})
	if !db.writeLinks(ctx, st) {
		t.Fatal("writeLinks did not try")
	}
	if _, err := os.Stat(cache); !os.IsNotExist(err) {
		t.Fatalf("an index of an older state of the store was kept: %v", err)
	}
}

func TestRowWindows(t *testing.T) {
	starts := []int32{0, 3, 3, 10, 11, 11, 20}
	for _, c := range []struct {
		window int
		want   [][2]int32
	}{
		{0, [][2]int32{{0, 6}}},
		{1, [][2]int32{{0, 1}, {1, 3}, {3, 4}, {4, 6}}},
		{4, [][2]int32{{0, 3}, {3, 6}}},
		{100, [][2]int32{{0, 6}}},
	} {
		got := rowWindows(starts, c.window)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("rowWindows(%v, %d) = %v, want %v", starts, c.window, got, c.want)
		}
	}
	if got := rowWindows([]int32{0}, 5); len(got) != 0 {
		t.Errorf("no nodes: %v", got)
	}
}

// TestReadLinksOverCapacity: a build into a file sized from the
// predicates' counts stops with errMoreLinks when the store holds more
// links (writeLinks then leaves the index to the build in memory).
func TestReadLinksOverCapacity(t *testing.T) {
	ctx := context.Background()
	db, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	writeQuads(t, db, linkQuads(3, 200))
	preds, want, err := db.linkPreds(ctx, nil)
	if err != nil || want < 2 {
		t.Fatalf("%d links counted, %v", want, err)
	}
	for _, c := range []struct {
		capacity int
		over     bool
	}{{want, false}, {want - 1, true}} {
		_, err := db.readLinks(ctx, preds, make([]link, 0, c.capacity), func() {})
		if errors.Is(err, errMoreLinks) != c.over || (!c.over && err != nil) {
			t.Errorf("room for %d of %d links: %v", c.capacity, want, err)
		}
	}
}
