//go:build linux

package graph

import (
	"os"

	"golang.org/x/sys/unix"
)

// reserveRW gives f, empty, its size and the blocks of it (errNoMaps
// where the file system cannot).
func reserveRW(f *os.File, size int) error {
	err := unix.Fallocate(int(f.Fd()), 0, 0, int64(size))
	if err == unix.EOPNOTSUPP || err == unix.ENOSYS {
		return errNoMaps
	}
	if err != nil {
		return &os.PathError{Op: "fallocate", Path: f.Name(), Err: err}
	}
	return nil
}

// mapRW maps the first size bytes of f, shared and writable.
func mapRW(f *os.File, size int) ([]byte, error) {
	m, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, errNoMaps
	}
	return m, nil
}

func unmapRW(m []byte) { unix.Munmap(m) }

// dropMapped drops the pages of a shared map of a file from the resident
// set; what was written through it stays in the page cache.
func dropMapped(m []byte) { unix.Madvise(m, unix.MADV_DONTNEED) }

// mapPopulate asks a map to be read in at once.
const mapPopulate = unix.MAP_POPULATE
