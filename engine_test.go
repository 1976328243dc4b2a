package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netlinkgo/netlink/internal/testkit/goroutines"
)

// demuxTestPID is the port ID of the Conns under test.
const demuxTestPID = 4000

// demuxTestTimeout bounds every wait for something that must happen.
const demuxTestTimeout = 5 * time.Second

// errDemuxTestClosed is what the fake transport returns once closed, as a
// real socket returns some error of its own.
var errDemuxTestClosed = errors.New("fake transport closed")

// A demuxTestDatagram is what the fake transport's receive returns next.
type demuxTestDatagram struct {
	b      []byte
	origin Origin
	err    error
}

// A demuxTestTransport is a fake kernel socket fed by the test: receive
// blocks until a datagram is queued, ctx is done or the transport is
// closed. It checks that the kernel's rule of one dump at a time per socket
// is kept.
type demuxTestTransport struct {
	in     chan demuxTestDatagram
	sent   chan []Message
	closed chan struct{}
	once   sync.Once

	mu         sync.Mutex
	openDump   uint32   // sequence number of the dump in flight, or 0
	violations []string // dumps sent while another was in flight

	// idle is called, as a socket does, when a receive finds nothing
	// queued. Set before use.
	idle func()
}

func (f *demuxTestTransport) notifyIdle(fn func()) { f.idle = fn }

var _ transport = (*demuxTestTransport)(nil)

func newDemuxTestTransport() *demuxTestTransport {
	return &demuxTestTransport{
		in:     make(chan demuxTestDatagram, 256),
		sent:   make(chan []Message, 256),
		closed: make(chan struct{}),
	}
}

func (f *demuxTestTransport) Close() error { f.once.Do(func() { close(f.closed) }); return nil }

func (f *demuxTestTransport) send(ctx context.Context, out outgoing) error {
	select {
	case <-f.closed:
		return errDemuxTestClosed
	default:
	}
	msgs := slices.Clone(out.msgs)
	if m := msgs[0]; m.Header.Type == Noop && m.Header.Flags&Acknowledge != 0 {
		// A probe: the kernel acknowledges it within sendmsg.
		ack := demuxTestAck(m)
		b, err := ack.MarshalBinary()
		if err != nil {
			return err
		}
		f.mu.Lock()
		f.in <- demuxTestDatagram{b: b, origin: Origin{NSID: -1}}
		f.mu.Unlock()
		out.sent()
		return nil
	}
	f.mu.Lock()
	for _, m := range msgs {
		if m.Header.Flags&Dump == Dump {
			if f.openDump != 0 {
				f.violations = append(f.violations, fmt.Sprintf("dump %d sent while dump %d was in flight", m.Header.Sequence, f.openDump))
			}
			f.openDump = m.Header.Sequence
		}
	}
	f.mu.Unlock()
	if out.sent != nil {
		out.sent()
	}
	f.sent <- msgs
	return nil
}

func (f *demuxTestTransport) receive(ctx context.Context, wait bool) (datagram, error) {
	// A batch being delivered is not yet all queued: wait for it.
	f.mu.Lock()
	empty := len(f.in) == 0
	f.mu.Unlock()
	if empty {
		f.idle()
		if !wait {
			return datagram{}, errWouldBlock
		}
	}
	select {
	case d := <-f.in:
		if d.err != nil {
			return datagram{}, d.err
		}
		msgs, err := parseMessages(d.b)
		if err == nil && d.origin == (Origin{NSID: -1}) {
			f.mu.Lock()
			for _, m := range msgs {
				if (m.Header.Type == Done || m.Header.Type == Error) && m.Header.Sequence == f.openDump {
					f.openDump = 0
				}
			}
			f.mu.Unlock()
		}
		return datagram{msgs: msgs, origin: d.origin, err: err}, nil
	case <-ctx.Done():
		return datagram{}, ctx.Err()
	case <-f.closed:
		return datagram{}, errDemuxTestClosed
	}
}

// deliver queues one datagram holding msgs, from origin.
func (f *demuxTestTransport) deliver(t *testing.T, origin Origin, msgs ...Message) {
	t.Helper()
	var b []byte
	for _, m := range msgs {
		mb, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("failed to marshal %+v: %v", m, err)
		}
		b = append(b, mb...)
	}
	f.in <- demuxTestDatagram{b: b, origin: origin}
}

