//go:build linux

package quadstore

import (
	"fmt"
	"os"
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
