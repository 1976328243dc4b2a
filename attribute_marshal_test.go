package netlink

import (
	"bytes"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

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
