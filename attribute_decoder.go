package netlink

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// An AttributeDecoder walks a list of netlink attributes. Call Next to move
// to each attribute in turn, then read it with one of the value methods.
// A value of the wrong size stops the walk: Next returns false and Err
// reports the problem. Numbers are read straight from the input, which must
// not change while the decoder is in use. An AttributeDecoder is not safe
// for concurrent use.
type AttributeDecoder struct {
	// ByteOrder decodes the 16, 32 and 64-bit integers. NewAttributeDecoder
	// sets it to native byte order, which a nil ByteOrder also means.
	ByteOrder binary.ByteOrder

	b     []byte // the attributes
	count int    // number of attributes in b
	next  int    // offset of the next attribute in b

	// The current attribute: its raw length and type, and its payload's
	// bounds in b.
	length     uint16
	typ        uint16
	start, end int

	err   error
	spare *AttributeDecoder // reused by Nested; nil while in use
}

// NewAttributeDecoder returns a decoder for the attributes in b, using
// native byte order. As in v1, b is walked first to count its attributes,
// and only a header cut short is an error then; an attribute whose length
// does not fit is reported by Err when Next reaches it, after the good
// attributes before it.
func NewAttributeDecoder(b []byte) (*AttributeDecoder, error) {
	count, err := countAttributes(b)
	if err != nil {
		return nil, err
	}
	// Allocate the decoder and the one Nested will use together.
	pair := new([2]AttributeDecoder)
	pair[0] = AttributeDecoder{ByteOrder: binary.NativeEndian, b: b, count: count, spare: &pair[1]}
	return &pair[0], nil
}

// Next advances to the next attribute and reports whether there is one. It
// returns false at the end of the input and after any error; an attribute
// whose length does not fit is an error, reported by Err.
func (ad *AttributeDecoder) Next() bool {
	if ad.err != nil || ad.next >= len(ad.b) {
		return false
	}
	rest := ad.b[ad.next:]
	if len(rest) < nlaHeaderLen {
		ad.err = errInvalidAttribute
		return false
	}
	// As in v1, Type and TypeFlags describe a bad attribute too, while its
	// payload stays that of the attribute before it.
	ad.length = binary.NativeEndian.Uint16(rest[0:2])
	ad.typ = binary.NativeEndian.Uint16(rest[2:4])
	l := int(ad.length)
	if l > len(rest) || (l != 0 && l < nlaHeaderLen) {
		ad.err = errInvalidAttribute
		return false
	}
	ad.start = ad.next + nlaHeaderLen
	ad.end = ad.next + max(l, nlaHeaderLen)
	ad.next += nlaAlign(max(l, nlaHeaderLen))
	return true
}

// Type returns the current attribute's type without its Nested and
// NetByteOrder bits.
func (ad *AttributeDecoder) Type() uint16 { return ad.typ &^ typeFlagMask }

// TypeFlags returns only the Nested and NetByteOrder bits of the current
// attribute's type.
func (ad *AttributeDecoder) TypeFlags() uint16 { return ad.typ & typeFlagMask }

// Len returns the number of attributes in the input, whatever Next has
// already walked. Zero-length attributes, which UnmarshalAttributes skips,
// are not counted.
func (ad *AttributeDecoder) Len() int { return ad.count }

// Err returns the first error met while decoding, if any.
func (ad *AttributeDecoder) Err() error { return ad.err }

// data returns the current attribute's payload, aliasing the input.
func (ad *AttributeDecoder) data() []byte { return ad.b[ad.start:ad.end:ad.end] }

// order returns the byte order for integers.
func (ad *AttributeDecoder) order() binary.ByteOrder {
	if ad.ByteOrder == nil {
		return binary.NativeEndian
	}
	return ad.ByteOrder
}

// sized returns the current payload if it is exactly size bytes long, and
// otherwise records an error naming the expected kind and returns nil.
func (ad *AttributeDecoder) sized(size int, kind string) []byte {
	if ad.err != nil {
		return nil
	}
	b := ad.data()
	if len(b) != size {
		ad.err = fmt.Errorf("netlink: attribute %d is not %s; length: %d", ad.Type(), kind, len(b))
		return nil
	}
	return b
}

// Bytes returns a copy of the current attribute's payload, never nil. As
// in v1, it does so even after an error.
func (ad *AttributeDecoder) Bytes() []byte {
	data := ad.data()
	b := make([]byte, len(data))
	copy(b, data)
	return b
}

// String returns the current attribute's payload as a string, with any
// trailing NUL bytes removed.
func (ad *AttributeDecoder) String() string {
	if ad.err != nil {
		return ""
	}
	return string(bytes.TrimRight(ad.data(), "\x00"))
}

