package nlpcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rawRecord is a pcap record spelled out field by field, so that tests can
// build captures a Writer would never produce.
type rawRecord struct {
	sec, frac, inclLen, origLen uint32
	body                        []byte // cooked header and data, or less
}

// rawCapture returns a pcap file in the given byte order.
func rawCapture(order binary.AppendByteOrder, magic, linkType uint32, records ...rawRecord) []byte {
	b := order.AppendUint32(nil, magic)
	b = order.AppendUint16(b, 2)
	b = order.AppendUint16(b, 4)
	b = order.AppendUint32(b, 0) // thiszone
	b = order.AppendUint32(b, 0) // sigfigs
	b = order.AppendUint32(b, SnapLen)
	b = order.AppendUint32(b, linkType)
	for _, r := range records {
		b = order.AppendUint32(b, r.sec)
		b = order.AppendUint32(b, r.frac)
		b = order.AppendUint32(b, r.inclLen)
		b = order.AppendUint32(b, r.origLen)
		b = append(b, r.body...)
	}
	return b
}

// cooked returns a Linux cooked header for netlink followed by data.
func cooked(pktType, family uint16, data []byte) []byte {
	be := binary.BigEndian
	b := be.AppendUint16(nil, pktType)
	b = be.AppendUint16(b, arphrdNetlink)
	b = be.AppendUint16(b, 0)
	b = append(b, make([]byte, 8)...)
	b = be.AppendUint16(b, family)
	return append(b, data...)
}

// record returns a whole, untruncated record for body.
func record(sec, frac uint32, body []byte) rawRecord {
	return rawRecord{sec, frac, uint32(len(body)), uint32(len(body)), body}
}

// readAll reads every packet of a capture, returning the first error
// other than io.EOF.
func readAll(b []byte) ([]Packet, error) {
	r, err := NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var ps []Packet
	for {
		p, err := r.Next()
		if err == io.EOF {
			return ps, nil
		}
		if err != nil {
			return ps, err
		}
		ps = append(ps, p)
	}
}

