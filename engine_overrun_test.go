package netlink

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

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
