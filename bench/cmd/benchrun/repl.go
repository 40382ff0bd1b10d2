//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/creack/pty"
)

// replStart measures B5: the time from starting `entente --db DIR` on a
// pseudo-terminal to its first prompt, on a store holding the seed graph.
func replStart(runs int) []float64 {
	bin, dir := seedStore()
	var times []float64
	for i := 0; i < runs; i++ {
		cmd := exec.Command(bin, "--db", dir)
		cmd.Env = append(os.Environ(), "TERM=xterm", "NO_COLOR=1", "ENTENTE_HISTORY=off")
		start := time.Now()
		f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
		if err != nil {
			progress("B5: no pseudo-terminal: %v", err)
			return nil
		}
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
		f.Close()
		if strings.Contains(buf.String(), "entente> ") {
			times = append(times, float64(elapsed.Microseconds())/1000)
		}
	}
	return times
}

// seedStore builds the entente binary and a store holding the seed graph,
// once, and returns both.
func seedStore() (bin, dir string) {
	bin = filepath.Join(tmp, "entente")
	dir = filepath.Join(tmp, "seed-store")
	if _, err := os.Stat(dir); err == nil {
		return bin, dir
	}
	build(bin, "./cmd/entente")
	if out, err := exec.Command(bin, "--db", dir, "load", "--seed").CombinedOutput(); err != nil {
		fatal(fmt.Errorf("%v: %s", err, out))
	}
	return bin, dir
}
