package netlink

// A waiterSet holds the transactions in flight, abandoned ones included, by
// sequence number. Few are in flight at a time, so a slice of sequence
// numbers, searched in order, costs less than a map's hashing. Its order
// means nothing.
type waiterSet struct {
	seqs    []uint32
	waiters []*waiter // waiters[i] has sequence number seqs[i]
}

// len returns how many transactions the set holds.
func (s *waiterSet) len() int { return len(s.seqs) }

// get returns the transaction of sequence number seq, or nil.
func (s *waiterSet) get(seq uint32) *waiter {
	for i, q := range s.seqs {
		if q == seq {
			return s.waiters[i]
		}
	}
	return nil
}

// add adds w, whose sequence number the set does not hold yet.
func (s *waiterSet) add(w *waiter) {
	s.seqs = append(s.seqs, w.seq)
	s.waiters = append(s.waiters, w)
}

// remove removes the transaction of sequence number seq, if any.
func (s *waiterSet) remove(seq uint32) {
	for i, q := range s.seqs {
		if q == seq {
			s.removeAt(i)
			return
		}
	}
}

// removeAt removes the i-th transaction, moving the last one in its place.
func (s *waiterSet) removeAt(i int) {
	last := len(s.seqs) - 1
	s.seqs[i], s.waiters[i] = s.seqs[last], s.waiters[last]
	s.waiters[last] = nil
	s.seqs, s.waiters = s.seqs[:last], s.waiters[:last]
}

// removeIf removes the transactions for which drop is true, and returns
// how many it removed.
func (s *waiterSet) removeIf(drop func(*waiter) bool) int {
	n := 0
	for i := 0; i < len(s.seqs); {
		if drop(s.waiters[i]) {
			s.removeAt(i)
			n++
			continue
		}
		i++
	}
	return n
}
