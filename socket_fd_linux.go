//go:build linux

package netlink

import (
	"context"
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

// The netlink socket's descriptor stays out of the runtime's network poller.
//
// A descriptor in the poller is in the runtime's epoll set for as long as it
// is open, so every datagram queued on it runs epoll's callback, which wakes
// the thread that the runtime parks in epoll_wait whenever the program has a
// timer or another descriptor to wait for: a thread woken, on another
// processor, per datagram. Yet netlink hardly ever makes a reader wait: the
// kernel answers most requests within sendmsg and carries a dump on within
// recvmsg. So every call is made straight on the non-blocking descriptor,
// and only a read that finds the queue empty and must wait puts the socket
// into an epoll set of its own, for that one wait (see readiness).

// A socketFD is the descriptor of a netlink socket. It was in blocking mode
// when the os.File was made, so the File keeps it out of the poller; it is
// non-blocking from then on. The File keeps the descriptor valid while a
// call uses it, however Close races with that call.
type socketFD struct {
	file   *os.File
	raw    syscall.RawConn
	closed atomic.Bool
}

// openSocketFD opens a netlink socket of family in the network namespace
// netNS (0: the calling thread's).
func openSocketFD(family, netNS int) (*socketFD, error) {
	fd, err := newSocket(family, netNS)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "netlink")
	if err := unix.SetNonblock(fd, true); err != nil {
		_ = f.Close()
		return nil, os.NewSyscallError("setnonblock", err)
	}
	raw, err := f.SyscallConn()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return &socketFD{file: f, raw: raw}, nil
}

// newSocket makes the socket, in blocking mode. Entering another network
// namespace takes a thread of its own, which package socket does; its
// socket is in the poller, so a duplicate of it is kept instead.
func newSocket(family, netNS int) (int, error) {
	if netNS == 0 {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, family)
		return fd, os.NewSyscallError("socket", err)
	}
	c, err := socket.Socket(unix.AF_NETLINK, unix.SOCK_RAW, family, "netlink", &socket.Config{NetNS: netNS})
	if err != nil {
		return -1, err
	}
	defer c.Close()
	rc, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd, dupErr := -1, error(nil)
	if err := rc.Control(func(cfd uintptr) { fd, dupErr = unix.FcntlInt(cfd, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return -1, err
	}
	if dupErr != nil {
		return -1, os.NewSyscallError("fcntl", dupErr)
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		_ = unix.Close(fd)
		return -1, os.NewSyscallError("setnonblock", err)
	}
	return fd, nil
}

// control runs fn on the descriptor, as a system call named op: after
// Close it fails with EBADF, as the v1 API's socket does.
func (s *socketFD) control(op string, fn func(fd int) error) error {
	if s.closed.Load() {
		return os.NewSyscallError(op, unix.EBADF)
	}
	var err error
	if cerr := s.raw.Control(func(fd uintptr) {
		for {
			if err = fn(int(fd)); err != unix.EINTR {
				return
			}
		}
	}); cerr != nil {
		return cerr
	}
	return os.NewSyscallError(op, err)
}

// close closes the descriptor once the calls using it return.
func (s *socketFD) close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.file.Close()
}

func (s *socketFD) bind(sa unix.Sockaddr) error {
	return s.control("bind", func(fd int) error { return unix.Bind(fd, sa) })
}

func (s *socketFD) getsockname() (sa unix.Sockaddr, err error) {
	err = s.control("getsockname", func(fd int) (err error) {
		sa, err = unix.Getsockname(fd)
		return err
	})
	return sa, err
}

func (s *socketFD) setsockoptInt(level, opt, value int) error {
	return s.control("setsockopt", func(fd int) error { return unix.SetsockoptInt(fd, level, opt, value) })
}

func (s *socketFD) getsockoptInt(level, opt int) (v int, err error) {
	err = s.control("getsockopt", func(fd int) (err error) {
		v, err = unix.GetsockoptInt(fd, level, opt)
		return err
	})
	return v, err
}

// getsockoptBytes reads an option into b, and returns the length the
// kernel reports, which may exceed len(b).
func (s *socketFD) getsockoptBytes(level, opt int, b []byte) (n int, err error) {
	err = s.control("getsockopt", func(fd int) error {
		var p unsafe.Pointer
		if len(b) > 0 {
			p = unsafe.Pointer(&b[0])
		}
		l := uint32(len(b))
		_, _, errno := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt),
			uintptr(p), uintptr(unsafe.Pointer(&l)), 0)
		if errno != 0 {
			return errno
		}
		n = int(l)
		return nil
	})
	return n, err
}

// setBPF attaches a socket filter; an empty program is EINVAL, as in the
// v1 API.
func (s *socketFD) setBPF(filter []bpf.RawInstruction) error {
	if len(filter) == 0 {
		return os.NewSyscallError("setsockopt", unix.EINVAL)
	}
	prog := unix.SockFprog{
		Len:    uint16(len(filter)),
		Filter: (*unix.SockFilter)(unsafe.Pointer(&filter[0])),
	}
	return s.control("setsockopt", func(fd int) error {
		return unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog)
	})
}

// setBuffer sets a buffer size, past the system's limit where the caller
// has the privilege (force), within it otherwise.
func (s *socketFD) setBuffer(force, plain, bytes int) error {
	if err := s.setsockoptInt(unix.SOL_SOCKET, force, bytes); err == nil {
		return nil
	}
	return s.setsockoptInt(unix.SOL_SOCKET, plain, bytes)
}

