package netlink

import (
	netlinkgo "github.com/netlinkgo/netlink"
)

// Attribute is netlink.Attribute.
type Attribute = netlinkgo.Attribute

// AttributeDecoder is netlink.AttributeDecoder.
type AttributeDecoder = netlinkgo.AttributeDecoder

// AttributeEncoder is netlink.AttributeEncoder.
type AttributeEncoder = netlinkgo.AttributeEncoder

// Config is netlink.Config.
type Config = netlinkgo.Config

// Conn is netlink.Conn.
type Conn = netlinkgo.Conn

// ConnOption is netlink.ConnOption.
type ConnOption = netlinkgo.ConnOption

// Header is netlink.Header.
type Header = netlinkgo.Header

// HeaderFlags is netlink.HeaderFlags.
type HeaderFlags = netlinkgo.HeaderFlags

// HeaderType is netlink.HeaderType.
type HeaderType = netlinkgo.HeaderType

// Message is netlink.Message.
type Message = netlinkgo.Message

// OpError is netlink.OpError.
type OpError = netlinkgo.OpError

// Socket is netlink.Socket.
//
// Deprecated: as netlink.Socket.
type Socket = netlinkgo.Socket

// Attribute type flags.
const (
	// Nested is netlink.Nested.
	Nested = netlinkgo.Nested
	// NetByteOrder is netlink.NetByteOrder.
	NetByteOrder = netlinkgo.NetByteOrder
)

// Header types.
const (
	// Noop is netlink.Noop.
	Noop = netlinkgo.Noop
	// Error is netlink.Error.
	Error = netlinkgo.Error
	// Done is netlink.Done.
	Done = netlinkgo.Done
	// Overrun is netlink.Overrun.
	Overrun = netlinkgo.Overrun
)

// Header flags.
const (
	// Request is netlink.Request.
	Request = netlinkgo.Request
	// Multi is netlink.Multi.
	Multi = netlinkgo.Multi
	// Acknowledge is netlink.Acknowledge.
	Acknowledge = netlinkgo.Acknowledge
	// Echo is netlink.Echo.
	Echo = netlinkgo.Echo
	// DumpInterrupted is netlink.DumpInterrupted.
	DumpInterrupted = netlinkgo.DumpInterrupted
	// DumpFiltered is netlink.DumpFiltered.
	DumpFiltered = netlinkgo.DumpFiltered
	// Root is netlink.Root.
	Root = netlinkgo.Root
	// Match is netlink.Match.
	Match = netlinkgo.Match
	// Atomic is netlink.Atomic.
	Atomic = netlinkgo.Atomic
	// Dump is netlink.Dump.
	Dump = netlinkgo.Dump
	// Replace is netlink.Replace.
	Replace = netlinkgo.Replace
	// Excl is netlink.Excl.
	Excl = netlinkgo.Excl
	// Create is netlink.Create.
	Create = netlinkgo.Create
	// Append is netlink.Append.
	Append = netlinkgo.Append
	// Capped is netlink.Capped.
	Capped = netlinkgo.Capped
	// AcknowledgeTLVs is netlink.AcknowledgeTLVs.
	AcknowledgeTLVs = netlinkgo.AcknowledgeTLVs
)

// Connection options.
const (
	// PacketInfo is netlink.PacketInfo.
	PacketInfo = netlinkgo.PacketInfo
	// BroadcastError is netlink.BroadcastError.
	BroadcastError = netlinkgo.BroadcastError
	// NoENOBUFS is netlink.NoENOBUFS.
	NoENOBUFS = netlinkgo.NoENOBUFS
	// ListenAllNSID is netlink.ListenAllNSID.
	ListenAllNSID = netlinkgo.ListenAllNSID
	// CapAcknowledge is netlink.CapAcknowledge.
	CapAcknowledge = netlinkgo.CapAcknowledge
	// ExtendedAcknowledge is netlink.ExtendedAcknowledge.
	ExtendedAcknowledge = netlinkgo.ExtendedAcknowledge
	// GetStrictCheck is netlink.GetStrictCheck.
	GetStrictCheck = netlinkgo.GetStrictCheck
)

// Dial is netlink.Dial.
func Dial(family int, config *Config) (*Conn, error) { return netlinkgo.Dial(family, config) }

// NewConn is netlink.NewConn.
func NewConn(sock Socket, pid uint32) *Conn { return netlinkgo.NewConn(sock, pid) }

// Validate is netlink.Validate.
func Validate(request Message, replies []Message) error { return netlinkgo.Validate(request, replies) }

// IsNotExist is netlink.IsNotExist.
//
// Deprecated: as netlink.IsNotExist.
func IsNotExist(err error) bool { return netlinkgo.IsNotExist(err) }

// MarshalAttributes is netlink.MarshalAttributes.
func MarshalAttributes(attrs []Attribute) ([]byte, error) { return netlinkgo.MarshalAttributes(attrs) }

// UnmarshalAttributes is netlink.UnmarshalAttributes.
func UnmarshalAttributes(b []byte) ([]Attribute, error) { return netlinkgo.UnmarshalAttributes(b) }

// NewAttributeDecoder is netlink.NewAttributeDecoder.
func NewAttributeDecoder(b []byte) (*AttributeDecoder, error) {
	return netlinkgo.NewAttributeDecoder(b)
}

// NewAttributeEncoder is netlink.NewAttributeEncoder.
func NewAttributeEncoder() *AttributeEncoder { return netlinkgo.NewAttributeEncoder() }
