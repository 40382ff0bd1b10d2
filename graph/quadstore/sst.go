package quadstore

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/cayleygraph/quad"
	"github.com/dgraph-io/badger/v4/fb"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/badger/v4/y"
	fbs "github.com/google/flatbuffers/go"
	"google.golang.org/protobuf/proto"
)

// sstBuilder builds one of Badger's tables, byte for byte the table
// Badger's table.Builder builds of the same keys with the same options
// (uncompressed, unencrypted: the store's), which TestSSTBuilder checks;
// a table of keys that are never looked up one by one is built without a
// Bloom filter (reset, bloomless), as Badger's would be with none.
// Badger's builder, with the copy of its table into one buffer, took
// about 0.26 of the 1.2 CPU-seconds of a Movies load: a slice of entry
// offsets grown from nothing a block, a 4-byte header allocated a key,
// its whole memory (twice the table's size) taken and cleared a table, a
// 3 MiB index builder a table. This one writes its blocks back to back
// into one buffer, kept with the builder from table to table, as are its
// other slices and its index builder; the file is that buffer and the
// index.
//
// The layout (Badger's table/builder.go): blocks, each its entries (a
// header of the key's overlap with the block's first key and the length
// of the rest, native-endian uint16s; the rest of the key; the value as
// y.ValueStruct encodes it), the entries' offsets (native-endian uint32s)
// and their count (big-endian), a pb.Checksum of all that and its length;
// then the index (a flatbuffers fb.TableIndex: each block's first key,
// offset and length, the Bloom filter of the keys, counts and sizes), its
// length, its checksum and the checksum's length.
type sstBuilder struct {
	blockSize int
	capacity  uint64  // table.Builder's tableCapacity: 95% of the table size
	bloomFP   float64 // the Bloom filter's false positives; 0 for none

	buf        []byte   // the blocks so far, the current one last
	blockStart int      // where the current block starts in buf
	offsets    []uint32 // the current block's entries' offsets in it
	blocks     []sstBlock
	baseKeys   []byte   // the blocks' first keys, back to back
	hashes     []uint32 // each key's hash (y.Hash, without its version)
	keys       int
	maxVersion uint64
	bloom      bool   // the table has a Bloom filter (of hashes)
	blocksSize uint32 // the finished blocks' bytes
	lenOffsets uint32 // table.Builder's estimate of the index's size

	index *fbs.Builder
	tail  []byte // the index, its length, its checksum and its length
}

// sstBlock is a finished block: where it is in buf and its first key in
// baseKeys.
type sstBlock struct {
	start, end   int
	keyAt, keyTo int
}

// newSSTBuilder returns a builder of tables with opts (as table.Builder
// takes them), or an error for options it cannot build (compression,
// encryption: the store uses neither).
func newSSTBuilder(opts table.Options) (*sstBuilder, error) {
	if opts.Compression != options.None || opts.DataKey != nil {
		return nil, fmt.Errorf("quadstore: internal error: tables with compression %v or encryption", opts.Compression)
	}
	return &sstBuilder{
		blockSize: opts.BlockSize,
		capacity:  uint64(float64(opts.TableSize) * 0.95),
		bloomFP:   opts.BloomFalsePositive,
		index:     fbs.NewBuilder(1 << 16),
	}, nil
}

// reset empties the builder for the next table, with a Bloom filter or
// not, keeping its memory.
func (b *sstBuilder) reset(bloom bool) {
	b.buf, b.blockStart, b.offsets = b.buf[:0], 0, b.offsets[:0]
	b.blocks, b.baseKeys, b.hashes = b.blocks[:0], b.baseKeys[:0], b.hashes[:0]
	b.keys, b.maxVersion, b.bloom, b.blocksSize, b.lenOffsets = 0, 0, bloom && b.bloomFP > 0, 0, 0
	b.tail = b.tail[:0]
}

// empty reports whether the table has no key.
func (b *sstBuilder) empty() bool { return b.keys == 0 }

