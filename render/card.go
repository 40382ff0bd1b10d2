package render

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/entente-kg/entente/query"
)

// WriteCard writes a show statement's answer as an entity card: the
// entity's type, id, aliases and description, then its relations grouped
// by kind with counts, each with the other end, its direction and its
// qualifiers (and evidence when o.Evidence is set).
func WriteCard(w io.Writer, res *query.Result, o *Options) error {
	if len(res.Rows) == 0 || len(res.Rows[0]) < 2 {
		return WriteTable(w, res, o)
	}
	n, _ := res.Rows[0][0].(*query.Node)
	rels, _ := res.Rows[0][1].(query.List)
	if n == nil {
		return WriteTable(w, res, o)
	}
	bold, dim, cyan := func(s string) string { return s }, func(s string) string { return s }, func(s string) string { return s }
	if o.Color {
		bold = func(s string) string { return "\x1b[1m" + s + "\x1b[0m" }
		dim = func(s string) string { return "\x1b[2m" + s + "\x1b[0m" }
		cyan = func(s string) string { return "\x1b[36m" + s + "\x1b[0m" }
	}
	var b strings.Builder
	head := bold(n.Label())
	if len(n.Types) > 0 {
		head += "  (" + strings.Join(n.Types, ", ") + ")"
	}
	head += "  " + dim(query.IDString(n.ID))
	b.WriteString(head + "\n")
	if len(n.Aliases) > 0 {
		b.WriteString("  also known as: " + strings.Join(n.Aliases, ", ") + "\n")
	}
	if n.Description != "" {
		b.WriteString("  " + n.Description + "\n")
	}
	// Group by kind, keeping the order the query gave.
	var kinds []string
	byKind := map[string][]*query.Relation{}
	for _, v := range rels {
		r, ok := v.(*query.Relation)
		if !ok {
			continue
		}
		if _, seen := byKind[r.Kind]; !seen {
			kinds = append(kinds, r.Kind)
		}
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	if len(kinds) == 0 {
		b.WriteString("\n  no relations\n")
	}
	for _, k := range kinds {
		rs := byKind[k]
		statuses := map[string]int{}
		for _, r := range rs {
			st := r.Qualifier("status")
			if st == "" {
				st = "existing"
			}
			statuses[st]++
		}
		var parts []string
		var sts []string
		for st := range statuses {
			sts = append(sts, st)
		}
		sort.Strings(sts)
		for _, st := range sts {
			parts = append(parts, fmt.Sprintf("%d %s", statuses[st], st))
		}
		fmt.Fprintf(&b, "\n  %s (%d: %s)\n", cyan(k), len(rs), strings.Join(parts, ", "))
		for _, r := range rs {
			arrow, other := "→", r.To
			if r.To.ID == n.ID && r.From.ID != n.ID {
				arrow, other = "←", r.From
			}
			line := "    " + arrow + " " + other.Label()
			if r.From.ID != n.ID && r.To.ID != n.ID {
				// A relation that names the entity as a qualifier
				// (its sector, instrument, venue): both ends.
				line = "    " + r.From.Label() + " —" + r.Kind + "→ " + r.To.Label()
			}
			if q := qualText(r); q != "" {
				line += "  " + dim("("+q+")")
			}
			b.WriteString(line + "\n")
			if o.Evidence {
				writeEvidence(&b, r, "        ", painter(o))
			}
		}
	}
	fmt.Fprintf(&b, "\n(%s", Count(int64(len(rels)), "relation"))
	if res.Note != "" {
		b.WriteString(" — " + res.Note)
	}
	b.WriteString(")\n")
	_, err := io.WriteString(w, b.String())
	return err
}
