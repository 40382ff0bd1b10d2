package main

import (
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// habitsStore is a store holding the seed graph.
func habitsStore(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "db")
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)
	return db
}

// TestHabitsQualifiers: every view carries every qualifier of a relation
// and, asked, its evidence — the trial's reproductions.
func TestHabitsQualifiers(t *testing.T) {
	db := habitsStore(t)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"query", "why Seoul Washington"}, []string{"United States —troops_in [", "quantity: 28,500"}},
		{[]string{"query", "--format", "chain", "why Seoul Washington"}, []string{"quantity: 28,500"}},
		{[]string{"query", "--format", "csv", "why China Europe"}, []string{"sector: Automotive"}},
		{[]string{"query", "--format", "json", "why China Europe"}, []string{`"sector":"Automotive"`, `"evidence":[{`}},
		{[]string{"query", "--format", "csv", `show "South Korea"`}, []string{",quantity,", "28500"}},
		{[]string{"query", "--evidence", "neighbors Japan via security_pact"}, []string{" | Australia", "\n    Japan —security_pact→ Australia", "      [ecfr-2024, Japan › "}},
		{[]string{"query", "--evidence", "--format", "csv", "neighbors Japan via security_pact"}, []string{",evidence\n", "[ecfr-2024, Japan › "}},
	} {
		r := entente(t, "", append([]string{"--db", db}, c.args...)...).must(t, 0)
		for _, w := range c.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%q: output lacks %q:\n%s", c.args, w, r.stdout)
			}
		}
	}
	// The trial asked about the EU; the seed graph now says Europe at
	// large, where it means it.
	out := entente(t, "", "--db", db, "query", "why China EU").must(t, 0).stdout +
		entente(t, "", "--db", db, "query", "why China Europe").must(t, 0).stdout
	if !strings.Contains(out, "China —supplies [sector: Automotive") {
		t.Errorf("why China EU / Europe:\n%s", out)
	}
	// A card shows the quantity as stored or with separators, but shows it.
	if r := entente(t, "", "--db", db, "query", `show "South Korea"`); !regexp.MustCompile(`quantity: 28,?500`).MatchString(r.stdout) {
		t.Errorf("card:\n%s", r.stdout)
	}
	// A flag the format cannot honour is an error, not silence.
	r := entente(t, "", "--db", db, "query", "--expanded", "--format", "json", "why Japan Australia").must(t, 2)
	if !strings.Contains(r.stderr, "--expanded") || r.stdout != "" {
		t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
	r = entente(t, "", "--db", db, "query", "-x", "neighbors Japan via security_pact").must(t, 0)
	if !strings.Contains(r.stdout, "-[ RECORD 1 ]") || !strings.Contains(r.stdout, "\nnode     | Australia\n") {
		t.Errorf("expanded:\n%s", r.stdout)
	}
}

// TestHabitsCSVTypos: a CSV load refuses a misspelt name, sector or kind
// with a suggestion, where it is; a declaration row brings a new entity.
func TestHabitsCSVTypos(t *testing.T) {
	db := habitsStore(t)
	_, before := stats(t, db)
	const head = "subject,relation,object,sector,source,locator,note,subject_type,object_type\n"
	for _, c := range []struct{ row, want string }{
		{"Jpan,partner,India,,ecfr-2024,x,a,Country,Country\n", `:2:1: unknown subject "Jpan" (did you mean Japan?)`},
		{"Japan,cooperation,India,Semiconductor,ecfr-2024,x,a,,\n", `:2:25: unknown sector "Semiconductor" (did you mean Semiconductors?)`},
		{"Japan,alliance,India,,ecfr-2024,x,a,,\n", `:2:7: unknown relation kind "alliance" (did you mean ally?)`},
	} {
		path := inputFile(t, "typo.csv", head+c.row)
		r := entente(t, "", "--db", db, "load", path).must(t, 1)
		if !strings.HasPrefix(r.stderr, "entente: "+path+c.want+"\n") {
			t.Errorf("stderr:\n%s\nwant entente: %s%s", r.stderr, path, c.want)
		}
	}
	if _, after := stats(t, db); after != before {
		t.Errorf("a refused load changed the store")
	}
	// Semicolons, a declaration, a source with its title and date.
	path := inputFile(t, "new.csv", "subject;relation;object;source;locator;note\n"+
		"Hanwha Ocean;type;Organisation;;;\nbrief;title;A briefing;;;\nbrief;date;2024-12;;;\n"+
		"Hanwha Ocean;supplies;United States;brief;¶1;Hanwha Ocean may service US Navy ships.\n")
	entente(t, "", "--db", db, "load", path).must(t, 0)
	r := entente(t, "", "--db", db, "query", "--evidence", `why "Hanwha Ocean" US`).must(t, 0)
	if !strings.Contains(r.stdout, "Hanwha Ocean —supplies→ United States") || !strings.Contains(r.stdout, "[brief, ¶1]") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	// The example of docs/csv.md loads.
	entente(t, "", "--db", db, "load", filepath.Join("..", "..", "examples", "csv", "korea-shipbuilding.csv")).must(t, 0)
}

