//go:build linux

package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netlinkgo/netlink"
	"golang.org/x/sys/unix"
)

// genlMessage returns an nlctrl message of command cmd with attributes.
func genlMessage(t *testing.T, cmd uint8, attrs func(ae *netlink.AttributeEncoder)) netlink.Message {
	return message(unix.GENL_ID_CTRL, netlink.Multi, []byte{cmd, 2, 0, 0}, encode(t, attrs))
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

func TestParseFamily(t *testing.T) {
	m := genlMessage(t, unix.CTRL_CMD_NEWFAMILY, func(ae *netlink.AttributeEncoder) {
		ae.String(unix.CTRL_ATTR_FAMILY_NAME, "nlctrl")
		ae.Uint16(unix.CTRL_ATTR_FAMILY_ID, 16)
		ae.Uint32(unix.CTRL_ATTR_VERSION, 2)
		ae.Uint32(unix.CTRL_ATTR_HDRSIZE, 0)
		ae.Uint32(unix.CTRL_ATTR_MAXATTR, 10)
		ae.Nested(unix.CTRL_ATTR_OPS, func(ops *netlink.AttributeEncoder) error {
			for i, op := range [][2]uint32{{3, 0x0e}, {10, 0x0c | 0x20}} {
				ops.Nested(uint16(i+1), func(nae *netlink.AttributeEncoder) error {
					nae.Uint32(unix.CTRL_ATTR_OP_ID, op[0])
					nae.Uint32(unix.CTRL_ATTR_OP_FLAGS, op[1])
					return nil
				})
			}
			return nil
		})
		ae.Nested(unix.CTRL_ATTR_MCAST_GROUPS, func(groups *netlink.AttributeEncoder) error {
			groups.Nested(1, func(nae *netlink.AttributeEncoder) error {
				nae.Uint32(unix.CTRL_ATTR_MCAST_GRP_ID, 16)
				nae.String(unix.CTRL_ATTR_MCAST_GRP_NAME, "notify")
				return nil
			})
			return nil
		})
	})
	got, err := parseFamily(m)
	if err != nil {
		t.Fatalf("parseFamily: %v", err)
	}
	want := genlFamily{
		Name: "nlctrl", ID: 16, Version: 2, MaxAttr: 10,
		Operations: []genlOperation{
			{ID: 3, Name: "getfamily", Flags: []string{"cmd-cap-do", "cmd-cap-dump", "cmd-cap-haspol"}},
			{ID: 10, Name: "getpolicy", Flags: []string{"cmd-cap-dump", "cmd-cap-haspol", "0x20"}},
		},
		Groups: []genlGroup{{Name: "notify", ID: 16}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseFamily mismatch (-want +got):\n%s", diff)
	}

	t.Run("errors", func(t *testing.T) {
		for _, m := range []netlink.Message{
			message(unix.GENL_ID_CTRL, 0, []byte{1, 2}, nil),
			message(unix.GENL_ID_CTRL, 0, []byte{1, 2, 0, 0}, []byte{6, 0, 2, 0, 'x'}),
			message(unix.GENL_ID_CTRL, 0, []byte{1, 2, 0, 0}, encode(t, func(ae *netlink.AttributeEncoder) {
				ae.Uint32(unix.CTRL_ATTR_FAMILY_ID, 16) // a u16 in the kernel
			})),
		} {
			if _, err := parseFamily(m); err == nil {
				t.Errorf("parseFamily(%x) succeeded, want an error", m.Data)
			}
		}
	})
}

func TestPolicyCollector(t *testing.T) {
	f := genlFamily{
		Name: "demo", ID: 30,
		Operations: []genlOperation{
			{ID: 1, Flags: []string{"cmd-cap-do", "cmd-cap-haspol"}},
			{ID: 2, Flags: []string{"cmd-cap-do"}},
			{ID: 5, Flags: []string{"cmd-cap-dump", "cmd-cap-haspol"}},
		},
	}
	opPolicy := func(cmd uint16, do, dump *uint32) []byte {
		return encode(t, func(ae *netlink.AttributeEncoder) {
			ae.Uint16(unix.CTRL_ATTR_FAMILY_ID, 30)
			ae.Nested(unix.CTRL_ATTR_OP_POLICY, func(nae *netlink.AttributeEncoder) error {
				nae.Nested(cmd, func(p *netlink.AttributeEncoder) error {
					if do != nil {
						p.Uint32(unix.CTRL_ATTR_POLICY_DO, *do)
					}
					if dump != nil {
						p.Uint32(unix.CTRL_ATTR_POLICY_DUMP, *dump)
					}
					return nil
				})
				return nil
			})
		})
	}
	policyAttr := func(idx, attr uint16, fn func(ae *netlink.AttributeEncoder)) []byte {
		return encode(t, func(ae *netlink.AttributeEncoder) {
			ae.Nested(unix.CTRL_ATTR_POLICY, func(byIdx *netlink.AttributeEncoder) error {
				byIdx.Nested(idx, func(byAttr *netlink.AttributeEncoder) error {
					byAttr.Nested(attr, func(nae *netlink.AttributeEncoder) error { fn(nae); return nil })
					return nil
				})
				return nil
			})
		})
	}
	replies := [][]byte{
		opPolicy(1, ptr[uint32](0), nil),
		// The kernel keys a dump-only operation 0: it is op 5, the next
		// one with a policy.
		opPolicy(0, nil, ptr[uint32](1)),
		policyAttr(0, 1, func(ae *netlink.AttributeEncoder) {
			ae.Uint32(unix.NL_POLICY_TYPE_ATTR_TYPE, unix.NL_ATTR_TYPE_U32)
			ae.Uint64(unix.NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 1)
			ae.Uint64(unix.NL_POLICY_TYPE_ATTR_MAX_VALUE_U, 16)
		}),
		policyAttr(0, 2, func(ae *netlink.AttributeEncoder) {
			ae.Uint32(unix.NL_POLICY_TYPE_ATTR_TYPE, unix.NL_ATTR_TYPE_NUL_STRING)
			ae.Uint32(unix.NL_POLICY_TYPE_ATTR_MAX_LENGTH, 15)
		}),
		policyAttr(0, 3, func(ae *netlink.AttributeEncoder) {
			ae.Uint32(unix.NL_POLICY_TYPE_ATTR_TYPE, unix.NL_ATTR_TYPE_S8)
			ae.Int64(unix.NL_POLICY_TYPE_ATTR_MIN_VALUE_S, -128)
			ae.Int64(unix.NL_POLICY_TYPE_ATTR_MAX_VALUE_S, 127)
		}),
	}
	pc := newPolicyCollector(&f)
	for _, b := range replies {
		if err := pc.parse(b); err != nil {
			t.Fatalf("parse: %v", err)
		}
	}
	wantOps := []genlOperation{
		{ID: 1, Flags: []string{"cmd-cap-do", "cmd-cap-haspol"}, DoPolicy: ptr[uint32](0)},
		{ID: 2, Flags: []string{"cmd-cap-do"}},
		{ID: 5, Flags: []string{"cmd-cap-dump", "cmd-cap-haspol"}, DumpPolicy: ptr[uint32](1)},
	}
	if diff := cmp.Diff(wantOps, f.Operations); diff != "" {
		t.Errorf("operations mismatch (-want +got):\n%s", diff)
	}
	wantAttrs := []attrPolicy{
		{Attr: 1, Type: "u32", Min: "1", Max: "16"},
		{Attr: 2, Type: "nul-string", MaxLength: ptr[uint32](15)},
		{Attr: 3, Type: "s8", Min: "-128", Max: "127"},
	}
	if diff := cmp.Diff(wantAttrs, pc.policies[0].Attributes); diff != "" {
		t.Errorf("policy 0 mismatch (-want +got):\n%s", diff)
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
