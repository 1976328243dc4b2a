//go:build linux

package main

import (
	"encoding/binary"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/testkit"
	"golang.org/x/sys/unix"
)

// lines joins its arguments as lines of text, each ending in a newline.
func lines(l ...string) string { return strings.Join(l, "\n") + "\n" }

func TestWriteAttributes(t *testing.T) {
	tests := []struct {
		name  string
		space *attrSpace
		attrs func(ae *netlink.AttributeEncoder)
		raw   []byte // used instead of attrs when set
		want  string
	}{
		{
			name: "integers by size",
			attrs: func(ae *netlink.AttributeEncoder) {
				ae.Uint8(1, 7)
				ae.Uint16(2, 1500)
				ae.Uint32(3, 65536)
				ae.Uint64(4, 1<<40)
			},
			want: lines(
				"  1: 7",
				"  2: 1500",
				"  3: 65536 (0x10000)",
				"  4: 1099511627776 (0x10000000000)",
			),
		},
		{
			name:  "strings",
			attrs: func(ae *netlink.AttributeEncoder) { ae.String(1, "eth0"); ae.String(2, "gre"); ae.String(3, "noqueue") },
			want: lines(
				`  1: "eth0"`,
				`  2: "gre"`,
				`  3: "noqueue"`,
			),
		},
		{
			name:  "names and kinds from the space",
			space: linkSpace,
			attrs: func(ae *netlink.AttributeEncoder) {
				ae.String(unix.IFLA_IFNAME, "lo")
				ae.Uint32(unix.IFLA_MTU, 65536)
				ae.Bytes(unix.IFLA_ADDRESS, []byte{0x02, 0, 0, 0, 0, 0x01})
				ae.Uint32(999, 5)
			},
			want: lines(
				`  IFLA_IFNAME (3): "lo"`,
				"  IFLA_MTU (4): 65536 (0x10000)",
				"  IFLA_ADDRESS (1): 02:00:00:00:00:01",
				"  999: 5",
			),
		},
		{
			name:  "nested with the flag and by the space",
			space: linkSpace,
			attrs: func(ae *netlink.AttributeEncoder) {
				ae.Nested(unix.IFLA_LINKINFO, func(nae *netlink.AttributeEncoder) error {
					nae.String(unix.IFLA_INFO_KIND, "veth")
					return nil
				})
				// The kernel nests some attributes without the flag.
				ae.Do(unix.IFLA_AF_SPEC, func() ([]byte, error) {
					return netlink.MarshalAttributes([]netlink.Attribute{{
						Type: unix.AF_INET6,
						Data: testkit.Attributes(t, func(ae *netlink.AttributeEncoder) { ae.Bytes(unix.IFLA_INET6_TOKEN, make([]byte, 16)) }),
					}})
				})
			},
			want: lines(
				"  IFLA_LINKINFO (18) [nested]:",
				`    IFLA_INFO_KIND (1): "veth"`,
				"  IFLA_AF_SPEC (26):",
				"    AF_INET6 (10):",
				"      IFLA_INET6_TOKEN (7): ::",
			),
		},
		{
			name: "nested list found without flag or space",
			attrs: func(ae *netlink.AttributeEncoder) {
				ae.Do(5, func() ([]byte, error) {
					return testkit.Attributes(t, func(ae *netlink.AttributeEncoder) { ae.Uint32(1, 10); ae.String(2, "xy") }), nil
				})
			},
			want: lines(
				"  5:",
				"    1: 10",
				`    2: "xy"`,
			),
		},
		{
			name: "eight bytes stay an integer even if they parse as a list",
			attrs: func(ae *netlink.AttributeEncoder) {
				// Length 8, type 1, u32 payload 0: also a plausible list.
				ae.Bytes(6, []byte{8, 0, 1, 0, 0, 0, 0, 0})
			},
			want: lines("  6: 65544 (0x10008)"),
		},
		{
			name: "binary that is no list is shown in hex",
			attrs: func(ae *netlink.AttributeEncoder) {
				ae.Bytes(1, []byte{0xde, 0xad, 0xbe, 0xef, 0x01, 0x02})
				ae.Bytes(2, make([]byte, 40))
			},
			want: lines(
				"  1: [6 bytes] deadbeef 0102",
				"  2: [40 bytes] 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 ...",
			),
		},
		{
			name: "network byte order",
			attrs: func(ae *netlink.AttributeEncoder) {
				ae.Bytes(3|netlink.NetByteOrder, []byte{0x1f, 0x90})
			},
			want: lines("  3 [net-byte-order]: 8080"),
		},
		{
			name:  "arrays of nested elements",
			space: ctrlSpace,
			attrs: func(ae *netlink.AttributeEncoder) {
				ae.Uint16(unix.CTRL_ATTR_FAMILY_ID, 16)
				ae.Nested(unix.CTRL_ATTR_MCAST_GROUPS, func(nae *netlink.AttributeEncoder) error {
					nae.Nested(1, func(g *netlink.AttributeEncoder) error {
						g.String(unix.CTRL_ATTR_MCAST_GRP_NAME, "notify")
						g.Uint32(unix.CTRL_ATTR_MCAST_GRP_ID, 16)
						return nil
					})
					return nil
				})
			},
			want: lines(
				"  CTRL_ATTR_FAMILY_ID (1): 16",
				"  CTRL_ATTR_MCAST_GROUPS (7) [nested]:",
				"    [1] [nested]:",
				`      CTRL_ATTR_MCAST_GRP_NAME (1): "notify"`,
				"      CTRL_ATTR_MCAST_GRP_ID (2): 16",
			),
		},
		{
			name:  "lists, addresses and empty attributes",
			space: addrSpace,
			attrs: func(ae *netlink.AttributeEncoder) {
				ae.Bytes(unix.IFA_ADDRESS, []byte{192, 0, 2, 1})
				ae.Do(unix.IFA_CACHEINFO, func() ([]byte, error) {
					return binary.NativeEndian.AppendUint32(binary.NativeEndian.AppendUint32(nil, 1), 2), nil
				})
				ae.Flag(42, true)
			},
			want: lines(
				"  IFA_ADDRESS (1): 192.0.2.1",
				"  IFA_CACHEINFO (6): [1 2]",
				"  42: (empty)",
			),
		},
		{
			name:  "nested flag on a payload that is no list",
			attrs: func(ae *netlink.AttributeEncoder) { ae.Bytes(2|netlink.Nested, []byte{0xff, 0xff, 0xff, 0xff, 0xff}) },
			want:  lines("  2 [nested]: [5 bytes] ffffffff ff"),
		},
		{
			name: "malformed list",
			raw:  []byte{8, 0, 1, 0, 0, 0},
			want: lines("  (malformed attributes: invalid attribute; length too short or too large)"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.raw
			if b == nil {
				b = testkit.Attributes(t, tt.attrs)
			}
			var sb strings.Builder
			writeAttributes(&sb, b, tt.space, 1)
			if diff := cmp.Diff(tt.want, sb.String()); diff != "" {
				t.Errorf("writeAttributes mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteAttributesDepthLimit(t *testing.T) {
	// Nest far deeper than maxDepth: the tree stops at the limit and shows
	// the rest in hex, rather than recursing without end.
	b := testkit.Attributes(t, func(ae *netlink.AttributeEncoder) { ae.Uint32(1, 1) })
	for range maxDepth + 4 {
		b = testkit.Attributes(t, func(ae *netlink.AttributeEncoder) { ae.Bytes(1|netlink.Nested, b) })
	}
	var sb strings.Builder
	writeAttributes(&sb, b, nil, 0)
	got := strings.Split(strings.TrimSuffix(sb.String(), "\n"), "\n")
	if len(got) != maxDepth+1 {
		t.Fatalf("got %d lines, want %d:\n%s", len(got), maxDepth+1, sb.String())
	}
	if last := got[len(got)-1]; !strings.Contains(last, "bytes]") {
		t.Errorf("last line %q is not shown in hex", last)
	}
}

func TestFormatValue(t *testing.T) {
	tests := []struct {
		name     string
		b        []byte
		kind     valueKind
		netOrder bool
		want     string
	}{
		{name: "empty", b: nil, want: "(empty)"},
		{name: "u8", b: []byte{200}, want: "200"},
		{name: "u16 big endian", b: []byte{0x01, 0x02}, netOrder: true, want: "258"},
		{name: "u32 all ones", b: []byte{0xff, 0xff, 0xff, 0xff}, want: "4294967295 (0xffffffff)"},
		{name: "short string", b: []byte("sit\x00"), want: `"sit"`},
		{name: "integer with printable bytes and no NUL", b: []byte("abcd"), want: "1684234849 (0x64636261)"},
		{name: "string kind without NUL", b: []byte("abc"), kind: kindString, want: `"abc"`},
		{name: "string with control characters is hex", b: []byte("a\x01b\x00\x00"), want: "[5 bytes] 61016200 00"},
		{name: "ipv6", b: []byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}, kind: kindIP, want: "2001:db8::1"},
		{name: "ip of the wrong size is hex", b: []byte{1, 2, 3}, kind: kindIP, want: "[3 bytes] 010203"},
		{name: "u64 list", b: make([]byte, 16), kind: kindU64List, want: "[0 0]"},
		{name: "uint kind of odd size is hex", b: []byte{1, 2, 3}, kind: kindUint, want: "[3 bytes] 010203"},
		{name: "hardware address", b: []byte{0xaa, 0xbb, 0xcc}, kind: kindHWAddr, want: "aa:bb:cc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatValue(tt.b, tt.kind, tt.netOrder); got != tt.want {
				t.Errorf("formatValue(%x) = %q, want %q", tt.b, got, tt.want)
			}
		})
	}
}

func TestLooksNested(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{name: "two attributes", b: []byte{8, 0, 1, 0, 1, 0, 0, 0, 5, 0, 2, 0, 'x', 0, 0, 0}, want: true},
		{name: "one flag attribute is too short to tell", b: []byte{4, 0, 1, 0}, want: false},
		{name: "string", b: []byte("hello world\x00"), want: false},
		{name: "zeros", b: make([]byte, 12), want: false},
		{name: "huge type", b: []byte{8, 0, 0xff, 0x3f, 1, 0, 0, 0, 4, 0, 1, 0}, want: false},
		{name: "length past the end", b: []byte{16, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := looksNested(tt.b); got != tt.want {
				t.Errorf("looksNested(%x) = %v, want %v", tt.b, got, tt.want)
			}
		})
	}
}

// message returns a message of type typ whose payload is header followed
// by attrs.
func message(typ netlink.HeaderType, flags netlink.HeaderFlags, header, attrs []byte) netlink.Message {
	data := append(append([]byte(nil), header...), attrs...)
	return netlink.Message{
		Header: netlink.Header{Length: uint32(16 + len(data)), Type: typ, Flags: flags, Sequence: 7, PID: 1234},
		Data:   data,
	}
}

func TestWriteMessage(t *testing.T) {
	ifinfomsg := make([]byte, 16)
	binary.NativeEndian.PutUint16(ifinfomsg[2:], 772)
	binary.NativeEndian.PutUint32(ifinfomsg[4:], 1)
	binary.NativeEndian.PutUint32(ifinfomsg[8:], unix.IFF_UP|unix.IFF_LOOPBACK)
	link := testkit.Attributes(t, func(ae *netlink.AttributeEncoder) { ae.String(unix.IFLA_IFNAME, "lo") })

	ack := make([]byte, 4+16)
	var code int32 = -int32(unix.EPERM)
	binary.NativeEndian.PutUint32(ack, uint32(code))
	binary.NativeEndian.PutUint32(ack[4:], 16)
	binary.NativeEndian.PutUint16(ack[8:], unix.RTM_DELLINK)
	binary.NativeEndian.PutUint16(ack[10:], 5)
	binary.NativeEndian.PutUint32(ack[12:], 7)

	tests := []struct {
		name   string
		schema schema
		m      netlink.Message
		extra  string
		want   string
	}{
		{
			name:   "route link",
			schema: routeSchema{},
			m:      message(unix.RTM_NEWLINK, netlink.Multi, ifinfomsg, link),
			want: lines(
				"RTM_NEWLINK flags=multi seq=7 pid=1234 len=40",
				"  ifinfomsg family=0 type=772 index=1 flags=0x9<UP,LOOPBACK> change=0x0",
				`  IFLA_IFNAME (3): "lo"`,
			),
		},
		{
			name:   "route notification with its group",
			schema: routeSchema{},
			m:      message(unix.RTM_DELLINK, 0, ifinfomsg, nil),
			extra:  "group=link(1)",
			want: lines(
				"RTM_DELLINK flags=0 seq=7 pid=1234 len=32 group=link(1)",
				"  ifinfomsg family=0 type=772 index=1 flags=0x9<UP,LOOPBACK> change=0x0",
			),
		},
		{
			name:   "truncated fixed header",
			schema: routeSchema{},
			m:      message(unix.RTM_NEWADDR, 0, []byte{2, 24}, nil),
			want: lines(
				"RTM_NEWADDR flags=0 seq=7 pid=1234 len=18",
				"  ifaddrmsg (truncated) [2 bytes] 0218",
			),
		},
		{
			name:   "nlctrl",
			schema: newGenlSchema(genl.Family{Name: "nlctrl", ID: 16, Version: 2}),
			m: message(16, netlink.Multi, []byte{1, 2, 0, 0}, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) {
				ae.String(unix.CTRL_ATTR_FAMILY_NAME, "nlctrl")
				ae.Uint16(unix.CTRL_ATTR_FAMILY_ID, 16)
			})),
			want: lines(
				"nlctrl flags=multi seq=7 pid=1234 len=40",
				"  genlmsghdr cmd=newfamily(1) version=2",
				`  CTRL_ATTR_FAMILY_NAME (2): "nlctrl"`,
				"  CTRL_ATTR_FAMILY_ID (1): 16",
			),
		},
		{
			name:   "generic family with its own header",
			schema: newGenlSchema(genl.Family{Name: "demo", ID: 30, Version: 1, HeaderSize: 4}),
			m:      message(30, 0, []byte{3, 1, 0, 0, 9, 9, 9, 9}, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) { ae.Uint32(1, 5) })),
			want: lines(
				"demo flags=0 seq=7 pid=1234 len=32",
				"  genlmsghdr cmd=3 version=1 family-header [4 bytes] 09090909",
				"  1: 5",
			),
		},
		{
			name:   "unknown family with no attributes",
			schema: rawSchema{},
			m:      message(1000, 0, nil, make([]byte, 12)),
			want: lines(
				"type=1000 flags=0 seq=7 pid=1234 len=28",
				"  payload [12 bytes] 00000000 00000000 00000000",
			),
		},
		{
			name:   "unknown family with attributes and -hdrlen",
			schema: withHeaderLen{schema: rawSchema{}, n: 4},
			m:      message(99, 0, []byte{1, 2, 3, 4}, testkit.Attributes(t, func(ae *netlink.AttributeEncoder) { ae.String(1, "ab"); ae.String(2, "cd") })),
			want: lines(
				"type=99 flags=0 seq=7 pid=1234 len=36",
				"  header [4 bytes] 01020304",
				`  1: "ab"`,
				`  2: "cd"`,
			),
		},
		{
			name:   "error",
			schema: routeSchema{},
			m:      message(netlink.Error, netlink.Capped, ack, nil),
			want: lines(
				"error flags=0x100 seq=7 pid=1234 len=36",
				"  errno=1 (operation not permitted) request: type=17 flags=request|acknowledge seq=7",
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sb strings.Builder
			writeMessage(&sb, tt.schema, tt.m, tt.extra)
			if diff := cmp.Diff(tt.want, sb.String()); diff != "" {
				t.Errorf("writeMessage mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzWriteMessage checks that no payload makes the message printer panic,
// whatever schema reads it.
func FuzzWriteMessage(f *testing.F) {
	ifinfomsg := make([]byte, 16)
	f.Add(uint16(unix.RTM_NEWLINK), append(ifinfomsg, 7, 0, unix.IFLA_IFNAME, 0, 'l', 'o', 0, 0))
	f.Add(uint16(unix.RTM_NEWROUTE), []byte{2, 24, 0, 0, 254, 2, 253, 1, 0, 0, 0, 0, 8, 0, 1, 0, 192, 0, 2, 0})
	f.Add(uint16(unix.GENL_ID_CTRL), []byte{1, 2, 0, 0, 12, 0, 6, 0x80, 8, 0, 1, 0x80, 4, 0, 1, 0})
	f.Add(uint16(netlink.Error), []byte{0xff, 0xff, 0xff, 0xff, 16, 0, 0, 0})
	schemas := []schema{
		routeSchema{}, netfilterSchema{}, sockDiagSchema{}, rawSchema{}, withHeaderLen{rawSchema{}, 3},
		newGenlSchema(genl.Family{Name: "nlctrl", ID: unix.GENL_ID_CTRL}),
		newGenlSchema(genl.Family{Name: "demo", ID: 30, HeaderSize: 8}),
	}
	f.Fuzz(func(t *testing.T, typ uint16, data []byte) {
		m := netlink.Message{Header: netlink.Header{Type: netlink.HeaderType(typ), Length: uint32(16 + len(data))}, Data: data}
		for _, s := range schemas {
			writeMessage(io.Discard, s, m, "")
		}
	})
}
