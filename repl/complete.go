package repl

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/entente-kg/entente/export"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query/syntax"
)

// completer completes what is being typed from the context: statement
// words at the start, entity names after show, to, avoid and the like,
// relation kinds after via, types after a colon in a node pattern, and
// colon commands with their arguments.
type completer struct {
	s       *session
	version uint64
	names   []string // entity names and aliases, as written
	kinds   []string
	types   []string
}

const maxCompletions = 200

func newCompleter(s *session) *completer { return &completer{s: s, version: ^uint64(0)} }

// refresh reloads the vocabulary of the store after it changed.
func (c *completer) refresh() {
	db := c.s.cfg.DB
	v := db.Version()
	if v == c.version {
		return
	}
	c.version = v
	c.names, c.kinds, c.types = nil, nil, nil
	seen := map[string]bool{}
	if cat, err := db.Catalog(c.s.ctx); err == nil {
		for _, e := range cat.Entities {
			for _, n := range append([]string{e.Name}, e.Aliases...) {
				if n != "" && !seen[strings.ToLower(n)] {
					seen[strings.ToLower(n)] = true
					c.names = append(c.names, n)
				}
			}
			for _, t := range e.Types {
				if !seen["type:"+t] {
					seen["type:"+t] = true
					c.types = append(c.types, t)
				}
			}
		}
	}
	kinds := map[string]bool{}
	for _, k := range graph.KindNames() {
		kinds[k] = true
	}
	if preds, _, err := db.Predicates(c.s.ctx); err == nil {
		for _, p := range preds {
			if v, err := db.QuadStore().NameOf(p); err == nil && !graph.IsAttribute(v) {
				kinds[graph.ShortName(v)] = true
			}
		}
	}
	for k := range kinds {
		c.kinds = append(c.kinds, k)
	}
	for _, t := range graph.TypeNames() {
		if !seen["type:"+t] {
			c.types = append(c.types, t)
		}
	}
	sort.Strings(c.names)
	sort.Strings(c.kinds)
	sort.Strings(c.types)
}

// complete is a liner word completer: it returns the text before the word
// being completed, the candidates for that word, and the text after.
func (c *completer) complete(line string, pos int) (head string, completions []string, tail string) {
	if pos > len(line) {
		pos = len(line)
	}
	before, tail := line[:pos], line[pos:]
	trimmed := strings.TrimLeft(before, " \t")
	if strings.HasPrefix(trimmed, ":") {
		return c.command(before, tail)
	}
	if c.s.lang == "gizmo" {
		return before, nil, tail
	}
	c.refresh()
	// Inside an open quote: complete the quoted name.
	if q := openQuote(before); q >= 0 {
		prefix := before[q+1:]
		ctx := contextOf(before[:q])
		cands := c.candidates(ctx, prefix)
		out := make([]string, 0, len(cands))
		for _, x := range cands {
			out = append(out, `"`+strings.ReplaceAll(x, `"`, `\"`)+`"`)
		}
		return before[:q], out, tail
	}
	start, prefix := trailingWords(before)
	ctx := contextOf(before[:start])
	if strings.HasSuffix(before, " ") && strings.TrimSpace(prefix) != "" && c.isName(strings.TrimSpace(prefix)) {
		// A whole name and a space: what follows it.
		start, prefix, ctx = len(before), "", ctxKeyword
	}
	cands := c.candidates(ctx, prefix)
	out := make([]string, 0, len(cands))
	for _, x := range cands {
		if ctx == ctxKeyword || ctx == ctxStatement || ctx == ctxKind || ctx == ctxType || c.isKind(x) {
			out = append(out, x)
		} else {
			out = append(out, quoteCompletion(x))
		}
	}
	return before[:start], out, tail
}

// openQuote returns the index of an unclosed double quote, or -1.
func openQuote(s string) int {
	at := -1
	esc := false
	for i, r := range s {
		switch {
		case esc:
			esc = false
		case r == '\\':
			esc = true
		case r == '"' && at < 0:
			at = i
		case r == '"':
			at = -1
		}
	}
	return at
}

// trailingWords finds the run of bare, non-keyword words at the end of s
// (a name being typed, perhaps of several words): its start and text.
func trailingWords(s string) (int, string) {
	l := syntax.NewLexer(s)
	start := len(s)
	for {
		t := l.Next()
		if t.Kind == syntax.EOF {
			break
		}
		off := byteOffset(s, t.Pos)
		if t.Kind == syntax.Bare && !syntax.IsKeyword(t.Text) {
			if start == len(s) {
				start = off
			}
		} else {
			start = len(s)
			if t.Kind == syntax.Bare && syntax.IsKeyword(t.Text) && off+len(t.Text) == len(s) {
				// a keyword being typed: complete it as a word
				start = off
			}
		}
	}
	if start == len(s) && strings.HasSuffix(s, " ") {
		return len(s), ""
	}
	if start == len(s) {
		// the last token is punctuation: complete after it
		return len(s), ""
	}
	return start, s[start:]
}

