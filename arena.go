package netlink

import "sync/atomic"

// A messageArena is where a socket puts the messages of the datagrams it
// receives: side by side in large blocks rather than in a slice per
// datagram. A reply spread over many datagrams then lies in one piece, which
// a transaction returns as it is (see reply.keep): no copy, and half the
// memory for the garbage collector to scan. Each datagram's slice keeps the
// capacity up to the end of its block, which is how the reply tells that
// the next run follows it; nothing appends to such a slice.
//
// A dump that a transaction gathers whole starts a fresh block as large as
// the previous such dump, so that it fits in one. Only one goroutine
// parses at a time; the sizes come from the senders.
type messageArena struct {
	free []Message // the unused rest of the current block

	// wantFresh is the size of the block a gathered dump about to begin
	// wants, 0 if none; parsedSinceDump counts the messages parsed since
	// the last one began, which is about that dump's size.
	wantFresh       atomic.Int64
	parsedSinceDump atomic.Int64
}

// Bounds of a block, in messages.
const (
	minArenaBlock = 256
	maxArenaBlock = 1 << 16
)

// dumpBegins says that a dump whose reply will be gathered whole is about
// to be sent.
func (a *messageArena) dumpBegins() {
	n := a.parsedSinceDump.Swap(0)
	a.wantFresh.Store(min(max(n+n/8, minArenaBlock), maxArenaBlock))
}

// parse returns the messages of datagram b (see parseMessages), in the
// arena.
func (a *messageArena) parse(b []byte) ([]Message, error) {
	b = padDatagram(b)
	n, err := countMessages(b)
	if err != nil {
		return nil, err
	}
	if want := int(a.wantFresh.Swap(0)); want > len(a.free) {
		a.free = make([]Message, max(want, n))
	} else if n > len(a.free) {
		a.free = make([]Message, max(n, minArenaBlock))
	}
	msgs := a.free[:n]
	a.free = a.free[n:]
	fillMessages(msgs, b)
	a.parsedSinceDump.Add(int64(n))
	return msgs, nil
}
