//go:build linux

package netlink_test

// Tests of a Conn against the real kernel. Each test creates its own network
// namespace (package nstest) and removes it, so the machine's own network
// configuration is never touched; they skip when not root.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

// mainRoute returns the destination of an IPv4 RTM_NEWROUTE message of the
// main table; ok is false for routes of other tables.
func mainRoute(m netlink.Message) (prefix netip.Prefix, ok bool, err error) {
	if m.Header.Type != unix.RTM_NEWROUTE || len(m.Data) < unix.SizeofRtMsg {
		return prefix, false, fmt.Errorf("not an RTM_NEWROUTE message: %+v", m.Header)
	}
	bits, table := int(m.Data[1]), uint32(m.Data[4])
	dst := netip.IPv4Unspecified()
	ad, err := netlink.NewAttributeDecoder(m.Data[unix.SizeofRtMsg:])
	if err != nil {
		return prefix, false, err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.RTA_DST:
			if a, ok := netip.AddrFromSlice(ad.Bytes()); ok {
				dst = a
			}
		case unix.RTA_TABLE:
			table = ad.Uint32()
		}
	}
	if err := ad.Err(); err != nil {
		return prefix, false, err
	}
	return netip.PrefixFrom(dst, bits), table == unix.RT_TABLE_MAIN, nil
}

// testRoutes returns n distinct /24 prefixes in 10.0.0.0/8.
func testRoutes(n int) []netip.Prefix {
	p := make([]netip.Prefix, n)
	for i := range p {
		p[i] = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24)
	}
	return p
}

// addRoutes brings lo up in ns and routes each prefix through it.
func addRoutes(tb testing.TB, ns *nstest.NS, prefixes []netip.Prefix) {
	tb.Helper()
	lines := []string{"link set lo up"}
	for _, p := range prefixes {
		lines = append(lines, "route add "+p.String()+" dev lo")
	}
	ns.Batch(tb, lines)
}

// addVeth creates a veth pair named name and name+"p" in ns.
func addVeth(tb testing.TB, ns *nstest.NS, name string) {
	tb.Helper()
	ns.Run(tb, "link", "add", name, "type", "veth", "peer", "name", name+"p")
}

// checkTimeout fails the test unless err is an expired deadline as the
// Conn reports it.
func checkTimeout(tb testing.TB, err error) {
	tb.Helper()
	var oe *netlink.OpError
	if !errors.As(err, &oe) {
		tb.Fatalf("error %v (%T) is not an *OpError", err, err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || !oe.Timeout() {
		tb.Errorf("Timeout() is false for %v", err)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		tb.Errorf("error %v does not match os.ErrDeadlineExceeded", err)
	}
}

// waitForLink receives notifications until the RTM_NEWLINK of the link
// called name comes, failing the test after a few seconds.
func waitForLink(tb testing.TB, c *netlink.Conn, name string) {
	tb.Helper()
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		tb.Fatal(err)
	}
	defer c.SetReadDeadline(time.Time{})
	for {
		msgs, err := c.Receive()
		if err != nil {
			tb.Fatalf("waiting for the notification of %s: %v", name, err)
		}
		for _, m := range msgs {
			if m.Header.Type != unix.RTM_NEWLINK {
				continue
			}
			if got, err := testkit.LinkName(m); err == nil && got == name {
				return
			}
		}
	}
}

// drainNotifications receives until nothing comes for a while.
func drainNotifications(tb testing.TB, c *netlink.Conn) {
	tb.Helper()
	defer c.SetReadDeadline(time.Time{})
	for {
		if err := c.SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
			tb.Fatal(err)
		}
		if _, err := c.Receive(); err != nil {
			checkTimeout(tb, err)
			return
		}
	}
}

// expectSilence checks that nothing is received for a while: Receive must
// end with an expired deadline.
func expectSilence(tb testing.TB, c *netlink.Conn) {
	tb.Helper()
	if err := c.SetReadDeadline(time.Now().Add(300 * time.Millisecond)); err != nil {
		tb.Fatal(err)
	}
	defer c.SetReadDeadline(time.Time{})
	msgs, err := c.Receive()
	if err == nil {
		tb.Fatalf("Receive returned %d messages, want none (first: %+v)", len(msgs), msgs[0].Header)
	}
	checkTimeout(tb, err)
}

