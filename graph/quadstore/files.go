package quadstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/ristretto/v2/z"
)

// This file checks a store's files before Badger opens them. Badger
// repairs what it takes for a crash's leftovers by deleting and
// truncating: with a missing or shortened MANIFEST it deletes every table
// the MANIFEST does not list, with a damaged write-ahead log it truncates
// the log at the damage, and a table it cannot read panics in a goroutine
// of its own. None of that may happen to a store that was damaged rather
// than interrupted, so Open looks first and refuses (ErrCorrupt, files
// untouched) anything a crash cannot leave.

// DirKind says what a directory holds.
type DirKind int

const (
	// DirEmpty: the directory does not exist or holds nothing (but
	// perhaps a lock file): a store may be created there.
	DirEmpty DirKind = iota
	// DirStore: the directory holds only the files of a store.
	DirStore
	// DirForeign: the directory holds files no store has.
	DirForeign
)

// Names of the files in a store's directory besides Badger's tables and
// logs.
const (
	lockName       = "entente.lock"
	verifiedName   = "ENTENTE-VERIFIED"
	orphansDirName = "orphans"
)

// CacheFile is the name of the file in a store's directory where the
// graph package keeps its link index (a cache: stamped with the store's
// Stamp, ignored when it does not match, rebuilt and rewritten then).
// Files named CacheFile + "." + anything + ".tmp" are its writes in
// progress.
const CacheFile = "ENTENTE-LINKS"

// TextCacheFile is where the graph package keeps the full-text index, a
// cache as CacheFile is (and named likewise while it is written).
const TextCacheFile = "ENTENTE-TEXT"

// cacheFile reports whether name is a cache or one being written.
func cacheFile(name string) bool {
	for _, c := range []string{CacheFile, TextCacheFile} {
		if name == c {
			return true
		}
		if rest, ok := strings.CutPrefix(name, c+"."); ok && strings.HasSuffix(rest, ".tmp") {
			return true
		}
	}
	return false
}

// storeFile reports whether name is one a store's directory may hold.
func storeFile(name string) bool {
	switch name {
	case badger.ManifestFilename, manifestRewrite, badger.KeyRegistryFileName,
		badger.KeyRegistryRewriteFileName, "DISCARD", "LOCK",
		lockName, bulkMarker, ingestMarker, ingestMarker + ".tmp", runsDirName, verifiedName, verifiedName + ".tmp", orphansDirName, "lost+found":
		return true
	}
	if cacheFile(name) {
		return true
	}
	for _, ext := range []string{".sst", ".vlog", ".mem"} {
		if base, ok := strings.CutSuffix(name, ext); ok {
			_, err := strconv.ParseUint(base, 10, 64)
			return err == nil
		}
	}
	return false
}

// Classify says what dir holds without changing anything. For a foreign
// directory it also returns a few of the names that are not a store's.
func Classify(dir string) (DirKind, []string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return DirEmpty, nil, nil
	} else if err != nil {
		return DirForeign, nil, err
	}
	var foreign []string
	data := false
	for _, e := range entries {
		name := e.Name()
		if !storeFile(name) {
			foreign = append(foreign, name)
			continue
		}
		if name != lockName {
			data = true
		}
	}
	switch {
	case len(foreign) > 0:
		return DirForeign, foreign, nil
	case data:
		return DirStore, nil, nil
	}
	return DirEmpty, nil, nil
}

// fileCheck is what checkFiles found.
type fileCheck struct {
	damage []string // each way the files are damaged; none when sound
	notes  []string // what was repaired or set aside
	// recover is set when a crash left write-ahead logs to replay:
	// Badger will not open the store read-only until they are.
	recover bool
}

func (c *fileCheck) damaged(format string, args ...any) {
	c.damage = append(c.damage, fmt.Sprintf(format, args...))
}

// err returns the damage as one ErrCorrupt, or nil.
func (c *fileCheck) err(dir string) error {
	if len(c.damage) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s; its files were left untouched (docs/store.md, Damage)",
		ErrCorrupt, strings.Join(c.damage, "; "))
}

