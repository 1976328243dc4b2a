package netlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/bpf"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/testkit"
	"github.com/netlinkgo/netlink/nltest"
)

// OpError satisfies net.Error, as in the v1 API.
var _ net.Error = (*netlink.OpError)(nil)

// fakeMessage returns a message of type 16 whose payload is the four bytes
// of v, in sequence seq from port pid.
func fakeMessage(seq, pid uint32, flags netlink.HeaderFlags, v uint32) netlink.Message {
	return netlink.Message{
		Header: netlink.Header{Length: 20, Type: 16, Flags: flags, Sequence: seq, PID: pid},
		Data:   binary.NativeEndian.AppendUint32(nil, v),
	}
}

// fakeDump returns a multi-part reply in sequence seq: n messages holding
// 0 to n-1, and a Done message carrying code.
func fakeDump(seq uint32, n int, code int32) []netlink.Message {
	var msgs []netlink.Message
	for i := range n {
		msgs = append(msgs, fakeMessage(seq, nltest.PID, netlink.Multi, uint32(i)))
	}
	msgs = append(msgs, netlink.Message{
		Header: netlink.Header{Length: 20, Type: netlink.Done, Flags: netlink.Multi, Sequence: seq, PID: nltest.PID},
		Data:   binary.NativeEndian.AppendUint32(nil, uint32(code)),
	})
	return msgs
}

// fakeSeq returns the sequence number of the first request message, or 0
// for a receive with no request.
func fakeSeq(req []netlink.Message) uint32 {
	if len(req) == 0 {
		return 0
	}
	return req[0].Header.Sequence
}

// fakeNext returns the sequence number that follows seq on a Conn, which
// never uses 0.
func fakeNext(seq uint32) uint32 {
	if seq+1 == 0 {
		return 1
	}
	return seq + 1
}

