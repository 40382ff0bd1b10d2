package graph

import (
	"context"
	"database/sql"
	"encoding/binary"
	"hash/crc64"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/pgstore"
	"github.com/entente-kg/entente/graph/quadstore"
	"github.com/entente-kg/entente/internal/pgtest"
)

// pgKept reads and replaces what a store in PostgreSQL keeps under name,
// as testCacheFile does with a file.
func pgKept(url, name string) (get func(t *testing.T) []byte, put func(t *testing.T, b []byte)) {
	conn := func(t *testing.T) *sql.DB {
		t.Helper()
		c, err := sql.Open("postgres", url)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	get = func(t *testing.T) []byte {
		t.Helper()
		c := conn(t)
		defer c.Close()
		var b []byte
		if err := c.QueryRow(`SELECT data FROM entente_cache WHERE name = $1`, name).Scan(&b); err != nil {
			t.Fatalf("nothing kept under %s: %v", name, err)
		}
		return b
	}
	put = func(t *testing.T, b []byte) {
		t.Helper()
		c := conn(t)
		defer c.Close()
		if _, err := c.Exec(`UPDATE entente_cache SET data = $2 WHERE name = $1`, name, b); err != nil {
			t.Fatal(err)
		}
	}
	return get, put
}

// pgWithData is a fresh PostgreSQL store holding qs; it skips, saying why,
// without PostgreSQL.
func pgWithData(t *testing.T, qs []quad.Quad) string {
	t.Helper()
	url := pgtest.DB(t)
	if err := Init(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	// init makes the table, unlogged.
	c, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var persistence string
	if err := c.QueryRow(`SELECT relpersistence FROM pg_class WHERE oid = to_regclass('entente_cache')`).Scan(&persistence); err != nil || persistence != "u" {
		t.Fatalf("after init, entente_cache is %q, %v", persistence, err)
	}
	db, err := Open(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeQuads(t, db, qs)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return url
}

// TestKeptLinksPostgres: a store in PostgreSQL keeps its link index in a
// row of its database, on the terms of the file a store on disk keeps.
func TestKeptLinksPostgres(t *testing.T) {
	url := pgWithData(t, linkQuads(1, 200))
	// The first process builds the index and keeps it.
	if _, _, read := freshLinks(t, url, false); read {
		t.Fatal("a link index was read before any was kept")
	}
	c := linksKept
	c.get, c.put = pgKept(url, c.name)
	testCacheFile(t, url, c)
}

// TestKeptTextPostgres: the same for the full-text index.
func TestKeptTextPostgres(t *testing.T) {
	url := pgWithData(t, textQuads(1, 150))
	if _, _, read := freshText(t, url, false); read {
		t.Fatal("a text index was read before any was kept")
	}
	c := textKept
	c.get, c.put = pgKept(url, c.name)
	testCacheFile(t, url, c)
	if got, _, _ := freshText(t, url, true); got.Len() == 0 {
		t.Fatal("an empty index")
	} else if _, ok := got.termID("kerguelen"); !ok {
		t.Fatal("the new name is not in the index")
	}
}

// pgFresh is what a fresh process makes of the store at url: its stamp
// (its contents and its numbering of the nodes), and the values of the
// nodes numbered 1 and 2.
func pgFresh(t *testing.T, url string) (quadstore.Stamp, [2]quad.Value) {
	t.Helper()
	db, err := Open(url, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ps := db.qs.(*pgstore.Store)
	st, ok := ps.Stamp()
	if !ok {
		t.Fatal("no stamp for an unchanging store")
	}
	var vs [2]quad.Value
	for i := range vs {
		if vs[i], err = ps.NameOf(ps.NodeRef(uint64(i + 1))); err != nil || vs[i] == nil {
			t.Fatalf("node %d: %v, %v", i+1, vs[i], err)
		}
	}
	return st, vs
}

// idsRow is the row of a numbering: the newest quad it covers, the nodes'
// hashes in id order, and its checksum.
func idsRow(last uint64, hashes []byte) []byte {
	le := binary.LittleEndian
	b := le.AppendUint64(nil, last)
	b = le.AppendUint64(b, uint64(len(hashes)/quad.HashSize))
	b = append(b, hashes...)
	return le.AppendUint64(b, crc64.Checksum(b, crc64.MakeTable(crc64.ECMA)))
}

// TestKeptIDsPostgres: a fresh process numbers the nodes as the kept
// numbering does, when it was kept for the store's contents and is
// sound; otherwise it numbers them itself, as before. The stamp names the
// numbering, so that an index kept in one numbering is not read in
// another.
func TestKeptIDsPostgres(t *testing.T) {
	ctx := context.Background()
	gone := quad.Make(quad.IRI("entity:gone"), quad.IRI("rel:partner"), quad.IRI("entity:gone2"), nil)
	url := pgWithData(t, append(linkQuads(3, 150), gone))
	first, firstVals := pgFresh(t, url) // numbers the nodes and keeps the numbering
	get, put := pgKept(url, "ids")
	kept := get(t)
	const h = quad.HashSize
	le := binary.LittleEndian
	if len(kept) < 24+h*10 || (len(kept)-24)%h != 0 ||
		string(idsRow(le.Uint64(kept), kept[16:len(kept)-8])) != string(kept) {
		t.Fatalf("the numbering kept is %d bytes, not as idsRow makes it", len(kept))
	}
	if st, _ := pgFresh(t, url); st != first {
		t.Fatal("a second process numbered the nodes otherwise")
	}
	// A sound numbering other than the one a process makes (nodes 1 and 2
	// swapped) is adopted: the stamp names it, the nodes are numbered as
	// it says, and the answers hold.
	hashes := append([]byte(nil), kept[16:len(kept)-8]...)
	var tmp [h]byte
	copy(tmp[:], hashes[:h])
	copy(hashes[:h], hashes[h:2*h])
	copy(hashes[h:2*h], tmp[:])
	put(t, idsRow(le.Uint64(kept), hashes))
	st, vals := pgFresh(t, url)
	if st == first || vals != [2]quad.Value{firstVals[1], firstVals[0]} {
		t.Fatalf("the numbering kept was not adopted: nodes 1 and 2 are %v, were %v", vals, firstVals)
	}
	got, want, _ := freshLinks(t, url, true)
	sameLinks(t, "in the numbering kept", got, want)
	// Damaged: not adopted; the process numbers the nodes as the first did.
	dup := append([]byte(nil), kept[16:len(kept)-8]...)
	copy(dup[h:2*h], dup[:h])
	flipped := append([]byte(nil), kept...)
	flipped[30] ^= 1
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"a hash twice", idsRow(le.Uint64(kept), dup)},
		{"cut inside a hash", kept[:len(kept)-5]},
		{"cut after a hash", append(kept[:len(kept)-8-h:len(kept)-8-h], kept[len(kept)-8:]...)},
		{"a byte changed", flipped},
		{"no quad numbered", idsRow(0, nil)},
	} {
		put(t, c.b)
		if st, vals := pgFresh(t, url); st != first || vals != firstVals {
			t.Fatalf("%s: adopted", c.name)
		}
		got, want, _ := freshLinks(t, url, true)
		sameLinks(t, c.name, got, want)
	}
	// A process that removed a node's only quad still numbers that node:
	// the index it keeps is in a numbering a fresh process does not make,
	// so that process does not read it, and answers from the store.
	db, err := Open(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Links(ctx); err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(b *Batch) error {
		b.Remove(gone)
		for _, q := range linkQuads(4, 20) {
			b.Add(q)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Links(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	stampOf := func() string {
		c, err := sql.Open("postgres", url)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var st []byte
		if err := c.QueryRow(`SELECT stamp FROM entente_cache WHERE name = 'ids'`).Scan(&st); err != nil {
			t.Fatal(err)
		}
		return string(st)
	}
	before := stampOf()
	got, want, read := freshLinks(t, url, true)
	if read {
		t.Fatal("a fresh process read the index kept in another numbering")
	}
	sameLinks(t, "after the change", got, want)
	if stampOf() == before {
		t.Fatal("the numbering kept for the contents before the change was not replaced")
	}
	if _, _, read := freshLinks(t, url, true); !read {
		t.Fatal("the next process did not read the index the fresh one kept")
	}
}