// batch queues datagrams all at once: a receive never finds the queue
// empty in between, as the kernel queues the next datagram of a dump in
// the recvmsg that reads the previous one.
func (f *demuxTestTransport) batch(dgs ...demuxTestDatagram) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, dg := range dgs {
		f.in <- dg
	}
}

// kernelDatagram returns a datagram holding msgs from the kernel.
func kernelDatagram(t *testing.T, msgs ...Message) demuxTestDatagram {
	t.Helper()
	var b []byte
	for _, m := range msgs {
		mb, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("failed to marshal %+v: %v", m, err)
		}
		b = append(b, mb...)
	}
	return demuxTestDatagram{b: b, origin: Origin{NSID: -1}}
}

// reply queues one datagram holding msgs from the kernel.
func (f *demuxTestTransport) reply(t *testing.T, msgs ...Message) {
	t.Helper()
	f.deliver(t, Origin{NSID: -1}, msgs...)
}

// fail makes the next receive return err.
func (f *demuxTestTransport) fail(err error) { f.in <- demuxTestDatagram{err: err} }

// request returns the first message of the next datagram sent.
func (f *demuxTestTransport) request(t *testing.T) Message {
	t.Helper()
	select {
	case msgs := <-f.sent:
		return msgs[0]
	case <-time.After(demuxTestTimeout):
		t.Fatal("timed out waiting for a request")
		return Message{}
	}
}

// noRequest checks that nothing is sent for a while.
func (f *demuxTestTransport) noRequest(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case msgs := <-f.sent:
		t.Fatalf("unexpected request sent: %+v", msgs)
	case <-time.After(d):
	}
}

// checkDumps reports dumps that were sent while another was in flight.
func (f *demuxTestTransport) checkDumps(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range f.violations {
		t.Error(v)
	}
}

// demuxTestConn returns a Conn built as Dial builds one, over a fake
// transport, closed at the end of the test.
func demuxTestConn(t *testing.T) (*Conn, *demuxTestTransport) {
	t.Helper()
	tr := newDemuxTestTransport()
	c := newConn(tr, demuxTestPID, engineConfig{policy: senderPolicy{self: demuxTestPID}, probeable: true})
	t.Cleanup(func() { _ = c.Close() })
	return c, tr
}

// demuxTestNextIsNotification delivers a notification and checks that it
// is exactly what the next Receive returns: nothing queued before it, such
// as a forged or late reply, is left for Receive.
func demuxTestNextIsNotification(t *testing.T, c *Conn, tr *demuxTestTransport) {
	t.Helper()
	notification := demuxTestMessage(0, 0, 7)
	tr.deliver(t, Origin{Group: 1, NSID: -1}, notification)
	msgs, err := demuxTestReceive(t, c)
	if err != nil {
		t.Fatalf("failed to receive: %v", err)
	}
	if diff := cmp.Diff([]Message{notification}, msgs); diff != "" {
		t.Fatalf("unexpected messages (-want +got):\n%s", diff)
	}
}

// demuxTestMessage returns a message of type 16 in sequence seq holding v.
func demuxTestMessage(seq uint32, flags HeaderFlags, v uint32) Message {
	return Message{
		Header: Header{Length: 20, Type: 16, Flags: flags, Sequence: seq, PID: demuxTestPID},
		Data:   binary.NativeEndian.AppendUint32(nil, v),
	}
}

// demuxTestDone returns the Done message of a dump in sequence seq.
func demuxTestDone(seq uint32) Message {
	return Message{
		Header: Header{Length: 20, Type: Done, Flags: Multi, Sequence: seq, PID: demuxTestPID},
		Data:   make([]byte, 4),
	}
}

// demuxTestAck returns the acknowledgement of req.
func demuxTestAck(req Message) Message {
	b := make([]byte, 4)
	b = appendHeader(b, req.Header)
	return Message{
		Header: Header{Length: uint32(nlmsgHeaderLen + len(b)), Type: Error, Flags: Capped, Sequence: req.Header.Sequence, PID: demuxTestPID},
		Data:   b,
	}
}

// demuxTestValue returns the value a request or reply made by
// demuxTestMessage holds.
func demuxTestValue(m Message) uint32 {
	if len(m.Data) < 4 {
		return 0
	}
	return binary.NativeEndian.Uint32(m.Data)
}

// A demuxTestResult is what a call run in a goroutine returned.
type demuxTestResult struct {
	msgs []Message
	err  error
}

