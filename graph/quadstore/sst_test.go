package quadstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
)

// TestSSTBuilder builds the same tables with sstBuilder and Badger's
// table.Builder: they are full at the same key and byte for byte the
// same, for small and Badger's block sizes, with and without a Bloom
// filter (the builder's choice or none in the options), keys sharing long and short prefixes, empty values and values
// over a block, one key, and tables cut where the builders say they are
// full. Badger then opens each table, checks its checksums and reads
// every key back.
func TestSSTBuilder(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	type kv struct{ k, v []byte }
	gen := func(n, maxValue int) []kv {
		var out []kv
		id := uint64(0)
		for range n {
			id += uint64(rng.IntN(3) + 1)
			var k []byte
			switch rng.IntN(3) {
			case 0: // an index key: a family byte and ids
				k = binary.BigEndian.AppendUint64([]byte{'S'}, id/7)
				k = binary.BigEndian.AppendUint64(k, id)
			case 1: // a longer key sharing its start with the last
				k = append([]byte("f"), fmt.Sprintf("%08d text %d", id, rng.IntN(1000))...)
			default:
				k = binary.BigEndian.AppendUint64([]byte{'n'}, id)
			}
			v := make([]byte, rng.IntN(maxValue+1))
			for i := range v {
				v[i] = byte(rng.IntN(256))
			}
			out = append(out, kv{k, v})
		}
		// In key order, as a stream's keys come.
		for i := 1; i < len(out); i++ {
			for j := i; j > 0 && bytes.Compare(out[j].k, out[j-1].k) < 0; j-- {
				out[j], out[j-1] = out[j-1], out[j]
			}
		}
		for i := 1; i < len(out); i++ {
			if bytes.Equal(out[i].k, out[i-1].k) {
				out[i].k = append(out[i].k, byte(i))
			}
		}
		return out
	}
	tables := 0
	for _, c := range []struct {
		name        string
		n, maxValue int
		blockSize   int
		tableSize   uint64
		bloom       float64
	}{
		{"one key", 1, 10, 4096, 1 << 20, 0.01},
		{"small blocks", 3000, 40, 256, 1 << 20, 0.01},
		{"no bloom", 3000, 40, 256, 1 << 20, 0},
		{"badger's blocks", 20000, 20, 4096, 8 << 20, 0.01},
		{"values over a block", 300, 9000, 4096, 8 << 20, 0.01},
		{"empty values", 5000, 0, 1024, 1 << 20, 0.01},
		{"small tables", 20000, 60, 4096, 64 << 10, 0.01},
		{"small blocks and tables", 20000, 20, 128, 16 << 10, 0.01},
	} {
		for _, withBloom := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/bloom=%v", c.name, withBloom), func(t *testing.T) {
				opts := table.Options{TableSize: c.tableSize, BlockSize: c.blockSize, BloomFalsePositive: c.bloom, Compression: options.None}
				keys := gen(c.n, c.maxValue)
				ours, err := newSSTBuilder(opts)
				if err != nil {
					t.Fatal(err)
				}
				if !withBloom {
					opts.BloomFalsePositive = 0 // as ours builds them
				}
				version := uint64(rng.IntN(5) + 1)
				i := 0
				for i < len(keys) {
					theirs := table.NewTableBuilder(opts)
					ours.reset(withBloom)
					first := i
					for ; i < len(keys); i++ {
						if i > first {
							if a, b := ours.full(), theirs.ReachedCapacity(); a != b {
								t.Fatalf("key %d: full %v, Badger's builder %v", i, a, b)
							} else if a {
								break
							}
						}
						k := binary.BigEndian.AppendUint64(append([]byte(nil), keys[i].k...), math.MaxUint64-version)
						ours.add(k, keys[i].v)
						theirs.Add(k, y.ValueStruct{Value: keys[i].v}, 0)
					}
					want := theirs.Finish()
					theirs.Close()
					ours.finish()
					got := append(append([]byte(nil), ours.buf...), ours.tail...)
					if ours.size() != len(got) || !bytes.Equal(got, want) {
						at := 0
						for at < min(len(got), len(want)) && got[at] == want[at] {
							at++
						}
						t.Fatalf("keys %d to %d: a table of %d bytes, Badger's %d, first differing at %d", first, i, len(got), len(want), at)
					}
					// Badger reads it back, checking every checksum.
					tables++
					tbl, err := table.OpenInMemoryTable(got, uint64(tables), &table.Options{
						ReadOnly: true, ChkMode: options.OnTableAndBlockRead, Compression: options.None, BlockSize: c.blockSize,
					})
					if err != nil {
						t.Fatal(err)
					}
					if err := tbl.VerifyChecksum(); err != nil {
						t.Fatal(err)
					}
					it := tbl.NewIterator(0)
					n := first
					for it.Rewind(); it.Valid(); it.Next() {
						if !bytes.Equal(y.ParseKey(it.Key()), keys[n].k) || !bytes.Equal(it.Value().Value, keys[n].v) || y.ParseTs(it.Key()) != version {
							t.Fatalf("read key %d as %q, want %q", n, it.Key(), keys[n].k)
						}
						n++
					}
					it.Close()
					if n != i {
						t.Fatalf("read %d keys of the table's %d", n-first, i-first)
					}
					tbl.DecrRef()
				}
			})
		}
	}
}
