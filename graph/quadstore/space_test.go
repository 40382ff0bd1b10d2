//go:build linux

package quadstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReserveLogsVanished: a log Badger removes between the listing of the
// store's files and its reservation (its memtable flushed) is skipped, not
// an error that fails the load.
func TestReserveLogsVanished(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	gone := ""
	list := func(d string) ([]os.DirEntry, error) {
		es, err := os.ReadDir(d)
		for _, e := range es {
			if strings.HasSuffix(e.Name(), ".mem") && gone == "" {
				// Another log, listed but removed before it is reserved.
				gone = "9" + e.Name()
				if err := os.WriteFile(filepath.Join(d, gone), make([]byte, 4096), 0o644); err != nil {
					t.Fatal(err)
				}
				es2, _ := os.ReadDir(d)
				os.Remove(filepath.Join(d, gone))
				return es2, err
			}
		}
		return es, err
	}
	if err := s.reserveLogsIn(list, 1<<20); err != nil {
		t.Fatalf("a log removed meanwhile failed the reservation: %v", err)
	}
	if gone == "" {
		t.Fatal("the store has no log to list")
	}
	if _, ok := s.reserved[gone]; ok {
		t.Errorf("the removed log %s is still reserved", gone)
	}
	if err := s.reserveLogs(1 << 20); err != nil {
		t.Fatal(err)
	}
}
