package main

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/entente-kg/entente/internal/cayleydata"
)

// The tests of this file damage stores the way disks, people and crashes
// do, and hold the binary to the store's promise: a damaged store is
// refused (exit 3, one clear line) and its files are left as they are; an
// answer is either right or refused, never silently wrong; a full disk is
// an error, not a crash or half a load.

// seededStore makes a store with the seed graph, once per test binary.
var seededStore = sync1(func(t *testing.T) string {
	dir, err := os.MkdirTemp("", "entente-seeded")
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "db")
	entente(t, "", "--db", db, "load", "--seed").must(t, 0)
	return db
})

// sync1 runs f once, for whichever test asks first.
func sync1(f func(t *testing.T) string) func(t *testing.T) string {
	var v string
	return func(t *testing.T) string {
		t.Helper()
		if v == "" {
			v = f(t)
		}
		return v
	}
}

// copyStore copies a store's files into a new directory.
func copyStore(t *testing.T, from string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), "db")
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// fingerprint sums every file of a directory (names, sizes and contents).
func fingerprint(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == dir {
				fmt.Fprint(h, "missing")
				return filepath.SkipAll
			}
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s\x00", rel)
		if !d.IsDir() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			io.Copy(h, f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// readCommands are the commands that only read; each must refuse a
// damaged store without touching it.
var readCommands = [][]string{
	{"check"},
	{"stats"},
	{"query", "path Japan to India"},
	{"export", "--query", "why Japan Australia", "--format", "nquads", "-o", os.DevNull},
}

// TestDamagedStoreUntouched: a missing or truncated MANIFEST, a truncated
// or overwritten table: every command refuses with exit 3 and one line
// saying what is wrong, and not one byte of the store changes — not even
// by a command that writes.
func TestDamagedStoreUntouched(t *testing.T) {
	seeded := seededStore(t)
	// Another store's tables, valid in themselves.
	other := filepath.Join(t.TempDir(), "other")
	small := filepath.Join(t.TempDir(), "small.nq")
	os.WriteFile(small, []byte("<http://ex/a> <http://ex/b> <http://ex/c> .\n<http://ex/a> <http://ex/b> <http://ex/d> .\n"), 0o644)
	entente(t, "", "--db", other, "load", small).must(t, 0)
	entente(t, "", "--db", other, "load", "--seed").must(t, 0)
	swapIn := func(db string) error {
		theirs, _ := filepath.Glob(filepath.Join(other, "*.sst"))
		for _, f := range theirs {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(db, filepath.Base(f)), b, 0o644); err != nil {
				return err
			}
		}
		return nil
	}
	for _, c := range []struct {
		name   string
		damage func(db string) error
		want   string
	}{
		{"MANIFEST removed", func(db string) error { return os.Remove(filepath.Join(db, "MANIFEST")) }, "MANIFEST is missing"},
		{"MANIFEST emptied", func(db string) error { return os.Truncate(filepath.Join(db, "MANIFEST"), 0) }, "MANIFEST"},
		{"MANIFEST cut to its header", func(db string) error { return os.Truncate(filepath.Join(db, "MANIFEST"), 8) }, "MANIFEST lists no tables"},
		{"MANIFEST cut mid-record", func(db string) error { return os.Truncate(filepath.Join(db, "MANIFEST"), 35) }, "MANIFEST is truncated"},
		{"MANIFEST cut after a record", func(db string) error { return cutManifestAfterRecords(db, 1) }, "MANIFEST does not list"},
		{"table truncated", func(db string) error { return os.Truncate(firstTable(t, db), 126000) }, "truncated or replaced"},
		{"table removed", func(db string) error { return os.Remove(firstTable(t, db)) }, "missing"},
		{"tables of another store copied in", swapIn, "truncated or replaced"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := copyStore(t, seeded)
			if err := c.damage(db); err != nil {
				t.Fatal(err)
			}
			before := fingerprint(t, db)
			for _, args := range append(readCommands, []string{"load", "--seed"}) {
				r := entente(t, "", append([]string{"--db", db}, args...)...).must(t, 3)
				if !strings.Contains(r.stderr, "corrupt") || !strings.Contains(r.stderr, c.want) ||
					strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
					t.Fatalf("%v: not one line saying %q: %q", args, c.want, r.stderr)
				}
			}
			if after := fingerprint(t, db); after != before {
				t.Fatal("a command changed the damaged store's files")
			}
		})
	}
}