// checkFiles looks at a store's files before Badger opens them: the
// MANIFEST must be whole and list every table it should, every table must
// be readable with its checksums right, and every write-ahead log must
// end where a crash may end it, not earlier. With repair, damaged logs
// are accepted (Badger drops what follows the damage); with setAside,
// tables the MANIFEST does not list are moved to orphans/ rather than
// left for Badger to delete.
func checkFiles(dir string, repair, setAside bool) (*fileCheck, error) {
	c := &fileCheck{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	tables := map[uint64]os.FileInfo{}
	var logs []string
	for _, e := range entries {
		name := e.Name()
		if base, ok := strings.CutSuffix(name, ".sst"); ok {
			if id, err := strconv.ParseUint(base, 10, 64); err == nil {
				if info, err := e.Info(); err == nil {
					tables[id] = info
				}
			}
		}
		if strings.HasSuffix(name, ".mem") || strings.HasSuffix(name, ".vlog") {
			logs = append(logs, name)
		}
	}
	_, bulkErr := os.Stat(filepath.Join(dir, bulkMarker))
	bulk := bulkErr == nil

	listed, ok := c.checkManifest(dir, tables, bulk)
	if !ok {
		return c, nil
	}
	if bulk {
		// An interrupted bulk load: Open resets the store to empty
		// anyway, which is what it was before the load.
		return c, nil
	}
	// Tables the MANIFEST does not list: a crash after a compaction or a
	// flush wrote its tables but before the MANIFEST recorded them leaves
	// tables newer than any it lists, which no MANIFEST ever listed. An
	// unlisted table older than a listed one, or one a MANIFEST listed
	// before (ENTENTE-VERIFIED records the tables listed at each open and
	// close), means records of the MANIFEST were lost.
	verified := readVerified(dir)
	// Tables a compaction replaced, as the MANIFEST records: a crash after
	// the record but before Badger deleted their files leaves them behind,
	// and they are leftovers, not lost records.
	var replaced map[uint64]bool // read when a table is unlisted
	var orphans []uint64
	var maxListed uint64
	for id := range listed {
		maxListed = max(maxListed, id)
	}
	var older []string
	for id, info := range tables {
		if _, ok := listed[id]; !ok {
			orphans = append(orphans, id)
			if replaced == nil {
				replaced = manifestDeletions(filepath.Join(dir, badger.ManifestFilename))
			}
			if replaced[id] {
				continue
			}
			if id < maxListed || sameSize(verified[id], info) {
				older = append(older, table.IDToFilename(id))
			}
		}
	}
	if len(older) > 0 && !repair {
		sort.Strings(older)
		c.damaged("the MANIFEST does not list %s, which it listed before or which is older than tables it lists: it was truncated or replaced, and the data in %s would be lost; restore the MANIFEST from a backup (if a crash interrupted a compaction instead, `entente check --repair` sets %s aside)",
			quoteNames(older), plural(len(older), "that table", "those tables"), plural(len(older), "it", "them"))
		return c, nil
	}
	if len(orphans) > 0 && !setAside {
		// Badger deletes unlisted tables even when it opens read-only.
		c.recover = true
	}
	changed := false
	var ids []uint64
	for id := range listed {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		info := tables[id]
		stamp := fileStamp(info)
		if verified[id] == stamp {
			continue
		}
		if v := verified[id]; v != "" && !sameSize(v, info) {
			// Tables never change once written: another size is
			// another file (a table of another store copied in).
			c.damaged("table %s is %s but was %s bytes when this store wrote or verified it: it was truncated or replaced", table.IDToFilename(id), byteSize(info.Size()), strings.SplitN(v, " ", 2)[0])
			continue
		}
		if err := verifyTable(filepath.Join(dir, table.IDToFilename(id)), listed[id]); err != nil {
			c.damaged("table %s is damaged: %s", table.IDToFilename(id), tableDamage(err))
			continue
		}
		verified[id] = stamp
		changed = true
	}
	for id := range verified {
		if _, ok := listed[id]; !ok {
			delete(verified, id)
			changed = true
		}
	}
	if changed && len(c.damage) == 0 {
		writeVerified(dir, verified) // best effort: a cache
	}
	sort.Strings(logs)
	for _, name := range logs {
		lc, err := checkLog(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(name, ".mem") {
			// Badger replays a memtable's log only read-write.
			c.recover = true
		}
		if lc.damagedAt < 0 {
			continue
		}
		if repair {
			c.notes = append(c.notes, fmt.Sprintf("%s was damaged at byte %d; %s after it could not be read and %s dropped (check --repair)",
				name, lc.damagedAt, lc.lost(), "were"))
			continue
		}
		c.damaged("the write-ahead log %s is damaged at byte %d (%s); %s after it cannot be read and would be lost if the store were opened (entente check --repair accepts that loss)",
			name, lc.damagedAt, lc.why, lc.lost())
	}
	// Only a sound store has its leftovers set aside.
	if len(orphans) > 0 && setAside && len(c.damage) == 0 {
		if err := setOrphansAside(dir, orphans); err != nil {
			return nil, err
		}
		c.notes = append(c.notes, fmt.Sprintf("%d table %s the MANIFEST does not list %s moved to %s: a crash during a compaction leaves such files, which can then be deleted (docs/store.md, Damage)",
			len(orphans), plural(len(orphans), "file", "files"), plural(len(orphans), "was", "were"), filepath.Join(dir, orphansDirName)))
	}
	return c, nil
}

// checkManifest replays the MANIFEST and compares it with the tables in
// the directory. It returns the listed tables and false when the store
// must not be opened.
func (c *fileCheck) checkManifest(dir string, tables map[uint64]os.FileInfo, bulk bool) (map[uint64]badger.TableManifest, bool) {
	var tableBytes int64
	for _, info := range tables {
		tableBytes += info.Size()
	}
	path := filepath.Join(dir, badger.ManifestFilename)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		if len(tables) > 0 || bulk {
			c.damaged("the MANIFEST is missing, so the %d tables (%s) cannot be read; restore it from a backup", len(tables), byteSize(tableBytes))
			return nil, false
		}
		return nil, true // a new store, or one a crash left before its first table
	} else if err != nil {
		c.damaged("the MANIFEST cannot be read: %v", err)
		return nil, false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		c.damaged("the MANIFEST cannot be read: %v", err)
		return nil, false
	}
	opt := badger.DefaultOptions(dir).WithLogger(nil)
	m, end, err := replayManifest(f, opt)
	switch {
	case err != nil:
		if at, cut := manifestCut(f, info.Size()); cut {
			// Badger refuses a record longer than the whole file
			// rather than reading it as cut short.
			c.damaged("the MANIFEST is truncated or damaged at byte %d of %d", at, info.Size())
			return nil, false
		}
		c.damaged("the MANIFEST is damaged (%v)", err)
		return nil, false
	case end < info.Size():
		c.damaged("the MANIFEST is truncated or damaged at byte %d of %d", end, info.Size())
		return nil, false
	}
	listed := m.Tables
	var missing []string
	for id := range m.Tables {
		if _, ok := tables[id]; !ok {
			missing = append(missing, table.IDToFilename(id))
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		c.damaged("the MANIFEST lists %s, which %s missing", strings.Join(missing, ", "), plural(len(missing), "is", "are"))
		return nil, false
	}
	if len(listed) == 0 && len(tables) > 0 && !bulk {
		c.damaged("the MANIFEST lists no tables but the directory holds %d (%s): it was truncated or replaced; restore it from a backup", len(tables), byteSize(tableBytes))
		return nil, false
	}
	return listed, true
}

// manifestCut reports whether the MANIFEST f, of size bytes, ends inside a
// change record (its header, or fewer bytes than the header says follow),
// and where that record starts; the records' checksums are not read.
func manifestCut(f *os.File, size int64) (int64, bool) {
	const fileHeader, recordHeader = 8, 8 // magic and versions; length and checksum
	var hdr [recordHeader]byte
	at := int64(fileHeader)
	for at < size {
		if _, err := f.ReadAt(hdr[:], at); err != nil {
			return at, true // a header cut short
		}
		next := at + recordHeader + int64(binary.BigEndian.Uint32(hdr[:4]))
		if next > size {
			return at, true
		}
		at = next
	}
	return 0, false
}

// replayManifest runs Badger's own MANIFEST reader, which panics on some
// damage rather than failing.
func replayManifest(f *os.File, opt badger.Options) (m badger.Manifest, end int64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return badger.ReplayManifestFile(f, opt.ExternalMagicVersion, opt)
}

func setOrphansAside(dir string, ids []uint64) error {
	to := filepath.Join(dir, orphansDirName)
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	for _, id := range ids {
		name := table.IDToFilename(id)
		if err := os.Rename(filepath.Join(dir, name), filepath.Join(to, name)); err != nil {
			return err
		}
	}
	return syncDir(dir)
}

// verifyTable opens a table as Badger would and verifies the checksum of
// its every block, recovering the panics Badger's reader raises on
// damaged files.
func verifyTable(path string, tm badger.TableManifest) error {
	return withTable(path, tm, options.OnTableRead, func(*table.Table) error { return nil })
}

// verifyTableCopy is verifyTable for a table of an open store, verified
// from a copy read into memory: Badger deletes a table a compaction
// replaced by truncating it first, and a read through a map of a file
// truncated under it kills the process (SIGBUS) where a read of the file
// only comes up short.
func verifyTableCopy(path string, id uint64) (err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unreadable: %v", r)
		}
	}()
	t, err := table.OpenInMemoryTable(data, id, &table.Options{
		ReadOnly:    true,
		ChkMode:     options.OnTableRead,
		Compression: options.None,
		BlockSize:   4 << 10,
	})
	if err != nil {
		return err
	}
	return t.VerifyChecksum()
}

