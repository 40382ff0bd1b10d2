package pgstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	cgraph "github.com/cayleygraph/cayley/graph"
	csql "github.com/cayleygraph/cayley/graph/sql"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/quadstore"
	"github.com/lib/pq"
)

// Each batch of a write goes through three temporary tables: the quads
// and values it brings are COPYed in, then set-based statements delete,
// insert, count node references and record the history.
const stageTables = `
CREATE TEMP TABLE IF NOT EXISTS entente_stage (
	seq BIGINT NOT NULL, add BOOLEAN NOT NULL,
	s BYTEA NOT NULL, p BYTEA NOT NULL, o BYTEA NOT NULL, l BYTEA,
	nq TEXT NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS entente_stage_nodes (
	hash BYTEA NOT NULL, value BYTEA, value_string TEXT, datatype TEXT, language TEXT,
	iri BOOLEAN, bnode BOOLEAN, value_int BIGINT, value_bool BOOLEAN,
	value_float DOUBLE PRECISION, value_time TIMESTAMP WITH TIME ZONE
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS entente_ops_pending (
	seq BIGINT NOT NULL, add BOOLEAN NOT NULL, quad TEXT NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE IF NOT EXISTS entente_done (
	seq BIGINT NOT NULL, add BOOLEAN NOT NULL,
	s BYTEA NOT NULL, p BYTEA NOT NULL, o BYTEA NOT NULL, l BYTEA,
	nq TEXT NOT NULL
) ON COMMIT DROP;
`

var nodeColumns = []string{"hash", "value", "value_string", "datatype", "language", "iri", "bnode", "value_int", "value_bool", "value_float", "value_time"}

// opText is a quad as its history row keeps it: N-Quads, with a NUL
// (which a PostgreSQL text cannot hold) written as the escape \u0000
// that reading it back (parseQuad) decodes.
func opText(q quad.Quad) string {
	return strings.ReplaceAll(q.NQuad(), "\x00", `\u0000`)
}

// writeTx is one PostgreSQL transaction writing one transaction of the
// history.
type writeTx struct {
	s        *Store
	tx       *sql.Tx
	id       int64
	t        time.Time
	seq      int64
	added    int64
	removed  int64
	lastTime time.Time
	// implicit: the first load into an empty store, recorded as one
	// implicit transaction without its changes (as the Badger store's
	// bulk path records it): the store's contents are its changes.
	implicit bool
	// pending: the changes are kept in a temporary table until the load
	// knows whether it is implicit (a load into an empty store whose
	// stated changes, LoadOptions.Finish, change nothing).
	pending bool
}

// begin starts a write: it locks the store's row, which serialises
// writers (readers go on), and allocates the transaction's id and time.
func (s *Store) begin(ctx context.Context, o quadstore.TxOptions) (*writeTx, error) {
	if s.opts.ReadOnly {
		return nil, quadstore.ErrReadOnly
	}
	if s.replica {
		return nil, fmt.Errorf("%w: the database is a streaming replica, which takes no writes; write to its primary", quadstore.ErrReadOnly)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, convErr(err)
	}
	w := &writeTx{s: s, tx: tx}
	var last int64
	var lastTime sql.NullTime
	err = tx.QueryRowContext(ctx, `SELECT last_tx, last_time FROM entente_store FOR UPDATE`).Scan(&last, &lastTime)
	if err != nil {
		tx.Rollback()
		return nil, convErr(err)
	}
	w.id = last + 1
	if o.ID != 0 {
		if int64(o.ID) <= last {
			tx.Rollback()
			return nil, fmt.Errorf("pgstore: transaction id %d is not above the last one, %d", o.ID, last)
		}
		w.id = int64(o.ID)
	}
	lt := lastTime.Time.UTC()
	w.t = o.Time.UTC()
	if o.Time.IsZero() {
		w.t = time.Now().UTC()
		if w.t.Before(lt) {
			w.t = lt
		}
	} else if w.t.Before(lt) {
		tx.Rollback()
		return nil, fmt.Errorf("pgstore: transaction time %s is before the last one's, %s",
			w.t.Format(time.RFC3339Nano), lt.Format(time.RFC3339Nano))
	}
	if _, err := tx.ExecContext(ctx, stageTables); err != nil {
		tx.Rollback()
		return nil, convErr(err)
	}
	// The history's rows reference the transaction's: write it first,
	// its counts at the end.
	if _, err := tx.ExecContext(ctx, `INSERT INTO entente_tx (id, time, added, removed, meta) VALUES ($1, $2, 0, 0, $3)`,
		w.id, w.t, []byte(o.Meta)); err != nil {
		tx.Rollback()
		return nil, convErr(err)
	}
	return w, nil
}

