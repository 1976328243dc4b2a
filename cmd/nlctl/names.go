//go:build linux

package main

import "golang.org/x/sys/unix"

// The attribute spaces nlctl knows by name. They are package-level tables
// of constants, built once and never changed.

// linkSpace is the attributes of link messages (IFLA_*).
var linkSpace = &attrSpace{
	names: map[uint16]string{
		unix.IFLA_ADDRESS: "IFLA_ADDRESS", unix.IFLA_BROADCAST: "IFLA_BROADCAST", unix.IFLA_IFNAME: "IFLA_IFNAME",
		unix.IFLA_MTU: "IFLA_MTU", unix.IFLA_LINK: "IFLA_LINK", unix.IFLA_QDISC: "IFLA_QDISC", unix.IFLA_STATS: "IFLA_STATS",
		unix.IFLA_COST: "IFLA_COST", unix.IFLA_PRIORITY: "IFLA_PRIORITY", unix.IFLA_MASTER: "IFLA_MASTER",
		unix.IFLA_WIRELESS: "IFLA_WIRELESS", unix.IFLA_PROTINFO: "IFLA_PROTINFO", unix.IFLA_TXQLEN: "IFLA_TXQLEN",
		unix.IFLA_MAP: "IFLA_MAP", unix.IFLA_WEIGHT: "IFLA_WEIGHT", unix.IFLA_OPERSTATE: "IFLA_OPERSTATE",
		unix.IFLA_LINKMODE: "IFLA_LINKMODE", unix.IFLA_LINKINFO: "IFLA_LINKINFO", unix.IFLA_NET_NS_PID: "IFLA_NET_NS_PID",
		unix.IFLA_IFALIAS: "IFLA_IFALIAS", unix.IFLA_NUM_VF: "IFLA_NUM_VF", unix.IFLA_VFINFO_LIST: "IFLA_VFINFO_LIST",
		unix.IFLA_STATS64: "IFLA_STATS64", unix.IFLA_VF_PORTS: "IFLA_VF_PORTS", unix.IFLA_PORT_SELF: "IFLA_PORT_SELF",
		unix.IFLA_AF_SPEC: "IFLA_AF_SPEC", unix.IFLA_GROUP: "IFLA_GROUP", unix.IFLA_NET_NS_FD: "IFLA_NET_NS_FD",
		unix.IFLA_EXT_MASK: "IFLA_EXT_MASK", unix.IFLA_PROMISCUITY: "IFLA_PROMISCUITY",
		unix.IFLA_NUM_TX_QUEUES: "IFLA_NUM_TX_QUEUES", unix.IFLA_NUM_RX_QUEUES: "IFLA_NUM_RX_QUEUES",
		unix.IFLA_CARRIER: "IFLA_CARRIER", unix.IFLA_PHYS_PORT_ID: "IFLA_PHYS_PORT_ID",
		unix.IFLA_CARRIER_CHANGES: "IFLA_CARRIER_CHANGES", unix.IFLA_PHYS_SWITCH_ID: "IFLA_PHYS_SWITCH_ID",
		unix.IFLA_LINK_NETNSID: "IFLA_LINK_NETNSID", unix.IFLA_PHYS_PORT_NAME: "IFLA_PHYS_PORT_NAME",
		unix.IFLA_PROTO_DOWN: "IFLA_PROTO_DOWN", unix.IFLA_GSO_MAX_SEGS: "IFLA_GSO_MAX_SEGS",
		unix.IFLA_GSO_MAX_SIZE: "IFLA_GSO_MAX_SIZE", unix.IFLA_PAD: "IFLA_PAD", unix.IFLA_XDP: "IFLA_XDP",
		unix.IFLA_EVENT: "IFLA_EVENT", unix.IFLA_NEW_NETNSID: "IFLA_NEW_NETNSID", unix.IFLA_TARGET_NETNSID: "IFLA_TARGET_NETNSID",
		unix.IFLA_CARRIER_UP_COUNT: "IFLA_CARRIER_UP_COUNT", unix.IFLA_CARRIER_DOWN_COUNT: "IFLA_CARRIER_DOWN_COUNT",
		unix.IFLA_NEW_IFINDEX: "IFLA_NEW_IFINDEX", unix.IFLA_MIN_MTU: "IFLA_MIN_MTU", unix.IFLA_MAX_MTU: "IFLA_MAX_MTU",
		unix.IFLA_PROP_LIST: "IFLA_PROP_LIST", unix.IFLA_ALT_IFNAME: "IFLA_ALT_IFNAME",
		unix.IFLA_PERM_ADDRESS: "IFLA_PERM_ADDRESS", unix.IFLA_PROTO_DOWN_REASON: "IFLA_PROTO_DOWN_REASON",
		unix.IFLA_PARENT_DEV_NAME: "IFLA_PARENT_DEV_NAME", unix.IFLA_PARENT_DEV_BUS_NAME: "IFLA_PARENT_DEV_BUS_NAME",
		unix.IFLA_GRO_MAX_SIZE: "IFLA_GRO_MAX_SIZE", unix.IFLA_TSO_MAX_SIZE: "IFLA_TSO_MAX_SIZE",
		unix.IFLA_TSO_MAX_SEGS: "IFLA_TSO_MAX_SEGS", unix.IFLA_ALLMULTI: "IFLA_ALLMULTI",
		unix.IFLA_DEVLINK_PORT: "IFLA_DEVLINK_PORT", unix.IFLA_GSO_IPV4_MAX_SIZE: "IFLA_GSO_IPV4_MAX_SIZE",
		unix.IFLA_GRO_IPV4_MAX_SIZE: "IFLA_GRO_IPV4_MAX_SIZE", unix.IFLA_DPLL_PIN: "IFLA_DPLL_PIN",
		0x42: "IFLA_MAX_PACING_OFFLOAD_HORIZON", 0x43: "IFLA_NETNS_IMMUTABLE",
		0x44: "IFLA_HEADROOM", 0x45: "IFLA_TAILROOM",
	},
	kinds: map[uint16]valueKind{
		unix.IFLA_ADDRESS: kindHWAddr, unix.IFLA_BROADCAST: kindHWAddr, unix.IFLA_PERM_ADDRESS: kindHWAddr,
		unix.IFLA_IFNAME: kindString, unix.IFLA_QDISC: kindString, unix.IFLA_IFALIAS: kindString,
		unix.IFLA_PHYS_PORT_NAME: kindString, unix.IFLA_ALT_IFNAME: kindString,
		unix.IFLA_PARENT_DEV_NAME: kindString, unix.IFLA_PARENT_DEV_BUS_NAME: kindString,
		unix.IFLA_STATS: kindU32List, unix.IFLA_STATS64: kindU64List, unix.IFLA_MAP: kindBinary,
		unix.IFLA_PHYS_PORT_ID: kindBinary, unix.IFLA_PHYS_SWITCH_ID: kindBinary,
		unix.IFLA_MTU: kindUint, unix.IFLA_TXQLEN: kindUint, unix.IFLA_GROUP: kindUint,
	},
	children: map[uint16]*attrSpace{
		unix.IFLA_LINKINFO:          linkInfoSpace,
		unix.IFLA_AF_SPEC:           afSpecSpace,
		unix.IFLA_PROP_LIST:         {names: map[uint16]string{unix.IFLA_ALT_IFNAME: "IFLA_ALT_IFNAME"}, kinds: map[uint16]valueKind{unix.IFLA_ALT_IFNAME: kindString}},
		unix.IFLA_XDP:               {names: map[uint16]string{1: "IFLA_XDP_FD", 2: "IFLA_XDP_ATTACHED", 3: "IFLA_XDP_FLAGS", 4: "IFLA_XDP_PROG_ID", 5: "IFLA_XDP_DRV_PROG_ID", 6: "IFLA_XDP_SKB_PROG_ID", 7: "IFLA_XDP_HW_PROG_ID", 8: "IFLA_XDP_EXPECTED_FD"}},
		unix.IFLA_PROTO_DOWN_REASON: {names: map[uint16]string{1: "IFLA_PROTO_DOWN_REASON_MASK", 2: "IFLA_PROTO_DOWN_REASON_VALUE"}},
	},
}

