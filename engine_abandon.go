package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"syscall"
)

// Transactions whose callers gave up, and overruns.
//
// A dump is what needs care: the kernel runs one at a time per socket and
// answers another with EBUSY, and it carries a dump on only as user space
// reads the socket. So an exclusive transaction (a dump) keeps
// exclusiveSem until the kernel is known to be done with it: until its
// Done is read, even if its caller gave up (an orphan, which the next
// exclusive transaction reads out), or until it is known never to come.
//
// What an overrun loses follows from how the kernel queues: it drops
// notifications and answers (replies to requests that are not dumps,
// ACKs and errors) when the socket's queue is full, but it never drops a
// dump's own datagrams: it pauses the dump, and carries it on from a
// recvmsg that takes a datagram off the queue while the queue is at most
// half full. So after an overrun, a dump whose datagrams keep arriving
// still ends with its Done, while a dump whose answer has not been seen
// since may have been refused with an error that was lost (and then
// nothing more comes) or paused (and then it comes as the queue drains).
//
// The engine tells the two apart by reading. Finding the queue empty is
// not proof enough: memory of datagrams already read may still be charged
// to the socket when the last of them is taken, and then the kernel leaves
// the dump paused with nothing queued (seen on 6.18). So on families that
// acknowledge any request that asks for it (netlink_rcv_skb), the engine
// then sends a probe, a NOOP request with the Acknowledge flag: taking its
// ACK off the queue carries a paused dump on. A dump not seen by the time
// the queue is found empty again is not running. On other families, a
// dump in doubt is waited for, bounded by the caller's context.

// errDumpLost is the error of a dump whose answer the kernel dropped in an
// overrun.
var errDumpLost = fmt.Errorf("netlink: the answer to the dump request was lost in an overrun: %w", syscall.ENOBUFS)

// An idleNotifier is a transport that says when it finds nothing to read.
type idleNotifier interface {
	// notifyIdle makes the transport call fn each time a read finds the
	// socket's queue empty, before it waits, and before a request that may
	// start a dump can be sent after that read (see outgoing.sent).
	notifyIdle(fn func())
}

// errWouldBlock is what a transport's receive returns, when not asked to
// wait, if nothing is queued.
var errWouldBlock = errors.New("netlink: no datagram queued")

// abandon ends a transaction whose caller gives up before its reply is
// complete. The rest of the reply is dropped as it arrives. An abandoned
// dump keeps exclusiveSem until its reply ends or is known never to come.
func (d *demux) abandon(w *waiter) {
	d.mu.Lock()
	defer d.mu.Unlock()
	// The end of the reply may be queued already.
	for _, dg := range w.queue {
		if !w.reply.done && w.reply.err == nil {
			w.reply.addDatagram(dg.msgs)
		}
	}
	w.queue = nil
	w.reply.clearMessages()
	if w.reply.done || w.reply.err != nil || d.v1Rules || d.gone(w) {
		// Under the v1 rules, nothing more is read for a reply that
		// nobody waits for.
		d.waiters.remove(w.seq)
		d.releaseExclusiveLocked(w)
		return
	}
	w.abandoned = true
	d.abandoned++
	if d.abandoned > maxAbandoned {
		d.forgetAbandoned()
	}
	if w.exclusive {
		close(d.orphanCh)
		d.orphanCh = make(chan struct{})
	}
}

// gone reports whether the kernel is known to be done with the exclusive
// transaction w: in doubt, probed, and the queue found empty since. The
// caller holds mu.
func (d *demux) gone(w *waiter) bool {
	return w.exclusive && w.doubt && w.probed && d.idleEpoch.Load() > w.doubtSince
}

// needsProbe reports whether a probe should be sent for w: in doubt, the
// queue found empty since, and no probe's ACK on its way. The caller
// holds mu.
func (d *demux) needsProbe(w *waiter) bool {
	epoch := d.idleEpoch.Load()
	return d.probeable && w.exclusive && w.doubt && !w.probed &&
		epoch > w.doubtSince && (!w.probing || epoch > w.probeSince)
}

// doubt records that the kernel may have lost w's answer, or paused its
// dump. The caller holds mu.
func (d *demux) doubt(w *waiter) {
	w.doubt, w.probed = true, false
	if w.doubtSince != math.MaxUint64 {
		w.doubtSince = d.idleEpoch.Load()
	}
}

