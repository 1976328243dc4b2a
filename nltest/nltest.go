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
// pending, which is how a test simulates multicast notifications.
//
// The messages it returns for a request are what the following receives
// deliver; an error it returns for a request is delivered once they are
// used up, a syscall.Errno wrapped in an *os.SyscallError for "recvmsg" as
// a real socket's would be. An error it returns for a receive with nil is
// delivered as it is. Returning io.EOF means "no messages and no error".
//
// A Func may be called from several goroutines at once when the Conn is
// used that way.
type Func func(req []netlink.Message) ([]netlink.Message, error)

// Dial returns a Conn whose requests are handed to fn and whose replies are
// fn's return values. A multi-part reply is delivered in at least two
// reads, so that callers' logic for draining one is exercised.
func Dial(fn Func) *netlink.Conn {
	return netlink.NewConn(&socket{fn: fn}, PID)
}

// A socket is a fake netlink.Socket driven by a Func.
//
// Its mutex guards the pending reply only: it is never held while the Func
// runs, so a Func that blocks in a receive (waiting for a notification)
// never holds up a Send from another goroutine.
type socket struct {
	fn Func

	mu   sync.Mutex
	msgs []netlink.Message // messages pending for the next receives
	err  error             // error pending once msgs are used up
}

// Close does nothing.
func (s *socket) Close() error { return nil }

// Send hands m to the Func; its reply replaces any pending one.
func (s *socket) Send(m netlink.Message) error {
	msgs, err := s.fn([]netlink.Message{m})
	s.mu.Lock()
	s.msgs, s.err = msgs, err
	s.mu.Unlock()
	return nil
}

// SendMessages hands msgs to the Func; its messages are queued behind any
// pending ones and its error replaces the pending error.
func (s *socket) SendMessages(msgs []netlink.Message) error {
	reply, err := s.fn(msgs)
	s.mu.Lock()
	s.msgs = append(s.msgs, reply...)
	s.err = err
	s.mu.Unlock()
	return nil
}

// Receive returns the messages of one read (see ReceiveIter).
func (s *socket) Receive() ([]netlink.Message, error) {
	msgs, err := s.read()
	if err != nil {
		return nil, err
	}
	return msgs, nil
}

// ReceiveIter yields the messages of one read, or its error.
func (s *socket) ReceiveIter() iter.Seq2[netlink.Message, error] {
	return func(yield func(netlink.Message, error) bool) {
		msgs, err := s.read()
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

// read takes what one receive delivers. With nothing pending, it asks the
// Func for a notification; a pending io.EOF delivers nothing, and stays
// pending until the next send. A multi-part reply is delivered half of
// what is left at a time, rounded up, so that it takes several reads.
// Messages taken are gone even if the caller stops early.
func (s *socket) read() ([]netlink.Message, error) {
	s.mu.Lock()
	if len(s.msgs) == 0 {
		err := s.err
		if errors.Is(err, io.EOF) {
			s.mu.Unlock()
			return nil, nil
		}
		s.err = nil
		s.mu.Unlock()
		if err != nil {
			if errno := syscall.Errno(0); errors.As(err, &errno) {
				return nil, os.NewSyscallError("recvmsg", err)
			}
			return nil, err
		}

		msgs, err := s.fn(nil)
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return msgs, nil
	}
	defer s.mu.Unlock()

	if isMultipart(s.msgs) {
		n := (len(s.msgs) + 1) / 2
		msgs := s.msgs[:n:n]
		s.msgs = s.msgs[n:]
		return msgs, nil
	}
	msgs, err := s.msgs, s.err
	s.msgs, s.err = nil, nil
	if err != nil {
		return nil, err
	}
	return msgs, nil
}

// isMultipart reports whether msgs hold part of a multi-part reply other
// than its Done message.
func isMultipart(msgs []netlink.Message) bool {
	for _, m := range msgs {
		if m.Header.Flags&netlink.Multi != 0 && m.Header.Type != netlink.Done {
			return true
		}
	}
	return false
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

// Error answers reqs[0] with the error code number (0 for an
// acknowledgement): it returns that request turned into an Error message,
// its header kept but for the type and a length 4 bytes longer, its data
// -number in native byte order followed by the request's data. It returns
// an error if reqs is empty.
func Error(number int, reqs []netlink.Message) ([]netlink.Message, error) {
	if len(reqs) == 0 {
		return nil, errors.New("nltest: Error needs a request to answer")
	}
	m := reqs[0]
	m.Header.Length += 4
	m.Header.Type = netlink.Error
	data := make([]byte, 4, 4+len(m.Data))
	nlenc.PutInt32(data, -int32(number))
	m.Data = append(data, m.Data...)
	return []netlink.Message{m}, nil
}

// CheckRequest returns a Func that checks the type and flags of each
// request message by position before calling fn; a zero type or flags
// value is not checked. A mismatch is returned as a descriptive error.
// CheckRequest panics if types and flags differ in length, and the Func it
// returns panics when called with another number of messages than that
// (a receive with no reply pending calls it with none).
func CheckRequest(types []netlink.HeaderType, flags []netlink.HeaderFlags, fn Func) Func {
	if len(types) != len(flags) {
		panic(fmt.Sprintf("nltest: CheckRequest called with mismatched types and flags slice lengths: %d != %d",
			len(types), len(flags)))
	}
	return func(req []netlink.Message) ([]netlink.Message, error) {
		if len(req) != len(types) {
			panic(fmt.Sprintf("nltest: CheckRequest function invoked types/flags and request message slice lengths: %d != %d",
				len(types), len(req)))
		}
		for i, m := range req {
			if want, got := types[i], m.Header.Type; want != 0 && got != want {
				return nil, fmt.Errorf("nltest: unexpected netlink header type: %s, want: %s", got, want)
			}
			if want, got := flags[i], m.Header.Flags; want != 0 && got != want {
				return nil, fmt.Errorf("nltest: unexpected netlink header flags: %s, want: %s", got, want)
			}
		}
		return fn(req)
	}
}

// MustMarshalAttributes marshals attrs, and panics on error.
func MustMarshalAttributes(attrs []netlink.Attribute) []byte {
	b, err := netlink.MarshalAttributes(attrs)
	if err != nil {
		panic(fmt.Sprintf("failed to marshal attributes to binary: %v", err))
	}
	return b
}
