package repl

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entente-kg/entente/graph"
)

// TestShellWords: quit, exit, \q, help and \x — what psql and sqlite3
// users type — do what they say, on a terminal and in a script, even
// right after a statement a script holds for its next line.
func TestShellWords(t *testing.T) {
	for _, word := range []string{"quit", "exit", `\q`, "QUIT;"} {
		for _, interactive := range []bool{true, false} {
			_, errs, failures, in := runScript(t, interactive, "why Japan Australia", word, "show India")
			if failures != 0 || errs != "" || contains(in.history, "show India") {
				t.Errorf("%q (interactive %v) did not end the session: %d failures %s, history %q", word, interactive, failures, errs, in.history)
			}
		}
	}
	out, errs, failures, _ := runScript(t, false, "help", `\?`, "help path")
	if failures != 0 || strings.Count(out, "Statements (end with ;") != 2 || !strings.Contains(out, "path A to B") {
		t.Errorf("help: %d failures %s\n%s", failures, errs, out)
	}
	out, _, failures, _ = runScript(t, false, `\x`, "neighbors Japan via security_pact", `\x off`, "neighbors Japan via security_pact")
	if failures != 0 || !strings.Contains(out, "-[ RECORD 1 ]") || !strings.Contains(out, "\nnode     | Australia\n") || !strings.Contains(out, " depth | node") {
		t.Errorf("\\x:\n%s", out)
	}
}

// TestFailedLineStandsAlone: an unfinished statement never swallows the
// statement or command on the next line: it fails alone.
func TestFailedLineStandsAlone(t *testing.T) {
	for _, interactive := range []bool{true, false} {
		out, errs, failures, _ := runScript(t, interactive, "path Japan to", "why Japan Australia", "match (c:Country", ":format json", "show Japan")
		if failures != 2 || !strings.Contains(out, "Japan —security_pact") || !strings.Contains(out, `{"entity":`) {
			t.Errorf("interactive %v: %d failures, want 2\nerrors:\n%s\noutput:\n%s", interactive, failures, errs, out)
		}
	}
	// compare, then its path on the next line, is one statement.
	out, errs, failures, _ := runScript(t, false, "compare", "path Japan to India avoid China")
	if failures != 0 || !strings.Contains(out, "kept") {
		t.Errorf("compare over two lines: %d failures %s\n%s", failures, errs, out)
	}
}

// TestScriptConfirmations: a script's output holds only answers, so that
// :format csv gives clean CSV; a terminal says what each command set.
func TestScriptConfirmations(t *testing.T) {
	out, errs, failures, _ := runScript(t, false, ":format csv", ":limit 5", ":evidence off", ":timing off", "why Japan Australia")
	if failures != 0 || !strings.HasPrefix(out, "relation\n") || strings.Contains(out+errs, "format:") || strings.Contains(out+errs, "limit:") {
		t.Errorf("%d failures\noutput:\n%s\nerrors:\n%s", failures, out, errs)
	}
	out, _, _, _ = runScript(t, true, ":format csv", ":format")
	if !strings.Contains(out, "format: csv\n") || !strings.Contains(out, "format: csv (table, chain, json, csv)") {
		t.Errorf("terminal:\n%s", out)
	}
	// Asked, a script says the current setting.
	out, _, _, _ = runScript(t, false, ":format")
	if !strings.Contains(out, "format: table") {
		t.Errorf(":format in a script:\n%s", out)
	}
}

// blocked is a LineReader whose Prompt never returns: a terminal where
// no one types.
type blocked struct{ script }

func (b *blocked) Prompt(string) (string, error) { select {} }

// TestEndsWithContext: when the session's context ends (SIGTERM), Run
// returns even while it waits for a line.
func TestEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Run(ctx, Config{DB: seedDB(t), In: &blocked{}, Out: io.Discard, Err: io.Discard})
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return when its context ended")
	}
	// A statement running when the context ends is cancelled.
	var e bytes.Buffer
	ctx, cancel = context.WithCancel(context.Background())
	in := &script{lines: []string{"paths Japan to India max 12 limit 100000", "show Japan"}}
	in.before = func(l string) {
		if strings.HasPrefix(l, "paths") {
			time.AfterFunc(100*time.Millisecond, cancel)
		}
	}
	start := time.Now()
	Run(ctx, Config{DB: seedDB(t), In: in, Out: io.Discard, Err: &e})
	if time.Since(start) > 10*time.Second || contains(in.history, "show Japan") {
		t.Errorf("the statement was not cancelled (%v); errors: %s", time.Since(start), e.String())
	}
}

// TestExpandedAuto: \x auto expands only the tables wider than the
// terminal.
func TestExpandedAuto(t *testing.T) {
	for _, c := range []struct {
		width  int
		expand bool
	}{{200, false}, {40, true}} {
		in := &script{lines: []string{`\x auto`, "neighbors Japan via security_pact"}}
		var o bytes.Buffer
		w := c.width
		Run(context.Background(), Config{DB: seedDB(t), In: in, Out: &o, Err: io.Discard, Width: func() int { return w }})
		if got := strings.Contains(o.String(), "-[ RECORD 1 ]"); got != c.expand {
			t.Errorf("width %d: expanded %v, want %v:\n%s", c.width, got, c.expand, o.String())
		}
	}
}

// TestLoadCreate: :load refuses a CSV row naming what the graph lacks,
// and :load --create creates it.
func TestLoadCreate(t *testing.T) {
	db, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	path := filepath.Join(t.TempDir(), "e.csv")
	os.WriteFile(path, []byte("subject,relation,object,source,locator,note,subject_type,object_type\nAtlantis,partner,Lemuria,src,¶1,A note.,Country,Country\n"), 0o644)
	in := &script{lines: []string{":load " + path, ":load --create " + path, "why Atlantis Lemuria"}}
	var o, e bytes.Buffer
	n, err := Run(context.Background(), Config{DB: db, In: in, Out: &o, Err: &e})
	if err != nil || n != 1 || !strings.Contains(e.String(), `unknown subject "Atlantis"`) || !strings.Contains(o.String(), "Atlantis —partner→ Lemuria") {
		t.Errorf("%d failures, %v\noutput:\n%s\nerrors:\n%s", n, err, o.String(), e.String())
	}
}
