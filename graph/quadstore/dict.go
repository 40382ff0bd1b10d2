package quadstore

import (
	"context"
	"fmt"
	"hash/maphash"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/cayleygraph/quad"
)

// valueDict interns a load's values to dense ids (1, 2, …) in the order
// first seen, holding each value's stored encoding once. It is the bulk
// path's largest structure, so it is laid out for size: 23 to 33 bytes a
// value beside its encoding (a Go map of the same keys took 45 bytes an
// entry alone), and past its first block of values nothing is copied as
// it grows but its slot tables, a 256th of them at a time.
//
// A value is found by two 64-bit hashes of its N-Quads form (its identity,
// as hashOf's) under this process's random seeds: the slot table keeps 32
// bits of the first beside the id, keys the second whole, so two values
// are taken for one only when 96 bits agree, a chance of about 10^-15 at
// 10^7 values. An IRI's or a blank node's form is its text in fixed marks
// ("<" and ">", "_:"), so its text is hashed instead, under seeds of its
// kind (formHash): no form is built, which was a string a value
// occurrence, 2.4 million for the movie data. The store's own key, the first 16 bytes of the value's
// SHA-256, is taken once a value when the values are written (hashes),
// not once an occurrence (a value occurs five times on average in the
// movie data).
type valueDict struct {
	seeds [formKinds][2]maphash.Seed
	// shards are open-addressing tables of slots, linear probing, each a
	// power of two long and at most three quarters full, a value's by the
	// top dictShardBits bits of its first hash: each slot is 0 (empty) or
	// the first hash's high 32 bits (the tag) above a value's id. A
	// value's home slot is its tag modulo its table's length (below the
	// shard's bits), so a table grows without the values, and each grows
	// on its own: growing holds a table and its double for 1/256 of the
	// values, not all of them (at 2×10^7 values, one table was 268 MB).
	shards [1 << dictShardBits]slotTable
	// keys holds the second hash of each value, ends where each value's
	// encoding ends (an offset into the arena's blocks as if they were
	// one), by id, in chunks of 1<<dictChunkBits that are never copied as
	// they grow (see key and end).
	keys [][]uint64
	ends [][]uint32
	n    int // the values interned
	// arena holds the encodings back to back in blocks of arenaBlock
	// bytes, none across two blocks.
	arena [][]byte
	enc   []byte // the encoding of the value being interned
	// spill, once set (spillTo), takes the arena's full blocks out of
	// memory.
	spill *arenaFile
}

// slotTable is one shard of the dictionary's slots, and how many it uses.
type slotTable struct {
	slots []uint64
	used  int
}

// dictShardBits is how many top bits of a value's first hash choose its
// slot table.
const dictShardBits = 8

// dictChunkBits sizes the chunks of the dictionary's per-id slices (tests
// make them small).
var dictChunkBits uint = 16

// key is the second hash of value id.
func (d *valueDict) key(id uint32) uint64 {
	i := uint64(id - 1)
	return d.keys[i>>dictChunkBits][i&(1<<dictChunkBits-1)]
}

// end is where the encoding of value id ends.
func (d *valueDict) end(id uint32) uint64 {
	i := uint64(id - 1)
	return uint64(d.ends[i>>dictChunkBits][i&(1<<dictChunkBits-1)])
}

// arenaFile holds a large load's full arena blocks on disk: each is
// written to the file, at a multiple of stride, and read back through a
// read-only shared map of it, whose pages leave the resident set when
// released (releasePages) and come back from the page cache when read
// again. At 10^8 quads of B4's graph the arena is 700 MB; the values are
// read only when they are written to the store, in id order.
type arenaFile struct {
	f      *os.File
	stride uint64
	maps   [][]byte // the blocks mapped so far, arena[0:len(maps)]
}

// arenaBlock is the size of the arena's blocks: above maxValueBytes, so every
// value fits one (tests make it small).
var arenaBlock uint64 = 64 << 20

func newValueDict() valueDict {
	var d valueDict
	for k := range d.seeds {
		d.seeds[k] = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	}
	for i := range d.shards {
		d.shards[i].slots = make([]uint64, 16)
	}
	return d
}

// reserve takes room for n bytes of encodings in the arena's first block
// at once (at most the block), unless values are interned already.
func (d *valueDict) reserve(n int) {
	if len(d.arena) == 0 && n > 0 {
		d.arena = append(d.arena, make([]byte, 0, min(uint64(n), arenaBlock)))
	}
}

