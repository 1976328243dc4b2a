//go:build linux

package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"math/bits"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// The socket's optional capabilities, which the Conn finds by type
// assertion (see conn_options.go).

// JoinGroup joins a multicast group.
func (s *sysSocket) JoinGroup(group uint32) error {
	if err := s.fd.setsockoptInt(unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(group)); err != nil {
		return err
	}
	if group > 32 && !s.highGroup.Swap(true) {
		// The source address names groups 1 to 32 only: without
		// NETLINK_PKTINFO, a notification of a higher group would look
		// like a unicast reply from the kernel.
		return s.setPacketInfo()
	}
	return nil
}

// setPacketInfo turns NETLINK_PKTINFO on when the user or a high group
// needs it, and off otherwise.
func (s *sysSocket) setPacketInfo() error {
	v := 0
	if s.userPacketInfo.Load() || s.highGroup.Load() {
		v = 1
	}
	return s.fd.setsockoptInt(unix.SOL_NETLINK, unix.NETLINK_PKTINFO, v)
}

// LeaveGroup leaves a multicast group.
func (s *sysSocket) LeaveGroup(group uint32) error {
	return s.fd.setsockoptInt(unix.SOL_NETLINK, unix.NETLINK_DROP_MEMBERSHIP, int(group))
}

// Memberships lists the joined groups: the kernel fills a bitmap of 32-bit
// words, and says how long it needs to be.
func (s *sysSocket) Memberships() ([]uint32, error) {
	b := make([]byte, 4*8)
	for {
		n, err := s.fd.getsockoptBytes(unix.SOL_NETLINK, unix.NETLINK_LIST_MEMBERSHIPS, b)
		if err != nil {
			return nil, err
		}
		if n <= len(b) {
			b = b[:n]
			break
		}
		b = make([]byte, n)
	}
	var groups []uint32
	for i := 0; i+4 <= len(b); i += 4 {
		word := binary.NativeEndian.Uint32(b[i:])
		for word != 0 {
			bit := bits.TrailingZeros32(word)
			groups = append(groups, uint32(i/4*32+bit+1))
			word &^= 1 << bit
		}
	}
	return groups, nil
}

// SetBPF attaches a BPF program.
func (s *sysSocket) SetBPF(filter []bpf.RawInstruction) error { return s.fd.setBPF(filter) }

// RemoveBPF detaches the BPF program.
func (s *sysSocket) RemoveBPF() error {
	return s.fd.setsockoptInt(unix.SOL_SOCKET, unix.SO_DETACH_FILTER, 0)
}

// socketOption returns the socket option behind a ConnOption.
func socketOption(o ConnOption) (int, bool) {
	switch o {
	case PacketInfo:
		return unix.NETLINK_PKTINFO, true
	case BroadcastError:
		return unix.NETLINK_BROADCAST_ERROR, true
	case NoENOBUFS:
		return unix.NETLINK_NO_ENOBUFS, true
	case ListenAllNSID:
		return unix.NETLINK_LISTEN_ALL_NSID, true
	case CapAcknowledge:
		return unix.NETLINK_CAP_ACK, true
	case ExtendedAcknowledge:
		return unix.NETLINK_EXT_ACK, true
	case GetStrictCheck:
		return unix.NETLINK_GET_STRICT_CHK, true
	default:
		return 0, false
	}
}

// SetOption turns a socket option on or off; an unknown one fails as
// setsockopt does, with ENOPROTOOPT.
func (s *sysSocket) SetOption(option ConnOption, enable bool) error {
	opt, ok := socketOption(option)
	if !ok {
		return os.NewSyscallError("setsockopt", unix.ENOPROTOOPT)
	}
	if option == PacketInfo {
		s.userPacketInfo.Store(enable)
		return s.setPacketInfo()
	}
	v := 0
	if enable {
		v = 1
	}
	if option == ListenAllNSID && enable {
		// Read control messages before the first datagram carries one.
		s.listenAllNSID.Store(true)
	}
	err := s.fd.setsockoptInt(unix.SOL_NETLINK, opt, v)
	if option == ListenAllNSID && !enable && err == nil {
		s.listenAllNSID.Store(false)
	}
	return err
}