// tableKeys returns how many keys a table holds, from its index.
func tableKeys(path string, tm badger.TableManifest) (n int64, err error) {
	err = withTable(path, tm, options.OnTableRead, func(t *table.Table) error {
		n = int64(t.KeyCount())
		return nil
	})
	return n, err
}

// withTable opens a table read-only, as Badger would, for fn, recovering
// the panics Badger's reader raises on damaged files.
func withTable(path string, tm badger.TableManifest, chk options.ChecksumVerificationMode, fn func(*table.Table) error) (err error) {
	if tm.KeyID != 0 {
		return errors.New("it is encrypted, which no Entente store is")
	}
	mf, err := z.OpenMmapFile(path, os.O_RDONLY, 0)
	if err != nil && !errors.Is(err, z.NewFile) {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unreadable: %v", r)
		}
		func() {
			defer func() { recover() }()
			mf.Close(-1)
		}()
	}()
	t, err := table.OpenTable(mf, table.Options{
		ReadOnly:    true,
		ChkMode:     chk,
		Compression: tm.Compression,
		BlockSize:   4 << 10,
	})
	if err != nil {
		return err
	}
	return fn(t)
}

var blockDamage = regexp.MustCompile(`block: (\d+), offset:(\d+)`)

// tableDamage says in a few words what verifyTable found.
func tableDamage(err error) string {
	msg := err.Error()
	if m := blockDamage.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("block %s at byte %s fails its checksum", m[1], m[2])
	}
	switch {
	case strings.Contains(msg, "initIndex crash"), strings.Contains(msg, "index"):
		return "its index cannot be read (the file is truncated or overwritten)"
	case strings.Contains(msg, "checksum"):
		return "its index fails its checksum"
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

// sameSize reports whether a recorded stamp is of a file of info's size.
func sameSize(stamp string, info os.FileInfo) bool {
	size, _, _ := strings.Cut(stamp, " ")
	return stamp != "" && size == strconv.FormatInt(info.Size(), 10)
}

// recordTables records the tables the MANIFEST lists after a writable
// session closes: Badger wrote them in this process, so they are trusted
// as verified, and a later MANIFEST that no longer lists them (without
// their files having gone) has lost records. It returns the MANIFEST it
// read and the file's size; ok is false when it could not read it whole.
func recordTables(dir string) (m badger.Manifest, size int64, ok bool) {
	f, err := os.Open(filepath.Join(dir, badger.ManifestFilename))
	if err != nil {
		return m, 0, false
	}
	defer f.Close()
	m, end, err := replayManifest(f, badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		return m, 0, false
	}
	info, err := f.Stat()
	ok = err == nil && info.Size() == end
	size = end
	old := readVerified(dir)
	now := map[uint64]string{}
	for id := range m.Tables {
		info, err := os.Stat(filepath.Join(dir, table.IDToFilename(id)))
		if err != nil {
			return m, size, false
		}
		if stamp := fileStamp(info); old[id] == "" || old[id] == stamp {
			now[id] = stamp // a table changed since it was verified is not ours to vouch for
		}
	}
	writeVerified(dir, now)
	return m, size, ok
}

// readVerified reads the record of tables whose checksums were verified
// whole, by id: a cache, so that a table is read in full once, not at
// every open.
func readVerified(dir string) map[uint64]string {
	m := map[uint64]string{}
	b, err := os.ReadFile(filepath.Join(dir, verifiedName))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		id, stamp, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseUint(id, 10, 64); err == nil {
			m[n] = stamp
		}
	}
	return m
}