func TestRoundTrip(t *testing.T) {
	t0 := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	dump := append(newLinkMessage(), doneMessage()...)
	tests := []struct {
		name string
		in   []Packet
	}{
		{name: "no packets"},
		{
			name: "route dump and generic",
			in: []Packet{
				{Time: t0, Family: 0, Direction: Sent, Data: getLinkRequest()},
				{Time: t0.Add(time.Millisecond), Family: 0, Direction: Received, Data: dump},
				{Time: t0.Add(2 * time.Millisecond), Family: 16, Direction: Received, Data: nlctrlMessage()},
			},
		},
		{
			name: "empty datagram and odd values",
			in: []Packet{
				{Time: time.Unix(0, 0), Family: 65535, Direction: Direction(7), Data: []byte{}},
				{Time: time.Unix(1<<32-1, 999999999), Family: 31, Direction: Sent, Data: []byte{1}},
			},
		},
		{
			name: "local time zone",
			in: []Packet{
				{Time: t0.In(time.FixedZone("X", 3600)), Family: 9, Direction: Sent, Data: []byte{1, 2}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf)
			if err != nil {
				t.Fatalf("NewWriter: %v", err)
			}
			var want []Packet
			for _, p := range tt.in {
				if err := w.WritePacket(p); err != nil {
					t.Fatalf("WritePacket: %v", err)
				}
				p.OrigLen = len(p.Data)
				want = append(want, p)
			}
			got, err := readAll(buf.Bytes())
			if err != nil {
				t.Fatalf("reading capture: %v", err)
			}
			// cmp compares times with time.Time.Equal.
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("packets mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReaderFormats(t *testing.T) {
	data := getLinkRequest()
	tests := []struct {
		name  string
		order binary.AppendByteOrder
		magic uint32
		frac  uint32
		want  time.Time
	}{
		{
			name:  "little-endian microseconds",
			order: binary.LittleEndian, magic: magicMicro, frac: 123456,
			want: time.Unix(1700000000, 123456000),
		},
		{
			name:  "big-endian microseconds",
			order: binary.BigEndian, magic: magicMicro, frac: 123456,
			want: time.Unix(1700000000, 123456000),
		},
		{
			name:  "little-endian nanoseconds",
			order: binary.LittleEndian, magic: magicNano, frac: 123456789,
			want: time.Unix(1700000000, 123456789),
		},
		{
			name:  "big-endian nanoseconds",
			order: binary.BigEndian, magic: magicNano, frac: 123456789,
			want: time.Unix(1700000000, 123456789),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := cooked(uint16(Sent), 16, data)
			in := rawCapture(tt.order, tt.magic, linkTypeNetlink,
				record(1700000000, tt.frac, body),
				// A truncated record: 4 bytes of a 100-byte datagram.
				rawRecord{1700000001, 0, 20, 116, cooked(uint16(Received), 0, data[:4])},
			)
			got, err := readAll(in)
			if err != nil {
				t.Fatalf("reading capture: %v", err)
			}
			want := []Packet{
				{Time: tt.want, Family: 16, Direction: Sent, Data: data, OrigLen: len(data)},
				{Time: time.Unix(1700000001, 0), Family: 0, Direction: Received, Data: data[:4], OrigLen: 100},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("packets mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReaderErrors(t *testing.T) {
	le := binary.LittleEndian
	body := cooked(0, 0, getLinkRequest())
	valid := rawCapture(le, magicNano, linkTypeNetlink, record(1, 0, body))
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{name: "empty", in: nil, want: io.ErrUnexpectedEOF},
		{name: "short file header", in: valid[:10], want: io.ErrUnexpectedEOF},
		{
			name: "pcapng",
			in:   append([]byte{0x0a, 0x0d, 0x0d, 0x0a}, valid[4:]...),
			want: errMagic,
		},
		{
			name: "version 1",
			in:   append(append(valid[:4:4], 1, 0, 0, 0), valid[8:]...),
			want: errVersion,
		},
		{name: "ethernet", in: rawCapture(le, magicMicro, 1), want: errLinkType},
		{name: "no records", in: rawCapture(le, magicNano, linkTypeNetlink), want: nil},
		{name: "one record", in: valid, want: nil},
		{name: "short record header", in: valid[:fileHeaderLen+10], want: io.ErrUnexpectedEOF},
		{name: "short cooked header", in: valid[:fileHeaderLen+recordHeaderLen+5], want: io.ErrUnexpectedEOF},
		{name: "short data", in: valid[:len(valid)-1], want: io.ErrUnexpectedEOF},
		{
			name: "record shorter than cooked header",
			in:   rawCapture(le, magicNano, linkTypeNetlink, rawRecord{1, 0, 8, 8, body[:8]}),
			want: errRecord,
		},
		{
			name: "record longer than snapshot length",
			in:   rawCapture(le, magicNano, linkTypeNetlink, rawRecord{1, 0, SnapLen + 1, SnapLen + 1, body}),
			want: errRecord,
		},
		{
			name: "huge record length",
			in:   rawCapture(le, magicNano, linkTypeNetlink, rawRecord{1, 0, 0xffffffff, 0xffffffff, body}),
			want: errRecord,
		},
		{
			name: "error after a good record",
			in:   append(bytes.Clone(valid), 1, 2, 3),
			want: io.ErrUnexpectedEOF,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(tt.in)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestReaderEOFIsPlain(t *testing.T) {
	r, err := NewReader(bytes.NewReader(rawCapture(binary.BigEndian, magicMicro, linkTypeNetlink)))
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	for range 2 {
		if _, err := r.Next(); err != io.EOF {
			t.Errorf("Next error = %v, want io.EOF itself", err)
		}
	}
}

func TestDirectionString(t *testing.T) {
	tests := []struct {
		d    Direction
		want string
	}{
		{Received, "received"},
		{Sent, "sent"},
		{Direction(7), "Direction(7)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.d.String()); diff != "" {
				t.Errorf("String mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzReader checks that no input makes the Reader panic, and that what it
// reads survives a round trip through a Writer.
func FuzzReader(f *testing.F) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		f.Fatalf("NewWriter: %v", err)
	}
	for _, p := range []Packet{
		{Time: time.Unix(1700000000, 1), Family: 0, Direction: Sent, Data: getLinkRequest()},
		{Time: time.Unix(1700000000, 2), Family: 0, Direction: Received, Data: append(newLinkMessage(), doneMessage()...)},
		{Time: time.Unix(1700000000, 3), Family: 16, Direction: Received, Data: nlctrlMessage()},
	} {
		if err := w.WritePacket(p); err != nil {
			f.Fatalf("WritePacket: %v", err)
		}
	}
	f.Add(buf.Bytes())
	f.Add(rawCapture(binary.BigEndian, magicMicro, linkTypeNetlink,
		rawRecord{1, 2, 20, 116, cooked(7, 16, nlctrlMessage()[:4])}))

	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := readAll(in)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		w, err := NewWriter(&buf)
		if err != nil {
			t.Fatalf("NewWriter: %v", err)
		}
		for _, p := range got {
			if len(p.Data) > SnapLen-cookedHeaderLen {
				// The input claimed a larger snapshot length; a Writer
				// would truncate.
				return
			}
			if err := w.WritePacket(p); err != nil {
				if errors.Is(err, errTime) {
					// An out-of-range fraction carried the time past 2106.
					return
				}
				t.Fatalf("WritePacket(%+v): %v", p, err)
			}
		}
		again, err := readAll(buf.Bytes())
		if err != nil {
			t.Fatalf("reading rewritten capture: %v", err)
		}
		if diff := cmp.Diff(got, again); diff != "" {
			t.Errorf("rewritten packets mismatch (-want +got):\n%s", diff)
		}
	})
}
