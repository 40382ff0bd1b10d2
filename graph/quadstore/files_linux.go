//go:build linux

package quadstore

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// seekData returns the offset of the first data at or after off (the
// file's size when only a hole follows).
func seekData(f *os.File, off int64) (int64, error) {
	n, err := unix.Seek(int(f.Fd()), off, unix.SEEK_DATA)
	if err == unix.ENXIO {
		info, err := f.Stat()
		if err != nil {
			return 0, err
		}
		return info.Size(), nil
	} else if err == unix.EINVAL || err == unix.EOPNOTSUPP {
		return off, nil // no hole support: all data
	}
	return n, err
}

// seekHole returns the offset of the first hole at or after off (size when
// none).
func seekHole(f *os.File, off, size int64) int64 {
	n, err := unix.Seek(int(f.Fd()), off, unix.SEEK_HOLE)
	if err != nil || n > size {
		return size
	}
	return n
}

// fileStamp identifies a version of a file: any write to it changes its
// inode change time, which no program can set back.
func fileStamp(info os.FileInfo) string {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Sprintf("%d %d", info.Size(), info.ModTime().UnixNano())
	}
	return fmt.Sprintf("%d %d %d.%d", info.Size(), st.Ino, st.Ctim.Sec, st.Ctim.Nsec)
}

// freeBytes returns the bytes free to an unprivileged user on the file
// system holding dir.
func freeBytes(dir string) (int64, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}

// reserveFile allocates, without changing the file's size, the blocks of
// [from, from+ahead) of a file (no further than its end), so that writes
// through a memory map of it there cannot fault on a full disk (Badger
// creates its logs as sparse files and writes them through maps, front to
// back: a write into a hole on a full disk is SIGBUS, not an error). It
// returns the end of what is now reserved.
func reserveFile(path string, from, ahead int64) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return from, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return from, err
	}
	n := min(ahead, info.Size()-from)
	if n <= 0 {
		return from, nil
	}
	err = unix.Fallocate(int(f.Fd()), unix.FALLOC_FL_KEEP_SIZE, from, n)
	if err == unix.EOPNOTSUPP || err == unix.ENOSYS {
		return info.Size(), nil // the file system cannot: the free-space checks remain
	}
	if err != nil {
		return from, &os.PathError{Op: "reserve", Path: path, Err: err}
	}
	return from + n, nil
}

// releaseTablePages drops from this process's page tables the pages of the
// store's table files that Badger maps (shared mappings only: the pages
// stay in the page cache, and a later read maps them again from there, so
// nothing is lost, even of a table being written). The bulk path writes
// every table through such a map and keeps it mapped, so without this a
// load of 10^7 quads held about 1.5 GB of file pages in its resident set,
// on top of its own memory. Only the tables whose file names are in only
// are released, or every table of dir for a nil only. It returns how many
// bytes of maps it released.
//
// It must run only while none of those tables can be unmapped: in a
// StreamWriter's phase (compactions and flushes are stopped, and tables
// being written are not unmapped, but for Badger's error paths in opening a
// table it has just written), or for the tables an open iterator holds
// (scanPages). A mapping listed and then unmapped before the
// madvise could have its addresses reused by memory of another kind, which
// MADV_DONTNEED would then clear.
func releaseTablePages(dir string, only map[string]bool) int64 {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return 0
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0
	}
	var released int64
	for _, line := range strings.Split(string(maps), "\n") {
		// start-end perms offset dev inode path
		f := strings.Fields(line)
		if len(f) < 6 || len(f[1]) < 4 || f[1][3] != 's' {
			continue
		}
		path := strings.Join(f[5:], " ")
		if filepath.Dir(path) != abs || !strings.HasSuffix(path, ".sst") {
			continue
		}
		if only != nil && !only[filepath.Base(path)] {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		if _, _, e := unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_DONTNEED); e == 0 {
			released += int64(end - start)
		}
	}
	return released
}

// canMapFiles says mapFile works here.
const canMapFiles = true

// mapFile maps n bytes of f from off (a multiple of the page size),
// shared and read-only.
func mapFile(f *os.File, off int64, n int) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), off, n, unix.PROT_READ, unix.MAP_SHARED)
}

// unmapFile unmaps a map of mapFile.
func unmapFile(m []byte) { unix.Munmap(m) }

// dropPages drops the pages of a map of mapFile from the resident set
// (they stay in the page cache).
func dropPages(m []byte) { unix.Madvise(m, unix.MADV_DONTNEED) }