// SetDeadline sets the read and write deadlines.
func (s *sysSocket) SetDeadline(t time.Time) error {
	if err := s.SetReadDeadline(t); err != nil {
		return err
	}
	return s.SetWriteDeadline(t)
}

// SetReadDeadline sets the read deadline.
func (s *sysSocket) SetReadDeadline(t time.Time) error {
	if s.fd.closed.Load() {
		return errFileClosing
	}
	return s.readDeadline.setUser(t)
}

// SetWriteDeadline sets the write deadline.
func (s *sysSocket) SetWriteDeadline(t time.Time) error {
	if s.fd.closed.Load() {
		return errFileClosing
	}
	return s.writeDeadline.setUser(t)
}

// SetReadBuffer sets the kernel's receive buffer size.
func (s *sysSocket) SetReadBuffer(bytes int) error {
	return s.fd.setBuffer(unix.SO_RCVBUFFORCE, unix.SO_RCVBUF, bytes)
}

// SetWriteBuffer sets the kernel's send buffer size.
func (s *sysSocket) SetWriteBuffer(bytes int) error {
	return s.fd.setBuffer(unix.SO_SNDBUFFORCE, unix.SO_SNDBUF, bytes)
}

// ReadBuffer returns the kernel's receive buffer size.
func (s *sysSocket) ReadBuffer() (int, error) {
	return s.fd.getsockoptInt(unix.SOL_SOCKET, unix.SO_RCVBUF)
}

// WriteBuffer returns the kernel's send buffer size.
func (s *sysSocket) WriteBuffer() (int, error) {
	return s.fd.getsockoptInt(unix.SOL_SOCKET, unix.SO_SNDBUF)
}

// SyscallConn returns the raw connection.
func (s *sysSocket) SyscallConn() (syscall.RawConn, error) {
	if s.fd.closed.Load() {
		return nil, os.NewSyscallError("syscallconn", unix.EBADF)
	}
	return userRawConn{s}, nil
}

// A deadline is the read or write deadline of the socket, as the user set
// it. A context that is done while a call waits on the poller borrows it:
// it moves the socket's deadline into the past to wake the call, then puts
// the user's back. A deadline the user sets meanwhile is kept, and applied
// when the last borrower is done, so that it cannot undo a cancellation.
type deadline struct {
	set func(time.Time) error // the socket's own setter

	mu       sync.Mutex // guards user and borrowed, and orders calls of set
	user     time.Time
	borrowed int // cancellations in progress

	// userAt is user, for reading without mu; nil when there is none.
	userAt atomic.Pointer[time.Time]
}

// setUser sets the deadline the user chose.
func (d *deadline) setUser(t time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.user = t
	if t.IsZero() {
		d.userAt.Store(nil)
	} else {
		d.userAt.Store(&t)
	}
	if d.borrowed > 0 {
		return nil
	}
	return d.set(t)
}

// expired reports whether the user's deadline has passed.
func (d *deadline) expired() bool {
	t := d.userAt.Load()
	return t != nil && !time.Now().Before(*t)
}

// borrow wakes the calls waiting on the poller.
func (d *deadline) borrow() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.borrowed++
	// Any time in the past wakes the waiting calls.
	_ = d.set(time.Unix(1, 0))
}

// giveBack puts the user's deadline back once no cancellation needs the
// socket's deadline any more.
func (d *deadline) giveBack() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.borrowed--; d.borrowed == 0 {
		_ = d.set(d.user)
	}
}

// during runs wait, a call that waits on the poller, until it returns or
// ctx is done, and then returns an error matching ctx.Err(). Another
// call's cancellation wakes it too: it then waits again.
func (d *deadline) during(ctx context.Context, wait func() error) error {
	if ctx.Done() == nil {
		return wait()
	}
	for {
		woken := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			d.borrow()
			close(woken)
		})
		err := wait()
		if !stop() {
			<-woken
			d.giveBack()
			if err != nil {
				return ctx.Err()
			}
			return nil
		}
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) || d.expired() {
			return err
		}
		// Woken by another call's cancellation: wait again.
	}
}
