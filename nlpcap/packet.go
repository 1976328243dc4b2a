package nlpcap

import (
	"strconv"
	"time"
)

// SnapLen is the snapshot length of the captures a Writer produces: the
// largest record, Linux cooked header included, that a capture holds. It
// is the largest snapshot length that Wireshark accepts for netlink.
// Datagrams longer than SnapLen-16 bytes are truncated in the capture.
const SnapLen = 262144

const (
	// linkTypeNetlink is LINKTYPE_NETLINK, what libpcap reports for nlmon.
	linkTypeNetlink = 253

	// arphrdNetlink is ARPHRD_NETLINK, the hardware type of nlmon.
	arphrdNetlink = 824

	magicMicro = 0xa1b2c3d4
	magicNano  = 0xa1b23c4d

	versionMajor = 2
	versionMinor = 4

	fileHeaderLen   = 24
	recordHeaderLen = 16
	cookedHeaderLen = 16
)

// Direction is the Linux cooked header's packet type of a captured
// datagram: whether the program sent or received it. The values are those
// of linux/if_packet.h. Wireshark's netlink dissector (as of tshark 4.0)
// skips this field and shows neither direction, so the two kinds are told
// apart there by the message flags and port IDs; a Reader returns it.
// Captures written by other tools may hold other packet types; a Reader
// returns them as they are.
type Direction uint16

const (
	// Received marks a datagram the program received, from the kernel or
	// another socket (PACKET_HOST, "to us").
	Received Direction = 0

	// Sent marks a datagram the program sent (PACKET_OUTGOING, "sent by
	// us").
	Sent Direction = 4
)

// String returns "received", "sent" or, for any other packet type,
// "Direction(N)".
func (d Direction) String() string {
	switch d {
	case Received:
		return "received"
	case Sent:
		return "sent"
	}
	return "Direction(" + strconv.Itoa(int(d)) + ")"
}

// Packet is one captured netlink datagram.
type Packet struct {
	// Time is when the datagram was sent or received. A Writer stores it
	// with nanosecond resolution; the zero Time means time.Now().
	Time time.Time

	// Family is the netlink protocol family of the socket, such as
	// 0 (NETLINK_ROUTE) or 16 (NETLINK_GENERIC).
	Family int

	// Direction tells whether the program sent or received the datagram.
	Direction Direction

	// Data holds the datagram: one or more netlink messages in host byte
	// order. When read from a truncated record it holds only the captured
	// bytes.
	Data []byte

	// OrigLen is the length the datagram had before it was truncated to
	// the snapshot length. A Reader sets it to len(Data) for records that
	// were not truncated. A Writer records max(OrigLen, len(Data)) as the
	// original length, so zero means len(Data) and rewriting a packet
	// read from a capture keeps its original length.
	OrigLen int
}
