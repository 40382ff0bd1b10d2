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
// picture and draw its PNG. Graphviz measures with Helvetica's metrics,
// but a viewer without Helvetica draws with another sans-serif font,
// often DejaVu Sans, some 12% wider than the Go font and 20% wider than
// Helvetica: boxes and the room for the title, legend and caption are
// measured 15% wider than the Go font (textWidth), so that they hold
// their text in any of them.
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

// textWidth is the room, in points, a line of text at a size needs in
// any common sans-serif font.
func textWidth(s string, size float64, bold bool) float64 {
	return 1.15 * measure(s, size, bold)
}

// measure is the width, in points, of a line of text in the Go font.
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
