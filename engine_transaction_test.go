package netlink

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netlinkgo/netlink/internal/testkit/goroutines"
)

func TestDemuxRepliesMatchedBySequence(t *testing.T) {
	c, tr := demuxTestConn(t)

	results := map[uint32]<-chan demuxTestResult{}
	for _, v := range []uint32{1, 2} {
		results[v] = demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(0, v)) })
	}
	reqs := []Message{tr.request(t), tr.request(t)}

	// Answer in the opposite order, each with 100 plus the request's value.
	for _, req := range []Message{reqs[1], reqs[0]} {
		tr.reply(t, demuxTestMessage(req.Header.Sequence, 0, 100+demuxTestValue(req)))
	}
	for _, req := range reqs {
		v := demuxTestValue(req)
		r := demuxTestWait(t, results[v])
		if r.err != nil {
			t.Fatalf("request %d: failed to execute: %v", v, r.err)
		}
		want := []Message{demuxTestMessage(req.Header.Sequence, 0, 100+v)}
		if diff := cmp.Diff(want, r.msgs); diff != "" {
			t.Fatalf("request %d: unexpected reply (-want +got):\n%s", v, diff)
		}
	}
}

func TestDemuxManyConcurrentTransactions(t *testing.T) {
	c, tr := demuxTestConn(t)

	const n = 32
	results := make([]<-chan demuxTestResult, n)
	for i := range n {
		results[i] = demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(Acknowledge, uint32(i))) })
	}
	reqs := make([]Message, n)
	for i := range n {
		reqs[i] = tr.request(t)
	}
	// Answer in reverse order, each with a message and an acknowledgement
	// in separate datagrams, interleaved with the others.
	for i := n - 1; i >= 0; i-- {
		tr.reply(t, demuxTestMessage(reqs[i].Header.Sequence, 0, 1000+demuxTestValue(reqs[i])))
	}
	for i := n - 1; i >= 0; i-- {
		tr.reply(t, demuxTestAck(reqs[i]))
	}
	for i := range n {
		r := demuxTestWait(t, results[i])
		if r.err != nil {
			t.Fatalf("request %d: failed to execute: %v", i, r.err)
		}
		if len(r.msgs) != 1 || demuxTestValue(r.msgs[0]) != 1000+uint32(i) {
			t.Fatalf("request %d: unexpected reply %+v", i, r.msgs)
		}
	}
}

func TestDemuxForgedReply(t *testing.T) {
	forger := Origin{PortID: 4242, NSID: -1}

	t.Run("execute and receive", func(t *testing.T) {
		c, tr := demuxTestConn(t)
		res := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(0, 1)) })
		req := tr.request(t)

		// A user-space process sends a reply with the right sequence
		// number and port ID, before the kernel does.
		tr.deliver(t, forger, demuxTestMessage(req.Header.Sequence, 0, 666))
		tr.reply(t, demuxTestMessage(req.Header.Sequence, 0, 1))

		r := demuxTestWait(t, res)
		if r.err != nil {
			t.Fatalf("failed to execute: %v", r.err)
		}
		if diff := cmp.Diff([]Message{demuxTestMessage(req.Header.Sequence, 0, 1)}, r.msgs); diff != "" {
			t.Fatalf("unexpected reply (-want +got):\n%s", diff)
		}

		// Receive drops the forgery too: it gets the notification after it.
		demuxTestNextIsNotification(t, c, tr)
	})

	t.Run("forgery only", func(t *testing.T) {
		c, tr := demuxTestConn(t)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		res := demuxTestGo(func() ([]Message, error) { return c.ExecuteContext(ctx, demuxTestRequest(0, 1)) })
		req := tr.request(t)
		tr.deliver(t, forger, demuxTestMessage(req.Header.Sequence, 0, 666))

		r := demuxTestWait(t, res)
		if !errors.Is(r.err, context.DeadlineExceeded) {
			t.Fatalf("want the deadline to expire, got messages %+v and error %v", r.msgs, r.err)
		}
	})
}

func TestDemuxLateReplyAfterCancel(t *testing.T) {
	c, tr := demuxTestConn(t)

	ctx, cancel := context.WithCancel(context.Background())
	resA := demuxTestGo(func() ([]Message, error) { return c.ExecuteContext(ctx, demuxTestRequest(Acknowledge, 1)) })
	reqA := tr.request(t)
	cancel()
	if r := demuxTestWait(t, resA); !errors.Is(r.err, context.Canceled) {
		t.Fatalf("want an error matching context.Canceled, got messages %+v and error %v", r.msgs, r.err)
	}

	// The reply to the cancelled request comes late, in two datagrams.
	tr.reply(t, demuxTestMessage(reqA.Header.Sequence, 0, 100))
	tr.reply(t, demuxTestAck(reqA))

	resB := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(Acknowledge, 2)) })
	reqB := tr.request(t)
	tr.reply(t, demuxTestMessage(reqB.Header.Sequence, 0, 200), demuxTestAck(reqB))
	r := demuxTestWait(t, resB)
	if r.err != nil {
		t.Fatalf("failed to execute after a cancelled request: %v", r.err)
	}
	if diff := cmp.Diff([]Message{demuxTestMessage(reqB.Header.Sequence, 0, 200)}, r.msgs); diff != "" {
		t.Fatalf("unexpected reply (-want +got):\n%s", diff)
	}

	// Receive gets the next notification, not the late reply.
	demuxTestNextIsNotification(t, c, tr)
}

