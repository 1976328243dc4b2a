package netlink

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

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
