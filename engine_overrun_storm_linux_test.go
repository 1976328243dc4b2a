//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

// TestOverrunStorm reproduces a production failure: after an overrun, a
// Conn could never dump again. When a socket's queue is full, the kernel
// answers a dump request with NLMSG_ERROR ENOBUFS but keeps the dump
// registered and sends its replies later; taking that error as the end of
// the dump let the next dump start, which the kernel refused with EBUSY,
// let the late replies reach Receive as if they were notifications, and
// made a dump whose EBUSY answer was dropped wait for a Done that never
// came.
//
// The failure depends on timing, so one run proves little: the check is 20
// runs in a row,
//
//	go test -run TestOverrunStorm -count=20 .
//
// The storm's size can be raised for a heavier check, for example to the
// 5,000 routes and 100 veth pairs of the original report:
//
//	NETLINK_STORM_ROUTES=5000 NETLINK_STORM_VETHS=100 go test -run TestOverrunStorm -v .
func TestOverrunStorm(t *testing.T) {
	routes := stormSize(t, "NETLINK_STORM_ROUTES", stormRoutes, 1<<16)
	veths := stormSize(t, "NETLINK_STORM_VETHS", stormVeths, 1000)
	tests := []struct {
		name       string
		readBuffer int
	}{
		{name: "readBuffer=8192", readBuffer: 8192},
		{name: "readBuffer=4096", readBuffer: 4096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testOverrunStorm(t, routes, veths, tt.readBuffer)
		})
	}
}

// testOverrunStorm dumps links on a Conn joined to the link and route
// groups while a storm of changes overruns its queue, then checks that the
// Conn still dumps correctly and that no reply leaked to Receive.
func testOverrunStorm(t *testing.T, routes, veths, readBuffer int) {
	start := time.Now()
	r := newStormRun(t, routes, veths, readBuffer)

	drainCtx, stopDrain := context.WithCancel(t.Context())
	r.drain = startStormDrain(drainCtx, r.c)
	defer r.drain.stop(t, stopDrain)

	b := r.startStorm()
	defer b.stop()
	r.dumpDuringStorm(b)
	r.endStorm(b)

	r.dumpAfterStorm()
	r.drain.stop(t, stopDrain)

	r.report(b, start)
}

// A stormRun is the state of one run of testOverrunStorm: the namespace,
// the Conn under test, and what its dumps and its Receive loop saw.
type stormRun struct {
	t                         *testing.T
	ns                        *nstest.NS
	c                         *netlink.Conn
	routes, veths, readBuffer int
	kept                      map[uint32]string // links by index that exist throughout
	drain                     *stormDrain

	// Sequence numbers are ours, so that a leaked reply is recognised.
	seq      uint32
	dumpSeqs map[uint32]bool

	n             stormCounts // outcomes of the dumps during the storm
	dumps, failed int         // dumps during the storm, and failed ones
	wedged        bool        // a dump during the storm had no answer, or too many failed
	failedAfter   int         // dumps after the storm that failed or were not tried
}

// newStormRun makes a namespace with stormKept veth pairs and a Conn in it,
// joined to the link and route groups, with a read buffer of readBuffer.
func newStormRun(t *testing.T, routes, veths, readBuffer int) *stormRun {
	ns := nstest.New(t)
	setup := []string{"link set lo up"}
	for i := range stormKept {
		setup = append(setup, fmt.Sprintf("link add keep%da type veth peer name keep%db", i, i))
	}
	ns.Batch(t, setup)
	kept := stormIPLinks(t, ns)

	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	for _, g := range []uint32{unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_ROUTE} {
		if err := c.JoinGroup(g); err != nil {
			t.Fatalf("JoinGroup(%d): %v", g, err)
		}
	}
	if err := c.SetReadBuffer(readBuffer); err != nil {
		t.Fatalf("SetReadBuffer(%d): %v", readBuffer, err)
	}
	return &stormRun{
		t: t, ns: ns, c: c,
		routes: routes, veths: veths, readBuffer: readBuffer,
		kept:     kept,
		seq:      0x5eed0000,
		dumpSeqs: make(map[uint32]bool),
	}
}

// nextSeq returns the sequence number of a new dump, and remembers it.
func (r *stormRun) nextSeq() uint32 {
	r.seq++
	r.dumpSeqs[r.seq] = true
	return r.seq
}

