//go:build linux

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/netlinkgo/netlink/internal/genl"
	"golang.org/x/sys/unix"
)

// usage is the help text of nlctl.
const usage = `nlctl explores netlink from the command line.

Usage:
  nlctl families [-json] [-policy] [-timeout D] [NAME...]
      List the generic netlink families: ID, version, header size, maximum
      attribute, operations with their flags, and multicast groups. -policy
      adds the attribute policy of each operation where the kernel reports
      it (always included with -json).

  nlctl dump [flags] FAMILY TYPE
      Send a request and print each reply: a header line, the family's
      fixed header and the attribute tree.
        FAMILY  route, generic (nlctrl), a generic netlink family by name
                (nl80211, ethtool, ...), netfilter, sock_diag, xfrm, audit,
                any other netlink protocol name, or a protocol number.
        TYPE    route: a message type such as getlink, RTM_GETADDR,
                getroute, getneigh, getrule, getqdisc, or a number;
                generic families: a command number, or for nlctrl a name
                such as getfamily; netfilter: SUBSYSTEM:MESSAGE such as
                nftables:1, or a number; others: a number up to 65535.
      Flags (before or after the arguments):
        -dump=false       send a plain request (default: request|dump)
        -flags F          header flags, replacing -dump: names joined by |
                          (request, ack, echo, root, match, atomic, dump,
                          replace, excl, create, append) or a number up
                          to 0xffff
        -attr T:KIND:V    add an attribute (repeatable); T is a number up
                          to 65535 or a name such as IFLA_IFNAME; KIND is
                          u8, u16, u32, u64, s32, string, hex or flag
        -header HEX       the fixed header to send, in hex (default: zeros
                          of the size the family and type call for)
        -hdrlen N         the fixed header's size, for families nlctl does
                          not know
        -w FILE           also write the traffic to FILE as a pcap capture
        -timeout D        how long to wait for each answer, such as 500ms
                          or 10s (default 5s; 0 waits without limit)
      The kernel drops some messages without an answer: those without the
      request flag, those of a control type (below 16), and rtnetlink or
      netfilter requests without a header. nlctl refuses them (status 2)
      unless -flags includes ack, which makes the kernel acknowledge them.
      Other requests that go unanswered fail after -timeout (status 1).

  nlctl monitor [-w FILE] [-timeout D] FAMILY GROUP...
      Join multicast groups and print notifications as they arrive, until
      interrupted (Ctrl-C). GROUP is a number or a name: for route, link,
      neigh, ipv4-ifaddr, ipv4-route, ipv6-route, ...; for a generic
      family, one of its groups (see nlctl families); for netfilter,
      conntrack-new, nftables, ... -timeout bounds the lookup of a generic
      family, not the wait for notifications.

Examples:
  nlctl families
  nlctl dump route getlink
  nlctl dump nlctrl getfamily -w nlctrl.pcap
  nlctl dump route getlink -dump=false -attr IFLA_IFNAME:string:lo
  nlctl dump route getlink -flags request|ack -timeout 1s
  nlctl monitor route link ipv4-ifaddr
  nlctl monitor nlctrl notify

Exit status:
  0  success; a monitor also ends with 0 when interrupted
  1  failure: the kernel refused a request or did not answer within
     -timeout, the request was interrupted, or a file could not be
     written
  2  bad arguments, reported before anything is sent
`

// A usageError is a mistake in the command line. Its message is printed
// with a pointer to the usage, or with the usage itself when full is set.
type usageError struct {
	msg  string
	full bool
}

func (e *usageError) Error() string { return e.msg }

// badUsage returns a usageError with a formatted message.
func badUsage(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run runs nlctl with args (without the program name), writing results to
// stdout and diagnostics to stderr, and returns the exit status. Cancelling
// ctx stops a monitor, which then succeeds.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	case "families":
		err = runFamilies(ctx, rest, stdout)
	case "dump":
		err = runDump(ctx, rest, stdout)
	case "monitor":
		err = runMonitor(ctx, rest, stdout, stderr)
	default:
		err = &usageError{msg: fmt.Sprintf("unknown command %q", cmd), full: true}
	}
	return report(err, stderr)
}

// report prints err, if any, as one line on stderr (and the usage for a
// command line that made no sense) and returns the exit status.
func report(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "nlctl: %s\n", ue.msg)
		if ue.full {
			fmt.Fprint(stderr, "\n"+usage)
		} else {
			fmt.Fprintln(stderr, "Run 'nlctl -h' for usage.")
		}
		return 2
	}
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		msg += " (try as root, or with CAP_NET_ADMIN)"
	}
	fmt.Fprintf(stderr, "nlctl: %s\n", msg)
	return 1
}

// parseFlags parses args with fs, letting flags and positional arguments
// mix (package flag stops at the first positional argument), and returns
// the positional arguments. A request for help prints the usage to stdout
// and returns flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, usage)
				return nil, err
			}
			return nil, &usageError{msg: err.Error()}
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			// Package flag consumed the terminator: the rest is positional.
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints nothing itself: parseFlags and report do.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// timeoutFlag defines -timeout in fs.
func timeoutFlag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("timeout", defaultTimeout, "")
}

// checkTimeout returns the request timeout that -timeout gave, or a usage
// error for a negative one.
func checkTimeout(d time.Duration) (requestTimeout, error) {
	if d < 0 {
		return 0, badUsage("bad -timeout %v: want a duration such as 5s, or 0 for no limit", d)
	}
	return requestTimeout(d), nil
}

// runFamilies runs "nlctl families".
func runFamilies(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("families")
	asJSON := fs.Bool("json", false, "")
	withPolicy := fs.Bool("policy", false, "")
	timeoutText := timeoutFlag(fs)
	names, err := parseFlags(fs, args, stdout)
	if err != nil {
		return err
	}
	timeout, err := checkTimeout(*timeoutText)
	if err != nil {
		return err
	}
	c, err := dial(unix.NETLINK_GENERIC, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	families, err := listFamilies(ctx, genl.NewClient(c), timeout, *asJSON || *withPolicy)
	if err != nil {
		return fmt.Errorf("listing generic netlink families: %w", err)
	}
	if len(names) > 0 {
		var picked []genlFamily
		for _, name := range names {
			i := indexFamily(families, name)
			if i < 0 {
				return fmt.Errorf("unknown generic netlink family %q", name)
			}
			picked = append(picked, families[i])
		}
		families = picked
	}
	if *asJSON {
		return writeFamiliesJSON(stdout, families)
	}
	return writeFamiliesText(stdout, families, *withPolicy)
}

// indexFamily returns the index of the family called name, or -1.
func indexFamily(families []genlFamily, name string) int {
	for i, f := range families {
		if f.Name == name {
			return i
		}
	}
	return -1
}
