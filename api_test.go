package netlink_test

// This file pins the exported surface of the wire format (package netlink)
// and of package nlenc, sections 1 and 3 of the contract, to the exact
// signatures of the v1 API that callers compile against. It is checked by
// the compiler: if a name disappears or a signature or field type changes,
// the package's tests no longer build. The one test below checks the
// values of the constants, which are kernel facts.

import (
	"encoding"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/nlenc"
)

// Types and struct fields.
var (
	_ = netlink.Header{
		Length:   uint32(0),
		Type:     netlink.HeaderType(0),
		Flags:    netlink.HeaderFlags(0),
		Sequence: uint32(0),
		PID:      uint32(0),
	}
	_ = netlink.Message{
		Header: netlink.Header{},
		Data:   []byte(nil),
	}
	_ = netlink.Attribute{
		Length: uint16(0),
		Type:   uint16(0),
		Data:   []byte(nil),
	}
	_ = netlink.AttributeEncoder{ByteOrder: binary.ByteOrder(nil)}
	_ = netlink.AttributeDecoder{ByteOrder: binary.ByteOrder(nil)}

	// An interface-typed field accepts more than its own type; reading it
	// back pins it from the other side.
	_ func(netlink.AttributeEncoder) binary.ByteOrder = func(ae netlink.AttributeEncoder) binary.ByteOrder { return ae.ByteOrder }
	_ func(netlink.AttributeDecoder) binary.ByteOrder = func(ad netlink.AttributeDecoder) binary.ByteOrder { return ad.ByteOrder }
)

// underlyingUint16 compiles only for types whose underlying type is uint16.
func underlyingUint16[T ~uint16]() {}

// Underlying types.
var (
	_ = underlyingUint16[netlink.HeaderType]
	_ = underlyingUint16[netlink.HeaderFlags]
)

// Interfaces the types satisfy.
var (
	_ fmt.Stringer               = netlink.HeaderType(0)
	_ fmt.Stringer               = netlink.HeaderFlags(0)
	_ encoding.BinaryMarshaler   = netlink.Message{}
	_ encoding.BinaryUnmarshaler = (*netlink.Message)(nil)
)

// Constants with their types.
var (
	_ uint16 = netlink.Nested
	_ uint16 = netlink.NetByteOrder

	_ netlink.HeaderType = netlink.Noop
	_ netlink.HeaderType = netlink.Error
	_ netlink.HeaderType = netlink.Done
	_ netlink.HeaderType = netlink.Overrun

	_ netlink.HeaderFlags = netlink.Request
	_ netlink.HeaderFlags = netlink.Multi
	_ netlink.HeaderFlags = netlink.Acknowledge
	_ netlink.HeaderFlags = netlink.Echo
	_ netlink.HeaderFlags = netlink.DumpInterrupted
	_ netlink.HeaderFlags = netlink.DumpFiltered
	_ netlink.HeaderFlags = netlink.Root
	_ netlink.HeaderFlags = netlink.Match
	_ netlink.HeaderFlags = netlink.Atomic
	_ netlink.HeaderFlags = netlink.Dump
	_ netlink.HeaderFlags = netlink.Replace
	_ netlink.HeaderFlags = netlink.Excl
	_ netlink.HeaderFlags = netlink.Create
	_ netlink.HeaderFlags = netlink.Append
	_ netlink.HeaderFlags = netlink.Capped
	_ netlink.HeaderFlags = netlink.AcknowledgeTLVs
)

