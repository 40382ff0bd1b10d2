package quadstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/dgraph-io/badger/v4/fb"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
)

// tableInput is a graph whose bulk load makes many small tables (with
// bulkTableBytes set low): 3,000 nodes, 6,000 quads, some labelled, and
// duplicates.
func tableInput() ([]quad.Quad, model) { return tableGraph(true) }

// tableGraph is tableInput's graph, with its labels or without any.
func tableGraph(labels bool) ([]quad.Quad, model) {
	var in []quad.Quad
	for i := 0; i < 3000; i++ {
		var label any
		if labels {
			label = fmt.Sprintf("g%d", i%3)
		}
		in = append(in,
			quad.Make(fmt.Sprintf("n%d", i), "follows", fmt.Sprintf("n%d", (i*7)%1000), nil),
			quad.Make(fmt.Sprintf("n%d", i), "name", quad.String(fmt.Sprintf("Node %d", i%500)), label),
		)
	}
	in = append(in, in[:100]...)
	m := model{}
	m.add(in...)
	return in, m
}

// sstFiles lists the table files in dir.
func sstFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.sst"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestBulkTables: the first load into an empty store writes Badger's
// tables itself, many of them here (tables of 16 KiB), all in the last
// level, and Badger reads them back, in this process and the next. A
// graph without labels has no L index, and its duplicates are taken out
// by the sort of another.
func TestBulkTables(t *testing.T) {
	defer func(n uint64) { bulkTableBytes = n }(bulkTableBytes)
	bulkTableBytes = 16 << 10
	for _, tc := range []struct {
		labels bool
		o      LoadOptions
	}{{true, LoadOptions{}}, {true, LoadOptions{SpillAt: 1000}}, {false, LoadOptions{}}} {
		in, m := tableGraph(tc.labels)
		o := tc.o
		t.Run(fmt.Sprintf("labels %v, spill at %d", tc.labels, o.SpillAt), func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Load(context.Background(), &sliceReader{qs: in, failAt: -1}, &o)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Bulk || res.Added != int64(len(m)) {
				t.Fatalf("result %+v, want a bulk load of %d quads", res, len(m))
			}
			tables := s.db.Tables()
			if len(tables) < 8 {
				t.Errorf("%d tables, want many of 16 KiB", len(tables))
			}
			for _, ti := range tables {
				if ti.Level != s.bo.MaxLevels-1 {
					t.Errorf("table %d in level %d, want the last, %d", ti.ID, ti.Level, s.bo.MaxLevels-1)
				}
			}
			if got := len(sstFiles(t, dir)); got != len(tables) {
				t.Errorf("%d table files, Badger lists %d", got, len(tables))
			}
			verify(t, s, m)
			// Writes after it get versions above the load's.
			more := []quad.Quad{quad.Make("n1", "follows", "n2999", nil)}
			if _, err := s.AddQuads(more); err != nil {
				t.Fatal(err)
			}
			m := m.clone()
			m.add(more...)
			verify(t, s, m)
			s = reopened(t, s, dir, m)
			defer s.Close()
			if rep, err := s.Check(context.Background()); err != nil || !rep.OK() {
				t.Fatalf("check: %+v, %v", rep, err)
			}
		})
	}
}

// TestBulkTableFails: a table that cannot be written fails the load, which
// leaves the store empty, without its tables, and open to the next write,
// in this process and the next.
func TestBulkTableFails(t *testing.T) {
	defer func(n uint64) { bulkTableBytes = n }(bulkTableBytes)
	bulkTableBytes = 16 << 10
	in, m := tableInput()
	boom := errors.New("no room for the table")
	for _, at := range []int{1, 5} {
		t.Run(fmt.Sprintf("table %d", at), func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			var n atomic.Int64
			failTable = func(uint64) error {
				if n.Add(1) == int64(at) {
					return boom
				}
				return nil
			}
			_, err = s.Load(context.Background(), &sliceReader{qs: in, failAt: -1}, nil)
			failTable = nil
			if !errors.Is(err, boom) {
				t.Fatalf("load: %v, want %v", err, boom)
			}
			if n.Load() < int64(at) {
				t.Fatalf("%d tables written, the load never reached table %d", n.Load(), at)
			}
			verify(t, s, model{})
			for _, f := range sstFiles(t, dir) {
				id, _ := table.ParseFileID(filepath.Base(f))
				listed := false
				for _, ti := range s.db.Tables() {
					listed = listed || ti.ID == id
				}
				if !listed {
					t.Errorf("the failed load left %s", f)
				}
			}
			res, err := s.Load(context.Background(), &sliceReader{qs: in, failAt: -1}, nil)
			if err != nil || res.Added != int64(len(m)) {
				t.Fatalf("the load again: %+v, %v", res, err)
			}
			verify(t, s, m)
			defer reopened(t, s, dir, m).Close()
		})
	}
}

