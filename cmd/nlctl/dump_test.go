//go:build linux

package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netlinkgo/netlink"
	"golang.org/x/sys/unix"
)

func TestCheckAnswerable(t *testing.T) {
	req := func(typ netlink.HeaderType, flags netlink.HeaderFlags, n int) netlink.Message {
		return netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: make([]byte, n)}
	}
	tests := []struct {
		name     string
		protocol int
		m        netlink.Message
		wantErr  string
	}{
		{name: "route dump", protocol: unix.NETLINK_ROUTE, m: req(unix.RTM_GETLINK, netlink.Request|netlink.Dump, 16)},
		{name: "one-byte route header", protocol: unix.NETLINK_ROUTE, m: req(unix.RTM_GETLINK, netlink.Request|netlink.Dump, 1)},
		{name: "ack alone", protocol: unix.NETLINK_ROUTE, m: req(unix.RTM_GETLINK, netlink.Acknowledge, 16)},
		{name: "control type with ack", protocol: unix.NETLINK_ROUTE, m: req(netlink.Noop, netlink.Request|netlink.Acknowledge, 0)},
		{name: "empty route payload with ack", protocol: unix.NETLINK_ROUTE, m: req(unix.RTM_GETLINK, netlink.Request|netlink.Acknowledge, 0)},
		{name: "empty payload of another family", protocol: unix.NETLINK_AUDIT, m: req(1000, netlink.Request, 0)},
		{
			name: "not a request", protocol: unix.NETLINK_ROUTE, m: req(unix.RTM_GETLINK, netlink.Dump|netlink.Echo|0x8000, 16),
			wantErr: "header flags echo|dump|0x8000 lack request: the kernel does not answer a message that is not a request (add request to -flags, or ack to get an acknowledgement alone)",
		},
		{
			name: "control type", protocol: unix.NETLINK_GENERIC, m: req(netlink.Done, netlink.Request, 4),
			wantErr: "message type 3 is a netlink control message (NLMSG_*, below 16), which the kernel does not answer (add ack to -flags to get an acknowledgement)",
		},
		{
			name: "empty route payload", protocol: unix.NETLINK_ROUTE, m: req(unix.RTM_GETLINK, netlink.Request|netlink.Dump, 0),
			wantErr: "the payload is empty: the kernel ignores route requests without a header (struct rtgenmsg at least); fix -header or -hdrlen, or add ack to -flags to get an acknowledgement",
		},
		{name: "short nfgenmsg", protocol: unix.NETLINK_NETFILTER, m: req(0x101, netlink.Request|netlink.Dump, 3)},
		{
			name: "empty netfilter payload", protocol: unix.NETLINK_NETFILTER, m: req(0x101, netlink.Request|netlink.Dump, 0),
			wantErr: "the payload is empty: the kernel ignores netfilter requests without a header (struct nfgenmsg); fix -header or -hdrlen, or add ack to -flags to get an acknowledgement",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkAnswerable(tt.protocol, tt.m)
			got := ""
			if err != nil {
				got = err.Error()
				if _, ok := err.(*usageError); !ok {
					t.Errorf("error %T, want a *usageError", err)
				}
			}
			if diff := cmp.Diff(tt.wantErr, got); diff != "" {
				t.Errorf("checkAnswerable error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRangeError(t *testing.T) {
	tests := []struct {
		s    string
		bits int
		want string
	}{
		{s: "65535", bits: 16},
		{s: "0xffff", bits: 16},
		{s: "getlink", bits: 16},
		{s: "nftables:1", bits: 16},
		{s: "", bits: 16},
		{s: "65536", bits: 16, want: "type 65536 is out of range (0 to 65535)"},
		{s: "0x10000", bits: 16, want: "type 0x10000 is out of range (0 to 65535)"},
		{s: "-1", bits: 16, want: "type -1 is out of range (0 to 65535)"},
		{s: "256", bits: 8, want: "type 256 is out of range (0 to 255)"},
		{s: "99999999999999999999999", bits: 32, want: "type 99999999999999999999999 is out of range (0 to 4294967295)"},
		{s: "-99999999999999999999999", bits: 32, want: "type -99999999999999999999999 is out of range (0 to 4294967295)"},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			got := ""
			if err := rangeError("type", tt.s, tt.bits); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rangeError(%q, %d) mismatch (-want +got):\n%s", tt.s, tt.bits, diff)
			}
		})
	}
}
