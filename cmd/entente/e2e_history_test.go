package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

type logLine struct {
	ID      string `json:"id"`
	Time    string `json:"time"`
	Author  string `json:"author"`
	Message string `json:"message"`
	Kind    string `json:"kind"`
	Added   int64  `json:"added"`
	Removed int64  `json:"removed"`
}

func readLog(t *testing.T, db string) []logLine {
	t.Helper()
	r := entente(t, "", "--db", db, "log", "--format", "json").must(t, 0)
	var out []logLine
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var l logLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, sc.Text())
		}
		if _, err := time.Parse(time.RFC3339, l.Time); err != nil {
			t.Fatalf("log time %q is not RFC 3339", l.Time)
		}
		out = append(out, l)
	}
	return out
}

// TestLivingGraph is the history issue's "done when", through the binary:
// retract a relation with a reason; why and path no longer show it; as of
// the earlier transaction they do; history and diff show the change with
// its author and reason; a dated amendment of a status reads as the old
// status at a date before it; a history export loads back with the same
// answers; check agrees.
func TestLivingGraph(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s")
	entente(t, "", "--db", db, "load", "--seed", "--author", "ana", "--message", "seed graph v2").must(t, 0)
	q := func(args ...string) runResult {
		return entente(t, "", append([]string{"--db", db, "query"}, args...)...)
	}
	if r := q("why Japan India").must(t, 0); !strings.Contains(r.stdout, "supports") {
		t.Fatalf("before: why Japan India:\n%s", r.stdout)
	}
	// A retraction of what is not there names the closest match.
	r := entente(t, "", "--db", db, "retract", "--reason", "x", "Japn", "supports", "India").must(t, 1)
	if !strings.Contains(r.stderr, `"Japan"`) {
		t.Fatalf("retract of a misspelt name: %s", r.stderr)
	}
	r = entente(t, "", "--db", db, "retract", "--reason", "x", "Japan", "ally", "India").must(t, 1)
	if !strings.Contains(r.stderr, "supports") {
		t.Fatalf("retract of a kind the two lack should name the kinds they have: %s", r.stderr)
	}
	entente(t, "", "--db", db, "retract", "Japan", "supports", "India").must(t, 2) // --reason is required
	time.Sleep(1100 * time.Millisecond)                                            // the log's times are to the second
	r = entente(t, "", "--db", db, "retract", "--author", "ben", "--reason", "not in the cited paragraph", "Japan", "supports", "India").must(t, 0)
	if !strings.HasPrefix(r.stdout, "tx:2:") {
		t.Fatalf("retract: %q", r.stdout)
	}
	if r := q("why Japan India").must(t, 0); strings.Contains(r.stdout, "supports") {
		t.Fatalf("after the retraction why still shows it:\n%s", r.stdout)
	}
	if r := q("path Japan to India including proposed").must(t, 0); strings.Contains(r.stdout, "supports") && strings.Contains(r.stdout, "Japan —supports") {
		t.Fatalf("after the retraction path still shows it:\n%s", r.stdout)
	}
	for _, asOf := range []string{"tx:1", "1"} {
		if r := q("why Japan India as of "+asOf).must(t, 0); !strings.Contains(r.stdout, "supports") {
			t.Fatalf("why … as of %s does not show the retracted relation:\n%s", asOf, r.stdout)
		}
	}
	log := readLog(t, db)
	if len(log) != 2 || log[0].ID != "tx:2" || log[0].Author != "ben" || log[0].Message != "not in the cited paragraph" || log[1].Author != "ana" {
		t.Fatalf("log: %+v", log)
	}
	// The log's filters: by author, kind and span.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--author", "BEN"}, "tx:2"},
		{[]string{"--kind", "load"}, "tx:1"},
		{[]string{"--since", "tx:2"}, "tx:2"},
		{[]string{"--until", log[1].Time}, "tx:1"},
	} {
		r := entente(t, "", append([]string{"--db", db, "log", "--format", "json"}, c.args...)...).must(t, 0)
		if n := strings.Count(r.stdout, "\n"); n != 1 || !strings.Contains(r.stdout, `"id":"`+c.want+`"`) {
			t.Fatalf("log %v: %s", c.args, r.stdout)
		}
	}
	entente(t, "", "--db", db, "log", "--since", "someday").must(t, 2)
	// as of the time of the first transaction: the same.
	if r := q("why Japan India as of "+log[1].Time).must(t, 0); !strings.Contains(r.stdout, "supports") {
		t.Fatalf("why … as of %s:\n%s", log[1].Time, r.stdout)
	}
	r = entente(t, "", "--db", db, "history", "Japan").must(t, 0)
	for _, want := range []string{"tx:1", "ana", "tx:2", "ben", "retracted", "not in the cited paragraph"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("history Japan lacks %q:\n%s", want, r.stdout)
		}
	}
	r = entente(t, "", "--db", db, "diff", "--since", "tx:1", "--format", "json").must(t, 0)
	if !strings.Contains(r.stdout, `"retracted"`) || !strings.Contains(r.stdout, `"supports"`) || strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		t.Fatalf("diff --since tx:1 should list the one retraction:\n%s", r.stdout)
	}

	// A dated change of status: before the date, the old one.
	r = entente(t, "", "--db", db, "amend", "--reason", "agreed at the summit", "--from", "2026-11-01",
		"European Union", "dialogue_with", "AP4", "status=existing").must(t, 0)
	status := `match (a {name: "European Union"})-[r:dialogue_with]-(b {name: "AP4"}) return r.status`
	if r := q(status).must(t, 0); !strings.Contains(r.stdout, "existing") {
		t.Fatalf("status now:\n%s", r.stdout)
	}
	if r := q(status+" at 2026-06").must(t, 0); !strings.Contains(r.stdout, "proposed") || strings.Contains(r.stdout, "existing") {
		t.Fatalf("status at 2026-06:\n%s", r.stdout)
	}
	if r := q(status+" at 2026-11-15").must(t, 0); !strings.Contains(r.stdout, "existing") {
		t.Fatalf("status at 2026-11-15:\n%s", r.stdout)
	}
	if r := q(status+" as of tx:2").must(t, 0); !strings.Contains(r.stdout, "proposed") {
		t.Fatalf("status as of tx:2:\n%s", r.stdout)
	}
	// A change dated before the latest: the present stays the latest's.
	entente(t, "", "--db", db, "amend", "--reason", "at risk in spring", "--from", "2026-03-01",
		"European Union", "dialogue_with", "AP4", "status=at_risk").must(t, 0)
	for at, want := range map[string]string{"": "existing", " at 2026-02": "proposed", " at 2026-04": "at_risk", " at 2026-11-15": "existing"} {
		r := entente(t, "", "--db", db, "query", "--format", "csv", status+at).must(t, 0)
		if got := strings.TrimSpace(strings.TrimPrefix(r.stdout, "r.status\n")); got != want {
			t.Fatalf("status%s: %q, want %s", at, got, want)
		}
	}
	// Undated, or after today: refused.
	entente(t, "", "--db", db, "amend", "--reason", "x", "European Union", "dialogue_with", "AP4", "status=lapsed").must(t, 1)
	entente(t, "", "--db", db, "amend", "--reason", "x", "--from", time.Now().AddDate(1, 0, 0).Format("2006-01-02"),
		"European Union", "dialogue_with", "AP4", "status=lapsed").must(t, 1)
	// Bad times are errors with their position.
	r = q("why Japan India as of tx:99").must(t, 1)
	if !strings.Contains(r.stderr, "tx:99") || !strings.Contains(r.stderr, "^") {
		t.Fatalf("as of an unknown transaction: %s", r.stderr)
	}
	q("neighbors Japan at 2026-13").must(t, 1)

	// The history export loads back with the same log, history and answers.
	hist := filepath.Join(t.TempDir(), "s.history.jsonl")
	entente(t, "", "--db", db, "export", "--history", "-o", hist).must(t, 0)
	db2 := filepath.Join(t.TempDir(), "s2")
	entente(t, "", "--db", db2, "load", hist).must(t, 0)
	a, b := entente(t, "", "--db", db, "log", "--format", "json").must(t, 0), entente(t, "", "--db", db2, "log", "--format", "json").must(t, 0)
	if a.stdout != b.stdout {
		t.Fatalf("log after a history round trip:\n%s\nwant\n%s", b.stdout, a.stdout)
	}
	for _, stmt := range []string{"history Japan", "history \"European Union\"", "why Japan India as of tx:1", status + " at 2026-06", "changes since tx:1", "neighbors AP4 as of tx:2"} {
		a := entente(t, "", "--db", db, "query", "--format", "json", stmt).must(t, 0)
		b := entente(t, "", "--db", db2, "query", "--format", "json", stmt).must(t, 0)
		if a.stdout != b.stdout {
			t.Fatalf("%s after a history round trip:\n%s\nwant\n%s", stmt, b.stdout, a.stdout)
		}
	}
	entente(t, "", "--db", db2, "load", hist).must(t, 1) // only into an empty store
	for _, d := range []string{db, db2} {
		r := entente(t, "", "--db", d, "check").must(t, 0)
		if !strings.Contains(r.stdout, "history: 4 transactions") {
			t.Fatalf("check: %s", r.stdout)
		}
	}
}