// size is how many bytes the encodings of the values interned take.
func (d *valueDict) size() uint64 {
	if d.n == 0 {
		return 0
	}
	return d.end(uint32(d.n))
}

// count is the number of values interned.
func (d *valueDict) count() int { return d.n }

// The kinds of N-Quads forms formHash hashes under seeds of their own.
const (
	formIRI   = iota // <text>
	formBNode        // _:text
	formOther        // the whole form
	formKinds
)

// formHash returns the dictionary's two hashes of v's N-Quads form. An IRI
// and a blank node have their text hashed under their kind's seeds; any
// other value has its form hashed, under the same seeds as an IRI's text
// or a blank node's if its form is one of theirs (a value of another Go
// type with the form of an IRI is that IRI, as for hashOf).
func (d *valueDict) formHash(v quad.Value) (uint64, uint64) {
	kind, text := formOther, ""
	switch v := v.(type) {
	case quad.IRI:
		kind, text = formIRI, string(v)
	case quad.BNode:
		kind, text = formBNode, string(v)
	default:
		text = v.String()
		if n := len(text); n >= 2 && text[0] == '<' && text[n-1] == '>' {
			kind, text = formIRI, text[1:n-1]
		} else if strings.HasPrefix(text, "_:") {
			kind, text = formBNode, text[2:]
		}
	}
	return maphash.String(d.seeds[kind][0], text), maphash.String(d.seeds[kind][1], text)
}

// intern returns the id of v, interning it first if new.
func (d *valueDict) intern(v quad.Value) (uint32, error) {
	h1, h2 := d.formHash(v)
	tag := h1 &^ (1<<32 - 1)
	t := &d.shards[h1>>(64-dictShardBits)]
	mask := uint64(len(t.slots) - 1)
	i := h1 >> 32 & mask
	for {
		s := t.slots[i]
		if s == 0 {
			break
		}
		if s&^(1<<32-1) == tag && d.key(uint32(s)) == h2 {
			return uint32(s), nil
		}
		i = (i + 1) & mask
	}
	var err error
	d.enc, err = appendValue(d.enc[:0], v)
	if err != nil {
		return 0, err
	}
	if len(d.enc) > maxValueBytes {
		return 0, fmt.Errorf("quadstore: value of %d bytes is over the limit of %d", len(d.enc), maxValueBytes)
	}
	if d.n >= 1<<32-2 {
		return 0, fmt.Errorf("%w: the bulk load outgrew its 2^32 values", ErrTooLarge)
	}
	// The value's block: the last one, or a new one if it does not fit.
	// The first block starts small and grows as a slice does (a small
	// load takes a few kilobytes); once it is full, the load is large,
	// and every further block is taken whole.
	end := uint64(0)
	if n := len(d.arena); n > 0 {
		last := d.arena[n-1]
		end = uint64(n-1)*arenaBlock + uint64(len(last))
		if uint64(len(last)+len(d.enc)) > arenaBlock {
			d.arena = append(d.arena, make([]byte, 0, arenaBlock))
			end = uint64(n) * arenaBlock
			if err := d.spillFull(); err != nil {
				return 0, err
			}
		}
	} else {
		d.arena = append(d.arena, make([]byte, 0, min(arenaBlock, 64<<10)))
	}
	end += uint64(len(d.enc))
	if end > 1<<32-1 {
		return 0, fmt.Errorf("%w: the bulk load outgrew its 4 GiB value arena", ErrTooLarge)
	}
	// A table of up to 2^(32-dictShardBits) slots keeps the home slot
	// below the shard's bits of the tag.
	if t.used+1 > len(t.slots)/4*3 && len(t.slots) >= 1<<(32-dictShardBits) {
		return 0, fmt.Errorf("%w: the bulk load outgrew its value table", ErrTooLarge)
	}
	last := &d.arena[len(d.arena)-1]
	*last = append(*last, d.enc...)
	if d.n&(1<<dictChunkBits-1) == 0 {
		d.keys = append(d.keys, make([]uint64, 0, 1<<dictChunkBits))
		d.ends = append(d.ends, make([]uint32, 0, 1<<dictChunkBits))
	}
	c := len(d.keys) - 1
	d.keys[c] = append(d.keys[c], h2)
	d.ends[c] = append(d.ends[c], uint32(end))
	d.n++
	id := uint32(d.n)
	t.slots[i] = tag | uint64(id)
	if t.used++; t.used > len(t.slots)/4*3 {
		t.grow()
	}
	return id, nil
}

