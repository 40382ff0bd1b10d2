package repl

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/seeds"
)

var (
	once sync.Once
	db   *graph.DB
)

func seedDB(t *testing.T) *graph.DB {
	once.Do(func() {
		var err error
		db, err = graph.Open("", &graph.Options{InMemory: true})
		if err != nil {
			panic(err)
		}
		if _, err := loader.LoadSources(context.Background(), db, seeds.Sources(), nil); err != nil {
			panic(err)
		}
	})
	return db
}

// script is a LineReader that plays lines; "^C" plays Ctrl-C at the
// prompt. It records the prompts it was shown.
type script struct {
	lines   []string
	prompts []string
	history []string
	// before, when set, runs before each line is returned (to send an
	// interrupt while a statement runs, say).
	before func(line string)
}

func (s *script) Prompt(p string) (string, error) {
	s.prompts = append(s.prompts, p)
	if len(s.lines) == 0 {
		return "", io.EOF
	}
	l := s.lines[0]
	s.lines = s.lines[1:]
	if s.before != nil {
		s.before(l)
	}
	if l == "^C" {
		return "", ErrInterrupt
	}
	return l, nil
}
func (s *script) AppendHistory(l string)                                    { s.history = append(s.history, l) }
func (s *script) SetCompleter(func(string, int) (string, []string, string)) {}
func (s *script) Close() error                                              { return nil }

func runScript(t *testing.T, interactive bool, lines ...string) (out, errs string, failures int, in *script) {
	t.Helper()
	in = &script{lines: lines}
	var o, e bytes.Buffer
	n, err := Run(context.Background(), Config{DB: seedDB(t), In: in, Out: &o, Err: &e, Interactive: interactive, Version: "test", StoreName: "memory"})
	if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), n, in
}

func TestSession(t *testing.T) {
	out, errs, failures, in := runScript(t, true,
		"path Japan to India",
		"why Japan",
		"  Australia;", // a statement over two lines
		"show Japn",    // an error: the session goes on
		":format json",
		"path Japan to India where status != proposed",
		":limit 2",
		"neighbors Japan",
		"^C",
		":evidence on",
		":format chain",
		"why Japan Australia",
		":nonsense",
		":quit",
		"show India", // never read
	)
	for _, want := range []string{
		"Entente test — memory",
		"loaded: 89 entities",
		"try:\n  path Japan to India\n",
		"Japan —supports [proposed]→ India",
		`"length":2`,
		"note: showing the first 2 nodes",
		"[ecfr-2024, Japan › What Trump’s return means ¶1]",
		"format: json",
		"limit: 2 rows",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "Japan —security_pact→ Australia") {
		t.Errorf("the two-line why did not run:\n%s", out)
	}
	for _, want := range []string{`error: 1:6: unknown entity "Japn" (did you mean Japan?)`, "show Japn\n       ^", "unknown command :nonsense"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors lack %q:\n%s", want, errs)
		}
	}
	if failures != 2 {
		t.Errorf("%d failures, want 2", failures)
	}
	if !contains(in.prompts, "    ...> ") {
		t.Errorf("no continuation prompt: %q", in.prompts)
	}
	if contains(in.history, "show India") {
		t.Error(":quit did not end the session")
	}
	if !contains(in.history, "why Japan Australia;") {
		t.Errorf("history: %q", in.history)
	}
}

