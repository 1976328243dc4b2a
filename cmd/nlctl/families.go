//go:build linux

package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/netlinkgo/netlink"
	"golang.org/x/sys/unix"
)

// A genlFamily is a generic netlink family as nlctrl describes it.
type genlFamily struct {
	Name       string          `json:"name"`
	ID         uint16          `json:"id"`
	Version    uint32          `json:"version"`
	HeaderSize uint32          `json:"header_size"`
	MaxAttr    uint32          `json:"max_attr"`
	Operations []genlOperation `json:"operations"`
	Groups     []genlGroup     `json:"multicast_groups"`

	// Policies are the attribute policies of the operations, by index,
	// where the kernel reports them (CTRL_CMD_GETPOLICY).
	Policies []policy `json:"policies,omitempty"`
}

// A genlOperation is one command of a family.
type genlOperation struct {
	ID    uint32   `json:"id"`
	Name  string   `json:"name,omitempty"` // known for nlctrl only
	Flags []string `json:"flags"`

	// DoPolicy and DumpPolicy are the indexes, in the family's Policies,
	// of the policies of the command's do and dump forms.
	DoPolicy   *uint32 `json:"do_policy,omitempty"`
	DumpPolicy *uint32 `json:"dump_policy,omitempty"`
}

// A genlGroup is a multicast group of a family.
type genlGroup struct {
	Name string `json:"name"`
	ID   uint32 `json:"id"`
}

// A policy is the set of attributes that a command accepts.
type policy struct {
	Index      uint32       `json:"index"`
	Attributes []attrPolicy `json:"attributes"`
}

// An attrPolicy is what one attribute may hold (NL_POLICY_TYPE_ATTR_*).
// Fields the kernel does not report are left out.
type attrPolicy struct {
	Attr           uint16      `json:"attr"`
	Name           string      `json:"name,omitempty"` // known for nlctrl only
	Type           string      `json:"type"`
	Min            json.Number `json:"min,omitempty"`
	Max            json.Number `json:"max,omitempty"`
	MinLength      *uint32     `json:"min_length,omitempty"`
	MaxLength      *uint32     `json:"max_length,omitempty"`
	Policy         *uint32     `json:"policy,omitempty"` // the policy of a nested attribute
	MaxType        *uint32     `json:"max_type,omitempty"`
	Bitfield32Mask string      `json:"bitfield32_mask,omitempty"`
	Mask           string      `json:"mask,omitempty"`
}

// opFlagNames names the flags of an operation (GENL_* in genetlink.h).
var opFlagNames = []struct {
	bit  uint32
	name string
}{
	{unix.GENL_ADMIN_PERM, "admin-perm"},
	{unix.GENL_CMD_CAP_DO, "cmd-cap-do"},
	{unix.GENL_CMD_CAP_DUMP, "cmd-cap-dump"},
	{unix.GENL_CMD_CAP_HASPOL, "cmd-cap-haspol"},
	{unix.GENL_UNS_ADMIN_PERM, "uns-admin-perm"},
}

// decodeOpFlags names the bits of flags; unknown bits are shown in hex.
func decodeOpFlags(flags uint32) []string {
	names := []string{}
	for _, f := range opFlagNames {
		if flags&f.bit != 0 {
			names = append(names, f.name)
			flags &^= f.bit
		}
	}
	if flags != 0 {
		names = append(names, fmt.Sprintf("%#x", flags))
	}
	return names
}