// grow doubles a slot table.
func (t *slotTable) grow() {
	old := t.slots
	t.slots = make([]uint64, 2*len(old))
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s == 0 {
			continue
		}
		i := s >> 32 & mask // the home slot is the tag's
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// value is the encoding of value id.
func (d *valueDict) value(id uint32) []byte {
	end := d.end(id)
	blk := (end - 1) / arenaBlock
	start := blk * arenaBlock
	if id > 1 {
		start = max(start, d.end(id-1))
	}
	return d.arena[blk][start-blk*arenaBlock : end-blk*arenaBlock]
}

// spillTo has the arena's full blocks, now and from now on, written to a
// file in dir and read back through a map of it (arenaFile), where the
// system can map one. The file goes with close.
func (d *valueDict) spillTo(dir string) error {
	if d.spill != nil || !canMapFiles {
		return nil
	}
	f, err := os.CreateTemp(dir, "values-*.arena")
	if err != nil {
		return err
	}
	page := uint64(os.Getpagesize())
	d.spill = &arenaFile{f: f, stride: (arenaBlock + page - 1) / page * page}
	if len(d.arena) > 0 {
		return d.spillFull() // all but the last block are full
	}
	return nil
}

// spillFull writes every full block still in memory (all but the last) to
// the arena's file and maps it back, when the dictionary spills.
func (d *valueDict) spillFull() error {
	a := d.spill
	if a == nil {
		return nil
	}
	for blk := len(a.maps); blk < len(d.arena)-1; blk++ {
		b := d.arena[blk]
		off := int64(uint64(blk) * a.stride)
		if _, err := a.f.WriteAt(b, off); err != nil {
			return fmt.Errorf("quadstore: spilling the bulk load's values: %w", err)
		}
		m, err := mapFile(a.f, off, len(b))
		if err != nil {
			return fmt.Errorf("quadstore: spilling the bulk load's values: %w", err)
		}
		a.maps = append(a.maps, m)
		d.arena[blk] = m
	}
	return nil
}

// releasePages drops the pages of the spilled blocks from the resident
// set; reads map them again. It may run beside reads.
func (d *valueDict) releasePages() {
	if d.spill == nil {
		return
	}
	for _, m := range d.spill.maps {
		dropPages(m)
	}
}

// close unmaps and removes the arena's file, if it spilled: no value may
// be read after.
func (d *valueDict) close() {
	a := d.spill
	if a == nil {
		return
	}
	d.spill = nil
	for i, m := range a.maps {
		unmapFile(m)
		d.arena[i] = nil
	}
	a.f.Close()
	os.Remove(a.f.Name())
}

// dropIndex lets the slot table and keys go: the values can no longer be
// interned, only read.
func (d *valueDict) dropIndex() { d.shards, d.keys = [1 << dictShardBits]slotTable{}, nil }

// hashes returns the store's key (hashOf) of every value, hashes[id-1]
// for value id, taken on every core. A value's encoding gives back its
// N-Quads form (a time's is in UTC, to the second, as its encoding is), so
// the key is the one its first occurrence had.
func (d *valueDict) hashes(ctx context.Context) ([]valueHash, error) {
	out := make([]valueHash, d.count())
	err := d.eachHash(ctx, func(i int, h valueHash) { out[i] = h })
	return out, err
}

// eachHash calls set(id-1, key) with the store's key of every value, from
// as many goroutines as cores, each for ids of its own.
func (d *valueDict) eachHash(ctx context.Context, set func(i int, h valueHash)) error {
	n := d.count()
	workers := max(1, min(runtime.GOMAXPROCS(0), n/4096))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Go(func() {
			var form []byte
			for i := lo; i < hi; i++ {
				if i&0xffff == 0 {
					if err := ctx.Err(); err != nil {
						errs[w] = err
						return
					}
				}
				h, err := hashOfEncoded(d.value(uint32(i+1)), &form)
				if err != nil {
					errs[w] = fmt.Errorf("value %d: %w", i+1, err)
					return
				}
				set(i, h)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