// linkInfoSpace is the attributes nested in IFLA_LINKINFO (IFLA_INFO_*).
var linkInfoSpace = &attrSpace{
	names: map[uint16]string{
		unix.IFLA_INFO_KIND: "IFLA_INFO_KIND", unix.IFLA_INFO_DATA: "IFLA_INFO_DATA", unix.IFLA_INFO_XSTATS: "IFLA_INFO_XSTATS",
		unix.IFLA_INFO_SLAVE_KIND: "IFLA_INFO_SLAVE_KIND", unix.IFLA_INFO_SLAVE_DATA: "IFLA_INFO_SLAVE_DATA",
	},
	kinds: map[uint16]valueKind{unix.IFLA_INFO_KIND: kindString, unix.IFLA_INFO_SLAVE_KIND: kindString},
}

// afSpecSpace is the attributes nested in IFLA_AF_SPEC: one per address
// family, by family number.
var afSpecSpace = &attrSpace{
	names: map[uint16]string{unix.AF_INET: "AF_INET", unix.AF_INET6: "AF_INET6", unix.AF_BRIDGE: "AF_BRIDGE", unix.AF_MPLS: "AF_MPLS"},
	children: map[uint16]*attrSpace{
		unix.AF_INET: {
			names: map[uint16]string{unix.IFLA_INET_CONF: "IFLA_INET_CONF"},
			kinds: map[uint16]valueKind{unix.IFLA_INET_CONF: kindU32List},
		},
		unix.AF_INET6: {
			names: map[uint16]string{
				unix.IFLA_INET6_FLAGS: "IFLA_INET6_FLAGS", unix.IFLA_INET6_CONF: "IFLA_INET6_CONF",
				unix.IFLA_INET6_STATS: "IFLA_INET6_STATS", unix.IFLA_INET6_MCAST: "IFLA_INET6_MCAST",
				unix.IFLA_INET6_CACHEINFO: "IFLA_INET6_CACHEINFO", unix.IFLA_INET6_ICMP6STATS: "IFLA_INET6_ICMP6STATS",
				unix.IFLA_INET6_TOKEN: "IFLA_INET6_TOKEN", unix.IFLA_INET6_ADDR_GEN_MODE: "IFLA_INET6_ADDR_GEN_MODE",
				unix.IFLA_INET6_RA_MTU: "IFLA_INET6_RA_MTU",
			},
			kinds: map[uint16]valueKind{
				unix.IFLA_INET6_CONF: kindU32List, unix.IFLA_INET6_STATS: kindU64List,
				unix.IFLA_INET6_CACHEINFO: kindU32List, unix.IFLA_INET6_ICMP6STATS: kindU64List,
				unix.IFLA_INET6_TOKEN: kindIP,
			},
		},
	},
}

