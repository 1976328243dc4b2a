//go:build linux

package netlink_test

// Tests of the issue "Trust the kernel only, lose nothing, report
// everything" (section 5 of the contract) against the real kernel. Each
// test works in network namespaces that it creates, and skips when not
// root.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

// Kernel constants that package unix lacks (linux/if_bridge.h).
const (
	trustMdbaSetEntry      = 1 // MDBA_SET_ENTRY
	trustMdbaSetEntryAttrs = 2 // MDBA_SET_ENTRY_ATTRS
	trustMdbeAttrSrcList   = 2 // MDBE_ATTR_SRC_LIST
	trustMdbeAttrGroupMode = 3 // MDBE_ATTR_GROUP_MODE
	trustMdbeSrcListEntry  = 1 // MDBE_SRC_LIST_ENTRY
	trustMdbeSrcattrAddr   = 1 // MDBE_SRCATTR_ADDRESS
	trustMdbPermanent      = 1 // MDB_PERMANENT
	trustSizeofBrPortMsg   = 8 // struct br_port_msg
	trustSizeofBrMdbEntry  = 28

	// ETHTOOL_A_MM_* of linux/ethtool_netlink.h (newer than package unix).
	trustEthtoolAMMHeader     = 1 // ETHTOOL_A_MM_HEADER
	trustEthtoolAMMVerifyTime = 9 // ETHTOOL_A_MM_VERIFY_TIME
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

// TestTrustExtendedAck checks what the kernel's extended acknowledgements
// say about missing attributes, in a nest or not, and about policy
// violations, with and without CapAcknowledge.
func TestTrustExtendedAck(t *testing.T) {
	ns := nstest.New(t)
	ns.Batch(t, []string{
		"link add br0 type bridge",
		"link add port0 type veth peer name peer0",
		"link set port0 master br0",
		"link set br0 up",
		"link set port0 up",
	})
	brIndex, portIndex := trustLinkIndex(t, ns, "br0"), trustLinkIndex(t, ns, "port0")
	ethtoolFamily, err := genl.NewClient(testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)).Family(t.Context(), unix.ETHTOOL_GENL_NAME)
	if err != nil {
		t.Fatalf("CTRL_CMD_GETFAMILY %s: %v", unix.ETHTOOL_GENL_NAME, err)
	}
	ethtool := ethtoolFamily.ID

	// mdbAdd is an RTM_NEWMDB request for a permanent (*, 239.1.1.1)
	// entry on port0 with a filter mode and one source list entry, which
	// is empty: its required MDBE_SRCATTR_ADDRESS is missing.
	mdbAdd := func(mode uint8) netlink.Message {
		entry := make([]byte, trustSizeofBrMdbEntry)
		binary.NativeEndian.PutUint32(entry[0:], portIndex)
		entry[4] = trustMdbPermanent
		copy(entry[8:12], []byte{239, 1, 1, 1})
		binary.BigEndian.PutUint16(entry[24:], unix.ETH_P_IP)
		data := make([]byte, trustSizeofBrPortMsg)
		data[0] = unix.AF_BRIDGE
		binary.NativeEndian.PutUint32(data[4:], brIndex)
		data = append(data, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
			ae.Bytes(trustMdbaSetEntry, entry)
			ae.Nested(trustMdbaSetEntryAttrs, func(ae *netlink.AttributeEncoder) error {
				ae.Uint8(trustMdbeAttrGroupMode, mode)
				ae.Nested(trustMdbeAttrSrcList, func(ae *netlink.AttributeEncoder) error {
					ae.Nested(trustMdbeSrcListEntry, func(*netlink.AttributeEncoder) error { return nil })
					return nil
				})
				return nil
			})
		})...)
		return netlink.Message{
			Header: netlink.Header{Type: unix.RTM_NEWMDB, Flags: netlink.Request | netlink.Acknowledge | netlink.Create},
			Data:   data,
		}
	}
	// Offsets from the start of mdbAdd's header.
	const (
		mdbEntryAttrs = 16 + trustSizeofBrPortMsg + 4 + trustSizeofBrMdbEntry // MDBA_SET_ENTRY_ATTRS
		mdbGroupMode  = mdbEntryAttrs + 4                                     // MDBE_ATTR_GROUP_MODE
		mdbSrcList    = mdbGroupMode + 8                                      // MDBE_ATTR_SRC_LIST
		mdbSrcEntry   = mdbSrcList + 4                                        // MDBE_SRC_LIST_ENTRY
	)
	// Offsets in generic netlink requests whose first attribute is a
	// header nest with one attribute.
	const (
		genlFirst  = 16 + 4        // the header nest
		genlInNest = genlFirst + 4 // the attribute in it
		genlSecond = genlFirst + 12
	)
	ethtoolHeader := func(fn func(ae *netlink.AttributeEncoder)) func(ae *netlink.AttributeEncoder) {
		return func(ae *netlink.AttributeEncoder) {
			ae.Nested(unix.ETHTOOL_A_LINKINFO_HEADER, func(ae *netlink.AttributeEncoder) error {
				fn(ae)
				return nil
			})
		}
	}

	tests := []struct {
		name   string
		family int
		req    netlink.Message
		want   netlink.Ack // but Request
		// at is the type of the attribute at want.Offset or want.MissingNest.
		at uint16
	}{
		{
			// The kernel's GENL_REQ_ATTR_CHECK: no message, only the type.
			name:   "missing attribute",
			family: unix.NETLINK_GENERIC,
			req:    genl.Request(ethtool, unix.ETHTOOL_MSG_LINKINFO_GET, 1, netlink.Acknowledge, nil),
			want: netlink.Ack{
				Errno:          unix.EINVAL,
				MissingType:    unix.ETHTOOL_A_LINKINFO_HEADER,
				HasMissingType: true,
			},
		},
		{
			// Ethtool does not report a missing ETHTOOL_A_HEADER_DEV_INDEX
			// or _NAME as such, but points at the header nest.
			name:   "header nest without device",
			family: unix.NETLINK_GENERIC,
			req: genl.Request(ethtool, unix.ETHTOOL_MSG_LINKINFO_GET, 1, netlink.Acknowledge, testkit.Attributes(t, ethtoolHeader(func(ae *netlink.AttributeEncoder) {
				ae.Uint32(unix.ETHTOOL_A_HEADER_FLAGS, 0)
			}))),
			want: netlink.Ack{
				Errno:   unix.EINVAL,
				Message: "neither ifindex nor name specified",
				Offset:  genlFirst,
			},
			at: unix.ETHTOOL_A_LINKINFO_HEADER,
		},
		{
			// The bridge's NL_REQ_ATTR_CHECK on a source list entry.
			name:   "missing attribute in a nest",
			family: unix.NETLINK_ROUTE,
			req:    mdbAdd(0), // MCAST_EXCLUDE
			want: netlink.Ack{
				Errno:          unix.EINVAL,
				MissingType:    trustMdbeSrcattrAddr,
				HasMissingType: true,
				MissingNest:    mdbSrcEntry,
			},
			at: trustMdbeSrcListEntry,
		},
		{
			// ETHTOOL_A_MM_VERIFY_TIME is NLA_POLICY_RANGE(NLA_U32, 1, 128).
			name:   "value out of range",
			family: unix.NETLINK_GENERIC,
			req: genl.Request(ethtool, unix.ETHTOOL_MSG_MM_SET, 1, netlink.Acknowledge, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
				ae.Nested(trustEthtoolAMMHeader, func(ae *netlink.AttributeEncoder) error {
					ae.Uint32(unix.ETHTOOL_A_HEADER_DEV_INDEX, 1)
					return nil
				})
				ae.Uint32(trustEthtoolAMMVerifyTime, 1000)
			})),
			want: netlink.Ack{
				Errno:   unix.ERANGE,
				Message: "integer out of range",
				Offset:  genlSecond,
				Policy:  &netlink.AttributePolicy{Type: unix.NL_ATTR_TYPE_U32, MinValue: 1, MaxValue: 128},
			},
			at: trustEthtoolAMMVerifyTime,
		},
		{
			// MDBE_ATTR_GROUP_MODE is NLA_POLICY_RANGE(NLA_U8, MCAST_EXCLUDE, MCAST_INCLUDE).
			name:   "value out of range in a nest",
			family: unix.NETLINK_ROUTE,
			req:    mdbAdd(5),
			want: netlink.Ack{
				Errno:   unix.ERANGE,
				Message: "integer out of range",
				Offset:  mdbGroupMode,
				Policy:  &netlink.AttributePolicy{Type: unix.NL_ATTR_TYPE_U8, MinValue: 0, MaxValue: 1},
			},
			at: trustMdbeAttrGroupMode,
		},
		{
			name:   "wrong length",
			family: unix.NETLINK_GENERIC,
			req: genl.Request(ethtool, unix.ETHTOOL_MSG_LINKINFO_GET, 1, netlink.Acknowledge, testkit.Attributes(t, ethtoolHeader(func(ae *netlink.AttributeEncoder) {
				ae.Uint16(unix.ETHTOOL_A_HEADER_DEV_INDEX, 1)
			}))),
			want: netlink.Ack{
				Errno:   unix.EINVAL,
				Message: "invalid attribute length",
				Offset:  genlInNest,
				Policy:  &netlink.AttributePolicy{Type: unix.NL_ATTR_TYPE_U32, MaxValue: 1<<32 - 1},
			},
			at: unix.ETHTOOL_A_HEADER_DEV_INDEX,
		},
	}
	for _, capped := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/capped=%t", tt.name, capped), func(t *testing.T) {
				// The test's own check of its offsets: the attribute there.
				req := tt.req
				req.Header.Length = uint32(16 + len(req.Data))
				b, err := req.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				if at := max(tt.want.Offset, tt.want.MissingNest); at != 0 {
					if got := binary.NativeEndian.Uint16(b[at+2:]) &^ (netlink.Nested | netlink.NetByteOrder); got != tt.at {
						t.Fatalf("test bug: attribute type %d at offset %d, want %d", got, at, tt.at)
					}
				}

				var flags []netlink.HeaderFlags
				c := testkit.Dial(t, ns, tt.family, &netlink.Config{Capture: captureFunc(func(sent bool, b []byte) {
					if !sent && len(b) >= 16 && netlink.HeaderType(binary.NativeEndian.Uint16(b[4:])) == netlink.Error {
						flags = append(flags, netlink.HeaderFlags(binary.NativeEndian.Uint16(b[6:])))
					}
				})})
				if err := c.SetOption(netlink.ExtendedAcknowledge, true); err != nil {
					t.Fatal(err)
				}
				if err := c.SetOption(netlink.CapAcknowledge, capped); err != nil {
					t.Fatal(err)
				}

				reply, err := c.ExecuteReply(context.Background(), tt.req)
				var oe *netlink.OpError
				if !errors.As(err, &oe) || !errors.Is(err, tt.want.Errno) {
					t.Fatalf("Execute error = %v, want an *OpError matching %v", err, tt.want.Errno)
				}
				if len(flags) != 1 || (flags[0]&netlink.Capped != 0) != capped || flags[0]&netlink.AcknowledgeTLVs == 0 {
					t.Fatalf("error message flags %v; want capped=%t, with TLVs", flags, capped)
				}
				if reply.Ack == nil {
					t.Fatalf("Reply.Ack is nil: %v", err)
				}
				if diff := cmp.Diff(tt.want, *reply.Ack, cmpopts.IgnoreFields(netlink.Ack{}, "Request")); diff != "" {
					t.Errorf("Reply.Ack (-want +got):\n%s", diff)
				}
				if r := reply.Ack.Request; r.Type != tt.req.Header.Type || r.Sequence == 0 || r.Sequence != oe.Sequence || r.Length != req.Header.Length {
					t.Errorf("Ack.Request = %+v; want type %d, length %d, sequence %d", r, tt.req.Header.Type, req.Header.Length, oe.Sequence)
				}
				if oe.Message != tt.want.Message || oe.Offset != tt.want.Offset {
					t.Errorf("OpError message %q, offset %d; want %q, %d", oe.Message, oe.Offset, tt.want.Message, tt.want.Offset)
				}
			})
		}
	}
}

