package pgstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/pgstore"
	"github.com/entente-kg/entente/graph/quadstore"
	"github.com/entente-kg/entente/internal/pgtest"
)

// TestKeepIDsDoesNotBlock: a fresh process that numbers the nodes keeps
// its numbering after it lets go of the numbering's lock, so that the
// process's other requests (a server's) do not wait for the write. The
// write is held up by another transaction's uncommitted row under the
// same name; meanwhile a second request of the same store answers.
func TestKeepIDsDoesNotBlock(t *testing.T) {
	url := pgtest.DB(t)
	ctx := context.Background()
	if err := pgstore.Init(ctx, url); err != nil {
		t.Fatal(err)
	}
	a, err := pgstore.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	qs := []quad.Quad{
		quad.MakeIRI("entity:jp", "rel:partner", "entity:eu", ""),
		quad.MakeIRI("entity:kr", "rel:partner", "entity:eu", ""),
	}
	if _, err := a.Commit(ctx, qs, nil, quadstore.TxOptions{}); err != nil {
		t.Fatal(err)
	}
	a.Close()

	raw, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Nothing kept (the first process may have kept its numbering), and
	// a row named ids that the store's write must wait for.
	if _, err := raw.ExecContext(ctx, `DELETE FROM entente_cache`); err != nil {
		t.Fatal(err)
	}
	hold, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.ExecContext(ctx, `INSERT INTO entente_cache (name, stamp, data) VALUES ('ids', '', '')`); err != nil {
		t.Fatal(err)
	}

	b, err := pgstore.Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	first := make(chan error, 1)
	go func() {
		_, _, err := b.Predicates(ctx)
		first <- err
	}()
	// Until the first request's write waits for the held row.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var waiting int
		err := raw.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO entente_cache%'`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case err := <-first:
			t.Fatalf("the first request ended (%v) before keeping its numbering", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the first request never wrote its numbering")
		}
		time.Sleep(10 * time.Millisecond)
	}
	second := make(chan error, 1)
	go func() {
		preds, _, err := b.Predicates(ctx)
		if err == nil && len(preds) != 1 {
			t.Errorf("%d predicates, want 1", len(preds))
		}
		second <- err
	}()
	select {
	case err := <-second:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a second request waited for the first one's write")
	}
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	var n int
	if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM entente_cache WHERE name = 'ids' AND length(data) > 0`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("kept numbering rows: %d, %v", n, err)
	}
}
