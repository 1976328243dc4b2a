package netlink_test

import (
	"context"
	"errors"
	"io"
	"iter"
	"slices"
	"syscall"
	"testing"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/nltest"
)

func TestFakeConnClosed(t *testing.T) {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) { return nltest.Error(0, req) })
	if err := c.Close(); err != nil {
		t.Fatalf("failed to close: %v", err)
	}

	ctx := context.Background()
	msg := netlink.Message{Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Acknowledge}}
	calls := []struct {
		name string
		fn   func() error
	}{
		{name: "Execute", fn: func() error { _, err := c.Execute(msg); return err }},
		{name: "ExecuteContext", fn: func() error { _, err := c.ExecuteContext(ctx, msg); return err }},
		{name: "Send", fn: func() error { _, err := c.Send(msg); return err }},
		{name: "SendMessages", fn: func() error { _, err := c.SendMessages([]netlink.Message{msg, msg}); return err }},
		{name: "Receive", fn: func() error { _, err := c.Receive(); return err }},
		{name: "ReceiveContext", fn: func() error { _, err := c.ReceiveContext(ctx); return err }},
		{name: "ReceiveIter", fn: func() error { return iterErr(c.ReceiveIter()) }},
		{name: "ReceiveIterContext", fn: func() error { return iterErr(c.ReceiveIterContext(ctx)) }},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.fn(); !errors.Is(err, syscall.EBADF) {
				t.Fatalf("want an error matching EBADF, got %v", err)
			}
		})
	}
}

func TestFakeConnCloseTwice(t *testing.T) {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) { return nil, io.EOF })
	if err := c.Close(); err != nil {
		t.Fatalf("failed to close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v, want nil as in the v1 API", err)
	}
}

func TestFakeConnCancelledContext(t *testing.T) {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		if req == nil {
			return []netlink.Message{fakeMessage(0, 0, 0, 1)}, nil
		}
		return nltest.Error(0, req)
	})
	defer c.Close()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	msg := netlink.Message{Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Acknowledge}}

	tests := []struct {
		name string
		fn   func() error
	}{
		{name: "ExecuteContext", fn: func() error { _, err := c.ExecuteContext(ctx, msg); return err }},
		{name: "ReceiveContext", fn: func() error { _, err := c.ReceiveContext(ctx); return err }},
		{name: "ReceiveIterContext", fn: func() error { return iterErr(c.ReceiveIterContext(ctx)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fn()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("want an error matching context.Canceled, got %v", err)
			}
			var oe *netlink.OpError
			if !errors.As(err, &oe) {
				t.Fatalf("want an *netlink.OpError, got %T", err)
			}
		})
	}

	// The Conn still works.
	msgs, err := c.Execute(msg)
	if err != nil {
		t.Fatalf("failed to execute after cancellation: %v", err)
	}
	if !slices.ContainsFunc(msgs, func(m netlink.Message) bool { return m.Header.Type == netlink.Error }) {
		t.Fatalf("want an acknowledgement, got %v", msgs)
	}
}

// iterErr runs seq to its end and returns the error it yields, if any.
func iterErr(seq iter.Seq2[netlink.Message, error]) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}
