package netlink

// An Origin says where a received datagram came from.
type Origin struct {
	// PortID is the sender's port ID: 0 for the kernel.
	PortID uint32

	// Group is the multicast group the datagram was sent to, or 0 for a
	// unicast datagram. The source address names groups 1 to 32 only:
	// higher ones are known with the PacketInfo option on, which a Conn
	// turns on by itself when it joins such a group.
	Group uint32

	// NSID is the ID, in the Conn's network namespace, of the namespace the
	// datagram came from, reported with the ListenAllNSID option on; -1
	// when the kernel did not say (the Conn's own namespace, or the option
	// off).
	NSID int32
}

// kernelOrigin is where every datagram of a Socket given to NewConn comes
// from: such a Socket cannot say, and plays the kernel.
func kernelOrigin() Origin { return Origin{NSID: -1} }

// A senderPolicy says which senders a Conn believes.
type senderPolicy struct {
	// self is the Conn's own port ID: what it sends itself is its own.
	self uint32
	// anyone says that every sender is believed, as on NETLINK_USERSOCK,
	// whose peers live in user space by design.
	anyone bool
}

// mayReply reports whether a datagram from o may answer a transaction:
// unicast from the kernel, from the Conn itself, or from anyone where the
// policy says so. Multicast never answers a transaction.
func (p senderPolicy) mayReply(o Origin) bool {
	return o.Group == 0 && (o.PortID == 0 || o.PortID == p.self || p.anyone)
}

// trusted reports whether Receive returns a datagram from o: a possible
// reply, or multicast, which only privileged processes may send.
func (p senderPolicy) trusted(o Origin) bool { return o.Group != 0 || p.mayReply(o) }
