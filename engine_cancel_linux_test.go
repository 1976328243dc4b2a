//go:build linux

package netlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
	"github.com/netlinkgo/netlink/internal/testkit/goroutines"
	"golang.org/x/sys/unix"
)

// Route dumps: a namespace with concRoutes routes on the loopback device
// makes a dump of many datagrams.
const concRoutes = 10000

// concRouteNS returns a namespace with concRoutes IPv4 routes.
func concRouteNS(t *testing.T) *nstest.NS {
	t.Helper()
	ns := nstest.New(t)
	lines := []string{"link set lo up"}
	for i := range concRoutes {
		lines = append(lines, fmt.Sprintf("route add 11.%d.%d.0/24 dev lo", i/256, i%256))
	}
	ns.Batch(t, lines)
	return ns
}

// concGetLink returns an RTM_GETLINK request for the loopback device, with
// an acknowledgement asked for so that the reply spans two datagrams.
func concGetLink() netlink.Message {
	data := make([]byte, unix.SizeofIfInfomsg)
	binary.NativeEndian.PutUint32(data[4:], 1) // ifi_index of lo
	return netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Acknowledge},
		Data:   data,
	}
}

// concCheckRouteDump checks that msgs are a whole route dump answering the
// request with sequence seq.
func concCheckRouteDump(msgs []netlink.Message, seq uint32, want int) error {
	if len(msgs) != want {
		return fmt.Errorf("dump of %d routes, want %d", len(msgs), want)
	}
	for i, m := range msgs {
		if m.Header.Sequence != seq || m.Header.Type != unix.RTM_NEWROUTE {
			return fmt.Errorf("message %d of the dump: type %d, sequence %d; want type %d, sequence %d",
				i, m.Header.Type, m.Header.Sequence, unix.RTM_NEWROUTE, seq)
		}
	}
	return nil
}

// concCheckGetLink checks the reply to concGetLink.
func concCheckGetLink(msgs []netlink.Message) error {
	if len(msgs) != 1 || msgs[0].Header.Type != unix.RTM_NEWLINK || len(msgs[0].Data) < unix.SizeofIfInfomsg {
		return fmt.Errorf("reply to RTM_GETLINK of lo: %v, want one RTM_NEWLINK message", msgs)
	}
	if index := binary.NativeEndian.Uint32(msgs[0].Data[4:]); index != 1 {
		return fmt.Errorf("reply to RTM_GETLINK of lo: index %d, want 1", index)
	}
	return nil
}

// concCheckNothingToReceive checks that no message waits for Receive: the
// replies of cancelled requests must not end up there.
func concCheckNothingToReceive(t *testing.T, c *netlink.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	msgs, err := c.ReceiveContext(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Receive with nothing to receive: %d messages, error %v; want an error matching context.DeadlineExceeded", len(msgs), err)
	}
}

