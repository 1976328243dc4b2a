//go:build linux

package netlink

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/mdlayher/socket"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// defaultReceiveBuffer is the size of the buffer that receives datagrams.
// The kernel sizes dump datagrams from the largest buffer user space has
// offered, up to 32 KiB: a smaller one makes a dump cost more reads.
const defaultReceiveBuffer = 32 * 1024

// ackHeadroom is what an error message adds to the request it echoes: its
// own header, the error code and extended acknowledgement attributes.
const ackHeadroom = 4096

// A sysSocket is a netlink socket, integrated with the runtime's network
// poller through package socket. Only the goroutine that holds the Conn's
// read semaphore receives, so the receive state needs no lock.
type sysSocket struct {
	c *socket.Conn

	// wantBuffer is the receive buffer size that replies to requests sent
	// so far may need.
	wantBuffer atomic.Int64

	// rc runs system calls under the runtime's network poller, honouring
	// the deadlines; kernelAddr is the kernel's address in raw form, only
	// ever read.
	rc         syscall.RawConn
	kernelAddr unix.RawSockaddrNetlink

	// userPacketInfo is the PacketInfo option as the user set it;
	// highGroup says a group above 32 was joined, which needs it too.
	userPacketInfo atomic.Bool
	highGroup      atomic.Bool

	// dumpMu keeps recvmsg calls and sendto calls that may start a dump
	// apart: when a dump starts while another thread is inside recvmsg on
	// the socket, the kernel (seen on 6.18) sometimes answers it with an
	// empty dump, just a Done. Neither call blocks (the socket is
	// non-blocking), so the lock is held briefly.
	dumpMu sync.Mutex

	// sendCalls keeps sendCall values for reuse.
	sendCalls sync.Pool

	// readDeadline is the read deadline the user set, restored after a
	// context cancellation borrows the deadline to wake a blocked read;
	// writeDeadline is the write deadline, which send checks itself.
	readDeadline  atomic.Pointer[time.Time]
	writeDeadline atomic.Pointer[time.Time]

	// Receive state: the recvmsg arguments, results, and recvFn, the
	// method value tryReceive made once so that a read allocates nothing.
	buf    []byte
	oob    []byte
	iov    unix.Iovec
	msg    unix.Msghdr
	from   unix.RawSockaddrNetlink
	n      int
	errno  syscall.Errno
	recvFn func(fd uintptr) bool
}

var _ kernelSocket = (*sysSocket)(nil)

// dial opens and binds a netlink socket, and returns it with its port ID.
func dial(family int, config *Config) (kernelSocket, uint32, error) {
	c, err := socket.Socket(unix.AF_NETLINK, unix.SOCK_RAW, family, "netlink", &socket.Config{NetNS: config.NetNS})
	if err != nil {
		return nil, 0, err
	}
	s := &sysSocket{
		c:   c,
		buf: make([]byte, defaultReceiveBuffer),
		// Room for NETLINK_PKTINFO and NETLINK_LISTEN_ALL_NSID.
		oob: make([]byte, 2*unix.CmsgSpace(4)),
	}
	if config.MessageBufferSize > 0 {
		s.buf = make([]byte, config.MessageBufferSize)
	}
	s.kernelAddr.Family = unix.AF_NETLINK
	s.recvFn = s.tryReceive
	if s.rc, err = c.SyscallConn(); err != nil {
		_ = c.Close()
		return nil, 0, err
	}
	pid, err := s.bind(config)
	if err != nil {
		_ = c.Close()
		return nil, 0, err
	}
	return s, pid, nil
}

