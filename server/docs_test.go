package server

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// curlExample is a curl command of docs/explorer.md with the output the
// doc shows under it.
type curlExample struct {
	line int
	args []string
	want []string
}

// curlExamples finds the indented "$ curl …" lines of a doc.
func curlExamples(t *testing.T, path string) []curlExample {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out []curlExample
	for i := 0; i < len(lines); i++ {
		cmd, ok := strings.CutPrefix(lines[i], "    $ curl ")
		if !ok {
			continue
		}
		args, ok := words(cmd)
		if !ok {
			t.Fatalf("%s:%d: cannot read %q", path, i+1, cmd)
		}
		ex := curlExample{line: i + 1, args: args}
		for j := i + 1; j < len(lines) && strings.HasPrefix(lines[j], "    ") && !strings.HasPrefix(lines[j], "    $ "); j++ {
			ex.want = append(ex.want, strings.TrimPrefix(lines[j], "    "))
		}
		out = append(out, ex)
	}
	return out
}

// words splits bare words and single-quoted strings.
func words(s string) ([]string, bool) {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] == '\'' {
			j := strings.IndexByte(s[1:], '\'')
			if j < 0 {
				return nil, false
			}
			out = append(out, s[1:1+j])
			s = s[2+j:]
			continue
		}
		j := strings.IndexByte(s, ' ')
		if j < 0 {
			j = len(s)
		}
		out = append(out, s[:j])
		s = s[j:]
	}
	return out, true
}

// fits reports whether got fits want: a "…" line stands for any lines, a
// line ending in "…" for any line it begins.
func fits(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "…" {
		for k := 0; k <= len(got); k++ {
			if fits(want[1:], got[k:]) {
				return true
			}
		}
		return false
	}
	if len(got) == 0 {
		return false
	}
	if p, ok := strings.CutSuffix(want[0], "…"); ok {
		return strings.HasPrefix(got[0], p) && fits(want[1:], got[1:])
	}
	return want[0] == got[0] && fits(want[1:], got[1:])
}

// TestDocExamples runs the curl examples of docs/explorer.md against a
// server on the seed graph and compares their output with the doc's.
func TestDocExamples(t *testing.T) {
	ts := testServer(t, nil)
	exs := curlExamples(t, "../docs/explorer.md")
	if len(exs) < 8 {
		t.Fatalf("only %d curl examples in docs/explorer.md", len(exs))
	}
	for _, ex := range exs {
		method, body, url := "GET", "", ""
		hdr := http.Header{}
		for i := 0; i < len(ex.args); i++ {
			switch a := ex.args[i]; a {
			case "-s":
			case "-X":
				i++
				method = ex.args[i]
			case "-H":
				i++
				k, v, _ := strings.Cut(ex.args[i], ": ")
				hdr.Set(k, v)
			case "-d", "--data-binary":
				i++
				body = ex.args[i]
				if method == "GET" {
					method = "POST"
				}
			default:
				url = strings.Replace(a, "http://localhost:7474", ts.URL, 1)
			}
		}
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			t.Fatalf("explorer.md:%d: %v", ex.line, err)
		}
		req.Header = hdr
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("explorer.md:%d: %v", ex.line, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		if !fits(ex.want, got) {
			t.Errorf("docs/explorer.md:%d: the doc shows\n%s\nthe server answers\n%s", ex.line, strings.Join(ex.want, "\n"), strings.Join(got, "\n"))
		}
	}
}
