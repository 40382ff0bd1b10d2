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
	}
	cw.Flush()
	return cw.Error()
}
