package repl

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

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
// being completed, the candidates for that word, and the text after. The
// candidates always share a beginning that keeps what was typed (liner
// puts that common beginning in place of the word on the first Tab).
func (c *completer) complete(line string, pos int) (head string, completions []string, tail string) {
	if pos > len(line) {
		pos = len(line)
	}
	before, tail := line[:pos], line[pos:]
	trimmed := strings.TrimLeft(before, " \t")
	if strings.HasPrefix(trimmed, ":") && c.s.typed == "" {
		return c.command(before, tail)
	}
	if c.s.lang == "gizmo" {
		return before, nil, tail
	}
	c.refresh()
	// The statement so far: the lines typed before this one, then this
	// line up to the cursor; only what follows the last ";" counts.
	prev := ""
	if c.s.typed != "" {
		prev = c.s.typed + "\n"
	}
	text := prev + before
	if stmts, rest := splitStatements(text); len(stmts) > 0 {
		text = rest
		prev = ""
		if cut := len(text) - len(before); cut > 0 {
			prev = text[:cut]
		}
	}
	// at turns an offset in text into one in before.
	at := func(off int) int { return max(0, off-(len(text)-len(before))) }
	kind := statementKind(text)
	// Inside an open quote: complete the quoted name.
	if q := openQuote(text); q >= 0 {
		prefix := text[q+1:]
		ctx := contextOf(text[:q], kind)
		cands := c.candidates(ctx, kind, text[:q], prefix)
		out := make([]string, 0, len(cands))
		for _, x := range cands {
			out = append(out, `"`+strings.ReplaceAll(x, `"`, `\"`)+`"`)
		}
		return before[:at(q)], keepTyped(text[q:], out, nil), tail
	}
	start, prefix := trailingWords(text)
	ctx := contextOf(text[:start], kind)
	if words := strings.Fields(prefix); len(words) > 0 && (ctx == ctxEntity || ctx == ctxKind || ctx == ctxEntityOrKind) {
		// A whole name (or kind) then a space: what may follow it. A
		// whole name then part of a word: that word, if no name goes on
		// that way (path Japan to India av → avoid).
		next := ctxKeyword
		if kind == "why" && ctx == ctxEntity {
			next = ctxEntity
		}
		endsSpace := strings.HasSuffix(text, " ") || strings.HasSuffix(text, "\t")
		switch {
		case endsSpace && c.isItem(ctx, strings.Join(words, " ")):
			start, prefix, ctx = len(text), "", next
		case !endsSpace && len(c.candidates(ctx, kind, text[:start], prefix)) == 0:
			for k := len(words) - 1; k > 0; k-- {
				if c.isItem(ctx, strings.Join(words[:k], " ")) {
					rest := strings.Join(words[k:], " ")
					if next == ctxKeyword && k < len(words)-1 {
						break // keywords are single words
					}
					start, prefix, ctx = len(text)-len(words[len(words)-1]), words[len(words)-1], next
					if next == ctxEntity {
						start, prefix = strings.LastIndex(text, words[k]), rest
					}
					break
				}
			}
		}
	}
	if prefix != "" && (strings.HasSuffix(text, " ") || strings.HasSuffix(text, "\t")) &&
		ctx != ctxEntity && ctx != ctxKind && ctx != ctxEntityOrKind {
		// A whole word and a space: what comes after it.
		start, prefix, ctx = len(text), "", contextOf(text, kind)
	}
	cands := c.candidates(ctx, kind, text[:start], prefix)
	out := make([]string, 0, len(cands))
	bare := map[string]bool{}
	for _, x := range cands {
		if ctx == ctxKeyword || ctx == ctxStatement || ctx == ctxKind || ctx == ctxType || ctx == ctxExpr || c.isKind(x) {
			out = append(out, x)
			bare[x] = true
		} else {
			out = append(out, quoteCompletion(x))
		}
	}
	return before[:at(start)], keepTyped(prefix, out, bare), tail
}

// keepTyped makes sure the common beginning of the candidates keeps the
// word typed, so that Tab never erases it. Where candidates differ in
// case from what was typed (EU, Europe for "Eu"), their typed part takes
// the typed case (names, kinds and keywords ignore case); where some are
// quoted and some not, the bare names are quoted too (a quoted name means
// the same). Kinds and keywords (keep) cannot be quoted: if they meet
// quoted names, the quoted names wait for a typed quote.
func keepTyped(typed string, cands []string, keep map[string]bool) []string {
	if len(cands) < 2 || typed == "" || keeps(typed, cands) {
		return cands
	}
	tq := strings.HasPrefix(typed, `"`)
	tw := []rune(caseFor(strings.TrimPrefix(typed, `"`), cands))
	out := make([]string, len(cands))
	for i, x := range cands {
		q := strings.HasPrefix(x, `"`)
		r := []rune(strings.TrimPrefix(x, `"`))
		if len(r) >= len(tw) && strings.EqualFold(string(r[:len(tw)]), string(tw)) {
			r = append(append([]rune{}, tw...), r[len(tw):]...)
		}
		out[i] = string(r)
		if q {
			out[i] = `"` + out[i]
		}
	}
	if keeps(typed, out) || tq {
		return out
	}
	var quoted, bare []string
	clash := false
	for i, x := range out {
		switch {
		case strings.HasPrefix(x, `"`):
			quoted = append(quoted, x)
		case keep[cands[i]]:
			clash = true
			bare = append(bare, x)
		default:
			quoted = append(quoted, `"`+strings.ReplaceAll(x, `"`, `\"`)+`"`)
			bare = append(bare, x)
		}
	}
	if !clash {
		return quoted
	}
	return bare
}

