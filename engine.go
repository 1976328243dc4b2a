package netlink

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
)

// The engine shares one transport among concurrent transactions and
// receivers. Whoever needs data and holds the turn to read (readSem) reads
// one datagram and hands each message to its owner: the transaction whose
// sequence number it carries, or the queue that Receive takes from. No lock
// is held across a transaction, so Send never waits for a Receive.
//
// Locks, in the order they are taken (a goroutine never waits for an
// earlier one while holding a later one):
//
//  1. exclusiveSem or receiveSem: held for a whole transaction that must
//     run alone, or a whole Receive or ReceiveFrom call;
//  2. readSem: held while reading one datagram from the transport and
//     dispatching it;
//  3. the transport's own lock (sysSocket.dumpMu), around one system
//     call: the transport calls idle and outgoing.sent while it holds it;
//  4. mu: held briefly, never while waiting and never while calling the
//     transport, to change the fields it guards.
type demux struct {
	tr transport
	engineConfig
	closed <-chan struct{}

	// Semaphores: channels of capacity 1, held while full.
	readSem      chan struct{} // the turn to read the transport
	exclusiveSem chan struct{} // a dump is in flight, or any transaction under the v1 rules
	receiveSem   chan struct{} // a Receive or ReceiveFrom is taking datagrams

	mu          sync.Mutex
	waiters     waiterSet           // transactions in flight, abandoned ones too
	abandoned   int                 // how many waiters are abandoned
	unclaimed   []datagram          // for Receive, oldest first
	unclaimedCh chan struct{}       // capacity 1: unclaimed or overrun changed
	overrun     error               // an overrun Receive has yet to report
	holder      *waiter             // the transaction holding exclusiveSem, if any
	orphanCh    chan struct{}       // closed when the holder is abandoned
	sentSingles map[uint32]struct{} // see send
	probes      [8]uint32           // the latest probes sent (see probe)
	nextProbe   int                 // where in probes the next one goes

	// idleEpoch counts the times the transport found nothing to read (see
	// idle). Written under mu.
	idleEpoch atomic.Uint64

	// spareWaiters keeps finished waiters, to spare allocations.
	spareWaiters sync.Pool
}

// A waiter is a transaction in flight: a request sent, its reply awaited.
type waiter struct {
	seq       uint32
	exclusive bool          // holds demux.exclusiveSem
	signal    chan struct{} // capacity 1: queue or err changed
	reply     reply         // used by the waiter's goroutine, or by dispatch once abandoned
	request   [1]Message    // what was sent, kept here to spare an allocation

	// Guarded by demux.mu.
	queue     []datagram
	err       error
	abandoned bool // the caller gave up; late replies are dropped

	// What the kernel is known to be doing for an exclusive transaction,
	// guarded by demux.mu: doubt says that its answer may have been lost
	// or its dump stopped, by an overrun since its last datagram; an empty
	// queue found after the idle epoch doubtSince then proves it gone
	// (see engine_abandon.go). doubtSince is math.MaxUint64 until the
	// request is sent.
	doubt      bool
	doubtSince uint64
	// A probe (see demux.probe), guarded by demux.mu: probing says one
	// was sent, with sequence number probeSeq at idle epoch probeSince;
	// probed says that its ACK was read since the doubt began.
	probing, probed bool
	probeSeq        uint32
	probeSince      uint64
}

// An engineConfig says what the engine may assume of its transport.
type engineConfig struct {
	policy senderPolicy
	// v1Rules says that the transport is a Socket given to NewConn, which
	// cannot say where a datagram comes from: its replies end as in the
	// v1 API (see reply), a datagram no transaction claims belongs to the
	// transaction that read it, and transactions run one at a time.
	v1Rules bool
	// probeable says that the family acknowledges any request that asks
	// for it, a NOOP included (netlink_rcv_skb): see probe.
	probeable bool
	// nextSeq returns the Conn's next sequence number.
	nextSeq func() uint32
}

// Bounds on what the engine remembers.
const (
	// maxUnclaimed bounds the datagrams that wait for Receive: past it the
	// oldest are dropped and the next Receive reports an overrun, as the
	// kernel does when a socket's receive queue is full.
	maxUnclaimed = 4096
	// maxAbandoned bounds the abandoned requests whose late replies are
	// recognised and dropped.
	maxAbandoned = 1024
	// maxSentSingles bounds the requests sent with Send that are
	// remembered.
	maxSentSingles = 1024
)

