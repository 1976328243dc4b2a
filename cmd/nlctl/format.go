//go:build linux

package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/netlinkgo/netlink"
)

// A valueKind says how to show an attribute's payload.
type valueKind int

const (
	kindAuto    valueKind = iota // guess: integer, string, nested list or hex
	kindNested                   // a list of attributes
	kindString                   // text, NUL-terminated or not
	kindHWAddr                   // a link-layer address, shown aa:bb:cc
	kindIP                       // an IPv4 or IPv6 address
	kindUint                     // an unsigned integer of 1, 2, 4 or 8 bytes
	kindU32List                  // an array of 32-bit integers
	kindU64List                  // an array of 64-bit integers
	kindBinary                   // raw bytes, shown in hex
)

// An attrSpace names the attributes of one nesting level and says how to
// show their values. A nil *attrSpace knows nothing: every value is
// guessed.
type attrSpace struct {
	names    map[uint16]string
	kinds    map[uint16]valueKind
	children map[uint16]*attrSpace // the spaces of nested attributes

	// elem, when set, makes the level an array: every attribute, whatever
	// its type (an index), is a nested list in space elem.
	elem *attrSpace
}

// name returns the name of attribute typ, or "".
func (s *attrSpace) name(typ uint16) string {
	if s == nil || s.elem != nil {
		return ""
	}
	return s.names[typ]
}

// kind returns how to show attribute typ.
func (s *attrSpace) kind(typ uint16) valueKind {
	switch {
	case s == nil:
		return kindAuto
	case s.elem != nil:
		return kindNested
	case s.children[typ] != nil:
		return kindNested
	}
	return s.kinds[typ]
}

// child returns the space of the attributes nested in attribute typ.
func (s *attrSpace) child(typ uint16) *attrSpace {
	switch {
	case s == nil:
		return nil
	case s.elem != nil:
		return s.elem
	}
	return s.children[typ]
}

// lookup returns the type of the attribute called name (case-insensitive).
func (s *attrSpace) lookup(name string) (uint16, bool) {
	if s == nil {
		return 0, false
	}
	for typ, n := range s.names {
		if strings.EqualFold(n, name) {
			return typ, true
		}
	}
	return 0, false
}

// maxDepth bounds the nesting that writeAttributes follows, so that a
// crafted message cannot recurse without end.
const maxDepth = 16

// maxHexBytes is how much of a long binary payload is shown.
const maxHexBytes = 32

// writeAttributes writes the attribute list b as a tree, one attribute per
// line, indented by two spaces per depth. A list that does not parse is
// shown in hex with the reason.
func writeAttributes(w io.Writer, b []byte, space *attrSpace, depth int) {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		fmt.Fprintf(w, "%s(malformed attributes: %v) %s\n", indent(depth), err, formatHex(b))
		return
	}
	for ad.Next() {
		typ, flags := ad.Type(), ad.TypeFlags()
		ad.Do(func(data []byte) error {
			writeAttribute(w, space, typ, flags, data, depth)
			return nil
		})
	}
	if err := ad.Err(); err != nil {
		fmt.Fprintf(w, "%s(malformed attributes: %v)\n", indent(depth), err)
	}
}

// writeAttribute writes one attribute, and its children if it is nested.
func writeAttribute(w io.Writer, space *attrSpace, typ, flags uint16, data []byte, depth int) {
	label := attrLabel(space, typ, flags)
	kind := space.kind(typ)
	nested := kind == kindNested || flags&netlink.Nested != 0 ||
		(kind == kindAuto && looksNested(data))
	if nested && depth < maxDepth {
		if len(data) == 0 {
			fmt.Fprintf(w, "%s%s: (empty)\n", indent(depth), label)
			return
		}
		if validList(data) {
			fmt.Fprintf(w, "%s%s:\n", indent(depth), label)
			writeAttributes(w, data, space.child(typ), depth+1)
			return
		}
		// Declared nested but not a valid list: show the bytes.
		kind = kindBinary
	}
	fmt.Fprintf(w, "%s%s: %s\n", indent(depth), label, formatValue(data, kind, flags&netlink.NetByteOrder != 0))
}

// attrLabel returns "NAME (typ)", or just the number for an attribute
// without a name ("[typ]" for an array element), followed by the type
// flags that are set.
func attrLabel(space *attrSpace, typ, flags uint16) string {
	var label string
	switch name := space.name(typ); {
	case space != nil && space.elem != nil:
		label = "[" + strconv.Itoa(int(typ)) + "]"
	case name != "":
		label = name + " (" + strconv.Itoa(int(typ)) + ")"
	default:
		label = strconv.Itoa(int(typ))
	}
	if flags&netlink.Nested != 0 {
		label += " [nested]"
	}
	if flags&netlink.NetByteOrder != 0 {
		label += " [net-byte-order]"
	}
	return label
}

// indent returns the indentation of depth.
func indent(depth int) string { return strings.Repeat("  ", depth) }

