// Package pgstore is Entente's store on PostgreSQL: Cayley's SQL quad
// store (github.com/cayleygraph/cayley/graph/sql, its postgres flavour)
// holds the quads in its nodes and quads tables, and tables of Entente's
// own hold the schema's version, a change counter and the history of
// transactions. Every write — a change, a whole load — is one PostgreSQL
// transaction that writes the quads, their history and the counter
// together: a failed write changes nothing, and several processes may
// write at once (their transactions are serialised on the counter's row;
// readers are never blocked).
//
// The graph package opens it for a postgres:// address; nothing above
// graph knows which store it has.
package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/cayley/graph/refs"
	csql "github.com/cayleygraph/cayley/graph/sql"
	_ "github.com/cayleygraph/cayley/graph/sql/postgres" // Cayley's postgres flavour and lib/pq
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/quadstore"
	"github.com/lib/pq"
)

// FormatVersion names the schema this build reads and writes; Init
// records it and Open refuses a database with another.
const FormatVersion = "entente-pg/1"

// Errors. The store also returns quadstore's sentinel errors where they
// mean the same (quadstore.ErrReadOnly, ErrFormatVersion, ErrCorrupt), so
// that the graph package maps both stores' errors alike.
var (
	// ErrNoSchema: the database has no Entente schema (run Init).
	ErrNoSchema = errors.New("pgstore: the database has no Entente schema")
	// ErrSchemaExists: Init found the schema already there.
	ErrSchemaExists = errors.New("pgstore: the database already has an Entente schema")
	// ErrConnect: the server cannot be reached or refused the connection.
	ErrConnect = errors.New("pgstore: cannot connect to the database")
)

// Options configure Open; nil means the defaults (writable).
type Options struct {
	// ReadOnly refuses every write (a replica refuses them anyway).
	ReadOnly bool
}

// Store is an open PostgreSQL store. It is a Cayley QuadStore (Cayley's
// SQL store, with writes going through Commit so that they are
// recorded) and has the methods the graph package needs of a backend.
// It is safe for concurrent use.
type Store struct {
	*csql.QuadStore
	db   *sql.DB
	opts Options
	ids  idMap
	// replica: the server is a standby, which refuses writes.
	replica bool
	addr    string
	// binary is the pool that keeps indexes (binaryDB).
	binary struct {
		sync.Once
		db  *sql.DB
		err error
	}
}

// IsURL reports whether addr names a PostgreSQL (or CockroachDB) database
// rather than a directory.
func IsURL(addr string) bool {
	return strings.HasPrefix(addr, "postgres://") || strings.HasPrefix(addr, "postgresql://") ||
		strings.HasPrefix(addr, "cockroach://")
}

// dsn turns an address into lib/pq's: a cockroach:// address is the same
// wire protocol on CockroachDB's default port.
func dsn(addr string) string {
	if rest, ok := strings.CutPrefix(addr, "cockroach://"); ok {
		u, err := url.Parse("postgres://" + rest)
		if err == nil && u.Port() == "" && u.Host != "" {
			u.Host += ":26257"
		}
		if err == nil {
			return u.String()
		}
		return "postgres://" + rest
	}
	return addr
}