// valueOverhead is what y.ValueStruct's encoding adds to a value with no
// meta, user meta or expiry: the two bytes and a one-byte varint of 0.
const valueOverhead = 3

// add adds key (Badger's internal key: ending in its version) and value,
// above the last key.
func (b *sstBuilder) add(key, value []byte) {
	vlen := valueOverhead + len(value)
	if n := len(b.offsets); n > 0 {
		// table.Builder's shouldFinishBlock: the block with this entry,
		// its offsets and checksum, over the block size.
		end := len(b.buf) - b.blockStart
		est := uint32(end) + 6 + uint32(len(key)) + uint32(vlen) + uint32((n+1)*4+4+8+4)
		if est > uint32(b.blockSize) {
			b.finishBlock()
		}
	}
	b.keys++
	if b.bloom {
		b.hashes = append(b.hashes, y.Hash(key[:len(key)-8]))
	}
	if v := y.ParseTs(key); v > b.maxVersion {
		b.maxVersion = v
	}
	diff := key
	if len(b.offsets) == 0 {
		b.baseKeys = append(b.baseKeys, key...)
	} else {
		base := b.baseKeys[len(b.baseKeys)-b.baseLen():]
		i := 0
		for i < len(key) && i < len(base) && key[i] == base[i] {
			i++
		}
		diff = key[i:]
	}
	b.offsets = append(b.offsets, uint32(len(b.buf)-b.blockStart))
	b.room(4 + len(diff) + vlen)
	var h [4]byte // table's header: two native-endian uint16s
	*(*[2]uint16)(unsafe.Pointer(&h)) = [2]uint16{uint16(len(key) - len(diff)), uint16(len(diff))}
	b.buf = append(b.buf, h[:]...)
	b.buf = append(b.buf, diff...)
	b.buf = append(b.buf, 0, 0, 0) // meta, user meta, expiry 0
	b.buf = append(b.buf, value...)
}

// room makes room in buf for n more bytes: at first a table's worth at
// once (grown from nothing, it took as long again as the rest of add),
// then doubling it for a table of values over the table's size.
func (b *sstBuilder) room(n int) {
	if cap(b.buf)-len(b.buf) < n {
		if cap(b.buf) == 0 {
			b.buf = make([]byte, 0, max(n, int(b.capacity+b.capacity/8)+b.blockSize))
			return
		}
		b.buf = slices.Grow(b.buf, max(n, cap(b.buf)))
	}
}

// baseLen is the length of the current block's first key.
func (b *sstBuilder) baseLen() int {
	at := 0
	if n := len(b.blocks); n > 0 {
		at = b.blocks[n-1].keyTo
	}
	return len(b.baseKeys) - at
}

// finishBlock ends the current block, if it has an entry.
func (b *sstBuilder) finishBlock() {
	if len(b.offsets) == 0 {
		return
	}
	b.room(4*len(b.offsets) + 4 + 16 + 4)
	b.buf = append(b.buf, unsafe.Slice((*byte)(unsafe.Pointer(&b.offsets[0])), 4*len(b.offsets))...)
	b.buf = binary.BigEndian.AppendUint32(b.buf, uint32(len(b.offsets)))
	sum := checksum(b.buf[b.blockStart:])
	b.buf = append(b.buf, sum...)
	b.buf = binary.BigEndian.AppendUint32(b.buf, uint32(len(sum)))
	keyAt := len(b.baseKeys) - b.baseLen()
	b.blocks = append(b.blocks, sstBlock{start: b.blockStart, end: len(b.buf), keyAt: keyAt, keyTo: len(b.baseKeys)})
	b.blocksSize += uint32(len(b.buf) - b.blockStart)
	// The base key rounded up to 4 bytes, and 40 of flatbuffers.
	b.lenOffsets += uint32(int(math.Ceil(float64(len(b.baseKeys)-keyAt)/4))*4) + 40
	b.blockStart, b.offsets = len(b.buf), b.offsets[:0]
}

