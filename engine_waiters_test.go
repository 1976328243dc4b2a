package netlink

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWaiterSet(t *testing.T) {
	seqs := func(s *waiterSet) []uint32 {
		var got []uint32
		for i, w := range s.waiters {
			if w.seq != s.seqs[i] {
				t.Fatalf("waiter %d has sequence %d, recorded as %d", i, w.seq, s.seqs[i])
			}
			got = append(got, w.seq)
		}
		slices.Sort(got)
		return got
	}
	var s waiterSet
	for _, seq := range []uint32{5, 1, 9, 3, 7} {
		s.add(&waiter{seq: seq})
	}

	tests := []struct {
		name   string
		change func()
		want   []uint32
	}{
		{"added", func() {}, []uint32{1, 3, 5, 7, 9}},
		{"remove from the middle", func() { s.remove(9) }, []uint32{1, 3, 5, 7}},
		{"remove an unknown one", func() { s.remove(42) }, []uint32{1, 3, 5, 7}},
		{"remove the first added", func() { s.remove(5) }, []uint32{1, 3, 7}},
		{"remove if", func() {
			s = waiterSet{}
			for _, seq := range []uint32{1, 2, 3, 4, 5, 6} {
				s.add(&waiter{seq: seq})
			}
			if n := s.removeIf(func(w *waiter) bool { return w.seq%2 == 0 }); n != 3 {
				t.Errorf("removeIf removed %d, want 3", n)
			}
		}, []uint32{1, 3, 5}},
	}
	for _, tt := range tests {
		tt.change()
		want := tt.want
		if diff := cmp.Diff(want, seqs(&s)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		if s.len() != len(want) {
			t.Errorf("%s: len() = %d, want %d", tt.name, s.len(), len(want))
		}
		for _, q := range want {
			if w := s.get(q); w == nil || w.seq != q {
				t.Errorf("%s: get(%d) = %v", tt.name, q, w)
			}
		}
	}
	if s.get(2) != nil || s.get(42) != nil {
		t.Error("get found a waiter that was removed or never added")
	}
}
