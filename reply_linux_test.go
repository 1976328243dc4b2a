//go:build linux

package netlink_test

// Dumps that the kernel marks interrupted (NLM_F_DUMP_INTR), read from the
// real kernel in a network namespace that the test creates; skips when not
// root.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

// trustInterrupter changes the links of a namespace while a dump is read:
// its capture method, a Config.Capture, adds or deletes a link as soon as
// the first datagram of an armed dump has been received. The kernel has
// then already filled the next datagram, so the one after it is marked.
type trustInterrupter struct {
	ns *nstest.NS

	mu      sync.Mutex
	armed   int // dumps still to interrupt; -1 is all of them
	pending bool
	dumps   int // dump requests sent
	changes int
	err     error
}

// arm makes the next n dumps interrupted; -1 means all of them.
func (in *trustInterrupter) arm(n int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.armed, in.dumps = n, 0
}

// capture watches the traffic, and changes the links when armed.
func (in *trustInterrupter) capture(sent bool, b []byte) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if sent {
		if len(b) >= 16 && binary.NativeEndian.Uint16(b[4:]) == unix.RTM_GETLINK {
			in.dumps++
			in.pending = in.armed != 0
			if in.armed > 0 {
				in.armed--
			}
		}
		return
	}
	if in.pending {
		in.pending = false
		in.changeLocked()
	}
}

// change adds or deletes a link.
func (in *trustInterrupter) change() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.changeLocked()
}

// changeLocked is change, with in.mu held.
func (in *trustInterrupter) changeLocked() {
	args := []string{"-n", in.ns.Name(), "link", "add", "intr", "type", "bridge"}
	if in.changes%2 == 1 {
		args = []string{"-n", in.ns.Name(), "link", "del", "intr"}
	}
	in.changes++
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil && in.err == nil {
		in.err = fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// check fails the test if changing the links failed, and returns how many
// dump requests were sent since the last arm.
func (in *trustInterrupter) check(t *testing.T) int {
	t.Helper()
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.err != nil {
		t.Fatal(in.err)
	}
	return in.dumps
}

// trustInterrupted counts the messages marked DumpInterrupted, and checks
// that all are RTM_NEWLINK.
func trustInterrupted(t *testing.T, msgs []netlink.Message) int {
	t.Helper()
	n := 0
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK {
			t.Fatalf("dump returned a message of type %d, want RTM_NEWLINK", m.Header.Type)
		}
		if m.Header.Flags&netlink.DumpInterrupted != 0 {
			n++
		}
	}
	return n
}

// TestTrustInterruptedDump checks that a dump the kernel marks interrupted
// comes back with the flag by default, as an ErrDumpInterrupted error with
// InterruptedDumpError.
func TestTrustInterruptedDump(t *testing.T) {
	ns := nstest.New(t)
	lines, _ := trustVethPairs("id", 30)
	ns.Batch(t, lines) // 61 links: about 30 datagrams of 4 KiB
	in := &trustInterrupter{ns: ns}
	dial := func(interruptedError bool) *netlink.Conn {
		return testkit.Dial(t, ns, unix.NETLINK_ROUTE, &netlink.Config{
			MessageBufferSize:    4096,
			Capture:              captureFunc(in.capture),
			InterruptedDumpError: interruptedError,
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// By default, as in v1: the messages, some with the flag. Send and
	// ReceiveIter let the test change the links between two datagrams.
	c := dial(false)
	interrupted := false
	for attempt := 0; attempt < 5 && !interrupted; attempt++ {
		if _, err := c.Send(testkit.LinkDump(0)); err != nil {
			t.Fatal(err)
		}
		var msgs []netlink.Message
		for m, err := range c.ReceiveIter() {
			if err != nil {
				t.Fatalf("ReceiveIter: %v", err)
			}
			if len(msgs) == 0 {
				in.change()
			}
			msgs = append(msgs, m)
		}
		in.check(t)
		interrupted = trustInterrupted(t, msgs) > 0
	}
	if !interrupted {
		t.Skip("skipping: the kernel never set NLM_F_DUMP_INTR on an RTM_GETLINK dump while links were added and deleted")
	}

	t.Run("v1", func(t *testing.T) {
		in.arm(1)
		msgs, err := c.Execute(testkit.LinkDump(0))
		if err != nil {
			t.Fatalf("Execute: %v", err)
		}
		if trustInterrupted(t, msgs) == 0 {
			t.Fatal("Execute: no message has the DumpInterrupted flag")
		}
		in.arm(1)
		r, err := c.ExecuteReply(ctx, testkit.LinkDump(0))
		if err != nil {
			t.Fatalf("ExecuteReply: %v", err)
		}
		if !r.Interrupted || trustInterrupted(t, r.Messages) == 0 {
			t.Fatalf("ExecuteReply: Interrupted = %t, with %d messages flagged; want true and some", r.Interrupted, trustInterrupted(t, r.Messages))
		}
		in.arm(0)
		r, err = c.ExecuteReply(ctx, testkit.LinkDump(0))
		if err != nil || r.Interrupted || trustInterrupted(t, r.Messages) != 0 {
			t.Fatalf("ExecuteReply without changes: Interrupted = %t, error %v; want false, nil", r.Interrupted, err)
		}
		in.check(t)
	})

	t.Run("InterruptedDumpError", func(t *testing.T) {
		c := dial(true)
		in.arm(1)
		if msgs, err := c.Execute(testkit.LinkDump(0)); !errors.Is(err, netlink.ErrDumpInterrupted) {
			t.Fatalf("Execute = %d messages, %v; want an error matching ErrDumpInterrupted", len(msgs), err)
		}
		in.arm(1)
		if _, err := c.ExecuteReply(ctx, testkit.LinkDump(0)); !errors.Is(err, netlink.ErrDumpInterrupted) {
			t.Fatalf("ExecuteReply error %v, want one matching ErrDumpInterrupted", err)
		}
		in.arm(0)
		if _, err := c.Execute(testkit.LinkDump(0)); err != nil {
			t.Fatalf("Execute without changes: %v", err)
		}
		in.check(t)
	})
}
