//go:build linux

package netlink_test

// Tests of the sender policy (origin.go, section 5 of the contract) and of
// what Receive and ReceiveFrom report about a datagram's origin, against
// the real kernel. Each test works in network namespaces that it creates,
// and skips when not root. Their helpers serve the other kernel tests too.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

// trustNextSeq returns the sequence number that c gives its next request.
// It sends a no-op request without Acknowledge, which the kernel does not
// answer, and reads its sequence number.
func trustNextSeq(t *testing.T, c *netlink.Conn) uint32 {
	t.Helper()
	m, err := c.Send(netlink.Message{Header: netlink.Header{Type: netlink.Noop, Flags: netlink.Request}})
	if err != nil {
		t.Fatalf("Send(noop): %v", err)
	}
	if next := m.Header.Sequence + 1; next != 0 {
		return next
	}
	return 1
}

// trustSendFrom sends msgs in one datagram from the socket of c to the port to,
// as any local process may do.
func trustSendFrom(t *testing.T, c *netlink.Conn, to uint32, msgs ...netlink.Message) {
	t.Helper()
	var b []byte
	for _, m := range msgs {
		m.Data = append(m.Data, make([]byte, (4-len(m.Data)%4)%4)...)
		m.Header.Length = uint32(16 + len(m.Data))
		mb, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, mb...)
	}
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.Sendto(int(fd), b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: to})
	}); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatalf("sendto port %d: %v", to, serr)
	}
}

// trustAttrs decodes attributes into a map by type.
func trustAttrs(t *testing.T, b []byte) map[uint16][]byte {
	t.Helper()
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		t.Fatalf("decoding attributes: %v", err)
	}
	m := make(map[uint16][]byte)
	for ad.Next() {
		m[ad.Type()] = ad.Bytes()
	}
	return m
}

// trustLinkName returns the IFLA_IFNAME of an RTM_NEWLINK message.
func trustLinkName(t *testing.T, m netlink.Message) string {
	t.Helper()
	if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
		t.Fatalf("not an RTM_NEWLINK message: type %d, %d bytes", m.Header.Type, len(m.Data))
	}
	return strings.TrimRight(string(trustAttrs(t, m.Data[unix.SizeofIfInfomsg:])[unix.IFLA_IFNAME]), "\x00")
}

// trustLinkIndex returns the interface index of the link name in ns.
func trustLinkIndex(t *testing.T, ns *nstest.NS, name string) uint32 {
	t.Helper()
	out := ns.Run(t, "-o", "link", "show", "dev", name)
	var i uint32
	if _, err := fmt.Sscanf(out, "%d:", &i); err != nil {
		t.Fatalf("no index in %q: %v", out, err)
	}
	return i
}

// trustVethPairs returns the ip commands that add n veth pairs named
// <prefix>a<i> and <prefix>b<i>, and their names in order.
func trustVethPairs(prefix string, n int) (lines, names []string) {
	for i := range n {
		a, b := fmt.Sprintf("%sa%d", prefix, i), fmt.Sprintf("%sb%d", prefix, i)
		lines = append(lines, fmt.Sprintf("link add %s type veth peer name %s", a, b))
		names = append(names, a, b)
	}
	return lines, names
}

// trustReceiveUntil calls ReceiveFrom until match accepts a message, and returns
// that message and the origin of its datagram. Every read has a deadline.
func trustReceiveUntil(t *testing.T, c *netlink.Conn, match func(netlink.Message, netlink.Origin) bool) (netlink.Message, netlink.Origin) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for range 1000 {
		msgs, o, err := c.ReceiveFrom(ctx)
		if err != nil {
			t.Fatalf("ReceiveFrom: %v", err)
		}
		for _, m := range msgs {
			if match(m, o) {
				return m, o
			}
		}
	}
	t.Fatal("ReceiveFrom: no matching message in 1000 datagrams")
	return netlink.Message{}, netlink.Origin{}
}

