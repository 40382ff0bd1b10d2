package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/entente-kg/entente/render"
)

// progressBar draws a one-line progress bar on a terminal: percentage,
// statements read, rate and time left. It stays silent for the first
// second, so quick loads print nothing, and is never used when stderr is
// not a terminal.
type progressBar struct {
	mu      sync.Mutex
	w       io.Writer
	start   time.Time
	last    time.Time
	shown   bool
	label   string
	width   int
	nowFunc func() time.Time
}

func newProgressBar(w io.Writer, label string, width int) *progressBar {
	if width <= 0 || width > 120 {
		width = 80
	}
	return &progressBar{w: w, start: time.Now(), label: label, width: width, nowFunc: time.Now}
}

// update redraws the bar at most ten times a second. size < 0 means the
// total is unknown (standard input).
func (p *progressBar) update(done, size, items int64, writing bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.nowFunc()
	if now.Sub(p.start) < time.Second || now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.shown = true
	elapsed := now.Sub(p.start).Seconds()
	rate := float64(items) / elapsed
	var line string
	switch {
	case writing:
		line = fmt.Sprintf("%s: writing %s statements into the store…", p.label, render.Thousands(items))
	case size > 0:
		frac := float64(done) / float64(size)
		if frac > 1 {
			frac = 1
		}
		eta := "?"
		if frac > 0.001 {
			eta = (time.Duration(elapsed*(1-frac)/frac) * time.Second).Round(time.Second).String()
		}
		barW := 24
		fill := int(frac * float64(barW))
		bar := strings.Repeat("=", fill)
		if fill < barW {
			bar += ">" + strings.Repeat(" ", barW-fill-1)
		}
		line = fmt.Sprintf("%s %3.0f%% [%s] %s statements  %s/s  ETA %s",
			p.label, frac*100, bar, render.Thousands(items), render.Thousands(int64(rate)), eta)
	default:
		line = fmt.Sprintf("%s: %s statements  %s/s", p.label, render.Thousands(items), render.Thousands(int64(rate)))
	}
	if len(line) > p.width-1 {
		line = line[:p.width-1]
	}
	fmt.Fprintf(p.w, "\r%-*s", p.width-1, line)
}

// done clears the bar's line.
func (p *progressBar) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width-1))
	}
}
