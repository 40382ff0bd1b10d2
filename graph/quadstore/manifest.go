package quadstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"google.golang.org/protobuf/proto"
)

// manifestDeletions returns the ids of the tables whose deletion the
// MANIFEST at path records (a compaction replaced them), reading its
// change records as Badger writes them: an 8-byte header, then records of
// a 4-byte length, a 4-byte CRC-32C and a ManifestChangeSet. It stops at
// the first record it cannot read; checkManifest judges the file.
func manifestDeletions(path string) map[uint64]bool {
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 8 {
		return nil
	}
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	out := map[uint64]bool{}
	for off := 8; off+8 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[off:]))
		sum := binary.BigEndian.Uint32(b[off+4:])
		if n < 0 || off+8+n > len(b) {
			break
		}
		rec := b[off+8 : off+8+n]
		if crc32.Checksum(rec, castagnoli) != sum {
			break
		}
		var cs pb.ManifestChangeSet
		if err := proto.Unmarshal(rec, &cs); err != nil {
			break
		}
		for _, c := range cs.GetChanges() {
			if c.GetOp() == pb.ManifestChange_DELETE {
				out[c.GetId()] = true
			}
		}
		off += 8 + n
	}
	return out
}

// manifestCompactAt is the size of MANIFEST from which a closing writer
// rewrites it (compactManifest); a variable for tests.
var manifestCompactAt int64 = 4 << 10

// manifestRewrite is the file Badger writes a new MANIFEST to before
// renaming it into place; compactManifest uses it too.
const manifestRewrite = "MANIFEST-REWRITE"

// compactManifest rewrites the MANIFEST of the closed store in dir (m, read
// whole, is what it says; size its length) as one record creating the
// tables it lists, as Badger itself does, but sooner. Every flush and
// compaction appends a record, and Badger rewrites the file only once it
// records 10,000 deleted tables: a store written by many short processes
// (a record or two each) carried hundreds of kilobytes of history that
// every open reads twice (a thousand one-fact loads made `stats` 60%
// slower). It rewrites a file of manifestCompactAt bytes or more, four
// times what the rewrite takes at least, and only when the directory holds
// exactly the tables it lists (the records of deleted tables explain
// leftovers a crash left; checkFiles reads them). The new file is read
// back and compared before it replaces the old one, by a rename.
func compactManifest(dir string, m badger.Manifest, size int64) error {
	if size < manifestCompactAt {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	n := 0
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), ".sst")
		if !ok {
			continue
		}
		id, err := strconv.ParseUint(base, 10, 64)
		if _, listed := m.Tables[id]; err != nil || !listed {
			return nil
		}
		n++
	}
	if n != len(m.Tables) {
		return nil
	}
	_, err = writeManifest(dir, m, size/4)
	return err
}

// writeManifest replaces the MANIFEST of the closed store in dir with one
// record creating the tables of m: written beside it, synced, read back
// and compared, then renamed over it. With most > 0 it writes nothing
// (false) when the record would be longer than most bytes.
func writeManifest(dir string, m badger.Manifest, most int64) (bool, error) {
	path := filepath.Join(dir, badger.ManifestFilename)
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	hdr := make([]byte, 8) // magic, Badger's and the application's versions
	_, err = f.ReadAt(hdr, 0)
	f.Close()
	if err != nil {
		return false, err
	}
	ids := make([]uint64, 0, len(m.Tables))
	for id := range m.Tables {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var set pb.ManifestChangeSet
	for _, id := range ids {
		tm := m.Tables[id]
		set.Changes = append(set.Changes, &pb.ManifestChange{Id: id, Op: pb.ManifestChange_CREATE,
			Level: uint32(tm.Level), KeyId: tm.KeyID, EncryptionAlgo: pb.EncryptionAlgo_aes, Compression: uint32(tm.Compression)})
	}
	rec, err := proto.Marshal(&set)
	if err != nil {
		return false, err
	}
	b := binary.BigEndian.AppendUint32(hdr, uint32(len(rec)))
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(rec, crc32.MakeTable(crc32.Castagnoli)))
	b = append(b, rec...)
	if most > 0 && int64(len(b)) > most {
		return false, nil
	}
	tmp := filepath.Join(dir, manifestRewrite)
	if err := writeSynced(tmp, b); err != nil {
		os.Remove(tmp)
		return false, err
	}
	if err := sameManifest(tmp, int64(len(b)), m); err != nil {
		os.Remove(tmp)
		return false, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return false, err
	}
	return true, syncDir(dir)
}

// writeSynced writes b to a new file at path and syncs it.
func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// sameManifest reads the MANIFEST at path with Badger's reader and checks
// that it is size bytes and lists exactly the tables of want.
func sameManifest(path string, size int64, want badger.Manifest) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	got, end, err := replayManifest(f, badger.DefaultOptions(filepath.Dir(path)).WithLogger(nil))
	switch {
	case err != nil:
		return fmt.Errorf("the rewritten MANIFEST does not read back: %w", err)
	case end != size:
		return fmt.Errorf("the rewritten MANIFEST reads back %d bytes of %d", end, size)
	case len(got.Tables) != len(want.Tables):
		return errors.New("the rewritten MANIFEST lists other tables")
	}
	for id, tm := range want.Tables {
		if got.Tables[id] != tm {
			return fmt.Errorf("the rewritten MANIFEST says otherwise of table %d", id)
		}
	}
	return nil
}
