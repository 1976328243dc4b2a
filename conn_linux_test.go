//go:build linux

package netlink_test

// Tests of a Conn against the real kernel. Each test creates its own network
// namespace (package nstest) and removes it, so the machine's own network
// configuration is never touched; they skip when not root.

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/bpf"
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

func TestConnJoinGroup(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	addVeth(t, ns, "joined0")
	waitForLink(t, c, "joined0")
}

func TestConnLeaveGroup(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	addVeth(t, ns, "before0")
	waitForLink(t, c, "before0")
	drainNotifications(t, c)

	if err := c.LeaveGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatalf("LeaveGroup: %v", err)
	}
	addVeth(t, ns, "after0")
	expectSilence(t, c)
}

func TestConnBPF(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	dropAll, err := bpf.Assemble([]bpf.Instruction{bpf.RetConstant{Val: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetBPF(dropAll); err != nil {
		t.Fatalf("SetBPF: %v", err)
	}
	addVeth(t, ns, "filtered0")
	expectSilence(t, c)

	if err := c.RemoveBPF(); err != nil {
		t.Fatalf("RemoveBPF: %v", err)
	}
	addVeth(t, ns, "passed0")
	waitForLink(t, c, "passed0")
}

// threadNetNS returns the inode of the calling thread's network namespace.
func threadNetNS(tb testing.TB) uint64 {
	tb.Helper()
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
		tb.Fatal(err)
	}
	return st.Ino
}

func TestConnNetNS(t *testing.T) {
	ns := nstest.New(t)
	name := fmt.Sprintf("nsonly%d", os.Getpid()%100000)
	addVeth(t, ns, name)
	if _, err := net.InterfaceByName(name); err == nil {
		t.Fatalf("link %s exists outside the test's namespace", name)
	}

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := threadNetNS(t)
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD()})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	if after := threadNetNS(t); after != before {
		t.Errorf("the thread's namespace changed from inode %d to %d", before, after)
	}

	msgs, err := c.Execute(testkit.LinkDump(0))
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	var names []string
	for _, m := range msgs {
		n, err := testkit.LinkName(m)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	slices.Sort(names)
	if diff := cmp.Diff([]string{"lo", name, name + "p"}, names); diff != "" {
		t.Errorf("links in the namespace (-want +got):\n%s", diff)
	}
	if after := threadNetNS(t); after != before {
		t.Errorf("the thread's namespace changed from inode %d to %d", before, after)
	}
}

func TestConnPID(t *testing.T) {
	ns := nstest.New(t)
	pid := 1<<30 + rand.Uint32N(1<<30)
	c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, &netlink.Config{PID: pid})
	if got := c.PID(); got != pid {
		t.Fatalf("PID() = %d, want %d", got, pid)
	}
	req, err := c.Send(genl.GetFamilyRequest("nlctrl"))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if req.Header.PID != pid {
		t.Errorf("request sent with PID %d, want %d", req.Header.PID, pid)
	}
	msgs, err := c.Receive()
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	for _, m := range msgs {
		if m.Header.PID != pid || m.Header.Sequence != req.Header.Sequence {
			t.Errorf("reply header %+v, want PID %d and sequence %d", m.Header, pid, req.Header.Sequence)
		}
	}
}

func TestConnStrict(t *testing.T) {
	ns := nstest.New(t)
	// Under strict checking the kernel refuses link dumps that set header
	// fields it cannot filter by; otherwise it ignores them.
	req := testkit.LinkDump(0)
	binary.NativeEndian.PutUint16(req.Data[2:4], unix.ARPHRD_ETHER) // ifi_type

	lax := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	if _, err := lax.Execute(req); err != nil {
		t.Fatalf("Execute without strict checking: %v", err)
	}

	strict := testkit.Dial(t, ns, unix.NETLINK_ROUTE, &netlink.Config{Strict: true})
	msgs, err := strict.Execute(req)
	if err == nil {
		t.Fatalf("Execute with strict checking returned %d messages and no error", len(msgs))
	}
	if !errors.Is(err, unix.EINVAL) {
		t.Errorf("error %v does not match EINVAL", err)
	}
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Message == "" {
		t.Errorf("error %v has no extended acknowledgement message", err)
	}
	// The Conn goes on working.
	if _, err := strict.Execute(testkit.LinkDump(0)); err != nil {
		t.Errorf("valid dump after the error: %v", err)
	}
}