func TestFakeConnSendFillsHeader(t *testing.T) {
	tests := []struct {
		name string
		in   netlink.Message
		// want is the message as sent; a zero Sequence in want means "any
		// new sequence number".
		want netlink.Message
	}{
		{
			name: "all zero",
			in:   netlink.Message{Header: netlink.Header{Type: 16, Flags: netlink.Request}},
			want: netlink.Message{Header: netlink.Header{Length: 16, Type: 16, Flags: netlink.Request, PID: nltest.PID}},
		},
		{
			name: "aligned length",
			in:   netlink.Message{Header: netlink.Header{Type: 16}, Data: []byte{1, 2, 3, 4, 5}},
			want: netlink.Message{Header: netlink.Header{Length: 24, Type: 16, PID: nltest.PID}, Data: []byte{1, 2, 3, 4, 5}},
		},
		{
			name: "all set",
			in:   netlink.Message{Header: netlink.Header{Length: 32, Type: 16, Sequence: 77, PID: 9}, Data: []byte{1, 2, 3, 4}},
			want: netlink.Message{Header: netlink.Header{Length: 32, Type: 16, Sequence: 77, PID: 9}, Data: []byte{1, 2, 3, 4}},
		},
		{
			name: "sequence set",
			in:   netlink.Message{Header: netlink.Header{Type: 16, Sequence: 5}},
			want: netlink.Message{Header: netlink.Header{Length: 16, Type: 16, Sequence: 5, PID: nltest.PID}},
		},
		{
			name: "PID set",
			in:   netlink.Message{Header: netlink.Header{Type: 16, PID: 1234}},
			want: netlink.Message{Header: netlink.Header{Length: 16, Type: 16, PID: 1234}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []netlink.Message
			c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
				got = req
				return nil, io.EOF
			})
			defer c.Close()

			sent, err := c.Send(tt.in)
			if err != nil {
				t.Fatalf("failed to send: %v", err)
			}
			want := tt.want
			if want.Header.Sequence == 0 {
				if sent.Header.Sequence == 0 {
					t.Fatal("message sent with sequence number 0")
				}
				want.Header.Sequence = sent.Header.Sequence
			}
			if diff := cmp.Diff(want, sent); diff != "" {
				t.Fatalf("unexpected message returned (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]netlink.Message{want}, got); diff != "" {
				t.Fatalf("unexpected message sent (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFakeConnSendSequenceIncreases(t *testing.T) {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) { return nil, io.EOF })
	defer c.Close()

	var prev uint32
	for i := range 5 {
		m, err := c.Send(netlink.Message{Header: netlink.Header{Type: 16}})
		if err != nil {
			t.Fatalf("failed to send: %v", err)
		}
		if m.Header.Sequence == 0 {
			t.Fatal("message sent with sequence number 0")
		}
		if i > 0 && m.Header.Sequence != fakeNext(prev) {
			t.Fatalf("sequence number %d after %d, want %d", m.Header.Sequence, prev, fakeNext(prev))
		}
		prev = m.Header.Sequence
	}
}

func TestFakeConnSendMessages(t *testing.T) {
	var (
		calls int
		got   []netlink.Message
	)
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		calls++
		got = req
		return nil, io.EOF
	})
	defer c.Close()

	sent, err := c.SendMessages([]netlink.Message{
		{Header: netlink.Header{Type: 16}, Data: []byte{1}},
		{Header: netlink.Header{Type: 17, Sequence: 42, PID: 7}},
		{Header: netlink.Header{Type: 18}},
	})
	if err != nil {
		t.Fatalf("failed to send: %v", err)
	}
	if calls != 1 {
		t.Fatalf("Func called %d times, want once for one datagram", calls)
	}
	if len(sent) != 3 {
		t.Fatalf("got %d messages sent, want 3", len(sent))
	}
	s0, s2 := sent[0].Header.Sequence, sent[2].Header.Sequence
	if s0 == 0 || s2 != fakeNext(s0) {
		t.Fatalf("sequence numbers %d and %d, want consecutive non-zero numbers", s0, s2)
	}
	want := []netlink.Message{
		{Header: netlink.Header{Length: 20, Type: 16, Sequence: s0, PID: nltest.PID}, Data: []byte{1}},
		{Header: netlink.Header{Length: 16, Type: 17, Sequence: 42, PID: 7}},
		{Header: netlink.Header{Length: 16, Type: 18, Sequence: s2, PID: nltest.PID}},
	}
	if diff := cmp.Diff(want, sent); diff != "" {
		t.Fatalf("unexpected messages returned (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("unexpected messages sent (-want +got):\n%s", diff)
	}
}

func TestFakeConnExecuteValidates(t *testing.T) {
	tests := []struct {
		name  string
		reply func(req netlink.Message) []netlink.Message
		ok    bool
	}{
		{
			name: "match",
			reply: func(req netlink.Message) []netlink.Message {
				return []netlink.Message{fakeMessage(req.Header.Sequence, nltest.PID, 0, 1)}
			},
			ok: true,
		},
		{
			name: "reply PID 0",
			reply: func(req netlink.Message) []netlink.Message {
				return []netlink.Message{fakeMessage(req.Header.Sequence, 0, 0, 1)}
			},
			ok: true,
		},
		{
			name: "mismatched sequence",
			reply: func(req netlink.Message) []netlink.Message {
				return []netlink.Message{fakeMessage(req.Header.Sequence+1, nltest.PID, 0, 1)}
			},
		},
		{
			name: "mismatched PID",
			reply: func(req netlink.Message) []netlink.Message {
				return []netlink.Message{fakeMessage(req.Header.Sequence, nltest.PID+1, 0, 1)}
			},
		},
		{
			name: "mismatch in a later message",
			reply: func(req netlink.Message) []netlink.Message {
				msgs := fakeDump(req.Header.Sequence, 3, 0)
				msgs[1].Header.Sequence++
				return msgs
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
				return tt.reply(req[0]), nil
			})
			defer c.Close()

			msgs, err := c.Execute(netlink.Message{Header: netlink.Header{Type: 16, Flags: netlink.Request}})
			if tt.ok {
				if err != nil {
					t.Fatalf("failed to execute: %v", err)
				}
				if len(msgs) == 0 {
					t.Fatal("no messages")
				}
				return
			}
			var oe *netlink.OpError
			if !errors.As(err, &oe) {
				t.Fatalf("want an *netlink.OpError, got %v", err)
			}
			if diff := cmp.Diff("validate", oe.Op); diff != "" {
				t.Fatalf("unexpected Op (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	msg := func(seq, pid uint32) netlink.Message {
		return netlink.Message{Header: netlink.Header{Sequence: seq, PID: pid}}
	}
	tests := []struct {
		name    string
		request netlink.Message
		replies []netlink.Message
		ok      bool
	}{
		{name: "no replies", request: msg(1, 1), ok: true},
		{name: "match", request: msg(1, 1), replies: []netlink.Message{msg(1, 1), msg(1, 1)}, ok: true},
		{name: "request sequence 0", request: msg(0, 1), replies: []netlink.Message{msg(5, 1), msg(6, 1)}, ok: true},
		{name: "request PID 0", request: msg(1, 0), replies: []netlink.Message{msg(1, 5)}, ok: true},
		{name: "reply PID 0", request: msg(1, 1), replies: []netlink.Message{msg(1, 0)}, ok: true},
		{name: "all zero", request: msg(0, 0), replies: []netlink.Message{msg(3, 4)}, ok: true},
		{name: "mismatched sequence", request: msg(1, 1), replies: []netlink.Message{msg(2, 1)}},
		{name: "reply sequence 0", request: msg(1, 1), replies: []netlink.Message{msg(0, 1)}},
		{name: "mismatched PID", request: msg(1, 1), replies: []netlink.Message{msg(1, 2)}},
		{name: "second reply mismatched", request: msg(1, 1), replies: []netlink.Message{msg(1, 1), msg(2, 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := netlink.Validate(tt.request, tt.replies)
			if tt.ok {
				if err != nil {
					t.Fatalf("failed to validate: %v", err)
				}
				return
			}
			var oe *netlink.OpError
			if !errors.As(err, &oe) {
				t.Fatalf("want an *netlink.OpError, got %v", err)
			}
			if diff := cmp.Diff("validate", oe.Op); diff != "" {
				t.Fatalf("unexpected Op (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFakeConnReceive(t *testing.T) {
	// Each receive with no reply pending gets the next notification.
	var n uint32
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		n++
		return []netlink.Message{fakeMessage(0, 0, 0, n)}, nil
	})
	defer c.Close()

	msgs, err := c.Receive()
	if err != nil {
		t.Fatalf("failed to receive: %v", err)
	}
	if diff := cmp.Diff([]netlink.Message{fakeMessage(0, 0, 0, 1)}, msgs); diff != "" {
		t.Fatalf("unexpected messages (-want +got):\n%s", diff)
	}

	var got []netlink.Message
	for m, err := range c.ReceiveIter() {
		if err != nil {
			t.Fatalf("failed to receive: %v", err)
		}
		got = append(got, m)
	}
	if diff := cmp.Diff([]netlink.Message{fakeMessage(0, 0, 0, 2)}, got); diff != "" {
		t.Fatalf("unexpected messages (-want +got):\n%s", diff)
	}
}

func TestFakeConnReceiveMultipart(t *testing.T) {
	// A request gets a dump, delivered in two reads; a receive with no
	// reply pending gets a notification.
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		if req == nil {
			return []netlink.Message{fakeMessage(0, 0, 0, 99)}, nil
		}
		return fakeDump(fakeSeq(req), 3, 0), nil
	})
	defer c.Close()

	send := func(t *testing.T) uint32 {
		t.Helper()
		m, err := c.Send(netlink.Message{Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Dump}})
		if err != nil {
			t.Fatalf("failed to send: %v", err)
		}
		return m.Header.Sequence
	}
	notification := []netlink.Message{fakeMessage(0, 0, 0, 99)}

	t.Run("receive", func(t *testing.T) {
		seq := send(t)
		msgs, err := c.Receive()
		if err != nil {
			t.Fatalf("failed to receive: %v", err)
		}
		if diff := cmp.Diff(fakeDump(seq, 3, 0)[:3], msgs); diff != "" {
			t.Fatalf("unexpected messages (-want +got):\n%s", diff)
		}
	})

	t.Run("receive iter", func(t *testing.T) {
		seq := send(t)
		var got []netlink.Message
		for m, err := range c.ReceiveIter() {
			if err != nil {
				t.Fatalf("failed to receive: %v", err)
			}
			got = append(got, m)
		}
		if diff := cmp.Diff(fakeDump(seq, 3, 0)[:3], got); diff != "" {
			t.Fatalf("unexpected messages (-want +got):\n%s", diff)
		}
	})

	t.Run("receive iter stopped early", func(t *testing.T) {
		seq := send(t)
		var got []netlink.Message
		for m, err := range c.ReceiveIter() {
			if err != nil {
				t.Fatalf("failed to receive: %v", err)
			}
			got = append(got, m)
			break
		}
		if diff := cmp.Diff(fakeDump(seq, 3, 0)[:1], got); diff != "" {
			t.Fatalf("unexpected messages (-want +got):\n%s", diff)
		}

		// The rest of the dump, up to its Done, was drained: the next
		// Receive gets the next reply.
		msgs, err := c.Receive()
		if err != nil {
			t.Fatalf("failed to receive: %v", err)
		}
		if diff := cmp.Diff(notification, msgs); diff != "" {
			t.Fatalf("unexpected messages after stopping early (-want +got):\n%s", diff)
		}
	})
}

func TestFakeConnDumpErrorInDone(t *testing.T) {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		return fakeDump(fakeSeq(req), 2, -int32(syscall.ENOENT)), nil
	})
	defer c.Close()

	tests := []struct {
		name string
		fn   func() error
	}{
		{
			name: "execute",
			fn: func() error {
				_, err := c.Execute(netlink.Message{Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Dump}})
				return err
			},
		},
		{
			name: "receive",
			fn: func() error {
				_, err := c.Receive()
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fn()
			var oe *netlink.OpError
			if !errors.As(err, &oe) {
				t.Fatalf("want an *netlink.OpError, got %v", err)
			}
			if diff := cmp.Diff("receive", oe.Op); diff != "" {
				t.Errorf("unexpected Op (-want +got):\n%s", diff)
			}
			if oe.Err != syscall.ENOENT {
				t.Fatalf("Err = %#v, want the bare errno ENOENT", oe.Err)
			}
			if !errors.Is(err, os.ErrNotExist) {
				t.Fatal("error does not match os.ErrNotExist")
			}
		})
	}
}

func TestFakeConnAcknowledgement(t *testing.T) {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		if req == nil {
			// An acknowledgement of a request sent some other way.
			return nltest.Error(0, []netlink.Message{{Header: netlink.Header{Length: 16, Type: 16, Sequence: 3}}})
		}
		return nltest.Error(0, req)
	})
	defer c.Close()

	msgs, err := c.Execute(netlink.Message{Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Acknowledge}})
	if err != nil {
		t.Fatalf("failed to execute: %v", err)
	}
	if len(msgs) != 1 || msgs[0].Header.Type != netlink.Error {
		t.Fatalf("want the acknowledgement as the only message, got %v", msgs)
	}
	if code := binary.NativeEndian.Uint32(msgs[0].Data); code != 0 {
		t.Fatalf("acknowledgement carries code %d", code)
	}

	msgs, err = c.Receive()
	if err != nil {
		t.Fatalf("failed to receive: %v", err)
	}
	if len(msgs) != 1 || msgs[0].Header.Type != netlink.Error {
		t.Fatalf("want the acknowledgement as the only message, got %v", msgs)
	}
}

