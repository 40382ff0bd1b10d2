package quadstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/table"
)

// CheckReport is what Check found.
type CheckReport struct {
	Quads    int64 // quads in the primary index
	Nodes    int64 // node records
	Journals int   // journals of unfinished loads
	// Transactions is the number of transactions in the store's history.
	Transactions int
	Problems     []string // each inconsistency, in words; empty when consistent
}

// OK reports whether the store is consistent.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 }

const maxProblems = 100

func (r *CheckReport) problem(format string, args ...interface{}) {
	if len(r.Problems) == maxProblems {
		r.Problems = append(r.Problems, "… (more problems not listed)")
	}
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// checkTableHook, when set (tests), runs before Check verifies a table.
var checkTableHook func(id uint64)

// hasTable says whether table id is one of the store's tables now.
func (s *QuadStore) hasTable(id uint64) bool {
	for _, t := range s.db.Tables() {
		if t.ID == id {
			return true
		}
	}
	return false
}

// Check reads the whole store in one snapshot and verifies that every
// index entry resolves and every count agrees: each node's hash record
// points back to it, each quad is in every index it belongs to and its
// nodes exist, the degree counters and the totals match what the indexes
// hold. It reads everything once and holds a few bytes per node id.
func (s *QuadStore) Check(ctx context.Context) (rep *CheckReport, err error) {
	rep = &CheckReport{}
	// Check reports; it never panics, whatever Badger meets in the files.
	defer func() {
		if r := recover(); r != nil {
			rep.problem("the store's files could not be read: %s", firstLine(fmt.Sprint(r)))
			err = nil
		}
	}()
	if !s.opts.InMemory {
		// Every table's checksums, whatever the cache of verified
		// tables says (bit rot does not move a file's change time). A
		// compaction may replace a table meanwhile: one that fails
		// and is no longer the store's was deleted, not damaged.
		for _, t := range s.db.Tables() {
			name := table.IDToFilename(t.ID)
			if checkTableHook != nil {
				checkTableHook(t.ID)
			}
			if err := verifyTableCopy(filepath.Join(s.dir, name), t.ID); err != nil && s.hasTable(t.ID) {
				rep.problem("table %s is damaged: %s", name, tableDamage(err))
			}
			if err := ctx.Err(); err != nil {
				return rep, err
			}
		}
	}
	err = s.view(func(txn *badger.Txn) error {
		var metaQuads, metaNodes, nextID uint64
		for _, m := range []struct {
			k []byte
			v *uint64
		}{{keyQuads, &metaQuads}, {keyNodes, &metaNodes}, {keyNextID, &nextID}} {
			item, err := txn.Get(m.k)
			if err != nil {
				if errors.Is(err, badger.ErrKeyNotFound) && s.nquads.Load() == 0 && s.nnodes.Load() == 0 {
					continue // an empty store opened read-only has no metadata
				}
				rep.problem("metadata %q: %v", m.k[1:], err)
				continue
			}
			if err := item.Value(func(b []byte) error {
				if len(b) != 8 {
					return fmt.Errorf("%d bytes", len(b))
				}
				*m.v = u64(b)
				return nil
			}); err != nil {
				rep.problem("metadata %q: %v", m.k[1:], err)
			}
		}

		// Nodes: every value decodes, its hash record points back to it.
		exists := make([]bool, nextID+1)
		var folded int64 // the entries the folded-name index should hold
		err := s.scanAll(ctx, txn, []byte{pfxNode}, func(k, v []byte) error {
			if len(k) != 9 {
				rep.problem("node key of %d bytes", len(k))
				return nil
			}
			id := u64(k[1:])
			if id == 0 || id >= nextID {
				rep.problem("node %d is outside the allocated ids 1…%d", id, int64(nextID)-1)
				return nil
			}
			exists[id] = true
			rep.Nodes++
			val, err := decodeValue(v)
			if err != nil {
				rep.problem("node %d: %v", id, err)
				return nil
			}
			got, err := lookupID(txn, hashOf(val))
			if err != nil {
				return err
			}
			if got != id {
				rep.problem("node %d (%v): its hash record points to %d", id, val, got)
			}
			folded += int64(len(foldedTexts(val)))
			return nil
		})
		if err != nil {
			return err
		}
		if s.folded.Load() {
			problems, err := checkFolds(ctx, txn, folded, func(id uint64) (quad.Value, error) {
				if id >= uint64(len(exists)) || !exists[id] {
					return nil, nil
				}
				return s.nameIn(txn, id)
			})
			if err != nil {
				return err
			}
			for _, p := range problems {
				rep.problem("%s", p)
			}
		}
		var hashes int64
		if err := s.scanAll(ctx, txn, []byte{pfxHash}, func(k, v []byte) error {
			hashes++
			return nil
		}); err != nil {
			return err
		}
		if hashes != rep.Nodes {
			rep.problem("%d hash records for %d nodes", hashes, rep.Nodes)
		}
		if uint64(rep.Nodes) != metaNodes {
			rep.problem("metadata counts %d nodes, the store holds %d", metaNodes, rep.Nodes)
		}

		// Quads: the primary index, with the degree of every node.
		var degree [4][]uint32
		for i := range degree {
			degree[i] = make([]uint32, nextID+1)
		}
		var labelled int64
		key := make([]byte, 0, quadKeyLen)
		err = s.scanAll(ctx, txn, []byte{primary.prefix}, func(k, _ []byte) error {
			if len(k) != quadKeyLen {
				rep.problem("quad key of %d bytes in index %c", len(k), primary.prefix)
				return nil
			}
			q := primary.decode(k)
			rep.Quads++
			for i, id := range q {
				d := quad.Direction(i + 1)
				if id == 0 {
					if d != quad.Label {
						rep.problem("quad %v has no %v", q, d)
					}
					continue
				}
				if id >= uint64(len(exists)) || !exists[id] {
					rep.problem("quad %v: its %v, node %d, does not exist", q, d, id)
					continue
				}
				degree[i][id]++
			}
			for j := 1; j < len(indexes); j++ {
				x := &indexes[j]
				if x.dirs[0] == quad.Label {
					if q[quad.Label-1] == 0 {
						continue
					}
					labelled++
				}
				key = x.key(key[:0], q)
				if _, err := txn.Get(key); errors.Is(err, badger.ErrKeyNotFound) {
					rep.problem("quad %v is missing from index %c", q, x.prefix)
				} else if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if uint64(rep.Quads) != metaQuads {
			rep.problem("metadata counts %d quads, the primary index holds %d", metaQuads, rep.Quads)
		}
		// The other indexes hold exactly as many entries, each of which
		// is in the primary index.
		for j := 1; j < len(indexes); j++ {
			x := &indexes[j]
			want := rep.Quads
			if x.dirs[0] == quad.Label {
				want = labelled
			}
			var n int64
			err := s.scanAll(ctx, txn, []byte{x.prefix}, func(k, _ []byte) error {
				n++
				if len(k) != quadKeyLen {
					rep.problem("quad key of %d bytes in index %c", len(k), x.prefix)
					return nil
				}
				q := x.decode(k)
				key = primary.key(key[:0], q)
				if _, err := txn.Get(key); errors.Is(err, badger.ErrKeyNotFound) {
					rep.problem("index %c holds quad %v, which the primary index lacks", x.prefix, q)
				} else if err != nil {
					return err
				}
				return nil
			})
			if err != nil {
				return err
			}
			if n != want {
				rep.problem("index %c holds %d quads, expected %d", x.prefix, n, want)
			}
		}

		// Degree counters agree with the primary index, and no node is
		// left without quads.
		err = s.scanAll(ctx, txn, []byte{pfxCount}, func(k, v []byte) error {
			if len(k) != 10 || k[1] < 1 || k[1] > 4 {
				rep.problem("bad counter key %x", k)
				return nil
			}
			d, id := quad.Direction(k[1]), u64(k[2:])
			n, m := binary.Uvarint(v)
			if m <= 0 {
				rep.problem("counter of node %d (%v) does not decode", id, d)
				return nil
			}
			var want uint32
			if id < uint64(len(exists)) {
				want = degree[d-1][id]
				degree[d-1][id] = 0 // seen
			}
			if n != uint64(want) {
				rep.problem("counter of node %d (%v) says %d, the index holds %d", id, d, n, want)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i := range degree {
			for id, n := range degree[i] {
				if n != 0 {
					rep.problem("node %d has %d quads as %v but no counter", id, n, quad.Direction(i+1))
				}
			}
		}
		used := make([]bool, nextID+1)
		if err := s.scanAll(ctx, txn, []byte{pfxCount}, func(k, _ []byte) error {
			if len(k) == 10 {
				if id := u64(k[2:]); id < uint64(len(used)) {
					used[id] = true
				}
			}
			return nil
		}); err != nil {
			return err
		}
		for id, ok := range exists {
			if ok && !used[id] {
				rep.problem("node %d is in no quad", id)
			}
		}
		if err := s.scanAll(ctx, txn, []byte{pfxJournal}, func(k, _ []byte) error {
			if len(k) == journalHdrLen {
				rep.Journals++
			}
			return nil
		}); err != nil {
			return err
		}
		return checkHistory(ctx, txn, rep)
	})
	return rep, err
}

// scan calls fn for each key with the prefix, in order. Key and value are
// only valid during the call.
func scan(ctx context.Context, txn *badger.Txn, prefix []byte, fn func(k, v []byte) error) error {
	return (*QuadStore)(nil).scanAll(ctx, txn, prefix, fn)
}

// scanAll is scan for a scan that may read much of the store: it lets the
// pages of the tables it read leave the resident set as it goes
// (scanPages).
func (s *QuadStore) scanAll(ctx context.Context, txn *badger.Txn, prefix []byte, fn func(k, v []byte) error) error {
	it, pages := s.newScanIterator(txn, badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
	defer it.Close()
	defer pages.done()
	n := 0
	for it.Seek(prefix); it.Valid(); it.Next() {
		if n++; n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		pages.tick()
		item := it.Item()
		k := item.Key()
		if !bytes.HasPrefix(k, prefix) {
			break
		}
		if err := item.Value(func(v []byte) error { return fn(k, v) }); err != nil {
			return err
		}
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
