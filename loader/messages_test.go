package loader_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/entente-kg/entente/loader"
)

// TestMessages pins messages that once said too little: a JSON-LD number
// out of range, a directory given as a file, a name that looks like the
// one it is told to mean.
func TestMessages(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"big.jsonld", "[{\"@id\": \"http://ex/a\", \"http://ex/p\": 1},\n {\"@id\": \"http://ex/b\", \"http://ex/p\": 1e400}]",
			"big.jsonld:2:40: number 1e400 is out of range (a JSON-LD number must fit a 64-bit float)"},
		{"top.jsonld", `{"@id": "http://ex/a", "http://ex/p": -1e400, "http://ex/q": 2}`,
			"top.jsonld:1:39: number -1e400 is out of range (a JSON-LD number must fit a 64-bit float)"},
		{"lookalike.csv", "subject,relation,object,source,locator,note\nJ\u0430pan,partner,ROK,ecfr-2024,¶1,A note.\n",
			`lookalike.csv:2:1: unknown subject "Jаpan" (did you mean Japan? "Jаpan" has U+0430 CYRILLIC SMALL LETTER A at column 2 where "Japan" has "a")`},
		{"lookalike.seed", seedPrelude + "j\u0430pan -partner-> australia" + ev,
			`lookalike.seed:14:1: unknown entity "jаpan" (did you mean japan? "jаpan" has U+0430 CYRILLIC SMALL LETTER A at column 2 where "japan" has "a")`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, c.name, c.src)
			_, err := loader.Load(t.Context(), openSeeded(t), []string{path}, nil)
			if got := errText(err, path); got != c.want {
				t.Errorf("error\n got %s\nwant %s", got, c.want)
			}
		})
	}
	dir := filepath.Dir(writeFile(t, "a.nq", ""))
	_, err := loader.Load(t.Context(), openMem(t), []string{dir}, nil)
	if got, want := errText(err, ""), dir+": is a directory, not a file: give the files in it"; got != want {
		t.Errorf("error\n got %s\nwant %s", got, want)
	}
	if !errors.Is(err, loader.ErrInvalid) {
		t.Errorf("error %v is not ErrInvalid", err)
	}
}
