package wasm

import (
	"context"
	"fmt"
	"sync"
)

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
