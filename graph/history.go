package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/user"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	cgraph "github.com/cayleygraph/cayley/graph"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/quadstore"
)

// A store keeps its history: every change — a load, a retraction, an
// amendment — is a transaction with an id (tx:1, tx:2, … in commit order),
// a time, an author, a message and its sources, and the quads it added and
// removed. Nothing is overwritten: the state after any transaction can be
// asked for (AsOf), and what held in the world at a date (At) is read from
// the relations' valid_from/valid_until and dated states. See
// docs/history.md.

// TxMeta is what a writer says about its transaction.
type TxMeta struct {
	// Author defaults to the operating system's user.
	Author string `json:"author,omitempty"`
	// Message says why (the reason of a retraction or an amendment).
	Message string `json:"message,omitempty"`
	// Sources names the inputs of a load.
	Sources []string `json:"sources,omitempty"`
	// Kind is load, retract, amend, replace or change.
	Kind string `json:"kind,omitempty"`
	// Time, when set, is the time the transaction records instead of
	// now; it must not be before the last transaction's.
	Time time.Time `json:"-"`
}

// DefaultAuthor is the operating system's user name ("unknown" if none).
func DefaultAuthor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// TxOptions turns m into the store's transaction options, filling in the
// author.
func (m TxMeta) TxOptions() quadstore.TxOptions {
	if m.Author == "" {
		m.Author = DefaultAuthor()
	}
	b, _ := json.Marshal(m)
	return quadstore.TxOptions{Meta: b, Time: m.Time}
}

// Tx is one transaction of a store's history.
type Tx struct {
	ID      uint64    `json:"-"`
	Time    time.Time `json:"time"`
	Author  string    `json:"author"`
	Message string    `json:"message"`
	Sources []string  `json:"sources,omitempty"`
	Kind    string    `json:"kind,omitempty"`
	Added   int64     `json:"added"`
	Removed int64     `json:"removed"`
	// Implicit: the transaction's changes are not recorded one by one —
	// the first load into an empty store (everything it held after it was
	// added by it), or a store's contents from before its history.
	Implicit bool `json:"implicit,omitempty"`
}

// Name is the transaction's id as written: tx:12.
func (t Tx) Name() string { return "tx:" + strconv.FormatUint(t.ID, 10) }

// MarshalJSON writes the id as "tx:N" and the time in RFC 3339.
func (t Tx) MarshalJSON() ([]byte, error) {
	type plain Tx
	return json.Marshal(struct {
		ID   string `json:"id"`
		Time string `json:"time"`
		plain
	}{t.Name(), t.Time.UTC().Format(time.RFC3339), plain(t)})
}

// TxOf reads a transaction record of the store.
func TxOf(rec quadstore.TxRecord) Tx {
	var m TxMeta
	_ = json.Unmarshal(rec.Meta, &m)
	return Tx{ID: rec.ID, Time: rec.Time, Author: m.Author, Message: m.Message, Sources: m.Sources,
		Kind: m.Kind, Added: rec.Added, Removed: rec.Removed, Implicit: rec.Implicit}
}

// Log lists the store's transactions, newest first.
func (db *DB) Log(ctx context.Context) ([]Tx, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	recs, err := db.base().qs.Log(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]Tx, 0, len(recs))
	for i := len(recs) - 1; i >= 0; i-- {
		if db.asOf != nil && recs[i].ID > *db.asOf {
			continue
		}
		out = append(out, TxOf(recs[i]))
	}
	return out, nil
}

// base is the store a view was made from (the DB itself for a store).
func (db *DB) base() *DB {
	if db.parent != nil {
		return db.parent
	}
	return db
}

// ErrNoTx: a time or transaction before the store's history, or a
// transaction id it does not hold.
var ErrNoTx = errors.New("graph: no such transaction")

var txIDPattern = regexp.MustCompile(`^(?i:tx:?\s*)?([0-9]+)$`)

