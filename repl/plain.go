package repl

import (
	"bufio"
	"io"
	"strings"
)

// Lines is a LineReader over plain input — a script on standard input, or
// a test — with no editing: Prompt writes the prompt (if any) and reads
// the next line.
type Lines struct {
	sc  *bufio.Scanner
	out io.Writer
}

// NewLines reads lines from r, writing prompts to out (nil: none).
func NewLines(r io.Reader, out io.Writer) *Lines {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	return &Lines{sc: sc, out: out}
}

// Prompt implements LineReader.
func (l *Lines) Prompt(prompt string) (string, error) {
	if l.out != nil && prompt != "" {
		io.WriteString(l.out, prompt)
	}
	if !l.sc.Scan() {
		if err := l.sc.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
	return strings.TrimRight(l.sc.Text(), "\r"), nil
}

// AppendHistory implements LineReader; plain input keeps no history.
func (l *Lines) AppendHistory(string) {}

// SetCompleter implements LineReader; plain input does not complete.
func (l *Lines) SetCompleter(func(string, int) (string, []string, string)) {}

// Close implements LineReader.
func (l *Lines) Close() error { return nil }

func splitLines(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") }