// addrSpace is the attributes of address messages (IFA_*).
var addrSpace = &attrSpace{
	names: map[uint16]string{
		unix.IFA_ADDRESS: "IFA_ADDRESS", unix.IFA_LOCAL: "IFA_LOCAL", unix.IFA_LABEL: "IFA_LABEL",
		unix.IFA_BROADCAST: "IFA_BROADCAST", unix.IFA_ANYCAST: "IFA_ANYCAST", unix.IFA_CACHEINFO: "IFA_CACHEINFO",
		unix.IFA_MULTICAST: "IFA_MULTICAST", unix.IFA_FLAGS: "IFA_FLAGS", unix.IFA_RT_PRIORITY: "IFA_RT_PRIORITY",
		unix.IFA_TARGET_NETNSID: "IFA_TARGET_NETNSID", 11: "IFA_PROTO",
	},
	kinds: map[uint16]valueKind{
		unix.IFA_ADDRESS: kindIP, unix.IFA_LOCAL: kindIP, unix.IFA_BROADCAST: kindIP, unix.IFA_ANYCAST: kindIP,
		unix.IFA_MULTICAST: kindIP, unix.IFA_LABEL: kindString, unix.IFA_CACHEINFO: kindU32List,
	},
}

// routeSpace is the attributes of route messages (RTA_*).
var routeSpace = &attrSpace{
	names: map[uint16]string{
		unix.RTA_DST: "RTA_DST", unix.RTA_SRC: "RTA_SRC", unix.RTA_IIF: "RTA_IIF", unix.RTA_OIF: "RTA_OIF",
		unix.RTA_GATEWAY: "RTA_GATEWAY", unix.RTA_PRIORITY: "RTA_PRIORITY", unix.RTA_PREFSRC: "RTA_PREFSRC",
		unix.RTA_METRICS: "RTA_METRICS", unix.RTA_MULTIPATH: "RTA_MULTIPATH", unix.RTA_FLOW: "RTA_FLOW",
		unix.RTA_CACHEINFO: "RTA_CACHEINFO", unix.RTA_TABLE: "RTA_TABLE", unix.RTA_MARK: "RTA_MARK",
		unix.RTA_MFC_STATS: "RTA_MFC_STATS", unix.RTA_VIA: "RTA_VIA", unix.RTA_NEWDST: "RTA_NEWDST",
		unix.RTA_PREF: "RTA_PREF", unix.RTA_ENCAP_TYPE: "RTA_ENCAP_TYPE", unix.RTA_ENCAP: "RTA_ENCAP",
		unix.RTA_EXPIRES: "RTA_EXPIRES", unix.RTA_PAD: "RTA_PAD", unix.RTA_UID: "RTA_UID",
		unix.RTA_TTL_PROPAGATE: "RTA_TTL_PROPAGATE", unix.RTA_IP_PROTO: "RTA_IP_PROTO",
		unix.RTA_SPORT: "RTA_SPORT", unix.RTA_DPORT: "RTA_DPORT", 30: "RTA_NH_ID",
	},
	kinds: map[uint16]valueKind{
		unix.RTA_DST: kindIP, unix.RTA_SRC: kindIP, unix.RTA_GATEWAY: kindIP, unix.RTA_PREFSRC: kindIP,
		unix.RTA_CACHEINFO: kindU32List, unix.RTA_MULTIPATH: kindBinary,
	},
	children: map[uint16]*attrSpace{
		unix.RTA_METRICS: {names: map[uint16]string{
			1: "RTAX_LOCK", 2: "RTAX_MTU", 3: "RTAX_WINDOW", 4: "RTAX_RTT", 5: "RTAX_RTTVAR", 6: "RTAX_SSTHRESH",
			7: "RTAX_CWND", 8: "RTAX_ADVMSS", 9: "RTAX_REORDERING", 10: "RTAX_HOPLIMIT", 11: "RTAX_INITCWND",
			12: "RTAX_FEATURES", 13: "RTAX_RTO_MIN", 14: "RTAX_INITRWND", 15: "RTAX_QUICKACK", 16: "RTAX_CC_ALGO",
			17: "RTAX_FASTOPEN_NO_COOKIE",
		}, kinds: map[uint16]valueKind{16: kindString}},
	},
}

