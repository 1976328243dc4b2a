package netlink_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/nltest"
)

// OpError satisfies net.Error, as in the v1 API.
var _ net.Error = (*netlink.OpError)(nil)

// fakeTimeoutError is an error that says whether it is a timeout and
// whether it is temporary.
type fakeTimeoutError struct{ timeout, temporary bool }

func (e fakeTimeoutError) Error() string   { return "fake" }
func (e fakeTimeoutError) Timeout() bool   { return e.timeout }
func (e fakeTimeoutError) Temporary() bool { return e.temporary }

func TestOpErrorTimeoutTemporary(t *testing.T) {
	tests := []struct {
		name               string
		err                error
		timeout, temporary bool
	}{
		{name: "deadline exceeded", err: os.ErrDeadlineExceeded, timeout: true, temporary: true},
		{name: "wrapped deadline exceeded", err: os.NewSyscallError("recvmsg", os.ErrDeadlineExceeded), timeout: true, temporary: true},
		{name: "ETIMEDOUT", err: syscall.ETIMEDOUT, timeout: true, temporary: true},
		{name: "EAGAIN in syscall error", err: os.NewSyscallError("recvmsg", syscall.EAGAIN), timeout: true, temporary: true},
		{name: "EINTR", err: syscall.EINTR, temporary: true},
		{name: "ENOENT", err: syscall.ENOENT},
		{name: "ENOBUFS", err: syscall.ENOBUFS},
		{name: "plain", err: errors.New("plain")},
		{name: "temporary only", err: fakeTimeoutError{temporary: true}, temporary: true},
		{name: "timeout only", err: fakeTimeoutError{timeout: true}, timeout: true},
		{name: "context deadline", err: context.DeadlineExceeded, timeout: true, temporary: true},
		{name: "context canceled", err: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oe := &netlink.OpError{Op: "receive", Err: tt.err}
			type result struct{ Timeout, Temporary bool }
			want := result{Timeout: tt.timeout, Temporary: tt.temporary}
			got := result{Timeout: oe.Timeout(), Temporary: oe.Temporary()}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("unexpected result (-want +got):\n%s", diff)
			}
			if oe.Unwrap() != tt.err {
				t.Fatalf("Unwrap returned %v, want %v", oe.Unwrap(), tt.err)
			}
			if !errors.Is(oe, tt.err) {
				t.Fatal("errors.Is does not see the cause")
			}
		})
	}
}

func TestOpErrorError(t *testing.T) {
	tests := []struct {
		name string
		err  *netlink.OpError
		want string
	}{
		{
			name: "errno",
			err:  &netlink.OpError{Op: "receive", Err: syscall.ENOENT},
			want: "netlink receive: " + syscall.ENOENT.Error(),
		},
		{
			name: "syscall error",
			err:  &netlink.OpError{Op: "send", Err: os.NewSyscallError("sendmsg", syscall.EPERM)},
			want: "netlink send: sendmsg: " + syscall.EPERM.Error(),
		},
		{
			name: "message",
			err:  &netlink.OpError{Op: "receive", Err: syscall.EINVAL, Message: "bad"},
			want: "netlink receive: " + syscall.EINVAL.Error() + `, offset: 0, message: "bad"`,
		},
		{
			name: "offset",
			err:  &netlink.OpError{Op: "receive", Err: syscall.EINVAL, Offset: 8},
			want: "netlink receive: " + syscall.EINVAL.Error() + `, offset: 8, message: ""`,
		},
		{
			name: "quoted message",
			err:  &netlink.OpError{Op: "receive", Err: syscall.EINVAL, Message: `say "hi"`, Offset: 4},
			want: "netlink receive: " + syscall.EINVAL.Error() + `, offset: 4, message: "say \"hi\""`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.err.Error()); diff != "" {
				t.Fatalf("unexpected text (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsNotExist(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "nil"},
		{name: "ENOENT", err: syscall.ENOENT, want: true},
		{name: "ENOENT in OpError", err: &netlink.OpError{Op: "receive", Err: syscall.ENOENT}, want: true},
		{name: "ENOENT in syscall error in OpError", err: &netlink.OpError{Op: "receive", Err: os.NewSyscallError("recvmsg", syscall.ENOENT)}, want: true},
		{name: "os.ErrNotExist", err: os.ErrNotExist, want: true},
		{name: "EEXIST in OpError", err: &netlink.OpError{Op: "receive", Err: syscall.EEXIST}},
		{name: "plain", err: errors.New("no such thing")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, netlink.IsNotExist(tt.err)); diff != "" {
				t.Fatalf("unexpected result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFakeConnNotSupported(t *testing.T) {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) { return nil, io.EOF })
	defer c.Close()

	for _, tt := range fakeConnCalls(c) {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fn()
			var oe *netlink.OpError
			if !errors.As(err, &oe) {
				t.Fatalf("want an *netlink.OpError, got %v", err)
			}
			if oe.Err == nil || !strings.Contains(oe.Err.Error(), "not supported") {
				t.Fatalf("Err = %v, want one that says the operation is not supported", oe.Err)
			}
		})
	}
}