func TestConnSetOption(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	options := []struct {
		name string
		opt  netlink.ConnOption
	}{
		{"PacketInfo", netlink.PacketInfo},
		{"BroadcastError", netlink.BroadcastError},
		{"NoENOBUFS", netlink.NoENOBUFS},
		{"ListenAllNSID", netlink.ListenAllNSID},
		{"CapAcknowledge", netlink.CapAcknowledge},
		{"ExtendedAcknowledge", netlink.ExtendedAcknowledge},
		{"GetStrictCheck", netlink.GetStrictCheck},
	}
	for _, o := range options {
		t.Run(o.name, func(t *testing.T) {
			for _, on := range []bool{true, false} {
				if err := c.SetOption(o.opt, on); err != nil {
					t.Errorf("SetOption(%s, %t): %v", o.name, on, err)
				}
			}
		})
	}
	if _, err := c.Execute(testkit.LinkDump(0)); err != nil {
		t.Errorf("Execute after setting options: %v", err)
	}
}

func TestConnDeadlines(t *testing.T) {
	ns := nstest.New(t)
	past := time.Now().Add(-time.Second)
	tests := []struct {
		name string
		set  func(c *netlink.Conn) error
		call func(c *netlink.Conn) error
	}{
		{
			name: "Send after SetWriteDeadline",
			set:  func(c *netlink.Conn) error { return c.SetWriteDeadline(past) },
			call: func(c *netlink.Conn) error {
				_, err := c.Send(genl.GetFamilyRequest("nlctrl"))
				return err
			},
		},
		{
			name: "Send after SetDeadline",
			set:  func(c *netlink.Conn) error { return c.SetDeadline(past) },
			call: func(c *netlink.Conn) error {
				_, err := c.Send(genl.GetFamilyRequest("nlctrl"))
				return err
			},
		},
		{
			name: "Receive after SetReadDeadline",
			set:  func(c *netlink.Conn) error { return c.SetReadDeadline(past) },
			call: func(c *netlink.Conn) error {
				_, err := c.Receive()
				return err
			},
		},
		{
			name: "Receive after SetDeadline",
			set:  func(c *netlink.Conn) error { return c.SetDeadline(past) },
			call: func(c *netlink.Conn) error {
				_, err := c.Receive()
				return err
			},
		},
		{
			name: "Receive reaching a future deadline",
			set: func(c *netlink.Conn) error {
				return c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			},
			call: func(c *netlink.Conn) error {
				_, err := c.Receive()
				return err
			},
		},
		{
			name: "ReceiveIter after SetReadDeadline",
			set:  func(c *netlink.Conn) error { return c.SetReadDeadline(past) },
			call: func(c *netlink.Conn) error {
				for _, err := range c.ReceiveIter() {
					if err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			name: "Execute after SetReadDeadline",
			set:  func(c *netlink.Conn) error { return c.SetReadDeadline(past) },
			call: func(c *netlink.Conn) error {
				_, err := c.Execute(genl.GetFamilyRequest("nlctrl"))
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)
			if err := tt.set(c); err != nil {
				t.Fatalf("setting the deadline: %v", err)
			}
			err := tt.call(c)
			if err == nil {
				t.Fatal("no error")
			}
			checkTimeout(t, err)

			// Once the deadline is lifted the Conn works again.
			if err := c.SetDeadline(time.Time{}); err != nil {
				t.Fatal(err)
			}
			msgs, err := c.Execute(genl.GetFamilyRequest("nlctrl"))
			if err != nil {
				t.Fatalf("Execute after lifting the deadline: %v", err)
			}
			if f, err := genl.ParseFamily(msgs[0]); err != nil || f.Name != "nlctrl" {
				t.Errorf("Execute after lifting the deadline returned %+v, %v", f, err)
			}
		})
	}
}

func TestConnContextKeepsDeadline(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)
	if err := c.SetReadDeadline(time.Now().Add(300 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	// A context with its own deadline must not replace the Conn's.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := c.ExecuteContext(ctx, genl.GetFamilyRequest("nlctrl")); err != nil {
		t.Fatalf("ExecuteContext: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Receive()
		done <- err
	}()
	select {
	case err := <-done:
		checkTimeout(t, err)
	case <-time.After(1500 * time.Millisecond):
		c.Close()
		<-done
		t.Fatal("ExecuteContext with a deadline cleared the Conn's read deadline")
	}
}

func TestConnCloseUnblocksReceive(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	done := make(chan error, 1)
	go func() {
		_, err := c.Receive()
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Receive returned before Close: %v", err)
	default:
	}

	start := time.Now()
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, unix.EBADF) {
			t.Errorf("Receive returned %v, want an error matching EBADF", err)
		}
		t.Logf("Receive returned %v after Close", time.Since(start))
	case <-time.After(time.Second):
		t.Fatal("Receive still blocked 1s after Close")
	}
}

