//go:build linux

package netlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
	"golang.org/x/sys/unix"
)

// A replaySocket is a Socket that answers a request with datagrams
// captured from the kernel, one datagram per read, renumbered to the
// request's sequence number: a reply scripted datagram by datagram, as the
// kernel sends it.
type replaySocket struct {
	script [][]netlink.Message

	mu    sync.Mutex
	queue [][]netlink.Message
}

func (s *replaySocket) Close() error { return nil }

func (s *replaySocket) Send(m netlink.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = nil
	for _, dg := range s.script {
		dg = slices.Clone(dg)
		for i := range dg {
			dg[i].Header.Sequence = m.Header.Sequence
		}
		s.queue = append(s.queue, dg)
	}
	return nil
}

func (s *replaySocket) SendMessages(msgs []netlink.Message) error { return s.Send(msgs[0]) }

func (s *replaySocket) Receive() ([]netlink.Message, error) {
	return nil, errors.New("replaySocket: the Conn must read through ReceiveIter")
}

func (s *replaySocket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return func(yield func(netlink.Message, error) bool) {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.mu.Unlock()
			yield(netlink.Message{}, errors.New("replaySocket: read past the end of the script"))
			return
		}
		dg := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		for _, m := range dg {
			if !yield(m, nil) {
				return
			}
		}
	}
}

// splitDatagram returns the messages of a captured datagram.
func splitDatagram(tb testing.TB, b []byte) []netlink.Message {
	tb.Helper()
	var msgs []netlink.Message
	for len(b) > 0 {
		end := min((int(binary.NativeEndian.Uint32(b))+3)&^3, len(b))
		var m netlink.Message
		if err := m.UnmarshalBinary(b[:end]); err != nil {
			tb.Fatalf("captured datagram: %v", err)
		}
		m.Data = slices.Clone(m.Data)
		msgs = append(msgs, m)
		b = b[end:]
	}
	return msgs
}

// TestReplayedKernelReplies checks that replies scripted datagram by
// datagram as the kernel sent them give a Conn over a Socket (NewConn, as
// nltest's fakes do) the same messages and errors as the kernel gives a
// Conn made by Dial: both run the same engine.
func TestReplayedKernelReplies(t *testing.T) {
	ns := nstest.New(t)
	var lines []string
	for i := range 40 {
		lines = append(lines, fmt.Sprintf("link add rp%da type veth peer name rp%db", i, i))
	}
	ns.Batch(t, lines)

	getFamily := func(flags netlink.HeaderFlags) netlink.Message {
		m := genl.GetFamilyRequest("nlctrl")
		m.Header.Flags |= flags
		return m
	}
	badLink := netlink.Message{
		Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: netlink.Request | netlink.Acknowledge | netlink.Create | netlink.Excl},
		Data: append(make([]byte, unix.SizeofIfInfomsg), testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
			ae.Nested(unix.IFLA_LINKINFO, func(nae *netlink.AttributeEncoder) error {
				nae.String(unix.IFLA_INFO_KIND, "nosuchkind")
				return nil
			})
		})...),
	}
	tests := []struct {
		name      string
		family    int
		req       netlink.Message
		datagrams func(int) bool // how many datagrams the kernel must send
	}{
		{name: "request", family: unix.NETLINK_GENERIC, req: getFamily(0), datagrams: func(n int) bool { return n == 1 }},
		{name: "request with ACK", family: unix.NETLINK_GENERIC, req: getFamily(netlink.Acknowledge), datagrams: func(n int) bool { return n == 2 }},
		{name: "error", family: unix.NETLINK_ROUTE, req: badLink, datagrams: func(n int) bool { return n == 1 }},
		{
			name:      "dump of 81 links",
			family:    unix.NETLINK_ROUTE,
			req:       netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Dump}, Data: make([]byte, unix.SizeofIfInfomsg)},
			datagrams: func(n int) bool { return n > 2 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var script [][]netlink.Message
			c := testkit.Dial(t, ns, tt.family, &netlink.Config{Capture: captureFunc(func(sent bool, b []byte) {
				if !sent {
					mu.Lock()
					script = append(script, splitDatagram(t, b))
					mu.Unlock()
				}
			})})
			kernelMsgs, kernelErr := c.Execute(tt.req)
			mu.Lock()
			defer mu.Unlock()
			if !tt.datagrams(len(script)) {
				t.Fatalf("the kernel sent %d datagrams", len(script))
			}

			fake := netlink.NewConn(&replaySocket{script: script}, c.PID())
			defer fake.Close()
			fakeMsgs, fakeErr := fake.ExecuteContext(context.Background(), tt.req)

			var kernelErrno, fakeErrno syscall.Errno
			errors.As(kernelErr, &kernelErrno)
			errors.As(fakeErr, &fakeErrno)
			if (kernelErr == nil) != (fakeErr == nil) || kernelErrno != fakeErrno {
				t.Fatalf("errors differ: kernel %v, fake %v", kernelErr, fakeErr)
			}
			if diff := cmp.Diff(withoutSequence(kernelMsgs), withoutSequence(fakeMsgs)); diff != "" {
				t.Fatalf("messages differ (-kernel +fake):\n%s", diff)
			}
		})
	}
}

// withoutSequence returns msgs with their sequence numbers cleared.
func withoutSequence(msgs []netlink.Message) []netlink.Message {
	out := slices.Clone(msgs)
	for i := range out {
		out[i].Header.Sequence = 0
	}
	return out
}
