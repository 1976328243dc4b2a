package netlink

import "fmt"

// Policy attributes (enum netlink_policy_type_attr).
const (
	policyAttrType           = 1  // NL_POLICY_TYPE_ATTR_TYPE
	policyAttrMinValueS      = 2  // NL_POLICY_TYPE_ATTR_MIN_VALUE_S
	policyAttrMaxValueS      = 3  // NL_POLICY_TYPE_ATTR_MAX_VALUE_S
	policyAttrMinValueU      = 4  // NL_POLICY_TYPE_ATTR_MIN_VALUE_U
	policyAttrMaxValueU      = 5  // NL_POLICY_TYPE_ATTR_MAX_VALUE_U
	policyAttrMinLength      = 6  // NL_POLICY_TYPE_ATTR_MIN_LENGTH
	policyAttrMaxLength      = 7  // NL_POLICY_TYPE_ATTR_MAX_LENGTH
	policyAttrPolicyIndex    = 8  // NL_POLICY_TYPE_ATTR_POLICY_IDX
	policyAttrPolicyMaxType  = 9  // NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE
	policyAttrBitfield32Mask = 10 // NL_POLICY_TYPE_ATTR_BITFIELD32_MASK
	policyAttrMask           = 12 // NL_POLICY_TYPE_ATTR_MASK
)

// A PolicyType is the kind of value that an attribute policy admits (enum
// netlink_attribute_type, NL_ATTR_TYPE_*).
type PolicyType uint32

// Attribute policy types.
const (
	PolicyTypeInvalid     PolicyType = 0  // NL_ATTR_TYPE_INVALID
	PolicyTypeFlag        PolicyType = 1  // NL_ATTR_TYPE_FLAG
	PolicyTypeU8          PolicyType = 2  // NL_ATTR_TYPE_U8
	PolicyTypeU16         PolicyType = 3  // NL_ATTR_TYPE_U16
	PolicyTypeU32         PolicyType = 4  // NL_ATTR_TYPE_U32
	PolicyTypeU64         PolicyType = 5  // NL_ATTR_TYPE_U64
	PolicyTypeS8          PolicyType = 6  // NL_ATTR_TYPE_S8
	PolicyTypeS16         PolicyType = 7  // NL_ATTR_TYPE_S16
	PolicyTypeS32         PolicyType = 8  // NL_ATTR_TYPE_S32
	PolicyTypeS64         PolicyType = 9  // NL_ATTR_TYPE_S64
	PolicyTypeBinary      PolicyType = 10 // NL_ATTR_TYPE_BINARY
	PolicyTypeString      PolicyType = 11 // NL_ATTR_TYPE_STRING
	PolicyTypeNulString   PolicyType = 12 // NL_ATTR_TYPE_NUL_STRING
	PolicyTypeNested      PolicyType = 13 // NL_ATTR_TYPE_NESTED
	PolicyTypeNestedArray PolicyType = 14 // NL_ATTR_TYPE_NESTED_ARRAY
	PolicyTypeBitfield32  PolicyType = 15 // NL_ATTR_TYPE_BITFIELD32
	PolicyTypeSint        PolicyType = 16 // NL_ATTR_TYPE_SINT (Linux 6.7)
	PolicyTypeUint        PolicyType = 17 // NL_ATTR_TYPE_UINT (Linux 6.7)
)

// String returns the kernel's name of t in lower case with dashes, such as
// "u32" or "nul-string", or "unknown(N)" for a type it does not know.
func (t PolicyType) String() string {
	switch t {
	case PolicyTypeInvalid:
		return "invalid"
	case PolicyTypeFlag:
		return "flag"
	case PolicyTypeU8:
		return "u8"
	case PolicyTypeU16:
		return "u16"
	case PolicyTypeU32:
		return "u32"
	case PolicyTypeU64:
		return "u64"
	case PolicyTypeS8:
		return "s8"
	case PolicyTypeS16:
		return "s16"
	case PolicyTypeS32:
		return "s32"
	case PolicyTypeS64:
		return "s64"
	case PolicyTypeBinary:
		return "binary"
	case PolicyTypeString:
		return "string"
	case PolicyTypeNulString:
		return "nul-string"
	case PolicyTypeNested:
		return "nested"
	case PolicyTypeNestedArray:
		return "nested-array"
	case PolicyTypeBitfield32:
		return "bitfield32"
	case PolicyTypeSint:
		return "sint"
	case PolicyTypeUint:
		return "uint"
	default:
		return fmt.Sprintf("unknown(%d)", uint32(t))
	}
}

