package quadstore

import (
	"encoding/binary"
	"hash/crc32"
	"os"

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