// caseFor chooses how the typed part of the candidates is written: as
// typed when it has a capital; else as most candidates write it (show s →
// "S…"), unless that is an abbreviation in capitals (show eu → "eu…",
// not "EUrope").
func caseFor(typed string, cands []string) string {
	if strings.ToLower(typed) != typed {
		return typed
	}
	n := len([]rune(typed))
	forms := map[string]int{}
	best := typed
	for _, x := range cands {
		r := []rune(strings.TrimPrefix(x, `"`))
		if len(r) < n {
			continue
		}
		f := string(r[:n])
		forms[f]++
		if forms[f] > forms[best] {
			best = f
		}
	}
	if n > 1 && strings.ToUpper(best) == best && len(forms) > 1 {
		return typed
	}
	return best
}

// keeps reports whether the candidates' common beginning (what liner
// inserts) holds the typed word, ignoring case and an added quote.
func keeps(typed string, cands []string) bool {
	p := commonPrefix(cands)
	if strings.HasPrefix(p, `"`) && !strings.HasPrefix(typed, `"`) {
		p = p[1:]
	}
	return len(p) >= len(typed) && strings.EqualFold(p[:len(typed)], typed)
}

// commonPrefix is the longest common beginning of strs, as liner finds it
// (byte by byte, then without a trailing partial rune).
func commonPrefix(strs []string) string {
	if len(strs) == 0 {
		return ""
	}
	p := strs[0]
	for _, s := range strs[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	for len(p) > 0 && !utf8.ValidString(p) {
		p = p[:len(p)-1]
	}
	return p
}

// statementKind is the first word of the statement text holds (show,
// path, match, …), in lower case; "compare" for compare path.
func statementKind(text string) string {
	t := syntax.NewLexer(text).Next()
	if t.Kind != syntax.Bare {
		return ""
	}
	k := strings.ToLower(t.Text)
	if k == "neighbours" {
		k = "neighbors"
	}
	return k
}

// isItem reports whether s is a whole item of the context: a name, or a
// relation kind.
func (c *completer) isItem(ctx completionContext, s string) bool {
	s = strings.Trim(s, `"`)
	switch ctx {
	case ctxEntity:
		return c.isName(s)
	case ctxKind:
		return c.isKind(s)
	case ctxEntityOrKind:
		return c.isName(s) || c.isKind(s)
	}
	return false
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
	ctxExpr                                  // the start of a where condition
	ctxNone                                  // a number, say: nothing to offer
)

// contextOf decides what may come after s, from its last tokens; kind is
// the statement's first word.
func contextOf(s, kind string) completionContext {
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
		case "show", "neighbors", "neighbours", "path", "paths", "why", "to":
			return ctxEntity
		case "and":
			if kind == "why" {
				return ctxEntity
			}
			return ctxExpr
		case "via":
			return ctxKind
		case "avoid":
			return ctxEntityOrKind
		case "where", "or", "not":
			return ctxExpr
		case "depth", "max", "limit", "skip":
			return ctxNone
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
	case last.Kind == syntax.Int && kind == "why":
		return ctxEntity
	}
	// After a name: the options of the statement.
	return ctxKeyword
}

var statementKeywords = []string{"show", "neighbors", "path", "paths", "why", "compare path", "match",
	"brokers between", "bridges", "rank by", "communities", "components"}

// The options each statement takes (each at most once), after a whole
// name or option.
var (
	neighborsOptions = []string{"depth", "via", "in", "out", "both", "where", "limit"}
	pathOptions      = []string{"to", "via", "max", "avoid", "directed", "including", "where", "limit"}
)

// keywordsAfter lists the keywords that may come next in statement text
// (of the given kind): the statement's options not used yet, and and/or
// after a where condition.
func keywordsAfter(kind, text string) []string {
	used := map[string]bool{}
	inWhere := false
	l := syntax.NewLexer(text)
	for {
		t := l.Next()
		if t.Kind == syntax.EOF {
			break
		}
		if t.Kind == syntax.Bare && syntax.IsKeyword(t.Text) {
			w := strings.ToLower(t.Text)
			used[w] = true
			switch w {
			case "where":
				inWhere = true
			case "via", "avoid", "depth", "max", "limit", "directed", "including", "return", "order", "skip", "in", "out", "both":
				if w != "in" || !inWhere {
					inWhere = false
				}
			}
		}
	}
	var opts []string
	switch kind {
	case "neighbors":
		opts = neighborsOptions
		if used["in"] || used["out"] || used["both"] {
			used["in"], used["out"], used["both"] = true, true, true
		}
	case "path", "paths", "compare":
		opts = pathOptions
	case "match":
		switch {
		case used["order"]:
			opts = []string{"asc", "desc", "skip", "limit"}
		case used["return"]:
			opts = []string{"as", "order by", "skip", "limit"}
		default:
			opts = []string{"where", "return"}
		}
	case "":
		return statementKeywords
	}
	var out []string
	if inWhere {
		out = append(out, "and", "or")
	}
	for _, o := range opts {
		if !used[strings.Fields(o)[0]] || o == "as" {
			out = append(out, o)
		}
	}
	return out
}

// candidates lists what may complete prefix in a context, matching from
// the start of each candidate, ignoring case; kind is the statement's
// first word and text the statement before the word.
func (c *completer) candidates(ctx completionContext, kind, text, prefix string) []string {
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
		pool = keywordsAfter(kind, text)
	case ctxExpr:
		pool = append([]string{"not", "rel.", "node."}, graph.QualifierNames()...)
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
			pool = append(pool, pictureOptions...)
			if strings.HasPrefix(arg, "layout=") {
				pool = nil
				for _, l := range export.Layouts {
					pool = append(pool, "layout="+l)
				}
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
