package wasm

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"fmt"
	"io"
	"sync"
)

// Graphviz compiled to WebAssembly, as upstream v0.2.10 ships it
// (internal/wasm/graphviz.wasm), kept gzipped (gzip -9n): 1.5 MB becomes
// 0.64 MB in the repository, and it is inflated once, on first use.
//
//go:embed graphviz.wasm.gz
var wasmGzip []byte

var wasmOnce = sync.OnceValues(func() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(wasmGzip))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
})

// wasmBinary returns the module's bytes; load's callers recover its panic.
func wasmBinary() []byte {
	b, err := wasmOnce()
	if err != nil {
		panic(fmt.Errorf("inflating graphviz.wasm.gz: %w", err))
	}
	return b
}

// Entente's fork: the module is loaded when first needed, not in init.

var loadMu sync.Mutex

// Load instantiates the module unless it is loaded and open: a call that
// was stopped by its context closes the module, and the next Load
// instantiates it again. It reports whether it did (the caller then sets
// up what lives in the module's memory again). cacheDir holds the
// compiled code ("" for none).
func Load(ctx context.Context, cacheDir string) (fresh bool, err error) {
	loadMu.Lock()
	defer loadMu.Unlock()
	if mod != nil && !mod.mod.IsClosed() {
		return false, nil
	}
	defer func() {
		if r := recover(); r != nil {
			mod = nil
			err = fmt.Errorf("graphviz: loading the WebAssembly module: %v", r)
		}
	}()
	load(ctx, cacheDir)
	return true, nil
}
