package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/query"
)

// obj is a JSON object that keeps its keys in order.
type obj []kv

type kv struct {
	k string
	v interface{}
}

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func marshal(v interface{}) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// WriteJSON writes one JSON object per row (JSON Lines) and nothing else.
// A row whose only value is a path or a relation is that object itself
// (paths: length, nodes, edges; relations: from, to, rel, qualifiers,
// evidence); other rows map each column to its value.
func WriteJSON(w io.Writer, res *query.Result) error {
	bw := bufio.NewWriter(w)
	for _, row := range res.Rows {
		var v interface{}
		if len(row) == 1 {
			switch x := row[0].(type) {
			case *query.Path, *query.Relation:
				v = JSONValue(x)
			}
		}
		if v == nil {
			o := make(obj, len(res.Columns))
			for i, c := range res.Columns {
				o[i] = kv{c, JSONValue(row[i])}
			}
			v = o
		}
		b, err := marshal(v)
		if err != nil {
			return err
		}
		if _, err := bw.Write(append(b, '\n')); err != nil {
			return err // the reader went away: stop rendering
		}
	}
	return bw.Flush()
}

// JSONValue is the JSON form of a value.
func JSONValue(v query.Value) interface{} {
	switch v := v.(type) {
	case nil:
		return nil
	case *query.Node:
		return nodeJSON(v)
	case *query.Relation:
		return relJSON(v, false, false)
	case *query.Path:
		nodes := make([]interface{}, len(v.Nodes))
		for i, n := range v.Nodes {
			nodes[i] = nodeJSON(n)
		}
		edges := make([]interface{}, len(v.Hops))
		for i, h := range v.Hops {
			e := relJSON(h.Rel, true, h.Reverse)
			if len(h.Also) > 0 {
				// The other relations joining the same two nodes, each
				// with reverse relative to the path's direction.
				also := make([]interface{}, len(h.Also))
				for j, a := range h.Also {
					also[j] = relJSON(a, true, i < len(v.Nodes) && a.From != nil && a.From.ID != v.Nodes[i].ID)
				}
				e = append(e, kv{"also", also})
			}
			edges[i] = e
		}
		if v.Weakest == "" {
			return obj{{"length", len(v.Hops)}, {"nodes", nodes}, {"edges", edges}}
		}
		return obj{{"length", len(v.Hops)}, {"weakest", v.Weakest}, {"nodes", nodes}, {"edges", edges}}
	case query.Literal:
		return literalJSON(v.V)
	case query.List:
		out := make([]interface{}, len(v))
		for i, x := range v {
			out[i] = JSONValue(x)
		}
		return out
	case quad.Value:
		return literalJSON(v)
	}
	return v
}

func nodeJSON(n *query.Node) interface{} {
	o := obj{{"id", query.IDString(n.ID)}, {"name", n.Label()}}
	if len(n.Types) > 0 {
		o = append(o, kv{"type", n.Types[0]})
		if len(n.Types) > 1 {
			o = append(o, kv{"types", n.Types})
		}
	}
	if len(n.Aliases) > 0 {
		o = append(o, kv{"aliases", n.Aliases})
	}
	return o
}

func relJSON(r *query.Relation, hop, reverse bool) obj {
	o := obj{
		{"from", query.IDString(r.From.ID)},
		{"to", query.IDString(r.To.ID)},
		{"rel", r.Kind},
		{"from_name", r.From.Label()},
		{"to_name", r.To.Label()},
	}
	if hop {
		o = append(o, kv{"reverse", reverse})
	}
	// Every relation has a status: existing unless stated.
	o = append(o, kv{"status", r.Status()})
	for _, q := range r.Qualifiers {
		if q.Name == "status" {
			continue
		}
		o = append(o, kv{q.Name, q.Value})
	}
	if r.Stmt != nil {
		o = append(o, kv{"statement", query.IDString(r.Stmt)})
	}
	ev := r.Evidence
	if ev == nil {
		ev = []query.Evidence{}
	}
	o = append(o, kv{"evidence", ev})
	return o
}

func literalJSON(v quad.Value) interface{} {
	switch v := v.(type) {
	case quad.Int:
		return int64(v)
	case quad.Float:
		return float64(v)
	case quad.Bool:
		return bool(v)
	case nil:
		return nil
	}
	return literalText(v)
}