// bind binds the socket and applies config's options.
func (s *sysSocket) bind(config *Config) (uint32, error) {
	addr := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: config.Groups, Pid: config.PID}
	if err := s.c.Bind(addr); err != nil {
		return 0, err
	}
	sa, err := s.c.Getsockname()
	if err != nil {
		return 0, err
	}
	nsa, ok := sa.(*unix.SockaddrNetlink)
	if !ok {
		return 0, fmt.Errorf("netlink: getsockname returned %T", sa)
	}
	if config.Strict {
		for _, o := range []ConnOption{ExtendedAcknowledge, GetStrictCheck} {
			if err := s.SetOption(o, true); err != nil {
				return 0, err
			}
		}
	}
	return nsa.Pid, nil
}

// send sends one datagram to the kernel. Netlink delivers a request to
// the kernel within the system call, so a send does not wait: ctx is only
// checked first.
func (s *sysSocket) send(ctx context.Context, b []byte) error {
	if err := ctx.Err(); err != nil {
		return os.NewSyscallError("sendto", err)
	}
	// An error message may echo the whole request: make sure the receive
	// buffer will hold it.
	for want := int64(len(b) + ackHeadroom); ; {
		cur := s.wantBuffer.Load()
		if cur >= want || s.wantBuffer.CompareAndSwap(cur, want) {
			break
		}
	}
	if t := s.writeDeadline.Load(); t != nil && !t.IsZero() && !time.Now().Before(*t) {
		return os.ErrDeadlineExceeded
	}
	call, _ := s.sendCalls.Get().(*sendCall)
	if call == nil {
		call = &sendCall{to: &s.kernelAddr}
		call.once, call.fn = call.tryOnce, call.try
	}
	call.b = b
	if startsDump(b) {
		call.lock = &s.dumpMu
	}
	// The kernel handles a request within sendto, which can take a while,
	// and concurrent sendto calls on one socket are safe: make the call
	// outside the runtime's write lock, which would queue the goroutines
	// of a shared Conn behind each other. Only a full socket, which
	// netlink hardly ever has, needs the poller to wait.
	err := s.rc.Control(call.once)
	if err == nil && call.errno == unix.EAGAIN {
		err = s.rc.Write(call.fn)
	}
	errno := call.errno
	*call = sendCall{to: call.to, once: call.once, fn: call.fn}
	s.sendCalls.Put(call)
	if err != nil {
		return err
	}
	if errno != 0 {
		return os.NewSyscallError("sendto", errno)
	}
	return nil
}

// A sendCall is the state of one sendto call under the network poller,
// kept for reuse so that a send allocates nothing.
type sendCall struct {
	to    *unix.RawSockaddrNetlink
	b     []byte
	lock  *sync.Mutex // held around the system call, if set
	errno syscall.Errno
	once  func(fd uintptr)      // tryOnce, bound once
	fn    func(fd uintptr) bool // try, bound once
}

// tryOnce makes the sendto call, retrying only when interrupted.
func (c *sendCall) tryOnce(fd uintptr) {
	if c.lock != nil {
		c.lock.Lock()
		defer c.lock.Unlock()
	}
	for {
		_, _, c.errno = unix.Syscall6(unix.SYS_SENDTO, fd, uintptr(unsafe.Pointer(unsafe.SliceData(c.b))), uintptr(len(c.b)),
			0, uintptr(unsafe.Pointer(c.to)), unix.SizeofSockaddrNetlink)
		if c.errno != unix.EINTR {
			return
		}
	}
}

// try makes the sendto call, and reports whether it is done (false: wait
// until the socket is writable).
func (c *sendCall) try(fd uintptr) bool {
	c.tryOnce(fd)
	return c.errno != unix.EAGAIN
}

