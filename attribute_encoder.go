package netlink

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
)

// encoderBuffer is the capacity of an encoder's buffer on first use:
// enough for a typical request's attributes in one allocation.
const encoderBuffer = 256

// An AttributeEncoder encodes netlink attributes into one growing buffer.
// The first error met by any method is kept and returned by Encode; after
// it, further calls do nothing. An AttributeEncoder is not safe for
// concurrent use.
type AttributeEncoder struct {
	// ByteOrder encodes the 16, 32 and 64-bit integers. NewAttributeEncoder
	// sets it to native byte order, which a nil ByteOrder also means.
	ByteOrder binary.ByteOrder

	buf []byte
	err error

	// handedOut says that Encode returned buf: the encoder never writes
	// over those bytes, and hands out a copy next time.
	handedOut bool

	spare *AttributeEncoder // reused by Nested; nil while in use
}

// NewAttributeEncoder returns an encoder using native byte order.
func NewAttributeEncoder() *AttributeEncoder {
	// Allocate the encoder and the one Nested will use together.
	pair := new([2]AttributeEncoder)
	pair[0].ByteOrder = binary.NativeEndian
	pair[0].spare = &pair[1]
	return &pair[0]
}

// order returns the byte order for integers.
func (ae *AttributeEncoder) order() binary.ByteOrder {
	if ae.ByteOrder == nil {
		return binary.NativeEndian
	}
	return ae.ByteOrder
}

// add appends an attribute header for a payload of size bytes, at most
// maxAttributeData, plus zeroed padding, and returns the payload for the
// caller to fill. It only ever writes past the end of the encoded bytes.
func (ae *AttributeEncoder) add(typ uint16, size int) []byte {
	total := nlaHeaderLen + nlaAlign(size)
	if cap(ae.buf) == 0 {
		ae.allocate(total)
	}
	n := len(ae.buf)
	ae.buf = slices.Grow(ae.buf, total)[:n+total]
	attr := ae.buf[n:]
	binary.NativeEndian.PutUint16(attr[0:2], uint16(nlaHeaderLen+size))
	binary.NativeEndian.PutUint16(attr[2:4], typ)
	clear(attr[nlaHeaderLen+size:])
	return attr[nlaHeaderLen : nlaHeaderLen+size]
}

// allocate gives ae a first buffer with room for at least n bytes. The
// same allocation also serves the first buffer of the encoder Nested uses.
func (ae *AttributeEncoder) allocate(n int) {
	if ae.spare == nil || cap(ae.spare.buf) != 0 || n > encoderBuffer {
		ae.buf = make([]byte, 0, max(n, encoderBuffer))
		return
	}
	// Each half is capped, so that growing one never writes over the other.
	b := make([]byte, 2*encoderBuffer)
	ae.buf = b[:0:encoderBuffer]
	ae.spare.buf = b[encoderBuffer:encoderBuffer]
}

// Uint8 encodes an 8-bit unsigned integer attribute.
func (ae *AttributeEncoder) Uint8(typ uint16, v uint8) {
	if ae.err != nil {
		return
	}
	ae.add(typ, 1)[0] = v
}

// Uint16 encodes a 16-bit unsigned integer attribute.
func (ae *AttributeEncoder) Uint16(typ uint16, v uint16) {
	if ae.err != nil {
		return
	}
	ae.order().PutUint16(ae.add(typ, 2), v)
}

// Uint32 encodes a 32-bit unsigned integer attribute.
func (ae *AttributeEncoder) Uint32(typ uint16, v uint32) {
	if ae.err != nil {
		return
	}
	ae.order().PutUint32(ae.add(typ, 4), v)
}

// Uint64 encodes a 64-bit unsigned integer attribute.
func (ae *AttributeEncoder) Uint64(typ uint16, v uint64) {
	if ae.err != nil {
		return
	}
	ae.order().PutUint64(ae.add(typ, 8), v)
}

// Int8 encodes an 8-bit signed integer attribute.
func (ae *AttributeEncoder) Int8(typ uint16, v int8) { ae.Uint8(typ, uint8(v)) }

// Int16 encodes a 16-bit signed integer attribute.
func (ae *AttributeEncoder) Int16(typ uint16, v int16) { ae.Uint16(typ, uint16(v)) }

// Int32 encodes a 32-bit signed integer attribute.
func (ae *AttributeEncoder) Int32(typ uint16, v int32) { ae.Uint32(typ, uint32(v)) }

// Int64 encodes a 64-bit signed integer attribute.
func (ae *AttributeEncoder) Int64(typ uint16, v int64) { ae.Uint64(typ, uint64(v)) }

// Uint encodes a kernel variable-width unsigned integer (NLA_UINT, Linux
// 6.7 and later): 4 bytes when v fits in 32 bits, 8 bytes otherwise.
func (ae *AttributeEncoder) Uint(typ uint16, v uint64) {
	if v <= math.MaxUint32 {
		ae.Uint32(typ, uint32(v))
		return
	}
	ae.Uint64(typ, v)
}