// policyTypeNames names the attribute types of a policy (enum
// netlink_attribute_type).
var policyTypeNames = []string{
	unix.NL_ATTR_TYPE_INVALID: "invalid", unix.NL_ATTR_TYPE_FLAG: "flag",
	unix.NL_ATTR_TYPE_U8: "u8", unix.NL_ATTR_TYPE_U16: "u16", unix.NL_ATTR_TYPE_U32: "u32", unix.NL_ATTR_TYPE_U64: "u64",
	unix.NL_ATTR_TYPE_S8: "s8", unix.NL_ATTR_TYPE_S16: "s16", unix.NL_ATTR_TYPE_S32: "s32", unix.NL_ATTR_TYPE_S64: "s64",
	unix.NL_ATTR_TYPE_BINARY: "binary", unix.NL_ATTR_TYPE_STRING: "string", unix.NL_ATTR_TYPE_NUL_STRING: "nul-string",
	unix.NL_ATTR_TYPE_NESTED: "nested", unix.NL_ATTR_TYPE_NESTED_ARRAY: "nested-array",
	unix.NL_ATTR_TYPE_BITFIELD32: "bitfield32",
	16:                           "sint", 17: "uint", // NL_ATTR_TYPE_SINT, NL_ATTR_TYPE_UINT (Linux 6.7)
}

// genlRequest returns a request to nlctrl for command cmd with attributes
// attrs, already encoded.
func genlRequest(cmd uint8, flags netlink.HeaderFlags, attrs []byte) netlink.Message {
	return netlink.Message{
		Header: netlink.Header{Type: unix.GENL_ID_CTRL, Flags: flags},
		// The controller's version is 2; the kernel does not check it.
		Data: append([]byte{cmd, 2, 0, 0}, attrs...),
	}
}

// listFamilies returns every generic netlink family, sorted by ID, with
// the policies of their operations when withPolicy is set and the kernel
// reports them.
func listFamilies(ctx context.Context, c *netlink.Conn, withPolicy bool) ([]genlFamily, error) {
	msgs, err := c.ExecuteContext(ctx, genlRequest(unix.CTRL_CMD_GETFAMILY, netlink.Request|netlink.Dump, nil))
	if err != nil {
		return nil, err
	}
	var families []genlFamily
	for _, m := range msgs {
		if m.Header.Type != unix.GENL_ID_CTRL {
			continue
		}
		f, err := parseFamily(m)
		if err != nil {
			return nil, err
		}
		families = append(families, f)
	}
	slices.SortFunc(families, func(a, b genlFamily) int { return cmp.Compare(a.ID, b.ID) })
	if withPolicy {
		for i := range families {
			// Families whose commands take no attributes, and kernels
			// before 5.10, have no policy to report: not an error.
			if err := getPolicies(ctx, c, &families[i]); err != nil && ctx.Err() != nil {
				return nil, err
			}
		}
	}
	return families, nil
}

// lookupFamily returns the generic netlink family called name. An unknown
// name is an error that matches unix.ENOENT.
func lookupFamily(ctx context.Context, c *netlink.Conn, name string) (genlFamily, error) {
	ae := netlink.NewAttributeEncoder()
	ae.String(unix.CTRL_ATTR_FAMILY_NAME, name)
	attrs, err := ae.Encode()
	if err != nil {
		return genlFamily{}, err
	}
	msgs, err := c.ExecuteContext(ctx, genlRequest(unix.CTRL_CMD_GETFAMILY, netlink.Request, attrs))
	if err != nil {
		return genlFamily{}, err
	}
	for _, m := range msgs {
		if m.Header.Type == unix.GENL_ID_CTRL {
			return parseFamily(m)
		}
	}
	return genlFamily{}, fmt.Errorf("no reply describing family %q", name)
}