// receive reads one datagram with one recvmsg call and returns a copy of it
// that the caller owns, with its origin. Only one goroutine receives at a
// time.
func (s *sysSocket) receive(ctx context.Context) ([]byte, Origin, error) {
	if want := int(s.wantBuffer.Load()); want > len(s.buf) {
		s.buf = make([]byte, want)
	}

	// A done context wakes the read by moving the read deadline into the
	// past, then the user's deadline is put back.
	var stop func() bool
	var woken chan struct{}
	if ctx.Done() != nil {
		if err := ctx.Err(); err != nil {
			return nil, Origin{}, os.NewSyscallError("recvmsg", err)
		}
		woken = make(chan struct{})
		stop = context.AfterFunc(ctx, func() {
			// Any deadline in the past wakes the read.
			_ = s.c.SetReadDeadline(time.Unix(1, 0))
			close(woken)
		})
	}
	s.errno = 0
	err := s.rc.Read(s.recvFn)
	if stop != nil && !stop() {
		<-woken
		_ = s.c.SetReadDeadline(s.userReadDeadline())
		if err != nil || s.errno != 0 {
			return nil, Origin{}, os.NewSyscallError("recvmsg", ctx.Err())
		}
	}
	if err != nil {
		return nil, Origin{}, err
	}
	if s.errno != 0 {
		return nil, Origin{}, os.NewSyscallError("recvmsg", s.errno)
	}

	n := s.n
	if s.msg.Flags&unix.MSG_TRUNC != 0 || n > len(s.buf) {
		// The datagram is lost; make sure the next one of its size is not.
		size := len(s.buf)
		s.buf = make([]byte, max(n, 2*size))
		return nil, Origin{}, fmt.Errorf("netlink: %d-byte datagram did not fit the %d-byte receive buffer: %w", n, size, syscall.EMSGSIZE)
	}
	o := Origin{PortID: s.from.Pid, NSID: -1}
	if s.from.Groups != 0 {
		o.Group = uint32(bits.TrailingZeros32(s.from.Groups)) + 1
	}
	if oobn := int(s.msg.Controllen); oobn > 0 {
		parseControl(s.oob[:oobn], &o)
	}
	return append([]byte(nil), s.buf[:n]...), o, nil
}

// startsDump reports whether a datagram holds a request that may start a
// dump.
func startsDump(b []byte) bool {
	for len(b) >= nlmsgHeaderLen {
		h := parseHeader(b)
		if isDump(h.Flags) {
			return true
		}
		if h.Length < nlmsgHeaderLen {
			break
		}
		b = b[min(nlmsgAlign(int(h.Length)), len(b)):]
	}
	return false
}

// tryReceive makes one recvmsg call on fd for receive, and reports whether
// it is done (false: wait until the socket is readable).
func (s *sysSocket) tryReceive(fd uintptr) bool {
	for {
		s.iov.Base = &s.buf[0]
		s.iov.SetLen(len(s.buf))
		s.msg = unix.Msghdr{
			Name:    (*byte)(unsafe.Pointer(&s.from)),
			Namelen: unix.SizeofSockaddrNetlink,
			Iov:     &s.iov,
			Iovlen:  1,
			Control: &s.oob[0],
		}
		s.msg.SetControllen(len(s.oob))
		// MSG_TRUNC makes the kernel return the datagram's real length.
		s.dumpMu.Lock()
		r, _, errno := unix.Syscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&s.msg)), unix.MSG_TRUNC)
		s.dumpMu.Unlock()
		switch errno {
		case 0:
			s.n = int(r)
			return true
		case unix.EAGAIN:
			return false
		case unix.EINTR:
			continue
		case unix.EINVAL:
			// A dump started by one thread while another is in recvmsg
			// can make the kernel continue a dump that has just ended;
			// netlink_dump then fails with EINVAL, which the next recvmsg
			// reports once as a socket error. dumpMu keeps the two apart
			// for sends made by this socket; should it happen anyway,
			// nothing is lost: read again.
			continue
		default:
			s.errno = errno
			return true
		}
	}
}

// userReadDeadline returns the read deadline the user set, or the zero
// time.
func (s *sysSocket) userReadDeadline() time.Time {
	if t := s.readDeadline.Load(); t != nil {
		return *t
	}
	return time.Time{}
}

