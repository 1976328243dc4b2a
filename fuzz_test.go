package netlink

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The seed corpus under testdata/fuzz holds real kernel messages: an
// RTM_NEWLINK for lo, an RTM_NEWROUTE, the generic netlink CTRL_CMD_GETFAMILY
// reply for "nlctrl", a Done, a plain ACK and error ACKs with extended ACK
// attributes (with and without NLM_F_CAPPED). The attribute fuzzers get the
// attributes after each family header.

func FuzzMessageUnmarshal(f *testing.F) {
	f.Add(wireHeader(16, Done, Multi, 1, 0))
	f.Add(wireHeader(20, Error, 0, 1, 0, 0, 0, 0, 0))
	f.Add(wireHeader(21, 16, Request, 1, 0, 1, 2, 3, 4, 5, 0, 0, 0))
	f.Add(slices.Concat(wireHeader(20, Noop, 0, 1, 0, 1, 2, 3, 4), wireHeader(16, Done, 0, 2, 0)))

	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		if err := m.UnmarshalBinary(b); err == nil {
			if len(m.Data) != int(m.Header.Length)-nlmsgHeaderLen {
				t.Fatalf("Data is %d bytes for header length %d", len(m.Data), m.Header.Length)
			}

			c := Message{Header: m.Header, Data: bytes.Clone(m.Data)}
			c.Header.Length = uint32(nlmsgAlign(nlmsgHeaderLen + len(c.Data)))
			out, err := c.MarshalBinary()
			if err != nil {
				t.Fatalf("failed to marshal a decoded message: %v", err)
			}
			var got Message
			if err := got.UnmarshalBinary(out); err != nil {
				t.Fatalf("failed to unmarshal a marshaled message: %v", err)
			}
			want := c
			want.Data = append(want.Data, make([]byte, int(c.Header.Length)-nlmsgHeaderLen-len(c.Data))...)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("unexpected round trip (-want +got):\n%s", diff)
			}
		}

		// The datagram parser of the Conn reads the same bytes.
		msgs, err := parseMessages(b)
		if err != nil {
			return
		}
		for _, m := range msgs {
			if len(m.Data) != int(m.Header.Length)-nlmsgHeaderLen {
				t.Fatalf("Data is %d bytes for header length %d", len(m.Data), m.Header.Length)
			}
		}

		// A socket's arena reads them alike, and the messages of two
		// datagrams read one after the other make one reply.
		var a messageArena
		r := newReply(Request|Dump, false)
		for range 2 {
			got, err := a.parse(b)
			if err != nil {
				t.Fatalf("the arena failed to parse what parseMessages parsed: %v", err)
			}
			if !sameMessages(msgs, got) {
				t.Fatalf("arena and parseMessages differ (-parseMessages +arena):\n%s", cmp.Diff(msgs, got))
			}
			r.keep(got)
		}
		if want, got := slices.Concat(msgs, msgs), r.messages(false); !sameMessages(want, got) {
			t.Fatalf("reply of two datagrams (-want +got):\n%s", cmp.Diff(want, got))
		}
	})
}

// sameMessages reports whether a and b hold the same messages; unlike
// cmp.Diff, it is cheap enough to run on every fuzz input.
func sameMessages(a, b []Message) bool {
	return slices.EqualFunc(a, b, func(x, y Message) bool {
		return x.Header == y.Header && bytes.Equal(x.Data, y.Data)
	})
}

// fuzzMaxDepth bounds the recursion into nested attributes.
const fuzzMaxDepth = 16

// fuzzReaders read the current attribute in every way a caller can.
var fuzzReaders = []func(ad *AttributeDecoder){
	func(ad *AttributeDecoder) { _ = ad.Bytes() },
	func(ad *AttributeDecoder) { _ = ad.String() },
	func(ad *AttributeDecoder) { _ = ad.Uint8() },
	func(ad *AttributeDecoder) { _ = ad.Uint16() },
	func(ad *AttributeDecoder) { _ = ad.Uint32() },
	func(ad *AttributeDecoder) { _ = ad.Uint64() },
	func(ad *AttributeDecoder) { _ = ad.Int8() },
	func(ad *AttributeDecoder) { _ = ad.Int16() },
	func(ad *AttributeDecoder) { _ = ad.Int32() },
	func(ad *AttributeDecoder) { _ = ad.Int64() },
	func(ad *AttributeDecoder) { _ = ad.Uint() },
	func(ad *AttributeDecoder) { _ = ad.Sint() },
	func(ad *AttributeDecoder) { _ = ad.Flag() },
	func(ad *AttributeDecoder) { ad.Do(func([]byte) error { return nil }) },
}

// fuzzDecoderOn returns a fresh decoder positioned on a copy of the
// attribute raw (header, data and whatever padding b had), followed by a
// flag attribute so that Next has something left to refuse after an error.
func fuzzDecoderOn(t *testing.T, raw []byte, order binary.ByteOrder) *AttributeDecoder {
	t.Helper()
	b := append(bytes.Clone(raw), make([]byte, nlaAlign(len(raw))-len(raw))...)
	b = append(b, wireAttr(1)...)
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		t.Fatalf("decoder failed on an attribute it accepted before: %v", err)
	}
	ad.ByteOrder = order
	if !ad.Next() {
		t.Fatalf("attribute vanished: %v", ad.Err())
	}
	return ad
}

