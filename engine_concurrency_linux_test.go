//go:build linux

package netlink_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
	"github.com/netlinkgo/netlink/internal/testkit/goroutines"
	"golang.org/x/sys/unix"
)

// concFamilyNames are the generic netlink families the concurrency tests
// ask for, those of them that the kernel has.
var concFamilyNames = []string{"nlctrl", "ethtool", "netdev", "TASKSTATS", "tcp_metrics", "mptcp_pm"}

// concCheckFamilyDump checks that a dump of the families lists each one once,
// and every family of want, and returns what it lists.
func concCheckFamilyDump(msgs []netlink.Message, want map[string]uint16) (map[string]uint16, error) {
	got := make(map[string]uint16, len(msgs))
	seq := msgs[0].Header.Sequence
	for _, m := range msgs {
		if m.Header.Sequence != seq {
			return nil, fmt.Errorf("dump message with sequence %d, want %d like the first", m.Header.Sequence, seq)
		}
		f, err := genl.ParseFamily(m)
		if err != nil {
			return nil, err
		}
		name, id := f.Name, f.ID
		if _, ok := got[name]; ok {
			return nil, fmt.Errorf("family %q listed twice in one dump", name)
		}
		got[name] = id
	}
	for name, id := range want {
		if got[name] != id {
			return nil, fmt.Errorf("family %q: ID %d in the dump, want %d", name, got[name], id)
		}
	}
	return got, nil
}

// concFamilies dumps the generic netlink families and returns the IDs of
// those of concFamilyNames that exist, with their names in the order of
// concFamilyNames.
func concFamilies(t testing.TB, c *netlink.Conn) (map[string]uint16, []string) {
	t.Helper()
	msgs, err := c.Execute(genl.GetFamilyRequest(""))
	if err != nil {
		t.Fatalf("dumping generic netlink families: %v", err)
	}
	all, err := concCheckFamilyDump(msgs, nil)
	if err != nil {
		t.Fatalf("dumping generic netlink families: %v", err)
	}
	ids := make(map[string]uint16)
	var names []string
	for _, name := range concFamilyNames {
		if id, ok := all[name]; ok {
			ids[name] = id
			names = append(names, name)
		}
	}
	if len(names) < 2 {
		t.Skipf("skipping: need two generic netlink families of %v, the kernel has %v", concFamilyNames, all)
	}
	return ids, names
}

// concCheckFamilyReply checks that msgs answer a request for family name.
func concCheckFamilyReply(msgs []netlink.Message, name string, id uint16) error {
	if len(msgs) != 1 {
		return fmt.Errorf("family %q: %d messages in reply, want 1", name, len(msgs))
	}
	got, err := genl.ParseFamily(msgs[0])
	if err != nil {
		return fmt.Errorf("family %q: %v", name, err)
	}
	if got.Name != name || got.ID != id {
		return fmt.Errorf("asked for family %q (ID %d), got %q (ID %d)", name, id, got.Name, got.ID)
	}
	return nil
}

func TestConcurrentExecuteDifferentFamilies(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)
	ids, names := concFamilies(t, c)

	const workers, requests = 8, 500
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			for i := range requests {
				// Neighbouring goroutines ask for different families at
				// each step, so that a reply handed to the wrong caller
				// shows.
				name := names[(g+i)%len(names)]
				msgs, err := c.Execute(genl.GetFamilyRequest(name))
				if err == nil {
					err = concCheckFamilyReply(msgs, name, ids[name])
				}
				if err != nil {
					t.Errorf("goroutine %d, request %d: %v", g, i, err)
					return
				}
			}
		})
	}
	goroutines.Wait(t, &wg, 20*time.Second)
}

// concCheckSameDump checks that two dumps of data that does not change
// carry the same messages.
func concCheckSameDump(got, want []netlink.Message) error {
	if len(got) != len(want) {
		return fmt.Errorf("dump of %d messages, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Header.Type != want[i].Header.Type || !bytes.Equal(got[i].Data, want[i].Data) {
			return fmt.Errorf("message %d of the dump differs from the first dump's", i)
		}
	}
	return nil
}