func TestCancelDumpInFlight(t *testing.T) {
	baseline := goroutines.IDs()
	ns := concRouteNS(t)

	// hook, when set, sees every datagram the Conn sends and receives.
	var hook atomic.Pointer[func(sent bool, b []byte)]
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, &netlink.Config{
		Capture: captureFunc(func(sent bool, b []byte) {
			if h := hook.Load(); h != nil {
				(*h)(sent, b)
			}
		}),
	})

	// Sequence numbers far from the Conn's own, so that the test knows
	// which request each reply answers.
	seq := uint32(0x7fff0000)
	nextSeq := func() uint32 { seq++; return seq }

	first := nextSeq()
	msgs, err := c.Execute(testkit.RouteDump(first))
	if err != nil {
		t.Fatalf("dumping routes: %v", err)
	}
	routes := len(msgs)
	if err := concCheckRouteDump(msgs, first, routes); err != nil || routes < concRoutes {
		t.Fatalf("first dump: %d routes, want at least %d: %v", routes, concRoutes, err)
	}

	// afterCancel dumps again, concurrently with single requests, and
	// checks that nothing of the cancelled dump shows.
	afterCancel := func(t *testing.T) {
		t.Helper()
		var wg sync.WaitGroup
		dumpSeq := nextSeq()
		wg.Go(func() {
			msgs, err := c.Execute(testkit.RouteDump(dumpSeq))
			if err == nil {
				err = concCheckRouteDump(msgs, dumpSeq, routes)
			}
			if err != nil {
				t.Errorf("dump after the cancelled one: %v", err)
			}
		})
		for g := range 4 {
			wg.Go(func() {
				for i := range 20 {
					msgs, err := c.Execute(concGetLink())
					if err == nil {
						err = concCheckGetLink(msgs)
					}
					if err != nil {
						t.Errorf("goroutine %d, request %d after the cancelled dump: %v", g, i, err)
						return
					}
				}
			})
		}
		goroutines.Wait(t, &wg, 20*time.Second)
		concCheckNothingToReceive(t, c)
	}

	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var cancelled atomic.Int64 // when, in UnixNano
		h := func(sent bool, b []byte) {
			if !sent && cancelled.Load() == 0 {
				cancelled.Store(time.Now().UnixNano())
				cancel()
			}
		}
		hook.Store(&h)
		_, err := c.ExecuteContext(ctx, testkit.RouteDump(nextSeq()))
		returned := time.Now()
		hook.Store(nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("dump cancelled after its first datagram: error %v, want one matching context.Canceled", err)
		}
		if d := returned.Sub(time.Unix(0, cancelled.Load())); d > time.Second {
			t.Errorf("the cancelled dump returned %v after cancel, want less than 1s", d)
		}
		afterCancel(t)
	})

	t.Run("timeout", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		var slowed atomic.Bool
		h := func(sent bool, b []byte) {
			// Reading the first datagram takes longer than the
			// timeout: the dump is in flight when it expires.
			if !sent && !slowed.Swap(true) {
				time.Sleep(150 * time.Millisecond)
			}
		}
		hook.Store(&h)
		_, err := c.ExecuteContext(ctx, testkit.RouteDump(nextSeq()))
		returned := time.Now()
		hook.Store(nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("dump timed out after its first datagram: error %v, want one matching context.DeadlineExceeded", err)
		}
		deadline, _ := ctx.Deadline()
		if d := returned.Sub(deadline); d > time.Second {
			t.Errorf("the timed out dump returned %v after its deadline, want less than 1s", d)
		}
		if !slowed.Load() {
			t.Log("the deadline expired before the first datagram of the dump came")
		}
		afterCancel(t)
	})

	t.Run("stop iterating", func(t *testing.T) {
		// Stopping ReceiveIter early reads out the rest of the dump.
		sent, err := c.Send(testkit.RouteDump(nextSeq()))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m, err := range c.ReceiveIter() {
			if err != nil {
				t.Fatalf("receiving the dump: %v", err)
			}
			if m.Header.Sequence != sent.Header.Sequence {
				t.Fatalf("received sequence %d, want %d", m.Header.Sequence, sent.Header.Sequence)
			}
			if n++; n == 10 {
				break
			}
		}
		afterCancel(t)
	})

	t.Run("receive", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.ReceiveContext(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("ReceiveContext with a cancelled context: %v, want an error matching context.Canceled", err)
		}

		ctx, cancel = context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.ReceiveContext(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ReceiveContext cancelled while waiting: %v, want an error matching context.Canceled", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("ReceiveContext cancelled after 50ms returned after %v", d)
		}
		afterCancel(t)
	})

	t.Run("send", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.ExecuteContext(ctx, concGetLink()); !errors.Is(err, context.Canceled) {
			t.Fatalf("ExecuteContext with a cancelled context: %v, want an error matching context.Canceled", err)
		}
		// Nothing was sent, so no reply comes.
		afterCancel(t)
	})

	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	goroutines.CheckNoLeaks(t, baseline, concLeakWait, concPackage)
}

