package netlink

import (
	"errors"
	"slices"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAckErrorsAsV1 checks, for error and Done messages, the error a Conn
// builds from ParseAck and ackError against the text v1 reports for the
// same message (v1's checkMessage).
func TestAckErrorsAsV1(t *testing.T) {
	req := Header{Length: 20, Type: 16, Flags: Request | Acknowledge, Sequence: 5, PID: 100}
	reqEcho := slices.Concat(ackTestHeader(req), []byte{1, 2, 3, 4})
	msg := ackTestAttr(ackTestAttrMsg, ackTestString("bad attribute"))
	offs := ackTestAttr(ackTestAttrOffs, ackTestU32(20))
	raw := func(typ HeaderType, flags HeaderFlags, data ...byte) Message {
		return Message{Header: Header{Length: uint32(nlmsgHeaderLen + len(data)), Type: typ, Flags: flags, Sequence: 5}, Data: data}
	}

	tests := []struct {
		name string
		m    Message
		// want is the text of the Conn's error; empty for none.
		want string
		// parseErr says that ParseAck reports the error itself (the Conn
		// then wraps it as it is); otherwise the error code does.
		parseErr bool
	}{
		{name: "ack", m: ackTestMessage(Error, Capped, 0, ackTestHeader(req))},
		{
			name: "errno",
			m:    ackTestMessage(Error, 0, -int32(syscall.ENOENT), reqEcho),
			want: "netlink receive: no such file or directory",
		},
		{
			name: "positive code",
			m:    ackTestMessage(Error, 0, 5, reqEcho),
			want: "netlink receive: errno -5",
		},
		{
			name: "code only",
			m:    ackTestMessage(Error, 0, -int32(syscall.EPERM)),
			want: "netlink receive: operation not permitted",
		},
		{
			name:     "error code cut short",
			m:        raw(Error, 0, 0x01),
			want:     "netlink receive: not enough data for netlink error code",
			parseErr: true,
		},
		{
			name:     "empty error message",
			m:        raw(Error, 0),
			want:     "netlink receive: not enough data for netlink error code",
			parseErr: true,
		},
		{
			name:     "echoed header cut short with attributes",
			m:        ackTestMessage(Error, AcknowledgeTLVs, -int32(syscall.EPERM), []byte{0xff}),
			want:     "netlink receive: not enough data for netlink error code",
			parseErr: true,
		},
		{
			name:     "echoed request cut short with attributes",
			m:        ackTestMessage(Error, AcknowledgeTLVs, -int32(syscall.EPERM), ackTestHeader(req)),
			want:     "netlink receive: not enough data for netlink error code",
			parseErr: true,
		},
		{
			name: "echoed header cut short without attributes",
			m:    ackTestMessage(Error, 0, -int32(syscall.EPERM), []byte{0xff}),
			want: "netlink receive: operation not permitted",
		},
		{
			name: "ack with a short echo and attributes",
			m:    ackTestMessage(Error, AcknowledgeTLVs, 0, []byte{0xff}),
		},
		{
			name: "extended acknowledgement",
			m:    ackTestMessage(Error, AcknowledgeTLVs, -int32(syscall.EINVAL), reqEcho, msg, offs),
			want: `netlink receive: invalid argument, offset: 20, message: "bad attribute"`,
		},
		{
			name: "message kept before a bad length",
			m: ackTestMessage(Error, AcknowledgeTLVs, -int32(syscall.EINVAL), reqEcho, msg,
				ackTestAttr(ackTestAttrOffs, []byte{1, 2}), offs),
			want: `netlink receive: invalid argument, offset: 0, message: "bad attribute"`,
		},
		{
			// v1 reads only the message and the offset: a malformed
			// missing-type attribute before them does not hide them.
			name: "message after a malformed extra",
			m: ackTestMessage(Error, AcknowledgeTLVs, -int32(syscall.EINVAL), reqEcho,
				ackTestAttr(ackTestAttrMissType, []byte{1}), msg, offs),
			want: `netlink receive: invalid argument, offset: 20, message: "bad attribute"`,
		},
		{
			name: "attributes cut short",
			m:    ackTestMessage(Error, AcknowledgeTLVs, -int32(syscall.EINVAL), reqEcho, msg, []byte{8, 0}),
			want: "netlink receive: invalid argument",
		},
		{
			name: "done with errno",
			m:    ackTestMessage(Done, Multi, -int32(syscall.ENOENT)),
			want: "netlink receive: no such file or directory",
		},
		{
			name: "done with extended acknowledgement",
			m:    ackTestMessage(Done, Multi|AcknowledgeTLVs, -int32(syscall.EINVAL), msg),
			want: `netlink receive: invalid argument, offset: 0, message: "bad attribute"`,
		},
		{name: "done without data", m: raw(Done, Multi)},
		{
			name:     "done with a short code",
			m:        raw(Done, Multi, 1, 2),
			want:     "netlink receive: not enough data for netlink error code",
			parseErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAck(tt.m)
			var got error
			switch {
			case err == errShortAck:
				got = newOpError("receive", err)
			case a.Errno != 0:
				got = ackError(a, tt.m.Header.Sequence)
			}
			if diff := cmp.Diff(tt.parseErr, err == errShortAck); diff != "" {
				t.Fatalf("unexpected ParseAck error %v (-want +got):\n%s", err, diff)
			}
			var text string
			if got != nil {
				text = got.Error()
			}
			if diff := cmp.Diff(tt.want, text); diff != "" {
				t.Fatalf("unexpected error text (-want +got):\n%s", diff)
			}
			var oe *OpError
			if got != nil && !tt.parseErr {
				if !errors.As(got, &oe) || oe.Op != "receive" || oe.Sequence != tt.m.Header.Sequence {
					t.Fatalf("want an *OpError for receive with Sequence %d, got %#v", tt.m.Header.Sequence, got)
				}
				if _, ok := oe.Err.(syscall.Errno); !ok {
					t.Fatalf("want a bare syscall.Errno in Err, got %T", oe.Err)
				}
			}
		})
	}
}
