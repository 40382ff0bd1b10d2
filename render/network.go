package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/entente-kg/entente/query"
)

// writeBrokers writes a brokers answer for people: each broker on a line
// of its own — its rank, name, type, score and share of the paths — and
// under it, indented, the chains of the paths it lies on.
func writeBrokers(w io.Writer, res *query.Result, o *Options) error {
	paint := painter(o)
	t := newTellApart(res)
	var b strings.Builder
	for _, row := range res.Rows {
		if len(row) < 6 {
			continue
		}
		fmt.Fprintf(&b, "%s. %s  (%s)  score %s, on %s\n", Text(row[0]), paint("node", Text(row[1])), Text(row[2]), Text(row[3]), Text(row[4]))
		ps, _ := row[5].(query.List)
		for _, v := range ps {
			if p, ok := v.(*query.Path); ok {
				fmt.Fprintf(&b, "     %s\n", chainText(p, paint, t))
			}
		}
	}
	b.WriteString(footer(res))
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