func TestConnClosed(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	req := testkit.LinkDump(0)
	calls := []struct {
		name string
		call func() error
	}{
		{"Send", func() error { _, err := c.Send(req); return err }},
		{"SendMessages", func() error { _, err := c.SendMessages([]netlink.Message{req}); return err }},
		{"Receive", func() error { _, err := c.Receive(); return err }},
		{"ReceiveIter", func() error {
			next, stop := iter.Pull2(c.ReceiveIter())
			defer stop()
			_, err, _ := next()
			return err
		}},
		{"Execute", func() error { _, err := c.Execute(req); return err }},
		{"ExecuteContext", func() error { _, err := c.ExecuteContext(context.Background(), req); return err }},
		{"SetOption", func() error { return c.SetOption(netlink.ExtendedAcknowledge, true) }},
		{"JoinGroup", func() error { return c.JoinGroup(unix.RTNLGRP_LINK) }},
		{"LeaveGroup", func() error { return c.LeaveGroup(unix.RTNLGRP_LINK) }},
		{"SetBPF", func() error { return c.SetBPF([]bpf.RawInstruction{{Op: 6}}) }},
		{"RemoveBPF", c.RemoveBPF},
		{"SetReadBuffer", func() error { return c.SetReadBuffer(1 << 16) }},
		{"SetWriteBuffer", func() error { return c.SetWriteBuffer(1 << 16) }},
		{"ReadBuffer", func() error { _, err := c.ReadBuffer(); return err }},
		{"WriteBuffer", func() error { _, err := c.WriteBuffer(); return err }},
		{"SyscallConn", func() error { _, err := c.SyscallConn(); return err }},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, unix.EBADF) {
				t.Errorf("%s after Close returned %v, want an error matching EBADF", tt.name, err)
			}
		})
	}
	// As in the v1 API, a closed Conn closes again without an error, and
	// deadlines report the file closed.
	if err := c.Close(); err != nil {
		t.Errorf("Close after Close returned %v, want nil", err)
	}
	for name, set := range map[string]func(time.Time) error{
		"SetDeadline": c.SetDeadline, "SetReadDeadline": c.SetReadDeadline, "SetWriteDeadline": c.SetWriteDeadline,
	} {
		if err := set(time.Now()); err == nil || !strings.Contains(err.Error(), "use of closed file") {
			t.Errorf("%s after Close returned %v, want one saying the file is closed", name, err)
		}
	}
}

func TestConnBuffers(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	const size = 300 * 1024
	if err := c.SetReadBuffer(size); err != nil {
		t.Fatalf("SetReadBuffer: %v", err)
	}
	if err := c.SetWriteBuffer(size + 4096); err != nil {
		t.Fatalf("SetWriteBuffer: %v", err)
	}
	// The kernel doubles the value to leave room for its bookkeeping.
	if n, err := c.ReadBuffer(); err != nil || n != 2*size {
		t.Errorf("ReadBuffer() = %d, %v; want %d", n, err, 2*size)
	}
	if n, err := c.WriteBuffer(); err != nil || n != 2*(size+4096) {
		t.Errorf("WriteBuffer() = %d, %v; want %d", n, err, 2*(size+4096))
	}

	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatalf("SyscallConn: %v", err)
	}
	var domain, protocol, rcvbuf int
	var optErr error
	err = rc.Control(func(fd uintptr) {
		domain, optErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DOMAIN)
		if optErr == nil {
			protocol, optErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PROTOCOL)
		}
		if optErr == nil {
			rcvbuf, optErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		}
	})
	if err != nil || optErr != nil {
		t.Fatalf("Control: %v, getsockopt: %v", err, optErr)
	}
	if domain != unix.AF_NETLINK || protocol != unix.NETLINK_ROUTE || rcvbuf != 2*size {
		t.Errorf("socket domain %d, protocol %d, SO_RCVBUF %d; want %d, %d, %d",
			domain, protocol, rcvbuf, unix.AF_NETLINK, unix.NETLINK_ROUTE, 2*size)
	}
}

