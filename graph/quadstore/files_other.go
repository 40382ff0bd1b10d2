//go:build !linux

package quadstore

import (
	"fmt"
	"os"
)

func seekData(f *os.File, off int64) (int64, error) { return off, nil }

func seekHole(f *os.File, off, size int64) int64 { return size }

// fileStamp identifies a version of a file by its size and modification
// time.
func fileStamp(info os.FileInfo) string {
	return fmt.Sprintf("%d %d", info.Size(), info.ModTime().UnixNano())
}

// freeBytes cannot tell the free space here.
func freeBytes(dir string) (int64, bool) { return 0, false }

// reserveFile cannot reserve blocks here; the free-space checks remain.
func reserveFile(path string, from, ahead int64) (int64, error) { return from + ahead, nil }

// releaseTablePages has nothing to do here.
func releaseTablePages(dir string, only map[string]bool) int64 { return 0 }

// canMapFiles says mapFile works here: it does not.
const canMapFiles = false

func mapFile(f *os.File, off int64, n int) ([]byte, error) {
	return nil, fmt.Errorf("quadstore: no file maps on this system")
}

func unmapFile(m []byte) {}

func dropPages(m []byte) {}