func TestCloseUnblocksEverything(t *testing.T) {
	baseline := goroutines.IDs()
	ns := nstest.New(t)
	ns.Run(t, "link", "set", "lo", "up")
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)

	// RTM_SETLINK of lo without changes succeeds, and without an
	// acknowledgement asked for the kernel says nothing: its Execute
	// waits forever. With the dump bits (Replace|Excl for a new request)
	// it also holds up the dumps behind it.
	setLink := func(flags netlink.HeaderFlags) netlink.Message {
		data := make([]byte, unix.SizeofIfInfomsg)
		binary.NativeEndian.PutUint32(data[4:], 1)
		return netlink.Message{Header: netlink.Header{Type: unix.RTM_SETLINK, Flags: netlink.Request | flags}, Data: data}
	}
	linkDump := netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Dump},
		Data:   make([]byte, unix.SizeofIfInfomsg),
	}

	type result struct {
		what string
		err  error
	}
	var (
		wg      sync.WaitGroup
		results = make(chan result, 64)
	)
	start := func(what string, fn func() error) {
		wg.Go(func() { results <- result{what, fn()} })
	}
	// loop runs fn until it fails.
	loop := func(fn func() error) func() error {
		return func() error {
			for {
				if err := fn(); err != nil {
					return err
				}
			}
		}
	}

	start("Execute holding the dump turn", func() error {
		_, err := c.Execute(setLink(netlink.Replace | netlink.Excl))
		return err
	})
	if !goroutines.WaitForStacks(map[string]int{"netlink.(*demux).await(": 1}, 2*time.Second) {
		t.Log("the request holding the dump turn was not seen waiting")
	}
	for range 4 {
		start("Execute of a dump", func() error {
			_, err := c.Execute(linkDump)
			return fmt.Errorf("dump returned: %w", err)
		})
		start("Execute never answered", func() error {
			_, err := c.Execute(setLink(0))
			return err
		})
	}
	for range 16 {
		start("ReceiveContext", loop(func() error {
			_, err := c.ReceiveContext(context.Background())
			return err
		}))
	}
	for range 2 {
		start("Execute in a loop", loop(func() error {
			msgs, err := c.Execute(concGetLink())
			if err == nil {
				err = concCheckGetLink(msgs)
				if err != nil {
					err = fmt.Errorf("wrong reply: %w", err)
				}
			}
			return err
		}))
		start("Send in a loop", loop(func() error {
			// Paced, so that the replies never overrun the socket.
			time.Sleep(time.Millisecond)
			_, err := c.Send(concGetLink())
			return err
		}))
	}
	const started = 1 + 4*2 + 16 + 2*2
	if !goroutines.WaitForStacks(map[string]int{"netlink.(*demux).await(": 5, "netlink.(*demux).receiveReply(": 16}, 2*time.Second) {
		t.Log("not all goroutines were seen blocked")
	}

	closed := time.Now()
	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	timeout := time.After(time.Second)
	for i := range started {
		select {
		case r := <-results:
			if !errors.Is(r.err, unix.EBADF) {
				t.Errorf("%s after Close: %v, want an error matching EBADF", r.what, r.err)
			}
		case <-timeout:
			t.Fatalf("%d of %d goroutines still blocked 1s after Close:\n%s", started-i, started, goroutines.Dump())
		}
	}
	t.Logf("all goroutines returned %v after Close", time.Since(closed))
	wg.Wait()
	goroutines.CheckNoLeaks(t, baseline, concLeakWait, concPackage)

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

// concPackage is the prefix of the functions whose goroutines must not
// outlive a test: the package's, and the test's own.
const concPackage = "github.com/netlinkgo/netlink"

// concLeakWait is how long goroutines have to end after a test.
const concLeakWait = 2 * time.Second
