package nlpcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// hostIsLittleEndian reports the byte order a Writer uses on this machine.
func hostIsLittleEndian() bool {
	return binary.NativeEndian.Uint16([]byte{1, 0}) == 1
}

// nativeBytes returns le on little-endian machines and be on big-endian
// ones, so that tests can spell out exact bytes for both.
func nativeBytes(le, be []byte) []byte {
	if hostIsLittleEndian() {
		return le
	}
	return be
}

func TestNewWriterHeader(t *testing.T) {
	var buf bytes.Buffer
	if _, err := NewWriter(&buf); err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	want := nativeBytes(
		[]byte{
			0x4d, 0x3c, 0xb2, 0xa1, // magic, nanosecond resolution
			0x02, 0x00, 0x04, 0x00, // version 2.4
			0x00, 0x00, 0x00, 0x00, // thiszone
			0x00, 0x00, 0x00, 0x00, // sigfigs
			0x00, 0x00, 0x04, 0x00, // snaplen 262144
			0xfd, 0x00, 0x00, 0x00, // LINKTYPE_NETLINK
		},
		[]byte{
			0xa1, 0xb2, 0x3c, 0x4d,
			0x00, 0x02, 0x00, 0x04,
			0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00,
			0x00, 0x04, 0x00, 0x00,
			0x00, 0x00, 0x00, 0xfd,
		},
	)
	if diff := cmp.Diff(want, buf.Bytes()); diff != "" {
		t.Errorf("file header mismatch (-want +got):\n%s", diff)
	}
}

