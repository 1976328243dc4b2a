package netlink

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// wireHeader returns the native-endian wire form of a netlink message
// header followed by data.
func wireHeader(length uint32, typ HeaderType, flags HeaderFlags, seq, pid uint32, data ...byte) []byte {
	b := binary.NativeEndian.AppendUint32(nil, length)
	b = binary.NativeEndian.AppendUint16(b, uint16(typ))
	b = binary.NativeEndian.AppendUint16(b, uint16(flags))
	b = binary.NativeEndian.AppendUint32(b, seq)
	b = binary.NativeEndian.AppendUint32(b, pid)
	return append(b, data...)
}

func TestHeaderTypeString(t *testing.T) {
	tests := []struct {
		name string
		t    HeaderType
		want string
	}{
		{name: "noop", t: Noop, want: "noop"},
		{name: "error", t: Error, want: "error"},
		{name: "done", t: Done, want: "done"},
		{name: "overrun", t: Overrun, want: "overrun"},
		{name: "zero", t: 0, want: "unknown(0)"},
		{name: "five", t: 5, want: "unknown(5)"},
		{name: "RTM_NEWLINK", t: 16, want: "unknown(16)"},
		{name: "max", t: 0xffff, want: "unknown(65535)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.t.String()); diff != "" {
				t.Fatalf("unexpected string (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHeaderFlagsString(t *testing.T) {
	tests := []struct {
		name string
		f    HeaderFlags
		want string
	}{
		{name: "zero", f: 0, want: "0"},
		{name: "request", f: Request, want: "request"},
		{name: "multi", f: Multi, want: "multi"},
		{name: "acknowledge", f: Acknowledge, want: "acknowledge"},
		{name: "echo", f: Echo, want: "echo"},
		{name: "dump interrupted", f: DumpInterrupted, want: "dumpinterrupted"},
		{name: "dump filtered", f: DumpFiltered, want: "dumpfiltered"},
		{name: "request ack", f: Request | Acknowledge, want: "request|acknowledge"},
		{
			name: "all six low bits",
			f:    Request | Multi | Acknowledge | Echo | DumpInterrupted | DumpFiltered,
			want: "request|multi|acknowledge|echo|dumpinterrupted|dumpfiltered",
		},
		{name: "dump request", f: Request | Dump, want: "request|0x300"},
		{name: "create request", f: Request | Acknowledge | Create | Excl, want: "request|acknowledge|0x600"},
		{name: "capped ack with TLVs", f: Capped | AcknowledgeTLVs, want: "0x300"},
		{name: "bit 6 only", f: 0x40, want: "0x40"},
		{name: "append only", f: Append, want: "0x800"},
		{name: "all bits", f: 0xffff, want: "request|multi|acknowledge|echo|dumpinterrupted|dumpfiltered|0xffc0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.f.String()); diff != "" {
				t.Fatalf("unexpected string (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMessageMarshalBinary(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want []byte
		err  error
	}{
		{name: "length zero", m: Message{}, err: errMessageLength},
		{name: "length below header", m: Message{Header: Header{Length: 15}}, err: errMessageLength},
		{name: "length 4", m: Message{Header: Header{Length: 4}, Data: []byte{1, 2, 3, 4}}, err: errMessageLength},
		{name: "length 17 not aligned", m: Message{Header: Header{Length: 17}, Data: []byte{1}}, err: errMessageLength},
		{name: "length 18 not aligned", m: Message{Header: Header{Length: 18}, Data: []byte{1, 2}}, err: errMessageLength},
		{name: "length 23 not aligned", m: Message{Header: Header{Length: 23}, Data: make([]byte, 7)}, err: errMessageLength},
		{
			name: "header only",
			m: Message{Header: Header{
				Length:   16,
				Type:     Done,
				Flags:    Request | Multi,
				Sequence: 0x01020304,
				PID:      0x0a0b0c0d,
			}},
			want: wireHeader(16, Done, Request|Multi, 0x01020304, 0x0a0b0c0d),
		},
		{
			name: "aligned data",
			m: Message{
				Header: Header{Length: 24, Type: 16, Flags: Request | Acknowledge, Sequence: 1, PID: 2},
				Data:   []byte{1, 2, 3, 4, 5, 6, 7, 8},
			},
			want: wireHeader(24, 16, Request|Acknowledge, 1, 2, 1, 2, 3, 4, 5, 6, 7, 8),
		},
		{
			name: "data padded to length",
			m: Message{
				Header: Header{Length: 24, Type: 18},
				Data:   []byte{1, 2, 3, 4, 5},
			},
			want: wireHeader(24, 18, 0, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0),
		},
		{
			name: "length beyond data",
			m:    Message{Header: Header{Length: 32}},
			want: wireHeader(32, 0, 0, 0, 0, make([]byte, 16)...),
		},
		{
			name: "data cut at length",
			m: Message{
				Header: Header{Length: 20},
				Data:   []byte{1, 2, 3, 4, 5, 6, 7, 8},
			},
			want: wireHeader(20, 0, 0, 0, 0, 1, 2, 3, 4),
		},
		{
			name: "maximum header fields",
			m: Message{Header: Header{
				Length:   16,
				Type:     0xffff,
				Flags:    0xffff,
				Sequence: 0xffffffff,
				PID:      0xffffffff,
			}},
			want: wireHeader(16, 0xffff, 0xffff, 0xffffffff, 0xffffffff),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.m.MarshalBinary()
			if !errors.Is(err, tt.err) {
				t.Fatalf("unexpected error: want %v, got %v", tt.err, err)
			}
			if err != nil {
				if got != nil {
					t.Fatalf("want nil bytes with an error, got %v", got)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected bytes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMessageUnmarshalBinary(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want Message
		err  error
	}{
		{name: "nil", b: nil, err: errShortMessage},
		{name: "empty", b: []byte{}, err: errShortMessage},
		{name: "short", b: make([]byte, 15), err: errShortMessage},
		{name: "unaligned 17", b: wireHeader(16, 0, 0, 0, 0, 1), err: errUnalignedMessage},
		{name: "unaligned 18", b: wireHeader(18, 0, 0, 0, 0, 1, 2), err: errUnalignedMessage},
		// As in v1, a header length out of range is "not enough data".
		{name: "length zero", b: wireHeader(0, 0, 0, 0, 0), err: errShortMessage},
		{name: "length below header", b: wireHeader(15, 0, 0, 0, 0, 0, 0, 0, 0), err: errShortMessage},
		{name: "length beyond buffer", b: wireHeader(24, 0, 0, 0, 0, 1, 2, 3, 4), err: errShortMessage},
		{name: "huge length", b: wireHeader(0xffffffff, 0, 0, 0, 0), err: errShortMessage},
		{
			name: "header only",
			b:    wireHeader(16, Noop, Request, 1, 2),
			want: Message{
				Header: Header{Length: 16, Type: Noop, Flags: Request, Sequence: 1, PID: 2},
				Data:   []byte{},
			},
		},
		{
			name: "data",
			b:    wireHeader(24, 16, Multi, 0xdeadbeef, 0xcafe, 1, 2, 3, 4, 5, 6, 7, 8),
			want: Message{
				Header: Header{Length: 24, Type: 16, Flags: Multi, Sequence: 0xdeadbeef, PID: 0xcafe},
				Data:   []byte{1, 2, 3, 4, 5, 6, 7, 8},
			},
		},
		{
			name: "unaligned length inside buffer",
			b:    wireHeader(21, 16, 0, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0),
			want: Message{
				Header: Header{Length: 21, Type: 16},
				Data:   []byte{1, 2, 3, 4, 5},
			},
		},
		{
			name: "trailing bytes after length",
			b:    wireHeader(20, Error, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9),
			want: Message{
				Header: Header{Length: 20, Type: Error},
				Data:   []byte{1, 2, 3, 4},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Message
			err := got.UnmarshalBinary(tt.b)
			if !errors.Is(err, tt.err) {
				t.Fatalf("unexpected error: want %v, got %v", tt.err, err)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMessageUnmarshalBinaryAliasesInput(t *testing.T) {
	b := wireHeader(20, 16, 0, 0, 0, 1, 2, 3, 4)
	var m Message
	if err := m.UnmarshalBinary(b); err != nil {
		t.Fatalf("failed to unmarshal: %v", err)
	}
	b[16] = 0xff
	if diff := cmp.Diff([]byte{0xff, 2, 3, 4}, m.Data); diff != "" {
		t.Fatalf("Data does not alias the input (-want +got):\n%s", diff)
	}
}

func TestMessageRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		m    Message
	}{
		{
			name: "header only",
			m:    Message{Header: Header{Length: 16, Type: Done, Flags: Multi, Sequence: 7, PID: 8}, Data: []byte{}},
		},
		{
			name: "request",
			m: Message{
				Header: Header{Length: 32, Type: 18, Flags: Request | Acknowledge | Create | Excl, Sequence: 1, PID: 0},
				Data:   []byte{0, 0, 0, 0, 1, 0, 0, 0, 8, 0, 3, 0, 'l', 'o', 0, 0},
			},
		},
		{
			name: "error",
			m: Message{
				Header: Header{Length: 36, Type: Error, Flags: Capped, Sequence: 0xffffffff, PID: 0xffffffff},
				Data:   wireHeader(16, 16, Request, 0xffffffff, 0xffffffff, 0xfe, 0xff, 0xff, 0xff),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.m.MarshalBinary()
			if err != nil {
				t.Fatalf("failed to marshal: %v", err)
			}
			var got Message
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatalf("failed to unmarshal: %v", err)
			}
			if diff := cmp.Diff(tt.m, got); diff != "" {
				t.Fatalf("unexpected message (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMessageErrorTexts checks the errors of Message against v1's exact
// texts, and that, as in v1, a failed UnmarshalBinary has already stored
// Header.Length.
func TestMessageErrorTexts(t *testing.T) {
	tests := []struct {
		name       string
		do         func(m *Message) error
		want       string
		wantLength uint32
	}{
		{
			name: "marshal length below header",
			do:   func(m *Message) error { _, err := Message{Header: Header{Length: 12}}.MarshalBinary(); return err },
			want: "netlink message header length incorrect",
		},
		{
			name: "marshal unaligned length",
			do:   func(m *Message) error { _, err := Message{Header: Header{Length: 17}}.MarshalBinary(); return err },
			want: "netlink message header length incorrect",
		},
		{
			name: "unmarshal short",
			do:   func(m *Message) error { return m.UnmarshalBinary(make([]byte, 12)) },
			want: "not enough data to create a netlink message",
		},
		{
			name: "unmarshal unaligned",
			do:   func(m *Message) error { return m.UnmarshalBinary(wireHeader(16, 0, 0, 0, 0, 1)) },
			want: "input data is not properly aligned for netlink message",
		},
		{
			name:       "unmarshal length below header",
			do:         func(m *Message) error { return m.UnmarshalBinary(wireHeader(8, 0, 0, 0, 0)) },
			want:       "not enough data to create a netlink message",
			wantLength: 8,
		},
		{
			name:       "unmarshal length beyond buffer",
			do:         func(m *Message) error { return m.UnmarshalBinary(wireHeader(20, 0, 0, 0, 0)) },
			want:       "not enough data to create a netlink message",
			wantLength: 20,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Message
			checkError(t, errorWithText(tt.want), tt.do(&m))
			if diff := cmp.Diff(tt.wantLength, m.Header.Length); diff != "" {
				t.Fatalf("unexpected Header.Length (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseMessages checks the datagram parser of the Conn against what
// v1 does with the same datagram: v1 reads it from a zeroed buffer whose
// length is rounded up to 4 bytes, and ignores fewer trailing bytes than a
// header.
func TestParseMessages(t *testing.T) {
	ack := wireHeader(20, Error, 0, 1, 0, 0, 0, 0, 0)
	ackMessage := Message{Header: Header{Length: 20, Type: Error, Sequence: 1}, Data: []byte{0, 0, 0, 0}}
	tests := []struct {
		name string
		b    []byte
		want []Message
		err  string
	}{
		{name: "empty", b: nil, want: []Message{}},
		{name: "shorter than a header", b: make([]byte, 12), want: []Message{}},
		{
			// Padded to 16 bytes, as in v1, and read as a header.
			name: "padded to a header",
			b:    make([]byte, 13),
			err:  "netlink message header length incorrect",
		},
		{name: "one", b: ack, want: []Message{ackMessage}},
		{
			name: "two",
			b:    slices.Concat(wireHeader(17, 16, Multi, 1, 0, 7, 0, 0, 0), ack),
			want: []Message{
				{Header: Header{Length: 17, Type: 16, Flags: Multi, Sequence: 1}, Data: []byte{7}},
				ackMessage,
			},
		},
		{name: "4 trailing bytes ignored", b: slices.Concat(ack, []byte{1, 2, 3, 4}), want: []Message{ackMessage}},
		{name: "12 trailing bytes ignored", b: slices.Concat(ack, make([]byte, 12)), want: []Message{ackMessage}},
		{
			name: "15 trailing bytes padded to a header",
			b:    slices.Concat(ack, make([]byte, 15)),
			err:  "netlink message header length incorrect",
		},
		{
			name: "last message not padded",
			b:    wireHeader(17, 16, 0, 1, 0, 7),
			want: []Message{{Header: Header{Length: 17, Type: 16, Sequence: 1}, Data: []byte{7}}},
		},
		{
			// The datagram is 17 bytes; v1 reads the length 19 in the
			// 20-byte zeroed buffer.
			name: "length within the padding",
			b:    wireHeader(19, 16, 0, 1, 0, 7),
			want: []Message{{Header: Header{Length: 19, Type: 16, Sequence: 1}, Data: []byte{7, 0, 0}}},
		},
		{name: "length beyond the padding", b: wireHeader(21, 16, 0, 1, 0, 7), err: "not enough data to create a netlink message"},
		{name: "length zero", b: wireHeader(0, 16, 0, 1, 0), err: "netlink message header length incorrect"},
		{name: "length below header", b: wireHeader(15, 16, 0, 1, 0), err: "netlink message header length incorrect"},
		{
			name: "bad trailing header",
			b:    slices.Concat(ack, wireHeader(64, 16, 0, 1, 0)),
			err:  "not enough data to create a netlink message",
		},
		{
			name: "not netlink",
			b:    []byte("add@/devices/virtual/net/x\x00ACTION=add\x00"),
			err:  "not enough data to create a netlink message",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMessages(tt.b)
			if tt.err != "" {
				checkError(t, errorWithText(tt.err), err)
				return
			}
			if err != nil {
				t.Fatalf("failed to parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("unexpected messages (-want +got):\n%s", diff)
			}
		})
	}
}