// A readiness waits for a socket to become readable. It is an epoll set of
// the socket's own, in the runtime's poller, made at the first wait; the
// socket is armed in it (EPOLLONESHOT) only for the length of a wait, so
// that datagrams queued while nobody waits wake no thread.
type readiness struct {
	sock *socketFD

	mu       sync.Mutex // guards the fields below
	file     *os.File   // the epoll set; nil until the first wait
	raw      syscall.RawConn
	inSet    bool      // the socket is in the set, armed or not
	waiting  int       // waits in progress
	deadline time.Time // of waits: the socket's read deadline
	closed   bool
}

// setDeadline sets the deadline of waits, as SetReadDeadline does.
func (r *readiness) setDeadline(t time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deadline = t
	if r.file == nil {
		return nil
	}
	return r.file.SetReadDeadline(t)
}

// open returns the epoll set, made if need be.
func (r *readiness) open() (syscall.RawConn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, errFileClosing
	}
	if r.raw != nil {
		return r.raw, nil
	}
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	if err := unix.SetNonblock(epfd, true); err != nil {
		_ = unix.Close(epfd)
		return nil, os.NewSyscallError("setnonblock", err)
	}
	f := os.NewFile(uintptr(epfd), "netlink-readiness") // non-blocking: in the poller
	raw, err := f.SyscallConn()
	if err == nil && !r.deadline.IsZero() {
		err = f.SetReadDeadline(r.deadline)
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	r.file, r.raw = f, raw
	return raw, nil
}

// begin opens the set if need be and counts a wait in.
func (r *readiness) begin() (syscall.RawConn, error) {
	raw, err := r.open()
	if err == nil {
		r.mu.Lock()
		r.waiting++
		r.mu.Unlock()
	}
	return raw, err
}

// end counts a wait out, and reports whether Close was called. The last
// wait to end without an event takes the socket out of the set, so that
// its datagrams wake nobody until the next wait arms it again.
func (r *readiness) end(eventSeen bool) (closed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waiting--
	if eventSeen || r.waiting > 0 || !r.inSet || r.file == nil || r.closed {
		return r.closed
	}
	_ = r.raw.Control(func(epfd uintptr) {
		_ = r.sock.control("epoll_ctl", func(fd int) error {
			return unix.EpollCtl(int(epfd), unix.EPOLL_CTL_DEL, fd, nil)
		})
	})
	r.inSet = false
	return false
}

// wait waits until the socket is readable or has an error to report, or
// the read deadline passes, or Close is called.
func (r *readiness) wait() error {
	raw, err := r.begin()
	if err != nil {
		return err
	}
	armed, eventSeen := false, false
	var events [1]unix.EpollEvent
	var failed error
	err = raw.Read(func(epfd uintptr) bool {
		if !armed {
			// Arm within the runtime's read lock: of waiters that take
			// turns, each arms its own wait.
			if failed = r.arm(int(epfd)); failed != nil {
				return true
			}
			armed = true
		}
		n, err := unix.EpollWait(int(epfd), events[:], 0)
		for err == unix.EINTR {
			n, err = unix.EpollWait(int(epfd), events[:], 0)
		}
		// An event disarms the socket (EPOLLONESHOT).
		eventSeen = n > 0
		failed = os.NewSyscallError("epoll_wait", err)
		return eventSeen || err != nil
	})
	if r.end(eventSeen) {
		// The runtime's own error says only that the set was closed.
		return errFileClosing
	}
	if err != nil {
		return err
	}
	return failed
}

// arm puts the socket in the set, to report once that it is readable or
// has an error.
func (r *readiness) arm(epfd int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	op := unix.EPOLL_CTL_ADD
	if r.inSet {
		op = unix.EPOLL_CTL_MOD
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLONESHOT}
	err := r.sock.control("epoll_ctl", func(fd int) error {
		ev.Fd = int32(fd)
		return unix.EpollCtl(epfd, op, fd, &ev)
	})
	if err == nil {
		r.inSet = true
	}
	return err
}

// close wakes the waits, which then fail with errFileClosing, and closes
// the set. It does not hold mu while the File's Close waits for the waits
// to return, since one may be arming (see arm).
func (r *readiness) close() error {
	r.mu.Lock()
	r.closed = true
	f := r.file
	r.mu.Unlock()
	if f == nil {
		return nil
	}
	return f.Close()
}

// A userRawConn is the socket's descriptor as SyscallConn hands it out:
// Read waits for readability as the Conn does; Write retries while the
// kernel refuses for lack of room.
type userRawConn struct{ s *sysSocket }

func (u userRawConn) Control(fn func(fd uintptr)) error { return u.s.fd.raw.Control(fn) }

func (u userRawConn) Read(fn func(fd uintptr) bool) error {
	for {
		done := false
		if err := u.s.fd.raw.Control(func(fd uintptr) { done = fn(fd) }); err != nil || done {
			return err
		}
		if err := u.s.readDeadline.during(context.Background(), u.s.ready.wait); err != nil {
			return err
		}
	}
}

func (u userRawConn) Write(fn func(fd uintptr) bool) error {
	var b backoff
	for {
		done := false
		if err := u.s.fd.raw.Control(func(fd uintptr) { done = fn(fd) }); err != nil || done {
			return err
		}
		if err := u.s.waitWritable(context.Background(), &b); err != nil {
			return err
		}
	}
}