// trustInterrupter changes the links of a namespace while a dump is read:
// its capture method, a Config.Capture, adds or deletes a link as soon as
// the first datagram of an armed dump has been received. The kernel has
// then already filled the next datagram, so the one after it is marked.
type trustInterrupter struct {
	ns *nstest.NS

	mu      sync.Mutex
	armed   int // dumps still to interrupt; -1 is all of them
	pending bool
	dumps   int // dump requests sent
	changes int
	err     error
}

// arm makes the next n dumps interrupted; -1 means all of them.
func (in *trustInterrupter) arm(n int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.armed, in.dumps = n, 0
}

// capture watches the traffic, and changes the links when armed.
func (in *trustInterrupter) capture(sent bool, b []byte) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if sent {
		if len(b) >= 16 && binary.NativeEndian.Uint16(b[4:]) == unix.RTM_GETLINK {
			in.dumps++
			in.pending = in.armed != 0
			if in.armed > 0 {
				in.armed--
			}
		}
		return
	}
	if in.pending {
		in.pending = false
		in.changeLocked()
	}
}

// change adds or deletes a link.
func (in *trustInterrupter) change() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.changeLocked()
}

// changeLocked is change, with in.mu held.
func (in *trustInterrupter) changeLocked() {
	args := []string{"-n", in.ns.Name(), "link", "add", "intr", "type", "bridge"}
	if in.changes%2 == 1 {
		args = []string{"-n", in.ns.Name(), "link", "del", "intr"}
	}
	in.changes++
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil && in.err == nil {
		in.err = fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// check fails the test if changing the links failed, and returns how many
// dump requests were sent since the last arm.
func (in *trustInterrupter) check(t *testing.T) int {
	t.Helper()
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.err != nil {
		t.Fatal(in.err)
	}
	return in.dumps
}

// trustInterrupted counts the messages marked DumpInterrupted, and checks
// that all are RTM_NEWLINK.
func trustInterrupted(t *testing.T, msgs []netlink.Message) int {
	t.Helper()
	n := 0
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK {
			t.Fatalf("dump returned a message of type %d, want RTM_NEWLINK", m.Header.Type)
		}
		if m.Header.Flags&netlink.DumpInterrupted != 0 {
			n++
		}
	}
	return n
}

// TestTrustInterruptedDump checks that a dump the kernel marks interrupted
// comes back with the flag by default, as an ErrDumpInterrupted error with
// InterruptedDumpError.
func TestTrustInterruptedDump(t *testing.T) {
	ns := nstest.New(t)
	lines, _ := trustVethPairs("id", 30)
	ns.Batch(t, lines) // 61 links: about 30 datagrams of 4 KiB
	in := &trustInterrupter{ns: ns}
	dial := func(interruptedError bool) *netlink.Conn {
		return testkit.Dial(t, ns, unix.NETLINK_ROUTE, &netlink.Config{
			MessageBufferSize:    4096,
			Capture:              captureFunc(in.capture),
			InterruptedDumpError: interruptedError,
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// By default, as in v1: the messages, some with the flag. Send and
	// ReceiveIter let the test change the links between two datagrams.
	c := dial(false)
	interrupted := false
	for attempt := 0; attempt < 5 && !interrupted; attempt++ {
		if _, err := c.Send(testkit.LinkDump(0)); err != nil {
			t.Fatal(err)
		}
		var msgs []netlink.Message
		for m, err := range c.ReceiveIter() {
			if err != nil {
				t.Fatalf("ReceiveIter: %v", err)
			}
			if len(msgs) == 0 {
				in.change()
			}
			msgs = append(msgs, m)
		}
		in.check(t)
		interrupted = trustInterrupted(t, msgs) > 0
	}
	if !interrupted {
		t.Skip("skipping: the kernel never set NLM_F_DUMP_INTR on an RTM_GETLINK dump while links were added and deleted")
	}

	t.Run("v1", func(t *testing.T) {
		in.arm(1)
		msgs, err := c.Execute(testkit.LinkDump(0))
		if err != nil {
			t.Fatalf("Execute: %v", err)
		}
		if trustInterrupted(t, msgs) == 0 {
			t.Fatal("Execute: no message has the DumpInterrupted flag")
		}
		in.arm(1)
		r, err := c.ExecuteReply(ctx, testkit.LinkDump(0))
		if err != nil {
			t.Fatalf("ExecuteReply: %v", err)
		}
		if !r.Interrupted || trustInterrupted(t, r.Messages) == 0 {
			t.Fatalf("ExecuteReply: Interrupted = %t, with %d messages flagged; want true and some", r.Interrupted, trustInterrupted(t, r.Messages))
		}
		in.arm(0)
		r, err = c.ExecuteReply(ctx, testkit.LinkDump(0))
		if err != nil || r.Interrupted || trustInterrupted(t, r.Messages) != 0 {
			t.Fatalf("ExecuteReply without changes: Interrupted = %t, error %v; want false, nil", r.Interrupted, err)
		}
		in.check(t)
	})

	t.Run("InterruptedDumpError", func(t *testing.T) {
		c := dial(true)
		in.arm(1)
		if msgs, err := c.Execute(testkit.LinkDump(0)); !errors.Is(err, netlink.ErrDumpInterrupted) {
			t.Fatalf("Execute = %d messages, %v; want an error matching ErrDumpInterrupted", len(msgs), err)
		}
		in.arm(1)
		if _, err := c.ExecuteReply(ctx, testkit.LinkDump(0)); !errors.Is(err, netlink.ErrDumpInterrupted) {
			t.Fatalf("ExecuteReply error %v, want one matching ErrDumpInterrupted", err)
		}
		in.arm(0)
		if _, err := c.Execute(testkit.LinkDump(0)); err != nil {
			t.Fatalf("Execute without changes: %v", err)
		}
		in.check(t)
	})
}

// trustRouteDst returns the RTA_DST of an RTM_NEWROUTE message, or the zero
// address for another message.
func trustRouteDst(t *testing.T, m netlink.Message) netip.Addr {
	t.Helper()
	if m.Header.Type != unix.RTM_NEWROUTE || len(m.Data) < unix.SizeofRtMsg {
		return netip.Addr{}
	}
	a, _ := netip.AddrFromSlice(trustAttrs(t, m.Data[unix.SizeofRtMsg:])[unix.RTA_DST])
	return a
}

// TestTrustOverrun checks that a burst of notifications that overflows the
// socket's receive buffer is reported as ENOBUFS, to Receive even when an
// Execute met it first, and that the Conn goes on working: later
// notifications arrive, and Execute works.
func TestTrustOverrun(t *testing.T) {
	for _, executeFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("executeFirst=%t", executeFirst), func(t *testing.T) {
			ns := nstest.New(t)
			ns.Run(t, "link", "set", "lo", "up")
			c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
			if err := c.JoinGroup(unix.RTNLGRP_IPV4_ROUTE); err != nil {
				t.Fatal(err)
			}
			if err := c.SetReadBuffer(4096); err != nil { // the kernel makes it a few KiB
				t.Fatal(err)
			}
			var lines []string
			for i := range 2000 {
				lines = append(lines, fmt.Sprintf("route add 10.%d.%d.0/24 dev lo", 1+i/256, i%256))
			}
			ns.Batch(t, lines)

			receive := func(timeout time.Duration) ([]netlink.Message, error) {
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				defer cancel()
				return c.ReceiveContext(ctx)
			}
			getLo := netlink.Message{
				Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request},
				Data:   make([]byte, unix.SizeofIfInfomsg),
			}
			binary.NativeEndian.PutUint32(getLo.Data[4:], 1) // ifi_index of lo

			if executeFirst {
				// The kernel drops the reply, as the queue is full: the
				// overrun must end the transaction.
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if _, err := c.ExecuteContext(ctx, getLo); !errors.Is(err, unix.ENOBUFS) {
					t.Fatalf("Execute after a burst of 2000 routes: %v, want an error matching ENOBUFS", err)
				}
			}
			// Receive learns of the overrun, before the queued
			// notifications, even if Execute read it first.
			if _, err := receive(5 * time.Second); !errors.Is(err, unix.ENOBUFS) {
				t.Fatalf("Receive after a burst of 2000 routes: %v, want an error matching ENOBUFS", err)
			}

			// Empty the queue, then a new notification must come through.
			for i := 0; ; i++ {
				_, err := receive(200 * time.Millisecond)
				if errors.Is(err, context.DeadlineExceeded) {
					break
				}
				if err != nil {
					t.Fatalf("Receive while emptying the queue: %v", err)
				}
				if i == 2000 {
					t.Fatal("the queue never emptied")
				}
			}
			ns.Run(t, "route", "add", "10.250.0.0/24", "dev", "lo")
			want := netip.MustParseAddr("10.250.0.0")
			msgs, err := receive(5 * time.Second)
			if err != nil {
				t.Fatalf("Receive after the overrun: %v", err)
			}
			if len(msgs) != 1 || trustRouteDst(t, msgs[0]) != want {
				t.Fatalf("Receive after the overrun returned %+v, want the RTM_NEWROUTE for %s", msgs, want)
			}

			msgs, err = c.Execute(getLo)
			if err != nil {
				t.Fatalf("Execute after the overrun: %v", err)
			}
			if len(msgs) != 1 || trustLinkName(t, msgs[0]) != "lo" {
				t.Fatalf("Execute after the overrun returned %+v, want lo", msgs)
			}
		})
	}
}

// TestTrustReceiveOrigin checks the origin ReceiveFrom gives notifications:
// the kernel's port, and the group, including one above 32 with PacketInfo.
func TestTrustReceiveOrigin(t *testing.T) {
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