func writeVerified(dir string, m map[uint64]string) {
	var b bytes.Buffer
	ids := make([]uint64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		fmt.Fprintf(&b, "%d %s\n", id, m[id])
	}
	tmp := filepath.Join(dir, verifiedName+".tmp")
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		os.Remove(tmp)
		return
	}
	if err := os.Rename(tmp, filepath.Join(dir, verifiedName)); err != nil {
		os.Remove(tmp)
	}
}

// Badger's write-ahead logs (memtable .mem files and value logs) are a
// 20-byte header and then entries: a header (meta and user-meta bytes,
// then key length, value length and expiry as uvarints), the key, the
// value and a CRC-32C of all of it. An entry with the transaction bit set
// belongs to a transaction that a final entry closes. Badger replays
// whole transactions and stops at the first entry it cannot read; what
// follows is a crash's unfinished write — zeros, or entries of a
// transaction never closed — or, if anything readable follows, damage.
const (
	vlogHeaderSize = 20
	bitTxn         = 1 << 6
	bitFinTxn      = 1 << 7
	maxKeyLen      = 1 << 16
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// logCheck is what checkLog found in one log.
type logCheck struct {
	dataEnd   int64  // end of the last non-zero byte
	damagedAt int64  // offset of the damage; -1 when none
	why       string // what is wrong there
	lostBytes int64  // non-zero bytes after the damage
	lostTxns  int    // whole transactions readable after the damage
}

func (l *logCheck) lost() string {
	if l.lostTxns > 0 {
		return fmt.Sprintf("%s in %d committed transactions", byteSize(l.lostBytes), l.lostTxns)
	}
	return byteSize(l.lostBytes)
}

// decodeEntry decodes the entry at the start of b. It returns its size
// and flags; size 0 means the zeros after the last entry; why says what
// is wrong when the bytes there are not a whole entry with a valid
// checksum.
func decodeEntry(b []byte) (size int, meta byte, why string) {
	if len(b) < 2 {
		return 0, 0, ""
	}
	n := 2
	var lens [3]uint64
	for i := range lens {
		v, k := binary.Uvarint(b[n:])
		if k <= 0 {
			return 0, 0, "an entry header is cut short"
		}
		lens[i] = v
		n += k
	}
	if lens[0] == 0 && lens[1] == 0 && b[0] == 0 && b[1] == 0 {
		return 0, 0, ""
	}
	if lens[0] > maxKeyLen || lens[1] > 1<<31 || len(b)-n < 4 || uint64(len(b)-n-4) < lens[0]+lens[1] {
		return 0, 0, "an entry is cut short or its header is not valid"
	}
	end := n + int(lens[0]+lens[1])
	if binary.BigEndian.Uint32(b[end:]) != crc32.Checksum(b[:end], castagnoli) {
		return 0, 0, "an entry's checksum does not match"
	}
	return end + 4, b[0], ""
}

// maxLogCheck bounds the bytes of one log read into memory to check it;
// memtable logs are at most twice the memtable size.
const maxLogCheck = 1 << 30

// checkLog reads a write-ahead log as Badger replays it and reports
// whether anything written follows the point where replay would stop.
func checkLog(path string) (*logCheck, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	lc := &logCheck{damagedAt: -1}
	if lc.dataEnd, err = lastNonZero(f); err != nil {
		return nil, err
	}
	if lc.dataEnd <= vlogHeaderSize {
		return lc, nil
	}
	if lc.dataEnd > maxLogCheck {
		return nil, fmt.Errorf("%s: %s of log is more than a store writes", path, byteSize(lc.dataEnd))
	}
	b := make([]byte, lc.dataEnd)
	if _, err := f.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, err
	}
	off := vlogHeaderSize
	validEnd := off // end of the last whole transaction
	inTxn := false
	for off < len(b) {
		size, meta, why := decodeEntry(b[off:])
		if why != "" {
			// A crash can leave only the last write unfinished, and
			// that write ends with the entry closing its transaction:
			// a closed transaction readable after this entry, or more
			// than one write's worth of bytes, mean damage.
			lc.lostTxns = countTxns(b[off+1:])
			if lc.lostTxns == 0 && lc.dataEnd-int64(off) <= maxTornTail {
				return lc, nil
			}
			lc.damagedAt, lc.why = int64(off), why
			lc.lostBytes = lc.dataEnd - int64(validEnd)
			return lc, nil
		}
		if size == 0 {
			break // the end, perhaps after an unclosed transaction
		}
		off += size
		switch {
		case meta&bitTxn != 0:
			inTxn = true
		case meta&bitFinTxn != 0:
			inTxn = false
			validEnd = off
		case !inTxn:
			validEnd = off
		}
	}
	return lc, nil
}

