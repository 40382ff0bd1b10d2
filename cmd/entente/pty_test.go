//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// terminal is the screen of a program running on a pseudo-terminal.
type terminal struct {
	mu  sync.Mutex
	buf bytes.Buffer
	f   *os.File
}

func (t *terminal) read() {
	b := make([]byte, 4096)
	for {
		n, err := t.f.Read(b)
		t.mu.Lock()
		t.buf.Write(b[:n])
		t.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// expect waits until the output since mark holds want, and returns the new
// mark.
func (t *terminal) expect(tb *testing.T, mark int, want string) int {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		t.mu.Lock()
		out := t.buf.String()
		t.mu.Unlock()
		if i := strings.Index(out[mark:], want); i >= 0 {
			return mark + i + len(want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	tb.Fatalf("the terminal never showed %q; it shows:\n%s", want, t.buf.String()[mark:])
	return mark
}

func (t *terminal) send(s string) { t.f.Write([]byte(s)) }

// TestTerminal drives the real binary through a pseudo-terminal, as a
// person would: start entente (the default store is created and seeded),
// ask for a path, Tab-complete a name, see a suggestion for a misspelt
// one, cancel a long query with Ctrl-C and keep working, leave with
// Ctrl-D. The history survives in the state directory.
func TestTerminal(t *testing.T) {
	home := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "ENTENTE_DB=", "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_STATE_HOME="+filepath.Join(home, "state"), "TERM=xterm", "NO_COLOR=1", "PAGER=cat", "ENTENTE_HISTORY=")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 60, Cols: 160})
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer f.Close()
	term := &terminal{f: f}
	go term.read()
	m := term.expect(t, 0, "loaded the built-in seed graph (97 entities, 262 relations, 3,727 quads)")
	m = term.expect(t, m, "Entente devel")
	m = term.expect(t, m, "loaded: 97 entities, 262 relations, 1 source (3,727 quads)")
	m = term.expect(t, m, "try:")
	m = term.expect(t, m, "entente> ")

	term.send("path Japan to India\r")
	m = term.expect(t, m, "India")
	m = term.expect(t, m, "rows)")
	m = term.expect(t, m, "entente> ")

	// A where on the next line: an error, and the two lines offered as
	// one statement at the prompt.
	term.send("where status != proposed\r")
	m = term.expect(t, m, `"where" continues a statement`)
	m = term.expect(t, m, "entente> path Japan to India where status != proposed")
	term.send("\r")
	m = term.expect(t, m, "rows)")
	m = term.expect(t, m, "entente> ")

	// A backslash goes on to the next line.
	term.send("path Japan to India \\\r")
	m = term.expect(t, m, "...> ")
	term.send("avoid supports\r")
	m = term.expect(t, m, "rows)")
	m = term.expect(t, m, "entente> ")

	// Tab keeps what was typed when the names it could be are quoted and
	// bare: the common beginning, with a quote.
	term.send("show Ind\t")
	m = term.expect(t, m, `show "Ind`)
	term.send("ones\t")
	m = term.expect(t, m, `show "Indonesia"`)
	term.send("\r")
	m = term.expect(t, m, "Indonesia  (Country)")
	m = term.expect(t, m, "entente> ")

	term.send("path Japan to India av\t")
	m = term.expect(t, m, "path Japan to India avoid")
	term.send("\x15") // Ctrl-U: erase the line

	term.send("show New Ze\t")
	m = term.expect(t, m, `show "New Zealand"`)
	term.send("\r")
	m = term.expect(t, m, "New Zealand  (Country)")
	m = term.expect(t, m, "entente> ")

	term.send("show Japn\r")
	m = term.expect(t, m, "did you mean Japan?")
	m = term.expect(t, m, "entente> ")

	// A statement that runs for seconds, until its work runs out.
	term.send("match p = (a)-[*1..6]-(b) return count(p)\r")
	time.Sleep(500 * time.Millisecond)
	term.send("\x03")
	m = term.expect(t, m, "interrupted after")
	m = term.expect(t, m, "entente> ")

	term.send("why Japan Australia\r")
	m = term.expect(t, m, "Japan —security_pact")
	m = term.expect(t, m, "entente> ")

	term.send("\x04")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("entente ended with %v", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("Ctrl-D did not end the session")
	}
	hist, err := os.ReadFile(filepath.Join(home, "state", "entente", "history"))
	if err != nil || !strings.Contains(string(hist), "why Japan Australia") {
		t.Fatalf("history: %q, %v", hist, err)
	}
}

// TestTerminalTerminate: SIGTERM ends a shell on a terminal — while a
// statement runs, or at the prompt — cleanly: the statement cancelled, the
// terminal restored (liner closed, so the history is written), the store
// closed, exit status 1.
func TestTerminalTerminate(t *testing.T) {
	home := t.TempDir()
	db := filepath.Join(home, "db")
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)
	for _, running := range []bool{false, true} {
		cmd := exec.Command(bin, "--db", db)
		cmd.Env = append(os.Environ(), "ENTENTE_DB=", "HOME="+home, "XDG_STATE_HOME="+filepath.Join(home, "state"),
			"TERM=xterm", "NO_COLOR=1", "PAGER=cat", "ENTENTE_HISTORY=")
		f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
		if err != nil {
			t.Skipf("no pseudo-terminal here: %v", err)
		}
		term := &terminal{f: f}
		go term.read()
		m := term.expect(t, 0, "entente> ")
		term.send("why Japan Australia\r")
		m = term.expect(t, m, "entente> ")
		if running {
			term.send("match p = (a)-[*1..6]-(b) return count(p)\r")
			time.Sleep(300 * time.Millisecond)
		}
		terminate(t, cmd, fmt.Sprintf("a shell on a terminal (a statement running: %v)", running))
		term.expect(t, m, "entente: terminated")
		f.Close()
		hist, err := os.ReadFile(filepath.Join(home, "state", "entente", "history"))
		if err != nil || !strings.Contains(string(hist), "why Japan Australia") {
			t.Errorf("running %v: history %q, %v", running, hist, err)
		}
		entente(t, "", "--db", db, "load", inputFile(t, "one.nq", "<http://ex/a> <http://ex/p> <http://ex/b> .\n")).must(t, 0)
	}
}
