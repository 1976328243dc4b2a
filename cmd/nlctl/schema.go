//go:build linux

package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"golang.org/x/sys/unix"
)

// A schema is what nlctl knows of one netlink family's messages: the names
// of its message types, the fixed header that precedes the attributes and
// the attributes themselves.
type schema interface {
	// typeName returns the name of message type t, or "".
	typeName(t netlink.HeaderType) string

	// parseType returns the message type that s names: a number or a name
	// that typeName returns (case-insensitive, prefix optional).
	parseType(s string) (netlink.HeaderType, error)

	// requestHeader returns the zeroed fixed header for a request of type t,
	// with any field a request needs already filled in.
	requestHeader(t netlink.HeaderType) []byte

	// header returns the length of the fixed header at the start of the
	// payload of a message of type t, and a one-line description of it
	// ("" for none).
	header(t netlink.HeaderType, data []byte) (int, string)

	// attributes returns the space of the top-level attributes of a message
	// of type t (nil when their names are unknown), and whether the payload
	// after the fixed header is known to be attributes at all.
	attributes(t netlink.HeaderType) (*attrSpace, bool)

	// groupName returns the name of multicast group g, or "".
	groupName(g uint32) string

	// parseGroup returns the multicast group that s names: a number or a
	// name.
	parseGroup(s string) (uint32, error)
}

// parseNumber parses a decimal or 0x-prefixed number of at most bits bits.
func parseNumber(s string, bits int) (uint64, bool) {
	v, err := strconv.ParseUint(s, 0, bits)
	return v, err == nil
}

// rangeError returns an error that names what when s is a number that
// does not fit in bits bits (a negative one included), and nil when s is
// not a number or fits.
func rangeError(what, s string, bits int) error {
	if _, ok := parseNumber(s, bits); ok {
		return nil
	}
	_, errSigned := strconv.ParseInt(s, 0, 64)
	_, errUnsigned := strconv.ParseUint(s, 0, 64)
	if errSigned == nil || errUnsigned == nil || errors.Is(errSigned, strconv.ErrRange) {
		return fmt.Errorf("%s %s is out of range (0 to %d)", what, s, uint64(1)<<bits-1)
	}
	return nil
}

// fixedHeader splits off a fixed header of n bytes, or reports that the
// payload is too short for one.
func fixedHeader(data []byte, n int) ([]byte, bool) {
	if len(data) < n {
		return nil, false
	}
	return data[:n], true
}

// routeSchema is NETLINK_ROUTE (rtnetlink).
type routeSchema struct{}

