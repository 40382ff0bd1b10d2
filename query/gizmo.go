package query

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/metrics"
	"sort"
	"strings"
	"time"

	cgraph "github.com/cayleygraph/cayley/graph"
	cquery "github.com/cayleygraph/cayley/query"
	"github.com/cayleygraph/cayley/query/gizmo"
	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
)

// ErrMemory: a query used more memory than its budget and was stopped.
var ErrMemory = errors.New("query: memory budget exceeded")

// Gizmo runs a Gizmo (JavaScript) program with Cayley's interpreter on qs,
// bounded by ctx (its deadline and cancellation stop the JavaScript VM,
// even in an endless loop), by opts.Limit rows and by opts.MaxMemory bytes
// of heap growth. Each result is a row: its tags as columns ("id" first),
// or a "value" column for what g.emit() sends.
//
// A tag that names a node (an IRI or a blank node) holds a GizmoNode,
// which prints as Cayley writes the node and carries its name, types and
// aliases; the result's Extra holds the relations the store has between
// the nodes of each row (the id and the tags of one result), so that an
// export of the answer is the subgraph it names.
func Gizmo(ctx context.Context, qs cgraph.QuadStore, src string, opts *Options) (*Result, error) {
	o := opts.withDefaults()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := watchMemory(ctx, o.MaxMemory, func() {
		cancel(fmt.Errorf("%w: the query grew the heap by more than %s and was stopped", ErrMemory, bytesString(o.MaxMemory)))
	})
	defer stop()

	ev := &evaluator{ctx: ctx, qs: qs, nodes: map[cgraph.Ref]*Node{}, stmts: map[cgraph.Ref]*stmtInfo{}}
	ses := gizmo.NewSession(qs)
	it, err := ses.Execute(ctx, src, cquery.Options{Collation: cquery.Raw, Limit: o.Limit + 1})
	if err != nil {
		return nil, &Error{Msg: err.Error(), Kind: ErrGizmo}
	}
	defer it.Close()
	res := &Result{Statement: src, Kind: "gizmo"}
	var raw []interface{}
	for it.Next(ctx) {
		if len(raw) == o.Limit {
			res.Capped = true
			res.Note = fmt.Sprintf("showing the first %d results (limit %d)", o.Limit, o.Limit)
			break
		}
		v, err := gizmoValue(ev, it.Result())
		if err != nil {
			return nil, err
		}
		if v != nil {
			raw = append(raw, v)
		}
	}
	if err := context.Cause(ctx); err != nil && !res.Capped {
		return nil, err
	}
	if err := it.Err(); err != nil && !res.Capped {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			if cause := context.Cause(ctx); cause != nil {
				return nil, cause
			}
		}
		return nil, &Error{Msg: err.Error(), Kind: ErrGizmo}
	}
	// Columns: every tag seen, "id" first.
	seen := map[string]bool{}
	for _, r := range raw {
		switch r := r.(type) {
		case map[string]interface{}:
			for k := range r {
				seen[k] = true
			}
		case nil:
		default:
			seen["value"] = true
		}
	}
	for k := range seen {
		if k != "id" {
			res.Columns = append(res.Columns, k)
		}
	}
	sort.Strings(res.Columns)
	if seen["id"] {
		res.Columns = append([]string{"id"}, res.Columns...)
	}
	for _, r := range raw {
		row := make([]Value, len(res.Columns))
		switch r := r.(type) {
		case map[string]interface{}:
			for i, c := range res.Columns {
				row[i] = r[c]
			}
		case nil:
			continue
		default:
			for i, c := range res.Columns {
				if c == "value" {
					row[i] = r
				}
			}
		}
		res.Rows = append(res.Rows, row)
	}
	if res.Extra, err = gizmoRelations(ev, res.Rows); err != nil {
		return nil, err
	}
	return res, nil
}

// GizmoNode is a node in a Gizmo result's row. It prints — in tables, CSV
// and JSON — as Cayley writes a node ("<entity:japan>", "_:b1"), and it
// holds the node with its name, types and aliases, for exports.
type GizmoNode struct {
	Node *Node
}

// String is the node as Cayley writes it.
func (n GizmoNode) String() string { return quad.StringOf(n.Node.ID) }

