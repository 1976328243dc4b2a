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

	drainCtx, stopDrain := context.WithCancel(t.Context())
	drain := startStormDrain(drainCtx, c)
	defer drain.stop(t, stopDrain)

	// Sequence numbers are ours, so that a leaked reply is recognised.
	dumpSeqs := make(map[uint32]bool)
	seq := uint32(0x5eed0000)
	nextSeq := func() uint32 {
		seq++
		dumpSeqs[seq] = true
		return seq
	}

	batch := filepath.Join(t.TempDir(), "storm")
	lines := stormLines(routes, veths, stormRounds)
	if err := os.WriteFile(batch, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A bigger storm than the default may take longer.
	limit := stormDuration * time.Duration(max(1, routes/stormRoutes, veths/stormVeths))
	stormCtx, stopStorm := context.WithTimeout(t.Context(), limit)
	defer stopStorm()
	var stormOut []byte
	var stormErr error
	var stormTime time.Duration
	stormDone := make(chan struct{})
	go func() {
		defer close(stormDone)
		begun := time.Now()
		stormOut, stormErr = exec.CommandContext(stormCtx, "ip", "-n", ns.Name(), "-batch", batch).CombinedOutput()
		stormTime = time.Since(begun)
	}()

	// Dump links on the same Conn until the storm ends.
	var n stormCounts
	dumps, failed := 0, 0
	wedged := false
	for stormRunning := true; stormRunning && failed < stormMaxFailures; {
		select {
		case <-stormDone:
			stormRunning = false
		default:
		}
		dumps++
		s := nextSeq()
		ctx, cancel := context.WithTimeout(t.Context(), stormDumpTimeout)
		begun := time.Now()
		reply, err := c.ExecuteReply(ctx, testkit.LinkDump(s))
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("link dump %d (sequence %#x) during the storm: no answer within %v (%v): the Conn is wedged",
				dumps, s, time.Since(begun).Round(time.Millisecond), err)
			wedged = true
			break
		}
		switch {
		case errors.Is(err, unix.ENOBUFS):
			n.enobufs++
		case errors.Is(err, unix.EBUSY):
			n.ebusy++
		case err != nil:
			t.Errorf("link dump %d (sequence %#x) during the storm: %v", dumps, s, err)
			failed++
		default:
			links, err := stormLinks(reply.Messages, s, c.PID())
			if err != nil {
				t.Errorf("link dump %d (sequence %#x) during the storm: %v", dumps, s, err)
				failed++
				continue
			}
			for index, name := range kept {
				if links[index] != name {
					t.Errorf("link dump %d (sequence %#x) during the storm lacks link %d (%s): got %v", dumps, s, index, name, links)
					failed++
				}
			}
			n.ok++
			if reply.Interrupted {
				n.interrupted++
			}
		}
	}
	// A wedged or failing Conn has failed the test already: the rest of
	// the storm would prove nothing more.
	if failed >= stormMaxFailures {
		t.Errorf("stopped dumping after %d failed dumps", failed)
		wedged = true
	}
	if wedged {
		stopStorm()
	}
	<-stormDone
	if stormErr != nil && !(wedged && stormCtx.Err() != nil) { // killed by stopStorm
		t.Errorf("the storm (ip -batch of %d commands): %v: %s", len(lines), stormErr, stormOut)
	}

	// After the storm, every dump must succeed at once and be exact.
	if !drain.waitQuiet(stormQuietPeriod, stormQuietWait) {
		t.Errorf("Receive still busy %v after the storm", stormQuietWait)
	}
	want := stormIPLinks(t, ns)
	failedAfter := 0
	for i := range stormAfterDumps {
		s := nextSeq()
		ctx, cancel := context.WithTimeout(t.Context(), stormAfterTimeout)
		msgs, err := c.ExecuteContext(ctx, testkit.LinkDump(s))
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("link dump %d of %d (sequence %#x) after the storm: no answer within %v (%v): the Conn is wedged; the rest are not tried",
				i+1, stormAfterDumps, s, stormAfterTimeout, err)
			failedAfter = stormAfterDumps - i
			break
		}
		if err != nil {
			t.Errorf("link dump %d of %d (sequence %#x) after the storm: %v", i+1, stormAfterDumps, s, err)
			failedAfter++
			continue
		}
		got, err := stormLinks(msgs, s, c.PID())
		if err != nil {
			t.Errorf("link dump %d of %d (sequence %#x) after the storm: %v", i+1, stormAfterDumps, s, err)
			failedAfter++
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("link dump %d of %d after the storm: links by index (-ip link show +dump):\n%s", i+1, stormAfterDumps, diff)
			failedAfter++
		}
	}
	drain.stop(t, stopDrain)

	// What reached Receive: notifications only, and at least one overrun.
	drain.mu.Lock()
	defer drain.mu.Unlock()
	// One line per kind of leaked message, not one per message.
	type leak struct {
		typ   netlink.HeaderType
		flags netlink.HeaderFlags
		seq   uint32
	}
	leaks := make(map[leak]int)
	var order []leak
	for _, h := range drain.own {
		l := leak{h.Type, h.Flags, h.Sequence}
		if leaks[l] == 0 {
			order = append(order, l)
		}
		leaks[l]++
	}
	for _, l := range order {
		t.Errorf("Receive returned %d messages of type %d, flags %v, with this Conn's port %d and sequence %#x (one of our dumps: %t): a leaked reply",
			leaks[l], l.typ, l.flags, c.PID(), l.seq, dumpSeqs[l.seq])
	}
	for _, err := range drain.answers {
		var oe *netlink.OpError
		errors.As(err, &oe)
		t.Errorf("Receive returned the answer to a request (sequence %#x, one of our dumps: %t): %v", oe.Sequence, dumpSeqs[oe.Sequence], err)
	}
	for _, err := range drain.others {
		t.Errorf("Receive: %v", err)
	}
	if drain.overruns == 0 && n.enobufs == 0 {
		t.Errorf("no overrun: neither Receive nor a dump failed with ENOBUFS, so the test proves nothing; make the storm bigger")
	}
	t.Logf("storm of %d routes and %d veth pairs, %d rounds, read buffer %d, %v: %d link dumps (ok %d, of which interrupted %d; ENOBUFS %d; EBUSY %d); Receive: %d messages, %d overruns, %d replies leaked; after the storm %d of %d dumps failed or were not tried; %v in all",
		routes, veths, stormRounds, readBuffer, stormTime.Round(time.Millisecond),
		dumps, n.ok, n.interrupted, n.enobufs, n.ebusy,
		drain.messages, drain.overruns, len(drain.own)+len(drain.answers),
		failedAfter, stormAfterDumps, time.Since(start).Round(time.Millisecond))
}