// TestTrustSenderValidation checks that a reply forged by another local
// process and queued before the genuine one never answers Execute, that
// Receive drops it, and that ReceiveFrom shows where it came from.
func TestTrustSenderValidation(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)
	forger := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)

	tests := []struct {
		name  string
		forge func(seq uint32) netlink.Message
	}{
		{
			name: "reply",
			forge: func(seq uint32) netlink.Message {
				return netlink.Message{
					Header: netlink.Header{Type: unix.GENL_ID_CTRL, Sequence: seq, PID: c.PID()},
					Data: append([]byte{unix.CTRL_CMD_NEWFAMILY, 2, 0, 0}, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
						ae.Uint16(unix.CTRL_ATTR_FAMILY_ID, 0x99)
						ae.String(unix.CTRL_ATTR_FAMILY_NAME, "forged")
					})...),
				}
			},
		},
		{
			name: "error EPERM",
			forge: func(seq uint32) netlink.Message {
				code := -int32(unix.EPERM)
				data := binary.NativeEndian.AppendUint32(nil, uint32(code))
				data = binary.NativeEndian.AppendUint32(data, 36) // the echoed request header
				data = binary.NativeEndian.AppendUint16(data, unix.GENL_ID_CTRL)
				data = binary.NativeEndian.AppendUint16(data, uint16(netlink.Request))
				data = binary.NativeEndian.AppendUint32(data, seq)
				data = binary.NativeEndian.AppendUint32(data, c.PID())
				return netlink.Message{
					Header: netlink.Header{Type: netlink.Error, Sequence: seq, PID: c.PID()},
					Data:   data,
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq := trustNextSeq(t, c)
			forged := tt.forge(seq)
			trustSendFrom(t, forger, c.PID(), forged)

			msgs, err := c.Execute(genl.GetFamilyRequest("nlctrl"))
			if err != nil {
				t.Fatalf("Execute: %v", err)
			}
			if len(msgs) != 1 {
				t.Fatalf("Execute returned %d messages, want 1: %+v", len(msgs), msgs)
			}
			if got := msgs[0].Header.Sequence; got != seq {
				t.Fatalf("reply sequence %d, want the predicted %d", got, seq)
			}
			f, err := genl.ParseFamily(msgs[0])
			if err != nil {
				t.Fatalf("Execute returned %+v: %v", msgs[0], err)
			}
			if f.ID != unix.GENL_ID_CTRL || f.Name != "nlctrl" {
				t.Fatalf("Execute returned family %#x %q, want the kernel's %#x \"nlctrl\"", f.ID, f.Name, unix.GENL_ID_CTRL)
			}

			// Receive drops unicast from user space: nothing to return.
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			if msgs, err := c.ReceiveContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Receive after Execute = %+v, %v; want nothing until the deadline", msgs, err)
			}

			// ReceiveFrom returns such a datagram, with its sender.
			trustSendFrom(t, forger, c.PID(), forged)
			ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			got, o, err := c.ReceiveFrom(ctx)
			if err != nil {
				t.Fatalf("ReceiveFrom: %v", err)
			}
			want := netlink.Origin{PortID: forger.PID(), NSID: -1}
			if diff := cmp.Diff(want, o); diff != "" {
				t.Errorf("ReceiveFrom origin (-want +got):\n%s", diff)
			}
			if len(got) != 1 || got[0].Header.Type != forged.Header.Type || got[0].Header.Sequence != seq ||
				!slices.Equal(got[0].Data[:len(forged.Data)], forged.Data) {
				t.Errorf("ReceiveFrom returned %+v, want the forged %+v", got, forged)
			}
		})
	}
}

