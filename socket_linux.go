//go:build linux

package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// defaultReceiveBuffer is the size of the buffer that receives datagrams.
// The kernel sizes dump datagrams from the largest buffer user space has
// offered, up to 32 KiB: a smaller one makes a dump cost more reads.
const defaultReceiveBuffer = 32 * 1024

// ackHeadroom is what an error message adds to the request it echoes: its
// own header, the error code and extended acknowledgement attributes.
const ackHeadroom = 4096

// maxSpareBuffer is the largest send buffer kept for reuse.
const maxSpareBuffer = 64 * 1024

// errMessageTruncated is the cause when a datagram does not fit a buffer
// of Config.MessageBufferSize, with the v1 API's text.
var errMessageTruncated = errors.New("message truncated")

// A sysSocket is a netlink socket: the transport of a Conn made by Dial.
// Its calls are made straight on the non-blocking descriptor; a read that
// must wait for a datagram waits on the runtime's poller through ready (see
// socket_fd_linux.go).
type sysSocket struct {
	fd    *socketFD
	ready readiness
	trace *tracer
	arena messageArena // where received messages go

	// fixedBuffer says that the receive buffer has the size the user chose
	// and never grows; otherwise wantBuffer is the size that replies to
	// the requests sent so far may need.
	fixedBuffer bool
	wantBuffer  atomic.Int64

	// userPacketInfo is the PacketInfo option as the user set it;
	// highGroup says a group above 32 was joined, which needs it too.
	userPacketInfo atomic.Bool
	highGroup      atomic.Bool
	// listenAllNSID says ListenAllNSID is on: datagrams carry the
	// sender's namespace ID in a control message.
	listenAllNSID atomic.Bool

	// dumpMu keeps recvmsg calls and sendmsg calls that may start a dump
	// apart: when a dump starts while another thread is inside recvmsg on
	// the socket, the kernel (seen on 6.18) sometimes answers it with an
	// empty dump, just a Done. Neither call blocks (the socket is
	// non-blocking), so the lock is held briefly. It is taken around the
	// system calls, after the engine's locks.
	dumpMu sync.Mutex

	// The deadlines the user set, which a cancelled context borrows.
	readDeadline, writeDeadline deadline

	// sendCalls and spareBuffers keep sendCall values and send buffers
	// for reuse, so that a send allocates nothing.
	sendCalls    sync.Pool
	spareBuffers sync.Pool

	// idle is called when a read finds the queue empty (see
	// idleNotifier).
	idle func()

	// Receive state, used by the one goroutine that holds the engine's
	// turn to read: the recvmsg arguments and results, and recvFn and
	// waitFn, method values made once so that a read allocates nothing.
	readSize int    // the most a read takes
	slab     []byte // what reads go into, and their messages keep
	region   []byte // where the read in progress goes, in slab
	oob      []byte
	iov      unix.Iovec
	msg      unix.Msghdr
	from     unix.RawSockaddrNetlink
	n        int
	errno    syscall.Errno
	recvFn   func(fd uintptr)
	waitFn   func() error
}

// dial opens and binds a netlink socket.
func dial(family int, config *Config) (dialedSocket, error) {
	fd, err := openSocketFD(family, config.NetNS)
	if err != nil {
		return dialedSocket{}, err
	}
	s := &sysSocket{
		fd:       fd,
		trace:    newTracer(config),
		readSize: defaultReceiveBuffer,
		// Room for NETLINK_PKTINFO and NETLINK_LISTEN_ALL_NSID.
		oob: make([]byte, 2*unix.CmsgSpace(4)),
	}
	if config.MessageBufferSize > 0 {
		s.readSize = config.MessageBufferSize
		s.fixedBuffer = true
	}
	s.ready.sock = fd
	s.readDeadline.set = s.ready.setDeadline
	s.writeDeadline.set = func(time.Time) error { return nil } // sends check it themselves
	s.recvFn = s.tryReceive
	s.waitFn = s.ready.wait
	pid, err := s.bind(config)
	if err != nil {
		_ = fd.close()
		return dialedSocket{}, err
	}
	return dialedSocket{
		transport:      s,
		pid:            pid,
		fromAnyone:     family == unix.NETLINK_USERSOCK,
		strictRequests: answersOnlyRequests(family),
	}, nil
}

// answersOnlyRequests reports whether the kernel side of family reads
// requests with netlink_rcv_skb, which answers nothing that lacks the
// Request flag or has a control type, unless it asks for an ACK.
func answersOnlyRequests(family int) bool {
	switch family {
	case unix.NETLINK_ROUTE, unix.NETLINK_SOCK_DIAG, unix.NETLINK_XFRM,
		unix.NETLINK_NETFILTER, unix.NETLINK_KOBJECT_UEVENT, unix.NETLINK_GENERIC:
		return true
	}
	return false
}

// bind binds the socket and applies config's options.
func (s *sysSocket) bind(config *Config) (uint32, error) {
	addr := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: config.Groups, Pid: config.PID}
	if err := s.fd.bind(addr); err != nil {
		return 0, err
	}
	sa, err := s.fd.getsockname()
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

// notifyIdle makes receive call fn whenever it finds the queue empty.
func (s *sysSocket) notifyIdle(fn func()) { s.idle = fn }

