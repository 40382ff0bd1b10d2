package quadstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/dgraph-io/badger/v4/table"
)

// ingestBase is a store's contents before a large load: people who know
// each other, some in graphs, with ages and names.
func ingestBase() []quad.Quad {
	var qs []quad.Quad
	for i := range 300 {
		p := quad.IRI(fmt.Sprintf("person/%d", i))
		qs = append(qs,
			quad.Make(p, quad.IRI("knows"), quad.IRI(fmt.Sprintf("person/%d", (i*7+1)%300)), nil),
			quad.Make(p, quad.IRI("name"), quad.String(fmt.Sprintf("Person %d", i)), nil))
		if i%5 == 0 {
			qs = append(qs, quad.Make(p, quad.IRI("age"), quad.Int(20+i%50), quad.IRI("census")))
		}
	}
	return qs
}

// ingestInput is a large load into a store holding ingestBase: new people
// who know old ones and each other, new names and labels, quads the store
// holds already, and quads the input repeats.
func ingestInput() []quad.Quad {
	base := ingestBase()
	var qs []quad.Quad
	for i := range 1500 {
		p := quad.IRI(fmt.Sprintf("newcomer/%d", i))
		qs = append(qs,
			quad.Make(p, quad.IRI("knows"), quad.IRI(fmt.Sprintf("person/%d", i%300)), nil),
			quad.Make(p, quad.IRI("name"), quad.String(fmt.Sprintf("Newcomer %d", i)), nil),
			quad.Make(quad.IRI(fmt.Sprintf("person/%d", i%300)), quad.IRI("met"), p, quad.IRI(fmt.Sprintf("event/%d", i%40))))
		if i%3 == 0 {
			qs = append(qs, quad.Make(p, quad.IRI("age"), quad.Int(20+i%50), quad.IRI("census")))
		}
		if i%10 == 0 {
			qs = append(qs, base[i%len(base)], qs[len(qs)-2])
		}
	}
	// Old nodes in new quads only.
	qs = append(qs, quad.Make(quad.IRI("person/1"), quad.IRI("knows"), quad.IRI("person/2"), quad.IRI("census")))
	return qs
}

// streamed counts the loads that went through the stream.
func streamed(t *testing.T, fail func(stage string) error) *int {
	t.Helper()
	n := new(int)
	oldMin, oldHook := ingestMin, ingestHook
	ingestMin = 256
	ingestHook = func(stage string) error {
		if stage == "flushed" {
			*n++
		}
		if fail != nil {
			return fail(stage)
		}
		return nil
	}
	t.Cleanup(func() { ingestMin, ingestHook = oldMin, oldHook })
	return n
}

func loadQuads(s *QuadStore, qs []quad.Quad, o *LoadOptions) (LoadResult, error) {
	return s.Load(context.Background(), &sliceReader{qs: qs, failAt: -1}, o)
}