func TestWritePacketRecord(t *testing.T) {
	data := []byte{0xde, 0xad, 0xbe, 0xef}
	tests := []struct {
		name string
		p    Packet
		want []byte // record after the file header
	}{
		{
			name: "sent route",
			p: Packet{
				Time:      time.Unix(0x01020304, 0x05060708),
				Family:    0,
				Direction: Sent,
				Data:      data,
			},
			want: nativeBytes(
				[]byte{
					0x04, 0x03, 0x02, 0x01, // ts_sec
					0x08, 0x07, 0x06, 0x05, // ts_nsec
					0x14, 0x00, 0x00, 0x00, // incl_len 20
					0x14, 0x00, 0x00, 0x00, // orig_len 20
					0x00, 0x04, // PACKET_OUTGOING
					0x03, 0x38, // ARPHRD_NETLINK
					0x00, 0x00, // address length
					0, 0, 0, 0, 0, 0, 0, 0, // address
					0x00, 0x00, // NETLINK_ROUTE
					0xde, 0xad, 0xbe, 0xef,
				},
				[]byte{
					0x01, 0x02, 0x03, 0x04,
					0x05, 0x06, 0x07, 0x08,
					0x00, 0x00, 0x00, 0x14,
					0x00, 0x00, 0x00, 0x14,
					0x00, 0x04,
					0x03, 0x38,
					0x00, 0x00,
					0, 0, 0, 0, 0, 0, 0, 0,
					0x00, 0x00,
					0xde, 0xad, 0xbe, 0xef,
				},
			),
		},
		{
			name: "received generic with original length",
			p: Packet{
				Time:      time.Unix(1, 2),
				Family:    16,
				Direction: Received,
				Data:      data,
				OrigLen:   100,
			},
			want: nativeBytes(
				[]byte{
					0x01, 0x00, 0x00, 0x00,
					0x02, 0x00, 0x00, 0x00,
					0x14, 0x00, 0x00, 0x00, // incl_len 20
					0x74, 0x00, 0x00, 0x00, // orig_len 116
					0x00, 0x00, // PACKET_HOST
					0x03, 0x38,
					0x00, 0x00,
					0, 0, 0, 0, 0, 0, 0, 0,
					0x00, 0x10, // NETLINK_GENERIC
					0xde, 0xad, 0xbe, 0xef,
				},
				[]byte{
					0x00, 0x00, 0x00, 0x01,
					0x00, 0x00, 0x00, 0x02,
					0x00, 0x00, 0x00, 0x14,
					0x00, 0x00, 0x00, 0x74,
					0x00, 0x00,
					0x03, 0x38,
					0x00, 0x00,
					0, 0, 0, 0, 0, 0, 0, 0,
					0x00, 0x10,
					0xde, 0xad, 0xbe, 0xef,
				},
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf)
			if err != nil {
				t.Fatalf("NewWriter: %v", err)
			}
			if err := w.WritePacket(tt.p); err != nil {
				t.Fatalf("WritePacket: %v", err)
			}
			if diff := cmp.Diff(tt.want, buf.Bytes()[fileHeaderLen:]); diff != "" {
				t.Errorf("record mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWritePacketTruncates(t *testing.T) {
	tests := []struct {
		name        string
		dataLen     int
		wantInclLen uint32
		wantOrigLen uint32
	}{
		{name: "empty", dataLen: 0, wantInclLen: 16, wantOrigLen: 16},
		{name: "fits exactly", dataLen: SnapLen - 16, wantInclLen: SnapLen, wantOrigLen: SnapLen},
		{name: "one byte over", dataLen: SnapLen - 15, wantInclLen: SnapLen, wantOrigLen: SnapLen + 1},
		{name: "large", dataLen: 300000, wantInclLen: SnapLen, wantOrigLen: 300016},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := make([]byte, tt.dataLen)
			for i := range data {
				data[i] = byte(i)
			}
			var buf bytes.Buffer
			w, err := NewWriter(&buf)
			if err != nil {
				t.Fatalf("NewWriter: %v", err)
			}
			if err := w.WritePacket(Packet{Time: time.Unix(1, 0), Data: data}); err != nil {
				t.Fatalf("WritePacket: %v", err)
			}
			rec := buf.Bytes()[fileHeaderLen:]
			type lengths struct{ Incl, Orig, Record uint32 }
			want := lengths{tt.wantInclLen, tt.wantOrigLen, recordHeaderLen + tt.wantInclLen}
			got := lengths{
				binary.NativeEndian.Uint32(rec[8:]),
				binary.NativeEndian.Uint32(rec[12:]),
				uint32(len(rec)),
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("lengths mismatch (-want +got):\n%s", diff)
			}

			r, err := NewReader(&buf)
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			p, err := r.Next()
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			// bytes.Equal: cmp.Diff of 256 KiB slices takes seconds.
			if want := data[:tt.wantInclLen-cookedHeaderLen]; !bytes.Equal(p.Data, want) {
				t.Errorf("read back %d bytes, want the first %d bytes of the datagram", len(p.Data), len(want))
			}
			if diff := cmp.Diff(tt.dataLen, p.OrigLen); diff != "" {
				t.Errorf("OrigLen mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWritePacketErrors(t *testing.T) {
	tests := []struct {
		name string
		p    Packet
		want error
	}{
		{name: "negative family", p: Packet{Time: time.Unix(1, 0), Family: -1}, want: errFamily},
		{name: "family too large", p: Packet{Time: time.Unix(1, 0), Family: 1 << 16}, want: errFamily},
		{name: "before 1970", p: Packet{Time: time.Unix(-1, 0)}, want: errTime},
		{name: "after 2106", p: Packet{Time: time.Unix(1<<32, 0)}, want: errTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf)
			if err != nil {
				t.Fatalf("NewWriter: %v", err)
			}
			err = w.WritePacket(tt.p)
			if !errors.Is(err, tt.want) {
				t.Errorf("WritePacket error = %v, want %v", err, tt.want)
			}
			if diff := cmp.Diff(fileHeaderLen, buf.Len()); diff != "" {
				t.Errorf("bytes written mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWritePacketZeroTimeIsNow(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	before := time.Now().Truncate(time.Second)
	if err := w.WritePacket(Packet{Data: []byte{1}}); err != nil {
		t.Fatalf("WritePacket: %v", err)
	}
	after := time.Now()
	r, err := NewReader(&buf)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	p, err := r.Next()
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if p.Time.Before(before) || p.Time.After(after) {
		t.Errorf("Time = %v, want between %v and %v", p.Time, before, after)
	}
}

// failingWriter accepts n writes and fails the rest.
type failingWriter struct {
	n   int
	err error
}

func (f *failingWriter) Write(b []byte) (int, error) {
	if f.n == 0 {
		return 0, f.err
	}
	f.n--
	return len(b), nil
}

func TestWriterWriteErrors(t *testing.T) {
	errDisk := errors.New("disk full")

	if _, err := NewWriter(&failingWriter{err: errDisk}); !errors.Is(err, errDisk) {
		t.Errorf("NewWriter error = %v, want %v", err, errDisk)
	}

	// The file header and one record header succeed; the data fails.
	fw := &failingWriter{n: 2, err: errDisk}
	w, err := NewWriter(fw)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	p := Packet{Time: time.Unix(1, 0), Data: []byte{1, 2, 3, 4}}
	if err := w.WritePacket(p); !errors.Is(err, errDisk) {
		t.Errorf("first WritePacket error = %v, want %v", err, errDisk)
	}
	// The capture now ends in a partial record: later writes must not
	// append to it even if the underlying writer recovers.
	fw.n = 100
	if err := w.WritePacket(p); !errors.Is(err, errDisk) {
		t.Errorf("second WritePacket error = %v, want %v", err, errDisk)
	}
	if diff := cmp.Diff(100, fw.n); diff != "" {
		t.Errorf("writes after failure mismatch (-want +got):\n%s", diff)
	}
}

func TestWriterConcurrent(t *testing.T) {
	const goroutines, perGoroutine = 8, 50
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			data := bytes.Repeat([]byte{byte(g)}, 20+g)
			for range perGoroutine {
				if err := w.WritePacket(Packet{Time: time.Unix(1, 0), Family: g, Data: data}); err != nil {
					t.Errorf("WritePacket: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()

	r, err := NewReader(&buf)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	counts := make(map[int]int)
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		// An interleaved record would mix bytes of two goroutines.
		if want := bytes.Repeat([]byte{byte(p.Family)}, 20+p.Family); !bytes.Equal(p.Data, want) {
			t.Fatalf("record of family %d has data %x", p.Family, p.Data)
		}
		counts[p.Family]++
	}
	want := make(map[int]int)
	for g := range goroutines {
		want[g] = perGoroutine
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("records per goroutine mismatch (-want +got):\n%s", diff)
	}
}

func BenchmarkWritePacket(b *testing.B) {
	w, err := NewWriter(io.Discard)
	if err != nil {
		b.Fatalf("NewWriter: %v", err)
	}
	p := Packet{
		Time:      time.Unix(1700000000, 0),
		Family:    0,
		Direction: Received,
		Data:      newLinkMessage(),
	}
	b.SetBytes(int64(recordHeaderLen + cookedHeaderLen + len(p.Data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := w.WritePacket(p); err != nil {
			b.Fatalf("WritePacket: %v", err)
		}
	}
}
