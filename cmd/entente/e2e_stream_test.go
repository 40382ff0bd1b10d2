package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestStreamedLoad: a load of more than 65,536 statements into a store with
// data (the seed graph) goes through Badger's StreamWriter; the store is
// consistent after it, its history holds the load as one transaction with
// every statement, the same file again adds nothing, and a change and
// another large load after it work.
func TestStreamedLoad(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)
	quadsOf := func() string {
		out := entente(t, "", "--db", db, "stats").must(t, 0).stdout
		m := regexp.MustCompile(`quads\s+([\d,]+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("stats without quads:\n%s", out)
		}
		return m[1]
	}
	seeded := quadsOf()
	var b strings.Builder
	const n = 70_000
	for i := range n / 2 {
		fmt.Fprintf(&b, "<http://example.org/firm/%d> <http://example.org/supplies> <http://example.org/firm/%d> .\n", i, (i*31+7)%(n/2))
		fmt.Fprintf(&b, "<http://example.org/firm/%d> <http://example.org/name> \"Firm %d\" <http://example.org/registry> .\n", i, i)
	}
	file := filepath.Join(dir, "firms.nq")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// One batch: the stream (in transactions, a batch is 4,096).
	r := entente(t, "", "--db", db, "load", "--verbose", file).must(t, 0)
	if !strings.Contains(r.stderr, "committed batch 1: 70,000 statements read, 70,000 new") || !strings.Contains(r.stdout, "70,000 new") {
		t.Fatalf("load: %q\n%s", r.stdout, r.stderr)
	}
	entente(t, "", "--db", db, "check").must(t, 0)
	log := entente(t, "", "--db", db, "log").must(t, 0).stdout
	if !strings.Contains(log, "+70000 -0") || !strings.Contains(log, "firms.nq") {
		t.Fatalf("log after the load:\n%s", log)
	}
	after := quadsOf()
	if after == seeded {
		t.Fatalf("stats still say %s quads", after)
	}
	entente(t, "", "--db", db, "load", file).must(t, 0)
	if again := quadsOf(); again != after {
		t.Fatalf("the same file again: %s quads, was %s", again, after)
	}
	// A second file that shares half its statements with the first.
	b.Reset()
	for i := range n {
		fmt.Fprintf(&b, "<http://example.org/firm/%d> <http://example.org/supplies> <http://example.org/firm/%d> .\n", i, (i*31+7)%(n/2))
	}
	more := filepath.Join(dir, "more.nq")
	if err := os.WriteFile(more, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	entente(t, "", "--db", db, "load", more).must(t, 0)
	log = entente(t, "", "--db", db, "log").must(t, 0).stdout
	if !strings.Contains(log, "+35000 -0") {
		t.Fatalf("log after the second file:\n%s", log)
	}
	entente(t, "", "--db", db, "check").must(t, 0)
}
