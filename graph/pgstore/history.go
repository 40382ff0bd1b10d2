package pgstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	csql "github.com/cayleygraph/cayley/graph/sql"
	"github.com/cayleygraph/quad"
	"github.com/cayleygraph/quad/nquads"
	"github.com/cayleygraph/quad/pquads"
	"github.com/entente-kg/entente/graph/quadstore"
)

// Log returns the store's transactions, oldest first.
func (s *Store) Log(ctx context.Context) ([]quadstore.TxRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, time, added, removed, implicit, meta FROM entente_tx ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quadstore.TxRecord
	for rows.Next() {
		var rec quadstore.TxRecord
		var meta []byte
		if err := rows.Scan(&rec.ID, &rec.Time, &rec.Added, &rec.Removed, &rec.Implicit, &meta); err != nil {
			return nil, err
		}
		rec.Time = rec.Time.UTC()
		if len(meta) > 0 {
			rec.Meta = meta
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

func parseQuad(s string) (quad.Quad, error) {
	q, err := nquads.Parse(s)
	if err != nil {
		return q, fmt.Errorf("%w: history op %q: %v", quadstore.ErrCorrupt, s, err)
	}
	return q, nil
}

// Changes calls fn with each change of the transactions after since up to
// and including until (0: the newest), oldest first.
func (s *Store) Changes(ctx context.Context, since, until uint64, fn func(quadstore.TxRecord, quadstore.Op) error) error {
	log, err := s.Log(ctx)
	if err != nil {
		return err
	}
	byID := map[uint64]quadstore.TxRecord{}
	for _, r := range log {
		byID[r.ID] = r
	}
	q := `SELECT tx, add, quad FROM entente_op WHERE tx > $1 ORDER BY tx, seq`
	args := []any{int64(since)}
	if until != 0 {
		q = `SELECT tx, add, quad FROM entente_op WHERE tx > $1 AND tx <= $2 ORDER BY tx, seq`
		args = append(args, int64(until))
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var tx uint64
		var add bool
		var text string
		if err := rows.Scan(&tx, &add, &text); err != nil {
			return err
		}
		qd, err := parseQuad(text)
		if err != nil {
			return err
		}
		if err := fn(byID[tx], quadstore.Op{Add: add, Quad: qd}); err != nil {
			return err
		}
	}
	return rows.Err()
}

// QuadsAsOf returns the quads the store held after transaction at: the
// present, with the changes after at undone.
func (s *Store) QuadsAsOf(ctx context.Context, at uint64) ([]quad.Quad, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cur, err := allQuads(ctx, tx)
	if err != nil {
		return nil, err
	}
	ops, empty, err := opsAfterTx(ctx, tx, at)
	if err != nil || empty {
		return nil, err
	}
	held := map[string]bool{} // membership that differs from the present
	byKey := map[string]quad.Quad{}
	for i := len(ops) - 1; i >= 0; i-- {
		k := ops[i].Quad.NQuad()
		held[k] = !ops[i].Add
		byKey[k] = ops[i].Quad
	}
	out := make([]quad.Quad, 0, len(cur))
	seen := map[string]bool{}
	for _, q := range cur {
		k := q.NQuad()
		if h, ok := held[k]; ok {
			if !h {
				continue
			}
			seen[k] = true
		}
		out = append(out, q)
	}
	var extra []string
	for k, h := range held {
		if h && !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		out = append(out, byKey[k])
	}
	return out, nil
}

type queryer interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func opsAfterTx(ctx context.Context, db queryer, at uint64) ([]quadstore.Op, bool, error) {
	var implicit bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM entente_tx WHERE id > $1 AND implicit)`, int64(at)).Scan(&implicit); err != nil {
		return nil, false, err
	}
	if implicit {
		return nil, true, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT add, quad FROM entente_op WHERE tx > $1 ORDER BY tx, seq`, int64(at))
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var ops []quadstore.Op
	for rows.Next() {
		var op quadstore.Op
		var text string
		if err := rows.Scan(&op.Add, &text); err != nil {
			return nil, false, err
		}
		if op.Quad, err = parseQuad(text); err != nil {
			return nil, false, err
		}
		ops = append(ops, op)
	}
	return ops, false, rows.Err()
}

// allNodes reads every node's value.
func allNodes(ctx context.Context, db queryer) (map[[quad.HashSize]byte]quad.Value, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+strings.Join(nodeColumns, ", ")+` FROM nodes`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[quad.HashSize]byte]quad.Value{}
	for rows.Next() {
		h, v, err := scanNode(rows)
		if err != nil {
			return nil, err
		}
		out[h.ValueHash] = v
	}
	return out, rows.Err()
}