// parseFamily decodes a CTRL_CMD_NEWFAMILY message.
func parseFamily(m netlink.Message) (genlFamily, error) {
	if len(m.Data) < unix.GENL_HDRLEN {
		return genlFamily{}, errors.New("nlctrl message too short for a genlmsghdr")
	}
	ad, err := netlink.NewAttributeDecoder(m.Data[unix.GENL_HDRLEN:])
	if err != nil {
		return genlFamily{}, fmt.Errorf("nlctrl message: %w", err)
	}
	f := genlFamily{Operations: []genlOperation{}, Groups: []genlGroup{}}
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
			ad.Nested(func(ops *netlink.AttributeDecoder) error {
				for ops.Next() {
					var op genlOperation
					ops.Nested(func(nad *netlink.AttributeDecoder) error {
						for nad.Next() {
							switch nad.Type() {
							case unix.CTRL_ATTR_OP_ID:
								op.ID = nad.Uint32()
							case unix.CTRL_ATTR_OP_FLAGS:
								op.Flags = decodeOpFlags(nad.Uint32())
							}
						}
						return nil
					})
					if op.Flags == nil {
						op.Flags = []string{}
					}
					f.Operations = append(f.Operations, op)
				}
				return nil
			})
		case unix.CTRL_ATTR_MCAST_GROUPS:
			ad.Nested(func(groups *netlink.AttributeDecoder) error {
				for groups.Next() {
					var g genlGroup
					groups.Nested(func(nad *netlink.AttributeDecoder) error {
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
				return nil
			})
		}
	}
	if err := ad.Err(); err != nil {
		return genlFamily{}, fmt.Errorf("nlctrl message: %w", err)
	}
	if f.ID == unix.GENL_ID_CTRL {
		for i := range f.Operations {
			f.Operations[i].Name = listName(ctrlCommandNames, f.Operations[i].ID)
		}
	}
	return f, nil
}

// getPolicies asks the kernel for the attribute policies of f's operations
// (CTRL_CMD_GETPOLICY, Linux 5.10 and later) and records them in f.
func getPolicies(ctx context.Context, c *netlink.Conn, f *genlFamily) error {
	ae := netlink.NewAttributeEncoder()
	ae.Uint16(unix.CTRL_ATTR_FAMILY_ID, f.ID)
	attrs, err := ae.Encode()
	if err != nil {
		return err
	}
	msgs, err := c.ExecuteContext(ctx, genlRequest(unix.CTRL_CMD_GETPOLICY, netlink.Request|netlink.Dump, attrs))
	if err != nil {
		return err
	}
	pc := newPolicyCollector(f)
	for _, m := range msgs {
		if m.Header.Type != unix.GENL_ID_CTRL || len(m.Data) < unix.GENL_HDRLEN {
			continue
		}
		if err := pc.parse(m.Data[unix.GENL_HDRLEN:]); err != nil {
			return err
		}
	}
	// A policy without attributes has no CTRL_ATTR_POLICY entry.
	for _, op := range f.Operations {
		for _, idx := range []*uint32{op.DoPolicy, op.DumpPolicy} {
			if idx != nil && pc.policies[*idx] == nil {
				pc.policies[*idx] = &policy{Index: *idx, Attributes: []attrPolicy{}}
			}
		}
	}
	for _, p := range pc.policies {
		slices.SortFunc(p.Attributes, func(a, b attrPolicy) int { return cmp.Compare(a.Attr, b.Attr) })
		f.Policies = append(f.Policies, *p)
	}
	slices.SortFunc(f.Policies, func(a, b policy) int { return cmp.Compare(a.Index, b.Index) })
	if f.ID == unix.GENL_ID_CTRL {
		for i := range f.Policies {
			for j := range f.Policies[i].Attributes {
				a := &f.Policies[i].Attributes[j]
				a.Name = ctrlSpace.name(a.Attr)
			}
		}
	}
	return nil
}

// A policyCollector gathers the replies to CTRL_CMD_GETPOLICY.
type policyCollector struct {
	ops      []*genlOperation // the family's operations, in the kernel's order
	byID     map[uint32]*genlOperation
	next     int // index in ops after the last operation matched
	policies map[uint32]*policy
}

// newPolicyCollector returns a collector that fills in f's operations.
func newPolicyCollector(f *genlFamily) *policyCollector {
	pc := &policyCollector{byID: make(map[uint32]*genlOperation), policies: make(map[uint32]*policy)}
	for i := range f.Operations {
		op := &f.Operations[i]
		pc.ops = append(pc.ops, op)
		pc.byID[op.ID] = op
	}
	return pc
}

// operation returns the operation that the CTRL_ATTR_OP_POLICY entry with
// key cmd describes, or nil.
//
// The kernel keys the entry with the command of the operation's do form,
// which is 0 for an operation that only dumps (as of Linux 6.18). It sends
// the entries in the order in which it lists the operations, one for each
// operation that has a policy (cmd-cap-haspol), so an entry keyed 0 is for
// the next such operation.
func (pc *policyCollector) operation(cmd uint32) *genlOperation {
	if op := pc.byID[cmd]; op != nil {
		pc.next = slices.Index(pc.ops, op) + 1
		return op
	}
	if cmd != 0 {
		return nil
	}
	for ; pc.next < len(pc.ops); pc.next++ {
		if op := pc.ops[pc.next]; slices.Contains(op.Flags, "cmd-cap-haspol") {
			pc.next++
			return op
		}
	}
	return nil
}

// parse decodes the attributes of one CTRL_CMD_GETPOLICY reply: either the
// policies of an operation (CTRL_ATTR_OP_POLICY) or one attribute of a
// policy (CTRL_ATTR_POLICY).
func (pc *policyCollector) parse(b []byte) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.CTRL_ATTR_OP_POLICY:
			ad.Nested(func(byOp *netlink.AttributeDecoder) error {
				for byOp.Next() {
					op := pc.operation(uint32(byOp.Type()))
					byOp.Nested(func(nad *netlink.AttributeDecoder) error {
						for nad.Next() {
							idx := nad.Uint32()
							if op == nil {
								continue
							}
							switch nad.Type() {
							case unix.CTRL_ATTR_POLICY_DO:
								op.DoPolicy = &idx
							case unix.CTRL_ATTR_POLICY_DUMP:
								op.DumpPolicy = &idx
							}
						}
						return nil
					})
				}
				return nil
			})
		case unix.CTRL_ATTR_POLICY:
			ad.Nested(func(byIndex *netlink.AttributeDecoder) error {
				for byIndex.Next() {
					idx := uint32(byIndex.Type())
					p := pc.policies[idx]
					if p == nil {
						p = &policy{Index: idx, Attributes: []attrPolicy{}}
						pc.policies[idx] = p
					}
					byIndex.Nested(func(byAttr *netlink.AttributeDecoder) error {
						for byAttr.Next() {
							a := attrPolicy{Attr: byAttr.Type()}
							byAttr.Nested(a.decode)
							p.Attributes = append(p.Attributes, a)
						}
						return nil
					})
				}
				return nil
			})
		}
	}
	return ad.Err()
}

