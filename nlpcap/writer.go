package nlpcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"time"
)

// Writer writes netlink datagrams to a pcap capture. It is safe for
// concurrent use by multiple goroutines; each record is written whole
// before the next one starts.
//
// A Writer does not buffer: each WritePacket makes two Write calls on the
// underlying io.Writer. Wrap a file in a bufio.Writer (and flush it before
// closing) when writing many packets.
type Writer struct {
	mu  sync.Mutex
	w   io.Writer
	err error // first write error; the capture is corrupt after it

	// hdr holds the record header and the cooked header of the packet
	// being written, so that WritePacket allocates nothing.
	hdr [recordHeaderLen + cookedHeaderLen]byte
}

// NewWriter writes the pcap file header to w and returns a Writer that
// appends records to it. The capture has nanosecond timestamps, snapshot
// length SnapLen and link type LINKTYPE_NETLINK, in this machine's byte
// order. It returns the error of the write, if any.
func NewWriter(w io.Writer) (*Writer, error) {
	var h [fileHeaderLen]byte
	ne := binary.NativeEndian
	ne.PutUint32(h[0:], magicNano)
	ne.PutUint16(h[4:], versionMajor)
	ne.PutUint16(h[6:], versionMinor)
	// thiszone and sigfigs (h[8:16]) stay zero.
	ne.PutUint32(h[16:], SnapLen)
	ne.PutUint32(h[20:], linkTypeNetlink)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("nlpcap: writing file header: %w", err)
	}
	return &Writer{w: w}, nil
}

var (
	errFamily = errors.New("family out of range 0-65535")
	errTime   = errors.New("time outside the pcap range 1970-2106")
)

// WritePacket appends p to the capture as one record. A datagram longer
// than SnapLen-16 bytes is truncated: the record holds its first bytes and
// keeps its full length as the original length, which tshark reports as,
// for instance, "300016 bytes on wire, 262144 bytes captured". The
// length of a record includes the 16-byte cooked header.
//
// WritePacket returns an error, writing nothing, if p.Family is not a
// 16-bit number or p.Time cannot be stored in a pcap record. If writing to
// the underlying io.Writer fails, the capture may end in a partial record:
// WritePacket returns that error and so does every later call.
func (w *Writer) WritePacket(p Packet) error {
	if p.Family < 0 || p.Family > math.MaxUint16 {
		return fmt.Errorf("nlpcap: writing packet: %w: %d", errFamily, p.Family)
	}
	t := p.Time
	if t.IsZero() {
		t = time.Now()
	}
	sec := t.Unix()
	if sec < 0 || sec > math.MaxUint32 {
		return fmt.Errorf("nlpcap: writing packet: %w: %v", errTime, t)
	}

	data := p.Data
	if len(data) > SnapLen-cookedHeaderLen {
		data = data[:SnapLen-cookedHeaderLen]
	}
	orig := int64(max(p.OrigLen, len(p.Data))) + cookedHeaderLen
	if orig > math.MaxUint32 {
		orig = math.MaxUint32
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}

	ne := binary.NativeEndian
	h := w.hdr[:]
	ne.PutUint32(h[0:], uint32(sec))
	ne.PutUint32(h[4:], uint32(t.Nanosecond()))
	ne.PutUint32(h[8:], uint32(len(data)+cookedHeaderLen))
	ne.PutUint32(h[12:], uint32(orig))

	// The cooked header is big-endian throughout, as nlmon and libpcap
	// lay it out; Wireshark reads the protocol field as a big-endian
	// netlink family.
	c := h[recordHeaderLen:]
	binary.BigEndian.PutUint16(c[0:], uint16(p.Direction))
	binary.BigEndian.PutUint16(c[2:], arphrdNetlink)
	binary.BigEndian.PutUint16(c[4:], 0) // link-layer address length
	clear(c[6:14])                       // link-layer address
	binary.BigEndian.PutUint16(c[14:], uint16(p.Family))

	if _, err := w.w.Write(h); err != nil {
		w.err = fmt.Errorf("nlpcap: writing packet: %w", err)
		return w.err
	}
	if len(data) == 0 {
		return nil
	}
	if _, err := w.w.Write(data); err != nil {
		w.err = fmt.Errorf("nlpcap: writing packet: %w", err)
		return w.err
	}
	return nil
}
