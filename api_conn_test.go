package netlink_test

// This file pins the exported surface of Conn (package netlink) and of
// package nltest, sections 2 and 4 of the contract, to the exact
// signatures of the v1 API that callers compile against, followed by the
// additions that go beyond it. It is checked by the compiler: if a name
// disappears or a signature or field type changes, the package's tests no
// longer build. The tests below check the values of the constants.

import (
	"context"
	"iter"
	"log/slog"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/bpf"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/nltest"
)

// Functions of package netlink.
var (
	_ func(family int, config *netlink.Config) (*netlink.Conn, error) = netlink.Dial
	_ func(sock netlink.Socket, pid uint32) *netlink.Conn             = netlink.NewConn
	_ func(request netlink.Message, replies []netlink.Message) error  = netlink.Validate
	_ func(err error) bool                                            = netlink.IsNotExist
)

// Methods of Conn in the v1 API.
var (
	_ func(*netlink.Conn) error                                              = (*netlink.Conn).Close
	_ func(*netlink.Conn, netlink.Message) ([]netlink.Message, error)        = (*netlink.Conn).Execute
	_ func(*netlink.Conn, netlink.Message) (netlink.Message, error)          = (*netlink.Conn).Send
	_ func(*netlink.Conn, []netlink.Message) ([]netlink.Message, error)      = (*netlink.Conn).SendMessages
	_ func(*netlink.Conn) ([]netlink.Message, error)                         = (*netlink.Conn).Receive
	_ func(*netlink.Conn) iter.Seq2[netlink.Message, error]                  = (*netlink.Conn).ReceiveIter
	_ func(*netlink.Conn, uint32) error                                      = (*netlink.Conn).JoinGroup
	_ func(*netlink.Conn, uint32) error                                      = (*netlink.Conn).LeaveGroup
	_ func(*netlink.Conn, []bpf.RawInstruction) error                        = (*netlink.Conn).SetBPF
	_ func(*netlink.Conn) error                                              = (*netlink.Conn).RemoveBPF
	_ func(*netlink.Conn, netlink.ConnOption, bool) error                    = (*netlink.Conn).SetOption
	_ func(*netlink.Conn, time.Time) error                                   = (*netlink.Conn).SetDeadline
	_ func(*netlink.Conn, time.Time) error                                   = (*netlink.Conn).SetReadDeadline
	_ func(*netlink.Conn, time.Time) error                                   = (*netlink.Conn).SetWriteDeadline
	_ func(*netlink.Conn, int) error                                         = (*netlink.Conn).SetReadBuffer
	_ func(*netlink.Conn, int) error                                         = (*netlink.Conn).SetWriteBuffer
	_ func(*netlink.Conn) (int, error)                                       = (*netlink.Conn).ReadBuffer
	_ func(*netlink.Conn) (int, error)                                       = (*netlink.Conn).WriteBuffer
	_ func(*netlink.Conn) (syscall.RawConn, error)                           = (*netlink.Conn).SyscallConn
	_ func(*netlink.Conn) uint32                                             = (*netlink.Conn).PID
	_ func(*netlink.Conn, context.Context) iter.Seq2[netlink.Message, error] = (*netlink.Conn).ReceiveIterContext
)

// Methods of the Socket interface.
var (
	_ func(netlink.Socket) error                             = netlink.Socket.Close
	_ func(netlink.Socket, netlink.Message) error            = netlink.Socket.Send
	_ func(netlink.Socket, []netlink.Message) error          = netlink.Socket.SendMessages
	_ func(netlink.Socket) ([]netlink.Message, error)        = netlink.Socket.Receive
	_ func(netlink.Socket) iter.Seq2[netlink.Message, error] = netlink.Socket.ReceiveIter
	_ netlink.Socket                                         = apiConnSocket{}
)

// An apiConnSocket has exactly the methods of the v1 Socket interface, so
// that the interface cannot grow without breaking callers' fakes.
type apiConnSocket struct{}

func (apiConnSocket) Close() error                         { return nil }
func (apiConnSocket) Send(netlink.Message) error           { return nil }
func (apiConnSocket) SendMessages([]netlink.Message) error { return nil }
func (apiConnSocket) Receive() ([]netlink.Message, error)  { return nil, nil }
func (apiConnSocket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return func(func(netlink.Message, error) bool) {}
}

// Config and its fields.
var _ = netlink.Config{
	Groups:              uint32(0),
	NetNS:               int(0),
	DisableNSLockThread: bool(false),
	PID:                 uint32(0),
	Strict:              bool(false),
	MessageBufferSize:   int(0),

	// Additions.
	Logger:               (*slog.Logger)(nil),
	Capture:              netlink.Capturer(nil),
	InterruptedDumpError: bool(false),
}

// apiConnUnderlyingInt compiles only for types whose underlying type is
// int.
func apiConnUnderlyingInt[T ~int]() {}

// ConnOption and its constants.
var (
	_ = apiConnUnderlyingInt[netlink.ConnOption]

	_ netlink.ConnOption = netlink.PacketInfo
	_ netlink.ConnOption = netlink.BroadcastError
	_ netlink.ConnOption = netlink.NoENOBUFS
	_ netlink.ConnOption = netlink.ListenAllNSID
	_ netlink.ConnOption = netlink.CapAcknowledge
	_ netlink.ConnOption = netlink.ExtendedAcknowledge
	_ netlink.ConnOption = netlink.GetStrictCheck
)

