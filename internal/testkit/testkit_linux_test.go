//go:build linux

package testkit_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/testkit"
)

func TestLinkName(t *testing.T) {
	ifinfo := make([]byte, unix.SizeofIfInfomsg)
	newLink := func(attrs []byte) netlink.Message {
		return netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: append(ifinfo, attrs...)}
	}
	tests := []struct {
		name    string
		m       netlink.Message
		want    string
		wantErr bool
	}{
		{
			name: "named",
			m: newLink(testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
				ae.Uint32(unix.IFLA_MTU, 1500)
				ae.String(unix.IFLA_IFNAME, "veth0")
			})),
			want: "veth0",
		},
		{name: "no name", m: newLink(testkit.Attribute(unix.IFLA_MTU, []byte{0, 0, 0, 0})), wantErr: true},
		{name: "another type", m: netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWROUTE}, Data: ifinfo}, wantErr: true},
		{name: "short", m: netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: ifinfo[:4]}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testkit.LinkName(tt.m)
			if (err != nil) != tt.wantErr {
				t.Fatalf("LinkName: error %v, want an error: %t", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("LinkName (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDumpRequests(t *testing.T) {
	tests := []struct {
		name     string
		m        netlink.Message
		typ      netlink.HeaderType
		dataSize int
		family   byte
	}{
		{name: "link", m: testkit.LinkDump(7), typ: unix.RTM_GETLINK, dataSize: unix.SizeofIfInfomsg},
		{name: "route", m: testkit.RouteDump(7), typ: unix.RTM_GETROUTE, dataSize: unix.SizeofRtMsg, family: unix.AF_INET},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := netlink.Header{Type: tt.typ, Flags: netlink.Request | netlink.Dump, Sequence: 7}
			if diff := cmp.Diff(want, tt.m.Header); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			if len(tt.m.Data) != tt.dataSize || tt.m.Data[0] != tt.family {
				t.Errorf("data % x: want %d bytes starting with family %d", tt.m.Data, tt.dataSize, tt.family)
			}
		})
	}
}