// formatValue renders a payload as kind says; kindAuto picks whichever of
// integer, string or hex fits. netOrder marks big-endian integers.
func formatValue(b []byte, kind valueKind, netOrder bool) string {
	if len(b) == 0 {
		return "(empty)"
	}
	var order binary.ByteOrder = binary.NativeEndian
	if netOrder {
		order = binary.BigEndian
	}
	switch kind {
	case kindString:
		return strconv.Quote(string(bytes.TrimRight(b, "\x00")))
	case kindHWAddr:
		return formatHWAddr(b)
	case kindIP:
		if a, ok := netip.AddrFromSlice(b); ok {
			return a.String()
		}
	case kindUint:
		if s, ok := formatUint(b, order); ok {
			return s
		}
	case kindU32List:
		if len(b)%4 == 0 {
			return formatList(b, 4, order)
		}
	case kindU64List:
		if len(b)%8 == 0 {
			return formatList(b, 8, order)
		}
	case kindAuto:
		switch len(b) {
		case 1, 2:
			s, _ := formatUint(b, order)
			return s
		case 4, 8:
			if looksShortString(b) {
				return strconv.Quote(string(bytes.TrimRight(b, "\x00")))
			}
			s, _ := formatUint(b, order)
			return s
		}
		if looksString(b) {
			return strconv.Quote(string(bytes.TrimRight(b, "\x00")))
		}
	}
	return formatHex(b)
}

// formatUint renders a 1, 2, 4 or 8-byte integer in decimal, adding hex
// when it is large enough for hex to say more (masks, flags, -1).
func formatUint(b []byte, order binary.ByteOrder) (string, bool) {
	var v uint64
	switch len(b) {
	case 1:
		v = uint64(b[0])
	case 2:
		v = uint64(order.Uint16(b))
	case 4:
		v = uint64(order.Uint32(b))
	case 8:
		v = order.Uint64(b)
	default:
		return "", false
	}
	s := strconv.FormatUint(v, 10)
	if v > 0xffff {
		s += " (0x" + strconv.FormatUint(v, 16) + ")"
	}
	return s, true
}

// formatList renders an array of size-byte integers as "[a b c]".
func formatList(b []byte, size int, order binary.ByteOrder) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i := 0; i+size <= len(b); i += size {
		if i > 0 {
			sb.WriteByte(' ')
		}
		var v uint64
		if size == 4 {
			v = uint64(order.Uint32(b[i:]))
		} else {
			v = order.Uint64(b[i:])
		}
		sb.WriteString(strconv.FormatUint(v, 10))
	}
	sb.WriteByte(']')
	return sb.String()
}

// formatHWAddr renders a link-layer address as colon-separated hex.
func formatHWAddr(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02x", c)
	}
	return sb.String()
}

// formatHex renders bytes as "[N bytes] 0011aabb ccdd", in groups of four,
// cut after maxHexBytes.
func formatHex(b []byte) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "[%d bytes]", len(b))
	for i := 0; i < len(b) && i < maxHexBytes; i += 4 {
		fmt.Fprintf(&sb, " %x", b[i:min(i+4, len(b))])
	}
	if len(b) > maxHexBytes {
		sb.WriteString(" ...")
	}
	return sb.String()
}

// looksString reports whether b is plausibly a NUL-terminated string:
// printable UTF-8 followed by one or more NULs, and nothing else.
func looksString(b []byte) bool {
	if len(b) < 2 || b[len(b)-1] != 0 {
		return false
	}
	s := bytes.TrimRight(b, "\x00")
	if len(s) == 0 || !utf8.Valid(s) {
		return false
	}
	for _, r := range string(s) {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// looksShortString reports whether a 4 or 8-byte payload, which is more
// likely an integer, is a string after all: at least three letters, digits
// or punctuation and NUL padding (such as "gre" or "noqueue").
func looksShortString(b []byte) bool {
	s := bytes.TrimRight(b, "\x00")
	if len(s) < 3 || len(s) == len(b) {
		return false
	}
	for _, c := range s {
		if c < '!' || c > '~' {
			return false
		}
	}
	return true
}

// maxGuessedType bounds the attribute types that looksNested accepts:
// real attribute spaces are small, random bytes are not.
const maxGuessedType = 1024

// looksNested reports whether a payload with no known layout is plausibly
// a list of attributes. It is conservative: integers (1, 2, 4 or 8 bytes)
// and strings are never taken for lists, and every attribute must have a
// non-zero length and a small type.
func looksNested(b []byte) bool {
	switch len(b) {
	case 0, 1, 2, 4, 8:
		return false
	}
	if looksString(b) {
		return false
	}
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil || ad.Len() == 0 {
		return false
	}
	n := 0
	for ad.Next() {
		n++
		if ad.Type() >= maxGuessedType {
			return false
		}
	}
	// Len leaves out zero-length attributes, which real lists do not hold.
	return ad.Err() == nil && n == ad.Len()
}

// validList reports whether b is a well-formed attribute list: the
// decoder reports a bad length only once it reaches it.
func validList(b []byte) bool {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return false
	}
	for ad.Next() {
	}
	return ad.Err() == nil
}
