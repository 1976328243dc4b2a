//go:build linux

package genl

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/testkit"
	"github.com/netlinkgo/netlink/nltest"
	"golang.org/x/sys/unix"
)

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// opPolicyReply returns a CTRL_CMD_GETPOLICY reply that gives the do and
// dump policies of the operation keyed cmd.
func opPolicyReply(t testing.TB, cmd uint16, do, dump *uint32) netlink.Message {
	return ctrlMessage(unix.CTRL_CMD_GETPOLICY, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
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
	}))
}

// attrPolicyReply returns a CTRL_CMD_GETPOLICY reply that describes
// attribute attr of policy idx with the NL_POLICY_TYPE_ATTR_* that fn
// writes.
func attrPolicyReply(t testing.TB, idx, attr uint16, fn func(ae *netlink.AttributeEncoder)) netlink.Message {
	return ctrlMessage(unix.CTRL_CMD_GETPOLICY, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
		ae.Uint16(unix.CTRL_ATTR_FAMILY_ID, 30)
		ae.Nested(unix.CTRL_ATTR_POLICY, func(byIdx *netlink.AttributeEncoder) error {
			byIdx.Nested(idx, func(byAttr *netlink.AttributeEncoder) error {
				byAttr.Nested(attr, func(nae *netlink.AttributeEncoder) error { fn(nae); return nil })
				return nil
			})
			return nil
		})
	}))
}

// demoFamily has an operation with a do policy, one without a policy and
// a dump-only one with a policy.
var demoFamily = Family{
	Name: "demo", ID: 30,
	Operations: []Operation{
		{Command: 1, Flags: unix.GENL_CMD_CAP_DO | unix.GENL_CMD_CAP_HASPOL},
		{Command: 2, Flags: unix.GENL_CMD_CAP_DO},
		{Command: 5, Flags: unix.GENL_CMD_CAP_DUMP | unix.GENL_CMD_CAP_HASPOL},
	},
}

