//go:build linux

package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/netlinkgo/netlink"
	"golang.org/x/sys/unix"
)

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// dumpOptions are the command line of "nlctl dump".
type dumpOptions struct {
	family, typ string
	flags       netlink.HeaderFlags
	attrs       []string
	header      []byte // nil: the schema's zeroed header
	hdrlen      int    // -1: the schema's
	capture     string
	timeout     requestTimeout
}

// parseDumpArgs parses the command line of "nlctl dump".
func parseDumpArgs(args []string, stdout io.Writer) (dumpOptions, error) {
	fs := newFlagSet("dump")
	dump := fs.Bool("dump", true, "")
	flagsText := fs.String("flags", "", "")
	var attrs stringList
	fs.Var(&attrs, "attr", "")
	header := fs.String("header", "", "")
	hdrlen := fs.Int("hdrlen", -1, "")
	capture := fs.String("w", "", "")
	timeout := timeoutFlag(fs)
	pos, err := parseFlags(fs, args, stdout)
	if err != nil {
		return dumpOptions{}, err
	}
	if len(pos) != 2 {
		return dumpOptions{}, &usageError{msg: "dump needs a FAMILY and a TYPE", full: true}
	}
	o := dumpOptions{family: pos[0], typ: pos[1], attrs: attrs, hdrlen: *hdrlen, capture: *capture}
	if o.timeout, err = checkTimeout(*timeout); err != nil {
		return dumpOptions{}, err
	}
	o.flags = netlink.Request
	if *dump {
		o.flags |= netlink.Dump
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["flags"] {
		if o.flags, err = parseHeaderFlags(*flagsText); err != nil {
			return dumpOptions{}, err
		}
	}
	if set["header"] {
		h := strings.NewReplacer(" ", "", ":", "", "0x", "").Replace(*header)
		if o.header, err = hex.DecodeString(h); err != nil {
			return dumpOptions{}, badUsage("bad -header %q: %v", *header, err)
		}
	}
	if o.hdrlen < -1 {
		return dumpOptions{}, badUsage("bad -hdrlen %d", o.hdrlen)
	}
	return o, nil
}

// headerFlagNames names the header flags that -flags accepts.
var headerFlagNames = map[string]netlink.HeaderFlags{
	"request": netlink.Request, "multi": netlink.Multi, "ack": netlink.Acknowledge,
	"acknowledge": netlink.Acknowledge, "echo": netlink.Echo, "root": netlink.Root,
	"match": netlink.Match, "atomic": netlink.Atomic, "dump": netlink.Dump,
	"replace": netlink.Replace, "excl": netlink.Excl, "create": netlink.Create,
	"append": netlink.Append,
}

// parseHeaderFlags parses flag names joined by "|" or ",", or a number.
func parseHeaderFlags(s string) (netlink.HeaderFlags, error) {
	if v, ok := parseNumber(s, 16); ok {
		return netlink.HeaderFlags(v), nil
	}
	if err := rangeError("-flags", s, 16); err != nil {
		return 0, badUsage("%v: header flags are 16 bits", err)
	}
	var flags netlink.HeaderFlags
	for name := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == '|' || r == ',' }) {
		f, ok := headerFlagNames[strings.ToLower(strings.TrimSpace(name))]
		if !ok {
			return 0, badUsage("unknown header flag %q in -flags", name)
		}
		flags |= f
	}
	return flags, nil
}

// runDump runs "nlctl dump".
func runDump(ctx context.Context, args []string, stdout io.Writer) (err error) {
	o, err := parseDumpArgs(args, stdout)
	if err != nil {
		return err
	}
	s, err := openSession(ctx, o.family, o.capture, o.hdrlen, o.timeout)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := s.Close(); err == nil {
			err = cerr
		}
	}()

	req, err := buildRequest(s.target, o)
	if err != nil {
		return err
	}
	if err := checkAnswerable(s.protocol, req); err != nil {
		return err
	}
	var msgs []netlink.Message
	err = o.timeout.do(ctx, func(ctx context.Context) (err error) {
		msgs, err = s.conn.ExecuteContext(ctx, req)
		return err
	})
	if err != nil {
		return fmt.Errorf("dump %s %s: %w", o.family, o.typ, err)
	}
	bw := bufio.NewWriter(stdout)
	for _, m := range msgs {
		writeMessage(bw, s.schema, m, "")
	}
	return bw.Flush()
}

// buildRequest returns the request that o asks of target t.
func buildRequest(t target, o dumpOptions) (netlink.Message, error) {
	var (
		typ  netlink.HeaderType
		data []byte
		err  error
	)
	if t.genl != nil {
		// The type is the family; TYPE is the command in the genlmsghdr,
		// which -header does not replace: it gives the family's own header.
		cmd, err := t.genl.parseCommand(o.typ)
		if err != nil {
			return netlink.Message{}, badUsage("%v", err)
		}
		typ = netlink.HeaderType(t.genl.family.ID)
		data = t.genl.requestHeader(typ)
		data[0] = cmd
		if o.header != nil {
			data = append(data, o.header...)
		} else {
			data = append(data, make([]byte, t.genl.family.HeaderSize)...)
		}
	} else {
		if typ, err = t.schema.parseType(o.typ); err != nil {
			return netlink.Message{}, badUsage("%v", err)
		}
		data = t.schema.requestHeader(typ)
		if o.header != nil {
			data = o.header
		}
	}
	space, _ := t.schema.attributes(typ)
	attrs, err := encodeAttributes(o.attrs, space)
	if err != nil {
		return netlink.Message{}, err
	}
	return netlink.Message{
		Header: netlink.Header{Type: typ, Flags: o.flags},
		Data:   append(data, attrs...),
	}, nil
}

