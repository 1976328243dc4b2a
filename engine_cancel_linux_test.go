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
	s := newCancelScenario(t)
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{name: "cancel", run: s.cancelDump},
		{name: "timeout", run: s.timeOutDump},
		{name: "stop iterating", run: s.stopIterating},
		{name: "receive", run: s.cancelReceive},
		{name: "send", run: s.cancelSend},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
	if err := s.c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	goroutines.CheckNoLeaks(t, baseline, concLeakWait, concPackage)
}

// A cancelScenario is the state that the steps of TestCancelDumpInFlight
// share: a Conn in a namespace with concRoutes routes.
type cancelScenario struct {
	c *netlink.Conn
	// hook, when set, sees every datagram the Conn sends and receives.
	hook atomic.Pointer[func(sent bool, b []byte)]
	// Sequence numbers far from the Conn's own, so that the test knows
	// which request each reply answers.
	seq    uint32
	routes int // routes in a whole dump
}

// newCancelScenario dials the Conn and makes a first, whole route dump.
func newCancelScenario(t *testing.T) *cancelScenario {
	ns := concRouteNS(t)
	s := &cancelScenario{seq: 0x7fff0000}
	s.c = testkit.Dial(t, ns, unix.NETLINK_ROUTE, &netlink.Config{
		Capture: captureFunc(func(sent bool, b []byte) {
			if h := s.hook.Load(); h != nil {
				(*h)(sent, b)
			}
		}),
	})

	first := s.nextSeq()
	msgs, err := s.c.Execute(testkit.RouteDump(first))
	if err != nil {
		t.Fatalf("dumping routes: %v", err)
	}
	s.routes = len(msgs)
	if err := concCheckRouteDump(msgs, first, s.routes); err != nil || s.routes < concRoutes {
		t.Fatalf("first dump: %d routes, want at least %d: %v", s.routes, concRoutes, err)
	}
	return s
}

// nextSeq returns the sequence number of a new request.
func (s *cancelScenario) nextSeq() uint32 {
	s.seq++
	return s.seq
}

// afterCancel dumps again, concurrently with single requests, and checks
// that nothing of the cancelled dump shows.
func (s *cancelScenario) afterCancel(t *testing.T) {
	t.Helper()
	var wg sync.WaitGroup
	dumpSeq := s.nextSeq()
	wg.Go(func() {
		msgs, err := s.c.Execute(testkit.RouteDump(dumpSeq))
		if err == nil {
			err = concCheckRouteDump(msgs, dumpSeq, s.routes)
		}
		if err != nil {
			t.Errorf("dump after the cancelled one: %v", err)
		}
	})
	for g := range 4 {
		wg.Go(func() {
			for i := range 20 {
				msgs, err := s.c.Execute(concGetLink())
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
	concCheckNothingToReceive(t, s.c)
}

// cancelDump cancels a dump once its first datagram has come.
func (s *cancelScenario) cancelDump(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled atomic.Int64 // when, in UnixNano
	h := func(sent bool, b []byte) {
		if !sent && cancelled.Load() == 0 {
			cancelled.Store(time.Now().UnixNano())
			cancel()
		}
	}
	s.hook.Store(&h)
	_, err := s.c.ExecuteContext(ctx, testkit.RouteDump(s.nextSeq()))
	returned := time.Now()
	s.hook.Store(nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("dump cancelled after its first datagram: error %v, want one matching context.Canceled", err)
	}
	if d := returned.Sub(time.Unix(0, cancelled.Load())); d > time.Second {
		t.Errorf("the cancelled dump returned %v after cancel, want less than 1s", d)
	}
	s.afterCancel(t)
}

// timeOutDump lets a dump's deadline expire while the dump is in flight.
func (s *cancelScenario) timeOutDump(t *testing.T) {
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
	s.hook.Store(&h)
	_, err := s.c.ExecuteContext(ctx, testkit.RouteDump(s.nextSeq()))
	returned := time.Now()
	s.hook.Store(nil)
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
	s.afterCancel(t)
}

// stopIterating stops ReceiveIter early, which reads out the rest of the
// dump.
func (s *cancelScenario) stopIterating(t *testing.T) {
	sent, err := s.c.Send(testkit.RouteDump(s.nextSeq()))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for m, err := range s.c.ReceiveIter() {
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
	s.afterCancel(t)
}

// cancelReceive cancels ReceiveContext before it starts, and while it
// waits.
func (s *cancelScenario) cancelReceive(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.c.ReceiveContext(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("ReceiveContext with a cancelled context: %v, want an error matching context.Canceled", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := s.c.ReceiveContext(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("ReceiveContext cancelled while waiting: %v, want an error matching context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("ReceiveContext cancelled after 50ms returned after %v", d)
	}
	s.afterCancel(t)
}

// cancelSend calls ExecuteContext with a context cancelled already.
func (s *cancelScenario) cancelSend(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.c.ExecuteContext(ctx, concGetLink()); !errors.Is(err, context.Canceled) {
		t.Fatalf("ExecuteContext with a cancelled context: %v, want an error matching context.Canceled", err)
	}
	// Nothing was sent, so no reply comes.
	s.afterCancel(t)
}

// concPackage is the prefix of the functions whose goroutines must not
// outlive a test: the package's, and the test's own.
const concPackage = "github.com/netlinkgo/netlink"

// concLeakWait is how long goroutines have to end after a test.
const concLeakWait = 2 * time.Second
