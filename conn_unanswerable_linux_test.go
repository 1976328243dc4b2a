//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

// TestExecuteUnanswerable checks that Execute fails at once, with an error
// matching EINVAL, on a request the kernel's own families never answer (no
// Request flag, or a control type, and no Acknowledge flag), and that the
// same requests asking for an acknowledgement get one from the kernel.
func TestExecuteUnanswerable(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	getLink := netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: make([]byte, unix.SizeofIfInfomsg)}
	tests := []struct {
		name string
		req  netlink.Message
	}{
		{name: "zero message", req: netlink.Message{}},
		{name: "type 0 with Request", req: netlink.Message{Header: netlink.Header{Flags: netlink.Request}}},
		{name: "control type Done with Request", req: netlink.Message{Header: netlink.Header{Type: netlink.Done, Flags: netlink.Request}}},
		{name: "RTM_GETLINK without Request", req: getLink},
		{name: "RTM_GETLINK dump without Request", req: netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Dump}, Data: getLink.Data}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			_, err := c.ExecuteContext(ctx, tt.req)
			if !errors.Is(err, unix.EINVAL) || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Execute: %v, want an error matching EINVAL at once", err)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("Execute took %v to refuse the request", d)
			}

			// Asking for an acknowledgement, the kernel answers.
			req := tt.req
			req.Header.Flags |= netlink.Acknowledge
			msgs, err := c.ExecuteContext(ctx, req)
			if err != nil {
				t.Fatalf("Execute with Acknowledge: %v", err)
			}
			if len(msgs) != 1 || msgs[0].Header.Type != netlink.Error {
				t.Fatalf("Execute with Acknowledge: %+v, want the acknowledgement", msgs)
			}
		})
	}
}

// TestSendMessagesNone checks that SendMessages with no messages sends an
// empty datagram, as v1 does, rather than panicking: the kernel refuses it
// with ENODATA, which comes back as v1 reports it.
func TestSendMessagesNone(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	_, err := c.SendMessages(nil)
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Op != "send-messages" || !errors.Is(err, unix.ENODATA) {
		t.Fatalf("SendMessages(nil): %v, want an *OpError send-messages matching ENODATA", err)
	}
}
