package netlink

// Sizes and alignment of the kernel's netlink structures.
const (
	nlmsgAlignTo   = 4  // NLMSG_ALIGNTO
	nlmsgHeaderLen = 16 // NLMSG_HDRLEN: sizeof(struct nlmsghdr)
	nlaAlignTo     = 4  // NLA_ALIGNTO
	nlaHeaderLen   = 4  // NLA_HDRLEN: sizeof(struct nlattr)
)

// nlmsgAlign rounds n up to the alignment of netlink messages (NLMSG_ALIGN).
func nlmsgAlign(n int) int { return (n + nlmsgAlignTo - 1) &^ (nlmsgAlignTo - 1) }

// nlaAlign rounds n up to the alignment of netlink attributes (NLA_ALIGN).
func nlaAlign(n int) int { return (n + nlaAlignTo - 1) &^ (nlaAlignTo - 1) }