// An AttributePolicy is the kernel's description of what an attribute may
// hold (enum netlink_policy_type_attr). The kernel reports one for a
// rejected attribute in an extended acknowledgement (Ack.Policy) and one
// per attribute in the replies to generic netlink's CTRL_CMD_GETPOLICY,
// which ParseAttributePolicy reads.
//
// Fields the kernel did not send are zero. For an integer type it sends
// either the Mask of the bits allowed or the range of values: in
// MinValueSigned and MaxValueSigned for the signed types, in MinValue and
// MaxValue for the unsigned ones, the type's full range when the policy
// sets none. It sends the lengths of binary and string attributes only
// when they are limited, and, in CTRL_CMD_GETPOLICY replies, PolicyIndex
// with PolicyMaxType (never 0 then) for a nested attribute whose content
// has a policy of its own.
type AttributePolicy struct {
	Type           PolicyType // NL_POLICY_TYPE_ATTR_TYPE
	MinValueSigned int64      // NL_POLICY_TYPE_ATTR_MIN_VALUE_S
	MaxValueSigned int64      // NL_POLICY_TYPE_ATTR_MAX_VALUE_S
	MinValue       uint64     // NL_POLICY_TYPE_ATTR_MIN_VALUE_U
	MaxValue       uint64     // NL_POLICY_TYPE_ATTR_MAX_VALUE_U
	MinLength      uint32     // NL_POLICY_TYPE_ATTR_MIN_LENGTH
	MaxLength      uint32     // NL_POLICY_TYPE_ATTR_MAX_LENGTH
	PolicyIndex    uint32     // NL_POLICY_TYPE_ATTR_POLICY_IDX
	PolicyMaxType  uint32     // NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE
	Bitfield32Mask uint32     // NL_POLICY_TYPE_ATTR_BITFIELD32_MASK
	Mask           uint64     // NL_POLICY_TYPE_ATTR_MASK
}

// ParseAttributePolicy decodes the content of an attribute that describes
// a policy: the NL_POLICY_TYPE_ATTR_* attributes nested in an extended
// acknowledgement's NLMSGERR_ATTR_POLICY, or in a CTRL_CMD_GETPOLICY
// reply under CTRL_ATTR_POLICY, policy index and attribute type. It
// ignores attributes it does not know, as newer kernels may add some, and
// returns an error for malformed attributes or a value of the wrong size.
func ParseAttributePolicy(b []byte) (AttributePolicy, error) {
	ad, err := NewAttributeDecoder(b)
	if err != nil {
		return AttributePolicy{}, err
	}
	var p AttributePolicy
	if err := p.decode(ad); err != nil {
		return AttributePolicy{}, err
	}
	return p, nil
}

// decode reads the policy attributes.
func (p *AttributePolicy) decode(ad *AttributeDecoder) error {
	for ad.Next() {
		switch ad.Type() {
		case policyAttrType:
			p.Type = PolicyType(ad.Uint32())
		case policyAttrMinValueS:
			p.MinValueSigned = ad.Int64()
		case policyAttrMaxValueS:
			p.MaxValueSigned = ad.Int64()
		case policyAttrMinValueU:
			p.MinValue = ad.Uint64()
		case policyAttrMaxValueU:
			p.MaxValue = ad.Uint64()
		case policyAttrMinLength:
			p.MinLength = ad.Uint32()
		case policyAttrMaxLength:
			p.MaxLength = ad.Uint32()
		case policyAttrPolicyIndex:
			p.PolicyIndex = ad.Uint32()
		case policyAttrPolicyMaxType:
			p.PolicyMaxType = ad.Uint32()
		case policyAttrBitfield32Mask:
			p.Bitfield32Mask = ad.Uint32()
		case policyAttrMask:
			p.Mask = ad.Uint64()
		}
	}
	return ad.Err()
}
