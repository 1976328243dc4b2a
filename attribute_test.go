package netlink

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// wireAttr returns the wire form of an attribute of type typ holding data:
// native-endian header with the computed length, data, padding.
func wireAttr(typ uint16, data ...byte) []byte {
	return wireAttrLength(uint16(nlaHeaderLen+len(data)), typ, data...)
}

// wireAttrLength is wireAttr with an explicit length field.
func wireAttrLength(length, typ uint16, data ...byte) []byte {
	b := binary.NativeEndian.AppendUint16(nil, length)
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// v1InvalidAttribute is v1's text for an attribute whose header is cut
// short or whose length does not fit.
const v1InvalidAttribute = "invalid attribute; length too short or too large"

// errorWithText matches an error by its exact text.
type errorWithText string

func (e errorWithText) Error() string { return string(e) }

// checkError fails t unless err matches want: nil means no error, errAny
// any error, an errorWithText compares the text, any other error must
// satisfy errors.Is.
func checkError(t *testing.T, want, err error) {
	t.Helper()
	switch w := want.(type) {
	case nil:
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
	case *errAnyType:
		if err == nil {
			t.Fatal("want an error, got none")
		}
	case errorWithText:
		if err == nil || err.Error() != string(w) {
			t.Fatalf("unexpected error:\nwant: %s\n got: %v", w, err)
		}
	default:
		if !errors.Is(err, want) {
			t.Fatalf("unexpected error: want %v, got %v", want, err)
		}
	}
}

// errAnyType is the type of errAny.
type errAnyType struct{}

func (*errAnyType) Error() string { return "any error" }

// errAny matches any non-nil error in checkError.
var errAny error = new(errAnyType)

// roundTripValues is what TestAttributeEncoderDecoderRoundTrip encodes.
type roundTripValues struct {
	U8     uint8
	U16    uint16
	U32    uint32
	U64    uint64
	I8     int8
	I16    int16
	I32    int32
	I64    int64
	U      uint64
	S      int64
	Flag   bool
	Str    string
	Bytes  []byte
	Do     []byte
	Nested []uint32
}

func TestAttributeEncoderDecoderRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		order binary.ByteOrder
		v     roundTripValues
	}{
		{name: "zero", v: roundTripValues{Bytes: []byte{}, Do: []byte{}, Nested: []uint32{}}},
		{
			name: "small",
			v: roundTripValues{
				U8: 1, U16: 2, U32: 3, U64: 4, I8: -1, I16: -2, I32: -3, I64: -4,
				U: 5, S: -6, Flag: true, Str: "eth0", Bytes: []byte{1, 2, 3}, Do: []byte{4, 5},
				Nested: []uint32{7, 8, 9},
			},
		},
		{
			name:  "extremes big endian",
			order: binary.BigEndian,
			v: roundTripValues{
				U8: math.MaxUint8, U16: math.MaxUint16, U32: math.MaxUint32, U64: math.MaxUint64,
				I8: math.MinInt8, I16: math.MinInt16, I32: math.MinInt32, I64: math.MinInt64,
				U: math.MaxUint64, S: math.MinInt64, Flag: true, Str: strings.Repeat("x", 1000),
				Bytes: bytes.Repeat([]byte{0xaa}, 1001), Do: []byte{0}, Nested: []uint32{math.MaxUint32},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae := NewAttributeEncoder()
			if tt.order != nil {
				ae.ByteOrder = tt.order
			}
			v := tt.v
			ae.Uint8(1, v.U8)
			ae.Uint16(2, v.U16)
			ae.Uint32(3, v.U32)
			ae.Uint64(4, v.U64)
			ae.Int8(5, v.I8)
			ae.Int16(6, v.I16)
			ae.Int32(7, v.I32)
			ae.Int64(8, v.I64)
			ae.Uint(9, v.U)
			ae.Sint(10, v.S)
			ae.Flag(11, v.Flag)
			ae.String(12, v.Str)
			ae.Bytes(13, v.Bytes)
			ae.Do(14, func() ([]byte, error) { return v.Do, nil })
			ae.Nested(15, func(nae *AttributeEncoder) error {
				for i, n := range v.Nested {
					nae.Uint32(uint16(i), n)
				}
				return nil
			})
			b, err := ae.Encode()
			if err != nil {
				t.Fatalf("failed to encode: %v", err)
			}

			ad, err := NewAttributeDecoder(b)
			if err != nil {
				t.Fatalf("failed to create decoder: %v", err)
			}
			if tt.order != nil {
				ad.ByteOrder = tt.order
			}
			got := roundTripValues{Nested: []uint32{}}
			for ad.Next() {
				switch ad.Type() {
				case 1:
					got.U8 = ad.Uint8()
				case 2:
					got.U16 = ad.Uint16()
				case 3:
					got.U32 = ad.Uint32()
				case 4:
					got.U64 = ad.Uint64()
				case 5:
					got.I8 = ad.Int8()
				case 6:
					got.I16 = ad.Int16()
				case 7:
					got.I32 = ad.Int32()
				case 8:
					got.I64 = ad.Int64()
				case 9:
					got.U = ad.Uint()
				case 10:
					got.S = ad.Sint()
				case 11:
					got.Flag = ad.Flag()
				case 12:
					got.Str = ad.String()
				case 13:
					got.Bytes = ad.Bytes()
				case 14:
					ad.Do(func(b []byte) error {
						got.Do = bytes.Clone(b)
						return nil
					})
				case 15:
					ad.Nested(func(nad *AttributeDecoder) error {
						for nad.Next() {
							got.Nested = append(got.Nested, nad.Uint32())
						}
						return nil
					})
				default:
					t.Fatalf("unexpected type %d", ad.Type())
				}
			}
			if err := ad.Err(); err != nil {
				t.Fatalf("failed to decode: %v", err)
			}
			if diff := cmp.Diff(v, got); diff != "" {
				t.Fatalf("unexpected values (-want +got):\n%s", diff)
			}
		})
	}
}
