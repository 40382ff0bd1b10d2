//go:build unix

package export_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/query"
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

// TestDestinations: an existing file keeps its mode, a symbolic link
// stays a link and the file it names is written (even one that does not
// exist yet), a FIFO stays a FIFO and gets the export, /dev/null stays a
// device, a directory is refused, and "-" is Options.Stdout.
func TestDestinations(t *testing.T) {
	d := seedDB(t)
	res := answer(t, d, "why Japan Australia")
	ctx := context.Background()
	dir := t.TempDir()
	write := func(path string) error {
		_, err := export.WriteFile(ctx, path, res, export.NQuads, &export.Options{DB: d})
		return err
	}
	private := filepath.Join(dir, "private.nq")
	os.WriteFile(private, nil, 0o600)
	os.Chmod(private, 0o600)
	if err := write(private); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(private); st.Mode().Perm() != 0o600 || st.Size() == 0 {
		t.Errorf("an existing 0600 file: mode %v, %d bytes", st.Mode().Perm(), st.Size())
	}
	for _, name := range []string{"target.nq", "missing.nq"} {
		target := filepath.Join(dir, "sub", name)
		os.MkdirAll(filepath.Dir(target), 0o755)
		if name == "target.nq" {
			os.WriteFile(target, []byte("old"), 0o640)
		}
		link := filepath.Join(dir, "link-"+name)
		os.Symlink(filepath.Join("sub", name), link)
		if err := write(link); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s: the link was replaced: %v", name, err)
		}
		b, _ := os.ReadFile(target)
		if !bytes.Contains(b, []byte("<entity:japan>")) {
			t.Errorf("%s: the target holds %q", name, b)
		}
		if st, _ := os.Stat(target); name == "target.nq" && st.Mode().Perm() != 0o640 {
			t.Errorf("the link's target: mode %v", st.Mode().Perm())
		}
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- b
	}()
	if err := write(fifo); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Contains(b, []byte("<entity:japan>")) {
		t.Errorf("the FIFO's reader got %q", b)
	}
	if st, _ := os.Lstat(fifo); st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is now %v", st.Mode())
	}
	// A FIFO nobody reads: the export ends with its context.
	tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := export.WriteFile(tctx, fifo, res, export.NQuads, &export.Options{DB: d}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a FIFO without a reader: %v", err)
	}
	// A FIFO whose reader opens it and then reads nothing: the write
	// ends with the context too.
	go func() {
		f, err := os.Open(fifo)
		if err == nil {
			time.Sleep(2 * time.Second)
			f.Close()
		}
	}()
	big := &query.Result{Kind: "neighbors", Columns: []string{"node"}}
	for i := range 20000 {
		big.Rows = append(big.Rows, []query.Value{&query.Node{ID: quad.IRI("entity:n" + strconv.Itoa(i)), Name: "n"}})
	}
	tctx2, cancel2 := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel2()
	start := time.Now()
	if _, err := export.WriteFile(tctx2, fifo, big, export.GraphML, nil); err == nil {
		t.Errorf("a FIFO not read: no error")
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("a FIFO not read: the write took %v", d)
	}
	if err := write("/dev/null"); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Lstat("/dev/null"); st.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is now %v", st.Mode())
	}
	if err := write(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v", err)
	}
	var out bytes.Buffer
	files, err := export.WriteFile(ctx, "-", res, export.NQuads, &export.Options{DB: d, Stdout: &out})
	if err != nil || !bytes.Contains(out.Bytes(), []byte("<entity:japan>")) || files[0] != "standard output" {
		t.Errorf("-: %v %v %q", files, err, out.String())
	}
	if _, err := export.WriteFile(ctx, "-", res, export.CSV, &export.Options{DB: d, Stdout: &out}); !errors.Is(err, export.ErrCSVStdout) {
		t.Errorf("CSV to -: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".entente-export-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
