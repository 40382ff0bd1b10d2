package query_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/entente-kg/entente/query"
)

// TestMatchCap: a match that binds more than a million ways fails as the
// cap is crossed, and one whose context is done stops with its error.
func TestMatchCap(t *testing.T) {
	db := seedStore(t)
	start := time.Now()
	_, err := run(t, db, "match (a), (b), (c), (d) return count(*)")
	if err == nil || !strings.Contains(err.Error(), "more than a million ways") {
		t.Fatalf("%v", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("took %v", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if _, err := query.Run(ctx, db, "match (a), (b), (c), (d), (e) return count(*)", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("under a 1 ms timeout: %v", err)
	}
}
