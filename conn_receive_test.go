package netlink_test

import (
	"encoding/binary"
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/testkit"
	"github.com/netlinkgo/netlink/nltest"
)

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