// Functions and methods of the wire format.
var (
	_ func(netlink.HeaderType) string  = netlink.HeaderType.String
	_ func(netlink.HeaderFlags) string = netlink.HeaderFlags.String

	_ func(netlink.Message) ([]byte, error)     = netlink.Message.MarshalBinary
	_ func(*netlink.Message, []byte) error      = (*netlink.Message).UnmarshalBinary
	_ func([]netlink.Attribute) ([]byte, error) = netlink.MarshalAttributes
	_ func([]byte) ([]netlink.Attribute, error) = netlink.UnmarshalAttributes

	_ func() *netlink.AttributeEncoder                                                   = netlink.NewAttributeEncoder
	_ func(*netlink.AttributeEncoder, uint16, uint8)                                     = (*netlink.AttributeEncoder).Uint8
	_ func(*netlink.AttributeEncoder, uint16, uint16)                                    = (*netlink.AttributeEncoder).Uint16
	_ func(*netlink.AttributeEncoder, uint16, uint32)                                    = (*netlink.AttributeEncoder).Uint32
	_ func(*netlink.AttributeEncoder, uint16, uint64)                                    = (*netlink.AttributeEncoder).Uint64
	_ func(*netlink.AttributeEncoder, uint16, int8)                                      = (*netlink.AttributeEncoder).Int8
	_ func(*netlink.AttributeEncoder, uint16, int16)                                     = (*netlink.AttributeEncoder).Int16
	_ func(*netlink.AttributeEncoder, uint16, int32)                                     = (*netlink.AttributeEncoder).Int32
	_ func(*netlink.AttributeEncoder, uint16, int64)                                     = (*netlink.AttributeEncoder).Int64
	_ func(*netlink.AttributeEncoder, uint16, uint64)                                    = (*netlink.AttributeEncoder).Uint
	_ func(*netlink.AttributeEncoder, uint16, int64)                                     = (*netlink.AttributeEncoder).Sint
	_ func(*netlink.AttributeEncoder, uint16, bool)                                      = (*netlink.AttributeEncoder).Flag
	_ func(*netlink.AttributeEncoder, uint16, string)                                    = (*netlink.AttributeEncoder).String
	_ func(*netlink.AttributeEncoder, uint16, []byte)                                    = (*netlink.AttributeEncoder).Bytes
	_ func(*netlink.AttributeEncoder, uint16, func() ([]byte, error))                    = (*netlink.AttributeEncoder).Do
	_ func(*netlink.AttributeEncoder, uint16, func(nae *netlink.AttributeEncoder) error) = (*netlink.AttributeEncoder).Nested
	_ func(*netlink.AttributeEncoder) int                                                = (*netlink.AttributeEncoder).Len
	_ func(*netlink.AttributeEncoder) ([]byte, error)                                    = (*netlink.AttributeEncoder).Encode

	_ func([]byte) (*netlink.AttributeDecoder, error)                            = netlink.NewAttributeDecoder
	_ func(*netlink.AttributeDecoder) bool                                       = (*netlink.AttributeDecoder).Next
	_ func(*netlink.AttributeDecoder) uint16                                     = (*netlink.AttributeDecoder).Type
	_ func(*netlink.AttributeDecoder) uint16                                     = (*netlink.AttributeDecoder).TypeFlags
	_ func(*netlink.AttributeDecoder) int                                        = (*netlink.AttributeDecoder).Len
	_ func(*netlink.AttributeDecoder) error                                      = (*netlink.AttributeDecoder).Err
	_ func(*netlink.AttributeDecoder) []byte                                     = (*netlink.AttributeDecoder).Bytes
	_ func(*netlink.AttributeDecoder) string                                     = (*netlink.AttributeDecoder).String
	_ func(*netlink.AttributeDecoder) uint8                                      = (*netlink.AttributeDecoder).Uint8
	_ func(*netlink.AttributeDecoder) uint16                                     = (*netlink.AttributeDecoder).Uint16
	_ func(*netlink.AttributeDecoder) uint32                                     = (*netlink.AttributeDecoder).Uint32
	_ func(*netlink.AttributeDecoder) uint64                                     = (*netlink.AttributeDecoder).Uint64
	_ func(*netlink.AttributeDecoder) int8                                       = (*netlink.AttributeDecoder).Int8
	_ func(*netlink.AttributeDecoder) int16                                      = (*netlink.AttributeDecoder).Int16
	_ func(*netlink.AttributeDecoder) int32                                      = (*netlink.AttributeDecoder).Int32
	_ func(*netlink.AttributeDecoder) int64                                      = (*netlink.AttributeDecoder).Int64
	_ func(*netlink.AttributeDecoder) uint64                                     = (*netlink.AttributeDecoder).Uint
	_ func(*netlink.AttributeDecoder) int64                                      = (*netlink.AttributeDecoder).Sint
	_ func(*netlink.AttributeDecoder) bool                                       = (*netlink.AttributeDecoder).Flag
	_ func(*netlink.AttributeDecoder, func(b []byte) error)                      = (*netlink.AttributeDecoder).Do
	_ func(*netlink.AttributeDecoder, func(nad *netlink.AttributeDecoder) error) = (*netlink.AttributeDecoder).Nested
)

