package loader_test

import (
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/loader"
)

// generated streams n records made by line, never holding the whole text.
func generated(head string, n int, line func(i int) string, tail string) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, head)
		for i := 0; i < n; i++ {
			if _, err := io.WriteString(pw, line(i)); err != nil {
				return
			}
		}
		io.WriteString(pw, tail)
		pw.Close()
	}()
	return pr
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// readFlat reads every quad and checks that the live heap stays flat: far
// below what the input would take if a reader held it.
func readFlat(t *testing.T, r quad.Reader, inputBytes int) {
	t.Helper()
	base := liveHeap()
	var peak uint64
	n := 0
	for {
		_, err := r.ReadQuad()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n%5000 == 0 {
			if h := liveHeap(); h > peak {
				peak = h
			}
		}
	}
	grew := int64(peak) - int64(base)
	t.Logf("%d quads from %d MB of input; live heap grew by %d KB at most", n, inputBytes>>20, grew>>10)
	if grew > int64(inputBytes/8) {
		t.Errorf("the live heap grew by %d MB reading %d MB: the reader holds its input", grew>>20, inputBytes>>20)
	}
}

// TestReadersStream: N-Quads and JSON-LD readers keep memory flat however
// long the input; a file's size costs time, not memory.
func TestReadersStream(t *testing.T) {
	if testing.Short() {
		t.Skip("reads tens of megabytes")
	}
	const note = "a literal long enough that holding the input would show: " +
		"the quick brown fox jumps over the lazy dog, again and again and again"
	t.Run("nquads", func(t *testing.T) {
		const n = 400_000
		line := func(i int) string {
			return fmt.Sprintf("<http://ex/n%d> <http://ex/p%d> \"%s %d\" <http://ex/g> .\n", i, i%7, note, i)
		}
		size := n * len(line(n/2))
		readFlat(t, loader.NewNQuadsReader(generated("", n, line, ""), "big.nq", nil), size)
	})
	t.Run("jsonld", func(t *testing.T) {
		const n = 40_000
		line := func(i int) string {
			sep := ","
			if i == 0 {
				sep = ""
			}
			return fmt.Sprintf(`%s{"@id": "http://ex/n%d", "p": "%s %d", "q": {"@id": "http://ex/n%d"}}`+"\n", sep, i, note, i, i+1)
		}
		size := n * len(line(n/2))
		head := `{"@context": {"@vocab": "http://ex/"}, "@graph": [` + "\n"
		readFlat(t, loader.NewJSONLDReader(generated(head, n, line, "]}\n"), "big.jsonld", 0), size)
	})
}
