package netlink

import (
	"encoding/binary"
	"errors"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Numbers from the kernel's include/uapi/linux/netlink.h, written out here
// so that the tests check the package's constants rather than reuse them.
const (
	ackTestAttrMsg      = 1 // NLMSGERR_ATTR_MSG
	ackTestAttrOffs     = 2 // NLMSGERR_ATTR_OFFS
	ackTestAttrCookie   = 3 // NLMSGERR_ATTR_COOKIE
	ackTestAttrPolicy   = 4 // NLMSGERR_ATTR_POLICY
	ackTestAttrMissType = 5 // NLMSGERR_ATTR_MISS_TYPE
	ackTestAttrMissNest = 6 // NLMSGERR_ATTR_MISS_NEST

	ackTestPolicyType       = 1  // NL_POLICY_TYPE_ATTR_TYPE
	ackTestPolicyMinS       = 2  // NL_POLICY_TYPE_ATTR_MIN_VALUE_S
	ackTestPolicyMaxS       = 3  // NL_POLICY_TYPE_ATTR_MAX_VALUE_S
	ackTestPolicyMinU       = 4  // NL_POLICY_TYPE_ATTR_MIN_VALUE_U
	ackTestPolicyMaxU       = 5  // NL_POLICY_TYPE_ATTR_MAX_VALUE_U
	ackTestPolicyMinLen     = 6  // NL_POLICY_TYPE_ATTR_MIN_LENGTH
	ackTestPolicyMaxLen     = 7  // NL_POLICY_TYPE_ATTR_MAX_LENGTH
	ackTestPolicyIdx        = 8  // NL_POLICY_TYPE_ATTR_POLICY_IDX
	ackTestPolicyMaxType    = 9  // NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE
	ackTestPolicyBitfield32 = 10 // NL_POLICY_TYPE_ATTR_BITFIELD32_MASK
	ackTestPolicyPad        = 11 // NL_POLICY_TYPE_ATTR_PAD
	ackTestPolicyMask       = 12 // NL_POLICY_TYPE_ATTR_MASK

	ackTestTypeU32 = 4 // NL_ATTR_TYPE_U32
)

// ackTestHeader returns the wire form of h.
func ackTestHeader(h Header) []byte {
	b := binary.NativeEndian.AppendUint32(nil, h.Length)
	b = binary.NativeEndian.AppendUint16(b, uint16(h.Type))
	b = binary.NativeEndian.AppendUint16(b, uint16(h.Flags))
	b = binary.NativeEndian.AppendUint32(b, h.Sequence)
	return binary.NativeEndian.AppendUint32(b, h.PID)
}

// ackTestAttr returns the wire form of an attribute, padded.
func ackTestAttr(typ uint16, data []byte) []byte {
	b := binary.NativeEndian.AppendUint16(nil, uint16(4+len(data)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func ackTestU32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }
func ackTestU64(v uint64) []byte { return binary.NativeEndian.AppendUint64(nil, v) }

// ackTestString returns a NUL-terminated string, as the kernel sends them.
func ackTestString(s string) []byte { return append([]byte(s), 0) }

// ackTestMessage returns a message of type typ whose payload is code
// followed by parts.
func ackTestMessage(typ HeaderType, flags HeaderFlags, code int32, parts ...[]byte) Message {
	b := binary.NativeEndian.AppendUint32(nil, uint32(code))
	for _, p := range parts {
		b = append(b, p...)
	}
	return Message{
		Header: Header{Length: uint32(nlmsgHeaderLen + len(b)), Type: typ, Flags: flags, Sequence: 5, PID: 100},
		Data:   b,
	}
}

func TestParseAck(t *testing.T) {
	// The request being answered: a header and 12 bytes of payload.
	req := Header{Length: 28, Type: 16, Flags: Request | Acknowledge, Sequence: 5, PID: 100}
	reqHeader := ackTestHeader(req)
	reqPayload := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	msg := ackTestAttr(ackTestAttrMsg, ackTestString("Attribute failed policy validation"))
	offs := ackTestAttr(ackTestAttrOffs, ackTestU32(24))

	policy := ackTestAttr(ackTestAttrPolicy|Nested, ackTestConcat(
		ackTestAttr(ackTestPolicyType, ackTestU32(ackTestTypeU32)),
		ackTestAttr(ackTestPolicyPad, nil),
		ackTestAttr(ackTestPolicyMinS, ackTestU64(uint64(1<<64-10))), // -10
		ackTestAttr(ackTestPolicyMaxS, ackTestU64(10)),
		ackTestAttr(ackTestPolicyMinU, ackTestU64(1)),
		ackTestAttr(ackTestPolicyMaxU, ackTestU64(1<<40)),
		ackTestAttr(ackTestPolicyMinLen, ackTestU32(4)),
		ackTestAttr(ackTestPolicyMaxLen, ackTestU32(16)),
		ackTestAttr(ackTestPolicyIdx, ackTestU32(2)),
		ackTestAttr(ackTestPolicyMaxType, ackTestU32(7)),
		ackTestAttr(ackTestPolicyBitfield32, ackTestU32(0xf0)),
		ackTestAttr(ackTestPolicyMask, ackTestU64(0xff00ff00ff)),
	))

	tests := []struct {
		name string
		m    Message
		want Ack
		// err is the error ParseAck must return, matched with errors.Is;
		// errAnyAck for any error.
		err error
	}{
		{
			name: "plain ACK",
			m:    ackTestMessage(Error, Capped, 0, reqHeader),
			want: Ack{Request: req},
		},
		{
			name: "plain ACK without capped flag",
			m:    ackTestMessage(Error, 0, 0, reqHeader),
			want: Ack{Request: req},
		},
		{
			name: "code only",
			m:    ackTestMessage(Error, 0, -int32(syscall.EPERM)),
			want: Ack{Errno: syscall.EPERM},
		},
		{
			name: "error with echoed request",
			m:    ackTestMessage(Error, 0, -int32(syscall.EINVAL), reqHeader, reqPayload),
			want: Ack{Errno: syscall.EINVAL, Request: req},
		},
		{
			name: "error with echoed request and TLVs",
			m:    ackTestMessage(Error, AcknowledgeTLVs, -int32(syscall.EINVAL), reqHeader, reqPayload, msg, offs),
			want: Ack{
				Errno:   syscall.EINVAL,
				Request: req,
				Message: "Attribute failed policy validation",
				Offset:  24,
			},
		},
		{
			name: "capped error",
			m:    ackTestMessage(Error, Capped, -int32(syscall.EINVAL), reqHeader),
			want: Ack{Errno: syscall.EINVAL, Request: req},
		},
		{
			name: "capped error with TLVs",
			m:    ackTestMessage(Error, Capped|AcknowledgeTLVs, -int32(syscall.EINVAL), reqHeader, msg, offs),
			want: Ack{
				Errno:   syscall.EINVAL,
				Request: req,
				Message: "Attribute failed policy validation",
				Offset:  24,
			},
		},
		{
			name: "TLVs without the flag are ignored",
			m:    ackTestMessage(Error, Capped, -int32(syscall.EINVAL), reqHeader, msg, offs),
			want: Ack{Errno: syscall.EINVAL, Request: req},
		},
		{
			name: "cookie",
			m: ackTestMessage(Error, Capped|AcknowledgeTLVs, 0, reqHeader,
				ackTestAttr(ackTestAttrCookie, []byte{1, 2, 3, 4, 5, 6, 7, 8})),
			want: Ack{Request: req, Cookie: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
		},
		{
			name: "policy",
			m:    ackTestMessage(Error, Capped|AcknowledgeTLVs, -int32(syscall.ERANGE), reqHeader, msg, offs, policy),
			want: Ack{
				Errno:   syscall.ERANGE,
				Request: req,
				Message: "Attribute failed policy validation",
				Offset:  24,
				Policy: &AttributePolicy{
					Type:           ackTestTypeU32,
					MinValueSigned: -10,
					MaxValueSigned: 10,
					MinValue:       1,
					MaxValue:       1 << 40,
					MinLength:      4,
					MaxLength:      16,
					PolicyIndex:    2,
					PolicyMaxType:  7,
					Bitfield32Mask: 0xf0,
					Mask:           0xff00ff00ff,
				},
			},
		},
		{
			name: "policy without nested flag, some fields",
			m: ackTestMessage(Error, Capped|AcknowledgeTLVs, -int32(syscall.ERANGE), reqHeader,
				ackTestAttr(ackTestAttrPolicy, ackTestConcat(
					ackTestAttr(ackTestPolicyType, ackTestU32(11)),
					ackTestAttr(ackTestPolicyMaxLen, ackTestU32(15)),
				))),
			want: Ack{
				Errno:   syscall.ERANGE,
				Request: req,
				Policy:  &AttributePolicy{Type: 11, MaxLength: 15},
			},
		},
		{
			name: "missing attribute in a nest",
			m: ackTestMessage(Error, Capped|AcknowledgeTLVs, -int32(syscall.EINVAL), reqHeader,
				ackTestAttr(ackTestAttrMsg, ackTestString("missing attribute")),
				ackTestAttr(ackTestAttrMissType, ackTestU32(3)),
				ackTestAttr(ackTestAttrMissNest, ackTestU32(20))),
			want: Ack{
				Errno:          syscall.EINVAL,
				Request:        req,
				Message:        "missing attribute",
				MissingType:    3,
				HasMissingType: true,
				MissingNest:    20,
			},
		},
		{
			name: "missing attribute 0 at the top level",
			m: ackTestMessage(Error, Capped|AcknowledgeTLVs, -int32(syscall.EINVAL), reqHeader,
				ackTestAttr(ackTestAttrMissType, ackTestU32(0))),
			want: Ack{
				Errno:          syscall.EINVAL,
				Request:        req,
				HasMissingType: true,
			},
		},
		{
			name: "unknown attribute ignored",
			m: ackTestMessage(Error, Capped|AcknowledgeTLVs, -int32(syscall.EINVAL), reqHeader,
				ackTestAttr(99, []byte{1, 2, 3}), offs),
			want: Ack{Errno: syscall.EINVAL, Request: req, Offset: 24},
		},
		{
			name: "warning on success",
			m: ackTestMessage(Error, Capped|AcknowledgeTLVs, 0, reqHeader,
				ackTestAttr(ackTestAttrMsg, ackTestString("deprecated attribute"))),
			want: Ack{Request: req, Message: "deprecated attribute"},
		},
		{
			name: "done with zero code",
			m:    ackTestMessage(Done, Multi, 0),
			want: Ack{},
		},
		{
			name: "done with error code",
			m:    ackTestMessage(Done, Multi, -int32(syscall.ENOBUFS)),
			want: Ack{Errno: syscall.ENOBUFS},
		},
		{
			name: "done with error code and TLVs",
			m: ackTestMessage(Done, Multi|AcknowledgeTLVs, -int32(syscall.EINVAL),
				ackTestAttr(ackTestAttrMsg, ackTestString("dump failed")), offs),
			want: Ack{Errno: syscall.EINVAL, Message: "dump failed", Offset: 24},
		},
		{
			name: "done with warning",
			m: ackTestMessage(Done, Multi|AcknowledgeTLVs, 0,
				ackTestAttr(ackTestAttrMsg, ackTestString("filtered"))),
			want: Ack{Message: "filtered"},
		},
		{
			// As in v1: no room for the echo the attributes follow.
			name: "echo cut short",
			m:    ackTestMessage(Error, AcknowledgeTLVs, -int32(syscall.EINVAL), reqHeader, reqPayload[:4]),
			want: Ack{Errno: syscall.EINVAL, Request: req},
			err:  errShortAck,
		},
		{
			name: "echo cut short without attributes",
			m:    ackTestMessage(Error, 0, -int32(syscall.EINVAL), reqHeader, reqPayload[:4]),
			want: Ack{Errno: syscall.EINVAL, Request: req},
		},
		{
			name: "header cut short",
			m:    ackTestMessage(Error, 0, -int32(syscall.EINVAL), reqHeader[:8]),
			want: Ack{Errno: syscall.EINVAL},
		},
		{
			name: "short data",
			m:    Message{Header: Header{Length: 18, Type: Error}, Data: []byte{0xff, 0xff}},
			err:  errShortAck,
		},
		{
			name: "no data",
			m:    Message{Header: Header{Length: 16, Type: Error}},
			err:  errShortAck,
		},
		{
			name: "malformed TLVs",
			m: ackTestMessage(Error, Capped|AcknowledgeTLVs, -int32(syscall.EINVAL), reqHeader,
				[]byte{0xff, 0x00, 0x01, 0x00}),
			want: Ack{Errno: syscall.EINVAL, Request: req},
			err:  errAnyAck,
		},
		{
			name: "offset of the wrong size",
			m: ackTestMessage(Error, Capped|AcknowledgeTLVs, -int32(syscall.EINVAL), reqHeader,
				ackTestAttr(ackTestAttrOffs, []byte{1, 2})),
			want: Ack{Errno: syscall.EINVAL, Request: req},
			err:  errAnyAck,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAck(tt.m)
			switch {
			case tt.err == nil && err != nil:
				t.Fatalf("failed to parse: %v", err)
			case tt.err != nil && err == nil:
				t.Fatalf("want an error, got %+v", got)
			case tt.err != nil && tt.err != errAnyAck && !errors.Is(err, tt.err):
				t.Fatalf("error %v does not match %v", err, tt.err)
			case tt.err != nil:
				// Only the error code matters after an error.
				if got.Errno != tt.want.Errno {
					t.Fatalf("Errno = %v, want %v", got.Errno, tt.want.Errno)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected Ack (-want +got):\n%s", diff)
			}
		})
	}
}

// errAnyAck stands for any error in TestParseAck.
var errAnyAck = errors.New("any error")

// ackTestConcat returns the concatenation of parts.
func ackTestConcat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestParseAckCookieDoesNotAlias(t *testing.T) {
	m := ackTestMessage(Error, Capped|AcknowledgeTLVs, 0,
		ackTestHeader(Header{Length: 16, Type: 16}),
		ackTestAttr(ackTestAttrCookie, []byte{1, 2, 3, 4}))
	a, err := ParseAck(m)
	if err != nil {
		t.Fatalf("failed to parse: %v", err)
	}
	for i := range m.Data {
		m.Data[i] = 0xff
	}
	if diff := cmp.Diff([]byte{1, 2, 3, 4}, a.Cookie); diff != "" {
		t.Fatalf("cookie changed with the message (-want +got):\n%s", diff)
	}
}
