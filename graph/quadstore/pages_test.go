package quadstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/y"
)

// TestReachesPrefix: a table is named for a scan exactly when Badger's
// iterator picks it: its keys, without their versions, reach the prefix.
func TestReachesPrefix(t *testing.T) {
	k := func(s string) []byte { return y.KeyWithTs([]byte(s), 7) }
	for _, c := range []struct {
		left, right, prefix string
		want                bool
	}{
		{"a", "z", "", true},
		{"a", "c", "b", true},
		{"b1", "b9", "b", true},
		{"a", "b", "b", true},   // ends at the prefix
		{"b", "c", "b", true},   // starts at it
		{"a", "az", "b", false}, // before it
		{"c", "d", "b", false},  // after it
		{"ab", "az", "b", false},
		{"ba", "bz", "bb", true},
		{"bc", "bz", "bb", false},
		{"a\xff\xff", "b\x00\x02", "b\x00\x01", true},
		{"a", "b\x00", "b\x00\x01", false}, // a key shorter than the prefix
		{"a", "b\x00", "b\x01", false},
	} {
		got := reachesPrefix(badger.TableInfo{Left: k(c.left), Right: k(c.right)}, []byte(c.prefix))
		if got != c.want {
			t.Errorf("table [%q, %q], prefix %q: %v, want %v", c.left, c.right, c.prefix, got, c.want)
		}
	}
}

// TestScansReleasePages: scans that release their tables' pages as they go
// (here every 512 keys) read what scans that do not read, while writes
// flush memtables and compactions replace and unmap tables beside them; and
// they do release pages. A page released from a table the scan did not
// hold could belong, by then, to memory of another kind, which
// MADV_DONTNEED clears: the writer's batches and the scans' own results
// would show it.
func TestScansReleasePages(t *testing.T) {
	defer func(e time.Duration, k int) { releaseEvery, releaseKeys = e, k }(releaseEvery, releaseKeys)
	ctx := context.Background()
	s, err := Open(t.TempDir(), &Options{SmallWrites: true}) // a flush every few hundred quads
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A fixed part of the store, whose scans must not change.
	var fixed []quad.Quad
	for i := range 6000 {
		fixed = append(fixed, quad.Make(quad.IRI(fmt.Sprintf("n%d", i)), quad.IRI("knows"), quad.IRI(fmt.Sprintf("n%d", (i*7+1)%6000)), nil))
		fixed = append(fixed, quad.Make(quad.IRI(fmt.Sprintf("n%d", i)), quad.IRI("name"), quad.String(fmt.Sprintf("node %d", i)), nil))
	}
	if _, err := s.Commit(ctx, fixed, nil, TxOptions{}); err != nil {
		t.Fatal(err)
	}
	knows, err := s.ValueOf(quad.IRI("knows"))
	if err != nil || knows == nil {
		t.Fatal("no knows", err)
	}
	scanKnows := func() [][3]uint64 {
		var out [][3]uint64
		if err := s.ScanPredicate(ctx, knows, func(a, b, c uint64) { out = append(out, [3]uint64{a, b, c}) }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	literals := func() []uint64 {
		lit, err := s.LiteralIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []uint64
		for id := range s.MaxID() + 1 {
			if lit(id) {
				out = append(out, id)
			}
		}
		return out
	}
	want, wantLit := scanKnows(), literals()
	if len(want) != 6000 {
		t.Fatalf("%d links, want 6000", len(want))
	}

	releaseEvery, releaseKeys = 0, 512
	before := releasedBytes.Load()
	stopWriter := writeWhile(ctx, s, 60) // 120,000 quads at most
	rounds := 0
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) || rounds < 3; rounds++ {
		if got := scanKnows(); !slices.Equal(got, want) {
			t.Fatalf("round %d: the scan of knows changed (%d links)", rounds, len(got))
		}
		got := literals()
		if len(got) < len(wantLit) || !slices.Equal(got[:len(wantLit)], wantLit) {
			t.Fatalf("round %d: the literals changed", rounds)
		}
		rep, err := s.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) > 0 {
			t.Fatalf("round %d: %q", rounds, rep.Problems)
		}
	}
	if err := stopWriter(); err != nil {
		t.Fatal(err)
	}
	released := releasedBytes.Load() - before
	t.Logf("%d rounds; %d bytes of maps released", rounds, released)
	if released == 0 {
		t.Fatal("no page was released: the test did not test")
	}
}
