//go:build linux

package quadstore

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/cayleygraph/quad"
)

// TestHugeHeap: the heap's mappings are advised for huge pages while a
// bulk load's builder holds more than hugeHeapAfter quads, and for small
// pages again once the load is done, on its success and on its failure.
func TestHugeHeap(t *testing.T) {
	if !thpAdvised() {
		t.Skip("skipped: the system's transparent huge pages are not in madvise mode (or GODEBUG=disablethp=1): hugeHeap does nothing here")
	}
	keep := make([]byte, 8<<20) // heap mapped before
	at := uintptr(unsafe.Pointer(&keep[0]))
	undo := hugeHeap(64 << 20)
	if f := vmFlags(t, at); !f["hg"] {
		t.Fatalf("advised: the heap's mapping has flags %v, want hg", f)
	}
	undo()
	if f := vmFlags(t, at); f["hg"] || !f["nh"] {
		t.Fatalf("undone: the heap's mapping has flags %v, want nh and not hg", f)
	}

	var qs []quad.Quad
	for i := range hugeHeapAfter + 100 {
		qs = append(qs, quad.MakeIRI(fmt.Sprintf("n%d", i), "p", fmt.Sprintf("n%d", i/3), ""))
	}
	b := newBulkBuilder()
	for i, q := range qs {
		if err := b.add(q); err != nil {
			t.Fatal(err)
		}
		if n := i + 1; n != hugeHeapAfter-1 && n != hugeHeapAfter && n != len(qs) {
			continue
		}
		if f := vmFlags(t, at); f["hg"] != (i+1 >= hugeHeapAfter) {
			t.Fatalf("a builder of %d quads: the heap's mapping has flags %v", i+1, f)
		}
	}
	b.release()
	if f := vmFlags(t, at); f["hg"] || !f["nh"] {
		t.Fatalf("released: the heap's mapping has flags %v, want nh and not hg", f)
	}
	for _, failAt := range []int{-1, hugeHeapAfter + 50} {
		s, err := Open(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		hugeHeap(0)() // small pages, whatever came before
		_, err = s.Load(t.Context(), &sliceReader{qs: qs, failAt: failAt}, nil)
		if (err != nil) != (failAt >= 0) {
			t.Fatalf("load failing at %d: %v", failAt, err)
		}
		if f := vmFlags(t, at); f["hg"] || !f["nh"] {
			t.Fatalf("after a load failing at %d: the heap's mapping has flags %v, want nh and not hg", failAt, f)
		}
		if failAt < 0 {
			// A large load into the store with data: its parts too.
			var more []quad.Quad
			for i := range ingestMin + 100 {
				more = append(more, quad.MakeIRI(fmt.Sprintf("m%d", i), "p", fmt.Sprintf("n%d", i), ""))
			}
			if _, err := loadQuads(s, more, nil); err != nil {
				t.Fatal(err)
			}
			if f := vmFlags(t, at); f["hg"] || !f["nh"] {
				t.Fatalf("after a large load into a store with data: the heap's mapping has flags %v, want nh and not hg", f)
			}
		}
		s.Close()
	}
	_ = keep[0]
}

// vmFlags returns the kernel's flags of the mapping holding address at.
func vmFlags(t *testing.T, at uintptr) map[string]bool {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if r, _, ok := strings.Cut(line, " "); ok && strings.Contains(r, "-") && !strings.HasSuffix(r, ":") {
			lo, hi, _ := strings.Cut(r, "-")
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && a <= uint64(at) && uint64(at) < b
			continue
		}
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok && in {
			m := map[string]bool{}
			for _, fl := range strings.Fields(flags) {
				m[fl] = true
			}
			return m
		}
	}
	t.Fatalf("no mapping holds %#x", at)
	return nil
}