// fuzzWalkAttributes decodes b in every way, recursing into attributes
// whose payload parses as attributes. It fails t on broken invariants; a
// decoding error is fine.
func fuzzWalkAttributes(t *testing.T, b []byte, order binary.ByteOrder, depth int) {
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		return
	}
	ad.ByteOrder = order

	nonZero := 0
	for i := 0; ad.Next(); i++ {
		if ad.TypeFlags()&^(Nested|NetByteOrder) != 0 || ad.Type()&(Nested|NetByteOrder) != 0 {
			t.Fatalf("type %#x and flags %#x overlap", ad.Type(), ad.TypeFlags())
		}
		data := ad.Bytes()
		if ad.length != 0 {
			nonZero++
			if len(data) != int(ad.length)-nlaHeaderLen {
				t.Fatalf("attribute %d: %d bytes of data for length %d", i, len(data), ad.length)
			}
		}
		if s := ad.String(); strings.HasSuffix(s, "\x00") {
			t.Fatalf("attribute %d: String kept a trailing NUL: %q", i, s)
		}

		raw := b[ad.start-nlaHeaderLen : min(ad.next, len(b))]
		for _, read := range fuzzReaders {
			fresh := fuzzDecoderOn(t, raw, order)
			read(fresh)
			if fresh.Err() != nil && fresh.Next() {
				t.Fatalf("attribute %d: Next returned true after error %v", i, fresh.Err())
			}
		}

		if depth >= fuzzMaxDepth {
			continue
		}
		if _, err := UnmarshalAttributes(data); err != nil {
			continue
		}
		fresh := fuzzDecoderOn(t, raw, order)
		fresh.Nested(func(nad *AttributeDecoder) error {
			if nad.ByteOrder != order {
				t.Fatalf("nested decoder did not inherit ByteOrder")
			}
			for nad.Next() {
				_ = nad.Type()
				_ = nad.Bytes()
			}
			return nad.Err()
		})
		if err := fresh.Err(); err != nil {
			t.Fatalf("attribute %d: Nested failed on valid attributes: %v", i, err)
		}
		fuzzWalkAttributes(t, data, order, depth+1)
	}
	if err := ad.Err(); err != nil {
		// As in v1, a bad length is reported when Next reaches it, after
		// the good attributes before it, which Len counts with it.
		if err != errInvalidAttribute {
			t.Fatalf("Next failed with an unexpected error: %v", err)
		}
		if nonZero >= ad.Len() {
			t.Fatalf("Len is %d, Next visited %d attributes of non-zero length before failing", ad.Len(), nonZero)
		}
		return
	}
	if nonZero != ad.Len() {
		t.Fatalf("Len is %d, Next visited %d attributes of non-zero length", ad.Len(), nonZero)
	}
}

func FuzzAttributeDecoder(f *testing.F) {
	f.Add(wireAttr(1, 1, 2, 3, 4))
	f.Add(slices.Concat(wireAttr(1, 1), wireAttrLength(0, 2), wireAttr(Nested|3, wireAttr(1, 1, 2, 3, 4, 5, 6, 7, 8)...)))
	f.Add(wireAttr(NetByteOrder|1, 0, 0, 0, 1))

	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzWalkAttributes(t, b, binary.NativeEndian, 0)
		fuzzWalkAttributes(t, b, binary.BigEndian, 0)
	})
}

func FuzzUnmarshalAttributes(f *testing.F) {
	f.Add(wireAttr(1, 1, 2, 3, 4))
	f.Add(slices.Concat(wireAttr(1, 1), wireAttrLength(0, 2), wireAttr(3)))
	f.Add(wireAttr(2, 0xff)[:5])

	f.Fuzz(func(t *testing.T, b []byte) {
		attrs, err := UnmarshalAttributes(b)
		if err != nil {
			return
		}
		out, err := MarshalAttributes(attrs)
		if err != nil {
			t.Fatalf("failed to marshal decoded attributes: %v", err)
		}
		got, err := UnmarshalAttributes(out)
		if err != nil {
			t.Fatalf("failed to unmarshal marshaled attributes: %v", err)
		}
		if diff := cmp.Diff(attrs, got); diff != "" {
			t.Fatalf("unexpected round trip (-want +got):\n%s", diff)
		}
	})
}

func FuzzParseAck(f *testing.F) {
	f.Add(wireHeader(36, Error, 0, 1, 0, slices.Concat([]byte{0, 0, 0, 0}, wireHeader(16, 16, Request, 1, 0))...))
	f.Add(wireHeader(20, Done, Multi|AcknowledgeTLVs, 1, 0, 0xfe, 0xff, 0xff, 0xff))

	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		if err := m.UnmarshalBinary(b); err != nil {
			// Not a message: read the bytes as the payload of one.
			m = Message{Header: Header{Type: Error, Flags: AcknowledgeTLVs}, Data: b}
		}
		for _, typ := range []HeaderType{m.Header.Type, Error, Done} {
			for _, flags := range []HeaderFlags{m.Header.Flags, m.Header.Flags | AcknowledgeTLVs, Capped | AcknowledgeTLVs} {
				m.Header.Type, m.Header.Flags = typ, flags
				_, _ = ParseAck(m)
			}
		}
	})
}