// fakeExtAck returns an extended acknowledgement of req with code, the
// kernel's message and offset: the request's payload is echoed unless
// capped.
func fakeExtAck(req netlink.Message, code int32, capped bool, msg string, offset uint32) netlink.Message {
	flags := netlink.AcknowledgeTLVs
	b := binary.NativeEndian.AppendUint32(nil, uint32(code))
	b = binary.NativeEndian.AppendUint32(b, req.Header.Length)
	b = binary.NativeEndian.AppendUint16(b, uint16(req.Header.Type))
	b = binary.NativeEndian.AppendUint16(b, uint16(req.Header.Flags))
	b = binary.NativeEndian.AppendUint32(b, req.Header.Sequence)
	b = binary.NativeEndian.AppendUint32(b, req.Header.PID)
	if capped {
		flags |= netlink.Capped
	} else {
		b = append(b, req.Data...)
	}
	if msg != "" {
		b = append(b, testkit.Attribute(1, append([]byte(msg), 0))...) // NLMSGERR_ATTR_MSG
	}
	if offset != 0 {
		b = append(b, testkit.Attribute(2, binary.NativeEndian.AppendUint32(nil, offset))...) // NLMSGERR_ATTR_OFFS
	}
	return netlink.Message{
		Header: netlink.Header{
			Length:   uint32(16 + len(b)),
			Type:     netlink.Error,
			Flags:    flags,
			Sequence: req.Header.Sequence,
			PID:      req.Header.PID,
		},
		Data: b,
	}
}