// demuxTestGo runs fn in a goroutine and returns a channel for its result.
func demuxTestGo(fn func() ([]Message, error)) <-chan demuxTestResult {
	ch := make(chan demuxTestResult, 1)
	go func() {
		msgs, err := fn()
		ch <- demuxTestResult{msgs: msgs, err: err}
	}()
	return ch
}

// demuxTestWait returns the result of a call started by demuxTestGo.
func demuxTestWait(t *testing.T, ch <-chan demuxTestResult) demuxTestResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(demuxTestTimeout):
		t.Fatal("timed out waiting for a call to return")
		return demuxTestResult{}
	}
}

// demuxTestRequest returns a request of type 16 holding v.
func demuxTestRequest(flags HeaderFlags, v uint32) Message {
	return Message{
		Header: Header{Type: 16, Flags: Request | flags},
		Data:   binary.NativeEndian.AppendUint32(nil, v),
	}
}

// demuxTestReceive receives with a timeout.
func demuxTestReceive(t *testing.T, c *Conn) ([]Message, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), demuxTestTimeout)
	defer cancel()
	return c.ReceiveContext(ctx)
}

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

func TestDemuxMulticastDuringTransaction(t *testing.T) {
	c, tr := demuxTestConn(t)
	res := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(0, 1)) })
	req := tr.request(t)

	// Notifications arrive before the reply: one unrelated, one caused by
	// the request and carrying its sequence number, as rtnetlink does.
	n1 := demuxTestMessage(0, 0, 10)
	n2 := demuxTestMessage(req.Header.Sequence, 0, 11)
	n3 := demuxTestMessage(0, 0, 12)
	tr.deliver(t, Origin{Group: 1, NSID: -1}, n1)
	tr.deliver(t, Origin{Group: 2, NSID: -1}, n2)
	tr.reply(t, demuxTestMessage(req.Header.Sequence, 0, 1))
	tr.deliver(t, Origin{Group: 1, NSID: -1}, n3)

	r := demuxTestWait(t, res)
	if r.err != nil {
		t.Fatalf("failed to execute: %v", r.err)
	}
	if diff := cmp.Diff([]Message{demuxTestMessage(req.Header.Sequence, 0, 1)}, r.msgs); diff != "" {
		t.Fatalf("unexpected reply (-want +got):\n%s", diff)
	}

	for _, want := range []Message{n1, n2, n3} {
		msgs, err := demuxTestReceive(t, c)
		if err != nil {
			t.Fatalf("failed to receive: %v", err)
		}
		if diff := cmp.Diff([]Message{want}, msgs); diff != "" {
			t.Fatalf("unexpected notification (-want +got):\n%s", diff)
		}
	}
}

func TestDemuxReceiveFromOrigin(t *testing.T) {
	c, tr := demuxTestConn(t)
	tests := []struct {
		name   string
		origin Origin
	}{
		{name: "multicast", origin: Origin{Group: 3, NSID: -1}},
		{name: "kernel", origin: Origin{NSID: -1}},
		{name: "user space", origin: Origin{PortID: 4242, NSID: -1}},
		{name: "other namespace", origin: Origin{Group: 1, NSID: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := demuxTestMessage(0, 0, 5)
			tr.deliver(t, tt.origin, m)
			ctx, cancel := context.WithTimeout(context.Background(), demuxTestTimeout)
			defer cancel()
			msgs, origin, err := c.ReceiveFrom(ctx)
			if err != nil {
				t.Fatalf("failed to receive: %v", err)
			}
			if diff := cmp.Diff([]Message{m}, msgs); diff != "" {
				t.Fatalf("unexpected messages (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.origin, origin); diff != "" {
				t.Fatalf("unexpected origin (-want +got):\n%s", diff)
			}
		})
	}
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

func TestDemuxDumpsSerialised(t *testing.T) {
	c, tr := demuxTestConn(t)

	res1 := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(Dump, 1)) })
	req1 := tr.request(t)
	res2 := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(Dump, 2)) })

	// The second dump waits for the first to end.
	tr.noRequest(t, 100*time.Millisecond)
	seq1 := req1.Header.Sequence
	tr.reply(t, demuxTestMessage(seq1, Multi, 10), demuxTestMessage(seq1, Multi, 11))
	tr.reply(t, demuxTestMessage(seq1, Multi, 12))
	tr.noRequest(t, 50*time.Millisecond)
	tr.reply(t, demuxTestDone(seq1))

	req2 := tr.request(t)
	if v := demuxTestValue(req2); v != 2 {
		t.Fatalf("second request holds %d, want 2", v)
	}
	seq2 := req2.Header.Sequence
	tr.reply(t, demuxTestMessage(seq2, Multi, 20), demuxTestDone(seq2))

	r1 := demuxTestWait(t, res1)
	if r1.err != nil {
		t.Fatalf("first dump: %v", r1.err)
	}
	want1 := []Message{demuxTestMessage(seq1, Multi, 10), demuxTestMessage(seq1, Multi, 11), demuxTestMessage(seq1, Multi, 12)}
	if diff := cmp.Diff(want1, r1.msgs); diff != "" {
		t.Fatalf("first dump: unexpected messages (-want +got):\n%s", diff)
	}
	r2 := demuxTestWait(t, res2)
	if r2.err != nil {
		t.Fatalf("second dump: %v", r2.err)
	}
	if diff := cmp.Diff([]Message{demuxTestMessage(seq2, Multi, 20)}, r2.msgs); diff != "" {
		t.Fatalf("second dump: unexpected messages (-want +got):\n%s", diff)
	}
	tr.checkDumps(t)
}

