package nlpcap

import "encoding/binary"

// Hand-built netlink messages shared by the tests. nlpcap must not import
// the netlink package, so they are spelled out with encoding/binary in
// host byte order, as the kernel sends them.

const (
	nlmsgDone   = 3    // NLMSG_DONE
	rtmNewLink  = 16   // RTM_NEWLINK
	rtmGetLink  = 18   // RTM_GETLINK
	genlIDCtrl  = 0x10 // GENL_ID_CTRL
	nlmFRequest = 0x1  // NLM_F_REQUEST
	nlmFMulti   = 0x2  // NLM_F_MULTI
	nlmFDump    = 0x300
	iflaIfname  = 3 // IFLA_IFNAME
	iflaMTU     = 4 // IFLA_MTU

	ctrlCmdNewFamily   = 1 // CTRL_CMD_NEWFAMILY
	ctrlAttrFamilyID   = 1 // CTRL_ATTR_FAMILY_ID
	ctrlAttrFamilyName = 2 // CTRL_ATTR_FAMILY_NAME

	testPortID = 4242
)

// nlmsg returns a netlink message: a header followed by the payload parts.
func nlmsg(typ, flags uint16, seq, pid uint32, payload ...[]byte) []byte {
	n := 16
	for _, p := range payload {
		n += len(p)
	}
	ne := binary.NativeEndian
	b := make([]byte, 0, n)
	b = ne.AppendUint32(b, uint32(n))
	b = ne.AppendUint16(b, typ)
	b = ne.AppendUint16(b, flags)
	b = ne.AppendUint32(b, seq)
	b = ne.AppendUint32(b, pid)
	for _, p := range payload {
		b = append(b, p...)
	}
	return b
}

// nlattr returns an attribute, padded to four bytes.
func nlattr(typ uint16, value []byte) []byte {
	ne := binary.NativeEndian
	b := ne.AppendUint16(nil, uint16(4+len(value)))
	b = ne.AppendUint16(b, typ)
	b = append(b, value...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func u16(v uint16) []byte { return binary.NativeEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// ifinfomsg returns a struct ifinfomsg (16 bytes) for AF_UNSPEC.
func ifinfomsg(devType uint16, index int32, flags uint32) []byte {
	ne := binary.NativeEndian
	b := []byte{0, 0} // ifi_family, padding
	b = ne.AppendUint16(b, devType)
	b = ne.AppendUint32(b, uint32(index))
	b = ne.AppendUint32(b, flags)
	b = ne.AppendUint32(b, 0) // ifi_change
	return b
}

// getLinkRequest returns an RTM_GETLINK dump request.
func getLinkRequest() []byte {
	return nlmsg(rtmGetLink, nlmFRequest|nlmFDump, 1, 0, ifinfomsg(0, 0, 0))
}

// newLinkMessage returns the kernel's RTM_NEWLINK for lo, as one part of a
// dump.
func newLinkMessage() []byte {
	const arphrdLoopback = 772
	const iffUpLoopbackRunning = 0x49
	return nlmsg(rtmNewLink, nlmFMulti, 1, testPortID,
		ifinfomsg(arphrdLoopback, 1, iffUpLoopbackRunning),
		nlattr(iflaIfname, []byte("lo\x00")),
		nlattr(iflaMTU, u32(65536)),
	)
}

// doneMessage returns the NLMSG_DONE that ends a dump.
func doneMessage() []byte {
	return nlmsg(nlmsgDone, nlmFMulti, 1, testPortID, u32(0))
}

// nlctrlMessage returns nlctrl's CTRL_CMD_NEWFAMILY describing itself.
func nlctrlMessage() []byte {
	return nlmsg(genlIDCtrl, 0, 2, testPortID,
		[]byte{ctrlCmdNewFamily, 2, 0, 0}, // genlmsghdr: cmd, version, reserved
		nlattr(ctrlAttrFamilyName, []byte("nlctrl\x00")),
		nlattr(ctrlAttrFamilyID, u16(genlIDCtrl)),
	)
}