// routeTypeNames names the rtnetlink message types, RTM_NEWLINK on.
var routeTypeNames = map[netlink.HeaderType]string{
	unix.RTM_NEWLINK: "RTM_NEWLINK", unix.RTM_DELLINK: "RTM_DELLINK", unix.RTM_GETLINK: "RTM_GETLINK", unix.RTM_SETLINK: "RTM_SETLINK",
	unix.RTM_NEWADDR: "RTM_NEWADDR", unix.RTM_DELADDR: "RTM_DELADDR", unix.RTM_GETADDR: "RTM_GETADDR",
	unix.RTM_NEWROUTE: "RTM_NEWROUTE", unix.RTM_DELROUTE: "RTM_DELROUTE", unix.RTM_GETROUTE: "RTM_GETROUTE",
	unix.RTM_NEWNEIGH: "RTM_NEWNEIGH", unix.RTM_DELNEIGH: "RTM_DELNEIGH", unix.RTM_GETNEIGH: "RTM_GETNEIGH",
	unix.RTM_NEWRULE: "RTM_NEWRULE", unix.RTM_DELRULE: "RTM_DELRULE", unix.RTM_GETRULE: "RTM_GETRULE",
	unix.RTM_NEWQDISC: "RTM_NEWQDISC", unix.RTM_DELQDISC: "RTM_DELQDISC", unix.RTM_GETQDISC: "RTM_GETQDISC",
	unix.RTM_NEWTCLASS: "RTM_NEWTCLASS", unix.RTM_DELTCLASS: "RTM_DELTCLASS", unix.RTM_GETTCLASS: "RTM_GETTCLASS",
	unix.RTM_NEWTFILTER: "RTM_NEWTFILTER", unix.RTM_DELTFILTER: "RTM_DELTFILTER", unix.RTM_GETTFILTER: "RTM_GETTFILTER",
	unix.RTM_NEWACTION: "RTM_NEWACTION", unix.RTM_DELACTION: "RTM_DELACTION", unix.RTM_GETACTION: "RTM_GETACTION",
	unix.RTM_NEWPREFIX:    "RTM_NEWPREFIX",
	unix.RTM_GETMULTICAST: "RTM_GETMULTICAST", unix.RTM_NEWMULTICAST: "RTM_NEWMULTICAST", unix.RTM_DELMULTICAST: "RTM_DELMULTICAST",
	unix.RTM_GETANYCAST: "RTM_GETANYCAST", unix.RTM_NEWANYCAST: "RTM_NEWANYCAST", unix.RTM_DELANYCAST: "RTM_DELANYCAST",
	unix.RTM_NEWNEIGHTBL: "RTM_NEWNEIGHTBL", unix.RTM_GETNEIGHTBL: "RTM_GETNEIGHTBL", unix.RTM_SETNEIGHTBL: "RTM_SETNEIGHTBL",
	unix.RTM_NEWNDUSEROPT: "RTM_NEWNDUSEROPT",
	unix.RTM_NEWADDRLABEL: "RTM_NEWADDRLABEL", unix.RTM_DELADDRLABEL: "RTM_DELADDRLABEL", unix.RTM_GETADDRLABEL: "RTM_GETADDRLABEL",
	unix.RTM_GETDCB: "RTM_GETDCB", unix.RTM_SETDCB: "RTM_SETDCB",
	unix.RTM_NEWNETCONF: "RTM_NEWNETCONF", unix.RTM_DELNETCONF: "RTM_DELNETCONF", unix.RTM_GETNETCONF: "RTM_GETNETCONF",
	unix.RTM_NEWMDB: "RTM_NEWMDB", unix.RTM_DELMDB: "RTM_DELMDB", unix.RTM_GETMDB: "RTM_GETMDB",
	unix.RTM_NEWNSID: "RTM_NEWNSID", unix.RTM_DELNSID: "RTM_DELNSID", unix.RTM_GETNSID: "RTM_GETNSID",
	unix.RTM_NEWSTATS: "RTM_NEWSTATS", unix.RTM_GETSTATS: "RTM_GETSTATS", unix.RTM_SETSTATS: "RTM_SETSTATS",
	unix.RTM_NEWCACHEREPORT: "RTM_NEWCACHEREPORT",
	unix.RTM_NEWCHAIN:       "RTM_NEWCHAIN", unix.RTM_DELCHAIN: "RTM_DELCHAIN", unix.RTM_GETCHAIN: "RTM_GETCHAIN",
	unix.RTM_NEWNEXTHOP: "RTM_NEWNEXTHOP", unix.RTM_DELNEXTHOP: "RTM_DELNEXTHOP", unix.RTM_GETNEXTHOP: "RTM_GETNEXTHOP",
	unix.RTM_NEWLINKPROP: "RTM_NEWLINKPROP", unix.RTM_DELLINKPROP: "RTM_DELLINKPROP", unix.RTM_GETLINKPROP: "RTM_GETLINKPROP",
	unix.RTM_NEWVLAN: "RTM_NEWVLAN", unix.RTM_DELVLAN: "RTM_DELVLAN", unix.RTM_GETVLAN: "RTM_GETVLAN",
	unix.RTM_NEWNEXTHOPBUCKET: "RTM_NEWNEXTHOPBUCKET", unix.RTM_DELNEXTHOPBUCKET: "RTM_DELNEXTHOPBUCKET", unix.RTM_GETNEXTHOPBUCKET: "RTM_GETNEXTHOPBUCKET",
	unix.RTM_NEWTUNNEL: "RTM_NEWTUNNEL", unix.RTM_DELTUNNEL: "RTM_DELTUNNEL", unix.RTM_GETTUNNEL: "RTM_GETTUNNEL",
}