// TestKillChange kills retractions and amendments with SIGKILL at
// increasing delays: after each, the store opens, checks consistent, and
// holds the whole change or none of it.
func TestKillChange(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary many times")
	}
	db := filepath.Join(t.TempDir(), "s")
	entente(t, "", "--db", db, "load", "--seed", "--quiet").must(t, 0)
	// A hub of 2,000 relations, in a transaction of its own: retracting it
	// is a long change, written in journalled batches, whose undoing must
	// leave the history before it intact.
	var csv strings.Builder
	csv.WriteString("subject,relation,object,source,locator,note\nHub,type,Country,,,\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&csv, "E%d,type,Country,,,\n", i)
	}
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&csv, "Hub,partner,E%d,src,p%d,n%d\n", i, i, i)
	}
	hub := filepath.Join(t.TempDir(), "hub.csv")
	if err := os.WriteFile(hub, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	entente(t, "", "--db", db, "load", "--quiet", hub).must(t, 0)
	targets := [][]string{
		{"retract", "--reason", "test", "Hub"},         // a long change
		{"retract", "--reason", "test", "North Korea"}, // an entity and all its relations
		{"amend", "--reason", "test", "--from", "2025", "Japan", "security_pact", "Australia", "status=at_risk"},
		{"retract", "--reason", "test", "Japan", "supports", "India"},
	}
	done := 0
	for i, args := range targets {
		for delay := time.Duration(0); ; delay += 5*time.Millisecond + delay/4 {
			before := len(readLog(t, db))
			cmd := exec.Command(bin, append([]string{"--db", db}, args...)...)
			cmd.Env = append(os.Environ(), "ENTENTE_DB=")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(delay)
			cmd.Process.Signal(syscall.SIGKILL)
			err := cmd.Wait()
			if ee, ok := err.(*exec.ExitError); ok && ee.Exited() {
				t.Fatalf("change %d failed by itself (exit %d): %s", i, ee.ExitCode(), stderr.String())
			}
			r := entente(t, "", "--db", db, "check")
			if r.code != 0 {
				t.Fatalf("change %d killed after %v: check fails:\n%s%s", i, delay, r.stdout, r.stderr)
			}
			after := readLog(t, db)
			switch {
			case len(after) == before:
				// none of it: the next try
			case len(after) == before+1 && after[0].Message == "test":
				done++
			default:
				t.Fatalf("change %d killed after %v: log went from %d to %d transactions", i, delay, before, len(after))
			}
			if len(after) == before+1 || err == nil {
				break
			}
			if delay > 3*time.Second {
				t.Fatalf("change %d never completed", i)
			}
		}
	}
	if done != len(targets) {
		t.Fatalf("%d of %d changes landed", done, len(targets))
	}
	// Each landed whole, and the history before them is intact.
	if r := entente(t, "", "--db", db, "query", "--format", "csv", `match (h {name: "Hub"})-[r:partner]->(x) return count(x) as n as of tx:2`).must(t, 0); !strings.Contains(r.stdout, "2000") {
		t.Fatalf("the hub as of tx:2:\n%s", r.stdout)
	}
	if r := entente(t, "", "--db", db, "query", "show Hub as of tx:1"); r.code == 0 {
		t.Fatalf("the hub as of tx:1, before it was loaded:\n%s", r.stdout)
	}
	if r := entente(t, "", "--db", db, "query", "show \"North Korea\""); r.code == 0 {
		t.Fatalf("North Korea still there after its retraction:\n%s", r.stdout)
	}
	if r := entente(t, "", "--db", db, "query", "show \"North Korea\" as of tx:1").must(t, 0); !strings.Contains(r.stdout, "North Korea") {
		t.Fatalf("North Korea as of tx:1:\n%s", r.stdout)
	}
}

