// Package render writes query results for people and for programs: aligned
// tables, path chains, entity cards, JSON Lines and CSV. It reads the one
// result model of package query and writes to any io.Writer.
package render

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/query"
)

// Format names an output format.
type Format string

// The output formats.
const (
	Table Format = "table"
	Chain Format = "chain"
	JSON  Format = "json"
	CSV   Format = "csv"
)

// ParseFormat parses an output format name.
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(s)) {
	case Table, Chain, JSON, CSV:
		return Format(strings.ToLower(s)), nil
	case "jsonl", "ndjson":
		return JSON, nil
	}
	return "", fmt.Errorf("unknown output format %q (table, chain, json, csv)", s)
}

// Options shape human-readable output.
type Options struct {
	// Width is the terminal width tables fit into (0: no limit).
	Width int
	// Color uses ANSI colours.
	Color bool
	// Evidence shows each relation's note and evidence: under each hop of
	// a chain, each relation of a card, below a table's rows (every
	// relation of them, once), and in a last CSV column "evidence". JSON
	// always carries evidence.
	Evidence bool
	// Expanded writes a table's rows as records, a line a column (psql's
	// \x), for rows too wide for the screen.
	Expanded bool
	// ExpandWide writes a table expanded only when its rows are wider
	// than Width (psql's \x auto).
	ExpandWide bool
}

// Write renders res in format f.
func Write(w io.Writer, res *query.Result, f Format, o *Options) error {
	if o == nil {
		o = &Options{}
	}
	switch f {
	case JSON:
		return WriteJSON(w, res)
	case CSV:
		if res.Kind == "show" {
			return writeCardCSV(w, res, o)
		}
		return writeCSV(w, res, o)
	case Chain:
		if res.Kind == "show" {
			return WriteCard(w, res, o)
		}
		return WriteChains(w, res, o)
	}
	if res.Kind == "show" {
		return WriteCard(w, res, o)
	}
	if res.Kind == "path" || res.Kind == "paths" || res.Kind == "compare" || res.Kind == "why" {
		return WriteChains(w, res, o)
	}
	if res.Kind == "brokers" && !o.Expanded {
		return writeBrokers(w, res, o)
	}
	if res.Kind == "bridges" && !o.Expanded {
		return writeBridges(w, res, o)
	}
	if (res.Kind == "communities" || res.Kind == "components") && !o.Expanded {
		return writeGroups(w, res, o)
	}
	return WriteTable(w, res, o)
}

// Text is the plain text of a value, as a table or CSV cell shows it.
func Text(v query.Value) string { return textIn(v, nil) }

// textIn is the text of a value in an answer: t says which qualifiers
// tell the answer's relations apart (nil: look at the value alone).
func textIn(v query.Value, t tellApart) string {
	switch v := v.(type) {
	case nil:
		return ""
	case *query.Node:
		return v.Label()
	case *query.Relation:
		return relText(v)
	case *query.Path:
		if t == nil {
			t = hopTellApart(v)
		}
		return chainText(v, nil, t)
	case query.Literal:
		return literalText(v.V)
	case query.List:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = textIn(x, t)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case bool:
		return strconv.FormatBool(v)
	case quad.Value:
		return literalText(v)
	}
	return fmt.Sprint(v)
}

func literalText(v quad.Value) string {
	switch v := v.(type) {
	case quad.String:
		return string(v)
	case quad.LangString:
		return string(v.Value)
	case quad.TypedString:
		return string(v.Value)
	case quad.IRI:
		return string(v)
	case nil:
		return ""
	}
	return quad.ToString(v)
}

func relText(r *query.Relation) string {
	s := r.From.Label() + " —" + r.Kind + "→ " + r.To.Label()
	if q := qualText(r); q != "" {
		s += " (" + q + ")"
	}
	return s
}

func qualText(r *query.Relation) string { return strings.Join(qualParts(r), ", ") }

// chainText writes a path as Japan —security_pact→ Australia ←member_of— AP4.
// A hop shows in brackets its status when not existing and the qualifiers
// that tell it apart from the answer's other relations of its kind between
// the same two nodes (t), and in parentheses the parallel relations it
// stands for: —seeks_from [sector: Defence]→, ←partner (+2 more: cooperation ×2)—.
func chainText(p *query.Path, paint func(string, string) string, t tellApart) string {
	if paint == nil {
		paint = func(_, s string) string { return s }
	}
	var b strings.Builder
	for i, n := range p.Nodes {
		if i > 0 && i-1 < len(p.Hops) {
			h := p.Hops[i-1]
			kind := h.Rel.Kind
			if l := t.label(h.Rel); l != "" {
				kind += " [" + l + "]"
			}
			if a := alsoText(h, p.Nodes[i-1]); a != "" {
				kind += " (" + a + ")"
			}
			if h.Reverse {
				b.WriteString(" " + paint("rel", "←"+kind+"—") + " ")
			} else {
				b.WriteString(" " + paint("rel", "—"+kind+"→") + " ")
			}
		}
		b.WriteString(paint("node", n.Label()))
	}
	// The path's weakest hop, when it is weaker than an existing,
	// stated relation (docs/query-language.md, "Strength").
	if p.Weakest != "" && p.Weakest != "existing" {
		b.WriteString("  " + paint("dim", "[weakest: "+p.Weakest+"]"))
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

// ContextWriter is w until ctx is done: then a write fails with ctx's
// cause (Ctrl-C while a long answer prints or an export is written).
func ContextWriter(ctx context.Context, w io.Writer) io.Writer { return ctxWriter{ctx, w} }

type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, context.Cause(c.ctx)
	}
	return c.w.Write(p)
}
