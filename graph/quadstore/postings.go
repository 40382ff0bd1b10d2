package quadstore

import (
	"container/list"
	"slices"
	"sync"
)

// The postings cache keeps, in memory, the quads of recent scans of one
// node or predicate (a prefix of one direction, which is what a large
// scan is), so that a query asked again, or one that walks the same hub
// twice, reads them from memory rather than Badger's tables: Cayley's
// integration queries on Movies intersect posting lists of 100,000 quads
// each, and decoding those keys again is most of their time. Entries are
// stamped with the store's version and used only while it has not moved
// (a write invalidates every entry); the cache holds at most
// postingsMaxBytes, least recently used out first.

const (
	// postingsMaxBytes bounds the cache (32 bytes a quad).
	postingsMaxBytes = 64 << 20
	// postingsMaxQuads is the largest scan kept: one of a sixteenth of
	// the cache.
	postingsMaxQuads = postingsMaxBytes / 32 / 16
	// postingsMinQuads is the smallest scan kept.
	postingsMinQuads = 1
	// postingsEntryCost is what an entry costs beside its quads, in
	// quads (its key, list element and map slot: ~128 bytes).
	postingsEntryCost = 4
)

type postingsCache struct {
	mu      sync.Mutex
	version uint64
	quads   int // held, in all entries
	byKey   map[string]*list.Element
	lru     list.List // of *postings, most recent first
}

type postings struct {
	key   string
	quads []quadIDs
}

// get returns the quads of the scan of prefix while the store is at
// version, or false.
func (c *postingsCache) get(prefix []byte, version uint64) ([]quadIDs, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil || c.version != version {
		if version > c.version || c.byKey == nil {
			c.reset(version)
		}
		return nil, false
	}
	e, ok := c.byKey[string(prefix)]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*postings).quads, true
}

// put keeps the quads of a whole scan of prefix, read from the store at
// version (read before the scan's transaction began: an entry of a
// version the store has left is never used).
func (c *postingsCache) put(prefix []byte, version uint64, quads []quadIDs) {
	if len(quads) < postingsMinQuads || len(quads) > postingsMaxQuads {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil || c.version != version {
		if version < c.version {
			return // read before a write this cache has seen
		}
		c.reset(version)
	}
	if _, ok := c.byKey[string(prefix)]; ok {
		return
	}
	for c.quads+len(quads)+postingsEntryCost > postingsMaxBytes/32 && c.lru.Len() > 0 {
		old := c.lru.Remove(c.lru.Back()).(*postings)
		delete(c.byKey, old.key)
		c.quads -= len(old.quads) + postingsEntryCost
	}
	p := &postings{key: string(prefix), quads: quads}
	if cap(quads) > len(quads)+len(quads)/8 || len(quads) <= len(quadScanner{}.small) {
		p.quads = slices.Clone(quads) // not the scanner's array, nor room the bound does not count
	}
	c.byKey[p.key] = c.lru.PushFront(p)
	c.quads += len(quads) + postingsEntryCost
}

// reset empties the cache for a new version of the store.
func (c *postingsCache) reset(version uint64) {
	c.version = version
	c.byKey = map[string]*list.Element{}
	c.lru.Init()
	c.quads = 0
}
