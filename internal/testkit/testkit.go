// Package testkit holds the helpers that the tests of the module share:
// builders of attributes and requests, and (on Linux) dialling a Conn in a
// test's network namespace. Package goroutines, below it, checks for
// leaked goroutines.
//
// Package netlink's external tests (package netlink_test) and the tests of
// other packages import it; package netlink's internal tests cannot, since
// testkit imports package netlink.
package testkit

import (
	"encoding/binary"
	"testing"

	"github.com/netlinkgo/netlink"
)

// Attributes returns the attributes that fn encodes, failing the test if
// encoding them fails.
func Attributes(tb testing.TB, fn func(ae *netlink.AttributeEncoder)) []byte {
	tb.Helper()
	ae := netlink.NewAttributeEncoder()
	fn(ae)
	b, err := ae.Encode()
	if err != nil {
		tb.Fatalf("encoding attributes: %v", err)
	}
	return b
}

// Attribute returns the wire form of one attribute of type typ holding
// data, in native byte order and padded to four bytes. Unlike Attributes it
// checks nothing, so that tests can build what an encoder refuses.
func Attribute(typ uint16, data []byte) []byte {
	b := binary.NativeEndian.AppendUint16(nil, uint16(4+len(data)))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}