// ResolveTx finds the transaction a point in the store's time denotes:
// "tx:12" (or a bare number of fewer than four digits: 12), a date (the
// last transaction on or before its last day: 2026-12-01, 2026-12, 2026)
// or an RFC 3339 timestamp (the last at or before it, to the precision it
// is written in: 2026-12-01T15:04:05Z is the whole second). A time before the
// first transaction is transaction 0, the empty store.
func (db *DB) ResolveTx(ctx context.Context, spec string) (Tx, error) {
	spec = strings.TrimSpace(spec)
	log, err := db.Log(ctx)
	if err != nil {
		return Tx{}, err
	}
	if m := txIDPattern.FindStringSubmatch(spec); m != nil && (strings.HasPrefix(strings.ToLower(spec), "tx") || len(m[1]) < 4) {
		id, err := strconv.ParseUint(m[1], 10, 64)
		if err != nil {
			return Tx{}, fmt.Errorf("%w: %s", ErrNoTx, spec)
		}
		if id == 0 {
			return Tx{}, nil
		}
		for _, t := range log {
			if t.ID == id {
				return t, nil
			}
		}
		last := "the store has no transactions"
		if len(log) > 0 {
			last = fmt.Sprintf("the store's transactions are tx:%d to tx:%d", log[len(log)-1].ID, log[0].ID)
		}
		return Tx{}, fmt.Errorf("%w: tx:%d (%s)", ErrNoTx, id, last)
	}
	var limit time.Time
	if d, err := ParseDate(spec); err == nil {
		limit = d.Last().Add(24*time.Hour - time.Nanosecond)
	} else if t, err := time.Parse(time.RFC3339Nano, spec); err == nil {
		// A timestamp covers its last written digit: 15:04:05Z is the
		// whole second, as the log prints it.
		limit = t
		if !strings.Contains(spec, ".") {
			limit = t.Add(time.Second - time.Nanosecond)
		}
	} else if t, err := time.Parse("2006-01-02T15:04", spec); err == nil {
		limit = t.Add(time.Minute - time.Nanosecond)
	} else {
		return Tx{}, fmt.Errorf("%q is not a transaction (tx:12), a date (2026-12-01) or a timestamp (2026-12-01T15:04:05Z)", spec)
	}
	for _, t := range log {
		if !t.Time.After(limit) {
			return t, nil
		}
	}
	return Tx{}, nil
}

// snapshots caches the views made from a store.
type snapshots struct {
	mu    sync.Mutex
	views map[string]*DB
	order []string
}

const maxSnapshots = 4

func (s *snapshots) get(key string, make func() (*DB, error)) (*DB, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.views[key]; ok {
		return v, nil
	}
	v, err := make()
	if err != nil {
		return nil, err
	}
	if s.views == nil {
		s.views = map[string]*DB{}
	}
	if len(s.order) >= maxSnapshots {
		old := s.order[0]
		s.order = s.order[1:]
		s.views[old].Close()
		delete(s.views, old)
	}
	s.views[key] = v
	s.order = append(s.order, key)
	return v, nil
}

func (s *snapshots) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.views {
		v.Close()
	}
	s.views, s.order = nil, nil
}

// AsOf returns the store as it was after transaction id: a read-only view
// in memory, valid until db is closed or changes (views are cached, a few
// at a time). The newest transaction's view is db itself.
func (db *DB) AsOf(ctx context.Context, id uint64) (*DB, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	b := db.base()
	if db.asOf != nil && id > *db.asOf {
		id = *db.asOf
	}
	if id >= b.qs.LastTx() && db.validAt == nil {
		return b, nil
	}
	key := fmt.Sprintf("%d@%d", b.Version(), id)
	return b.snaps.get(key, func() (*DB, error) {
		v, err := b.viewAsOf(ctx, id)
		if err != nil {
			return nil, err
		}
		at := id
		v.asOf = &at
		return v, nil
	})
}

// viewAsOf makes a read-only in-memory store of the store as it was after
// transaction id (copyAt).
func (b *DB) viewAsOf(ctx context.Context, id uint64) (*DB, error) {
	v, err := b.copyAt(ctx, id)
	if err != nil {
		return nil, err
	}
	v.opts.ReadOnly = true
	v.parent = b
	return v, nil
}

// copyAt makes an in-memory copy of db's store as it was after transaction
// id, to read or change: a Badger store copies its keys and undoes the
// later changes (quadstore.FillAsOf); another backend gives its quads.
func (db *DB) copyAt(ctx context.Context, id uint64) (*DB, error) {
	src, ok := badgerOf(db.qs)
	if !ok {
		qs, err := db.qs.QuadsAsOf(ctx, id)
		if err != nil {
			return nil, mapErr(err)
		}
		v, err := viewOf(ctx, db, qs)
		if err != nil {
			return nil, err
		}
		v.opts.ReadOnly = false
		return v, nil
	}
	v, err := Open("", &Options{InMemory: true})
	if err != nil {
		return nil, err
	}
	dst, ok := badgerOf(v.qs)
	if !ok {
		v.Close()
		return nil, errors.New("graph: an in-memory store is not a Badger store")
	}
	if err := dst.FillAsOf(ctx, src, id); err != nil {
		v.Close()
		return nil, mapErr(err)
	}
	return v, nil
}

