package server

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
)

// nameIndex completes names: every entity's name, aliases and id, lower
// case, sorted, for prefix search.
type nameIndex struct {
	keys []nameKey
}

type nameKey struct {
	key   string // lower case
	text  string // as written
	e     *graph.Entity
	alias bool // an alias or an id, not the name
}

type hit struct {
	e     *graph.Entity
	match string // the name, alias or id that matched, as written
	rank  int
}

// nameCache holds the index of the store's current version.
type nameCache struct {
	mu      sync.Mutex
	version uint64
	idx     *nameIndex
}

func (c *nameCache) get(ctx context.Context, db *graph.DB) (*nameIndex, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := db.Version()
	if c.idx != nil && c.version == v {
		return c.idx, nil
	}
	cat, err := db.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	idx := &nameIndex{}
	for _, e := range cat.Entities {
		seen := map[string]bool{}
		add := func(text string, alias bool) {
			k := strings.ToLower(strings.TrimSpace(text))
			if k == "" || seen[k] {
				return
			}
			seen[k] = true
			idx.keys = append(idx.keys, nameKey{k, text, e, alias})
		}
		add(e.Name, false)
		for _, a := range e.Aliases {
			add(a, true)
		}
		add(query.IDString(e.ID), true)
		add(e.Slug(), true)
	}
	sort.Slice(idx.keys, func(i, j int) bool { return idx.keys[i].key < idx.keys[j].key })
	c.idx, c.version = idx, v
	return idx, nil
}

// maxScan bounds the entries one completion looks at.
const maxScan = 20000

// complete finds up to limit entities for the text typed: those with a
// name, alias or id starting with it (exact matches first, then names
// before aliases, shorter first), then those with a word starting with
// it.
func (x *nameIndex) complete(text string, limit int) []hit {
	t := strings.ToLower(strings.TrimSpace(text))
	if t == "" {
		return nil
	}
	seen := map[*graph.Entity]int{}
	var hits []hit
	add := func(k nameKey, rank int) {
		if i, ok := seen[k.e]; ok {
			if rank < hits[i].rank {
				hits[i] = hit{k.e, k.text, rank}
			}
			return
		}
		seen[k.e] = len(hits)
		hits = append(hits, hit{k.e, k.text, rank})
	}
	i := sort.Search(len(x.keys), func(i int) bool { return x.keys[i].key >= t })
	for n := 0; i < len(x.keys) && strings.HasPrefix(x.keys[i].key, t) && n < maxScan; i, n = i+1, n+1 {
		k := x.keys[i]
		rank := 2
		switch {
		case k.key == t && !k.alias:
			rank = 0
		case k.key == t:
			rank = 1
		case k.alias:
			rank = 3
		}
		add(k, rank)
	}
	if len(hits) < limit {
		word := " " + t
		for n, k := range x.keys {
			if n >= 50*maxScan || len(hits) >= 4*limit {
				break
			}
			if strings.Contains(k.key, word) {
				add(k, 4)
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if len(a.match) != len(b.match) {
			return len(a.match) < len(b.match)
		}
		return a.match < b.match
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}

// Warm builds what completion needs (the store's catalog and the name
// index) ahead of the first request: on Movies that is a second or two.
func (s *Server) Warm(ctx context.Context) error {
	_, err := s.names.get(ctx, s.db)
	return err
}
