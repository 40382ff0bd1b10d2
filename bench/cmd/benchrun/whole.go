//go:build unix

package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/creack/pty"
)

// B13 measures what issue 14 sets against a floor, with the entente
// binary itself, each figure a whole process from its start to its exit
// (start-up and package init included), in interleaved rounds: a Go
// hello-world, `entente version`, the shell's first prompt, `stats` on the
// seed store, a cold path query on Movies (link index read from the store,
// and rebuilt), and one-fact loads into a store holding Movies.

// b13Heading starts B13's section.
const b13Heading = "## B13 "

// b13Row is one command measured in every round.
type b13Row struct {
	name string
	cmd  string // as shown
	// prepare runs before each measurement, untimed (a new file to load,
	// the link index removed).
	prepare func(round int) []string
	// pty: time to the shell's first prompt on a pseudo-terminal.
	pty   bool
	walls []float64 // ms
	rss   []float64 // MB
	err   string
	out   string // the last run's first line of output
}

type b13result struct {
	rows   []*b13Row
	rounds int
}

func (r *b13result) row(name string) *b13Row {
	for _, x := range r.rows {
		if x.name == name {
			return x
		}
	}
	return nil
}

const b13Path = `path "Kevin Bacon" to "Humphrey Bogart"`

// b13PathFolded names the same two people in other cases: found through
// the folded-name index, not the exact value.
const b13PathFolded = `path "kevin bacon" to "HUMPHREY BOGART"`

// runB13 runs rounds rounds of every row, in the same order each round.
func runB13(movies string, rounds int) *b13result {
	bin, seed := seedStore()
	hello := filepath.Join(tmp, "hello")
	buildHello(hello)
	deps := filepath.Join(tmp, "deps-floor")
	buildDepsFloor(deps)
	mandated := filepath.Join(tmp, "mandated-floor")
	buildMandatedFloor(mandated)
	badgerOpen := filepath.Join(tmp, "badger-open")
	buildBadgerOpen(badgerOpen)
	// Two copies of the movie store: loads change theirs, which must not
	// make the query rows rebuild the link index.
	qdir := filepath.Join(tmp, "b13-movies-query")
	ldir := filepath.Join(tmp, "b13-movies-load")
	for _, d := range []string{qdir, ldir} {
		if err := copyDir(movies, d); err != nil {
			fatal(err)
		}
	}
	links := filepath.Join(qdir, "ENTENTE-LINKS")
	// The link index written once, as the first query after a load does.
	if out, err := exec.Command(bin, "--db", qdir, "query", b13Path).CombinedOutput(); err != nil {
		fatal(fmt.Errorf("%v: %s", err, out))
	}
	newFile := func(name, text string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			fatal(err)
		}
		return p
	}
	res := &b13result{rounds: rounds}
	res.rows = []*b13Row{
		{name: "hello", cmd: "a Go hello-world", prepare: func(int) []string { return []string{hello} }},
		{name: "deps", cmd: "a Go program importing every package entente imports from outside this module and the standard library, doing nothing else (the floor those packages set)",
			prepare: func(int) []string { return []string{deps} }},
		{name: "mandated", cmd: "a Go program importing only the libraries entente is built on by its brief (Cayley's graph and Gizmo, its N-Quads and JSON-LD readers, Badger v4, liner), doing nothing else",
			prepare: func(int) []string { return []string{mandated} }},
		{name: "badger-open", cmd: "a Go program importing Badger alone that opens SEED read-only with Badger's default options and closes it (what opening a Badger store costs a process that does nothing else)",
			prepare: func(int) []string { return []string{badgerOpen, seed} }},
		{name: "version", cmd: "`entente version`", prepare: func(int) []string { return []string{bin, "version"} }},
		{name: "shell", cmd: "`entente --db SEED` to its first prompt (pseudo-terminal)", pty: true,
			prepare: func(int) []string { return []string{bin, "--db", seed} }},
		{name: "stats", cmd: "`entente --db SEED stats`", prepare: func(int) []string { return []string{bin, "--db", seed, "stats"} }},
		{name: "path-rebuilt", cmd: "`entente --db MOVIES query '" + b13Path + "'`, link index rebuilt (its file removed first)",
			prepare: func(int) []string {
				os.Remove(links)
				return []string{bin, "--db", qdir, "query", b13Path}
			}},
		{name: "path", cmd: "the same, link index kept with the store (what a cold query pays)",
			prepare: func(int) []string { return []string{bin, "--db", qdir, "query", b13Path} }},
		{name: "path-folded", cmd: "the same path with its names in other cases (`" + b13PathFolded + "`), link index kept",
			prepare: func(int) []string { return []string{bin, "--db", qdir, "query", b13PathFolded} }},
		{name: "movies-stats", cmd: "`entente --db MOVIES stats`", prepare: func(int) []string { return []string{bin, "--db", qdir, "stats"} }},
		{name: "load-nq", cmd: "`entente --db MOVIES load one.nq`: one new N-Quads fact",
			prepare: func(round int) []string {
				f := newFile(fmt.Sprintf("one-%d.nq", round), fmt.Sprintf("<bench:fact%d> <bench:says> \"round %d\" .\n", round, round))
				return []string{bin, "--db", ldir, "load", f}
			}},
		{name: "load-seed", cmd: "`entente --db MOVIES load one.seed`: one new entity in the seed format",
			prepare: func(round int) []string {
				f := newFile(fmt.Sprintf("one-%d.seed", round), fmt.Sprintf("entity bench-%d Country \"Bench %d\"\n", round, round))
				return []string{bin, "--db", ldir, "load", f}
			}},
	}
	for r := 0; r < rounds; r++ {
		for _, row := range res.rows {
			args := row.prepare(r)
			var ms, mb float64
			var out string
			var err error
			if row.pty {
				ms, err = firstPrompt(args)
			} else {
				ms, mb, out, err = wholeProcess(args)
			}
			if err != nil {
				row.err = err.Error()
				continue
			}
			row.walls = append(row.walls, ms)
			if mb > 0 {
				row.rss = append(row.rss, mb)
			}
			row.out = out
		}
		progress("B13 round %d of %d", r+1, rounds)
	}
	return res
}

