//go:build linux

package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/netlinkgo/netlink"
)

// writeMessage writes one message: a header line (its type, flags,
// sequence number, port ID and length, then extra if not empty), the
// family's fixed header and the attribute tree, indented.
func writeMessage(w io.Writer, s schema, m netlink.Message, extra string) {
	h := m.Header
	fmt.Fprintf(w, "%s flags=%s seq=%d pid=%d len=%d", messageTypeName(s, h.Type), h.Flags, h.Sequence, h.PID, h.Length)
	if extra != "" {
		fmt.Fprintf(w, " %s", extra)
	}
	fmt.Fprintln(w)

	switch h.Type {
	case netlink.Error, netlink.Done:
		writeAck(w, m)
		return
	case netlink.Noop, netlink.Overrun:
		if len(m.Data) > 0 {
			fmt.Fprintf(w, "%s%s\n", indent(1), formatHex(m.Data))
		}
		return
	}

	n, desc := s.header(h.Type, m.Data)
	if desc != "" {
		fmt.Fprintf(w, "%s%s\n", indent(1), desc)
	}
	rest := m.Data[n:]
	if len(rest) == 0 {
		return
	}
	space, isAttrs := s.attributes(h.Type)
	if !isAttrs && !looksNested(rest) {
		// Nothing says this is an attribute list: show the bytes.
		fmt.Fprintf(w, "%spayload %s\n", indent(1), formatHex(rest))
		return
	}
	writeAttributes(w, rest, space, 1)
}

// messageTypeName returns the name of a message type: a control type's
// name, the family's name for it, or its number.
func messageTypeName(s schema, t netlink.HeaderType) string {
	switch t {
	case netlink.Noop, netlink.Error, netlink.Done, netlink.Overrun:
		return t.String()
	}
	if name := s.typeName(t); name != "" {
		return name
	}
	return "type=" + strconv.Itoa(int(t))
}

// writeAck writes the content of an error or done message: its error code
// and whatever the extended acknowledgement carried.
func writeAck(w io.Writer, m netlink.Message) {
	a, err := netlink.ParseAck(m)
	if err != nil {
		fmt.Fprintf(w, "%s(malformed: %v) %s\n", indent(1), err, formatHex(m.Data))
		return
	}
	line := indent(1)
	if a.Errno == 0 {
		line += "errno=0 (ok)"
	} else {
		line += fmt.Sprintf("errno=%d (%v)", int(a.Errno), a.Errno)
	}
	if m.Header.Type == netlink.Error {
		line += fmt.Sprintf(" request: type=%d flags=%s seq=%d", a.Request.Type, a.Request.Flags, a.Request.Sequence)
	}
	if a.Message != "" {
		line += " message=" + strconv.Quote(a.Message)
	}
	if a.Offset != 0 {
		line += " offset=" + strconv.Itoa(a.Offset)
	}
	if a.HasMissingType {
		line += " missing-attribute=" + strconv.Itoa(int(a.MissingType))
	}
	fmt.Fprintln(w, line)
}
