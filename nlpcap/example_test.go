package nlpcap_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/netlinkgo/netlink/nlpcap"
)

func Example() {
	var capture bytes.Buffer // an *os.File in a real program
	w, err := nlpcap.NewWriter(&capture)
	if err != nil {
		log.Fatal(err)
	}

	// An RTM_GETLINK dump request: a 16-byte netlink header followed by a
	// zeroed 16-byte struct ifinfomsg.
	req := make([]byte, 32)
	binary.NativeEndian.PutUint32(req[0:], 32)    // nlmsg_len
	binary.NativeEndian.PutUint16(req[4:], 18)    // RTM_GETLINK
	binary.NativeEndian.PutUint16(req[6:], 0x301) // NLM_F_REQUEST | NLM_F_DUMP
	binary.NativeEndian.PutUint32(req[8:], 1)     // nlmsg_seq

	err = w.WritePacket(nlpcap.Packet{
		Time:      time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC),
		Family:    0, // NETLINK_ROUTE
		Direction: nlpcap.Sent,
		Data:      req,
	})
	if err != nil {
		log.Fatal(err)
	}

	r, err := nlpcap.NewReader(&capture)
	if err != nil {
		log.Fatal(err)
	}
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %s family %d: %d bytes, message type %d\n",
			p.Time.Format(time.RFC3339Nano), p.Direction, p.Family,
			len(p.Data), binary.NativeEndian.Uint16(p.Data[4:]))
	}
	// Output:
	// 2024-01-02T03:04:05.000000006Z sent family 0: 32 bytes, message type 18
}
