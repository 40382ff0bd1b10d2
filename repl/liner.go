package repl

import (
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/peterh/liner"
)

// Terminal is a LineReader on a terminal, with line editing, history and
// completion, through peterh/liner. This is the only file that knows
// liner.
type Terminal struct {
	st          *liner.State
	historyPath string
}

// NewTerminal starts line editing on the terminal. historyPath, if not
// empty, is read now and written back (with this session's lines) by
// Close.
func NewTerminal(historyPath string) *Terminal {
	st := liner.NewLiner()
	st.SetCtrlCAborts(true)
	st.SetTabCompletionStyle(liner.TabPrints)
	st.SetMultiLineMode(true)
	t := &Terminal{st: st, historyPath: historyPath}
	if historyPath != "" {
		if f, err := os.Open(historyPath); err == nil {
			st.ReadHistory(f)
			f.Close()
		}
	}
	return t
}

// Prompt implements LineReader.
func (t *Terminal) Prompt(prompt string) (string, error) {
	line, err := t.st.Prompt(prompt)
	switch {
	case errors.Is(err, liner.ErrPromptAborted):
		return "", ErrInterrupt
	case errors.Is(err, io.EOF):
		return "", io.EOF
	}
	return line, err
}

// PromptWithText implements Prefiller: the line starts with text typed,
// the cursor at its end.
func (t *Terminal) PromptWithText(prompt, text string) (string, error) {
	line, err := t.st.PromptWithSuggestion(prompt, text, -1)
	switch {
	case errors.Is(err, liner.ErrPromptAborted):
		return "", ErrInterrupt
	case errors.Is(err, io.EOF):
		return "", io.EOF
	}
	return line, err
}

// AppendHistory implements LineReader.
func (t *Terminal) AppendHistory(line string) { t.st.AppendHistory(line) }

// SetCompleter implements LineReader.
func (t *Terminal) SetCompleter(f func(line string, pos int) (string, []string, string)) {
	t.st.SetWordCompleter(f)
}

// History returns the lines of the history file.
func (t *Terminal) History() []string {
	var out []string
	if t.historyPath == "" {
		return nil
	}
	data, err := os.ReadFile(t.historyPath)
	if err != nil {
		return nil
	}
	for _, l := range splitLines(string(data)) {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Close restores the terminal and saves the history.
func (t *Terminal) Close() error {
	var err error
	if t.historyPath != "" {
		if err = os.MkdirAll(filepath.Dir(t.historyPath), 0o700); err == nil {
			var f *os.File
			if f, err = os.OpenFile(t.historyPath, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600); err == nil {
				_, err = t.st.WriteHistory(f)
				f.Close()
			}
		}
	}
	if cerr := t.st.Close(); err == nil {
		err = cerr
	}
	return err
}
