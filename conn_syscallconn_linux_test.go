//go:build linux

package netlink_test

import (
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

// recvDontWait reads one datagram from fd without waiting; it reports
// whether it read one.
func recvDontWait(tb testing.TB, fd uintptr, buf []byte) bool {
	n, _, err := unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT)
	switch {
	case err == unix.EAGAIN:
		return false
	case err != nil:
		tb.Errorf("recvfrom: %v", err)
	case n < 16:
		tb.Errorf("recvfrom read %d bytes, want a netlink message", n)
	}
	return true
}

// TestSyscallConnReadWaits checks that the raw connection's Read waits for
// the socket to become readable when its function says so, as one of the
// runtime's poller does, and that it honours the read deadline and Close.
func TestSyscallConnReadWaits(t *testing.T) {
	ns := nstest.New(t)

	t.Run("until a datagram arrives", func(t *testing.T) {
		c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)
		rc, err := c.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 32*1024)
		var calls atomic.Int32
		go func() {
			time.Sleep(50 * time.Millisecond)
			if _, err := c.Send(genl.GetFamilyRequest("nlctrl")); err != nil {
				t.Errorf("Send: %v", err)
			}
		}()
		err = rc.Read(func(fd uintptr) bool {
			calls.Add(1)
			return recvDontWait(t, fd, buf)
		})
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		// Once before the reply came, once after: a Read that spun would
		// call it far more often.
		if n := calls.Load(); n < 2 || n > 10 {
			t.Errorf("Read called its function %d times, want 2 (one wait)", n)
		}
	})

	t.Run("until the deadline", func(t *testing.T) {
		c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)
		if err := c.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		rc, err := c.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		err = rc.Read(func(uintptr) bool { return false })
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read returned %v, want an error matching os.ErrDeadlineExceeded", err)
		}
	})

	t.Run("until Close", func(t *testing.T) {
		c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)
		rc, err := c.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- rc.Read(func(uintptr) bool { return false }) }()
		time.Sleep(50 * time.Millisecond)
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if !errors.Is(err, unix.EBADF) {
				t.Errorf("Read returned %v after Close, want an error matching EBADF", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Read still waiting 5s after Close")
		}
	})
}

// TestSyscallConnWriteRetries checks that the raw connection's Write tries
// its function again while it says the kernel refused for lack of room,
// pausing in between, and gives up at the write deadline.
func TestSyscallConnWriteRetries(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}

	calls := 0
	start := time.Now()
	if err := rc.Write(func(uintptr) bool { calls++; return calls == 4 }); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if calls != 4 {
		t.Errorf("Write called its function %d times, want 4", calls)
	}
	// Three pauses, of at least 50µs each and growing.
	if d := time.Since(start); d < 150*time.Microsecond {
		t.Errorf("Write retried within %v: it did not pause", d)
	}

	if err := c.SetWriteDeadline(time.Now().Add(30 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	err = rc.Write(func(uintptr) bool { return false })
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Write returned %v, want an error matching os.ErrDeadlineExceeded", err)
	}
}
