package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPictures is issue 17's "done when", through the binary: the seed
// graph's paths from Japan to India export as an SVG of one line per
// pair of nodes with a legend, as a PNG of the width asked, and as a PDF;
// the flags for embedding and the layout are obeyed, and bad ones are
// usage errors; the shell's :export takes the same options; a picture of
// more than 300 nodes is refused with the count, the cap and a hint, and
// nothing is written.
func TestPictures(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "seed.db")
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)
	const q = "paths Japan to India max 2"
	out := filepath.Join(dir, "p.svg")
	r := entente(t, "", "--db", db, "export", "--query", q, "-o", out).must(t, 0)
	if r.stdout != "wrote "+out+" (svg: 6 nodes, 28 relations in 8 lines)\n" {
		t.Fatalf("svg: %q", r.stdout)
	}
	svg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(svg), `class="edge"`) - strings.Count(string(svg), "<title>entente&#45;legend:from:"); n != 8 {
		t.Errorf("the SVG draws %d lines, want 8", n)
	}
	for _, want := range []string{"<title>entente&#45;legend:type:Country</title>", "<title>entente&#45;legend:status:existing</title>", ">paths Japan to India max 2<"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("the SVG has no %s", want)
		}
	}

	pngFile := filepath.Join(dir, "p.png")
	entente(t, "", "--db", db, "export", "--query", q, "--width", "900", "-o", pngFile).must(t, 0)
	f, err := os.Open(pngFile)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds().Dx() != 900 {
		t.Fatalf("the PNG: %v, %v", err, img.Bounds())
	}

	pdf := filepath.Join(dir, "p.pdf")
	entente(t, "", "--db", db, "export", "--query", q, "--bare", "-o", pdf).must(t, 0)
	if b, _ := os.ReadFile(pdf); !bytes.HasPrefix(b, []byte("%PDF-1.4")) || bytes.Contains(b, []byte("(paths Japan to India max 2) Tj")) {
		t.Errorf("the bare PDF: %.60q", b)
	}

	bare := filepath.Join(dir, "bare.svg")
	entente(t, "", "--db", db, "export", "--query", q, "--bare", "--all-edges", "--layout", "neato", "-o", bare).must(t, 0)
	if b, _ := os.ReadFile(bare); bytes.Contains(b, []byte("entente&#45;legend")) || strings.Count(string(b), `class="edge"`) != 28 {
		t.Errorf("--bare --all-edges: %d edges, legend %v", strings.Count(string(b), `class="edge"`), bytes.Contains(b, []byte("entente&#45;legend")))
	}

	r = entente(t, "", "--db", db, "export", "--query", q, "--layout", "spring", "-o", out).must(t, 2)
	if !strings.Contains(r.stderr, `unknown layout "spring" (dot, twopi, neato, sfdp, circo, fdp)`) {
		t.Errorf("--layout spring: %s", r.stderr)
	}
	entente(t, "", "--db", db, "export", "--query", q, "--width", "900", "--dpi", "150", "-o", pngFile).must(t, 2)

	r = entente(t, q+"\n:export "+filepath.Join(dir, "s.png")+" width=600 bare\n:export "+filepath.Join(dir, "s.svg")+" layout=nope\n", "--db", db, "repl")
	if !strings.Contains(r.stderr, "(png: 6 nodes, 28 relations in 8 lines)") || !strings.Contains(r.stderr+r.stdout, `unknown layout "nope"`) {
		t.Errorf("the shell:\n%s\n%s", r.stdout, r.stderr)
	}

	// The cap: a hub with 350 partners.
	star := filepath.Join(dir, "star.nq")
	var b strings.Builder
	w := bufio.NewWriter(&b)
	fmt.Fprintln(w, `<entity:hub> <schema:name> "Hub" .`)
	for i := range 350 {
		fmt.Fprintf(w, "<entity:s%d> <schema:name> \"Spoke %d\" .\n<entity:hub> <rel:partner> <entity:s%d> .\n", i, i, i)
	}
	w.Flush()
	if err := os.WriteFile(star, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sdb := filepath.Join(dir, "star.db")
	entente(t, "", "--db", sdb, "load", star).must(t, 0)
	big := filepath.Join(dir, "big.png")
	r = entente(t, "", "--db", sdb, "export", "--query", "neighbors Hub", "-o", big).must(t, 1)
	if !strings.Contains(r.stderr, "too big to draw: 351 nodes and 350 lines (a picture holds at most 300 nodes and 1,000 lines); narrow the query — a lower limit (limit N), via KIND, a smaller depth") {
		t.Errorf("the cap: %s", r.stderr)
	}
	if _, err := os.Stat(big); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("written: %v", err)
	}
	entente(t, "", "--db", sdb, "export", "--query", "neighbors Hub limit 299", "-o", big).must(t, 0)
}