// Redact returns addr with any password replaced by "xxxxx", for messages.
func Redact(addr string) string {
	u, err := url.Parse(addr)
	if err != nil || u.User == nil {
		return addr
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func connect(ctx context.Context, addr string) (*sql.DB, error) {
	db, err := sql.Open("postgres", dsn(addr))
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrConnect, Redact(addr), err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w %s: %v", ErrConnect, Redact(addr), err)
	}
	return db, nil
}

// schema is Entente's own tables, beside Cayley's nodes and quads.
//
//	entente_store  one row: the schema's version, the change counter (one
//	               more for each transaction that changed anything) and
//	               the newest transaction
//	entente_tx     one row per transaction of the history
//	entente_op     each change a transaction made, in order, the quad in
//	               N-Quads (values outlive their nodes)
//	entente_cache  indexes derived from the store, kept for the next
//	               process (kept.go): made after the others, best
//	               effort (a server that cannot make it, or a store
//	               made before it, has it made by the first process
//	               that keeps one, or keeps none)
const schema = `
CREATE TABLE entente_store (
	format TEXT NOT NULL,
	changes BIGINT NOT NULL,
	last_tx BIGINT NOT NULL,
	last_time TIMESTAMP WITH TIME ZONE
);
CREATE TABLE entente_tx (
	id BIGINT PRIMARY KEY,
	time TIMESTAMP WITH TIME ZONE NOT NULL,
	added BIGINT NOT NULL,
	removed BIGINT NOT NULL,
	implicit BOOLEAN NOT NULL DEFAULT false,
	meta BYTEA
);
CREATE TABLE entente_op (
	tx BIGINT NOT NULL REFERENCES entente_tx (id),
	seq BIGINT NOT NULL,
	add BOOLEAN NOT NULL,
	quad TEXT NOT NULL,
	PRIMARY KEY (tx, seq)
);
`

// Init creates the schema in the database at addr: Cayley's tables (kept
// if Cayley made them already, as `cayley init` does) and Entente's. Quads
// already there become one implicit transaction of the history. It fails
// with ErrSchemaExists if the schema is there, with this version or
// (wrapping quadstore.ErrFormatVersion) another.
func Init(ctx context.Context, addr string) error {
	db, err := connect(ctx, addr)
	if err != nil {
		return err
	}
	defer db.Close()
	if format, err := readFormat(ctx, db); err == nil {
		if format != FormatVersion {
			return fmt.Errorf("%w: the database has Entente schema %q; this build uses %q", quadstore.ErrFormatVersion, format, FormatVersion)
		}
		return fmt.Errorf("%w (%s)", ErrSchemaExists, format)
	} else if !errors.Is(err, ErrNoSchema) {
		return err
	}
	var cayleyTables bool
	if err := db.QueryRowContext(ctx, `SELECT to_regclass('quads') IS NOT NULL`).Scan(&cayleyTables); err != nil {
		return err
	}
	if !cayleyTables {
		if err := csql.Init("postgres", dsn(addr), nil); err != nil && !errors.Is(err, cgraph.ErrDatabaseExists) {
			return fmt.Errorf("pgstore: create Cayley's tables: %w", err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		if e, ok := err.(*pq.Error); ok && e.Code == "42P07" {
			return fmt.Errorf("%w (being created by another process)", ErrSchemaExists)
		}
		return fmt.Errorf("pgstore: create the schema: %w", err)
	}
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM quads`).Scan(&n); err != nil {
		return err
	}
	var last int64
	var lastTime any
	if n > 0 {
		now := time.Now().UTC()
		meta := json.RawMessage(`{"message":"the store's contents before its history was kept"}`)
		if _, err := tx.ExecContext(ctx, `INSERT INTO entente_tx (id, time, added, removed, implicit, meta) VALUES (1, $1, $2, 0, true, $3)`, now, n, []byte(meta)); err != nil {
			return err
		}
		last, lastTime = 1, now
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO entente_store (format, changes, last_tx, last_time) VALUES ($1, $2, $2, $3)`, FormatVersion, last, lastTime); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// The cache's table is not part of the schema a store needs: a server
	// that cannot make it as kept.go asks (unlogged, stored uncompressed)
	// still gets a store, which keeps no indexes.
	_, _ = db.ExecContext(ctx, cacheSchema)
	return nil
}

func readFormat(ctx context.Context, db interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (string, error) {
	var format string
	err := db.QueryRowContext(ctx, `SELECT format FROM entente_store`).Scan(&format)
	if e, ok := err.(*pq.Error); ok && e.Code == "42P01" { // undefined_table
		return "", ErrNoSchema
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: entente_store has no row", quadstore.ErrCorrupt)
	}
	return format, err
}

// Open opens the store at addr, a postgres:// URL (lib/pq's parameters,
// such as sslmode, go in its query). It fails with ErrConnect when the
// server cannot be reached, ErrNoSchema when Init has not been run and
// quadstore.ErrFormatVersion when another version made the schema.
func Open(ctx context.Context, addr string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	db, err := connect(ctx, addr)
	if err != nil {
		return nil, err
	}
	format, err := readFormat(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	if format != FormatVersion {
		db.Close()
		return nil, fmt.Errorf("%w: the database has Entente schema %q; this build reads %q", quadstore.ErrFormatVersion, format, FormatVersion)
	}
	cq, err := csql.New("postgres", dsn(addr), nil)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%w %s: %v", ErrConnect, Redact(addr), err)
	}
	s := &Store{QuadStore: cq.(*csql.QuadStore), db: db, opts: o, addr: addr}
	// A standby (a streaming replica) takes no writes: say so at the
	// first, not with the server's words about recovery.
	if err := db.QueryRowContext(ctx, `SELECT pg_is_in_recovery()`).Scan(&s.replica); err != nil {
		s.Close()
		return nil, err
	}
	s.ids.init()
	return s, nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	err := s.QuadStore.Close()
	if err2 := s.db.Close(); err == nil {
		err = err2
	}
	if s.binary.db != nil {
		s.binary.db.Close()
	}
	return err
}

// ReadOnly reports whether the store was opened read-only or is on a
// replica.
func (s *Store) ReadOnly() bool { return s.opts.ReadOnly || s.replica }

// Notes is what Open found and repaired: nothing (PostgreSQL recovers by
// itself).
func (s *Store) Notes() []string { return nil }

// Version is the change counter in the database: it moves whenever any
// process changes the store, so caches built from the store (the link
// and text indexes) know when to rebuild. 0 if the database cannot be
// read.
func (s *Store) Version() uint64 {
	var v int64
	if err := s.db.QueryRow(`SELECT changes FROM entente_store`).Scan(&v); err != nil {
		return 0
	}
	return uint64(v)
}

// LastTx is the id of the newest transaction (0: none, or the database
// cannot be read).
func (s *Store) LastTx() uint64 {
	var v int64
	if err := s.db.QueryRow(`SELECT last_tx FROM entente_store`).Scan(&v); err != nil {
		return 0
	}
	return uint64(v)
}

// Stats counts the quads and nodes; exact counts read the tables,
// others PostgreSQL's estimate.
func (s *Store) Stats(ctx context.Context, exact bool) (cgraph.Stats, error) {
	var st cgraph.Stats
	st.Quads.Exact, st.Nodes.Exact = true, true
	q := `SELECT (SELECT count(*) FROM quads), (SELECT count(*) FROM nodes)`
	if !exact {
		q = `SELECT (SELECT reltuples::BIGINT FROM pg_class WHERE relname='quads'), (SELECT reltuples::BIGINT FROM pg_class WHERE relname='nodes')`
		st.Quads.Exact, st.Nodes.Exact = false, false
	}
	err := s.db.QueryRowContext(ctx, q).Scan(&st.Quads.Value, &st.Nodes.Value)
	return st, err
}

// ValueOf returns the reference of a value the store holds, nil for one
// it does not.
func (s *Store) ValueOf(v quad.Value) (cgraph.Ref, error) {
	if v == nil {
		return nil, nil
	}
	h := csql.HashOf(v)
	if _, ok := s.ids.lookup(h.ValueHash); ok {
		return h, nil
	}
	var one int
	err := s.db.QueryRow(`SELECT 1 FROM nodes WHERE hash = $1`, h.SQLValue()).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return h, nil
}

// ValuesOf returns the values of refs, in order.
func (s *Store) ValuesOf(ctx context.Context, rs []cgraph.Ref) ([]quad.Value, error) {
	out := make([]quad.Value, len(rs))
	// Node hashes are read in batches of valuesBatch, one statement each
	// (a statement per node made a text index of Movies' 75,000 literals
	// take 16 s); anything else goes through NameOf.
	at := map[refs.ValueHash][]int{}
	var hashes []refs.ValueHash
	for i, r := range rs {
		var h refs.ValueHash
		switch r := r.(type) {
		case csql.NodeHash:
			h = r.ValueHash
		case refs.ValueHash:
			h = r
		default:
			v, err := s.NameOf(r)
			if err != nil {
				return nil, err
			}
			out[i] = v
			continue
		}
		if !h.Valid() {
			continue
		}
		if _, ok := at[h]; !ok {
			hashes = append(hashes, h)
		}
		at[h] = append(at[h], i)
	}
	for len(hashes) > 0 {
		n := min(len(hashes), valuesBatch)
		if err := s.readValues(ctx, hashes[:n], func(h refs.ValueHash, v quad.Value) {
			for _, i := range at[h] {
				out[i] = v
			}
		}); err != nil {
			return nil, err
		}
		hashes = hashes[n:]
	}
	return out, nil
}

// valuesBatch is how many node values ValuesOf reads in one statement.
const valuesBatch = 4096

// readValues reads the values of the nodes with the given hashes in one
// statement.
func (s *Store) readValues(ctx context.Context, hashes []refs.ValueHash, fn func(refs.ValueHash, quad.Value)) error {
	arg := make(pq.ByteaArray, len(hashes))
	for i, h := range hashes {
		arg[i] = h[:]
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+strings.Join(nodeColumns, ", ")+` FROM nodes WHERE hash = ANY($1)`, arg)
	if err != nil {
		return fmt.Errorf("pgstore: reading node values: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		h, v, err := scanNode(rows)
		if err != nil {
			return fmt.Errorf("pgstore: reading node values: %w", err)
		}
		fn(h.ValueHash, v)
	}
	return rows.Err()
}

// ApplyDeltas applies Cayley deltas as one transaction of the history,
// failing (and changing nothing) on a quad added twice or removed while
// absent unless opts says to ignore it.
func (s *Store) ApplyDeltas(in []cgraph.Delta, opts cgraph.IgnoreOpts) error {
	var adds, removes []quad.Quad
	for _, d := range in {
		if d.Action == cgraph.Add {
			adds = append(adds, d.Quad)
		} else {
			removes = append(removes, d.Quad)
		}
	}
	_, err := s.commit(context.Background(), adds, removes, quadstore.TxOptions{}, &opts)
	return err
}

// NewQuadWriter returns a writer whose each WriteQuads is one transaction.
func (s *Store) NewQuadWriter() (quad.WriteCloser, error) { return &quadWriter{s: s}, nil }

type quadWriter struct{ s *Store }

func (w *quadWriter) WriteQuad(q quad.Quad) error {
	_, err := w.WriteQuads([]quad.Quad{q})
	return err
}

func (w *quadWriter) WriteQuads(qs []quad.Quad) (int, error) {
	if _, err := w.s.Commit(context.Background(), qs, nil, quadstore.TxOptions{}); err != nil {
		return 0, err
	}
	return len(qs), nil
}

func (w *quadWriter) Close() error { return nil }

// syncIDs numbers the nodes of the quads written since it last ran, in
// the order the quads were written (Cayley's horizon column), subject,
// predicate, object and label, as the Badger store numbers them: both
// stores then list a scan's links in the same order. It reads only the
// new quads.
func (s *Store) syncIDs(ctx context.Context) error {
	at, row, err := s.syncIDsLocked(ctx)
	if err == nil && row != nil {
		s.WriteKept(ctx, idsCache, at, row)
	}
	return err
}

// syncIDsLocked is syncIDs under ids.sync; it returns the row that keeps
// a numbering made from scratch, and the contents it was made at.
func (s *Store) syncIDsLocked(ctx context.Context) (at, row []byte, err error) {
	s.ids.sync.Lock()
	defer s.ids.sync.Unlock()
	// A process that has numbered nothing yet adopts the numbering kept
	// in the database for the store's contents (kept.go), or numbers
	// every node and keeps its numbering. (Adopted, it still reads the
	// quads written since, as ever: none, unless something wrote quads
	// without moving the change counter.)
	var fresh []byte
	if s.ids.last == 0 && s.ids.max() == 0 && !s.adoptIDs(ctx) {
		fresh, _ = s.contents(ctx, s.db)
	}
	if err := s.numberNew(ctx); err != nil {
		return nil, nil, err
	}
	if fresh != nil && s.ids.last > 0 {
		return fresh, s.idsRow(ctx, fresh), nil
	}
	return nil, nil, nil
}

// numberNew numbers the nodes of the quads written since ids.last.
func (s *Store) numberNew(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT horizon, subject_hash, predicate_hash, object_hash, label_hash FROM quads WHERE horizon > $1 ORDER BY horizon`, s.ids.last)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var hz int64
		var h [4]csql.NodeHash
		if err := rows.Scan(&hz, &h[0], &h[1], &h[2], &h[3]); err != nil {
			return err
		}
		for _, x := range h {
			if x.Valid() {
				s.ids.id(x.ValueHash)
			}
		}
		s.ids.last = hz
	}
	return rows.Err()
}

// Predicates returns every predicate with the number of quads that use
// it, in node id order. It first numbers the nodes of new quads (syncIDs).
func (s *Store) Predicates(ctx context.Context) ([]cgraph.Ref, []int64, error) {
	if err := s.syncIDs(ctx); err != nil {
		return nil, nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT predicate_hash, count(*) FROM quads GROUP BY predicate_hash ORDER BY predicate_hash`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var refs []cgraph.Ref
	var counts []int64
	for rows.Next() {
		var h csql.NodeHash
		var n int64
		if err := rows.Scan(&h, &n); err != nil {
			return nil, nil, err
		}
		refs = append(refs, h)
		counts = append(counts, n)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	// In id order, as the Badger store lists them.
	idx := make([]int, len(refs))
	ids := make([]uint64, len(refs))
	for i, r := range refs {
		idx[i] = i
		ids[i] = s.ids.id(r.(csql.NodeHash).ValueHash)
	}
	sort.Slice(idx, func(a, b int) bool { return ids[idx[a]] < ids[idx[b]] })
	outR := make([]cgraph.Ref, len(refs))
	outC := make([]int64, len(refs))
	for i, j := range idx {
		outR[i], outC[i] = refs[j], counts[j]
	}
	return outR, outC, nil
}

// literalHashes reads the hash of every literal node.
func (s *Store) literalHashes(ctx context.Context, fn func(csql.NodeHash)) error {
	rows, err := s.db.QueryContext(ctx, `SELECT hash FROM nodes WHERE iri IS NOT TRUE AND bnode IS NOT TRUE`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var h csql.NodeHash
		if err := rows.Scan(&h); err != nil {
			return err
		}
		fn(h)
	}
	return rows.Err()
}

// Literals returns a test for whether a node reference is a literal (not
// an IRI or blank node), reading the literal nodes once.
func (s *Store) Literals(ctx context.Context) (func(cgraph.Ref) bool, error) {
	set := map[csql.NodeHash]bool{}
	if err := s.literalHashes(ctx, func(h csql.NodeHash) { set[h] = true }); err != nil {
		return nil, err
	}
	return func(r cgraph.Ref) bool {
		h, ok := r.(csql.NodeHash)
		return ok && set[h]
	}, nil
}

// LiteralIDs is Literals by node id.
func (s *Store) LiteralIDs(ctx context.Context) (func(uint64) bool, error) {
	set := map[uint64]bool{}
	if err := s.literalHashes(ctx, func(h csql.NodeHash) { set[s.ids.id(h.ValueHash)] = true }); err != nil {
		return nil, err
	}
	return func(id uint64) bool { return set[id] }, nil
}

// MaxID is the largest node id handed out so far.
func (s *Store) MaxID() uint64 { return s.ids.max() }

// NodeID returns the id of a node reference. Ids are this process's own:
// handed out in the order nodes are first met, never reused, so a
// cache built from them stays valid while the process runs.
func (s *Store) NodeID(r cgraph.Ref) (uint64, bool) {
	h, ok := r.(csql.NodeHash)
	if !ok || !h.Valid() {
		return 0, false
	}
	return s.ids.id(h.ValueHash), true
}

// NodeRef returns the reference of the node with this id.
func (s *Store) NodeRef(id uint64) cgraph.Ref {
	h, ok := s.ids.hash(id)
	if !ok {
		return nil
	}
	return csql.NodeHash{ValueHash: h}
}

// ScanPredicate calls fn with the subject, object and label ids (0 for no
// label) of every quad whose predicate is p, in subject id order.
func (s *Store) ScanPredicate(ctx context.Context, p cgraph.Ref, fn func(subj, obj, label uint64)) error {
	h, ok := p.(csql.NodeHash)
	if !ok {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT subject_hash, object_hash, label_hash FROM quads WHERE predicate_hash = $1`, h.SQLValue())
	if err != nil {
		return err
	}
	defer rows.Close()
	var out [][3]uint64
	for rows.Next() {
		var sh, oh, lh csql.NodeHash
		if err := rows.Scan(&sh, &oh, &lh); err != nil {
			return err
		}
		var l uint64
		if lh.Valid() {
			l = s.ids.id(lh.ValueHash)
		}
		out = append(out, [3]uint64{s.ids.id(sh.ValueHash), s.ids.id(oh.ValueHash), l})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	sortTriples(out)
	for _, t := range out {
		fn(t[0], t[1], t[2])
	}
	return nil
}

// convErr turns PostgreSQL's errors into the store's.
func convErr(err error) error {
	var e *pq.Error
	if errors.As(err, &e) {
		switch e.Code {
		case "25006": // read_only_sql_transaction: a replica, or default_transaction_read_only
			return fmt.Errorf("%w: %s", quadstore.ErrReadOnly, e.Message)
		case "0A000":
			if strings.Contains(e.Message, "during recovery") { // a standby
				return fmt.Errorf("%w: the database is a replica (%s)", quadstore.ErrReadOnly, e.Message)
			}
		case "53100":
			return fmt.Errorf("%w: %s", quadstore.ErrNoSpace, e.Message)
		}
	}
	return err
}

var _ io.Closer = (*Store)(nil)

// idMap numbers node hashes densely for this process.
type idMap struct {
	sync   sync.Mutex // held by syncIDs
	last   int64      // the newest quad (horizon) syncIDs has numbered
	mu     sync.RWMutex
	ids    map[[quad.HashSize]byte]uint64
	hashes [][quad.HashSize]byte // by id; [0] unused
	sum    uint64                // CRC-64 of hashes[1:], as numbered
}

func (m *idMap) init() {
	m.ids = map[[quad.HashSize]byte]uint64{}
	m.hashes = make([][quad.HashSize]byte, 1)
}

func (m *idMap) lookup(h [quad.HashSize]byte) (uint64, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	id, ok := m.ids[h]
	return id, ok
}

func (m *idMap) id(h [quad.HashSize]byte) uint64 {
	if id, ok := m.lookup(h); ok {
		return id
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if id, ok := m.ids[h]; ok {
		return id
	}
	id := uint64(len(m.hashes))
	m.hashes = append(m.hashes, h)
	m.ids[h] = id
	m.sum = crc64.Update(m.sum, crcTable, h[:])
	return id
}

// fingerprint names the numbering: the largest id and the checksum of
// every node's hash in id order.
func (m *idMap) fingerprint() (max, sum uint64) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return uint64(len(m.hashes) - 1), m.sum
}

func (m *idMap) hash(id uint64) ([quad.HashSize]byte, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if id == 0 || id >= uint64(len(m.hashes)) {
		return [quad.HashSize]byte{}, false
	}
	return m.hashes[id], true
}

func (m *idMap) max() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return uint64(len(m.hashes) - 1)
}
