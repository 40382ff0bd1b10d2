package pgstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"hash/crc64"
	"net/url"
	"time"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/quadstore"
)

// A store in PostgreSQL keeps what the graph package derives from it (the
// link and text indexes) in its own table, entente_cache, as a store on
// disk keeps them in files beside it: one row a name, with the stamp of
// the store's contents it was derived from and its bytes. So a fresh
// process's first path query or search reads them instead of reading the
// whole store again (1.5 s on the 30k-movie graph). They are caches: a
// row is used only when its stamp is the store's, and is written best
// effort (a replica, or a role that may not create tables or write to
// them, just does not keep them).
//
// Node ids are this process's (idMap): the row "ids" keeps the numbering
// of the process that wrote it, so that a fresh process adopts it instead
// of numbering every quad's nodes again, and the indexes' ids mean the
// same in both. A Stamp names the numbering as well as the contents.
//
// The table is unlogged and its bytes are stored as they are: a cache
// needs neither the write-ahead log (after a crash PostgreSQL empties the
// table, and a replica has none and rebuilds the indexes in every process,
// as before) nor compression; with both, keeping the 18 MB of the
// 30k-movie graph's numbering and link index took twice as long.
const cacheSchema = `
CREATE UNLOGGED TABLE IF NOT EXISTS entente_cache (
	name TEXT PRIMARY KEY,
	stamp BYTEA NOT NULL,
	data BYTEA NOT NULL
);
ALTER TABLE entente_cache ALTER COLUMN data SET STORAGE EXTERNAL`

// idsCache is the name of the numbering's row: the newest quad it covers
// (its horizon) and the number of nodes (u64 each), each node's hash in id
// order, then a CRC-64 of what comes before it (u64), little-endian.
const idsCache = "ids"

// contents returns the state of the store's contents: the change counter,
// the newest transaction and its time, which every change moves.
func (s *Store) contents(ctx context.Context, db queryer) ([]byte, error) {
	var changes, last int64
	var t sql.NullTime
	if err := db.QueryRowContext(ctx, `SELECT changes, last_tx, last_time FROM entente_store`).Scan(&changes, &last, &t); err != nil {
		return nil, err
	}
	b := binary.LittleEndian.AppendUint64(nil, uint64(changes))
	b = binary.LittleEndian.AppendUint64(b, uint64(last))
	var ns int64
	if t.Valid {
		ns = t.Time.UnixNano()
	}
	return binary.LittleEndian.AppendUint64(b, uint64(ns)), nil
}

// Stamp returns the stamp of the store's contents and of this process's
// numbering of its nodes (every node numbered: it syncs the numbering
// first); ok is false when the store changed meanwhile or cannot be read.
func (s *Store) Stamp() (st quadstore.Stamp, ok bool) {
	return s.StampContext(context.Background())
}

// StampContext is Stamp, bounded by ctx.
func (s *Store) StampContext(ctx context.Context) (st quadstore.Stamp, ok bool) {
	before, err := s.contents(ctx, s.db)
	if err != nil {
		return st, false
	}
	if err := s.syncIDs(ctx); err != nil {
		return st, false
	}
	after, err := s.contents(ctx, s.db)
	if err != nil || string(before) != string(after) {
		return st, false
	}
	max, sum := s.ids.fingerprint()
	b := append(st[:0], after...)
	b = binary.LittleEndian.AppendUint64(b, max)
	binary.LittleEndian.AppendUint64(b, sum)
	return st, true
}

// NodeRefs returns the references of the nodes with these ids, as NodeRef
// would one by one.
func (s *Store) NodeRefs(ids []uint64) []cgraph.Ref {
	out := make([]cgraph.Ref, len(ids))
	for i, id := range ids {
		out[i] = s.NodeRef(id)
	}
	return out
}