// neighSpace is the attributes of neighbour messages (NDA_*).
var neighSpace = &attrSpace{
	names: map[uint16]string{
		unix.NDA_DST: "NDA_DST", unix.NDA_LLADDR: "NDA_LLADDR", unix.NDA_CACHEINFO: "NDA_CACHEINFO",
		unix.NDA_PROBES: "NDA_PROBES", unix.NDA_VLAN: "NDA_VLAN", unix.NDA_PORT: "NDA_PORT", unix.NDA_VNI: "NDA_VNI",
		unix.NDA_IFINDEX: "NDA_IFINDEX", unix.NDA_MASTER: "NDA_MASTER", unix.NDA_LINK_NETNSID: "NDA_LINK_NETNSID",
		unix.NDA_SRC_VNI: "NDA_SRC_VNI", 12: "NDA_PROTOCOL", 13: "NDA_NH_ID", 14: "NDA_FDB_EXT_ATTRS",
		15: "NDA_FLAGS_EXT", 16: "NDA_NDM_STATE_MASK", 17: "NDA_NDM_FLAGS_MASK",
	},
	kinds: map[uint16]valueKind{unix.NDA_DST: kindIP, unix.NDA_LLADDR: kindHWAddr, unix.NDA_CACHEINFO: kindU32List},
}

