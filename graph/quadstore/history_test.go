package quadstore

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/cayleygraph/quad"
)

func quadSet(qs []quad.Quad) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.NQuad()
	}
	sort.Strings(out)
	return out
}

func sameQuads(t *testing.T, what string, got, want []quad.Quad) {
	t.Helper()
	g, w := quadSet(got), quadSet(want)
	if len(g) != len(w) {
		t.Fatalf("%s: %d quads, want %d:\n%q\nwant\n%q", what, len(g), len(w), g, w)
	}
	for i := range g {
		if g[i] != w[i] {
			t.Fatalf("%s: quad %d is %s, want %s", what, i, g[i], w[i])
		}
	}
}

// TestHistory: each write is a transaction; the state after any of them
// is rebuilt from the present, across bulk and journalled loads, removals
// that retire nodes, re-additions, and a long change; Check agrees.
func TestHistory(t *testing.T) {
	ctx := context.Background()
	for _, bulk := range []bool{true, false} {
		dir := t.TempDir()
		s, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		base := baseQuads()
		opt := &LoadOptions{Tx: TxOptions{Meta: json.RawMessage(`{"message":"first"}`)}}
		if !bulk {
			opt.BulkLimit = -1
			opt.BatchSize = 3
		}
		res, err := s.Load(ctx, &SliceReader{Quads: base}, opt)
		if err != nil {
			t.Fatal(err)
		}
		if res.Tx.ID != 1 || res.Tx.Implicit != bulk || res.Tx.Added != int64(len(base)) {
			t.Fatalf("bulk %v: load record %+v", bulk, res.Tx)
		}
		states := [][]quad.Quad{nil, append([]quad.Quad(nil), base...)}
		// Remove a quad whose subject no other quad has: its node retires.
		gone := base[0]
		rec, err := s.Commit(ctx, nil, []quad.Quad{gone}, TxOptions{Meta: json.RawMessage(`{"message":"retract"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if rec.ID != 2 || rec.Removed != 1 || rec.Added != 0 {
			t.Fatalf("commit record %+v", rec)
		}
		states = append(states, base[1:])
		// Add it back (a new node id) and something new.
		extra := quad.Make("new", "p", "thing", "lbl")
		if rec, err = s.Commit(ctx, []quad.Quad{gone, extra}, nil, TxOptions{}); err != nil || rec.ID != 3 || rec.Added != 2 {
			t.Fatalf("commit: %+v %v", rec, err)
		}
		states = append(states, append(append([]quad.Quad(nil), base...), extra))
		// A change that adds nothing new records nothing.
		if rec, err = s.Commit(ctx, []quad.Quad{extra}, nil, TxOptions{}); err != nil || rec.ID != 0 {
			t.Fatalf("empty commit: %+v %v", rec, err)
		}
		// A long change, in several batches.
		var many []quad.Quad
		for i := 0; i < 3000; i++ {
			many = append(many, quad.Make(quad.IRI("s"), quad.IRI("p"), quad.Int(i), nil))
		}
		if rec, err = s.commitLong(ctx, many, []quad.Quad{extra}, TxOptions{}); err != nil || rec.ID != 4 || rec.Added != 3000 || rec.Removed != 1 {
			t.Fatalf("long commit: %+v %v", rec, err)
		}
		states = append(states, append(append([]quad.Quad(nil), base...), many...))
		s.Close()
		if s, err = Open(dir, nil); err != nil {
			t.Fatal(err)
		}
		log, err := s.Log(ctx)
		if err != nil || len(log) != 4 {
			t.Fatalf("log: %+v %v", log, err)
		}
		for i := 1; i < len(log); i++ {
			if log[i].ID != uint64(i+1) || log[i].Time.Before(log[i-1].Time) {
				t.Fatalf("log order: %+v", log)
			}
		}
		for at, want := range states {
			got, err := s.QuadsAsOf(ctx, uint64(at))
			if err != nil {
				t.Fatal(err)
			}
			sameQuads(t, "as of "+string(rune('0'+at)), got, want)
			// The same, as a copy of the store with the later changes
			// undone: its quads, counts and indexes agree.
			v, err := Open("", &Options{InMemory: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := v.FillAsOf(ctx, s, uint64(at)); err != nil {
				t.Fatal(err)
			}
			sameQuads(t, "a copy as of "+string(rune('0'+at)), allQuadsOf(t, v), want)
			if rep, err := v.Check(ctx); err != nil || !rep.OK() {
				t.Fatalf("the copy as of %d: check %+v %v", at, rep, err)
			}
			if n := v.nquads.Load(); n != int64(len(want)) {
				t.Fatalf("the copy as of %d counts %d quads, holds %d", at, n, len(want))
			}
			v.Close()
		}
		var changes []string
		if err := s.Changes(ctx, 1, 3, func(r TxRecord, op Op) error {
			sign := "-"
			if op.Add {
				sign = "+"
			}
			changes = append(changes, sign+op.Quad.NQuad())
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(changes) != 3 || changes[0] != "-"+gone.NQuad() {
			t.Fatalf("changes: %q", changes)
		}
		rep, err := s.Check(ctx)
		if err != nil || !rep.OK() || rep.Transactions != 4 {
			t.Fatalf("check: %+v %v", rep, err)
		}
		s.Close()
	}
}

// TestHistoryRollback: a long change interrupted is undone at the next
// open, removals included, and leaves no transaction.
func TestHistoryRollback(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := baseQuads()
	if _, err := s.Load(ctx, &SliceReader{Quads: base}, nil); err != nil {
		t.Fatal(err)
	}
	// A transaction of its own whose nodes the change below retires: its
	// history names them by their ids.
	own := []quad.Quad{quad.Make("hub", "partner", "spoke", "stmt"), quad.Make("stmt", "note", "only here", nil)}
	if rec, err := s.Commit(ctx, own, nil, TxOptions{}); err != nil || rec.ID != 2 {
		t.Fatalf("commit: %+v %v", rec, err)
	}
	lt, err := s.beginLong(TxOptions{}, "a change", journalChanging)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.updateInto(lt, func(tx *writeTx) error {
		for _, q := range append(append([]quad.Quad(nil), base[:3]...), own...) {
			if err := tx.removeQuad(q, false); err != nil {
				return err
			}
		}
		_, err := tx.addQuad(quad.Make("a", "b", "c", nil), false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s.Close() // as a crash would leave it: the header and one batch
	if s, err = Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all := append(append([]quad.Quad(nil), base...), own...)
	for at, want := range map[uint64][]quad.Quad{1: base, 2: all} {
		got, err := s.QuadsAsOf(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		sameQuads(t, fmt.Sprintf("after recovery, as of %d", at), got, want)
	}
	m := model{}
	m.add(all...)
	verify(t, s, m)
	if log, _ := s.Log(ctx); len(log) != 2 {
		t.Fatalf("log after recovery: %+v", log)
	}
	rep, err := s.Check(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("check: %+v %v", rep, err)
	}
	// The next transaction takes the next id.
	rec, err := s.Commit(ctx, []quad.Quad{quad.Make("x", "y", "z", nil)}, nil, TxOptions{Time: time.Now().Add(time.Hour)})
	if err != nil || rec.ID != 3 {
		t.Fatalf("commit after recovery: %+v %v", rec, err)
	}
	if _, err := s.Commit(ctx, []quad.Quad{quad.Make("x", "y", "w", nil)}, nil, TxOptions{Time: time.Now()}); err == nil {
		t.Fatal("a transaction dated before the last one was accepted")
	}
}

// allQuadsOf reads every quad of s through its iterator.
func allQuadsOf(t *testing.T, s *QuadStore) []quad.Quad {
	t.Helper()
	ctx := context.Background()
	var out []quad.Quad
	it := s.QuadsAllIterator().Iterate()
	defer it.Close()
	for it.Next(ctx) {
		q, err := s.Quad(it.Result())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