// decode reads the description of one attribute (NL_POLICY_TYPE_ATTR_*).
func (a *attrPolicy) decode(ad *netlink.AttributeDecoder) error {
	u32 := func() *uint32 { v := ad.Uint32(); return &v }
	for ad.Next() {
		switch ad.Type() {
		case unix.NL_POLICY_TYPE_ATTR_TYPE:
			t := ad.Uint32()
			if a.Type = listName(policyTypeNames, t); a.Type == "" {
				a.Type = "type-" + strconv.FormatUint(uint64(t), 10)
			}
		case unix.NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
			a.Min = json.Number(strconv.FormatInt(ad.Int64(), 10))
		case unix.NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
			a.Max = json.Number(strconv.FormatInt(ad.Int64(), 10))
		case unix.NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
			a.Min = json.Number(strconv.FormatUint(ad.Uint64(), 10))
		case unix.NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
			a.Max = json.Number(strconv.FormatUint(ad.Uint64(), 10))
		case unix.NL_POLICY_TYPE_ATTR_MIN_LENGTH:
			a.MinLength = u32()
		case unix.NL_POLICY_TYPE_ATTR_MAX_LENGTH:
			a.MaxLength = u32()
		case unix.NL_POLICY_TYPE_ATTR_POLICY_IDX:
			a.Policy = u32()
		case unix.NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE:
			a.MaxType = u32()
		case unix.NL_POLICY_TYPE_ATTR_BITFIELD32_MASK:
			a.Bitfield32Mask = fmt.Sprintf("%#x", ad.Uint32())
		case unix.NL_POLICY_TYPE_ATTR_MASK:
			a.Mask = fmt.Sprintf("%#x", ad.Uint64())
		}
	}
	return nil
}

