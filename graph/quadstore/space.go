package quadstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrNoSpace reports a write refused or stopped because the disk holding
// the store is (nearly) full. Loads check the free space before and while
// they write, and stop — undoing what they wrote — while there is still
// room to undo it: Badger writes its logs and tables through memory maps,
// and a write into a map on a full disk kills the process (SIGBUS) rather
// than failing.
var ErrNoSpace = errors.New("quadstore: not enough free disk space")

// Space a write keeps free. spaceMargin is what Badger needs to open,
// settle and close a store (a new log, the discard file, a flushed
// memtable of metadata). A load's own bytes are counted spaceFactor
// times: once in the write-ahead log, once in the table it is flushed to,
// and again for the undo (deletions take the same keys) and the
// compaction that follows.
const (
	spaceMargin  = 8 << 20
	spaceFactor  = 5
	bytesPerQuad = 256 // on disk, every index and counter included
)

// noSpaceError says how much space a write needed and how much there was.
type noSpaceError struct {
	what       string
	need, free int64
	dir        string
}

func (e *noSpaceError) Error() string {
	return fmt.Sprintf("%s needs about %s free on the disk holding %s, which has %s",
		e.what, byteSize(e.need), e.dir, byteSize(e.free))
}

func (e *noSpaceError) Unwrap() error { return ErrNoSpace }

// needSpace fails with ErrNoSpace unless the store's disk has need bytes
// free (beyond the margin). In memory, and where the free space cannot be
// known, it never fails.
func (s *QuadStore) needSpace(what string, need int64) error {
	if s.opts.InMemory {
		return nil
	}
	if s.freeSpace == nil {
		return nil
	}
	free, ok := s.freeSpace(s.dir)
	need += spaceMargin
	if !ok || free >= need {
		return nil
	}
	return &noSpaceError{what: what, need: need, free: free, dir: s.dir}
}

// reserveLogs allocates ahead more bytes of blocks in Badger's memtable
// logs before a write (so that what is reserved keeps ahead of what is
// written): a log is a sparse file written
// through a memory map, and on a disk that fills up meanwhile (another
// process) a write into its holes kills the process. A reservation that
// fails for want of space is ErrNoSpace, before anything is written.
func (s *QuadStore) reserveLogs(ahead int64) error {
	return s.reserveLogsIn(os.ReadDir, ahead)
}

// reserveLogsIn is reserveLogs, listing the store's files with listLogs
// (a test makes a log vanish between the listing and the reservation, as
// Badger's flusher does).
func (s *QuadStore) reserveLogsIn(listLogs func(string) ([]os.DirEntry, error), ahead int64) error {
	if s.opts.InMemory || s.opts.ReadOnly {
		return nil
	}
	s.resMu.Lock()
	defer s.resMu.Unlock()
	entries, err := listLogs(s.dir)
	if err != nil {
		return err
	}
	listed := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".mem") {
			continue
		}
		listed[name] = true
		// Badger writes a log front to back: what this process has
		// reserved of it so far runs from its start.
		end, err := reserveFile(filepath.Join(s.dir, name), s.reserved[name], ahead)
		if errors.Is(err, fs.ErrNotExist) {
			// Badger flushed that log's memtable and removed it since
			// the listing: nothing of it is left to write.
			delete(listed, name)
			continue
		}
		if err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				free, _ := s.freeSpace(s.dir)
				return &noSpaceError{what: "reserving room in the write-ahead log " + name, need: ahead, free: free, dir: s.dir}
			}
			return err
		}
		if s.reserved == nil {
			s.reserved = map[string]int64{}
		}
		s.reserved[name] = end
	}
	for name := range s.reserved {
		if !listed[name] {
			delete(s.reserved, name) // a log that is gone
		}
	}
	return nil
}

// diskFull turns the disk's own "no space" errors, wherever Badger meets
// them, into ErrNoSpace.
func diskFull(err error) error {
	if err != nil && errors.Is(err, syscall.ENOSPC) && !errors.Is(err, ErrNoSpace) {
		return fmt.Errorf("%w: %w", ErrNoSpace, err)
	}
	return err
}
