package nltest_test

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/nltest"
)

// A fake Conn answers each request with the messages its Func returns.
func ExampleDial() {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		// Echo the request's payload back, as a kernel would answer it.
		return []netlink.Message{{
			Header: netlink.Header{
				Type:     req[0].Header.Type,
				Sequence: req[0].Header.Sequence,
				PID:      nltest.PID,
			},
			Data: req[0].Data,
		}}, nil
	})
	defer c.Close()

	msgs, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: 16, Flags: netlink.Request},
		Data:   []byte("ping"),
	})
	if err != nil {
		fmt.Println("execute:", err)
		return
	}
	fmt.Printf("%d message: %q\n", len(msgs), msgs[0].Data)
	// Output:
	// 1 message: "ping"
}

// Receive with no reply pending calls the Func with nil: that is how a
// test simulates multicast notifications.
func ExampleDial_multicast() {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		if req != nil {
			return nil, errors.New("no requests expected")
		}
		return []netlink.Message{{
			Header: netlink.Header{Type: 16},
			Data:   []byte("link up"),
		}}, nil
	})
	defer c.Close()

	msgs, err := c.Receive()
	if err != nil {
		fmt.Println("receive:", err)
		return
	}
	fmt.Printf("%q\n", msgs[0].Data)
	// Output:
	// "link up"
}

// Multipart turns a list of messages into a dump's reply, ending with Done;
// Execute returns every message but the Done.
func ExampleMultipart() {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		h := netlink.Header{Sequence: req[0].Header.Sequence, PID: nltest.PID}
		return nltest.Multipart([]netlink.Message{
			{Header: h, Data: []byte("eth0")},
			{Header: h, Data: []byte("eth1")},
			{Header: h}, // becomes the Done message
		})
	})
	defer c.Close()

	msgs, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: 18, Flags: netlink.Request | netlink.Dump},
	})
	if err != nil {
		fmt.Println("execute:", err)
		return
	}
	for _, m := range msgs {
		fmt.Printf("%s %s\n", m.Data, m.Header.Flags)
	}
	// Output:
	// eth0 multi
	// eth1 multi
}

// Error makes the fake kernel reject a request with an error code, which
// Execute returns as an *netlink.OpError.
func ExampleError() {
	c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
		return nltest.Error(int(syscall.ENOENT), req)
	})
	defer c.Close()

	_, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: 16, Flags: netlink.Request},
	})
	fmt.Println(err)
	fmt.Println("not exist:", errors.Is(err, os.ErrNotExist))
	// Output:
	// netlink receive: no such file or directory
	// not exist: true
}

// CheckRequest checks the type and flags of each request before the Func
// answers it.
func ExampleCheckRequest() {
	fn := nltest.CheckRequest(
		[]netlink.HeaderType{16},
		[]netlink.HeaderFlags{netlink.Request | netlink.Acknowledge},
		func(req []netlink.Message) ([]netlink.Message, error) {
			return nltest.Error(0, req) // an acknowledgement
		},
	)
	c := nltest.Dial(fn)
	defer c.Close()

	_, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: 16, Flags: netlink.Request | netlink.Acknowledge},
	})
	fmt.Println("matching request:", err)

	_, err = c.Execute(netlink.Message{
		Header: netlink.Header{Type: 16, Flags: netlink.Request},
	})
	fmt.Println("wrong flags:", err != nil)
	// Output:
	// matching request: <nil>
	// wrong flags: true
}

// MustMarshalAttributes builds a request payload in one expression.
func ExampleMustMarshalAttributes() {
	b := nltest.MustMarshalAttributes([]netlink.Attribute{
		{Type: 1, Data: []byte("eth0\x00")},
	})
	fmt.Println(len(b))
	// Output:
	// 12
}
