package netlink

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// policyTestEncode returns the attributes that fn writes.
func policyTestEncode(t testing.TB, fn func(ae *AttributeEncoder)) []byte {
	t.Helper()
	ae := NewAttributeEncoder()
	fn(ae)
	b, err := ae.Encode()
	if err != nil {
		t.Fatalf("encoding attributes: %v", err)
	}
	return b
}

func TestParseAttributePolicy(t *testing.T) {
	tests := []struct {
		name    string
		b       []byte
		want    AttributePolicy
		wantErr bool
	}{
		{name: "empty", b: nil, want: AttributePolicy{}},
		{
			// nlctrl's CTRL_ATTR_FAMILY_NAME as Linux 6.18 reports it, in
			// both an extended acknowledgement and CTRL_CMD_GETPOLICY.
			name: "kernel nul-string",
			b:    []byte{8, 0, 7, 0, 15, 0, 0, 0, 8, 0, 1, 0, 12, 0, 0, 0},
			want: AttributePolicy{Type: PolicyTypeNulString, MaxLength: 15},
		},
		{
			// nlctrl's CTRL_ATTR_FAMILY_ID: a u16 with its full range.
			name: "kernel u16",
			b: []byte{
				12, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				12, 0, 5, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0,
				8, 0, 1, 0, 3, 0, 0, 0,
			},
			want: AttributePolicy{Type: PolicyTypeU16, MaxValue: 0xffff},
		},
		{
			name: "every field",
			b: policyTestEncode(t, func(ae *AttributeEncoder) {
				ae.Uint32(policyAttrType, uint32(PolicyTypeS32))
				ae.Int64(policyAttrMinValueS, -10)
				ae.Int64(policyAttrMaxValueS, 10)
				ae.Uint64(policyAttrMinValueU, 1)
				ae.Uint64(policyAttrMaxValueU, 1<<40)
				ae.Uint32(policyAttrMinLength, 4)
				ae.Uint32(policyAttrMaxLength, 16)
				ae.Uint32(policyAttrPolicyIndex, 2)
				ae.Uint32(policyAttrPolicyMaxType, 7)
				ae.Uint32(policyAttrBitfield32Mask, 0xf0)
				ae.Uint64(policyAttrMask, 0xff00ff00ff)
			}),
			want: AttributePolicy{
				Type:           PolicyTypeS32,
				MinValueSigned: -10,
				MaxValueSigned: 10,
				MinValue:       1,
				MaxValue:       1 << 40,
				MinLength:      4,
				MaxLength:      16,
				PolicyIndex:    2,
				PolicyMaxType:  7,
				Bitfield32Mask: 0xf0,
				Mask:           0xff00ff00ff,
			},
		},
		{
			name: "pad and unknown attributes are skipped",
			b: policyTestEncode(t, func(ae *AttributeEncoder) {
				ae.Flag(11, true) // NL_POLICY_TYPE_ATTR_PAD
				ae.Uint32(policyAttrType, uint32(PolicyTypeUint))
				ae.Bytes(200, []byte{1, 2, 3})
				ae.Uint64(policyAttrMask, 3)
			}),
			want: AttributePolicy{Type: PolicyTypeUint, Mask: 3},
		},
		{
			name: "type of an unknown kind",
			b: policyTestEncode(t, func(ae *AttributeEncoder) {
				ae.Uint32(policyAttrType, 99)
			}),
			want: AttributePolicy{Type: 99},
		},
		{
			name: "type of the wrong size",
			b: policyTestEncode(t, func(ae *AttributeEncoder) {
				ae.Uint16(policyAttrType, 3)
			}),
			wantErr: true,
		},
		{
			name: "range of the wrong size",
			b: policyTestEncode(t, func(ae *AttributeEncoder) {
				ae.Uint32(policyAttrMaxValueU, 3)
			}),
			wantErr: true,
		},
		{name: "truncated attribute", b: []byte{8, 0, 1, 0, 3, 0}, wantErr: true},
		{name: "length below the header", b: []byte{2, 0, 1, 0}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAttributePolicy(tt.b)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseAttributePolicy(%x) error %v, want error: %v", tt.b, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseAttributePolicy(%x) mismatch (-want +got):\n%s", tt.b, diff)
			}
		})
	}
}

func TestPolicyTypeString(t *testing.T) {
	tests := []struct {
		t    PolicyType
		want string
	}{
		{PolicyTypeInvalid, "invalid"},
		{PolicyTypeFlag, "flag"},
		{PolicyTypeU8, "u8"},
		{PolicyTypeU16, "u16"},
		{PolicyTypeU32, "u32"},
		{PolicyTypeU64, "u64"},
		{PolicyTypeS8, "s8"},
		{PolicyTypeS16, "s16"},
		{PolicyTypeS32, "s32"},
		{PolicyTypeS64, "s64"},
		{PolicyTypeBinary, "binary"},
		{PolicyTypeString, "string"},
		{PolicyTypeNulString, "nul-string"},
		{PolicyTypeNested, "nested"},
		{PolicyTypeNestedArray, "nested-array"},
		{PolicyTypeBitfield32, "bitfield32"},
		{PolicyTypeSint, "sint"},
		{PolicyTypeUint, "uint"},
		{18, "unknown(18)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.t.String()); diff != "" {
				t.Errorf("PolicyType(%d).String() mismatch (-want +got):\n%s", uint32(tt.t), diff)
			}
		})
	}
}

// FuzzParseAttributePolicy checks that no input makes ParseAttributePolicy
// panic, that a policy comes back zero with an error, and that a policy it
// reads encodes back to one it reads the same.
func FuzzParseAttributePolicy(f *testing.F) {
	f.Add([]byte{8, 0, 1, 0, 4, 0, 0, 0})
	f.Add([]byte{12, 0, 2, 0, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 4, 0, 11, 0})

	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseAttributePolicy(b)
		if err != nil {
			if p != (AttributePolicy{}) {
				t.Fatalf("ParseAttributePolicy(%x) returned %+v with error %v, want a zero policy", b, p, err)
			}
			return
		}
		again, err := ParseAttributePolicy(policyTestEncode(t, func(ae *AttributeEncoder) {
			ae.Uint32(policyAttrType, uint32(p.Type))
			ae.Int64(policyAttrMinValueS, p.MinValueSigned)
			ae.Int64(policyAttrMaxValueS, p.MaxValueSigned)
			ae.Uint64(policyAttrMinValueU, p.MinValue)
			ae.Uint64(policyAttrMaxValueU, p.MaxValue)
			ae.Uint32(policyAttrMinLength, p.MinLength)
			ae.Uint32(policyAttrMaxLength, p.MaxLength)
			ae.Uint32(policyAttrPolicyIndex, p.PolicyIndex)
			ae.Uint32(policyAttrPolicyMaxType, p.PolicyMaxType)
			ae.Uint32(policyAttrBitfield32Mask, p.Bitfield32Mask)
			ae.Uint64(policyAttrMask, p.Mask)
		}))
		if err != nil {
			t.Fatalf("re-encoded policy %+v: %v", p, err)
		}
		if diff := cmp.Diff(p, again); diff != "" {
			t.Fatalf("re-encoded policy mismatch (-first +second):\n%s", diff)
		}
	})
}
