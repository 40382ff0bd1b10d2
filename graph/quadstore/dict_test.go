package quadstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/cayleygraph/quad"
)

// TestValueDict interns values of every kind, each several times in a
// random order, through many growths of the slot tables and, with small
// blocks and chunks, many arena blocks and chunks of ids: a value keeps one id, two values never share
// one, every encoding reads back as the value, and the hashes are the
// store's keys of the values as read.
func TestValueDict(t *testing.T) {
	for _, c := range []struct {
		block uint64
		spill bool // the full blocks go to a file (arenaFile)
		chunk uint // dictChunkBits
	}{{64, false, 4}, {1 << 20, false, 16}, {100, true, 7}, {1 << 14, true, 16}} {
		block := c.block
		t.Run(fmt.Sprintf("%d/spill=%v/chunk=%d", block, c.spill, c.chunk), func(t *testing.T) {
			old, oldChunk := arenaBlock, dictChunkBits
			arenaBlock, dictChunkBits = block, c.chunk
			defer func() { arenaBlock, dictChunkBits = old, oldChunk }()
			zone := time.FixedZone("X", 2*3600)
			var vals []quad.Value
			for i := range 30000 {
				var v quad.Value
				switch i % 9 {
				case 0:
					v = quad.IRI(fmt.Sprintf("entity:e%d", i))
				case 1:
					v = quad.BNode(fmt.Sprintf("b%d", i))
				case 2:
					v = quad.String(fmt.Sprintf("Entity %d", i))
				case 3:
					v = quad.TypedString{Value: quad.String(fmt.Sprint(i)), Type: "xsd:thing"}
				case 4:
					v = quad.LangString{Value: quad.String(fmt.Sprintf("nom %d", i)), Lang: "fr"}
				case 5:
					v = quad.Int(i)
				case 6:
					v = quad.Float(float64(i) / 7)
				case 7:
					v = quad.Time(time.Unix(int64(i)*1000, 0).In(zone))
				case 8:
					v = quad.String("") // one empty string, many times
				}
				vals = append(vals, v)
			}
			vals = append(vals, quad.Bool(true), quad.Bool(false))
			d := newValueDict()
			ids := make(map[string]uint32)
			seen := make(map[uint32]string)
			order := make([]int, 0, 3*len(vals))
			for range 3 {
				for i := range vals {
					order = append(order, i)
				}
			}
			rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			dir := t.TempDir()
			for k, i := range order {
				if c.spill && k == len(order)/3 {
					// Spilling starts mid-load, as it does when the
					// quads first spill.
					if err := d.spillTo(dir); err != nil {
						t.Fatal(err)
					}
					if !canMapFiles {
						t.Skip("no file maps on this system")
					}
				}
				if c.spill && k%5000 == 0 {
					d.releasePages()
				}
				v := vals[i]
				id, err := d.intern(v)
				if err != nil {
					t.Fatal(err)
				}
				text := v.String()
				if want, ok := ids[text]; ok && want != id {
					t.Fatalf("%s: id %d, then %d", text, want, id)
				}
				if other, ok := seen[id]; ok && other != text {
					t.Fatalf("id %d is both %s and %s", id, other, text)
				}
				ids[text], seen[id] = id, text
			}
			if d.count() != len(ids) {
				t.Fatalf("%d values interned, %d distinct", d.count(), len(ids))
			}
			hashes, err := d.hashes(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if c.spill {
				if len(d.spill.maps) != len(d.arena)-1 {
					t.Fatalf("%d of %d blocks spilled, want all but the last", len(d.spill.maps), len(d.arena))
				}
				d.releasePages()
			}
			for k, v := range vals {
				if c.spill && k%3000 == 0 {
					d.releasePages()
				}
				id := ids[v.String()]
				got, err := decodeValue(d.value(id))
				if err != nil {
					t.Fatal(err)
				}
				want := v
				if tv, ok := v.(quad.Time); ok {
					want = quad.Time(time.Time(tv).UTC())
				}
				if got.String() != want.String() {
					t.Fatalf("value %d reads back as %s, want %s", id, got, want)
				}
				if hashes[id-1] != hashOf(v) {
					t.Fatalf("value %d (%s): hash is not the store's key", id, v)
				}
			}
			if block == 64 && len(d.arena) < 100 {
				t.Fatalf("the values took %d blocks of 64 bytes; the test wants many", len(d.arena))
			}
			d.dropIndex()
			if _, err := decodeValue(d.value(1)); err != nil {
				t.Fatalf("after dropIndex: %v", err)
			}
			if c.spill {
				d.close()
				if left, _ := os.ReadDir(dir); len(left) > 0 {
					t.Fatalf("close left %s", left[0].Name())
				}
			}
		})
	}
}

// formValue is a value of a Go type of its own with the N-Quads form given
// (the dictionary finds it; it cannot store it).
type formValue string

func (v formValue) String() string      { return string(v) }
func (v formValue) Native() interface{} { return v }

// TestValueDictForms checks that the dictionary's identity is the N-Quads
// form whichever way a value is hashed (formHash): the same text as values
// of different kinds has different ids, and a value of another Go type
// with an IRI's, a blank node's or another value's form has that value's.
func TestValueDictForms(t *testing.T) {
	d := newValueDict()
	id := func(v quad.Value) uint32 {
		t.Helper()
		n, err := d.intern(v)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	const xsdInteger = "xsd:integer" // as quad.Int's form writes it
	distinct := []quad.Value{
		quad.IRI("x"), quad.BNode("x"), quad.String("x"), quad.String("<x>"), quad.String("_:x"),
		quad.IRI("_:x"), quad.IRI("<x>"), quad.BNode("<x>"), quad.IRI(""), quad.BNode(""), quad.String(""),
		quad.LangString{Value: "x", Lang: "en"}, quad.TypedString{Value: "x", Type: "t"},
	}
	ids := map[uint32]quad.Value{}
	for _, v := range distinct {
		n := id(v)
		if w, ok := ids[n]; ok {
			t.Errorf("%#v and %#v share id %d", v, w, n)
		}
		ids[n] = v
	}
	for _, c := range []struct{ same, as quad.Value }{
		{formValue("<x>"), quad.IRI("x")},
		{formValue("<>"), quad.IRI("")},
		{formValue("<<x>>"), quad.IRI("<x>")},
		{formValue("_:x"), quad.BNode("x")},
		{formValue("_:"), quad.BNode("")},
		{formValue("_:<x>"), quad.BNode("<x>")},
		{formValue(`"x"`), quad.String("x")},
		{formValue(`"x"@en`), quad.LangString{Value: "x", Lang: "en"}},
		{quad.Int(5), quad.TypedString{Value: "5", Type: xsdInteger}},
	} {
		if a, b := id(c.same), id(c.as); a != b {
			t.Errorf("%#v (form %s) has id %d, %#v (form %s) %d", c.same, c.same, a, c.as, c.as, b)
		}
	}
}

// TestHashOfEncoded: a value's hash taken from its encoding is hashOf's,
// for IRIs and blank nodes (whose forms it writes itself) and the rest.
func TestHashOfEncoded(t *testing.T) {
	var form []byte
	for _, v := range []quad.Value{
		quad.IRI("http://example.org/a"), quad.IRI(""), quad.IRI("a>b<c"), quad.IRI("entity:Ünïcode"),
		quad.BNode("b1"), quad.BNode(""), quad.BNode("_:x"),
		quad.String("x"), quad.String(`say "hi"` + "\n"), quad.LangString{Value: "x", Lang: "en"},
		quad.TypedString{Value: "5", Type: "xsd:integer"}, quad.Int(-3), quad.Float(1.5), quad.Bool(true),
	} {
		enc, err := appendValue(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := hashOfEncoded(enc, &form)
		if err != nil {
			t.Fatal(err)
		}
		if want := hashOf(v); got != want {
			t.Errorf("%#v: %x from its encoding, %x from the value", v, got, want)
		}
	}
	if _, err := hashOfEncoded(nil, &form); err == nil {
		t.Error("an empty encoding hashed")
	}
}