// OpError, its fields and methods.
var (
	_ = netlink.OpError{
		Op:       string(""),
		Err:      error(nil),
		Message:  string(""),
		Offset:   int(0),
		Sequence: uint32(0),
	}
	_ func(*netlink.OpError) string = (*netlink.OpError).Error
	_ func(*netlink.OpError) error  = (*netlink.OpError).Unwrap
	_ func(*netlink.OpError) bool   = (*netlink.OpError).Timeout
	_ func(*netlink.OpError) bool   = (*netlink.OpError).Temporary
	_ net.Error                     = (*netlink.OpError)(nil)
	_ interface{ Unwrap() error }   = (*netlink.OpError)(nil)
)

// Package nltest.
var (
	_ nltest.Func                                            = func(req []netlink.Message) ([]netlink.Message, error) { return nil, nil }
	_ func(req []netlink.Message) ([]netlink.Message, error) = nltest.Func(nil)

	_ func(fn nltest.Func) *netlink.Conn                                                        = nltest.Dial
	_ func(msgs []netlink.Message) ([]netlink.Message, error)                                   = nltest.Multipart
	_ func(number int, reqs []netlink.Message) ([]netlink.Message, error)                       = nltest.Error
	_ func(types []netlink.HeaderType, flags []netlink.HeaderFlags, fn nltest.Func) nltest.Func = nltest.CheckRequest
	_ func(attrs []netlink.Attribute) []byte                                                    = nltest.MustMarshalAttributes
)

// Additions beyond the v1 API.
var (
	_ func(*netlink.Conn, context.Context, netlink.Message) ([]netlink.Message, error) = (*netlink.Conn).ExecuteContext
	_ func(*netlink.Conn, context.Context, netlink.Message) (netlink.Reply, error)     = (*netlink.Conn).ExecuteReply
	_ func(*netlink.Conn, context.Context) ([]netlink.Message, error)                  = (*netlink.Conn).ReceiveContext
	_ func(*netlink.Conn, context.Context) ([]netlink.Message, netlink.Origin, error)  = (*netlink.Conn).ReceiveFrom
	_ func(*netlink.Conn) ([]uint32, error)                                            = (*netlink.Conn).Memberships

	_ func(m netlink.Message) (netlink.Ack, error) = netlink.ParseAck
	_                                              = netlink.Ack{
		Errno:          syscall.Errno(0),
		Request:        netlink.Header{},
		Message:        string(""),
		Offset:         int(0),
		Cookie:         []byte(nil),
		Policy:         (*netlink.AttributePolicy)(nil),
		MissingType:    uint16(0),
		HasMissingType: bool(false),
		MissingNest:    int(0),
	}
	_ func(b []byte) (netlink.AttributePolicy, error) = netlink.ParseAttributePolicy
	_ func(netlink.PolicyType) string                 = netlink.PolicyType.String
	_                                                 = netlink.AttributePolicy{
		Type:           netlink.PolicyType(0),
		MinValueSigned: int64(0),
		MaxValueSigned: int64(0),
		MinValue:       uint64(0),
		MaxValue:       uint64(0),
		MinLength:      uint32(0),
		MaxLength:      uint32(0),
		PolicyIndex:    uint32(0),
		PolicyMaxType:  uint32(0),
		Bitfield32Mask: uint32(0),
		Mask:           uint64(0),
	}
	_ = netlink.Origin{
		PortID: uint32(0),
		Group:  uint32(0),
		NSID:   int32(0),
	}
	_ = netlink.Reply{
		Messages:    []netlink.Message(nil),
		Ack:         (*netlink.Ack)(nil),
		Interrupted: bool(false),
	}
	_ error = netlink.ErrDumpInterrupted
)

func TestConnOptionValues(t *testing.T) {
	// The v1 API numbers the options in this order, from 0.
	tests := []struct {
		name   string
		option netlink.ConnOption
		want   int
	}{
		{name: "PacketInfo", option: netlink.PacketInfo, want: 0},
		{name: "BroadcastError", option: netlink.BroadcastError, want: 1},
		{name: "NoENOBUFS", option: netlink.NoENOBUFS, want: 2},
		{name: "ListenAllNSID", option: netlink.ListenAllNSID, want: 3},
		{name: "CapAcknowledge", option: netlink.CapAcknowledge, want: 4},
		{name: "ExtendedAcknowledge", option: netlink.ExtendedAcknowledge, want: 5},
		{name: "GetStrictCheck", option: netlink.GetStrictCheck, want: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, int(tt.option)); diff != "" {
				t.Fatalf("unexpected value (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNltestPID(t *testing.T) {
	// PID is an untyped constant in the v1 API: it converts to any integer
	// type without a cast.
	var (
		u32 uint32 = nltest.PID
		i   int    = nltest.PID
	)
	if diff := cmp.Diff(uint32(1), u32); diff != "" {
		t.Fatalf("unexpected PID (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(1, i); diff != "" {
		t.Fatalf("unexpected PID (-want +got):\n%s", diff)
	}
}