// wholeProcess runs args and returns its wall time from start to exit,
// its peak RSS and the first line it printed.
func wholeProcess(args []string) (ms, rssMB float64, first string, err error) {
	cmd := exec.Command(args[0], args[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	ms = float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		return 0, 0, "", fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rssMB = float64(ru.Maxrss) / 1024
	}
	first, _, _ = strings.Cut(stdout.String()+stderr.String(), "\n")
	return ms, rssMB, first, nil
}

// firstPrompt runs the shell on a pseudo-terminal and returns the time to
// its first prompt (as B5 does).
func firstPrompt(args []string) (float64, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "TERM=xterm", "NO_COLOR=1", "ENTENTE_HISTORY=off")
	start := time.Now()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
	if err != nil {
		return 0, fmt.Errorf("no pseudo-terminal: %v", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	b := make([]byte, 4096)
	for !strings.Contains(buf.String(), "entente> ") {
		f.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := f.Read(b)
		buf.Write(b[:n])
		if err != nil {
			break
		}
	}
	elapsed := time.Since(start)
	f.Write([]byte{4}) // Ctrl-D
	cmd.Wait()
	if !strings.Contains(buf.String(), "entente> ") {
		return 0, fmt.Errorf("no prompt: %q", buf.String())
	}
	return float64(elapsed.Microseconds()) / 1000, nil
}

// buildHello builds a Go hello-world, the floor of a process's start.
func buildHello(out string) {
	dir := filepath.Join(tmp, "hello-src")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fatal(err)
	}
	src := "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello, world\") }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.21\n"), 0o644); err != nil {
		fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fatal(fmt.Errorf("building the hello-world: %w", err))
	}
}

// buildDepsFloor builds a program that imports, for their package
// initialisation alone, every package outside this module and the
// standard library that cmd/entente imports (those that Go lets another
// module import; their internal packages come with them), and does
// nothing else: what entente's start cannot go below whatever its own code
// does.
func buildDepsFloor(out string) {
	raw, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./cmd/entente").Output()
	if err != nil {
		fatal(fmt.Errorf("listing entente's packages: %w", err))
	}
	self := modulePath()
	var imports []string
	for _, p := range strings.Fields(string(raw)) {
		if p == self || strings.HasPrefix(p, self+"/") || p == "C" ||
			strings.Contains(p, "/internal/") || strings.HasSuffix(p, "/internal") || strings.HasPrefix(p, "vendor/") {
			continue
		}
		imports = append(imports, "_ "+strconv.Quote(p))
	}
	if len(imports) == 0 {
		fatal(fmt.Errorf("entente imports no package from outside this module: %q", raw))
	}
	buildFloor(out, "deps-floor", imports,
		`func main() { os.Stdout.WriteString("entente's dependencies, initialised\n") }`)
}

