package netlink

import "log/slog"

// A Config configures a Conn made by Dial. The zero value and nil are the
// defaults. A Config is comparable with ==.
type Config struct {
	// Groups is a bitmask of the multicast groups 1 to 32 to join when
	// binding the socket. JoinGroup joins any group, including those above
	// 32.
	Groups uint32

	// NetNS is a network namespace file descriptor to open the socket in;
	// 0 means the calling thread's namespace. Only the socket is affected:
	// the calling thread's namespace is the same afterwards.
	NetNS int

	// DisableNSLockThread does nothing.
	//
	// Deprecated: the Conn never needs to lock goroutines to threads.
	DisableNSLockThread bool

	// PID is the port ID to bind to; 0 lets the kernel choose a unique one.
	PID uint32

	// Strict turns on ExtendedAcknowledge and GetStrictCheck, and makes Dial
	// fail if either cannot be set.
	Strict bool

	// MessageBufferSize, if not 0, is the fixed size in bytes of the
	// buffer that receives each datagram: a datagram that does not fit is
	// an error ("message truncated"), as in the v1 API. By default the
	// buffer is sized for what the kernel may send (the kernel sizes dump
	// datagrams to fit the buffer it is offered) and grows when a datagram
	// needs more. Either way, messages never alias the buffer.
	MessageBufferSize int

	// Logger, if not nil, receives a debug-level record for every message
	// the Conn sends and receives. Without it, the NLDEBUG environment
	// variable (see the package documentation) logs to standard error.
	Logger *slog.Logger

	// Capture, if not nil, is given every datagram the Conn sends and
	// receives, in wire format: for example to record the traffic with
	// package nlpcap.
	Capture Capturer

	// InterruptedDumpError makes Execute return an error matching
	// ErrDumpInterrupted, instead of the messages, when the kernel marks a
	// dump's reply with DumpInterrupted because the data changed while it
	// was read. By default the messages come back with the flag set, as in
	// the v1 API.
	InterruptedDumpError bool
}

// A Capturer records the datagrams of a Conn (see Config.Capture). Its
// dynamic type must be comparable, as a pointer is, so that Config stays
// comparable.
type Capturer interface {
	// CaptureDatagram is called with every datagram the Conn sends (sent
	// is true) or receives, on the goroutine doing the I/O, possibly from
	// several at once. It must not keep b.
	CaptureDatagram(sent bool, b []byte)
}

// A ConnOption is a socket option that SetOption turns on or off.
type ConnOption int

// Socket options, in the order of the v1 API.
const (
	// PacketInfo asks for the multicast group of each message
	// (NETLINK_PKTINFO), which Origin.Group then reports for every group.
	// A Conn turns it on by itself once it joins a group above 32.
	PacketInfo ConnOption = iota
	// BroadcastError reports failures to deliver multicast messages to this
	// socket (NETLINK_BROADCAST_ERROR).
	BroadcastError
	// NoENOBUFS stops overrun errors (NETLINK_NO_ENOBUFS).
	NoENOBUFS
	// ListenAllNSID receives multicast from every network namespace that
	// has an ID in the socket's namespace (NETLINK_LISTEN_ALL_NSID).
	ListenAllNSID
	// CapAcknowledge leaves the request's payload out of error messages
	// (NETLINK_CAP_ACK).
	CapAcknowledge
	// ExtendedAcknowledge asks the kernel to explain errors
	// (NETLINK_EXT_ACK).
	ExtendedAcknowledge
	// GetStrictCheck asks the kernel to check get requests strictly
	// (NETLINK_GET_STRICT_CHK).
	GetStrictCheck
)
