package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSmallFileLargeChange: a seed file small enough for the load to open
// the store for small writes, whose retraction removes far more than one of
// that store's transactions holds, loads whole into a new store, and into
// one with data, as it does read from standard input (default logs).
func TestSmallFileLargeChange(t *testing.T) {
	var b strings.Builder
	b.WriteString("source src1\n  title: A test\n\nentity hub Country \"Hub\"\n\n")
	for i := range 60 {
		fmt.Fprintf(&b, "entity e%d Country \"Country %d\"\n\n", i, i)
	}
	for i := range 60 {
		fmt.Fprintf(&b, "hub -security_pact-> e%d\n  status: existing\n  basis: stated\n  evidence: src1 | p%d | some quoted text number %d.\n\n", i, i, i)
	}
	b.WriteString("retract entity hub\n  reason: testing\n")
	if b.Len() > smallInput {
		t.Fatalf("the file is %d bytes, over the %d of a small load", b.Len(), smallInput)
	}
	file := filepath.Join(t.TempDir(), "change.seed")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	fromFile := filepath.Join(t.TempDir(), "db")
	got := entente(t, "", "--db", fromFile, "load", file).must(t, 0).stdout
	fromStdin := filepath.Join(t.TempDir(), "db")
	want := entente(t, b.String(), "--db", fromStdin, "load", "--format", "seed", "-").must(t, 0).stdout
	cut := func(s string) string { // the summary without its timing
		s, _, _ = strings.Cut(s, " in ")
		return s
	}
	if cut(got) != cut(want) || !strings.Contains(got, "removed") {
		t.Fatalf("load of the file: %q\nfrom standard input: %q", got, want)
	}
	stats := entente(t, "", "--db", fromFile, "stats").must(t, 0).stdout
	if stats != entente(t, "", "--db", fromStdin, "stats").must(t, 0).stdout {
		t.Fatalf("the stores differ:\n%s", stats)
	}
	entente(t, "", "--db", fromFile, "check").must(t, 0)

	// Into a store with data: the file's statements go through
	// transactions, and the retraction with them.
	entente(t, "", "--db", fromFile, "load", "--seed").must(t, 0)
	entente(t, "", "--db", fromFile, "load", file).must(t, 0)
	r := entente(t, "", "--db", fromFile, "query", "neighbors hub")
	if r.code == 0 || !strings.Contains(r.stderr, `unknown entity "hub"`) {
		t.Fatalf("hub after its retraction: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	entente(t, "", "--db", fromFile, "check").must(t, 0)
}
