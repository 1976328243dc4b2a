package netlink

import (
	"context"
	"io"
)

// A transport carries a Conn's datagrams: the netlink socket that Dial
// opens, or a socketTransport over any Socket given to NewConn. The engine
// (engine.go) drives both through this interface.
type transport interface {
	io.Closer

	// send sends the messages of out, whose headers are complete, in one
	// datagram.
	send(ctx context.Context, out outgoing) error

	// receive returns the messages of the next datagram, and where it came
	// from. A datagram that is not made of netlink messages comes back
	// with datagram.err set and no error. Without wait, it returns
	// errWouldBlock if no datagram is queued. Only one goroutine receives
	// at a time.
	receive(ctx context.Context, wait bool) (datagram, error)
}

// An outgoing datagram.
type outgoing struct {
	msgs []Message
	// dump says that one of the messages may start a dump (see isDump).
	dump bool
	// gather says that the reply will be gathered whole, by a
	// transaction: a transport may lay it out in one piece.
	gather bool
	// batch says that the messages came from SendMessages, which a Socket
	// is asked to send through its own SendMessages method.
	batch bool
	// sent, if not nil, is called once the datagram is sent, before any
	// read of the socket can begin: the kernel's answer is queued, or
	// lost to an overrun, by then.
	sent func()
}

// A datagram is the messages of one received datagram, or of a run of them
// with one sequence number, and where it came from.
type datagram struct {
	msgs   []Message
	origin Origin
	err    error // why the datagram could not be parsed, if it could not
}

// A socketTransport adapts a Socket given to NewConn, such as a fake of
// package nltest, to the engine. The Socket plays the kernel: every
// datagram comes from port 0, and replies end as in the v1 API (see
// reply.v1Rules).
type socketTransport struct {
	sock Socket
}

// send hands out to the Socket's Send or SendMessages, as the v1 API does.
// A Socket cannot be interrupted: ctx is checked first.
func (t socketTransport) send(ctx context.Context, out outgoing) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var err error
	if out.batch {
		err = t.sock.SendMessages(out.msgs)
	} else {
		err = t.sock.Send(out.msgs[0])
	}
	if err == nil && out.sent != nil {
		out.sent()
	}
	return err
}

// receive takes one datagram from the Socket's ReceiveIter, the method the
// v1 API reads through. A Socket cannot be interrupted, nor say whether it
// has something to read: ctx is checked first, and it always waits.
func (t socketTransport) receive(ctx context.Context, _ bool) (datagram, error) {
	if err := ctx.Err(); err != nil {
		return datagram{}, err
	}
	var msgs []Message
	for m, err := range t.sock.ReceiveIter() {
		if err != nil {
			return datagram{}, err
		}
		msgs = append(msgs, m)
	}
	return datagram{msgs: msgs, origin: kernelOrigin()}, nil
}

// Close closes the Socket.
func (t socketTransport) Close() error { return t.sock.Close() }

// A dialedSocket is a kernel netlink socket that dial opened, with what
// the Conn must know of it.
type dialedSocket struct {
	transport
	pid uint32
	// fromAnyone says that the family's peers live in user space
	// (NETLINK_USERSOCK): every sender is believed.
	fromAnyone bool
	// strictRequests says that the family's kernel side answers nothing
	// that lacks the Request flag or has a control type, unless it asks
	// for an acknowledgement (netlink_rcv_skb).
	strictRequests bool
}
