package graph_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cayleygraph/quad"
	eg "github.com/entente-kg/entente/graph"
)

func historyStore(t *testing.T, open openFunc) *eg.DB {
	t.Helper()
	db := open(t)
	ent := func(id, typ, name string) []quad.Quad {
		return []quad.Quad{
			quad.MakeIRI("entity:"+id, "rdf:type", "type:"+typ, ""),
			{Subject: quad.IRI("entity:" + id), Predicate: eg.PredName, Object: quad.String(name)},
		}
	}
	var qs []quad.Quad
	qs = append(qs, ent("japan", "Country", "Japan")...)
	qs = append(qs, ent("india", "Country", "India")...)
	qs = append(qs, ent("korea", "Country", "South Korea")...)
	rel := func(id, s, k, o string, quals map[string]string) {
		st := quad.IRI("stmt:" + id)
		qs = append(qs, quad.Quad{Subject: quad.IRI("entity:" + s), Predicate: quad.IRI("rel:" + k), Object: quad.IRI("entity:" + o), Label: st},
			quad.Quad{Subject: st, Predicate: eg.PredType, Object: eg.TypeStatement},
			quad.Quad{Subject: st, Predicate: eg.PredEvidence, Object: quad.IRI("ev:" + id)},
			quad.Quad{Subject: quad.IRI("ev:" + id), Predicate: eg.PredLocator, Object: quad.String("¶1")})
		for k, v := range quals {
			qs = append(qs, quad.Quad{Subject: st, Predicate: quad.IRI("q:" + k), Object: quad.String(v)})
		}
	}
	rel("jp-in", "japan", "partner", "india", map[string]string{"status": "proposed", "valid_from": "2020"})
	rel("jp-kr", "japan", "partner", "korea", nil)
	rel("jp-kr-2", "japan", "cooperation", "korea", map[string]string{"note": "defence"})
	if _, err := db.Load(context.Background(), &sliceReader{qs: qs}, nil); err != nil {
		t.Fatal(err)
	}
	return db
}

type sliceReader struct {
	qs []quad.Quad
	i  int
}

func (r *sliceReader) ReadQuad() (quad.Quad, error) {
	if r.i >= len(r.qs) {
		return quad.Quad{}, io.EOF
	}
	r.i++
	return r.qs[r.i-1], nil
}
func (r *sliceReader) Close() error { return nil }

func has(t *testing.T, db *eg.DB, q quad.Quad) bool {
	t.Helper()
	ref, err := db.QuadStore().ValueOf(q.Subject)
	if err != nil || ref == nil {
		return false
	}
	it := db.QuadStore().QuadIterator(quad.Subject, ref).Iterate()
	defer it.Close()
	for it.Next(context.Background()) {
		got, _ := db.QuadStore().Quad(it.Result())
		if got == q {
			return true
		}
	}
	return false
}

// TestRetractAmendAsOfAt: retracting and amending are transactions; the
// store as of an earlier one still shows what was; valid time reads dated
// states.
func TestRetractAmendAsOfAt(t *testing.T) {
	eachBackend(t, testRetractAmendAsOfAt)
}