// viewOf makes a read-only in-memory store of quads.
func viewOf(ctx context.Context, parent *DB, qs []quad.Quad) (*DB, error) {
	v, err := Open("", &Options{InMemory: true})
	if err != nil {
		return nil, err
	}
	if len(qs) > 0 {
		if _, err := v.qs.Load(ctx, &quadstore.SliceReader{Quads: qs}, nil); err != nil {
			v.Close()
			return nil, mapErr(err)
		}
	}
	v.opts.ReadOnly = true
	v.parent = parent
	return v, nil
}

// Period is a span of valid time: what held in the world at a date
// (From = Until) or at any time during a span.
type Period struct {
	From, Until Date
}

func (p Period) String() string {
	if p.From == p.Until {
		return p.From.String()
	}
	return p.From.String() + " .. " + p.Until.String()
}

// At returns the graph as it held in the world during p, as the store (or
// this view of it) records it: a node with valid_from or valid_until (a
// statement, an event, a publication) that does not overlap p is left out
// with every quad naming it, and a relation with dated states
// (q:state, from Amend with a date) has the status of its latest state
// begun by the end of p. A relation or entity without dates holds always.
func (db *DB) At(ctx context.Context, p Period) (*DB, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	b := db.base()
	var id uint64
	if db.asOf != nil {
		id = *db.asOf
	} else {
		id = b.qs.LastTx()
	}
	// The store the period filters: the present, or the view as of a
	// transaction (made first: the cache is not re-entrant).
	src := b
	if db.asOf != nil {
		var err error
		if src, err = b.AsOf(ctx, id); err != nil {
			return nil, err
		}
	}
	key := fmt.Sprintf("%d@%d@%s", b.Version(), id, p)
	return b.snaps.get(key, func() (*DB, error) {
		adds, removes, err := src.validChanges(ctx, p)
		if err != nil {
			return nil, err
		}
		var v *DB
		if len(adds) == 0 && len(removes) == 0 && src == b {
			// Nothing dated excludes anything: the store as it is, shared
			// (a view as of a transaction is copied instead: the cache
			// may close it before this one).
			v = &DB{dir: src.dir, opts: src.opts, qs: noClose{src.qs}}
		} else if v, err = src.copyAt(ctx, src.qs.LastTx()); err != nil {
			return nil, err
		} else if _, err := v.qs.Commit(ctx, adds, removes, quadstore.TxOptions{}); err != nil {
			v.Close()
			return nil, mapErr(err)
		}
		v.opts.ReadOnly = true
		v.parent = b
		if db.asOf != nil {
			at := id
			v.asOf = &at
		}
		pp := p
		v.validAt = &pp
		return v, nil
	})
}

// noClose is a store a view shares with the store it views: closing the
// view leaves it open.
type noClose struct{ backend }

func (noClose) Close() error { return nil }

// Stamp and NodeRefs let a shared view read the link index kept with the
// store it shares.
func (n noClose) Stamp() (quadstore.Stamp, bool) {
	if c, ok := n.backend.(cachedStore); ok {
		return c.Stamp()
	}
	return quadstore.Stamp{}, false
}

func (n noClose) NodeRefs(ids []uint64) []cgraph.Ref {
	if c, ok := n.backend.(cachedStore); ok {
		return c.NodeRefs(ids)
	}
	return nil
}

// badgerOf is the Badger store under a backend, if it is one.
func badgerOf(qs backend) (*quadstore.QuadStore, bool) {
	if n, ok := qs.(noClose); ok {
		qs = n.backend
	}
	s, ok := any(qs).(*quadstore.QuadStore)
	return s, ok
}