// TestHabitsHelp: help goes to standard output with status 0 (so that
// | less works), in every spelling; --version works; a usage error still
// goes to standard error with status 2.
func TestHabitsHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"help", "load"}, {"load", "-h"}, {"load", "--help"}, {"query", "-h"}, {"help", "repl"}} {
		r := entente(t, "", args...).must(t, 0)
		if !strings.Contains(r.stdout, "Usage") || r.stderr != "" {
			t.Errorf("%q: stdout %q, stderr %q", args, r.stdout, r.stderr)
		}
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		r := entente(t, "", args...).must(t, 0)
		if !strings.HasPrefix(r.stdout, "entente ") || strings.Count(r.stdout, "\n") != 1 {
			t.Errorf("%q: %q", args, r.stdout)
		}
	}
	for _, args := range [][]string{{"--frobnicate"}, {"load", "--frobnicate", "x"}} {
		r := entente(t, "", args...).must(t, 2)
		if r.stdout != "" || !strings.Contains(r.stderr, "frobnicate") || !strings.Contains(r.stderr, "Usage") {
			t.Errorf("%q: stdout %q, stderr %q", args, r.stdout, r.stderr)
		}
	}
}

// TestHabitsShell: quit, exit, \q and help do what they say in a script;
// an unfinished line fails alone; :format csv leaves clean CSV.
func TestHabitsShell(t *testing.T) {
	db := habitsStore(t)
	for _, word := range []string{"quit", "exit", `\q`} {
		r := entente(t, "why Japan Australia\n"+word+"\nshow India\n", "--db", db, "repl").must(t, 0)
		if !strings.Contains(r.stdout, "Japan —security_pact") || strings.Contains(r.stdout, "India  (Country)") || r.stderr != "" {
			t.Errorf("%s: stdout:\n%s\nstderr:\n%s", word, r.stdout, r.stderr)
		}
	}
	r := entente(t, "help\n", "--db", db, "repl").must(t, 0)
	if !strings.Contains(r.stdout, "Statements (end with ;") {
		t.Errorf("help:\n%s", r.stdout)
	}
	r = entente(t, "path Japan to\nwhy Japan Australia\n", "--db", db, "repl").must(t, 1)
	if !strings.Contains(r.stdout, "Japan —security_pact") || !strings.Contains(r.stderr, "entente: 1 statement failed") {
		t.Errorf("an unfinished line swallowed the next:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	r = entente(t, ":format csv\n:evidence on\n:limit 5\nwhy Japan Australia\nneighbors Japan via security_pact\n", "--db", db, "repl").must(t, 0)
	cr := csv.NewReader(strings.NewReader(r.stdout))
	cr.FieldsPerRecord = -1 // two answers, two headers
	recs, err := cr.ReadAll()
	if err != nil || len(recs) < 2 || recs[0][0] != "relation" || strings.Contains(r.stdout, "format:") || strings.Contains(r.stdout, "evidence: on") {
		t.Errorf("not clean CSV (%v):\n%s", err, r.stdout)
	}
}

// TestHabitsTerminate: SIGTERM ends a shell that waits for input: exit
// status 1, a word on standard error, and the store closed (a writer gets
// in at once).
func TestHabitsTerminate(t *testing.T) {
	db := habitsStore(t)
	cmd := exec.Command(bin, "--db", db, "repl")
	cmd.Env = append(os.Environ(), "ENTENTE_DB=", "NO_COLOR=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb lockedBuffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdin.Write([]byte("why Japan Australia\n"))
	time.Sleep(500 * time.Millisecond)
	terminate(t, cmd, "a shell reading a pipe")
	if !strings.Contains(errb.String(), "entente: terminated") {
		t.Errorf("stderr: %s", errb.String())
	}
	entente(t, "", "--db", db, "load", inputFile(t, "one.nq", "<http://ex/a> <http://ex/p> <http://ex/b> .\n")).must(t, 0)
}

// terminate sends SIGTERM to a shell and waits for it to end with status
// 1, as a terminated shell does.
func terminate(t *testing.T, cmd *exec.Cmd, what string) {
	t.Helper()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("%s: exit %v, want status 1", what, err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%s: SIGTERM did not end the shell", what)
	}
}

// TestHabitsMoviesRecipe: the README's Movies recipe names the Cayley
// version of go.mod, so that it works from any directory.
func TestHabitsMoviesRecipe(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`github.com/cayleygraph/cayley (v\S+)`).FindSubmatch(gomod)
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil || m == nil {
		t.Fatal(err, m)
	}
	if want := "github.com/cayleygraph/cayley@" + string(m[1]) + "/data/30kmoviedata.nq.gz"; !strings.Contains(string(readme), want) {
		t.Errorf("the README's recipe lacks %s", want)
	}
	if strings.Contains(string(readme), "go list -m") {
		t.Error("the README's recipe uses go list -m, which works only inside the module")
	}
}
