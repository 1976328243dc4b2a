package netlink

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netlinkgo/netlink/nlenc"
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

func TestMarshalAttributes(t *testing.T) {
	maxData := bytes.Repeat([]byte{0xaa}, maxAttributeData)

	tests := []struct {
		name  string
		attrs []Attribute
		want  []byte
		err   error
	}{
		{name: "nil", attrs: nil, want: []byte{}},
		{
			name:  "computed length",
			attrs: []Attribute{{Type: 1, Data: []byte{1, 2, 3, 4}}},
			want:  wireAttr(1, 1, 2, 3, 4),
		},
		{
			name:  "padding",
			attrs: []Attribute{{Type: 2, Data: []byte{0xff}}},
			want:  wireAttrLength(5, 2, 0xff, 0, 0, 0),
		},
		{
			name:  "empty data",
			attrs: []Attribute{{Type: 3}},
			want:  wireAttr(3),
		},
		{
			name:  "explicit length kept",
			attrs: []Attribute{{Length: 6, Type: 4, Data: []byte{1, 2}}},
			want:  wireAttrLength(6, 4, 1, 2),
		},
		{
			name:  "type flags kept",
			attrs: []Attribute{{Type: Nested | NetByteOrder | 5, Data: wireAttr(1)}},
			want:  wireAttr(Nested|NetByteOrder|5, wireAttr(1)...),
		},
		{
			name: "several",
			attrs: []Attribute{
				{Type: 1, Data: []byte{1}},
				{Type: 2, Data: []byte("hello\x00")},
				{Type: 3, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
				{Type: 4},
			},
			want: slices.Concat(
				wireAttr(1, 1),
				wireAttr(2, []byte("hello\x00")...),
				wireAttr(3, 1, 2, 3, 4, 5, 6, 7, 8),
				wireAttr(4),
			),
		},
		{
			name:  "largest data",
			attrs: []Attribute{{Type: 1, Data: maxData}},
			want:  wireAttrLength(math.MaxUint16, 1, maxData...),
		},
		{name: "length 1", attrs: []Attribute{{Length: 1, Type: 1}}, err: errorWithText(v1InvalidAttribute)},
		{name: "length 3", attrs: []Attribute{{Length: 3, Type: 1, Data: []byte{1}}}, err: errorWithText(v1InvalidAttribute)},
		{
			name:  "bad length after good attribute",
			attrs: []Attribute{{Type: 1}, {Length: 2, Type: 2}},
			err:   errorWithText(v1InvalidAttribute),
		},
		{
			name:  "data too long",
			attrs: []Attribute{{Type: 1, Data: make([]byte, maxAttributeData+1)}},
			err:   errAny,
		},
		{
			name:  "data far too long",
			attrs: []Attribute{{Type: 1}, {Type: 2, Data: make([]byte, math.MaxUint16+1)}},
			err:   errAny,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MarshalAttributes(tt.attrs)
			checkError(t, tt.err, err)
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("unexpected bytes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnmarshalAttributes(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want []Attribute
		err  error
	}{
		{name: "nil", b: nil, want: nil},
		{name: "empty", b: []byte{}, want: nil},
		{
			name: "one",
			b:    wireAttr(1, 1, 2, 3, 4),
			want: []Attribute{{Length: 8, Type: 1, Data: []byte{1, 2, 3, 4}}},
		},
		{
			name: "padding",
			b:    wireAttr(2, 0xff),
			want: []Attribute{{Length: 5, Type: 2, Data: []byte{0xff}}},
		},
		{
			name: "last attribute without padding",
			b:    wireAttr(2, 0xff)[:5:5],
			want: []Attribute{{Length: 5, Type: 2, Data: []byte{0xff}}},
		},
		{
			name: "flag",
			b:    wireAttr(3),
			want: []Attribute{{Length: 4, Type: 3, Data: []byte{}}},
		},
		{
			name: "type flags kept",
			b:    wireAttr(Nested|NetByteOrder|5, wireAttr(1)...),
			want: []Attribute{{Length: 8, Type: Nested | NetByteOrder | 5, Data: wireAttr(1)}},
		},
		{
			name: "several",
			b: slices.Concat(
				wireAttr(1, 1),
				wireAttr(2, []byte("hello\x00")...),
				wireAttr(3, 1, 2, 3, 4, 5, 6, 7, 8),
			),
			want: []Attribute{
				{Length: 5, Type: 1, Data: []byte{1}},
				{Length: 10, Type: 2, Data: []byte("hello\x00")},
				{Length: 12, Type: 3, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
			},
		},
		{
			name: "zero length skipped",
			b:    slices.Concat(wireAttrLength(0, 7), wireAttr(1, 1), wireAttrLength(0, 8)),
			want: []Attribute{{Length: 5, Type: 1, Data: []byte{1}}},
		},
		{
			name: "only zero length",
			b:    slices.Concat(wireAttrLength(0, 1), wireAttrLength(0, 2)),
			want: nil,
		},
		{name: "truncated header", b: []byte{4, 0}, err: errorWithText(v1InvalidAttribute)},
		{name: "trailing bytes", b: append(wireAttr(1, 1), 0, 0), err: errorWithText(v1InvalidAttribute)},
		{name: "length 1", b: wireAttrLength(1, 1), err: errorWithText(v1InvalidAttribute)},
		{name: "length 3", b: wireAttrLength(3, 1), err: errorWithText(v1InvalidAttribute)},
		{name: "length beyond buffer", b: slices.Concat(wireAttrLength(8, 1), []byte{1, 2}), err: errorWithText(v1InvalidAttribute)},
		{
			name: "bad length after good attribute",
			b:    slices.Concat(wireAttr(1, 1), wireAttrLength(0xff, 2)),
			err:  errorWithText(v1InvalidAttribute),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UnmarshalAttributes(tt.b)
			checkError(t, tt.err, err)
			if err != nil {
				if got != nil {
					t.Fatalf("want nil attributes with an error, got %v", got)
				}
				return
			}
			if tt.want == nil && got != nil {
				t.Fatalf("want nil attributes, got %#v", got)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected attributes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnmarshalAttributesDoesNotAliasInput(t *testing.T) {
	b := slices.Concat(wireAttr(1, 1, 2, 3), wireAttr(2, 4, 5, 6, 7))
	attrs, err := UnmarshalAttributes(b)
	if err != nil {
		t.Fatalf("failed to unmarshal: %v", err)
	}
	for i := range b {
		b[i] = 0xee
	}
	want := []Attribute{
		{Length: 7, Type: 1, Data: []byte{1, 2, 3}},
		{Length: 8, Type: 2, Data: []byte{4, 5, 6, 7}},
	}
	if diff := cmp.Diff(want, attrs); diff != "" {
		t.Fatalf("attributes changed with the input (-want +got):\n%s", diff)
	}

	// Appending to one attribute's Data must not overwrite the next.
	_ = append(attrs[0].Data, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd)
	if diff := cmp.Diff(want, attrs); diff != "" {
		t.Fatalf("append changed another attribute (-want +got):\n%s", diff)
	}
}

func TestAttributesRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		attrs []Attribute
	}{
		{
			name: "mixed",
			attrs: []Attribute{
				{Length: 5, Type: 1, Data: []byte{0xff}},
				{Length: 6, Type: 2, Data: []byte{1, 2}},
				{Length: 8, Type: 3, Data: []byte{1, 2, 3, 4}},
				{Length: 12, Type: 4, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
				{Length: 4, Type: 5, Data: []byte{}},
				{Length: 9, Type: 6, Data: []byte("eth0\x00")},
			},
		},
		{
			name: "nested",
			attrs: []Attribute{{
				Length: 20,
				Type:   Nested | 1,
				Data:   slices.Concat(wireAttr(1, 1), wireAttr(NetByteOrder|2, 0, 0, 0, 1)),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Marshal once with the lengths given and once with them
			// computed: both must give the same attributes back.
			computed := make([]Attribute, len(tt.attrs))
			for i, a := range tt.attrs {
				computed[i] = Attribute{Type: a.Type, Data: a.Data}
			}
			for _, in := range [][]Attribute{tt.attrs, computed} {
				b, err := MarshalAttributes(in)
				if err != nil {
					t.Fatalf("failed to marshal: %v", err)
				}
				got, err := UnmarshalAttributes(b)
				if err != nil {
					t.Fatalf("failed to unmarshal: %v", err)
				}
				if diff := cmp.Diff(tt.attrs, got); diff != "" {
					t.Fatalf("unexpected attributes (-want +got):\n%s", diff)
				}
			}
		})
	}
}

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

func TestAttributeEncoderErrors(t *testing.T) {
	errFirst := errors.New("first")
	errSecond := errors.New("second")
	failDo := func(err error) func() ([]byte, error) {
		return func() ([]byte, error) { return []byte{1, 2, 3, 4}, err }
	}

	tests := []struct {
		name string
		// encode runs after a first good attribute (type 100).
		encode func(ae *AttributeEncoder)
		err    error
	}{
		{
			name:   "do",
			encode: func(ae *AttributeEncoder) { ae.Do(1, failDo(errFirst)) },
			err:    errFirst,
		},
		{
			name: "first error kept",
			encode: func(ae *AttributeEncoder) {
				ae.Do(1, failDo(errFirst))
				ae.Do(2, failDo(errSecond))
				ae.Nested(3, func(*AttributeEncoder) error { return errSecond })
			},
			err: errFirst,
		},
		{
			name: "nothing added after an error",
			encode: func(ae *AttributeEncoder) {
				ae.Do(1, failDo(errFirst))
				ae.Uint8(2, 1)
				ae.Uint16(2, 1)
				ae.Uint32(2, 1)
				ae.Uint64(2, 1)
				ae.Int8(2, 1)
				ae.Int16(2, 1)
				ae.Int32(2, 1)
				ae.Int64(2, 1)
				ae.Uint(2, 1)
				ae.Sint(2, 1)
				ae.Flag(2, true)
				ae.String(2, "x")
				ae.Bytes(2, []byte{1})
				ae.Do(2, failDo(nil))
				ae.Nested(2, func(nae *AttributeEncoder) error {
					nae.Uint8(1, 1)
					return nil
				})
			},
			err: errFirst,
		},
		{
			name: "do not called after an error",
			encode: func(ae *AttributeEncoder) {
				ae.Do(1, failDo(errFirst))
				ae.Do(2, func() ([]byte, error) { panic("Do called after an error") })
				ae.Nested(2, func(*AttributeEncoder) error { panic("Nested called after an error") })
			},
			err: errFirst,
		},
		{
			name: "nested function",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Uint32(1, 1)
					nae.String(2, "partial")
					return errFirst
				})
			},
			err: errFirst,
		},
		{
			name: "nested encoder error",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Uint32(1, 1)
					nae.Do(2, failDo(errFirst))
					return nil
				})
			},
			err: errFirst,
		},
		{
			name: "doubly nested error",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Uint32(1, 1)
					nae.Nested(2, func(nnae *AttributeEncoder) error {
						nnae.Uint8(1, 1)
						return errFirst
					})
					return nil
				})
			},
			err: errFirst,
		},
		{
			name:   "bytes too long",
			encode: func(ae *AttributeEncoder) { ae.Bytes(1, make([]byte, maxAttributeData+1)) },
			err:    errorWithText("byte slice is too large to fit in a netlink attribute"),
		},
		{
			name:   "string too long",
			encode: func(ae *AttributeEncoder) { ae.String(1, strings.Repeat("x", maxAttributeData+1)) },
			err:    errorWithText("string is too large to fit in a netlink attribute"),
		},
		{
			// v1 wraps the length of this one to 0; it is an error here.
			name:   "string with its NUL too long",
			encode: func(ae *AttributeEncoder) { ae.String(1, strings.Repeat("x", maxAttributeData)) },
			err:    errorWithText("string is too large to fit in a netlink attribute"),
		},
		{
			name:   "do too long",
			encode: func(ae *AttributeEncoder) { ae.Do(1, func() ([]byte, error) { return make([]byte, 1<<16), nil }) },
			err:    errorWithText("byte slice produced by Do is too large to fit in a netlink attribute"),
		},
		{
			name: "nested too long",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Bytes(1, make([]byte, 40000))
					nae.Bytes(2, make([]byte, 40000))
					return nil
				})
			},
			err: errorWithText("byte slice produced by Do is too large to fit in a netlink attribute"),
		},
		{
			name: "nested just too long",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					// 4 + 65525 + 3 bytes of padding = 65532 bytes of
					// nested data.
					nae.Bytes(1, make([]byte, maxAttributeData-nlaHeaderLen-2))
					return nil
				})
			},
			err: errorWithText("byte slice produced by Do is too large to fit in a netlink attribute"),
		},
		{
			name: "too long then other error",
			encode: func(ae *AttributeEncoder) {
				ae.Bytes(1, make([]byte, maxAttributeData+1))
				ae.Do(2, failDo(errFirst))
			},
			err: errorWithText("byte slice is too large to fit in a netlink attribute"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae := NewAttributeEncoder()
			ae.Uint32(100, 1)
			tt.encode(ae)

			b, err := ae.Encode()
			if err == nil {
				t.Fatalf("want an error, got none and %d bytes", len(b))
			}
			checkError(t, tt.err, err)
			if errors.Is(err, errSecond) {
				t.Fatalf("error is not the first one: %v", err)
			}
			if b != nil {
				t.Fatalf("want nil bytes with an error, got %v", b)
			}
			// Whatever failed added nothing.
			if diff := cmp.Diff(len(wireAttr(100, 0, 0, 0, 0)), ae.Len()); diff != "" {
				t.Fatalf("unexpected Len (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAttributeEncoderNestedLargest(t *testing.T) {
	// Nested data is a whole number of padded attributes, so the largest
	// nested payload is 65528 bytes: one attribute of 65524 bytes of data.
	const data = 65524
	ae := NewAttributeEncoder()
	ae.Nested(1, func(nae *AttributeEncoder) error {
		nae.Bytes(2, make([]byte, data))
		return nil
	})
	b, err := ae.Encode()
	if err != nil {
		t.Fatalf("failed to encode: %v", err)
	}
	want := wireAttrLength(nlaHeaderLen+nlaHeaderLen+data, Nested|1, wireAttr(2, make([]byte, data)...)...)
	if !bytes.Equal(want, b) {
		t.Fatalf("unexpected bytes: header %v, %d bytes; want header %v, %d bytes", b[:4], len(b), want[:4], len(want))
	}
}

func TestNewAttributeDecoderErrors(t *testing.T) {
	// As in v1, only a header cut short is an error up front; lengths are
	// checked by Next (see TestAttributeDecoderLengthErrors).
	tests := []struct {
		name string
		b    []byte
	}{
		{name: "one byte", b: []byte{4}},
		{name: "truncated header", b: []byte{4, 0, 1}},
		{name: "trailing bytes", b: append(wireAttr(1, 1, 2, 3, 4), 4, 0)},
		{name: "trailing bytes after zero length", b: append(wireAttrLength(0, 1), 0)},
		{name: "trailing bytes after short length", b: append(wireAttrLength(2, 1), 1, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ad, err := NewAttributeDecoder(tt.b)
			checkError(t, errorWithText(v1InvalidAttribute), err)
			if ad != nil {
				t.Fatal("want a nil decoder with an error")
			}
		})
	}
}

func TestAttributeDecoderLengthErrors(t *testing.T) {
	type attr struct {
		Type uint16
		Data []byte
	}
	tests := []struct {
		name string
		b    []byte
		// len is what Len reports: as in v1, the bad attribute counts.
		len int
		// good are the attributes Next yields before the error.
		good []attr
		// badType is what Type reports once Next has failed.
		badType uint16
	}{
		{name: "length 1", b: wireAttrLength(1, 1), len: 1, badType: 1},
		{name: "length 2", b: wireAttrLength(2, 2), len: 1, badType: 2},
		{name: "length 3", b: wireAttrLength(3, 3), len: 1, badType: 3},
		{name: "length beyond buffer", b: wireAttrLength(12, 4, 1, 2, 3, 4), len: 1, badType: 4},
		{name: "length 0xffff", b: wireAttrLength(0xffff, 5, 1, 2, 3, 4), len: 1, badType: 5},
		{
			name:    "bad second attribute",
			b:       slices.Concat(wireAttr(1, 1), wireAttrLength(9, Nested|2, 1, 2, 3, 4)),
			len:     2,
			good:    []attr{{Type: 1, Data: []byte{1}}},
			badType: 2,
		},
		{
			name:    "bad length stepped over by the count",
			b:       slices.Concat(wireAttr(1, 1, 2), wireAttrLength(0, 2), wireAttrLength(3, 3), wireAttr(4, 9)),
			len:     3,
			good:    []attr{{Type: 1, Data: []byte{1, 2}}, {Type: 2, Data: []byte{}}},
			badType: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ad, err := NewAttributeDecoder(tt.b)
			if err != nil {
				t.Fatalf("failed to create decoder: %v", err)
			}
			if diff := cmp.Diff(tt.len, ad.Len()); diff != "" {
				t.Fatalf("unexpected Len (-want +got):\n%s", diff)
			}
			var good []attr
			for ad.Next() {
				good = append(good, attr{Type: ad.Type(), Data: ad.Bytes()})
			}
			if diff := cmp.Diff(tt.good, good); diff != "" {
				t.Fatalf("unexpected attributes before the error (-want +got):\n%s", diff)
			}
			checkError(t, errorWithText(v1InvalidAttribute), ad.Err())
			if diff := cmp.Diff(tt.badType, ad.Type()); diff != "" {
				t.Fatalf("unexpected Type after the error (-want +got):\n%s", diff)
			}
			// The payload stays that of the last good attribute, as in v1.
			want := []byte{}
			if len(good) > 0 {
				want = good[len(good)-1].Data
			}
			if diff := cmp.Diff(want, ad.Bytes()); diff != "" {
				t.Fatalf("unexpected Bytes after the error (-want +got):\n%s", diff)
			}
			if ad.Next() {
				t.Fatal("Next returned true after the error")
			}
		})
	}
}

func TestAttributeDecoderTypeAndLen(t *testing.T) {
	type attr struct {
		Type, Flags uint16
		Length      int
	}
	tests := []struct {
		name    string
		b       []byte
		wantLen int
		want    []attr
	}{
		{name: "nil", b: nil, wantLen: 0},
		{name: "empty", b: []byte{}, wantLen: 0},
		{name: "one", b: wireAttr(1, 1), wantLen: 1, want: []attr{{Type: 1, Length: 1}}},
		{
			name: "flags",
			b: slices.Concat(
				wireAttr(1),
				wireAttr(Nested|2),
				wireAttr(NetByteOrder|3),
				wireAttr(Nested|NetByteOrder|4),
				wireAttr(0x3fff),
				wireAttr(0xffff),
			),
			wantLen: 6,
			want: []attr{
				{Type: 1},
				{Type: 2, Flags: Nested},
				{Type: 3, Flags: NetByteOrder},
				{Type: 4, Flags: Nested | NetByteOrder},
				{Type: 0x3fff},
				{Type: 0x3fff, Flags: Nested | NetByteOrder},
			},
		},
		{
			name:    "lengths",
			b:       slices.Concat(wireAttr(1, 1, 2, 3), wireAttr(2, 1, 2, 3, 4, 5, 6, 7, 8, 9)),
			wantLen: 2,
			want:    []attr{{Type: 1, Length: 3}, {Type: 2, Length: 9}},
		},
		{
			// Zero-length attributes are not counted, as UnmarshalAttributes
			// skips them; Next still stops on them.
			name:    "zero length",
			b:       slices.Concat(wireAttr(1, 1), wireAttrLength(0, 5), wireAttr(2, 2)),
			wantLen: 2,
			want:    []attr{{Type: 1, Length: 1}, {Type: 5}, {Type: 2, Length: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ad, err := NewAttributeDecoder(tt.b)
			if err != nil {
				t.Fatalf("failed to create decoder: %v", err)
			}
			if diff := cmp.Diff(tt.wantLen, ad.Len()); diff != "" {
				t.Fatalf("unexpected Len before Next (-want +got):\n%s", diff)
			}
			var got []attr
			for ad.Next() {
				got = append(got, attr{Type: ad.Type(), Flags: ad.TypeFlags(), Length: len(ad.Bytes())})
			}
			if err := ad.Err(); err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected attributes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantLen, ad.Len()); diff != "" {
				t.Fatalf("unexpected Len after Next (-want +got):\n%s", diff)
			}
		})
	}
}

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

// errTestCallback is an arbitrary error returned by test callbacks.
var errTestCallback = errors.New("test callback error")

func TestAttributeDecoderAfterError(t *testing.T) {
	b := slices.Concat(wireAttr(1, 1, 2), wireAttr(2, 1, 2, 3, 4), wireAttr(3))
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		t.Fatalf("failed to create decoder: %v", err)
	}
	if !ad.Next() {
		t.Fatal("no first attribute")
	}
	_ = ad.Uint32()
	first := ad.Err()
	if first == nil {
		t.Fatal("want an error for a 2-byte uint32")
	}

	// Every value method returns its zero value and keeps the first error.
	got := []any{
		ad.Uint8(), ad.Uint16(), ad.Uint32(), ad.Uint64(),
		ad.Int8(), ad.Int16(), ad.Int32(), ad.Int64(),
		ad.Uint(), ad.Sint(), ad.Flag(), ad.String(), ad.Bytes(),
	}
	want := []any{
		uint8(0), uint16(0), uint32(0), uint64(0),
		int8(0), int16(0), int32(0), int64(0),
		uint64(0), int64(0), false, "",
		// As in v1, Bytes still copies the current payload.
		[]byte{1, 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("unexpected values after an error (-want +got):\n%s", diff)
	}
	ad.Do(func([]byte) error {
		t.Fatal("Do called its function after an error")
		return nil
	})
	ad.Nested(func(*AttributeDecoder) error {
		t.Fatal("Nested called its function after an error")
		return nil
	})
	if ad.Next() {
		t.Fatal("Next returned true after an error")
	}
	if ad.Err() != first {
		t.Fatalf("error changed: want %v, got %v", first, ad.Err())
	}
}

func TestAttributeDecoderBytesIsCopy(t *testing.T) {
	b := wireAttr(1, 1, 2, 3, 4)
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		t.Fatalf("failed to create decoder: %v", err)
	}
	if !ad.Next() {
		t.Fatal("no attribute")
	}
	got := ad.Bytes()
	got[0] = 0xff
	b[5] = 0xee
	if diff := cmp.Diff(wireAttr(1, 1, 0xee, 3, 4), b); diff != "" {
		t.Fatalf("Bytes result aliases the input (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]byte{0xff, 2, 3, 4}, got); diff != "" {
		t.Fatalf("input change seen in the Bytes result (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]byte{1, 0xee, 3, 4}, ad.Bytes()); diff != "" {
		t.Fatalf("unexpected second Bytes (-want +got):\n%s", diff)
	}
}

func TestAttributeDecoderNested(t *testing.T) {
	u16 := nlenc.Uint16Bytes
	u32 := nlenc.Uint32Bytes

	// decodeAll decodes every attribute as Uint32, recursing into Nested
	// ones, into "type=value" lines.
	var decodeAll func(ad *AttributeDecoder, prefix string, out *[]string) error
	decodeAll = func(ad *AttributeDecoder, prefix string, out *[]string) error {
		for ad.Next() {
			name := prefix + strconv.Itoa(int(ad.Type()))
			if ad.TypeFlags()&Nested != 0 {
				ad.Nested(func(nad *AttributeDecoder) error {
					return decodeAll(nad, name+".", out)
				})
				continue
			}
			if v := ad.Uint32(); ad.Err() == nil {
				*out = append(*out, name+"="+strconv.FormatUint(uint64(v), 10))
			}
		}
		return ad.Err()
	}

	tests := []struct {
		name  string
		order binary.ByteOrder
		b     []byte
		want  []string
		err   error
	}{
		{
			name: "one level",
			b: slices.Concat(
				wireAttr(1, u32(1)...),
				wireAttr(Nested|2, slices.Concat(wireAttr(1, u32(21)...), wireAttr(2, u32(22)...))...),
				wireAttr(3, u32(3)...),
			),
			want: []string{"1=1", "2.1=21", "2.2=22", "3=3"},
		},
		{
			name: "several levels and siblings",
			b: slices.Concat(
				wireAttr(Nested|1, wireAttr(Nested|1, wireAttr(Nested|1, wireAttr(1, u32(1111)...)...)...)...),
				wireAttr(Nested|2, wireAttr(1, u32(21)...)...),
				wireAttr(Nested|3),
				wireAttr(Nested|4, wireAttr(Nested|1, wireAttr(1, u32(411)...)...)...),
			),
			want: []string{"1.1.1.1=1111", "2.1=21", "4.1.1=411"},
		},
		{
			name:  "byte order inherited",
			order: binary.BigEndian,
			b:     wireAttr(Nested|1, wireAttr(Nested|2, wireAttr(3, 0, 0, 1, 0)...)...),
			want:  []string{"1.2.3=256"},
		},
		{
			name: "malformed nested data",
			b:    slices.Concat(wireAttr(Nested|1, 9, 0, 1, 0, 1, 2, 3, 4), wireAttr(2, u32(2)...)),
			err:  errorWithText(v1InvalidAttribute),
		},
		{
			name: "truncated nested data",
			b:    wireAttr(Nested|1, 1, 2),
			err:  errorWithText(v1InvalidAttribute),
		},
		{
			name: "nested value error stops the parent",
			b: slices.Concat(
				wireAttr(Nested|1, slices.Concat(wireAttr(1, u32(11)...), wireAttr(2, u16(12)...))...),
				wireAttr(2, u32(2)...),
			),
			want: []string{"1.1=11"},
			err:  errorWithText("netlink: attribute 2 is not a uint32; length: 2"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ad, err := NewAttributeDecoder(tt.b)
			if err != nil {
				t.Fatalf("failed to create decoder: %v", err)
			}
			if tt.order != nil {
				ad.ByteOrder = tt.order
			}
			var got []string
			err = decodeAll(ad, "", &got)
			checkError(t, tt.err, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected values (-want +got):\n%s", diff)
			}
			if err != nil && ad.Next() {
				t.Fatal("Next returned true after a nested error")
			}
		})
	}
}

func TestAttributeDecoderNestedFunctionError(t *testing.T) {
	b := slices.Concat(wireAttr(Nested|1, wireAttr(1, 1)...), wireAttr(2, 2))
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		t.Fatalf("failed to create decoder: %v", err)
	}
	if !ad.Next() {
		t.Fatal("no attribute")
	}
	var inherited binary.ByteOrder
	ad.ByteOrder = binary.BigEndian
	ad.Nested(func(nad *AttributeDecoder) error {
		inherited = nad.ByteOrder
		if nad.Len() != 1 {
			t.Errorf("nested Len = %d, want 1", nad.Len())
		}
		return errTestCallback
	})
	if inherited != binary.ByteOrder(binary.BigEndian) {
		t.Fatalf("nested decoder ByteOrder = %v, want big endian", inherited)
	}
	checkError(t, errTestCallback, ad.Err())
	if ad.Next() {
		t.Fatal("Next returned true after a nested error")
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
