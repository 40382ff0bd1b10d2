package main

import (
	"bufio"
	"bytes"
	"context"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// served is a running `entente serve`.
type served struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
	done   chan error
}

// serve starts `entente --db db serve --addr 127.0.0.1:0 ARGS…` and waits
// for the address it prints. The server is stopped (SIGINT) at the end of
// the test.
func serve(t *testing.T, db string, args ...string) *served {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--db", db, "serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "ENTENTE_DB=", "XDG_DATA_HOME="+t.TempDir(), "ENTENTE_TOKEN=")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			line <- sc.Text()
		}
		close(line)
		io.Copy(io.Discard, out)
		s.done <- cmd.Wait()
	}()
	select {
	case l := <-line:
		m := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/) `).FindStringSubmatch(l)
		if m == nil {
			cmd.Process.Kill()
			t.Fatalf("serve printed %q; stderr: %s", l, s.stderr.String())
		}
		s.url = m[1]
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("serve printed no address in 30 s; stderr: %s", s.stderr.String())
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop interrupts the server (Ctrl-C) and waits for it to end; it must
// end cleanly and soon.
func (s *served) stop(t *testing.T) {
	t.Helper()
	if s.cmd.ProcessState != nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("serve after Ctrl-C: %v; stderr: %s", err, s.stderr.String())
		}
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		t.Errorf("serve did not stop within 15 s of Ctrl-C")
	}
}

// TestServe: the real binary serves the page and the API on a free
// loopback port, answers POST /api/query with the rows of `query --format
// json`, and stops cleanly on Ctrl-C and on SIGTERM.
func TestServe(t *testing.T) {
	db := habitsStore(t)
	s := serve(t, db)
	for _, q := range []string{"path Japan to India", "why Japan Australia"} {
		want := entente(t, "", "--db", db, "query", "--format", "json", q).must(t, 0).stdout
		resp, err := http.Post(s.url+"api/query", "application/json", strings.NewReader(`{"query":"`+q+`","format":"jsonl"}`))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got) != want {
			t.Errorf("%s: %d\n got %s\nwant %s", q, resp.StatusCode, got, want)
		}
	}
	resp, err := http.Get(s.url)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(page, []byte("Entente explorer")) {
		t.Errorf("the page: %.200s", page)
	}
	// A cross-origin POST is refused by the real server too.
	req, _ := http.NewRequest("POST", s.url+"api/query", strings.NewReader(`{"query":"show Japan"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://evil.example")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 {
		t.Errorf("cross-origin POST: %v %v", resp, err)
	}
	s.stop(t)
	if !strings.Contains(s.stderr.String(), "stopping") {
		t.Errorf("stderr after Ctrl-C: %q", s.stderr.String())
	}
	// SIGTERM stops it too; the store is free again (a write opens it).
	s2 := serve(t, db)
	s2.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-s2.done; err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)
}

// TestServeRefuses: off loopback without a token, or --write without one,
// the server does not start.
func TestServeRefuses(t *testing.T) {
	db := habitsStore(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--addr", "0.0.0.0:0"}, "--token"},
		{[]string{"serve", "--addr", ":7474"}, "not loopback"},
		{[]string{"serve", "--write"}, "--write needs --token"},
		{[]string{"serve", "extra"}, "unexpected argument"},
	} {
		r := entente(t, "", append([]string{"--db", db}, c.args...)...).must(t, exitUsage)
		if !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: stderr %q, want one line with %q", c.args, r.stderr, c.want)
		}
	}
	r := entente(t, "", "help", "serve").must(t, 0)
	if !strings.Contains(r.stdout, "--addr") || !strings.Contains(r.stdout, "--token") {
		t.Errorf("help serve: %s", r.stdout)
	}
	// With a token, write access loads through the API.
	s := serve(t, db, "--token", "t0k", "--write")
	req, _ := http.NewRequest("POST", s.url+"api/load?name=x.nq", strings.NewReader("<entity:atlantis> <name> \"Atlantis\" .\n"))
	req.Header.Set("Authorization", "Bearer t0k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"added":1`) {
		t.Errorf("load: %d %s", resp.StatusCode, body)
	}
}

// browserTools finds what the browser test needs: Chromium, Node and
// playwright-core. It says what is missing, or "".
func browserTools() (chromium, node, playwright, missing string) {
	chromium = os.Getenv("ENTENTE_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var why []string
	if _, err := os.Stat(chromium); err != nil {
		why = append(why, "no Chromium at "+chromium+" (apt-get install chromium, or set ENTENTE_CHROMIUM)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		why = append(why, "no node on PATH (apt-get install nodejs)")
	}
	dir := os.Getenv("ENTENTE_PLAYWRIGHT")
	if dir == "" {
		dir, _ = filepath.Abs(filepath.Join("testdata", "browser", "node_modules", "playwright-core"))
	}
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		why = append(why, "no playwright-core at "+dir+" (npm ci --prefix cmd/entente/testdata/browser, or set ENTENTE_PLAYWRIGHT to its directory)")
	}
	return chromium, node, dir, strings.Join(why, "; ")
}

// TestExplorerBrowser drives the page in headless Chromium with
// playwright-core (testdata/browser/explorer.js): search "Jap", choose
// Japan, expand, path Japan → India, a link's evidence, filters, export,
// the shared URL reopened, the query box, the drawing cap. Without the
// browser it skips and says why; with ENTENTE_REQUIRE_BROWSER set (CI) it
// fails instead. ENTENTE_SCREENSHOTS=DIR keeps the screenshots.
func TestExplorerBrowser(t *testing.T) {
	chromium, node, playwright, missing := browserTools()
	if missing != "" {
		if os.Getenv("ENTENTE_REQUIRE_BROWSER") != "" {
			t.Fatalf("the browser test cannot run: %s", missing)
		}
		t.Skipf("SKIP the explorer's browser test: %s", missing)
	}
	db := habitsStore(t)
	s := serve(t, db)
	// Another server on the same store, with a token (both read-only).
	st := serve(t, db, "--token", "br0wser")
	shots := os.Getenv("ENTENTE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "browser", "explorer.js"), s.url, shots, st.url+"?token=br0wser")
	cmd.Env = append(os.Environ(), "PLAYWRIGHT_CORE="+playwright, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("explorer.js:\n%s", out)
	if err != nil {
		t.Fatalf("the browser test failed: %v\n%s", err, out)
	}
	for _, name := range []string{"explorer-path.png", "explorer-evidence.png", "explorer-reopened.png", "export.png"} {
		if n := colours(t, filepath.Join(shots, name)); n < 16 {
			t.Errorf("%s looks blank: %d colours", name, n)
		}
	}
}

// colours counts the distinct colours of a PNG (up to 1000).
func colours(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y && len(seen) < 1000; y += 3 {
		for x := b.Min.X; x < b.Max.X && len(seen) < 1000; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

// TestServeOpen: --open opens the page (with its token) in $BROWSER.
func TestServeOpen(t *testing.T) {
	dir := t.TempDir()
	opened := filepath.Join(dir, "opened")
	script := filepath.Join(dir, "browser.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$1\" > "+opened+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BROWSER", script)
	db := filepath.Join(dir, "s")
	entente(t, "", "--db", db, "load", "--seed", "--quiet").must(t, 0)
	s := serve(t, db, "--open", "--token", "s3cret")
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(opened)
		if err == nil && len(b) > 0 {
			if got, want := strings.TrimSpace(string(b)), s.url+"?token=s3cret"; got != want {
				t.Fatalf("--open opened %q, want %q", got, want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("--open did not run $BROWSER in 10 s; stderr: %s", s.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
