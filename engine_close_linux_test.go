//go:build linux

package netlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
	"github.com/netlinkgo/netlink/internal/testkit/goroutines"
)

func TestCloseUnblocksEverything(t *testing.T) {
	baseline := goroutines.IDs()
	ns := nstest.New(t)
	ns.Run(t, "link", "set", "lo", "up")
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)

	b := &blockedCalls{results: make(chan blockedResult, 64)}
	b.startAll(t, c)

	closed := time.Now()
	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	b.waitClosed(t, closed)
	goroutines.CheckNoLeaks(t, baseline, concLeakWait, concPackage)

	checkClosedConn(t, c)
}

// closeSetLink returns an RTM_SETLINK request of lo without changes: it
// succeeds, and without an acknowledgement asked for the kernel says
// nothing, so its Execute waits forever. With the dump bits (Replace|Excl
// for a new request) it also holds up the dumps behind it.
func closeSetLink(flags netlink.HeaderFlags) netlink.Message {
	data := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(data[4:], 1)
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_SETLINK, Flags: netlink.Request | flags}, Data: data}
}

// closeLinkDump returns a request to dump every link.
func closeLinkDump() netlink.Message {
	return netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Dump},
		Data:   make([]byte, unix.SizeofIfInfomsg),
	}
}

// blockedCallCount is the number of goroutines that startAll starts.
const blockedCallCount = 1 + 4*2 + 16 + 2*2

// blockedCalls are goroutines that call a Conn until Close, each of which
// sends its result when it returns.
type blockedCalls struct {
	wg      sync.WaitGroup
	results chan blockedResult
}

// A blockedResult is what one of the blockedCalls returned.
type blockedResult struct {
	what string
	err  error
}

// start runs fn in a goroutine of its own.
func (b *blockedCalls) start(what string, fn func() error) {
	b.wg.Go(func() { b.results <- blockedResult{what, fn()} })
}

// untilError returns a function that runs fn until it fails.
func untilError(fn func() error) func() error {
	return func() error {
		for {
			if err := fn(); err != nil {
				return err
			}
		}
	}
}

// startAll starts blockedCallCount goroutines calling c, and waits a while
// to see them blocked: requests never answered, dumps held up behind them,
// Receives, and Executes and Sends in a loop.
func (b *blockedCalls) startAll(t *testing.T, c *netlink.Conn) {
	t.Helper()
	dump := closeLinkDump()
	b.start("Execute holding the dump turn", func() error {
		_, err := c.Execute(closeSetLink(netlink.Replace | netlink.Excl))
		return err
	})
	if !goroutines.WaitForStacks(map[string]int{"netlink.(*demux).await(": 1}, 2*time.Second) {
		t.Log("the request holding the dump turn was not seen waiting")
	}
	for range 4 {
		b.start("Execute of a dump", func() error {
			_, err := c.Execute(dump)
			return fmt.Errorf("dump returned: %w", err)
		})
		b.start("Execute never answered", func() error {
			_, err := c.Execute(closeSetLink(0))
			return err
		})
	}
	for range 16 {
		b.start("ReceiveContext", untilError(func() error {
			_, err := c.ReceiveContext(context.Background())
			return err
		}))
	}
	for range 2 {
		b.start("Execute in a loop", untilError(func() error {
			msgs, err := c.Execute(concGetLink())
			if err == nil {
				err = concCheckGetLink(msgs)
				if err != nil {
					err = fmt.Errorf("wrong reply: %w", err)
				}
			}
			return err
		}))
		b.start("Send in a loop", untilError(func() error {
			// Paced, so that the replies never overrun the socket.
			time.Sleep(time.Millisecond)
			_, err := c.Send(concGetLink())
			return err
		}))
	}
	if !goroutines.WaitForStacks(map[string]int{"netlink.(*demux).await(": 5, "netlink.(*demux).receiveReply(": 16}, 2*time.Second) {
		t.Log("not all goroutines were seen blocked")
	}
}

// waitClosed checks that every goroutine returns an error matching EBADF
// within 1s of closed, when the Conn was closed.
func (b *blockedCalls) waitClosed(t *testing.T, closed time.Time) {
	t.Helper()
	timeout := time.After(time.Second)
	for i := range blockedCallCount {
		select {
		case r := <-b.results:
			if !errors.Is(r.err, unix.EBADF) {
				t.Errorf("%s after Close: %v, want an error matching EBADF", r.what, r.err)
			}
		case <-timeout:
			t.Fatalf("%d of %d goroutines still blocked 1s after Close:\n%s", blockedCallCount-i, blockedCallCount, goroutines.Dump())
		}
	}
	t.Logf("all goroutines returned %v after Close", time.Since(closed))
	b.wg.Wait()
}

// checkClosedConn checks that every call on the closed c fails with EBADF,
// except Close, which succeeds again.
func checkClosedConn(t *testing.T, c *netlink.Conn) {
	t.Helper()
	for what, err := range map[string]error{
		"Execute": func() error { _, err := c.Execute(concGetLink()); return err }(),
		"Send":    func() error { _, err := c.Send(concGetLink()); return err }(),
		"Receive": func() error { _, err := c.Receive(); return err }(),
	} {
		if !errors.Is(err, unix.EBADF) {
			t.Errorf("%s on a closed Conn: %v, want an error matching EBADF", what, err)
		}
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close on a closed Conn: %v, want nil as in the v1 API", err)
	}
}