// ruleSpace is the attributes of routing rule messages (FRA_*).
var ruleSpace = &attrSpace{
	names: map[uint16]string{
		1: "FRA_DST", 2: "FRA_SRC", 3: "FRA_IIFNAME", 4: "FRA_GOTO", 6: "FRA_PRIORITY", 10: "FRA_FWMARK",
		11: "FRA_FLOW", 12: "FRA_TUN_ID", 13: "FRA_SUPPRESS_IFGROUP", 14: "FRA_SUPPRESS_PREFIXLEN",
		15: "FRA_TABLE", 16: "FRA_FWMASK", 17: "FRA_OIFNAME", 18: "FRA_PAD", 19: "FRA_L3MDEV",
		20: "FRA_UID_RANGE", 21: "FRA_PROTOCOL", 22: "FRA_IP_PROTO", 23: "FRA_SPORT_RANGE",
		24: "FRA_DPORT_RANGE", 25: "FRA_DSCP", 26: "FRA_FLOWLABEL", 27: "FRA_FLOWLABEL_MASK",
	},
	kinds: map[uint16]valueKind{1: kindIP, 2: kindIP, 3: kindString, 17: kindString},
}

// tcSpace is the attributes of traffic control messages (TCA_*).
var tcSpace = &attrSpace{
	names: map[uint16]string{
		1: "TCA_KIND", 2: "TCA_OPTIONS", 3: "TCA_STATS", 4: "TCA_XSTATS", 5: "TCA_RATE", 6: "TCA_FCNT",
		7: "TCA_STATS2", 8: "TCA_STAB", 9: "TCA_PAD", 10: "TCA_DUMP_INVISIBLE", 11: "TCA_CHAIN",
		12: "TCA_HW_OFFLOAD", 13: "TCA_INGRESS_BLOCK", 14: "TCA_EGRESS_BLOCK", 15: "TCA_DUMP_FLAGS",
		16: "TCA_EXT_WARN_MSG",
	},
	kinds: map[uint16]valueKind{1: kindString, 3: kindBinary, 16: kindString},
	children: map[uint16]*attrSpace{
		7: {names: map[uint16]string{
			1: "TCA_STATS_BASIC", 2: "TCA_STATS_RATE_EST", 3: "TCA_STATS_QUEUE", 4: "TCA_STATS_APP",
			5: "TCA_STATS_RATE_EST64", 6: "TCA_STATS_PAD", 7: "TCA_STATS_BASIC_HW", 8: "TCA_STATS_PKT64",
		}, kinds: map[uint16]valueKind{1: kindBinary, 3: kindU32List, 7: kindBinary}},
	},
}