// mandatedLibraries are the packages of the libraries the product is
// built on by its brief, not by choice: Cayley's graph layer and Gizmo,
// the quad formats it loads (N-Quads, JSON-LD), Badger v4 and liner.
var mandatedLibraries = []string{
	"github.com/cayleygraph/cayley/graph",
	"github.com/cayleygraph/cayley/query/gizmo",
	"github.com/cayleygraph/quad/jsonld",
	"github.com/cayleygraph/quad/nquads",
	"github.com/dgraph-io/badger/v4",
	"github.com/peterh/liner",
}

// buildMandatedFloor builds a program that imports only the mandated
// libraries and does nothing else: the floor of any start of a program
// that uses them, entente or another.
func buildMandatedFloor(out string) {
	var imports []string
	for _, p := range mandatedLibraries {
		imports = append(imports, "_ "+strconv.Quote(p))
	}
	buildFloor(out, "mandated-floor", imports,
		`func main() { os.Stdout.WriteString("the mandated libraries, initialised\n") }`)
}

// buildBadgerOpen builds a program that imports Badger alone and opens the
// store named by its argument read-only with Badger's default options,
// then closes it: what opening a Badger store costs a process that does
// nothing else (a read-only open writes nothing; entente's shell opens its
// store for writing, with its own options).
func buildBadgerOpen(out string) {
	buildFloor(out, "badger-open", []string{`badger "github.com/dgraph-io/badger/v4"`}, `func main() {
	db, err := badger.Open(badger.DefaultOptions(os.Args[1]).WithReadOnly(true).WithLogger(nil))
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	if err := db.Close(); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString("opened and closed\n")
}`)
}

// modulePath is this module's path, from go.mod's first line.
func modulePath() string {
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		fatal(err)
	}
	self, _, _ := strings.Cut(string(mod), "\n")
	return strings.TrimSpace(strings.TrimPrefix(self, "module"))
}

// buildFloor builds a program of imports and main's source (which may use
// package os) in a module of its own, named name under tmp, with this
// module's go.mod and go.sum so that it links the same versions; static,
// as `make build` builds entente.
func buildFloor(out, name string, imports []string, main string) {
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		fatal(err)
	}
	sum, err := os.ReadFile("go.sum")
	if err != nil {
		fatal(err)
	}
	var src strings.Builder
	src.WriteString("package main\n\nimport (\n\t\"os\"\n\n")
	for _, p := range imports {
		fmt.Fprintf(&src, "\t%s\n", p)
	}
	src.WriteString(")\n\n" + main + "\n")
	root, err := filepath.Abs(".")
	if err != nil {
		fatal(err)
	}
	// The same requirements; replacements by relative path made absolute.
	self := modulePath()
	gomod := strings.Replace(string(mod), "module "+self, "module "+strings.ReplaceAll(name, "-", ""), 1)
	gomod = strings.ReplaceAll(gomod, "=> ./", "=> "+root+"/")
	dir := filepath.Join(tmp, name+"-src")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fatal(err)
	}
	for file, text := range map[string]string{"main.go": src.String(), "go.mod": gomod, "go.sum": string(sum)} {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
			fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		fatal(fmt.Errorf("building %s: %w", name, err))
	}
}

// copyDir copies the regular files of a store's directory (not its lock).
func copyDir(from, to string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() || d.Name() == "entente.lock" {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := os.Create(filepath.Join(to, rel))
		if err != nil {
			return err
		}
		if _, err := io.Copy(dst, src); err != nil {
			dst.Close()
			return err
		}
		// On disk before the rounds, as a store that was not just copied
		// is: otherwise the first writer to close the copy pays for
		// writing back its pages (Badger syncs the tables it maps).
		if err := dst.Sync(); err != nil {
			dst.Close()
			return err
		}
		return dst.Close()
	})
}

