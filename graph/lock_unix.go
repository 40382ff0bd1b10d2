//go:build unix

package graph

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// lockFile is the file a store's directory lock is taken on. A writer holds
// it exclusively and writes its process id into it; readers share it.
const lockFile = "entente.lock"

type dirLock struct{ f *os.File }

// lockDir takes the directory lock without waiting: exclusive for a
// writer, shared for a reader.
func lockDir(dir string, readOnly bool) (*dirLock, error) {
	path := filepath.Join(dir, lockFile)
	flag := os.O_RDWR | os.O_CREATE
	if readOnly {
		flag = os.O_RDONLY
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if readOnly && errors.Is(err, os.ErrNotExist) {
		// A store made by an older build or by hand: nothing to share.
		return &dirLock{}, nil
	}
	if err != nil {
		return nil, err
	}
	how := unix.LOCK_EX | unix.LOCK_NB
	if readOnly {
		how = unix.LOCK_SH | unix.LOCK_NB
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &storeError{kind: ErrLocked, detail: dir + ": " + holder(path, readOnly), cause: err}
		}
		return nil, err
	}
	return &dirLock{f: f}, nil
}

// claim writes the writer's process id into the lock file, for the
// message of a process that cannot have the store. It is called once the
// store has opened, so that a store refused as damaged is not written to.
func (l *dirLock) claim() {
	if l == nil || l.f == nil {
		return
	}
	if err := l.f.Truncate(0); err == nil {
		fmt.Fprintf(l.f, "%d\n", os.Getpid())
		l.f.Sync()
	}
}

func (l *dirLock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	// Closing the descriptor releases the lock. The process id stays in
	// the file; it only means something while the lock is held.
	return l.f.Close()
}

// holder describes who holds the lock we could not take.
func holder(path string, readOnly bool) string {
	if !readOnly {
		// Readers hold it shared and write nothing; if a shared lock can
		// be had, only readers are in.
		if f, err := os.Open(path); err == nil {
			defer f.Close()
			if unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB) == nil {
				unix.Flock(int(f.Fd()), unix.LOCK_UN)
				return "another process has it open read-only; close it first"
			}
		}
	}
	who := "another process"
	if b, err := os.ReadFile(path); err == nil {
		if pid := strings.TrimSpace(string(b)); pid != "" {
			who = "process " + pid
		}
	}
	return who + " has it open for writing (lock file " + lockFile + "); close it first"
}