// probe sends a probe for w if it needs one (see needsProbe).
func (d *demux) probe(ctx context.Context, w *waiter) error {
	if !d.probeable || !w.exclusive {
		// Neither changes during a transaction: no lock needed.
		return nil
	}
	d.mu.Lock()
	if !d.needsProbe(w) {
		d.mu.Unlock()
		return nil
	}
	seq := d.nextSeq()
	w.probing, w.probeSeq, w.probeSince = true, seq, math.MaxUint64
	d.probes[d.nextProbe%len(d.probes)] = seq
	d.nextProbe++
	d.mu.Unlock()

	m := Message{Header: Header{Length: nlmsgHeaderLen, Type: Noop, Flags: Request | Acknowledge, Sequence: seq, PID: d.policy.self}}
	err := d.tr.send(ctx, outgoing{msgs: []Message{m}, sent: func() {
		d.mu.Lock()
		w.probeSince = d.idleEpoch.Load()
		d.mu.Unlock()
	}})
	if err != nil {
		d.mu.Lock()
		w.probing = false
		d.mu.Unlock()
		return newOpError("send", err)
	}
	return nil
}

// takeProbeAck reports whether run answers a probe, and records it for the
// holder if it answers the holder's. The caller holds mu.
func (d *demux) takeProbeAck(run []Message) bool {
	seq := run[0].Header.Sequence
	if !d.probeable || seq == 0 || !slices.Contains(d.probes[:], seq) || run[0].Header.Type != Error {
		return false
	}
	if w := d.holder; w != nil && w.probing && w.probeSeq == seq {
		// The recvmsg that took this ACK carried a paused dump on.
		w.probing, w.probed = false, true
		w.doubtSince = d.idleEpoch.Load()
	}
	return true
}

// sent records that the request of the exclusive transaction w was sent:
// the transport calls it before any later read begins, so that an empty
// queue found by a read that began earlier casts no doubt on w's answer.
func (d *demux) sent(w *waiter) {
	d.mu.Lock()
	defer d.mu.Unlock()
	w.doubtSince = d.idleEpoch.Load()
}

// forgetAbandoned forgets abandoned requests other than dumps, whose late
// replies, if any ever come, then go to Receive. The caller holds mu.
func (d *demux) forgetAbandoned() {
	d.abandoned -= d.waiters.removeIf(func(w *waiter) bool { return w.abandoned && !w.exclusive })
}

// endAbandoned forgets the abandoned w, whose reply has ended.
func (d *demux) endAbandoned(w *waiter) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.endAbandonedLocked(w)
}

// endAbandonedLocked is endAbandoned for a caller that holds mu.
func (d *demux) endAbandonedLocked(w *waiter) {
	if d.waiters.get(w.seq) != w {
		return
	}
	d.waiters.remove(w.seq)
	d.abandoned--
	d.releaseExclusiveLocked(w)
}

// idle is called by the transport, with readSem held, when it finds the
// socket's queue empty, before a request can be sent after that read. A
// dump that is gone is ended: an abandoned one is forgotten, and a caller
// still waiting for one gets errDumpLost. One that needs a probe has it
// sent by whoever waits for it.
func (d *demux) idle() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.idleEpoch.Add(1)
	w := d.holder
	switch {
	case w == nil:
	case d.gone(w) && w.abandoned:
		d.endAbandonedLocked(w)
	case d.gone(w):
		if w.err == nil {
			w.err = errDumpLost
			notify(w.signal)
		}
	case d.needsProbe(w) && w.abandoned:
		close(d.orphanCh)
		d.orphanCh = make(chan struct{})
	case d.needsProbe(w):
		notify(w.signal)
	}
}

// failAll reports an error that lost datagrams (see lostData) to the
// transactions in flight, whose replies may have been lost, and to the
// next Receive. An overrun only casts doubt on a dump, whose datagrams the
// kernel never drops (see idle).
func (d *demux) failAll(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	overrun := errors.Is(err, syscall.ENOBUFS)
	for _, w := range d.waiters.waiters {
		switch {
		case w.exclusive && (overrun || w.abandoned):
			d.doubt(w)
		case !w.abandoned:
			w.err = err
			notify(w.signal)
		}
	}
	d.overrun = err
	notify(d.unclaimedCh)
}

// confirm records that a datagram of the exclusive transaction w arrived:
// its dump is running, unless the kernel answered that it could not start
// it for want of room (ENOBUFS), when it pauses it instead: then it runs
// only if more comes. The caller holds mu.
func (d *demux) confirm(w *waiter, run []Message) {
	if !w.exclusive {
		return
	}
	if len(run) > 0 && run[0].Header.Type == Error && ackErrno(run[0]) == syscall.ENOBUFS {
		d.doubt(w)
		return
	}
	w.doubt = false
}

// ackErrno returns the error code of an Error message, or 0.
func ackErrno(m Message) syscall.Errno {
	if len(m.Data) < 4 {
		return 0
	}
	return syscall.Errno(-int32(binary.NativeEndian.Uint32(m.Data)))
}
