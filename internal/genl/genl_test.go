//go:build linux

package genl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/testkit"
	"github.com/netlinkgo/netlink/nltest"
	"golang.org/x/sys/unix"
)

// ctrlMessage returns a message from nlctrl with command cmd and attrs.
func ctrlMessage(cmd uint8, attrs []byte) netlink.Message {
	return netlink.Message{
		Header: netlink.Header{Type: unix.GENL_ID_CTRL},
		Data:   append([]byte{cmd, 2, 0, 0}, attrs...),
	}
}

// familyAttrs returns the attributes of a CTRL_CMD_NEWFAMILY message about
// f.
func familyAttrs(t testing.TB, f Family) []byte {
	ops, groups := f.Operations, f.Groups
	return testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
		ae.String(unix.CTRL_ATTR_FAMILY_NAME, f.Name)
		ae.Uint16(unix.CTRL_ATTR_FAMILY_ID, f.ID)
		ae.Uint32(unix.CTRL_ATTR_VERSION, f.Version)
		ae.Uint32(unix.CTRL_ATTR_HDRSIZE, f.HeaderSize)
		ae.Uint32(unix.CTRL_ATTR_MAXATTR, f.MaxAttr)
		if ops != nil {
			ae.Nested(unix.CTRL_ATTR_OPS, func(nae *netlink.AttributeEncoder) error {
				for i, op := range ops {
					nae.Nested(uint16(i+1), func(oae *netlink.AttributeEncoder) error {
						oae.Uint32(unix.CTRL_ATTR_OP_ID, op.Command)
						oae.Uint32(unix.CTRL_ATTR_OP_FLAGS, op.Flags)
						return nil
					})
				}
				return nil
			})
		}
		if groups != nil {
			ae.Nested(unix.CTRL_ATTR_MCAST_GROUPS, func(nae *netlink.AttributeEncoder) error {
				for i, g := range groups {
					nae.Nested(uint16(i+1), func(gae *netlink.AttributeEncoder) error {
						gae.Uint32(unix.CTRL_ATTR_MCAST_GRP_ID, g.ID)
						gae.String(unix.CTRL_ATTR_MCAST_GRP_NAME, g.Name)
						return nil
					})
				}
				return nil
			})
		}
	})
}

// nlctrlOps and nlctrlGroups are nlctrl's operations and groups.
var (
	nlctrlOps = []Operation{
		{Command: unix.CTRL_CMD_GETFAMILY, Flags: unix.GENL_CMD_CAP_DO | unix.GENL_CMD_CAP_DUMP | unix.GENL_CMD_CAP_HASPOL},
		{Command: unix.CTRL_CMD_GETPOLICY, Flags: unix.GENL_CMD_CAP_DUMP | unix.GENL_CMD_CAP_HASPOL},
	}
	nlctrlGroups = []Group{{Name: "notify", ID: 16}}
	nlctrl       = Family{Name: "nlctrl", ID: 16, Version: 2, MaxAttr: 10, Operations: nlctrlOps, Groups: nlctrlGroups}
)

func TestRequests(t *testing.T) {
	tests := []struct {
		name string
		got  netlink.Message
		want netlink.Message
	}{
		{
			name: "GetFamilyRequest by name",
			got:  GetFamilyRequest("nlctrl"),
			want: netlink.Message{
				Header: netlink.Header{Type: 16, Flags: netlink.Request},
				Data:   []byte{3, 2, 0, 0, 11, 0, 2, 0, 'n', 'l', 'c', 't', 'r', 'l', 0, 0},
			},
		},
		{
			name: "GetFamilyRequest dump",
			got:  GetFamilyRequest(""),
			want: netlink.Message{
				Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Dump},
				Data:   []byte{3, 2, 0, 0},
			},
		},
		{
			name: "GetPolicyRequest",
			got:  GetPolicyRequest(0x1e),
			want: netlink.Message{
				Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Dump},
				Data:   []byte{10, 2, 0, 0, 6, 0, 1, 0, 0x1e, 0, 0, 0},
			},
		},
		{
			name: "Request adds the Request flag",
			got:  Request(0x20, 7, 1, netlink.Acknowledge, []byte{4, 0, 1, 0}),
			want: netlink.Message{
				Header: netlink.Header{Type: 0x20, Flags: netlink.Request | netlink.Acknowledge},
				Data:   []byte{7, 1, 0, 0, 4, 0, 1, 0},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFamily(t *testing.T) {
	tests := []struct {
		name    string
		m       netlink.Message
		want    Family
		wantErr string
	}{
		{
			name: "nlctrl",
			m:    ctrlMessage(unix.CTRL_CMD_NEWFAMILY, familyAttrs(t, nlctrl)),
			want: nlctrl,
		},
		{
			name: "no operations nor groups",
			m:    ctrlMessage(unix.CTRL_CMD_NEWFAMILY, familyAttrs(t, Family{Name: "demo", ID: 30, Version: 2, HeaderSize: 8, MaxAttr: 10})),
			want: Family{Name: "demo", ID: 30, Version: 2, HeaderSize: 8, MaxAttr: 10},
		},
		{
			name:    "another family's message",
			m:       netlink.Message{Header: netlink.Header{Type: 30}, Data: []byte{1, 2, 0, 0}},
			wantErr: "not a CTRL_CMD_NEWFAMILY message",
		},
		{
			name:    "another command",
			m:       ctrlMessage(unix.CTRL_CMD_DELFAMILY, familyAttrs(t, Family{Name: "demo", ID: 30, Version: 2, HeaderSize: 8, MaxAttr: 10})),
			wantErr: "not a CTRL_CMD_NEWFAMILY message",
		},
		{
			name:    "too short for a genlmsghdr",
			m:       netlink.Message{Header: netlink.Header{Type: unix.GENL_ID_CTRL}, Data: []byte{1, 2}},
			wantErr: "not a CTRL_CMD_NEWFAMILY message",
		},
		{
			name:    "truncated attribute",
			m:       ctrlMessage(unix.CTRL_CMD_NEWFAMILY, []byte{6, 0, 2, 0, 'x'}),
			wantErr: "genl: CTRL_CMD_NEWFAMILY: ",
		},
		{
			name: "ID of the wrong size",
			m: ctrlMessage(unix.CTRL_CMD_NEWFAMILY, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
				ae.String(unix.CTRL_ATTR_FAMILY_NAME, "demo")
				ae.Uint32(unix.CTRL_ATTR_FAMILY_ID, 16) // a u16 in the kernel
			})),
			wantErr: "genl: CTRL_CMD_NEWFAMILY: ",
		},
		{
			name: "malformed operation",
			m: ctrlMessage(unix.CTRL_CMD_NEWFAMILY, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
				ae.String(unix.CTRL_ATTR_FAMILY_NAME, "demo")
				ae.Uint16(unix.CTRL_ATTR_FAMILY_ID, 30)
				ae.Bytes(unix.CTRL_ATTR_OPS, []byte{8, 0, 1, 0, 6, 0, 1, 0})
			})),
			wantErr: "genl: CTRL_CMD_NEWFAMILY: ",
		},
		{
			name: "no ID",
			m: ctrlMessage(unix.CTRL_CMD_NEWFAMILY, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
				ae.String(unix.CTRL_ATTR_FAMILY_NAME, "demo")
			})),
			wantErr: `without a name or ID: name "demo", ID 0`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFamily(tt.m)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFamily error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFamily: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFamily mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// fakeNlctrl plays nlctrl for a Client: it knows the families fs.
