package netlink_test

// Tests of the issue "Trust the kernel only, lose nothing, report
// everything" with crafted messages, for what the kernel is hard to make
// send: warnings on success, and dumps interrupted on every attempt.

import (
	"context"
	"encoding/binary"
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
