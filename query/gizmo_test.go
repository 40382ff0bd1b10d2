package query_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/entente-kg/entente/query"
)

// TestGizmoBombs: a program that loops inside a built-in method, or
// builds a string or array past the caps, ends — with an error, within
// the timeout — and leaves no goroutine running.
func TestGizmoBombs(t *testing.T) {
	db := seedStore(t)
	before := runtime.NumGoroutine()
	for _, c := range []struct{ src, want string }{
		{`Array.prototype.fill.call({length: 1e9}, 0)`, "Array.prototype.fill over 1000000000 elements"},
		{`Array.prototype.indexOf.call({length: 2**53 - 1}, 1)`, "Array.prototype.indexOf over 9007199254740991 elements"},
		{`var a = []; a.length = 4e9 - 1; a.includes(1)`, "Array.prototype.includes over"},
		{`"x".repeat(1e9)`, "String.prototype.repeat of 1000000000 characters"},
		{`Math.max.apply(null, {length: 1e9})`, "apply over 1000000000 elements"},
		{`while (true) {}`, "deadline"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		start := time.Now()
		_, err := query.Gizmo(ctx, db.QuadStore(), c.src, nil)
		cancel()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.src, err, c.want)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s: took %v", c.src, d)
		}
	}
	// The programs' goroutines end (Cayley's VM goroutine returns once
	// interrupted).
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		t.Errorf("%d goroutines, %d before", n, before)
	}
	// An ordinary program still works with the guards in place.
	res, err := query.Gizmo(context.Background(), db.QuadStore(), `[3, 1, 2].sort().join(",")`, nil)
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != "1,2,3" {
		t.Fatalf("an ordinary program: %v %v", res, err)
	}
}

// TestGizmoMemory: a string that doubles until it passes the memory
// budget is stopped with ErrMemory, and the heap it grew is given back.
func TestGizmoMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("grows the heap by 256 MiB")
	}
	db := seedStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := query.Gizmo(ctx, db.QuadStore(), `var s = "x"; while (true) s += s;`, &query.Options{MaxMemory: 256 << 20})
	if !errors.Is(err, query.ErrMemory) {
		t.Fatalf("%v, want ErrMemory", err)
	}
}
