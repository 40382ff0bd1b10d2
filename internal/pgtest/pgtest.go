// Package pgtest runs a throwaway PostgreSQL cluster for tests: initdb in
// a temporary directory, a free loopback port, pg_ctl start, and on Stop
// the server stopped and the directory removed. A test package starts one
// from TestMain (Main) and each test takes a fresh database of it (DB).
//
// Where PostgreSQL's server programs are not installed the tests that
// need it skip, saying so — unless ENTENTE_REQUIRE_POSTGRES is set (CI
// sets it once it has installed PostgreSQL), when they fail instead.
//
// The programs are found in $ENTENTE_PG_BIN, else the directory
// `pg_config --bindir` names, else Debian's /usr/lib/postgresql/N/bin
// (the newest N), else on $PATH. Run as root, the cluster is made and run
// as the postgres user, as initdb requires.
package pgtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Server is a running throwaway cluster.
type Server struct {
	Dir  string // the cluster's directory (data, socket, log)
	Port int
	bin  string
	as   []string // the command prefix that runs a program as the cluster's owner
	n    atomic.Int64
}

var (
	server  *Server
	why     string // why there is no server
	require = os.Getenv("ENTENTE_REQUIRE_POSTGRES") != ""
)

// Main starts a cluster, runs the package's tests and stops it: call it
// from TestMain as os.Exit(pgtest.Main(m)). The tests run whether or not
// a cluster could be started; those that need it call DB or Require.
func Main(m *testing.M) int {
	s, err := Start()
	if err != nil {
		why = err.Error()
	} else {
		server = s
		defer s.Stop()
	}
	return m.Run()
}

// Require returns the package's cluster, or skips the test (fails it
// under ENTENTE_REQUIRE_POSTGRES) when there is none.
func Require(t testing.TB) *Server {
	t.Helper()
	if server == nil {
		msg := "PostgreSQL is not available, so this test of the PostgreSQL store does not run: " + why
		if why == "" {
			msg = "PostgreSQL is not available: the package's TestMain does not call pgtest.Main"
		}
		if require {
			t.Fatal(msg + " (ENTENTE_REQUIRE_POSTGRES is set)")
		}
		t.Skip(msg + " (install PostgreSQL's server, e.g. Debian's postgresql, to run it)")
	}
	return server
}

// DB creates a fresh, empty database on the package's cluster and returns
// its address; it skips the test as Require does.
func DB(t testing.TB) string {
	t.Helper()
	s := Require(t)
	url, err := s.CreateDB()
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// CreateDB creates a fresh database and returns its address.
func (s *Server) CreateDB() (string, error) {
	name := fmt.Sprintf("t%d", s.n.Add(1))
	if out, err := s.run("psql", "-h", s.Dir, "-p", strconv.Itoa(s.Port), "-U", "postgres", "-d", "postgres",
		"-v", "ON_ERROR_STOP=1", "-qc", "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database: %v: %s", err, out)
	}
	return s.URL(name), nil
}

// DropDB drops a database CreateDB made, given its address.
func (s *Server) DropDB(url string) error {
	name := url[strings.LastIndex(url, "/")+1:]
	name, _, _ = strings.Cut(name, "?")
	if out, err := s.run("psql", "-h", s.Dir, "-p", strconv.Itoa(s.Port), "-U", "postgres", "-d", "postgres",
		"-v", "ON_ERROR_STOP=1", "-qc", "DROP DATABASE "+name); err != nil {
		return fmt.Errorf("drop database: %v: %s", err, out)
	}
	return nil
}

// URL is the address of database name on the cluster.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, name)
}

// Bin returns the path of one of PostgreSQL's programs.
func (s *Server) Bin(name string) string { return filepath.Join(s.bin, name) }

// Run runs one of PostgreSQL's programs as the cluster's owner.
func (s *Server) Run(name string, args ...string) ([]byte, error) { return s.run(name, args...) }

