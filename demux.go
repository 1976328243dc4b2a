package netlink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"syscall"
)

// An Origin says where a received datagram came from.
type Origin struct {
	// PortID is the sender's port ID: 0 for the kernel.
	PortID uint32

	// Group is the multicast group the datagram was sent to, or 0 for a
	// unicast datagram. The source address names groups 1 to 32 only:
	// higher ones are known with the PacketInfo option on, which a Conn
	// turns on by itself when it joins such a group.
	Group uint32

	// NSID is the ID, in the Conn's network namespace, of the namespace the
	// datagram came from, reported with the ListenAllNSID option on; -1
	// when the kernel did not say (the Conn's own namespace, or the option
	// off).
	NSID int32
}

// fromKernel reports whether the datagram is unicast from the kernel: the
// only source whose replies a transaction accepts.
func (o Origin) fromKernel() bool { return o.PortID == 0 && o.Group == 0 }

// trusted reports whether Receive returns datagrams from o: the kernel's,
// and multicast, which only privileged processes may send.
func (o Origin) trusted() bool { return o.PortID == 0 || o.Group != 0 }

// A kernelSocket is a real netlink socket, made by dial: what a Conn
// closes and asks for options, and the transport of its demux.
type kernelSocket interface {
	io.Closer
	transport
}

// A transport is a kernel netlink socket as the demux sees it.
type transport interface {
	// send sends one datagram; b is reused once it returns.
	send(ctx context.Context, b []byte) error
	// receive returns the next datagram, in a buffer the caller owns.
	receive(ctx context.Context) ([]byte, Origin, error)
}

// maxUnclaimed bounds the datagrams that wait for Receive: past it the
// oldest are dropped and the next Receive reports an overrun, as the
// kernel does when a socket's receive queue is full.
const maxUnclaimed = 4096

// errUnclaimedOverrun is reported by Receive when datagrams nobody received
// were dropped.
var errUnclaimedOverrun = fmt.Errorf("netlink: unreceived messages dropped: %w", syscall.ENOBUFS)

// maxAbandoned bounds the abandoned requests whose late replies are
// recognised and dropped.
const maxAbandoned = 1024

// A datagram is the messages of one received datagram, or of a run of them
// with one sequence number, and where it came from.
type datagram struct {
	msgs   []Message
	origin Origin
	err    error // why the datagram could not be parsed, if it could not
}

// A waiter is a transaction in flight: a request sent, its reply awaited.
type waiter struct {
	seq    uint32
	dump   bool          // holds demux.dumpSem
	signal chan struct{} // capacity 1: the queue or err changed
	reply  reply         // used only by the waiter's goroutine, or by dispatch once abandoned

	// Guarded by demux.mu.
	queue     []datagram
	err       error
	abandoned bool // the caller gave up; late replies are dropped
}

// A demux shares one kernel socket among concurrent transactions and
// receivers. Whoever needs data and holds readSem reads one datagram and
// hands each message to its owner: the transaction whose sequence number
// it carries, or the queue that Receive takes from. No lock is held across
// a transaction.
type demux struct {
	tr     transport
	closed <-chan struct{}
	trace  *tracer

	readSem chan struct{} // capacity 1: held while reading the socket
	dumpSem chan struct{} // capacity 1: held by the dump in flight

	mu          sync.Mutex
	waiters     map[uint32]*waiter  // by sequence number, abandoned ones too
	abandoned   int                 // how many waiters are abandoned
	unclaimed   []datagram          // for Receive, oldest first
	unclaimedCh chan struct{}       // capacity 1: unclaimed or overrun changed
	overrun     error               // an overrun Receive has yet to report
	orphan      *waiter             // an abandoned dump holding dumpSem
	dumpChanged chan struct{}       // closed when orphan is set
	sentSingles map[uint32]struct{} // see sendRequests

	// Finished waiters and send buffers, kept to spare allocations.
	spareWaiters sync.Pool
	spareBuffers sync.Pool
}

