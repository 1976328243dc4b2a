package netlink

import (
	"context"
	"slices"
)

// send sends msgs for a caller that receives the replies itself (Send and
// SendMessages), remembering which requests are not dumps so that Receive
// knows where their replies end.
func (d *demux) send(ctx context.Context, msgs []Message, batch bool) error {
	out := outgoing{msgs: msgs, batch: batch}
	d.mu.Lock()
	if len(d.sentSingles) >= maxSentSingles {
		// Requests whose replies nobody received: forget them.
		clear(d.sentSingles)
	}
	for _, m := range msgs {
		if isDump(m.Header.Flags) {
			out.dump = true
		} else if !d.v1Rules {
			d.sentSingles[m.Header.Sequence] = struct{}{}
		}
	}
	d.mu.Unlock()
	return d.tr.send(ctx, out)
}

// isSingle reports whether seq is the sequence number of a request sent by
// send that is not a dump, and forgets it.
func (d *demux) isSingle(seq uint32) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.sentSingles[seq]
	delete(d.sentSingles, seq)
	return ok
}

// receiveReply takes one reply that no transaction claims and hands the
// messages of each of its datagrams to fn. Once fn returns false it is not
// called again, but the rest of the reply is still taken, so that it does
// not mix with the next one. A multi-part reply goes whole to one caller:
// its first datagram is the oldest unclaimed one, the others are those
// with its sequence number and origin, in order.
func (d *demux) receiveReply(ctx context.Context, fn func([]Message) bool) error {
	if err := d.acquire(ctx, d.receiveSem, "receive"); err != nil {
		return err
	}
	defer func() { <-d.receiveSem }()

	first, err := d.takeUnclaimed(ctx, true, nil)
	if err != nil {
		return newOpError("receive", err)
	}
	single := false
	if !d.v1Rules && len(first.msgs) > 0 {
		single = d.isSingle(first.msgs[0].Header.Sequence)
	}
	r := newReceivedReply(single, d.v1Rules)
	sameReply := func(dg datagram) bool { return d.continues(first, dg) }
	wanted := true
	for dg := first; ; {
		if dg.err != nil {
			return newOpError("receive", dg.err)
		}
		r.addDatagram(dg.msgs)
		if r.err != nil {
			return r.err
		}
		if wanted {
			wanted = fn(r.messages(false))
		}
		r.clearMessages()
		if r.done {
			return nil
		}
		if dg, err = d.takeUnclaimed(ctx, true, sameReply); err != nil {
			return newOpError("receive", err)
		}
	}
}

// continues reports whether dg continues the reply that first began: it
// carries the same sequence number, from the same sender. Under the v1
// rules, the next datagram continues the reply, whatever it holds, as the
// v1 API reads it.
func (d *demux) continues(first, dg datagram) bool {
	if d.v1Rules {
		return true
	}
	return len(dg.msgs) > 0 && len(first.msgs) > 0 &&
		dg.msgs[0].Header.Sequence == first.msgs[0].Header.Sequence &&
		dg.origin.PortID == first.origin.PortID && dg.origin.Group == first.origin.Group
}

// receiveFrom takes the oldest datagram that no transaction claims,
// whoever sent it.
func (d *demux) receiveFrom(ctx context.Context) (datagram, error) {
	if err := d.acquire(ctx, d.receiveSem, "receive"); err != nil {
		return datagram{}, err
	}
	defer func() { <-d.receiveSem }()
	dg, err := d.takeUnclaimed(ctx, false, nil)
	if err != nil {
		return datagram{}, newOpError("receive", err)
	}
	if dg.err != nil {
		return dg, newOpError("receive", dg.err)
	}
	return dg, nil
}

// takeUnclaimed returns the oldest unclaimed datagram that match accepts
// (any, if match is nil), reading the transport while there is none. With
// trustedOnly, datagrams from untrusted senders are dropped on the way. An
// overrun is reported once, as an error. The caller holds receiveSem.
func (d *demux) takeUnclaimed(ctx context.Context, trustedOnly bool, match func(datagram) bool) (datagram, error) {
	for {
		if dg, ok, err := d.popUnclaimed(trustedOnly, match); ok || err != nil {
			return dg, err
		}
		// Alone on the Conn, the turn to read is free: take it without a
		// select.
		select {
		case d.readSem <- struct{}{}:
			if dg, ok, err := d.readUnclaimed(ctx, trustedOnly, match); ok || err != nil {
				return dg, err
			}
			continue
		default:
		}
		select {
		case <-d.unclaimedCh:
		case d.readSem <- struct{}{}:
			if dg, ok, err := d.readUnclaimed(ctx, trustedOnly, match); ok || err != nil {
				return dg, err
			}
		case <-ctx.Done():
			return datagram{}, ctx.Err()
		case <-d.closed:
			return datagram{}, errFileClosing
		}
	}
}

// readUnclaimed reads a datagram for takeUnclaimed, which holds readSem
// and gives it back here, unless one came in meanwhile.
func (d *demux) readUnclaimed(ctx context.Context, trustedOnly bool, match func(datagram) bool) (datagram, bool, error) {
	defer func() { <-d.readSem }()
	dg, ok, err := d.popUnclaimed(trustedOnly, match)
	if ok || err != nil {
		return dg, ok, err
	}
	if _, _, err = d.readOne(ctx, nil, true); err != nil && lostData(err) {
		// Reported here and now, not again.
		d.mu.Lock()
		d.overrun = nil
		d.mu.Unlock()
	}
	return datagram{}, false, err
}

// popUnclaimed removes and returns the oldest unclaimed datagram that match
// accepts, or an overrun not yet reported.
func (d *demux) popUnclaimed(trustedOnly bool, match func(datagram) bool) (datagram, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.overrun; err != nil {
		d.overrun = nil
		return datagram{}, false, err
	}
	for i := 0; i < len(d.unclaimed); {
		dg := d.unclaimed[i]
		take := match == nil || match(dg)
		drop := trustedOnly && !d.policy.trusted(dg.origin)
		if !take && !drop {
			i++
			continue
		}
		switch {
		case len(d.unclaimed) == 1:
			// Emptied where it starts, so that the next append reuses
			// the array.
			d.unclaimed[0] = datagram{}
			d.unclaimed = d.unclaimed[:0]
		case i == 0:
			d.unclaimed[0] = datagram{}
			d.unclaimed = d.unclaimed[1:]
		default:
			d.unclaimed = slices.Delete(d.unclaimed, i, i+1)
		}
		if !drop {
			return dg, true, nil
		}
	}
	return datagram{}, false, nil
}
