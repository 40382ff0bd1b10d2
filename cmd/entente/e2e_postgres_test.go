package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/entente-kg/entente/internal/pgtest"
)

// The end-to-end tests of a store on PostgreSQL run the real binary
// against the throwaway cluster TestMain starts (pgtest); without
// PostgreSQL they skip, saying so.

// writeNQuads writes n quads linking generated entities, named by prefix,
// to a file and returns its path.
func writeNQuads(t *testing.T, prefix string, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), prefix+".nq")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range n {
		fmt.Fprintf(w, "<entity:%s-%d> <rel:partner> <entity:%s-%d> .\n", prefix, i, prefix, (i*7+1)%n)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// TestPostgresSameAnswers: init, load the seed graph, and every example of
// the docs gives the same output on PostgreSQL as on Badger; stats too.
func TestPostgresSameAnswers(t *testing.T) {
	url := pgtest.DB(t)
	r := entente(t, "", "--db", url, "stats")
	if r.code != exitStore || !strings.Contains(r.stderr, "init") {
		t.Fatalf("stats before init: exit %d, want 3 and a hint to init:\n%s", r.code, r.stderr)
	}
	entente(t, "", "--db", url, "init").must(t, 0)
	if r := entente(t, "", "--db", url, "init").must(t, 0); !strings.Contains(r.stdout, "already") {
		t.Fatalf("second init: %s", r.stdout)
	}
	if r := entente(t, "", "--db", t.TempDir(), "init"); r.code != exitUsage {
		t.Fatalf("init of a directory: exit %d", r.code)
	}
	dir := filepath.Join(t.TempDir(), "eql.db")
	entente(t, "", "--db", dir, "load", "--seed").must(t, 0)
	entente(t, "", "--db", url, "load", "--seed").must(t, 0)
	_, bs := stats(t, dir)
	_, ps := stats(t, url)
	if bs != ps {
		t.Fatalf("stats differ:\nbadger   %s\npostgres %s", bs, ps)
	}
	// The same history too (the first load implicit on both), but for
	// the times.
	untimed := regexp.MustCompile(`"time":"[^"]*"`)
	for _, args := range [][]string{{"log", "--format", "json"}, {"query", "--format", "json", "history Japan"}} {
		a := untimed.ReplaceAllString(entente(t, "", append([]string{"--db", dir}, args...)...).must(t, 0).stdout, "")
		b := untimed.ReplaceAllString(entente(t, "", append([]string{"--db", url}, args...)...).must(t, 0).stdout, "")
		if a != b {
			t.Fatalf("%s differs:\nBadger\n%s\nPostgreSQL\n%s", strings.Join(args, " "), a, b)
		}
	}
	n := 0
	for _, doc := range []string{"query-language.md", "repl.md", "export.md"} {
		for _, ex := range docExamples(t, filepath.Join("..", "..", "docs", doc)) {
			n++
			var outs [2]string
			var codes [2]int
			for i, db := range []string{dir, url} {
				args := append([]string{}, ex.args...)
				args[1] = db
				stdout, stderr, code := runIn(t, t.TempDir(), args...)
				outs[i] = strings.ReplaceAll(stdout+stderr, db, "DB")
				codes[i] = code
			}
			if outs[0] != outs[1] || codes[0] != codes[1] {
				t.Errorf("docs/%s:%d: entente %s\nBadger (exit %d):\n%s\nPostgreSQL (exit %d):\n%s",
					doc, ex.line, strings.Join(ex.args[2:], " "), codes[0], outs[0], codes[1], outs[1])
			}
		}
	}
	if n < 30 {
		t.Errorf("only %d examples found in the docs", n)
	}
	// A change file (retractions and amendments of the seed graph) makes
	// the same changes on both.
	took := regexp.MustCompile(` in [0-9.]+[µm]?s`)
	change := filepath.Join("..", "..", "examples", "changes", "review.csv")
	a := entente(t, "", "--db", dir, "load", change).must(t, 0)
	b := entente(t, "", "--db", url, "load", change).must(t, 0)
	if took.ReplaceAllString(a.stdout, "") != took.ReplaceAllString(b.stdout, "") {
		t.Fatalf("load %s:\nBadger\n%s\nPostgreSQL\n%s", change, a.stdout, b.stdout)
	}
	_, bs = stats(t, dir)
	if _, ps = stats(t, url); bs != ps {
		t.Fatalf("stats after %s differ:\nbadger   %s\npostgres %s", change, bs, ps)
	}
	entente(t, "", "--db", url, "check").must(t, 0)
	// A password in the address is never printed (the test server
	// trusts every local connection, so any password opens it).
	secret := strings.Replace(url, "postgres@", "postgres:s3cret@", 1)
	r = entente(t, "", "--db", secret, "check").must(t, 0)
	if strings.Contains(r.stdout+r.stderr, "s3cret") || !strings.Contains(r.stdout, "postgres:xxxxx@") {
		t.Fatalf("check printed the password, or no masked address:\n%s%s", r.stdout, r.stderr)
	}
}

// TestPostgresConcurrentLoads: two loaders and a reader at once on one
// PostgreSQL store all succeed; the store then holds both loads, each one
// transaction, and checks consistent.
func TestPostgresConcurrentLoads(t *testing.T) {
	url := pgtest.DB(t)
	entente(t, "", "--db", url, "init").must(t, 0)
	entente(t, "", "--db", url, "load", "--seed", "--quiet").must(t, 0)
	seed, _ := stats(t, url)
	files := []string{writeNQuads(t, "a", 30000), writeNQuads(t, "b", 30000)}
	var wg sync.WaitGroup
	results := make([]runResult, 3)
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = entente(t, "", "--db", url, "load", "--quiet", f)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		results[2] = entente(t, "", "--db", url, "query", "--format", "json", "neighbors Japan")
	}()
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Fatalf("process %d: exit %d\n%s%s", i, r.code, r.stdout, r.stderr)
		}
	}
	after, raw := stats(t, url)
	if after.Quads != seed.Quads+60000 {
		t.Fatalf("after two loads: %s", raw)
	}
	if log := readLog(t, url); len(log) != 3 {
		t.Fatalf("%d transactions, want 3 (the seed and each load)", len(log))
	}
	entente(t, "", "--db", url, "check").must(t, 0)
}

