package render

import (
	"encoding/csv"
	"io"

	"github.com/entente-kg/entente/query"
)

// WriteCSV writes a header of column names and one record per row, each
// value as its plain text.
func WriteCSV(w io.Writer, res *query.Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(res.Columns); err != nil {
		return err
	}
	rec := make([]string, len(res.Columns))
	for _, row := range res.Rows {
		for i := range rec {
			rec[i] = Text(row[i])
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

// writeCardCSV writes a card's relations, one per record.
func writeCardCSV(w io.Writer, res *query.Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"from", "relation", "to", "status", "sector", "instrument", "quantity", "period", "rank", "note"})
	if len(res.Rows) > 0 && len(res.Rows[0]) > 1 {
		rels, _ := res.Rows[0][1].(query.List)
		for _, v := range rels {
			r, ok := v.(*query.Relation)
			if !ok {
				continue
			}
			cw.Write([]string{r.From.Label(), r.Kind, r.To.Label(), r.Status(), r.Qualifier("sector"),
				r.Qualifier("instrument"), r.Qualifier("quantity"), r.Qualifier("period"), r.Qualifier("rank"), r.Qualifier("note")})
		}
	}
	cw.Flush()
	return cw.Error()
}