// full reports whether the table has reached its size (table.Builder's
// ReachedCapacity).
func (b *sstBuilder) full() bool {
	est := b.blocksSize + uint32(len(b.offsets)*4) + 4 + 8 + 4 + 4 + b.lenOffsets
	return uint64(est) > b.capacity
}

// finish ends the table: its bytes are then b.buf and b.tail, in order.
func (b *sstBuilder) finish() {
	b.finishBlock()
	var bloom []byte
	if b.bloom {
		bloom = y.NewFilter(b.hashes, y.BloomBitsPerKey(len(b.hashes), b.bloomFP))
	}
	// table.Builder's buildIndex, on a builder kept from table to table.
	ib := b.index
	ib.Reset()
	offs := make([]fbs.UOffsetT, len(b.blocks))
	for i, bl := range b.blocks {
		k := ib.CreateByteVector(b.baseKeys[bl.keyAt:bl.keyTo])
		fb.BlockOffsetStart(ib)
		fb.BlockOffsetAddKey(ib, k)
		fb.BlockOffsetAddOffset(ib, uint32(bl.start))
		fb.BlockOffsetAddLen(ib, uint32(bl.end-bl.start))
		offs[i] = fb.BlockOffsetEnd(ib)
	}
	fb.TableIndexStartOffsetsVector(ib, len(offs))
	for i := len(offs) - 1; i >= 0; i-- {
		ib.PrependUOffsetT(offs[i])
	}
	offsEnd := ib.EndVector(len(offs))
	var bloomAt fbs.UOffsetT
	if len(bloom) > 0 {
		bloomAt = ib.CreateByteVector(bloom)
	}
	dataSize := uint32(len(b.buf))
	fb.TableIndexStart(ib)
	fb.TableIndexAddOffsets(ib, offsEnd)
	fb.TableIndexAddBloomFilter(ib, bloomAt)
	fb.TableIndexAddMaxVersion(ib, b.maxVersion)
	fb.TableIndexAddUncompressedSize(ib, b.blocksSize)
	fb.TableIndexAddKeyCount(ib, uint32(b.keys))
	fb.TableIndexAddOnDiskSize(ib, dataSize)
	fb.TableIndexAddStaleDataSize(ib, 0)
	ib.Finish(fb.TableIndexEnd(ib))
	index := ib.FinishedBytes()
	// The size on disk counts the index too.
	fb.GetRootAsTableIndex(index, 0).MutateOnDiskSize(dataSize + uint32(len(index)))
	sum := checksum(index)
	b.tail = append(b.tail[:0], index...)
	b.tail = binary.BigEndian.AppendUint32(b.tail, uint32(len(index)))
	b.tail = append(b.tail, sum...)
	b.tail = binary.BigEndian.AppendUint32(b.tail, uint32(len(sum)))
}

// bloomless reports whether keys of a family are only ever scanned, or
// looked up only where they are there: the P, O and L indexes (looked up
// one by one only by check, each quad's), the folded names (scanned) and
// the values (looked up by the ids of nodes, which have them). A table of
// such keys (tableStream starts a table where the families change) has no
// Bloom filter: hashing a Movies load's keys for the filters and setting
// their bits took 0.06 CPU-seconds, and half its keys are of these
// families. The S index (does a quad exist?), the hashes (is a value
// stored?) and the counters (zero when absent) are looked up for keys
// that are not there, where a filter spares the search of a table.
func bloomless(family byte) bool {
	switch family {
	case indexes[quad.Predicate-1].prefix, indexes[quad.Object-1].prefix, indexes[quad.Label-1].prefix, pfxFold, pfxNode:
		return true
	}
	return false
}

// size is the table's size once finished.
func (b *sstBuilder) size() int { return len(b.buf) + len(b.tail) }

// checksum is the encoded pb.Checksum (CRC32C) of data, as a table holds
// it.
func checksum(data []byte) []byte {
	c, err := proto.Marshal(&pb.Checksum{Sum: y.CalculateChecksum(data, pb.Checksum_CRC32C), Algo: pb.Checksum_CRC32C})
	if err != nil {
		panic(err) // a message of two numbers always encodes
	}
	return c
}
