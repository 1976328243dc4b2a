//go:build linux

// Package genl is a client of nlctrl, the generic netlink controller: it
// looks up generic netlink families by name, lists them with their
// operations and multicast groups, and dumps the attribute policies of
// their operations. Command nlctl and the kernel tests of package netlink
// share it, so that one decoder of nlctrl's replies serves them all.
//
// The request builders and ParseFamily work on single messages, for tests
// that drive a Conn themselves; a Client sends the requests over a Conn.
package genl

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/netlinkgo/netlink"
	"golang.org/x/sys/unix"
)

// HeaderLen is the size of struct genlmsghdr, which starts the payload of
// every generic netlink message (GENL_HDRLEN).
const HeaderLen = 4

// ctrlVersion is the version of nlctrl's interface that requests claim; the
// kernel does not check it.
const ctrlVersion = 2

// A Family is a generic netlink family as nlctrl describes it in a
// CTRL_CMD_NEWFAMILY message.
type Family struct {
	Name       string      // CTRL_ATTR_FAMILY_NAME
	ID         uint16      // CTRL_ATTR_FAMILY_ID: the message type of its messages
	Version    uint32      // CTRL_ATTR_VERSION
	HeaderSize uint32      // CTRL_ATTR_HDRSIZE: its own header, after genlmsghdr
	MaxAttr    uint32      // CTRL_ATTR_MAXATTR
	Operations []Operation // CTRL_ATTR_OPS, in the kernel's order
	Groups     []Group     // CTRL_ATTR_MCAST_GROUPS
}

// An Operation is one command of a family.
type Operation struct {
	Command uint32 // CTRL_ATTR_OP_ID
	Flags   uint32 // CTRL_ATTR_OP_FLAGS: GENL_ADMIN_PERM, GENL_CMD_CAP_DO, ...
}

// A Group is a multicast group of a family.
type Group struct {
	Name string // CTRL_ATTR_MCAST_GRP_NAME
	ID   uint32 // CTRL_ATTR_MCAST_GRP_ID: the group to join
}

// Request returns a request to the generic netlink family with ID family:
// a genlmsghdr with command cmd and version, then attrs, already encoded.
// The Request flag is always set.
func Request(family uint16, cmd, version uint8, flags netlink.HeaderFlags, attrs []byte) netlink.Message {
	data := make([]byte, HeaderLen, HeaderLen+len(attrs))
	data[0], data[1] = cmd, version
	return netlink.Message{
		Header: netlink.Header{Type: netlink.HeaderType(family), Flags: netlink.Request | flags},
		Data:   append(data, attrs...),
	}
}

// GetFamilyRequest returns a CTRL_CMD_GETFAMILY request for the family
// called name, or a dump of every family when name is empty.
func GetFamilyRequest(name string) netlink.Message {
	if name == "" {
		return Request(unix.GENL_ID_CTRL, unix.CTRL_CMD_GETFAMILY, ctrlVersion, netlink.Dump, nil)
	}
	ae := netlink.NewAttributeEncoder()
	ae.String(unix.CTRL_ATTR_FAMILY_NAME, name)
	// Encoding a string attribute fails only past 64 KiB, which the
	// kernel would refuse anyway: the request then carries what it can.
	attrs, _ := ae.Encode()
	return Request(unix.GENL_ID_CTRL, unix.CTRL_CMD_GETFAMILY, ctrlVersion, 0, attrs)
}

// GetPolicyRequest returns a CTRL_CMD_GETPOLICY dump request for the
// policies of every operation of the family with ID id (Linux 5.10 and
// later).
func GetPolicyRequest(id uint16) netlink.Message {
	ae := netlink.NewAttributeEncoder()
	ae.Uint16(unix.CTRL_ATTR_FAMILY_ID, id)
	attrs, _ := ae.Encode() // a u16 always encodes
	return Request(unix.GENL_ID_CTRL, unix.CTRL_CMD_GETPOLICY, ctrlVersion, netlink.Dump, attrs)
}