// markdownB13 writes B13's section.
func markdownB13(b *strings.Builder, r *b13result) {
	fmt.Fprintf(b, "\n## B13 — whole processes: start, cold path query, one-fact loads (issue 14's ratios)\n\n")
	b.WriteString(stamp("B13"))
	b.WriteString(machine())
	b.WriteString("\n")
	fmt.Fprintf(b, "Every figure is the `entente` binary's (or a hello-world's) **whole process**, from starting it to its\n")
	fmt.Fprintf(b, "exit (the shell: to its first prompt), timed by the harness — package init, opening the store and any\n")
	fmt.Fprintf(b, "index built included. %d rounds, each running every row once in the order below (A B C … A B C …);\n", r.rounds)
	fmt.Fprintf(b, "p50 with the spread (p25–p75, min–max). SEED is a store holding the seed graph; MOVIES a store holding\n")
	fmt.Fprintf(b, "Cayley's 30k-movie data: one copy for the queries, another for the loads, which add one new fact a\n")
	fmt.Fprintf(b, "round (so each load is a real write: a transaction with its history record, Badger's default\n")
	fmt.Fprintf(b, "durability as for every load). The link index kept with the store is the `ENTENTE-LINKS` file\n")
	fmt.Fprintf(b, "(docs/store.md): the rebuilt row removes it before each run, and that run writes it again. The\n")
	fmt.Fprintf(b, "binary is built as `make build` builds it (static, `CGO_ENABLED=0`); the hello-world imports nothing\n")
	fmt.Fprintf(b, "that needs cgo, so it is static too; so are the deps, mandated and badger-open rows' programs, built\n")
	fmt.Fprintf(b, "from this module's go.mod and go.sum so that they link the same versions.\n\n")
	b.WriteString("| row | p50 ms | p25–p75 ms | min–max ms | peak RSS MB (p50) |\n|---|---:|---:|---:|---:|\n")
	for _, row := range r.rows {
		if len(row.walls) == 0 {
			fmt.Fprintf(b, "| %s | — | — | — | — |\n", row.cmd)
			continue
		}
		rss := "—"
		if len(row.rss) > 0 {
			rss = fmt.Sprintf("%.0f", median(row.rss))
		}
		fmt.Fprintf(b, "| %s | %s | %s–%s | %s–%s | %s |\n", row.cmd, ms(median(row.walls)),
			ms(pct(row.walls, 25)), ms(pct(row.walls, 75)), ms(pct(row.walls, 0)), ms(pct(row.walls, 100)), rss)
	}
	var failed []string
	for _, row := range r.rows {
		if row.err != "" {
			failed = append(failed, fmt.Sprintf("%s: %s", row.name, row.err))
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(b, "\nSome runs failed: %s\n", strings.Join(failed, "; "))
	}
	b.WriteString("\nIssue 14's goals as ratios of these medians (the goal is the ratio's ceiling):\n\n")
	b.WriteString("| goal | ratio | measured | ceiling |\n|---|---|---:|---:|\n")
	ratio := func(goal, a, of string, ceiling float64) {
		x, y := r.row(a), r.row(of)
		if x == nil || y == nil || len(x.walls) == 0 || len(y.walls) == 0 {
			return
		}
		fmt.Fprintf(b, "| %s | %s / %s | %.1f× | %.0f× |\n", goal, a, of, median(x.walls)/median(y.walls), ceiling)
	}
	ratio("1 start", "version", "hello", 2)
	ratio("1 start", "shell", "hello", 2)
	ratio("1 start: the floor entente's dependencies set", "deps", "hello", 2)
	ratio("1 start: the floor the mandated libraries set", "mandated", "hello", 2)
	ratio("1 start: the floor of a process that opens a Badger store, as the shell does", "badger-open", "hello", 2)
	ratio("1 start: what entente adds to its dependencies' floor", "version", "deps", 2)
	ratio("2 cold query", "path", "stats", 2)
	ratio("2 cold query (index rebuilt)", "path-rebuilt", "stats", 2)
	ratio("2 cold query (names in other cases)", "path-folded", "stats", 2)
	ratio("3 small loads", "load-nq", "stats", 3)
	ratio("3 small loads", "load-seed", "stats", 3)
	if m, h, o := r.row("mandated"), r.row("hello"), r.row("badger-open"); m != nil && h != nil && o != nil &&
		len(m.walls) > 0 && len(h.walls) > 0 && len(o.walls) > 0 {
		mr, or := median(m.walls)/median(h.walls), median(o.walls)/median(h.walls)
		if mr > 2 || or > 2 {
			fmt.Fprintf(b, "\nGoal 1's ceiling (2× a hello-world) is below what the libraries entente must use cost by themselves "+
				"in this run: importing them and doing nothing takes %.1f× a hello-world, and Badger alone opening the seed "+
				"store %.1f×. No program built on them meets it here; what entente's own code adds is the version / deps row.\n", mr, or)
		}
	}
	if p := r.row("path"); p != nil && p.out != "" {
		fmt.Fprintf(b, "\nThe path query's first answer: %s\n", strings.TrimSpace(p.out))
		if f := r.row("path-folded"); f != nil && f.out != "" && f.out != p.out {
			fmt.Fprintf(b, "\n**The names in other cases gave another first answer:** %s\n", strings.TrimSpace(f.out))
		}
	}
}
