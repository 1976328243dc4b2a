package netlink

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
)

// Extended acknowledgement attributes (enum nlmsgerr_attrs).
const (
	ackAttrMsg      = 1 // NLMSGERR_ATTR_MSG
	ackAttrOffset   = 2 // NLMSGERR_ATTR_OFFS
	ackAttrCookie   = 3 // NLMSGERR_ATTR_COOKIE
	ackAttrPolicy   = 4 // NLMSGERR_ATTR_POLICY
	ackAttrMissType = 5 // NLMSGERR_ATTR_MISS_TYPE
	ackAttrMissNest = 6 // NLMSGERR_ATTR_MISS_NEST
)

// errShortAck is returned for an error message too short for its code.
var errShortAck = errors.New("netlink: error message too short for an error code")

// An Ack is the content of a netlink error message (NLMSG_ERROR): an error
// code, 0 for a plain acknowledgement, and what the kernel's extended
// acknowledgement carried with it. The kernel attaches the extended fields
// only when the ExtendedAcknowledge option is on; it can attach a message
// to a successful acknowledgement as a warning.
type Ack struct {
	// Errno is the error code; 0 means success.
	Errno syscall.Errno

	// Request is the header of the request being answered, as echoed by the
	// kernel.
	Request Header

	// Message is the kernel's explanation, or its warning on success
	// (NLMSGERR_ATTR_MSG).
	Message string

	// Offset is the byte offset, from the start of the request's header, of
	// the attribute the kernel rejected (NLMSGERR_ATTR_OFFS); 0 if none.
	Offset int

	// Cookie is data that some families return to identify what a request
	// created (NLMSGERR_ATTR_COOKIE).
	Cookie []byte

	// Policy describes what the rejected attribute should have looked like
	// (NLMSGERR_ATTR_POLICY); nil if the kernel did not say.
	Policy *AttributePolicy

	// MissingType is the type of a required attribute that the request
	// lacked (NLMSGERR_ATTR_MISS_TYPE); HasMissingType says whether it is
	// set, since 0 is a valid type.
	MissingType    uint16
	HasMissingType bool

	// MissingNest is the byte offset, from the start of the request's
	// header, of the nested attribute that lacked MissingType
	// (NLMSGERR_ATTR_MISS_NEST); 0 when it was missing at the top level.
	MissingNest int
}

// ParseAck decodes an error message (NLMSG_ERROR) or the error code and
// attributes of a Done message that ends a dump. With the Capped flag the
// kernel leaves the request's payload out; with AcknowledgeTLVs the
// extended acknowledgement attributes follow.
func ParseAck(m Message) (Ack, error) {
	b := m.Data
	if len(b) < 4 {
		return Ack{}, errShortAck
	}
	code := int32(binary.NativeEndian.Uint32(b))
	a := Ack{Errno: syscall.Errno(-code)}
	if code > 0 {
		// The kernel always sends a negated errno; a positive one is
		// foreign, keep it as it is.
		a.Errno = syscall.Errno(code)
	}
	b = b[4:]
	if m.Header.Type == Error {
		// struct nlmsgerr echoes the request's header, and its payload
		// unless the kernel capped it or the request succeeded.
		if len(b) < nlmsgHeaderLen {
			return a, nil
		}
		a.Request = parseHeader(b)
		echoed := nlmsgHeaderLen
		if m.Header.Flags&Capped == 0 && a.Errno != 0 {
			echoed = int(a.Request.Length)
		}
		if echoed < nlmsgHeaderLen || nlmsgAlign(echoed) > len(b) {
			// The echo is cut short: nothing more to read reliably.
			return a, nil
		}
		b = b[nlmsgAlign(echoed):]
	}
	if m.Header.Flags&AcknowledgeTLVs == 0 || len(b) == 0 {
		return a, nil
	}
	if err := a.decodeAttributes(b); err != nil {
		return a, fmt.Errorf("netlink: extended acknowledgement: %w", err)
	}
	return a, nil
}

// decodeAttributes reads the extended acknowledgement attributes.
func (a *Ack) decodeAttributes(b []byte) error {
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case ackAttrMsg:
			a.Message = ad.String()
		case ackAttrOffset:
			a.Offset = int(ad.Uint32())
		case ackAttrCookie:
			a.Cookie = ad.Bytes()
		case ackAttrPolicy:
			a.Policy = new(AttributePolicy)
			ad.Nested(a.Policy.decode)
		case ackAttrMissType:
			a.MissingType = uint16(ad.Uint32())
			a.HasMissingType = true
		case ackAttrMissNest:
			a.MissingNest = int(ad.Uint32())
		}
	}
	return ad.Err()
}

// ackError turns an Ack with a non-zero code into the error the Conn
// returns: an *OpError whose Err is the bare errno.
func ackError(a Ack, seq uint32) error {
	return &OpError{
		Op:       "receive",
		Err:      a.Errno,
		Message:  a.Message,
		Offset:   a.Offset,
		Sequence: seq,
	}
}