// historyOf returns the quads transaction id added and removed.
func historyOf(t *testing.T, s *QuadStore, id uint64) (added, removed []quad.Quad) {
	t.Helper()
	err := s.Changes(context.Background(), id-1, id, func(_ TxRecord, op Op) error {
		if op.Add {
			added = append(added, op.Quad)
		} else {
			removed = append(removed, op.Quad)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return added, removed
}

// TestIngest: a large load into a store with data, through the stream,
// leaves the store, its counters, names and history as the same load in
// transactions does, and the store takes changes and reopens after it.
// ingestTwice loads in into two stores holding ingestBase, streamed into
// the first (n counts the streamed loads, none so far), in transactions
// into the second, checks that the two loads report the same, and returns
// the stores, the loads' results and the model of what both should hold.
func ingestTwice(t *testing.T, n *int, in []quad.Quad) (a, b *QuadStore, ra, rb LoadResult, m model) {
	t.Helper()
	a, m = storeHolding(t, ingestBase())
	b, _ = storeHolding(t, ingestBase())
	ra, err := loadQuads(a, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *n != 1 {
		t.Fatalf("%d loads streamed, want 1", *n)
	}
	rb, err = loadQuads(b, in, &LoadOptions{BulkLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if *n != 1 {
		t.Fatalf("a load with the bulk path off streamed")
	}
	if ra.Added != rb.Added || ra.Read != rb.Read || ra.Tx.Added != rb.Tx.Added || ra.Tx.ID != rb.Tx.ID {
		t.Fatalf("streamed %+v, in transactions %+v", ra, rb)
	}
	m.add(in...)
	return a, b, ra, rb, m
}

func TestIngest(t *testing.T) {
	n := streamed(t, nil)
	in := ingestInput()
	a, b, ra, rb, m := ingestTwice(t, n, in)
	if want := int64(len(m) - len(ingestBase())); ra.Added != want {
		t.Fatalf("added %d, want %d", ra.Added, want)
	}
	verify(t, a, m)
	verify(t, b, m)
	addA, rmA := historyOf(t, a, ra.Tx.ID)
	addB, _ := historyOf(t, b, rb.Tx.ID)
	if len(rmA) != 0 || len(addA) != int(ra.Added) {
		t.Fatalf("history of the streamed load: %d added, %d removed; want %d added", len(addA), len(rmA), ra.Added)
	}
	sameQuads(t, "history of the streamed load", addA, addB)

	// A change after it, and another large load that repeats it.
	rm := []quad.Quad{in[0], in[1]}
	ad := []quad.Quad{quad.Make(quad.IRI("newcomer/0"), quad.IRI("knows"), quad.IRI("newcomer/1"), nil)}
	if _, err := a.Commit(context.Background(), ad, rm, TxOptions{}); err != nil {
		t.Fatal(err)
	}
	m.del(rm...)
	m.add(ad...)
	verify(t, a, m)
	r2, err := loadQuads(a, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r2.Added != 2 || *n != 2 {
		t.Fatalf("the repeated load added %d (want the 2 removed since), %d streamed", r2.Added, *n)
	}
	m.add(in...)
	verify(t, a, m)
	dir := a.dir
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a2, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a2.Close()
	verify(t, a2, m)
	if log, err := a2.Log(context.Background()); err != nil || len(log) != 4 {
		t.Fatalf("history after reopening: %+v, %v", log, err)
	}
}

// crowd is a load of about n quads: people who know each other, with
// names.
func crowd(n int) []quad.Quad {
	var qs []quad.Quad
	for i := range n / 2 {
		p := quad.IRI(fmt.Sprintf("member/%d", i))
		qs = append(qs,
			quad.Make(p, quad.IRI("knows"), quad.IRI(fmt.Sprintf("member/%d", (i*13+5)%(n/2))), nil),
			quad.Make(p, quad.IRI("name"), quad.String(fmt.Sprintf("Member %d", i)), quad.IRI(fmt.Sprintf("roll/%d", i%17))))
	}
	return qs
}

// TestIngestParts: a load larger than the bulk path's limits streams a
// part at a time, into a store with data as one transaction of the
// history, and into an empty store past the bulk path's limits, and the
// store is as the same load in transactions leaves it; a part that fails,
// TestIngestUnlabelled: a large load whose quads have no label, into a
// store with labelled quads, writes no L key and skips that index's sort;
// the store holds what the same load in transactions makes.
func TestIngestUnlabelled(t *testing.T) {
	labelled := map[string]bool{}
	for _, q := range ingestBase() {
		labelled[q.String()] = q.Label != nil
	}
	var in []quad.Quad
	for _, q := range ingestInput() {
		if labelled[q.String()] {
			continue // the model keys a quad without its label
		}
		q.Label = nil
		in = append(in, q)
	}
	a, b, _, _, m := ingestTwice(t, streamed(t, nil), in)
	verify(t, a, m)
	verify(t, b, m)
}

// or the load's changes after its parts, undo every part.
func TestIngestParts(t *testing.T) {
	ctx := context.Background()
	in := ingestInput()
	parts := &LoadOptions{SpillAt: 1000}
	t.Run("into a store with data", func(t *testing.T) {
		// Parts of 300 quads: more than the levels a store has, so that
		// they are merged to make room for the next.
		flattened := 0
		n := streamed(t, func(stage string) error {
			if stage == "flatten" {
				flattened++
			}
			return nil
		})
		a, m := storeHolding(t, ingestBase())
		b, _ := storeHolding(t, ingestBase())
		ra, err := loadQuads(a, in, &LoadOptions{SpillAt: 300})
		if err != nil {
			t.Fatal(err)
		}
		if *n < int(ra.Read/300) || flattened == 0 {
			t.Fatalf("%d parts streamed of %d quads, the levels merged %d times", *n, ra.Read, flattened)
		}
		rb, err := loadQuads(b, in, &LoadOptions{BulkLimit: -1})
		if err != nil {
			t.Fatal(err)
		}
		if ra.Added != rb.Added || ra.Read != rb.Read || ra.Tx.Added != rb.Tx.Added || ra.Tx.ID != rb.Tx.ID {
			t.Fatalf("streamed %+v, in transactions %+v", ra, rb)
		}
		m.add(in...)
		verify(t, a, m)
		addA, rmA := historyOf(t, a, ra.Tx.ID)
		addB, _ := historyOf(t, b, rb.Tx.ID)
		if len(rmA) != 0 {
			t.Fatalf("the streamed load removed %d", len(rmA))
		}
		sameQuads(t, "history of the load in parts", addA, addB)
		if log, err := a.Log(ctx); err != nil || len(log) != 2 {
			t.Fatalf("history: %+v, %v", log, err)
		}
	})
	t.Run("into an empty store", func(t *testing.T) {
		n := streamed(t, nil)
		s, err := Open(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		// The bulk path reads ahead up to 20,480 quads past its limits.
		all := append(ingestBase(), crowd(30000)...)
		r, err := loadQuads(s, all, &LoadOptions{SpillAt: 1000, BulkValues: 500})
		if err != nil {
			t.Fatal(err)
		}
		if *n < 2 {
			t.Fatalf("%d parts streamed past the bulk path's limits, want several", *n)
		}
		m := model{}
		m.add(all...)
		if !r.Bulk || r.Added != int64(len(m)) || r.Read != int64(len(all)) {
			t.Fatalf("result %+v, want %d added of %d read", r, len(m), len(all))
		}
		verify(t, s, m)
		if log, err := s.Log(ctx); err != nil || len(log) != 1 || !log[0].Implicit {
			t.Fatalf("history: %+v, %v", log, err)
		}
		// It takes changes and reopens.
		rm := []quad.Quad{in[0]}
		if _, err := s.Commit(ctx, nil, rm, TxOptions{}); err != nil {
			t.Fatal(err)
		}
		m.del(rm...)
		dir := s.dir
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s2, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		verify(t, s2, m)
	})
	t.Run("a part fails", func(t *testing.T) {
		for _, empty := range []bool{false, true} {
			k := 0
			n := streamed(t, func(stage string) error {
				if stage == "written" {
					if k++; k == 3 {
						return errors.New("disk fault")
					}
				}
				return nil
			})
			var s *QuadStore
			m := model{}
			o, in := parts, in
			if empty {
				in = crowd(30000)
				var err error
				if s, err = Open(t.TempDir(), nil); err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				o = &LoadOptions{SpillAt: 1000, BulkValues: 500}
			} else {
				s, m = storeHolding(t, ingestBase())
			}
			if _, err := loadQuads(s, in, o); err == nil || !strings.Contains(err.Error(), "disk fault") || *n != 2 {
				t.Fatalf("into an empty store %v: error %v, %d parts streamed before", empty, err, *n)
			}
			verify(t, s, m)
			if _, err := os.Stat(filepath.Join(s.dir, ingestMarker)); !os.IsNotExist(err) {
				t.Fatalf("the marker is left: %v", err)
			}
			if _, err := loadQuads(s, in, o); err != nil {
				t.Fatal(err)
			}
			m.add(in...)
			verify(t, s, m)
		}
	})
	t.Run("finish fails", func(t *testing.T) {
		n := streamed(t, nil)
		s, m := storeHolding(t, ingestBase())
		o := *parts
		o.Finish = func(context.Context) (Finished, error) { return Finished{}, errors.New("planned changes refused") }
		if _, err := loadQuads(s, in, &o); err == nil || *n < 2 {
			t.Fatalf("error %v, %d parts streamed", err, *n)
		}
		verify(t, s, m)
		if log, _ := s.Log(ctx); len(log) != 1 {
			t.Fatalf("history after the failed load: %+v", log)
		}
	})
}

// TestIngestUndone: a streamed load that fails — in its changes after the
// stream, in the stream itself — leaves the store as it was; one that
// meets a reader open, or writes of this process not yet flushed, still
// loads.
func TestIngestUndone(t *testing.T) {
	ctx := context.Background()
	in := ingestInput()
	t.Run("finish fails", func(t *testing.T) {
		n := streamed(t, nil)
		s, m := storeHolding(t, ingestBase())
		_, err := loadQuads(s, in, &LoadOptions{Finish: func(context.Context) (Finished, error) {
			return Finished{}, errors.New("planned changes refused")
		}})
		if err == nil || *n != 1 {
			t.Fatalf("error %v, %d streamed", err, *n)
		}
		verify(t, s, m)
		if log, _ := s.Log(ctx); len(log) != 1 {
			t.Fatalf("history after the failed load: %+v", log)
		}
	})
	// Every value new and named, so that undoing a quad writes the most
	// (its index keys, counters, and its nodes' values, hashes and folded
	// names), in small transactions: each op record still undoes in one.
	t.Run("finish fails, small transactions", func(t *testing.T) {
		n := streamed(t, nil)
		s, err := Open(t.TempDir(), &Options{SmallWrites: true})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := loadQuads(s, ingestBase(), nil); err != nil {
			t.Fatal(err)
		}
		m := model{}
		m.add(ingestBase()...)
		var in []quad.Quad
		for i := range 3000 {
			in = append(in, quad.Make(quad.IRI(fmt.Sprintf("s%d", i)), quad.IRI(fmt.Sprintf("p%d", i%7)),
				quad.String(fmt.Sprintf("Object Number %d", i)), quad.IRI(fmt.Sprintf("g%d", i))))
		}
		_, err = loadQuads(s, in, &LoadOptions{Finish: func(context.Context) (Finished, error) {
			return Finished{}, errors.New("planned changes refused")
		}})
		if err == nil || !strings.Contains(err.Error(), "planned changes refused") || strings.Contains(err.Error(), "undoing") || *n != 1 {
			t.Fatalf("error %v, %d streamed", err, *n)
		}
		verify(t, s, m)
	})
	// An error once every table is written, or once the marker counts
	// them: nothing lists them yet, and they go. Once the new MANIFEST
	// lists them, the load is in the store, and unstream undoes it in
	// transactions.
	for _, stage := range []string{"written", "counted", "listed"} {
		t.Run("fails once "+stage, func(t *testing.T) {
			fail := true
			n := streamed(t, func(s string) error {
				if s == stage && fail {
					return errors.New("disk fault")
				}
				return nil
			})
			s, m := storeHolding(t, ingestBase())
			if _, err := loadQuads(s, in, nil); err == nil || !strings.Contains(err.Error(), "disk fault") {
				t.Fatalf("error %v", err)
			}
			verify(t, s, m)
			if _, err := os.Stat(filepath.Join(s.dir, ingestMarker)); !os.IsNotExist(err) {
				t.Fatalf("the marker is left: %v", err)
			}
			fail = false
			if _, err := loadQuads(s, in, nil); err != nil || *n != 1 {
				t.Fatalf("the load again: %v, %d streamed", err, *n)
			}
			m.add(in...)
			verify(t, s, m)
			reopened(t, s, s.dir, m).Close()
		})
	}
	// A table that cannot be written, among many: the tables written go,
	// the store is as it was, in this process and the next.
	t.Run("a table fails", func(t *testing.T) {
		defer func(n uint64) { bulkTableBytes = n }(bulkTableBytes)
		bulkTableBytes = 16 << 10
		n := streamed(t, nil)
		s, m := storeHolding(t, ingestBase())
		var tables atomic.Int32
		failTable = func(uint64) error {
			if tables.Add(1) == 3 {
				return errors.New("disk fault")
			}
			return nil
		}
		_, err := loadQuads(s, in, nil)
		failTable = nil
		if err == nil || !strings.Contains(err.Error(), "disk fault") {
			t.Fatalf("error %v", err)
		}
		if tables.Load() < 3 {
			t.Fatalf("%d tables written", tables.Load())
		}
		verify(t, s, m)
		// No table file but Badger's (the load's own compaction of level 0
		// before it wrote may have replaced some).
		var live []string
		for _, tb := range s.db.Tables() {
			live = append(live, filepath.Join(s.dir, table.IDToFilename(tb.ID)))
		}
		slices.Sort(live)
		if after := sstFiles(t, s.dir); !slices.Equal(after, live) {
			t.Fatalf("table files %v after the failed load, Badger's %v", after, live)
		}
		s = reopened(t, s, s.dir, m)
		defer s.Close()
		if _, err := loadQuads(s, in, nil); err != nil || *n != 1 {
			t.Fatalf("the load again: %v, %d streamed", err, *n)
		}
		m.add(in...)
		verify(t, s, m)
	})
	t.Run("reader open", func(t *testing.T) {
		n := streamed(t, nil)
		s, m := storeHolding(t, ingestBase())
		sn, ok := s.Snapshot()
		if !ok {
			t.Fatal("no snapshot")
		}
		if _, err := loadQuads(s, in, nil); err != nil {
			t.Fatal(err)
		}
		if *n != 0 {
			t.Fatal("the load streamed with a reader open")
		}
		if id, err := sn.ID(quad.IRI("person/1")); err != nil || id == 0 {
			t.Fatalf("the reader after the load: %d, %v", id, err)
		}
		sn.Close()
		m.add(in...)
		verify(t, s, m)
	})
	t.Run("writes in memory", func(t *testing.T) {
		n := streamed(t, nil)
		s, m := storeHolding(t, ingestBase())
		extra := []quad.Quad{quad.Make(quad.IRI("person/3"), quad.IRI("knows"), quad.IRI("stranger"), nil)}
		if _, err := s.AddQuads(extra); err != nil {
			t.Fatal(err)
		}
		if _, err := loadQuads(s, in, nil); err != nil || *n != 1 {
			t.Fatalf("%v, %d streamed", err, *n)
		}
		m.add(extra...)
		m.add(in...)
		verify(t, s, m)
	})
}

// TestIngestCrashHelper is the process TestIngestCrash kills.
func TestIngestCrashHelper(t *testing.T) {
	dir, stage, ok := strings.Cut(os.Getenv("QUADSTORE_INGEST_CRASH"), "|")
	if !ok {
		t.Skip("the process TestIngestCrash runs")
	}
	stage, empty := strings.CutSuffix(stage, "|empty")
	ingestMin = 256
	stage, nth, parts := strings.Cut(stage, "@")
	seen := 0
	ingestHook = func(s string) error {
		if s == stage {
			if seen++; !parts || strconv.Itoa(seen) == nth {
				os.Exit(3)
			}
		}
		return nil
	}
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var o *LoadOptions
	if parts {
		o = &LoadOptions{SpillAt: 1000}
	}
	in := ingestInput()
	if empty {
		// The first load, past the bulk path's limits.
		in, o = crowd(30000), &LoadOptions{SpillAt: 1000, BulkValues: 500}
	}
	_, err = loadQuads(s, in, o)
	t.Fatalf("the load ended: %v", err)
}

// TestIngestCrash: a process killed while it streams a load, before or
// after Badger's Flush, leaves a store the next open returns to what it
// was: the load's tables dropped, or the load undone from its journal.
func TestIngestCrash(t *testing.T) {
	for _, c := range []struct {
		stage string
		notes []string
		empty bool // the first load into an empty store, its parts past the bulk path's limits
	}{
		// Its tables are written as Badger's writers get to them: none may
		// be by then.
		{"written", []string{"its tables"}, false},
		{"flushed", []string{"batches it had committed were undone"}, false},
		// On disk, the tables are all written and counted, but the
		// MANIFEST does not list them yet: they are deleted. Once it does,
		// the load is in the store, and its journal undoes it.
		{"counted", []string{"before the MANIFEST listed them"}, false},
		{"listed", []string{"batches it had committed were undone"}, false},
		// A load in parts, killed in its second part: that part's tables
		// are dropped, and the first part is undone from the journal.
		{"written@2", []string{"its tables", "batches it had committed were undone"}, false},
		{"flushed@2", []string{"batches it had committed were undone"}, false},
		// The first load, killed in its first streamed part: the store is
		// reset, after that part's tables are dropped.
		{"written@1", []string{"its tables", "reset to empty"}, true},
	} {
		t.Run(fmt.Sprintf("%s empty %v", c.stage, c.empty), func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			base := ingestBase()
			if c.empty {
				base = nil
			}
			if _, err := loadQuads(s, base, nil); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestIngestCrashHelper$")
			env := "QUADSTORE_INGEST_CRASH=" + dir + "|" + c.stage
			if c.empty {
				env += "|empty"
			}
			cmd.Env = append(os.Environ(), env)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 3 {
				t.Fatalf("the loading process: %v\n%s", err, out)
			}
			if _, err := os.Stat(filepath.Join(dir, ingestMarker)); err != nil {
				t.Fatalf("the killed load left no marker: %v", err)
			}
			if _, err := Open(dir, &Options{ReadOnly: true}); !errors.Is(err, ErrNeedsRecovery) {
				t.Fatalf("read-only open: %v, want ErrNeedsRecovery", err)
			}
			s, err = Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			notes := strings.Join(s.Notes(), "\n")
			for _, want := range c.notes {
				if !strings.Contains(notes, want) {
					t.Fatalf("notes %q, want one with %q", notes, want)
				}
			}
			m := model{}
			m.add(base...)
			verify(t, s, m)
			if _, err := os.Stat(filepath.Join(dir, ingestMarker)); !os.IsNotExist(err) {
				t.Fatalf("the marker is left: %v", err)
			}
			if _, err := loadQuads(s, ingestInput(), nil); err != nil {
				t.Fatal(err)
			}
			m.add(ingestInput()...)
			verify(t, s, m)
		})
	}
}

// TestBulkWaitsForReaders: the first load into an empty store writes
// Badger's tables directly, whose end no read may be open across (Badger
// stops the process when it is discarded): the load waits for the reads
// open to end, and fails, the store still empty, when one stays open.
func TestBulkWaitsForReaders(t *testing.T) {
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sn, ok := s.Snapshot()
	if !ok {
		t.Fatal("no snapshot")
	}
	old := readersWait
	readersWait = 50 * time.Millisecond
	_, err = loadQuads(s, ingestBase(), nil)
	readersWait = old
	if err == nil || !strings.Contains(err.Error(), "stayed open") {
		t.Fatalf("a load across an open read: %v", err)
	}
	verify(t, s, model{})

	done := make(chan error, 1)
	go func() {
		_, err := loadQuads(s, ingestBase(), nil)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the load ended with a read open: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	if id, err := sn.ID(quad.IRI("person/1")); err != nil || id != 0 {
		t.Fatalf("the open read saw %d, %v", id, err)
	}
	sn.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	m := model{}
	m.add(ingestBase()...)
	verify(t, s, m)
}
