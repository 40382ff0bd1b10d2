package render

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query"
)

// WriteCSV writes a header of column names and one record per row, each
// value as its plain text (a relation with all its qualifiers).
func WriteCSV(w io.Writer, res *query.Result) error { return writeCSV(w, res, &Options{}) }

// writeCSV is WriteCSV with, when o.Evidence is set, a last column
// "evidence" holding the evidence of the row's relations, one piece a
// line: [source, locator] paraphrase.
func writeCSV(w io.Writer, res *query.Result, o *Options) error {
	cw := csv.NewWriter(w)
	header := res.Columns
	if o.Evidence {
		header = append(append([]string(nil), header...), "evidence")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(header))
	for _, row := range res.Rows {
		for i := range res.Columns {
			rec[i] = Text(row[i])
		}
		if o.Evidence {
			rec[len(rec)-1] = evidenceCell(rowRelations(&query.Result{Rows: [][]query.Value{row}}))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
		if err := cw.Error(); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// evidenceCell is the evidence of relations as one CSV cell, a piece a
// line.
func evidenceCell(rels []*query.Relation) string {
	var lines []string
	seen := map[string]bool{}
	for _, r := range rels {
		if id := relIdentity(r); seen[id] {
			continue
		} else {
			seen[id] = true
		}
		for _, e := range r.Evidence {
			lines = append(lines, "["+evidenceSource(e)+"] "+e.Note)
		}
	}
	return strings.Join(lines, "\n")
}

// writeCardCSV writes a card's relations, one per record: from, relation,
// to, a column for each qualifier of the vocabulary (note last) and for
// any other qualifier the relations hold, and the evidence when asked.
func writeCardCSV(w io.Writer, res *query.Result, o *Options) error {
	var rels []*query.Relation
	if len(res.Rows) > 0 && len(res.Rows[0]) > 1 {
		list, _ := res.Rows[0][1].(query.List)
		for _, v := range list {
			if r, ok := v.(*query.Relation); ok {
				rels = append(rels, r)
			}
		}
	}
	var quals []string
	known := map[string]bool{"note": true}
	for _, n := range graph.QualifierNames() {
		if !known[n] {
			known[n] = true
			quals = append(quals, n)
		}
	}
	for _, r := range rels {
		for _, q := range r.Qualifiers {
			if !known[q.Name] {
				known[q.Name] = true
				quals = append(quals, q.Name)
			}
		}
	}
	quals = append(quals, "note")
	cw := csv.NewWriter(w)
	header := append([]string{"from", "relation", "to"}, quals...)
	if o.Evidence {
		header = append(header, "evidence")
	}
	cw.Write(header)
	for _, r := range rels {
		rec := []string{r.From.Label(), r.Kind, r.To.Label()}
		for _, q := range quals {
			v := r.Qualifier(q)
			if q == "status" {
				v = r.Status()
			}
			rec = append(rec, v)
		}
		if o.Evidence {
			rec = append(rec, evidenceCell([]*query.Relation{r}))
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}
