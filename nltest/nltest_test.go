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
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		return nil, syscall.ENOENT
	})
	defer c.Close()

	tests := []struct {
		name string
		fn   func() error
	}{
		{
			name: "receive",
			fn: func() error {
				_, err := c.Receive()
				return err
			},
		},
		{
			name: "execute",
			fn: func() error {
				_, err := c.Execute(netlink.Message{Header: netlink.Header{Type: 16}})
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fn()
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
			if !errors.As(err, &se) {
				t.Fatalf("error %v does not wrap an *os.SyscallError", err)
			}
			if diff := cmp.Diff("recvmsg", se.Syscall); diff != "" {
				t.Errorf("unexpected system call (-want +got):\n%s", diff)
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

	t.Run("two reads", func(t *testing.T) {
		// The context is cancelled while the messages of the first read
		// are being yielded: the fake Conn checks it before each read of
		// the socket, so the Done message, delivered by a second read, is
		// never seen.
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
		if n != 3 {
			t.Fatalf("got %d messages before the second read, want 3", n)
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want an error matching context.Canceled from the second read, got %v", err)
		}
	})
}

// errorData returns the payload of an Error message answering req with code.
func errorData(code int32, req netlink.Message) []byte {
	b := binary.NativeEndian.AppendUint32(nil, uint32(code))
	b = binary.NativeEndian.AppendUint32(b, req.Header.Length)
	b = binary.NativeEndian.AppendUint16(b, uint16(req.Header.Type))
	b = binary.NativeEndian.AppendUint16(b, uint16(req.Header.Flags))
	b = binary.NativeEndian.AppendUint32(b, req.Header.Sequence)
	b = binary.NativeEndian.AppendUint32(b, req.Header.PID)
	return append(b, req.Data...)
}

func TestError(t *testing.T) {
	req := netlink.Message{
		Header: netlink.Header{Length: 24, Type: 16, Flags: netlink.Request | netlink.Acknowledge, Sequence: 7, PID: nltest.PID},
		Data:   []byte{1, 2, 3, 4, 5, 6, 7, 8},
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
				Header: netlink.Header{Length: 16 + 4 + 24, Type: netlink.Error, Sequence: 7, PID: nltest.PID},
				Data:   errorData(-int32(syscall.ENOENT), req),
			}},
		},
		{
			name:   "acknowledgement",
			number: 0,
			reqs:   []netlink.Message{req},
			want: []netlink.Message{{
				Header: netlink.Header{Length: 16 + 4 + 24, Type: netlink.Error, Sequence: 7, PID: nltest.PID},
				Data:   errorData(0, req),
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
				Header: netlink.Header{Length: 16 + 4 + 24, Type: netlink.Error, Sequence: 7, PID: nltest.PID},
				Data:   errorData(-int32(syscall.EPERM), req),
			}},
		},
		{
			name:   "length computed",
			number: int(syscall.EINVAL),
			reqs: []netlink.Message{{
				Header: netlink.Header{Type: 16, Sequence: 9},
				Data:   []byte{1, 2, 3, 4},
			}},
			want: []netlink.Message{{
				Header: netlink.Header{Length: 16 + 4 + 20, Type: netlink.Error, Sequence: 9},
				Data: errorData(-int32(syscall.EINVAL), netlink.Message{
					Header: netlink.Header{Length: 20, Type: 16, Sequence: 9},
					Data:   []byte{1, 2, 3, 4},
				}),
			}},
		},
		{
			name:   "length computed and aligned",
			number: int(syscall.EINVAL),
			reqs: []netlink.Message{{
				Header: netlink.Header{Type: 16, Sequence: 9},
				Data:   []byte{1, 2, 3},
			}},
			want: []netlink.Message{{
				Header: netlink.Header{Length: 16 + 4 + 20, Type: netlink.Error, Sequence: 9},
				Data: errorData(-int32(syscall.EINVAL), netlink.Message{
					Header: netlink.Header{Length: 20, Type: 16, Sequence: 9},
					Data:   []byte{1, 2, 3, 0},
				}),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := nltest.Error(tt.number, tt.reqs)
			if err != nil {
				t.Fatalf("failed to make error: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected messages (-want +got):\n%s", diff)
			}
			// The payload starts with -number in native byte order.
			if code := int32(binary.NativeEndian.Uint32(got[0].Data)); code != -int32(tt.number) {
				t.Fatalf("error code %d, want %d", code, -tt.number)
			}
		})
	}
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
			name:  "too many messages",
			types: []netlink.HeaderType{16},
			flags: []netlink.HeaderFlags{netlink.Request},
			req:   []netlink.Message{msg(16, netlink.Request), msg(16, netlink.Request)},
			err:   "nltest",
		},
		{
			name:  "too few messages",
			types: []netlink.HeaderType{16, 17},
			flags: []netlink.HeaderFlags{netlink.Request, netlink.Request},
			req:   []netlink.Message{msg(16, netlink.Request)},
			err:   "nltest",
		},
		{
			name:  "no messages",
			types: []netlink.HeaderType{16},
			flags: []netlink.HeaderFlags{netlink.Request},
			err:   "nltest",
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
	}{
		{name: "more types", types: []netlink.HeaderType{16, 17}, flags: []netlink.HeaderFlags{0}},
		{name: "more flags", types: []netlink.HeaderType{16}, flags: []netlink.HeaderFlags{0, 0}},
		{name: "nil types", flags: []netlink.HeaderFlags{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("CheckRequest did not panic")
				}
			}()
			nltest.CheckRequest(tt.types, tt.flags, nil)
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
		if recover() == nil {
			t.Fatal("MustMarshalAttributes did not panic")
		}
	}()
	nltest.MustMarshalAttributes([]netlink.Attribute{{Length: 1, Type: 1}})
}
