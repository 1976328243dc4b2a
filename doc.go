// Package netlink provides access to Linux netlink sockets (AF_NETLINK),
// the interface through which user space talks to the kernel's networking
// and control subsystems.
//
// A Conn sends requests and receives replies over one netlink socket.
// Execute runs a whole transaction: it sends a request, gathers every
// message of the reply (all parts of a multi-part dump) and checks that
// they answer that request:
//
//	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//
//	msgs, err := c.Execute(netlink.Message{
//		Header: netlink.Header{
//			Type:  unix.RTM_GETLINK,
//			Flags: netlink.Request | netlink.Dump,
//		},
//		Data: make([]byte, unix.SizeofIfInfomsg),
//	})
//
// Netlink payloads are made of attributes: type-length-value triples.
// AttributeEncoder builds them and AttributeDecoder reads them without
// copying; MarshalAttributes and UnmarshalAttributes convert whole lists.
//
// Package nlenc has native-endian helpers for the integers and strings in
// netlink messages, and package nltest provides in-memory fakes of a
// netlink socket for unit tests that need no kernel.
//
// The package has no global state: everything lives in a Conn, an encoder
// or a decoder.
package netlink