// A routeLayout is the fixed header and attributes of one rtnetlink object
// kind: the message types come in runs of four (new, del, get, set) that
// share them.
type routeLayout struct {
	header string // the C struct, for display
	size   int    // its size, aligned to 4 as the attributes that follow
	decode func(b []byte) string
	attrs  *attrSpace
}

// routeLayouts maps the first type of each run of four to its layout.
var routeLayouts = map[netlink.HeaderType]routeLayout{
	unix.RTM_NEWLINK:          {"ifinfomsg", 16, decodeIfinfomsg, linkSpace},
	unix.RTM_NEWADDR:          {"ifaddrmsg", 8, decodeIfaddrmsg, addrSpace},
	unix.RTM_NEWROUTE:         {"rtmsg", 12, decodeRtmsg, routeSpace},
	unix.RTM_NEWNEIGH:         {"ndmsg", 12, decodeNdmsg, neighSpace},
	unix.RTM_NEWRULE:          {"fib_rule_hdr", 12, nil, ruleSpace},
	unix.RTM_NEWQDISC:         {"tcmsg", 20, decodeTcmsg, tcSpace},
	unix.RTM_NEWTCLASS:        {"tcmsg", 20, decodeTcmsg, tcSpace},
	unix.RTM_NEWTFILTER:       {"tcmsg", 20, decodeTcmsg, tcSpace},
	unix.RTM_NEWACTION:        {"tcamsg", 4, nil, nil},
	unix.RTM_NEWPREFIX:        {"prefixmsg", 12, nil, nil},
	unix.RTM_NEWMULTICAST:     {"ifaddrmsg", 8, decodeIfaddrmsg, addrSpace},
	unix.RTM_NEWANYCAST:       {"ifaddrmsg", 8, decodeIfaddrmsg, addrSpace},
	unix.RTM_NEWNEIGHTBL:      {"ndtmsg", 4, nil, nil},
	unix.RTM_NEWNDUSEROPT:     {"nduseroptmsg", 16, nil, nil},
	unix.RTM_NEWADDRLABEL:     {"ifaddrlblmsg", 12, nil, nil},
	unix.RTM_GETDCB &^ 3:      {"dcbmsg", 4, nil, nil},
	unix.RTM_NEWNETCONF:       {"netconfmsg", 4, nil, nil},
	unix.RTM_NEWMDB:           {"br_port_msg", 8, nil, nil},
	unix.RTM_NEWNSID:          {"rtgenmsg", 4, nil, nil},
	unix.RTM_NEWSTATS:         {"if_stats_msg", 12, nil, nil},
	unix.RTM_NEWCACHEREPORT:   {"rtgenmsg", 4, nil, nil},
	unix.RTM_NEWCHAIN:         {"tcmsg", 20, decodeTcmsg, tcSpace},
	unix.RTM_NEWNEXTHOP:       {"nhmsg", 8, nil, nil},
	unix.RTM_NEWLINKPROP:      {"ifinfomsg", 16, decodeIfinfomsg, linkSpace},
	unix.RTM_NEWVLAN:          {"br_vlan_msg", 8, nil, nil},
	unix.RTM_NEWNEXTHOPBUCKET: {"nhmsg", 8, nil, nil},
	unix.RTM_NEWTUNNEL:        {"tunnel_msg", 8, nil, nil},
}

// layout returns the layout of message type t, if rtnetlink defines it.
func (routeSchema) layout(t netlink.HeaderType) (routeLayout, bool) {
	l, ok := routeLayouts[t&^3]
	return l, ok && t >= unix.RTM_BASE
}

func (routeSchema) typeName(t netlink.HeaderType) string { return routeTypeNames[t] }

