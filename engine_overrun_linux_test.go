//go:build linux

package netlink_test

// A storm of notifications that overruns a Conn's queue while it dumps:
// see TestOverrunStorm.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

// The storm's default size, small enough for CI on two cores; the
// environment variables named below override the first two.
const (
	stormRoutes = 2000 // routes added then deleted per round: NETLINK_STORM_ROUTES
	stormVeths  = 40   // veth pairs added then deleted per round: NETLINK_STORM_VETHS
	stormRounds = 2    // rounds of adding and deleting
	stormKept   = 2    // veth pairs that exist throughout, which every dump must list
)

// Time limits: no call of the test waits longer, so a wedged Conn fails the
// test in seconds instead of hanging it.
const (
	stormDumpTimeout  = 5 * time.Second  // a link dump during the storm
	stormAfterTimeout = 2 * time.Second  // a link dump after the storm
	stormDuration     = 15 * time.Second // the default storm itself (ip -batch is killed past it)
	stormQuietWait    = 3 * time.Second  // for the notifications to die down
	stormQuietPeriod  = 300 * time.Millisecond
	stormDrainStop    = 2 * time.Second // for the Receive loop to end
	stormAfterDumps   = 5               // link dumps after the storm
	stormMaxFailures  = 10              // failed dumps during the storm before giving up
)

// stormSize returns the positive integer in the environment variable name,
// or def when it is unset.
func stormSize(t *testing.T, name string, def, limit int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > limit {
		t.Fatalf("%s=%q: want an integer from 1 to %d", name, s, limit)
	}
	return n
}

// stormLines returns the ip commands of the storm: rounds of adding routes
// through lo and veth pairs, the pairs spread among the routes so that link
// notifications come all along, then deleting them the same way.
func stormLines(routes, veths, rounds int) []string {
	every := max(routes/max(veths, 1), 1)
	var lines []string
	for range rounds {
		for _, verb := range []string{"add", "del"} {
			v := 0
			veth := func() {
				if verb == "add" {
					lines = append(lines, fmt.Sprintf("link add st%da type veth peer name st%db", v, v))
				} else {
					lines = append(lines, fmt.Sprintf("link del st%da", v))
				}
				v++
			}
			for i := range routes {
				lines = append(lines, fmt.Sprintf("route %s 10.%d.%d.0/24 dev lo", verb, i>>8, i&0xff))
				if i%every == 0 && v < veths {
					veth()
				}
			}
			for v < veths {
				veth()
			}
		}
	}
	return lines
}

// stormLinks checks that msgs are a whole link dump answering the request
// with sequence seq on the Conn of port pid, and returns the links' names
// by interface index.
func stormLinks(msgs []netlink.Message, seq, pid uint32) (map[uint32]string, error) {
	links := make(map[uint32]string)
	for i, m := range msgs {
		h := m.Header
		if h.Type != unix.RTM_NEWLINK || h.Sequence != seq || h.PID != pid {
			return nil, fmt.Errorf("message %d: type %d, sequence %d, port %d; want type %d (RTM_NEWLINK), sequence %d, port %d",
				i, h.Type, h.Sequence, h.PID, unix.RTM_NEWLINK, seq, pid)
		}
		name, err := testkit.LinkName(m)
		if err != nil {
			return nil, fmt.Errorf("message %d: %v", i, err)
		}
		index := binary.NativeEndian.Uint32(m.Data[4:8])
		if old, ok := links[index]; ok {
			return nil, fmt.Errorf("message %d: index %d (%s) listed twice, first as %s", i, index, name, old)
		}
		links[index] = name
	}
	return links, nil
}

// stormIPLinks returns the names of the links in ns by interface index, as
// "ip -o link show" lists them.
func stormIPLinks(t *testing.T, ns *nstest.NS) map[uint32]string {
	t.Helper()
	links := make(map[uint32]string)
	for line := range strings.Lines(ns.Run(t, "-o", "link", "show")) {
		// 3: keep0a@keep0b: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 ...
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		index, err := strconv.ParseUint(strings.TrimSuffix(f[0], ":"), 10, 32)
		if err != nil {
			t.Fatalf("ip -o link show: no index in %q", line)
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		links[uint32(index)] = name
	}
	return links
}

// A stormDrain receives everything that reaches Receive on a Conn, in its
// own goroutine, and records what matters to the test.
type stormDrain struct {
	c    *netlink.Conn
	pid  uint32
	done chan struct{}

	mu       sync.Mutex
	messages int              // messages received
	overruns int              // errors matching ENOBUFS that are not a reply
	own      []netlink.Header // messages carrying the Conn's port ID
	answers  []error          // netlink error messages answering a request
	others   []error          // any other error
	last     time.Time        // when Receive last returned
}

// startStormDrain calls Receive on c until ctx is done.
func startStormDrain(ctx context.Context, c *netlink.Conn) *stormDrain {
	d := &stormDrain{c: c, pid: c.PID(), done: make(chan struct{}), last: time.Now()}
	go func() {
		defer close(d.done)
		for ctx.Err() == nil {
			msgs, err := c.ReceiveContext(ctx)
			if ctx.Err() != nil {
				return
			}
			if !d.record(msgs, err) {
				return
			}
		}
	}()
	return d
}

// record notes what one Receive returned, and reports whether to go on.
func (d *stormDrain) record(msgs []netlink.Message, err error) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.last = time.Now()
	d.messages += len(msgs)
	for _, m := range msgs {
		if m.Header.PID == d.pid {
			d.own = append(d.own, m.Header)
		}
	}
	var oe *netlink.OpError
	switch {
	case err == nil:
	case errors.As(err, &oe) && oe.Sequence != 0:
		// A netlink error message: a reply, not an overrun.
		d.answers = append(d.answers, err)
	case errors.Is(err, unix.ENOBUFS):
		d.overruns++
	default:
		d.others = append(d.others, err)
		// A Receive that fails at once every time must not spin.
		return len(d.others) < 100
	}
	return true
}

