//go:build linux

package netlink_test

// Extended acknowledgements from the real kernel. Each test works in a
// network namespace that it creates, and skips when not root.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

// Kernel constants that package unix lacks (linux/if_bridge.h).
const (
	trustMdbaSetEntry      = 1 // MDBA_SET_ENTRY
	trustMdbaSetEntryAttrs = 2 // MDBA_SET_ENTRY_ATTRS
	trustMdbeAttrSrcList   = 2 // MDBE_ATTR_SRC_LIST
	trustMdbeAttrGroupMode = 3 // MDBE_ATTR_GROUP_MODE
	trustMdbeSrcListEntry  = 1 // MDBE_SRC_LIST_ENTRY
	trustMdbeSrcattrAddr   = 1 // MDBE_SRCATTR_ADDRESS
	trustMdbPermanent      = 1 // MDB_PERMANENT
	trustSizeofBrPortMsg   = 8 // struct br_port_msg
	trustSizeofBrMdbEntry  = 28

	// ETHTOOL_A_MM_* of linux/ethtool_netlink.h (newer than package unix).
	trustEthtoolAMMHeader     = 1 // ETHTOOL_A_MM_HEADER
	trustEthtoolAMMVerifyTime = 9 // ETHTOOL_A_MM_VERIFY_TIME
)

