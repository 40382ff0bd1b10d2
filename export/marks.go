package export

import (
	"strconv"

	"github.com/entente-kg/entente/query"
)

// This file is the hook by which the network statements' answers
// (query.Result.Marks: each node's community or component, rank and
// score) reach exports: GraphML, GEXF and DOT files carry them as node
// attributes (group, rank, score), for Gephi and the like to colour by;
// pictures outline each node in its group's colour, the type colours
// left as they are.

// groupColours outline the nodes of community or component 1, 2, … in a
// picture; the colours repeat after the last.
var groupColours = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}

// markKeys are the node attributes the subgraph's marks give values to,
// in a fixed order: none when the answer has no marks.
func markKeys(sg *Subgraph) []string {
	var group, rank bool
	for _, m := range sg.Marks {
		group = group || m.Group > 0
		rank = rank || m.Rank > 0
	}
	var keys []string
	if group {
		keys = append(keys, "group")
	}
	if rank {
		keys = append(keys, "rank", "score")
	}
	return keys
}

// markAttrs are a node's values of the mark keys.
func markAttrs(sg *Subgraph, n *query.Node) []attr {
	m, ok := sg.Marks[nodeID(n)]
	if !ok {
		return nil
	}
	var a []attr
	if m.Group > 0 {
		a = append(a, attr{"group", strconv.Itoa(m.Group)})
	}
	if m.Rank > 0 {
		a = append(a, attr{"rank", strconv.Itoa(m.Rank)}, attr{"score", strconv.FormatFloat(m.Score, 'f', -1, 64)})
	}
	return a
}

// rankColours outline ranked nodes, the first sixth of the ranks in the
// first colour, and so on: the darker, the higher.
var rankColours = []string{"#67000d", "#a50f15", "#cb181d", "#ef3b2c", "#fb6a4a", "#fc9272"}

// markStyle is the DOT attributes that outline a node of a group in its
// colour, or a ranked node in a shade of red by its rank (none for a
// node with no mark).
func markStyle(sg *Subgraph, n *query.Node) []string {
	m, ok := sg.Marks[nodeID(n)]
	switch {
	case !ok:
		return nil
	case m.Group > 0:
		return []string{"color=" + dotQuote(groupColours[(m.Group-1)%len(groupColours)]), "penwidth=2.5"}
	case m.Rank > 0:
		last := 1
		for _, x := range sg.Marks {
			last = max(last, x.Rank)
		}
		i := min((m.Rank-1)*len(rankColours)/last, len(rankColours)-1)
		return []string{"color=" + dotQuote(rankColours[i]), "penwidth=2.5"}
	}
	return nil
}
