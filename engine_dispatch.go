package netlink

import (
	"context"
	"errors"
	"syscall"
)

// readOne reads one datagram and dispatches it; without wait, it returns
// errWouldBlock if none is queued. The caller holds readSem.
// What belongs to self, the caller's own transaction if it has one, is
// returned (got is true) rather than queued.
func (d *demux) readOne(ctx context.Context, self *waiter, wait bool) (mine []Message, got bool, err error) {
	dg, err := d.tr.receive(ctx, wait)
	if err != nil {
		if lostData(err) {
			d.failAll(err)
		}
		return nil, false, err
	}
	if dg.err != nil {
		switch {
		case d.policy.mayReply(dg.origin):
			// Perhaps a reply: whoever reads must know.
			return nil, false, dg.err
		case dg.origin.Group != 0:
			// A notification that is not made of netlink messages must
			// not fail a transaction: it is Receive's to report.
			d.mu.Lock()
			d.enqueue(dg)
			d.mu.Unlock()
		}
		// Otherwise garbage from another process: dropped.
		return nil, false, nil
	}
	mine, got = d.dispatch(dg, self)
	return mine, got, nil
}

// lostData reports whether a receive error means that datagrams were lost:
// an overrun of the socket's queue, or one too large for the buffer.
func lostData(err error) bool {
	return errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.EMSGSIZE)
}

// dispatch hands the messages of dg to their owners: each run of messages
// with one sequence number goes to the transaction of that number, or to
// Receive. What belongs to self is returned instead.
func (d *demux) dispatch(dg datagram, self *waiter) (mine []Message, got bool) {
	// Under the v1 rules, what no transaction claims belongs to the one
	// that read it, as the v1 API hands a transaction whatever it reads.
	var claimer *waiter
	if d.v1Rules {
		claimer = self
	}
	d.mu.Lock()
	switch {
	case !d.policy.mayReply(dg.origin):
		// Multicast, or unicast from another process: Receive decides.
		d.enqueue(dg)
		d.mu.Unlock()
		return nil, false
	case len(dg.msgs) == 0 && claimer != nil:
		d.mu.Unlock()
		return nil, true
	}
	var ended []*waiter
	for msgs := dg.msgs; len(msgs) > 0; {
		// The kernel answers one request per datagram; split anyway, by
		// sequence number, so that nothing can go to the wrong owner.
		n := sequenceRun(msgs)
		run := datagram{msgs: msgs[:n], origin: dg.origin}
		msgs = msgs[n:]

		w, ok := d.owner(run.msgs, claimer)
		if !ok {
			continue
		}
		if w == self && w != nil {
			if got {
				run.msgs = append(mine[:len(mine):len(mine)], run.msgs...)
			}
			mine, got = run.msgs, true
		} else if d.handOver(run, w) {
			ended = append(ended, w)
		}
	}
	if len(dg.msgs) == 0 {
		d.enqueue(dg)
	}
	d.mu.Unlock()
	for _, w := range ended {
		d.endAbandoned(w)
	}
	return mine, got
}

// sequenceRun returns how many messages at the start of msgs, at least
// one, carry the sequence number of the first.
func sequenceRun(msgs []Message) int {
	n := 1
	for n < len(msgs) && msgs[n].Header.Sequence == msgs[0].Header.Sequence {
		n++
	}
	return n
}

// owner returns the transaction that run answers, or claimer if none does;
// ok is false if run answers a probe, and is dropped. The caller holds mu.
func (d *demux) owner(run []Message, claimer *waiter) (w *waiter, ok bool) {
	if d.takeProbeAck(run) {
		return nil, false
	}
	w = d.waiters.get(run[0].Header.Sequence)
	if w == nil {
		w = claimer
	}
	if w != nil {
		d.confirm(w, run)
	}
	return w, true
}

// handOver gives run to w, or to Receive if w is nil, and reports whether
// w is an abandoned transaction whose reply run ends. The caller holds mu.
func (d *demux) handOver(run datagram, w *waiter) (ended bool) {
	switch {
	case w == nil:
		d.enqueue(run)
	case w.abandoned:
		w.reply.addDatagram(run.msgs)
		w.reply.clearMessages()
		return w.reply.done || w.reply.err != nil
	default:
		w.queue = append(w.queue, run)
		notify(w.signal)
	}
	return false
}

// enqueue adds dg to the datagrams waiting for Receive. The caller holds mu.
func (d *demux) enqueue(dg datagram) {
	if len(d.unclaimed) >= maxUnclaimed {
		d.unclaimed[0] = datagram{}
		d.unclaimed = d.unclaimed[1:]
		d.overrun = errUnclaimedOverrun
	}
	d.unclaimed = append(d.unclaimed, dg)
	notify(d.unclaimedCh)
}
