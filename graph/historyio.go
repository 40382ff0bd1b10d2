package graph

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cayleygraph/quad"
	"github.com/cayleygraph/quad/nquads"
	"github.com/entente-kg/entente/graph/quadstore"
)

// HistoryFormat names the history file format (docs/history.md): JSON
// Lines, a header, then for each transaction a line with its record and a
// line for each quad it added or removed, in N-Quads.
//
//	{"format":"entente-history","version":1,"transactions":3}
//	{"tx":{"id":"tx:1","time":"2026-12-01T09:00:00Z","author":"ana",…,"implicit":true}}
//	{"add":"<entity:japan> <rel:partner> <entity:india> <stmt:…> ."}
//	{"tx":{"id":"tx:2",…}}
//	{"remove":"<entity:japan> <rel:partner> <entity:india> <stmt:…> ."}
//
// An implicit transaction (the first load into an empty store) lists the
// quads the store held after it.
const HistoryFormat = "entente-history"

type historyHeader struct {
	Format       string `json:"format"`
	Version      int    `json:"version"`
	Transactions int    `json:"transactions"`
}

type historyLine struct {
	Tx     *txLine `json:"tx,omitempty"`
	Add    string  `json:"add,omitempty"`
	Remove string  `json:"remove,omitempty"`
}

type txLine struct {
	ID       string    `json:"id"`
	Time     time.Time `json:"time"`
	Author   string    `json:"author,omitempty"`
	Message  string    `json:"message,omitempty"`
	Sources  []string  `json:"sources,omitempty"`
	Kind     string    `json:"kind,omitempty"`
	Added    int64     `json:"added"`
	Removed  int64     `json:"removed"`
	Implicit bool      `json:"implicit,omitempty"`
}

func nquadText(q quad.Quad) string { return strings.TrimSuffix(q.NQuad(), "\n") }

// WriteHistory writes the store's whole history (every transaction with
// its changes) to w, oldest first. LoadHistory reads it back into an empty
// store with the same transactions, ids, times and authors.
func (db *DB) WriteHistory(ctx context.Context, w io.Writer) error {
	if err := db.usable(); err != nil {
		return err
	}
	b := db.base()
	log, err := b.Log(ctx)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(historyHeader{HistoryFormat, 1, len(log)}); err != nil {
		return err
	}
	// Changes come per transaction, oldest first.
	changes, err := b.Changes(ctx, 0, 0)
	if err != nil {
		return err
	}
	next := 0
	for i := len(log) - 1; i >= 0; i-- {
		t := log[i]
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := enc.Encode(historyLine{Tx: &txLine{t.Name(), t.Time, t.Author, t.Message, t.Sources, t.Kind, t.Added, t.Removed, t.Implicit}}); err != nil {
			return err
		}
		if t.Implicit {
			qs, err := b.qs.QuadsAsOf(ctx, t.ID)
			if err != nil {
				return mapErr(err)
			}
			for _, q := range qs {
				if err := enc.Encode(historyLine{Add: nquadText(q)}); err != nil {
					return err
				}
			}
			continue
		}
		for ; next < len(changes) && changes[next].Tx.ID == t.ID; next++ {
			c := changes[next]
			l := historyLine{Remove: nquadText(c.Quad)}
			if c.Added {
				l = historyLine{Add: nquadText(c.Quad)}
			}
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}

// IsHistory reports whether the first line of a file is a history
// file's header.
func IsHistory(first []byte) bool {
	var h historyHeader
	return json.Unmarshal(first, &h) == nil && h.Format == HistoryFormat
}

// LoadHistory reads a history written by WriteHistory into an empty
// store, transaction by transaction, keeping their ids, times, authors and
// messages. An error names the line; the transactions before it stay (each
// is whole), so load into a new store and discard it on error.
func (db *DB) LoadHistory(ctx context.Context, r io.Reader) (int, error) {
	if err := db.writable(); err != nil {
		return 0, err
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	if st, err := db.qs.Stats(ctx, true); err != nil {
		return 0, mapErr(err)
	} else if st.Quads.Value > 0 || db.qs.LastTx() > 0 {
		return 0, errors.New("a history loads only into an empty store (it brings the store's every transaction)")
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 64<<20)
	line := 0
	bad := func(format string, args ...interface{}) error {
		return fmt.Errorf("history line %d: %s", line, fmt.Sprintf(format, args...))
	}
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return 0, err
		}
		return 0, errors.New("history: the file is empty")
	}
	line++
	var h historyHeader
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil || h.Format != HistoryFormat {
		return 0, bad("not an Entente history (its first line must be {\"format\":%q,…})", HistoryFormat)
	}
	if h.Version != 1 {
		return 0, bad("history format version %d; this build reads version 1", h.Version)
	}
	var cur *txLine
	var adds, removes []quad.Quad
	done := 0
	flush := func() error {
		if cur == nil {
			return nil
		}
		var id uint64
		if _, err := fmt.Sscanf(cur.ID, "tx:%d", &id); err != nil || id == 0 {
			return bad("transaction id %q is not tx:N", cur.ID)
		}
		meta := TxMeta{Author: cur.Author, Message: cur.Message, Sources: cur.Sources, Kind: cur.Kind}
		if meta.Author == "" {
			meta.Author = "unknown"
		}
		o := meta.TxOptions()
		o.ID, o.Time = id, cur.Time
		if cur.Implicit {
			if len(removes) > 0 {
				return bad("transaction %s is implicit but removes quads", cur.ID)
			}
			res, err := db.qs.Load(ctx, &quadstore.SliceReader{Quads: adds}, &quadstore.LoadOptions{Tx: o})
			if err != nil {
				return mapErr(err)
			}
			if !res.Tx.Implicit {
				return bad("transaction %s is implicit (the first load into an empty store) but the store was not empty", cur.ID)
			}
		} else if _, err := db.qs.Commit(ctx, adds, removes, o); err != nil {
			return mapErr(err)
		}
		done++
		adds, removes = adds[:0], removes[:0]
		return nil
	}
	for sc.Scan() {
		line++
		var l historyLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return done, bad("%v", err)
		}
		switch {
		case l.Tx != nil:
			if err := flush(); err != nil {
				return done, err
			}
			cur = l.Tx
		case cur == nil:
			return done, bad("a change before the first transaction")
		case l.Add != "" || l.Remove != "":
			text := l.Add
			if text == "" {
				text = l.Remove
			}
			q, err := nquads.Parse(text)
			if err != nil || !q.IsValid() {
				return done, bad("not a quad in N-Quads: %v", err)
			}
			if l.Add != "" {
				adds = append(adds, q)
			} else {
				removes = append(removes, q)
			}
		default:
			return done, bad("a line with neither tx, add nor remove")
		}
		if line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return done, err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return done, err
	}
	if err := flush(); err != nil {
		return done, err
	}
	if h.Transactions != 0 && done != h.Transactions {
		return done, fmt.Errorf("history: the header announces %d transactions, the file holds %d (cut short?)", h.Transactions, done)
	}
	return done, nil
}
