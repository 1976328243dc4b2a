package netlink

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netlinkgo/netlink/nlenc"
)

func TestAttributeDecoderValues(t *testing.T) {
	u16 := nlenc.Uint16Bytes
	u32 := nlenc.Uint32Bytes
	u64 := nlenc.Uint64Bytes

	// wrongSize is the error text for an attribute 3 of the wrong size;
	// kind is checked by prefix and length by suffix.
	type wrongSize struct {
		length int
	}

	tests := []struct {
		name  string
		order binary.ByteOrder
		data  []byte
		read  func(ad *AttributeDecoder) any
		want  any
		err   error      // exact error
		wrong *wrongSize // a wrong-size error of this length
	}{
		{name: "uint8", data: []byte{0xfe}, read: func(ad *AttributeDecoder) any { return ad.Uint8() }, want: uint8(0xfe)},
		{name: "uint16", data: u16(0xfeed), read: func(ad *AttributeDecoder) any { return ad.Uint16() }, want: uint16(0xfeed)},
		{name: "uint32", data: u32(0xdeadbeef), read: func(ad *AttributeDecoder) any { return ad.Uint32() }, want: uint32(0xdeadbeef)},
		{
			name: "uint64",
			data: u64(0x0102030405060708),
			read: func(ad *AttributeDecoder) any { return ad.Uint64() },
			want: uint64(0x0102030405060708),
		},
		{name: "int8", data: []byte{0xfe}, read: func(ad *AttributeDecoder) any { return ad.Int8() }, want: int8(-2)},
		{name: "int16", data: u16(0xfffe), read: func(ad *AttributeDecoder) any { return ad.Int16() }, want: int16(-2)},
		{name: "int32", data: u32(0xfffffffe), read: func(ad *AttributeDecoder) any { return ad.Int32() }, want: int32(-2)},
		{name: "int64", data: u64(1 << 63), read: func(ad *AttributeDecoder) any { return ad.Int64() }, want: int64(math.MinInt64)},
		{name: "uint 4 bytes", data: u32(0xffffffff), read: func(ad *AttributeDecoder) any { return ad.Uint() }, want: uint64(0xffffffff)},
		{
			name: "uint 8 bytes",
			data: u64(math.MaxUint64),
			read: func(ad *AttributeDecoder) any { return ad.Uint() },
			want: uint64(math.MaxUint64),
		},
		{name: "sint 4 bytes positive", data: u32(7), read: func(ad *AttributeDecoder) any { return ad.Sint() }, want: int64(7)},
		{
			name: "sint 4 bytes negative",
			data: u32(0xfffffffb),
			read: func(ad *AttributeDecoder) any { return ad.Sint() },
			want: int64(-5),
		},
		{
			name: "sint 4 bytes minimum",
			data: u32(0x80000000),
			read: func(ad *AttributeDecoder) any { return ad.Sint() },
			want: int64(math.MinInt32),
		},
		{
			name: "sint 8 bytes",
			data: u64(0xfffffffefffffffe),
			read: func(ad *AttributeDecoder) any { return ad.Sint() },
			want: int64(-0x100000002),
		},
		{name: "flag", data: nil, read: func(ad *AttributeDecoder) any { return ad.Flag() }, want: true},
		{name: "string", data: []byte("hello\x00"), read: func(ad *AttributeDecoder) any { return ad.String() }, want: "hello"},
		{
			name: "string many NULs",
			data: []byte("hello\x00\x00\x00\x00"),
			read: func(ad *AttributeDecoder) any { return ad.String() },
			want: "hello",
		},
		{name: "string no NUL", data: []byte("abc"), read: func(ad *AttributeDecoder) any { return ad.String() }, want: "abc"},
		{
			name: "string inner NUL kept",
			data: []byte("a\x00b\x00"),
			read: func(ad *AttributeDecoder) any { return ad.String() },
			want: "a\x00b",
		},
		{name: "empty string", data: nil, read: func(ad *AttributeDecoder) any { return ad.String() }, want: ""},
		{name: "only NULs", data: []byte{0, 0}, read: func(ad *AttributeDecoder) any { return ad.String() }, want: ""},
		{name: "bytes", data: []byte{1, 2, 3}, read: func(ad *AttributeDecoder) any { return ad.Bytes() }, want: []byte{1, 2, 3}},
		{name: "empty bytes", data: nil, read: func(ad *AttributeDecoder) any { return len(ad.Bytes()) }, want: 0},
		{
			name: "do",
			data: []byte{1, 2, 3},
			read: func(ad *AttributeDecoder) any {
				var got []byte
				ad.Do(func(b []byte) error {
					got = append(got, b...)
					return nil
				})
				return got
			},
			want: []byte{1, 2, 3},
		},
		{
			name:  "big endian",
			order: binary.BigEndian,
			data:  []byte{1, 2, 3, 4, 5, 6, 7, 8},
			read: func(ad *AttributeDecoder) any {
				return ad.Uint64()
			},
			want: uint64(0x0102030405060708),
		},
		{
			name:  "big endian uint32",
			order: binary.BigEndian,
			data:  []byte{1, 2, 3, 4},
			read:  func(ad *AttributeDecoder) any { return ad.Uint32() },
			want:  uint32(0x01020304),
		},
		{
			name:  "big endian int16",
			order: binary.BigEndian,
			data:  []byte{0xff, 0xfe},
			read:  func(ad *AttributeDecoder) any { return ad.Int16() },
			want:  int16(-2),
		},
		{
			name:  "big endian sint",
			order: binary.BigEndian,
			data:  []byte{0xff, 0xff, 0xff, 0xfe},
			read:  func(ad *AttributeDecoder) any { return ad.Sint() },
			want:  int64(-2),
		},
		{
			name:  "big endian uint",
			order: binary.BigEndian,
			data:  []byte{0, 0, 0, 1, 0, 0, 0, 0},
			read:  func(ad *AttributeDecoder) any { return ad.Uint() },
			want:  uint64(1 << 32),
		},
		{
			name: "uint32 of 2 bytes",
			data: []byte{1, 2},
			read: func(ad *AttributeDecoder) any { return ad.Uint32() },
			want: uint32(0),
			err:  errorWithText("netlink: attribute 3 is not a uint32; length: 2"),
		},
		{name: "uint8 of 2 bytes", data: []byte{1, 2}, read: func(ad *AttributeDecoder) any { return ad.Uint8() }, want: uint8(0), wrong: &wrongSize{2}},
		{name: "uint8 of 0 bytes", data: nil, read: func(ad *AttributeDecoder) any { return ad.Uint8() }, want: uint8(0), wrong: &wrongSize{0}},
		{name: "uint16 of 1 byte", data: []byte{1}, read: func(ad *AttributeDecoder) any { return ad.Uint16() }, want: uint16(0), wrong: &wrongSize{1}},
		{name: "uint16 of 4 bytes", data: u32(1), read: func(ad *AttributeDecoder) any { return ad.Uint16() }, want: uint16(0), wrong: &wrongSize{4}},
		{name: "uint32 of 8 bytes", data: u64(1), read: func(ad *AttributeDecoder) any { return ad.Uint32() }, want: uint32(0), wrong: &wrongSize{8}},
		{name: "uint64 of 4 bytes", data: u32(1), read: func(ad *AttributeDecoder) any { return ad.Uint64() }, want: uint64(0), wrong: &wrongSize{4}},
		{name: "int8 of 4 bytes", data: u32(1), read: func(ad *AttributeDecoder) any { return ad.Int8() }, want: int8(0), wrong: &wrongSize{4}},
		{name: "int16 of 3 bytes", data: []byte{1, 2, 3}, read: func(ad *AttributeDecoder) any { return ad.Int16() }, want: int16(0), wrong: &wrongSize{3}},
		{name: "int32 of 2 bytes", data: u16(1), read: func(ad *AttributeDecoder) any { return ad.Int32() }, want: int32(0), wrong: &wrongSize{2}},
		{name: "int64 of 4 bytes", data: u32(1), read: func(ad *AttributeDecoder) any { return ad.Int64() }, want: int64(0), wrong: &wrongSize{4}},
		{name: "uint of 2 bytes", data: u16(1), read: func(ad *AttributeDecoder) any { return ad.Uint() }, want: uint64(0), wrong: &wrongSize{2}},
		{name: "uint of 0 bytes", data: nil, read: func(ad *AttributeDecoder) any { return ad.Uint() }, want: uint64(0), wrong: &wrongSize{0}},
		{name: "uint of 6 bytes", data: make([]byte, 6), read: func(ad *AttributeDecoder) any { return ad.Uint() }, want: uint64(0), wrong: &wrongSize{6}},
		{name: "uint of 16 bytes", data: make([]byte, 16), read: func(ad *AttributeDecoder) any { return ad.Uint() }, want: uint64(0), wrong: &wrongSize{16}},
		{name: "sint of 1 byte", data: []byte{1}, read: func(ad *AttributeDecoder) any { return ad.Sint() }, want: int64(0), wrong: &wrongSize{1}},
		{name: "sint of 12 bytes", data: make([]byte, 12), read: func(ad *AttributeDecoder) any { return ad.Sint() }, want: int64(0), wrong: &wrongSize{12}},
		{name: "flag with data", data: []byte{1}, read: func(ad *AttributeDecoder) any { return ad.Flag() }, want: false, wrong: &wrongSize{1}},
		{
			name: "do error",
			data: []byte{1},
			read: func(ad *AttributeDecoder) any {
				ad.Do(func([]byte) error { return errTestCallback })
				return nil
			},
			err: errTestCallback,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Attribute 3 holds the data, between two others.
			b := slices.Concat(wireAttr(1, 1), wireAttr(3, tt.data...), wireAttr(2, 2))
			ad, err := NewAttributeDecoder(b)
			if err != nil {
				t.Fatalf("failed to create decoder: %v", err)
			}
			if tt.order != nil {
				ad.ByteOrder = tt.order
			}
			// Attribute 3 is the second one.
			ad.Next()
			if !ad.Next() || ad.Type() != 3 {
				t.Fatalf("failed to reach attribute 3: %v", ad.Err())
			}

			got := tt.read(ad)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected value (-want +got):\n%s", diff)
			}

			err = ad.Err()
			switch {
			case tt.wrong != nil:
				prefix := "netlink: attribute 3 is not "
				suffix := "; length: " + strconv.Itoa(tt.wrong.length)
				if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.HasSuffix(err.Error(), suffix) {
					t.Fatalf("unexpected error: want %q...%q, got %v", prefix, suffix, err)
				}
			default:
				checkError(t, tt.err, err)
			}
			if err == nil {
				if !ad.Next() || ad.Type() != 2 || ad.Next() {
					t.Fatal("failed to walk the attributes after a good value")
				}
				return
			}
			if ad.Next() {
				t.Fatal("Next returned true after an error")
			}
			if ad.Err() != err {
				t.Fatalf("error changed after Next: want %v, got %v", err, ad.Err())
			}
		})
	}
}