// ctrlCommandNames names the commands of nlctrl (CTRL_CMD_*), in lower
// case without the prefix.
var ctrlCommandNames = []string{
	unix.CTRL_CMD_NEWFAMILY: "newfamily", unix.CTRL_CMD_DELFAMILY: "delfamily", unix.CTRL_CMD_GETFAMILY: "getfamily",
	unix.CTRL_CMD_NEWOPS: "newops", unix.CTRL_CMD_DELOPS: "delops", unix.CTRL_CMD_GETOPS: "getops",
	unix.CTRL_CMD_NEWMCAST_GRP: "newmcast_grp", unix.CTRL_CMD_DELMCAST_GRP: "delmcast_grp",
	unix.CTRL_CMD_GETMCAST_GRP: "getmcast_grp", unix.CTRL_CMD_GETPOLICY: "getpolicy",
}

// policyTypeAttrSpace is the description of one attribute in a policy
// (NL_POLICY_TYPE_ATTR_*).
var policyTypeAttrSpace = &attrSpace{
	names: map[uint16]string{
		unix.NL_POLICY_TYPE_ATTR_TYPE: "NL_POLICY_TYPE_ATTR_TYPE", unix.NL_POLICY_TYPE_ATTR_MIN_VALUE_S: "NL_POLICY_TYPE_ATTR_MIN_VALUE_S",
		unix.NL_POLICY_TYPE_ATTR_MAX_VALUE_S: "NL_POLICY_TYPE_ATTR_MAX_VALUE_S", unix.NL_POLICY_TYPE_ATTR_MIN_VALUE_U: "NL_POLICY_TYPE_ATTR_MIN_VALUE_U",
		unix.NL_POLICY_TYPE_ATTR_MAX_VALUE_U: "NL_POLICY_TYPE_ATTR_MAX_VALUE_U", unix.NL_POLICY_TYPE_ATTR_MIN_LENGTH: "NL_POLICY_TYPE_ATTR_MIN_LENGTH",
		unix.NL_POLICY_TYPE_ATTR_MAX_LENGTH: "NL_POLICY_TYPE_ATTR_MAX_LENGTH", unix.NL_POLICY_TYPE_ATTR_POLICY_IDX: "NL_POLICY_TYPE_ATTR_POLICY_IDX",
		unix.NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE: "NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE", unix.NL_POLICY_TYPE_ATTR_BITFIELD32_MASK: "NL_POLICY_TYPE_ATTR_BITFIELD32_MASK",
		unix.NL_POLICY_TYPE_ATTR_PAD: "NL_POLICY_TYPE_ATTR_PAD", unix.NL_POLICY_TYPE_ATTR_MASK: "NL_POLICY_TYPE_ATTR_MASK",
	},
	kinds: map[uint16]valueKind{
		unix.NL_POLICY_TYPE_ATTR_MIN_VALUE_S: kindUint, unix.NL_POLICY_TYPE_ATTR_MAX_VALUE_S: kindUint,
		unix.NL_POLICY_TYPE_ATTR_MIN_VALUE_U: kindUint, unix.NL_POLICY_TYPE_ATTR_MAX_VALUE_U: kindUint,
	},
}