// TestTableStreamOrder: a stream's keys must rise; one that does not is an
// error, not a table Badger would misread.
func TestTableStreamOrder(t *testing.T) {
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts, err := newTableSet(t.TempDir(), s.bo, s.bo.MaxLevels-1)
	if err != nil {
		t.Fatal(err)
	}
	st := ts.stream()
	for _, k := range []string{"a", "b"} {
		if err := st.add([]byte(k), nil, 1); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"b", "a"} {
		if err := st.add([]byte(k), nil, 1); err == nil || !strings.Contains(err.Error(), "after") {
			t.Errorf("key %q after b: %v", k, err)
		}
	}
	if err := st.done(); err != nil {
		t.Fatal(err)
	}
	if len(ts.made) != 1 {
		t.Fatalf("%d tables, want 1", len(ts.made))
	}
	if _, err := os.Stat(filepath.Join(ts.dir, table.IDToFilename(ts.made[0]))); err != nil {
		t.Fatal(err)
	}
}

// TestKeyAfter: keyAfter orders keys as bytes.Compare does, across the
// eight-byte steps it compares and where one key is the other's prefix.
func TestKeyAfter(t *testing.T) {
	keys := [][]byte{nil, {0}, {0, 0}, {1}, []byte("abcdefgh"), []byte("abcdefgh\x00"), []byte("abcdefgi"),
		[]byte("abcdefghijklmnop"), []byte("abcdefghijklmnoq"), []byte("abcdefghijklmnopq"), {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0}}
	rng := rand.New(rand.NewPCG(1, 1))
	for range 2000 {
		k := make([]byte, rng.IntN(20))
		for i := range k {
			k[i] = byte(rng.IntN(3)) * 0x7f
		}
		keys = append(keys, k)
	}
	for _, a := range keys {
		for _, b := range keys[:40] {
			if got, want := keyAfter(a, b), bytes.Compare(a, b) > 0; got != want {
				t.Fatalf("keyAfter(%x, %x) = %v", a, b, got)
			}
			if got, want := keyAfter(b, a), bytes.Compare(b, a) > 0; got != want {
				t.Fatalf("keyAfter(%x, %x) = %v", b, a, got)
			}
		}
	}
}

