package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// historyStep is a command of docs/history.md: it runs in order on one
// store, with the environment it shows (ENTENTE_TX_TIME=… entente …).
type historyStep struct {
	line int
	env  []string
	args []string
	want []string
	code int
}

var envWord = regexp.MustCompile(`^[A-Z_]+=\S*$`)

// historySteps reads the indented "$ [VAR=VALUE …] entente --db team.db …"
// lines of a doc and the output under each.
func historySteps(t *testing.T, path string) []historyStep {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out []historyStep
	for i := 0; i < len(lines); i++ {
		cmd, ok := strings.CutPrefix(lines[i], "    $ ")
		if !ok {
			continue
		}
		words, ok := shellWords(cmd)
		if !ok {
			t.Fatalf("%s:%d: cannot split %q", path, i+1, cmd)
		}
		var st historyStep
		st.line = i + 1
		for len(words) > 0 && envWord.MatchString(words[0]) {
			st.env = append(st.env, words[0])
			words = words[1:]
		}
		if len(words) < 3 || words[0] != "entente" || words[1] != "--db" || words[2] != "team.db" {
			t.Fatalf("%s:%d: a step must run entente --db team.db: %q", path, i+1, cmd)
		}
		st.args = words[1:]
		j := i + 1
		for ; j < len(lines); j++ {
			l := lines[j]
			if strings.HasPrefix(l, "    $ ") || (l != "" && !strings.HasPrefix(l, "    ")) {
				break
			}
			st.want = append(st.want, strings.TrimPrefix(l, "    "))
		}
		for len(st.want) > 0 && strings.TrimSpace(st.want[len(st.want)-1]) == "" {
			st.want = st.want[:len(st.want)-1]
		}
		if n := len(st.want); n > 0 {
			if m := exitLine.FindStringSubmatch(st.want[n-1]); m != nil {
				st.code, _ = strconv.Atoi(m[1])
				st.want = st.want[:n-1]
			}
		}
		out = append(out, st)
		i = j - 1
	}
	return out
}

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
	steps := historySteps(t, filepath.Join(root, "docs", "history.md"))
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

// runEnv is runIn with more environment.
func runEnv(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "ENTENTE_DB=", "XDG_DATA_HOME="+t.TempDir(), "NO_COLOR=1", "ENTENTE_TX_TIME="), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}