// ctrlSpace is the attributes of nlctrl messages (CTRL_ATTR_*).
var ctrlSpace = &attrSpace{
	names: map[uint16]string{
		unix.CTRL_ATTR_FAMILY_ID: "CTRL_ATTR_FAMILY_ID", unix.CTRL_ATTR_FAMILY_NAME: "CTRL_ATTR_FAMILY_NAME",
		unix.CTRL_ATTR_VERSION: "CTRL_ATTR_VERSION", unix.CTRL_ATTR_HDRSIZE: "CTRL_ATTR_HDRSIZE",
		unix.CTRL_ATTR_MAXATTR: "CTRL_ATTR_MAXATTR", unix.CTRL_ATTR_OPS: "CTRL_ATTR_OPS",
		unix.CTRL_ATTR_MCAST_GROUPS: "CTRL_ATTR_MCAST_GROUPS", unix.CTRL_ATTR_POLICY: "CTRL_ATTR_POLICY",
		unix.CTRL_ATTR_OP_POLICY: "CTRL_ATTR_OP_POLICY", unix.CTRL_ATTR_OP: "CTRL_ATTR_OP",
	},
	kinds: map[uint16]valueKind{
		unix.CTRL_ATTR_FAMILY_NAME: kindString, unix.CTRL_ATTR_FAMILY_ID: kindUint,
		unix.CTRL_ATTR_VERSION: kindUint, unix.CTRL_ATTR_HDRSIZE: kindUint, unix.CTRL_ATTR_MAXATTR: kindUint,
	},
	children: map[uint16]*attrSpace{
		unix.CTRL_ATTR_OPS: {elem: &attrSpace{
			names: map[uint16]string{unix.CTRL_ATTR_OP_ID: "CTRL_ATTR_OP_ID", unix.CTRL_ATTR_OP_FLAGS: "CTRL_ATTR_OP_FLAGS"},
		}},
		unix.CTRL_ATTR_MCAST_GROUPS: {elem: &attrSpace{
			names: map[uint16]string{unix.CTRL_ATTR_MCAST_GRP_NAME: "CTRL_ATTR_MCAST_GRP_NAME", unix.CTRL_ATTR_MCAST_GRP_ID: "CTRL_ATTR_MCAST_GRP_ID"},
			kinds: map[uint16]valueKind{unix.CTRL_ATTR_MCAST_GRP_NAME: kindString},
		}},
		// Policy index, then attribute number, then its description.
		unix.CTRL_ATTR_POLICY: {elem: &attrSpace{elem: policyTypeAttrSpace}},
		// Command, then its do and dump policies.
		unix.CTRL_ATTR_OP_POLICY: {elem: &attrSpace{
			names: map[uint16]string{unix.CTRL_ATTR_POLICY_DO: "CTRL_ATTR_POLICY_DO", unix.CTRL_ATTR_POLICY_DUMP: "CTRL_ATTR_POLICY_DUMP"},
		}},
	},
}

// A protocol is a netlink protocol family (NETLINK_*) by name.
type protocol struct {
	name   string
	number int
}

// protocols lists the netlink families nlctl accepts by name. "generic"
// and "genl" stand for nlctrl, the generic netlink controller.
var protocols = []protocol{
	{"route", unix.NETLINK_ROUTE},
	{"usersock", unix.NETLINK_USERSOCK},
	{"firewall", unix.NETLINK_FIREWALL},
	{"sock_diag", unix.NETLINK_SOCK_DIAG},
	{"inet_diag", unix.NETLINK_INET_DIAG},
	{"nflog", unix.NETLINK_NFLOG},
	{"xfrm", unix.NETLINK_XFRM},
	{"selinux", unix.NETLINK_SELINUX},
	{"iscsi", unix.NETLINK_ISCSI},
	{"audit", unix.NETLINK_AUDIT},
	{"fib_lookup", unix.NETLINK_FIB_LOOKUP},
	{"connector", unix.NETLINK_CONNECTOR},
	{"netfilter", unix.NETLINK_NETFILTER},
	{"dnrtmsg", unix.NETLINK_DNRTMSG},
	{"kobject_uevent", unix.NETLINK_KOBJECT_UEVENT},
	{"generic", unix.NETLINK_GENERIC},
	{"genl", unix.NETLINK_GENERIC},
	{"scsitransport", unix.NETLINK_SCSITRANSPORT},
	{"ecryptfs", unix.NETLINK_ECRYPTFS},
	{"rdma", unix.NETLINK_RDMA},
	{"crypto", unix.NETLINK_CRYPTO},
	{"smc", unix.NETLINK_SMC},
}

// protocolName returns the name of netlink family n, or "".
func protocolName(n int) string {
	for _, p := range protocols {
		if p.number == n {
			return p.name
		}
	}
	return ""
}
