package netlink

import (
	"testing"
)

// benchMessage is a request with a 64-byte payload.
func benchMessage() Message {
	data := make([]byte, 64)
	for i := range data {
		data[i] = byte(i)
	}
	return Message{
		Header: Header{Length: nlmsgHeaderLen + 64, Type: 16, Flags: Request | Acknowledge, Sequence: 1, PID: 1},
		Data:   data,
	}
}

func BenchmarkMessageMarshal(b *testing.B) {
	m := benchMessage()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.MarshalBinary(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMessageUnmarshal(b *testing.B) {
	buf, err := benchMessage().MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	var m Message
	b.ReportAllocs()
	for b.Loop() {
		if err := m.UnmarshalBinary(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// benchEncodeAttributes encodes 16 attributes: integers of every width,
// strings and one nested group of three attributes.
func benchEncodeAttributes(ae *AttributeEncoder) {
	ae.String(1, "eth0")
	ae.Uint32(2, 1500)
	ae.Uint8(3, 1)
	ae.Uint16(4, 0x0800)
	ae.Uint64(5, 1<<40)
	ae.String(6, "wireguard")
	ae.Uint32(7, 42)
	ae.Uint8(8, 0)
	ae.Uint16(9, 0xffff)
	ae.Uint64(10, 123456789)
	ae.Nested(11, func(nae *AttributeEncoder) error {
		nae.String(1, "nested")
		nae.Uint32(2, 7)
		nae.Uint64(3, 8)
		return nil
	})
	ae.Uint32(12, 0xdeadbeef)
	ae.String(13, "a longer string attribute")
	ae.Uint8(14, 0xff)
	ae.Uint16(15, 1)
	ae.Uint64(16, 0)
}

// benchAttributes returns the encoded benchmark attributes.
func benchAttributes(b *testing.B) []byte {
	ae := NewAttributeEncoder()
	benchEncodeAttributes(ae)
	buf, err := ae.Encode()
	if err != nil {
		b.Fatal(err)
	}
	return buf
}

func BenchmarkAttributeEncoder(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ae := NewAttributeEncoder()
		benchEncodeAttributes(ae)
		if _, err := ae.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAttributeDecoder reads every attribute of benchAttributes,
// including the nested ones. It reads four strings (three at the top level,
// one nested), each of which allocates; the decoder is one more allocation.
func BenchmarkAttributeDecoder(b *testing.B) {
	buf := benchAttributes(b)
	b.ReportAllocs()
	for b.Loop() {
		ad, err := NewAttributeDecoder(buf)
		if err != nil {
			b.Fatal(err)
		}
		var (
			n  uint64
			ss int
		)
		for ad.Next() {
			switch ad.Type() {
			case 1, 6, 13:
				ss += len(ad.String())
			case 3, 8, 14:
				n += uint64(ad.Uint8())
			case 4, 9, 15:
				n += uint64(ad.Uint16())
			case 2, 7, 12:
				n += uint64(ad.Uint32())
			case 5, 10, 16:
				n += ad.Uint64()
			case 11:
				ad.Nested(func(nad *AttributeDecoder) error {
					for nad.Next() {
						switch nad.Type() {
						case 1:
							ss += len(nad.String())
						case 2:
							n += uint64(nad.Uint32())
						case 3:
							n += nad.Uint64()
						}
					}
					return nil
				})
			}
		}
		if err := ad.Err(); err != nil {
			b.Fatal(err)
		}
		if ss != len("eth0")+len("wireguard")+len("nested")+len("a longer string attribute") || n == 0 {
			b.Fatalf("unexpected decoding: %d string bytes, sum %d", ss, n)
		}
	}
}

func BenchmarkMarshalAttributes(b *testing.B) {
	attrs, err := UnmarshalAttributes(benchAttributes(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MarshalAttributes(attrs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalAttributes(b *testing.B) {
	buf := benchAttributes(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UnmarshalAttributes(buf); err != nil {
			b.Fatal(err)
		}
	}
}