// Package nlenc.
var (
	_ func([]byte, uint8)  = nlenc.PutUint8
	_ func([]byte, uint16) = nlenc.PutUint16
	_ func([]byte, uint32) = nlenc.PutUint32
	_ func([]byte, uint64) = nlenc.PutUint64
	_ func([]byte, int32)  = nlenc.PutInt32

	_ func([]byte) uint8  = nlenc.Uint8
	_ func([]byte) uint16 = nlenc.Uint16
	_ func([]byte) uint32 = nlenc.Uint32
	_ func([]byte) uint64 = nlenc.Uint64
	_ func([]byte) int32  = nlenc.Int32

	_ func(uint8) []byte  = nlenc.Uint8Bytes
	_ func(uint16) []byte = nlenc.Uint16Bytes
	_ func(uint32) []byte = nlenc.Uint32Bytes
	_ func(uint64) []byte = nlenc.Uint64Bytes
	_ func(int32) []byte  = nlenc.Int32Bytes

	_ func(string) []byte     = nlenc.Bytes
	_ func([]byte) string     = nlenc.String
	_ func() binary.ByteOrder = nlenc.NativeEndian
)

func TestWireConstants(t *testing.T) {
	tests := []struct {
		name      string
		got, want uint16
	}{
		{name: "Nested", got: netlink.Nested, want: 0x8000},
		{name: "NetByteOrder", got: netlink.NetByteOrder, want: 0x4000},
		{name: "Noop", got: uint16(netlink.Noop), want: 1},
		{name: "Error", got: uint16(netlink.Error), want: 2},
		{name: "Done", got: uint16(netlink.Done), want: 3},
		{name: "Overrun", got: uint16(netlink.Overrun), want: 4},
		{name: "Request", got: uint16(netlink.Request), want: 0x1},
		{name: "Multi", got: uint16(netlink.Multi), want: 0x2},
		{name: "Acknowledge", got: uint16(netlink.Acknowledge), want: 0x4},
		{name: "Echo", got: uint16(netlink.Echo), want: 0x8},
		{name: "DumpInterrupted", got: uint16(netlink.DumpInterrupted), want: 0x10},
		{name: "DumpFiltered", got: uint16(netlink.DumpFiltered), want: 0x20},
		{name: "Root", got: uint16(netlink.Root), want: 0x100},
		{name: "Match", got: uint16(netlink.Match), want: 0x200},
		{name: "Atomic", got: uint16(netlink.Atomic), want: 0x400},
		{name: "Dump", got: uint16(netlink.Dump), want: 0x300},
		{name: "Replace", got: uint16(netlink.Replace), want: 0x100},
		{name: "Excl", got: uint16(netlink.Excl), want: 0x200},
		{name: "Create", got: uint16(netlink.Create), want: 0x400},
		{name: "Append", got: uint16(netlink.Append), want: 0x800},
		{name: "Capped", got: uint16(netlink.Capped), want: 0x100},
		{name: "AcknowledgeTLVs", got: uint16(netlink.AcknowledgeTLVs), want: 0x200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Fatalf("unexpected value (-want +got):\n%s", diff)
			}
		})
	}
}