// maxSentSingles bounds the requests sent with Send that are remembered.
const maxSentSingles = 1024

// maxSpareBuffer is the largest send buffer kept for reuse.
const maxSpareBuffer = 64 * 1024

// newDemux returns a demux over tr; closed is closed when the Conn is.
func newDemux(tr transport, closed <-chan struct{}, trace *tracer) *demux {
	return &demux{
		tr:          tr,
		closed:      closed,
		trace:       trace,
		readSem:     make(chan struct{}, 1),
		dumpSem:     make(chan struct{}, 1),
		waiters:     make(map[uint32]*waiter),
		unclaimedCh: make(chan struct{}, 1),
		dumpChanged: make(chan struct{}),
		sentSingles: make(map[uint32]struct{}),
	}
}

// notify wakes the goroutine waiting on ch, if any, without blocking.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// errSequenceInUse is returned when a request reuses the sequence number of
// a transaction in flight.
var errSequenceInUse = errors.New("sequence number already in use by a request in flight")

// isDump reports whether a request may start a dump. The kernel runs one
// dump at a time per socket and answers a second one with EBUSY, so such
// requests wait for the dump in flight to end. Families differ in which of
// the two dump bits they look at, and the same bits mean Replace and Excl
// in new requests: those wait too unless they carry Create or Append.
// Waiting is slower, never wrong.
func isDump(f HeaderFlags) bool {
	return f&Dump == Dump || (f&Dump != 0 && f&(Create|Append) == 0)
}

// transact sends m, whose header is complete, and gathers its reply.
func (d *demux) transact(ctx context.Context, m Message) (reply, error) {
	w, _ := d.spareWaiters.Get().(*waiter)
	if w == nil {
		w = &waiter{signal: make(chan struct{}, 1)}
	}
	w.seq = m.Header.Sequence
	w.dump = isDump(m.Header.Flags)
	// A dump's reply ends with its Done whatever the flags; any other
	// request that asked for an acknowledgement ends with it.
	w.reply = newReply(m.Header.Flags&Acknowledge != 0)
	w.reply.single = !w.dump
	if w.dump {
		if err := d.acquireDump(ctx); err != nil {
			return reply{}, err
		}
	}

	d.mu.Lock()
	if d.waiters[w.seq] != nil {
		d.mu.Unlock()
		d.releaseDump(w)
		return reply{}, newOpError("execute", errSequenceInUse)
	}
	d.waiters[w.seq] = w
	d.mu.Unlock()

	if err := d.send(ctx, []Message{m}); err != nil {
		d.mu.Lock()
		delete(d.waiters, w.seq)
		d.mu.Unlock()
		d.releaseDump(w)
		return reply{}, newOpError("send", err)
	}
	if err := d.await(ctx, w); err != nil {
		// w may be abandoned, and still known to dispatch.
		return reply{}, err
	}
	r := w.reply
	d.recycle(w)
	return r, nil
}

// recycle keeps w, whose transaction has finished, for another one.
func (d *demux) recycle(w *waiter) {
	select {
	case <-w.signal:
	default:
	}
	*w = waiter{signal: w.signal}
	d.spareWaiters.Put(w)
}

// acquireDump waits until no dump is in flight. While an abandoned dump
// holds the semaphore, it reads the socket on its behalf: the kernel only
// carries a dump on as its datagrams are read, and nobody else may be
// reading.
func (d *demux) acquireDump(ctx context.Context) error {
	for {
		d.mu.Lock()
		orphan, changed := d.orphan, d.dumpChanged
		d.mu.Unlock()

		var read chan struct{}
		if orphan != nil {
			read = d.readSem
		}
		select {
		case d.dumpSem <- struct{}{}:
			return nil
		case <-changed:
		case read <- struct{}{}:
			d.mu.Lock()
			running := d.orphan == orphan
			d.mu.Unlock()
			var err error
			if running {
				_, err = d.readOne(ctx, nil)
			}
			<-d.readSem
			if err != nil {
				return newOpError("receive", err)
			}
		case <-ctx.Done():
			return newOpError("execute", ctx.Err())
		case <-d.closed:
			return errClosed("execute")
		}
	}
}

