package syntax

import (
	"strconv"
	"strings"
)

// This file holds the network-analysis statements: brokers, bridges,
// rank, communities and components. Their leading words (and between,
// type) are read in place, not reserved: a name may still contain them.

// Measures are the centralities rank takes, for errors and completion.
var Measures = []string{"degree", "pagerank", "betweenness", "closeness"}

// Network is a network-analysis statement:
//
//	brokers between A and B …       who lies on the strongest paths between two entities or groups
//	bridges A to B …                the entities and relations whose removal cuts A from B
//	rank by MEASURE [type T] …      every entity by a centrality
//	communities …                   the graph's communities (Louvain)
//	components …                    its connected components
//
// Each takes the options of the path statements that shape the graph it
// reads: via, avoid, directed, including, where; and limit.
type Network struct {
	At   Pos
	Move string // brokers, bridges, rank, communities, components
	// From and To are the two groups of brokers (one entity or several,
	// in brackets) and the two ends of bridges (one each).
	From, To []*Name
	// Measure is rank's centrality (one of Measures), Type its type.
	Measure   string
	MeasureAt Pos
	Type      *Name
	Via       []*Name
	Avoid     []*Name
	Directed  bool
	Including string
	Where     Expr
	Limit     int
	// IncludingAt and LimitAt are the positions of the values given.
	IncludingAt, LimitAt Pos
}

func (s *Network) Pos() Pos { return s.At }
func (s *Network) String() string {
	var b strings.Builder
	b.WriteString(s.Move)
	group := func(ns []*Name) string {
		if len(ns) == 1 {
			return ns[0].String()
		}
		parts := make([]string, len(ns))
		for i, n := range ns {
			parts[i] = n.String()
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	switch s.Move {
	case "brokers":
		b.WriteString(" between " + group(s.From) + " and " + group(s.To))
	case "bridges":
		b.WriteString(" " + group(s.From) + " to " + group(s.To))
	case "rank":
		b.WriteString(" by " + s.Measure)
		if s.Type != nil {
			b.WriteString(" type " + s.Type.String())
		}
	}
	writeNames(&b, "via", s.Via)
	writeNames(&b, "avoid", s.Avoid)
	if s.Directed {
		b.WriteString(" directed")
	}
	if s.Including != "" {
		b.WriteString(" including " + s.Including)
	}
	if s.Where != nil {
		b.WriteString(" where " + s.Where.String())
	}
	if s.Limit > 0 {
		b.WriteString(" limit " + strconv.Itoa(s.Limit))
	}
	return b.String()
}
func (*Network) stmt() {}

// networkOptions are the options of the network statements, for errors.
var networkOptions = []string{"via", "avoid", "directed", "including", "where", "limit"}

// network parses the statement after its first word (move).
//
//	brokers     = "brokers" "between" group "and" group { netOpt } .
//	bridges     = "bridges" name "to" name { netOpt } .
//	rank        = "rank" "by" measure { "type" name | netOpt } .
//	communities = "communities" { netOpt } .
//	components  = "components" { netOpt } .
//	netOpt      = "via" nameList | "avoid" nameList | "directed"
//	            | "including" status | "where" expr | "limit" POSINT .
func (p *parser) network(at Pos, move string) (Stmt, error) {
	s := &Network{At: at, Move: move}
	var err error
	opts := networkOptions
	switch move {
	case "brokers":
		if !p.accept("between") {
			return nil, p.errKeywords(`"between" (brokers between A and B)`, []string{"between"})
		}
		if s.From, err = p.group("the first entity or group"); err != nil {
			return nil, err
		}
		if err := p.expectKw("and"); err != nil {
			return nil, err
		}
		if s.To, err = p.group("the second entity or group"); err != nil {
			return nil, err
		}
	case "bridges":
		from, err := p.name("the entity to cut from")
		if err != nil {
			return nil, err
		}
		if err := p.expectKw("to"); err != nil {
			return nil, err
		}
		to, err := p.name("the entity to cut it from")
		if err != nil {
			return nil, err
		}
		s.From, s.To = []*Name{from}, []*Name{to}
	case "rank":
		if err := p.expectKw("by"); err != nil {
			return nil, err
		}
		what := "a measure (" + strings.Join(Measures, ", ") + ")"
		if p.tok.Kind != Bare {
			return nil, p.errExpected(what)
		}
		m := strings.ToLower(p.tok.Text)
		ok := false
		for _, x := range Measures {
			ok = ok || m == x
		}
		if !ok {
			return nil, p.errKeywords(what, Measures)
		}
		s.Measure, s.MeasureAt = m, p.tok.Pos
		p.next()
		opts = append([]string{"type"}, networkOptions...)
	}
	seen := map[string]bool{}
	for p.tok.Kind == Bare {
		kw := strings.ToLower(p.tok.Text)
		if seen[kw] {
			return nil, p.errAt(p.tok.Pos, "%q is given twice", kw)
		}
		seen[kw] = true
		switch kw {
		case "type":
			if move != "rank" {
				return nil, p.errOption(opts, nil)
			}
			p.next()
			if s.Type, err = p.name("a type"); err != nil {
				return nil, err
			}
		case "via":
			p.next()
			if s.Via, err = p.nameList("a relation kind"); err != nil {
				return nil, err
			}
		case "avoid":
			p.next()
			if s.Avoid, err = p.nameList("an entity, relation kind or status to avoid"); err != nil {
				return nil, err
			}
		case "directed":
			p.next()
			s.Directed = true
		case "including":
			p.next()
			if s.Including, s.IncludingAt, err = p.status(); err != nil {
				return nil, err
			}
		case "where":
			p.next()
			if s.Where, err = p.expr(); err != nil {
				return nil, err
			}
		case "limit":
			p.next()
			if s.Limit, s.LimitAt, err = p.positiveInt("a limit"); err != nil {
				return nil, err
			}
		default:
			return nil, p.errOption(opts, nil)
		}
	}
	if p.tok.Kind != EOF && p.tok.Kind != Semi {
		return nil, p.errOption(opts, nil)
	}
	return s, nil
}

// group = name | "(" nameList ")" .
func (p *parser) group(what string) ([]*Name, error) {
	if p.tok.Kind != LParen {
		n, err := p.name(what)
		if err != nil {
			return nil, err
		}
		return []*Name{n}, nil
	}
	p.next()
	ns, err := p.nameList(what)
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(RParen); err != nil {
		return nil, err
	}
	return ns, nil
}
