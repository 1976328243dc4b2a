package netlink

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// Errors returned while encoding and decoding messages, with v1's texts.
var (
	errMessageLength    = errors.New("netlink message header length incorrect")
	errShortMessage     = errors.New("not enough data to create a netlink message")
	errUnalignedMessage = errors.New("input data is not properly aligned for netlink message")
)

// A HeaderType is the type of a netlink message: one of the control types
// below, or a value defined by the netlink family in use.
type HeaderType uint16

// Control message types shared by every netlink family.
const (
	// Noop is a message to be ignored (NLMSG_NOOP).
	Noop HeaderType = 0x1
	// Error carries an error code, or 0 for an acknowledgement (NLMSG_ERROR).
	Error HeaderType = 0x2
	// Done ends a multi-part message (NLMSG_DONE).
	Done HeaderType = 0x3
	// Overrun reports lost data (NLMSG_OVERRUN).
	Overrun HeaderType = 0x4
)

// String returns the name of a control type, or "unknown(N)" for any other
// value.
func (t HeaderType) String() string {
	switch t {
	case Noop:
		return "noop"
	case Error:
		return "error"
	case Done:
		return "done"
	case Overrun:
		return "overrun"
	default:
		return fmt.Sprintf("unknown(%d)", t)
	}
}

// HeaderFlags are the flags of a netlink message header. Several values
// share bits: which meaning applies depends on the request's kind (get, new,
// delete) and on whether the message is an acknowledgement.
type HeaderFlags uint16

// Flags for every message.
const (
	// Request marks a request message (NLM_F_REQUEST).
	Request HeaderFlags = 0x1
	// Multi marks part of a multi-part message, ended by Done (NLM_F_MULTI).
	Multi HeaderFlags = 0x2
	// Acknowledge asks for an acknowledgement on success (NLM_F_ACK).
	Acknowledge HeaderFlags = 0x4
	// Echo asks for the request to be echoed back (NLM_F_ECHO).
	Echo HeaderFlags = 0x8
	// DumpInterrupted reports that a dump was inconsistent because the data
	// changed while it ran (NLM_F_DUMP_INTR).
	DumpInterrupted HeaderFlags = 0x10
	// DumpFiltered reports that a dump was filtered as requested
	// (NLM_F_DUMP_FILTERED).
	DumpFiltered HeaderFlags = 0x20
)

// Flags for get requests.
const (
	// Root asks for the whole table rather than one entry (NLM_F_ROOT).
	Root HeaderFlags = 0x100
	// Match asks for all entries that match the request (NLM_F_MATCH).
	Match HeaderFlags = 0x200
	// Atomic asks for an atomic snapshot of the table (NLM_F_ATOMIC).
	Atomic HeaderFlags = 0x400
	// Dump asks for every entry, as a multi-part reply (NLM_F_DUMP).
	Dump = Root | Match
)

// Flags for new requests.
const (
	// Replace replaces an existing object (NLM_F_REPLACE).
	Replace HeaderFlags = 0x100
	// Excl fails if the object already exists (NLM_F_EXCL).
	Excl HeaderFlags = 0x200
	// Create creates the object if it does not exist (NLM_F_CREATE).
	Create HeaderFlags = 0x400
	// Append adds the object at the end of a list (NLM_F_APPEND).
	Append HeaderFlags = 0x800
)

// Flags for acknowledgements.
const (
	// Capped reports that the kernel left the request's payload out of an
	// error message (NLM_F_CAPPED).
	Capped HeaderFlags = 0x100
	// AcknowledgeTLVs reports that extended acknowledgement attributes
	// follow the error message (NLM_F_ACK_TLVS).
	AcknowledgeTLVs HeaderFlags = 0x200
)