// TestPostgresKillLoad: a loader killed with SIGKILL after it has written
// batches leaves the database as it was: consistent, without a part of
// the load, and the next load goes in whole.
func TestPostgresKillLoad(t *testing.T) {
	url := pgtest.DB(t)
	entente(t, "", "--db", url, "init").must(t, 0)
	entente(t, "", "--db", url, "load", "--seed", "--quiet").must(t, 0)
	before, _ := stats(t, url)
	file := writeNQuads(t, "k", 100000)
	seen, _, err := signalAfterBatches(t, url, file, 2, syscall.SIGKILL)
	if seen < 2 {
		t.Fatalf("the load reported %d batches before it ended (%v)", seen, err)
	}
	if err == nil {
		t.Fatal("the killed load exited normally")
	}
	after, raw := stats(t, url)
	if after.Quads != before.Quads {
		t.Fatalf("a killed load left part of itself: %s", raw)
	}
	entente(t, "", "--db", url, "check").must(t, 0)
	if log := readLog(t, url); len(log) != 1 {
		t.Fatalf("%d transactions after the killed load, want 1", len(log))
	}
	entente(t, "", "--db", url, "load", "--quiet", file).must(t, 0)
	if after, raw := stats(t, url); after.Quads != before.Quads+100000 {
		t.Fatalf("the load after the kill: %s", raw)
	}
	entente(t, "", "--db", url, "check").must(t, 0)
}

