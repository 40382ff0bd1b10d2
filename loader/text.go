package loader

import (
	"fmt"
	"unicode/utf8"
)

// Every reader holds the text of its input to one rule: it is UTF-8, and
// it holds no control character but tab and the line endings (LF, CR) —
// no NUL or other C0 control, no DEL, no C1 control. A name or value
// breaking it is an error at its line and column, whatever the format.
// Escapes (\u0000 in N-Quads and JSON) are the data's own: they are
// written on purpose, and pass.

// controlChar reports whether r is a control character the rule refuses.
func controlChar(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f || r >= 0x80 && r <= 0x9f
}

// textError says what breaks the rule: invalid UTF-8 (r is
// utf8.RuneError), or a control character.
func textError(r rune) string {
	if r == utf8.RuneError {
		return "invalid UTF-8"
	}
	return fmt.Sprintf("control character %U is not allowed (of the control characters, only tab and line endings are)", r)
}

// badText returns the byte offset of the first character of b that breaks
// the rule, and what it is; ok is false when b keeps the rule. Without
// controls, only invalid UTF-8 breaks it: RDF 1.1 N-Quads allows any
// character in a literal, and --strict follows it to the letter.
func badText(b []byte, controls bool) (at int, msg string, ok bool) {
	for at < len(b) {
		if c := b[at]; c >= 0x20 && c < 0x7f { // the common case
			at++
			continue
		}
		r, n := utf8.DecodeRune(b[at:])
		if r == utf8.RuneError && n <= 1 || controls && controlChar(r) {
			return at, textError(r), true
		}
		at += n
	}
	return 0, "", false
}