func (routeSchema) parseType(s string) (netlink.HeaderType, error) {
	if v, ok := parseNumber(s, 16); ok {
		return netlink.HeaderType(v), nil
	}
	if err := rangeError("message type", s, 16); err != nil {
		return 0, err
	}
	want := strings.TrimPrefix(strings.ToUpper(s), "RTM_")
	for t, name := range routeTypeNames {
		if strings.TrimPrefix(name, "RTM_") == want {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown route message type %q (want a number or a name such as getlink, RTM_GETADDR, getroute)", s)
}

func (r routeSchema) requestHeader(t netlink.HeaderType) []byte {
	l, ok := r.layout(t)
	if !ok {
		return nil
	}
	return make([]byte, l.size)
}

func (r routeSchema) header(t netlink.HeaderType, data []byte) (int, string) {
	l, ok := r.layout(t)
	if !ok {
		return 0, ""
	}
	h, ok := fixedHeader(data, l.size)
	if !ok {
		return len(data), fmt.Sprintf("%s (truncated) %s", l.header, formatHex(data))
	}
	if l.decode != nil {
		return l.size, l.header + " " + l.decode(h)
	}
	return l.size, l.header + " " + formatHex(h)
}

func (r routeSchema) attributes(t netlink.HeaderType) (*attrSpace, bool) {
	l, ok := r.layout(t)
	return l.attrs, ok
}

// routeGroupNames names the rtnetlink multicast groups (RTNLGRP_*), by
// number.
var routeGroupNames = []string{
	unix.RTNLGRP_LINK: "link", unix.RTNLGRP_NOTIFY: "notify", unix.RTNLGRP_NEIGH: "neigh", unix.RTNLGRP_TC: "tc",
	unix.RTNLGRP_IPV4_IFADDR: "ipv4-ifaddr", unix.RTNLGRP_IPV4_MROUTE: "ipv4-mroute", unix.RTNLGRP_IPV4_ROUTE: "ipv4-route", unix.RTNLGRP_IPV4_RULE: "ipv4-rule",
	unix.RTNLGRP_IPV6_IFADDR: "ipv6-ifaddr", unix.RTNLGRP_IPV6_MROUTE: "ipv6-mroute", unix.RTNLGRP_IPV6_ROUTE: "ipv6-route", unix.RTNLGRP_IPV6_IFINFO: "ipv6-ifinfo",
	unix.RTNLGRP_DECnet_IFADDR: "decnet-ifaddr", unix.RTNLGRP_DECnet_ROUTE: "decnet-route", unix.RTNLGRP_DECnet_RULE: "decnet-rule",
	unix.RTNLGRP_IPV6_PREFIX: "ipv6-prefix", unix.RTNLGRP_IPV6_RULE: "ipv6-rule", unix.RTNLGRP_ND_USEROPT: "nd-useropt",
	unix.RTNLGRP_PHONET_IFADDR: "phonet-ifaddr", unix.RTNLGRP_PHONET_ROUTE: "phonet-route", unix.RTNLGRP_DCB: "dcb",
	unix.RTNLGRP_IPV4_NETCONF: "ipv4-netconf", unix.RTNLGRP_IPV6_NETCONF: "ipv6-netconf", unix.RTNLGRP_MDB: "mdb",
	unix.RTNLGRP_MPLS_ROUTE: "mpls-route", unix.RTNLGRP_NSID: "nsid", unix.RTNLGRP_MPLS_NETCONF: "mpls-netconf",
	unix.RTNLGRP_IPV4_MROUTE_R: "ipv4-mroute-r", unix.RTNLGRP_IPV6_MROUTE_R: "ipv6-mroute-r", unix.RTNLGRP_NEXTHOP: "nexthop",
	unix.RTNLGRP_BRVLAN: "brvlan", unix.RTNLGRP_MCTP_IFADDR: "mctp-ifaddr", unix.RTNLGRP_TUNNEL: "tunnel", unix.RTNLGRP_STATS: "stats",
	unix.RTNLGRP_IPV4_MCADDR: "ipv4-mcaddr", unix.RTNLGRP_IPV6_MCADDR: "ipv6-mcaddr", unix.RTNLGRP_IPV6_ACADDR: "ipv6-acaddr",
}

func (routeSchema) groupName(g uint32) string { return listName(routeGroupNames, g) }

func (routeSchema) parseGroup(s string) (uint32, error) {
	return parseListName(routeGroupNames, s, "route group")
}

// listName returns names[i], or "" when i is out of range.
func listName(names []string, i uint32) string {
	if uint64(i) < uint64(len(names)) {
		return names[i]
	}
	return ""
}

// parseListName returns the number of a name in names (case-insensitive,
// "_" and "-" alike) or a number.
func parseListName(names []string, s, what string) (uint32, error) {
	if v, ok := parseNumber(s, 32); ok {
		return uint32(v), nil
	}
	if err := rangeError(what, s, 32); err != nil {
		return 0, err
	}
	want := strings.ReplaceAll(strings.ToLower(s), "_", "-")
	for i, name := range names {
		if name != "" && name == want {
			return uint32(i), nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q (want a number or one of: %s)", what, s, strings.Join(nonEmpty(names), ", "))
}

// nonEmpty returns the non-empty strings of names.
func nonEmpty(names []string) []string {
	var out []string
	for _, n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// decodeIfinfomsg shows struct ifinfomsg.
func decodeIfinfomsg(b []byte) string {
	ne := binary.NativeEndian
	flags := ne.Uint32(b[8:])
	return fmt.Sprintf("family=%d type=%d index=%d flags=%#x<%s> change=%#x",
		b[0], ne.Uint16(b[2:]), int32(ne.Uint32(b[4:])), flags, ifFlagNames(flags), ne.Uint32(b[12:]))
}

// decodeIfaddrmsg shows struct ifaddrmsg.
func decodeIfaddrmsg(b []byte) string {
	return fmt.Sprintf("family=%d prefixlen=%d flags=%#x scope=%d index=%d",
		b[0], b[1], b[2], b[3], binary.NativeEndian.Uint32(b[4:]))
}

// decodeRtmsg shows struct rtmsg.
func decodeRtmsg(b []byte) string {
	return fmt.Sprintf("family=%d dst_len=%d src_len=%d tos=%d table=%d protocol=%d scope=%d type=%d flags=%#x",
		b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], binary.NativeEndian.Uint32(b[8:]))
}

// decodeNdmsg shows struct ndmsg.
func decodeNdmsg(b []byte) string {
	ne := binary.NativeEndian
	return fmt.Sprintf("family=%d index=%d state=%#x flags=%#x type=%d",
		b[0], int32(ne.Uint32(b[4:])), ne.Uint16(b[8:]), b[10], b[11])
}

// decodeTcmsg shows struct tcmsg.
func decodeTcmsg(b []byte) string {
	ne := binary.NativeEndian
	return fmt.Sprintf("family=%d index=%d handle=%#x parent=%#x info=%#x",
		b[0], int32(ne.Uint32(b[4:])), ne.Uint32(b[8:]), ne.Uint32(b[12:]), ne.Uint32(b[16:]))
}

// ifFlagNames names the bits of a link's flags (IFF_*), joined by ",".
func ifFlagNames(flags uint32) string {
	names := []struct {
		bit  uint32
		name string
	}{
		{unix.IFF_UP, "UP"}, {unix.IFF_BROADCAST, "BROADCAST"}, {unix.IFF_DEBUG, "DEBUG"},
		{unix.IFF_LOOPBACK, "LOOPBACK"}, {unix.IFF_POINTOPOINT, "POINTOPOINT"}, {unix.IFF_NOTRAILERS, "NOTRAILERS"},
		{unix.IFF_RUNNING, "RUNNING"}, {unix.IFF_NOARP, "NOARP"}, {unix.IFF_PROMISC, "PROMISC"},
		{unix.IFF_ALLMULTI, "ALLMULTI"}, {unix.IFF_MASTER, "MASTER"}, {unix.IFF_SLAVE, "SLAVE"},
		{unix.IFF_MULTICAST, "MULTICAST"}, {unix.IFF_PORTSEL, "PORTSEL"}, {unix.IFF_AUTOMEDIA, "AUTOMEDIA"},
		{unix.IFF_DYNAMIC, "DYNAMIC"}, {unix.IFF_LOWER_UP, "LOWER_UP"}, {unix.IFF_DORMANT, "DORMANT"},
		{unix.IFF_ECHO, "ECHO"},
	}
	var out []string
	for _, n := range names {
		if flags&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	return strings.Join(out, ",")
}

// genlSchema is one generic netlink family. The message type is the
// family's ID; the command is in the 4-byte genlmsghdr that follows.
type genlSchema struct {
	family genl.Family
	cmds   []string   // command names, for nlctrl
	attrs  *attrSpace // the top-level attributes, for nlctrl
}

// newGenlSchema returns the schema of family f.
func newGenlSchema(f genl.Family) *genlSchema {
	s := &genlSchema{family: f}
	if f.ID == unix.GENL_ID_CTRL {
		s.cmds, s.attrs = ctrlCommandNames, ctrlSpace
	}
	return s
}

func (s *genlSchema) typeName(t netlink.HeaderType) string {
	if uint16(t) == s.family.ID {
		return s.family.Name
	}
	return ""
}

// parseType returns the family's ID: the command is given apart.
func (s *genlSchema) parseType(string) (netlink.HeaderType, error) {
	return netlink.HeaderType(s.family.ID), nil
}

// parseCommand returns the command that name names: a number, or for
// nlctrl a name such as getfamily or CTRL_CMD_GETFAMILY.
func (s *genlSchema) parseCommand(name string) (uint8, error) {
	if v, ok := parseNumber(name, 8); ok {
		return uint8(v), nil
	}
	if err := rangeError("command", name, 8); err != nil {
		return 0, err
	}
	want := strings.TrimPrefix(strings.ToLower(name), "ctrl_cmd_")
	for i, n := range s.cmds {
		if n != "" && n == want {
			return uint8(i), nil
		}
	}
	if len(s.cmds) == 0 {
		return 0, fmt.Errorf("unknown command %q for generic netlink family %s (want a command number)", name, s.family.Name)
	}
	return 0, fmt.Errorf("unknown command %q for generic netlink family %s (want a number or one of: %s)",
		name, s.family.Name, strings.Join(nonEmpty(s.cmds), ", "))
}

// requestHeader returns a genlmsghdr; the caller sets the command.
func (s *genlSchema) requestHeader(netlink.HeaderType) []byte {
	return []byte{0, byte(s.family.Version), 0, 0}
}

func (s *genlSchema) header(t netlink.HeaderType, data []byte) (int, string) {
	h, ok := fixedHeader(data, unix.GENL_HDRLEN)
	if !ok {
		return len(data), "genlmsghdr (truncated) " + formatHex(data)
	}
	cmd := strconv.Itoa(int(h[0]))
	if name := listName(s.cmds, uint32(h[0])); name != "" {
		cmd = name + "(" + cmd + ")"
	}
	n := unix.GENL_HDRLEN
	desc := fmt.Sprintf("genlmsghdr cmd=%s version=%d", cmd, h[1])
	// A family's own header follows genlmsghdr; it is shown in hex.
	if extra := int(s.family.HeaderSize); extra > 0 && len(data) >= n+extra {
		desc += " family-header " + formatHex(data[n:n+extra])
		n += extra
	}
	return n, desc
}

func (s *genlSchema) attributes(netlink.HeaderType) (*attrSpace, bool) { return s.attrs, true }

func (s *genlSchema) groupName(g uint32) string {
	for _, grp := range s.family.Groups {
		if grp.ID == g {
			return grp.Name
		}
	}
	return ""
}

func (s *genlSchema) parseGroup(name string) (uint32, error) {
	if v, ok := parseNumber(name, 32); ok {
		return uint32(v), nil
	}
	if err := rangeError("group", name, 32); err != nil {
		return 0, err
	}
	var names []string
	for _, grp := range s.family.Groups {
		if grp.Name == name {
			return grp.ID, nil
		}
		names = append(names, grp.Name)
	}
	if len(names) == 0 {
		return 0, fmt.Errorf("generic netlink family %s has no multicast groups", s.family.Name)
	}
	return 0, fmt.Errorf("unknown group %q of generic netlink family %s (want one of: %s)", name, s.family.Name, strings.Join(names, ", "))
}

// netfilterSchema is NETLINK_NETFILTER: the message type is a subsystem
// and a message number, and every message starts with a 4-byte nfgenmsg.
type netfilterSchema struct{}

// netfilterSubsystems names the NFNL_SUBSYS_* subsystems.
var netfilterSubsystems = []string{
	unix.NFNL_SUBSYS_CTNETLINK: "ctnetlink", unix.NFNL_SUBSYS_CTNETLINK_EXP: "ctnetlink_exp",
	unix.NFNL_SUBSYS_QUEUE: "queue", unix.NFNL_SUBSYS_ULOG: "ulog", unix.NFNL_SUBSYS_OSF: "osf",
	unix.NFNL_SUBSYS_IPSET: "ipset", unix.NFNL_SUBSYS_ACCT: "acct", unix.NFNL_SUBSYS_CTNETLINK_TIMEOUT: "ctnetlink_timeout",
	unix.NFNL_SUBSYS_CTHELPER: "cthelper", unix.NFNL_SUBSYS_NFTABLES: "nftables", unix.NFNL_SUBSYS_NFT_COMPAT: "nft_compat",
	unix.NFNL_SUBSYS_HOOK: "hook",
}

// netfilterGroups names the NFNLGRP_* groups.
var netfilterGroups = []string{
	unix.NFNLGRP_CONNTRACK_NEW: "conntrack-new", unix.NFNLGRP_CONNTRACK_UPDATE: "conntrack-update",
	unix.NFNLGRP_CONNTRACK_DESTROY: "conntrack-destroy", unix.NFNLGRP_CONNTRACK_EXP_NEW: "conntrack-exp-new",
	unix.NFNLGRP_CONNTRACK_EXP_UPDATE: "conntrack-exp-update", unix.NFNLGRP_CONNTRACK_EXP_DESTROY: "conntrack-exp-destroy",
	unix.NFNLGRP_NFTABLES: "nftables", unix.NFNLGRP_ACCT_QUOTA: "acct-quota", unix.NFNLGRP_NFTRACE: "nftrace",
}

func (netfilterSchema) typeName(t netlink.HeaderType) string {
	if sub := listName(netfilterSubsystems, uint32(t>>8)); sub != "" {
		return fmt.Sprintf("%s:%d", sub, t&0xff)
	}
	return ""
}

// parseType accepts a number or SUBSYSTEM:MESSAGE, such as nftables:1.
func (netfilterSchema) parseType(s string) (netlink.HeaderType, error) {
	if v, ok := parseNumber(s, 16); ok {
		return netlink.HeaderType(v), nil
	}
	if err := rangeError("message type", s, 16); err != nil {
		return 0, err
	}
	sub, msg, ok := strings.Cut(s, ":")
	m, okMsg := parseNumber(msg, 8)
	if ok && okMsg {
		n, err := parseListName(netfilterSubsystems, sub, "netfilter subsystem")
		if err != nil {
			return 0, err
		}
		return netlink.HeaderType(n<<8 | uint32(m)), nil
	}
	return 0, fmt.Errorf("unknown netfilter message type %q (want a number or SUBSYSTEM:MESSAGE such as nftables:1)", s)
}

func (netfilterSchema) requestHeader(netlink.HeaderType) []byte { return make([]byte, 4) }

func (netfilterSchema) header(t netlink.HeaderType, data []byte) (int, string) {
	h, ok := fixedHeader(data, 4)
	if !ok {
		return len(data), "nfgenmsg (truncated) " + formatHex(data)
	}
	return 4, fmt.Sprintf("nfgenmsg family=%d version=%d res_id=%d", h[0], h[1], binary.BigEndian.Uint16(h[2:]))
}

func (netfilterSchema) attributes(netlink.HeaderType) (*attrSpace, bool) { return nil, true }

func (netfilterSchema) groupName(g uint32) string { return listName(netfilterGroups, g) }

func (netfilterSchema) parseGroup(s string) (uint32, error) {
	return parseListName(netfilterGroups, s, "netfilter group")
}

// sockDiagSchema is NETLINK_SOCK_DIAG. Requests need a family-specific
// header, which the user gives with -header; replies start with a header
// whose size depends on the address family in its first byte.
type sockDiagSchema struct{}

func (sockDiagSchema) typeName(t netlink.HeaderType) string {
	switch t {
	case unix.SOCK_DIAG_BY_FAMILY:
		return "SOCK_DIAG_BY_FAMILY"
	case unix.SOCK_DESTROY:
		return "SOCK_DESTROY"
	}
	return ""
}

func (s sockDiagSchema) parseType(name string) (netlink.HeaderType, error) {
	return parseTypeByName(s, name, unix.SOCK_DESTROY, "sock_diag")
}

func (sockDiagSchema) requestHeader(netlink.HeaderType) []byte { return nil }

// sockDiagReplySizes is the size of the reply header by address family:
// inet_diag_msg, unix_diag_msg, netlink_diag_msg, packet_diag_msg.
var sockDiagReplySizes = map[byte]int{
	unix.AF_INET: 72, unix.AF_INET6: 72, unix.AF_UNIX: 16, unix.AF_NETLINK: 24, unix.AF_PACKET: 8,
}

func (sockDiagSchema) header(t netlink.HeaderType, data []byte) (int, string) {
	if len(data) == 0 {
		return 0, ""
	}
	n, ok := sockDiagReplySizes[data[0]]
	if !ok || len(data) < n {
		return 0, ""
	}
	return n, fmt.Sprintf("diag_msg family=%d %s", data[0], formatHex(data[:n]))
}

func (sockDiagSchema) attributes(netlink.HeaderType) (*attrSpace, bool) { return nil, false }
func (sockDiagSchema) groupName(uint32) string                          { return "" }
func (sockDiagSchema) parseGroup(s string) (uint32, error)              { return parseGroupNumber(s) }

// parseTypeByName returns a type by number or by a name that s.typeName
// gives for some type up to max.
func parseTypeByName(s schema, name string, max netlink.HeaderType, family string) (netlink.HeaderType, error) {
	if v, ok := parseNumber(name, 16); ok {
		return netlink.HeaderType(v), nil
	}
	if err := rangeError("message type", name, 16); err != nil {
		return 0, err
	}
	for t := netlink.HeaderType(0); t <= max; t++ {
		if n := s.typeName(t); n != "" && strings.EqualFold(n, name) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown message type %q for %s (want a number)", name, family)
}

// parseGroupNumber parses a group that has no known names.
func parseGroupNumber(s string) (uint32, error) {
	if v, ok := parseNumber(s, 32); ok {
		return uint32(v), nil
	}
	if err := rangeError("group", s, 32); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("unknown group %q (want a group number)", s)
}

// rawSchema is a family that nlctl knows nothing of: types are numbers,
// the fixed header (if any) is as long as -hdrlen says, and the payload is
// shown as attributes only when it plausibly is some.
type rawSchema struct {
	hdrlen int
}

func (rawSchema) typeName(netlink.HeaderType) string { return "" }

func (s rawSchema) parseType(name string) (netlink.HeaderType, error) {
	return parseTypeByName(s, name, 0, "this family")
}

func (s rawSchema) requestHeader(netlink.HeaderType) []byte { return make([]byte, s.hdrlen) }

func (s rawSchema) header(t netlink.HeaderType, data []byte) (int, string) {
	if s.hdrlen == 0 {
		return 0, ""
	}
	h, ok := fixedHeader(data, s.hdrlen)
	if !ok {
		return len(data), "header (truncated) " + formatHex(data)
	}
	return s.hdrlen, "header " + formatHex(h)
}

func (rawSchema) attributes(netlink.HeaderType) (*attrSpace, bool) { return nil, false }
func (rawSchema) groupName(uint32) string                          { return "" }
func (rawSchema) parseGroup(s string) (uint32, error)              { return parseGroupNumber(s) }

// withHeaderLen is a schema whose fixed header length -hdrlen overrides.
type withHeaderLen struct {
	schema
	n int
}

func (s withHeaderLen) requestHeader(netlink.HeaderType) []byte { return make([]byte, s.n) }

func (s withHeaderLen) header(t netlink.HeaderType, data []byte) (int, string) {
	return rawSchema{hdrlen: s.n}.header(t, data)
}