// cutManifestAfterRecords cuts the MANIFEST after its first n change
// records, exactly at a record's end, as a torn copy might.
func cutManifestAfterRecords(db string, n int) error {
	path := filepath.Join(db, "MANIFEST")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	off := 8
	for i := 0; i < n && off+8 <= len(b); i++ {
		off += 8 + int(binary.BigEndian.Uint32(b[off:]))
	}
	if off >= len(b) {
		return fmt.Errorf("the MANIFEST has fewer than %d records after the first", n+1)
	}
	return os.Truncate(path, int64(off))
}

func firstTable(t *testing.T, db string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(db, "*.sst"))
	if len(m) == 0 {
		t.Fatal("no table")
	}
	return m[0]
}

// TestNoStoreCreated: commands that read never create a store where there
// is none, and no command creates one among files that are not a store's.
func TestNoStoreCreated(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	empty := t.TempDir()
	for _, args := range readCommands {
		r := entente(t, "", append([]string{"--db", missing}, args...)...).must(t, 3)
		if !strings.Contains(r.stderr, "no store in") {
			t.Fatalf("%v: %q", args, r.stderr)
		}
		entente(t, "", append([]string{"--db", empty}, args...)...).must(t, 3)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatal("a read command created the store's directory")
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Fatalf("a read command wrote into an empty directory: %v", entries)
	}

	// A directory of someone else's files, one named like a table.
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("my notes\n"), 0o644)
	b, _ := os.ReadFile(firstTable(t, seededStore(t)))
	os.WriteFile(filepath.Join(foreign, "000007.sst"), b, 0o644)
	os.WriteFile(filepath.Join(foreign, "000003.vlog"), []byte("not a log"), 0o644)
	before := fingerprint(t, foreign)
	for _, args := range append(readCommands, []string{"load", "--seed"}) {
		r := entente(t, "", append([]string{"--db", foreign}, args...)...).must(t, 3)
		if !strings.Contains(r.stderr, `holds "notes.txt"`) {
			t.Fatalf("%v: %q", args, r.stderr)
		}
	}
	if fingerprint(t, foreign) != before {
		t.Fatal("a command changed a directory that is not a store")
	}
}

// TestByteFlips flips single bytes of a seeded store's tables: every
// answer afterwards is the right one or a refusal (exit 3), never a panic
// and never silently wrong.
func TestByteFlips(t *testing.T) {
	seeded := seededStore(t)
	wantStats := entente(t, "", "--db", seeded, "stats", "--format", "json").must(t, 0).stdout
	wantWhy := entente(t, "", "--db", seeded, "query", "--format", "json", "why Japan Australia").must(t, 0).stdout
	tables, _ := filepath.Glob(filepath.Join(seeded, "*.sst"))
	rng := rand.New(rand.NewPCG(15, 4))
	trials := 80
	if testing.Short() {
		trials = 10
	}
	refused := 0
	for i := 0; i < trials; i++ {
		table := tables[rng.IntN(len(tables))]
		info, _ := os.Stat(table)
		off := rng.Int64N(info.Size())
		mask := byte(1 + rng.IntN(255))
		db := copyStore(t, seeded)
		path := filepath.Join(db, filepath.Base(table))
		b, _ := os.ReadFile(path)
		b[off] ^= mask
		os.WriteFile(path, b, 0o644)
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"stats", "--format", "json"}, wantStats},
			{[]string{"query", "--format", "json", "why Japan Australia"}, wantWhy},
		} {
			r := entente(t, "", append([]string{"--db", db}, c.args...)...)
			switch {
			case r.code == 3 && strings.Contains(r.stderr, "corrupt"):
				refused++
			case r.code == 0 && r.stdout == c.want:
			default:
				t.Fatalf("%s byte %d ^ %#x: %v: exit %d\nstdout: %.300s\nstderr: %.500s", filepath.Base(table), off, mask, c.args, r.code, r.stdout, r.stderr)
			}
		}
	}
	t.Logf("%d trials: %d answers refused, the rest right", trials, refused)
}

// crashedLoad leaves a store as a load killed after some batches leaves
// it: the seed graph, then batches of Movies in its write-ahead log.
func crashedLoad(t *testing.T, batches int) string {
	t.Helper()
	db := copyStore(t, seededStore(t))
	signalAfterBatches(t, db, moviesPath(t), batches, syscall.SIGKILL)
	if m, _ := filepath.Glob(filepath.Join(db, "*.mem")); len(m) == 0 {
		t.Fatal("the killed load left no write-ahead log")
	}
	return db
}

