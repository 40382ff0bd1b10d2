package quadstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/table"
)

// The first load into an empty store on disk writes Badger's tables
// itself (writeTables), byte for byte as Badger's own table builder
// would (sstBuilder), and lists them in
// a MANIFEST of its own, as Badger's StreamWriter would: every table in the
// last level, the keys at version 1. The StreamWriter takes each key as a
// protocol buffer to decode, an Entry and a copy, a pass through the value
// log and a channel before its builder sees it, and syncs each table
// through a map of its file: that was about two thirds of a Movies load.

// Test hooks: the size of the tables (0: Badger's), and an error for the
// table with the given id, written instead of it.
var (
	bulkTableBytes uint64
	failTable      func(id uint64) error
)

// tableSet is the tables of one load written straight into the store's
// directory, by one tableStream a stream of keys.
type tableSet struct {
	dir   string
	opts  table.Options
	level int

	mu      sync.Mutex
	streams []*tableStream
	next    uint64   // the next table id
	made    []uint64 // the tables written, in any order
	err     error    // the first error of a table's writer
}

// newTableSet prepares tables of the level for the store in dir opened
// with bo, with ids above those of any table file the directory holds.
func newTableSet(dir string, bo badger.Options, level int) (*tableSet, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var top uint64
	for _, e := range entries {
		if base, ok := strings.CutSuffix(e.Name(), ".sst"); ok {
			if id, err := strconv.ParseUint(base, 10, 64); err == nil {
				top = max(top, id)
			}
		}
	}
	// Badger's StreamWriter sizes its tables for the last level, whichever
	// it writes: the base size, times the multiplier for every level
	// below the first.
	size := uint64(bo.BaseTableSize)
	for i := 2; i < bo.MaxLevels; i++ {
		size *= uint64(bo.TableSizeMultiplier)
	}
	if bulkTableBytes > 0 {
		size = bulkTableBytes
	}
	return &tableSet{
		dir: dir,
		opts: table.Options{
			TableSize:            size,
			BlockSize:            bo.BlockSize,
			BloomFalsePositive:   bo.BloomFalsePositive,
			ChkMode:              bo.ChecksumVerificationMode,
			Compression:          bo.Compression,
			ZSTDCompressionLevel: bo.ZSTDCompressionLevel,
		},
		level: level,
		next:  top + 1,
	}, nil
}

// manifest lists the tables written.
func (ts *tableSet) manifest() badger.Manifest {
	m := badger.Manifest{Tables: map[uint64]badger.TableManifest{}}
	for _, id := range ts.made {
		m.Tables[id] = badger.TableManifest{Level: uint8(ts.level), Compression: ts.opts.Compression}
	}
	return m
}

// remove deletes the tables written (a load that failed).
func (ts *tableSet) remove() {
	for _, id := range ts.made {
		os.Remove(filepath.Join(ts.dir, table.IDToFilename(id)))
	}
	ts.made = nil
}

func (ts *tableSet) failed() error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.err
}

// tableStream builds the tables of one sorted stream of keys: a table is
// written to its file by a goroutine while the next one is built, at most
// two at a time.
type tableStream struct {
	set  *tableSet
	b    *sstBuilder // the table being built
	key  []byte      // the last key, with its version
	free chan *sstBuilder
	wg   sync.WaitGroup
}

func (ts *tableSet) stream() *tableStream {
	// Three builders: one building, two writing; each keeps its memory
	// for the stream's next tables.
	t := &tableStream{set: ts, free: make(chan *sstBuilder, 3)}
	for range 3 {
		t.free <- nil
	}
	ts.mu.Lock()
	ts.streams = append(ts.streams, t)
	ts.mu.Unlock()
	return t
}

// wait waits for every table being written (a stream that failed before
// done may still be writing).
func (ts *tableSet) wait() {
	ts.mu.Lock()
	streams := ts.streams
	ts.mu.Unlock()
	for _, t := range streams {
		t.wg.Wait()
	}
}

// add adds a key (above the last) and its value at the version.
func (t *tableStream) add(k, v []byte, version uint64) error {
	if n := len(t.key); n > 0 && !keyAfter(k, t.key[:n-8]) {
		return fmt.Errorf("quadstore: internal error: key %x after %x in a stream", k, t.key[:n-8])
	}
	bloom := !bloomless(k[0])
	if t.b != nil && (t.b.full() || t.b.bloom != bloom && t.set.opts.BloomFalsePositive > 0) {
		// Full, or the keys that come are looked up one by one and the
		// table's are not, or the other way round: a table has a Bloom
		// filter for all its keys or none.
		if err := t.send(); err != nil {
			return err
		}
	}
	if t.b == nil {
		b := <-t.free // waits while two tables are being written
		if b == nil {
			var err error
			if b, err = newSSTBuilder(t.set.opts); err != nil {
				t.free <- nil
				return err
			}
		}
		b.reset(bloom)
		t.b = b
	}
	// Badger's internal key: the key, then math.MaxUint64 - version.
	t.key = binary.BigEndian.AppendUint64(append(t.key[:0], k...), math.MaxUint64-version)
	t.b.add(t.key, v)
	return nil
}

// keyAfter reports whether key k sorts after last, comparing eight bytes
// at a time (bytes.Compare was a tenth of a bulk load's table writing).
func keyAfter(k, last []byte) bool {
	n := min(len(k), len(last))
	i := 0
	for ; i+8 <= n; i += 8 {
		if a, b := binary.BigEndian.Uint64(k[i:]), binary.BigEndian.Uint64(last[i:]); a != b {
			return a > b
		}
	}
	for ; i < n; i++ {
		if k[i] != last[i] {
			return k[i] > last[i]
		}
	}
	return len(k) > len(last)
}

