package netlink_test

// Tests of the issue "Trust the kernel only, lose nothing, report
// everything" with crafted messages, for what the kernel is hard to make
// send: warnings on success, and dumps interrupted on every attempt.

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/nltest"
)

// TestTrustWarningOnSuccess checks that a warning carried by a successful
// acknowledgement (code 0, NLMSGERR_ATTR_MSG) reaches Reply.Ack.Message.
func TestTrustWarningOnSuccess(t *testing.T) {
	const warning = "ignoring unknown attribute"
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		h := req[0].Header
		data := make([]byte, 4, 64) // code 0
		data = binary.NativeEndian.AppendUint32(data, h.Length)
		data = binary.NativeEndian.AppendUint16(data, uint16(h.Type))
		data = binary.NativeEndian.AppendUint16(data, uint16(h.Flags))
		data = binary.NativeEndian.AppendUint32(data, h.Sequence)
		data = binary.NativeEndian.AppendUint32(data, h.PID)
		data = append(data, nltest.MustMarshalAttributes([]netlink.Attribute{
			{Type: 1, Data: append([]byte(warning), 0)}, // NLMSGERR_ATTR_MSG
		})...)
		return []netlink.Message{{
			Header: netlink.Header{
				Length:   uint32(16 + len(data)),
				Type:     netlink.Error,
				Flags:    netlink.Capped | netlink.AcknowledgeTLVs,
				Sequence: h.Sequence,
				PID:      nltest.PID,
			},
			Data: data,
		}}, nil
	})
	defer c.Close()

	req := netlink.Message{
		Header: netlink.Header{Type: 0x20, Flags: netlink.Request | netlink.Acknowledge},
		Data:   []byte{1, 2, 3, 4},
	}
	r, err := c.ExecuteReply(context.Background(), req)
	if err != nil {
		t.Fatalf("ExecuteReply: %v", err)
	}
	if r.Ack == nil {
		t.Fatal("Reply.Ack is nil")
	}
	want := netlink.Ack{
		Message: warning,
		Request: netlink.Header{Length: 20, Type: 0x20, Flags: netlink.Request | netlink.Acknowledge, Sequence: r.Ack.Request.Sequence, PID: nltest.PID},
	}
	if diff := cmp.Diff(want, *r.Ack); diff != "" {
		t.Errorf("Reply.Ack (-want +got):\n%s", diff)
	}
	if len(r.Messages) != 1 || r.Messages[0].Header.Type != netlink.Error || r.Messages[0].Header.Sequence != r.Ack.Request.Sequence {
		t.Errorf("Reply.Messages = %+v, want the acknowledgement", r.Messages)
	}

	// Execute, as in v1: the acknowledgement, no error.
	msgs, err := c.Execute(req)
	if err != nil || len(msgs) != 1 || msgs[0].Header.Type != netlink.Error {
		t.Errorf("Execute = %+v, %v; want the acknowledgement and no error", msgs, err)
	}
}

// TestTrustExecuteConsistentFake checks that ExecuteConsistent dumps again
// while the reply is marked DumpInterrupted, up to its number of attempts,
// and then reports ErrDumpInterrupted.
func TestTrustExecuteConsistentFake(t *testing.T) {
	tests := []struct {
		name        string
		interrupted int // how many dumps the fake marks interrupted
		attempts    int
		wantCalls   int
		wantErr     bool
	}{
		{name: "consistent at once", interrupted: 0, attempts: 3, wantCalls: 1},
		{name: "consistent at the last attempt", interrupted: 2, attempts: 3, wantCalls: 3},
		{name: "always interrupted", interrupted: 5, attempts: 3, wantCalls: 3, wantErr: true},
		{name: "one attempt, interrupted", interrupted: 1, attempts: 1, wantCalls: 1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
				calls++
				var flags netlink.HeaderFlags
				if calls <= tt.interrupted {
					flags = netlink.DumpInterrupted
				}
				h := netlink.Header{Type: 0x20, Sequence: req[0].Header.Sequence, PID: nltest.PID}
				msgs := []netlink.Message{{Header: h, Data: []byte{1, 0, 0, 0}}, {Header: h, Data: []byte{2, 0, 0, 0}}, {Header: h}}
				msgs[1].Header.Flags = flags // the kernel marks the messages after the change
				msgs[2].Header.Flags = flags
				return nltest.Multipart(msgs)
			})
			defer c.Close()

			req := netlink.Message{Header: netlink.Header{Type: 0x20, Flags: netlink.Request | netlink.Dump}}
			msgs, err := c.ExecuteConsistent(context.Background(), req, tt.attempts)
			if calls != tt.wantCalls {
				t.Errorf("ExecuteConsistent sent %d requests, want %d", calls, tt.wantCalls)
			}
			if tt.wantErr {
				if !errors.Is(err, netlink.ErrDumpInterrupted) {
					t.Fatalf("ExecuteConsistent = %+v, %v; want an error matching ErrDumpInterrupted", msgs, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ExecuteConsistent: %v", err)
			}
			if len(msgs) != 2 || msgs[0].Data[0] != 1 || msgs[1].Data[0] != 2 || msgs[1].Header.Flags&netlink.DumpInterrupted != 0 {
				t.Errorf("ExecuteConsistent = %+v, want the two messages of the consistent dump", msgs)
			}
		})
	}

	// ExecuteReply says so; by default without an error, as in v1.
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		h := netlink.Header{Type: 0x20, Flags: netlink.DumpInterrupted, Sequence: req[0].Header.Sequence, PID: nltest.PID}
		return nltest.Multipart([]netlink.Message{{Header: h, Data: []byte{1, 0, 0, 0}}, {Header: h}})
	})
	defer c.Close()
	r, err := c.ExecuteReply(context.Background(), netlink.Message{Header: netlink.Header{Type: 0x20, Flags: netlink.Request | netlink.Dump}})
	if err != nil || !r.Interrupted || len(r.Messages) != 1 || r.Messages[0].Header.Flags&netlink.DumpInterrupted == 0 {
		t.Errorf("ExecuteReply = %+v, %v; want one message with DumpInterrupted, Interrupted, no error", r, err)
	}
}
