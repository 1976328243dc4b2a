//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"golang.org/x/sys/unix"
)

// A target is the netlink family that a command talks to.
type target struct {
	protocol int    // the netlink protocol (NETLINK_*)
	schema   schema // how to read its messages

	// genl is set for generic netlink families: nlctrl's description of
	// the family.
	genl *genlSchema
}

// dial opens a netlink socket of protocol, asking the kernel to explain
// its errors (extended acknowledgements) where it can.
func dial(protocol int, config *netlink.Config) (*netlink.Conn, error) {
	c, err := netlink.Dial(protocol, config)
	if err != nil {
		name := protocolName(protocol)
		if name == "" {
			name = "protocol " + strconv.Itoa(protocol)
		}
		return nil, fmt.Errorf("opening a netlink socket for %s: %w", name, err)
	}
	// Old kernels lack the option; the errors are only less detailed.
	_ = c.SetOption(netlink.ExtendedAcknowledge, true)
	return c, nil
}

// A session is a Conn to a target and, with -w, the capture of its
// traffic.
type session struct {
	target
	conn   *netlink.Conn
	config *netlink.Config
	pcap   *pcapFile // nil without a capture
}

// openSession resolves name, a netlink protocol name or number or the name
// of a generic netlink family, and opens a Conn to it, recording its
// traffic in a pcap file at capturePath unless that is empty. hdrlen, if
// not negative, overrides the size of the family's fixed header. The
// lookup of a generic family is bounded by timeout.
func openSession(ctx context.Context, name, capturePath string, hdrlen int, timeout requestTimeout) (*session, error) {
	t, genlName := parseTarget(name)
	s := &session{target: t, config: &netlink.Config{}}
	if capturePath != "" {
		p, err := createPcap(capturePath, t.protocol)
		if err != nil {
			return nil, err
		}
		s.pcap = p
		s.config.Capture = p
	}
	c, err := dial(t.protocol, s.config)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.conn = c
	if genlName != "" {
		var f genl.Family
		err := timeout.do(ctx, func(ctx context.Context) (err error) {
			f, err = genl.NewClient(c).Family(ctx, genlName)
			return err
		})
		if err != nil {
			s.Close()
			if errors.Is(err, unix.ENOENT) {
				return nil, fmt.Errorf("unknown family %q: not a netlink protocol nor a generic netlink family", name)
			}
			return nil, fmt.Errorf("looking up generic netlink family %q: %w", genlName, err)
		}
		if hdrlen >= 0 {
			// For a generic family, the fixed header is the family's own,
			// after the genlmsghdr.
			f.HeaderSize = uint32(hdrlen)
		}
		s.genl = newGenlSchema(f)
		s.schema = s.genl
	} else if hdrlen >= 0 {
		s.schema = withHeaderLen{schema: s.schema, n: hdrlen}
	}
	return s, nil
}

// Close closes the Conn, then the capture, and returns the capture's
// error: the Conn's would say nothing useful.
func (s *session) Close() error {
	if s.conn != nil {
		s.conn.Close()
	}
	if s.pcap != nil {
		return s.pcap.Close()
	}
	return nil
}

// parseTarget returns the target that name gives without asking the
// kernel, and the generic netlink family to look up, if any.
func parseTarget(name string) (target, string) {
	if v, ok := parseNumber(name, 31); ok {
		if v == unix.NETLINK_GENERIC {
			return target{protocol: int(v)}, "nlctrl"
		}
		return target{protocol: int(v), schema: schemaOf(int(v))}, ""
	}
	for _, p := range protocols {
		if p.name == name {
			if p.number == unix.NETLINK_GENERIC {
				return target{protocol: p.number}, "nlctrl"
			}
			return target{protocol: p.number, schema: schemaOf(p.number)}, ""
		}
	}
	return target{protocol: unix.NETLINK_GENERIC}, name
}

// schemaOf returns the schema of a netlink protocol other than generic
// netlink.
func schemaOf(protocol int) schema {
	switch protocol {
	case unix.NETLINK_ROUTE:
		return routeSchema{}
	case unix.NETLINK_NETFILTER:
		return netfilterSchema{}
	case unix.NETLINK_SOCK_DIAG:
		return sockDiagSchema{}
	}
	return rawSchema{}
}