func TestDemuxCloseUnblocks(t *testing.T) {
	baseline := goroutines.IDs()
	c, tr := demuxTestConn(t)

	// An abandoned dump whose rest never comes: a goroutine drains it.
	ctx, cancel := context.WithCancel(context.Background())
	res := demuxTestGo(func() ([]Message, error) { return c.ExecuteContext(ctx, demuxTestRequest(Dump, 0)) })
	tr.request(t)
	cancel()
	if r := demuxTestWait(t, res); !errors.Is(r.err, context.Canceled) {
		t.Fatalf("want an error matching context.Canceled, got %v", r.err)
	}

	var results []<-chan demuxTestResult
	// Transactions waiting for their replies, and dumps waiting for their
	// turn.
	for i := range 8 {
		results = append(results, demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(0, uint32(i))) }))
	}
	for i := range 3 {
		results = append(results, demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(Dump, uint32(i))) }))
	}
	// Receivers.
	for range 4 {
		results = append(results, demuxTestGo(c.Receive))
	}
	results = append(results, demuxTestGo(func() ([]Message, error) {
		for _, err := range c.ReceiveIter() {
			if err != nil {
				return nil, err
			}
		}
		return nil, nil
	}))
	results = append(results, demuxTestGo(func() ([]Message, error) {
		msgs, _, err := c.ReceiveFrom(context.Background())
		return msgs, err
	}))
	for range 8 {
		tr.request(t)
	}
	// Let every goroutine block.
	time.Sleep(50 * time.Millisecond)

	if err := c.Close(); err != nil {
		t.Fatalf("failed to close: %v", err)
	}
	for i, res := range results {
		r := demuxTestWait(t, res)
		if !errors.Is(r.err, syscall.EBADF) {
			t.Errorf("call %d: want an error matching EBADF, got messages %+v and error %v", i, r.msgs, r.err)
		}
	}
	// No goroutine running code of the Conn, its demux or the fake
	// transport outlives Close.
	goroutines.CheckNoLeaks(t, baseline, demuxTestTimeout, "netlink.(*demux)", "netlink.(*Conn)", "netlink.(*demuxTestTransport)")

	// Later calls fail the same way.
	if _, err := c.Execute(demuxTestRequest(0, 1)); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("Execute after Close: want an error matching EBADF, got %v", err)
	}
	if _, err := c.Receive(); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("Receive after Close: want an error matching EBADF, got %v", err)
	}
	tr.checkDumps(t)
}

func TestDemuxSequenceInUse(t *testing.T) {
	c, tr := demuxTestConn(t)
	req := demuxTestRequest(0, 1)
	req.Header.Sequence = 77

	res := demuxTestGo(func() ([]Message, error) { return c.Execute(req) })
	tr.request(t)
	if _, err := c.Execute(req); err == nil {
		t.Fatal("want an error for a sequence number in use")
	}
	tr.reply(t, demuxTestMessage(77, 0, 1))
	if r := demuxTestWait(t, res); r.err != nil {
		t.Fatalf("failed to execute: %v", r.err)
	}
}

// TestDemuxMultiWithoutDone checks that the answer to a request that is not
// a dump ends with its first datagram, or with the ACK it asked for, even
// when the kernel flags it Multi and sends no Done, as netfilter does.
func TestDemuxMultiWithoutDone(t *testing.T) {
	for _, flags := range []HeaderFlags{0, Acknowledge} {
		t.Run(fmt.Sprintf("execute/%s", flags|Request), func(t *testing.T) {
			c, tr := demuxTestConn(t)
			res := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(flags, 1)) })
			req := tr.request(t)
			tr.reply(t, demuxTestMessage(req.Header.Sequence, Multi, 2))
			if flags&Acknowledge != 0 {
				tr.reply(t, demuxTestAck(req))
			}
			r := demuxTestWait(t, res)
			if r.err != nil {
				t.Fatalf("failed to execute: %v", r.err)
			}
			if diff := cmp.Diff([]Message{demuxTestMessage(req.Header.Sequence, Multi, 2)}, r.msgs); diff != "" {
				t.Fatalf("unexpected reply (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("send and receive", func(t *testing.T) {
		c, tr := demuxTestConn(t)
		sent, err := c.Send(demuxTestRequest(0, 1))
		if err != nil {
			t.Fatalf("failed to send: %v", err)
		}
		tr.request(t)
		tr.reply(t, demuxTestMessage(sent.Header.Sequence, Multi, 2))
		msgs, err := demuxTestReceive(t, c)
		if err != nil {
			t.Fatalf("failed to receive: %v", err)
		}
		if diff := cmp.Diff([]Message{demuxTestMessage(sent.Header.Sequence, Multi, 2)}, msgs); diff != "" {
			t.Fatalf("unexpected reply (-want +got):\n%s", diff)
		}
	})
}

// TestDemuxAbandonedBounded checks that the requests whose late replies the
// demux remembers in order to drop them stay bounded in number.
func TestDemuxAbandonedBounded(t *testing.T) {
	c, tr := demuxTestConn(t)
	for i := range maxAbandoned + 10 {
		ctx, cancel := context.WithCancel(context.Background())
		res := demuxTestGo(func() ([]Message, error) { return c.ExecuteContext(ctx, demuxTestRequest(0, uint32(i))) })
		tr.request(t)
		cancel()
		if r := demuxTestWait(t, res); !errors.Is(r.err, context.Canceled) {
			t.Fatalf("request %d: %v, want an error matching context.Canceled", i, r.err)
		}
	}
	c.engine.mu.Lock()
	n, abandoned := c.engine.waiters.len(), c.engine.abandoned
	c.engine.mu.Unlock()
	if n > maxAbandoned || abandoned != n {
		t.Fatalf("%d waiters kept, %d counted as abandoned; want at most %d, all abandoned", n, abandoned, maxAbandoned)
	}
}
