//go:build linux

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/netlinkgo/netlink"
	"golang.org/x/sys/unix"
)

// runMonitor runs "nlctl monitor": it prints the notifications of the
// given groups until ctx is done, which ends it successfully. One Conn
// joins every group; the PacketInfo option makes the kernel say which
// group each notification came from, even above group 32.
func runMonitor(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("monitor")
	capture := fs.String("w", "", "")
	timeoutText := timeoutFlag(fs)
	pos, err := parseFlags(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return &usageError{msg: "monitor needs a FAMILY and at least one GROUP", full: true}
	}
	timeout, err := checkTimeout(*timeoutText)
	if err != nil {
		return err
	}
	s, err := openSession(ctx, pos[0], *capture, -1, timeout)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := s.Close(); err == nil {
			err = cerr
		}
	}()

	var labels []string
	for _, name := range pos[1:] {
		g, err := s.schema.parseGroup(name)
		if err != nil {
			return badUsage("%v", err)
		}
		if err := s.conn.JoinGroup(g); err != nil {
			return fmt.Errorf("joining group %s: %w", groupLabel(s.schema, g), err)
		}
		labels = append(labels, groupLabel(s.schema, g))
	}
	if err := s.conn.SetOption(netlink.PacketInfo, true); err != nil {
		return fmt.Errorf("asking for the group of each message: %w", err)
	}
	fmt.Fprintf(stderr, "nlctl: monitoring %s: %s; interrupt to stop\n", pos[0], strings.Join(labels, ", "))

	bw := bufio.NewWriter(stdout)
	for {
		msgs, origin, err := s.conn.ReceiveFrom(ctx)
		switch {
		case ctx.Err() != nil:
			return bw.Flush()
		case errors.Is(err, unix.ENOBUFS):
			// The socket overran: some notifications are lost, but the
			// monitor can go on.
			fmt.Fprintf(stderr, "nlctl: notifications lost: %v\n", err)
			continue
		case err != nil:
			bw.Flush()
			return fmt.Errorf("receiving: %w", err)
		}
		extra := "group=" + groupLabel(s.schema, origin.Group)
		if origin.PortID != 0 {
			extra += fmt.Sprintf(" from=%d", origin.PortID)
		}
		for _, m := range msgs {
			writeMessage(bw, s.schema, m, extra)
		}
		if err := bw.Flush(); err != nil {
			return err
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