// ReadKept returns the bytes kept under name when they were kept at stamp;
// nil when there are none (or the table cannot be read).
func (s *Store) ReadKept(ctx context.Context, name string, stamp []byte) []byte {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT data FROM entente_cache WHERE name = $1 AND stamp = $2`, name, stamp).Scan(&b)
	if err != nil {
		return nil
	}
	return b
}

// WriteKept keeps data under name, derived from the store at stamp,
// replacing what was kept there, and reports whether it did. It is best
// effort, and a process that opened the store read-only keeps caches too,
// as one reading a store on disk does; a replica, or a role without the
// rights to create or write the table, keeps none.
func (s *Store) WriteKept(ctx context.Context, name string, stamp, data []byte) bool {
	if s.replica {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// Made by the first process that keeps something in a database an
	// older Entente made (a role that may write the table but not create
	// tables still keeps rows in it).
	var exists bool
	if err := s.db.QueryRowContext(ctx, `SELECT to_regclass('entente_cache') IS NOT NULL`).Scan(&exists); err != nil {
		return false
	}
	if !exists {
		if _, err := s.db.ExecContext(ctx, cacheSchema); err != nil {
			return false
		}
	}
	db, err := s.binaryDB()
	if err != nil {
		return false
	}
	_, err = db.ExecContext(ctx, `INSERT INTO entente_cache (name, stamp, data) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET stamp = EXCLUDED.stamp, data = EXCLUDED.data`, name, stamp, data)
	return err == nil
}

// adoptIDs numbers the nodes as the kept numbering does, when it was kept
// at the store's current contents and this process has numbered none:
// it reports whether it did. The caller holds ids.sync.
func (s *Store) adoptIDs(ctx context.Context) bool {
	if s.ids.last != 0 || s.ids.max() != 0 {
		return false
	}
	at, err := s.contents(ctx, s.db)
	if err != nil {
		return false
	}
	b := s.ReadKept(ctx, idsCache, at)
	le := binary.LittleEndian
	if len(b) < 24 || (len(b)-24)%quad.HashSize != 0 {
		return false
	}
	last, n := int64(le.Uint64(b)), le.Uint64(b[8:])
	body := b[16 : len(b)-8]
	if last <= 0 || n != uint64(len(body)/quad.HashSize) || crc64.Checksum(b[:len(b)-8], crcTable) != le.Uint64(b[len(b)-8:]) {
		return false
	}
	hashes := make([][quad.HashSize]byte, n+1)
	ids := make(map[[quad.HashSize]byte]uint64, n)
	for i := 1; i <= int(n); i++ {
		copy(hashes[i][:], body[(i-1)*quad.HashSize:])
		if _, dup := ids[hashes[i]]; dup {
			return false
		}
		ids[hashes[i]] = uint64(i)
	}
	s.ids.mu.Lock()
	defer s.ids.mu.Unlock()
	// Nodes met outside syncIDs (NodeID, ScanPredicate) may have been
	// numbered meanwhile: their ids stand, and nothing is adopted.
	if len(s.ids.hashes) != 1 {
		return false
	}
	s.ids.ids, s.ids.hashes = ids, hashes
	s.ids.sum = crc64.Update(0, crcTable, body)
	s.ids.last = last
	return true
}

// idsRow is the row that keeps this process's numbering, made from
// scratch by syncIDs at the contents at, or nil if the store changed
// meanwhile. The caller holds ids.sync; the row is written (WriteKept)
// once it let go, so that a server's other requests do not wait for it.
func (s *Store) idsRow(ctx context.Context, at []byte) []byte {
	now, err := s.contents(ctx, s.db)
	if err != nil || string(now) != string(at) {
		return nil
	}
	s.ids.mu.RLock()
	n := len(s.ids.hashes) - 1
	b := make([]byte, 16, 24+quad.HashSize*n)
	binary.LittleEndian.PutUint64(b, uint64(s.ids.last))
	binary.LittleEndian.PutUint64(b[8:], uint64(n))
	for _, h := range s.ids.hashes[1:] {
		b = append(b, h[:]...)
	}
	s.ids.mu.RUnlock()
	return binary.LittleEndian.AppendUint64(b, crc64.Checksum(b, crcTable))
}

var crcTable = crc64.MakeTable(crc64.ECMA)

// binaryDB is a connection pool of the store's own, opened on first use,
// that sends bytes as bytes (lib/pq's binary_parameters): by default
// lib/pq sends them as hex text, twice their size for the server to
// decode, which made keeping the 30k-movie graph's 18 MB of indexes take
// about 0.6 s.
func (s *Store) binaryDB() (*sql.DB, error) {
	s.binary.Do(func() {
		u, err := url.Parse(dsn(s.addr))
		if err != nil {
			s.binary.err = err
			return
		}
		q := u.Query()
		q.Set("binary_parameters", "yes")
		u.RawQuery = q.Encode()
		s.binary.db, s.binary.err = sql.Open("postgres", u.String())
		if s.binary.err == nil {
			s.binary.db.SetMaxOpenConns(1)
		}
	})
	return s.binary.db, s.binary.err
}