// releaseDump lets the next dump go if w held the dump semaphore.
func (d *demux) releaseDump(w *waiter) {
	if w.dump {
		<-d.dumpSem
	}
}

// await gathers w's reply. When nobody else is reading the socket, it
// reads, and keeps reading, handing other transactions their datagrams,
// until its own reply is complete: passing the turn on after every
// datagram would wake another goroutine each time.
func (d *demux) await(ctx context.Context, w *waiter) error {
	reading := false
	for {
		d.mu.Lock()
		queue, err := w.queue, w.err
		w.queue = nil
		d.mu.Unlock()

		for _, dg := range queue {
			w.reply.addDatagram(dg.msgs)
			if w.reply.done || w.reply.err != nil {
				if reading {
					<-d.readSem
				}
				d.finish(w)
				return w.reply.err
			}
		}
		if err == nil && reading {
			var mine []Message
			mine, err = d.readOne(ctx, w)
			if mine != nil {
				w.reply.addDatagram(mine)
				if w.reply.done || w.reply.err != nil {
					<-d.readSem
					d.finish(w)
					return w.reply.err
				}
			}
		}
		if err != nil {
			if reading {
				<-d.readSem
			}
			d.abandon(w)
			return newOpError("receive", err)
		}
		if reading {
			continue
		}
		// Alone on the Conn, the turn to read is free: take it without a
		// select.
		select {
		case d.readSem <- struct{}{}:
			reading = true
			continue
		default:
		}
		if turn, signalled := d.spin(w); turn || signalled {
			reading = turn
			continue
		}

		select {
		case <-w.signal:
		case d.readSem <- struct{}{}:
			// Data may have come in while this goroutine waited for its
			// turn: the queue is checked again before reading.
			reading = true
		case <-ctx.Done():
			d.abandon(w)
			return newOpError("receive", ctx.Err())
		case <-d.closed:
			d.abandon(w)
			return errClosed("receive")
		}
	}
}

// spinTries is how many times a waiter yields the processor, waiting for
// its reply or its turn to read, before it parks. Measured with 8
// goroutines sharing a Conn on 2 processors, parking at once made each
// transaction cost 1.6 times as much as with a Conn per goroutine; 20
// tries bring it level.
const spinTries = 20

// spin waits a little, without parking the goroutine, for w to be
// signalled or for the turn to read, which it then takes. Parking costs
// more: the goroutine that hands the reply over must then wake this one,
// often through the scheduler of another processor.
func (d *demux) spin(w *waiter) (turn, signalled bool) {
	for i := range spinTries {
		if i > 0 {
			runtime.Gosched()
		}
		select {
		case <-w.signal:
			return false, true
		case d.readSem <- struct{}{}:
			return true, false
		default:
		}
	}
	return false, false
}

// finish ends a transaction whose reply is complete.
func (d *demux) finish(w *waiter) {
	d.mu.Lock()
	delete(d.waiters, w.seq)
	d.mu.Unlock()
	d.releaseDump(w)
}

