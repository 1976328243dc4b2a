//go:build linux

package netlink_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

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
