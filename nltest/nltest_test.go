package nltest_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/nltest"
)

// reply returns a Func that answers each request with one message carrying
// data, as a kernel would: same sequence number, PID of the Conn.
func reply(data []byte) nltest.Func {
	return func(req []netlink.Message) ([]netlink.Message, error) {
		return []netlink.Message{{
			Header: netlink.Header{
				Length:   uint32(16 + len(data)),
				Type:     req[0].Header.Type,
				Sequence: req[0].Header.Sequence,
				PID:      nltest.PID,
			},
			Data: data,
		}}, nil
	}
}

func TestDialRoundTrip(t *testing.T) {
	var got []netlink.Message
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		got = req
		return reply([]byte{0xde, 0xad, 0xbe, 0xef})(req)
	})
	defer c.Close()

	if diff := cmp.Diff(uint32(nltest.PID), c.PID()); diff != "" {
		t.Fatalf("unexpected PID (-want +got):\n%s", diff)
	}

	req := netlink.Message{
		Header: netlink.Header{Type: 16, Flags: netlink.Request},
		Data:   []byte{1, 2, 3, 4},
	}
	msgs, err := c.Execute(req)
	if err != nil {
		t.Fatalf("failed to execute: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("Func got %d request messages, want 1", len(got))
	}
	seq := got[0].Header.Sequence
	if seq == 0 {
		t.Fatal("request was sent with sequence number 0")
	}

	wantReq := []netlink.Message{{
		Header: netlink.Header{Length: 20, Type: 16, Flags: netlink.Request, Sequence: seq, PID: nltest.PID},
		Data:   []byte{1, 2, 3, 4},
	}}
	if diff := cmp.Diff(wantReq, got); diff != "" {
		t.Fatalf("unexpected request (-want +got):\n%s", diff)
	}

	want := []netlink.Message{{
		Header: netlink.Header{Length: 20, Type: 16, Sequence: seq, PID: nltest.PID},
		Data:   []byte{0xde, 0xad, 0xbe, 0xef},
	}}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Fatalf("unexpected reply (-want +got):\n%s", diff)
	}
}

func TestDialMulticast(t *testing.T) {
	var calls int
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		calls++
		if req != nil {
			t.Errorf("Func called with %d request messages, want nil", len(req))
		}
		return []netlink.Message{{
			Header: netlink.Header{Length: 20, Type: 16},
			Data:   []byte{byte(calls), 0, 0, 0},
		}}, nil
	})
	defer c.Close()

	for i := 1; i <= 3; i++ {
		msgs, err := c.Receive()
		if err != nil {
			t.Fatalf("failed to receive: %v", err)
		}
		want := []netlink.Message{{
			Header: netlink.Header{Length: 20, Type: 16},
			Data:   []byte{byte(i), 0, 0, 0},
		}}
		if diff := cmp.Diff(want, msgs); diff != "" {
			t.Fatalf("unexpected notification %d (-want +got):\n%s", i, diff)
		}
	}
}

func TestDialEOF(t *testing.T) {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		return nil, io.EOF
	})
	defer c.Close()

	msgs, err := c.Receive()
	if err != nil {
		t.Fatalf("failed to receive: %v", err)
	}
	if len(msgs) != 0 {
		t.Fatalf("got %d messages, want none", len(msgs))
	}

	msgs, err = c.Execute(netlink.Message{Header: netlink.Header{Type: 16}})
	if err != nil {
		t.Fatalf("failed to execute: %v", err)
	}
	if len(msgs) != 0 {
		t.Fatalf("got %d messages, want none", len(msgs))
	}
}

