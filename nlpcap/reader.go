package nlpcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// maxRecordLen bounds the records a Reader accepts whatever snapshot length
// a capture claims, so that a corrupt length cannot exhaust memory.
const maxRecordLen = 64 << 20

// readChunk is how much record data a Reader reads at a time, so that a
// corrupt length makes it fail at the end of the input rather than
// allocate the claimed length up front.
const readChunk = 64 << 10

var (
	errMagic    = errors.New("not a pcap file")
	errVersion  = errors.New("unsupported pcap version")
	errLinkType = errors.New("link type is not LINKTYPE_NETLINK (253)")
	errRecord   = errors.New("malformed record")
)

// Reader reads netlink datagrams from a pcap capture with link type
// LINKTYPE_NETLINK, such as one written by a Writer or recorded on an
// nlmon device. It accepts either byte order and both microsecond and
// nanosecond timestamps. A Reader is not safe for concurrent use.
type Reader struct {
	r        io.Reader
	order    binary.ByteOrder
	nano     bool
	maxLen   int // largest record length accepted
	hdr      [recordHeaderLen]byte
	recordNo int
}

// NewReader reads the pcap file header from r and returns a Reader of the
// records that follow. It returns an error if the header is truncated, is
// not a pcap header (a pcapng file, for instance), has a major version
// other than 2 or a link type other than LINKTYPE_NETLINK.
func NewReader(r io.Reader) (*Reader, error) {
	var h [fileHeaderLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("nlpcap: reading file header: %w", err)
	}

	rd := &Reader{r: r}
	switch {
	case binary.LittleEndian.Uint32(h[0:]) == magicMicro:
		rd.order = binary.LittleEndian
	case binary.LittleEndian.Uint32(h[0:]) == magicNano:
		rd.order, rd.nano = binary.LittleEndian, true
	case binary.BigEndian.Uint32(h[0:]) == magicMicro:
		rd.order = binary.BigEndian
	case binary.BigEndian.Uint32(h[0:]) == magicNano:
		rd.order, rd.nano = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("nlpcap: reading file header: %w: magic number %#08x",
			errMagic, binary.BigEndian.Uint32(h[0:]))
	}

	if major := rd.order.Uint16(h[4:]); major != versionMajor {
		return nil, fmt.Errorf("nlpcap: reading file header: %w: %d.%d",
			errVersion, major, rd.order.Uint16(h[6:]))
	}
	// The upper bits of the link type field carry FCS information that
	// does not apply to netlink.
	if lt := rd.order.Uint32(h[20:]) & 0xffff; lt != linkTypeNetlink {
		return nil, fmt.Errorf("nlpcap: reading file header: %w: %d", errLinkType, lt)
	}
	rd.maxLen = int(min(max(uint64(rd.order.Uint32(h[16:])), SnapLen), maxRecordLen))
	return rd, nil
}

// Next reads the next record and returns its datagram, with Time in UTC.
// The returned Data is newly allocated and belongs to the caller.
//
// Next returns io.EOF when the capture ends after a whole record. It
// returns an error wrapping io.ErrUnexpectedEOF if the capture ends
// inside a record, and an error for a record too short to hold the cooked
// header or longer than the snapshot length (at least SnapLen) allows.
func (r *Reader) Next() (Packet, error) {
	r.recordNo++
	if _, err := io.ReadFull(r.r, r.hdr[:]); err != nil {
		if err == io.EOF {
			return Packet{}, io.EOF
		}
		return Packet{}, r.errorf("%w", err)
	}
	sec := r.order.Uint32(r.hdr[0:])
	frac := r.order.Uint32(r.hdr[4:])
	inclLen := r.order.Uint32(r.hdr[8:])
	origLen := r.order.Uint32(r.hdr[12:])

	if inclLen < cookedHeaderLen {
		return Packet{}, r.errorf("%w: %d bytes cannot hold the %d-byte cooked header",
			errRecord, inclLen, cookedHeaderLen)
	}
	if uint64(inclLen) > uint64(r.maxLen) {
		return Packet{}, r.errorf("%w: %d bytes exceed the snapshot length %d",
			errRecord, inclLen, r.maxLen)
	}

	var c [cookedHeaderLen]byte
	if _, err := io.ReadFull(r.r, c[:]); err != nil {
		return Packet{}, r.errorf("%w", unexpected(err))
	}
	data, err := readData(r.r, int(inclLen)-cookedHeaderLen)
	if err != nil {
		return Packet{}, r.errorf("%w", unexpected(err))
	}

	nsec := int64(frac)
	if !r.nano {
		nsec *= int64(time.Microsecond)
	}
	orig := len(data)
	if origLen >= cookedHeaderLen {
		orig = max(orig, int(origLen-cookedHeaderLen))
	}
	return Packet{
		Time:      time.Unix(int64(sec), nsec).UTC(),
		Family:    int(binary.BigEndian.Uint16(c[14:])),
		Direction: Direction(binary.BigEndian.Uint16(c[0:])),
		Data:      data,
		OrigLen:   orig,
	}, nil
}

// errorf returns an error that names the record being read.
func (r *Reader) errorf(format string, args ...any) error {
	return fmt.Errorf("nlpcap: reading record %d: "+format, append([]any{r.recordNo}, args...)...)
}

// unexpected turns io.EOF inside a record into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readData reads n bytes of record data, growing its buffer as the bytes
// arrive rather than trusting n for one allocation.
func readData(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, readChunk))
	for len(buf) < n {
		m := min(n-len(buf), readChunk)
		buf = slices.Grow(buf, m)
		if _, err := io.ReadFull(r, buf[len(buf):len(buf)+m]); err != nil {
			return nil, err
		}
		buf = buf[:len(buf)+m]
	}
	return buf, nil
}