func TestFakeConnExtendedAcknowledge(t *testing.T) {
	tests := []struct {
		name    string
		capped  bool
		message string
		offset  uint32
		want    string
	}{
		{
			name:    "message and offset",
			message: "bad attribute",
			offset:  24,
			want:    "netlink receive: " + syscall.EINVAL.Error() + `, offset: 24, message: "bad attribute"`,
		},
		{
			name:    "capped",
			capped:  true,
			message: "bad attribute",
			offset:  24,
			want:    "netlink receive: " + syscall.EINVAL.Error() + `, offset: 24, message: "bad attribute"`,
		},
		{
			name:    "message only",
			capped:  true,
			message: "missing attribute",
			want:    "netlink receive: " + syscall.EINVAL.Error() + `, offset: 0, message: "missing attribute"`,
		},
		{
			name:   "offset only",
			offset: 20,
			want:   "netlink receive: " + syscall.EINVAL.Error() + `, offset: 20, message: ""`,
		},
		{
			name: "neither",
			want: "netlink receive: " + syscall.EINVAL.Error(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
				return []netlink.Message{fakeExtAck(req[0], -int32(syscall.EINVAL), tt.capped, tt.message, tt.offset)}, nil
			})
			defer c.Close()

			_, err := c.Execute(netlink.Message{
				Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Acknowledge},
				Data:   []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
			})
			var oe *netlink.OpError
			if !errors.As(err, &oe) {
				t.Fatalf("want an *netlink.OpError, got %v", err)
			}
			type fields struct {
				Op      string
				Errno   syscall.Errno
				Message string
				Offset  int
			}
			errno, _ := oe.Err.(syscall.Errno)
			want := fields{Op: "receive", Errno: syscall.EINVAL, Message: tt.message, Offset: int(tt.offset)}
			got := fields{Op: oe.Op, Errno: errno, Message: oe.Message, Offset: oe.Offset}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("unexpected error fields (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Fatalf("unexpected error text (-want +got):\n%s", diff)
			}
		})
	}
}

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

