//go:build linux

package genl

import (
	"testing"

	"github.com/netlinkgo/netlink"
	"golang.org/x/sys/unix"
)

// FuzzParse checks that no nlctrl payload makes ParseFamily or
// ParsePolicies panic, and that a family ParseFamily accepts has a name
// and an ID.
func FuzzParse(f *testing.F) {
	f.Add(ctrlMessage(unix.CTRL_CMD_NEWFAMILY, familyAttrs(f, nlctrl)).Data)
	f.Add(opPolicyReply(f, 0, ptr[uint32](0), ptr[uint32](1)).Data)
	f.Add(attrPolicyReply(f, 0, 2, func(ae *netlink.AttributeEncoder) {
		ae.Uint32(unix.NL_POLICY_TYPE_ATTR_TYPE, unix.NL_ATTR_TYPE_NUL_STRING)
		ae.Uint32(unix.NL_POLICY_TYPE_ATTR_MAX_LENGTH, 15)
	}).Data)

	f.Fuzz(func(t *testing.T, data []byte) {
		m := netlink.Message{Header: netlink.Header{Type: unix.GENL_ID_CTRL}, Data: data}
		if fam, err := ParseFamily(m); err == nil && (fam.Name == "" || fam.ID == 0) {
			t.Fatalf("ParseFamily(%x) = %+v without a name or ID", data, fam)
		}
		ParsePolicies(demoFamily, []netlink.Message{m})
	})
}