// allQuads reads every quad with its values, in the quads' order of
// insertion.
func allQuads(ctx context.Context, db queryer) ([]quad.Quad, error) {
	nodes, err := allNodes(ctx, db)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT subject_hash, predicate_hash, object_hash, label_hash FROM quads ORDER BY horizon`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quad.Quad
	for rows.Next() {
		var h [4]csql.NodeHash
		if err := rows.Scan(&h[0], &h[1], &h[2], &h[3]); err != nil {
			return nil, err
		}
		var q quad.Quad
		for i, d := range quad.Directions {
			if !h[i].Valid() {
				continue
			}
			v, ok := nodes[h[i].ValueHash]
			if !ok {
				return nil, fmt.Errorf("%w: a quad names node %x, which is not in the nodes table", quadstore.ErrCorrupt, h[i].ValueHash[:])
			}
			q.Set(d, v)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// scanNode decodes a row of nodeColumns, as Cayley's SQL store does.
func scanNode(rows *sql.Rows) (csql.NodeHash, quad.Value, error) {
	var (
		hash   csql.NodeHash
		data   []byte
		str    sql.NullString
		typ    sql.NullString
		lang   sql.NullString
		iri    sql.NullBool
		bnode  sql.NullBool
		vint   sql.NullInt64
		vbool  sql.NullBool
		vfloat sql.NullFloat64
		vtime  sql.NullTime
	)
	if err := rows.Scan(&hash, &data, &str, &typ, &lang, &iri, &bnode, &vint, &vbool, &vfloat, &vtime); err != nil {
		return hash, nil, err
	}
	unesc := func(s string) string { return strings.ReplaceAll(s, `\x00`, "\u0000") }
	switch {
	case str.Valid:
		switch {
		case iri.Bool:
			return hash, quad.IRI(str.String), nil
		case bnode.Bool:
			return hash, quad.BNode(str.String), nil
		case lang.Valid:
			return hash, quad.LangString{Value: quad.String(unesc(str.String)), Lang: lang.String}, nil
		case typ.Valid:
			return hash, quad.TypedString{Value: quad.String(unesc(str.String)), Type: quad.IRI(typ.String)}, nil
		}
		return hash, quad.String(unesc(str.String)), nil
	case vint.Valid:
		return hash, quad.Int(vint.Int64), nil
	case vbool.Valid:
		return hash, quad.Bool(vbool.Bool), nil
	case vfloat.Valid:
		return hash, quad.Float(vfloat.Float64), nil
	case vtime.Valid:
		return hash, quad.Time(vtime.Time.UTC()), nil
	}
	v, err := pquads.UnmarshalValue(data)
	if err != nil {
		return hash, nil, fmt.Errorf("%w: node %x: %v", quadstore.ErrCorrupt, hash.ValueHash[:], err)
	}
	return hash, v, nil
}

func sortTriples(t [][3]uint64) {
	sort.Slice(t, func(i, j int) bool {
		a, b := t[i], t[j]
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		if a[1] != b[1] {
			return a[1] < b[1]
		}
		return a[2] < b[2]
	})
}
