package netlink

import (
	"context"
	"errors"
	"io"
	"iter"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/bpf"
)

// A Socket is the transport under a Conn. Dial makes one over a real
// netlink socket; package nltest makes fakes. A Conn built by NewConn over
// any other Socket runs one transaction at a time and takes replies as the
// Socket delivers them.
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

// A Config configures a Conn made by Dial. The zero value and nil are the
// defaults.
type Config struct {
	// Groups is a bitmask of the multicast groups 1 to 32 to join when
	// binding the socket. JoinGroup joins any group, including those above
	// 32.
	Groups uint32

	// NetNS is a network namespace file descriptor to open the socket in;
	// 0 means the calling thread's namespace. Only the socket is affected:
	// the calling thread's namespace is the same afterwards.
	NetNS int

	// DisableNSLockThread does nothing.
	//
	// Deprecated: the Conn never needs to lock goroutines to threads.
	DisableNSLockThread bool

	// PID is the port ID to bind to; 0 lets the kernel choose a unique one.
	PID uint32

	// Strict turns on ExtendedAcknowledge and GetStrictCheck, and makes Dial
	// fail if either cannot be set.
	Strict bool

	// MessageBufferSize is the size in bytes of the buffer that receives
	// each datagram; 0 means 32 KiB. The kernel sizes dump datagrams to fit
	// the buffer it is offered. The buffer still grows for a datagram that
	// is larger, and messages never alias it.
	MessageBufferSize int

	// Logger, if not nil, receives a debug-level record for every message
	// the Conn sends and receives. Without it, the NLDEBUG environment
	// variable (see the package documentation) logs to standard error.
	Logger *slog.Logger

	// Capture, if not nil, is called with every datagram the Conn sends
	// (sent is true) or receives, in wire format: for example to record the
	// traffic with package nlpcap. It is called on the goroutine doing the
	// I/O, possibly from several at once, and must not keep b.
	Capture func(sent bool, b []byte)

	// InterruptedDumpError makes Execute return an error matching
	// ErrDumpInterrupted, instead of the messages, when the kernel marks a
	// dump's reply with DumpInterrupted because the data changed while it
	// was read. By default the messages come back with the flag set, as in
	// the v1 API. See also ExecuteConsistent.
	InterruptedDumpError bool
}

// A ConnOption is a socket option that SetOption turns on or off.
type ConnOption int

// Socket options, in the order of the v1 API.
const (
	// PacketInfo asks for the multicast group of each message
	// (NETLINK_PKTINFO), which Origin.Group then reports for every group.
	// A Conn turns it on by itself once it joins a group above 32.
	PacketInfo ConnOption = iota
	// BroadcastError reports failures to deliver multicast messages to this
	// socket (NETLINK_BROADCAST_ERROR).
	BroadcastError
	// NoENOBUFS stops overrun errors (NETLINK_NO_ENOBUFS).
	NoENOBUFS
	// ListenAllNSID receives multicast from every network namespace that
	// has an ID in the socket's namespace (NETLINK_LISTEN_ALL_NSID).
	ListenAllNSID
	// CapAcknowledge leaves the request's payload out of error messages
	// (NETLINK_CAP_ACK).
	CapAcknowledge
	// ExtendedAcknowledge asks the kernel to explain errors
	// (NETLINK_EXT_ACK).
	ExtendedAcknowledge
	// GetStrictCheck asks the kernel to check get requests strictly
	// (NETLINK_GET_STRICT_CHK).
	GetStrictCheck
)

