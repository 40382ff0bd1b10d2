package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"
)

// TestProgressBar: the bar is as wide as the terminal (less a column),
// names the file without its directory, and shows statements/s and the
// time left.
func TestProgressBar(t *testing.T) {
	for _, width := range []int{60, 100, 200} {
		var b bytes.Buffer
		p := newProgressBar(&b, "loading", width)
		now := p.start
		p.nowFunc = func() time.Time { return now }
		now = now.Add(2 * time.Second)
		p.update("/data/dumps/2026/30kmoviedata.nq.gz", 250, 1000, 120000, false)
		line := strings.TrimPrefix(b.String(), "\r")
		if w := runewidth.StringWidth(line); w != width-1 {
			t.Errorf("width %d: the line is %d columns: %q", width, w, line)
		}
		for _, want := range []string{"30kmoviedata.nq.gz", " 25%", "120,000 statements", "60,000 statements/s", "6s left"} {
			if width >= 100 && !strings.Contains(line, want) {
				t.Errorf("width %d: %q lacks %q", width, line, want)
			}
		}
		if strings.Contains(line, "/data/dumps") {
			t.Errorf("the label is a path: %q", line)
		}
		if width >= 100 && !strings.Contains(line, "[=") {
			t.Errorf("width %d: no bar: %q", width, line)
		}
	}
}