// TestTrustStrayTraffic checks that link notifications, and the reply to a
// request made with Send, queued on the socket before a dump neither fail
// nor pollute it, and that Receive still returns them afterwards, in order.
func TestTrustStrayTraffic(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	// Room for every notification, so that none is lost to an overrun.
	if err := c.SetReadBuffer(8 << 20); err != nil {
		t.Fatal(err)
	}
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	lines, names := trustVethPairs("st", 20)
	ns.Batch(t, lines) // the notifications are queued when ip returns
	// A request of which nobody awaits the reply: RTM_GETLINK of lo.
	getLo := netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request},
		Data:   make([]byte, unix.SizeofIfInfomsg),
	}
	binary.NativeEndian.PutUint32(getLo.Data[4:], 1) // ifi_index of lo
	getLo, err := c.Send(getLo)
	if err != nil {
		t.Fatal(err)
	}

	seq := trustNextSeq(t, c)
	msgs, err := c.Execute(testkit.LinkDump(0))
	if err != nil {
		t.Fatalf("Execute(RTM_GETLINK dump): %v", err)
	}
	var dumped []string
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK || m.Header.Sequence != seq || m.Header.Flags&netlink.Multi == 0 {
			t.Fatalf("dump message type %d, sequence %d, flags %s; want RTM_NEWLINK (%d), %d, multi",
				m.Header.Type, m.Header.Sequence, m.Header.Flags, unix.RTM_NEWLINK, seq)
		}
		dumped = append(dumped, trustLinkName(t, m))
	}
	slices.Sort(dumped)
	want := append([]string{"lo"}, names...)
	slices.Sort(want)
	if diff := cmp.Diff(want, dumped); diff != "" {
		t.Fatalf("dumped links (-want +got):\n%s", diff)
	}

	// The notifications are still there, in the order the links came, and
	// then the reply to getLo.
	if err := c.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for {
		msgs, err := c.Receive()
		if err != nil {
			t.Fatalf("Receive after seeing %d of %d links: %v", len(seen), len(names), err)
		}
		if len(msgs) == 1 && msgs[0].Header.Sequence == getLo.Header.Sequence {
			if name := trustLinkName(t, msgs[0]); name != "lo" {
				t.Fatalf("reply to RTM_GETLINK of lo is about %q", name)
			}
			break
		}
		for _, m := range msgs {
			if m.Header.Type != unix.RTM_NEWLINK || m.Header.Sequence != 0 {
				t.Fatalf("notification type %d, sequence %d; want RTM_NEWLINK (%d), 0", m.Header.Type, m.Header.Sequence, unix.RTM_NEWLINK)
			}
			if name := trustLinkName(t, m); !slices.Contains(seen, name) {
				seen = append(seen, name)
			}
		}
	}
	if len(seen) != len(names) {
		t.Fatalf("notifications about %v before the reply to RTM_GETLINK of lo, want all of %v", seen, names)
	}
	// Each pair's two links are reported before the next pair's.
	for i, name := range seen {
		if pair := name[3:]; pair != names[i][3:] {
			t.Fatalf("link notifications in the order %v, want pair by pair as %v", seen, names)
		}
	}
}

// TestTrustOwnNotification checks that a notification caused by the Conn's
// own request, which the kernel multicasts with the request's sequence
// number and port ID before it acknowledges the request, goes to Receive
// and not into the request's reply.
func TestTrustOwnNotification(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	if err := c.JoinGroup(unix.RTNLGRP_IPV4_IFADDR); err != nil {
		t.Fatal(err)
	}
	addr := []byte{10, 9, 9, 9}
	data := []byte{unix.AF_INET, 32, 0, unix.RT_SCOPE_HOST}
	data = binary.NativeEndian.AppendUint32(data, 1) // lo
	data = append(data, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
		ae.Bytes(unix.IFA_LOCAL, addr)
		ae.Bytes(unix.IFA_ADDRESS, addr)
	})...)
	seq := trustNextSeq(t, c)
	msgs, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: unix.RTM_NEWADDR, Flags: netlink.Request | netlink.Acknowledge | netlink.Create | netlink.Excl},
		Data:   data,
	})
	if err != nil {
		t.Fatalf("Execute(RTM_NEWADDR): %v", err)
	}
	if len(msgs) != 1 || msgs[0].Header.Type != netlink.Error || msgs[0].Header.Sequence != seq {
		t.Fatalf("Execute(RTM_NEWADDR) = %+v, want only the acknowledgement", msgs)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	msgs, err = c.ReceiveContext(ctx)
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	if len(msgs) != 1 || msgs[0].Header.Type != unix.RTM_NEWADDR || len(msgs[0].Data) < unix.SizeofIfAddrmsg {
		t.Fatalf("Receive = %+v, want the RTM_NEWADDR notification", msgs)
	}
	// Only the group tells it from a reply.
	if h := msgs[0].Header; h.Sequence != seq || h.PID != c.PID() {
		t.Errorf("notification sequence %d, port %d; want the request's %d, %d", h.Sequence, h.PID, seq, c.PID())
	}
	if got := trustAttrs(t, msgs[0].Data[unix.SizeofIfAddrmsg:])[unix.IFA_LOCAL]; !slices.Equal(got, addr) {
		t.Errorf("notification about %v, want %v", got, addr)
	}
}
