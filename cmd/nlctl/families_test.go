//go:build linux

package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
)

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

func TestFamilyView(t *testing.T) {
	tests := []struct {
		name     string
		f        genl.Family
		policies *genl.Policies
		want     genlFamily
	}{
		{
			name: "nlctrl",
			f: genl.Family{
				Name: "nlctrl", ID: 16, Version: 2, MaxAttr: 10,
				Operations: []genl.Operation{{Command: 3, Flags: 0x0e}, {Command: 10, Flags: 0x0c | 0x20}},
				Groups:     []genl.Group{{Name: "notify", ID: 16}},
			},
			want: genlFamily{
				Name: "nlctrl", ID: 16, Version: 2, MaxAttr: 10,
				Operations: []genlOperation{
					{ID: 3, Name: "getfamily", Flags: []string{"cmd-cap-do", "cmd-cap-dump", "cmd-cap-haspol"}},
					{ID: 10, Name: "getpolicy", Flags: []string{"cmd-cap-dump", "cmd-cap-haspol", "0x20"}},
				},
				Groups: []genlGroup{{Name: "notify", ID: 16}},
			},
		},
		{
			name: "no operations nor groups",
			f:    genl.Family{Name: "demo", ID: 30, Version: 1, HeaderSize: 4},
			want: genlFamily{Name: "demo", ID: 30, Version: 1, HeaderSize: 4, Operations: []genlOperation{}, Groups: []genlGroup{}},
		},
		{
			name: "policies",
			f: genl.Family{
				Name: "demo", ID: 30,
				Operations: []genl.Operation{{Command: 1, Flags: 0x0b}, {Command: 2, Flags: 0x02}, {Command: 5, Flags: 0x0c}},
			},
			policies: &genl.Policies{
				Operations: []genl.OperationPolicy{{Command: 1, Do: ptr[uint32](0)}, {Command: 5, Dump: ptr[uint32](1)}},
				Policies: []genl.Policy{
					{Index: 0, Attributes: []genl.AttributePolicy{
						{Type: 1, Policy: netlink.AttributePolicy{Type: netlink.PolicyTypeU32, MinValue: 1, MaxValue: 16}},
						{Type: 2, Policy: netlink.AttributePolicy{Type: netlink.PolicyTypeNulString, MaxLength: 15}},
						{Type: 3, Policy: netlink.AttributePolicy{Type: netlink.PolicyTypeS8, MinValueSigned: -128, MaxValueSigned: 127}},
					}},
					{Index: 1},
				},
			},
			want: genlFamily{
				Name: "demo", ID: 30,
				Operations: []genlOperation{
					{ID: 1, Flags: []string{"admin-perm", "cmd-cap-do", "cmd-cap-haspol"}, DoPolicy: ptr[uint32](0)},
					{ID: 2, Flags: []string{"cmd-cap-do"}},
					{ID: 5, Flags: []string{"cmd-cap-dump", "cmd-cap-haspol"}, DumpPolicy: ptr[uint32](1)},
				},
				Groups: []genlGroup{},
				Policies: []policy{
					{Index: 0, Attributes: []attrPolicy{
						{Attr: 1, Type: "u32", Min: "1", Max: "16"},
						{Attr: 2, Type: "nul-string", MaxLength: ptr[uint32](15)},
						{Attr: 3, Type: "s8", Min: "-128", Max: "127"},
					}},
					{Index: 1, Attributes: []attrPolicy{}},
				},
			},
		},
		{
			name: "nlctrl attribute names",
			f:    genl.Family{Name: "nlctrl", ID: 16},
			policies: &genl.Policies{Policies: []genl.Policy{{Index: 0, Attributes: []genl.AttributePolicy{
				{Type: 2, Policy: netlink.AttributePolicy{Type: netlink.PolicyTypeNulString, MaxLength: 15}},
			}}}},
			want: genlFamily{
				Name: "nlctrl", ID: 16, Operations: []genlOperation{}, Groups: []genlGroup{},
				Policies: []policy{{Index: 0, Attributes: []attrPolicy{
					{Attr: 2, Name: "CTRL_ATTR_FAMILY_NAME", Type: "nul-string", MaxLength: ptr[uint32](15)},
				}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := familyView(tt.f)
			if tt.policies != nil {
				got.addPolicies(*tt.policies)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("family view mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAttrPolicyView(t *testing.T) {
	tests := []struct {
		name string
		p    netlink.AttributePolicy
		want attrPolicy
	}{
		{
			name: "unsigned range",
			p:    netlink.AttributePolicy{Type: netlink.PolicyTypeU16, MaxValue: 65535},
			want: attrPolicy{Attr: 7, Type: "u16", Min: "0", Max: "65535"},
		},
		{
			name: "signed range up to 0",
			p:    netlink.AttributePolicy{Type: netlink.PolicyTypeSint, MinValueSigned: -5},
			want: attrPolicy{Attr: 7, Type: "sint", Min: "-5", Max: "0"},
		},
		{
			name: "mask instead of a range",
			p:    netlink.AttributePolicy{Type: netlink.PolicyTypeU32, Mask: 0x3},
			want: attrPolicy{Attr: 7, Type: "u32", Mask: "0x3"},
		},
		{
			name: "lengths",
			p:    netlink.AttributePolicy{Type: netlink.PolicyTypeBinary, MinLength: 4, MaxLength: 16},
			want: attrPolicy{Attr: 7, Type: "binary", MinLength: ptr[uint32](4), MaxLength: ptr[uint32](16)},
		},
		{
			name: "nested policy 0",
			p:    netlink.AttributePolicy{Type: netlink.PolicyTypeNested, PolicyMaxType: 3},
			want: attrPolicy{Attr: 7, Type: "nested", Policy: ptr[uint32](0), MaxType: ptr[uint32](3)},
		},
		{
			name: "nested without a policy",
			p:    netlink.AttributePolicy{Type: netlink.PolicyTypeNested},
			want: attrPolicy{Attr: 7, Type: "nested"},
		},
		{
			name: "bitfield32",
			p:    netlink.AttributePolicy{Type: netlink.PolicyTypeBitfield32, Bitfield32Mask: 0xf0},
			want: attrPolicy{Attr: 7, Type: "bitfield32", Bitfield32Mask: "0xf0"},
		},
		{
			name: "unknown type with a range",
			p:    netlink.AttributePolicy{Type: 40, MinValue: 1, MaxValue: 2},
			want: attrPolicy{Attr: 7, Type: "unknown(40)", Min: "1", Max: "2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, attrPolicyView(7, tt.p)); diff != "" {
				t.Errorf("attrPolicyView mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteFamiliesText(t *testing.T) {
	families := []genlFamily{
		{
			Name: "nlctrl", ID: 16, Version: 2, MaxAttr: 10,
			Operations: []genlOperation{
				{ID: 3, Name: "getfamily", Flags: []string{"cmd-cap-do", "cmd-cap-dump"}, DoPolicy: ptr[uint32](0), DumpPolicy: ptr[uint32](0)},
				{ID: 10, Name: "getpolicy", Flags: []string{"cmd-cap-dump"}},
			},
			Groups: []genlGroup{{Name: "notify", ID: 16}},
			Policies: []policy{
				{Index: 0, Attributes: []attrPolicy{
					{Attr: 1, Name: "CTRL_ATTR_FAMILY_ID", Type: "u16", Min: "0", Max: "65535"},
					{Attr: 2, Name: "CTRL_ATTR_FAMILY_NAME", Type: "nul-string", MaxLength: ptr[uint32](15)},
				}},
				{Index: 1, Attributes: []attrPolicy{}},
			},
		},
		{Name: "demo", ID: 30, Version: 1, Operations: []genlOperation{}, Groups: []genlGroup{}},
	}
	tests := []struct {
		name       string
		withPolicy bool
		want       string
	}{
		{
			name: "plain",
			want: lines(
				"nlctrl  id 16  version 2  hdrsize 0  maxattr 10",
				"  op     getfamily (3)   cmd-cap-do,cmd-cap-dump",
				"  op     getpolicy (10)  cmd-cap-dump",
				"  group  notify (16)",
				"demo  id 30  version 1  hdrsize 0  maxattr 0",
			),
		},
		{
			name:       "with policy",
			withPolicy: true,
			want: lines(
				"nlctrl  id 16  version 2  hdrsize 0  maxattr 10",
				"  op     getfamily (3)   cmd-cap-do,cmd-cap-dump  do: policy 0, dump: policy 0",
				"  op     getpolicy (10)  cmd-cap-dump",
				"  group  notify (16)",
				"  policy 0:",
				"    1  CTRL_ATTR_FAMILY_ID    u16",
				"    2  CTRL_ATTR_FAMILY_NAME  nul-string  max-len 15",
				"  policy 1: no attributes",
				"demo  id 30  version 1  hdrsize 0  maxattr 0",
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sb strings.Builder
			if err := writeFamiliesText(&sb, families, tt.withPolicy); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, sb.String()); diff != "" {
				t.Errorf("writeFamiliesText mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAttrPolicyDescribe(t *testing.T) {
	tests := []struct {
		name string
		a    attrPolicy
		want string
	}{
		{name: "full range is left out", a: attrPolicy{Type: "u8", Min: "0", Max: "255"}, want: ""},
		{name: "narrow range", a: attrPolicy{Type: "u8", Min: "1", Max: "3"}, want: "range 1..3"},
		{name: "signed range", a: attrPolicy{Type: "s32", Min: "-1", Max: "5"}, want: "range -1..5"},
		{name: "lengths", a: attrPolicy{Type: "binary", MinLength: ptr[uint32](4), MaxLength: ptr[uint32](16)}, want: "min-len 4 max-len 16"},
		{name: "nested", a: attrPolicy{Type: "nested", Policy: ptr[uint32](2), MaxType: ptr[uint32](7)}, want: "policy 2 max-type 7"},
		{name: "mask", a: attrPolicy{Type: "u32", Mask: "0x3"}, want: "mask 0x3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.describe(); got != tt.want {
				t.Errorf("describe() = %q, want %q", got, tt.want)
			}
		})
	}
}
