package quadstore

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/cayleygraph/quad"
)

// hashSize is the length of a value hash. A value's identity is its N-Quads
// form (quad.Value.String), as everywhere in Cayley; the store keys it by the
// first 16 bytes of its SHA-256, so that a collision is as unlikely as a
// random 128-bit clash.
const hashSize = 16

type valueHash [hashSize]byte

// hashOf returns the identity hash of v; v must not be nil.
func hashOf(v quad.Value) valueHash { return hashOfText(v.String()) }

// literalEncoding reports whether enc, a value's encoding, is a literal's:
// neither an IRI nor a blank node.
func literalEncoding(enc []byte) bool {
	return len(enc) > 0 && enc[0] != tagIRI && enc[0] != tagBNode
}

// hashOfEncoded returns the identity hash of the value encoded as enc
// (appendValue's encoding), as hashOf would of the value decoded: an IRI's
// or a blank node's form is written into *buf, kept by the caller, not
// built as a string (the bulk path hashes every value once).
func hashOfEncoded(enc []byte, buf *[]byte) (valueHash, error) {
	if len(enc) > 0 {
		switch enc[0] {
		case tagIRI:
			*buf = append(append(append((*buf)[:0], '<'), enc[1:]...), '>')
			return hashOfBytes(*buf), nil
		case tagBNode:
			*buf = append(append((*buf)[:0], "_:"...), enc[1:]...)
			return hashOfBytes(*buf), nil
		}
	}
	v, err := decodeValue(enc)
	if err != nil {
		return valueHash{}, err
	}
	return hashOf(v), nil
}

func hashOfBytes(form []byte) valueHash {
	sum := sha256.Sum256(form)
	return valueHash(sum[:hashSize])
}

// hashOfText returns the identity hash of the value whose N-Quads form is
// text.
func hashOfText(text string) valueHash {
	sum := sha256.Sum256([]byte(text))
	var h valueHash
	copy(h[:], sum[:hashSize])
	return h
}

// Value tags of the stored encoding. The tag is the first byte; the payload
// follows. The encoding is part of the on-disk format: change it only with
// a new format version.
const (
	tagIRI        = 'I'
	tagBNode      = 'B'
	tagString     = 'S'
	tagTyped      = 'T' // uvarint len(value), value, type IRI
	tagLang       = 'L' // uvarint len(value), value, language
	tagInt        = 'i' // varint
	tagFloat      = 'f' // 8 bytes, IEEE 754 big endian
	tagBool       = 'b' // 0 or 1
	tagTime       = 't' // varint seconds, uvarint nanoseconds (UTC)
	maxValueBytes = 16 << 20
)

// appendValue appends the stored encoding of v to dst.
func appendValue(dst []byte, v quad.Value) ([]byte, error) {
	switch v := v.(type) {
	case quad.IRI:
		dst = append(dst, tagIRI)
		dst = append(dst, v...)
	case quad.BNode:
		dst = append(dst, tagBNode)
		dst = append(dst, v...)
	case quad.String:
		dst = append(dst, tagString)
		dst = append(dst, v...)
	case quad.TypedString:
		dst = append(dst, tagTyped)
		dst = binary.AppendUvarint(dst, uint64(len(v.Value)))
		dst = append(dst, v.Value...)
		dst = append(dst, v.Type...)
	case quad.LangString:
		dst = append(dst, tagLang)
		dst = binary.AppendUvarint(dst, uint64(len(v.Value)))
		dst = append(dst, v.Value...)
		dst = append(dst, v.Lang...)
	case quad.Int:
		dst = append(dst, tagInt)
		dst = binary.AppendVarint(dst, int64(v))
	case quad.Float:
		dst = append(dst, tagFloat)
		dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(float64(v)))
	case quad.Bool:
		dst = append(dst, tagBool)
		if v {
			dst = append(dst, 1)
		} else {
			dst = append(dst, 0)
		}
	case quad.Time:
		t := time.Time(v)
		dst = append(dst, tagTime)
		dst = binary.AppendVarint(dst, t.Unix())
		dst = binary.AppendUvarint(dst, uint64(t.Nanosecond()))
	case nil:
		return dst, fmt.Errorf("quadstore: cannot store a nil value")
	default:
		return dst, fmt.Errorf("quadstore: unsupported value type %T", v)
	}
	return dst, nil
}

// decodeValue decodes a value stored by appendValue. The result does not
// alias b.
func decodeValue(b []byte) (quad.Value, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty value record", ErrCorrupt)
	}
	tag, p := b[0], b[1:]
	switch tag {
	case tagIRI:
		return quad.IRI(p), nil
	case tagBNode:
		return quad.BNode(p), nil
	case tagString:
		return quad.String(p), nil
	case tagTyped, tagLang:
		n, k := binary.Uvarint(p)
		if k <= 0 || uint64(len(p)-k) < n {
			return nil, fmt.Errorf("%w: bad value record", ErrCorrupt)
		}
		val, rest := string(p[k:k+int(n)]), string(p[k+int(n):])
		if tag == tagTyped {
			return quad.TypedString{Value: quad.String(val), Type: quad.IRI(rest)}, nil
		}
		return quad.LangString{Value: quad.String(val), Lang: rest}, nil
	case tagInt:
		n, k := binary.Varint(p)
		if k <= 0 || k != len(p) {
			return nil, fmt.Errorf("%w: bad integer record", ErrCorrupt)
		}
		return quad.Int(n), nil
	case tagFloat:
		if len(p) != 8 {
			return nil, fmt.Errorf("%w: bad float record", ErrCorrupt)
		}
		return quad.Float(math.Float64frombits(binary.BigEndian.Uint64(p))), nil
	case tagBool:
		if len(p) != 1 {
			return nil, fmt.Errorf("%w: bad bool record", ErrCorrupt)
		}
		return quad.Bool(p[0] == 1), nil
	case tagTime:
		sec, k := binary.Varint(p)
		if k <= 0 {
			return nil, fmt.Errorf("%w: bad time record", ErrCorrupt)
		}
		nsec, k2 := binary.Uvarint(p[k:])
		if k2 <= 0 || k+k2 != len(p) || nsec >= 1e9 {
			return nil, fmt.Errorf("%w: bad time record", ErrCorrupt)
		}
		return quad.Time(time.Unix(sec, int64(nsec)).UTC()), nil
	}
	return nil, fmt.Errorf("%w: unknown value tag %q", ErrCorrupt, tag)
}
