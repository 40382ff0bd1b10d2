// Package seeds embeds Entente's curated seed graph: Europe's relations
// with Japan, South Korea and India after the 2024 US election, built from
// the European Council on Foreign Relations' commentary of November 2024.
// The data is in the seed format of docs/seed-format.md, one or more
// .seed files in this directory; this package only carries them into the
// binary.
package seeds

import (
	"embed"
	"io"
	"io/fs"
	"sort"

	"github.com/entente-kg/entente/loader"
)

//go:embed *.seed
var files embed.FS

// Names lists the embedded seed files, in load order.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// Sources returns the embedded seed files as loader sources, named
// seeds/FILE in messages.
func Sources() []loader.Source {
	var out []loader.Source
	for _, name := range Names() {
		name := name
		info, _ := fs.Stat(files, name)
		out = append(out, loader.Source{
			Name:   "seeds/" + name,
			Format: loader.Seed,
			Size:   info.Size(),
			Open:   func() (io.ReadCloser, error) { return files.Open(name) },
		})
	}
	return out
}

// Read returns the contents of an embedded seed file.
func Read(name string) ([]byte, error) { return files.ReadFile(name) }
