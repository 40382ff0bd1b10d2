package quadstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cayleygraph/quad"
	badger "github.com/dgraph-io/badger/v4"
)

// The folded-name index finds the nodes whose text, ignoring case and the
// spaces around it, is a given one — an IRI's text, a blank node's _:id, a
// literal string's text — without reading every node:
//
//	f uvarint(len) folded id -> empty
//
// Every write that creates, removes or revives a node keeps it (in the
// same transaction); the bulk path writes it with the rest. A store made
// before the index has no "mfold" record: its first writable open builds
// the index and then writes the record, and until then readers do without.
// Texts longer than MaxFoldedBytes once folded are not indexed (a name is
// short; a note need not be).
const (
	pfxFold = 'f'
	// MaxFoldedBytes is the longest folded text the index holds.
	MaxFoldedBytes = 256
)

var keyFold = []byte("mfold")

// Fold is the form a text is found by ignoring case: without the spaces
// around it, in lower case (the catalog's rule for names).
func Fold(text string) string { return strings.ToLower(strings.TrimSpace(text)) }

// foldedText returns the folded text v is indexed by; ok is false for a
// value that is not indexed (a number, a date, a long text).
func foldedText(v quad.Value) (string, bool) {
	var t string
	switch v := v.(type) {
	case quad.IRI:
		t = string(v)
	case quad.BNode:
		t = "_:" + string(v)
	case quad.String:
		t = string(v)
	case quad.LangString:
		t = string(v.Value)
	case quad.TypedString:
		t = string(v.Value)
	default:
		return "", false
	}
	if len(t) > 4*MaxFoldedBytes {
		return "", false // cannot fold to MaxFoldedBytes or less
	}
	f := Fold(t)
	return f, f != "" && len(f) <= MaxFoldedBytes
}

// foldPrefix appends the scan prefix of a folded text to dst.
func foldPrefix(dst []byte, folded string) []byte {
	dst = append(dst, pfxFold)
	dst = binary.AppendUvarint(dst, uint64(len(folded)))
	return append(dst, folded...)
}

// foldKey returns the index key of node id with value v, nil for a value
// the index leaves out.
func foldKey(v quad.Value, id uint64) []byte {
	f, ok := foldedText(v)
	if !ok {
		return nil
	}
	k := foldPrefix(make([]byte, 0, 1+binary.MaxVarintLen64+len(f)+8), f)
	return binary.BigEndian.AppendUint64(k, id)
}

// decodeFoldKey splits an index key into its folded text and node id.
func decodeFoldKey(k []byte) (string, uint64, error) {
	if len(k) < 1+1+8 || k[0] != pfxFold {
		return "", 0, fmt.Errorf("%w: folded-name key of %d bytes", ErrCorrupt, len(k))
	}
	n, w := binary.Uvarint(k[1:])
	if w <= 0 || uint64(len(k)) != 1+uint64(w)+n+8 {
		return "", 0, fmt.Errorf("%w: bad folded-name key", ErrCorrupt)
	}
	text := k[1+w : len(k)-8]
	return string(text), u64(k[len(k)-8:]), nil
}

// setFold adds node id's entry to the index.
func (tx *writeTx) setFold(v quad.Value, id uint64) error {
	if k := foldKey(v, id); k != nil {
		return tx.set(k, nil)
	}
	return nil
}

// delFold removes node id's entry from the index.
func (tx *writeTx) delFold(v quad.Value, id uint64) error {
	if k := foldKey(v, id); k != nil {
		return tx.del(k)
	}
	return nil
}

// foldEntries returns the bulk builder's index keys, in key order.
func foldEntries(b *bulkBuilder) ([][]byte, error) {
	var keys [][]byte
	for id := uint32(1); id <= uint32(len(b.hashes)); id++ {
		enc := b.value(id)
		if len(enc) == 0 || !textTag(enc[0]) {
			continue
		}
		v, err := decodeValue(enc)
		if err != nil {
			return nil, err
		}
		if k := foldKey(v, uint64(id)); k != nil {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, bytes.Compare)
	return keys, nil
}

// textTag reports whether a value with this encoding tag may be indexed.
func textTag(tag byte) bool {
	switch tag {
	case tagIRI, tagBNode, tagString, tagLang, tagTyped:
		return true
	}
	return false
}

// emitFolds writes the index keys the bulk path prepared.
func emitFolds(out *streamOut, keys [][]byte) error {
	for _, k := range keys {
		if err := out.put(k, nil); err != nil {
			return err
		}
	}
	return nil
}

// HasFoldIndex reports whether the store keeps the folded-name index (a
// store made before it, opened read-only, does not yet).
func (s *QuadStore) HasFoldIndex() bool { return s.folded.Load() }

// loadFoldFlag reads whether the index is complete.
func (s *QuadStore) loadFoldFlag() error {
	return s.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get(keyFold)
		switch {
		case err == nil:
			s.folded.Store(true)
		case errors.Is(err, badger.ErrKeyNotFound):
			s.folded.Store(false)
		default:
			return err
		}
		return nil
	})
}