// TestBulkTablesCrash: a crash while the first load writes its tables
// leaves the bulk marker and tables its MANIFEST does not list yet; the
// next open resets the store to empty, the tables gone, and the load can
// run again.
func TestBulkTablesCrash(t *testing.T) {
	defer func(n uint64) { bulkTableBytes = n }(bulkTableBytes)
	bulkTableBytes = 16 << 10
	in, m := tableInput()
	// Tables as the crashed load would have written them (another
	// store's, of the same input).
	done := t.TempDir()
	s, err := Open(done, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(context.Background(), &sliceReader{qs: in, failAt: -1}, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	dir := t.TempDir()
	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	tables := sstFiles(t, done)
	for _, f := range tables {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, bulkMarker), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, nil)
	if err != nil {
		t.Fatalf("open after the crash: %v", err)
	}
	defer s.Close()
	verify(t, s, model{})
	if got := len(sstFiles(t, dir)); got >= len(tables) {
		t.Errorf("%d table files after the reset, the crash left %d", got, len(tables))
	}
	if _, err := os.Stat(filepath.Join(dir, bulkMarker)); !os.IsNotExist(err) {
		t.Errorf("the bulk marker is still there: %v", err)
	}
	if _, err := s.Load(context.Background(), &sliceReader{qs: in, failAt: -1}, nil); err != nil {
		t.Fatal(err)
	}
	verify(t, s, m)
}

// TestTableStreamBloom: a stream of keys of every family makes tables each
// of families looked up one by one, with a Bloom filter, or of families
// only scanned (bloomless), without; and Badger reads every key back.
func TestTableStreamBloom(t *testing.T) {
	defer func(n uint64) { bulkTableBytes = n }(bulkTableBytes)
	bulkTableBytes = 32 << 10
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	ts, err := newTableSet(dir, s.bo, s.bo.MaxLevels-1)
	if err != nil {
		t.Fatal(err)
	}
	var keys [][]byte
	for _, fam := range []byte("LOPScfhmn") {
		for i := range 300 + int(fam)%7*100 {
			keys = append(keys, binary.BigEndian.AppendUint64([]byte{fam}, uint64(i)))
		}
	}
	st := ts.stream()
	for _, k := range keys {
		if err := st.add(k, []byte("v"), 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.done(); err != nil {
		t.Fatal(err)
	}
	read := 0
	for _, id := range ts.made {
		data, err := os.ReadFile(filepath.Join(dir, table.IDToFilename(id)))
		if err != nil {
			t.Fatal(err)
		}
		// The index: before its length, the checksum and its length.
		n := len(data)
		sumLen := int(binary.BigEndian.Uint32(data[n-4:]))
		idxEnd := n - 4 - sumLen - 4
		idxLen := int(binary.BigEndian.Uint32(data[idxEnd:]))
		hasBloom := fb.GetRootAsTableIndex(data[idxEnd-idxLen:idxEnd], 0).BloomFilterLength() > 0
		tbl, err := table.OpenInMemoryTable(data, id, &table.Options{
			ReadOnly: true, ChkMode: options.OnTableAndBlockRead, Compression: options.None, BlockSize: s.bo.BlockSize,
		})
		if err != nil {
			t.Fatal(err)
		}
		it := tbl.NewIterator(0)
		looked := map[bool]int{}
		for it.Rewind(); it.Valid(); it.Next() {
			if k := y.ParseKey(it.Key()); !bytes.Equal(k, keys[read]) {
				t.Fatalf("key %d read as %x, want %x", read, k, keys[read])
			}
			looked[!bloomless(keys[read][0])]++
			read++
		}
		it.Close()
		tbl.DecrRef()
		if len(looked) != 1 {
			t.Errorf("table %d mixes families looked up (%d keys) and not (%d)", id, looked[true], looked[false])
		}
		if hasBloom != (looked[true] > 0) {
			t.Errorf("table %d: a Bloom filter %v, keys looked up one by one %d", id, hasBloom, looked[true])
		}
	}
	if read != len(keys) {
		t.Fatalf("read %d keys of %d", read, len(keys))
	}
}

// TestManifestCut: a MANIFEST cut at any byte past its header is either
// read by Badger up to its last whole record (a cut at a record's end) or
// found cut inside a record by manifestCut, which Badger's reader refuses
// outright when the record's length is over the whole file's; and opening
// a store whose MANIFEST is cut inside a record says it is truncated.
func TestManifestCut(t *testing.T) {
	defer func(n uint64) { bulkTableBytes = n }(bulkTableBytes)
	bulkTableBytes = 16 << 10
	in, _ := tableInput()
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(context.Background(), &sliceReader{qs: in, failAt: -1}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(filepath.Join(dir, "MANIFEST"))
	if err != nil {
		t.Fatal(err)
	}
	cutAt := filepath.Join(t.TempDir(), "MANIFEST")
	refused, firstRefused := 0, 0
	for n := 9; n < len(whole); n++ {
		if err := os.WriteFile(cutAt, whole[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(cutAt)
		if err != nil {
			t.Fatal(err)
		}
		_, end, rerr := replayManifest(f, s.bo)
		at, cut := manifestCut(f, int64(n))
		f.Close()
		switch {
		case rerr != nil && !cut:
			t.Fatalf("cut at %d: Badger refuses it (%v) and manifestCut finds no cut", n, rerr)
		case rerr == nil && cut != (end < int64(n)):
			t.Fatalf("cut at %d: Badger read to %d, manifestCut says cut %v at %d", n, end, cut, at)
		case cut && rerr == nil && at != end:
			t.Fatalf("cut at %d: Badger read to %d, manifestCut says the cut record starts at %d", n, end, at)
		}
		if rerr != nil {
			if refused++; refused == 1 {
				firstRefused = n
			}
		}
	}
	if refused == 0 {
		t.Fatal("no cut made Badger refuse the MANIFEST: the case this checks did not come up")
	}
	// A store whose MANIFEST ends inside a record is reported truncated,
	// whether Badger reads it as cut or refuses it.
	for _, n := range []int{len(whole) - 3, firstRefused} {
		if err := os.WriteFile(filepath.Join(dir, "MANIFEST"), whole[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		if s, err := Open(dir, nil); err == nil {
			s.Close()
			t.Fatalf("a store whose MANIFEST is cut at %d opened", n)
		} else if !strings.Contains(err.Error(), "MANIFEST is truncated") {
			t.Fatalf("a MANIFEST cut at %d of %d: %v", n, len(whole), err)
		}
	}
}
