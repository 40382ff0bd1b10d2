package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