// waitQuiet waits until Receive has had nothing for period, or timeout has
// passed, and reports whether it was quiet.
func (d *stormDrain) waitQuiet(period, timeout time.Duration) bool {
	end := time.Now().Add(timeout)
	for time.Now().Before(end) {
		d.mu.Lock()
		last := d.last
		d.mu.Unlock()
		if time.Since(last) >= period {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// stop ends the Receive loop, whose context cancel cancels, closing the
// Conn if the loop does not end by itself in time.
func (d *stormDrain) stop(t *testing.T, cancel context.CancelFunc) {
	t.Helper()
	cancel()
	select {
	case <-d.done:
		return
	case <-time.After(stormDrainStop):
	}
	t.Errorf("ReceiveContext did not return within %v of its context's end", stormDrainStop)
	d.c.Close()
	select {
	case <-d.done:
	case <-time.After(stormDrainStop):
		t.Errorf("ReceiveContext did not return within %v of Close either", stormDrainStop)
	}
}

// stormCounts are the outcomes of the link dumps made during the storm.
type stormCounts struct {
	ok, interrupted, enobufs, ebusy int
}

// trustRouteDst returns the RTA_DST of an RTM_NEWROUTE message, or the zero
// address for another message.
func trustRouteDst(t *testing.T, m netlink.Message) netip.Addr {
	t.Helper()
	if m.Header.Type != unix.RTM_NEWROUTE || len(m.Data) < unix.SizeofRtMsg {
		return netip.Addr{}
	}
	a, _ := netip.AddrFromSlice(trustAttrs(t, m.Data[unix.SizeofRtMsg:])[unix.RTA_DST])
	return a
}

// TestTrustOverrun checks that a burst of notifications that overflows the
// socket's receive buffer is reported as ENOBUFS, to Receive even when an
// Execute met it first, and that the Conn goes on working: later
// notifications arrive, and Execute works.
func TestTrustOverrun(t *testing.T) {
	// Every subtest needs a namespace of its own: skip as a whole.
	nstest.SkipUnlessAvailable(t)
	for _, executeFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("executeFirst=%t", executeFirst), func(t *testing.T) {
			ns := nstest.New(t)
			ns.Run(t, "link", "set", "lo", "up")
			c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
			if err := c.JoinGroup(unix.RTNLGRP_IPV4_ROUTE); err != nil {
				t.Fatal(err)
			}
			if err := c.SetReadBuffer(4096); err != nil { // the kernel makes it a few KiB
				t.Fatal(err)
			}
			var lines []string
			for i := range 2000 {
				lines = append(lines, fmt.Sprintf("route add 10.%d.%d.0/24 dev lo", 1+i/256, i%256))
			}
			ns.Batch(t, lines)

			receive := func(timeout time.Duration) ([]netlink.Message, error) {
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				defer cancel()
				return c.ReceiveContext(ctx)
			}
			getLo := netlink.Message{
				Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request},
				Data:   make([]byte, unix.SizeofIfInfomsg),
			}
			binary.NativeEndian.PutUint32(getLo.Data[4:], 1) // ifi_index of lo

			if executeFirst {
				// The kernel drops the reply, as the queue is full: the
				// overrun must end the transaction.
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if _, err := c.ExecuteContext(ctx, getLo); !errors.Is(err, unix.ENOBUFS) {
					t.Fatalf("Execute after a burst of 2000 routes: %v, want an error matching ENOBUFS", err)
				}
			}
			// Receive learns of the overrun, before the queued
			// notifications, even if Execute read it first.
			if _, err := receive(5 * time.Second); !errors.Is(err, unix.ENOBUFS) {
				t.Fatalf("Receive after a burst of 2000 routes: %v, want an error matching ENOBUFS", err)
			}

			// Empty the queue, then a new notification must come through.
			for i := 0; ; i++ {
				_, err := receive(200 * time.Millisecond)
				if errors.Is(err, context.DeadlineExceeded) {
					break
				}
				if err != nil {
					t.Fatalf("Receive while emptying the queue: %v", err)
				}
				if i == 2000 {
					t.Fatal("the queue never emptied")
				}
			}
			ns.Run(t, "route", "add", "10.250.0.0/24", "dev", "lo")
			want := netip.MustParseAddr("10.250.0.0")
			msgs, err := receive(5 * time.Second)
			if err != nil {
				t.Fatalf("Receive after the overrun: %v", err)
			}
			if len(msgs) != 1 || trustRouteDst(t, msgs[0]) != want {
				t.Fatalf("Receive after the overrun returned %+v, want the RTM_NEWROUTE for %s", msgs, want)
			}

			msgs, err = c.Execute(getLo)
			if err != nil {
				t.Fatalf("Execute after the overrun: %v", err)
			}
			if len(msgs) != 1 || trustLinkName(t, msgs[0]) != "lo" {
				t.Fatalf("Execute after the overrun returned %+v, want lo", msgs)
			}
		})
	}
}
