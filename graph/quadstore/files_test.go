package quadstore

import "testing"

// TestDecodeEntryShort: bytes that end inside an entry's header or before
// its checksum are not an entry, and never a panic.
func TestDecodeEntryShort(t *testing.T) {
	for _, b := range [][]byte{
		{0x40, 0, 0x10, 0x10},
		{0x40, 0, 0x02, 0x00, 0x00, 'k', 'k'},
		{0x40, 0, 0x7f, 0x7f, 0x00, 1, 2, 3},
		{1},
	} {
		if size, _, why := decodeEntry(b); size != 0 || (len(b) >= 2 && why == "") {
			t.Errorf("%v: size %d, why %q", b, size, why)
		}
	}
}
