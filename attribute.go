package netlink

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Flag bits of an attribute's type.
const (
	// Nested marks an attribute whose payload is itself a list of
	// attributes (NLA_F_NESTED).
	Nested uint16 = 0x8000
	// NetByteOrder marks an attribute whose payload is in network (big
	// endian) byte order (NLA_F_NET_BYTEORDER).
	NetByteOrder uint16 = 0x4000

	// typeFlagMask covers both flag bits (NLA_TYPE_MASK is its complement).
	typeFlagMask = Nested | NetByteOrder
)

// maxAttributeData is the largest payload that fits an attribute's 16-bit
// length.
const maxAttributeData = math.MaxUint16 - nlaHeaderLen

// errInvalidAttribute is v1's error for an attribute whose header is cut
// short or whose length does not fit.
var errInvalidAttribute = errors.New("invalid attribute; length too short or too large")

// An Attribute is a netlink attribute: a type-length-value triple.
type Attribute struct {
	// Length of the attribute in bytes, header included and padding
	// excluded. MarshalAttributes computes a zero Length.
	Length uint16
	// Type of the attribute, with its Nested and NetByteOrder bits.
	Type uint16
	// Data is the attribute's payload.
	Data []byte
}

// MarshalAttributes encodes attrs, each padded to a 4-byte boundary. A zero
// Length is computed from Data; a Length below the size of an attribute
// header, or Data too long for a 16-bit length, is an error.
func MarshalAttributes(attrs []Attribute) ([]byte, error) {
	size := 0
	for i := range attrs {
		a := &attrs[i]
		if len(a.Data) > maxAttributeData {
			// v1 writes a wrapped length here: refuse instead.
			return nil, fmt.Errorf("netlink: attribute %d: %d bytes of data do not fit in an attribute", a.Type, len(a.Data))
		}
		size += nlaHeaderLen + nlaAlign(len(a.Data))
	}
	// Written in place into zeroed memory: the padding is already there.
	b := make([]byte, size)
	off := 0
	for i := range attrs {
		a := &attrs[i]
		length := a.Length
		if length == 0 {
			length = uint16(nlaHeaderLen + len(a.Data))
		} else if length < nlaHeaderLen {
			return nil, errInvalidAttribute
		}
		dst := b[off : off+nlaHeaderLen+len(a.Data)]
		binary.NativeEndian.PutUint16(dst[0:2], length)
		binary.NativeEndian.PutUint16(dst[2:4], a.Type)
		copyPayload(dst[nlaHeaderLen:], a.Data)
		off += nlaHeaderLen + nlaAlign(len(a.Data))
	}
	return b, nil
}

// UnmarshalAttributes decodes a list of attributes. Empty input, or input
// holding only zero-length attributes, gives nil and no error; attributes
// with a zero Length are skipped. A header cut short or a length that does
// not fit is an error. The returned Data never aliases b.
func UnmarshalAttributes(b []byte) ([]Attribute, error) {
	count, err := countAttributes(b)
	if err != nil {
		return nil, err
	}
	if count == 0 {
		return nil, nil
	}
	// One copy of the input backs every attribute's Data; each slice is
	// capped so that appending to one never overwrites the next. The
	// decoder lives on the stack.
	ad := AttributeDecoder{ByteOrder: binary.NativeEndian, b: bytes.Clone(b), count: count}
	attrs := make([]Attribute, 0, count)
	for ad.Next() {
		if ad.length != 0 {
			attrs = append(attrs, Attribute{Length: ad.length, Type: ad.typ, Data: ad.data()})
		}
	}
	if err := ad.Err(); err != nil {
		return nil, err
	}
	return attrs, nil
}

// countAttributes walks b as v1 does before decoding and returns the
// number of attributes with a non-zero length. Only a header cut short is
// an error here: a length below a header's size is stepped over as if it
// were one header, and a length past the end ends the walk; Next reports
// both when it reaches them.
func countAttributes(b []byte) (int, error) {
	n := 0
	for i := 0; i < len(b); {
		if len(b)-i < nlaHeaderLen {
			return 0, errInvalidAttribute
		}
		l := int(binary.NativeEndian.Uint16(b[i:]))
		if l != 0 {
			n++
		}
		i += nlaAlign(max(l, nlaHeaderLen))
	}
	return n, nil
}

// copyPayload copies src into dst, which is as long. The payloads of
// integer attributes are copied with one move each, sparing a call to
// memmove per attribute.
func copyPayload(dst, src []byte) {
	switch len(src) {
	case 1:
		dst[0] = src[0]
	case 2:
		*(*[2]byte)(dst) = [2]byte(src)
	case 4:
		*(*[4]byte)(dst) = [4]byte(src)
	case 8:
		*(*[8]byte)(dst) = [8]byte(src)
	default:
		copy(dst, src)
	}
}
