package netlink

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"syscall"
)

// A Socket is the transport under a Conn made by NewConn: package nltest
// makes fakes of it. The Conn calls Send for Send and Execute,
// SendMessages for SendMessages, and ReceiveIter to read each datagram, as
// the v1 API does; Receive is not called.
//
// Deprecated: Socket exists for compatibility with the v1 API and for test
// fakes; new code should use Dial and the methods of Conn.
type Socket interface {
	Close() error
	Send(m Message) error
	SendMessages(m []Message) error
	Receive() ([]Message, error)
	ReceiveIter() iter.Seq2[Message, error]
}

// A Conn is a connection to a netlink family.
//
// All methods of a Conn are safe for concurrent use: many goroutines may
// run Execute at once, each gets exactly its own replies, and dumps (of
// which the kernel runs one at a time per socket) queue up behind each
// other. Send and Receive may be used alongside Execute; Receive returns
// the messages that no Execute claims, a multi-part reply whole to one
// caller, and a blocked Receive never holds up a Send or an Execute.
// Deadlines, options, groups and BPF programs belong to the socket, so
// they apply to every goroutine using it. Over a Socket given to NewConn,
// transactions run one at a time.
type Conn struct {
	engine *demux
	// sock is asked by type assertion for the optional methods behind
	// JoinGroup, SetOption and the rest.
	sock any
	pid  uint32
	seq  atomic.Uint32

	// interruptedError makes an interrupted dump an error.
	interruptedError bool
	// strictRequests makes Execute refuse requests that the kernel family
	// is known to leave unanswered (see checkAnswerable).
	strictRequests bool

	closeOnce sync.Once
	closed    chan struct{}
}

// Dial opens a netlink socket of the given family (for example
// unix.NETLINK_ROUTE) configured by config, which may be nil. Errors of
// the system calls come back as they are, as *os.SyscallError values.
func Dial(family int, config *Config) (*Conn, error) {
	if config == nil {
		config = &Config{}
	}
	s, err := dial(family, config)
	if err != nil {
		return nil, err
	}
	c := newConn(s.transport, s.pid, engineConfig{
		policy:    senderPolicy{self: s.pid, anyone: s.fromAnyone},
		probeable: s.strictRequests,
	})
	c.interruptedError = config.InterruptedDumpError
	c.strictRequests = s.strictRequests
	return c, nil
}

// NewConn returns a Conn over sock, with pid as its port ID. It is for
// fakes such as those of package nltest. The Socket plays the kernel: its
// replies are trusted, and a reply ends where the v1 API stops reading.
func NewConn(sock Socket, pid uint32) *Conn {
	return newConn(socketTransport{sock: sock}, pid, engineConfig{policy: senderPolicy{self: pid, anyone: true}, v1Rules: true})
}

// newConn returns a Conn over tr, with its sequence numbers starting at
// random.
func newConn(tr transport, pid uint32, cfg engineConfig) *Conn {
	c := &Conn{pid: pid, closed: make(chan struct{})}
	c.sock = tr
	if st, ok := tr.(socketTransport); ok {
		c.sock = st.sock
	}
	cfg.nextSeq = c.nextSequence
	c.engine = newDemux(tr, cfg, c.closed)
	c.seq.Store(rand.Uint32())
	return c
}

// isClosed reports whether Close has been called.
func (c *Conn) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// Close closes the connection. Blocked calls return an error whose cause
// reads "use of closed file" and matches net.ErrClosed; later calls fail
// with errors matching unix.EBADF. Closing again does nothing and returns
// nil.
func (c *Conn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.closed)
		err = newOpError("close", c.engine.tr.Close())
	})
	return err
}

// PID returns the connection's port ID.
func (c *Conn) PID() uint32 { return c.pid }

// nextSequence returns the next sequence number, never 0: a request with
// sequence 0 would match any reply.
func (c *Conn) nextSequence() uint32 {
	for {
		if s := c.seq.Add(1); s != 0 {
			return s
		}
	}
}

// fill sets the zero header fields of m: its length, a new sequence number
// and the Conn's port ID.
func (c *Conn) fill(m *Message) {
	if m.Header.Length == 0 {
		m.Header.Length = uint32(nlmsgAlign(nlmsgHeaderLen + len(m.Data)))
	}
	if m.Header.Sequence == 0 {
		m.Header.Sequence = c.nextSequence()
	}
	if m.Header.PID == 0 {
		m.Header.PID = c.pid
	}
}

