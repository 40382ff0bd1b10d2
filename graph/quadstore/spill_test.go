package quadstore

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
)

// TestRunsLeftByCrash: the runs of a bulk load a crash interrupted are no
// reason to call the directory foreign; a read-only open leaves them, the
// next writable open removes them and says so.
func TestRunsLeftByCrash(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddQuads([]quad.Quad{quad.Make("a", "b", "c", nil)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	runs := filepath.Join(dir, runsDirName)
	if err := os.MkdirAll(runs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(runs, "S000000.run"), make([]byte, 3*runRecord), 0o644); err != nil {
		t.Fatal(err)
	}
	if kind, foreign, err := Classify(dir); err != nil || kind != DirStore {
		t.Fatalf("classified as %v (%v), %v", kind, foreign, err)
	}
	ro, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ro.Close()
	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(runs); !os.IsNotExist(err) {
		t.Errorf("the runs are still there: %v", err)
	}
	if !strings.Contains(strings.Join(s.Notes(), "\n"), "sorted runs") {
		t.Errorf("notes %q say nothing of the runs", s.Notes())
	}
	m := model{}
	m.add(quad.Make("a", "b", "c", nil))
	verify(t, s, m)
}

// TestSpillOutOfSpace: a bulk load whose runs find the disk full fails
// with ErrNoSpace before it has read all its input, and leaves the store
// empty and no runs behind.
func TestSpillOutOfSpace(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var in []quad.Quad
	for i := 0; i < 200000; i++ {
		in = append(in, quad.Make(fmt.Sprintf("n%d", i), "follows", fmt.Sprintf("n%d", i/2), nil))
	}
	// Room for what opening needs, not for a second run.
	spills := 0
	s.freeSpace = func(string) (int64, bool) {
		spills++
		if spills > 1 {
			return spaceMargin, true
		}
		return 1 << 40, true
	}
	r := &sliceReader{qs: in, failAt: -1}
	_, err = s.Load(context.Background(), r, &LoadOptions{SpillAt: 1000})
	if !errors.Is(err, ErrNoSpace) {
		t.Fatalf("load: %v, want ErrNoSpace", err)
	}
	if r.i == len(in) {
		t.Errorf("the load read all its input after a run failed")
	}
	s.freeSpace = nil
	verify(t, s, model{})
	if _, err := os.Stat(filepath.Join(dir, runsDirName)); !os.IsNotExist(err) {
		t.Errorf("the runs are still there: %v", err)
	}
}

// TestBulkValuesCap: once the bulk path holds BulkValues values it stops
// taking quads, writes what it took (sorted in memory or from runs) and
// hands the rest to transactions; the store is the same either way.
func TestBulkValuesCap(t *testing.T) {
	var in []quad.Quad
	for i := 0; i < 15000; i++ {
		in = append(in,
			quad.Make(fmt.Sprintf("n%d", i), "follows", fmt.Sprintf("n%d", i/3), nil),
			quad.Make(fmt.Sprintf("n%d", i), "name", quad.String(fmt.Sprintf("Node %d", i)), fmt.Sprintf("g%d", i%4)),
		)
	}
	in = append(in, in[:5000]...)
	m := model{}
	m.add(in...)
	for _, spillAt := range []int{0, 3000} {
		t.Run(fmt.Sprint("spill at ", spillAt), func(t *testing.T) {
			s, err := Open(t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var batches int64
			res, err := s.Load(context.Background(), &sliceReader{qs: in, failAt: -1}, &LoadOptions{
				BulkValues: 5000, SpillAt: spillAt,
				Progress: func(p LoadProgress) { batches = max(batches, p.Batches) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Bulk || batches < 2 {
				t.Fatalf("bulk %v, %d batches: the cap did not hand the rest to transactions", res.Bulk, batches)
			}
			if res.Read != int64(len(in)) || res.Added != int64(len(m)) {
				t.Fatalf("result %+v, want %d read, %d added", res, len(in), len(m))
			}
			verify(t, s, m)
		})
	}
}

// TestSortQuads: quads sort a byte at a time as they do compared a
// direction at a time in the index's order, for ids of every width: labels absent, hubs, a
// few predicates, ids at 32 bits, one distinct record, none.
func TestSortQuads(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for _, tc := range []struct {
		name string
		n    int
		gen  func(i int) [4]uint32
	}{
		{"none", 0, nil},
		{"one", 1, func(int) [4]uint32 { return [4]uint32{1, 2, 3, 0} }},
		{"all the same", 5_000, func(int) [4]uint32 { return [4]uint32{9, 2, 9, 0} }},
		{"graph", 200_000, func(i int) [4]uint32 {
			l := uint32(0)
			if rng.IntN(4) == 0 {
				l = uint32(300_000 + i)
			}
			return [4]uint32{uint32(i/8 + 1), uint32(rng.IntN(6) + 1), uint32(rng.Float64()*rng.Float64()*25_000) + 1, l}
		}},
		{"wide ids", 50_000, func(int) [4]uint32 {
			return [4]uint32{rng.Uint32() | 1<<31, rng.Uint32(), uint32(rng.IntN(3)), rng.Uint32() >> uint(rng.IntN(32))}
		}},
	} {
		for xi := range indexes {
			x := &indexes[xi]
			t.Run(fmt.Sprintf("%s %c", tc.name, x.prefix), func(t *testing.T) {
				quads := make([][4]uint32, tc.n)
				for i := range quads {
					quads[i] = tc.gen(i)
				}
				want := slices.Clone(quads)
				slices.SortFunc(want, byIndex[uint32](x))
				sortQuads(quads, x)
				for i := range quads {
					if quads[i] != want[i] {
						t.Fatalf("quad %d is %v, want %v", i, quads[i], want[i])
					}
				}
			})
		}
	}
}

// TestSortPacked: packed quads sort a byte at a time as they do compared,
// whatever bytes they use: none, one, all the same, zero, the movie data's
// 57 bits with duplicates, all 64 bits, the low byte alone, a constant
// high part above varied low bits.
func TestSortPacked(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 7))
	p := quadPacking{bits: 19, dirs: 3}
	for _, tc := range []struct {
		name string
		n    int
		gen  func(i int) uint64
	}{
		{"none", 0, nil},
		{"one", 1, func(int) uint64 { return 42 }},
		{"all the same", 3_000, func(int) uint64 { return 1<<40 | 7 }},
		{"zeros", 500, func(int) uint64 { return 0 }},
		{"movies", 300_000, func(i int) uint64 {
			q := [4]uint32{uint32(i/5 + 1), uint32(rng.IntN(30) + 1), uint32(rng.Float64()*rng.Float64()*290_000) + 1, 0}
			if i%10 == 0 {
				q[0] = 1 // a hub, and duplicates
			}
			return p.one(&q, primary)
		}},
		{"64 bits", 100_000, func(int) uint64 { return rng.Uint64() }},
		{"low byte", 10_000, func(int) uint64 { return uint64(rng.IntN(256)) }},
		{"high part", 20_000, func(int) uint64 { return 0xabcd<<48 | uint64(rng.IntN(1<<20)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := make([]uint64, tc.n)
			for i := range keys {
				keys[i] = tc.gen(i)
			}
			want := slices.Clone(keys)
			slices.Sort(want)
			sortPacked(keys)
			if !slices.Equal(keys, want) {
				for i := range keys {
					if keys[i] != want[i] {
						t.Fatalf("key %d is %x, want %x", i, keys[i], want[i])
					}
				}
			}
		})
	}
}

// BenchmarkSpillSort: a chunk of B4's graph sorted in the order of each
// index, as spill sorts it, against sorting the quads a direction at a
// time.
func BenchmarkSpillSort(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	chunk := make([][4]uint32, defaultSpillAt)
	for i := range chunk {
		l := uint32(0)
		if rng.IntN(10) < 3 {
			l = uint32(len(chunk) + i)
		}
		chunk[i] = [4]uint32{uint32(i/8 + 1), uint32(rng.IntN(6) + 1), uint32(rng.Float64()*rng.Float64()*float64(len(chunk)/17)) + 1, l}
	}
	rng.Shuffle(len(chunk), func(i, j int) { chunk[i], chunk[j] = chunk[j], chunk[i] })
	qs := make([][4]uint32, len(chunk))
	b.Run("bytes", func(b *testing.B) {
		for b.Loop() {
			copy(qs, chunk)
			for xi := range indexes {
				x := &indexes[xi]
				quads := qs
				if x.dirs[0] == quad.Label {
					quads = quads[:partitionLabelled(quads)]
				}
				sortQuads(quads, x)
			}
		}
	})
	b.Run("by direction", func(b *testing.B) {
		for b.Loop() {
			copy(qs, chunk)
			for xi := range indexes {
				slices.SortFunc(qs, byIndex[uint32](&indexes[xi]))
			}
		}
	})
}

// BenchmarkSortPacked sorts the movie data's quads as the bulk path packs
// them (ids of 19 bits, no label: 57 bits a quad), in the S index's order,
// a byte at a time (sortPacked) and by comparison (slices.Sort).
func BenchmarkSortPacked(b *testing.B) {
	const n, values = 471705, 293910
	rng := rand.New(rand.NewPCG(1, 2))
	p := quadPacking{bits: uint(bits.Len32(values)), dirs: 3}
	quads := make([][4]uint32, n)
	for i := range quads {
		// Subjects a few quads each, 30 predicates, objects skewed.
		quads[i] = [4]uint32{uint32(i/5 + 1), uint32(rng.IntN(30) + 1), uint32(rng.Float64()*rng.Float64()*values) + 1, 0}
	}
	rng.Shuffle(n, func(i, j int) { quads[i], quads[j] = quads[j], quads[i] })
	keys := p.pack(nil, quads, primary)
	work := make([]uint64, n)
	for _, c := range []struct {
		name string
		sort func([]uint64)
	}{{"bytes", sortPacked}, {"compared", slices.Sort[[]uint64]}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				copy(work, keys)
				c.sort(work)
			}
		})
	}
}
