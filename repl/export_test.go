package repl

import (
	"reflect"
	"testing"

	"github.com/entente-kg/entente/export"
)

// TestPictureOptions: :export reads the picture options with or without
// their dashes, and says what is wrong with a bad one.
func TestPictureOptions(t *testing.T) {
	o := &export.Options{}
	for _, w := range []string{"all-edges", "--bare", "layout=twopi", "--width=800", "dpi=150"} {
		if handled, err := pictureOption(w, o); !handled || err != nil {
			t.Fatalf("%s: %v %v", w, handled, err)
		}
	}
	want := &export.Options{AllEdges: true, NoTitle: true, NoLegend: true, NoCaption: true, Layout: "twopi", Width: 800, DPI: 150}
	if !reflect.DeepEqual(o, want) {
		t.Fatalf("%+v", o)
	}
	for w, msg := range map[string]string{
		"layout=spring": `export: unknown layout "spring" (dot, twopi, neato, sfdp, circo, fdp)`,
		"width=0":       "width takes a positive number (width=1600 pixels, dpi=150)",
		"width=12.5":    "width takes a positive number (width=1600 pixels, dpi=150)",
		"dpi":           "dpi takes a positive number (width=1600 pixels, dpi=150)",
		"bare=yes":      "bare takes no value",
	} {
		if handled, err := pictureOption(w, &export.Options{}); !handled || err == nil || err.Error() != msg {
			t.Errorf("%s: %v %v", w, handled, err)
		}
	}
	if handled, _ := pictureOption("png", &export.Options{}); handled {
		t.Error("png is a format, not an option")
	}
}
