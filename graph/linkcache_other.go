//go:build !unix

package graph

import "os"

// readCache returns the first size bytes of the cache file f.
func readCache(f *os.File, size int) ([]byte, error) { return readAll(f, size) }
