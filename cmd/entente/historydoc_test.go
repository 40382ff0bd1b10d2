package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/entente-kg/entente/internal/pgtest"
)

// TestHistoryDoc runs docs/history.md's walk-through — loads, retractions,
// amendments, questions in time, a change file, a history export loaded
// back — in order on one store through the binary, and compares what each
// command prints with what the doc shows.
func TestHistoryDoc(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The doc's paths are the repository's: examples/… under the work
	// directory.
	if err := os.Symlink(filepath.Join(root, "examples"), filepath.Join(dir, "examples")); err != nil {
		t.Fatal(err)
	}
	steps := docCommands(t, filepath.Join(root, "docs", "history.md"), "team.db")
	if len(steps) < 15 {
		t.Fatalf("only %d steps in docs/history.md", len(steps))
	}
	for _, st := range steps {
		stdout, stderr, code := runEnv(t, dir, st.env, st.args...)
		got := strings.Split(strings.TrimRight(stdout+stderr, "\n"), "\n")
		if strings.TrimSpace(stdout+stderr) == "" {
			got = nil
		}
		if code != st.code || !matchLines(st.want, got) {
			t.Fatalf("docs/history.md:%d: %s entente %s\nexit %d (doc: %d); the doc shows\n%s\nthe binary prints\n%s",
				st.line, strings.Join(st.env, " "), strings.Join(st.args, " "), code, st.code, indented(st.want), indented(got))
		}
	}
}

// TestHistoryDocPostgres runs the same walk-through on PostgreSQL beside a
// fresh Badger store, step by step, and compares what each prints (the
// store's address aside; `check` reports each store in its own words, so
// only its exit code is compared): history, as of, at and during, change
// files and the history export work alike on both stores.
func TestHistoryDocPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("the walk-through twice, on PostgreSQL too")
	}
	url := pgtest.DB(t)
	entente(t, "", "--db", url, "init").must(t, 0)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dirs := [2]string{t.TempDir(), t.TempDir()}
	for _, dir := range dirs {
		if err := os.Symlink(filepath.Join(root, "examples"), filepath.Join(dir, "examples")); err != nil {
			t.Fatal(err)
		}
	}
	took := regexp.MustCompile(` in [0-9.]+[µm]?s\b`)
	steps := docCommands(t, filepath.Join(root, "docs", "history.md"), "team.db")
	for _, st := range steps {
		var outs [2]string
		var codes [2]int
		for i, db := range []string{"team.db", url} {
			args := append([]string(nil), st.args...)
			args[1] = db
			stdout, stderr, code := runEnv(t, dirs[i], st.env, args...)
			outs[i] = took.ReplaceAllString(strings.ReplaceAll(stdout+stderr, db, "DB"), " in …")
			codes[i] = code
		}
		if codes[0] != codes[1] || (st.args[2] != "check" && outs[0] != outs[1]) {
			t.Errorf("docs/history.md:%d: %s entente %s\nBadger (exit %d):\n%s\nPostgreSQL (exit %d):\n%s",
				st.line, strings.Join(st.env, " "), strings.Join(st.args[2:], " "), codes[0], outs[0], codes[1], outs[1])
		}
	}
}