// Execute sends a request and returns its reply: every message of a
// multi-part reply but the final Done, or the acknowledgement alone when
// that is all there is. It is Send, Receive and Validate as one
// transaction. A netlink error code in the reply is returned as an *OpError
// whose Err is a syscall.Errno.
//
// On a Conn made by Dial, over a family whose kernel side answers nothing
// that lacks the Request flag or has a control type (below 16) unless it
// asks for an acknowledgement, such a request fails at once with an error
// matching syscall.EINVAL instead of waiting forever. This holds for
// NETLINK_ROUTE, NETLINK_SOCK_DIAG, NETLINK_XFRM, NETLINK_NETFILTER,
// NETLINK_KOBJECT_UEVENT and NETLINK_GENERIC; other families, whose
// messages may legitimately look so (NETLINK_CONNECTOR, NETLINK_USERSOCK),
// are not checked.
func (c *Conn) Execute(m Message) ([]Message, error) {
	return c.ExecuteContext(context.Background(), m)
}

// ExecuteContext is Execute, returning early with an error that matches
// ctx.Err() when ctx is done. A cancelled request's late reply is
// discarded, and the Conn stays usable.
func (c *Conn) ExecuteContext(ctx context.Context, m Message) ([]Message, error) {
	r, err := c.ExecuteReply(ctx, m)
	if err != nil {
		return nil, err
	}
	return r.Messages, nil
}

// A Reply is the whole answer to one request.
type Reply struct {
	// Messages are the reply's messages, as Execute returns them.
	Messages []Message

	// Ack is the content of the acknowledgement or error message that
	// closed the reply, or of its Done message when that carried a code or
	// extended acknowledgement attributes; nil otherwise. A success can
	// carry a warning in Ack.Message.
	Ack *Ack

	// Interrupted says that some message had the DumpInterrupted flag.
	Interrupted bool
}

// ExecuteReply is ExecuteContext, returning the whole reply: its messages,
// the acknowledgement or Done that closed it (with any warning the kernel
// attached to a success), and whether the kernel marked a dump as
// interrupted. When the kernel answers with an error, the returned Reply
// still holds its Ack, with everything the extended acknowledgement said.
func (c *Conn) ExecuteReply(ctx context.Context, m Message) (Reply, error) {
	c.fill(&m)
	if err := checkMessageLength(m.Header.Length); err != nil {
		return Reply{}, newOpError("send", err)
	}
	if c.isClosed() {
		return Reply{}, errClosed("send", "sendmsg")
	}
	if err := c.checkAnswerable(m.Header); err != nil {
		return Reply{}, err
	}
	r, err := c.engine.transact(ctx, m)
	if err != nil {
		return Reply{Ack: r.ack}, c.translate(err)
	}
	reply := Reply{Messages: r.messages(!c.engine.v1Rules), Ack: r.ack, Interrupted: r.interrupted}
	if err := Validate(m, reply.Messages); err != nil {
		return Reply{}, err
	}
	if reply.Interrupted && c.interruptedError {
		return Reply{}, &OpError{Op: "receive", Err: ErrDumpInterrupted, Sequence: m.Header.Sequence}
	}
	return reply, nil
}

// minMessageType is the lowest type of a message that is not a control
// message (NLMSG_MIN_TYPE).
const minMessageType = 16

// errUnanswerable is the cause when Execute refuses a request that the
// kernel would leave unanswered.
var errUnanswerable = fmt.Errorf("netlink: the kernel answers no message without the Request flag, nor of a control type (below 16), unless it asks for an acknowledgement: %w", syscall.EINVAL)

// checkAnswerable returns an error if the kernel is known to answer
// nothing to a request with header h: see Execute.
func (c *Conn) checkAnswerable(h Header) error {
	if !c.strictRequests || h.Flags&Acknowledge != 0 {
		return nil
	}
	if h.Flags&Request == 0 || h.Type < minMessageType {
		return &OpError{Op: "execute", Err: errUnanswerable, Sequence: h.Sequence}
	}
	return nil
}

// translate turns the error of a call that Close interrupted into one
// whose cause reads "use of closed file", as in the v1 API.
func (c *Conn) translate(err error) error {
	if err == nil || !c.isClosed() || errors.Is(err, errFileClosing) {
		return err
	}
	// Declared here, not above: errors.As makes it escape to the heap.
	var oe *OpError
	if !errors.As(err, &oe) {
		return err
	}
	return errClosing(oe.Op)
}

// Send sends one message, filling its zero header fields first (see
// SendMessages), and returns it as sent.
func (c *Conn) Send(m Message) (Message, error) {
	msgs := []Message{m}
	if err := c.sendMessages("send", msgs, false); err != nil {
		return Message{}, err
	}
	return msgs[0], nil
}