// A stormBatch is the ip -batch process that makes the storm.
type stormBatch struct {
	lines []string
	ctx   context.Context
	stop  context.CancelFunc // kills the process
	done  chan struct{}      // closed when the process has ended

	// Set before done is closed.
	out  []byte
	err  error
	took time.Duration
}

// startStorm starts the storm of stormRounds rounds of adding and deleting
// the run's routes and veth pairs, in a process of its own.
func (r *stormRun) startStorm() *stormBatch {
	batch := filepath.Join(r.t.TempDir(), "storm")
	lines := stormLines(r.routes, r.veths, stormRounds)
	if err := os.WriteFile(batch, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		r.t.Fatal(err)
	}
	// A bigger storm than the default may take longer.
	limit := stormDuration * time.Duration(max(1, r.routes/stormRoutes, r.veths/stormVeths))
	ctx, stop := context.WithTimeout(r.t.Context(), limit)
	b := &stormBatch{lines: lines, ctx: ctx, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(b.done)
		begun := time.Now()
		b.out, b.err = exec.CommandContext(ctx, "ip", "-n", r.ns.Name(), "-batch", batch).CombinedOutput()
		b.took = time.Since(begun)
	}()
	return b
}

// dumpDuringStorm dumps links on the Conn until the storm ends, the Conn
// is wedged or stormMaxFailures dumps have failed; in the last two cases it
// kills the storm.
func (r *stormRun) dumpDuringStorm(b *stormBatch) {
	for stormRunning := true; stormRunning && r.failed < stormMaxFailures; {
		select {
		case <-b.done:
			stormRunning = false
		default:
		}
		if !r.dumpDuring() {
			break
		}
	}
	// A wedged or failing Conn has failed the test already: the rest of
	// the storm would prove nothing more.
	if r.failed >= stormMaxFailures {
		r.t.Errorf("stopped dumping after %d failed dumps", r.failed)
		r.wedged = true
	}
	if r.wedged {
		b.stop()
	}
}

// dumpDuring makes one link dump during the storm and counts its outcome;
// it reports false when the dump had no answer in time.
func (r *stormRun) dumpDuring() bool {
	r.dumps++
	s := r.nextSeq()
	ctx, cancel := context.WithTimeout(r.t.Context(), stormDumpTimeout)
	begun := time.Now()
	reply, err := r.c.ExecuteReply(ctx, testkit.LinkDump(s))
	cancel()
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		r.t.Errorf("link dump %d (sequence %#x) during the storm: no answer within %v (%v): the Conn is wedged",
			r.dumps, s, time.Since(begun).Round(time.Millisecond), err)
		r.wedged = true
		return false
	case errors.Is(err, unix.ENOBUFS):
		r.n.enobufs++
	case errors.Is(err, unix.EBUSY):
		r.n.ebusy++
	case err != nil:
		r.t.Errorf("link dump %d (sequence %#x) during the storm: %v", r.dumps, s, err)
		r.failed++
	default:
		r.checkDuring(reply, s)
	}
	return true
}

// checkDuring checks that the reply to the link dump with sequence s, made
// during the storm, lists the links kept throughout.
func (r *stormRun) checkDuring(reply netlink.Reply, s uint32) {
	links, err := stormLinks(reply.Messages, s, r.c.PID())
	if err != nil {
		r.t.Errorf("link dump %d (sequence %#x) during the storm: %v", r.dumps, s, err)
		r.failed++
		return
	}
	for index, name := range r.kept {
		if links[index] != name {
			r.t.Errorf("link dump %d (sequence %#x) during the storm lacks link %d (%s): got %v", r.dumps, s, index, name, links)
			r.failed++
		}
	}
	r.n.ok++
	if reply.Interrupted {
		r.n.interrupted++
	}
}

// endStorm waits for the storm to end, and checks that it succeeded unless
// dumpDuringStorm killed it.
func (r *stormRun) endStorm(b *stormBatch) {
	<-b.done
	if b.err != nil && !(r.wedged && b.ctx.Err() != nil) { // killed by b.stop
		r.t.Errorf("the storm (ip -batch of %d commands): %v: %s", len(b.lines), b.err, b.out)
	}
}

