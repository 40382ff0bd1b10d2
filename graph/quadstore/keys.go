package quadstore

import (
	"encoding/binary"

	"github.com/cayleygraph/quad"
)

// The key space. Every key starts with one byte naming its family.
//
//	m name                      metadata (format version, counters)
//	h hash16                 -> node id (8 bytes)
//	n id                     -> encoded value
//	c dir id                 -> number of quads with node id in direction dir (uvarint)
//	S s p o l, P p s o l,
//	O o p s l, L l s p o     -> quad indexes, empty values; L only for quads with a label
//	u load seq               -> undo journal of an unfinished load (packed quads)
//	~                        -> written and dropped at once to compact level 0 (tidyLevel0)
//
// Ids are 8-byte big-endian integers, so that keys sort by id and Badger's
// prefix compression keeps them small. Id 0 means "no label".
const (
	pfxMeta    = 'm'
	pfxHash    = 'h'
	pfxNode    = 'n'
	pfxCount   = 'c'
	pfxJournal = 'u'
	pfxTidy    = '~'
)

var (
	keyFormat = []byte("mformat")
	keyQuads  = []byte("mquads")
	keyNodes  = []byte("mnodes")
	keyNextID = []byte("mnextid")
	tidyKey   = []byte{pfxTidy}
)

// quadKeyLen is the length of a quad index key.
const quadKeyLen = 1 + 4*8

// An index is one ordering of the quad's four node ids.
type index struct {
	prefix byte
	dirs   [4]quad.Direction
}

// indexes lists the four quad indexes. indexes[d-1] is the index whose
// leading direction is d.
var indexes = [4]index{
	{'S', [4]quad.Direction{quad.Subject, quad.Predicate, quad.Object, quad.Label}},
	{'P', [4]quad.Direction{quad.Predicate, quad.Subject, quad.Object, quad.Label}},
	{'O', [4]quad.Direction{quad.Object, quad.Predicate, quad.Subject, quad.Label}},
	{'L', [4]quad.Direction{quad.Label, quad.Subject, quad.Predicate, quad.Object}},
}

// primary is the index used for the existence of a quad and full scans.
var primary = &indexes[0]

// quadIDs holds a quad's node ids by direction: ids[d-1] for direction d.
type quadIDs [4]uint64

func (q quadIDs) get(d quad.Direction) uint64 { return q[d-1] }

// key appends the key of q in index x to dst.
func (x *index) key(dst []byte, q quadIDs) []byte {
	dst = append(dst, x.prefix)
	for _, d := range x.dirs {
		dst = binary.BigEndian.AppendUint64(dst, q[d-1])
	}
	return dst
}

// decode reads a quad from a key of index x. The key must be quadKeyLen long.
func (x *index) decode(k []byte) quadIDs {
	var q quadIDs
	for i, d := range x.dirs {
		q[d-1] = binary.BigEndian.Uint64(k[1+8*i:])
	}
	return q
}

// prefix appends the scan prefix for the leading n directions of x, taking
// their ids from q.
func (x *index) scanPrefix(dst []byte, q quadIDs, n int) []byte {
	dst = append(dst, x.prefix)
	for _, d := range x.dirs[:n] {
		dst = binary.BigEndian.AppendUint64(dst, q[d-1])
	}
	return dst
}

func hashKey(h valueHash) []byte {
	k := make([]byte, 1+hashSize)
	k[0] = pfxHash
	copy(k[1:], h[:])
	return k
}

func nodeKey(id uint64) []byte {
	k := make([]byte, 9)
	k[0] = pfxNode
	binary.BigEndian.PutUint64(k[1:], id)
	return k
}

func countKey(d quad.Direction, id uint64) []byte {
	k := make([]byte, 10)
	k[0] = pfxCount
	k[1] = byte(d)
	binary.BigEndian.PutUint64(k[2:], id)
	return k
}

func u64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

func putU64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
