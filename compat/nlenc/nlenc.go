// Package nlenc is github.com/netlinkgo/netlink/nlenc under the import path
// of the v1 API, github.com/mdlayher/netlink/nlenc. It holds only one-line
// forwarders; see github.com/netlinkgo/netlink/nlenc for their documentation.
package nlenc

import (
	"encoding/binary"

	"github.com/netlinkgo/netlink/nlenc"
)

// NativeEndian is nlenc.NativeEndian.
func NativeEndian() binary.ByteOrder { return nlenc.NativeEndian() }

// PutUint8 is nlenc.PutUint8.
func PutUint8(b []byte, v uint8) { nlenc.PutUint8(b, v) }

// PutUint16 is nlenc.PutUint16.
func PutUint16(b []byte, v uint16) { nlenc.PutUint16(b, v) }

// PutUint32 is nlenc.PutUint32.
func PutUint32(b []byte, v uint32) { nlenc.PutUint32(b, v) }

// PutUint64 is nlenc.PutUint64.
func PutUint64(b []byte, v uint64) { nlenc.PutUint64(b, v) }

// PutInt32 is nlenc.PutInt32.
func PutInt32(b []byte, v int32) { nlenc.PutInt32(b, v) }

// Uint8 is nlenc.Uint8.
func Uint8(b []byte) uint8 { return nlenc.Uint8(b) }

// Uint16 is nlenc.Uint16.
func Uint16(b []byte) uint16 { return nlenc.Uint16(b) }

// Uint32 is nlenc.Uint32.
func Uint32(b []byte) uint32 { return nlenc.Uint32(b) }

// Uint64 is nlenc.Uint64.
func Uint64(b []byte) uint64 { return nlenc.Uint64(b) }

// Int32 is nlenc.Int32.
func Int32(b []byte) int32 { return nlenc.Int32(b) }

// Uint8Bytes is nlenc.Uint8Bytes.
func Uint8Bytes(v uint8) []byte { return nlenc.Uint8Bytes(v) }

// Uint16Bytes is nlenc.Uint16Bytes.
func Uint16Bytes(v uint16) []byte { return nlenc.Uint16Bytes(v) }

// Uint32Bytes is nlenc.Uint32Bytes.
func Uint32Bytes(v uint32) []byte { return nlenc.Uint32Bytes(v) }

// Uint64Bytes is nlenc.Uint64Bytes.
func Uint64Bytes(v uint64) []byte { return nlenc.Uint64Bytes(v) }

// Int32Bytes is nlenc.Int32Bytes.
func Int32Bytes(v int32) []byte { return nlenc.Int32Bytes(v) }

// Bytes is nlenc.Bytes.
func Bytes(s string) []byte { return nlenc.Bytes(s) }

// String is nlenc.String.
func String(b []byte) string { return nlenc.String(b) }