// Errors of the engine.
var (
	errUnclaimedOverrun = fmt.Errorf("netlink: unreceived messages dropped: %w", syscall.ENOBUFS)
	errSequenceInUse    = errors.New("sequence number already in use by a request in flight")
)

// newDemux returns an engine over tr; closed is closed when the Conn is.
func newDemux(tr transport, cfg engineConfig, closed <-chan struct{}) *demux {
	d := &demux{
		tr:           tr,
		engineConfig: cfg,
		closed:       closed,
		readSem:      make(chan struct{}, 1),
		exclusiveSem: make(chan struct{}, 1),
		receiveSem:   make(chan struct{}, 1),
		unclaimedCh:  make(chan struct{}, 1),
		orphanCh:     make(chan struct{}),
		sentSingles:  make(map[uint32]struct{}),
	}
	if n, ok := tr.(idleNotifier); ok {
		n.notifyIdle(d.idle)
	}
	return d
}

// notify wakes the goroutine waiting on ch, if any, without blocking.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// acquire takes the semaphore sem, waiting at most until ctx is done or the
// Conn is closed; op names the operation in the error.
func (d *demux) acquire(ctx context.Context, sem chan struct{}, op string) error {
	select {
	case sem <- struct{}{}:
		return nil
	default:
	}
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return newOpError(op, ctx.Err())
	case <-d.closed:
		return errClosing(op)
	}
}

