// Package nlenc provides native-endian encoding and decoding helpers for
// the integers and strings found in netlink messages.
//
// The fixed-size Put and read functions panic when the slice is not exactly
// the size of the value: a wrong size is a programming error, not bad input.
package nlenc

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// NativeEndian returns the byte order of the machine the program runs on,
// which is the byte order of netlink headers and most netlink attributes.
func NativeEndian() binary.ByteOrder { return binary.NativeEndian }

// checkSize panics, with v1's text, unless b is exactly n bytes long.
func checkSize(b []byte, n int, name string) {
	if len(b) != n {
		panic(fmt.Sprintf("%s: unexpected byte slice length: %d", name, len(b)))
	}
}

// PutUint8 stores v in b, which must be exactly 1 byte long.
func PutUint8(b []byte, v uint8) {
	checkSize(b, 1, "PutUint8")
	b[0] = v
}

// PutUint16 stores v in b in native byte order; b must be exactly 2 bytes long.
func PutUint16(b []byte, v uint16) {
	checkSize(b, 2, "PutUint16")
	binary.NativeEndian.PutUint16(b, v)
}

// PutUint32 stores v in b in native byte order; b must be exactly 4 bytes long.
func PutUint32(b []byte, v uint32) {
	checkSize(b, 4, "PutUint32")
	binary.NativeEndian.PutUint32(b, v)
}

// PutUint64 stores v in b in native byte order; b must be exactly 8 bytes long.
func PutUint64(b []byte, v uint64) {
	checkSize(b, 8, "PutUint64")
	binary.NativeEndian.PutUint64(b, v)
}

// PutInt32 stores v in b in native byte order; b must be exactly 4 bytes long.
func PutInt32(b []byte, v int32) {
	checkSize(b, 4, "PutInt32")
	binary.NativeEndian.PutUint32(b, uint32(v))
}

// Uint8 returns the value of b, which must be exactly 1 byte long.
func Uint8(b []byte) uint8 {
	checkSize(b, 1, "Uint8")
	return b[0]
}

// Uint16 decodes b in native byte order; b must be exactly 2 bytes long.
func Uint16(b []byte) uint16 {
	checkSize(b, 2, "Uint16")
	return binary.NativeEndian.Uint16(b)
}

// Uint32 decodes b in native byte order; b must be exactly 4 bytes long.
func Uint32(b []byte) uint32 {
	checkSize(b, 4, "Uint32")
	return binary.NativeEndian.Uint32(b)
}

// Uint64 decodes b in native byte order; b must be exactly 8 bytes long.
func Uint64(b []byte) uint64 {
	checkSize(b, 8, "Uint64")
	return binary.NativeEndian.Uint64(b)
}

// Int32 decodes b in native byte order; b must be exactly 4 bytes long.
func Int32(b []byte) int32 {
	checkSize(b, 4, "Int32")
	return int32(binary.NativeEndian.Uint32(b))
}

// Uint8Bytes returns v as a 1-byte slice.
func Uint8Bytes(v uint8) []byte { return []byte{v} }

// Uint16Bytes returns v as a 2-byte slice in native byte order.
func Uint16Bytes(v uint16) []byte { return binary.NativeEndian.AppendUint16(make([]byte, 0, 2), v) }

// Uint32Bytes returns v as a 4-byte slice in native byte order.
func Uint32Bytes(v uint32) []byte { return binary.NativeEndian.AppendUint32(make([]byte, 0, 4), v) }

// Uint64Bytes returns v as an 8-byte slice in native byte order.
func Uint64Bytes(v uint64) []byte { return binary.NativeEndian.AppendUint64(make([]byte, 0, 8), v) }

// Int32Bytes returns v as a 4-byte slice in native byte order.
func Int32Bytes(v int32) []byte { return Uint32Bytes(uint32(v)) }

// Bytes returns s as a NUL-terminated byte slice, the form netlink uses for
// string attributes.
func Bytes(s string) []byte {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return b
}

// String returns b as a string with all trailing NUL bytes removed.
func String(b []byte) string {
	return string(bytes.TrimRight(b, "\x00"))
}
