package netlink

import (
	"encoding/binary"
	"errors"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// replyTestMessage returns a message of type 16 in sequence 5 holding v.
func replyTestMessage(flags HeaderFlags, v byte) Message {
	return Message{
		Header: Header{Length: 20, Type: 16, Flags: flags, Sequence: 5, PID: 100},
		Data:   []byte{v, 0, 0, 0},
	}
}

// replyTestControl returns an Error or Done message with code and the
// given attributes (flags should then include AcknowledgeTLVs). An Error
// message echoes a request header.
func replyTestControl(typ HeaderType, flags HeaderFlags, code int32, attrs ...[]byte) Message {
	b := binary.NativeEndian.AppendUint32(nil, uint32(code))
	if typ == Error {
		b = append(b, ackTestHeader(Header{Length: 16, Type: 16, Flags: Request | Acknowledge, Sequence: 5, PID: 100})...)
	}
	for _, a := range attrs {
		b = append(b, a...)
	}
	return Message{
		Header: Header{Length: uint32(nlmsgHeaderLen + len(b)), Type: typ, Flags: flags, Sequence: 5, PID: 100},
		Data:   b,
	}
}

func TestReplyAddDatagram(t *testing.T) {
	var (
		m0      = replyTestMessage(0, 0)
		m0Multi = replyTestMessage(Multi, 0)
		m1Multi = replyTestMessage(Multi, 1)
		m2Multi = replyTestMessage(Multi, 2)
		done    = replyTestControl(Done, Multi, 0)
		ack     = replyTestControl(Error, Capped, 0)
		warning = replyTestControl(Error, Capped|AcknowledgeTLVs, 0,
			ackTestAttr(ackTestAttrMsg, ackTestString("careful")))
	)
	reqHeader := Header{Length: 16, Type: 16, Flags: Request | Acknowledge, Sequence: 5, PID: 100}

	// state is what a reply holds after its datagrams.
	type state struct {
		Msgs        []Message // result(false)
		Dropped     []Message // result(true)
		Ack         *Ack
		Interrupted bool
	}
	tests := []struct {
		name      string
		wantAck   bool
		datagrams [][]Message
		// done is whether the reply is complete after each datagram.
		done []bool
		want state
		// err, if set, is matched with errors.Is against the reply's
		// error; errno, if set, must be the bare Err of its *OpError.
		err   error
		errno syscall.Errno
	}{
		{
			name:      "multi-part with Done",
			datagrams: [][]Message{{m0Multi, m1Multi}, {m2Multi}, {done}},
			done:      []bool{false, false, true},
			want: state{
				Msgs:    []Message{m0Multi, m1Multi, m2Multi},
				Dropped: []Message{m0Multi, m1Multi, m2Multi},
			},
		},
		{
			name:      "multi-part with Done in the same datagram",
			datagrams: [][]Message{{m0Multi, m1Multi, done}},
			done:      []bool{true},
			want: state{
				Msgs:    []Message{m0Multi, m1Multi},
				Dropped: []Message{m0Multi, m1Multi},
			},
		},
		{
			name:      "Done with error code",
			datagrams: [][]Message{{m0Multi}, {replyTestControl(Done, Multi, -int32(syscall.ENOENT))}},
			done:      []bool{false, true},
			errno:     syscall.ENOENT,
		},
		{
			name: "Done with error code and message",
			datagrams: [][]Message{{m0Multi}, {replyTestControl(Done, Multi|AcknowledgeTLVs, -int32(syscall.EINVAL),
				ackTestAttr(ackTestAttrMsg, ackTestString("bad filter")))}},
			done:  []bool{false, true},
			errno: syscall.EINVAL,
		},
		{
			name: "Done with warning",
			datagrams: [][]Message{{m0Multi}, {replyTestControl(Done, Multi|AcknowledgeTLVs, 0,
				ackTestAttr(ackTestAttrMsg, ackTestString("careful")))}},
			done: []bool{false, true},
			want: state{
				Msgs:    []Message{m0Multi},
				Dropped: []Message{m0Multi},
				Ack:     &Ack{Message: "careful"},
			},
		},
		{
			name:      "Done without code",
			datagrams: [][]Message{{m0Multi}, {{Header: Header{Length: 16, Type: Done, Flags: Multi, Sequence: 5}}}},
			done:      []bool{false, true},
			want: state{
				Msgs:    []Message{m0Multi},
				Dropped: []Message{m0Multi},
			},
		},
		{
			name:      "Multi message ended by an ACK",
			wantAck:   true,
			datagrams: [][]Message{{m0Multi}, {ack}},
			done:      []bool{false, true},
			want: state{
				Msgs:    []Message{m0Multi, ack},
				Dropped: []Message{m0Multi},
				Ack:     &Ack{Request: reqHeader},
			},
		},
		{
			name:      "message and ACK in one datagram",
			wantAck:   true,
			datagrams: [][]Message{{m0, ack}},
			done:      []bool{true},
			want: state{
				Msgs:    []Message{m0, ack},
				Dropped: []Message{m0},
				Ack:     &Ack{Request: reqHeader},
			},
		},
		{
			name:      "message waits for the ACK",
			wantAck:   true,
			datagrams: [][]Message{{m0}, {warning}},
			done:      []bool{false, true},
			want: state{
				Msgs:    []Message{m0, warning},
				Dropped: []Message{m0},
				Ack:     &Ack{Request: reqHeader, Message: "careful"},
			},
		},
		{
			name:      "message without Multi ends the reply",
			datagrams: [][]Message{{m0}},
			done:      []bool{true},
			want: state{
				Msgs:    []Message{m0},
				Dropped: []Message{m0},
			},
		},
		{
			name:      "last message without Multi ends the reply",
			datagrams: [][]Message{{m0Multi, m0}},
			done:      []bool{true},
			want: state{
				Msgs:    []Message{m0Multi, m0},
				Dropped: []Message{m0Multi, m0},
			},
		},
		{
			name:      "lone ACK",
			wantAck:   true,
			datagrams: [][]Message{{ack}},
			done:      []bool{true},
			want: state{
				Msgs:    []Message{ack},
				Dropped: []Message{ack},
				Ack:     &Ack{Request: reqHeader},
			},
		},
		{
			name:      "lone ACK not asked for",
			datagrams: [][]Message{{ack}},
			done:      []bool{true},
			want: state{
				Msgs:    []Message{ack},
				Dropped: []Message{ack},
				Ack:     &Ack{Request: reqHeader},
			},
		},
		{
			name:      "error",
			wantAck:   true,
			datagrams: [][]Message{{replyTestControl(Error, 0, -int32(syscall.EEXIST))}},
			done:      []bool{true},
			errno:     syscall.EEXIST,
		},
		{
			name:      "error after messages",
			wantAck:   true,
			datagrams: [][]Message{{m0}, {replyTestControl(Error, 0, -int32(syscall.EPERM))}},
			done:      []bool{false, true},
			errno:     syscall.EPERM,
		},
		{
			name:      "short error message",
			datagrams: [][]Message{{{Header: Header{Length: 18, Type: Error, Sequence: 5}, Data: []byte{1, 2}}}},
			done:      []bool{true},
			err:       errShortAck,
		},
		{
			name:      "DumpInterrupted",
			datagrams: [][]Message{{m0Multi, replyTestMessage(Multi|DumpInterrupted, 1)}, {done}},
			done:      []bool{false, true},
			want: state{
				Msgs:        []Message{m0Multi, replyTestMessage(Multi|DumpInterrupted, 1)},
				Dropped:     []Message{m0Multi, replyTestMessage(Multi|DumpInterrupted, 1)},
				Interrupted: true,
			},
		},
		{
			name:      "DumpInterrupted on Done",
			datagrams: [][]Message{{m0Multi}, {replyTestControl(Done, Multi|DumpInterrupted, 0)}},
			done:      []bool{false, true},
			want: state{
				Msgs:        []Message{m0Multi},
				Dropped:     []Message{m0Multi},
				Interrupted: true,
			},
		},
		{
			name:      "empty datagram",
			datagrams: [][]Message{{}},
			done:      []bool{true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags := Request | Dump
			if tt.wantAck {
				flags |= Acknowledge
			}
			r := newReply(flags, false)
			var done []bool
			for _, dg := range tt.datagrams {
				r.addDatagram(dg)
				done = append(done, r.done)
			}
			if diff := cmp.Diff(tt.done, done); diff != "" {
				t.Fatalf("unexpected completion after each datagram (-want +got):\n%s", diff)
			}

			switch {
			case tt.err != nil || tt.errno != 0:
				var oe *OpError
				if !errors.As(r.err, &oe) {
					t.Fatalf("want an *OpError, got %v", r.err)
				}
				if tt.err != nil && !errors.Is(r.err, tt.err) {
					t.Fatalf("error %v does not match %v", r.err, tt.err)
				}
				if tt.errno != 0 && oe.Err != tt.errno {
					t.Fatalf("Err = %#v, want the bare errno %#v", oe.Err, tt.errno)
				}
				return
			case r.err != nil:
				t.Fatalf("unexpected error: %v", r.err)
			}

			got := state{
				Msgs:        r.messages(false),
				Dropped:     r.messages(true),
				Ack:         r.ack,
				Interrupted: r.interrupted,
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected reply (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplyErrorCarriesExtendedAck(t *testing.T) {
	r := newReply(Request|Acknowledge, false)
	r.addDatagram([]Message{replyTestControl(Error, Capped|AcknowledgeTLVs, -int32(syscall.EINVAL),
		ackTestAttr(ackTestAttrMsg, ackTestString("bad attribute")),
		ackTestAttr(ackTestAttrOffs, ackTestU32(20)))})

	var oe *OpError
	if !errors.As(r.err, &oe) {
		t.Fatalf("want an *OpError, got %v", r.err)
	}
	type fields struct {
		Op       string
		Err      error
		Message  string
		Offset   int
		Sequence uint32
	}
	want := fields{Op: "receive", Err: syscall.EINVAL, Message: "bad attribute", Offset: 20, Sequence: 5}
	got := fields{Op: oe.Op, Err: oe.Err, Message: oe.Message, Offset: oe.Offset, Sequence: oe.Sequence}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
		t.Fatalf("unexpected error (-want +got):\n%s", diff)
	}
}
