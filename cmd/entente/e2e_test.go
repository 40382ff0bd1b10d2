package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/entente-kg/entente/internal/cayleydata"
	"github.com/entente-kg/entente/internal/pgtest"
)

// bin is the entente binary the end-to-end tests run, built once.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "entente-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "entente")
	// Built as make build builds it: static, without cgo.
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building entente: %v\n%s", err, out)
		os.Exit(1)
	}
	code := pgtest.Main(m) // a PostgreSQL cluster for the tests of that store, where installed
	os.RemoveAll(dir)
	os.Exit(code)
}

type runResult struct {
	stdout, stderr string
	code           int
}

// entente runs the binary with a clean environment (no default store).
func entente(t *testing.T, stdin string, args ...string) runResult {
	t.Helper()
	return ententeCtx(context.Background(), t, stdin, args...)
}

// ententeCtx is entente that kills the binary when ctx is done.
func ententeCtx(ctx context.Context, t *testing.T, stdin string, args ...string) runResult {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "ENTENTE_DB=", "XDG_DATA_HOME="+t.TempDir(), "NO_COLOR=1")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return runResult{out.String(), errb.String(), code}
}

func (r runResult) must(t *testing.T, code int) runResult {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

type statsJSON struct {
	Quads           int64            `json:"quads"`
	Nodes           int64            `json:"nodes"`
	Entities        int64            `json:"entities"`
	Relations       int64            `json:"relations"`
	EntitiesByType  map[string]int64 `json:"entities_by_type"`
	RelationsByKind map[string]int64 `json:"relations_by_kind"`
}

func stats(t *testing.T, db string) (statsJSON, string) {
	t.Helper()
	r := entente(t, "", "--db", db, "stats", "--format", "json").must(t, 0)
	var s statsJSON
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("stats output is not one JSON object: %v\n%s", err, r.stdout)
	}
	if strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
		t.Fatalf("stats printed more than one line: %q", r.stdout)
	}
	return s, r.stdout
}

// TestMovies is the store issue's "done when": load Cayley's 30k-movie
// data, count it, find Humphrey Bogart with Gizmo, check it; loading it
// again changes nothing.
func TestMovies(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 471,705 quads")
	}
	movies, err := cayleydata.Movies()
	if err != nil {
		t.Skip(err)
	}
	db := filepath.Join(t.TempDir(), "db")
	r := entente(t, "", "--db", db, "load", movies).must(t, 0)
	if !strings.Contains(r.stdout, "471,705 statements") {
		t.Fatalf("summary: %s", r.stdout)
	}
	s, raw := stats(t, db)
	if s.Quads != 471705 || s.Nodes != 293910 {
		t.Fatalf("stats: %s", raw)
	}
	if s.RelationsByKind["/film/film/starring"] != 136737 || s.EntitiesByType["/film/film"] != 30000 {
		t.Fatalf("stats by kind and type: %s", raw)
	}
	r = entente(t, "", "--db", db, "query", "--lang", "gizmo", "--format", "json", `g.V("Humphrey Bogart").In("<name>").All()`).must(t, 0)
	if strings.TrimSpace(r.stdout) != `{"id":"</en/humphrey_bogart>"}` {
		t.Fatalf("gizmo: %q", r.stdout)
	}
	entente(t, "", "--db", db, "check").must(t, 0)
	entente(t, "", "--db", db, "load", movies).must(t, 0)
	if _, again := stats(t, db); again != raw {
		t.Fatalf("loading again changed the stats:\n%s\n%s", raw, again)
	}
}

