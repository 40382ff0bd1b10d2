package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
)

// txFlags are the flags of a command that writes a transaction.
type txFlags struct {
	author, message, reason *string
	// txTime is $ENTENTE_TX_TIME: the time new transactions record
	// instead of now, as GIT_COMMITTER_DATE does for git (for
	// reproducible examples, and for changes made on paper first).
	txTime string
}

func addTxFlags(g *globals, fs interface {
	String(name, value, usage string) *string
}, why string) txFlags {
	return txFlags{
		txTime:  g.env.getenv("ENTENTE_TX_TIME"),
		author:  fs.String("author", "", "who makes the change, for the history (default: the operating system's user)"),
		message: fs.String("message", "", "what the change is, for the history"),
		reason:  fs.String("reason", "", why),
	}
}

func (f txFlags) meta(kind string) graph.TxMeta {
	msg := strings.TrimSpace(*f.reason)
	if m := strings.TrimSpace(*f.message); m != "" {
		if msg != "" {
			msg = m + " — " + msg
		} else {
			msg = m
		}
	}
	m := graph.TxMeta{Author: strings.TrimSpace(*f.author), Message: msg, Kind: kind}
	if t, err := time.Parse(time.RFC3339, strings.TrimSpace(f.txTime)); err == nil {
		m.Time = t
	}
	return m
}

// checkTxTime refuses an ENTENTE_TX_TIME that is not an RFC 3339 time.
func (f txFlags) check(g *globals) bool {
	if strings.TrimSpace(f.txTime) == "" {
		return true
	}
	if _, err := time.Parse(time.RFC3339, strings.TrimSpace(f.txTime)); err != nil {
		fmt.Fprintf(g.env.stderr, "entente: ENTENTE_TX_TIME=%s is not an RFC 3339 time (2026-12-01T09:00:00Z)\n", f.txTime)
		return false
	}
	return true
}