// abandon ends a transaction whose caller gives up before its reply is
// complete. The rest of the reply is dropped as it arrives. An abandoned
// dump keeps the dump semaphore until its Done is read, since the kernel
// refuses another dump until then; the next dump reads it out (see
// acquireDump).
func (d *demux) abandon(w *waiter) {
	d.mu.Lock()
	// The end of the reply may be queued already.
	for _, dg := range w.queue {
		if !w.reply.done && w.reply.err == nil {
			w.reply.addDatagram(dg.msgs)
		}
	}
	w.queue = nil
	w.reply.clearMessages()
	if w.reply.done || w.reply.err != nil {
		delete(d.waiters, w.seq)
		d.mu.Unlock()
		d.releaseDump(w)
		return
	}
	defer d.mu.Unlock()
	w.abandoned = true
	d.abandoned++
	if d.abandoned > maxAbandoned {
		d.forgetAbandoned()
	}
	if w.dump {
		d.orphan = w
		close(d.dumpChanged)
		d.dumpChanged = make(chan struct{})
	}
}

// forgetAbandoned forgets abandoned requests other than dumps, whose late
// replies, if any ever come, then go to Receive.
func (d *demux) forgetAbandoned() {
	for seq, w := range d.waiters {
		if w.abandoned && !w.dump {
			delete(d.waiters, seq)
			d.abandoned--
		}
	}
}

// endAbandoned forgets the abandoned w, whose reply has ended or will never
// come.
func (d *demux) endAbandoned(w *waiter) {
	d.mu.Lock()
	if d.waiters[w.seq] != w {
		d.mu.Unlock()
		return
	}
	delete(d.waiters, w.seq)
	d.abandoned--
	if d.orphan == w {
		d.orphan = nil
	}
	d.mu.Unlock()
	d.releaseDump(w)
}

// readOne reads one datagram and dispatches it. The caller holds readSem.
// Messages for self, the caller's own transaction if it has one, are
// returned rather than queued.
func (d *demux) readOne(ctx context.Context, self *waiter) ([]Message, error) {
	b, origin, err := d.tr.receive(ctx)
	if err != nil {
		if lostData(err) {
			d.failAll(err)
		}
		return nil, err
	}
	d.trace.received(b, origin)
	msgs, err := parseMessages(b)
	switch {
	case err == nil:
	case origin.fromKernel():
		// Perhaps a reply: whoever reads must know.
		return nil, err
	case origin.Group != 0:
		// A notification that is not made of netlink messages must not
		// fail a transaction: it is Receive's to report.
		d.mu.Lock()
		d.enqueue(datagram{origin: origin, err: err})
		d.mu.Unlock()
		return nil, nil
	default:
		// Garbage from another process.
		return nil, nil
	}
	return d.dispatch(datagram{msgs: msgs, origin: origin}, self), nil
}

// lostData reports whether a receive error means that datagrams were lost:
// an overrun of the socket's queue, or one too large for the buffer.
func lostData(err error) bool {
	return errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.EMSGSIZE)
}

// failAll reports an overrun to every transaction in flight, whose replies
// may have been lost, and to the next Receive.
func (d *demux) failAll(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, w := range d.waiters {
		if !w.abandoned {
			w.err = err
			notify(w.signal)
		}
	}
	d.overrun = err
	notify(d.unclaimedCh)
}

// dispatch hands the messages of dg to their owners, and returns those for
// self instead of queueing them.
func (d *demux) dispatch(dg datagram, self *waiter) (mine []Message) {
	var abandonedDone []*waiter
	d.mu.Lock()
	if !dg.origin.fromKernel() {
		d.enqueue(dg)
		d.mu.Unlock()
		return nil
	}
	for msgs := dg.msgs; len(msgs) > 0; {
		// The kernel answers one request per datagram; split anyway, by
		// sequence number, so that nothing can be handed to the wrong
		// owner.
		n := 1
		for n < len(msgs) && msgs[n].Header.Sequence == msgs[0].Header.Sequence {
			n++
		}
		run := datagram{msgs: msgs[:n:n], origin: dg.origin}
		msgs = msgs[n:]

		w := d.waiters[run.msgs[0].Header.Sequence]
		switch {
		case w == nil:
			d.enqueue(run)
		case w == self && mine == nil:
			mine = run.msgs
		case w.abandoned:
			w.reply.addDatagram(run.msgs)
			w.reply.clearMessages()
			if w.reply.done || w.reply.err != nil {
				abandonedDone = append(abandonedDone, w)
			}
		default:
			w.queue = append(w.queue, run)
			notify(w.signal)
		}
	}
	d.mu.Unlock()
	for _, w := range abandonedDone {
		d.endAbandoned(w)
	}
	return mine
}

