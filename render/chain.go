package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/entente-kg/entente/query"
)

// WriteChains writes each path of the result as a chain of nodes and
// relations (Japan —security_pact→ Australia ←member_of— AP4), with each
// hop's evidence indented under it when o.Evidence is set. Rows without a
// path are written as a table.
func WriteChains(w io.Writer, res *query.Result, o *Options) error {
	paint := painter(o)
	t := newTellApart(res)
	var b strings.Builder
	paths := 0
	for _, row := range res.Rows {
		prefix := ""
		if res.Kind == "compare" && len(row) > 0 {
			if ch, ok := row[0].(string); ok {
				prefix = fmt.Sprintf("%-5s ", ch)
			}
		}
		for _, v := range row {
			var p *query.Path
			switch v := v.(type) {
			case *query.Path:
				p = v
			case *query.Relation:
				p = &query.Path{Nodes: []*query.Node{v.From, v.To}, Hops: []query.Hop{{Rel: v}}}
			default:
				continue
			}
			paths++
			fmt.Fprintf(&b, "%s%s\n", prefix, chainText(p, paint, t))
			if o.Evidence {
				for _, h := range p.Hops {
					writeRelEvidence(&b, h.Rel, "", paint)
					for _, a := range h.Also {
						writeRelEvidence(&b, a, "also: ", paint)
					}
				}
			}
		}
	}
	if paths == 0 {
		return WriteTable(w, res, o)
	}
	b.WriteString(footer(res))
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// painter colours a piece of text by what it is (node, rel, dim) when
// o.Color is set.
func painter(o *Options) func(kind, s string) string {
	if !o.Color {
		return func(_, s string) string { return s }
	}
	return func(kind, s string) string {
		switch kind {
		case "node":
			return "\x1b[1m" + s + "\x1b[0m"
		case "rel":
			return "\x1b[36m" + s + "\x1b[0m"
		case "dim":
			return "\x1b[2m" + s + "\x1b[0m"
		}
		return s
	}
}

// writeRelEvidence writes a relation in full — its qualifiers, note and
// evidence — under a chain; what says which relation it is to the hop
// ("also: " for a parallel relation).
func writeRelEvidence(b *strings.Builder, r *query.Relation, what string, paint func(string, string) string) {
	head := "    " + what + r.From.Label() + " —" + r.Kind + "→ " + r.To.Label()
	if q := qualText(r); q != "" {
		head += "  (" + q + ")"
	}
	b.WriteString(paint("dim", head) + "\n")
	if len(r.Evidence) == 0 {
		if n := r.Qualifier("note"); n != "" {
			b.WriteString("      note: " + n + "\n")
		}
		b.WriteString(paint("dim", "      (no evidence recorded)") + "\n")
		return
	}
	writeEvidence(b, r, "      ", paint)
}

// writeEvidence writes a relation's note and its evidence, a line each
// ([source, locator] paraphrase), each line starting with indent.
func writeEvidence(b *strings.Builder, r *query.Relation, indent string, paint func(string, string) string) {
	if n := r.Qualifier("note"); n != "" {
		b.WriteString(indent + "note: " + n + "\n")
	}
	for _, e := range r.Evidence {
		b.WriteString(indent + paint("dim", "["+evidenceSource(e)+"]") + " " + e.Note + "\n")
	}
}

// evidenceSource is where a piece of evidence comes from: its source and
// locator (ecfr-2024, Japan › What Tokyo wants ¶1).
func evidenceSource(e query.Evidence) string {
	if e.Locator != "" {
		return e.Source + ", " + e.Locator
	}
	return e.Source
}
