package quadstore

import (
	"bytes"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/y"
)

// A long scan of a store on disk maps, page by page, every table it reads,
// and Badger keeps a table mapped while it is open: a scan of a store of
// 10^8 quads (the link index's build after a load) left 2.7 GB of table
// pages in the process's resident set. scanPages lets such a scan drop them
// as it goes (releaseTablePages: the pages stay in the page cache).
//
// That is safe only for the tables its iterator holds. Badger's iterator
// takes a reference to every table it picks, and a table is unmapped only
// when its last reference goes, so a table the iterator holds stays mapped,
// even if a compaction replaces it, until the iterator is closed. The
// iterator picks, when it is made, every table whose keys (without their
// versions) reach the prefix; a table listed by db.Tables both before and
// after the iterator was made was there when it picked.
type scanPages struct {
	dir   string
	names map[string]bool // file names of the tables the iterator holds
	last  time.Time
	n     int // keys since the clock was read
	freed bool
}

// A long scan releases pages every releaseEvery, reading the clock every
// releaseKeys keys (variables for tests).
var (
	releaseEvery = 250 * time.Millisecond
	releaseKeys  = 8192
)

// releasedBytes counts the bytes of maps scans released (for tests).
var releasedBytes atomic.Int64

// newScanIterator makes an iterator for a scan of prefix, with the
// scanPages that releases its tables' pages as it goes (nil for a store in
// memory or for a nil s).
func (s *QuadStore) newScanIterator(txn *badger.Txn, opts badger.IteratorOptions) (*badger.Iterator, *scanPages) {
	if s == nil || s.opts.InMemory {
		return txn.NewIterator(opts), nil
	}
	before := s.db.Tables()
	it := txn.NewIterator(opts)
	after := s.db.Tables()
	present := make(map[uint64]bool, len(before))
	for _, t := range before {
		present[t.ID] = true
	}
	p := &scanPages{dir: s.dir, names: map[string]bool{}, last: time.Now()}
	for _, t := range after {
		if present[t.ID] && reachesPrefix(t, opts.Prefix) {
			p.names[fmt.Sprintf("%06d.sst", t.ID)] = true
		}
	}
	return it, p
}

// reachesPrefix is Badger's test of whether an iterator over prefix picks
// a table (IteratorOptions.pickTable without its bloom filter, which
// applies only to a prefix that is a whole key).
func reachesPrefix(t badger.TableInfo, prefix []byte) bool {
	if len(prefix) == 0 {
		return true
	}
	cut := func(k []byte) int {
		k = y.ParseKey(k)
		if len(k) > len(prefix) {
			k = k[:len(prefix)]
		}
		return bytes.Compare(k, prefix)
	}
	return cut(t.Left) <= 0 && cut(t.Right) >= 0
}

// tick is called for every key the scan reads; every quarter second it
// releases the pages the scan mapped.
func (p *scanPages) tick() {
	if p == nil {
		return
	}
	if p.n++; p.n < releaseKeys {
		return
	}
	p.n = 0
	if time.Since(p.last) < releaseEvery {
		return
	}
	releasedBytes.Add(releaseTablePages(p.dir, p.names))
	p.last, p.freed = time.Now(), true
}

// done is called before the iterator is closed: a scan that released pages
// releases the last it mapped.
func (p *scanPages) done() {
	if p != nil && p.freed {
		releasedBytes.Add(releaseTablePages(p.dir, p.names))
	}
}