func TestAttributeDecoderNetByteOrder(t *testing.T) {
	ae := NewAttributeEncoder()
	ae.ByteOrder = binary.BigEndian
	ae.Uint16(1|NetByteOrder, 0x0102)
	ae.Uint32(2|NetByteOrder, 0x01020304)
	ae.Uint64(3|NetByteOrder, 0x0102030405060708)
	ae.Int32(4|NetByteOrder, -2)
	ae.Uint(5|NetByteOrder, 0x01020304)
	ae.Sint(6|NetByteOrder, -3)
	b, err := ae.Encode()
	if err != nil {
		t.Fatalf("failed to encode: %v", err)
	}

	// The payloads are big endian whatever the machine; the headers stay
	// native.
	want := slices.Concat(
		wireAttr(1|NetByteOrder, 1, 2),
		wireAttr(2|NetByteOrder, 1, 2, 3, 4),
		wireAttr(3|NetByteOrder, 1, 2, 3, 4, 5, 6, 7, 8),
		wireAttr(4|NetByteOrder, 0xff, 0xff, 0xff, 0xfe),
		wireAttr(5|NetByteOrder, 1, 2, 3, 4),
		wireAttr(6|NetByteOrder, 0xff, 0xff, 0xff, 0xfd),
	)
	if diff := cmp.Diff(want, b); diff != "" {
		t.Fatalf("unexpected bytes (-want +got):\n%s", diff)
	}

	ad, err := NewAttributeDecoder(b)
	if err != nil {
		t.Fatalf("failed to create decoder: %v", err)
	}
	ad.ByteOrder = binary.BigEndian
	var got []any
	for ad.Next() {
		if ad.TypeFlags() != NetByteOrder {
			t.Fatalf("attribute %d: TypeFlags = %#x, want %#x", ad.Type(), ad.TypeFlags(), NetByteOrder)
		}
		switch ad.Type() {
		case 1:
			got = append(got, ad.Uint16())
		case 2:
			got = append(got, ad.Uint32())
		case 3:
			got = append(got, ad.Uint64())
		case 4:
			got = append(got, ad.Int32())
		case 5:
			got = append(got, ad.Uint())
		case 6:
			got = append(got, ad.Sint())
		default:
			t.Fatalf("unexpected type %d", ad.Type())
		}
	}
	if err := ad.Err(); err != nil {
		t.Fatalf("failed to decode: %v", err)
	}
	wantValues := []any{uint16(0x0102), uint32(0x01020304), uint64(0x0102030405060708), int32(-2), uint64(0x01020304), int64(-3)}
	if diff := cmp.Diff(wantValues, got); diff != "" {
		t.Fatalf("unexpected values (-want +got):\n%s", diff)
	}
}