// apply writes one batch: removes first, then adds. Quads already there
// (adds) or absent (removes) change nothing; with strict set they are an
// error instead.
func (w *writeTx) apply(ctx context.Context, adds, removes []quad.Quad, strict *cgraph.IgnoreOpts) error {
	tx := w.tx
	if _, err := tx.ExecContext(ctx, `TRUNCATE entente_stage, entente_stage_nodes, entente_done`); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("entente_stage", "seq", "add", "s", "p", "o", "l", "nq"))
	if err != nil {
		return err
	}
	type key struct {
		add bool
		q   [4][quad.HashSize]byte
	}
	seen := make(map[key]bool, len(adds)+len(removes))
	values := map[[quad.HashSize]byte]quad.Value{}
	nAdd, nRem := 0, 0
	stage := func(q quad.Quad, add bool) error {
		if !q.IsValid() {
			return fmt.Errorf("pgstore: invalid quad %v", q)
		}
		var k key
		k.add = add
		var h [4]csql.NodeHash
		for i, d := range quad.Directions {
			v := q.Get(d)
			if v == nil {
				continue
			}
			h[i] = csql.HashOf(v)
			k.q[i] = h[i].ValueHash
			if add {
				values[h[i].ValueHash] = v
			}
		}
		if seen[k] {
			return nil
		}
		seen[k] = true
		if add {
			nAdd++
		} else {
			nRem++
		}
		w.seq++
		_, err := stmt.ExecContext(ctx, w.seq, add, h[0].SQLValue(), h[1].SQLValue(), h[2].SQLValue(), h[3].SQLValue(), opText(q))
		return err
	}
	for _, q := range removes {
		if err := stage(q, false); err != nil {
			stmt.Close()
			return err
		}
	}
	for _, q := range adds {
		if err := stage(q, true); err != nil {
			stmt.Close()
			return err
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return err
	}
	stmt.Close()
	if len(values) > 0 {
		stmt, err := tx.PrepareContext(ctx, pq.CopyIn("entente_stage_nodes", nodeColumns...))
		if err != nil {
			return err
		}
		row := make([]any, len(nodeColumns))
		for h, v := range values {
			typ, vals, err := csql.NodeValues(csql.NodeHash{ValueHash: h}, v)
			if err != nil {
				stmt.Close()
				return err
			}
			clear(row)
			row[0] = vals[0]
			for i, c := range typ.Columns() {
				row[slices.Index(nodeColumns, c)] = vals[i+1]
			}
			if _, err := stmt.ExecContext(ctx, row...); err != nil {
				stmt.Close()
				return err
			}
		}
		if _, err := stmt.ExecContext(ctx); err != nil {
			stmt.Close()
			return err
		}
		stmt.Close()
	}
	if nRem > 0 {
		if _, err := tx.ExecContext(ctx, `
WITH d AS (
	DELETE FROM quads q USING entente_stage r
	WHERE NOT r.add AND q.subject_hash = r.s AND q.predicate_hash = r.p AND q.object_hash = r.o
		AND q.label_hash IS NOT DISTINCT FROM r.l
	RETURNING r.seq, r.s, r.p, r.o, r.l, r.nq)
INSERT INTO entente_done SELECT seq, false, s, p, o, l, nq FROM d`); err != nil {
			return err
		}
	}
	if nAdd > 0 {
		if _, err := tx.ExecContext(ctx, `
INSERT INTO nodes (refs, `+joinCols(nodeColumns)+`)
SELECT 0, `+joinCols(nodeColumns)+` FROM entente_stage_nodes ORDER BY hash
ON CONFLICT (hash) DO NOTHING`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
WITH i AS (
	INSERT INTO quads (subject_hash, predicate_hash, object_hash, label_hash, ts)
	SELECT s, p, o, l, now() FROM entente_stage WHERE add ORDER BY seq
	ON CONFLICT DO NOTHING
	RETURNING subject_hash, predicate_hash, object_hash, label_hash)
INSERT INTO entente_done
SELECT r.seq, true, r.s, r.p, r.o, r.l, r.nq FROM i JOIN entente_stage r
	ON r.add AND r.s = i.subject_hash AND r.p = i.predicate_hash AND r.o = i.object_hash
	AND r.l IS NOT DISTINCT FROM i.label_hash`); err != nil {
			return err
		}
	}
	var added, removed int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE add), count(*) FILTER (WHERE NOT add) FROM entente_done`).Scan(&added, &removed); err != nil {
		return err
	}
	if strict != nil {
		if !strict.IgnoreDup && added < int64(nAdd) {
			return &cgraph.DeltaError{Err: cgraph.ErrQuadExists}
		}
		if !strict.IgnoreMissing && removed < int64(nRem) {
			return &cgraph.DeltaError{Err: cgraph.ErrQuadNotExist}
		}
	}
	if added+removed == 0 {
		return nil
	}
	w.added += added
	w.removed += removed
	if w.pending {
		if _, err := tx.ExecContext(ctx, `INSERT INTO entente_ops_pending (seq, add, quad) SELECT seq, add, nq FROM entente_done`); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, `INSERT INTO entente_op (tx, seq, add, quad) SELECT $1, seq, add, nq FROM entente_done`, w.id); err != nil {
		return err
	}
	// Node references: one per direction a quad names it.
	if _, err := tx.ExecContext(ctx, `
UPDATE nodes n SET refs = n.refs + c.k FROM (
	SELECT h, sum(k) AS k FROM (
		SELECT s AS h, CASE WHEN add THEN 1 ELSE -1 END AS k FROM entente_done
		UNION ALL SELECT p, CASE WHEN add THEN 1 ELSE -1 END FROM entente_done
		UNION ALL SELECT o, CASE WHEN add THEN 1 ELSE -1 END FROM entente_done
		UNION ALL SELECT l, CASE WHEN add THEN 1 ELSE -1 END FROM entente_done WHERE l IS NOT NULL
	) x GROUP BY h) c
WHERE n.hash = c.h AND c.k <> 0`); err != nil {
		return err
	}
	if removed > 0 {
		if _, err := tx.ExecContext(ctx, `
DELETE FROM nodes n USING (
	SELECT s AS h FROM entente_done WHERE NOT add
	UNION SELECT p FROM entente_done WHERE NOT add
	UNION SELECT o FROM entente_done WHERE NOT add
	UNION SELECT l FROM entente_done WHERE NOT add AND l IS NOT NULL) x
WHERE n.hash = x.h AND n.refs <= 0`); err != nil {
			return err
		}
	}
	return nil
}

func joinCols(cs []string) string {
	out := ""
	for i, c := range cs {
		if i > 0 {
			out += ", "
		}
		out += c
	}
	return out
}

// unpend records the changes kept pending: the load is not implicit
// after all.
func (w *writeTx) unpend(ctx context.Context) error {
	if !w.pending {
		return nil
	}
	w.pending = false
	_, err := w.tx.ExecContext(ctx, `INSERT INTO entente_op (tx, seq, add, quad) SELECT $1, seq, add, quad FROM entente_ops_pending`, w.id)
	return err
}

// finish records the transaction and commits, or, when it changed
// nothing, rolls back and returns a record with id 0.
func (w *writeTx) finish(ctx context.Context, meta json.RawMessage) (quadstore.TxRecord, error) {
	if w.added+w.removed == 0 {
		w.tx.Rollback()
		return quadstore.TxRecord{}, nil
	}
	if _, err := w.tx.ExecContext(ctx, `UPDATE entente_tx SET added = $2, removed = $3, implicit = $4 WHERE id = $1`, w.id, w.added, w.removed, w.implicit); err != nil {
		w.tx.Rollback()
		return quadstore.TxRecord{}, convErr(err)
	}
	if _, err := w.tx.ExecContext(ctx, `UPDATE entente_store SET changes = changes + 1, last_tx = $1, last_time = $2`, w.id, w.t); err != nil {
		w.tx.Rollback()
		return quadstore.TxRecord{}, convErr(err)
	}
	if err := w.tx.Commit(); err != nil {
		return quadstore.TxRecord{}, convErr(err)
	}
	return quadstore.TxRecord{ID: uint64(w.id), Time: w.t, Added: w.added, Removed: w.removed, Implicit: w.implicit, Meta: meta}, nil
}

// Commit applies changes as one transaction of the history: all or none.
// Adding a quad already stored or removing one that is not changes
// nothing and is not recorded; a commit that changes nothing records no
// transaction (its record has id 0).
func (s *Store) Commit(ctx context.Context, adds, removes []quad.Quad, o quadstore.TxOptions) (quadstore.TxRecord, error) {
	return s.commit(ctx, adds, removes, o, nil)
}

func (s *Store) commit(ctx context.Context, adds, removes []quad.Quad, o quadstore.TxOptions, strict *cgraph.IgnoreOpts) (quadstore.TxRecord, error) {
	w, err := s.begin(ctx, o)
	if err != nil {
		return quadstore.TxRecord{}, err
	}
	if err := w.apply(ctx, adds, removes, strict); err != nil {
		w.tx.Rollback()
		return quadstore.TxRecord{}, convErr(err)
	}
	return w.finish(ctx, o.Meta)
}

// DefaultBatch is the number of quads a load stages at a time.
const DefaultBatch = 20000

// Load adds every quad r yields, ignoring quads already stored, as one
// transaction of the history and one PostgreSQL transaction: on any error
// from r, the context or the server nothing is written. It stages
// LoadOptions.BatchSize quads at a time (DefaultBatch by default) with
// COPY; BulkLimit is ignored. Into an empty store without history, a
// load that only adds (its Finish changes nothing) is an implicit
// transaction (LoadResult.Bulk, TxRecord.Implicit), as on the Badger
// store: its changes are not recorded one by one, the store's contents
// are them.
//
// LoadOptions.Finish is called once the input is staged, and what it
// returns is written in the same transaction. Unlike on the Badger store,
// its reads see the store as it was before the load: the load's own
// additions are not committed yet, so a change that names something only
// the same input adds is not found, and the whole load fails.
func (s *Store) Load(ctx context.Context, r quad.Reader, opts *quadstore.LoadOptions) (quadstore.LoadResult, error) {
	var o quadstore.LoadOptions
	if opts != nil {
		o = *opts
	}
	size := o.BatchSize
	if size <= 0 {
		size = DefaultBatch
	}
	w, err := s.begin(ctx, o.Tx)
	if err != nil {
		return quadstore.LoadResult{}, err
	}
	var res quadstore.LoadResult
	fail := func(err error) (quadstore.LoadResult, error) {
		w.tx.Rollback()
		return quadstore.LoadResult{}, convErr(err)
	}
	err = w.tx.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM quads) AND NOT EXISTS (SELECT 1 FROM entente_tx WHERE id <> $1)`, w.id).Scan(&w.pending)
	if err != nil {
		return fail(err)
	}
	var batches int64
	batch := make([]quad.Quad, 0, size)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := w.apply(ctx, batch, nil, nil); err != nil {
			return err
		}
		batch = batch[:0]
		if o.Progress != nil {
			batches++
			o.Progress(quadstore.LoadProgress{Read: res.Read, Added: w.added, Batches: batches})
		}
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		q, err := r.ReadQuad()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err)
		}
		res.Read++
		batch = append(batch, q)
		if len(batch) >= size {
			if err := flush(); err != nil {
				return fail(err)
			}
		}
	}
	if err := flush(); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	meta := o.Tx.Meta
	if o.Finish != nil {
		// The changes the input states, planned by reads that see the
		// store as it was before this load (its additions are not
		// committed yet), written in the load's transaction.
		fin, err := o.Finish(ctx)
		if err != nil {
			return fail(err)
		}
		if len(fin.Adds)+len(fin.Removes) > 0 {
			if err := w.unpend(ctx); err != nil {
				return fail(err)
			}
			if err := w.apply(ctx, fin.Adds, fin.Removes, nil); err != nil {
				return fail(err)
			}
		}
		if fin.Meta != nil {
			meta = fin.Meta
			if _, err := w.tx.ExecContext(ctx, `UPDATE entente_tx SET meta = $2 WHERE id = $1`, w.id, []byte(meta)); err != nil {
				return fail(err)
			}
		}
	}
	if w.pending {
		// Into an empty store, and nothing but additions: implicit.
		w.implicit, w.pending = true, false
		res.Bulk = true
	}
	rec, err := w.finish(ctx, meta)
	if err != nil {
		return quadstore.LoadResult{}, err
	}
	res.Added = rec.Added // the input's and its changes', as on Badger
	res.Removed = rec.Removed
	res.Tx = rec
	return res, nil
}
