package netlink

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// arenaTestDatagram returns a datagram of n messages of type 16 in sequence
// seq, flagged Multi, and the messages as parseMessages reads them.
func arenaTestDatagram(t *testing.T, seq uint32, n int) ([]byte, []Message) {
	t.Helper()
	var b []byte
	for i := range n {
		m := Message{Header: Header{Length: 20, Type: 16, Flags: Multi, Sequence: seq}, Data: []byte{byte(i), 1, 2, 3}}
		mb, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, mb...)
	}
	msgs, err := parseMessages(b)
	if err != nil {
		t.Fatal(err)
	}
	return b, msgs
}

func TestMessageArenaParse(t *testing.T) {
	var a messageArena
	b, want := arenaTestDatagram(t, 1, 3)
	got, err := a.parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parse (-want +got):\n%s", diff)
	}
	if _, err := a.parse([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}); err == nil {
		t.Error("parse of a message shorter than its header succeeded")
	}
}

// TestReplyJoinsAdjacentRuns checks that the runs of consecutive datagrams
// parsed in one arena make one slice, that nothing else is joined, and
// that what the reply returns cannot be appended into the arena.
func TestReplyJoinsAdjacentRuns(t *testing.T) {
	tests := []struct {
		name       string
		gathered   bool // a gathered dump begins first, with a fresh block
		counts     []int
		foreign    int // messages of another request parsed after the first datagram
		wantJoined bool
	}{
		{name: "one datagram", counts: []int{3}, wantJoined: true},
		{name: "consecutive datagrams", counts: []int{3, 4, 5}, wantJoined: true},
		{name: "another reply in between", counts: []int{3, 4}, foreign: 2},
		{name: "past the end of a block", counts: []int{minArenaBlock - 1, 2}},
		{name: "fresh block for a gathered dump", gathered: true, counts: []int{200, 200, 200}, wantJoined: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a messageArena
			if tt.gathered {
				a.parsedSinceDump.Store(600)
				a.dumpBegins()
			}
			r := newReply(Request|Dump, false)
			var want []Message
			for i, n := range tt.counts {
				b, msgs := arenaTestDatagram(t, 5, n)
				got, err := a.parse(b)
				if err != nil {
					t.Fatal(err)
				}
				r.addDatagram(got)
				want = append(want, msgs...)
				if i == 0 && tt.foreign > 0 {
					fb, _ := arenaTestDatagram(t, 6, tt.foreign)
					if _, err := a.parse(fb); err != nil {
						t.Fatal(err)
					}
				}
			}
			if joined := len(r.more) == 0; joined != tt.wantJoined {
				t.Errorf("runs joined: %v, want %v", joined, tt.wantJoined)
			}
			got := r.messages(false)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("messages (-want +got):\n%s", diff)
			}
			if cap(got) != len(got) {
				t.Errorf("messages returned with capacity %d beyond its %d messages", cap(got), len(got))
			}
		})
	}
}

func TestFollows(t *testing.T) {
	block := make([]Message, 10)
	other := make([]Message, 10)
	tests := []struct {
		name string
		a, b []Message
		want bool
	}{
		{"adjacent", block[0:3], block[3:5], true},
		{"gap", block[0:3], block[4:5], false},
		{"capped first", block[0:3:3], block[3:5], false},
		{"other array", block[0:3], other[3:5], false},
		{"before", block[3:5], block[0:3], false},
		{"to the end", block[0:5], block[5:10], true},
	}
	for _, tt := range tests {
		if got := follows(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: follows = %v, want %v", tt.name, got, tt.want)
		}
	}
}