// validChanges works out, through the store's indexes, what makes db the
// world during p: the quads naming a node whose valid_from and valid_until
// (a statement, an event, a publication) do not overlap p go, and a
// relation with dated states gets the status it had then.
func (db *DB) validChanges(ctx context.Context, p Period) (adds, removes []quad.Quad, err error) {
	type span struct{ from, until *Date }
	spans := map[quad.Value]*span{}
	for _, pred := range []quad.Value{predValidFrom, predValidUntil} {
		qs, err := db.quadsWith(ctx, quad.Predicate, pred)
		if err != nil {
			return nil, nil, err
		}
		for _, q := range qs {
			d, err := ParseDate(quad.ToString(q.Object))
			if err != nil {
				continue // the loader checks dates; a bad one holds always
			}
			sp := spans[q.Subject]
			if sp == nil {
				sp = &span{}
				spans[q.Subject] = sp
			}
			if pred == predValidFrom {
				sp.from = &d
			} else {
				sp.until = &d
			}
		}
	}
	stateLinks, err := db.quadsWith(ctx, quad.Predicate, PredState)
	if err != nil {
		return nil, nil, err
	}
	isState := map[quad.Value]bool{}
	for _, q := range stateLinks {
		isState[q.Object] = true
	}
	// Nodes whose span misses the period, and every quad naming them.
	gone := map[quad.Value]bool{}
	for v, sp := range spans {
		if isState[v] {
			continue // a state's date is when it begins, read below
		}
		if (sp.from != nil && sp.from.First().After(p.Until.Last())) || (sp.until != nil && sp.until.Last().Before(p.From.First())) {
			gone[v] = true
		}
	}
	seen := map[quad.Quad]bool{}
	for v := range gone {
		for _, d := range []quad.Direction{quad.Subject, quad.Object, quad.Label} {
			qs, err := db.quadsWith(ctx, d, v)
			if err != nil {
				return nil, nil, err
			}
			for _, q := range qs {
				if !seen[q] {
					seen[q] = true
					removes = append(removes, q)
				}
			}
		}
	}
	// Dated states: the status of the latest state begun by the period's
	// end (none begun: the first state).
	type state struct {
		from   *Date
		status quad.Value
	}
	states := map[quad.Value][]state{}
	for _, q := range stateLinks {
		st := state{}
		if sp := spans[q.Object]; sp != nil {
			st.from = sp.from
		}
		sq, err := db.quadsWith(ctx, quad.Subject, q.Object)
		if err != nil {
			return nil, nil, err
		}
		for _, x := range sq {
			if x.Predicate == predStatus {
				st.status = x.Object
			}
		}
		states[q.Subject] = append(states[q.Subject], st)
	}
	for stmt, ss := range states {
		if gone[stmt] {
			continue
		}
		var best *state
		for i := range ss {
			s := &ss[i]
			if s.from != nil && s.from.First().After(p.Until.Last()) {
				continue
			}
			if best == nil || (best.from == nil && s.from != nil) ||
				(best.from != nil && s.from != nil && s.from.First().After(best.from.First())) {
				best = s
			}
		}
		if best == nil || best.status == nil {
			continue
		}
		cur, err := db.quadsWith(ctx, quad.Subject, stmt)
		if err != nil {
			return nil, nil, err
		}
		has := false
		for _, q := range cur {
			if q.Predicate != predStatus {
				continue
			}
			if q.Object == best.status {
				has = true
			} else if !seen[q] {
				seen[q] = true
				removes = append(removes, q)
			}
		}
		if !has {
			adds = append(adds, quad.Quad{Subject: stmt, Predicate: predStatus, Object: best.status})
		}
	}
	return adds, removes, nil
}

var (
	predValidFrom  = quad.IRI(QualPrefix + "valid_from")
	predValidUntil = quad.IRI(QualPrefix + "valid_until")
	predStatus     = quad.IRI(QualPrefix + "status")
	// PredState links a relation's statement to one of its dated states.
	PredState = quad.IRI(QualPrefix + "state")
)

// AsOfTx is the transaction a view shows the store after (ok false for
// the present).
func (db *DB) AsOfTx() (uint64, bool) {
	if db.asOf == nil {
		return 0, false
	}
	return *db.asOf, true
}

// ValidAt is the period of valid time a view shows (ok false for all
// time).
func (db *DB) ValidAt() (Period, bool) {
	if db.validAt == nil {
		return Period{}, false
	}
	return *db.validAt, true
}

// Change is one quad a transaction added or removed.
type Change struct {
	Tx    Tx
	Added bool
	Quad  quad.Quad
}

// Changes lists the changes of the transactions after since (and up to
// until, 0 for the newest), oldest first.
func (db *DB) Changes(ctx context.Context, since, until uint64) ([]Change, error) {
	if err := db.usable(); err != nil {
		return nil, err
	}
	if db.asOf != nil && (until == 0 || until > *db.asOf) {
		until = *db.asOf
		if until <= since {
			return nil, nil
		}
	}
	var out []Change
	err := db.base().qs.Changes(ctx, since, until, func(rec quadstore.TxRecord, op quadstore.Op) error {
		out = append(out, Change{Tx: TxOf(rec), Added: op.Add, Quad: op.Quad})
		return nil
	})
	return out, mapErr(err)
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
