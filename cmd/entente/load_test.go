package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSmallFiles: a load opens the store for small writes only for plain
// files it can size in advance, smallInput bytes or less in all.
func TestSmallFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fact := []byte("<a> <b> <c> .\n")
	one := write("one.nq", fact)
	half := write("half.nq", bytes.Repeat([]byte("x"), smallInput/2))
	big := write("big.nq", bytes.Repeat([]byte("x"), smallInput+1))
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(fact)
	zw.Close()
	gz := write("fact.nq", z.Bytes()) // compressed, whatever its name says

	for _, c := range []struct {
		files []string
		want  bool
	}{
		{[]string{one}, true},
		{[]string{one, half}, true},
		{[]string{half, half, one}, false}, // over the limit in all
		{[]string{big}, false},
		{[]string{gz}, false},
		{[]string{one, "-"}, false},
		{[]string{filepath.Join(dir, "missing.nq")}, false},
		{[]string{dir}, false},
	} {
		if got := smallFiles(c.files); got != c.want {
			t.Errorf("smallFiles(%s) = %v, want %v", strings.ReplaceAll(strings.Join(c.files, " "), dir+string(filepath.Separator), ""), got, c.want)
		}
	}
}
