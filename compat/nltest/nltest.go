// Package nltest is github.com/netlinkgo/netlink/nltest under the import
// path of the v1 API, github.com/mdlayher/netlink/nltest. It holds only a
// type alias, a constant and one-line forwarders; see
// github.com/netlinkgo/netlink/nltest for their documentation.
package nltest

import (
	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/nltest"
)

// PID is nltest.PID.
const PID = nltest.PID

// Func is nltest.Func.
type Func = nltest.Func

// Dial is nltest.Dial.
func Dial(fn Func) *netlink.Conn { return nltest.Dial(fn) }

// Multipart is nltest.Multipart.
func Multipart(msgs []netlink.Message) ([]netlink.Message, error) { return nltest.Multipart(msgs) }

// Error is nltest.Error.
func Error(number int, reqs []netlink.Message) ([]netlink.Message, error) {
	return nltest.Error(number, reqs)
}

// CheckRequest is nltest.CheckRequest.
func CheckRequest(types []netlink.HeaderType, flags []netlink.HeaderFlags, fn Func) Func {
	return nltest.CheckRequest(types, flags, fn)
}

// MustMarshalAttributes is nltest.MustMarshalAttributes.
func MustMarshalAttributes(attrs []netlink.Attribute) []byte {
	return nltest.MustMarshalAttributes(attrs)
}