func TestScriptMode(t *testing.T) {
	out, errs, failures, in := runScript(t, false, "show Japan; path Japan to India", "show Nowhere", "")
	if strings.Contains(out, "Entente") || strings.Join(in.prompts, "") != "" {
		t.Errorf("a script got a banner or prompts: %q", in.prompts)
	}
	if !strings.Contains(out, "Japan  (Country)") || !strings.Contains(out, "—supports [proposed]→ India") {
		t.Errorf("output:\n%s", out)
	}
	if failures != 1 || !strings.Contains(errs, "unknown entity") {
		t.Errorf("failures %d, errors %s", failures, errs)
	}
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	extra := filepath.Join(dir, "extra.nq")
	os.WriteFile(extra, []byte("<entity:a> <rel:partner> <entity:b> .\n"), 0o644)
	exported := filepath.Join(dir, "japan.graphml")
	out, errs, failures, _ := runScript(t, true,
		":help", ":help path", ":help nothing",
		":schema", ":stats",
		":timing on", "show Japan", ":timing off",
		":timeout 5s", ":timeout soon",
		":lang gizmo", `g.V("<entity:japan>").Out("<rel:security_pact>").All()`, ":eql",
		"neighbors Japan", ":export "+exported,
		":load "+extra, ":load "+filepath.Join(dir, "missing.nq"),
		":history",
	)
	for _, want := range []string{
		"Statements (end with ;", "Commands:", "path A to B [via KIND", "entity types:", "security_pact",
		"quads 2940", "time: ", "timeout: 5s", "language: gizmo", "entity:australia", "language: eql",
		"wrote " + exported + " (graphml:", "loaded 1 statements from 1 files: 1 new", "  show Japan",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if failures != 3 || !strings.Contains(errs, `no help on "nothing"`) || !strings.Contains(errs, ":timeout takes a duration") || !strings.Contains(errs, "nothing was loaded") {
		t.Errorf("failures %d:\n%s", failures, errs)
	}
	if _, err := os.Stat(exported); err != nil {
		t.Error(err)
	}
}

// TestInterrupt: Ctrl-C while a statement runs cancels it and the session
// goes on.
func TestInterrupt(t *testing.T) {
	ints := make(chan struct{}, 1)
	in := &script{lines: []string{"paths Japan to India max 10 limit 100000", "why Japan Australia"}}
	in.before = func(l string) {
		if strings.HasPrefix(l, "paths") {
			go func() {
				time.Sleep(200 * time.Millisecond)
				ints <- struct{}{}
			}()
		}
	}
	var o, e bytes.Buffer
	start := time.Now()
	n, err := Run(context.Background(), Config{DB: seedDB(t), In: in, Out: &o, Err: &e, Interactive: true, Interrupts: ints})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.String(), "interrupted after") {
		t.Fatalf("not interrupted: %s", e.String())
	}
	if time.Since(start) > 20*time.Second {
		t.Fatalf("the interrupt took %v", time.Since(start))
	}
	if !strings.Contains(o.String(), "Japan —security_pact→ Australia") {
		t.Fatalf("the next statement did not run:\n%s", o.String())
	}
	if n != 1 {
		t.Fatalf("%d failures", n)
	}
}

func TestComplete(t *testing.T) {
	s := &session{cfg: Config{DB: seedDB(t)}, ctx: context.Background(), lang: "eql"}
	c := newCompleter(s)
	for _, tc := range []struct {
		line, head string
		want       string // one completion that must be offered
	}{
		{"show New Ze", "show ", `"New Zealand"`},
		{"sh", "", "show"},
		{"path Japan to In", "path Japan to ", "India"},
		{"path Japan to India avoid ", "path Japan to India avoid ", `"United States"`},
		{"neighbors Japan via secu", "neighbors Japan via ", "security_pact"},
		{"neighbors Japan via partner, al", "neighbors Japan via partner, ", "ally"},
		{`why "South`, "why ", `"South Korea"`},
		{"path Japan ", "path Japan ", "to"},
		{"match (a:Coun", "match (a:", "Country"},
		{"match (a)-[r:tariff", "match (a)-[r:", "tariff_exposure"},
		{":for", "", ":format"},
		{":format j", ":format ", "json"},
		{":lang g", ":lang ", "gizmo"},
		{"show seo", "show ", "Seoul"},
	} {
		head, comps, tail := c.complete(tc.line, len(tc.line))
		if head != tc.head || tail != "" || !contains(comps, tc.want) {
			t.Errorf("complete(%q) = %q, %q, %q; want head %q with %q", tc.line, head, comps, tail, tc.head, tc.want)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