// byteOffset converts a line:column position of s to a byte offset.
func byteOffset(s string, p syntax.Pos) int {
	line, col := 1, 1
	for i, r := range s {
		if line == p.Line && col == p.Col {
			return i
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return len(s)
}

type completionContext int

const (
	ctxStatement    completionContext = iota // the start of a statement
	ctxEntity                                // an entity name
	ctxKind                                  // a relation kind
	ctxEntityOrKind                          // avoid: either
	ctxType                                  // an entity type
	ctxKeyword                               // an option keyword
)

// contextOf decides what may come after s, from its last tokens.
func contextOf(s string) completionContext {
	l := syntax.NewLexer(s)
	var toks []syntax.Token
	for {
		t := l.Next()
		if t.Kind == syntax.EOF {
			break
		}
		toks = append(toks, t)
	}
	if len(toks) == 0 {
		return ctxStatement
	}
	last := toks[len(toks)-1]
	word := strings.ToLower(last.Text)
	switch {
	case last.Kind == syntax.Bare && syntax.IsKeyword(word):
		switch word {
		case "show", "neighbors", "neighbours", "path", "paths", "why", "to", "and":
			return ctxEntity
		case "via":
			return ctxKind
		case "avoid":
			return ctxEntityOrKind
		case "compare":
			return ctxKeyword
		}
		return ctxKeyword
	case last.Kind == syntax.Comma:
		// a list: of kinds after via, of names after avoid
		for i := len(toks) - 2; i >= 0; i-- {
			if toks[i].Kind == syntax.Bare && syntax.IsKeyword(toks[i].Text) {
				switch strings.ToLower(toks[i].Text) {
				case "via":
					return ctxKind
				case "avoid":
					return ctxEntityOrKind
				}
				break
			}
		}
		return ctxEntity
	case last.Kind == syntax.Colon:
		// (n: → a type; [r: → a kind; {name: → a name
		for i := len(toks) - 2; i >= 0; i-- {
			switch toks[i].Kind {
			case syntax.LParen:
				return ctxType
			case syntax.LBrack:
				return ctxKind
			case syntax.LBrace:
				return ctxEntity
			}
		}
	case last.Kind == syntax.Pipe:
		for i := len(toks) - 2; i >= 0; i-- {
			switch toks[i].Kind {
			case syntax.LParen:
				return ctxType
			case syntax.LBrack:
				return ctxKind
			}
		}
	}
	// After a name: the options of the statement.
	return ctxKeyword
}

var optionKeywords = []string{"to", "via", "max", "avoid", "directed", "where", "limit", "depth", "in", "out", "both", "return", "order by", "and", "or", "not"}
var statementKeywords = []string{"show", "neighbors", "path", "paths", "why", "compare path", "match"}

// candidates lists what may complete prefix in a context, matching from
// the start of each candidate, ignoring case.
func (c *completer) candidates(ctx completionContext, prefix string) []string {
	var pool []string
	switch ctx {
	case ctxStatement:
		pool = statementKeywords
	case ctxEntity:
		pool = c.names
	case ctxKind:
		pool = c.kinds
	case ctxEntityOrKind:
		pool = append(append([]string{}, c.names...), c.kinds...)
	case ctxType:
		pool = c.types
	case ctxKeyword:
		pool = optionKeywords
	}
	p := strings.ToLower(prefix)
	var out []string
	for _, x := range pool {
		if strings.HasPrefix(strings.ToLower(x), p) {
			out = append(out, x)
			if len(out) == maxCompletions {
				break
			}
		}
	}
	return out
}

// command completes colon commands and their arguments.
func (c *completer) command(before, tail string) (string, []string, string) {
	lead := len(before) - len(strings.TrimLeft(before, " \t"))
	fields := strings.Fields(before)
	if len(fields) == 1 && !strings.HasSuffix(before, " ") {
		p := strings.ToLower(strings.TrimPrefix(fields[0], ":"))
		var out []string
		for _, n := range commandNames() {
			if strings.HasPrefix(n, p) {
				out = append(out, ":"+n)
			}
		}
		return before[:lead], out, tail
	}
	name := strings.ToLower(strings.TrimPrefix(fields[0], ":"))
	arg := ""
	if !strings.HasSuffix(before, " ") && len(fields) > 1 {
		arg = fields[len(fields)-1]
	}
	head := before[:len(before)-len(arg)]
	var pool []string
	switch name {
	case "format", "f":
		pool = []string{"table", "chain", "json", "csv"}
	case "lang", "language":
		pool = []string{"eql", "gizmo"}
	case "evidence", "timing", "pager":
		pool = []string{"on", "off"}
	case "help", "h", "?":
		pool = []string{"statements", "commands", "show", "neighbors", "path", "paths", "why", "compare", "match", "where", "gizmo"}
	case "export":
		if len(fields) >= 3 || (len(fields) == 2 && strings.HasSuffix(before, " ")) {
			for _, f := range export.Formats {
				pool = append(pool, string(f))
			}
			break
		}
		return head, filesMatching(arg), tail
	case "load":
		return head, filesMatching(arg), tail
	}
	var out []string
	for _, x := range pool {
		if strings.HasPrefix(x, strings.ToLower(arg)) {
			out = append(out, x)
		}
	}
	return head, out, tail
}

// filesMatching lists the files and directories starting with prefix.
func filesMatching(prefix string) []string {
	matches, _ := filepath.Glob(prefix + "*")
	var out []string
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && st.IsDir() {
			m += string(filepath.Separator)
		}
		out = append(out, m)
		if len(out) == maxCompletions {
			break
		}
	}
	return out
}

// quoteCompletion quotes a name offered for completion when it has spaces
// or would not read back as one name.
func quoteCompletion(n string) string {
	if strings.ContainsAny(n, " \t") {
		return `"` + strings.ReplaceAll(n, `"`, `\"`) + `"`
	}
	return quoteName(n)
}

func (c *completer) isName(s string) bool {
	for _, n := range c.names {
		if strings.EqualFold(n, s) {
			return true
		}
	}
	return false
}

func (c *completer) isKind(s string) bool {
	for _, k := range c.kinds {
		if k == s {
			return true
		}
	}
	return false
}
