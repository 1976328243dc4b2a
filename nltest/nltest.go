// Package nltest provides in-memory fakes of netlink connections, so that
// packages built on package netlink can be unit tested without a kernel.
//
// A test supplies a Func that plays the kernel: it receives each request
// the Conn sends and returns the reply:
//
//	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
//		return []netlink.Message{{
//			Header: netlink.Header{Sequence: req[0].Header.Sequence, PID: nltest.PID},
//			Data:   []byte{0xff},
//		}}, nil
//	})
//	defer c.Close()
package nltest

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"sync"
	"syscall"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/nlenc"
)

// PID is the port ID of the Conns made by Dial.
const PID = 1

// A Func plays the kernel for a fake Conn. It is called with the messages
// of each request sent, and with nil when the Conn receives with no reply
// pending, which is how a test simulates multicast notifications. Its
// return values are what the Conn receives. Returning io.EOF means "no
// messages and no error"; a syscall.Errno is returned to the caller wrapped
// in an *os.SyscallError, as a real socket's would be.
type Func func(req []netlink.Message) ([]netlink.Message, error)

// Dial returns a Conn whose requests are handed to fn and whose replies are
// fn's return values. A multi-part reply is delivered in at least two
// reads, so that callers' logic for draining one is exercised.
func Dial(fn Func) *netlink.Conn {
	return netlink.NewConn(&socket{fn: fn}, PID)
}

// A socket is a fake netlink.Socket driven by a Func.
type socket struct {
	fn Func

	mu   sync.Mutex
	msgs []netlink.Message // reply pending for Receive
	err  error             // error pending for Receive
}

// Close does nothing.
func (s *socket) Close() error { return nil }

// Send hands m to the Func.
func (s *socket) Send(m netlink.Message) error {
	return s.SendMessages([]netlink.Message{m})
}

// SendMessages hands msgs to the Func and keeps its reply for Receive.
func (s *socket) SendMessages(msgs []netlink.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs, s.err = s.fn(msgs)
	return nil
}

// Receive returns the pending reply, or calls the Func with nil when there
// is none. A multi-part reply comes in two reads: everything but its last
// message, then the last.
func (s *socket) Receive() ([]netlink.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.msgs) == 0 {
		err := s.err
		s.err = nil
		if err == nil {
			var msgs []netlink.Message
			msgs, err = s.fn(nil)
			if err == nil {
				return msgs, nil
			}
		}
		return nil, receiveError(err)
	}

	if multi := s.msgs[0].Header.Flags&netlink.Multi != 0; multi && len(s.msgs) > 1 {
		first := s.msgs[:len(s.msgs)-1]
		s.msgs = s.msgs[len(s.msgs)-1:]
		return first, nil
	}
	msgs, err := s.msgs, s.err
	s.msgs, s.err = nil, nil
	return msgs, receiveError(err)
}

// receiveError turns a Func's error into what a real socket would return.
func receiveError(err error) error {
	if errno, ok := err.(syscall.Errno); ok {
		return os.NewSyscallError("recvmsg", errno)
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// ReceiveIter yields the messages of one Receive.
func (s *socket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return func(yield func(netlink.Message, error) bool) {
		msgs, err := s.Receive()
		if err != nil {
			yield(netlink.Message{}, err)
			return
		}
		for _, m := range msgs {
			if !yield(m, nil) {
				return
			}
		}
	}
}

// Multipart makes msgs a multi-part reply: with two or more messages, it
// sets the Multi flag on all of them and makes the last one the Done
// message. Fewer messages are returned as they are.
func Multipart(msgs []netlink.Message) ([]netlink.Message, error) {
	if len(msgs) < 2 {
		return msgs, nil
	}
	for i := range msgs {
		msgs[i].Header.Flags |= netlink.Multi
	}
	msgs[len(msgs)-1].Header.Type = netlink.Done
	return msgs, nil
}

// Error returns an error message with the error code number, as the kernel
// would send it in answer to reqs[0]: the negated code followed by the
// request's header and payload.
func Error(number int, reqs []netlink.Message) ([]netlink.Message, error) {
	req := reqs[0]
	if req.Header.Length == 0 {
		req.Header.Length = uint32((16 + len(req.Data) + 3) &^ 3)
	}
	echo, err := req.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("nltest: echoing the request: %w", err)
	}
	data := make([]byte, 4, 4+len(echo))
	nlenc.PutInt32(data, int32(-number))
	data = append(data, echo...)
	return []netlink.Message{{
		Header: netlink.Header{
			Length:   uint32(16 + len(data)),
			Type:     netlink.Error,
			Sequence: req.Header.Sequence,
			PID:      req.Header.PID,
		},
		Data: data,
	}}, nil
}

// CheckRequest returns a Func that checks the type and flags of each
// request message by position before calling fn; a zero type or flags value
// is not checked. A mismatch, or a request with another number of messages,
// is returned as a descriptive error. It panics if types and flags differ in
// length.
func CheckRequest(types []netlink.HeaderType, flags []netlink.HeaderFlags, fn Func) Func {
	if len(types) != len(flags) {
		panic(fmt.Sprintf("nltest: CheckRequest: %d types but %d flags", len(types), len(flags)))
	}
	return func(req []netlink.Message) ([]netlink.Message, error) {
		if len(req) != len(types) {
			return nil, fmt.Errorf("nltest: CheckRequest: %d request messages, want %d", len(req), len(types))
		}
		for i, m := range req {
			if want, got := types[i], m.Header.Type; want != 0 && got != want {
				return nil, fmt.Errorf("nltest: request message %d: header type %s, want %s", i, got, want)
			}
			if want, got := flags[i], m.Header.Flags; want != 0 && got != want {
				return nil, fmt.Errorf("nltest: request message %d: header flags %s, want %s", i, got, want)
			}
		}
		return fn(req)
	}
}

// MustMarshalAttributes marshals attrs, and panics on error.
func MustMarshalAttributes(attrs []netlink.Attribute) []byte {
	b, err := netlink.MarshalAttributes(attrs)
	if err != nil {
		panic(fmt.Sprintf("nltest: MustMarshalAttributes: %v", err))
	}
	return b
}