// TestBadInput: a broken N-Quads file exits 1 naming its line and column
// with a caret, and leaves the store as it was.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	good := filepath.Join(dir, "good.nq")
	os.WriteFile(good, []byte("<entity:a> <rel:partner> <entity:b> .\n"), 0o644)
	entente(t, "", "--db", db, "load", good).must(t, 0)
	_, before := stats(t, db)
	bad := filepath.Join(dir, "bad.nq")
	os.WriteFile(bad, []byte("<entity:c> <rel:partner> <entity:d> .\n<entity:c> <rel:partner> \"open string .\n"), 0o644)
	r := entente(t, "", "--db", db, "load", good, bad).must(t, 1)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	want := "entente: " + bad + `:2:26: expected '"' to close the string, found end of line`
	if lines[0] != want {
		t.Fatalf("error line:\n got %s\nwant %s", lines[0], want)
	}
	if !strings.HasSuffix(lines[2], strings.Repeat(" ", 27)+"^") {
		t.Fatalf("caret line: %q", lines[2])
	}
	if _, after := stats(t, db); after != before {
		t.Fatalf("store changed:\n%s\n%s", before, after)
	}
	// Standard input, with the format named.
	entente(t, "<entity:e> <rel:partner> <entity:f> .\n", "--db", db, "load", "--format", "nquads", "-").must(t, 0)
	// Dry run: validates, writes nothing.
	r = entente(t, "", "--db", db, "load", "--dry-run", bad).must(t, 1)
	if !strings.Contains(r.stdout, "1 error, nothing written") {
		t.Fatalf("dry run: %s", r.stdout)
	}
}

// TestUsage: usage errors exit 2.
func TestUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	for _, args := range [][]string{
		{"--db", db, "frobnicate"},
		{"--db", db, "load"},
		{"--db", db, "query"},
		{"--db", db, "stats", "--format", "xml"},
		{"--db", db, "query", "--lang", "sparql", "x"},
		{"--no-such-flag"},
	} {
		r := entente(t, "", args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, r.code, r.stderr)
		}
	}
	entente(t, "", "version").must(t, 0)
	entente(t, "", "help").must(t, 0)
}

// TestLocked: a process that cannot have the store gets one clear line
// naming the lock, and exit 3 — no hang, no panic. A load holds the store
// for writing (here, while it reads standard input).
func TestLocked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)
	holder := exec.Command(bin, "--db", db, "load", "--format", "nquads", "-")
	holder.Env = append(os.Environ(), "ENTENTE_DB=")
	in, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		in.Close()
		holder.Wait()
	}()
	// Wait until the holder has the store: it writes its process id into
	// the lock file once it holds the lock. (Trying the store meanwhile
	// could make the holder fail instead.)
	pid := fmt.Sprint(holder.Process.Pid)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(filepath.Join(db, "entente.lock")); strings.TrimSpace(string(b)) == pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the holder never took the store")
		}
	}
	r := entente(t, "", "--db", db, "stats").must(t, 3)
	line := strings.TrimSpace(r.stderr)
	if strings.Contains(line, "\n") || !strings.Contains(line, "locked") || !strings.Contains(line, db) ||
		!strings.Contains(line, fmt.Sprint(holder.Process.Pid)) {
		t.Fatalf("not one clear line naming the lock and its holder: %q", r.stderr)
	}
	r = entente(t, "", "--db", db, "--read-only", "stats").must(t, 3)
	in.Close()
	holder.Wait()
	entente(t, "", "--db", db, "stats").must(t, 0)
}

