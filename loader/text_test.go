package loader_test

import (
	"errors"
	"testing"

	"github.com/entente-kg/entente/loader"
)

// TestTextRule checks the one rule every reader holds its text to:
// UTF-8, and no control character but tab and line endings — at the
// character's line and column, in each format.
func TestTextRule(t *testing.T) {
	const csvHead = "subject,relation,object,source,locator,note\n"
	const nul = "control character U+0000 is not allowed (of the control characters, only tab and line endings are)"
	for _, c := range []struct{ name, src, want string }{
		{"nul.nq", "<http://ex/a> <http://ex/p> \"a\x00b\" .\n", "nul.nq:1:31: " + nul},
		{"utf8.nq", "<http://ex/a> <http://ex/p> \"Zü\xffrich\" .\n", "utf8.nq:1:32: invalid UTF-8"},
		{"del.nq", "<http://ex/a> <http://ex/p> \"a\x7f\" .\n", "del.nq:1:31: control character U+007F is not allowed (of the control characters, only tab and line endings are)"},
		{"nul.seed", seedPrelude + "entity korea Country \"Ko\x00rea\"\n", "nul.seed:14:25: " + nul},
		{"c1.seed", seedPrelude + "entity korea Country \"Korea\"\n  alias: RO\u0085K\n", "c1.seed:15:12: control character U+0085 is not allowed (of the control characters, only tab and line endings are)"},
		{"utf8.csv", csvHead + "Tokyo,partner,R\xc3OK,ecfr-2024,¶1,A note.\n", "utf8.csv:2:16: invalid UTF-8"},
		{"nul.csv", csvHead + "Tokyo,partner,ROK,ecfr-2024,¶1,A n\x00ote.\n", "nul.csv:2:35: " + nul},
		{"quoted.csv", csvHead + "Tokyo,partner,ROK,ecfr-2024,¶1,\"A note\non two \x01lines.\"\n", "quoted.csv:3:8: control character U+0001 is not allowed (of the control characters, only tab and line endings are)"},
		{"header.csv", "subject,relation,object,source,locator,no\x00te\n", "header.csv:1:42: " + nul},
		{"utf8.jsonld", "{\"@id\": \"http://ex/a\",\n \"http://ex/p\": \"Z\xfcrich\"}", "utf8.jsonld:2:19: invalid UTF-8"},
		{"cut.jsonld", "{\"@id\": \"http://ex/a\", \"http://ex/p\": \"Zürich\xe2\x82", "cut.jsonld:1:46: invalid UTF-8"},
		{"c1.jsonld", "[{\"@id\": \"http://ex/a\", \"http://ex/p\": \"a\u009fb\"}]", "c1.jsonld:1:42: control character U+009F is not allowed (of the control characters, only tab and line endings are)"},
		{"nul.jsonld", "[{\"@id\": \"http://ex/a\", \"http://ex/p\": \"a\x00b\"}]", "nul.jsonld:1:42: " + nul},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, c.name, c.src)
			_, err := loader.Load(t.Context(), openSeeded(t), []string{path}, nil)
			if got := errText(err, path); got != c.want {
				t.Errorf("error\n got %s\nwant %s", got, c.want)
			}
			if !errors.Is(err, loader.ErrSyntax) {
				t.Errorf("error %v is not ErrSyntax", err)
			}
		})
	}
}

// TestTextRuleAllows checks what the rule lets through: tabs where the
// format has them, characters beyond ASCII, and escapes, which are the
// data's own.
func TestTextRuleAllows(t *testing.T) {
	for _, c := range []struct{ name, src string }{
		{"tab.csv", "subject,relation,object,source,locator,note\nTokyo,partner,ROK,ecfr-2024,¶1,\"A\tnote, Zürich.\"\n"},
		{"escape.nq", "<http://ex/a>\t<http://ex/p> \"a\\u0000b\\n\" .\n"},
		{"escape.jsonld", `{"@id": "http://ex/a", "http://ex/p": "a\u0000b\n東京"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := load(t, openSeeded(t), c.name, c.src, nil); err != nil {
				t.Error(err)
			}
		})
	}
	// --strict reads N-Quads to the letter of RDF 1.1, which allows any
	// character in a literal.
	if _, err := load(t, openMem(t), "raw.nq", "<http://ex/a> <http://ex/p> \"a\x00b\" .\n", &loader.Options{Strict: true}); err != nil {
		t.Errorf("strict: %v", err)
	}
}