// TestDamagedLog: a write-ahead log with a damaged entry and committed
// writes after it is refused with what would be lost, untouched; check
// --repair accepts the loss and the store comes back as it was before the
// load (which the crash interrupted).
func TestDamagedLog(t *testing.T) {
	if testing.Short() {
		t.Skip("loads Movies")
	}
	db := crashedLoad(t, 12)
	logs, _ := filepath.Glob(filepath.Join(db, "*.mem"))
	var damaged string
	for _, l := range logs {
		if info, _ := os.Stat(l); info.Size() > 0 {
			damaged = l
		}
	}
	b, _ := os.ReadFile(damaged)
	b[100] ^= 0x55
	os.WriteFile(damaged, b, 0o644)
	before := fingerprint(t, db)
	for _, args := range append(readCommands, []string{"load", "--seed"}) {
		r := entente(t, "", append([]string{"--db", db}, args...)...).must(t, 3)
		if !strings.Contains(r.stderr, "write-ahead log "+filepath.Base(damaged)+" is damaged at byte") ||
			!strings.Contains(r.stderr, "committed transactions after it cannot be read") {
			t.Fatalf("%v: %q", args, r.stderr)
		}
	}
	if fingerprint(t, db) != before {
		t.Fatal("a command changed the store with the damaged log")
	}
	r := entente(t, "", "--db", db, "check", "--repair").must(t, 0)
	// What the log still held of the load, if anything, is undone.
	if !strings.Contains(r.stderr, "dropped") {
		t.Fatalf("check --repair: %q", r.stderr)
	}
	s, _ := stats(t, db)
	if s.Quads != 3727 {
		t.Fatalf("after the repair the store holds %d quads, want the seed graph's 3,727", s.Quads)
	}
}

// TestFullDisk loads into stores on a small file system: the load fails
// with one line saying how much space it needed, nothing of it is kept,
// and with the disk full the commands that read keep working.
func TestFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("loads Movies")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=30m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a 30 MiB tmpfs to fill (needs root): %v %s", err, out)
	}
	defer exec.Command("umount", mnt).Run()
	movies := moviesPath(t)

	withData := filepath.Join(mnt, "seeded")
	entente(t, "", "--db", withData, "load", "--seed").must(t, 0)
	for _, db := range []string{withData, filepath.Join(mnt, "empty")} {
		r := entente(t, "", "--db", db, "load", movies).must(t, 1)
		if !strings.Contains(r.stderr, "not enough free disk space") || !strings.Contains(r.stderr, "needs about") ||
			!strings.Contains(r.stderr, "nothing was loaded") {
			t.Fatalf("%s: %q", db, r.stderr)
		}
	}
	s, _ := stats(t, withData)
	if s.Quads != 3727 {
		t.Fatalf("after the failed load the store holds %d quads", s.Quads)
	}

	// Fill the disk: readers still answer, writers say why they cannot.
	fill, err := os.Create(filepath.Join(mnt, "fill"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(fill, io.LimitReader(zeros{}, 64<<20))
	fill.Close()
	entente(t, "", "--db", withData, "check").must(t, 0)
	entente(t, "", "--db", withData, "query", "why Japan Australia").must(t, 0)
	if s, _ := stats(t, withData); s.Quads != 3727 {
		t.Fatalf("with the disk full the store holds %d quads", s.Quads)
	}
	one := filepath.Join(t.TempDir(), "one.nq")
	os.WriteFile(one, []byte("<http://ex/a> <http://ex/p> <http://ex/b> .\n"), 0o644)
	r := entente(t, "", "--db", withData, "load", one).must(t, 1)
	if !strings.Contains(r.stderr, "not enough free disk space") {
		t.Fatalf("load on a full disk: %q", r.stderr)
	}
	os.Remove(filepath.Join(mnt, "fill"))
	entente(t, "", "--db", withData, "load", one).must(t, 0)
	entente(t, "", "--db", withData, "check").must(t, 0)
}

func moviesPath(t *testing.T) string {
	t.Helper()
	p, err := cayleydata.Movies()
	if err != nil {
		t.Skipf("no Movies data set: %v", err)
	}
	return p
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