// fakeConnCalls returns a call of every method of c that takes no reply
// from the fake kernel, by name.
func fakeConnCalls(c *netlink.Conn) []struct {
	name string
	fn   func() error
} {
	return []struct {
		name string
		fn   func() error
	}{
		{name: "JoinGroup", fn: func() error { return c.JoinGroup(1) }},
		{name: "LeaveGroup", fn: func() error { return c.LeaveGroup(1) }},
		{name: "SetBPF", fn: func() error { return c.SetBPF([]bpf.RawInstruction{{Op: 6, K: 0xffff}}) }},
		{name: "RemoveBPF", fn: c.RemoveBPF},
		{name: "SetOption", fn: func() error { return c.SetOption(netlink.ExtendedAcknowledge, true) }},
		{name: "SetDeadline", fn: func() error { return c.SetDeadline(time.Now()) }},
		{name: "SetReadDeadline", fn: func() error { return c.SetReadDeadline(time.Now()) }},
		{name: "SetWriteDeadline", fn: func() error { return c.SetWriteDeadline(time.Now()) }},
		{name: "SetReadBuffer", fn: func() error { return c.SetReadBuffer(1024) }},
		{name: "SetWriteBuffer", fn: func() error { return c.SetWriteBuffer(1024) }},
		{name: "ReadBuffer", fn: func() error { _, err := c.ReadBuffer(); return err }},
		{name: "WriteBuffer", fn: func() error { _, err := c.WriteBuffer(); return err }},
		{name: "SyscallConn", fn: func() error { _, err := c.SyscallConn(); return err }},
		// Additions.
		{name: "Memberships", fn: func() error { _, err := c.Memberships(); return err }},
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
		{
			name: "ReceiveIter",
			fn: func() error {
				for _, err := range c.ReceiveIter() {
					if err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			name: "ReceiveIterContext",
			fn: func() error {
				for _, err := range c.ReceiveIterContext(ctx) {
					if err != nil {
						return err
					}
				}
				return nil
			},
		},
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
		{
			name: "ReceiveIterContext",
			fn: func() error {
				for _, err := range c.ReceiveIterContext(ctx) {
					if err != nil {
						return err
					}
				}
				return nil
			},
		},
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

// captureFunc makes a function a netlink.Capturer.
type captureFunc func(sent bool, b []byte)

func (f captureFunc) CaptureDatagram(sent bool, b []byte) { f(sent, b) }