// ParseFamily decodes a CTRL_CMD_NEWFAMILY message from nlctrl. It returns
// an error for another message, a malformed one, or one without the
// family's name or ID.
func ParseFamily(m netlink.Message) (Family, error) {
	if m.Header.Type != unix.GENL_ID_CTRL || len(m.Data) < HeaderLen || m.Data[0] != unix.CTRL_CMD_NEWFAMILY {
		return Family{}, fmt.Errorf("genl: not a CTRL_CMD_NEWFAMILY message: type %d, %d bytes", m.Header.Type, len(m.Data))
	}
	ad, err := netlink.NewAttributeDecoder(m.Data[HeaderLen:])
	if err != nil {
		return Family{}, fmt.Errorf("genl: CTRL_CMD_NEWFAMILY: %w", err)
	}
	var f Family
	for ad.Next() {
		switch ad.Type() {
		case unix.CTRL_ATTR_FAMILY_ID:
			f.ID = ad.Uint16()
		case unix.CTRL_ATTR_FAMILY_NAME:
			f.Name = ad.String()
		case unix.CTRL_ATTR_VERSION:
			f.Version = ad.Uint32()
		case unix.CTRL_ATTR_HDRSIZE:
			f.HeaderSize = ad.Uint32()
		case unix.CTRL_ATTR_MAXATTR:
			f.MaxAttr = ad.Uint32()
		case unix.CTRL_ATTR_OPS:
			ad.Nested(f.decodeOperations)
		case unix.CTRL_ATTR_MCAST_GROUPS:
			ad.Nested(f.decodeGroups)
		}
	}
	if err := ad.Err(); err != nil {
		return Family{}, fmt.Errorf("genl: CTRL_CMD_NEWFAMILY: %w", err)
	}
	if f.Name == "" || f.ID == 0 {
		return Family{}, fmt.Errorf("genl: CTRL_CMD_NEWFAMILY without a name or ID: name %q, ID %d", f.Name, f.ID)
	}
	return f, nil
}

// decodeOperations reads CTRL_ATTR_OPS: one nest per operation.
func (f *Family) decodeOperations(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		var op Operation
		ad.Nested(func(nad *netlink.AttributeDecoder) error {
			for nad.Next() {
				switch nad.Type() {
				case unix.CTRL_ATTR_OP_ID:
					op.Command = nad.Uint32()
				case unix.CTRL_ATTR_OP_FLAGS:
					op.Flags = nad.Uint32()
				}
			}
			return nil
		})
		f.Operations = append(f.Operations, op)
	}
	return ad.Err()
}

// decodeGroups reads CTRL_ATTR_MCAST_GROUPS: one nest per group.
func (f *Family) decodeGroups(ad *netlink.AttributeDecoder) error {
	for ad.Next() {
		var g Group
		ad.Nested(func(nad *netlink.AttributeDecoder) error {
			for nad.Next() {
				switch nad.Type() {
				case unix.CTRL_ATTR_MCAST_GRP_NAME:
					g.Name = nad.String()
				case unix.CTRL_ATTR_MCAST_GRP_ID:
					g.ID = nad.Uint32()
				}
			}
			return nil
		})
		f.Groups = append(f.Groups, g)
	}
	return ad.Err()
}

// A Client asks nlctrl about generic netlink families over a Conn of
// protocol NETLINK_GENERIC. Its methods are safe for concurrent use as far
// as the Conn's Execute is.
type Client struct {
	c *netlink.Conn
}

// NewClient returns a Client that sends its requests over c. Closing c is
// the caller's duty.
func NewClient(c *netlink.Conn) *Client {
	return &Client{c: c}
}

// Family returns the family called name. For a name the kernel does not
// know, the error matches unix.ENOENT.
func (c *Client) Family(ctx context.Context, name string) (Family, error) {
	if name == "" {
		return Family{}, errors.New("genl: empty family name")
	}
	msgs, err := c.c.ExecuteContext(ctx, GetFamilyRequest(name))
	if err != nil {
		return Family{}, err
	}
	for _, m := range msgs {
		if m.Header.Type == unix.GENL_ID_CTRL {
			return ParseFamily(m)
		}
	}
	return Family{}, fmt.Errorf("genl: no reply describing family %q", name)
}

// Families returns every generic netlink family, sorted by ID.
func (c *Client) Families(ctx context.Context) ([]Family, error) {
	msgs, err := c.c.ExecuteContext(ctx, GetFamilyRequest(""))
	if err != nil {
		return nil, err
	}
	var families []Family
	for _, m := range msgs {
		if m.Header.Type != unix.GENL_ID_CTRL {
			continue
		}
		f, err := ParseFamily(m)
		if err != nil {
			return nil, err
		}
		families = append(families, f)
	}
	slices.SortFunc(families, func(a, b Family) int { return cmp.Compare(a.ID, b.ID) })
	return families, nil
}

// Policies returns the attribute policies of f's operations
// (CTRL_CMD_GETPOLICY). f must come from this kernel, with its operations:
// the replies name some operations only by their place among them. A
// family whose operations take no attributes, or a kernel before 5.10,
// answers with an error.
func (c *Client) Policies(ctx context.Context, f Family) (Policies, error) {
	msgs, err := c.c.ExecuteContext(ctx, GetPolicyRequest(f.ID))
	if err != nil {
		return Policies{}, err
	}
	return ParsePolicies(f, msgs)
}