func TestDemuxCancelledDump(t *testing.T) {
	c, tr := demuxTestConn(t)

	ctx, cancel := context.WithCancel(context.Background())
	res1 := demuxTestGo(func() ([]Message, error) { return c.ExecuteContext(ctx, demuxTestRequest(Dump, 1)) })
	req1 := tr.request(t)
	seq1 := req1.Header.Sequence
	tr.reply(t, demuxTestMessage(seq1, Multi, 10))
	cancel()
	if r := demuxTestWait(t, res1); !errors.Is(r.err, context.Canceled) {
		t.Fatalf("want an error matching context.Canceled, got messages %+v and error %v", r.msgs, r.err)
	}

	// The next dump waits for the rest of the abandoned one, which nobody
	// but the Conn itself reads.
	res2 := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(Dump, 2)) })
	tr.noRequest(t, 100*time.Millisecond)
	tr.reply(t, demuxTestMessage(seq1, Multi, 11))
	tr.reply(t, demuxTestMessage(seq1, Multi, 12), demuxTestDone(seq1))

	req2 := tr.request(t)
	seq2 := req2.Header.Sequence
	tr.reply(t, demuxTestMessage(seq2, Multi, 20), demuxTestMessage(seq2, Multi, 21))
	tr.reply(t, demuxTestDone(seq2))
	r2 := demuxTestWait(t, res2)
	if r2.err != nil {
		t.Fatalf("second dump: %v", r2.err)
	}
	want2 := []Message{demuxTestMessage(seq2, Multi, 20), demuxTestMessage(seq2, Multi, 21)}
	if diff := cmp.Diff(want2, r2.msgs); diff != "" {
		t.Fatalf("second dump: unexpected messages (-want +got):\n%s", diff)
	}
	tr.checkDumps(t)

	// Nothing of the abandoned dump reaches Receive.
	demuxTestNextIsNotification(t, c, tr)
}

func TestDemuxOverrun(t *testing.T) {
	c, tr := demuxTestConn(t)

	resA := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(0, 1)) })
	resB := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(0, 2)) })
	reqs := []Message{tr.request(t), tr.request(t)}

	tr.fail(fmt.Errorf("recvmsg: %w", syscall.ENOBUFS))
	for name, res := range map[string]<-chan demuxTestResult{"A": resA, "B": resB} {
		r := demuxTestWait(t, res)
		if !errors.Is(r.err, syscall.ENOBUFS) {
			t.Fatalf("request %s: want an error matching ENOBUFS, got messages %+v and error %v", name, r.msgs, r.err)
		}
		var oe *OpError
		if !errors.As(r.err, &oe) {
			t.Fatalf("request %s: want an *OpError, got %T", name, r.err)
		}
	}

	// The next Receive reports the overrun once.
	if _, err := demuxTestReceive(t, c); !errors.Is(err, syscall.ENOBUFS) {
		t.Fatalf("want Receive to report ENOBUFS, got %v", err)
	}

	// Replies to the failed requests that come after all are dropped.
	for _, req := range reqs {
		tr.reply(t, demuxTestMessage(req.Header.Sequence, 0, 99))
	}
	demuxTestNextIsNotification(t, c, tr)

	// Transactions work again.
	res := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(0, 3)) })
	req := tr.request(t)
	tr.reply(t, demuxTestMessage(req.Header.Sequence, 0, 3))
	if r := demuxTestWait(t, res); r.err != nil {
		t.Fatalf("failed to execute after the overrun: %v", r.err)
	}
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