func TestConnGetFamily(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)

	req := genl.GetFamilyRequest("nlctrl")
	msgs, err := c.Execute(req)
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
	if got := msgs[0].Header.Type; got != unix.GENL_ID_CTRL {
		t.Errorf("reply type %#x, want %#x", got, unix.GENL_ID_CTRL)
	}
	if got := msgs[0].Header.PID; got != c.PID() {
		t.Errorf("reply PID %d, want the Conn's %d", got, c.PID())
	}
	got, err := genl.ParseFamily(msgs[0])
	if err != nil {
		t.Fatalf("parsing the reply: %v", err)
	}
	if diff := cmp.Diff(genl.Family{Name: "nlctrl", ID: 0x10}, genl.Family{Name: got.Name, ID: got.ID}); diff != "" {
		t.Errorf("family (-want +got):\n%s", diff)
	}
}

func TestConnLinkDump(t *testing.T) {
	ns := nstest.New(t)
	const pairs = 2000
	want := map[string]int{"lo": 1}
	var lines []string
	for i := range pairs {
		a, b := fmt.Sprintf("va%d", i), fmt.Sprintf("vb%d", i)
		lines = append(lines, fmt.Sprintf("link add %s type veth peer name %s", a, b))
		want[a], want[b] = 1, 1
	}
	ns.Batch(t, lines)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)

	msgs, err := c.Execute(testkit.LinkDump(0))
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	got := make(map[string]int)
	for _, m := range msgs {
		if m.Header.Flags&netlink.DumpInterrupted != 0 {
			t.Errorf("message %+v: dump interrupted", m.Header)
		}
		name, err := testkit.LinkName(m)
		if err != nil {
			t.Fatal(err)
		}
		got[name]++
	}
	if len(msgs) != 2*pairs+1 {
		t.Errorf("got %d links, want %d", len(msgs), 2*pairs+1)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("links and how often each was seen (-want +got):\n%s", diff)
	}
}

func TestConnRouteDump(t *testing.T) {
	ns := nstest.New(t)
	routes := testRoutes(10000)
	addRoutes(t, ns, routes)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)

	msgs, err := c.Execute(testkit.RouteDump(0))
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	want := make(map[netip.Prefix]int)
	for _, p := range routes {
		want[p] = 1
	}
	got := make(map[netip.Prefix]int)
	for _, m := range msgs {
		p, ok, err := mainRoute(m)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			got[p]++
		}
	}
	if len(got) != len(routes) {
		t.Errorf("got %d distinct routes in the main table, want %d", len(got), len(routes))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routes and how often each was seen (-want +got):\n%s", diff)
	}
}

func TestConnExtendedAcknowledge(t *testing.T) {
	ns := nstest.New(t)
	tests := []struct {
		name   string
		strict bool // Config.Strict rather than SetOption(ExtendedAcknowledge)
		capped bool
	}{
		{name: "option"},
		{name: "option capped", capped: true},
		{name: "strict", strict: true},
		{name: "strict capped", strict: true, capped: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, &netlink.Config{Strict: tt.strict})
			if !tt.strict {
				if err := c.SetOption(netlink.ExtendedAcknowledge, true); err != nil {
					t.Fatalf("SetOption(ExtendedAcknowledge): %v", err)
				}
			}
			if err := c.SetOption(netlink.CapAcknowledge, tt.capped); err != nil {
				t.Fatalf("SetOption(CapAcknowledge): %v", err)
			}
			attrs := testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
				ae.Nested(unix.IFLA_LINKINFO, func(nae *netlink.AttributeEncoder) error {
					nae.String(unix.IFLA_INFO_KIND, "nosuchkind")
					return nil
				})
			})
			req := netlink.Message{
				Header: netlink.Header{
					Type:  unix.RTM_NEWLINK,
					Flags: netlink.Request | netlink.Acknowledge | netlink.Create | netlink.Excl,
				},
				Data: append(make([]byte, unix.SizeofIfInfomsg), attrs...),
			}
			reply, err := c.ExecuteReply(context.Background(), req)
			if err == nil {
				t.Fatalf("Execute returned %d messages and no error", len(reply.Messages))
			}
			if !errors.Is(err, unix.EOPNOTSUPP) {
				t.Errorf("error %v does not match EOPNOTSUPP", err)
			}
			var oe *netlink.OpError
			if !errors.As(err, &oe) {
				t.Fatalf("error %v (%T) is not an *OpError", err, err)
			}
			if oe.Message != "Unknown device type" {
				t.Errorf("Message %q, want %q", oe.Message, "Unknown device type")
			}
			if oe.Op != "receive" {
				t.Errorf("Op %q, want %q", oe.Op, "receive")
			}
			if reply.Ack == nil || reply.Ack.Request.Type != unix.RTM_NEWLINK {
				t.Errorf("Ack %+v does not echo the request's header", reply.Ack)
			}
		})
	}
}

// overwrite sets every byte of the messages' data, to reveal aliasing.
func overwrite(msgs []netlink.Message) {
	for _, m := range msgs {
		for i := range m.Data {
			m.Data[i] = 0xee
		}
	}
}
