package quadstore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
)

// memLogSizes lists the sizes of the memtable logs in dir.
func memLogSizes(t *testing.T, dir string) []int64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int64
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".mem") {
			info, err := e.Info()
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, info.Size())
		}
	}
	return sizes
}

// TestSmallWrites: a store opened for small writes has small logs, and
// still takes writes of any size (a load in batches, a change too large
// for one of its transactions, a value past its value threshold) as the
// default store does; a value over its value log's size is refused and
// changes nothing. The store then opens as usual.
func TestSmallWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, &Options{SmallWrites: true})
	if err != nil {
		t.Fatal(err)
	}
	if sizes := memLogSizes(t, dir); len(sizes) != 1 || sizes[0] != 2*smallMemTable {
		t.Fatalf("memtable logs of a store opened for small writes: %v bytes, want one of %d", sizes, 2*smallMemTable)
	}
	m := model{}
	// The first load into the empty store takes the bulk path; the
	// changes its Finish plans (a file's retractions) are written after
	// it, here far more than one small transaction takes.
	var first []quad.Quad
	for i := range 3000 {
		first = append(first, quad.Make(quad.IRI(fmt.Sprintf("first/s%d", i)), quad.IRI("in"), quad.IRI(fmt.Sprintf("first/o%d", i%10)), nil))
	}
	dropped, amended := first[:1500], []quad.Quad{}
	for i := range 400 {
		amended = append(amended, quad.Make(quad.IRI(fmt.Sprintf("first/s%d", i)), quad.IRI("note"), quad.String(fmt.Sprintf("amended %d", i)), nil))
	}
	res, err := s.Load(ctx, &sliceReader{qs: first, failAt: -1}, &LoadOptions{Source: "first.nq",
		Finish: func(context.Context) (Finished, error) { return Finished{Adds: amended, Removes: dropped}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Bulk || res.Removed != int64(len(dropped)) || res.Added != int64(len(first)-len(dropped)+len(amended)) {
		t.Fatalf("first load: bulk %v, added %d, removed %d; want bulk, %d, %d", res.Bulk, res.Added, res.Removed, len(first)-len(dropped)+len(amended), len(dropped))
	}
	m.add(first...)
	m.del(dropped...)
	m.add(amended...)
	if _, err := s.AddQuads(baseQuads()); err != nil {
		t.Fatal(err)
	}
	m.add(baseQuads()...)

	// A load into a store with data goes through transactions, each far
	// over the small memtable's limit at the default batch size.
	var in []quad.Quad
	for i := range 12000 {
		in = append(in, quad.Make(quad.IRI(fmt.Sprintf("load/s%d", i)), quad.IRI(fmt.Sprintf("p%d", i%7)), quad.String(fmt.Sprintf("object %d", i)), nil))
	}
	res, err = s.Load(ctx, &sliceReader{qs: in, failAt: -1}, &LoadOptions{Source: "big.nq"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != int64(len(in)) {
		t.Fatalf("load added %d, want %d", res.Added, len(in))
	}
	m.add(in...)

	// One change, removals and additions, too large for one transaction.
	var adds []quad.Quad
	for i := range 5000 {
		adds = append(adds, quad.Make(quad.IRI(fmt.Sprintf("change/s%d", i)), quad.IRI("knows"), quad.IRI(fmt.Sprintf("change/o%d", i%50)), quad.IRI("g2")))
	}
	removes := in[:3000]
	rec, err := s.Commit(ctx, adds, removes, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Added != int64(len(adds)) || rec.Removed != int64(len(removes)) {
		t.Fatalf("change recorded +%d -%d, want +%d -%d", rec.Added, rec.Removed, len(adds), len(removes))
	}
	m.del(removes...)
	m.add(adds...)

	// A value past the threshold goes to the value log.
	large := quad.Make(quad.IRI("doc"), quad.IRI("text"), quad.String(strings.Repeat("l", 300<<10)), nil)
	if _, err := s.AddQuads([]quad.Quad{large}); err != nil {
		t.Fatal(err)
	}
	m.add(large)
	// A value over the value log's size is refused, and nothing of its
	// quad is written.
	huge := quad.Make(quad.IRI("doc"), quad.IRI("text"), quad.String(strings.Repeat("h", 2<<20)), nil)
	if _, err := s.AddQuads([]quad.Quad{huge}); err == nil {
		t.Fatal("a 2 MiB value was taken by a store opened for small writes")
	}
	verify(t, s, m)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if sizes := memLogSizes(t, dir); len(sizes) != 1 || sizes[0] != 2*memTableSize {
		t.Fatalf("memtable logs of the default open: %v bytes, want one of %d", sizes, 2*memTableSize)
	}
	verify(t, s, m)
}

// crashQuads are what crashHelper writes.
func crashQuads() []quad.Quad {
	qs := baseQuads()
	for i := range 6000 {
		qs = append(qs, quad.Make(quad.IRI(fmt.Sprintf("s%d", i)), quad.IRI("p"), quad.String(fmt.Sprintf("a longer object, to fill more of the log than a small memtable holds: %d", i)), nil))
	}
	return qs
}

// TestCrashHelper is not a test: run by TestSmallWritesAfterCrash in a
// process of its own, it writes crashQuads into the store it is given and
// exits without closing it, as a killed process would.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv("QUADSTORE_CRASH_DIR")
	if dir == "" {
		t.Skip("the process TestSmallWritesAfterCrash runs")
	}
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.addSplit(crashQuads()); err != nil {
		t.Fatal(err)
	}
	os.Exit(0)
}

// TestSmallWritesAfterCrash: a store a process left without closing has a
// memtable log to replay, which may hold more than a small memtable (Badger
// would stop the process): it is opened with the default logs, and nothing
// is lost.
func TestSmallWritesAfterCrash(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), "QUADSTORE_CRASH_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the writing process: %v\n%s", err, out)
	}
	if len(memLogSizes(t, dir)) == 0 {
		t.Fatal("the crashed writer left no memtable log")
	}
	s, err := Open(dir, &Options{SmallWrites: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.memTable != memTableSize {
		t.Fatalf("memtable of %d bytes after a crash, want the default %d", s.memTable, memTableSize)
	}
	m := model{}
	m.add(crashQuads()...)
	verify(t, s, m)
}