// parseControl reads the group and namespace ID from the control messages
// of NETLINK_PKTINFO and NETLINK_LISTEN_ALL_NSID.
func parseControl(b []byte, o *Origin) {
	for len(b) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(b) {
			return
		}
		data := b[unix.CmsgLen(0):l]
		if h.Level == unix.SOL_NETLINK && len(data) >= 4 {
			v := binary.NativeEndian.Uint32(data)
			switch h.Type {
			case unix.NETLINK_PKTINFO:
				o.Group = v
			case unix.NETLINK_LISTEN_ALL_NSID:
				o.NSID = int32(v)
			}
		}
		b = b[min(unix.CmsgSpace(l-unix.CmsgLen(0)), len(b)):]
	}
}

// Close closes the socket, unblocking any read.
func (s *sysSocket) Close() error { return s.c.Close() }

// JoinGroup joins a multicast group.
func (s *sysSocket) JoinGroup(group uint32) error {
	if err := s.c.SetsockoptInt(unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(group)); err != nil {
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
	return s.c.SetsockoptInt(unix.SOL_NETLINK, unix.NETLINK_PKTINFO, v)
}

// LeaveGroup leaves a multicast group.
func (s *sysSocket) LeaveGroup(group uint32) error {
	return s.c.SetsockoptInt(unix.SOL_NETLINK, unix.NETLINK_DROP_MEMBERSHIP, int(group))
}

// memberships lists the joined groups: the kernel fills a bitmap of 32-bit
// words, and says how long it needs to be.
func (s *sysSocket) memberships() ([]uint32, error) {
	b := make([]byte, 4*8)
	for {
		n, err := s.c.GetsockoptBytes(unix.SOL_NETLINK, unix.NETLINK_LIST_MEMBERSHIPS, b)
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
func (s *sysSocket) SetBPF(filter []bpf.RawInstruction) error { return s.c.SetBPF(filter) }

// RemoveBPF detaches the BPF program.
func (s *sysSocket) RemoveBPF() error { return s.c.RemoveBPF() }

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

// SetOption turns a socket option on or off.
func (s *sysSocket) SetOption(option ConnOption, enable bool) error {
	opt, ok := socketOption(option)
	if !ok {
		return fmt.Errorf("unknown option %d: %w", option, errNotSupported)
	}
	if option == PacketInfo {
		s.userPacketInfo.Store(enable)
		return s.setPacketInfo()
	}
	v := 0
	if enable {
		v = 1
	}
	return s.c.SetsockoptInt(unix.SOL_NETLINK, opt, v)
}

// SetDeadline sets the read and write deadlines.
func (s *sysSocket) SetDeadline(t time.Time) error {
	s.readDeadline.Store(&t)
	s.writeDeadline.Store(&t)
	return s.c.SetDeadline(t)
}

// SetReadDeadline sets the read deadline.
func (s *sysSocket) SetReadDeadline(t time.Time) error {
	s.readDeadline.Store(&t)
	return s.c.SetReadDeadline(t)
}

// SetWriteDeadline sets the write deadline.
func (s *sysSocket) SetWriteDeadline(t time.Time) error {
	s.writeDeadline.Store(&t)
	return s.c.SetWriteDeadline(t)
}

// SetReadBuffer sets the kernel's receive buffer size.
func (s *sysSocket) SetReadBuffer(bytes int) error { return s.c.SetReadBuffer(bytes) }

// SetWriteBuffer sets the kernel's send buffer size.
func (s *sysSocket) SetWriteBuffer(bytes int) error { return s.c.SetWriteBuffer(bytes) }

// ReadBuffer returns the kernel's receive buffer size.
func (s *sysSocket) ReadBuffer() (int, error) { return s.c.ReadBuffer() }

// WriteBuffer returns the kernel's send buffer size.
func (s *sysSocket) WriteBuffer() (int, error) { return s.c.WriteBuffer() }

// SyscallConn returns the raw connection.
func (s *sysSocket) SyscallConn() (syscall.RawConn, error) { return s.c.SyscallConn() }
