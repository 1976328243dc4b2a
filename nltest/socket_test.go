package nltest

import (
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netlinkgo/netlink"
)

// msg returns a message of type typ with flags.
func msg(typ netlink.HeaderType, flags netlink.HeaderFlags) netlink.Message {
	return netlink.Message{Header: netlink.Header{Length: 16, Type: typ, Flags: flags}}
}

// A read is what one Receive of the fake socket returned.
type read struct {
	Msgs []netlink.Message
	Err  string
}

func TestSocketReads(t *testing.T) {
	var (
		errFoo = errors.New("foo")
		data   = msg(16, 0)
		multi  = msg(16, netlink.Multi)
		done   = msg(netlink.Done, netlink.Multi)
	)
	// each answers every call with msgs and err.
	each := func(msgs []netlink.Message, err error) Func {
		return func([]netlink.Message) ([]netlink.Message, error) { return msgs, err }
	}
	tests := []struct {
		name  string
		fn    Func
		sends []int // for each send, the number of messages: 1 uses Send
		reads int
		want  []read
	}{
		{
			name:  "notification",
			fn:    each([]netlink.Message{data, data}, nil),
			reads: 2,
			want:  []read{{Msgs: []netlink.Message{data, data}}, {Msgs: []netlink.Message{data, data}}},
		},
		{
			name:  "notification error as it is",
			fn:    each(nil, syscall.ENOBUFS),
			reads: 1,
			want:  []read{{Err: "no buffer space available"}},
		},
		{
			name:  "notification EOF",
			fn:    each([]netlink.Message{data}, io.EOF),
			reads: 1,
			want:  []read{{}},
		},
		{
			name:  "reply then notification",
			fn:    each([]netlink.Message{data}, nil),
			sends: []int{1},
			reads: 2,
			want:  []read{{Msgs: []netlink.Message{data}}, {Msgs: []netlink.Message{data}}},
		},
		{
			name:  "reply errno wrapped, once",
			fn:    each(nil, syscall.ENOENT),
			sends: []int{1},
			reads: 2,
			want:  []read{{Err: "recvmsg: no such file or directory"}, {Err: "no such file or directory"}},
		},
		{
			name:  "reply error as it is, once",
			fn:    each(nil, errFoo),
			sends: []int{1},
			reads: 2,
			want:  []read{{Err: "foo"}, {Err: "foo"}},
		},
		{
			name:  "reply with an error drops its messages",
			fn:    each([]netlink.Message{data}, syscall.ENOENT),
			sends: []int{1},
			reads: 1,
			want:  []read{{Err: "no such file or directory"}},
		},
		{
			name:  "reply EOF stays until the next send",
			fn:    each(nil, io.EOF),
			sends: []int{1},
			reads: 3,
			want:  []read{{}, {}, {}},
		},
		{
			name:  "multi-part reply by halves",
			fn:    each([]netlink.Message{multi, multi, multi, multi, done}, nil),
			sends: []int{1},
			reads: 4,
			want: []read{
				{Msgs: []netlink.Message{multi, multi, multi}},
				{Msgs: []netlink.Message{multi}},
				{Msgs: []netlink.Message{done}},
				{Msgs: []netlink.Message{multi, multi, multi, multi, done}}, // a notification: whole
			},
		},
		{
			name:  "SendMessages queues",
			fn:    each([]netlink.Message{data}, nil),
			sends: []int{2, 2},
			reads: 1,
			want:  []read{{Msgs: []netlink.Message{data, data}}},
		},
		{
			name:  "Send replaces",
			fn:    each([]netlink.Message{data}, nil),
			sends: []int{2, 1},
			reads: 1,
			want:  []read{{Msgs: []netlink.Message{data}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &socket{fn: tt.fn}
			for _, n := range tt.sends {
				var err error
				if n == 1 {
					err = s.Send(data)
				} else {
					err = s.SendMessages(make([]netlink.Message, n))
				}
				if err != nil {
					t.Fatalf("failed to send: %v", err)
				}
			}
			var got []read
			for range tt.reads {
				msgs, err := s.Receive()
				r := read{Msgs: msgs}
				if err != nil {
					r.Err = err.Error()
				}
				got = append(got, r)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("unexpected reads (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSocketReceiveErrnoWrapped(t *testing.T) {
	s := &socket{fn: func([]netlink.Message) ([]netlink.Message, error) { return nil, syscall.ENOENT }}
	if err := s.Send(netlink.Message{}); err != nil {
		t.Fatalf("failed to send: %v", err)
	}
	_, err := s.Receive()
	var se *os.SyscallError
	if !errors.As(err, &se) || se.Syscall != "recvmsg" || se.Err != syscall.ENOENT {
		t.Fatalf("want ENOENT in an *os.SyscallError for recvmsg, got %#v", err)
	}
}

func TestSocketReceiveIterStopsEarly(t *testing.T) {
	data := msg(16, 0)
	s := &socket{fn: func(req []netlink.Message) ([]netlink.Message, error) {
		if req == nil {
			return nil, io.EOF
		}
		return []netlink.Message{data, data, data}, nil
	}}
	if err := s.Send(netlink.Message{}); err != nil {
		t.Fatalf("failed to send: %v", err)
	}
	for range s.ReceiveIter() {
		break
	}
	// As v1: the messages of a read are gone even if not all were yielded.
	msgs, err := s.Receive()
	if err != nil || len(msgs) != 0 {
		t.Fatalf("got %v, %v after a stopped read, want nothing", msgs, err)
	}
}

// A Func blocked in a notification must not hold up a send from another
// goroutine (the deadlock v1.11.2 fixed in its Conn).
func TestSocketSendDuringReceive(t *testing.T) {
	tests := []struct {
		name string
		send func(s *socket) error
	}{
		{name: "Send", send: func(s *socket) error { return s.Send(netlink.Message{}) }},
		{name: "SendMessages", send: func(s *socket) error { return s.SendMessages([]netlink.Message{{}}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sent := make(chan struct{})
			s := &socket{fn: func(req []netlink.Message) ([]netlink.Message, error) {
				if req == nil {
					<-sent // a notification arrives after the send
					return []netlink.Message{msg(16, 0)}, nil
				}
				close(sent)
				return nil, io.EOF
			}}
			got := make(chan error, 1)
			go func() {
				_, err := s.Receive()
				got <- err
			}()

			// Let the receive start waiting in the Func first, most of the
			// time; the send must finish either way.
			time.Sleep(10 * time.Millisecond)
			if err := tt.send(s); err != nil {
				t.Fatalf("failed to send: %v", err)
			}
			select {
			case err := <-got:
				if err != nil {
					t.Fatalf("failed to receive: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("receive did not return after the send")
			}
		})
	}
}
