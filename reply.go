package netlink

import (
	"encoding/binary"
	"syscall"
)

// A reply gathers the messages that answer one request and says where the
// answer ends. Transactions and Receive both use it, so the rules live in
// one place. There are two sets of rules.
//
// Kernel rules, for datagrams of a real netlink socket:
//
//   - an Error message ends the reply: a non-zero code is an error, a zero
//     code is an acknowledgement;
//   - a Done message ends it, and a non-zero code in it is an error;
//   - a datagram whose last message lacks the Multi flag ends it, unless
//     the request asked for an acknowledgement, which then follows
//     (netfilter, for one, answers some requests with one Multi message
//     and an ACK, and no Done);
//   - when the request is known not to be a dump, its first datagram ends
//     it, or the ACK that follows if it asked for one: netfilter flags
//     some such answers Multi and never sends a Done.
//
// The v1 rules, for a Socket given to NewConn, which may leave a reply
// incomplete in ways the kernel never does (no ACK, no Done), end a reply
// exactly where the v1 API stops reading: at a Done message flagged Multi,
// at an error, or after a datagram when no message of the reply so far was
// flagged Multi. Reading further would call the Socket for data that
// nobody scripted.
type reply struct {
	v1Rules bool

	// wantAck says that an ACK will close the reply: the request asked
	// for one. Kernel rules only.
	wantAck bool
	// single says that the request was not a dump. Kernel rules only.
	single bool
	// multi says that a message so far was flagged Multi. v1 rules only.
	multi bool

	// The reply's messages, without Done, as runs of the datagrams that
	// carried them: most replies fit one datagram, whose messages are then
	// returned without a copy.
	first []Message
	more  [][]Message
	count int // messages in first and more
	// ackLast says that the last message is the closing ACK.
	ackLast bool

	ack         *Ack // the closing ACK or Done, when it carried one
	err         error
	done        bool
	interrupted bool // some message had DumpInterrupted set
}

// newReply returns an empty reply under the kernel rules for a request
// with the given flags, or under the v1 rules.
func newReply(requestFlags HeaderFlags, v1Rules bool) reply {
	return reply{
		v1Rules: v1Rules,
		wantAck: requestFlags&Acknowledge != 0,
		single:  !isDump(requestFlags),
	}
}

// newReceivedReply returns an empty reply for Receive, which does not know
// the request: single says the request was not a dump, if it is known.
func newReceivedReply(single, v1Rules bool) reply {
	return reply{v1Rules: v1Rules, single: single}
}

// isDump reports whether a request may start a dump. The kernel runs one
// dump at a time per socket and answers a second one with EBUSY, so such
// requests wait for the dump in flight to end. Families differ in which of
// the two dump bits they look at, and the same bits mean Replace and Excl
// in new requests: those wait too unless they carry Create or Append.
// Waiting is slower, never wrong.
func isDump(f HeaderFlags) bool {
	return f&Dump == Dump || (f&Dump != 0 && f&(Create|Append) == 0)
}

// addDatagram takes the messages of the next datagram of the reply.
func (r *reply) addDatagram(msgs []Message) {
	if r.v1Rules {
		r.addV1(msgs)
		return
	}
	open := r.wantAck
	start := 0 // of the run of messages to keep
	for i, m := range msgs {
		if m.Header.Flags&DumpInterrupted != 0 {
			r.interrupted = true
		}
		switch m.Header.Type {
		case Error:
			if !r.single && ackErrno(m) == syscall.ENOBUFS {
				// The kernel could not start the dump for want of
				// room in the queue: it pauses the dump and carries it
				// on as the queue drains (see engine_abandon.go).
				r.keep(msgs[start:i])
				start = i + 1
				open = true
				continue
			}
			r.done = true
			if !r.takeAck(m) {
				return
			}
			r.keep(msgs[start : i+1])
			r.ackLast = true
			return
		case Done:
			r.done = true
			r.keep(msgs[start:i])
			r.takeDone(m)
			return
		default:
			open = r.wantAck || m.Header.Flags&Multi != 0
		}
	}
	r.keep(msgs[start:])
	if !open || (r.single && !r.wantAck) {
		r.done = true
	}
}

// addV1 takes the next datagram under the v1 rules.
func (r *reply) addV1(msgs []Message) {
	for i, m := range msgs {
		if m.Header.Flags&DumpInterrupted != 0 {
			r.interrupted = true
		}
		switch {
		case m.Header.Type == Error:
			if !r.takeAck(m) {
				r.done = true
				return
			}
		case m.Header.Type == Done && m.Header.Flags&Multi != 0:
			r.done = true
			r.keep(msgs[:i])
			r.takeDone(m)
			return
		}
		if m.Header.Flags&Multi != 0 {
			r.multi = true
		}
	}
	r.keep(msgs)
	if !r.multi {
		r.done = true
	}
}

// takeAck reads an Error message, and reports whether it is an
// acknowledgement rather than an error, which it records.
func (r *reply) takeAck(m Message) bool {
	a, err := ParseAck(m)
	switch {
	case err == errShortAck:
		r.err = newOpError("receive", err)
		return false
	case a.Errno != 0:
		r.ack = &a
		r.err = ackError(a, m.Header.Sequence)
		return false
	}
	r.ack = &a
	return true
}

// takeDone reads a Done message: a non-zero code is an error, and extended
// acknowledgement attributes are kept.
func (r *reply) takeDone(m Message) {
	switch {
	case len(m.Data) == 0:
		return
	case len(m.Data) < 4:
		r.err = newOpError("receive", errShortAck)
		return
	}
	code := int32(binary.NativeEndian.Uint32(m.Data))
	if code == 0 && m.Header.Flags&AcknowledgeTLVs == 0 {
		return
	}
	a, _ := ParseAck(m)
	r.ack = &a
	if a.Errno != 0 {
		r.err = ackError(a, m.Header.Sequence)
	}
}

// keep adds a run of messages to the reply. A run that follows the first
// in memory (see messageArena) joins it.
func (r *reply) keep(run []Message) {
	switch {
	case len(run) == 0:
		return
	case r.count == 0:
		r.first = run
	case len(r.more) == 0 && follows(r.first, run):
		r.first = r.first[:len(r.first)+len(run)]
	default:
		r.more = append(r.more, run)
	}
	r.count += len(run)
	r.ackLast = false
}

// messages returns the reply's messages. A lone acknowledgement is one,
// as callers of the v1 API expect. With dropAck, an acknowledgement that
// closes other messages is left out: the caller asked for it only to know
// the request was done.
func (r *reply) messages(dropAck bool) []Message {
	n := r.count
	if dropAck && r.ackLast && n > 1 {
		n--
	}
	if len(r.more) == 0 {
		return r.first[:n:n]
	}
	all := make([]Message, 0, r.count)
	all = append(all, r.first...)
	for _, run := range r.more {
		all = append(all, run...)
	}
	return all[:n:n]
}

// clearMessages forgets the messages gathered so far, keeping the state
// that says where the reply ends.
func (r *reply) clearMessages() {
	r.first, r.more, r.count, r.ackLast = nil, nil, 0, false
}

// follows reports whether b lies right after a in a's array, as the runs of
// consecutive datagrams do in a messageArena.
func follows(a, b []Message) bool {
	return cap(a)-len(a) >= len(b) && &a[:len(a)+1][len(a)] == &b[0]
}