// TestPostgresCopy: copy moves a store with history from Badger to
// PostgreSQL and back; counts, transactions and answers are the same.
func TestPostgresCopy(t *testing.T) {
	url := pgtest.DB(t)
	src := filepath.Join(t.TempDir(), "src")
	entente(t, "", "--db", src, "load", "--seed", "--quiet").must(t, 0)
	entente(t, "", "--db", src, "retract", "--reason", "test", "Japan", "supports", "India").must(t, 0)
	entente(t, "", "--db", src, "amend", "--reason", "dated", "--from", "2025", "Japan", "security_pact", "Australia", "status=at_risk").must(t, 0)
	if r := entente(t, "", "copy", "--from", src, "--to", url); r.code != exitStore || !strings.Contains(r.stderr, "init") {
		t.Fatalf("copy into a database without schema: exit %d\n%s", r.code, r.stderr)
	}
	entente(t, "", "--db", url, "init").must(t, 0)
	back := filepath.Join(t.TempDir(), "back")
	for _, c := range [][2]string{{src, url}, {url, back}} {
		if r := entente(t, "", "copy", "--from", c[0], "--to", c[1]).must(t, 0); !strings.Contains(r.stdout, "3 transactions") {
			t.Fatalf("copy %s: %s", c[1], r.stdout)
		}
	}
	if r := entente(t, "", "copy", "--from", src, "--to", url); r.code == 0 {
		t.Fatal("a copy into a store with data succeeded")
	}
	_, want := stats(t, src)
	for _, db := range []string{url, back} {
		if _, got := stats(t, db); got != want {
			t.Fatalf("stats of the copy %s:\n%s\nwant\n%s", db, got, want)
		}
		entente(t, "", "--db", db, "check").must(t, 0)
	}
	wantLog := entente(t, "", "--db", src, "log", "--format", "json").must(t, 0).stdout
	for _, db := range []string{url, back} {
		if got := entente(t, "", "--db", db, "log", "--format", "json").must(t, 0).stdout; got != wantLog {
			t.Fatalf("log of the copy %s:\n%s\nwant\n%s", db, got, wantLog)
		}
		a := entente(t, "", "--db", src, "query", "--format", "json", "show Japan as of tx:1").must(t, 0).stdout
		b := entente(t, "", "--db", db, "query", "--format", "json", "show Japan as of tx:1").must(t, 0).stdout
		if a != b {
			t.Fatalf("show Japan as of tx:1 differs on the copy %s", db)
		}
	}
}

