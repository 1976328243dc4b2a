package netlink

import (
	"encoding/binary"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netlinkgo/netlink/nlenc"
)

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
