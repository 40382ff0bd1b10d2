package quadstore

import "encoding/binary"

// loadMemo is what a long transaction (a load in batches) remembers from
// one batch to the next, so that a batch does not read back from Badger
// what the load itself wrote or already read:
//
//   - the degree counters of the nodes it touched, as its last batch left
//     them (finish reads a counter only the first time);
//   - which nodes it created: those from the store's next id when the memo
//     began. A quad with such a node cannot be in the store unless this
//     load added it, which a filter of the quads it added answers (a
//     "maybe" is read from Badger, as before).
//
// All of it holds only while nobody else writes between the batches: each
// batch compares the store's version with the one its last commit left,
// and starts the memo over when they differ.
type loadMemo struct {
	version uint64 // the store's version after the last batch; 0 before the first
	firstID uint64 // the first id a node this load created can have
	counts  map[countK]int64
	added   quadFilter
}

// maxMemoCounts bounds the counters a memo holds (about 40 bytes each);
// past it, the memo stops vouching for the nodes the load creates.
const maxMemoCounts = 4 << 20

// attach makes the memo tx's, after checking that the store is as the
// memo's last batch left it. The writer's lock is held.
func (m *loadMemo) attach(tx *writeTx) {
	if v := tx.s.version.Load(); m.version != v {
		*m = loadMemo{version: v, firstID: tx.nextID, counts: make(map[countK]int64)}
	}
	tx.memo = m
}

// fresh reports whether a quad has a node this load created.
func (m *loadMemo) fresh(ids quadIDs) bool {
	for _, id := range ids {
		if id >= m.firstID {
			return true
		}
	}
	return false
}

// count returns a node's counter as the load's last batch left it; ok is
// false when the memo does not know it.
func (m *loadMemo) count(k countK) (n int64, ok bool) {
	if n, ok := m.counts[k]; ok {
		return n, true
	}
	// A node this load created has a counter in the memo for every
	// direction its quads use; none is zero.
	return 0, k.id >= m.firstID
}

// committed records what a batch's commit left: its counters and the
// store's version.
func (m *loadMemo) committed(tx *writeTx, final map[countK]int64) {
	m.version = tx.s.version.Load()
	if len(m.counts)+len(final) > maxMemoCounts {
		// Too many to remember: vouch for no node from here on.
		m.counts = make(map[countK]int64)
		m.firstID = ^uint64(0)
		m.added = quadFilter{}
		return
	}
	for k, n := range final {
		m.counts[k] = n
	}
}

// quadFilter is a Bloom filter of quads that grows a filter at a time
// (each 2 MiB, for filterItems quads: 16 bits and 7 hashes a quad, under
// 0.1% false positives).
type quadFilter struct {
	filters [][]uint64
	n       int // quads in the last filter
}

const (
	filterItems  = 1 << 20
	filterBits   = 16 * filterItems // a power of two
	filterHashes = 7
)

func quadHash(ids quadIDs) (uint64, uint64) {
	var b [32]byte
	for i, id := range ids {
		binary.LittleEndian.PutUint64(b[8*i:], id)
	}
	// Two 64-bit mixes of the ids (splitmix64's finaliser).
	h1, h2 := uint64(0x9e3779b97f4a7c15), uint64(0xc2b2ae3d27d4eb4f)
	for i := 0; i < 4; i++ {
		x := binary.LittleEndian.Uint64(b[8*i:])
		h1 = mix(h1 ^ x)
		h2 = mix(h2 + x*0xff51afd7ed558ccd)
	}
	return h1, h2 | 1
}

func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func (f *quadFilter) add(ids quadIDs) {
	if len(f.filters) == 0 || f.n >= filterItems {
		f.filters = append(f.filters, make([]uint64, filterBits/64))
		f.n = 0
	}
	bitset := f.filters[len(f.filters)-1]
	h1, h2 := quadHash(ids)
	for i := uint64(0); i < filterHashes; i++ {
		b := (h1 + i*h2) & (filterBits - 1)
		bitset[b/64] |= 1 << (b % 64)
	}
	f.n++
}

// has reports whether ids may have been added; false is certain.
func (f *quadFilter) has(ids quadIDs) bool {
	h1, h2 := quadHash(ids)
	for _, bitset := range f.filters {
		all := true
		for i := uint64(0); i < filterHashes && all; i++ {
			b := (h1 + i*h2) & (filterBits - 1)
			all = bitset[b/64]&(1<<(b%64)) != 0
		}
		if all {
			return true
		}
	}
	return false
}