// Sint encodes a kernel variable-width signed integer (NLA_SINT, Linux 6.7
// and later): 4 bytes when v fits in 32 bits, 8 bytes otherwise.
func (ae *AttributeEncoder) Sint(typ uint16, v int64) {
	if v >= math.MinInt32 && v <= math.MaxInt32 {
		ae.Int32(typ, int32(v))
		return
	}
	ae.Int64(typ, v)
}

// Flag encodes an attribute with no payload when v is true, and nothing
// when v is false.
func (ae *AttributeEncoder) Flag(typ uint16, v bool) {
	if ae.err != nil || !v {
		return
	}
	ae.add(typ, 0)
}

// Errors for payloads too long for an attribute's 16-bit length, with v1's
// texts. v1 lets a string of exactly maxAttributeData bytes through and
// wraps its length; it is an error here.
var (
	errStringTooLarge = errors.New("string is too large to fit in a netlink attribute")
	errBytesTooLarge  = errors.New("byte slice is too large to fit in a netlink attribute")
	errDoTooLarge     = errors.New("byte slice produced by Do is too large to fit in a netlink attribute")
)

// String encodes s as a NUL-terminated string attribute. A string too long
// for an attribute is an error.
func (ae *AttributeEncoder) String(typ uint16, s string) {
	if ae.err != nil {
		return
	}
	if len(s)+1 > maxAttributeData {
		ae.err = errStringTooLarge
		return
	}
	b := ae.add(typ, len(s)+1)
	b[copy(b, s)] = 0
}

// Bytes encodes a copy of b as the payload of an attribute. A payload too
// long for an attribute is an error.
func (ae *AttributeEncoder) Bytes(typ uint16, b []byte) {
	if ae.err != nil {
		return
	}
	if len(b) > maxAttributeData {
		ae.err = errBytesTooLarge
		return
	}
	copy(ae.add(typ, len(b)), b)
}

// Do encodes a copy of the bytes fn returns as the payload of an
// attribute. An error from fn, or a payload too long for an attribute,
// becomes the encoder's error.
func (ae *AttributeEncoder) Do(typ uint16, fn func() ([]byte, error)) {
	if ae.err != nil {
		return
	}
	b, err := fn()
	if err != nil {
		ae.err = err
		return
	}
	if len(b) > maxAttributeData {
		ae.err = errDoTooLarge
		return
	}
	copy(ae.add(typ, len(b)), b)
}

// Nested encodes a nested attribute: typ with the Nested bit set, whose
// payload is the attributes fn encodes with nae. nae inherits ByteOrder and
// is valid only while fn runs. An error from fn, or met by nae, or a
// payload too long for an attribute, becomes the encoder's error and no
// attribute is added. As in v1, attributes added to ae while fn runs come
// before the nested one.
func (ae *AttributeEncoder) Nested(typ uint16, fn func(nae *AttributeEncoder) error) {
	if ae.err != nil {
		return
	}
	nae := ae.spare
	if nae == nil {
		nae = new(AttributeEncoder)
	}
	ae.spare = nil

	// nae has a buffer of its own, kept for the next Nested call; its
	// bytes are copied into place once fn is done.
	nae.ByteOrder, nae.err = ae.ByteOrder, nil
	err := fn(nae)
	if err == nil {
		err = nae.err
	}
	if err == nil && len(nae.buf) > maxAttributeData {
		err = errDoTooLarge
	}
	if err != nil {
		ae.err = err
	} else {
		copy(ae.add(typ|Nested, len(nae.buf)), nae.buf)
	}

	if nae.handedOut {
		// fn kept what nae.Encode returned: leave that memory alone.
		nae.buf, nae.handedOut = nil, false
	}
	nae.buf, nae.err = nae.buf[:0], nil
	ae.spare = nae
}

// Len returns the number of bytes Encode will return.
func (ae *AttributeEncoder) Len() int { return len(ae.buf) }

// Encode returns the encoded attributes, or the first error met by any
// method. Later calls on the encoder never change the returned bytes, and
// each Encode returns memory of its own. The bytes are not copied, though:
// changes made to them before encoding again are carried into the next
// result. With no attributes, Encode returns an empty, non-nil slice.
func (ae *AttributeEncoder) Encode() ([]byte, error) {
	if ae.err != nil {
		return nil, ae.err
	}
	if len(ae.buf) == 0 {
		return []byte{}, nil
	}
	if ae.handedOut {
		// The caller owns the current buffer: continue in a copy.
		ae.buf = slices.Clone(ae.buf)
	}
	ae.handedOut = true
	return ae.buf[:len(ae.buf):len(ae.buf)], nil
}