// MarshalJSON writes the node as a JSON string, as Cayley writes it.
func (n GizmoNode) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(n.String()); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// gizmoRelations returns the relations between the nodes of each row:
// the stored quads, other than attributes, from one node of a row to
// another, each once, with their statements' qualifiers and evidence.
func gizmoRelations(ev *evaluator, rows [][]Value) ([]*Relation, error) {
	type link struct {
		q    quad.Quad
		oref cgraph.Ref
	}
	outs := map[string][]link{} // a node's links, read once
	linksOf := func(n *Node) ([]link, error) {
		k := n.ID.String()
		if l, ok := outs[k]; ok {
			return l, nil
		}
		ref, err := ev.qs.ValueOf(n.ID)
		if err != nil || ref == nil {
			return nil, err
		}
		it := ev.qs.QuadIterator(quad.Subject, ref).Iterate()
		defer it.Close()
		var l []link
		for it.Next(ev.ctx) {
			q, err := ev.qs.Quad(it.Result())
			if err != nil {
				return nil, err
			}
			if graph.IsAttribute(q.Predicate) || graph.IsLiteral(q.Object) {
				continue
			}
			o, _ := ev.qs.QuadDirection(it.Result(), quad.Object)
			l = append(l, link{q, o})
		}
		if err := it.Err(); err != nil {
			return nil, err
		}
		outs[k] = l
		return l, nil
	}
	var rels []*Relation
	seen := map[string]bool{}
	for _, row := range rows {
		var nodes []*Node
		in := map[string]bool{}
		for _, v := range row {
			if g, ok := v.(GizmoNode); ok && !in[g.Node.ID.String()] {
				in[g.Node.ID.String()] = true
				nodes = append(nodes, g.Node)
			}
		}
		if len(nodes) < 2 {
			continue
		}
		for _, from := range nodes {
			links, err := linksOf(from)
			if err != nil {
				return nil, err
			}
			for _, lk := range links {
				if !in[lk.q.Object.String()] || seen[lk.q.NQuad()] {
					continue
				}
				seen[lk.q.NQuad()] = true
				to, err := ev.node(lk.oref)
				if err != nil {
					return nil, err
				}
				r := &Relation{From: from, To: to, Kind: graph.ShortName(lk.q.Predicate), Pred: lk.q.Predicate, Stmt: lk.q.Label}
				if lk.q.Label != nil {
					lref, err := ev.qs.ValueOf(lk.q.Label)
					if err != nil {
						return nil, err
					}
					info, err := ev.statement(lref)
					if err != nil {
						return nil, err
					}
					r.Qualifiers, r.Evidence = info.quals, info.evidence
				}
				rels = append(rels, r)
			}
		}
	}
	return rels, nil
}

// watchMemory calls over (once) if the heap grows by more than budget
// bytes while it runs; the returned func stops it. The heap is the
// process's: one query at a time is what a shell runs.
func watchMemory(ctx context.Context, budget uint64, over func()) (stop func()) {
	if budget == 0 {
		return func() {}
	}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			return sample[0].Value.Uint64()
		}
		return 0
	}
	base := read()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if h := read(); h > base+budget {
					over()
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

func bytesString(n uint64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// gizmoValue turns one of the Gizmo session's raw results into what a row
// holds: a map of tags to values for a path's result (a GizmoNode for a
// node, a Go value for a literal), the value of g.emit, or the program's
// own value (a count, say) — nil for a value that is a path object.
func gizmoValue(ev *evaluator, r interface{}) (interface{}, error) {
	qs := ev.qs
	res, ok := r.(*gizmo.Result)
	if !ok || res == nil {
		return nil, nil
	}
	if res.Tags != nil && res.Val == nil {
		out := make(map[string]interface{}, len(res.Tags))
		for k, ref := range res.Tags {
			if k == "$_" {
				continue
			}
			v, err := qs.NameOf(ref)
			if err != nil {
				return nil, err
			}
			switch v.(type) {
			case nil:
			case quad.IRI, quad.BNode:
				ref, err := qs.ValueOf(v)
				if err != nil {
					return nil, err
				}
				n := &Node{ID: v}
				if ref != nil {
					if n, err = ev.node(ref); err != nil {
						return nil, err
					}
				}
				out[k] = GizmoNode{n}
			default:
				out[k] = nativeOf(v)
			}
		}
		return out, nil
	}
	if res.Val == nil {
		return nil, nil
	}
	if strings.Contains(fmt.Sprintf("%T", res.Val), "gizmo.") {
		return nil, nil // a path or the graph object: nothing to show
	}
	return res.Val, nil
}

// nativeOf is how Cayley's JSON output writes a value: IRIs and blank nodes
// in their N-Quads form, literals as their Go value.
func nativeOf(v quad.Value) interface{} {
	n := v.Native()
	if nv, ok := n.(quad.Value); ok && nv == v {
		return quad.StringOf(v)
	}
	return n
}
