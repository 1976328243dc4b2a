//go:build linux

package netlink_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

// TestTrustReceiveOrigin checks the origin ReceiveFrom gives notifications:
// the kernel's port, and the group, including one above 32 with PacketInfo.
func TestTrustReceiveOrigin(t *testing.T) {
	// Every subtest needs a namespace of its own: skip as a whole.
	nstest.SkipUnlessAvailable(t)
	for _, pktinfo := range []bool{false, true} {
		t.Run(fmt.Sprintf("link/PacketInfo=%t", pktinfo), func(t *testing.T) {
			ns := nstest.New(t)
			c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
			if err := c.SetOption(netlink.PacketInfo, pktinfo); err != nil {
				t.Fatal(err)
			}
			if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
				t.Fatal(err)
			}
			ns.Run(t, "link", "add", "oa", "type", "veth", "peer", "name", "ob")
			_, o := trustReceiveUntil(t, c, func(m netlink.Message, _ netlink.Origin) bool {
				return m.Header.Type == unix.RTM_NEWLINK && trustLinkName(t, m) == "oa"
			})
			want := netlink.Origin{PortID: 0, Group: unix.RTNLGRP_LINK, NSID: -1}
			if diff := cmp.Diff(want, o); diff != "" {
				t.Errorf("origin (-want +got):\n%s", diff)
			}
		})
	}

	// RTNLGRP_IPV4_MCADDR (37) gets a notification when a link comes up
	// and joins the all-hosts group 224.0.0.1. The source address cannot
	// name it, so the Conn must turn PacketInfo on by itself, or the
	// notification would pass for a unicast reply from the kernel.
	for _, pktinfo := range []bool{false, true} {
		t.Run(fmt.Sprintf("group above 32/PacketInfo=%t", pktinfo), func(t *testing.T) {
			ns := nstest.New(t)
			c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
			if err := c.SetOption(netlink.PacketInfo, pktinfo); err != nil {
				t.Fatal(err)
			}
			if err := c.JoinGroup(unix.RTNLGRP_IPV4_MCADDR); err != nil {
				t.Fatal(err)
			}
			ns.Run(t, "link", "add", "oa", "type", "veth", "peer", "name", "ob")
			ns.Run(t, "link", "set", "oa", "up")
			m, o := trustReceiveUntil(t, c, func(netlink.Message, netlink.Origin) bool { return true })
			if m.Header.Type != unix.RTM_NEWMULTICAST {
				t.Errorf("message type %d, want RTM_NEWMULTICAST (%d)", m.Header.Type, unix.RTM_NEWMULTICAST)
			}
			want := netlink.Origin{PortID: 0, Group: unix.RTNLGRP_IPV4_MCADDR, NSID: -1}
			if diff := cmp.Diff(want, o); diff != "" {
				t.Errorf("origin (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTrustListenAllNSID checks that with ListenAllNSID a notification from
// another namespace comes with that namespace's ID, and one from the
// Conn's own namespace with -1.
func TestTrustListenAllNSID(t *testing.T) {
	a, b := nstest.New(t), nstest.New(t)
	const nsid = 7
	a.Run(t, "netns", "set", b.Name(), fmt.Sprint(nsid))
	c := testkit.Dial(t, a, unix.NETLINK_ROUTE, nil)
	if err := c.SetOption(netlink.ListenAllNSID, true); err != nil {
		t.Fatal(err)
	}
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		ns   *nstest.NS
		want int32
	}{
		{b, nsid},
		{a, -1},
	} {
		tt.ns.Run(t, "link", "add", "nsid"+fmt.Sprint(tt.want), "type", "veth", "peer", "name", "peer")
		_, o := trustReceiveUntil(t, c, func(m netlink.Message, _ netlink.Origin) bool {
			return m.Header.Type == unix.RTM_NEWLINK && trustLinkName(t, m) == "nsid"+fmt.Sprint(tt.want)
		})
		want := netlink.Origin{PortID: 0, Group: unix.RTNLGRP_LINK, NSID: tt.want}
		if diff := cmp.Diff(want, o); diff != "" {
			t.Errorf("origin of a link of %s (-want +got):\n%s", tt.ns.Name(), diff)
		}
	}
}

// TestTrustMemberships checks that Memberships lists the groups joined by
// Config.Groups and by JoinGroup, above 32 too, and not those left; and
// that a group above 32 delivers notifications until it is left.
func TestTrustMemberships(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, &netlink.Config{
		Groups: 1<<(unix.RTNLGRP_LINK-1) | 1<<(unix.RTNLGRP_IPV4_ROUTE-1),
	})
	check := func(want ...uint32) {
		t.Helper()
		got, err := c.Memberships()
		if err != nil {
			t.Fatalf("Memberships: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Memberships (-want +got):\n%s", diff)
		}
	}
	check(unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_ROUTE)
	// RTNLGRP_IPV6_ACADDR (39) is the highest group of rtnetlink in
	// Linux 6.18.
	for _, g := range []uint32{unix.RTNLGRP_IPV6_ACADDR, unix.RTNLGRP_IPV4_MCADDR} {
		if err := c.JoinGroup(g); err != nil {
			t.Fatalf("JoinGroup(%d): %v", g, err)
		}
	}
	check(unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_ROUTE, unix.RTNLGRP_IPV4_MCADDR, unix.RTNLGRP_IPV6_ACADDR)
	if err := c.LeaveGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	check(unix.RTNLGRP_IPV4_ROUTE, unix.RTNLGRP_IPV4_MCADDR, unix.RTNLGRP_IPV6_ACADDR)

	if err := c.SetOption(netlink.PacketInfo, true); err != nil {
		t.Fatal(err)
	}
	ns.Run(t, "link", "add", "memb0", "type", "veth", "peer", "name", "memb1")
	ns.Run(t, "link", "set", "memb0", "up")
	_, o := trustReceiveUntil(t, c, func(m netlink.Message, o netlink.Origin) bool { return o.Group == unix.RTNLGRP_IPV4_MCADDR })
	if o.PortID != 0 {
		t.Errorf("origin %+v, want port 0", o)
	}

	// Once left, the group delivers nothing more.
	if err := c.LeaveGroup(unix.RTNLGRP_IPV4_MCADDR); err != nil {
		t.Fatal(err)
	}
	check(unix.RTNLGRP_IPV4_ROUTE, unix.RTNLGRP_IPV6_ACADDR)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for {
		// Drain what came before leaving.
		shortCtx, shortCancel := context.WithTimeout(ctx, 100*time.Millisecond)
		_, _, err := c.ReceiveFrom(shortCtx)
		shortCancel()
		if err != nil {
			break
		}
	}
	ns.Run(t, "link", "set", "memb1", "up")
	ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	for {
		msgs, o, err := c.ReceiveFrom(ctx)
		if err != nil {
			break
		}
		if o.Group == unix.RTNLGRP_IPV4_MCADDR {
			t.Fatalf("after LeaveGroup, a notification of group %d: %+v", o.Group, msgs)
		}
	}
}
