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

// errShortAck is returned, with v1's text, for an error message too short
// for its code or for the request header its extended acknowledgement
// follows.
var errShortAck = errors.New("not enough data for netlink error code")

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
//
// As in v1, a message too short for its error code, or an error whose
// extended acknowledgement lacks room for the echoed request, is an error
// ("not enough data for netlink error code"), and a Done message with no
// data carries no code. Malformed attributes are an error too, returned
// with the code and the fields decoded before them.
func ParseAck(m Message) (Ack, error) {
	b := m.Data
	if m.Header.Type != Error && len(b) == 0 {
		return Ack{}, nil
	}
	if len(b) < 4 {
		return Ack{}, errShortAck
	}
	code := int32(binary.NativeEndian.Uint32(b))
	// The kernel sends a negated errno. As in v1, a positive code becomes
	// an errno above the valid range, which reads "errno -N".
	a := Ack{Errno: syscall.Errno(-int(code))}
	b = b[4:]
	withAttrs := m.Header.Flags&AcknowledgeTLVs != 0
	if m.Header.Type == Error {
		var err error
		if b, err = a.skipEcho(m.Header.Flags, code, b); err != nil || b == nil {
			return a, err
		}
	}
	if !withAttrs || len(b) == 0 {
		return a, nil
	}
	if err := a.decodeAttributes(b); err != nil {
		// Keep the message and offset v1 would report, whatever
		// attribute stopped the walk.
		a.Message, a.Offset = messageAndOffset(b)
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

// messageAndOffset reads the extended acknowledgement's message and offset
// as v1 does, up to the first malformed attribute.
func messageAndOffset(b []byte) (string, int) {
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		return "", 0
	}
	var msg string
	var off int
	for ad.Next() {
		switch ad.Type() {
		case ackAttrMsg:
			msg = ad.String()
		case ackAttrOffset:
			off = int(ad.Uint32())
		}
	}
	return msg, off
}

// skipEcho reads the request header that struct nlmsgerr echoes after the
// code, and returns what follows the echo: the echoed payload is there
// too unless the kernel capped it or the request succeeded. It returns nil
// when nothing can follow, and errShortAck, as v1 does, when extended
// acknowledgement attributes are announced after an error but the echo is
// cut short.
func (a *Ack) skipEcho(flags HeaderFlags, code int32, b []byte) ([]byte, error) {
	withAttrs := flags&AcknowledgeTLVs != 0
	capped := flags&Capped != 0 || code == 0
	if len(b) < nlmsgHeaderLen {
		if withAttrs && code != 0 {
			return nil, errShortAck
		}
		return nil, nil
	}
	a.Request = parseHeader(b)
	if withAttrs && !capped && int(a.Request.Length) > len(b) {
		return nil, errShortAck
	}
	echoed := nlmsgHeaderLen
	if !capped {
		echoed = int(a.Request.Length)
	}
	if echoed < nlmsgHeaderLen || nlmsgAlign(echoed) > len(b) {
		// The echo leaves no room for attributes.
		return nil, nil
	}
	return b[nlmsgAlign(echoed):], nil
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
