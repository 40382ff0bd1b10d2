//go:build unix

package export_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/entente-kg/entente/export"
)

// TestFileMode: exported files are readable by all (0644), as the umask
// allows, like any file a command creates; and no temporary file is left.
func TestFileMode(t *testing.T) {
	d := seedDB(t)
	res := answer(t, d, "why Japan Australia")
	for _, c := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o077, 0o600}, {0o002, 0o644}} {
		dir := t.TempDir()
		old := syscall.Umask(c.umask)
		var written []string
		for _, f := range export.Formats {
			fs, err := export.WriteFile(context.Background(), filepath.Join(dir, "why."+string(f)), res, f, &export.Options{DB: d})
			if err != nil {
				syscall.Umask(old)
				t.Fatal(err)
			}
			written = append(written, fs...)
		}
		syscall.Umask(old)
		for _, path := range written {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != c.want {
				t.Errorf("umask %03o: %s has mode %v, want %v", c.umask, filepath.Base(path), st.Mode().Perm(), c.want)
			}
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != len(written) {
			t.Errorf("umask %03o: %d files in the directory, %d written", c.umask, len(entries), len(written))
		}
	}
}
