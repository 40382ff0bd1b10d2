package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// docExample is a command shown in the docs with the output it prints.
type docExample struct {
	line int      // of the command in the doc
	env  []string // VAR=VALUE words before "entente"
	args []string // after "entente"
	want []string // output lines; "…" stands for any lines, a line ending in "…" for any ending
	code int      // exit status, from a trailing "[exit status N]"
}

var (
	exitLine = regexp.MustCompile(`^\[exit status (\d+)\]$`)
	envWord  = regexp.MustCompile(`^[A-Z_]+=\S*$`)
)

// docCommands finds the commands on the store db in a doc: indented lines
// "$ [VAR=VALUE …] entente --db DB …" (args keep "--db DB") and the lines
// under each up to the next command or the end of the indented block.
// Other commands, and pipelines, are left out.
func docCommands(t *testing.T, path, db string) []docExample {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out []docExample
	for i := 0; i < len(lines); i++ {
		cmd, ok := strings.CutPrefix(lines[i], "    $ ")
		if !ok {
			continue
		}
		words, ok := shellWords(cmd)
		if !ok {
			continue // a pipeline
		}
		ex := docExample{line: i + 1}
		for len(words) > 0 && envWord.MatchString(words[0]) {
			ex.env = append(ex.env, words[0])
			words = words[1:]
		}
		if len(words) < 4 || words[0] != "entente" || words[1] != "--db" || words[2] != db {
			continue
		}
		ex.args = words[1:]
		j := i + 1
		for ; j < len(lines); j++ {
			l := lines[j]
			if strings.HasPrefix(l, "    $ ") || (l != "" && !strings.HasPrefix(l, "    ")) {
				break
			}
			ex.want = append(ex.want, strings.TrimPrefix(l, "    "))
		}
		for len(ex.want) > 0 && strings.TrimSpace(ex.want[len(ex.want)-1]) == "" {
			ex.want = ex.want[:len(ex.want)-1]
		}
		if n := len(ex.want); n > 0 {
			if m := exitLine.FindStringSubmatch(ex.want[n-1]); m != nil {
				ex.code, _ = strconv.Atoi(m[1])
				ex.want = ex.want[:n-1]
			}
		}
		out = append(out, ex)
		i = j - 1
	}
	return out
}

// docExamples finds the examples on the seed graph in a doc: the commands
// on eql.db, loads left out (they would change the store).
func docExamples(t *testing.T, path string) []docExample {
	var out []docExample
	for _, ex := range docCommands(t, path, "eql.db") {
		if ex.args[2] != "load" {
			out = append(out, ex)
		}
	}
	return out
}

// shellWords splits a command line of bare words and single- or
// double-quoted strings; false for anything else (pipes, redirections).
func shellWords(s string) ([]string, bool) {
	var words []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, false
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			in = true
		case c == ' ':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case strings.IndexByte("|<>;&$`\\", c) >= 0:
			return nil, false
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, true
}

// matchLines reports whether got fits want, where a "…" line stands for
// any number of lines and a line ending in "…" for any line it begins.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	w := strings.TrimRight(want[0], " ")
	if strings.TrimSpace(w) == "…" {
		for k := 0; k <= len(got); k++ {
			if matchLines(want[1:], got[k:]) {
				return true
			}
		}
		return false
	}
	if len(got) == 0 {
		return false
	}
	g := strings.TrimRight(got[0], " ")
	if p, ok := strings.CutSuffix(w, "…"); ok && strings.HasPrefix(g, p) {
		return matchLines(want[1:], got[1:])
	}
	return w == g && matchLines(want[1:], got[1:])
}

// TestDocExamples runs every example of the query language's and the
// shell's docs on the seed graph through the binary and compares what it
// prints with what the doc shows, so that the docs stay true.
func TestDocExamples(t *testing.T) {
	db := filepath.Join(t.TempDir(), "eql.db")
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)
	n := 0
	for _, doc := range []string{"query-language.md", "repl.md", "export.md"} {
		for _, ex := range docExamples(t, filepath.Join("..", "..", "docs", doc)) {
			n++
			args := append([]string{}, ex.args...)
			args[1] = db
			stdout, stderr, code := runIn(t, t.TempDir(), args...) // exports write here
			got := strings.Split(strings.TrimRight(stdout+stderr, "\n"), "\n")
			if strings.TrimSpace(stdout+stderr) == "" {
				got = nil
			}
			if code != ex.code || !matchLines(ex.want, got) {
				t.Errorf("docs/%s:%d: entente %s\nexit %d (doc: %d); the doc shows\n%s\nthe binary prints\n%s",
					doc, ex.line, strings.Join(ex.args[2:], " "), code, ex.code,
					indented(ex.want), indented(got))
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d examples found in the docs", n)
	}
	t.Logf("%d examples", n)
}

func indented(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "    %s\n", l)
	}
	return b.String()
}

// runIn runs the binary in dir with a clean environment.
func runIn(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runEnv(t, dir, nil, args...)
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
