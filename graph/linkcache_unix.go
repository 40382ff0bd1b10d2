//go:build unix

package graph

import (
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// mapped holds the cache files this process has mapped, by file, so that
// each is mapped once. A mapping is never undone: the slices of a Links
// point into it and may outlive the DB that read it, and a file the
// store replaces is renamed over, never written in place, so what is
// mapped does not change. At most one mapping is made per cache file
// (store state) a process reads.
var mapped struct {
	sync.Mutex
	m map[fileID][]byte
}

type fileID struct {
	dev, ino   uint64
	size, time int64
}

// readCache returns the first size bytes of the cache file f, mapped
// read-only when it is large.
func readCache(f *os.File, size int) ([]byte, error) {
	if size < mapMin {
		return readAll(f, size)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil, err
	}
	id := fileID{uint64(st.Dev), uint64(st.Ino), int64(st.Size), st.Mtim.Nano()}
	mapped.Lock()
	defer mapped.Unlock()
	if b, ok := mapped.m[id]; ok && len(b) >= size {
		return b[:size], nil
	}
	b, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_PRIVATE|mapPopulate)
	if err != nil {
		return readAll(f, size)
	}
	if mapped.m == nil {
		mapped.m = map[fileID][]byte{}
	}
	mapped.m[id] = b
	return b, nil
}
