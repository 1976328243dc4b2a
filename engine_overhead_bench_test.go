package netlink

import (
	"context"
	"encoding/binary"
	"testing"
)

// An echoTransport answers every request at once with a canned reply of
// one message, as the kernel answers a request within sendmsg: Execute
// over it costs only the Conn's own work, with no system call.
type echoTransport struct {
	reply []byte // one message; its sequence number is set per request
	seq   uint32
	ready bool
}

func (e *echoTransport) Close() error { return nil }

func (e *echoTransport) send(_ context.Context, out outgoing) error {
	e.seq, e.ready = out.msgs[0].Header.Sequence, true
	if out.sent != nil {
		out.sent()
	}
	return nil
}

func (e *echoTransport) receive(context.Context, bool) (datagram, error) {
	if !e.ready {
		return datagram{}, errWouldBlock
	}
	e.ready = false
	b := make([]byte, len(e.reply))
	copy(b, e.reply)
	binary.NativeEndian.PutUint32(b[8:12], e.seq)
	msgs, err := parseMessages(b)
	return datagram{msgs: msgs, origin: kernelOrigin()}, err
}

// BenchmarkExecuteOverhead measures Execute of a request with a one-message
// answer, over a transport that costs nothing: what the engine adds to the
// two system calls of a transaction.
func BenchmarkExecuteOverhead(b *testing.B) {
	reply, err := (&Message{Header: Header{Length: 36, Type: 16}, Data: make([]byte, 20)}).MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	c := newConn(&echoTransport{reply: reply}, 1234, engineConfig{policy: senderPolicy{self: 1234}, probeable: true})
	c.strictRequests = true
	req := Message{Header: Header{Type: 16, Flags: Request}, Data: make([]byte, 16)}
	b.ReportAllocs()
	for b.Loop() {
		msgs, err := c.Execute(req)
		if err != nil || len(msgs) != 1 {
			b.Fatalf("Execute: %d messages, %v", len(msgs), err)
		}
	}
}

// A notifyTransport has a notification of a joined group queued at every
// read, as a socket subscribed to busy groups has.
type notifyTransport struct{ event []byte }

func (n *notifyTransport) Close() error                         { return nil }
func (n *notifyTransport) send(context.Context, outgoing) error { return nil }

func (n *notifyTransport) receive(context.Context, bool) (datagram, error) {
	b := make([]byte, len(n.event))
	copy(b, n.event)
	msgs, err := parseMessages(b)
	return datagram{msgs: msgs, origin: Origin{Group: 7, NSID: -1}}, err
}

// BenchmarkReceiveOverhead measures Receive of a one-message notification
// over a transport that costs nothing.
func BenchmarkReceiveOverhead(b *testing.B) {
	event, err := (&Message{Header: Header{Length: 36, Type: 24}, Data: make([]byte, 20)}).MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	c := newConn(&notifyTransport{event: event}, 1234, engineConfig{policy: senderPolicy{self: 1234}, probeable: true})
	b.ReportAllocs()
	for b.Loop() {
		msgs, err := c.Receive()
		if err != nil || len(msgs) != 1 {
			b.Fatalf("Receive: %d messages, %v", len(msgs), err)
		}
	}
}