// transact sends m, whose header is complete, and gathers its reply.
func (d *demux) transact(ctx context.Context, m Message) (reply, error) {
	w, _ := d.spareWaiters.Get().(*waiter)
	if w == nil {
		w = &waiter{signal: make(chan struct{}, 1)}
	}
	dump := isDump(m.Header.Flags)
	w.seq = m.Header.Sequence
	w.exclusive = dump || d.v1Rules
	w.reply = newReply(m.Header.Flags, d.v1Rules)
	if w.exclusive {
		if err := d.acquireExclusive(ctx); err != nil {
			return reply{}, err
		}
	}

	d.mu.Lock()
	if d.waiters.get(w.seq) != nil {
		d.mu.Unlock()
		d.releaseExclusive(w)
		return reply{}, newOpError("execute", errSequenceInUse)
	}
	d.waiters.add(w)
	w.request[0] = m
	out := outgoing{msgs: w.request[:], dump: dump, gather: true}
	if w.exclusive {
		d.holder = w
		w.doubtSince = math.MaxUint64
		out.sent = func() { d.sent(w) }
	}
	d.mu.Unlock()

	if err := d.tr.send(ctx, out); err != nil {
		d.mu.Lock()
		d.waiters.remove(w.seq)
		d.mu.Unlock()
		d.releaseExclusive(w)
		return reply{}, newOpError("send", err)
	}

	finished, err := d.await(ctx, w)
	if !finished {
		// w is abandoned, and still known to dispatch.
		return reply{}, err
	}
	r := w.reply
	d.recycle(w)
	return r, err
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

// acquireExclusive waits until no exclusive transaction is in flight.
// While an abandoned dump holds the semaphore, it reads the transport on
// the dump's behalf: the kernel only carries a dump on as its datagrams are
// read, and nobody else may be reading.
func (d *demux) acquireExclusive(ctx context.Context) error {
	for {
		d.mu.Lock()
		orphan, changed := d.holder, d.orphanCh
		if orphan != nil && !orphan.abandoned {
			orphan = nil
		}
		d.mu.Unlock()

		var read chan struct{}
		if orphan != nil {
			if err := d.probe(ctx, orphan); err != nil {
				return err
			}
			read = d.readSem
		}
		select {
		case d.exclusiveSem <- struct{}{}:
			return nil
		case <-changed:
		case read <- struct{}{}:
			err := d.readForOrphan(ctx, orphan)
			<-d.readSem
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return newOpError("execute", ctx.Err())
		case <-d.closed:
			return errClosing("execute")
		}
	}
}

// readForOrphan reads a datagram on behalf of orphan, if it still holds
// exclusiveSem. The caller holds readSem.
func (d *demux) readForOrphan(ctx context.Context, orphan *waiter) error {
	d.mu.Lock()
	running, doubt := d.holder == orphan, orphan.doubt
	d.mu.Unlock()
	if !running {
		return nil
	}
	// While the kernel may have dropped the dump, do not wait for it: see
	// engine_abandon.go.
	_, _, err := d.readOne(ctx, nil, !doubt || !d.probeable)
	// Lost datagrams are the business of the transactions in flight and of
	// Receive (see failAll), not of this one.
	if err != nil && err != errWouldBlock && !lostData(err) {
		return newOpError("receive", err)
	}
	return nil
}

// releaseExclusive lets the next exclusive transaction go if w held the
// semaphore. The caller does not hold mu.
func (d *demux) releaseExclusive(w *waiter) {
	if !w.exclusive {
		return
	}
	d.mu.Lock()
	d.releaseExclusiveLocked(w)
	d.mu.Unlock()
}

// releaseExclusiveLocked is releaseExclusive for a caller that holds mu.
func (d *demux) releaseExclusiveLocked(w *waiter) {
	if !w.exclusive {
		return
	}
	if d.holder == w {
		d.holder = nil
	}
	<-d.exclusiveSem
}

// await gathers w's reply, and reports whether it finished: if not, w is
// abandoned. When nobody else is reading, it reads, and keeps
// the turn until its own reply is complete, handing other transactions
// their datagrams: passing the turn on after every datagram would wake
// another goroutine each time.
func (d *demux) await(ctx context.Context, w *waiter) (finished bool, err error) {
	reading := false // this goroutine holds readSem
	defer func() {
		if reading {
			<-d.readSem
		}
	}()
	for {
		d.mu.Lock()
		queue, err, doubt := w.queue, w.err, w.doubt
		w.queue = nil
		d.mu.Unlock()

		for _, dg := range queue {
			if d.complete(w, dg.msgs) {
				return true, w.reply.err
			}
		}
		if err == nil {
			err = d.probe(ctx, w)
		}
		if err == nil && reading {
			var done bool
			if done, err = d.readFor(ctx, w, doubt); done {
				return true, w.reply.err
			}
		}
		if err != nil {
			d.abandon(w)
			return false, newOpError("receive", err)
		}
		if !reading {
			if reading, err = d.wait(ctx, w); err != nil {
				d.abandon(w)
				return false, err
			}
		}
	}
}

// readFor reads one datagram for w, and reports whether that completed w's
// reply. The caller holds readSem.
func (d *demux) readFor(ctx context.Context, w *waiter, doubt bool) (done bool, err error) {
	// While the kernel may have dropped w's answer, do not wait for it:
	// see engine_abandon.go.
	mine, got, err := d.readOne(ctx, w, !doubt || !d.probeable)
	if got && d.complete(w, mine) {
		return true, nil
	}
	if err == errWouldBlock || err != nil && lostData(err) {
		// failAll or idle has decided whether w fails: its err says.
		return false, nil
	}
	return false, err
}

// complete adds a datagram to w's reply, and ends the transaction if that
// completes it.
func (d *demux) complete(w *waiter, msgs []Message) bool {
	w.reply.addDatagram(msgs)
	if !w.reply.done && w.reply.err == nil {
		return false
	}
	d.mu.Lock()
	d.waiters.remove(w.seq)
	d.mu.Unlock()
	d.releaseExclusive(w)
	return true
}

// wait waits until w is signalled or the turn to read is free, which it
// then takes (turn is true).
func (d *demux) wait(ctx context.Context, w *waiter) (turn bool, err error) {
	// Alone on the Conn, the turn is free: take it without a select.
	select {
	case d.readSem <- struct{}{}:
		return true, nil
	default:
	}
	if turn, signalled := d.spin(w); turn || signalled {
		return turn, nil
	}
	select {
	case <-w.signal:
		return false, nil
	case d.readSem <- struct{}{}:
		// Data may have come in meanwhile: the queue is checked again
		// before reading.
		return true, nil
	case <-ctx.Done():
		return false, newOpError("receive", ctx.Err())
	case <-d.closed:
		return false, errClosing("receive")
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
	for range spinTries {
		runtime.Gosched()
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
