package netlink

import (
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

// Errors returned while encoding and decoding attributes.
var (
	errShortAttribute  = errors.New("netlink: not enough data for a netlink attribute")
	errAttributeLength = errors.New("netlink: invalid netlink attribute length")
)

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
	for _, a := range attrs {
		size += nlaHeaderLen + nlaAlign(len(a.Data))
	}
	b := make([]byte, 0, size)
	for _, a := range attrs {
		if len(a.Data) > maxAttributeData {
			return nil, fmt.Errorf("netlink: attribute %d: %d bytes of data do not fit in an attribute", a.Type, len(a.Data))
		}
		if a.Length == 0 {
			a.Length = uint16(nlaHeaderLen + len(a.Data))
		}
		if a.Length < nlaHeaderLen {
			return nil, fmt.Errorf("netlink: attribute %d: length %d is shorter than a header: %w", a.Type, a.Length, errAttributeLength)
		}
		b = appendAttribute(b, a.Length, a.Type, a.Data)
	}
	return b, nil
}

// appendAttribute appends an attribute header with the given length and
// type, then data padded to 4 bytes.
func appendAttribute(b []byte, length, typ uint16, data []byte) []byte {
	b = binary.NativeEndian.AppendUint16(b, length)
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, data...)
	return appendPadding(b, len(data))
}

// appendPadding appends the zero bytes that align a payload of n bytes.
func appendPadding(b []byte, n int) []byte {
	for range nlaAlign(n) - n {
		b = append(b, 0)
	}
	return b
}

// UnmarshalAttributes decodes a list of attributes. Empty input gives nil
// and no error; attributes with a zero Length are skipped. The returned
// Data never aliases b.
func UnmarshalAttributes(b []byte) ([]Attribute, error) {
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		return nil, err
	}
	if ad.Len() == 0 {
		return nil, nil
	}
	// One copy of the input backs every attribute's Data; each slice is
	// capped so that appending to one never overwrites the next.
	owned := append([]byte(nil), b...)
	ad.b = owned
	attrs := make([]Attribute, 0, ad.Len())
	for ad.Next() {
		if ad.length == 0 {
			continue
		}
		attrs = append(attrs, Attribute{Length: ad.length, Type: ad.typ, Data: ad.data()})
	}
	return attrs, nil
}

// checkAttributes walks b and returns the number of attributes in it, not
// counting the zero-length ones that UnmarshalAttributes skips, or an error
// if an attribute's header or length does not fit.
func checkAttributes(b []byte) (int, error) {
	n := 0
	for i := 0; i < len(b); {
		rest := b[i:]
		if len(rest) < nlaHeaderLen {
			return 0, fmt.Errorf("%w: %d trailing bytes at offset %d", errShortAttribute, len(rest), i)
		}
		length := int(binary.NativeEndian.Uint16(rest))
		switch {
		case length == 0:
			i += nlaHeaderLen
		case length < nlaHeaderLen || length > len(rest):
			return 0, fmt.Errorf("%w: %d at offset %d with %d bytes left", errAttributeLength, length, i, len(rest))
		default:
			i += nlaAlign(length)
			n++
		}
	}
	return n, nil
}