// send has the table built so far written, in the background.
func (t *tableStream) send() error {
	b := t.b
	t.b = nil
	if err := t.set.failed(); err != nil {
		t.free <- b
		return err
	}
	ts := t.set
	ts.mu.Lock()
	id := ts.next
	ts.next++
	ts.made = append(ts.made, id)
	ts.mu.Unlock()
	t.wg.Go(func() {
		var err error
		if failTable != nil {
			err = failTable(id)
		}
		if err == nil {
			err = writeTable(filepath.Join(ts.dir, table.IDToFilename(id)), b)
		}
		t.free <- b
		if err != nil {
			ts.mu.Lock()
			if ts.err == nil {
				ts.err = err
			}
			ts.mu.Unlock()
		}
	})
	return nil
}

// done writes the last table and waits for every table of the stream.
func (t *tableStream) done() error {
	var err error
	if t.b != nil && !t.b.empty() {
		err = t.send()
	}
	t.wg.Wait()
	if err != nil {
		return err
	}
	return t.set.failed()
}

// tableWriteChunk is the most writeTable hands write(2) at once. The page
// cache keeps what one write(2) brings in folios as large as the write (up
// to 2 MiB on recent kernels), and a process that maps the table later
// maps a whole folio around each page it reads: with tables written 8 MiB
// at a time, a process querying a store of 10^8 quads had 2 GB more of
// them in its resident set than with tables written through a map, as
// Badger writes them. Written 64 KiB at a time, a folio is no larger than
// the kernel's fault-around.
const tableWriteChunk = 64 << 10

// writeTable finishes the table b built and writes it to a new file at
// path, and syncs it.
func writeTable(path string, b *sstBuilder) error {
	b.finish()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o666) // as Badger creates its tables
	if err != nil {
		return err
	}
	for _, part := range [][]byte{b.buf, b.tail} {
		for off := 0; off < len(part); off += tableWriteChunk {
			if _, err := f.Write(part[off:min(off+tableWriteChunk, len(part))]); err != nil {
				f.Close()
				return err
			}
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeTables writes the builder's graph into the store, empty, as
// Badger's tables: Badger is closed, the tables are written and listed in
// a new MANIFEST (synced, read back, renamed into place), and Badger opens
// again. Readers are locked out and wmu held. A failure removes the tables
// and opens Badger on the empty store again.
func (s *QuadStore) writeTables(ctx context.Context, b *bulkBuilder) error {
	// What the empty store holds (its metadata) goes, as the
	// StreamWriter's Prepare would drop it.
	if err := s.db.DropAll(); err != nil {
		return err
	}
	if err := s.db.Close(); err != nil {
		return s.reopenBadger(err)
	}
	m, err := s.closedManifest()
	if err == nil && len(m.Tables) > 0 {
		err = fmt.Errorf("quadstore: internal error: the empty store lists %d tables", len(m.Tables))
	}
	if err != nil {
		return s.reopenBadger(err)
	}
	ts, err := newTableSet(s.dir, s.bo, s.bo.MaxLevels-1)
	if err != nil {
		return s.reopenBadger(err)
	}
	stop := s.releasingPages(b.dict.releasePages)
	err = s.emitAll(ctx, b, func(stream uint32) *streamOut { return &streamOut{tables: ts.stream()} })
	stop()
	ts.wait()
	if err == nil {
		err = syncDir(s.dir) // the tables' names, before the MANIFEST names them
	}
	if err == nil {
		_, err = writeManifest(s.dir, ts.manifest(), 0)
	}
	if err != nil {
		// The tables go unless the new MANIFEST is in place (writeManifest
		// fails after its rename only if the directory cannot be synced):
		// tables it lists must stay, and the bulk marker resets the store.
		if m, merr := s.closedManifest(); merr != nil || len(m.Tables) == 0 {
			ts.remove()
		}
		return s.reopenBadger(err)
	}
	if b.runs != nil {
		// A load of chunks on disk: the heap its write let go (1.0 GB at
		// 10^8 quads) goes back to the system before Badger opens the
		// tables and reads their indexes (0.3 GB), or the two make the
		// load's peak.
		debug.FreeOSMemory()
	}
	if err := s.reopenBadger(nil); err != nil {
		return err
	}
	// Badger's open read every table's index through its map (about
	// 0.3 GB of pages at 10^8 quads); no read is open, and what comes
	// next reads what it needs again.
	releaseTablePages(s.dir, nil)
	return nil
}

// closedManifest reads the MANIFEST of the store while Badger is closed.
func (s *QuadStore) closedManifest() (badger.Manifest, error) {
	f, err := os.Open(filepath.Join(s.dir, badger.ManifestFilename))
	if err != nil {
		return badger.Manifest{}, err
	}
	defer f.Close()
	m, _, err := replayManifest(f, s.bo)
	return m, err
}

// reopenBadger opens Badger again after writeTables or tableIngest closed
// it, and returns cause (or the open's error). A store Badger cannot open
// again takes no more writes in this process; the next open settles it
// from the load's marker (the bulk marker resets it, the ingest marker
// keeps or drops the load's tables).
func (s *QuadStore) reopenBadger(cause error) error {
	db, err := openBadger(s.bo)
	if err != nil {
		s.broken = fmt.Errorf("quadstore: opening the store again after a load wrote its tables: %w; reopen it", err)
		return errors.Join(cause, s.broken)
	}
	s.db = db
	return cause
}