// TestChangeParallel: a retraction or an amendment that names several
// parallel relations is refused with their statements; KEY=VALUE words
// (retract), --where (amend) or --all pick.
func TestChangeParallel(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s")
	entente(t, "", "--db", db, "load", "--seed", "--quiet").must(t, 0)
	r := entente(t, "", "--db", db, "retract", "--reason", "r", "European Union", "supports", "Japan").must(t, 1)
	if !strings.Contains(r.stderr, "names 3 relations") || !strings.Contains(r.stderr, "stmt:eu/supports/japan/g7-participation") {
		t.Fatalf("an ambiguous retraction: %s", r.stderr)
	}
	r = entente(t, "", "--db", db, "amend", "--reason", "r", "European Union", "supports", "Japan", "status=existing").must(t, 1)
	if !strings.Contains(r.stderr, "--where") {
		t.Fatalf("an ambiguous amendment: %s", r.stderr)
	}
	entente(t, "", "--db", db, "amend", "--reason", "r", "--where", "venue=NATO", "European Union", "supports", "Japan", "status=existing").must(t, 0)
	entente(t, "", "--db", db, "retract", "--reason", "r", "European Union", "supports", "Japan", "venue=G7").must(t, 0)
	r = entente(t, "", "--db", db, "retract", "--reason", "r", "--all", "European Union", "supports", "Japan").must(t, 0)
	if !strings.HasPrefix(r.stdout, "tx:4:") {
		t.Fatalf("retract --all: %s", r.stdout)
	}
	if r := entente(t, "", "--db", db, "query", "why \"European Union\" Japan"); strings.Contains(r.stdout, "supports") {
		t.Fatalf("after retract --all:\n%s", r.stdout)
	}
	// An entity other relations name as a qualifier's value is not
	// retracted under them.
	if r := entente(t, "", "--db", db, "retract", "--reason", "r", "Semiconductors").must(t, 1); !strings.Contains(r.stderr, "(sector)") {
		t.Fatalf("retract of a sector in use: %s", r.stderr)
	}
	// The same words as in a change file, and in the shell.
	seed := filepath.Join(t.TempDir(), "c.seed")
	os.WriteFile(seed, []byte("retract eu -cooperation-> japan\n  reason: r\n"), 0o644)
	if r := entente(t, "", "--db", db, "load", seed).must(t, 1); !strings.Contains(r.stderr, "names 3 relations") {
		t.Fatalf("an ambiguous change block: %s", r.stderr)
	}
	os.WriteFile(seed, []byte("retract eu -cooperation-> japan\n  all: yes\n  reason: r\n"), 0o644)
	entente(t, "", "--db", db, "load", seed).must(t, 0)
	r = entente(t, ":retract --reason x Japan partner NATO\n:retract --reason x --all Japan cooperation \"South Korea\"\n", "--db", db)
	if !strings.Contains(r.stdout+r.stderr, "tx:6: retracted Japan partner NATO") || !strings.Contains(r.stdout+r.stderr, "tx:7: retracted") {
		t.Fatalf("the shell: %s%s", r.stdout, r.stderr)
	}
}
