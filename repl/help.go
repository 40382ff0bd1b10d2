package repl

import (
	"fmt"
	"sort"
	"strings"
)

// commands are the colon commands, with their one-line help.
var commands = []struct{ name, args, help string }{
	{"help", "[topic]", "this help; topics: statements, show, neighbors, path, paths, why, compare, match, where, commands, gizmo"},
	{"format", "table|chain|json|csv", "how answers print"},
	{"evidence", "on|off", "print each relation's evidence under it"},
	{"expanded", "on|off|auto", "print each row of a table as a record, a line a column; auto: when wider than the terminal (\\x too)"},
	{"timing", "on|off", "print how long each statement took"},
	{"limit", "N", "the most rows an answer shows"},
	{"timeout", "D", "stop a statement after D (30s, 2m)"},
	{"lang", "eql|gizmo", "the language statements are read in (:eql and :gizmo switch too)"},
	{"load", "[--create] FILE...", "load N-Quads, N-Triples, CSV, JSON-LD or seed files, all or nothing"},
	{"export", "FILE [format] [options]", "write the last answer as a subgraph (graphml, gexf, dot, svg, png, pdf, nquads, jsonld, csv, cytoscape); pictures take all-edges, bare, no-title, no-legend, no-caption, layout=L, width=N, dpi=N"},
	{"retract", "--reason TEXT (SUBJECT KIND OBJECT [KEY=VALUE] | STMT-ID | ENTITY)", "retract a fact, as one transaction; the history keeps it (as of, history)"},
	{"amend", "--reason TEXT [--from DATE] TARGET KEY=VALUE… [alias+=NAME] [alias-=NAME]", "change a relation's qualifiers or an entity's names, as one transaction"},
	{"log", "[N]", "the store's transactions, newest first"},
	{"stats", "", "count quads, nodes, entities and relations"},
	{"schema", "", "the entity types and relation kinds, with counts"},
	{"history", "", "the statements typed lately"},
	{"pager", "on|off", "page answers longer than the screen"},
	{"quit", "", "leave (quit, exit, \\q and Ctrl-D too)"},
}

func commandNames() []string {
	out := make([]string, len(commands))
	for i, c := range commands {
		out[i] = c.name
	}
	return out
}

var helpTopics = map[string]string{
	"show": `show ENTITY
  The entity's card: type, names, aliases, and every relation grouped by kind,
  with counts and status.        show Japan     show "South Korea"     show Seoul`,
	"neighbors": `neighbors ENTITY [depth N] [via KIND, …] [in|out|both] [where …] [limit N]
  The entities within N hops (default 1), a row for each relation that reached it.
  neighbors Japan depth 2 via partner, security_pact`,
	"path": `path A to B [via KIND, …] [max N] [avoid X, …] [directed] [where …] [including STATUS] [limit N]
  The shortest paths from A to B among the strongest: a path is as strong as its
  weakest hop (existing > at_risk > potential > proposed; stated > inferred); a
  note names a shorter path through weaker links and the clause that shows it.
  including STATUS walks every relation down to STATUS. Paths walk links either
  way unless directed, and pass through no event unless via names its kinds.
  path Japan to India     path Japan to India including proposed
  path Japan to India avoid "United States", China`,
	"paths": `paths A to B [max N] [limit N] [via …] [avoid …] [directed] [where …] [including STATUS]
  Every simple path up to max hops (default 4) among the strongest, shortest first.
  paths Japan to India max 3 limit 20     paths Japan to India including proposed`,
	"search": `search TEXT [in FIELD, …] [limit N]
  Full-text search over names, aliases, notes and evidence, ranked; each hit with
  the matching text marked and its locator. "phrases", prefix*, any case or accent.
  search Ukraine     search "nuclear umbrella"     search tariff* in evidence`,
	"why": `why A B
  Every relation linking the two, with qualifiers and evidence.
  why Japan Australia     why "South Korea" "United States"`,
	"compare": `compare path A to B avoid X
  What taking X out changes: which paths are lost, kept, or new (longer).
  compare path Japan to India avoid "United States"`,
	"match": `match PATTERN [where …] return … [order by …] [skip N] [limit N]
  Cypher-style patterns: (n:Type {name: "…"})-[r:kind|kind*1..3]->(m)
  match (c:Country)-[r:tariff_exposure]->(u {name: "United States"}) return c.name, r.sector
  match p = shortest (a {name: "North Korea"})-[*..6]-(b {name: "European Union"}) return p`,
	"where": `where in the moves tests each relation (rel) and node (node) along the way:
  where status != proposed     where rel.sector = semiconductors
  where node.type in (Country, Bloc)
  rel has kind, status, sector, instrument, quantity, period, rank, note;
  node has name, id, type, aliases.`,
	"brokers": `brokers between A and B [via …] [avoid …] [directed] [including STATUS] [where …] [limit N]
  Who lies on the strongest paths between two entities or groups, ranked by the
  share of the paths each carries, with those paths.
  brokers between EU and India avoid partner
  brokers between Europe and (Japan, "South Korea", India)`,
	"bridges": `bridges A to B [via …] [avoid …] [directed] [including STATUS] [where …]
  The entities and relations whose removal cuts A from B: each that alone does,
  else the fewest together.      bridges "North Korea" to EU`,
	"rank": `rank by degree|pagerank|betweenness|closeness [type T] [via …] [avoid …] [including STATUS] [limit N]
  Every entity by a centrality (sampled, with a stated seed, on a large graph).
  rank by pagerank type Country     compare rank by betweenness avoid "United States"`,
	"communities": `communities [via …] [avoid …] [including STATUS] [limit N]     components [directed] …
  Louvain's communities, each with its members and the kinds that bind it; the
  connected components.          communities avoid Japan`,
	"gizmo": `:gizmo switches to Cayley's Gizmo (JavaScript) on the same store; :eql back.
  g.V("<entity:japan>").Out("<rel:partner>").All()`,
}