// fullRanges is the range of each integer type, which the kernel reports
// for attributes whose policy sets none: not worth showing.
var fullRanges = map[string][2]string{
	"u8": {"0", "255"}, "u16": {"0", "65535"}, "u32": {"0", "4294967295"},
	"u64": {"0", "18446744073709551615"}, "uint": {"0", "18446744073709551615"},
	"s8": {"-128", "127"}, "s16": {"-32768", "32767"}, "s32": {"-2147483648", "2147483647"},
	"s64": {"-9223372036854775808", "9223372036854775807"}, "sint": {"-9223372036854775808", "9223372036854775807"},
}

// describe returns the policy's constraints as text, such as
// "range 1..16" or "max-len 15".
func (a attrPolicy) describe() string {
	var parts []string
	if a.Min != "" || a.Max != "" {
		if r, ok := fullRanges[a.Type]; !ok || r != [2]string{string(a.Min), string(a.Max)} {
			parts = append(parts, fmt.Sprintf("range %s..%s", a.Min, a.Max))
		}
	}
	if a.MinLength != nil {
		parts = append(parts, fmt.Sprintf("min-len %d", *a.MinLength))
	}
	if a.MaxLength != nil {
		parts = append(parts, fmt.Sprintf("max-len %d", *a.MaxLength))
	}
	if a.Policy != nil {
		parts = append(parts, fmt.Sprintf("policy %d", *a.Policy))
	}
	if a.MaxType != nil {
		parts = append(parts, fmt.Sprintf("max-type %d", *a.MaxType))
	}
	if a.Bitfield32Mask != "" {
		parts = append(parts, "mask "+a.Bitfield32Mask)
	}
	if a.Mask != "" {
		parts = append(parts, "mask "+a.Mask)
	}
	return strings.Join(parts, " ")
}

// writeFamiliesText writes families as aligned text: a header line per
// family, then its operations, groups and, with withPolicy, policies.
func writeFamiliesText(w io.Writer, families []genlFamily, withPolicy bool) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, f := range families {
		// The header line has no tab, so that it is not aligned with
		// the lines below it.
		fmt.Fprintf(tw, "%s  id %d  version %d  hdrsize %d  maxattr %d\n", f.Name, f.ID, f.Version, f.HeaderSize, f.MaxAttr)
		for _, op := range f.Operations {
			name := strconv.FormatUint(uint64(op.ID), 10)
			if op.Name != "" {
				name = op.Name + " (" + name + ")"
			}
			line := fmt.Sprintf("  op\t%s\t%s", name, strings.Join(op.Flags, ","))
			if p := opPolicies(op); withPolicy && p != "" {
				line += "\t" + p
			}
			fmt.Fprintln(tw, line)
		}
		for _, g := range f.Groups {
			fmt.Fprintf(tw, "  group\t%s (%d)\n", g.Name, g.ID)
		}
		if withPolicy {
			for _, p := range f.Policies {
				if len(p.Attributes) == 0 {
					fmt.Fprintf(tw, "  policy %d: no attributes\n", p.Index)
					continue
				}
				fmt.Fprintf(tw, "  policy %d:\n", p.Index)
				for _, a := range p.Attributes {
					line := fmt.Sprintf("    %d\t%s", a.Attr, a.Type)
					if a.Name != "" {
						line = fmt.Sprintf("    %d\t%s\t%s", a.Attr, a.Name, a.Type)
					}
					if d := a.describe(); d != "" {
						line += "\t" + d
					}
					fmt.Fprintln(tw, line)
				}
			}
		}
	}
	return tw.Flush()
}

// opPolicies returns "do policy N, dump policy M" for an operation.
func opPolicies(op genlOperation) string {
	var parts []string
	if op.DoPolicy != nil {
		parts = append(parts, fmt.Sprintf("do: policy %d", *op.DoPolicy))
	}
	if op.DumpPolicy != nil {
		parts = append(parts, fmt.Sprintf("dump: policy %d", *op.DumpPolicy))
	}
	return strings.Join(parts, ", ")
}

// writeFamiliesJSON writes families as a JSON array.
func writeFamiliesJSON(w io.Writer, families []genlFamily) error {
	if families == nil {
		families = []genlFamily{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(families)
}
