package graph

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/entente-kg/entente/graph/quadstore"
)

// cacheFileTest is one of the files an index is kept in beside a store,
// as testCacheFile exercises it.
type cacheFileTest struct {
	name string // its file name in the store's directory
	// fresh opens dir as a new process would, gets the index (read from
	// the file or built) and fails the test, saying what, unless it is
	// the index built from the store; whole compares every answer too,
	// not only the contents. It says whether the index was read.
	fresh func(t *testing.T, dir string, ro, whole bool, what string) (read bool)
	// damage lists bytes of the file (from its length) to flip, one at
	// a time: each must make the file unread.
	damage func(size int) []int
	// edits are the file changed in ways its checksum does not catch,
	// the checksum made right again; "nothing changed" must be read.
	edits func(t *testing.T, b []byte) []cacheEdit
	// change changes the store in dir, as another process would.
	change func(t *testing.T, dir string)
	// get and put read and replace what is kept, when it is not the
	// file name in dir (a store in PostgreSQL keeps it in a row).
	get func(t *testing.T) []byte
	put func(t *testing.T, b []byte)
}

// cacheEdit is a cache file changed in one way.
type cacheEdit struct {
	name string
	b    []byte
}

// testCacheFile checks the behaviour every cache file kept beside a store
// (or in its database) has, on dir, a store whose file is up to date and was not
// written by this process: a fresh open reads it (read-only too); damaged
// or cut short it is rebuilt, never read, and written again; after
// another process changed the store it is stale: rebuilt, and written
// again. It returns the file as it was first.
func testCacheFile(t *testing.T, dir string, c cacheFileTest) []byte {
	t.Helper()
	if c.get == nil {
		path := filepath.Join(dir, c.name)
		if kind, _, err := quadstore.Classify(dir); err != nil || kind != quadstore.DirStore {
			t.Fatalf("a store with its %s is classified %v, %v", c.name, kind, err)
		}
		c.get = func(t *testing.T) []byte {
			t.Helper()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		c.put = func(t *testing.T, b []byte) {
			t.Helper()
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if !c.fresh(t, dir, true, true, "read-only open") {
		t.Fatalf("a fresh open of an unchanged store did not read its %s", c.name)
	}
	before := c.get(t)
	if !c.fresh(t, dir, true, true, "from the file again") {
		t.Fatalf("%s was not read", c.name)
	}
	write := func(b []byte) {
		t.Helper()
		c.put(t, b)
	}
	for _, off := range c.damage(len(before)) {
		b := append([]byte(nil), before...)
		b[off] ^= 0x40
		write(b)
		what := fmt.Sprintf("%s damaged at byte %d", c.name, off)
		if c.fresh(t, dir, true, false, what) {
			t.Fatalf("%s was read", what)
		}
	}
	if c.edits != nil {
		for _, e := range c.edits(t, before) {
			write(e.b)
			if read := c.fresh(t, dir, true, false, e.name); read != (e.name == "nothing changed") {
				t.Fatalf("%s: %s read %v", e.name, c.name, read)
			}
		}
	}
	write(before[:len(before)/2])
	if c.fresh(t, dir, false, true, "cut short") {
		t.Fatalf("%s cut short was read", c.name)
	}
	if !c.fresh(t, dir, true, false, "written again") {
		t.Fatalf("%s was not written again after it was found damaged", c.name)
	}
	c.change(t, dir)
	if c.fresh(t, dir, true, true, "after a change") {
		t.Fatalf("a stale %s was read", c.name)
	}
	if !c.fresh(t, dir, true, false, "written again after a change") {
		t.Fatalf("%s was not written again after the change", c.name)
	}
	return before
}