// TestPostgresReplica: a streaming replica (pg_basebackup) serves
// read-only Entente processes; a load on the primary becomes visible there
// and the replica refuses writes with a clear error.
func TestPostgresReplica(t *testing.T) {
	primary := pgtest.Require(t)
	url := pgtest.DB(t)
	entente(t, "", "--db", url, "init").must(t, 0)
	entente(t, "", "--db", url, "load", "--seed", "--quiet").must(t, 0)
	rep, err := primary.Replica()
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Stop()
	name := url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
	rurl := rep.URL(name)
	_, want := stats(t, url)
	waitFor := func(want string) {
		t.Helper()
		var got string
		for range 600 { // replay is asynchronous: wait for it, up to a minute
			r := entente(t, "", "--read-only", "--db", rurl, "stats", "--format", "json")
			if got = r.stdout; r.code == 0 && got == want {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("the replica never showed the primary's store:\n%s\nwant\n%s", got, want)
	}
	waitFor(want)
	entente(t, "", "--db", url, "load", "--quiet", writeNQuads(t, "r", 1000)).must(t, 0)
	_, want = stats(t, url)
	waitFor(want)
	if a, b := entente(t, "", "--db", url, "query", "--format", "json", "path Japan to India").must(t, 0).stdout,
		entente(t, "", "--read-only", "--db", rurl, "query", "--format", "json", "path Japan to India").must(t, 0).stdout; a != b {
		t.Fatalf("path on the replica:\n%s\nwant\n%s", b, a)
	}
	r := entente(t, "", "--db", rurl, "load", "--quiet", writeNQuads(t, "w", 10))
	if r.code == 0 || !strings.Contains(r.stderr, "read-only") {
		t.Fatalf("a load into the replica: exit %d\n%s", r.code, r.stderr)
	}
	r = entente(t, "", "--db", rurl, "retract", "--reason", "test", "Japan", "supports", "India")
	if r.code == 0 || !strings.Contains(r.stderr, "read-only") {
		t.Fatalf("a retraction on the replica: exit %d\n%s", r.code, r.stderr)
	}
	entente(t, "", "--read-only", "--db", rurl, "check").must(t, 0)
}

// TestPostgresMovies: Cayley's 30k-movie data loads into PostgreSQL, the
// store counts what Badger counts, checks consistent, and path search,
// neighbors, search and match give Badger's answers.
func TestPostgresMovies(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 471,705 quads into PostgreSQL")
	}
	url := pgtest.DB(t)
	movies := moviesPath(t)
	dir := filepath.Join(t.TempDir(), "movies")
	entente(t, "", "--db", dir, "load", "--quiet", movies).must(t, 0)
	entente(t, "", "--db", url, "init").must(t, 0)
	entente(t, "", "--db", url, "load", "--quiet", movies).must(t, 0)
	_, want := stats(t, dir)
	if _, got := stats(t, url); got != want {
		t.Fatalf("stats on PostgreSQL:\n%s\nwant (Badger)\n%s", got, want)
	}
	entente(t, "", "--db", url, "check").must(t, 0)
	for _, q := range []string{
		`path "Kevin Bacon" to "Humphrey Bogart"`,
		`path "Keanu Reeves" to "Charlie Chaplin"`,
		`paths "Tom Cruise" to "Kevin Bacon" limit 5`,
		`neighbors "Humphrey Bogart"`,
		`search "casablanca"`,
		`match (a {name: "Keanu Reeves"})-[]-(f) return f.name order by f.name limit 20`,
	} {
		a := entente(t, "", "--db", dir, "query", "--format", "json", q)
		b := entente(t, "", "--db", url, "query", "--format", "json", q)
		if a.stdout != b.stdout || a.code != b.code {
			t.Errorf("%s\nBadger (exit %d):\n%s%s\nPostgreSQL (exit %d):\n%s%s", q, a.code, a.stdout, a.stderr, b.code, b.stdout, b.stderr)
		}
	}
}

// TestPostgresServe: `entente serve` over a PostgreSQL store — a team
// server — answers the API as the command line answers on the same
// store; a change made through the API (--write, with its token) is seen
// by the command line, and one made by another process (a load from the
// command line) by the server's next answer.
func TestPostgresServe(t *testing.T) {
	url := pgtest.DB(t)
	entente(t, "", "--db", url, "init").must(t, 0)
	entente(t, "", "--db", url, "load", "--seed").must(t, 0)
	s := serve(t, url, "--token", "te4m", "--write")
	post := func(path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", s.url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer te4m")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	query := func(q string) string {
		t.Helper()
		code, body := post("api/query", `{"query":`+strconv.Quote(q)+`,"format":"jsonl"}`)
		if code != 200 {
			t.Fatalf("POST /api/query %s: %d %s", q, code, body)
		}
		return body
	}
	for _, q := range []string{"path Japan to India", "why Japan Australia", `neighbors AP4`, `history Japan`, `search "defence ministers"`} {
		want := entente(t, "", "--db", url, "query", "--format", "json", q).must(t, 0).stdout
		if got := query(q); got != want {
			t.Errorf("%s on the server:\n%s\nthe command line:\n%s", q, got, want)
		}
	}
	// A retraction through the API: the command line sees it, and its log
	// names the API's author.
	if out := query("why Japan Australia"); !strings.Contains(out, "security_pact") {
		t.Fatalf("why Japan Australia before the retraction has no security_pact:\n%s", out)
	}
	if code, body := post("api/retract", `{"target":["Japan","security_pact","Australia"],"reason":"test: through the team server","author":"ana"}`); code != 200 {
		t.Fatalf("POST /api/retract: %d %s", code, body)
	}
	if out := entente(t, "", "--db", url, "query", "--format", "json", "why Japan Australia").must(t, 0).stdout; strings.Contains(out, "security_pact") {
		t.Errorf("the retracted relation is still there for the command line:\n%s", out)
	}
	if out := entente(t, "", "--db", url, "log").must(t, 0).stdout; !strings.Contains(out, "ana") || !strings.Contains(out, "through the team server") {
		t.Errorf("the log after the API's retraction:\n%s", out)
	}
	// Another process loads: the server's next answer has it.
	nq := filepath.Join(t.TempDir(), "more.nq")
	if err := os.WriteFile(nq, []byte("<entity:atlantis> <http://schema.org/name> \"Atlantis\" .\n<entity:atlantis> <entity-kg:partner> <entity:japan> .\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	entente(t, "", "--db", url, "load", nq).must(t, 0)
	want := entente(t, "", "--db", url, "query", "--format", "json", "neighbors Atlantis").must(t, 0).stdout
	if got := query("neighbors Atlantis"); got != want || !strings.Contains(got, "Japan") {
		t.Errorf("neighbors Atlantis on the server after another process's load:\n%s\nthe command line:\n%s", got, want)
	}
}
