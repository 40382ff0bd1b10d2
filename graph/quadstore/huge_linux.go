//go:build linux

package quadstore

import (
	"bytes"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugeHeap has the heap's memory, and n bytes more mapped for what comes,
// taken in huge pages (2 MiB) until undo, where the system gives them only
// to memory asked for (transparent huge pages in "madvise" mode, the
// default of many distributions; with "always" the heap has them already).
// A Movies load touched 200 MB of heap 4 KiB at a time, 50,000 page
// faults, and every random access into its tables missed the TLB: in huge
// pages it faults about 7,000 times and takes about a quarter less time.
//
// Go maps its heap as it grows and never advises it, so the n bytes are
// mapped by an allocation let go at once (a fresh mapping is not touched:
// no memory is taken until used). Undo advises small pages again, so that
// in a process that lives on (the shell, the server) the kernel does not
// fold its heap's sparse free memory into huge pages; loads that overlap
// share the heap, and the first to undo does it for all. GODEBUG=
// disablethp=1, Go's own switch for them, turns this off too.
func hugeHeap(n int) (undo func()) {
	if !thpAdvised() {
		return func() {}
	}
	// The heap's free memory is mapped already: more is mapped only
	// when it is short of n.
	s := []metrics.Sample{{Name: "/memory/classes/heap/free:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	idle := s[0].Value.Uint64() + s[1].Value.Uint64()
	anchor := new(uint64) // an address in the heap: its mappings are found around it
	heapAnchor.Store(anchor)
	at := uintptr(unsafe.Pointer(anchor))
	if idle < uint64(n) {
		more := make([]byte, n)
		at = uintptr(unsafe.Pointer(&more[0]))
		adviseHeap(at, unix.MADV_HUGEPAGE)
		runtime.GC() // the mapping is free for the allocations to come
	} else {
		adviseHeap(at, unix.MADV_HUGEPAGE)
	}
	return func() { adviseHeap(at, unix.MADV_NOHUGEPAGE) }
}

// heapAnchor holds the last anchor hugeHeap took, so that it is taken
// from the heap.
var heapAnchor atomic.Pointer[uint64]

// thpAdvised reports whether the system gives huge pages to the memory
// advised for them alone, and Go's GODEBUG=disablethp=1 is not set.
var thpAdvised = sync.OnceValue(func() bool {
	for _, kv := range strings.Split(os.Getenv("GODEBUG"), ",") {
		if strings.TrimSpace(kv) == "disablethp=1" {
			return false
		}
	}
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	return err == nil && bytes.Contains(mode, []byte("[madvise]"))
})

// adviseHeap gives advice to the writable anonymous mappings among those
// adjacent to the one holding at (Go's heap: the mappings it uses, and
// the address space it has reserved, lie next to each other).
func adviseHeap(at uintptr, advice int) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	type mapping struct {
		lo, hi   uint64
		writable bool
	}
	var run []mapping
	found := false
	for line := range strings.Lines(string(maps)) {
		// start-end perms offset dev inode [name]
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		anon := ok && err1 == nil && err2 == nil && f[4] == "0" &&
			(len(f) == 5 || strings.HasPrefix(f[5], "[anon:"))
		if !anon || (len(run) > 0 && run[len(run)-1].hi != start) {
			if found {
				break
			}
			run = run[:0]
			if !anon {
				continue
			}
		}
		run = append(run, mapping{start, end, strings.HasPrefix(f[1], "rw")})
		if start <= uint64(at) && uint64(at) < end {
			found = true
		}
	}
	if !found {
		return
	}
	for _, m := range run {
		if m.writable {
			unix.Syscall(unix.SYS_MADVISE, uintptr(m.lo), uintptr(m.hi-m.lo), uintptr(advice))
		}
	}
}
