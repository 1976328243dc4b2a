//go:build linux

package netlink_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/nlenc"
	"github.com/netlinkgo/netlink/nltest"
	"golang.org/x/sys/unix"
)

// exampleAck returns the acknowledgement a kernel sends for req, with the
// error code errno (0 for success) and the explanation msg in an extended
// acknowledgement attribute (NLMSGERR_ATTR_MSG).
func exampleAck(req netlink.Message, errno unix.Errno, msg string) netlink.Message {
	echo, err := netlink.Message{Header: netlink.Header{
		Length: 16, Type: req.Header.Type, Flags: req.Header.Flags,
		Sequence: req.Header.Sequence, PID: req.Header.PID,
	}}.MarshalBinary()
	if err != nil {
		panic(err)
	}
	data := nlenc.Int32Bytes(-int32(errno))
	data = append(data, echo...)
	data = append(data, nltest.MustMarshalAttributes([]netlink.Attribute{
		{Type: unix.NLMSGERR_ATTR_MSG, Data: nlenc.Bytes(msg)},
	})...)
	return netlink.Message{
		Header: netlink.Header{
			Type:     netlink.Error,
			Flags:    netlink.Capped | netlink.AcknowledgeTLVs,
			Sequence: req.Header.Sequence,
			PID:      req.Header.PID,
		},
		Data: data,
	}
}

// ExecuteReply returns the whole answer: here the warning the kernel
// attached to a successful acknowledgement, which Execute leaves out.
func ExampleConn_ExecuteReply() {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		return []netlink.Message{exampleAck(req[0], 0, "attribute 7 is deprecated")}, nil
	})
	defer c.Close()

	r, err := c.ExecuteReply(context.Background(), netlink.Message{
		Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Acknowledge},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("warning:", r.Ack.Message)
	// Output: warning: attribute 7 is deprecated
}

// When the kernel refuses a request, the error is an *OpError with the
// kernel's errno and explanation, and the Reply's Ack holds everything the
// extended acknowledgement said.
func ExampleConn_ExecuteReply_error() {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		return []netlink.Message{exampleAck(req[0], unix.EINVAL, "unknown device type")}, nil
	})
	defer c.Close()

	r, err := c.ExecuteReply(context.Background(), netlink.Message{
		Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Acknowledge},
	})
	var oe *netlink.OpError
	if errors.As(err, &oe) {
		fmt.Println(errors.Is(err, unix.EINVAL), oe.Message)
	}
	fmt.Println("the request echoed:", r.Ack.Request.Type)
	// Output:
	// true unknown device type
	// the request echoed: unknown(16)
}

// A dump that the kernel marks interrupted, because the data changed while
// it was read, may be inconsistent: dump again until it is not.
func ExampleReply_interrupted() {
	attempts := 0
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		attempts++
		flags := netlink.Multi
		if attempts == 1 {
			flags |= netlink.DumpInterrupted
		}
		h := netlink.Header{Type: 16, Flags: flags, Sequence: req[0].Header.Sequence, PID: nltest.PID}
		return nltest.Multipart([]netlink.Message{{Header: h, Data: []byte{1, 0, 0, 0}}, {Header: h}})
	})
	defer c.Close()

	req := netlink.Message{Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Dump}}
	for range 3 {
		r, err := c.ExecuteReply(context.Background(), req)
		if err != nil {
			log.Fatal(err)
		}
		if !r.Interrupted {
			fmt.Printf("%d messages, consistent after %d attempts\n", len(r.Messages), attempts)
			break
		}
	}
	// Output: 1 messages, consistent after 2 attempts
}

// A context bounds a call: here a dump of the links that gives up after a
// second, leaving the Conn usable.
func ExampleConn_ExecuteContext() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	msgs, err := c.ExecuteContext(ctx, netlink.Message{
		Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Dump},
		Data:   make([]byte, unix.SizeofIfInfomsg),
	})
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Println("gave up")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(len(msgs), "links")
	}
}

// ReceiveFrom says where each notification came from: here the link
// notifications of the route family, with their multicast group.
func ExampleConn_ReceiveFrom() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		msgs, origin, err := c.ReceiveFrom(ctx)
		if err != nil {
			log.Fatal(err)
		}
		if origin.PortID != 0 {
			continue // not from the kernel
		}
		fmt.Printf("%d messages for group %d\n", len(msgs), origin.Group)
	}
}
