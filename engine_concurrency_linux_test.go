//go:build linux

package netlink_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
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
