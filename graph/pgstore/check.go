package pgstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/entente-kg/entente/graph/quadstore"
)

// Check verifies the store in one snapshot: every quad's nodes exist,
// every node's reference count is the number of quad directions naming it
// and no node is left without one, the change counter and the newest
// transaction agree with the history, each transaction's counts agree
// with its changes, and undoing the whole history from the present,
// newest change first, is possible at every step (each addition undone
// was there, each removal undone was not) and ends at an empty store or
// at an implicit first transaction.
func (s *Store) Check(ctx context.Context) (*quadstore.CheckReport, error) {
	rep := &quadstore.CheckReport{}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, convErr(err)
	}
	defer tx.Rollback()
	problem := func(f string, a ...any) { rep.Problems = append(rep.Problems, fmt.Sprintf(f, a...)) }
	count := func(q string, args ...any) (int64, error) {
		var n int64
		err := tx.QueryRowContext(ctx, q, args...).Scan(&n)
		return n, err
	}
	if rep.Quads, err = count(`SELECT count(*) FROM quads`); err != nil {
		return nil, err
	}
	if rep.Nodes, err = count(`SELECT count(*) FROM nodes`); err != nil {
		return nil, err
	}
	if n, err := count(`SELECT count(*) FROM quads q WHERE NOT EXISTS (SELECT 1 FROM nodes n WHERE n.hash = q.subject_hash)
		OR NOT EXISTS (SELECT 1 FROM nodes n WHERE n.hash = q.predicate_hash)
		OR NOT EXISTS (SELECT 1 FROM nodes n WHERE n.hash = q.object_hash)
		OR (q.label_hash IS NOT NULL AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.hash = q.label_hash))`); err != nil {
		return nil, err
	} else if n > 0 {
		problem("%d quads name a node the nodes table does not have", n)
	}
	if n, err := count(`SELECT count(*) FROM nodes n LEFT JOIN (
		SELECT h, count(*) AS k FROM (
			SELECT subject_hash AS h FROM quads UNION ALL SELECT predicate_hash FROM quads
			UNION ALL SELECT object_hash FROM quads UNION ALL SELECT label_hash FROM quads WHERE label_hash IS NOT NULL) x
		GROUP BY h) c ON c.h = n.hash
		WHERE n.refs <> coalesce(c.k, 0) OR c.k IS NULL`); err != nil {
		return nil, err
	} else if n > 0 {
		problem("%d nodes have a reference count that is not the number of quads naming them (or no quad at all)", n)
	}
	log, err := s.logTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	rep.Transactions = len(log)
	var changes, last int64
	if err := tx.QueryRowContext(ctx, `SELECT changes, last_tx FROM entente_store`).Scan(&changes, &last); err != nil {
		return nil, err
	}
	var newest int64
	if len(log) > 0 {
		newest = int64(log[len(log)-1].ID)
	}
	if last != newest {
		problem("the store's newest transaction is %d but the history's is %d", last, newest)
	}
	if changes < int64(len(log)) {
		problem("the change counter (%d) is below the number of transactions (%d)", changes, len(log))
	}
	if n, err := count(`SELECT count(*) FROM entente_tx t WHERE NOT t.implicit AND (
		t.added <> (SELECT count(*) FROM entente_op o WHERE o.tx = t.id AND o.add) OR
		t.removed <> (SELECT count(*) FROM entente_op o WHERE o.tx = t.id AND NOT o.add))`); err != nil {
		return nil, err
	} else if n > 0 {
		problem("%d transactions' counts disagree with their recorded changes", n)
	}
	// Undo the history from the present.
	cur, err := allQuads(ctx, tx)
	if err != nil {
		return nil, err
	}
	held := make(map[string]bool, len(cur))
	for _, q := range cur {
		held[q.NQuad()] = true
	}
	rows, err := tx.QueryContext(ctx, `SELECT o.tx, o.add, o.quad, t.implicit FROM entente_op o JOIN entente_tx t ON t.id = o.tx ORDER BY o.tx DESC, o.seq DESC`)
	if err != nil {
		return nil, err
	}
	bad := 0
	for rows.Next() {
		var id int64
		var add, implicit bool
		var text string
		if err := rows.Scan(&id, &add, &text, &implicit); err != nil {
			rows.Close()
			return nil, err
		}
		q, err := parseQuad(text)
		if err != nil {
			problem("transaction %d: %v", id, err)
			continue
		}
		k := q.NQuad()
		if add != held[k] {
			if bad++; bad <= 5 {
				verb := "adds"
				if !add {
					verb = "removes"
				}
				problem("transaction %d %s %s, which the store's later state does not explain", id, verb, k)
			}
		}
		if add {
			delete(held, k)
		} else {
			held[k] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if bad > 5 {
		problem("… and %d more changes of the history the store does not explain", bad-5)
	}
	implicitFirst := len(log) > 0 && log[0].Implicit
	if len(held) > 0 && !implicitFirst {
		problem("%d quads are not explained by the history (undoing every transaction leaves them)", len(held))
	} else if implicitFirst && int64(len(held)) != log[0].Added {
		problem("the implicit first transaction counts %d quads but %d remain when the history is undone", log[0].Added, len(held))
	}
	return rep, nil
}

func (s *Store) logTx(ctx context.Context, tx *sql.Tx) ([]quadstore.TxRecord, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, added, implicit FROM entente_tx ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []quadstore.TxRecord
	for rows.Next() {
		var r quadstore.TxRecord
		if err := rows.Scan(&r.ID, &r.Added, &r.Implicit); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