func TestDialErrno(t *testing.T) {
	tests := []struct {
		name string
		fn   func(c *netlink.Conn) error
		// wrapped: an errno returned for a request comes back as a real
		// socket's would; one returned for a notification as it is (v1).
		wrapped bool
	}{
		{
			name: "receive",
			fn: func(c *netlink.Conn) error {
				_, err := c.Receive()
				return err
			},
		},
		{
			name: "execute",
			fn: func(c *netlink.Conn) error {
				_, err := c.Execute(netlink.Message{Header: netlink.Header{Type: 16}})
				return err
			},
			wrapped: true,
		},
		{
			name: "send then receive",
			fn: func(c *netlink.Conn) error {
				if _, err := c.Send(netlink.Message{Header: netlink.Header{Type: 16}}); err != nil {
					t.Fatalf("failed to send: %v", err)
				}
				_, err := c.Receive()
				return err
			},
			wrapped: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
				return nil, syscall.ENOENT
			})
			defer c.Close()

			err := tt.fn(c)
			if !errors.Is(err, syscall.ENOENT) {
				t.Fatalf("error %v does not match ENOENT", err)
			}
			var oe *netlink.OpError
			if !errors.As(err, &oe) {
				t.Fatalf("error %T is not an *netlink.OpError", err)
			}
			if diff := cmp.Diff("receive", oe.Op); diff != "" {
				t.Errorf("unexpected Op (-want +got):\n%s", diff)
			}
			var se *os.SyscallError
			if got := errors.As(err, &se); got != tt.wrapped {
				t.Fatalf("error %v wraps an *os.SyscallError: %v, want %v", err, got, tt.wrapped)
			}
			if tt.wrapped {
				if diff := cmp.Diff("recvmsg", se.Syscall); diff != "" {
					t.Errorf("unexpected system call (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// dump returns n messages with one byte of data each, in sequence seq.
func dump(seq uint32, n int) []netlink.Message {
	var msgs []netlink.Message
	for i := range n {
		msgs = append(msgs, netlink.Message{
			Header: netlink.Header{Length: 20, Type: 16, Sequence: seq, PID: nltest.PID},
			Data:   []byte{byte(i), 0, 0, 0},
		})
	}
	return msgs
}

func TestMultipart(t *testing.T) {
	tests := []struct {
		name string
		in   []netlink.Message
		want []netlink.Message
	}{
		{name: "empty"},
		{
			name: "one",
			in:   dump(1, 1),
			want: dump(1, 1),
		},
		{
			name: "three",
			in:   dump(1, 3),
			want: []netlink.Message{
				{Header: netlink.Header{Length: 20, Type: 16, Flags: netlink.Multi, Sequence: 1, PID: nltest.PID}, Data: []byte{0, 0, 0, 0}},
				{Header: netlink.Header{Length: 20, Type: 16, Flags: netlink.Multi, Sequence: 1, PID: nltest.PID}, Data: []byte{1, 0, 0, 0}},
				{Header: netlink.Header{Length: 20, Type: netlink.Done, Flags: netlink.Multi, Sequence: 1, PID: nltest.PID}, Data: []byte{2, 0, 0, 0}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := nltest.Multipart(tt.in)
			if err != nil {
				t.Fatalf("failed to make multi-part reply: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected messages (-want +got):\n%s", diff)
			}
		})
	}
}

// multipartFunc returns a Func that answers each request, or a receive with
// no reply pending, with a multi-part reply of n messages and a Done.
func multipartFunc(n int) nltest.Func {
	return func(req []netlink.Message) ([]netlink.Message, error) {
		var seq uint32
		if len(req) > 0 {
			seq = req[0].Header.Sequence
		}
		msgs := dump(seq, n)
		msgs = append(msgs, netlink.Message{
			Header: netlink.Header{Length: 20, Type: netlink.Done, Sequence: seq, PID: nltest.PID},
			Data:   make([]byte, 4),
		})
		return nltest.Multipart(msgs)
	}
}

// multiOnly sets the Multi flag on msgs, as they come back from a
// multi-part reply.
func multiOnly(msgs []netlink.Message) []netlink.Message {
	for i := range msgs {
		msgs[i].Header.Flags |= netlink.Multi
	}
	return msgs
}

func TestDialMultipartReply(t *testing.T) {
	c := nltest.Dial(multipartFunc(3))
	defer c.Close()

	t.Run("receive", func(t *testing.T) {
		msgs, err := c.Receive()
		if err != nil {
			t.Fatalf("failed to receive: %v", err)
		}
		if diff := cmp.Diff(multiOnly(dump(0, 3)), msgs); diff != "" {
			t.Fatalf("unexpected messages (-want +got):\n%s", diff)
		}
	})

	t.Run("execute", func(t *testing.T) {
		msgs, err := c.Execute(netlink.Message{Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Dump}})
		if err != nil {
			t.Fatalf("failed to execute: %v", err)
		}
		if len(msgs) != 3 {
			t.Fatalf("got %d messages, want 3", len(msgs))
		}
		if diff := cmp.Diff(multiOnly(dump(msgs[0].Header.Sequence, 3)), msgs); diff != "" {
			t.Fatalf("unexpected messages (-want +got):\n%s", diff)
		}
	})

	t.Run("several reads", func(t *testing.T) {
		// The context is cancelled while the messages of the first read
		// are being yielded: the Conn checks it before each read of the
		// socket, so the rest of the reply, delivered by later reads, is
		// never seen. The first read holds half of the four messages.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if _, err := c.Send(netlink.Message{Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Dump}}); err != nil {
			t.Fatalf("failed to send: %v", err)
		}
		var (
			n   int
			err error
		)
		for _, e := range c.ReceiveIterContext(ctx) {
			if e != nil {
				err = e
				break
			}
			n++
			cancel()
		}
		if n != 2 {
			t.Fatalf("got %d messages before the second read, want 2", n)
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want an error matching context.Canceled from the second read, got %v", err)
		}
	})
}

func TestError(t *testing.T) {
	req := netlink.Message{
		Header: netlink.Header{Length: 24, Type: 16, Flags: netlink.Request | netlink.Acknowledge, Sequence: 7, PID: 1000},
		Data:   []byte{1, 2, 3, 4, 5, 6, 7, 8},
	}
	// code returns -number in native byte order followed by data.
	code := func(number int32, data ...byte) []byte {
		return append(binary.NativeEndian.AppendUint32(nil, uint32(-number)), data...)
	}
	tests := []struct {
		name   string
		number int
		reqs   []netlink.Message
		want   []netlink.Message
	}{
		{
			name:   "ENOENT",
			number: int(syscall.ENOENT),
			reqs:   []netlink.Message{req},
			want: []netlink.Message{{
				Header: netlink.Header{Length: 28, Type: netlink.Error, Flags: netlink.Request | netlink.Acknowledge, Sequence: 7, PID: 1000},
				Data:   code(int32(syscall.ENOENT), 1, 2, 3, 4, 5, 6, 7, 8),
			}},
		},
		{
			name:   "acknowledgement",
			number: 0,
			reqs:   []netlink.Message{req},
			want: []netlink.Message{{
				Header: netlink.Header{Length: 28, Type: netlink.Error, Flags: netlink.Request | netlink.Acknowledge, Sequence: 7, PID: 1000},
				Data:   code(0, 1, 2, 3, 4, 5, 6, 7, 8),
			}},
		},
		{
			name:   "first request only",
			number: int(syscall.EPERM),
			reqs: []netlink.Message{
				req,
				{Header: netlink.Header{Length: 16, Type: 17, Sequence: 8}},
			},
			want: []netlink.Message{{
				Header: netlink.Header{Length: 28, Type: netlink.Error, Flags: netlink.Request | netlink.Acknowledge, Sequence: 7, PID: 1000},
				Data:   code(int32(syscall.EPERM), 1, 2, 3, 4, 5, 6, 7, 8),
			}},
		},
		{
			// As v1: the length is the request's plus 4, even when the
			// request's was not filled in.
			name:   "length not filled",
			number: int(syscall.EINVAL),
			reqs:   []netlink.Message{{Header: netlink.Header{Type: 16, Sequence: 9}, Data: []byte{1, 2, 3}}},
			want: []netlink.Message{{
				Header: netlink.Header{Length: 4, Type: netlink.Error, Sequence: 9},
				Data:   code(int32(syscall.EINVAL), 1, 2, 3),
			}},
		},
		{
			name:   "positive code",
			number: -1,
			reqs:   []netlink.Message{{Header: netlink.Header{Length: 16}}},
			want: []netlink.Message{{
				Header: netlink.Header{Length: 20, Type: netlink.Error},
				Data:   code(-1),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := cloneMessages(tt.reqs)
			got, err := nltest.Error(tt.number, tt.reqs)
			if err != nil {
				t.Fatalf("failed to make error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected messages (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(in, tt.reqs); diff != "" {
				t.Fatalf("requests modified (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorNoRequest(t *testing.T) {
	for _, reqs := range [][]netlink.Message{nil, {}} {
		if msgs, err := nltest.Error(1, reqs); err == nil {
			t.Fatalf("Error(1, %v) = %v, want an error", reqs, msgs)
		}
	}
}

// cloneMessages returns a deep copy of msgs.
func cloneMessages(msgs []netlink.Message) []netlink.Message {
	out := make([]netlink.Message, len(msgs))
	for i, m := range msgs {
		out[i] = netlink.Message{Header: m.Header, Data: append([]byte(nil), m.Data...)}
		if m.Data == nil {
			out[i].Data = nil
		}
	}
	return out
}

func TestDialError(t *testing.T) {
	tests := []struct {
		name     string
		number   syscall.Errno
		notExist bool
	}{
		{name: "ENOENT", number: syscall.ENOENT, notExist: true},
		{name: "EEXIST", number: syscall.EEXIST},
		{name: "EPERM", number: syscall.EPERM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
				return nltest.Error(int(tt.number), req)
			})
			defer c.Close()

			msgs, err := c.Execute(netlink.Message{Header: netlink.Header{Type: 16, Flags: netlink.Request}})
			if err == nil {
				t.Fatalf("want an error, got messages %v", msgs)
			}
			var oe *netlink.OpError
			if !errors.As(err, &oe) {
				t.Fatalf("error %T is not an *netlink.OpError", err)
			}
			if diff := cmp.Diff("receive", oe.Op); diff != "" {
				t.Errorf("unexpected Op (-want +got):\n%s", diff)
			}
			// The code is the bare errno, not wrapped in an
			// *os.SyscallError: it comes from a message, not a system call.
			if oe.Err != tt.number {
				t.Fatalf("Err = %#v, want %#v", oe.Err, tt.number)
			}
			if got := errors.Is(err, os.ErrNotExist); got != tt.notExist {
				t.Fatalf("errors.Is(err, os.ErrNotExist) = %v, want %v", got, tt.notExist)
			}
		})
	}
}

func TestDialAcknowledgement(t *testing.T) {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
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
}

func TestCheckRequest(t *testing.T) {
	// ok answers with one empty message so that a call that got through can
	// be told apart from a check's error.
	ok := func(req []netlink.Message) ([]netlink.Message, error) {
		return []netlink.Message{{Header: netlink.Header{Length: 16, Type: 99}}}, nil
	}
	msg := func(typ netlink.HeaderType, flags netlink.HeaderFlags) netlink.Message {
		return netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}}
	}

	tests := []struct {
		name  string
		types []netlink.HeaderType
		flags []netlink.HeaderFlags
		req   []netlink.Message
		err   string // a substring of the error; empty for none
	}{
		{
			name:  "match",
			types: []netlink.HeaderType{16},
			flags: []netlink.HeaderFlags{netlink.Request | netlink.Acknowledge},
			req:   []netlink.Message{msg(16, netlink.Request|netlink.Acknowledge)},
		},
		{
			name:  "type mismatch",
			types: []netlink.HeaderType{16},
			flags: []netlink.HeaderFlags{netlink.Request},
			req:   []netlink.Message{msg(17, netlink.Request)},
			err:   "type",
		},
		{
			name:  "flags mismatch",
			types: []netlink.HeaderType{16},
			flags: []netlink.HeaderFlags{netlink.Request | netlink.Dump},
			req:   []netlink.Message{msg(16, netlink.Request)},
			err:   "flags",
		},
		{
			name:  "flags superset",
			types: []netlink.HeaderType{16},
			flags: []netlink.HeaderFlags{netlink.Request},
			req:   []netlink.Message{msg(16, netlink.Request|netlink.Acknowledge)},
			err:   "flags",
		},
		{
			name:  "second message mismatch",
			types: []netlink.HeaderType{16, 17},
			flags: []netlink.HeaderFlags{netlink.Request, netlink.Request},
			req:   []netlink.Message{msg(16, netlink.Request), msg(18, netlink.Request)},
			err:   "type",
		},
		{
			name:  "zero type unchecked",
			types: []netlink.HeaderType{0},
			flags: []netlink.HeaderFlags{netlink.Request},
			req:   []netlink.Message{msg(1234, netlink.Request)},
		},
		{
			name:  "zero flags unchecked",
			types: []netlink.HeaderType{16},
			flags: []netlink.HeaderFlags{0},
			req:   []netlink.Message{msg(16, netlink.Request|netlink.Echo|netlink.Create)},
		},
		{
			name:  "all unchecked",
			types: []netlink.HeaderType{0, 0},
			flags: []netlink.HeaderFlags{0, 0},
			req:   []netlink.Message{msg(5, netlink.Multi), msg(6, 0)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := nltest.CheckRequest(tt.types, tt.flags, ok)(tt.req)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("failed check: %v", err)
				}
				if len(msgs) != 1 || msgs[0].Header.Type != 99 {
					t.Fatalf("the Func was not called: got %v", msgs)
				}
				return
			}
			if err == nil {
				t.Fatalf("want an error containing %q, got messages %v", tt.err, msgs)
			}
			if !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error %q does not contain %q", err, tt.err)
			}
		})
	}
}

func TestCheckRequestConn(t *testing.T) {
	fn := nltest.CheckRequest(
		[]netlink.HeaderType{16},
		[]netlink.HeaderFlags{netlink.Request | netlink.Acknowledge},
		func(req []netlink.Message) ([]netlink.Message, error) { return nltest.Error(0, req) },
	)
	c := nltest.Dial(fn)
	defer c.Close()

	if _, err := c.Execute(netlink.Message{Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Acknowledge}}); err != nil {
		t.Fatalf("failed to execute a matching request: %v", err)
	}
	if _, err := c.Execute(netlink.Message{Header: netlink.Header{Type: 17, Flags: netlink.Request | netlink.Acknowledge}}); err == nil {
		t.Fatal("want an error for a request of the wrong type")
	}
}

func TestCheckRequestPanics(t *testing.T) {
	tests := []struct {
		name  string
		types []netlink.HeaderType
		flags []netlink.HeaderFlags
		req   []netlink.Message // handed to the Func when CheckRequest returns one
		want  string
	}{
		{
			name:  "more types",
			types: []netlink.HeaderType{16, 17},
			flags: []netlink.HeaderFlags{0},
			want:  "nltest: CheckRequest called with mismatched types and flags slice lengths: 2 != 1",
		},
		{
			name:  "more flags",
			types: []netlink.HeaderType{16},
			flags: []netlink.HeaderFlags{0, 0},
			want:  "nltest: CheckRequest called with mismatched types and flags slice lengths: 1 != 2",
		},
		{
			name:  "nil types",
			flags: []netlink.HeaderFlags{0},
			want:  "nltest: CheckRequest called with mismatched types and flags slice lengths: 0 != 1",
		},
		{
			name:  "too many messages",
			types: []netlink.HeaderType{16},
			flags: []netlink.HeaderFlags{netlink.Request},
			req:   []netlink.Message{{}, {}},
			want:  "nltest: CheckRequest function invoked types/flags and request message slice lengths: 1 != 2",
		},
		{
			name:  "too few messages",
			types: []netlink.HeaderType{16, 17},
			flags: []netlink.HeaderFlags{netlink.Request, netlink.Request},
			req:   []netlink.Message{{}},
			want:  "nltest: CheckRequest function invoked types/flags and request message slice lengths: 2 != 1",
		},
		{
			name:  "notification",
			types: []netlink.HeaderType{16},
			flags: []netlink.HeaderFlags{netlink.Request},
			want:  "nltest: CheckRequest function invoked types/flags and request message slice lengths: 1 != 0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got any
			func() {
				defer func() { got = recover() }()
				fn := nltest.CheckRequest(tt.types, tt.flags, func(req []netlink.Message) ([]netlink.Message, error) {
					return nil, nil
				})
				fn(tt.req)
			}()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected panic (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckRequestErrors(t *testing.T) {
	tests := []struct {
		name string
		req  netlink.Message
		want string
	}{
		{
			name: "type",
			req:  netlink.Message{Header: netlink.Header{Type: netlink.Done, Flags: netlink.Request}},
			want: "nltest: unexpected netlink header type: done, want: error",
		},
		{
			name: "flags",
			req:  netlink.Message{Header: netlink.Header{Type: netlink.Error, Flags: netlink.Request | netlink.Echo}},
			want: "nltest: unexpected netlink header flags: request|echo, want: request",
		},
	}
	fn := nltest.CheckRequest([]netlink.HeaderType{netlink.Error}, []netlink.HeaderFlags{netlink.Request}, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fn([]netlink.Message{tt.req})
			if err == nil {
				t.Fatal("want an error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Fatalf("unexpected error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMustMarshalAttributes(t *testing.T) {
	got := nltest.MustMarshalAttributes([]netlink.Attribute{{Type: 1, Data: []byte{0xff}}})
	want := make([]byte, 8)
	binary.NativeEndian.PutUint16(want[0:2], 5)
	binary.NativeEndian.PutUint16(want[2:4], 1)
	want[4] = 0xff
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("unexpected bytes (-want +got):\n%s", diff)
	}
}

func TestMustMarshalAttributesPanics(t *testing.T) {
	defer func() {
		got, _ := recover().(string)
		if !strings.HasPrefix(got, "failed to marshal attributes to binary: ") {
			t.Fatalf("unexpected panic %q", got)
		}
	}()
	nltest.MustMarshalAttributes([]netlink.Attribute{{Length: 1, Type: 1}})
}

// A Receive waiting for a notification must not hold up a Send from another
// goroutine (v1.11.2 fixed this deadlock).
func TestDialSendDuringReceive(t *testing.T) {
	sent := make(chan struct{})
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		if req == nil {
			<-sent // the notification arrives after the send
			return []netlink.Message{{Header: netlink.Header{Length: 16, Type: 16}}}, nil
		}
		close(sent)
		return nil, io.EOF
	})
	defer c.Close()

	got := make(chan error, 1)
	go func() {
		_, err := c.Receive()
		got <- err
	}()
	// Let the Receive start waiting first, most of the time; the Send must
	// finish either way.
	time.Sleep(10 * time.Millisecond)
	sendErr := make(chan error, 1)
	go func() {
		_, err := c.Send(netlink.Message{Header: netlink.Header{Type: 16}})
		sendErr <- err
	}()
	for _, ch := range []chan error{sendErr, got} {
		select {
		case err := <-ch:
			if err != nil {
				t.Fatalf("failed: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Send or Receive blocked")
		}
	}
}