// maxTornTail is the most a crash can leave unfinished at a log's end: the
// entries of the one transaction Badger was copying when the process died.
const maxTornTail = 16 << 20

// countTxns counts the closed transactions readable in b, which starts
// somewhere after a damaged entry: it looks for the first offset at which
// an entry decodes (within a bounded window) and reads on from there.
func countTxns(b []byte) int {
	const window = 1 << 20
	for start := 0; start < len(b) && start < window; start++ {
		if b[start] == 0 && start+1 < len(b) && b[start+1] == 0 {
			continue
		}
		size, _, why := decodeEntry(b[start:])
		if why != "" || size == 0 {
			continue
		}
		n := 0
		for off := start; off < len(b); {
			size, meta, why := decodeEntry(b[off:])
			if why != "" || size == 0 {
				break
			}
			if meta&bitFinTxn != 0 {
				n++
			}
			off += size
		}
		return n
	}
	return 0
}

// lastNonZero returns the offset just past the file's last non-zero byte,
// reading only its data extents (Badger's logs are large sparse files).
func lastNonZero(f *os.File) (int64, error) {
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := info.Size()
	buf := make([]byte, 1<<16)
	var last int64
	for off := int64(0); off < size; {
		data, err := seekData(f, off)
		if err != nil || data >= size {
			break
		}
		hole := seekHole(f, data, size)
		for p := data; p < hole; {
			n := int64(len(buf))
			if hole-p < n {
				n = hole - p
			}
			k, err := f.ReadAt(buf[:n], p)
			if k == 0 && err != nil {
				return last, nil
			}
			if i := lastNonZeroIn(buf[:k]); i >= 0 {
				last = p + int64(i) + 1
			}
			p += int64(k)
		}
		off = hole
	}
	return last, nil
}

func lastNonZeroIn(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0 {
			return i
		}
	}
	return -1
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// byteSize writes a size for people: 512 bytes, 3.2 MiB.
func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}