// buildFoldIndex writes the index of a store made before it, from every
// node, then its record. Keys already there are written again unchanged,
// so an interrupted build is finished by the next.
func (s *QuadStore) buildFoldIndex(ctx context.Context) error {
	if s.folded.Load() {
		return nil
	}
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	err := s.db.View(func(txn *badger.Txn) error {
		return scan(ctx, txn, []byte{pfxNode}, func(k, v []byte) error {
			if len(k) != 9 || len(v) == 0 {
				return fmt.Errorf("%w: bad node record", ErrCorrupt)
			}
			if !textTag(v[0]) {
				return nil
			}
			val, err := decodeValue(v)
			if err != nil {
				return fmt.Errorf("node %d: %w", u64(k[1:]), err)
			}
			if fk := foldKey(val, u64(k[1:])); fk != nil {
				return wb.Set(fk, nil)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	if err := wb.Flush(); err != nil {
		return err
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(keyFold, []byte("1")) }); err != nil {
		return err
	}
	s.folded.Store(true)
	return nil
}

// A Snapshot reads the store as it was when it was taken, whatever is
// written after: a load checks its input against the store as it was
// before the load, while its own batches commit. Close it when done.
type Snapshot struct {
	s   *QuadStore
	txn *badger.Txn
}

// Snapshot returns a view of the store at this moment; ok is false when
// the store has no folded-name index (Folded cannot answer).
func (s *QuadStore) Snapshot() (*Snapshot, bool) {
	if !s.folded.Load() {
		return nil, false
	}
	return &Snapshot{s: s, txn: s.db.NewTransaction(false)}, true
}

// Close ends the snapshot.
func (sn *Snapshot) Close() { sn.txn.Discard() }

// ID returns the id of a value, 0 when the store does not hold it.
func (sn *Snapshot) ID(v quad.Value) (uint64, error) {
	if v == nil {
		return 0, nil
	}
	return lookupID(sn.txn, hashOf(v))
}

// Value returns the value of node id, nil when there is none.
func (sn *Snapshot) Value(id uint64) (quad.Value, error) { return sn.s.nameIn(sn.txn, id) }

// Folded returns the ids of the nodes whose text folds (Fold) to Fold(text),
// in id order; ok is false when such a text is too long to be indexed.
func (sn *Snapshot) Folded(ctx context.Context, text string) (ids []uint64, ok bool, err error) {
	f := Fold(text)
	if f == "" || len(f) > MaxFoldedBytes {
		return nil, false, nil
	}
	prefix := foldPrefix(nil, f)
	err = scan(ctx, sn.txn, prefix, func(k, _ []byte) error {
		if len(k) != len(prefix)+8 {
			return fmt.Errorf("%w: bad folded-name key", ErrCorrupt)
		}
		ids = append(ids, u64(k[len(prefix):]))
		return nil
	})
	return ids, true, err
}

// Quads calls fn with the ids (subject, predicate, object, label; 0 for
// no label) of every quad whose node in direction d is id, in the order
// of that direction's index.
func (sn *Snapshot) Quads(ctx context.Context, d quad.Direction, id uint64, fn func(q [4]uint64) error) error {
	if id == 0 {
		return nil
	}
	x := &indexes[d-1]
	var c constraint
	c[d-1] = id
	prefix := x.scanPrefix(nil, quadIDs(c), 1)
	return scan(ctx, sn.txn, prefix, func(k, _ []byte) error {
		if len(k) != quadKeyLen {
			return fmt.Errorf("%w: quad key of %d bytes", ErrCorrupt, len(k))
		}
		return fn(x.decode(k))
	})
}

// checkFolds verifies the folded-name index against the nodes: every
// node that has an entry has exactly it, and no entry names a node that
// is gone or has another text. want counts the nodes that should have one.
func checkFolds(ctx context.Context, txn *badger.Txn, want int64, valueOf func(id uint64) (quad.Value, error)) (problems []string, err error) {
	var good int64 // entries that agree with their node
	err = scan(ctx, txn, []byte{pfxFold}, func(k, _ []byte) error {
		f, id, err := decodeFoldKey(k)
		if err != nil {
			problems = append(problems, err.Error())
			return nil
		}
		v, err := valueOf(id)
		if err != nil {
			return err
		}
		if v == nil {
			problems = append(problems, fmt.Sprintf("the folded-name index names node %d, which does not exist", id))
		} else if got, ok := foldedText(v); !ok || got != f {
			problems = append(problems, fmt.Sprintf("the folded-name index files node %d under %q, not its text", id, f))
		} else {
			good++
		}
		return nil
	})
	if err == nil && good < want {
		problems = append(problems, fmt.Sprintf("the folded-name index lacks %d of the store's nodes", want-good))
	}
	return problems, err
}