// checkAnswerable returns a usage error for a request to protocol that
// the kernel would drop without answering, leaving nlctl nothing to wait
// for: netlink_rcv_skb skips messages that are not requests and control
// messages, and rtnetlink and nfnetlink skip requests without a header
// (the kernel reads a payload of 1 to 3 bytes as padded to 4). Each is acknowledged all the same when it asks for an
// acknowledgement, so the Acknowledge flag lets them through.
func checkAnswerable(protocol int, m netlink.Message) error {
	h := m.Header
	if h.Flags&netlink.Acknowledge != 0 {
		return nil
	}
	if h.Flags&netlink.Request == 0 {
		return badUsage("header flags %s lack request: the kernel does not answer a message that is not a request (add request to -flags, or ack to get an acknowledgement alone)", flagNames(h.Flags))
	}
	if h.Type < 16 {
		return badUsage("message type %d is a netlink control message (NLMSG_*, below 16), which the kernel does not answer (add ack to -flags to get an acknowledgement)", h.Type)
	}
	var header string
	switch protocol {
	case unix.NETLINK_ROUTE:
		header = "struct rtgenmsg at least"
	case unix.NETLINK_NETFILTER:
		header = "struct nfgenmsg"
	}
	if header != "" && len(m.Data) == 0 {
		return badUsage("the payload is empty: the kernel ignores %s requests without a header (%s); fix -header or -hdrlen, or add ack to -flags to get an acknowledgement",
			protocolName(protocol), header)
	}
	return nil
}

// flagNames shows header flags as -flags takes them: names joined by |,
// with the meanings of a get request, and other bits in hex.
func flagNames(f netlink.HeaderFlags) string {
	if f == 0 {
		return "0"
	}
	var names []string
	for _, n := range []struct {
		bit  netlink.HeaderFlags
		name string
	}{
		{netlink.Request, "request"}, {netlink.Multi, "multi"}, {netlink.Acknowledge, "ack"}, {netlink.Echo, "echo"},
		{netlink.Dump, "dump"}, {netlink.Root, "root"}, {netlink.Match, "match"}, {netlink.Atomic, "atomic"},
	} {
		if f&n.bit == n.bit {
			names = append(names, n.name)
			f &^= n.bit
		}
	}
	if f != 0 {
		names = append(names, fmt.Sprintf("%#x", uint16(f)))
	}
	return strings.Join(names, "|")
}

// encodeAttributes encodes -attr values, TYPE:KIND:VALUE, where TYPE is a
// number or a name in space.
func encodeAttributes(specs []string, space *attrSpace) ([]byte, error) {
	ae := netlink.NewAttributeEncoder()
	for _, spec := range specs {
		parts := strings.SplitN(spec, ":", 3)
		if len(parts) < 2 || (len(parts) == 2 && parts[1] != "flag") {
			return nil, badUsage("bad -attr %q: want TYPE:KIND:VALUE", spec)
		}
		typ, ok := space.lookup(parts[0])
		if !ok {
			v, isNum := parseNumber(parts[0], 16)
			if !isNum {
				if err := rangeError("attribute type", parts[0], 16); err != nil {
					return nil, badUsage("bad -attr %q: %v", spec, err)
				}
				return nil, badUsage("bad -attr %q: unknown attribute %q", spec, parts[0])
			}
			typ = uint16(v)
		}
		kind, value := parts[1], ""
		if len(parts) == 3 {
			value = parts[2]
		}
		if err := encodeAttribute(ae, typ, kind, value); err != nil {
			return nil, badUsage("bad -attr %q: %v", spec, err)
		}
	}
	return ae.Encode()
}

// encodeAttribute adds one attribute of the given kind to ae.
func encodeAttribute(ae *netlink.AttributeEncoder, typ uint16, kind, value string) error {
	bits := map[string]int{"u8": 8, "u16": 16, "u32": 32, "u64": 64}
	switch kind {
	case "u8", "u16", "u32", "u64":
		v, err := strconv.ParseUint(value, 0, bits[kind])
		if err != nil {
			return err
		}
		switch kind {
		case "u8":
			ae.Uint8(typ, uint8(v))
		case "u16":
			ae.Uint16(typ, uint16(v))
		case "u32":
			ae.Uint32(typ, uint32(v))
		default:
			ae.Uint64(typ, v)
		}
	case "s32":
		v, err := strconv.ParseInt(value, 0, 32)
		if err != nil {
			return err
		}
		ae.Int32(typ, int32(v))
	case "string":
		ae.String(typ, value)
	case "hex":
		b, err := hex.DecodeString(value)
		if err != nil {
			return err
		}
		ae.Bytes(typ, b)
	case "flag":
		ae.Flag(typ, true)
	default:
		return fmt.Errorf("unknown kind %q (want u8, u16, u32, u64, s32, string, hex or flag)", kind)
	}
	return nil
}
