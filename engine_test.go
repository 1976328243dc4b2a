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

// demuxTestError returns the error message with code errno answering req.
func demuxTestError(req Message, errno syscall.Errno) Message {
	m := demuxTestAck(req)
	binary.NativeEndian.PutUint32(m.Data, uint32(-int32(errno)))
	return m
}
