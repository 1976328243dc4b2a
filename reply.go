package netlink

import (
	"encoding/binary"
	"errors"
)

// ErrDumpInterrupted says that the kernel marked a dump's reply with
// DumpInterrupted: the data changed while it was read, so the reply may be
// inconsistent and the kernel's advice is to dump again. See
// Config.InterruptedDumpError and Conn.ExecuteConsistent.
var ErrDumpInterrupted = errors.New("netlink: dump interrupted: the data changed while it was read")

// A Reply is the whole answer to one request.
type Reply struct {
	// Messages are the reply's messages, as Execute returns them.
	Messages []Message

	// Ack is the content of the acknowledgement that closed the reply, or
	// of its Done message when that carried extended acknowledgement
	// attributes; nil otherwise. A success can carry a warning in
	// Ack.Message.
	Ack *Ack

	// Interrupted says that some message had the DumpInterrupted flag.
	Interrupted bool
}

// A reply gathers the messages that answer one request and says when the
// answer is complete. Execute and Receive both use it, so that the rules
// for where a reply ends live in one place:
//
//   - an Error message ends it: a non-zero code is an error, a zero code is
//     an acknowledgement;
//   - a Done message ends a multi-part reply, and a non-zero code in it is
//     an error;
//   - a datagram whose last message lacks the Multi flag ends it, unless the
//     request asked for an acknowledgement, which then follows (netfilter,
//     for one, answers some requests with one Multi message and an ACK, and
//     no Done);
//   - when the request is known not to be a dump, its first datagram ends
//     it, or the ACK that follows if it asked for one.
type reply struct {
	// wantAck says that an ACK will close the reply: the request asked
	// for one.
	wantAck bool

	// single says that the request was not a dump, so its answer is one
	// datagram, then the ACK if it asked for one, whatever the Multi flag
	// says: netfilter, for one, flags some such answers Multi and never
	// sends a Done.
	single bool

	// The reply's messages, without Done, as runs of the datagrams that
	// carried them: most replies fit one datagram, whose messages are then
	// returned without a copy.
	first   []Message
	more    [][]Message
	count   int  // messages in first and more
	ackLast bool // the last message is the closing ACK

	ack         *Ack // the closing ACK or Done, when it carried one
	err         error
	done        bool
	interrupted bool // some message had DumpInterrupted set
}

// newReply returns an empty reply.
func newReply(wantAck bool) reply { return reply{wantAck: wantAck} }

// addDatagram takes the messages of the next datagram of the reply.
func (r *reply) addDatagram(msgs []Message) {
	open := r.wantAck
	start := 0 // of the run of messages to keep
	for i, m := range msgs {
		if m.Header.Flags&DumpInterrupted != 0 {
			r.interrupted = true
		}
		switch m.Header.Type {
		case Error:
			r.done = true
			a, err := ParseAck(m)
			switch {
			case err == errShortAck:
				r.err = newOpError("receive", err)
				return
			case a.Errno != 0:
				r.err = ackError(a, m.Header.Sequence)
				return
			}
			r.ack = &a
			r.ackLast = true
		case Done:
			r.done = true
			r.keep(msgs[start:i])
			start = i + 1
			if len(m.Data) < 4 {
				continue
			}
			code := int32(binary.NativeEndian.Uint32(m.Data))
			if code == 0 && m.Header.Flags&AcknowledgeTLVs == 0 {
				continue
			}
			a, _ := ParseAck(m)
			if a.Errno != 0 {
				r.err = ackError(a, m.Header.Sequence)
				return
			}
			r.ack = &a
		default:
			r.ackLast = false
			open = r.wantAck || m.Header.Flags&Multi != 0
		}
	}
	r.keep(msgs[start:])
	if !open || (r.single && !r.wantAck) {
		r.done = true
	}
}

// keep adds a run of messages to the reply.
func (r *reply) keep(run []Message) {
	switch {
	case len(run) == 0:
		return
	case r.count == 0:
		r.first = run[:len(run):len(run)]
	default:
		r.more = append(r.more, run)
	}
	r.count += len(run)
}

// result returns the reply's messages. A lone acknowledgement is returned
// as a message, as callers of the v1 API expect. With dropAck, an
// acknowledgement that closes other messages is left out: the caller asked
// for it only to know the request was done.
func (r *reply) result(dropAck bool) []Message {
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