// SendMessages sends msgs in one datagram. Zero header fields are filled in
// place: Length with the aligned length, Sequence with the Conn's next
// sequence number, PID with the Conn's port ID. It returns msgs.
func (c *Conn) SendMessages(msgs []Message) ([]Message, error) {
	if err := c.sendMessages("send-messages", msgs, true); err != nil {
		return nil, err
	}
	return msgs, nil
}

// sendMessages fills the headers of msgs and sends them; op names the
// operation in errors.
func (c *Conn) sendMessages(op string, msgs []Message, batch bool) error {
	for i := range msgs {
		c.fill(&msgs[i])
		if err := checkMessageLength(msgs[i].Header.Length); err != nil {
			return newOpError(op, err)
		}
	}
	if c.isClosed() {
		return errClosed(op, "sendmsg")
	}
	return c.translate(newOpError(op, c.engine.send(context.Background(), msgs, batch)))
}

// Receive returns the messages of one reply or notification: a multi-part
// reply is read up to its Done message, which is not returned, and goes
// whole to one caller. An acknowledgement is returned as a message; a
// netlink error code is returned as an *OpError whose Err is a
// syscall.Errno.
//
// Receive returns only messages that no Execute claims: notifications of
// joined groups, replies to requests made with Send, and messages of the
// kernel such as audit events. On a Conn made by Dial, unicast datagrams
// from other processes are dropped, except on NETLINK_USERSOCK (see
// ReceiveFrom). A notification that is not made of netlink messages (a
// kobject uevent, for one) is returned as an error, as is an overrun of the
// socket's queue, which matches syscall.ENOBUFS; the Conn stays usable
// after either.
func (c *Conn) Receive() ([]Message, error) {
	return c.ReceiveContext(context.Background())
}

// ReceiveContext is Receive, returning early with an error that matches
// ctx.Err() when ctx is done.
func (c *Conn) ReceiveContext(ctx context.Context) ([]Message, error) {
	var all []Message
	err := c.receiveReply(ctx, func(msgs []Message) bool {
		if all == nil {
			// Most replies are one datagram: no copy.
			all = msgs
		} else {
			all = append(all[:len(all):len(all)], msgs...)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return all, nil
}

// ReceiveIter is Receive as an iterator: it yields the messages of one
// reply as their datagrams arrive, so a large dump need not be held in
// memory at once. An error is yielded last. Stopping early reads and
// discards the rest of a multi-part reply, so that it does not mix with
// the next one. The loop may call other methods of the Conn, Execute
// included.
func (c *Conn) ReceiveIter() iter.Seq2[Message, error] {
	return c.ReceiveIterContext(context.Background())
}

// ReceiveIterContext is ReceiveIter, ending with an error that matches
// ctx.Err() when ctx is done.
func (c *Conn) ReceiveIterContext(ctx context.Context) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		stopped := false
		err := c.receiveReply(ctx, func(msgs []Message) bool {
			for _, m := range msgs {
				if !yield(m, nil) {
					stopped = true
					return false
				}
			}
			return true
		})
		if err != nil && !stopped {
			yield(Message{}, err)
		}
	}
}

// receiveReply hands the messages of one reply to fn (see
// demux.receiveReply).
func (c *Conn) receiveReply(ctx context.Context, fn func([]Message) bool) error {
	if c.isClosed() {
		return errClosed("receive", "recvmsg")
	}
	return c.translate(c.engine.receiveReply(ctx, fn))
}

// ReceiveFrom returns the messages of the next datagram that no Execute
// claims, with where it came from, waiting until one arrives or ctx is
// done. Unlike Receive it returns unicast datagrams from other processes
// too: check Origin.PortID before trusting one. Over a Socket given to
// NewConn, every datagram comes from the kernel.
func (c *Conn) ReceiveFrom(ctx context.Context) ([]Message, Origin, error) {
	if c.isClosed() {
		return nil, Origin{}, errClosed("receive", "recvmsg")
	}
	dg, err := c.engine.receiveFrom(ctx)
	if err != nil {
		return nil, dg.origin, c.translate(err)
	}
	return dg.msgs[:len(dg.msgs):len(dg.msgs)], dg.origin, nil
}

// Validate checks that replies answer request: each reply's sequence
// number must match the request's unless the request's is 0, and each
// reply's port ID must match unless either is 0.
func Validate(request Message, replies []Message) error {
	for _, m := range replies {
		if request.Header.Sequence != 0 && m.Header.Sequence != request.Header.Sequence {
			return newOpError("validate", errMismatchedSequence)
		}
		if request.Header.PID != 0 && m.Header.PID != 0 && m.Header.PID != request.Header.PID {
			return newOpError("validate", errMismatchedPID)
		}
	}
	return nil
}
