package export

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/goccy/go-graphviz"
)

// graphvizMu serialises the use of Graphviz: its WebAssembly module is
// one, loaded when the first SVG is drawn (not when a program starts:
// loading compiles 1.5 MB of WebAssembly, half a second without a cache)
// and loaded again after a layout was stopped, which closes it.
var graphvizMu sync.Mutex

// runGraphviz lays out a DOT graph with a layout engine of Graphviz
// (dot, twopi, neato, sfdp, circo, fdp; nop2 keeps the positions the
// graph gives) and renders it in one of its formats (svg, json with the
// drawing operations, dot with the positions). A done ctx stops the
// layout.
func runGraphviz(ctx context.Context, dot []byte, layout string, format graphviz.Format) ([]byte, error) {
	graphvizMu.Lock()
	defer graphvizMu.Unlock()
	if err := graphviz.Load(ctx, graphvizCacheDir()); err != nil {
		return nil, err
	}
	// Graphviz sees no files: go-graphviz would give it the host's (an
	// attribute naming a file — an image, a font — would be read).
	graphviz.SetFileSystem(noFiles{})
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	gv, err := graphviz.New(ctx)
	if err != nil {
		return nil, err
	}
	defer gv.Close()
	gv.SetLayout(graphviz.Layout(layout))
	var buf bytes.Buffer
	if err := gv.Render(ctx, g, format, &buf); err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	return buf.Bytes(), nil
}

// graphvizCacheDir is where Graphviz's compiled code is cached: the
// user's own cache directory, entente/graphviz in os.UserCacheDir, made
// with mode 0700. A directory (or its parent entente) that is not the
// user's, or that others may write to, is not used — and then nothing is
// cached ("").
func graphvizCacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil || !filepath.IsAbs(base) {
		return ""
	}
	dir := filepath.Join(base, "entente", "graphviz")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	for _, d := range []string{filepath.Dir(dir), dir} {
		fi, err := os.Lstat(d)
		if err != nil || !fi.IsDir() || fi.Mode().Perm()&0o022 != 0 || !ownedByUser(fi) {
			return ""
		}
	}
	return dir
}

// noFiles is a file system without files.
type noFiles struct{}

func (noFiles) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}