// Uint8 returns the current attribute as an 8-bit unsigned integer.
func (ad *AttributeDecoder) Uint8() uint8 {
	b := ad.sized(1, "a uint8")
	if b == nil {
		return 0
	}
	return b[0]
}

// Uint16 returns the current attribute as a 16-bit unsigned integer.
func (ad *AttributeDecoder) Uint16() uint16 {
	b := ad.sized(2, "a uint16")
	if b == nil {
		return 0
	}
	return ad.order().Uint16(b)
}

// Uint32 returns the current attribute as a 32-bit unsigned integer.
func (ad *AttributeDecoder) Uint32() uint32 {
	b := ad.sized(4, "a uint32")
	if b == nil {
		return 0
	}
	return ad.order().Uint32(b)
}

// Uint64 returns the current attribute as a 64-bit unsigned integer.
func (ad *AttributeDecoder) Uint64() uint64 {
	b := ad.sized(8, "a uint64")
	if b == nil {
		return 0
	}
	return ad.order().Uint64(b)
}

// Int8 returns the current attribute as an 8-bit signed integer.
func (ad *AttributeDecoder) Int8() int8 {
	b := ad.sized(1, "a int8")
	if b == nil {
		return 0
	}
	return int8(b[0])
}

// Int16 returns the current attribute as a 16-bit signed integer.
func (ad *AttributeDecoder) Int16() int16 {
	b := ad.sized(2, "a int16")
	if b == nil {
		return 0
	}
	return int16(ad.order().Uint16(b))
}

// Int32 returns the current attribute as a 32-bit signed integer.
func (ad *AttributeDecoder) Int32() int32 {
	b := ad.sized(4, "a int32")
	if b == nil {
		return 0
	}
	return int32(ad.order().Uint32(b))
}

// Int64 returns the current attribute as a 64-bit signed integer.
func (ad *AttributeDecoder) Int64() int64 {
	b := ad.sized(8, "a int64")
	if b == nil {
		return 0
	}
	return int64(ad.order().Uint64(b))
}

// Uint returns the current attribute as a kernel variable-width unsigned
// integer (NLA_UINT, Linux 6.7 and later), which is 4 or 8 bytes long.
func (ad *AttributeDecoder) Uint() uint64 {
	if ad.err == nil && len(ad.data()) == 4 {
		return uint64(ad.Uint32())
	}
	b := ad.sized(8, "a variable-width uint")
	if b == nil {
		return 0
	}
	return ad.order().Uint64(b)
}

// Sint returns the current attribute as a kernel variable-width signed
// integer (NLA_SINT, Linux 6.7 and later), which is 4 or 8 bytes long.
func (ad *AttributeDecoder) Sint() int64 {
	if ad.err == nil && len(ad.data()) == 4 {
		return int64(ad.Int32())
	}
	b := ad.sized(8, "a variable-width sint")
	if b == nil {
		return 0
	}
	return int64(ad.order().Uint64(b))
}

// Flag reports whether the current attribute is a flag: an attribute with
// no payload. Any payload is an error.
func (ad *AttributeDecoder) Flag() bool {
	if ad.err != nil {
		return false
	}
	if n := ad.end - ad.start; n != 0 {
		ad.err = fmt.Errorf("netlink: attribute %d is not a flag; length: %d", ad.Type(), n)
		return false
	}
	return true
}

// Do calls fn with the current attribute's payload, which aliases the input
// and must not be kept after fn returns. An error from fn becomes the
// decoder's error.
func (ad *AttributeDecoder) Do(fn func(b []byte) error) {
	if ad.err != nil {
		return
	}
	if err := fn(ad.data()); err != nil {
		ad.err = err
	}
}

// Nested calls fn with a decoder for the attributes nested in the current
// attribute. nad inherits ByteOrder and is valid only while fn runs. An
// error from fn, or met by nad, becomes the decoder's error.
func (ad *AttributeDecoder) Nested(fn func(nad *AttributeDecoder) error) {
	if ad.err != nil {
		return
	}
	b := ad.data()
	count, err := countAttributes(b)
	if err != nil {
		ad.err = err
		return
	}
	nad := ad.spare
	if nad == nil {
		nad = new(AttributeDecoder)
	}
	ad.spare = nil
	*nad = AttributeDecoder{ByteOrder: ad.ByteOrder, b: b, count: count, spare: nad.spare}
	err = fn(nad)
	if err == nil {
		err = nad.err
	}
	if err != nil {
		ad.err = err
	}
	nad.b = nil
	ad.spare = nad
}
