package graph

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/entente-kg/entente/graph/quadstore"
)

// The indexes derived from a store (its links, linkcache.go; its texts,
// textcache.go) are kept with it for the next process: in a file beside a
// store on disk, in a row of its database for a store in PostgreSQL. This
// file is where they go; the layouts and their checks are the caches'.

// dbKeeper is a store that keeps derived indexes in its database (the
// PostgreSQL store): by name, with the stamp of the contents they were
// derived from.
type dbKeeper interface {
	ReadKept(ctx context.Context, name string, stamp []byte) []byte
	WriteKept(ctx context.Context, name string, stamp, data []byte) bool
}

// keptTimeout bounds reading or writing a kept index in a database.
const keptTimeout = 30 * time.Second

// maxKeptRow is the largest index kept in a database: PostgreSQL takes a
// field of at most 1 GB, and the index is held twice in memory while it
// is written (built, and in the buffer sent).
const maxKeptRow = 256 << 20

// unshared is the store a view shares with the DB it views (noClose), or
// qs itself.
func unshared(qs backend) any {
	if n, ok := qs.(noClose); ok {
		return n.backend
	}
	return qs
}

// kept is one kept index, opened for reading.
type kept interface {
	io.ReaderAt
	Size() int64
	// Bytes returns its first n bytes: in place (a file mapped, when
	// large, for the life of the process) or read into memory.
	Bytes(n int) ([]byte, error)
	Close() error
}

// openKept opens the index kept under name when one was kept at the
// stamp st (a file's stamp is in its header, which its reader checks).
func (db *DB) openKept(ctx context.Context, name string, st quadstore.Stamp) (kept, bool) {
	if k, ok := unshared(db.qs).(dbKeeper); ok {
		ctx, cancel := context.WithTimeout(ctx, keptTimeout)
		defer cancel()
		b := k.ReadKept(ctx, name, st[:])
		if b == nil {
			return nil, false
		}
		return keptBytes(b), true
	}
	f, err := os.Open(filepath.Join(db.dir, name))
	if err != nil {
		return nil, false
	}
	return keptFile{f}, true
}

// writeKept keeps the index write writes under name, derived from the
// store at st; best effort. write writes the index from its start and
// may then rewrite its header in place (WriteAt).
func (db *DB) writeKept(name string, st quadstore.Stamp, write func(w keptWriter) error) {
	if k, ok := unshared(db.qs).(dbKeeper); ok {
		var buf keptBuffer
		if err := write(&buf); err != nil || len(buf.b) > maxKeptRow {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), keptTimeout)
		defer cancel()
		k.WriteKept(ctx, name, st[:], buf.b)
		return
	}
	writeCacheFile(db.dir, name, func(f *os.File) error { return write(f) })
}

// keptWriter is where an index is written: a file, or memory.
type keptWriter interface {
	io.Writer
	io.WriterAt
}

type keptFile struct{ *os.File }

func (f keptFile) Size() int64 {
	fi, err := f.Stat()
	if err != nil {
		return -1
	}
	return fi.Size()
}

func (f keptFile) Bytes(n int) ([]byte, error) { return readCache(f.File, n) }

// keptBytes is an index read from a database.
type keptBytes []byte

func (b keptBytes) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(b)) {
		return 0, errors.New("graph: read outside a kept index")
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (b keptBytes) Size() int64 { return int64(len(b)) }

func (b keptBytes) Bytes(n int) ([]byte, error) {
	if n > len(b) {
		return nil, io.ErrUnexpectedEOF
	}
	return b[:n], nil
}

func (keptBytes) Close() error { return nil }

// keptBuffer is an index written to memory, for a database.
type keptBuffer struct{ b []byte }

func (w *keptBuffer) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

func (w *keptBuffer) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > int64(len(w.b)) {
		return 0, errors.New("graph: write outside a kept index")
	}
	return copy(w.b[off:], p), nil
}
