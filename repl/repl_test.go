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
		"loaded: 97 entities, 262 relations, 1 source (3,727 quads)",
		"try:\n  path Japan to India\n",
		"India", "rows)",
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
	if !strings.Contains(out, "Japan —security_pact") {
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
	if !strings.Contains(out, "Japan  (Country)") || !strings.Contains(out, "India") || !strings.Contains(out, "rows)") {
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
		"quads 3,727", "time: ", "timeout: 5s", "language: gizmo", "entity:australia", "language: eql",
		"wrote " + exported + " (graphml:", "loaded 1 statement from 1 file: 1 new", "  show Japan",
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
	in := &script{lines: []string{"paths Japan to India max 10 limit 100000 including lapsed", "why Japan Australia"}}
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
		{"path Japan to In", "path Japan to ", `"India"`}, // quoted like the names that need it
		{"path Japan to Indon", "path Japan to ", "Indonesia"},
		{"path Japan to India avoid Un", "path Japan to India avoid ", `"United States"`}, // the seed graph has more names than the 200 offered at once
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

// prefilling is a script that can offer text at the prompt, as the
// terminal does: the line "<enter>" accepts what was offered.
type prefilling struct {
	script
	offered []string
}

func (p *prefilling) PromptWithText(prompt, text string) (string, error) {
	p.offered = append(p.offered, text)
	if len(p.lines) > 0 && p.lines[0] == "<enter>" {
		p.lines[0] = text
	}
	return p.Prompt(prompt)
}

// TestScriptLines: in a script, a statement may run over lines — a line
// that starts with a word or sign that cannot start a statement continues
// the one before; once the script ends lines with ";", line breaks are
// spaces until the ";"; a trailing backslash always continues; in Gizmo a
// line starting with "." continues the program.
func TestScriptLines(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  []string // in the output, in this order
		not   []string // nowhere in the output
	}{
		{"where on its own line", []string{"path Japan to India including proposed", "where status != proposed"},
			[]string{"Japan ", "India", "rows)"}, []string{"[proposed"}},
		{"order by on its own line", []string{
			"match (c:Country)-[r:tariff_exposure]->(u)", "return c.name, count(r) as n", "order by n desc"},
			[]string{" Japan  | 3\n India  | 1\n"}, nil},
		{"options and lists", []string{"path Japan to India", "  avoid supports,", `  "United States"`, "  via partner, participant_in"},
			[]string{"Japan ←partner", "India", "rows)"}, []string{"United States", "supports"}},
		{"semicolons", []string{"show", "Australia;", "path Japan to South", "Korea;", "why Japan", "Australia;"},
			[]string{"Australia  (Country)", "South Korea", "Japan —security_pact"}, nil},
		{"a name on the next line", []string{"path Japan to South", "Korea", "why Japan Australia"},
			[]string{"Japan —defence_cooperation", "→ South Korea\n(1 row)", "—security_pact→ Australia"}, nil},
		{"semicolons and a new statement", []string{"why Japan Australia;", "path Japan to India", "show Australia"},
			[]string{"Australia\n(1 row)", "India", "rows)", "Australia  (Country)"}, nil},
		{"one per line", []string{"why Japan Australia", "path Japan to India", "", "show Australia"},
			[]string{"security_pact", "India", "rows)", "Australia  (Country)"}, nil},
		{"search, history and changes start statements", []string{"why Japan Australia", "search pact", "history Australia", "changes since tx:1", "show Australia"},
			[]string{"security_pact", " hit | field", "added", " tx   | time", "Australia  (Country)"}, nil},
		{"a time on the next line", []string{"why Japan Australia", "  at 2023"},
			[]string{"security_pact", "(1 row)"}, nil},
		{"backslash", []string{`path Japan to India \`, "  avoid China"}, []string{"India", "rows)"}, []string{"→ China", "— China"}},
		{"a comment after the semicolon", []string{"why Japan Australia; -- pacts", "path Japan to India;"},
			[]string{"security_pact", "India", "rows)"}, nil},
		{"comments between", []string{"path Japan to India including proposed", "-- not proposed ones", "where status != proposed"}, []string{"India", "rows)"}, []string{"[proposed"}},
		{"gizmo chain", []string{":gizmo", `g.V("<entity:japan>")`, `  .Out("<rel:security_pact>")`, "  .All()"},
			[]string{"<entity:australia>", "(2 rows)"}, []string{"<entity:japan>"}},
		{"gizmo comment with an apostrophe", []string{":gizmo", `g.V("<entity:japan>").Out("<rel:security_pact>").All() // Japan's pacts`, ":lang eql", "show Australia"},
			[]string{"<entity:australia>", "(2 rows)", "Australia  (Country)"}, nil},
		{"gizmo block comment", []string{":gizmo", `/* it's`, `a comment */ g.V("<entity:japan>").Out("<rel:security_pact>").All()`},
			[]string{"<entity:australia>", "(2 rows)"}, nil},
		{"gizmo program with semicolons", []string{":gizmo", `var a = g.V("<entity:japan>"); a.Out("<rel:security_pact>").All()`},
			[]string{"<entity:australia>", "(2 rows)"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, failures, _ := runScript(t, false, tc.lines...)
			if failures != 0 || errs != "" {
				t.Fatalf("%d failures:\n%s\noutput:\n%s", failures, errs, out)
			}
			at := 0
			for _, w := range tc.want {
				i := strings.Index(out[at:], w)
				if i < 0 {
					t.Fatalf("output lacks %q (after byte %d):\n%s", w, at, out)
				}
				at += i + len(w)
			}
			for _, n := range tc.not {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
		})
	}
}

// TestMisspeltStatement: in a script, a line that starts with what looks
// like a misspelt statement word is not joined to the statement before.
func TestMisspeltStatement(t *testing.T) {
	out, errs, failures, _ := runScript(t, false, "why Japan Australia", "shw Japan")
	if failures != 1 || !strings.Contains(out, "security_pact") || !strings.Contains(errs, `found "shw" (did you mean show?)`) {
		t.Fatalf("failures %d\nerrors: %s\noutput: %s", failures, errs, out)
	}
}

// TestUnclosedString: an EQL string cannot run over lines, so a line that
// leaves one open is an error at once, not a wait for more.
func TestUnclosedString(t *testing.T) {
	out, errs, failures, in := runScript(t, true, `show "South Korea`, "why Japan Australia")
	if failures != 1 || !strings.Contains(errs, "unterminated string") || !strings.Contains(out, "—security_pact→ Australia") {
		t.Fatalf("failures %d\nerrors: %s\noutput: %s", failures, errs, out)
	}
	if contains(in.prompts, "    ...> ") {
		t.Errorf("asked for more lines: %q", in.prompts)
	}
}

// TestContinuationOnTerminal: on a terminal a whole line runs; a line that
// can only continue a statement, typed after one ran, is an error that
// offers the two lines joined at the next prompt; a trailing backslash
// continues a statement on the next line.
func TestContinuationOnTerminal(t *testing.T) {
	in := &prefilling{script: script{lines: []string{
		"path Japan to India", "avoid China", "<enter>",
		`path Japan to India \`, "avoid China",
		":gizmo", `g.V("<entity:japan>")`, `.Out("<rel:security_pact>").All()`, "<enter>",
	}}}
	var o, e bytes.Buffer
	n, err := Run(context.Background(), Config{DB: seedDB(t), In: in, Out: &o, Err: &e, Interactive: true})
	if err != nil {
		t.Fatal(err)
	}
	out, errs := o.String(), e.String()
	for _, want := range []string{
		`error: "avoid" continues a statement, but the line before it was a whole statement and has already run`,
		"hint: the two lines are at the prompt as one statement: press Enter to run it",
		`error: ".Out(…)" continues a statement`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors lack %q:\n%s", want, errs)
		}
	}
	wantOffered := []string{"path Japan to India avoid China", `g.V("<entity:japan>").Out("<rel:security_pact>").All()`}
	if strings.Join(in.offered, "|") != strings.Join(wantOffered, "|") {
		t.Errorf("offered %q, want %q", in.offered, wantOffered)
	}
	if c := strings.Count(out, "→ China") + strings.Count(out, "— China"); c != 1 {
		t.Errorf("the first path only goes through China; the joined statement and the backslash one avoid it: %d, want 1:\n%s", c, out)
	}
	if !strings.Contains(out, "<entity:australia>") {
		t.Errorf("the joined Gizmo program did not run:\n%s", out)
	}
	if !contains(in.prompts, "    ...> ") {
		t.Errorf("no continuation prompt after a backslash: %q", in.prompts)
	}
	if !contains(in.history, "path Japan to India avoid China") {
		t.Errorf("history: %q", in.history)
	}
	if n != 2 {
		t.Errorf("%d failures, want 2", n)
	}

	// Without a way to offer the line, the hint spells it out.
	_, errs, _, _ = runScript(t, true, "path Japan to India", "where status != proposed")
	if !strings.Contains(errs, "hint: type it on one line (path Japan to India where status != proposed), or end a line with \\") {
		t.Errorf("hint: %s", errs)
	}
}

// TestCompleteKeepsTyped: Tab never erases what was typed. liner puts the
// candidates' common beginning in place of the word; it must hold the
// word (in any case, perhaps after an opening quote) for every beginning
// of every name.
func TestCompleteKeepsTyped(t *testing.T) {
	s := &session{cfg: Config{DB: seedDB(t)}, ctx: context.Background(), lang: "eql"}
	c := newCompleter(s)
	c.refresh()
	for _, line := range []string{"show Ind", "show ind", "show Eu", "show s", `show "eu`, "path Japan to India avoid p", "neighbors Japan via pa"} {
		head, comps, _ := c.complete(line, len(line))
		word := line[len(head):]
		if len(comps) < 2 || !keeps(word, comps) {
			t.Errorf("complete(%q) = %q: the common beginning %q drops %q", line, comps, commonPrefix(comps), word)
		}
	}
	if _, comps, _ := c.complete("show Ind", 8); commonPrefix(comps) != `"Ind` {
		t.Errorf("show Ind: common beginning %q, want %q", commonPrefix(comps), `"Ind`)
	}
	for _, n := range c.names {
		r := []rune(n)
		for k := 1; k <= 3 && k <= len(r); k++ {
			for _, w := range []string{string(r[:k]), strings.ToLower(string(r[:k]))} {
				line := "show " + w
				head, comps, _ := c.complete(line, len(line))
				if typed := line[len(head):]; len(comps) > 1 && !keeps(typed, comps) {
					t.Fatalf("complete(%q): the common beginning %q drops %q", line, commonPrefix(comps), typed)
				}
			}
		}
	}
}

// TestCompleteOptions: after a whole statement Tab offers the options that
// may follow it, not used yet.
func TestCompleteOptions(t *testing.T) {
	s := &session{cfg: Config{DB: seedDB(t)}, ctx: context.Background(), lang: "eql"}
	c := newCompleter(s)
	for _, tc := range []struct {
		line, head string
		want, not  []string
	}{
		{"path Japan to India av", "path Japan to India ", []string{"avoid"}, nil},
		{"path Japan to India ", "path Japan to India ", []string{"avoid", "via", "where", "directed", "max", "limit"}, []string{"to", "depth"}},
		{`path Japan to "South Korea" max 3 `, `path Japan to "South Korea" max 3 `, []string{"avoid", "limit"}, []string{"max"}},
		{"path Japan to South Korea d", "path Japan to South Korea ", []string{"directed"}, nil},
		{"neighbors Japan via partner ", "neighbors Japan via partner ", []string{"depth", "in", "where", "limit"}, []string{"via", "max"}},
		{"path Japan to India where status = proposed ", "path Japan to India where status = proposed ", []string{"and", "or", "avoid"}, []string{"where"}},
		{"match (a)-[r]->(b) return a.name ", "match (a)-[r]->(b) return a.name ", []string{"order by", "limit"}, []string{"return"}},
		{"why South Korea United St", "why South Korea ", []string{`"United States"`}, nil},
	} {
		head, comps, _ := c.complete(tc.line, len(tc.line))
		if head != tc.head {
			t.Errorf("complete(%q): head %q, want %q", tc.line, head, tc.head)
		}
		for _, w := range tc.want {
			if !contains(comps, w) {
				t.Errorf("complete(%q) = %q: lacks %q", tc.line, comps, w)
			}
		}
		for _, w := range tc.not {
			if contains(comps, w) {
				t.Errorf("complete(%q) = %q: offers %q", tc.line, comps, w)
			}
		}
	}
	// The lines typed before (continued with \) count.
	s.typed = "path Japan to India"
	if _, comps, _ := c.complete("  av", 4); !contains(comps, "avoid") {
		t.Errorf("on a continuation line: %q", comps)
	}
}

// TestCosmetics: :help shows the current settings; :pager in a script
// says scripts are not paged, and is not an error.
func TestCosmetics(t *testing.T) {
	out, errs, failures, _ := runScript(t, false, ":limit 7", ":help", ":pager on")
	if !strings.Contains(out, "the most rows an answer shows (now 7)") {
		t.Errorf(":help after :limit 7:\n%s", out)
	}
	if !strings.Contains(errs, "note: pager: off (a script's output is never paged)") || strings.Contains(out, "pager:") || failures != 0 || strings.Contains(errs, "less") {
		t.Errorf(":pager on in a script: %d failures, %s\n%s", failures, errs, out)
	}
}

// TestLoadReopens: a shell given Reopen holds its store read-only — so
// that another process can read it at the same time — and :load writes
// through a writer opened for the load alone.
func TestLoadReopens(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	w, err := graph.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	nq := filepath.Join(t.TempDir(), "a.nq")
	os.WriteFile(nq, []byte("<entity:a> <rel:partner> <entity:b> .\n<entity:a> <name> \"Aland\" .\n<entity:b> <name> \"Bland\" .\n"), 0o644)
	reopen := func(write bool) (*graph.DB, error) { return graph.Open(dir, &graph.Options{ReadOnly: !write}) }
	db, err := reopen(false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	readers := 0
	in := &script{lines: []string{"why Aland Bland", ":load " + nq, "why Aland Bland", ":stats"}}
	in.before = func(string) {
		// Another reader gets in while the shell waits at the prompt.
		if r, err := graph.Open(dir, &graph.Options{ReadOnly: true}); err == nil {
			readers++
			r.Close()
		}
	}
	var o, e bytes.Buffer
	n, err := Run(context.Background(), Config{DB: db, In: in, Out: &o, Err: &e, Reopen: reopen})
	if err != nil {
		t.Fatal(err)
	}
	// A script reports what :load did on the error stream: its output
	// holds only answers.
	if n != 1 || !strings.Contains(e.String(), "loaded 3 statements from 1 file: 3 new") || !strings.Contains(o.String(), "Aland —partner→ Bland") {
		t.Fatalf("%d failures\n%s\n%s", n, o.String(), e.String())
	}
	if readers != 4 {
		t.Errorf("another reader got in %d times of 4", readers)
	}
	// The shell is done: a writer gets in.
	if w, err := graph.Open(dir, nil); err != nil {
		t.Errorf("after the shell: %v", err)
	} else {
		w.Close()
	}
}

// TestScriptJSON: a script's JSON output is only rows — no "format: json"
// — and the answer's notes go to the error stream (and are not failures).
func TestScriptJSON(t *testing.T) {
	out, errs, failures, _ := runScript(t, false, ":format json", ":limit 2", "neighbors Japan")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if failures != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "{") || !strings.HasPrefix(lines[1], "{") {
		t.Errorf("%d failures; output:\n%s", failures, out)
	}
	if !strings.Contains(errs, "note: showing the first 2") {
		t.Errorf("errors: %s", errs)
	}
}

// TestScriptErrorLines: in a script, an error gives its line in the
// script, not in the statement.
func TestScriptErrorLines(t *testing.T) {
	_, errs, failures, _ := runScript(t, false,
		"show Japan", "", "-- a comment", `show "Japan`, "path Japan to", "  Indai",
		"why Japan Australia; why Japan Nowhere;", "why Japan", "", "  Nowhere;")
	for _, want := range []string{
		"error: line 4:6: unterminated string",
		"error: line 6:3: unknown entity \"Indai\"",
		"error: line 7:11: unknown entity \"Nowhere\"",
		"error: line 10:3: unknown entity \"Nowhere\"",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors lack %q:\n%s", want, errs)
		}
	}
	if failures != 4 {
		t.Errorf("%d failures, want 4", failures)
	}
}