// dumpAfterStorm waits for the notifications to die down, then checks that
// every dump succeeds at once and is exact.
func (r *stormRun) dumpAfterStorm() {
	if !r.drain.waitQuiet(stormQuietPeriod, stormQuietWait) {
		r.t.Errorf("Receive still busy %v after the storm", stormQuietWait)
	}
	want := stormIPLinks(r.t, r.ns)
	for i := range stormAfterDumps {
		if !r.dumpAfter(i, want) {
			r.failedAfter = stormAfterDumps - i
			break
		}
	}
}

// dumpAfter makes link dump i after the storm and compares it with want,
// the links by index; it reports false when the dump had no answer in time.
func (r *stormRun) dumpAfter(i int, want map[uint32]string) bool {
	s := r.nextSeq()
	ctx, cancel := context.WithTimeout(r.t.Context(), stormAfterTimeout)
	msgs, err := r.c.ExecuteContext(ctx, testkit.LinkDump(s))
	cancel()
	if errors.Is(err, context.DeadlineExceeded) {
		r.t.Errorf("link dump %d of %d (sequence %#x) after the storm: no answer within %v (%v): the Conn is wedged; the rest are not tried",
			i+1, stormAfterDumps, s, stormAfterTimeout, err)
		return false
	}
	var got map[uint32]string
	if err == nil {
		got, err = stormLinks(msgs, s, r.c.PID())
	}
	if err != nil {
		r.t.Errorf("link dump %d of %d (sequence %#x) after the storm: %v", i+1, stormAfterDumps, s, err)
		r.failedAfter++
		return true
	}
	if diff := cmp.Diff(want, got); diff != "" {
		r.t.Errorf("link dump %d of %d after the storm: links by index (-ip link show +dump):\n%s", i+1, stormAfterDumps, diff)
		r.failedAfter++
	}
	return true
}

// report checks what reached Receive, once its loop has stopped:
// notifications only, and at least one overrun. It then logs the run's
// numbers; start is when the run began.
func (r *stormRun) report(b *stormBatch, start time.Time) {
	d := r.drain
	d.mu.Lock()
	defer d.mu.Unlock()
	r.reportLeaks()
	if d.overruns == 0 && r.n.enobufs == 0 {
		r.t.Errorf("no overrun: neither Receive nor a dump failed with ENOBUFS, so the test proves nothing; make the storm bigger")
	}
	r.t.Logf("storm of %d routes and %d veth pairs, %d rounds, read buffer %d, %v: %d link dumps (ok %d, of which interrupted %d; ENOBUFS %d; EBUSY %d); Receive: %d messages, %d overruns, %d replies leaked; after the storm %d of %d dumps failed or were not tried; %v in all",
		r.routes, r.veths, stormRounds, r.readBuffer, b.took.Round(time.Millisecond),
		r.dumps, r.n.ok, r.n.interrupted, r.n.enobufs, r.n.ebusy,
		d.messages, d.overruns, len(d.own)+len(d.answers),
		r.failedAfter, stormAfterDumps, time.Since(start).Round(time.Millisecond))
}

// reportLeaks fails the test for every reply that reached Receive, and
// every error of Receive other than an overrun. The caller holds r.drain.mu.
func (r *stormRun) reportLeaks() {
	d := r.drain
	// One line per kind of leaked message, not one per message.
	type leak struct {
		typ   netlink.HeaderType
		flags netlink.HeaderFlags
		seq   uint32
	}
	leaks := make(map[leak]int)
	var order []leak
	for _, h := range d.own {
		l := leak{h.Type, h.Flags, h.Sequence}
		if leaks[l] == 0 {
			order = append(order, l)
		}
		leaks[l]++
	}
	for _, l := range order {
		r.t.Errorf("Receive returned %d messages of type %d, flags %v, with this Conn's port %d and sequence %#x (one of our dumps: %t): a leaked reply",
			leaks[l], l.typ, l.flags, r.c.PID(), l.seq, r.dumpSeqs[l.seq])
	}
	for _, err := range d.answers {
		var oe *netlink.OpError
		errors.As(err, &oe)
		r.t.Errorf("Receive returned the answer to a request (sequence %#x, one of our dumps: %t): %v", oe.Sequence, r.dumpSeqs[oe.Sequence], err)
	}
	for _, err := range d.others {
		r.t.Errorf("Receive: %v", err)
	}
}