func testRetractAmendAsOfAt(t *testing.T, open openFunc) {
	ctx := context.Background()
	db := historyStore(t, open)
	jpIn := quad.Quad{Subject: quad.IRI("entity:japan"), Predicate: quad.IRI("rel:partner"), Object: quad.IRI("entity:india"), Label: quad.IRI("stmt:jp-in")}

	// Errors name the closest match.
	_, err := db.Retract(ctx, eg.Target{Subject: "Japn", Kind: "partner", Object: "India"}, eg.TxMeta{Message: "x"})
	if !errors.Is(err, eg.ErrNotFound) || !strings.Contains(err.Error(), `"Japan"`) {
		t.Fatalf("retract of a misspelt name: %v", err)
	}
	_, err = db.Retract(ctx, eg.Target{Subject: "Japan", Kind: "ally", Object: "India"}, eg.TxMeta{})
	if !errors.Is(err, eg.ErrNotFound) || !strings.Contains(err.Error(), "linked by partner") {
		t.Fatalf("retract of a missing kind: %v", err)
	}
	_, err = db.Retract(ctx, eg.Target{Statement: "stmt:jp-im"}, eg.TxMeta{})
	if !errors.Is(err, eg.ErrNotFound) || !strings.Contains(err.Error(), "stmt:jp-in") {
		t.Fatalf("retract of a misspelt statement: %v", err)
	}

	// Amend with a valid-time date: before it, the old status.
	tx2, err := db.Amend(ctx, eg.Target{Subject: "japan", Kind: "partner", Object: "india"},
		eg.Amendment{Set: map[string]string{"status": "existing"}, From: "2024-06-01"}, eg.TxMeta{Author: "ana", Message: "agreed"})
	if err != nil {
		t.Fatal(err)
	}
	if tx2.ID != 2 || tx2.Author != "ana" || tx2.Kind != "amend" {
		t.Fatalf("amend tx %+v", tx2)
	}
	status := func(db *eg.DB) string {
		for _, s := range []string{"existing", "proposed"} {
			if has(t, db, quad.Quad{Subject: quad.IRI("stmt:jp-in"), Predicate: quad.IRI("q:status"), Object: quad.String(s)}) {
				return s
			}
		}
		return ""
	}
	if got := status(db); got != "existing" {
		t.Fatalf("status now %q", got)
	}
	// Amending to what it already holds changes nothing and records nothing.
	for _, a := range []eg.Amendment{
		{Set: map[string]string{"status": "existing"}},
		{Set: map[string]string{"status": "existing"}, From: "2024-06-01"},
	} {
		if _, err := db.Amend(ctx, eg.Target{Subject: "Japan", Kind: "partner", Object: "India"}, a, eg.TxMeta{}); !errors.Is(err, eg.ErrNoChange) {
			t.Fatalf("amend %+v to the same value: %v", a, err)
		}
	}
	if last, _ := db.Log(ctx); last[0].ID != 2 {
		t.Fatalf("a no-op amendment was recorded: %+v", last[0])
	}
	// A relation with dated states: an undated change of status, or one
	// dated after today, is refused; nothing is recorded.
	jpIn3 := eg.Target{Subject: "Japan", Kind: "partner", Object: "India"}
	for _, a := range []eg.Amendment{
		{Set: map[string]string{"status": "at_risk"}},
		{Set: map[string]string{"status": "at_risk"}, From: time.Now().AddDate(1, 0, 0).Format("2006-01-02")},
	} {
		if _, err := db.Amend(ctx, jpIn3, a, eg.TxMeta{}); err == nil || errors.Is(err, eg.ErrNoChange) {
			t.Fatalf("amend %+v of a dated status: %v", a, err)
		}
	}
	if last, _ := db.Log(ctx); last[0].ID != 2 {
		t.Fatalf("a refused amendment was recorded: %+v", last[0])
	}
	for _, c := range []struct {
		at, want string
	}{{"2023", "proposed"}, {"2024-05", "proposed"}, {"2024-06", "existing"}, {"2025", "existing"}} {
		d, _ := eg.ParseDate(c.at)
		v, err := db.At(ctx, eg.Period{From: d, Until: d})
		if err != nil {
			t.Fatal(err)
		}
		if got := status(v); got != c.want {
			t.Errorf("status at %s: %q, want %q", c.at, got, c.want)
		}
	}
	// Before valid_from the relation does not hold.
	d, _ := eg.ParseDate("2019")
	v, err := db.At(ctx, eg.Period{From: d, Until: d})
	if err != nil {
		t.Fatal(err)
	}
	if has(t, v, jpIn) {
		t.Fatal("the relation holds in 2019, before its valid_from")
	}

	// Retract: gone now, there as of tx:2.
	tx3, err := db.Retract(ctx, eg.Target{Subject: "India", Kind: "partner", Object: "Japan"}, eg.TxMeta{Message: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	if tx3.ID != 3 || tx3.Removed < 5 {
		t.Fatalf("retract tx %+v", tx3)
	}
	if has(t, db, jpIn) {
		t.Fatal("retracted relation still present")
	}
	old, err := db.AsOf(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !has(t, old, jpIn) || status(old) != "existing" {
		t.Fatal("as of tx:2 the relation is missing")
	}
	first, _ := db.AsOf(ctx, 1)
	if status(first) != "proposed" {
		t.Fatalf("as of tx:1 status %q", status(first))
	}
	if _, err := old.Retract(ctx, eg.Target{Statement: "stmt:jp-kr"}, eg.TxMeta{}); !errors.Is(err, eg.ErrReadOnly) {
		t.Fatalf("a view took a write: %v", err)
	}
	// Parallel relations: a qualifier picks one.
	if _, err := db.Amend(ctx, eg.Target{Subject: "Japan", Kind: "cooperation", Object: "South Korea", Where: map[string]string{"note": "trade"}},
		eg.Amendment{Set: map[string]string{"basis": "stated"}}, eg.TxMeta{}); !errors.Is(err, eg.ErrNotFound) {
		t.Fatalf("amend with a qualifier none has: %v", err)
	}
	if _, err := db.Amend(ctx, eg.Target{Entity: "South Korea"}, eg.Amendment{AddAlias: []string{"ROK"}, Set: map[string]string{}}, eg.TxMeta{}); err != nil {
		t.Fatal(err)
	}
	if cat, _ := db.Catalog(ctx); len(cat.Lookup("rok")) != 1 {
		t.Fatal("alias not added")
	}
	// Entity retraction takes its relations.
	if _, err := db.Retract(ctx, eg.Target{Entity: "South Korea"}, eg.TxMeta{}); err != nil {
		t.Fatal(err)
	}
	log, err := db.Log(ctx)
	if err != nil || len(log) != 5 || log[0].ID != 5 || log[2].Message != "wrong" {
		t.Fatalf("log %+v %v", log, err)
	}
	ch, err := db.Changes(ctx, 2, 3)
	if err != nil || len(ch) != int(tx3.Removed) || ch[0].Added {
		t.Fatalf("changes since tx:2: %d %v", len(ch), err)
	}
	for _, spec := range []string{"tx:3", "3", "TX 3"} {
		if tx, err := db.ResolveTx(ctx, spec); err != nil || tx.ID != 3 {
			t.Fatalf("resolve %q: %+v %v", spec, tx, err)
		}
	}
	if tx, err := db.ResolveTx(ctx, "2001"); err != nil || tx.ID != 0 {
		t.Fatalf("resolve a year before the history: %+v %v", tx, err)
	}
	if tx, err := db.ResolveTx(ctx, "2999-01-01"); err != nil || tx.ID != 5 {
		t.Fatalf("resolve a date after the history: %+v %v", tx, err)
	}
	rep, err := db.Check(ctx)
	if err != nil || !rep.OK() || rep.Transactions != 5 {
		t.Fatalf("check: %+v %v", rep, err)
	}
}