// A Conn is a connection to a netlink family.
//
// All methods of a Conn made by Dial are safe for concurrent use: many
// goroutines may run Execute at once, each gets exactly its own replies,
// and dumps (of which the kernel runs one at a time per socket) queue up
// behind each other. Send and Receive may be used alongside Execute;
// Receive returns the messages that no Execute claims, and a blocked
// Receive never holds up a Send. Deadlines, options, groups and BPF
// programs belong to the socket, so they apply to every goroutine using
// it. A Conn made by NewConn over another Socket runs one transaction at a
// time.
type Conn struct {
	// sock is closed by Close, and asked by type assertion for the
	// optional methods behind JoinGroup, SetOption and the rest.
	sock io.Closer
	pid  uint32
	seq  atomic.Uint32

	// Exactly one of the two engines is set: kernel for sockets made by
	// Dial, legacy for any other Socket.
	kernel *demux
	legacy *legacySocket

	// interruptedError makes an interrupted dump an error.
	interruptedError bool

	closeOnce sync.Once
	closed    chan struct{}
}

// Dial opens a netlink socket of the given family (for example
// unix.NETLINK_ROUTE) configured by config, which may be nil.
func Dial(family int, config *Config) (*Conn, error) {
	if config == nil {
		config = &Config{}
	}
	s, pid, err := dial(family, config)
	if err != nil {
		return nil, newOpError("dial", err)
	}
	c := newConn(s, pid)
	c.kernel = newDemux(s, c.closed, newTracer(config))
	c.interruptedError = config.InterruptedDumpError
	return c, nil
}

// NewConn returns a Conn over sock, with pid as its port ID. It is for
// fakes such as those of package nltest.
func NewConn(sock Socket, pid uint32) *Conn {
	c := newConn(sock, pid)
	c.legacy = &legacySocket{sock: sock}
	return c
}

// A legacySocket is a Socket given to NewConn, which a Conn uses for one
// transaction at a time.
type legacySocket struct {
	mu   sync.Mutex
	sock Socket
}

