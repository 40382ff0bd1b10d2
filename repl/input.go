package repl

import (
	"strings"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/query/syntax"
)

// This file decides where statements end.
//
// On a terminal a line that holds a whole statement runs when Enter is
// pressed; a line that leaves it unfinished (path Japan to) asks for
// more, and so does a line ending with a backslash. A line that can only
// continue a statement (where …, .Out(…)) right after one ran is an error
// that offers the two lines as one statement.
//
// In a script the shell reads one line ahead: a whole statement waits for
// the next line, and runs unless that line continues it — a line that
// cannot start a statement: one starting with a keyword no statement
// starts with (to, where, via, avoid, return, order, limit, depth, …),
// with punctuation, or with a name (path Japan to South / Korea), but not
// with what looks like a misspelt statement word; in Gizmo, a line
// starting with ".". So a line break before a ";" is a space, except
// before a line that starts a statement (show, path, …) or a colon
// command. A blank line ends a whole statement, unless the script ends
// its statements with ";" (some line has ended with one).

// statementWords are the words a statement starts with.
var statementWords = map[string]bool{
	"show": true, "neighbors": true, "neighbours": true, "path": true, "paths": true,
	"why": true, "compare": true, "match": true,
	"brokers": true, "bridges": true, "rank": true, "communities": true, "components": true,
	"search": true, "history": true, "changes": true,
}

// isComment reports whether a line (trimmed) is a comment.
func isComment(line string) bool {
	return strings.HasPrefix(line, "//") || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-- ") || line == "--"
}

// firstToken is the first EQL token of a line.
func firstToken(line string) syntax.Token { return syntax.NewLexer(line).Next() }

// startsStatement reports whether an EQL line starts with a statement word.
func startsStatement(line string) bool {
	t := firstToken(line)
	return t.Kind == syntax.Bare && statementWords[strings.ToLower(t.Text)]
}

// continuesStatement reports whether a line (trimmed) can only continue a
// statement: in EQL it starts with a keyword that cannot start one (to,
// where, via, return, order, …), with punctuation or with a number; in
// Gizmo it starts with ".".
func (s *session) continuesStatement(line string) bool {
	if s.lang == "gizmo" {
		return strings.HasPrefix(line, ".")
	}
	t := firstToken(line)
	switch t.Kind {
	case syntax.EOF, syntax.String, syntax.IRI, syntax.Illegal, syntax.Semi:
		return false
	case syntax.Bare:
		return syntax.IsKeyword(t.Text) && !statementWords[strings.ToLower(t.Text)]
	}
	return true
}

// shellWords are the words other shells leave with or ask help with,
// typed without a colon: psql's and sqlite3's quit, exit, help, \q, \?
// and \x (expanded display). Each is the colon command it names.
var shellWords = map[string]string{
	"quit": ":quit", "exit": ":quit", `\q`: ":quit", "help": ":help", `\?`: ":help", `\h`: ":help", `\x`: ":expanded",
}

// shellWord returns the colon command a line (trimmed) stands for when it
// is one of the shellWords, with its arguments (help path, \x on).
func shellWord(line string) (string, bool) {
	fields := strings.Fields(strings.TrimSuffix(line, ";"))
	if len(fields) == 0 {
		return "", false
	}
	cmd, ok := shellWords[strings.ToLower(fields[0])]
	if !ok || (len(fields) > 1 && cmd == ":quit") {
		return "", false
	}
	return strings.Join(append([]string{cmd}, fields[1:]...), " "), true
}

// startsAfresh reports whether a line (trimmed) typed after an
// unfinished statement starts something new — a colon command, a shell
// word, or (in EQL) a statement word — so that the unfinished statement
// fails alone instead of swallowing it. After "compare" a path statement
// continues it.
func (s *session) startsAfresh(line string, before []string) bool {
	if strings.HasPrefix(line, ":") {
		return true
	}
	if _, ok := shellWord(line); ok {
		return true
	}
	if s.lang == "gizmo" || !startsStatement(line) {
		return false
	}
	prev := strings.Fields(strings.Join(before, " "))
	return len(prev) == 0 || !strings.EqualFold(prev[len(prev)-1], "compare")
}

// lineAction is what a script does with the line after a whole statement.
type lineAction int

const (
	endStatement lineAction = iota // run the statement; the line starts afresh
	continueLine                   // the line continues the statement
	skipLine                       // a comment: read on
)

// statementList lists statementWords, for suggestions.
var statementList = []string{"show", "neighbors", "neighbours", "path", "paths", "why", "compare", "match",
	"brokers", "bridges", "rank", "communities", "components", "search", "history", "changes"}

