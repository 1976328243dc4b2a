package netlink

import (
	"syscall"
	"time"

	"golang.org/x/net/bpf"
)

// The methods below control the socket under a Conn. Each is an optional
// capability of the socket, found by type assertion: a Socket given to
// NewConn that lacks it makes the method fail with an *OpError whose cause
// says the operation is not supported. They pass the socket's errors on as
// the v1 API does, after Close too.

// The optional capabilities of a socket.
type (
	groupJoinLeaver interface {
		JoinGroup(group uint32) error
		LeaveGroup(group uint32) error
	}
	bpfSetter interface {
		SetBPF(filter []bpf.RawInstruction) error
		RemoveBPF() error
	}
	optionSetter interface {
		SetOption(option ConnOption, enable bool) error
	}
	deadlineSetter interface {
		SetDeadline(t time.Time) error
		SetReadDeadline(t time.Time) error
		SetWriteDeadline(t time.Time) error
	}
	bufferSetter interface {
		SetReadBuffer(bytes int) error
		SetWriteBuffer(bytes int) error
	}
	bufferGetter interface {
		ReadBuffer() (int, error)
		WriteBuffer() (int, error)
	}
	syscallConner interface {
		SyscallConn() (syscall.RawConn, error)
	}
	membershipLister interface {
		Memberships() ([]uint32, error)
	}
)

// do runs a capability of the socket, wrapping its error for op.
func do[T any](c *Conn, op string, fn func(T) error) error {
	s, ok := c.sock.(T)
	if !ok {
		return &OpError{Op: op, Err: errNotSupported}
	}
	return newOpError(op, fn(s))
}

// JoinGroup joins the multicast group with the given number. Any group
// number works, including those above 32 that Config.Groups cannot name.
func (c *Conn) JoinGroup(group uint32) error {
	return do(c, "join-group", func(s groupJoinLeaver) error { return s.JoinGroup(group) })
}

// LeaveGroup leaves the multicast group with the given number.
func (c *Conn) LeaveGroup(group uint32) error {
	return do(c, "leave-group", func(s groupJoinLeaver) error { return s.LeaveGroup(group) })
}

// Memberships returns the numbers of the multicast groups the socket has
// joined (NETLINK_LIST_MEMBERSHIPS), in increasing order.
func (c *Conn) Memberships() ([]uint32, error) {
	var groups []uint32
	err := do(c, "memberships", func(s membershipLister) (err error) {
		groups, err = s.Memberships()
		return err
	})
	return groups, err
}

// SetBPF attaches a classic BPF program to the socket: messages the
// program rejects are dropped by the kernel.
func (c *Conn) SetBPF(filter []bpf.RawInstruction) error {
	return do(c, "set-bpf", func(s bpfSetter) error { return s.SetBPF(filter) })
}

// RemoveBPF removes the socket's BPF program.
func (c *Conn) RemoveBPF() error {
	return do(c, "remove-bpf", func(s bpfSetter) error { return s.RemoveBPF() })
}

// SetOption turns a socket option on or off. An unknown option fails with
// ENOPROTOOPT, as setsockopt does.
func (c *Conn) SetOption(option ConnOption, enable bool) error {
	return do(c, "set-option", func(s optionSetter) error { return s.SetOption(option, enable) })
}

// SetDeadline sets the read and write deadlines. An expired deadline makes
// blocked and later calls fail with an error whose Timeout method returns
// true and that matches os.ErrDeadlineExceeded. A context given to a call
// bounds it as well: whichever comes first ends the call.
func (c *Conn) SetDeadline(t time.Time) error {
	return do(c, "set-deadline", func(s deadlineSetter) error { return s.SetDeadline(t) })
}

// SetReadDeadline sets the deadline of receives, as SetDeadline does.
func (c *Conn) SetReadDeadline(t time.Time) error {
	return do(c, "set-read-deadline", func(s deadlineSetter) error { return s.SetReadDeadline(t) })
}

// SetWriteDeadline sets the deadline of sends, as SetDeadline does.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	return do(c, "set-write-deadline", func(s deadlineSetter) error { return s.SetWriteDeadline(t) })
}

// SetReadBuffer sets the kernel's receive buffer size of the socket
// (SO_RCVBUF, or SO_RCVBUFFORCE when permitted).
func (c *Conn) SetReadBuffer(bytes int) error {
	return do(c, "set-read-buffer", func(s bufferSetter) error { return s.SetReadBuffer(bytes) })
}

// SetWriteBuffer sets the kernel's send buffer size of the socket
// (SO_SNDBUF, or SO_SNDBUFFORCE when permitted).
func (c *Conn) SetWriteBuffer(bytes int) error {
	return do(c, "set-write-buffer", func(s bufferSetter) error { return s.SetWriteBuffer(bytes) })
}

// ReadBuffer returns the kernel's receive buffer size of the socket.
func (c *Conn) ReadBuffer() (int, error) {
	var n int
	err := do(c, "get-read-buffer", func(s bufferGetter) (err error) {
		n, err = s.ReadBuffer()
		return err
	})
	return n, err
}

// WriteBuffer returns the kernel's send buffer size of the socket.
func (c *Conn) WriteBuffer() (int, error) {
	var n int
	err := do(c, "get-write-buffer", func(s bufferGetter) (err error) {
		n, err = s.WriteBuffer()
		return err
	})
	return n, err
}

// SyscallConn returns a raw connection to the socket, for system calls the
// Conn does not offer. The descriptor is non-blocking: on a Conn made by
// Dial, Read waits until the socket is readable whenever its function
// returns false, and Write tries again after a pause, both until the
// deadline. Reading from it directly would take datagrams away from the
// Conn. The socket's own error is returned as it is, as in the v1 API.
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	s, ok := c.sock.(syscallConner)
	if !ok {
		return nil, &OpError{Op: "syscall-conn", Err: errNotSupported}
	}
	return s.SyscallConn()
}