func TestConnLargeErrorEcho(t *testing.T) {
	ns := nstest.New(t)
	for _, ext := range []bool{false, true} {
		t.Run(fmt.Sprintf("extended=%t", ext), func(t *testing.T) {
			c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
			if err := c.SetWriteBuffer(1 << 20); err != nil {
				t.Fatalf("SetWriteBuffer: %v", err)
			}
			if err := c.SetOption(netlink.ExtendedAcknowledge, ext); err != nil {
				t.Fatalf("SetOption: %v", err)
			}
			// An attribute of a type beyond IFLA_MAX, which the kernel
			// skips, then a name far longer than IFNAMSIZ, which it rejects:
			// the error message echoes all ~100 KiB of the request.
			const bogusLen, nameLen = 60000, 45000
			attrs := testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
				ae.Bytes(0x3ff, bytes.Repeat([]byte{0xaa}, bogusLen))
				ae.Bytes(unix.IFLA_IFNAME, bytes.Repeat([]byte{'x'}, nameLen))
			})
			req, err := c.Send(netlink.Message{
				Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: netlink.Request | netlink.Acknowledge},
				Data:   append(make([]byte, unix.SizeofIfInfomsg), attrs...),
			})
			if err != nil {
				t.Fatalf("Send of %d bytes: %v", len(attrs), err)
			}
			msgs, err := c.Receive()
			if err == nil {
				t.Fatalf("Receive returned %d messages and no error", len(msgs))
			}
			var oe *netlink.OpError
			if !errors.As(err, &oe) {
				t.Fatalf("error %v (%T) is not an *OpError", err, err)
			}
			var errno syscall.Errno
			if !errors.As(oe.Err, &errno) || oe.Err != errno || errno != unix.ERANGE {
				t.Fatalf("error %v: want the kernel's bare ERANGE", err)
			}
			if oe.Sequence != req.Header.Sequence {
				t.Errorf("error answers sequence %d, want %d", oe.Sequence, req.Header.Sequence)
			}
			if ext {
				// The kernel's offset points at the name attribute: the
				// extended attributes after the echo were read intact.
				wantOffset := 16 + unix.SizeofIfInfomsg + 4 + bogusLen
				if oe.Offset != wantOffset || oe.Message == "" {
					t.Errorf("Offset %d, Message %q; want %d and a message", oe.Offset, oe.Message, wantOffset)
				}
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

// cloneData returns a deep copy of the messages' data.
func cloneData(msgs []netlink.Message) [][]byte {
	var d [][]byte
	for _, m := range msgs {
		d = append(d, bytes.Clone(m.Data))
	}
	return d
}

func TestConnRepliesDoNotShareMemory(t *testing.T) {
	ns := nstest.New(t)
	for _, bufSize := range []int{0, 4096} {
		execute := func(c *netlink.Conn, m netlink.Message) ([]netlink.Message, error) {
			return c.Execute(m)
		}
		sendReceive := func(c *netlink.Conn, m netlink.Message) ([]netlink.Message, error) {
			if _, err := c.Send(m); err != nil {
				return nil, err
			}
			return c.Receive()
		}
		for _, call := range []struct {
			name string
			do   func(*netlink.Conn, netlink.Message) ([]netlink.Message, error)
		}{{"Execute", execute}, {"Receive", sendReceive}} {
			t.Run(fmt.Sprintf("%s/MessageBufferSize=%d", call.name, bufSize), func(t *testing.T) {
				c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, &netlink.Config{MessageBufferSize: bufSize})
				first, err := call.do(c, genl.GetFamilyRequest("nlctrl"))
				if err != nil {
					t.Fatal(err)
				}
				want := cloneData(first)
				dump := genl.GetFamilyRequest("")
				second, err := call.do(c, dump)
				if err != nil {
					t.Fatal(err)
				}
				overwrite(second)
				if diff := cmp.Diff(want, cloneData(first)); diff != "" {
					t.Errorf("first reply changed by the second (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestConnStaleReply(t *testing.T) {
	ns := nstest.New(t)
	routes := testRoutes(3000)
	addRoutes(t, ns, routes)

	// countRoutes checks that msgs is the whole dump of the routes.
	countRoutes := func(t *testing.T, msgs []netlink.Message) {
		t.Helper()
		n := 0
		for _, m := range msgs {
			if _, ok, err := mainRoute(m); err != nil {
				t.Fatal(err)
			} else if ok {
				n++
			}
		}
		if n != len(routes) {
			t.Errorf("dump has %d routes of the main table, want %d", n, len(routes))
		}
	}

	tests := []struct {
		name     string
		family   int
		req      func() netlink.Message
		deadline bool // give up by a read deadline rather than a context
		check    func(t *testing.T, msgs []netlink.Message)
	}{
		{
			name:   "request/context",
			family: unix.NETLINK_GENERIC,
			req:    func() netlink.Message { return genl.GetFamilyRequest("nlctrl") },
			check: func(t *testing.T, msgs []netlink.Message) {
				if f, err := genl.ParseFamily(msgs[0]); err != nil || f.Name != "nlctrl" {
					t.Errorf("reply %+v, %v", f, err)
				}
			},
		},
		{
			name:     "request/deadline",
			family:   unix.NETLINK_GENERIC,
			req:      func() netlink.Message { return genl.GetFamilyRequest("nlctrl") },
			deadline: true,
			check: func(t *testing.T, msgs []netlink.Message) {
				if f, err := genl.ParseFamily(msgs[0]); err != nil || f.Name != "nlctrl" {
					t.Errorf("reply %+v, %v", f, err)
				}
			},
		},
		{
			name:   "dump/context",
			family: unix.NETLINK_ROUTE,
			req:    func() netlink.Message { return testkit.RouteDump(0) },
			check:  countRoutes,
		},
		{
			name:     "dump/deadline",
			family:   unix.NETLINK_ROUTE,
			req:      func() netlink.Message { return testkit.RouteDump(0) },
			deadline: true,
			check:    countRoutes,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The context is cancelled as soon as the request is sent, so
			// that its reply is certainly queued and unread.
			var cancelOnSend atomic.Pointer[context.CancelFunc]
			c := testkit.Dial(t, ns, tt.family, &netlink.Config{
				Capture: captureFunc(func(sent bool, b []byte) {
					if f := cancelOnSend.Swap(nil); sent && f != nil {
						(*f)()
					}
				}),
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.deadline {
				if err := c.SetReadDeadline(time.Now().Add(-time.Second)); err != nil {
					t.Fatal(err)
				}
			} else {
				cancelOnSend.Store(&cancel)
			}
			msgs, err := c.ExecuteContext(ctx, tt.req())
			switch {
			case err == nil:
				t.Fatalf("first request returned %d messages and no error", len(msgs))
			case tt.deadline:
				checkTimeout(t, err)
				// Whatever reads the rest of the reply in the background
				// meets the expired deadline too, for a while.
				time.Sleep(50 * time.Millisecond)
				if err := c.SetReadDeadline(time.Time{}); err != nil {
					t.Fatal(err)
				}
			case !errors.Is(err, context.Canceled):
				t.Fatalf("first request: %v, want an error matching context.Canceled", err)
			}

			req := tt.req()
			msgs, err = c.Execute(req)
			if err != nil {
				t.Fatalf("Execute after an abandoned request: %v", err)
			}
			tt.check(t, msgs)

			// The abandoned reply is not handed to Receive either.
			if err := c.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			if msgs, err := c.Receive(); err == nil {
				t.Errorf("Receive returned %d stale messages (first: %+v)", len(msgs), msgs[0].Header)
			}
		})
	}
}

// TestConnTrace checks that Config.Logger and Config.Capture see the
// datagrams of a real exchange with the kernel.
func TestConnTrace(t *testing.T) {
	ns := nstest.New(t)
	var (
		logs     bytes.Buffer
		mu       sync.Mutex
		captured []bool // sent, per datagram
	)
	c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, &netlink.Config{
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Capture: captureFunc(func(sent bool, b []byte) {
			if m := new(netlink.Message); m.UnmarshalBinary(b) != nil {
				t.Errorf("captured a datagram that is not a netlink message: %x", b)
			}
			mu.Lock()
			captured = append(captured, sent)
			mu.Unlock()
		}),
	})
	req := genl.GetFamilyRequest("nlctrl")
	if _, err := c.Execute(req); err != nil {
		t.Fatalf("Execute: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]bool{true, false}, captured); diff != "" {
		t.Errorf("captured datagrams, sent or not (-want +got):\n%s", diff)
	}
	out := logs.String()
	for _, want := range []string{"op=send", "op=receive", "flags=request", "from=0", fmt.Sprintf("pid=%d", c.PID())} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}