// TestDemuxReceiveIterStopThenError checks that an iterator stopped early
// still reads the rest of the reply, and that an error met while doing so
// is not yielded to a loop that has already ended (which would panic).
func TestDemuxReceiveIterStopThenError(t *testing.T) {
	c, tr := demuxTestConn(t)
	tr.reply(t, demuxTestMessage(0, Multi, 1), demuxTestMessage(0, Multi, 2))
	go tr.fail(syscall.ENOBUFS)
	n := 0
	for _, err := range c.ReceiveIter() {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		n++
		break
	}
	if n != 1 {
		t.Fatalf("got %d messages, want 1", n)
	}
}

// TestDemuxMalformedNotification checks that a multicast datagram that is
// not made of netlink messages (a kobject uevent, say) does not fail a
// transaction in flight, and that Receive reports it.
func TestDemuxMalformedNotification(t *testing.T) {
	c, tr := demuxTestConn(t)
	res := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(0, 1)) })
	req := tr.request(t)
	tr.in <- demuxTestDatagram{b: []byte("add@/devices/virtual/net/x\x00ACTION=add\x00"), origin: Origin{Group: 1, NSID: -1}}
	tr.reply(t, demuxTestMessage(req.Header.Sequence, 0, 2))
	if r := demuxTestWait(t, res); r.err != nil {
		t.Fatalf("failed to execute: %v", r.err)
	}
	_, err := demuxTestReceive(t, c)
	if !errors.Is(err, errShortMessage) && !errors.Is(err, errMessageLength) {
		t.Fatalf("Receive: %v, want the parse error", err)
	}
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
	n, abandoned := len(c.engine.waiters), c.engine.abandoned
	c.engine.mu.Unlock()
	if n > maxAbandoned || abandoned != n {
		t.Fatalf("%d waiters kept, %d counted as abandoned; want at most %d, all abandoned", n, abandoned, maxAbandoned)
	}
}

// TestDemuxReceiveWholeMultipart checks that a multi-part reply that no
// transaction claims goes whole to one Receive, even when a notification
// arrives between its datagrams and other goroutines receive at the same
// time: the notification goes to another Receive, after the reply.
func TestDemuxReceiveWholeMultipart(t *testing.T) {
	c, tr := demuxTestConn(t)
	sent, err := c.Send(demuxTestRequest(Dump, 0))
	if err != nil {
		t.Fatalf("failed to send: %v", err)
	}
	tr.request(t)
	seq := sent.Header.Sequence
	dump := []Message{
		demuxTestMessage(seq, Multi, 1), demuxTestMessage(seq, Multi, 2),
		demuxTestMessage(seq, Multi, 3), demuxTestMessage(seq, Multi, 4),
	}
	notification := demuxTestMessage(0, 0, 100)

	results := []<-chan demuxTestResult{
		demuxTestGo(func() ([]Message, error) { return demuxTestReceive(t, c) }),
		demuxTestGo(func() ([]Message, error) { return demuxTestReceive(t, c) }),
	}
	tr.reply(t, dump[0], dump[1])
	tr.deliver(t, Origin{Group: 1, NSID: -1}, notification)
	tr.reply(t, dump[2])
	tr.reply(t, dump[3], demuxTestDone(seq))

	var got [][]Message
	for _, res := range results {
		r := demuxTestWait(t, res)
		if r.err != nil {
			t.Fatalf("failed to receive: %v", r.err)
		}
		got = append(got, r.msgs)
	}
	// Either Receive may take the dump; the other takes the notification.
	if len(got[0]) == 1 {
		got[0], got[1] = got[1], got[0]
	}
	if diff := cmp.Diff([][]Message{dump, {notification}}, got); diff != "" {
		t.Fatalf("unexpected replies (-want +got):\n%s", diff)
	}
}

