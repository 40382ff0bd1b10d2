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
	if err := guardBuiltins(ctx, ses); err != nil {
		return nil, err
	}
	it, err := ses.Execute(ctx, src, cquery.Options{Collation: cquery.Raw, Limit: o.Limit + 1})
	if err != nil {
		return nil, &Error{Msg: err.Error(), Kind: ErrGizmo}
	}
	// Closing the results interrupts the JavaScript VM, as a done ctx
	// does while they are read: the program stops at its next step, and
	// the guards keep every step short.
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
		// A guard's RangeError is the program's: the guard's place in
		// the code run before it means nothing to the user.
		msg, _, _ := strings.Cut(err.Error(), " at tooLong (")
		return nil, &Error{Msg: msg, Kind: ErrGizmo}
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

// MaxGizmoLength is the most elements an array method of a Gizmo program
// may go through, the most arguments apply may spread, and the most
// characters a string method may build: the JavaScript VM checks for
// interruption between steps of the program, not inside a built-in
// method, so a method over an array-like object of length 1e9 would run
// on (and fill memory) after the timeout. A program that passes the cap
// fails with a RangeError saying so.
const MaxGizmoLength = 1_000_000

// gizmoGuards replaces the built-in methods that loop over a length the
// program chooses with wrappers that refuse a length over the cap first.
// It runs in the session's VM before the program, and keeps the originals
// only in its closure.
var gizmoGuards = fmt.Sprintf(`(function () {
  var max = %d, apply = Reflect.apply;
  function toLength(n) { n = Math.floor(Number(n)); return n > 0 ? n : 0; }
  function tooLong(what, n) {
    return new RangeError(what + " over " + n + " elements: Gizmo programs may go through at most " + max);
  }
  function wrap(obj, name, check) {
    var f = obj[name];
    if (typeof f !== "function") return;
    Object.defineProperty(obj, name, {
      value: function () { check(this, arguments, name); return apply(f, this, arguments); },
      writable: true, configurable: true, enumerable: false
    });
  }
  function ofThis(self, args, name) {
    var n = self == null ? 0 : toLength(Object(self).length);
    if (n > max) throw tooLong("Array.prototype." + name, n);
  }
  ["concat", "copyWithin", "entries", "every", "fill", "filter", "find", "findIndex", "findLast",
   "findLastIndex", "flat", "flatMap", "forEach", "includes", "indexOf", "join", "keys",
   "lastIndexOf", "map", "pop", "push", "reduce", "reduceRight", "reverse", "shift", "slice",
   "some", "sort", "splice", "toLocaleString", "toReversed", "toSorted", "toSpliced", "toString",
   "unshift", "values", "with"].forEach(function (m) { wrap(Array.prototype, m, ofThis); });
  function ofArg(i) {
    return function (self, args, name) {
      var a = args[i];
      var n = a == null ? 0 : toLength(Object(a).length);
      if (n > max) throw tooLong(name, n);
    };
  }
  wrap(Array, "from", ofArg(0));
  wrap(Function.prototype, "apply", ofArg(1));
  wrap(Reflect, "apply", ofArg(2));
  wrap(Reflect, "construct", ofArg(1));
  function ofResult(self, args, name) {
    var s = String(self), n;
    if (name === "repeat") n = s.length * toLength(args[0]);
    else n = toLength(args[0]);
    if (n > max) throw new RangeError("String.prototype." + name + " of " + n +
      " characters: Gizmo programs may build at most " + max);
  }
  ["repeat", "padStart", "padEnd"].forEach(function (m) { wrap(String.prototype, m, ofResult); });
})();`, MaxGizmoLength)

// guardBuiltins runs gizmoGuards in the session's VM.
func guardBuiltins(ctx context.Context, ses *gizmo.Session) error {
	it, err := ses.Execute(ctx, gizmoGuards, cquery.Options{Collation: cquery.Raw})
	if err != nil {
		return fmt.Errorf("query: gizmo guards: %w", err)
	}
	for it.Next(ctx) {
	}
	if err := it.Err(); err != nil {
		it.Close()
		return fmt.Errorf("query: gizmo guards: %w", err)
	}
	// Not closed: closing interrupts the VM even when its program has
	// ended, and the interruption would stop the next program.
	return nil
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

// watchMemory calls over (once) when the heap has grown by more than half
// of budget bytes while it runs; the returned func stops it. Half: the
// heap is sampled, not checked at each allocation, so the step of the
// program under way when the sample is taken completes — and one step
// (a concatenation, say) at most doubles what the program holds, so the
// growth stays within budget. Sampling every millisecond sees each step
// big enough to matter. The heap is the process's: one query at a time is
// what a shell runs.
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
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if h := read(); h > base+budget/2 {
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
