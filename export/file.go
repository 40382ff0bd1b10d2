package export

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/entente-kg/entente/render"
)

// A destination is where WriteFile writes one file: a temporary file
// beside the target, renamed over it once complete (a regular file, new
// or existing), or the target itself, written in place (a FIFO or a
// device, which a rename would replace by a regular file).
type destination struct {
	f      *os.File
	target string // the file the temporary file replaces; "" in place
}

// maxLinks is how many symbolic links a path may go through.
const maxLinks = 40

// createDestination opens path for writing an export. A symbolic link is
// followed — deliberately, link by link, to the file it names, which need
// not exist yet — and that file is written, never the link. A regular
// file is replaced atomically and keeps its permissions; a new file gets
// mode 0644 less the umask. A FIFO or a character device is opened and
// written in place (an open that waits for a FIFO's reader ends with
// ctx). A directory, a socket or any other kind of file is an error.
func createDestination(ctx context.Context, path string) (*destination, error) {
	target, err := followLinks(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f, err := createTemp(filepath.Dir(target), 0o644)
		if err != nil {
			return nil, err
		}
		return &destination{f: f, target: target}, nil
	case err != nil:
		return nil, err
	case fi.Mode().IsRegular():
		f, err := createTemp(filepath.Dir(target), 0o600)
		if err != nil {
			return nil, err
		}
		// The file's own permissions, exactly: the umask does not apply
		// to an existing file.
		if err := f.Chmod(fi.Mode().Perm()); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, err
		}
		return &destination{f: f, target: target}, nil
	case fi.Mode()&(fs.ModeNamedPipe|fs.ModeCharDevice) != 0:
		f, err := openInPlace(ctx, target)
		if err != nil {
			return nil, err
		}
		return &destination{f: f}, nil
	case fi.IsDir():
		return nil, fmt.Errorf("%s is a directory", target)
	}
	return nil, fmt.Errorf("%s is not a regular file, a FIFO or a character device (%v)", target, fi.Mode().Type())
}

// followLinks returns the file path names after its symbolic links, link
// by link (the last one may name a file that does not exist yet).
func followLinks(path string) (string, error) {
	for range maxLinks {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		to, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(path), to)
		}
		path = to
	}
	return "", fmt.Errorf("%s: more than %d symbolic links", path, maxLinks)
}

// openInPlace opens a FIFO or device for writing, giving up when ctx ends
// first (opening a FIFO waits for a reader).
func openInPlace(ctx context.Context, path string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		return o.f, o.err
	case <-ctx.Done():
		go func() { // the open may yet succeed: close what it opens
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, fmt.Errorf("waiting for a reader of %s: %w", path, context.Cause(ctx))
	}
}

func (d *destination) Write(p []byte) (int, error) { return d.f.Write(p) }

// commit completes the file: it closes it and renames a temporary file
// over its target.
func (d *destination) commit() error {
	if err := d.f.Close(); err != nil {
		d.abort()
		return err
	}
	if d.target == "" {
		return nil
	}
	if err := os.Rename(d.f.Name(), d.target); err != nil {
		os.Remove(d.f.Name())
		return err
	}
	return nil
}

// abort gives up: the temporary file is removed and the target left as it
// was (what was written into a FIFO or device stays written).
func (d *destination) abort() {
	d.f.Close()
	if d.target != "" {
		os.Remove(d.f.Name())
	}
}

// writeDestination writes one file of an export through fn.
func writeDestination(ctx context.Context, path string, fn func(io.Writer) error) error {
	d, err := createDestination(ctx, path)
	if err != nil {
		return err
	}
	// A write into a FIFO nobody reads waits: the context's end stops it
	// (a deadline does nothing to a regular file, which never waits).
	stop := context.AfterFunc(ctx, func() { d.f.SetWriteDeadline(time.Now()) })
	defer stop()
	if err := fn(render.ContextWriter(ctx, d)); err != nil {
		d.abort()
		return err
	}
	if err := ctx.Err(); err != nil {
		d.abort()
		return context.Cause(ctx)
	}
	return d.commit()
}

// createTemp creates a new file in dir with mode perm (less the umask),
// as os.Create would make the file itself; os.CreateTemp's files are
// readable by their owner only.
func createTemp(dir string, perm os.FileMode) (*os.File, error) {
	for i := 0; ; i++ {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		name := filepath.Join(dir, ".entente-export-"+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		if err != nil {
			// Name the directory, not the temporary file the user
			// never asked for.
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = &fs.PathError{Op: "write into", Path: dir, Err: pe.Err}
			}
		}
		return f, err
	}
}