func TestParsePolicies(t *testing.T) {
	u32Range := func(ae *netlink.AttributeEncoder) {
		ae.Uint32(unix.NL_POLICY_TYPE_ATTR_TYPE, unix.NL_ATTR_TYPE_U32)
		ae.Uint64(unix.NL_POLICY_TYPE_ATTR_MIN_VALUE_U, 1)
		ae.Uint64(unix.NL_POLICY_TYPE_ATTR_MAX_VALUE_U, 16)
	}
	nulString := func(ae *netlink.AttributeEncoder) {
		ae.Uint32(unix.NL_POLICY_TYPE_ATTR_TYPE, unix.NL_ATTR_TYPE_NUL_STRING)
		ae.Uint32(unix.NL_POLICY_TYPE_ATTR_MAX_LENGTH, 15)
	}
	s8 := func(ae *netlink.AttributeEncoder) {
		ae.Uint32(unix.NL_POLICY_TYPE_ATTR_TYPE, unix.NL_ATTR_TYPE_S8)
		ae.Int64(unix.NL_POLICY_TYPE_ATTR_MIN_VALUE_S, -128)
		ae.Int64(unix.NL_POLICY_TYPE_ATTR_MAX_VALUE_S, 127)
	}
	tests := []struct {
		name    string
		msgs    []netlink.Message
		want    Policies
		wantErr bool
	}{
		{
			name: "operations and attributes",
			msgs: []netlink.Message{
				opPolicyReply(t, 1, ptr[uint32](0), nil),
				// The kernel keys a dump-only operation 0: it is op 5, the
				// next one with a policy.
				opPolicyReply(t, 0, nil, ptr[uint32](1)),
				attrPolicyReply(t, 0, 2, nulString),
				attrPolicyReply(t, 0, 1, u32Range),
				attrPolicyReply(t, 0, 3, s8),
			},
			want: Policies{
				Operations: []OperationPolicy{
					{Command: 1, Do: ptr[uint32](0)},
					{Command: 5, Dump: ptr[uint32](1)},
				},
				Policies: []Policy{
					{Index: 0, Attributes: []AttributePolicy{
						{Type: 1, Policy: netlink.AttributePolicy{Type: netlink.PolicyTypeU32, MinValue: 1, MaxValue: 16}},
						{Type: 2, Policy: netlink.AttributePolicy{Type: netlink.PolicyTypeNulString, MaxLength: 15}},
						{Type: 3, Policy: netlink.AttributePolicy{Type: netlink.PolicyTypeS8, MinValueSigned: -128, MaxValueSigned: 127}},
					}},
					// Policy 1 has no attributes, so no CTRL_ATTR_POLICY.
					{Index: 1},
				},
			},
		},
		{
			name: "an operation in two replies, a nested policy and an unknown command",
			msgs: []netlink.Message{
				opPolicyReply(t, 1, ptr[uint32](0), nil),
				opPolicyReply(t, 1, nil, ptr[uint32](0)),
				opPolicyReply(t, 9, ptr[uint32](4), nil),
				attrPolicyReply(t, 0, 7, func(ae *netlink.AttributeEncoder) {
					ae.Uint32(unix.NL_POLICY_TYPE_ATTR_TYPE, unix.NL_ATTR_TYPE_NESTED)
					ae.Uint32(unix.NL_POLICY_TYPE_ATTR_POLICY_IDX, 2)
					ae.Uint32(unix.NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE, 4)
				}),
				attrPolicyReply(t, 2, 1, nulString),
				{Header: netlink.Header{Type: netlink.Done}, Data: []byte{0, 0, 0, 0}},
			},
			want: Policies{
				Operations: []OperationPolicy{{Command: 1, Do: ptr[uint32](0), Dump: ptr[uint32](0)}},
				Policies: []Policy{
					{Index: 0, Attributes: []AttributePolicy{
						{Type: 7, Policy: netlink.AttributePolicy{Type: netlink.PolicyTypeNested, PolicyIndex: 2, PolicyMaxType: 4}},
					}},
					{Index: 2, Attributes: []AttributePolicy{
						{Type: 1, Policy: netlink.AttributePolicy{Type: netlink.PolicyTypeNulString, MaxLength: 15}},
					}},
				},
			},
		},
		{name: "no replies", msgs: nil, want: Policies{}},
		{
			name:    "reply too short",
			msgs:    []netlink.Message{{Header: netlink.Header{Type: unix.GENL_ID_CTRL}, Data: []byte{10}}},
			wantErr: true,
		},
		{
			name: "malformed attribute policy",
			msgs: []netlink.Message{attrPolicyReply(t, 0, 1, func(ae *netlink.AttributeEncoder) {
				ae.Uint16(unix.NL_POLICY_TYPE_ATTR_TYPE, unix.NL_ATTR_TYPE_U8) // a u32 in the kernel
			})},
			wantErr: true,
		},
		{
			name:    "malformed reply",
			msgs:    []netlink.Message{ctrlMessage(unix.CTRL_CMD_GETPOLICY, []byte{8, 0, 1})},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePolicies(demoFamily, tt.msgs)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParsePolicies error %v, want error: %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParsePolicies mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientPolicies(t *testing.T) {
	replies := []netlink.Message{
		opPolicyReply(t, 1, ptr[uint32](0), ptr[uint32](0)),
		attrPolicyReply(t, 0, 2, func(ae *netlink.AttributeEncoder) {
			ae.Uint32(unix.NL_POLICY_TYPE_ATTR_TYPE, unix.NL_ATTR_TYPE_FLAG)
		}),
	}
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		if diff := cmp.Diff(GetPolicyRequest(30).Data, req[0].Data); diff != "" {
			return nil, fmt.Errorf("request payload mismatch (-want +got):\n%s", diff)
		}
		if req[0].Header.Flags != netlink.Request|netlink.Dump {
			return nil, fmt.Errorf("request flags %s, want request|dump", req[0].Header.Flags)
		}
		h := netlink.Header{Type: unix.GENL_ID_CTRL, Sequence: req[0].Header.Sequence, PID: nltest.PID}
		var msgs []netlink.Message
		for _, m := range replies {
			m.Header = h
			msgs = append(msgs, m)
		}
		return nltest.Multipart(append(msgs, netlink.Message{Header: h}))
	})
	defer c.Close()

	got, err := NewClient(c).Policies(t.Context(), demoFamily)
	if err != nil {
		t.Fatalf("Policies: %v", err)
	}
	want := Policies{
		Operations: []OperationPolicy{{Command: 1, Do: ptr[uint32](0), Dump: ptr[uint32](0)}},
		Policies: []Policy{{Index: 0, Attributes: []AttributePolicy{
			{Type: 2, Policy: netlink.AttributePolicy{Type: netlink.PolicyTypeFlag}},
		}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Policies mismatch (-want +got):\n%s", diff)
	}

	t.Run("kernel error", func(t *testing.T) {
		c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
			// nltest.Error keeps the request's flags, as v1's does, and
			// the dump flags would read as Capped|AcknowledgeTLVs on an
			// error message: answer as the kernel does, without them.
			m := req[0]
			m.Header.Flags = netlink.Request
			return nltest.Error(int(unix.EOPNOTSUPP), []netlink.Message{m})
		})
		defer c.Close()
		if _, err := NewClient(c).Policies(t.Context(), demoFamily); !errors.Is(err, unix.EOPNOTSUPP) {
			t.Errorf("Policies error %v, want EOPNOTSUPP", err)
		}
	})
}
