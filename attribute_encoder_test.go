package netlink

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netlinkgo/netlink/nlenc"
)

func TestAttributeEncoder(t *testing.T) {
	u16 := nlenc.Uint16Bytes
	u32 := nlenc.Uint32Bytes
	u64 := nlenc.Uint64Bytes
	be16 := func(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
	be32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	be64 := func(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

	tests := []struct {
		name   string
		order  binary.ByteOrder // nil: NewAttributeEncoder's default
		encode func(ae *AttributeEncoder)
		want   []byte
	}{
		// As in v1, an empty, non-nil slice (checked below).
		{name: "nothing", encode: func(*AttributeEncoder) {}, want: []byte{}},
		{name: "uint8", encode: func(ae *AttributeEncoder) { ae.Uint8(1, 0xfe) }, want: wireAttr(1, 0xfe)},
		{name: "uint16", encode: func(ae *AttributeEncoder) { ae.Uint16(2, 0x1234) }, want: wireAttr(2, u16(0x1234)...)},
		{name: "uint32", encode: func(ae *AttributeEncoder) { ae.Uint32(3, 0x12345678) }, want: wireAttr(3, u32(0x12345678)...)},
		{
			name:   "uint64",
			encode: func(ae *AttributeEncoder) { ae.Uint64(4, 0x0102030405060708) },
			want:   wireAttr(4, u64(0x0102030405060708)...),
		},
		{name: "int8", encode: func(ae *AttributeEncoder) { ae.Int8(5, -2) }, want: wireAttr(5, 0xfe)},
		{name: "int16", encode: func(ae *AttributeEncoder) { ae.Int16(6, -2) }, want: wireAttr(6, u16(0xfffe)...)},
		{name: "int32", encode: func(ae *AttributeEncoder) { ae.Int32(7, -2) }, want: wireAttr(7, u32(0xfffffffe)...)},
		{
			name:   "int64",
			encode: func(ae *AttributeEncoder) { ae.Int64(8, math.MinInt64) },
			want:   wireAttr(8, u64(1<<63)...),
		},
		{name: "uint small", encode: func(ae *AttributeEncoder) { ae.Uint(9, 1) }, want: wireAttr(9, u32(1)...)},
		{
			name:   "uint max 32 bits",
			encode: func(ae *AttributeEncoder) { ae.Uint(9, math.MaxUint32) },
			want:   wireAttr(9, u32(math.MaxUint32)...),
		},
		{
			name:   "uint 33 bits",
			encode: func(ae *AttributeEncoder) { ae.Uint(9, math.MaxUint32+1) },
			want:   wireAttr(9, u64(math.MaxUint32+1)...),
		},
		{
			name:   "uint max",
			encode: func(ae *AttributeEncoder) { ae.Uint(9, math.MaxUint64) },
			want:   wireAttr(9, u64(math.MaxUint64)...),
		},
		{name: "sint zero", encode: func(ae *AttributeEncoder) { ae.Sint(10, 0) }, want: wireAttr(10, u32(0)...)},
		{name: "sint minus one", encode: func(ae *AttributeEncoder) { ae.Sint(10, -1) }, want: wireAttr(10, u32(0xffffffff)...)},
		{
			name:   "sint min 32 bits",
			encode: func(ae *AttributeEncoder) { ae.Sint(10, math.MinInt32) },
			want:   wireAttr(10, u32(0x80000000)...),
		},
		{
			name:   "sint max 32 bits",
			encode: func(ae *AttributeEncoder) { ae.Sint(10, math.MaxInt32) },
			want:   wireAttr(10, u32(math.MaxInt32)...),
		},
		{
			name:   "sint below 32 bits",
			encode: func(ae *AttributeEncoder) { ae.Sint(10, math.MinInt32-1) },
			want:   wireAttr(10, u64(0xffffffff7fffffff)...),
		},
		{
			name:   "sint above 32 bits",
			encode: func(ae *AttributeEncoder) { ae.Sint(10, math.MaxInt32+1) },
			want:   wireAttr(10, u64(math.MaxInt32+1)...),
		},
		{name: "flag true", encode: func(ae *AttributeEncoder) { ae.Flag(11, true) }, want: wireAttr(11)},
		{name: "flag false", encode: func(ae *AttributeEncoder) { ae.Flag(11, false) }, want: []byte{}},
		{name: "string", encode: func(ae *AttributeEncoder) { ae.String(12, "hello") }, want: wireAttr(12, []byte("hello\x00")...)},
		{name: "string aligned", encode: func(ae *AttributeEncoder) { ae.String(12, "abc") }, want: wireAttr(12, 'a', 'b', 'c', 0)},
		{name: "empty string", encode: func(ae *AttributeEncoder) { ae.String(12, "") }, want: wireAttr(12, 0)},
		{name: "bytes", encode: func(ae *AttributeEncoder) { ae.Bytes(13, []byte{1, 2, 3}) }, want: wireAttr(13, 1, 2, 3)},
		{name: "nil bytes", encode: func(ae *AttributeEncoder) { ae.Bytes(13, nil) }, want: wireAttr(13)},
		{
			name: "largest bytes",
			encode: func(ae *AttributeEncoder) {
				ae.Bytes(13, bytes.Repeat([]byte{1}, maxAttributeData))
			},
			want: wireAttrLength(math.MaxUint16, 13, bytes.Repeat([]byte{1}, maxAttributeData)...),
		},
		{
			name: "do",
			encode: func(ae *AttributeEncoder) {
				ae.Do(14, func() ([]byte, error) { return []byte{9, 8, 7, 6, 5}, nil })
			},
			want: wireAttr(14, 9, 8, 7, 6, 5),
		},
		{
			name: "nested",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(15, func(nae *AttributeEncoder) error {
					nae.Uint16(1, 0x0102)
					nae.String(2, "lo")
					return nil
				})
			},
			want: wireAttr(Nested|15, slices.Concat(wireAttr(1, u16(0x0102)...), wireAttr(2, 'l', 'o', 0))...),
		},
		{
			name: "empty nested",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(15, func(*AttributeEncoder) error { return nil })
			},
			want: wireAttr(Nested | 15),
		},
		{
			name: "deeply nested between others",
			encode: func(ae *AttributeEncoder) {
				ae.Uint8(1, 1)
				ae.Nested(2, func(nae *AttributeEncoder) error {
					nae.Nested(1, func(nnae *AttributeEncoder) error {
						nnae.Uint32(1, 7)
						return nil
					})
					nae.Flag(2, true)
					return nil
				})
				ae.Nested(3, func(nae *AttributeEncoder) error {
					nae.Uint8(1, 3)
					return nil
				})
				ae.Uint8(4, 4)
			},
			want: slices.Concat(
				wireAttr(1, 1),
				wireAttr(Nested|2, slices.Concat(
					wireAttr(Nested|1, wireAttr(1, u32(7)...)...),
					wireAttr(2),
				)...),
				wireAttr(Nested|3, wireAttr(1, 3)...),
				wireAttr(4, 4),
			),
		},
		{
			name: "nested keeps other type flags",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(NetByteOrder|1, func(*AttributeEncoder) error { return nil })
			},
			want: wireAttr(Nested | NetByteOrder | 1),
		},
		{
			name:  "big endian",
			order: binary.BigEndian,
			encode: func(ae *AttributeEncoder) {
				ae.Uint8(1, 1)
				ae.Uint16(2, 0x0102)
				ae.Uint32(3, 0x01020304)
				ae.Uint64(4, 0x0102030405060708)
				ae.Int16(5, -2)
				ae.Int32(6, -2)
				ae.Int64(7, -2)
				ae.Uint(8, 5)
				ae.Sint(9, -5)
				ae.Uint(10, math.MaxUint32+1)
			},
			want: slices.Concat(
				wireAttr(1, 1),
				wireAttr(2, be16(0x0102)...),
				wireAttr(3, be32(0x01020304)...),
				wireAttr(4, be64(0x0102030405060708)...),
				wireAttr(5, 0xff, 0xfe),
				wireAttr(6, be32(0xfffffffe)...),
				wireAttr(7, be64(0xfffffffffffffffe)...),
				wireAttr(8, be32(5)...),
				wireAttr(9, be32(0xfffffffb)...),
				wireAttr(10, be64(math.MaxUint32+1)...),
			),
		},
		{
			name:  "nested inherits byte order",
			order: binary.BigEndian,
			encode: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					if nae.ByteOrder != binary.ByteOrder(binary.BigEndian) {
						return errors.New("nested encoder does not inherit ByteOrder")
					}
					nae.Uint32(1, 0x01020304)
					return nil
				})
			},
			want: wireAttr(Nested|1, wireAttr(1, be32(0x01020304)...)...),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae := NewAttributeEncoder()
			if tt.order != nil {
				ae.ByteOrder = tt.order
			}
			tt.encode(ae)
			n := ae.Len()
			got, err := ae.Encode()
			if err != nil {
				t.Fatalf("failed to encode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected bytes (-want +got):\n%s", diff)
			}
			if got == nil {
				t.Fatal("Encode returned nil bytes without an error")
			}
			if n != len(got) {
				t.Fatalf("Len is %d, Encode returned %d bytes", n, len(got))
			}
		})
	}
}