// String names the six low bits that have one meaning for every message,
// joined by "|", followed by any other bits as one hexadecimal value. No
// bits at all gives "0".
func (f HeaderFlags) String() string {
	if f == 0 {
		return "0"
	}
	// The six low bits, in bit order.
	flagNames := [...]string{"request", "multi", "acknowledge", "echo", "dumpinterrupted", "dumpfiltered"}
	var names []string
	for i, name := range flagNames {
		if f&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	if rest := f &^ (1<<len(flagNames) - 1); rest != 0 {
		names = append(names, fmt.Sprintf("%#x", uint16(rest)))
	}
	return strings.Join(names, "|")
}

// A Header is the header of a netlink message, with the memory layout of
// the kernel's struct nlmsghdr.
type Header struct {
	// Length of the message in bytes, header included.
	Length uint32
	// Type of the message's contents.
	Type HeaderType
	// Flags of the message.
	Flags HeaderFlags
	// Sequence number that ties replies to their request.
	Sequence uint32
	// PID is the port ID of the sending socket. The kernel uses 0. The
	// sender writes this field, so it proves nothing about who sent the
	// message.
	PID uint32
}

// A Message is a netlink message: a header and its payload.
type Message struct {
	Header Header
	Data   []byte
}

// MarshalBinary encodes m. Header.Length must already be set, be at least
// the size of a header and be a multiple of 4; Data is copied after the
// header and the rest of Length is filled with zeros.
func (m Message) MarshalBinary() ([]byte, error) {
	if err := checkMessageLength(m.Header.Length); err != nil {
		return nil, err
	}
	b := make([]byte, m.Header.Length)
	// Header has the memory layout of struct nlmsghdr, in native byte
	// order: one copy writes it.
	*(*Header)(unsafe.Pointer(&b[0])) = m.Header
	copy(b[nlmsgHeaderLen:], m.Data)
	return b, nil
}

// checkMessageLength reports whether l is a valid, aligned message length.
func checkMessageLength(l uint32) error {
	if l < nlmsgHeaderLen || int(l) != nlmsgAlign(int(l)) {
		return errMessageLength
	}
	return nil
}

// appendMessage appends m, whose Header.Length has been checked, to b.
func appendMessage(b []byte, m Message) []byte {
	b = appendHeader(b, m.Header)
	end := len(b) - nlmsgHeaderLen + int(m.Header.Length)
	b = append(b, m.Data[:min(len(m.Data), int(m.Header.Length)-nlmsgHeaderLen)]...)
	for len(b) < end {
		b = append(b, 0)
	}
	return b
}

// appendHeader appends h in its wire form to b.
func appendHeader(b []byte, h Header) []byte {
	b = binary.NativeEndian.AppendUint32(b, h.Length)
	b = binary.NativeEndian.AppendUint16(b, uint16(h.Type))
	b = binary.NativeEndian.AppendUint16(b, uint16(h.Flags))
	b = binary.NativeEndian.AppendUint32(b, h.Sequence)
	return binary.NativeEndian.AppendUint32(b, h.PID)
}

// parseHeader decodes a header from b, which holds at least nlmsgHeaderLen
// bytes.
func parseHeader(b []byte) Header {
	_ = b[nlmsgHeaderLen-1]
	return Header{
		Length:   binary.NativeEndian.Uint32(b[0:4]),
		Type:     HeaderType(binary.NativeEndian.Uint16(b[4:6])),
		Flags:    HeaderFlags(binary.NativeEndian.Uint16(b[6:8])),
		Sequence: binary.NativeEndian.Uint32(b[8:12]),
		PID:      binary.NativeEndian.Uint32(b[12:16]),
	}
}

// UnmarshalBinary decodes one message from b. The length of b must be at
// least the size of a header and a multiple of 4, and Header.Length must
// lie between the size of a header and len(b). Data aliases b. As in v1, a
// Header.Length out of range is still stored in m before the error is
// returned.
func (m *Message) UnmarshalBinary(b []byte) error {
	if len(b) < nlmsgHeaderLen {
		return errShortMessage
	}
	if len(b)%nlmsgAlignTo != 0 {
		return errUnalignedMessage
	}
	// Plain field stores, in header order: the compiler merges the bounds
	// checks and the loads.
	_ = b[nlmsgHeaderLen-1]
	l := binary.NativeEndian.Uint32(b[0:4])
	m.Header.Length = l
	if l < nlmsgHeaderLen || uint64(l) > uint64(len(b)) {
		return errShortMessage
	}
	m.Header.Type = HeaderType(binary.NativeEndian.Uint16(b[4:6]))
	m.Header.Flags = HeaderFlags(binary.NativeEndian.Uint16(b[6:8]))
	m.Header.Sequence = binary.NativeEndian.Uint32(b[8:12])
	m.Header.PID = binary.NativeEndian.Uint32(b[12:16])
	m.Data = b[nlmsgHeaderLen:l]
	return nil
}

// parseMessages splits a datagram into its messages, as v1 does: the
// datagram is taken as padded with zeros to a multiple of 4 bytes, a
// message's aligned length must fit in what is left, and fewer trailing
// bytes than a header are ignored. Each message's Data aliases b, except
// for an unaligned datagram, which is first copied with its padding.
func parseMessages(b []byte) ([]Message, error) {
	b = padDatagram(b)
	n, err := countMessages(b)
	if err != nil {
		return nil, err
	}
	msgs := make([]Message, n)
	fillMessages(msgs, b)
	return msgs, nil
}

// padDatagram returns b padded with zeros to the alignment: the kernel pads
// every message, and v1 reads an unpadded datagram from a zeroed, aligned
// buffer.
func padDatagram(b []byte) []byte {
	if len(b)%nlmsgAlignTo == 0 {
		return b
	}
	padded := make([]byte, nlmsgAlign(len(b)))
	copy(padded, b)
	return padded
}

// countMessages checks the lengths of the messages of the padded datagram
// b (see parseMessages) and counts them.
func countMessages(b []byte) (int, error) {
	n := 0
	for rest := b; len(rest) >= nlmsgHeaderLen; n++ {
		l := binary.NativeEndian.Uint32(rest)
		if l < nlmsgHeaderLen {
			return 0, errMessageLength
		}
		if uint64(nlmsgAlign(int(l))) > uint64(len(rest)) {
			return 0, errShortMessage
		}
		rest = rest[nlmsgAlign(int(l)):]
	}
	return n, nil
}

// fillMessages decodes the messages of b, which countMessages checked and
// found len(msgs) of, into msgs.
func fillMessages(msgs []Message, b []byte) {
	for i := range msgs {
		h := parseHeader(b)
		msgs[i] = Message{Header: h, Data: b[nlmsgHeaderLen:h.Length:h.Length]}
		b = b[nlmsgAlign(int(h.Length)):]
	}
}
