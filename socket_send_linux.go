//go:build linux

package netlink

import (
	"context"
	"os"
	"slices"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The sending side of the kernel socket.

// send sends one datagram to the kernel. Netlink hands a request to the
// kernel within the system call, so a send hardly ever waits: only one to
// a user-space socket whose queue is full does (see waitWritable).
func (s *sysSocket) send(ctx context.Context, out outgoing) error {
	if s.fd.closed.Load() {
		return os.NewSyscallError("sendmsg", unix.EBADF)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.writeDeadline.expired() {
		return os.ErrDeadlineExceeded
	}
	buf, _ := s.spareBuffers.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	size := 0
	for _, m := range out.msgs {
		size += int(m.Header.Length)
	}
	b := slices.Grow((*buf)[:0], size)
	for _, m := range out.msgs {
		b = appendMessage(b, m)
	}
	s.reserveReceiveBuffer(len(b))
	if out.dump && out.gather {
		s.arena.dumpBegins()
	}
	err := s.sendDatagram(ctx, b, out.dump, out.sent)
	if err == nil {
		s.trace.sent(b)
	}
	// The kernel has copied the datagram: its buffer can serve again.
	if cap(b) <= maxSpareBuffer {
		*buf = b[:0]
		s.spareBuffers.Put(buf)
	}
	return err
}

// reserveReceiveBuffer makes sure that the receive buffer will hold an
// error message that echoes a request of n bytes.
func (s *sysSocket) reserveReceiveBuffer(n int) {
	want := int64(n + ackHeadroom)
	for {
		cur := s.wantBuffer.Load()
		if cur >= want || s.wantBuffer.CompareAndSwap(cur, want) {
			return
		}
	}
}

// sendDatagram makes the sendmsg call for b.
func (s *sysSocket) sendDatagram(ctx context.Context, b []byte, dump bool, sent func()) error {
	call, _ := s.sendCalls.Get().(*sendCall)
	if call == nil {
		call = &sendCall{}
		call.to.Family = unix.AF_NETLINK
		call.once = call.tryOnce
	}
	call.setBuffer(b)
	call.sent = sent
	if dump {
		call.lock = &s.dumpMu
	}
	defer func() {
		call.reset()
		s.sendCalls.Put(call)
	}()
	var wait backoff
	for {
		if err := s.fd.raw.Control(call.once); err != nil {
			return err
		}
		if call.errno != unix.EAGAIN {
			break
		}
		if err := s.waitWritable(ctx, &wait); err != nil {
			return err
		}
	}
	if call.errno != 0 {
		return os.NewSyscallError("sendmsg", call.errno)
	}
	return nil
}

// A sendCall is the state of one send, kept for reuse so that a send
// allocates nothing. It is made with sendto, which spares the kernel the
// message header and vector of sendmsg; errors name sendmsg, as the v1
// API's do.
type sendCall struct {
	to    unix.RawSockaddrNetlink
	buf   unsafe.Pointer
	len   int
	lock  *sync.Mutex // held around the system call, if set
	sent  func()      // called after a successful system call, under lock
	errno syscall.Errno
	once  func(fd uintptr) // tryOnce, bound once
}

// setBuffer points the call at b, which may be empty (SendMessages with no
// messages sends an empty datagram, as v1 does).
func (c *sendCall) setBuffer(b []byte) {
	c.buf, c.len = unsafe.Pointer(unsafe.SliceData(b)), len(b)
}

// reset forgets the call's buffer and results.
func (c *sendCall) reset() {
	c.buf, c.len, c.lock, c.sent, c.errno = nil, 0, nil, nil, 0
}

// tryOnce makes the system call, retrying only when interrupted.
func (c *sendCall) tryOnce(fd uintptr) {
	if c.lock != nil {
		c.lock.Lock()
		defer c.lock.Unlock()
	}
	for {
		_, _, c.errno = unix.Syscall6(unix.SYS_SENDTO, fd, uintptr(c.buf), uintptr(c.len), 0,
			uintptr(unsafe.Pointer(&c.to)), unix.SizeofSockaddrNetlink)
		if c.errno == 0 && c.sent != nil {
			c.sent()
		}
		if c.errno != unix.EINTR {
			return
		}
	}
}

// A backoff is the growing pause between the tries of a send that the
// kernel refuses for lack of room.
type backoff struct{ pause time.Duration }

// Bounds of a backoff's pause.
const (
	minSendPause = 50 * time.Microsecond
	maxSendPause = 5 * time.Millisecond
)

// waitWritable waits before a send is tried again. Netlink refuses a send
// (EAGAIN) only when the user-space socket it goes to has a full queue,
// and then tells the sender nothing when that queue drains: the poller
// cannot help, so the send pauses, longer each time, until ctx is done,
// the write deadline passes or the socket is closed.
func (s *sysSocket) waitWritable(ctx context.Context, b *backoff) error {
	b.pause = min(max(2*b.pause, minSendPause), maxSendPause)
	t := time.NewTimer(b.pause)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return ctx.Err()
	}
	switch {
	case s.fd.closed.Load():
		return errFileClosing
	case s.writeDeadline.expired():
		return os.ErrDeadlineExceeded
	}
	return nil
}