func cmdLog(g *globals, args []string) int {
	fs := newFlags(g, "log", "log [--format table|json] [--limit N] [--author A] [--kind K] [--since T] [--until T]")
	format := fs.String("format", "table", "output: table, or json (one JSON object a line)")
	limit := fs.Int("limit", 0, "show only the newest N transactions")
	author := fs.String("author", "", "only the transactions of this author (ignoring case)")
	kind := fs.String("kind", "", "only the transactions of this kind: load, retract, amend, replace or change")
	since := fs.String("since", "", "only the transactions from T on: a date (2026-11-01), a time (RFC 3339) or tx:N")
	until := fs.String("until", "", "only the transactions up to T: a date (through its end), a time or tx:N")
	pos, st := parseFlags(g, fs, args)
	if st >= 0 {
		return st
	}
	keep, err := logFilter(*author, *kind, *since, *until)
	if err != nil {
		fmt.Fprintf(g.env.stderr, "entente: log: %v\n", err)
		return exitUsage
	}
	if len(pos) > 0 {
		fmt.Fprintf(g.env.stderr, "entente: log: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	if *format != "table" && *format != "json" {
		fmt.Fprintf(g.env.stderr, "entente: log: unknown --format %q (table, json)\n", *format)
		return exitUsage
	}
	db, st := g.openReader()
	if st >= 0 {
		return st
	}
	defer db.Close()
	ctx, cancel := g.env.interrupt(context.Background())
	defer cancel()
	all, err := db.Log(ctx)
	if err != nil {
		return report(g.env.stderr, err)
	}
	var log []graph.Tx
	for _, t := range all {
		if keep(t) {
			log = append(log, t)
		}
	}
	if *limit > 0 && len(log) > *limit {
		log = log[:*limit]
	}
	if *format == "json" {
		enc := json.NewEncoder(g.env.stdout)
		enc.SetEscapeHTML(false)
		for _, t := range log {
			if err := enc.Encode(t); err != nil {
				return report(g.env.stderr, err)
			}
		}
		return exitOK
	}
	if len(log) == 0 {
		if len(all) == 0 {
			fmt.Fprintln(g.env.stdout, "(no transactions: the store is empty)")
		} else {
			fmt.Fprintf(g.env.stdout, "(none of the store's %d transactions matches)\n", len(all))
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(g.env.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\ttime\tauthor\tkind\tchanges\tmessage")
	for _, t := range log {
		changes := fmt.Sprintf("+%d -%d", t.Added, t.Removed)
		if t.Implicit {
			changes = fmt.Sprintf("+%d", t.Added)
		}
		msg := t.Message
		if msg == "" && len(t.Sources) > 0 {
			msg = strings.Join(t.Sources, ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.Name(), t.Time.UTC().Format(time.RFC3339), t.Author, t.Kind, changes, msg)
	}
	tw.Flush()
	return exitOK
}

func cmdRetract(g *globals, args []string) int {
	fs := newFlags(g, "retract", "retract --reason TEXT [--all] (SUBJECT KIND OBJECT [KEY=VALUE...] | STATEMENT-ID | ENTITY)")
	tf := addTxFlags(g, fs, "why the fact is retracted (required; kept in the history)")
	all := fs.Bool("all", false, "retract every parallel relation SUBJECT KIND OBJECT names (without it, naming several is an error that lists them)")
	pos, st := parseFlags(g, fs, args)
	if st >= 0 {
		return st
	}
	if !tf.check(g) {
		return exitUsage
	}
	if strings.TrimSpace(*tf.reason) == "" {
		fmt.Fprintln(g.env.stderr, "entente: retract: give --reason TEXT: the history keeps why a fact was retracted")
		return exitUsage
	}
	t, _, err := graph.ParseTarget(pos, false)
	if err != nil {
		fmt.Fprintf(g.env.stderr, "entente: retract: %v\n", err)
		return exitUsage
	}
	t.All = *all
	return g.change(func(ctx context.Context, db *graph.DB) (graph.Tx, error) {
		return db.Retract(ctx, t, tf.meta("retract"))
	}, "retracted "+t.String())
}

func cmdAmend(g *globals, args []string) int {
	fs := newFlags(g, "amend", "amend --reason TEXT [--from DATE] [--where KEY=VALUE...] (SUBJECT KIND OBJECT | STATEMENT-ID | ENTITY) KEY=VALUE... [alias+=NAME] [alias-=NAME]")
	tf := addTxFlags(g, fs, "why the fact is amended (required; kept in the history)")
	from := fs.String("from", "", "a change of status holds from this date in the world (2026-12-01); before it, the old status")
	where := map[string]string{}
	fs.Func("where", "KEY=VALUE: picks one of several parallel relations SUBJECT KIND OBJECT names by a qualifier it has (repeatable)", func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return fmt.Errorf("--where takes KEY=VALUE (venue=NATO), not %q", v)
		}
		where[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(val)
		return nil
	})
	pos, st := parseFlags(g, fs, args)
	if st >= 0 {
		return st
	}
	if !tf.check(g) {
		return exitUsage
	}
	if strings.TrimSpace(*tf.reason) == "" {
		fmt.Fprintln(g.env.stderr, "entente: amend: give --reason TEXT: the history keeps why a fact was amended")
		return exitUsage
	}
	t, rest, err := graph.ParseTarget(pos, true)
	if err != nil {
		fmt.Fprintf(g.env.stderr, "entente: amend: %v\n", err)
		return exitUsage
	}
	a, err := graph.ParseAssignments(rest)
	if err != nil {
		fmt.Fprintf(g.env.stderr, "entente: amend: %v\n", err)
		return exitUsage
	}
	a.From = *from
	if len(where) > 0 {
		if t.Subject == "" {
			fmt.Fprintln(g.env.stderr, "entente: amend: --where picks among the relations of SUBJECT KIND OBJECT, not of a statement or an entity")
			return exitUsage
		}
		t.Where = where
	}
	return g.change(func(ctx context.Context, db *graph.DB) (graph.Tx, error) {
		return db.Amend(ctx, t, a, tf.meta("amend"))
	}, "amended "+t.String())
}

// change opens the store for writing (never creating one) and runs one
// transaction.
func (g *globals) change(fn func(context.Context, *graph.DB) (graph.Tx, error), what string) int {
	if g.readOnly {
		fmt.Fprintln(g.env.stderr, "entente: the store is opened --read-only; this command writes")
		return exitUsage
	}
	db, st := g.openWith(&graph.Options{MustExist: !g.usingDefaultStore()})
	if st >= 0 {
		return st
	}
	defer db.Close()
	ctx, cancel := g.env.interrupt(context.Background())
	defer cancel()
	tx, err := fn(ctx, db)
	if err != nil {
		if errors.Is(err, graph.ErrNotFound) || errors.Is(err, graph.ErrNoChange) || errors.Is(err, graph.ErrAmbiguous) {
			fmt.Fprintf(g.env.stderr, "entente: %s\n", strings.TrimPrefix(err.Error(), "graph: "))
			return exitBad
		}
		return report(g.env.stderr, err)
	}
	fmt.Fprintf(g.env.stdout, "%s: %s (%d added, %d removed)\n", tx.Name(), what, tx.Added, tx.Removed)
	return exitOK
}

func cmdHistory(g *globals, args []string) int {
	fs := newFlags(g, "history", "history [--format table|json|csv] [--as-of T] (ENTITY | STATEMENT-ID)")
	format := fs.String("format", "table", "output: table, json (JSON Lines) or csv")
	asOf := fs.String("as-of", "", "the history up to a transaction (tx:3), a date or a timestamp")
	limit := fs.Int("limit", query.DefaultLimit, "most rows")
	pos, st := parseFlags(g, fs, args)
	if st >= 0 {
		return st
	}
	if len(pos) == 0 {
		fmt.Fprintln(g.env.stderr, "entente: history: name an entity or a statement (stmt:…)")
		return exitUsage
	}
	q := "history " + strconv.Quote(strings.Join(pos, " "))
	if *asOf != "" {
		q += " as of " + strconv.Quote(*asOf)
	}
	return cmdQuery(g, []string{"--format", *format, "--limit", strconv.Itoa(*limit), "--", q})
}

func cmdDiff(g *globals, args []string) int {
	fs := newFlags(g, "diff", "diff --since T [--format table|json|csv]")
	format := fs.String("format", "table", "output: table, json (JSON Lines) or csv")
	since := fs.String("since", "", "list the changes after this transaction (tx:3), date or timestamp")
	limit := fs.Int("limit", query.DefaultLimit, "most rows")
	pos, st := parseFlags(g, fs, args)
	if st >= 0 {
		return st
	}
	if *since == "" && len(pos) == 1 {
		*since, pos = pos[0], nil
	}
	if *since == "" || len(pos) > 0 {
		fmt.Fprintln(g.env.stderr, "entente: diff: give --since T (a transaction tx:3, a date or a timestamp)")
		return exitUsage
	}
	return cmdQuery(g, []string{"--format", *format, "--limit", strconv.Itoa(*limit), "--", "changes since " + strconv.Quote(*since)})
}

// logFilter is log's choice of transactions: by author, kind, and a span
// of time given as dates, RFC 3339 times or transaction ids (inclusive).
func logFilter(author, kind, since, until string) (func(graph.Tx) bool, error) {
	kinds := []string{"load", "retract", "amend", "replace", "change"}
	if kind != "" && !slices.Contains(kinds, strings.ToLower(kind)) {
		return nil, fmt.Errorf("unknown --kind %q (%s)", kind, strings.Join(kinds, ", "))
	}
	type bound struct {
		id   uint64
		time time.Time
		set  bool
	}
	parse := func(flag, spec string, end bool) (bound, error) {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			return bound{}, nil
		}
		if id, ok := strings.CutPrefix(strings.ToLower(spec), "tx:"); ok {
			n, err := strconv.ParseUint(id, 10, 64)
			if err != nil {
				return bound{}, fmt.Errorf("--%s %s: a transaction is tx:N", flag, spec)
			}
			return bound{id: n, set: true}, nil
		}
		if d, err := graph.ParseDate(spec); err == nil {
			if end {
				return bound{time: d.Last().Add(24*time.Hour - time.Nanosecond), set: true}, nil
			}
			return bound{time: d.First(), set: true}, nil
		}
		t, err := time.Parse(time.RFC3339Nano, spec)
		if err != nil {
			return bound{}, fmt.Errorf("--%s %s: give a date (2026-11-01), an RFC 3339 time (2026-11-01T09:00:00Z) or tx:N", flag, spec)
		}
		if end && !strings.Contains(spec, ".") {
			t = t.Add(time.Second - time.Nanosecond)
		}
		return bound{time: t, set: true}, nil
	}
	from, err := parse("since", since, false)
	if err != nil {
		return nil, err
	}
	to, err := parse("until", until, true)
	if err != nil {
		return nil, err
	}
	return func(t graph.Tx) bool {
		switch {
		case author != "" && !strings.EqualFold(t.Author, strings.TrimSpace(author)):
			return false
		case kind != "" && !strings.EqualFold(t.Kind, kind):
			return false
		case from.set && from.id > 0 && t.ID < from.id, from.set && from.id == 0 && t.Time.Before(from.time):
			return false
		case to.set && to.id > 0 && t.ID > to.id, to.set && to.id == 0 && t.Time.After(to.time):
			return false
		}
		return true
	}, nil
}
