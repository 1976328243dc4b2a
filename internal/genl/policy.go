//go:build linux

package genl

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/netlinkgo/netlink"
	"golang.org/x/sys/unix"
)

// Policies are the attribute policies of a family's operations, as
// CTRL_CMD_GETPOLICY reports them.
type Policies struct {
	// Operations says which policies each operation uses, for the
	// operations that have any, in the family's order.
	Operations []OperationPolicy

	// Policies are the policies, sorted by index. Every index that
	// Operations names is there, with no attributes if the kernel listed
	// none.
	Policies []Policy
}

// An OperationPolicy gives the policies of one operation's do and dump
// forms, as indexes in Policies; nil when that form has none.
type OperationPolicy struct {
	Command uint32  // the operation's command, as in Operation
	Do      *uint32 // CTRL_ATTR_POLICY_DO
	Dump    *uint32 // CTRL_ATTR_POLICY_DUMP
}

// A Policy is the set of attributes that an operation, or the content of
// a nested attribute, accepts.
type Policy struct {
	Index      uint32
	Attributes []AttributePolicy // sorted by Type
}

// An AttributePolicy is what one attribute of a Policy may hold.
type AttributePolicy struct {
	Type   uint16 // the attribute's type
	Policy netlink.AttributePolicy
}

// ParsePolicies decodes the replies to a CTRL_CMD_GETPOLICY dump about
// family f, which must list f's operations as the kernel does. Messages of
// other types are skipped; a malformed reply is an error.
func ParsePolicies(f Family, msgs []netlink.Message) (Policies, error) {
	pc := policyCollector{
		family:   f,
		ops:      make(map[int]*OperationPolicy),
		policies: make(map[uint32]*Policy),
	}
	for _, m := range msgs {
		if m.Header.Type != unix.GENL_ID_CTRL {
			continue
		}
		if len(m.Data) < HeaderLen {
			return Policies{}, fmt.Errorf("genl: %d-byte CTRL_CMD_GETPOLICY reply", len(m.Data))
		}
		if err := pc.parse(m.Data[HeaderLen:]); err != nil {
			return Policies{}, fmt.Errorf("genl: CTRL_CMD_GETPOLICY reply: %w", err)
		}
	}
	return pc.result(), nil
}

// A policyCollector gathers the replies to CTRL_CMD_GETPOLICY.
type policyCollector struct {
	family   Family
	ops      map[int]*OperationPolicy // by index in family.Operations
	next     int                      // index in family.Operations after the last one matched
	policies map[uint32]*Policy
}

// operation returns the index in the family's operations of the one that
// the CTRL_ATTR_OP_POLICY entry keyed cmd describes, or -1.
//
// The kernel keys the entry with the command of the operation's do form,
// which is 0 for an operation that only dumps (as of Linux 6.18). It sends
// the entries in the order in which it lists the operations, one for each
// operation that has a policy (GENL_CMD_CAP_HASPOL), so an entry keyed 0
// is for the next such operation.
func (pc *policyCollector) operation(cmd uint32) int {
	ops := pc.family.Operations
	if cmd != 0 {
		i := slices.IndexFunc(ops, func(op Operation) bool { return op.Command == cmd })
		if i >= 0 {
			pc.next = i + 1
		}
		return i
	}
	for ; pc.next < len(ops); pc.next++ {
		if ops[pc.next].Flags&unix.GENL_CMD_CAP_HASPOL != 0 {
			pc.next++
			return pc.next - 1
		}
	}
	return -1
}

// parse decodes the attributes of one reply: either the policies of an
// operation (CTRL_ATTR_OP_POLICY) or attributes of policies
// (CTRL_ATTR_POLICY).
func (pc *policyCollector) parse(b []byte) error {
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return err
	}
	for ad.Next() {
		switch ad.Type() {
		case unix.CTRL_ATTR_OP_POLICY:
			ad.Nested(pc.parseOperations)
		case unix.CTRL_ATTR_POLICY:
			ad.Nested(pc.parsePolicies)
		}
	}
	return ad.Err()
}

// parseOperations reads CTRL_ATTR_OP_POLICY: a nest keyed by command that
// holds the indexes of the do and dump policies.
func (pc *policyCollector) parseOperations(byOp *netlink.AttributeDecoder) error {
	for byOp.Next() {
		i := pc.operation(uint32(byOp.Type()))
		var op OperationPolicy
		byOp.Nested(func(nad *netlink.AttributeDecoder) error {
			for nad.Next() {
				switch nad.Type() {
				case unix.CTRL_ATTR_POLICY_DO:
					idx := nad.Uint32()
					op.Do = &idx
				case unix.CTRL_ATTR_POLICY_DUMP:
					idx := nad.Uint32()
					op.Dump = &idx
				}
			}
			return nil
		})
		if i < 0 {
			continue
		}
		have := pc.ops[i]
		if have == nil {
			have = &OperationPolicy{Command: pc.family.Operations[i].Command}
			pc.ops[i] = have
		}
		if op.Do != nil {
			have.Do = op.Do
		}
		if op.Dump != nil {
			have.Dump = op.Dump
		}
	}
	return byOp.Err()
}

// parsePolicies reads CTRL_ATTR_POLICY: nests keyed by policy index, then
// by attribute type, that hold the NL_POLICY_TYPE_ATTR_* attributes.
func (pc *policyCollector) parsePolicies(byIndex *netlink.AttributeDecoder) error {
	for byIndex.Next() {
		p := pc.policy(uint32(byIndex.Type()))
		byIndex.Nested(func(byAttr *netlink.AttributeDecoder) error {
			for byAttr.Next() {
				a := AttributePolicy{Type: byAttr.Type()}
				byAttr.Do(func(b []byte) error {
					var err error
					a.Policy, err = netlink.ParseAttributePolicy(b)
					return err
				})
				p.Attributes = append(p.Attributes, a)
			}
			return nil
		})
	}
	return byIndex.Err()
}

// policy returns the policy with index idx, adding it if it is new.
func (pc *policyCollector) policy(idx uint32) *Policy {
	p := pc.policies[idx]
	if p == nil {
		p = &Policy{Index: idx}
		pc.policies[idx] = p
	}
	return p
}

// result returns what the replies said, in order.
func (pc *policyCollector) result() Policies {
	var out Policies
	for i := range pc.family.Operations {
		op := pc.ops[i]
		if op == nil {
			continue
		}
		out.Operations = append(out.Operations, *op)
		// A policy without attributes has no CTRL_ATTR_POLICY entry.
		for _, idx := range []*uint32{op.Do, op.Dump} {
			if idx != nil {
				pc.policy(*idx)
			}
		}
	}
	for _, p := range pc.policies {
		slices.SortFunc(p.Attributes, func(a, b AttributePolicy) int { return cmp.Compare(a.Type, b.Type) })
		out.Policies = append(out.Policies, *p)
	}
	slices.SortFunc(out.Policies, func(a, b Policy) int { return cmp.Compare(a.Index, b.Index) })
	return out
}
