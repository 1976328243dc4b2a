//go:build linux

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/netlinkgo/netlink"
	"golang.org/x/sys/unix"
)

// A notification is what one receive on a group's Conn gave.
type notification struct {
	group uint32
	msgs  []netlink.Message
	err   error
}

// runMonitor runs "nlctl monitor": it prints the notifications of the
// given groups until ctx is done, which ends it successfully.
//
// Each group gets a Conn of its own, so that every notification is shown
// with the group it came from: the Conn's Receive does not report the
// origin of a message.
func runMonitor(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("monitor")
	capture := fs.String("w", "", "")
	pos, err := parseFlags(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return &usageError{msg: "monitor needs a FAMILY and at least one GROUP", full: true}
	}
	s, err := openSession(ctx, pos[0], *capture, -1)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := s.Close(); err == nil {
			err = cerr
		}
	}()

	var groups []uint32
	for _, name := range pos[1:] {
		g, err := s.schema.parseGroup(name)
		if err != nil {
			return badUsage("%v", err)
		}
		groups = append(groups, g)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	conns := make([]*netlink.Conn, len(groups))
	for i, g := range groups {
		c := s.conn
		if i > 0 {
			if c, err = s.dial(); err != nil {
				return err
			}
			defer c.Close()
		}
		if err := c.JoinGroup(g); err != nil {
			return fmt.Errorf("joining group %s: %w", groupLabel(s.schema, g), err)
		}
		conns[i] = c
	}
	labels := make([]string, len(groups))
	for i, g := range groups {
		labels[i] = groupLabel(s.schema, g)
	}
	fmt.Fprintf(stderr, "nlctl: monitoring %s: %s; interrupt to stop\n", pos[0], strings.Join(labels, ", "))

	ch := make(chan notification)
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel, which the deferred calls run first
	defer cancel()
	for i, c := range conns {
		wg.Go(func() { receiveGroup(ctx, c, groups[i], ch) })
	}

	bw := bufio.NewWriter(stdout)
	for {
		var n notification
		select {
		case n = <-ch:
		case <-ctx.Done():
			return bw.Flush()
		}
		if n.err != nil {
			if errors.Is(n.err, unix.ENOBUFS) {
				// The socket overran: some notifications are lost, but
				// the monitor can go on.
				fmt.Fprintf(stderr, "nlctl: notifications lost: %v\n", n.err)
				continue
			}
			if ctx.Err() != nil {
				return bw.Flush()
			}
			bw.Flush()
			return fmt.Errorf("receiving from group %s: %w", groupLabel(s.schema, n.group), n.err)
		}
		extra := "group=" + groupLabel(s.schema, n.group)
		for _, m := range n.msgs {
			writeMessage(bw, s.schema, m, extra)
		}
		if err := bw.Flush(); err != nil {
			return err
		}
	}
}

// receiveGroup sends what c receives to ch until ctx is done or an error
// other than an overrun ends it.
func receiveGroup(ctx context.Context, c *netlink.Conn, group uint32, ch chan<- notification) {
	for {
		msgs, err := c.ReceiveContext(ctx)
		select {
		case ch <- notification{group: group, msgs: msgs, err: err}:
		case <-ctx.Done():
			return
		}
		if err != nil && !errors.Is(err, unix.ENOBUFS) {
			return
		}
	}
}

// groupLabel returns "name(n)", or n for a group without a name.
func groupLabel(s schema, g uint32) string {
	if name := s.groupName(g); name != "" {
		return fmt.Sprintf("%s(%d)", name, g)
	}
	return fmt.Sprint(g)
}