func (s *Server) run(name string, args ...string) ([]byte, error) {
	argv := append(append(append([]string(nil), s.as...), s.Bin(name)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

func findBin() (string, error) {
	if d := os.Getenv("ENTENTE_PG_BIN"); d != "" {
		return d, nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(ms) > 0 {
		sort.Slice(ms, func(i, j int) bool {
			vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(ms[i]))))
			vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(ms[j]))))
			return vi < vj
		})
		return filepath.Dir(ms[len(ms)-1]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no initdb found (not in $ENTENTE_PG_BIN, pg_config --bindir, /usr/lib/postgresql/*/bin or $PATH)")
}

// Settings are the test clusters' (a test's data need not survive a crash of
// the machine).
const Settings = "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c wal_level=replica -c max_wal_senders=4"

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start makes and starts a cluster with the tests' settings (Settings).
func Start() (*Server, error) { return StartWith(Settings) }

// StartWith makes and starts a cluster with the given server options
// (postgres -c NAME=VALUE …), which must keep it on the loopback
// interface (listen_addresses=127.0.0.1).
func StartWith(settings string) (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "entente-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{Dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, errors.New("running as root, and there is no postgres user to run the cluster as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			os.RemoveAll(dir)
			return nil, errors.New("running as root, and there is no runuser to run the cluster as postgres")
		}
		s.as = []string{runuser, "-u", "postgres", "--"}
	}
	data := filepath.Join(dir, "data")
	if out, err := s.run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, lastLines(out))
	}
	for try := 0; ; try++ {
		if s.Port, err = freePort(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		opts := fmt.Sprintf("-p %d -k %s %s", s.Port, dir, settings)
		out, err := s.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start")
		if err == nil {
			break
		}
		if try == 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			os.RemoveAll(dir)
			return nil, fmt.Errorf("pg_ctl start: %v: %s %s", err, lastLines(out), lastLines(log))
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.watch()
	return s, nil
}

// Stop stops the cluster and removes its directory.
func (s *Server) Stop() {
	s.run("pg_ctl", "-D", filepath.Join(s.Dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(s.Dir)
}

// watch starts a watchdog, in a session of its own, that stops the
// cluster and removes its directory once the test process has gone,
// however it went (a panic, a timeout, kill -9), so that no cluster
// outlives its tests. After Stop it finds nothing left to do.
func (s *Server) watch() {
	q := func(x string) string { return "'" + strings.ReplaceAll(x, "'", `'\''`) + "'" }
	stop := ""
	for _, a := range append(append([]string(nil), s.as...), s.Bin("pg_ctl"), "-D", filepath.Join(s.Dir, "data"), "-m", "immediate", "stop") {
		stop += q(a) + " "
	}
	script := fmt.Sprintf("while kill -0 %d 2>/dev/null; do sleep 1; done; if [ -d %s ]; then %s >/dev/null 2>&1; rm -rf %s; fi",
		os.Getpid(), q(s.Dir), stop, q(s.Dir))
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = ownSession()
	if cmd.Start() == nil {
		go cmd.Wait() // reaped if the tests outlive it
	}
}

func lastLines(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " / ")
}

// Replica makes a streaming replica of the cluster with pg_basebackup
// (-R: it follows the primary) and starts it on another free port. Stop
// it before the primary.
func (s *Server) Replica() (*Server, error) {
	dir, err := os.MkdirTemp("", "entente-pg-replica-")
	if err != nil {
		return nil, err
	}
	r := &Server{Dir: dir, bin: s.bin, as: s.as}
	if len(s.as) > 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := r.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-U", "postgres",
		"-D", data, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_basebackup: %v: %s", err, lastLines(out))
	}
	if r.Port, err = freePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// A hot standby needs settings no lower than its primary's.
	opts := fmt.Sprintf("-p %d -k %s %s -c hot_standby=on", r.Port, dir, Settings)
	if out, err := r.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start (replica): %v: %s %s", err, lastLines(out), lastLines(log))
	}
	r.watch()
	return r, nil
}