// newConn returns a Conn with its sequence numbers starting at random.
func newConn(sock io.Closer, pid uint32) *Conn {
	c := &Conn{sock: sock, pid: pid, closed: make(chan struct{})}
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

// Close closes the connection. Blocked calls return, with an error that
// matches unix.EBADF, and so does every later call.
func (c *Conn) Close() error {
	err := errClosed("close")
	c.closeOnce.Do(func() {
		close(c.closed)
		err = newOpError("close", c.sock.Close())
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

// ExecuteReply is ExecuteContext, returning the whole reply: its messages,
// the acknowledgement or Done that closed it (with any warning the kernel
// attached to a success), and whether the kernel marked a dump as
// interrupted.
func (c *Conn) ExecuteReply(ctx context.Context, m Message) (Reply, error) {
	r, req, err := c.transact(ctx, m)
	if err != nil {
		return Reply{}, err
	}
	reply := Reply{Messages: r.result(c.kernel != nil), Ack: r.ack, Interrupted: r.interrupted}
	if err := Validate(req, reply.Messages); err != nil {
		return Reply{}, err
	}
	if reply.Interrupted && c.interruptedError {
		return Reply{}, &OpError{Op: "receive", Err: ErrDumpInterrupted, Sequence: req.Header.Sequence}
	}
	return reply, nil
}

// ExecuteConsistent runs a dump request up to attempts times, until the
// kernel answers it without marking the reply interrupted, and returns
// that reply. When every attempt was interrupted, it returns an error
// matching ErrDumpInterrupted.
func (c *Conn) ExecuteConsistent(ctx context.Context, m Message, attempts int) ([]Message, error) {
	for range max(attempts, 1) {
		r, err := c.ExecuteReply(ctx, m)
		if err != nil && !errors.Is(err, ErrDumpInterrupted) {
			return nil, err
		}
		if err == nil && !r.Interrupted {
			return r.Messages, nil
		}
	}
	return nil, &OpError{Op: "receive", Err: ErrDumpInterrupted}
}

// transact runs one transaction and returns the whole reply and the request
// as sent.
func (c *Conn) transact(ctx context.Context, m Message) (reply, Message, error) {
	if c.isClosed() {
		return reply{}, m, errClosed("execute")
	}
	c.fill(&m)
	if err := checkMessageLength(m.Header.Length); err != nil {
		return reply{}, m, newOpError("send", err)
	}
	if c.kernel != nil {
		r, err := c.kernel.transact(ctx, m)
		return r, m, c.translate(err)
	}

	c.legacy.mu.Lock()
	defer c.legacy.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return reply{}, m, newOpError("send", err)
	}
	if err := c.legacy.sock.Send(m); err != nil {
		return reply{}, m, c.translate(newOpError("send", err))
	}
	r := newReply(false)
	err := c.legacyReceive(ctx, &r)
	return r, m, err
}

// legacyReceive reads datagrams from a foreign Socket into r until the reply
// is complete.
func (c *Conn) legacyReceive(ctx context.Context, r *reply) error {
	for !r.done {
		if err := ctx.Err(); err != nil {
			return newOpError("receive", err)
		}
		msgs, err := c.legacy.sock.Receive()
		if err != nil {
			return c.translate(newOpError("receive", err))
		}
		r.addDatagram(msgs)
		if r.err != nil {
			return r.err
		}
	}
	return nil
}

// translate turns errors caused by Close into EBADF errors.
func (c *Conn) translate(err error) error {
	if err != nil && c.isClosed() && !errors.Is(err, syscall.EBADF) {
		var oe *OpError
		op := "receive"
		if errors.As(err, &oe) {
			op = oe.Op
		}
		return errClosed(op)
	}
	return err
}

// Send sends one message, filling its zero header fields first (see
// SendMessages), and returns it as sent.
func (c *Conn) Send(m Message) (Message, error) {
	return c.SendContext(context.Background(), m)
}

// SendContext is Send, returning early with an error that matches
// ctx.Err() when ctx is done.
func (c *Conn) SendContext(ctx context.Context, m Message) (Message, error) {
	msgs, err := c.SendMessagesContext(ctx, []Message{m})
	if err != nil {
		return Message{}, err
	}
	return msgs[0], nil
}

// SendMessages sends msgs in one datagram. Zero header fields are filled:
// Length with the aligned length, Sequence with the Conn's next sequence
// number, PID with the Conn's port ID. It returns the messages as sent.
func (c *Conn) SendMessages(msgs []Message) ([]Message, error) {
	return c.SendMessagesContext(context.Background(), msgs)
}

// SendMessagesContext is SendMessages, returning early with an error that
// matches ctx.Err() when ctx is done.
func (c *Conn) SendMessagesContext(ctx context.Context, msgs []Message) ([]Message, error) {
	if c.isClosed() {
		return nil, errClosed("send")
	}
	sent := make([]Message, len(msgs))
	for i, m := range msgs {
		c.fill(&m)
		if err := checkMessageLength(m.Header.Length); err != nil {
			return nil, newOpError("send", err)
		}
		sent[i] = m
	}
	var err error
	switch {
	case c.kernel != nil:
		err = c.kernel.sendRequests(ctx, sent)
	case ctx.Err() != nil:
		err = ctx.Err()
	case len(sent) == 1:
		err = c.legacy.sock.Send(sent[0])
	default:
		err = c.legacy.sock.SendMessages(sent)
	}
	if err != nil {
		return nil, c.translate(newOpError("send", err))
	}
	return sent, nil
}

// Receive returns the messages of one reply or notification: a multi-part
// reply is read up to its Done message, which is not returned. An
// acknowledgement is returned as a message; a netlink error code is
// returned as an *OpError whose Err is a syscall.Errno.
//
// On a Conn made by Dial, Receive returns only messages that no Execute
// claims: notifications of joined groups, replies to requests made with
// Send, and messages of the kernel such as audit events. Unicast datagrams
// from user-space processes are dropped (see ReceiveFrom). A notification
// that is not made of netlink messages (a kobject uevent, for one) is
// returned as an error, as is an overrun of the socket's queue, which
// matches syscall.ENOBUFS; the Conn stays usable after either.
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
// the next one.
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

// receiveReply reads the datagrams of one reply and hands the messages of
// each to fn. Once fn returns false it is not called again, but the rest
// of the reply is still read, so that it does not mix with the next one.
func (c *Conn) receiveReply(ctx context.Context, fn func([]Message) bool) error {
	if c.isClosed() {
		return errClosed("receive")
	}
	if c.legacy != nil {
		c.legacy.mu.Lock()
		defer c.legacy.mu.Unlock()
	}
	r := newReply(false)
	wanted := true
	for !r.done {
		var (
			msgs []Message
			err  error
		)
		if c.kernel != nil {
			var d datagram
			d, err = c.kernel.receive(ctx, true)
			msgs = d.msgs
			if len(msgs) > 0 && c.kernel.isSingle(msgs[0].Header.Sequence) {
				r.single = true
			}
		} else if err = ctx.Err(); err == nil {
			msgs, err = c.legacy.sock.Receive()
		}
		if err != nil {
			return c.translate(newOpError("receive", err))
		}
		r.addDatagram(msgs)
		if r.err != nil {
			return r.err
		}
		if wanted {
			wanted = fn(r.result(false))
		}
		r.clearMessages()
	}
	return nil
}

// ReceiveFrom returns the messages of the next datagram that no Execute
// claims, with where it came from, waiting until one arrives or ctx is
// done. Unlike Receive it returns unicast datagrams from user-space
// processes too: check Origin.PortID before trusting one. It works only on
// a Conn made by Dial.
func (c *Conn) ReceiveFrom(ctx context.Context) ([]Message, Origin, error) {
	if c.isClosed() {
		return nil, Origin{}, errClosed("receive")
	}
	if c.kernel == nil {
		return nil, Origin{}, &OpError{Op: "receive", Err: errNotSupported}
	}
	d, err := c.kernel.receive(ctx, false)
	if err != nil {
		return nil, d.origin, c.translate(newOpError("receive", err))
	}
	return d.msgs, d.origin, nil
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

// Errors returned by Validate.
var (
	errMismatchedSequence = errors.New("mismatched sequence in netlink reply")
	errMismatchedPID      = errors.New("mismatched port ID in netlink reply")
)

// The optional capabilities of a Socket, found by type assertion.
type (
	groupJoinLeaver interface {
		JoinGroup(group uint32) error
		LeaveGroup(group uint32) error
	}
	bpfSetter interface {
		SetBPF(filter []bpf.RawInstruction) error
		RemoveBPF() error
	}
	optionSetter interface {
		SetOption(option ConnOption, enable bool) error
	}
	deadlineSetter interface {
		SetDeadline(t time.Time) error
		SetReadDeadline(t time.Time) error
		SetWriteDeadline(t time.Time) error
	}
	bufferSetter interface {
		SetReadBuffer(bytes int) error
		SetWriteBuffer(bytes int) error
	}
	bufferGetter interface {
		ReadBuffer() (int, error)
		WriteBuffer() (int, error)
	}
	syscallConner interface {
		SyscallConn() (syscall.RawConn, error)
	}
	membershipLister interface {
		memberships() ([]uint32, error)
	}
)

// capability returns the Socket as a T, or an error if the Conn is closed
// or the Socket cannot do op.
func capability[T any](c *Conn, op string) (T, error) {
	var zero T
	if c.isClosed() {
		return zero, errClosed(op)
	}
	s, ok := c.sock.(T)
	if !ok {
		return zero, &OpError{Op: op, Err: errNotSupported}
	}
	return s, nil
}

// do runs a capability of the Socket, wrapping its error for op.
func do[T any](c *Conn, op string, fn func(T) error) error {
	s, err := capability[T](c, op)
	if err != nil {
		return err
	}
	return c.translate(newOpError(op, fn(s)))
}

// JoinGroup joins the multicast group with the given number. Any group
// number works, including those above 32 that Config.Groups cannot name.
func (c *Conn) JoinGroup(group uint32) error {
	return do(c, "join-group", func(s groupJoinLeaver) error { return s.JoinGroup(group) })
}

// LeaveGroup leaves the multicast group with the given number.
func (c *Conn) LeaveGroup(group uint32) error {
	return do(c, "leave-group", func(s groupJoinLeaver) error { return s.LeaveGroup(group) })
}

// Memberships returns the numbers of the multicast groups the socket has
// joined (NETLINK_LIST_MEMBERSHIPS), in increasing order.
func (c *Conn) Memberships() ([]uint32, error) {
	var groups []uint32
	err := do(c, "memberships", func(s membershipLister) (err error) {
		groups, err = s.memberships()
		return err
	})
	return groups, err
}

// SetBPF attaches a classic BPF program to the socket: messages the
// program rejects are dropped by the kernel.
func (c *Conn) SetBPF(filter []bpf.RawInstruction) error {
	return do(c, "set-bpf", func(s bpfSetter) error { return s.SetBPF(filter) })
}

// RemoveBPF removes the socket's BPF program.
func (c *Conn) RemoveBPF() error {
	return do(c, "remove-bpf", func(s bpfSetter) error { return s.RemoveBPF() })
}

// SetOption turns a socket option on or off.
func (c *Conn) SetOption(option ConnOption, enable bool) error {
	return do(c, "set-option", func(s optionSetter) error { return s.SetOption(option, enable) })
}

// SetDeadline sets the read and write deadlines. An expired deadline makes
// blocked and later calls fail with an error whose Timeout method returns
// true and that matches os.ErrDeadlineExceeded.
func (c *Conn) SetDeadline(t time.Time) error {
	return do(c, "set-deadline", func(s deadlineSetter) error { return s.SetDeadline(t) })
}

// SetReadDeadline sets the deadline of receives, as SetDeadline does.
func (c *Conn) SetReadDeadline(t time.Time) error {
	return do(c, "set-read-deadline", func(s deadlineSetter) error { return s.SetReadDeadline(t) })
}

// SetWriteDeadline sets the deadline of sends, as SetDeadline does.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	return do(c, "set-write-deadline", func(s deadlineSetter) error { return s.SetWriteDeadline(t) })
}

// SetReadBuffer sets the kernel's receive buffer size of the socket
// (SO_RCVBUF, or SO_RCVBUFFORCE when permitted).
func (c *Conn) SetReadBuffer(bytes int) error {
	return do(c, "set-read-buffer", func(s bufferSetter) error { return s.SetReadBuffer(bytes) })
}

// SetWriteBuffer sets the kernel's send buffer size of the socket
// (SO_SNDBUF, or SO_SNDBUFFORCE when permitted).
func (c *Conn) SetWriteBuffer(bytes int) error {
	return do(c, "set-write-buffer", func(s bufferSetter) error { return s.SetWriteBuffer(bytes) })
}

// ReadBuffer returns the kernel's receive buffer size of the socket.
func (c *Conn) ReadBuffer() (int, error) {
	var n int
	err := do(c, "read-buffer", func(s bufferGetter) (err error) {
		n, err = s.ReadBuffer()
		return err
	})
	return n, err
}

// WriteBuffer returns the kernel's send buffer size of the socket.
func (c *Conn) WriteBuffer() (int, error) {
	var n int
	err := do(c, "write-buffer", func(s bufferGetter) (err error) {
		n, err = s.WriteBuffer()
		return err
	})
	return n, err
}

// SyscallConn returns a raw connection to the socket, for system calls the
// Conn does not offer. Reading from it directly would take datagrams away
// from the Conn.
func (c *Conn) SyscallConn() (syscall.RawConn, error) {
	var rc syscall.RawConn
	err := do(c, "syscall-conn", func(s syscallConner) (err error) {
		rc, err = s.SyscallConn()
		return err
	})
	return rc, err
}
