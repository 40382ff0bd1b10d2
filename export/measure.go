package export

import (
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The Go fonts (embedded in golang.org/x/image) measure the text of a
// picture and draw its PNG. They are wider than Helvetica, which
// Graphviz measures with, and as wide as DejaVu Sans, which a viewer
// without Helvetica draws with: a box sized by them holds its name in
// either.
var (
	fontsOnce         sync.Once
	regular, boldFont *sfnt.Font
)

func loadFonts() {
	fontsOnce.Do(func() {
		var err error
		if regular, err = sfnt.Parse(goregular.TTF); err != nil {
			panic("export: the Go font: " + err.Error())
		}
		if boldFont, err = sfnt.Parse(gobold.TTF); err != nil {
			panic("export: the Go bold font: " + err.Error())
		}
	})
}

// textWidth is the width, in points, of a line of text at a size.
func textWidth(s string, size float64) float64 {
	return measure(s, size, false)
}

func measure(s string, size float64, bold bool) float64 {
	loadFonts()
	f := regular
	if bold {
		f = boldFont
	}
	var buf sfnt.Buffer
	ppem := fixed.Int26_6(size * 64)
	w := 0.0
	for _, r := range s {
		i, err := f.GlyphIndex(&buf, r)
		if err != nil || i == 0 {
			w += 0.6 * size
			continue
		}
		a, err := f.GlyphAdvance(&buf, i, ppem, font.HintingNone)
		if err != nil {
			w += 0.6 * size
			continue
		}
		w += float64(a) / 64
	}
	return w
}