// TestAttributeEncoderEncodeOwnership checks that the bytes Encode returns
// are the caller's, as in v1: no later call on the encoder, or on a nested
// encoder, changes them, and each Encode returns memory of its own.
func TestAttributeEncoderEncodeOwnership(t *testing.T) {
	u32 := nlenc.Uint32Bytes
	tests := []struct {
		name string
		// run encodes and returns the bytes that Encode calls gave, after
		// more calls and after writing over what each Encode returned.
		run  func(ae *AttributeEncoder) [][]byte
		want [][]byte
	}{
		{
			name: "encode twice",
			run: func(ae *AttributeEncoder) [][]byte {
				ae.Uint32(1, 1)
				first, _ := ae.Encode()
				second, _ := ae.Encode()
				clear(second)
				return [][]byte{first}
			},
			want: [][]byte{wireAttr(1, u32(1)...)},
		},
		{
			name: "add after encode",
			run: func(ae *AttributeEncoder) [][]byte {
				ae.Uint32(1, 1)
				first, _ := ae.Encode()
				ae.Uint32(2, 2)
				ae.Nested(3, func(nae *AttributeEncoder) error {
					nae.Uint32(4, 4)
					return nil
				})
				second, _ := ae.Encode()
				return [][]byte{first, second}
			},
			want: [][]byte{
				wireAttr(1, u32(1)...),
				slices.Concat(wireAttr(1, u32(1)...), wireAttr(2, u32(2)...), wireAttr(Nested|3, wireAttr(4, u32(4)...)...)),
			},
		},
		{
			name: "nested encoder's bytes kept past the next nested attribute",
			run: func(ae *AttributeEncoder) [][]byte {
				var kept []byte
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Uint32(2, 2)
					kept, _ = nae.Encode()
					return nil
				})
				ae.Nested(3, func(nae *AttributeEncoder) error {
					nae.Uint32(4, 4)
					return nil
				})
				return [][]byte{kept}
			},
			want: [][]byte{wireAttr(2, u32(2)...)},
		},
		{
			name: "nested encoder's bytes kept past a failed nested attribute",
			run: func(ae *AttributeEncoder) [][]byte {
				var kept []byte
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Uint32(2, 2)
					kept, _ = nae.Encode()
					return errors.New("failed")
				})
				return [][]byte{kept}
			},
			want: [][]byte{wireAttr(2, u32(2)...)},
		},
		{
			name: "encoded inside a nested function",
			run: func(ae *AttributeEncoder) [][]byte {
				ae.Uint32(1, 1)
				var inside []byte
				ae.Nested(2, func(nae *AttributeEncoder) error {
					nae.Uint32(3, 3)
					inside, _ = ae.Encode()
					return nil
				})
				ae.Uint32(4, 4)
				return [][]byte{inside}
			},
			// As in v1, the nested attribute is not there yet.
			want: [][]byte{wireAttr(1, u32(1)...)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.run(NewAttributeEncoder())
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected bytes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAttributeEncoderParentInNested checks that, as in v1, attributes
// added to the outer encoder while a nested function runs come before the
// nested attribute, and that Len counts only what is encoded.
func TestAttributeEncoderParentInNested(t *testing.T) {
	u32 := nlenc.Uint32Bytes
	ae := NewAttributeEncoder()
	var lenInside int
	ae.Nested(1, func(nae *AttributeEncoder) error {
		nae.Uint32(2, 2)
		ae.Uint32(3, 3)
		lenInside = ae.Len()
		nae.Uint32(4, 4)
		return nil
	})
	got, err := ae.Encode()
	if err != nil {
		t.Fatalf("failed to encode: %v", err)
	}
	want := slices.Concat(wireAttr(3, u32(3)...), wireAttr(Nested|1, slices.Concat(wireAttr(2, u32(2)...), wireAttr(4, u32(4)...))...))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("unexpected bytes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(len(wireAttr(3, u32(3)...)), lenInside); diff != "" {
		t.Fatalf("unexpected Len inside the nested function (-want +got):\n%s", diff)
	}
}

func TestAttributeEncoderNativeByteOrder(t *testing.T) {
	if got := NewAttributeEncoder().ByteOrder; got != binary.ByteOrder(binary.NativeEndian) {
		t.Fatalf("NewAttributeEncoder ByteOrder = %v, want native endian", got)
	}

	// The zero AttributeEncoder, with a nil ByteOrder, also uses native
	// byte order.
	var ae AttributeEncoder
	ae.Uint32(1, 0x01020304)
	got, err := ae.Encode()
	if err != nil {
		t.Fatalf("failed to encode: %v", err)
	}
	if diff := cmp.Diff(wireAttr(1, nlenc.Uint32Bytes(0x01020304)...), got); diff != "" {
		t.Fatalf("unexpected bytes (-want +got):\n%s", diff)
	}
}
