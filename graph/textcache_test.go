package graph

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph/quadstore"
)

// textQuads is a graph with every kind of text the full-text index
// holds: entities' names, aliases and descriptions, statements' notes,
// and evidence with paraphrases, locators and sources (a source named by
// its label, one by its IRI), in words drawn from a small vocabulary so
// that terms recur.
func textQuads(seed int64, n int) []quad.Quad {
	r := rand.New(rand.NewSource(seed))
	words := []string{"Japan", "tariffs", "semiconductors", "Seoul", "défense", "umbrella", "nuclear", "trade", "India's", "alliance", "ministers", "dialogue", "São", "Paulo", "2024", "EU+1"}
	text := func(k int) string {
		s := ""
		for i := range k {
			if i > 0 {
				s += " "
			}
			s += words[r.Intn(len(words))]
		}
		return s
	}
	var qs []quad.Quad
	add := func(s, p, o, l quad.Value) { qs = append(qs, quad.Quad{Subject: s, Predicate: p, Object: o, Label: l}) }
	for _, src := range []string{"a", "b"} {
		add(quad.IRI(SourcePrefix+src), PredType, TypeSource, nil)
	}
	add(quad.IRI(SourcePrefix+"a"), PredName, quad.String("Commentary "+text(2)), nil)
	for i := range n {
		e := quad.IRI(fmt.Sprintf("entity:e%d", i))
		add(e, PredType, quad.IRI("type:Country"), nil)
		add(e, PredName, quad.String(fmt.Sprintf("%s %d", text(1+r.Intn(3)), i)), nil)
		if i%2 == 0 {
			add(e, PredAlias, quad.String(text(1)), nil)
		}
		if i%3 == 0 {
			add(e, PredDescription, quad.String(text(5+r.Intn(10))), nil)
		}
		if i == 0 {
			continue
		}
		stmt := quad.IRI(fmt.Sprintf("stmt:s%d", i))
		o := quad.IRI(fmt.Sprintf("entity:e%d", r.Intn(i)))
		add(e, quad.IRI("rel:partner"), o, stmt)
		add(stmt, PredType, TypeStatement, nil)
		add(stmt, PredSubject, e, nil)
		add(stmt, PredPredicate, quad.IRI("rel:partner"), nil)
		add(stmt, PredObject, o, nil)
		if i%2 == 1 {
			add(stmt, QualifierNote(), quad.String(text(4)), nil)
		}
		for k := range 1 + i%2 {
			ev := quad.IRI(fmt.Sprintf("ev:s%d/%d", i, k))
			add(stmt, PredEvidence, ev, nil)
			add(ev, PredType, TypeEvidence, nil)
			add(ev, PredSource, quad.IRI(SourcePrefix+[]string{"a", "b"}[k]), nil)
			add(ev, PredLocator, quad.String(fmt.Sprintf("%s ¶%d", text(2), i)), nil)
			add(ev, PredNote, quad.String(text(8+r.Intn(8))), nil)
		}
	}
	return qs
}

// sameTextIndex fails the test unless a and b hold the same.
func sameTextIndex(t *testing.T, what string, a, b *TextIndex) {
	t.Helper()
	if !reflect.DeepEqual(a.docs, b.docs) || !slices.Equal(a.sorted, b.sorted) || !slices.Equal(a.start, b.start) ||
		!slices.Equal(a.posts, b.posts) || a.avgLen != b.avgLen || !reflect.DeepEqual(a.stmts, b.stmts) || !reflect.DeepEqual(a.evs, b.evs) {
		t.Fatalf("%s: the full-text index differs from one built from the store", what)
	}
}

// sameText fails the test unless a and b are the same index, and answer
// alike.
func sameText(t *testing.T, what string, a, b *TextIndex) {
	t.Helper()
	sameTextIndex(t, what, a, b)
	// And it answers the same: every term, a prefix of each, phrases.
	ctx := context.Background()
	var queries []string
	for i, term := range b.sorted {
		queries = append(queries, term, term[:1]+"*")
		if i > 0 {
			queries = append(queries, fmt.Sprintf("%q", b.sorted[i-1]+" "+term))
		}
	}
	for _, q := range queries {
		tq, err := ParseTextQuery(q)
		if err != nil {
			continue
		}
		ha, na, erra := a.Search(ctx, tq, TextSearch{Limit: 1000})
		hb, nb, errb := b.Search(ctx, tq, TextSearch{Limit: 1000})
		if na != nb || !reflect.DeepEqual(ha, hb) || (erra == nil) != (errb == nil) {
			t.Fatalf("%s: %s: %d hits (%v), want %d (%v)", what, q, na, erra, nb, errb)
		}
	}
}

// freshText opens dir in a new DB, as a new process would, and returns
// its full-text index and one built from the store; read says whether the
// index came from the cache file.
func freshText(t *testing.T, dir string, ro bool) (got, want *TextIndex, read bool) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(dir, &Options{ReadOnly: ro})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err = db.TextIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	read = db.text.read
	want, err = db.buildTextIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return got, want, read
}

func TestTextCache(t *testing.T) {
	t.Run("read", testTextCache)
	t.Run("mapped", func(t *testing.T) {
		defer func(m int) { mapMin = m }(mapMin)
		mapMin = 0
		testTextCache(t)
	})
}

func testTextCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cache := filepath.Join(dir, quadstore.TextCacheFile)
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeQuads(t, db, textQuads(1, 150))
	ix, err := db.TextIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cache); err != nil {
		t.Fatalf("no text cache after TextIndex: %v", err)
	}
	if len(ix.evs) == 0 || len(ix.stmts) == 0 || ix.Terms() < 10 {
		t.Fatalf("the test graph's index has %d evidence, %d statements, %d terms", len(ix.evs), len(ix.stmts), ix.Terms())
	}
	// The process that wrote it changes the store: its own index follows,
	// and the file no longer matches.
	writeQuads(t, db, textQuads(2, 40))
	ix2, err := db.TextIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ix2 == ix || db.text.read {
		t.Fatal("TextIndex gave the index of the store before the change, or read it")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if kind, _, err := quadstore.Classify(dir); err != nil || kind != quadstore.DirStore {
		t.Fatalf("a store with its text cache is classified %v, %v", kind, err)
	}

	testCacheFile(t, dir, textKept)
	if got, _, _ := freshText(t, dir, true); got.Len() == 0 {
		t.Fatal("an empty index")
	} else if _, ok := got.termID("kerguelen"); !ok {
		t.Fatal("the new name is not in the index")
	}
}

// TestTextCacheEmpty: a store with no text keeps an empty index, and
// reads it back.
func TestTextCacheEmpty(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeQuads(t, db, []quad.Quad{quad.MakeIRI("entity:a", "rel:partner", "entity:b", "")})
	if _, err := db.TextIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	got, want, read := freshText(t, dir, true)
	sameText(t, "empty", got, want)
	if !read || got.Len() != 0 {
		t.Fatalf("read %v, %d texts", read, got.Len())
	}
}

// textCacheEdits changes the text cache file b in each of the ways
// loadText must refuse beyond its checksum.
func textCacheEdits(t *testing.T, b []byte) []cacheEdit {
	t.Helper()
	ne := binary.NativeEndian
	h := textCacheHdrLen - 8 - 8*int(numTextFields) - 64 // the counts
	c := func(i int) int { return int(ne.Uint64(b[h+8*i:])) }
	nDocs, nTerms, nPosts, nStmts, nEvs, textB := c(0), c(1), c(2), c(3), c(4), c(5)
	docs := textCacheHdrLen
	termOff := docs + textDocLen*nDocs
	start := termOff + 8*(nTerms+1)
	posts := start + pad8(4*(nTerms+1))
	stmts := posts + 8*nPosts
	evs := stmts + 32*nStmts
	if nStmts < 2 || nEvs < 2 || nTerms < 3 {
		t.Fatalf("the test graph has %d statements, %d evidence, %d terms", nStmts, nEvs, nTerms)
	}
	// A term with two postings or more.
	multi := -1
	for i := range nTerms {
		if ne.Uint32(b[start+4*(i+1):])-ne.Uint32(b[start+4*i:]) >= 2 {
			multi = i
			break
		}
	}
	if multi < 0 {
		t.Fatal("no term has two postings")
	}
	first := posts + 8*int(ne.Uint32(b[start+4*multi:]))
	edits := []struct {
		name string
		edit func(b []byte)
	}{
		{"nothing changed", func([]byte) {}},
		{"another Unicode", func(b []byte) { copy(b[16:], "1.0.0\x00") }},
		{"a mean length that is not a number", func(b []byte) {
			ne.PutUint64(b[textCacheHdrLen-8-8*int(numTextFields):], math.Float64bits(math.NaN()))
		}},
		{"a text past the texts' bytes", func(b []byte) { ne.PutUint64(b[docs+16:], uint64(textB+1)) }},
		{"a field out of range", func(b []byte) { ne.PutUint64(b[docs+32:], uint64(numTextFields)) }},
		{"the first term not at the start", func(b []byte) { ne.PutUint64(b[termOff:], 1) }},
		{"terms out of order", func(b []byte) { copy(b[termOff+8:termOff+16], b[termOff+16:termOff+24]) }},
		{"starts that go back", func(b []byte) { ne.PutUint32(b[start+4:], ne.Uint32(b[start+8:])+1) }},
		{"a posting of no text", func(b []byte) { ne.PutUint32(b[posts:], uint32(nDocs)) }},
		{"a posting past its text's words", func(b []byte) { ne.PutUint32(b[posts+4:], 1<<30) }},
		{"a term's postings out of order", func(b []byte) {
			var x [8]byte
			copy(x[:], b[first:first+8])
			copy(b[first:first+8], b[first+8:first+16])
			copy(b[first+8:first+16], x[:])
		}},
		{"a statement twice", func(b []byte) { copy(b[stmts+32:stmts+40], b[stmts:stmts+8]) }},
		{"evidence twice", func(b []byte) { copy(b[evs+textEvLen:evs+textEvLen+8], b[evs:evs+8]) }},
	}
	var out []cacheEdit
	for _, e := range edits {
		x := append([]byte(nil), b...)
		e.edit(x)
		ne.PutUint32(x[textCacheHdrLen-8:], crc32.Update(crc32.ChecksumIEEE(x[:textCacheHdrLen-8]), crc32.IEEETable, x[textCacheHdrLen:]))
		out = append(out, cacheEdit{e.name, x})
	}
	return out
}

// textKept is how testCacheFile exercises the full-text index kept with a
// store, on disk or in PostgreSQL (dir is then the database's address).
var textKept = cacheFileTest{
	name: quadstore.TextCacheFile,
	fresh: func(t *testing.T, dir string, ro, whole bool, what string) bool {
		t.Helper()
		got, want, read := freshText(t, dir, ro)
		if whole {
			sameText(t, what, got, want)
		} else {
			sameTextIndex(t, what, got, want)
		}
		return read
	},
	damage: func(size int) []int {
		return []int{9, 20, textCacheHdrLen - 10, textCacheHdrLen + 3, size / 2, size - 5}
	},
	edits: textCacheEdits,
	change: func(t *testing.T, dir string) {
		db, err := Open(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		writeQuads(t, db, []quad.Quad{quad.Make(quad.IRI("entity:new"), PredName, quad.String("Kerguelen"), nil)})
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	},
}
