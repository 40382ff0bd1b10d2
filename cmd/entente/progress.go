package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/entente-kg/entente/render"
	"github.com/mattn/go-runewidth"
)

// progressBar draws a one-line progress bar on a terminal, as wide as the
// terminal: the file being read (its name, not its path), percentage,
// statements read, statements per second and the time left. It stays
// silent for the first second, so quick loads print nothing, and is never
// used when stderr is not a terminal.
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

// newProgressBar draws on w, a terminal width columns wide (0: unknown,
// taken as 80); label names what is loaded until a file is read.
func newProgressBar(w io.Writer, label string, width int) *progressBar {
	if width <= 0 {
		width = 80
	}
	return &progressBar{w: w, start: time.Now(), label: label, width: width, nowFunc: time.Now}
}

// update redraws the bar at most ten times a second. file is the input
// being read ("" keeps the label); size < 0 means the total is unknown
// (standard input).
func (p *progressBar) update(file string, done, size, items int64, writing bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.nowFunc()
	if now.Sub(p.start) < time.Second || now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.shown = true
	if file != "" && file != "-" {
		p.label = filepath.Base(file)
	}
	fmt.Fprintf(p.w, "\r%s", p.line(now, done, size, items, writing))
}

// line is the bar's text, padded or cut to the width (less one column, so
// that the cursor does not wrap).
func (p *progressBar) line(now time.Time, done, size, items int64, writing bool) string {
	elapsed := now.Sub(p.start).Seconds()
	rate := render.Thousands(int64(float64(items)/elapsed)) + " statements/s"
	count := render.Thousands(items) + " statements"
	var parts []string
	switch {
	case writing:
		parts = []string{p.label + ":", "writing " + count + " into the store…"}
	case size > 0:
		frac := min(float64(done)/float64(size), 1)
		left := "? left"
		if frac > 0.001 {
			left = (time.Duration(elapsed*(1-frac)/frac) * time.Second).Round(time.Second).String() + " left"
		}
		pct := fmt.Sprintf("%3.0f%%", frac*100)
		// The bar takes what the words leave, up to 40 columns.
		words := runewidth.StringWidth(strings.Join([]string{p.label, pct, count, rate, left}, "  "))
		if barW := min(40, p.width-1-words-4); barW >= 10 {
			fill := int(frac * float64(barW))
			bar := strings.Repeat("=", fill)
			if fill < barW {
				bar += ">" + strings.Repeat(" ", barW-fill-1)
			}
			pct += " [" + bar + "]"
		}
		parts = []string{p.label, pct, count, rate, left}
	default:
		parts = []string{p.label + ":", count, rate}
	}
	line := runewidth.Truncate(strings.Join(parts, "  "), p.width-1, "…")
	return runewidth.FillRight(line, p.width-1)
}

// done clears the bar's line.
func (p *progressBar) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width-1))
	}
}