func fakeNlctrl(t *testing.T, fs ...Family) *netlink.Conn {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		if len(req) != 1 || req[0].Header.Type != unix.GENL_ID_CTRL || len(req[0].Data) < HeaderLen {
			return nil, fmt.Errorf("unexpected request %+v", req)
		}
		m := req[0]
		h := netlink.Header{Type: unix.GENL_ID_CTRL, Sequence: m.Header.Sequence, PID: nltest.PID}
		newFamily := func(f Family) netlink.Message {
			return netlink.Message{Header: h, Data: ctrlMessage(unix.CTRL_CMD_NEWFAMILY, familyAttrs(t, f)).Data}
		}
		if m.Data[0] != unix.CTRL_CMD_GETFAMILY {
			return nltest.Error(int(unix.EOPNOTSUPP), req)
		}
		if m.Header.Flags&netlink.Dump != 0 {
			var msgs []netlink.Message
			for _, f := range fs {
				msgs = append(msgs, newFamily(f))
			}
			return nltest.Multipart(append(msgs, netlink.Message{Header: h}))
		}
		ad, err := netlink.NewAttributeDecoder(m.Data[HeaderLen:])
		if err != nil {
			return nil, err
		}
		for ad.Next() {
			if ad.Type() != unix.CTRL_ATTR_FAMILY_NAME {
				continue
			}
			for _, f := range fs {
				if f.Name == ad.String() {
					return []netlink.Message{newFamily(f)}, nil
				}
			}
		}
		return nltest.Error(int(unix.ENOENT), req)
	})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestClientFamily(t *testing.T) {
	demo := Family{Name: "demo", ID: 30, Version: 2, MaxAttr: 10}
	c := NewClient(fakeNlctrl(t, demo, nlctrl))
	tests := []struct {
		name    string
		want    Family
		wantErr error
	}{
		{name: "nlctrl", want: nlctrl},
		{name: "demo", want: demo},
		{name: "nosuch", wantErr: unix.ENOENT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Family(t.Context(), tt.name)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Family(%q) error %v, want %v", tt.name, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Family(%q) mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}

	t.Run("empty name", func(t *testing.T) {
		if _, err := c.Family(t.Context(), ""); err == nil {
			t.Error("Family(\"\") succeeded, want an error")
		}
	})
}

func TestClientFamilies(t *testing.T) {
	demo := Family{Name: "demo", ID: 30, Version: 1, MaxAttr: 10, Groups: []Group{{Name: "events", ID: 40}}}
	tests := []struct {
		name     string
		families []Family
		want     []Family
	}{
		{name: "sorted by ID", families: []Family{demo, nlctrl}, want: []Family{nlctrl, demo}},
		{name: "one", families: []Family{nlctrl}, want: []Family{nlctrl}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewClient(fakeNlctrl(t, tt.families...)).Families(t.Context())
			if err != nil {
				t.Fatalf("Families: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Families mismatch (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := NewClient(fakeNlctrl(t, nlctrl)).Families(ctx); err == nil {
			t.Error("Families with a cancelled context succeeded, want an error")
		}
	})
}