// TestDemuxDumpStartedWithoutRoom checks that a dump the kernel could not
// start for want of room (an ENOBUFS error, after which it pauses the dump
// and carries it on as the queue drains) goes on to return the whole dump.
func TestDemuxDumpStartedWithoutRoom(t *testing.T) {
	c, tr := demuxTestConn(t)
	res := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(Dump, 0)) })
	req := tr.request(t)
	seq := req.Header.Sequence
	dump := []Message{demuxTestMessage(seq, Multi, 1), demuxTestMessage(seq, Multi, 2)}
	// The kernel carries the dump on in the recvmsg that reads the error.
	tr.batch(
		kernelDatagram(t, demuxTestError(req, syscall.ENOBUFS)),
		kernelDatagram(t, dump...),
		kernelDatagram(t, demuxTestDone(seq)),
	)
	r := demuxTestWait(t, res)
	if r.err != nil {
		t.Fatalf("failed to execute: %v", r.err)
	}
	if diff := cmp.Diff(dump, r.msgs); diff != "" {
		t.Fatalf("unexpected dump (-want +got):\n%s", diff)
	}
	demuxTestNextIsNotification(t, c, tr)
}

// TestDemuxOverrunDuringDump checks that an overrun fails a request that is
// not a dump, whose answer may be lost, but not a dump that is running,
// whose datagrams the kernel never drops: it returns whole.
func TestDemuxOverrunDuringDump(t *testing.T) {
	c, tr := demuxTestConn(t)
	resDump := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(Dump, 0)) })
	dumpReq := tr.request(t)
	seq := dumpReq.Header.Sequence
	dump := []Message{demuxTestMessage(seq, Multi, 1), demuxTestMessage(seq, Multi, 2)}
	tr.reply(t, dump[0])
	resReq := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(0, 1)) })
	tr.request(t)

	tr.batch(
		demuxTestDatagram{err: fmt.Errorf("recvmsg: %w", syscall.ENOBUFS)},
		kernelDatagram(t, dump[1]),
		kernelDatagram(t, demuxTestDone(seq)),
	)
	if r := demuxTestWait(t, resReq); !errors.Is(r.err, syscall.ENOBUFS) {
		t.Fatalf("request: %v, want an error matching ENOBUFS", r.err)
	}
	r := demuxTestWait(t, resDump)
	if r.err != nil {
		t.Fatalf("dump: %v", r.err)
	}
	if diff := cmp.Diff(dump, r.msgs); diff != "" {
		t.Fatalf("unexpected dump (-want +got):\n%s", diff)
	}
}

// TestDemuxDumpAnswerLost checks that a dump whose answer the kernel
// dropped in an overrun (an EBUSY that never came, say) fails once the
// queue is found empty, instead of waiting for a Done that cannot come,
// and that the next dump runs; and that an abandoned dump in the same
// state does not hold up the next one either.
func TestDemuxDumpAnswerLost(t *testing.T) {
	for _, abandoned := range []bool{false, true} {
		t.Run(fmt.Sprintf("abandoned=%t", abandoned), func(t *testing.T) {
			c, tr := demuxTestConn(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			res := demuxTestGo(func() ([]Message, error) { return c.ExecuteContext(ctx, demuxTestRequest(Dump, 0)) })
			tr.request(t)
			if abandoned {
				cancel()
				if r := demuxTestWait(t, res); !errors.Is(r.err, context.Canceled) {
					t.Fatalf("cancelled dump: %v", r.err)
				}
			}
			// The overrun, then nothing: the queue is empty.
			tr.fail(fmt.Errorf("recvmsg: %w", syscall.ENOBUFS))
			if !abandoned {
				if r := demuxTestWait(t, res); !errors.Is(r.err, syscall.ENOBUFS) {
					t.Fatalf("dump with its answer lost: %+v, %v; want an error matching ENOBUFS", r.msgs, r.err)
				}
			}

			next := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(Dump, 1)) })
			req := tr.request(t)
			want := demuxTestMessage(req.Header.Sequence, Multi, 1)
			tr.reply(t, want, demuxTestDone(req.Header.Sequence))
			r := demuxTestWait(t, next)
			if r.err != nil {
				t.Fatalf("next dump: %v", r.err)
			}
			if diff := cmp.Diff([]Message{want}, r.msgs); diff != "" {
				t.Fatalf("unexpected dump (-want +got):\n%s", diff)
			}
		})
	}
}

// demuxTestError returns the error message with code errno answering req.
func demuxTestError(req Message, errno syscall.Errno) Message {
	m := demuxTestAck(req)
	binary.NativeEndian.PutUint32(m.Data, uint32(-int32(errno)))
	return m
}