// afterWhole decides what the line (trimmed) after a whole statement does
// to it in a script (semis: the script ends its statements with ";"). A
// line that cannot start a statement continues it — unless it starts with
// a misspelt statement word (shw Japan), which is better reported as one.
// A blank line ends it, except in a script that ends its statements with
// ";".
func (s *session) afterWhole(line string, semis bool) lineAction {
	switch {
	case line == "":
		if semis && s.lang != "gizmo" {
			return continueLine
		}
		return endStatement
	case strings.HasPrefix(line, ":"):
		return endStatement
	case isComment(line):
		return skipLine
	}
	if _, ok := shellWord(line); ok {
		return endStatement
	}
	switch {
	case s.lang == "gizmo":
		if strings.HasPrefix(line, ".") {
			return continueLine
		}
		return endStatement
	}
	t := firstToken(line)
	if t.Kind == syntax.Bare && !syntax.IsKeyword(t.Text) && len(graph.Suggest(t.Text, statementList)) > 0 {
		return endStatement
	}
	if startsStatement(line) {
		return endStatement
	}
	return continueLine
}

// split splits text into the statements ended by ";" and the rest after
// the last one. EQL is split at its ";" tokens outside brackets (so not
// in strings, IRIs or comments); a Gizmo program is JavaScript, whose ";"
// separate the statements of one program, so it is not split.
func (s *session) split(text string) (stmts []string, rest string) {
	if s.lang == "gizmo" {
		return nil, text
	}
	return splitStatements(text)
}

// splitStatements splits EQL text at the semicolons outside brackets.
func splitStatements(text string) (stmts []string, rest string) {
	l := syntax.NewLexer(text)
	depth, start := 0, 0
	for {
		t := l.Next()
		switch t.Kind {
		case syntax.EOF:
			return stmts, text[start:]
		case syntax.LParen, syntax.LBrack, syntax.LBrace:
			depth++
		case syntax.RParen, syntax.RBrack, syntax.RBrace:
			depth--
		case syntax.Semi:
			if depth <= 0 {
				off := byteOffset(text, t.Pos)
				stmts = append(stmts, text[start:off])
				start = off + 1
			}
		}
	}
}

// empty reports whether text holds no statement: only spaces, or in EQL
// only comments.
func (s *session) empty(text string) bool {
	if s.lang == "gizmo" {
		return strings.TrimSpace(text) == ""
	}
	return firstToken(text).Kind == syntax.EOF
}

// whole reports whether text is a whole statement (not the start of one):
// EQL by its grammar, Gizmo by balanced brackets and quotes. An EQL string
// cannot run over lines, so one left open is a whole (wrong) statement,
// reported at once rather than waiting for a quote that cannot come.
func (s *session) whole(text string) bool {
	if strings.TrimSpace(text) == "" {
		return true
	}
	if s.lang == "gizmo" {
		return balanced(text)
	}
	l := syntax.NewLexer(text)
	for l.Next().Kind != syntax.EOF {
	}
	if e := l.Err(); e != nil && strings.Contains(e.Msg, "unterminated") {
		return true
	}
	return syntax.Complete(text)
}

// backslash reports whether line ends with a backslash that asks for the
// next line (outside a string), and returns the line without it.
func (s *session) backslash(before []string, line string) (string, bool) {
	t := strings.TrimRight(line, " \t")
	if !strings.HasSuffix(t, `\`) {
		return line, false
	}
	body := strings.TrimSuffix(t, `\`)
	if s.lang == "gizmo" {
		if quoteOpen(strings.Join(append(before, body), "\n")) {
			return line, false
		}
		return body, true
	}
	// EQL strings end on their line: only this line can hold the quote.
	l := syntax.NewLexer(t)
	for l.Next().Kind != syntax.EOF {
	}
	if e := l.Err(); e != nil && strings.Contains(e.Msg, "unterminated") {
		return line, false
	}
	return body, true
}

// joinLines joins a statement that ran and the line that continues it,
// as one line.
func (s *session) joinLines(prev, line string) string {
	prev = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(prev), ";"))
	if s.lang == "gizmo" {
		return prev + strings.TrimSpace(line)
	}
	return strings.Join(strings.Fields(prev+" "+line), " ")
}

// balanced reports whether brackets, quotes and block comments are
// closed (for Gizmo).
func balanced(text string) bool {
	depth, quote, comment := scanJS(text)
	return depth <= 0 && quote == 0 && !comment
}

// quoteOpen reports whether JavaScript text ends inside a string.
func quoteOpen(text string) bool {
	_, quote, _ := scanJS(text)
	return quote != 0
}

// scanJS follows JavaScript text far enough to tell where it ends: the
// bracket depth, the quote of a string left open, and whether a block
// comment is left open. Comments are skipped, so that an apostrophe in
// "// Japan's node" opens nothing.
func scanJS(text string) (depth int, quote rune, blockComment bool) {
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		next := rune(0)
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case blockComment:
			if r == '*' && next == '/' {
				blockComment = false
				i++
			}
		case quote != 0:
			if r == '\\' {
				i++
			} else if r == quote || (r == '\n' && quote != '`') {
				quote = 0
			}
		case r == '/' && next == '/':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case r == '/' && next == '*':
			blockComment = true
			i++
		case r == '"' || r == '\'' || r == '`':
			quote = r
		case r == '(' || r == '[' || r == '{':
			depth++
		case r == ')' || r == ']' || r == '}':
			depth--
		}
	}
	return depth, quote, blockComment
}
