package netlink_test

import (
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/bpf"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/nltest"
)

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

// captureFunc makes a function a netlink.Capturer.
type captureFunc func(sent bool, b []byte)

func (f captureFunc) CaptureDatagram(sent bool, b []byte) { f(sent, b) }
