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
// # Concurrency and cancellation
//
// One Conn serves many goroutines: each Execute is matched to its replies
// by sequence number, with no lock held across the transaction, and dumps
// (which the kernel runs one at a time per socket) wait for each other.
// Receive hands a multi-part reply whole to one caller. The Context
// variants of the blocking methods (ExecuteContext, ReceiveContext,
// ReceiveIterContext) return as soon as their context is done; the Conn
// stays usable and the late reply of an abandoned request is dropped. The
// deadlines set with SetDeadline apply as well: whichever of the deadline
// and the context comes first ends the call.
//
// # Overruns
//
// When the socket's receive queue is full, the kernel drops notifications
// and answers, and the next read reports ENOBUFS. Receive returns that
// error once; the requests in flight that are not dumps fail with it,
// since their answers may be lost. A dump goes on: the kernel never drops
// a dump's own datagrams but pauses it until the queue drains, so its
// reply comes whole. Only a dump whose answer the kernel dropped fails,
// with an error matching ENOBUFS, once the Conn knows that nothing more of
// it can come. Either way the Conn stays usable, and late replies to its
// own requests never reach Receive.
//
// # Trust
//
// Any local process can send a datagram to a netlink port. A Conn made by
// Dial therefore accepts replies to its requests only from the kernel
// (source port 0 in the address recvmsg returns; the PID in the header is
// written by the sender and proves nothing), or from its own port. Receive
// returns what no transaction claimed and that comes from the kernel, from
// the Conn itself or from a multicast group, which only privileged
// processes may send to; it drops unicast datagrams from other processes.
// ReceiveFrom returns those too, with their Origin. On NETLINK_USERSOCK,
// whose peers live in user space by design, every sender is accepted.
// A Conn made by NewConn trusts its Socket as the kernel.
//
// # Debugging
//
// Config.Logger receives a record for every message sent and received, and
// Config.Capture every datagram in wire format (package nlpcap writes them
// as a pcap file that Wireshark reads). Without a Logger, the NLDEBUG
// environment variable logs to standard error: NLDEBUG=1 (or level=1) logs
// each message's header, level=2 its payload as well.
//
// The package has no global state: everything lives in a Conn, an encoder
// or a decoder.
package netlink
