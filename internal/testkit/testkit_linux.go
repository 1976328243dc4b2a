//go:build linux

package testkit

import (
	"fmt"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/nstest"
)

// Dial dials family in ns with a copy of config (nil for the defaults)
// whose NetNS is ns, and closes the Conn when the test ends. It fails the
// test if dialling fails.
func Dial(tb testing.TB, ns *nstest.NS, family int, config *netlink.Config) *netlink.Conn {
	tb.Helper()
	var cfg netlink.Config
	if config != nil {
		cfg = *config
	}
	cfg.NetNS = ns.FD()
	c, err := netlink.Dial(family, &cfg)
	if err != nil {
		tb.Fatalf("dialing family %d in %s: %v", family, ns.Name(), err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// LinkDump returns an RTM_GETLINK dump request with sequence number seq
// (0 lets the Conn choose).
func LinkDump(seq uint32) netlink.Message {
	return netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Dump, Sequence: seq},
		Data:   make([]byte, unix.SizeofIfInfomsg),
	}
}

// RouteDump returns an RTM_GETROUTE dump request for the IPv4 routes, with
// sequence number seq (0 lets the Conn choose).
func RouteDump(seq uint32) netlink.Message {
	data := make([]byte, unix.SizeofRtMsg)
	data[0] = unix.AF_INET
	return netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETROUTE, Flags: netlink.Request | netlink.Dump, Sequence: seq},
		Data:   data,
	}
}

// LinkName returns the IFLA_IFNAME of an RTM_NEWLINK message, or an error
// for another message or one without a name.
func LinkName(m netlink.Message) (string, error) {
	if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
		return "", fmt.Errorf("not an RTM_NEWLINK message: %+v", m.Header)
	}
	ad, err := netlink.NewAttributeDecoder(m.Data[unix.SizeofIfInfomsg:])
	if err != nil {
		return "", err
	}
	for ad.Next() {
		if ad.Type() == unix.IFLA_IFNAME {
			return ad.String(), nil
		}
	}
	return "", fmt.Errorf("RTM_NEWLINK without a name (%v)", ad.Err())
}
