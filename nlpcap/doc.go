// Package nlpcap writes and reads captures of netlink traffic in the pcap
// file format, so that Wireshark and tshark dissect them as netlink.
//
// A capture uses link type LINKTYPE_NETLINK (253), the one libpcap reports
// for the kernel's nlmon device. Every packet starts with the 16-byte Linux
// cooked header that nlmon produces (packet type, ARPHRD_NETLINK as the
// hardware type, an empty link-layer address and the netlink family as the
// protocol), followed by one datagram of netlink messages in host byte
// order, unchanged.
//
// A Writer records one datagram per call:
//
//	f, err := os.Create("netlink.pcap")
//	if err != nil {
//		return err
//	}
//	defer f.Close()
//
//	bw := bufio.NewWriter(f)
//	defer bw.Flush()
//
//	w, err := nlpcap.NewWriter(bw)
//	if err != nil {
//		return err
//	}
//	err = w.WritePacket(nlpcap.Packet{
//		Time:      time.Now(),
//		Family:    0, // NETLINK_ROUTE
//		Direction: nlpcap.Sent,
//		Data:      request, // one or more netlink messages
//	})
//
// The result opens with `tshark -r netlink.pcap -V` or in Wireshark. A
// Reader reads such files back, whichever byte order and timestamp
// resolution they were written with.
//
// The package depends on the standard library only and builds on every
// operating system, so that captures can be examined anywhere.
package nlpcap
