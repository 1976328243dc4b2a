//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
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

// familyView returns what nlctl shows of family f.
func familyView(f genl.Family) genlFamily {
	v := genlFamily{
		Name: f.Name, ID: f.ID, Version: f.Version, HeaderSize: f.HeaderSize, MaxAttr: f.MaxAttr,
		Operations: []genlOperation{}, Groups: []genlGroup{},
	}
	for _, op := range f.Operations {
		o := genlOperation{ID: op.Command, Flags: decodeOpFlags(op.Flags)}
		if f.ID == unix.GENL_ID_CTRL {
			o.Name = listName(ctrlCommandNames, op.Command)
		}
		v.Operations = append(v.Operations, o)
	}
	for _, g := range f.Groups {
		v.Groups = append(v.Groups, genlGroup{Name: g.Name, ID: g.ID})
	}
	return v
}

// addPolicies records the policies of v's operations.
func (v *genlFamily) addPolicies(p genl.Policies) {
	for _, op := range p.Operations {
		for i := range v.Operations {
			if o := &v.Operations[i]; o.ID == op.Command && o.DoPolicy == nil && o.DumpPolicy == nil {
				o.DoPolicy, o.DumpPolicy = op.Do, op.Dump
				break
			}
		}
	}
	for _, pol := range p.Policies {
		out := policy{Index: pol.Index, Attributes: []attrPolicy{}}
		for _, a := range pol.Attributes {
			view := attrPolicyView(a.Type, a.Policy)
			if v.ID == unix.GENL_ID_CTRL {
				view.Name = ctrlSpace.name(a.Type)
			}
			out.Attributes = append(out.Attributes, view)
		}
		v.Policies = append(v.Policies, out)
	}
}

// listFamilies returns every generic netlink family, sorted by ID, with
// the policies of their operations when withPolicy is set and the kernel
// reports them. Each request is bounded by timeout.
func listFamilies(ctx context.Context, c *genl.Client, timeout requestTimeout, withPolicy bool) ([]genlFamily, error) {
	var families []genl.Family
	err := timeout.do(ctx, func(ctx context.Context) (err error) {
		families, err = c.Families(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	var views []genlFamily
	for _, f := range families {
		v := familyView(f)
		if withPolicy {
			var p genl.Policies
			err := timeout.do(ctx, func(ctx context.Context) (err error) {
				p, err = c.Policies(ctx, f)
				return err
			})
			switch {
			case ctx.Err() != nil || isTimeout(err):
				return nil, fmt.Errorf("policies of %s: %w", f.Name, err)
			case err == nil:
				v.addPolicies(p)
			}
			// Otherwise the family's commands take no attributes, or the
			// kernel predates 5.10: it has no policy to report.
		}
		views = append(views, v)
	}
	return views, nil
}

// attrPolicyView returns what nlctl shows of the policy p of attribute
// attr.
func attrPolicyView(attr uint16, p netlink.AttributePolicy) attrPolicy {
	a := attrPolicy{Attr: attr, Type: p.Type.String()}
	signed := func() {
		a.Min = json.Number(strconv.FormatInt(p.MinValueSigned, 10))
		a.Max = json.Number(strconv.FormatInt(p.MaxValueSigned, 10))
	}
	unsigned := func() {
		a.Min = json.Number(strconv.FormatUint(p.MinValue, 10))
		a.Max = json.Number(strconv.FormatUint(p.MaxValue, 10))
	}
	// The kernel reports a range for every integer type, unless a mask
	// restricts it instead; zero fields are fields it did not send.
	switch p.Type {
	case netlink.PolicyTypeS8, netlink.PolicyTypeS16, netlink.PolicyTypeS32, netlink.PolicyTypeS64, netlink.PolicyTypeSint:
		signed()
	case netlink.PolicyTypeU8, netlink.PolicyTypeU16, netlink.PolicyTypeU32, netlink.PolicyTypeU64, netlink.PolicyTypeUint:
		if p.Mask == 0 {
			unsigned()
		}
	default:
		if p.MinValueSigned != 0 || p.MaxValueSigned != 0 {
			signed()
		} else if p.MinValue != 0 || p.MaxValue != 0 {
			unsigned()
		}
	}
	nonZero := func(v uint32) *uint32 {
		if v == 0 {
			return nil
		}
		return &v
	}
	a.MinLength, a.MaxLength = nonZero(p.MinLength), nonZero(p.MaxLength)
	if p.PolicyMaxType != 0 {
		a.Policy, a.MaxType = &p.PolicyIndex, &p.PolicyMaxType
	}
	if p.Bitfield32Mask != 0 {
		a.Bitfield32Mask = fmt.Sprintf("%#x", p.Bitfield32Mask)
	}
	if p.Mask != 0 {
		a.Mask = fmt.Sprintf("%#x", p.Mask)
	}
	return a
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
