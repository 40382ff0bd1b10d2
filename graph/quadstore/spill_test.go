package quadstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
)

// TestRunsLeftByCrash: the runs of a bulk load a crash interrupted are no
// reason to call the directory foreign; a read-only open leaves them, the
// next writable open removes them and says so.
func TestRunsLeftByCrash(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddQuads([]quad.Quad{quad.Make("a", "b", "c", nil)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	runs := filepath.Join(dir, runsDirName)
	if err := os.MkdirAll(runs, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(runs, "S000000.run"), make([]byte, 3*runRecord), 0o644); err != nil {
		t.Fatal(err)
	}
	if kind, foreign, err := Classify(dir); err != nil || kind != DirStore {
		t.Fatalf("classified as %v (%v), %v", kind, foreign, err)
	}
	ro, err := Open(dir, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ro.Close()
	s, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(runs); !os.IsNotExist(err) {
		t.Errorf("the runs are still there: %v", err)
	}
	if !strings.Contains(strings.Join(s.Notes(), "\n"), "sorted runs") {
		t.Errorf("notes %q say nothing of the runs", s.Notes())
	}
	m := model{}
	m.add(quad.Make("a", "b", "c", nil))
	verify(t, s, m)
}

// TestSpillOutOfSpace: a bulk load whose runs find the disk full fails
// with ErrNoSpace before it has read all its input, and leaves the store
// empty and no runs behind.
func TestSpillOutOfSpace(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var in []quad.Quad
	for i := 0; i < 200000; i++ {
		in = append(in, quad.Make(fmt.Sprintf("n%d", i), "follows", fmt.Sprintf("n%d", i/2), nil))
	}
	// Room for what opening needs, not for a second run.
	spills := 0
	s.freeSpace = func(string) (int64, bool) {
		spills++
		if spills > 1 {
			return spaceMargin, true
		}
		return 1 << 40, true
	}
	r := &sliceReader{qs: in, failAt: -1}
	_, err = s.Load(context.Background(), r, &LoadOptions{SpillAt: 1000})
	if !errors.Is(err, ErrNoSpace) {
		t.Fatalf("load: %v, want ErrNoSpace", err)
	}
	if r.i == len(in) {
		t.Errorf("the load read all its input after a run failed")
	}
	s.freeSpace = nil
	verify(t, s, model{})
	if _, err := os.Stat(filepath.Join(dir, runsDirName)); !os.IsNotExist(err) {
		t.Errorf("the runs are still there: %v", err)
	}
}

// TestBulkValuesCap: once the bulk path holds BulkValues values it stops
// taking quads, writes what it took (sorted in memory or from runs) and
// hands the rest to transactions; the store is the same either way.
func TestBulkValuesCap(t *testing.T) {
	var in []quad.Quad
	for i := 0; i < 15000; i++ {
		in = append(in,
			quad.Make(fmt.Sprintf("n%d", i), "follows", fmt.Sprintf("n%d", i/3), nil),
			quad.Make(fmt.Sprintf("n%d", i), "name", quad.String(fmt.Sprintf("Node %d", i)), fmt.Sprintf("g%d", i%4)),
		)
	}
	in = append(in, in[:5000]...)
	m := model{}
	m.add(in...)
	for _, spillAt := range []int{0, 3000} {
		t.Run(fmt.Sprint("spill at ", spillAt), func(t *testing.T) {
			s, err := Open(t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var batches int64
			res, err := s.Load(context.Background(), &sliceReader{qs: in, failAt: -1}, &LoadOptions{
				BulkValues: 5000, SpillAt: spillAt,
				Progress: func(p LoadProgress) { batches = max(batches, p.Batches) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Bulk || batches < 2 {
				t.Fatalf("bulk %v, %d batches: the cap did not hand the rest to transactions", res.Bulk, batches)
			}
			if res.Read != int64(len(in)) || res.Added != int64(len(m)) {
				t.Fatalf("result %+v, want %d read, %d added", res, len(in), len(m))
			}
			verify(t, s, m)
		})
	}
}