// receive reads one datagram with one recvmsg call and returns its
// messages, which own their memory, and its origin. Without wait, it
// returns errWouldBlock if nothing is queued. Only one goroutine receives
// at a time.
func (s *sysSocket) receive(ctx context.Context, wait bool) (datagram, error) {
	if s.fd.closed.Load() {
		return datagram{}, os.NewSyscallError("recvmsg", unix.EBADF)
	}
	if err := ctx.Err(); err != nil {
		return datagram{}, err
	}
	if s.readDeadline.expired() {
		return datagram{}, os.ErrDeadlineExceeded
	}
	if want := int(s.wantBuffer.Load()); !s.fixedBuffer && want > s.readSize {
		s.readSize = want
	}
	s.region = s.nextRegion()
	for {
		if err := s.fd.raw.Control(s.recvFn); err != nil {
			return datagram{}, err
		}
		if s.errno != unix.EAGAIN {
			break
		}
		if !wait {
			return datagram{}, errWouldBlock
		}
		if err := s.readDeadline.during(ctx, s.waitFn); err != nil {
			return datagram{}, err
		}
	}
	if s.errno != 0 {
		return datagram{}, os.NewSyscallError("recvmsg", s.errno)
	}
	n := s.n
	if s.msg.Flags&unix.MSG_TRUNC != 0 || n > len(s.region) {
		if s.fixedBuffer {
			return datagram{}, errMessageTruncated
		}
		// The datagram is lost; make sure the next one of its size is not.
		size := s.readSize
		s.readSize = max(n, 2*size)
		return datagram{}, fmt.Errorf("netlink: %d-byte datagram did not fit the %d-byte receive buffer: %w", n, size, syscall.EMSGSIZE)
	}
	o := Origin{PortID: s.from.Pid, NSID: -1}
	if s.from.Groups != 0 {
		o.Group = uint32(bits.TrailingZeros32(s.from.Groups)) + 1
	}
	if oobn := int(s.msg.Controllen); oobn > 0 {
		parseControl(s.oob[:oobn], &o)
	}
	b := s.takeRegion(n)
	s.trace.received(b[:n], o)
	msgs, err := s.arena.parse(b)
	return datagram{msgs: msgs, origin: o, err: err}, nil
}

// slabReads is how many reads of the largest size a slab holds: a dump's
// datagrams fill the buffer offered, so a slab holds that many of them,
// less what the last one leaves unused; or many small ones.
const slabReads = 4

// nextRegion returns the part of the slab the next read goes into, making
// a new slab when the rest of this one is too small. Datagrams are read
// straight into memory that their messages then keep, so nothing is
// copied; a slab lives as long as any message read into it.
func (s *sysSocket) nextRegion() []byte {
	// A datagram is padded to the alignment (see takeRegion).
	need := s.readSize + nlmsgAlignTo
	if cap(s.slab)-len(s.slab) < need {
		s.slab = make([]byte, 0, slabReads*need)
	}
	return s.slab[len(s.slab) : len(s.slab)+s.readSize]
}

// takeRegion hands the n bytes just read into the region over to the
// datagram's messages, padded with zeros to the alignment: a sender may
// leave the last message's padding out.
func (s *sysSocket) takeRegion(n int) []byte {
	start := len(s.slab)
	end := start + nlmsgAlign(n)
	s.slab = s.slab[:end]
	clear(s.slab[start+n : end])
	return s.slab[start:end:end]
}

// tryReceive makes one recvmsg call on fd for receive.
func (s *sysSocket) tryReceive(fd uintptr) {
	// A dump started by one thread while another is in recvmsg can make
	// the kernel continue a dump that has just ended; netlink_dump then
	// fails with EINVAL, which the next recvmsg reports once as a socket
	// error. dumpMu keeps the two apart for sends made by this socket;
	// should it happen anyway, nothing is lost: read again, once.
	retriedEINVAL := false
	for {
		// MSG_TRUNC makes the kernel return the datagram's real length.
		s.dumpMu.Lock()
		r, errno := s.recv(fd)
		if errno == unix.EAGAIN && s.idle != nil {
			// Under dumpMu: no dump request goes out between finding
			// the queue empty and saying so.
			s.idle()
		}
		s.dumpMu.Unlock()
		switch {
		case errno == unix.EINTR, errno == unix.EINVAL && !retriedEINVAL:
			retriedEINVAL = retriedEINVAL || errno == unix.EINVAL
			continue
		default:
			s.n, s.errno = int(r), errno
			return
		}
	}
}

// recv makes the system call for tryReceive: recvmsg when control
// messages are on, otherwise recvfrom, which spares the kernel the message
// header and vector.
func (s *sysSocket) recv(fd uintptr) (uintptr, syscall.Errno) {
	if s.userPacketInfo.Load() || s.highGroup.Load() || s.listenAllNSID.Load() {
		s.iov.Base = &s.region[0]
		s.iov.SetLen(len(s.region))
		s.msg = unix.Msghdr{
			Name:    (*byte)(unsafe.Pointer(&s.from)),
			Namelen: unix.SizeofSockaddrNetlink,
			Iov:     &s.iov,
			Iovlen:  1,
			Control: &s.oob[0],
		}
		s.msg.SetControllen(len(s.oob))
		r, _, errno := unix.Syscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&s.msg)), unix.MSG_TRUNC)
		return r, errno
	}
	s.msg.Controllen, s.msg.Flags = 0, 0
	fromLen := uint32(unix.SizeofSockaddrNetlink)
	r, _, errno := unix.Syscall6(unix.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&s.region[0])), uintptr(len(s.region)),
		unix.MSG_TRUNC, uintptr(unsafe.Pointer(&s.from)), uintptr(unsafe.Pointer(&fromLen)))
	return r, errno
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
func (s *sysSocket) Close() error {
	// Calls from now on fail with EBADF; the descriptor is closed once the
	// calls in progress return.
	if s.fd.closed.Swap(true) {
		return nil
	}
	err := s.ready.close()
	if cerr := s.fd.file.Close(); err == nil {
		err = os.NewSyscallError("close", cerr)
	}
	return err
}