// TestReaders: commands that only read open the store read-only, so two
// queries run at once, and a query, stats, export and check run while a
// shell is open; the shell's :load takes the write lock only while it
// loads (and fails, saying why, while another process reads the store).
func TestReaders(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)
	shell := exec.Command(bin, "--db", db, "repl")
	shell.Env = append(os.Environ(), "ENTENTE_DB=", "NO_COLOR=1")
	in, err := shell.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out, errb lockedBuffer
	shell.Stdout, shell.Stderr = &out, &errb
	if err := shell.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		in.Close()
		shell.Wait()
	}()
	fmt.Fprintln(in, "why Japan Australia;") // the shell has the store once this is answered
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "security_pact"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the shell did not answer: %s %s", out.String(), errb.String())
		}
	}
	// Two queries at once, while the shell is open.
	results := make(chan runResult, 2)
	for i := 0; i < 2; i++ {
		go func() { results <- entente(t, "", "--db", db, "query", "paths Japan to India max 3") }()
	}
	for i := 0; i < 2; i++ {
		r := <-results
		if r.code != 0 || !strings.Contains(r.stdout, "Japan") {
			t.Fatalf("a query beside another and a shell: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	}
	entente(t, "", "--db", db, "stats").must(t, 0)
	entente(t, "", "--db", db, "check").must(t, 0)
	entente(t, "", "--db", db, "export", "--query", "why Japan Australia", "-o", filepath.Join(dir, "x.graphml")).must(t, 0)
	// A load waits for the readers to go: the shell still reads.
	r := entente(t, "<entity:x> <rel:partner> <entity:y> .\n", "--db", db, "load", "--format", "nquads", "-").must(t, 3)
	if !strings.Contains(r.stderr, "open read-only") {
		t.Errorf("load beside a shell: %s", r.stderr)
	}
	// The shell's :load takes the write lock while no one else reads.
	nq := filepath.Join(dir, "x.nq")
	os.WriteFile(nq, []byte("<entity:x> <rel:partner> <entity:y> .\n"), 0o644)
	fmt.Fprintf(in, ":load %s\n:stats\n", nq)
	in.Close()
	if err := shell.Wait(); err != nil {
		t.Fatalf("the shell: %v\n%s", err, errb.String())
	}
	// A script reports what :load did on standard error.
	if !strings.Contains(errb.String(), "loaded 1 statement from 1 file: 1 new") || !strings.Contains(out.String(), "quads ") {
		t.Fatalf("the shell's load:\n%s\n%s", out.String(), errb.String())
	}
}

// lockedBuffer is a buffer a process writes to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDefaultStoreReaders: a query on a default store that does not exist
// yet creates and seeds it, then reads it read-only.
func TestDefaultStoreReaders(t *testing.T) {
	store := filepath.Join(t.TempDir(), "store")
	cmd := exec.Command(bin, "query", "why Japan Australia")
	cmd.Env = append(os.Environ(), "ENTENTE_DB="+store, "NO_COLOR=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "loaded the built-in seed graph (97 entities, 262 relations, 3,727 quads)") ||
		!strings.Contains(out.String(), "Japan —security_pact") || !strings.Contains(out.String(), "→ Australia") {
		t.Fatalf("stdout: %s\nstderr: %s", out.String(), errb.String())
	}
}

// TestQueryNotes: entente query prints the answer's notes on standard
// error, as the shell prints them; standard output holds only the answer.
func TestQueryNotes(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	nq := filepath.Join(dir, "a.nq")
	os.WriteFile(nq, []byte("<entity:a> <rel:ally> <entity:b> .\n"), 0o644)
	entente(t, "", "--db", db, "load", nq).must(t, 0)
	for _, f := range []string{"table", "chain", "json", "csv"} {
		r := entente(t, "", "--db", db, "query", "--format", f, "neighbors <entity:a> via partner").must(t, 0)
		if !strings.Contains(r.stderr, "entente: note: the graph has no partner relations") || strings.Contains(r.stdout, "note") {
			t.Errorf("--format %s: stdout %q, stderr %q", f, r.stdout, r.stderr)
		}
	}
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)
	r := entente(t, "", "--db", db, "query", "--format", "json", "--limit", "2", "neighbors Japan").must(t, 0)
	if !strings.Contains(r.stderr, "entente: note: showing the first 2") || strings.Count(r.stdout, "\n") != 2 {
		t.Errorf("a capped JSON answer: stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

// TestScript: statements over several lines in a script, and the summary
// of failures.
func TestScript(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)
	r := entente(t, "path Japan\nto India\nwhere status != proposed\nmatch (c:Country)-[r:tariff_exposure]->(u)\nreturn c.name, count(r) as n\norder by n desc\n",
		"--db", db, "repl").must(t, 0)
	if !strings.Contains(r.stdout, "Japan —tension_with") || !strings.Contains(r.stdout, " Japan  | 3\n India  | 1\n") || r.stderr != "" {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	r = entente(t, "show Japn\n:pager on\n", "--db", db, "repl").must(t, 1)
	if !strings.HasSuffix(r.stderr, "entente: 1 statement failed\n") || !strings.Contains(r.stderr, "never paged") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}

// TestReadOnly: a read-only store says what it cannot do.
func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	f := filepath.Join(dir, "a.nq")
	os.WriteFile(f, []byte("<entity:a> <rel:partner> <entity:b> .\n"), 0o644)
	entente(t, "", "--db", db, "load", f).must(t, 0)
	r := entente(t, "", "--db", db, "--read-only", "load", f).must(t, 2)
	if !strings.Contains(r.stderr, "read-only") {
		t.Fatalf("message: %s", r.stderr)
	}
	entente(t, "", "--db", db, "--read-only", "stats").must(t, 0)
	r = entente(t, "", "--db", filepath.Join(dir, "none"), "--read-only", "stats").must(t, 3)
	if !strings.Contains(r.stderr, "no store") {
		t.Fatalf("message: %s", r.stderr)
	}
}

// TestFormatVersion: a store written by another format version is refused
// with a clear message and exit 3.
func TestFormatVersion(t *testing.T) {
	db := filepath.Join(t.TempDir(), "db")
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)
	bdb, err := badger.Open(badger.DefaultOptions(db).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	bdb.Update(func(txn *badger.Txn) error { return txn.Set([]byte("mformat"), []byte("entente-quadstore/9")) })
	bdb.Close()
	r := entente(t, "", "--db", db, "stats").must(t, 3)
	if !strings.Contains(r.stderr, `store has "entente-quadstore/9", this build reads "entente-quadstore/2"`) {
		t.Fatalf("message: %s", r.stderr)
	}
}

// writeQuads writes n distinct quads to a file.
func writeQuads(t *testing.T, path string, prefix string, n int) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, "<entity:%s%d> <rel:partner> <entity:%s%d> .\n", prefix, i, prefix, i+1)
	}
	w.Flush()
	f.Close()
}

// signalAfterBatches runs a load of file into db and sends it sig once it
// has written n batches (committed on Badger; on PostgreSQL written but
// uncommitted until the load ends). It returns the batches seen, what the
// load wrote on standard error after that, and how it ended.
func signalAfterBatches(t *testing.T, db, file string, n int, sig syscall.Signal) (int, string, error) {
	t.Helper()
	cmd := exec.Command(bin, "--db", db, "load", "--verbose", "--in-batches", file)
	cmd.Env = append(os.Environ(), "ENTENTE_DB=")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	seen := 0
	for sc.Scan() {
		if l := sc.Text(); strings.Contains(l, "committed batch") || strings.Contains(l, "wrote (uncommitted until the load ends) batch") {
			if seen++; seen == n {
				cmd.Process.Signal(sig)
				break
			}
		}
	}
	var rest strings.Builder
	io.Copy(&rest, stderr)
	return seen, rest.String(), cmd.Wait()
}

// killLoadAfter runs a load of file into db and kills it after d.
func killLoadAfter(t *testing.T, db, file string, d time.Duration) {
	t.Helper()
	cmd := exec.Command(bin, "--db", db, "load", file)
	cmd.Env = append(os.Environ(), "ENTENTE_DB=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(d)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}

// killAtMarker runs a load of file into db and kills it as soon as the
// file marker appears in the store's directory.
func killAtMarker(t *testing.T, db, file, marker string) {
	t.Helper()
	cmd := exec.Command(bin, "--db", db, "load", file)
	cmd.Env = append(os.Environ(), "ENTENTE_DB=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	path := filepath.Join(db, marker)
	for {
		if _, err := os.Stat(path); err == nil {
			break
		}
		select {
		case <-exited:
			t.Fatalf("the load ended before it wrote %s", marker)
		case <-time.After(100 * time.Microsecond):
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}

// TestKill kills a loader with SIGKILL, or stops it with SIGTERM, at
// several points. The store must reopen, pass the consistency check, and
// hold what it held before the load or everything the load read, never a
// part: into a store with data the next open undoes the batches a killed
// load committed; into an empty store (the bulk path) it resets the store.
func TestKill(t *testing.T) {
	if testing.Short() {
		t.Skip("loads several hundred thousand quads")
	}
	dir := t.TempDir()
	const n = 120000
	big := filepath.Join(dir, "big.nq")
	writeQuads(t, big, "k", n)
	base := filepath.Join(dir, "base.nq")
	writeQuads(t, base, "base", 10)

	// oldOrNew: the store holds the base graph alone, or with all of big.
	oldOrNew := func(t *testing.T, db string, baseQuads int64) int64 {
		t.Helper()
		entente(t, "", "--db", db, "check").must(t, 0)
		s, _ := stats(t, db)
		if added := s.Quads - baseQuads; added != 0 && added != n {
			t.Fatalf("the store holds %d of the load's %d quads: neither old nor new", added, n)
		}
		return s.Quads - baseQuads
	}
	t.Run("journalled", func(t *testing.T) {
		for _, tc := range []struct {
			sig   syscall.Signal
			after int
		}{{syscall.SIGKILL, 1}, {syscall.SIGKILL, 2}, {syscall.SIGKILL, 4}, {syscall.SIGKILL, 7}, {syscall.SIGKILL, 12},
			{syscall.SIGKILL, 20}, {syscall.SIGTERM, 1}, {syscall.SIGTERM, 5}, {syscall.SIGTERM, 13}} {
			t.Run(fmt.Sprintf("%v after batch %d", tc.sig, tc.after), func(t *testing.T) {
				db := filepath.Join(t.TempDir(), "db")
				entente(t, "", "--db", db, "load", base).must(t, 0)
				baseStats, _ := stats(t, db)
				seen, rest, err := signalAfterBatches(t, db, big, tc.after, tc.sig)
				if seen < tc.after {
					t.Fatalf("the load ended after %d batches", seen)
				}
				if tc.sig == syscall.SIGTERM {
					// Stopped, not killed: the load undoes itself.
					if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(rest, "interrupted") ||
						!strings.Contains(rest, "the store is as it was") {
						t.Fatalf("SIGTERM: %v\n%s", err, rest)
					}
					if added := oldOrNew(t, db, baseStats.Quads); added != 0 {
						t.Fatalf("a load stopped by SIGTERM kept %d quads", added)
					}
					return
				}
				r := entente(t, "", "--db", db, "stats")
				if !strings.Contains(r.stderr, "interrupted") || !strings.Contains(r.stderr, "undone") {
					t.Fatalf("no note of the undone load: %q", r.stderr)
				}
				if added := oldOrNew(t, db, baseStats.Quads); added != 0 {
					t.Fatalf("a load killed after %d batches kept %d quads", tc.after, added)
				}
			})
		}
		// Kills at times that fall anywhere — while the load reads, while
		// it writes its tables (the input is large enough to be streamed),
		// in Badger's flushes — and after the load has ended.
		for i, after := range []time.Duration{30 * time.Millisecond, 170 * time.Millisecond, 450 * time.Millisecond, 900 * time.Millisecond, 1500 * time.Millisecond, 4 * time.Second} {
			t.Run(fmt.Sprintf("kill %d at %v", i, after), func(t *testing.T) {
				db := filepath.Join(t.TempDir(), "db")
				entente(t, "", "--db", db, "load", base).must(t, 0)
				baseStats, _ := stats(t, db)
				killLoadAfter(t, db, big, after)
				oldOrNew(t, db, baseStats.Quads)
			})
		}
	})
	// A large load into a store with data killed while it writes its
	// tables: the next open drops them.
	t.Run("streamed while writing", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "db")
		entente(t, "", "--db", db, "load", base).must(t, 0)
		baseStats, _ := stats(t, db)
		killAtMarker(t, db, big, "ENTENTE-INGEST-INCOMPLETE")
		r := entente(t, "", "--db", db, "check").must(t, 0)
		if !strings.Contains(r.stderr, "a load was interrupted") || !strings.Contains(r.stderr, "the store is as it was before it") {
			t.Fatalf("no note of the undone load: %q", r.stderr)
		}
		if added := oldOrNew(t, db, baseStats.Quads); added != 0 {
			t.Fatalf("a streamed load killed while writing kept %d quads", added)
		}
	})
	t.Run("bulk", func(t *testing.T) {
		for _, after := range []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
			t.Run(after.String(), func(t *testing.T) {
				db := filepath.Join(t.TempDir(), "db")
				killLoadAfter(t, db, big, after)
				entente(t, "", "--db", db, "check").must(t, 0)
				s, _ := stats(t, db)
				if s.Quads != 0 && s.Quads != n {
					t.Fatalf("a killed bulk load left %d of %d quads", s.Quads, n)
				}
			})
		}
		// Killed while writing Badger's tables: the store is reset.
		t.Run("while writing", func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "db")
			killAtMarker(t, db, big, "ENTENTE-BULK-LOAD-INCOMPLETE")
			r := entente(t, "", "--db", db, "check").must(t, 0)
			if !strings.Contains(r.stderr, "reset to empty") {
				t.Fatalf("no note of the reset: %q", r.stderr)
			}
			if s, _ := stats(t, db); s.Quads != 0 || s.Nodes != 0 {
				t.Fatalf("a bulk load killed while writing left %d quads", s.Quads)
			}
		})
	})
}
