package quadstore

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cayleygraph/quad"
)

// TestQuadPacking: a quad packed in an index's order unpacks to itself,
// and packed quads sort as the index's comparison sorts them, with and
// without labels, up to the largest ids that fit.
func TestQuadPacking(t *testing.T) {
	for _, tc := range []struct {
		values   int
		labelled bool
		ok       bool
	}{
		{1, false, true},
		{1<<21 - 1, false, true}, // 3 ids of 21 bits
		{1 << 21, false, false},
		{1<<16 - 1, true, true}, // 4 ids of 16 bits
		{1 << 16, true, false},
		{294_000, false, true}, // the movie data
	} {
		b := &bulkBuilder{dict: valueDict{n: tc.values}, labelled: tc.labelled}
		p, ok := b.packing()
		if ok != tc.ok {
			t.Errorf("%d values, labelled %v: packs %v, want %v", tc.values, tc.labelled, ok, tc.ok)
		}
		if !ok {
			continue
		}
		rng := rand.New(rand.NewPCG(uint64(tc.values), 1))
		id := func() uint32 {
			switch rng.IntN(4) {
			case 0:
				return uint32(tc.values) // the largest
			case 1:
				return 1
			}
			return 1 + rng.Uint32N(uint32(tc.values))
		}
		quads := make([][4]uint32, 2000)
		for i := range quads {
			quads[i] = [4]uint32{id(), id(), id(), 0}
			if tc.labelled && rng.IntN(2) == 0 {
				quads[i][3] = id()
			}
		}
		for xi := range indexes {
			x := &indexes[xi]
			if !tc.labelled && x.dirs[0] == quad.Label {
				continue // not written without labels
			}
			keys := p.pack(nil, quads, x)
			for i, k := range keys {
				if got := p.unpack(k, x); got != quads[i] {
					t.Fatalf("%c: %v packed as %x unpacks to %v", x.prefix, quads[i], k, got)
				}
			}
			want := slices.Clone(quads)
			slices.SortFunc(want, byIndex[uint32](x))
			slices.Sort(keys)
			for i, k := range keys {
				if got := p.unpack(k, x); got != want[i] {
					t.Fatalf("%c: sorted packed quad %d is %v, want %v", x.prefix, i, got, want[i])
				}
			}
			// Packed again in another index's order, as the L, O and P
			// indexes are written one after the other.
			to := &indexes[(xi+1)%3]
			p.repack(keys, x, to)
			for i, k := range keys {
				if got := p.unpack(k, to); got != want[i] {
					t.Fatalf("%c to %c: %v repacked unpacks to %v", x.prefix, to.prefix, want[i], got)
				}
			}
		}
	}
}

// TestSortHashEntries: the bucketed sort orders entries by hash as a
// comparison sort does: uniform hashes, hashes crowded into one bucket,
// and none or one.
func TestSortHashEntries(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, tc := range []struct {
		name string
		n    int
		same int // leading bytes every hash shares
	}{
		{"none", 0, 0},
		{"one", 1, 0},
		{"uniform", 200_000, 0},
		{"one bucket", 5_000, 2},
		{"few buckets", 20_000, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es := make([]hashEntry, tc.n)
			for i := range es {
				for j := range es[i].h {
					es[i].h[j] = byte(rng.Uint32())
				}
				for j := range tc.same {
					es[i].h[j] = 0xab
				}
				es[i].id = uint32(i + 1)
			}
			want := slices.Clone(es)
			slices.SortFunc(want, func(p, q hashEntry) int {
				return cmp.Or(bytes.Compare(p.h[:], q.h[:]), cmp.Compare(p.id, q.id))
			})
			sortHashEntries(es)
			for i := range es {
				if es[i].h != want[i].h {
					t.Fatalf("entry %d: hash %x, want %x", i, es[i].h, want[i].h)
				}
			}
			slices.SortFunc(es, func(p, q hashEntry) int { return cmp.Compare(p.id, q.id) })
			for i := range es {
				if es[i].id != uint32(i+1) {
					t.Fatalf("entry %d of the sorted entries is lost or doubled (id %d)", i, es[i].id)
				}
			}
		})
	}
}

// TestBulkUnpacked: a graph whose quads do not pack into a number (labels,
// and more values than 16 bits number) is written by comparing quads,
// its duplicates taken out, as a packed one is.
func TestBulkUnpacked(t *testing.T) {
	var in []quad.Quad
	for i := range 22_000 {
		in = append(in, quad.Make(fmt.Sprintf("s%d", i), "p", fmt.Sprintf("o%d", i), fmt.Sprintf("g%d", i)))
	}
	in = append(in, in[:500]...)
	m := model{}
	m.add(in...)
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := newBulkBuilder()
	for _, q := range in {
		if err := b.add(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := b.packing(); ok {
		t.Fatalf("%d values with labels pack into a number; the test needs a graph that does not", b.values())
	}
	res, err := s.Load(context.Background(), &sliceReader{qs: in, failAt: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Bulk || res.Added != int64(len(m)) {
		t.Fatalf("result %+v, want a bulk load of %d quads", res, len(m))
	}
	verify(t, s, m)
}
