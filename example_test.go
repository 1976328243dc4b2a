package netlink_test

import (
	"fmt"
	"log"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/nlenc"
)

// Attribute types of a made-up netlink family.
const (
	exampleAttrName  = 1
	exampleAttrMTU   = 2
	exampleAttrUp    = 3
	exampleAttrStats = 4

	exampleAttrStatsPackets = 1
	exampleAttrStatsBytes   = 2
)

func ExampleAttributeEncoder() {
	ae := netlink.NewAttributeEncoder()
	ae.String(exampleAttrName, "eth0")
	ae.Uint32(exampleAttrMTU, 1500)
	ae.Flag(exampleAttrUp, true)

	b, err := ae.Encode()
	if err != nil {
		log.Fatalf("failed to encode attributes: %v", err)
	}

	// Each attribute is a 4-byte header and its payload padded to 4 bytes.
	fmt.Println("bytes:", len(b))
	attrs, err := netlink.UnmarshalAttributes(b)
	if err != nil {
		log.Fatalf("failed to decode attributes: %v", err)
	}
	for _, a := range attrs {
		fmt.Printf("type: %d, length: %d\n", a.Type, a.Length)
	}
	// Output:
	// bytes: 24
	// type: 1, length: 9
	// type: 2, length: 8
	// type: 3, length: 4
}

func ExampleAttributeDecoder() {
	// Attributes as a kernel reply would carry them.
	b, err := netlink.MarshalAttributes([]netlink.Attribute{
		{Type: exampleAttrName, Data: nlenc.Bytes("eth0")},
		{Type: exampleAttrMTU, Data: nlenc.Uint32Bytes(1500)},
		{Type: exampleAttrUp},
	})
	if err != nil {
		log.Fatalf("failed to encode attributes: %v", err)
	}

	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		log.Fatalf("failed to create decoder: %v", err)
	}
	var (
		name string
		mtu  uint32
		up   bool
	)
	for ad.Next() {
		switch ad.Type() {
		case exampleAttrName:
			name = ad.String()
		case exampleAttrMTU:
			mtu = ad.Uint32()
		case exampleAttrUp:
			up = ad.Flag()
		}
	}
	if err := ad.Err(); err != nil {
		log.Fatalf("failed to decode attributes: %v", err)
	}
	fmt.Printf("name: %s, mtu: %d, up: %t\n", name, mtu, up)
	// Output:
	// name: eth0, mtu: 1500, up: true
}

func ExampleAttributeDecoder_Nested() {
	ae := netlink.NewAttributeEncoder()
	ae.String(exampleAttrName, "lo")
	ae.Nested(exampleAttrStats, func(nae *netlink.AttributeEncoder) error {
		nae.Uint64(exampleAttrStatsPackets, 42)
		nae.Uint64(exampleAttrStatsBytes, 4096)
		return nil
	})
	b, err := ae.Encode()
	if err != nil {
		log.Fatalf("failed to encode attributes: %v", err)
	}

	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		log.Fatalf("failed to create decoder: %v", err)
	}
	for ad.Next() {
		switch ad.Type() {
		case exampleAttrName:
			fmt.Println("name:", ad.String())
		case exampleAttrStats:
			fmt.Println("nested:", ad.TypeFlags()&netlink.Nested != 0)
			ad.Nested(func(nad *netlink.AttributeDecoder) error {
				for nad.Next() {
					switch nad.Type() {
					case exampleAttrStatsPackets:
						fmt.Println("packets:", nad.Uint64())
					case exampleAttrStatsBytes:
						fmt.Println("bytes:", nad.Uint64())
					}
				}
				return nil
			})
		}
	}
	if err := ad.Err(); err != nil {
		log.Fatalf("failed to decode attributes: %v", err)
	}
	// Output:
	// name: lo
	// nested: true
	// packets: 42
	// bytes: 4096
}
