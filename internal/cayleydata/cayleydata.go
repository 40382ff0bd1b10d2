// Package cayleydata finds the data sets that ship inside the Cayley module
// (the 30k-movie graph, the small test graph) and lays them out the way
// Cayley's own test suites expect. It is for tests and benchmarks: nothing
// is copied into the repository and nothing is downloaded.
package cayleydata

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
)

const modulePath = "github.com/cayleygraph/cayley"

var (
	once   sync.Once
	dir    string
	dirErr error
)

// ModuleDir returns the directory of the Cayley module in the module cache.
func ModuleDir() (string, error) {
	once.Do(func() { dir, dirErr = moduleDir() })
	return dir, dirErr
}

func moduleDir() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", modulePath).Output()
	if err == nil {
		if d := strings.TrimSpace(string(out)); d != "" {
			return d, nil
		}
	}
	// Without the go command, derive the path from the build information.
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", errors.New("cayleydata: no go command and no build information")
	}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		home, _ := os.UserHomeDir()
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			gopath = filepath.Join(home, "go")
		}
		cache = filepath.Join(strings.Split(gopath, string(os.PathListSeparator))[0], "pkg", "mod")
	}
	for _, m := range bi.Deps {
		if m.Path == modulePath {
			d := filepath.Join(cache, modulePath+"@"+m.Version)
			if _, err := os.Stat(d); err == nil {
				return d, nil
			}
		}
	}
	return "", fmt.Errorf("cayleydata: cannot find %s (go list: %v)", modulePath, err)
}

// Movies returns the path of Cayley's 30k-movie data set (N-Quads, gzip).
func Movies() (string, error) { return file("30kmoviedata.nq.gz") }

// TestData returns the path of Cayley's small test graph (N-Quads).
func TestData() (string, error) { return file("testdata.nq") }

func file(name string) (string, error) {
	d, err := ModuleDir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(d, "data", name)
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}

// SuiteDir builds, under root, the tree Cayley's suites look for — data/
// holding links to the module's data files — and returns root/a/b, the
// directory a test must work in: the suites look for data/testdata.nq in
// parent directories and for ../../data/30kmoviedata.nq.gz.
func SuiteDir(root string) (string, error) {
	d, err := ModuleDir()
	if err != nil {
		return "", err
	}
	data := filepath.Join(root, "data")
	work := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return "", err
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return "", err
	}
	for _, name := range []string{"testdata.nq", "30kmoviedata.nq.gz"} {
		if err := os.Symlink(filepath.Join(d, "data", name), filepath.Join(data, name)); err != nil && !os.IsExist(err) {
			return "", err
		}
	}
	return work, nil
}