func TestConcurrentDumpsAndRequests(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)
	ids, names := concFamilies(t, c)
	// Unlike the dump of the families, a dump of a family's policies
	// spans several datagrams, so that the kernel is still running the
	// dump when the request has been sent and would refuse another one
	// with EBUSY.
	policies := make(map[string][]netlink.Message)
	for _, name := range names {
		msgs, err := c.Execute(genl.GetPolicyRequest(ids[name]))
		if err != nil {
			t.Fatalf("dumping the policy of %s: %v", name, err)
		}
		policies[name] = msgs
	}

	// Half of the goroutines of each kind pass a context that can be
	// cancelled, which takes another path through the socket code.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	contextFor := func(g int) context.Context {
		if g%2 == 0 {
			return context.Background()
		}
		return ctx
	}

	const dumpers, dumps = 4, 60
	const requesters, requests = 4, 500
	var wg sync.WaitGroup
	for g := range dumpers {
		wg.Go(func() {
			for i := range dumps {
				var (
					msgs []netlink.Message
					err  error
				)
				if i%2 == 0 {
					msgs, err = c.ExecuteContext(contextFor(g), genl.GetFamilyRequest(""))
					if err == nil {
						_, err = concCheckFamilyDump(msgs, ids)
					}
				} else {
					name := names[(g+i)%len(names)]
					msgs, err = c.ExecuteContext(contextFor(g), genl.GetPolicyRequest(ids[name]))
					if err == nil {
						err = concCheckSameDump(msgs, policies[name])
					}
					if err != nil {
						err = fmt.Errorf("policy of %s: %w", name, err)
					}
				}
				if err != nil {
					t.Errorf("dumping goroutine %d, dump %d: %v", g, i, err)
					return
				}
			}
		})
	}
	for g := range requesters {
		wg.Go(func() {
			for i := range requests {
				name := names[(g+i)%len(names)]
				msgs, err := c.ExecuteContext(contextFor(g), genl.GetFamilyRequest(name))
				if err == nil {
					err = concCheckFamilyReply(msgs, name, ids[name])
				}
				if err != nil {
					t.Errorf("requesting goroutine %d, request %d: %v", g, i, err)
					return
				}
			}
		})
	}
	goroutines.Wait(t, &wg, 20*time.Second)
}

func TestConcurrentSendReceiveAlongsideExecute(t *testing.T) {
	ns := nstest.New(t)

	t.Run("own requests", func(t *testing.T) {
		c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)
		ids, names := concFamilies(t, c)

		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 300 {
					name := names[(g+i)%len(names)]
					msgs, err := c.Execute(genl.GetFamilyRequest(name))
					if err == nil {
						err = concCheckFamilyReply(msgs, name, ids[name])
					}
					if err != nil {
						t.Errorf("executing goroutine %d, request %d: %v", g, i, err)
						return
					}
				}
			})
		}
		wg.Go(func() {
			for i := range 300 {
				name := names[i%len(names)]
				sent, err := c.Send(genl.GetFamilyRequest(name))
				if err != nil {
					t.Errorf("send %d: %v", i, err)
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				msgs, err := c.ReceiveContext(ctx)
				cancel()
				if err != nil {
					t.Errorf("receive %d: %v", i, err)
					return
				}
				if err := concCheckFamilyReply(msgs, name, ids[name]); err != nil {
					t.Errorf("receive %d: %v", i, err)
					return
				}
				if got := msgs[0].Header.Sequence; got != sent.Header.Sequence {
					t.Errorf("receive %d: reply with sequence %d, want %d", i, got, sent.Header.Sequence)
					return
				}
			}
		})
		goroutines.Wait(t, &wg, 20*time.Second)
	})

	t.Run("receive does not block send", func(t *testing.T) {
		c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, nil)
		ids, names := concFamilies(t, c)

		type result struct {
			msgs []netlink.Message
			err  error
		}
		received := make(chan result, 1)
		go func() {
			msgs, err := c.ReceiveContext(context.Background())
			received <- result{msgs, err}
		}()
		// The receiving goroutine now waits in the socket; the test is
		// only weaker, not wrong, if it has not got there yet.
		if !goroutines.WaitForStacks(map[string]int{"TestConcurrentSendReceiveAlongsideExecute.func2.1(": 1, "netlink.(*demux).readOne(": 1}, 2*time.Second) {
			t.Log("the receiving goroutine was not seen blocked in the socket")
		}

		// Execute must complete while Receive waits: whoever reads hands
		// each reply to its owner.
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for i := range 50 {
					name := names[(g+i)%len(names)]
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					msgs, err := c.ExecuteContext(ctx, genl.GetFamilyRequest(name))
					cancel()
					if err == nil {
						err = concCheckFamilyReply(msgs, name, ids[name])
					}
					if err != nil {
						t.Errorf("execute %d of goroutine %d while Receive waits: %v", i, g, err)
						return
					}
				}
			})
		}
		goroutines.Wait(t, &wg, 20*time.Second)
		select {
		case r := <-received:
			t.Fatalf("Receive returned %v, %v while only Execute was used", r.msgs, r.err)
		default:
		}

		// Send too, and the waiting Receive gets the reply.
		sent, err := c.Send(genl.GetFamilyRequest("nlctrl"))
		if err != nil {
			t.Fatalf("send while Receive waits: %v", err)
		}
		select {
		case r := <-received:
			if r.err != nil {
				t.Fatalf("receive: %v", r.err)
			}
			if err := concCheckFamilyReply(r.msgs, "nlctrl", ids["nlctrl"]); err != nil {
				t.Fatal(err)
			}
			if got := r.msgs[0].Header.Sequence; got != sent.Header.Sequence {
				t.Fatalf("receive: reply with sequence %d, want %d", got, sent.Header.Sequence)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Receive did not return the reply to Send within 5 s")
		}
	})
}

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
