//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"iter"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

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