// TestTrustExtendedAck checks what the kernel's extended acknowledgements
// say about missing attributes, in a nest or not, and about policy
// violations, with and without CapAcknowledge.
func TestTrustExtendedAck(t *testing.T) {
	ns := nstest.New(t)
	ns.Batch(t, []string{
		"link add br0 type bridge",
		"link add port0 type veth peer name peer0",
		"link set port0 master br0",
		"link set br0 up",
		"link set port0 up",
	})
	brIndex, portIndex := trustLinkIndex(t, ns, "br0"), trustLinkIndex(t, ns, "port0")
	ethtoolFamily, err := genl.NewClient(testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)).Family(t.Context(), unix.ETHTOOL_GENL_NAME)
	if err != nil {
		t.Fatalf("CTRL_CMD_GETFAMILY %s: %v", unix.ETHTOOL_GENL_NAME, err)
	}
	ethtool := ethtoolFamily.ID

	// mdbAdd is an RTM_NEWMDB request for a permanent (*, 239.1.1.1)
	// entry on port0 with a filter mode and one source list entry, which
	// is empty: its required MDBE_SRCATTR_ADDRESS is missing.
	mdbAdd := func(mode uint8) netlink.Message {
		entry := make([]byte, trustSizeofBrMdbEntry)
		binary.NativeEndian.PutUint32(entry[0:], portIndex)
		entry[4] = trustMdbPermanent
		copy(entry[8:12], []byte{239, 1, 1, 1})
		binary.BigEndian.PutUint16(entry[24:], unix.ETH_P_IP)
		data := make([]byte, trustSizeofBrPortMsg)
		data[0] = unix.AF_BRIDGE
		binary.NativeEndian.PutUint32(data[4:], brIndex)
		data = append(data, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
			ae.Bytes(trustMdbaSetEntry, entry)
			ae.Nested(trustMdbaSetEntryAttrs, func(ae *netlink.AttributeEncoder) error {
				ae.Uint8(trustMdbeAttrGroupMode, mode)
				ae.Nested(trustMdbeAttrSrcList, func(ae *netlink.AttributeEncoder) error {
					ae.Nested(trustMdbeSrcListEntry, func(*netlink.AttributeEncoder) error { return nil })
					return nil
				})
				return nil
			})
		})...)
		return netlink.Message{
			Header: netlink.Header{Type: unix.RTM_NEWMDB, Flags: netlink.Request | netlink.Acknowledge | netlink.Create},
			Data:   data,
		}
	}
	// Offsets from the start of mdbAdd's header.
	const (
		mdbEntryAttrs = 16 + trustSizeofBrPortMsg + 4 + trustSizeofBrMdbEntry // MDBA_SET_ENTRY_ATTRS
		mdbGroupMode  = mdbEntryAttrs + 4                                     // MDBE_ATTR_GROUP_MODE
		mdbSrcList    = mdbGroupMode + 8                                      // MDBE_ATTR_SRC_LIST
		mdbSrcEntry   = mdbSrcList + 4                                        // MDBE_SRC_LIST_ENTRY
	)
	// Offsets in generic netlink requests whose first attribute is a
	// header nest with one attribute.
	const (
		genlFirst  = 16 + 4        // the header nest
		genlInNest = genlFirst + 4 // the attribute in it
		genlSecond = genlFirst + 12
	)
	ethtoolHeader := func(fn func(ae *netlink.AttributeEncoder)) func(ae *netlink.AttributeEncoder) {
		return func(ae *netlink.AttributeEncoder) {
			ae.Nested(unix.ETHTOOL_A_LINKINFO_HEADER, func(ae *netlink.AttributeEncoder) error {
				fn(ae)
				return nil
			})
		}
	}

	tests := []struct {
		name   string
		family int
		req    netlink.Message
		want   netlink.Ack // but Request
		// at is the type of the attribute at want.Offset or want.MissingNest.
		at uint16
	}{
		{
			// The kernel's GENL_REQ_ATTR_CHECK: no message, only the type.
			name:   "missing attribute",
			family: unix.NETLINK_GENERIC,
			req:    genl.Request(ethtool, unix.ETHTOOL_MSG_LINKINFO_GET, 1, netlink.Acknowledge, nil),
			want: netlink.Ack{
				Errno:          unix.EINVAL,
				MissingType:    unix.ETHTOOL_A_LINKINFO_HEADER,
				HasMissingType: true,
			},
		},
		{
			// Ethtool does not report a missing ETHTOOL_A_HEADER_DEV_INDEX
			// or _NAME as such, but points at the header nest.
			name:   "header nest without device",
			family: unix.NETLINK_GENERIC,
			req: genl.Request(ethtool, unix.ETHTOOL_MSG_LINKINFO_GET, 1, netlink.Acknowledge, testkit.Attributes(t, ethtoolHeader(func(ae *netlink.AttributeEncoder) {
				ae.Uint32(unix.ETHTOOL_A_HEADER_FLAGS, 0)
			}))),
			want: netlink.Ack{
				Errno:   unix.EINVAL,
				Message: "neither ifindex nor name specified",
				Offset:  genlFirst,
			},
			at: unix.ETHTOOL_A_LINKINFO_HEADER,
		},
		{
			// The bridge's NL_REQ_ATTR_CHECK on a source list entry.
			name:   "missing attribute in a nest",
			family: unix.NETLINK_ROUTE,
			req:    mdbAdd(0), // MCAST_EXCLUDE
			want: netlink.Ack{
				Errno:          unix.EINVAL,
				MissingType:    trustMdbeSrcattrAddr,
				HasMissingType: true,
				MissingNest:    mdbSrcEntry,
			},
			at: trustMdbeSrcListEntry,
		},
		{
			// ETHTOOL_A_MM_VERIFY_TIME is NLA_POLICY_RANGE(NLA_U32, 1, 128).
			name:   "value out of range",
			family: unix.NETLINK_GENERIC,
			req: genl.Request(ethtool, unix.ETHTOOL_MSG_MM_SET, 1, netlink.Acknowledge, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
				ae.Nested(trustEthtoolAMMHeader, func(ae *netlink.AttributeEncoder) error {
					ae.Uint32(unix.ETHTOOL_A_HEADER_DEV_INDEX, 1)
					return nil
				})
				ae.Uint32(trustEthtoolAMMVerifyTime, 1000)
			})),
			want: netlink.Ack{
				Errno:   unix.ERANGE,
				Message: "integer out of range",
				Offset:  genlSecond,
				Policy:  &netlink.AttributePolicy{Type: unix.NL_ATTR_TYPE_U32, MinValue: 1, MaxValue: 128},
			},
			at: trustEthtoolAMMVerifyTime,
		},
		{
			// MDBE_ATTR_GROUP_MODE is NLA_POLICY_RANGE(NLA_U8, MCAST_EXCLUDE, MCAST_INCLUDE).
			name:   "value out of range in a nest",
			family: unix.NETLINK_ROUTE,
			req:    mdbAdd(5),
			want: netlink.Ack{
				Errno:   unix.ERANGE,
				Message: "integer out of range",
				Offset:  mdbGroupMode,
				Policy:  &netlink.AttributePolicy{Type: unix.NL_ATTR_TYPE_U8, MinValue: 0, MaxValue: 1},
			},
			at: trustMdbeAttrGroupMode,
		},
		{
			name:   "wrong length",
			family: unix.NETLINK_GENERIC,
			req: genl.Request(ethtool, unix.ETHTOOL_MSG_LINKINFO_GET, 1, netlink.Acknowledge, testkit.Attributes(t, ethtoolHeader(func(ae *netlink.AttributeEncoder) {
				ae.Uint16(unix.ETHTOOL_A_HEADER_DEV_INDEX, 1)
			}))),
			want: netlink.Ack{
				Errno:   unix.EINVAL,
				Message: "invalid attribute length",
				Offset:  genlInNest,
				Policy:  &netlink.AttributePolicy{Type: unix.NL_ATTR_TYPE_U32, MaxValue: 1<<32 - 1},
			},
			at: unix.ETHTOOL_A_HEADER_DEV_INDEX,
		},
	}
	for _, capped := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/capped=%t", tt.name, capped), func(t *testing.T) {
				// The test's own check of its offsets: the attribute there.
				req := tt.req
				req.Header.Length = uint32(16 + len(req.Data))
				b, err := req.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				if at := max(tt.want.Offset, tt.want.MissingNest); at != 0 {
					if got := binary.NativeEndian.Uint16(b[at+2:]) &^ (netlink.Nested | netlink.NetByteOrder); got != tt.at {
						t.Fatalf("test bug: attribute type %d at offset %d, want %d", got, at, tt.at)
					}
				}

				var flags []netlink.HeaderFlags
				c := testkit.Dial(t, ns, tt.family, &netlink.Config{Capture: captureFunc(func(sent bool, b []byte) {
					if !sent && len(b) >= 16 && netlink.HeaderType(binary.NativeEndian.Uint16(b[4:])) == netlink.Error {
						flags = append(flags, netlink.HeaderFlags(binary.NativeEndian.Uint16(b[6:])))
					}
				})})
				if err := c.SetOption(netlink.ExtendedAcknowledge, true); err != nil {
					t.Fatal(err)
				}
				if err := c.SetOption(netlink.CapAcknowledge, capped); err != nil {
					t.Fatal(err)
				}

				reply, err := c.ExecuteReply(context.Background(), tt.req)
				var oe *netlink.OpError
				if !errors.As(err, &oe) || !errors.Is(err, tt.want.Errno) {
					t.Fatalf("Execute error = %v, want an *OpError matching %v", err, tt.want.Errno)
				}
				if len(flags) != 1 || (flags[0]&netlink.Capped != 0) != capped || flags[0]&netlink.AcknowledgeTLVs == 0 {
					t.Fatalf("error message flags %v; want capped=%t, with TLVs", flags, capped)
				}
				if reply.Ack == nil {
					t.Fatalf("Reply.Ack is nil: %v", err)
				}
				if diff := cmp.Diff(tt.want, *reply.Ack, cmpopts.IgnoreFields(netlink.Ack{}, "Request")); diff != "" {
					t.Errorf("Reply.Ack (-want +got):\n%s", diff)
				}
				if r := reply.Ack.Request; r.Type != tt.req.Header.Type || r.Sequence == 0 || r.Sequence != oe.Sequence || r.Length != req.Header.Length {
					t.Errorf("Ack.Request = %+v; want type %d, length %d, sequence %d", r, tt.req.Header.Type, req.Header.Length, oe.Sequence)
				}
				if oe.Message != tt.want.Message || oe.Offset != tt.want.Offset {
					t.Errorf("OpError message %q, offset %d; want %q, %d", oe.Message, oe.Offset, tt.want.Message, tt.want.Offset)
				}
			})
		}
	}
}