// enqueue adds dg to the datagrams waiting for Receive. The caller holds mu.
func (d *demux) enqueue(dg datagram) {
	if len(d.unclaimed) >= maxUnclaimed {
		d.unclaimed = d.unclaimed[1:]
		d.overrun = errUnclaimedOverrun
	}
	d.unclaimed = append(d.unclaimed, dg)
	notify(d.unclaimedCh)
}

// sendRequests sends msgs for a caller that will receive the replies
// itself, remembering which requests are not dumps so that Receive knows
// where their replies end.
func (d *demux) sendRequests(ctx context.Context, msgs []Message) error {
	d.mu.Lock()
	if len(d.sentSingles) >= maxSentSingles {
		// Requests whose replies nobody received: forget them.
		clear(d.sentSingles)
	}
	for _, m := range msgs {
		if !isDump(m.Header.Flags) {
			d.sentSingles[m.Header.Sequence] = struct{}{}
		}
	}
	d.mu.Unlock()
	return d.send(ctx, msgs)
}

// isSingle reports whether seq is the sequence number of a request sent by
// sendRequests that is not a dump, and forgets it.
func (d *demux) isSingle(seq uint32) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.sentSingles[seq]
	delete(d.sentSingles, seq)
	return ok
}

// send sends msgs, whose headers are complete, in one datagram.
func (d *demux) send(ctx context.Context, msgs []Message) error {
	size := 0
	for _, m := range msgs {
		size += int(m.Header.Length)
	}
	// The kernel has copied the datagram when the send returns, so its
	// buffer can serve again.
	buf, _ := d.spareBuffers.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	b := slices.Grow((*buf)[:0], size)
	for _, m := range msgs {
		b = appendMessage(b, m)
	}
	err := d.tr.send(ctx, b)
	if err == nil {
		d.trace.sent(b)
	}
	if cap(b) <= maxSpareBuffer {
		*buf = b[:0]
		d.spareBuffers.Put(buf)
	}
	return err
}

// receive returns the oldest datagram that no transaction claimed, reading
// the socket while there is none. With trustedOnly, unicast datagrams from
// user-space processes are dropped.
func (d *demux) receive(ctx context.Context, trustedOnly bool) (datagram, error) {
	for {
		d.mu.Lock()
		if err := d.overrun; err != nil {
			d.overrun = nil
			d.mu.Unlock()
			return datagram{}, err
		}
		for len(d.unclaimed) > 0 {
			dg := d.unclaimed[0]
			d.unclaimed[0] = datagram{}
			d.unclaimed = d.unclaimed[1:]
			if !trustedOnly || dg.origin.trusted() {
				if len(d.unclaimed) > 0 {
					// Pass the turn on to another receiver.
					notify(d.unclaimedCh)
				}
				d.mu.Unlock()
				return dg, dg.err
			}
		}
		d.mu.Unlock()

		select {
		case <-d.unclaimedCh:
		case d.readSem <- struct{}{}:
			d.mu.Lock()
			ready := len(d.unclaimed) > 0 || d.overrun != nil
			d.mu.Unlock()
			var err error
			if !ready {
				_, err = d.readOne(ctx, nil)
			}
			<-d.readSem
			if err != nil {
				if lostData(err) {
					// Reported here and now, not again.
					d.mu.Lock()
					d.overrun = nil
					d.mu.Unlock()
				}
				return datagram{}, err
			}
		case <-ctx.Done():
			return datagram{}, ctx.Err()
		case <-d.closed:
			return datagram{}, errClosed("receive")
		}
	}
}
