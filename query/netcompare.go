package query

import (
	"fmt"
	"math"
	"strings"

	"github.com/entente-kg/entente/query/syntax"
)

// compareNetwork answers "compare brokers|bridges|rank|communities|components
// … avoid X": the statement with and without X. Ranks (rank, brokers)
// are compared entity by entity — where each stood and stands; the other
// answers row by row, each row kept, lost or new.
func (ev *evaluator) compareNetwork(s *syntax.Network) (*Result, error) {
	// Both answers whole, then the comparison cut to the limit: a rank
	// beyond the limit before is not "new".
	base, err := ev.runNetwork(s, nil)
	if err != nil {
		return nil, err
	}
	alt, err := ev.runNetwork(s, s.Avoid)
	if err != nil {
		return nil, err
	}
	avoided := make([]string, len(s.Avoid))
	for i, a := range s.Avoid {
		avoided[i] = a.Text
	}
	what := strings.Join(avoided, ", ")
	res := &Result{Kind: "compare " + s.Move, Notes: alt.Notes, Extra: append(base.Extra, alt.Extra...)}
	if s.Move == "rank" || s.Move == "brokers" {
		score := len(base.Columns) - 1
		if s.Move == "brokers" {
			score = 3
		}
		res.Columns = []string{"change", "node", "type", "rank", base.Columns[score], "rank_before", base.Columns[score] + "_before"}
		before := map[string][]Value{}
		for _, row := range base.Rows {
			before[IDString(row[1].(*Node).ID)] = row
		}
		seen := map[string]bool{}
		moved := 0
		for _, row := range alt.Rows {
			id := IDString(row[1].(*Node).ID)
			seen[id] = true
			b, ok := before[id]
			change := "new"
			var rankBefore, scoreBefore Value
			if ok {
				rankBefore, scoreBefore = b[0], b[score]
				switch d := b[0].(int64) - row[0].(int64); {
				case d > 0:
					change = fmt.Sprintf("up %d", d)
				case d < 0:
					change = fmt.Sprintf("down %d", -d)
				default:
					change = "same"
				}
			}
			if change != "same" {
				moved++
			}
			res.Rows = append(res.Rows, []Value{change, row[1], row[2], row[0], row[score], rankBefore, scoreBefore})
		}
		gone := 0
		for _, row := range base.Rows {
			if !seen[IDString(row[1].(*Node).ID)] {
				gone++
				res.Rows = append(res.Rows, []Value{"gone", row[1], row[2], nil, nil, row[0], row[score]})
			}
		}
		res.Note = fmt.Sprintf("without %s: %d moved or new, %d gone", what, moved, gone)
	} else {
		res.Columns = append([]string{"change"}, base.Columns...)
		key := func(row []Value) string {
			if s.Move == "communities" || s.Move == "components" {
				return valueKey(row[2]) // the members, whatever the number
			}
			var b strings.Builder
			for _, v := range row[1:] {
				b.WriteString(valueKey(v))
				b.WriteByte(0)
			}
			return b.String()
		}
		inAlt, inBase := map[string]bool{}, map[string]bool{}
		for _, row := range alt.Rows {
			inAlt[key(row)] = true
		}
		for _, row := range base.Rows {
			inBase[key(row)] = true
		}
		kept, lost, added := 0, 0, 0
		for _, row := range base.Rows {
			change := "lost"
			if inAlt[key(row)] {
				change = "kept"
				kept++
			} else {
				lost++
			}
			res.Rows = append(res.Rows, append([]Value{change}, row...))
		}
		for _, row := range alt.Rows {
			if !inBase[key(row)] {
				added++
				res.Rows = append(res.Rows, append([]Value{"new"}, row...))
			}
		}
		res.Note = fmt.Sprintf("without %s: %d kept, %d lost, %d new", what, kept, lost, added)
	}
	for _, n := range []string{base.Note, alt.Note} {
		// What both answers walked, said once.
		if i := strings.Index(n, "walking "); i >= 0 {
			w := n[i:]
			if i > 0 && n[i-1] == '(' {
				w = strings.TrimSuffix(w, ")")
			}
			res.Note += "; " + w
			break
		}
	}
	lim := ev.opts.Limit
	if s.Limit > 0 {
		lim = s.Limit
	}
	if len(res.Rows) > lim {
		res.Capped = true
		res.Note = fmt.Sprintf("showing the first %d of %d rows; %s", lim, len(res.Rows), res.Note)
		res.Rows = res.Rows[:lim]
	}
	return res, nil
}

// runNetwork evaluates a network statement with the given avoid list,
// whole (without a limit).
func (ev *evaluator) runNetwork(s *syntax.Network, avoid []*syntax.Name) (*Result, error) {
	c := *s
	c.Avoid, c.Limit = avoid, math.MaxInt32
	return ev.network(&c)
}

// valueKey identifies a value for comparisons: nodes by id, relations by
// their ends, kind and statement, lists item by item.
func valueKey(v Value) string {
	switch v := v.(type) {
	case *Node:
		return IDString(v.ID)
	case *Relation:
		return IDString(v.From.ID) + ">" + v.Kind + ">" + IDString(v.To.ID) + ">" + IDString(v.Stmt)
	case List:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = valueKey(x)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprint(v)
}