// help prints the help, or one topic of it.
func (s *session) help(args []string) {
	w := s.cfg.Out
	if len(args) > 0 {
		topic := strings.ToLower(strings.TrimPrefix(args[0], ":"))
		if topic == "neighbours" {
			topic = "neighbors"
		}
		if topic == "components" {
			topic = "communities"
		}
		switch topic {
		case "commands":
			s.helpCommands()
			return
		case "statements":
			for _, t := range []string{"show", "neighbors", "path", "paths", "why", "compare", "match", "brokers", "bridges", "rank", "communities"} {
				fmt.Fprintln(w, helpTopics[t])
				fmt.Fprintln(w)
			}
			return
		case "examples":
			for _, e := range s.examples() {
				fmt.Fprintln(w, "  "+e)
			}
			return
		}
		if t, ok := helpTopics[topic]; ok {
			fmt.Fprintln(w, t)
			return
		}
		for _, c := range commands {
			if c.name == topic {
				fmt.Fprintf(w, ":%s %s\n  %s\n", c.name, c.args, s.commandHelp(c.name, c.help))
				return
			}
		}
		var known []string
		for k := range helpTopics {
			known = append(known, k)
		}
		sort.Strings(known)
		s.failures++
		fmt.Fprintf(s.cfg.Err, "error: no help on %q (topics: %s, commands, statements)\n", args[0], strings.Join(known, ", "))
		return
	}
	fmt.Fprintln(w, `Statements (end with ; or a line end; an unfinished line, or one ending with \, goes on):
  show ENTITY                          the entity's card
  neighbors ENTITY [depth N] [via …]   who is around it
  path A to B [including STATUS]       the shortest paths among the strongest
  paths A to B [max N] [limit N]       every simple path among the strongest, shortest first
  search TEXT [in FIELD]               names, notes and evidence, ranked, with locators
  why A B                              every relation linking the two, with evidence
  compare path A to B avoid X          what taking X out changes
  match (a:Country)-[r:partner]-(b) return a.name, b.name
Names are case-insensitive; capitals and short forms work (Tokyo, ROK, US).
Quote names with spaces or keywords ("South Korea"), or let Tab do it.`)
	if ex := s.examples(); len(ex) > 0 {
		fmt.Fprintln(w, "\nOn this graph, try:")
		for _, e := range ex {
			fmt.Fprintln(w, "  "+e)
		}
	}
	fmt.Fprintln(w)
	s.helpCommands()
	fmt.Fprintln(w, "\n:help TOPIC for more (show, neighbors, path, paths, search, why, compare, match, where, gizmo).")
}

func (s *session) helpCommands() {
	w := s.cfg.Out
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		head := ":" + c.name
		if c.args != "" {
			head += " " + c.args
		}
		fmt.Fprintf(w, "  %-26s %s\n", head, s.commandHelp(c.name, c.help))
	}
}

// commandHelp adds a command's current setting to its help.
func (s *session) commandHelp(name, help string) string {
	switch name {
	case "limit":
		return fmt.Sprintf("%s (now %d)", help, s.opts.Limit)
	case "timeout":
		return fmt.Sprintf("%s; now %v", help, s.opts.Timeout)
	case "format":
		return fmt.Sprintf("%s (now %s)", help, s.format)
	case "lang":
		return fmt.Sprintf("%s; now %s", help, s.lang)
	case "expanded":
		if s.wide {
			return help + " (now auto)"
		}
		return fmt.Sprintf("%s (now %s)", help, onOffText(s.expanded))
	case "evidence", "timing", "pager":
		v := map[string]bool{"evidence": s.evidence, "timing": s.timing, "pager": s.pager}[name]
		return fmt.Sprintf("%s (now %s)", help, onOffText(v))
	}
	return help
}
