//go:build linux

package netlink_test

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"runtime"
	"runtime/metrics"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

// BenchmarkRouteDumpStream reads route dumps of 10,000 and 100,000 routes
// with ReceiveIter, and reports the time per message and the peak of the
// heap during the dump, sampled every 256 messages: a streamed dump must
// keep memory flat and time linear however long it is. Beside each, the
// floor reads the same dump with bare system calls: the kernel's own cost
// per message grows with the table.
//
//	go test -run '^$' -bench RouteDumpStream -benchtime 5x .
func BenchmarkRouteDumpStream(b *testing.B) {
	for _, routes := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("routes=%d", routes), func(b *testing.B) {
			ns := nstest.New(b)
			addRoutes(b, ns, hostRoutes(routes))
			b.Run("iter", func(b *testing.B) { benchStreamIter(b, ns, routes) })
			b.Run("floor", func(b *testing.B) { benchStreamFloor(b, ns) })
		})
	}
}

// benchStreamIter dumps the routes of ns with ReceiveIter.
func benchStreamIter(b *testing.B, ns *nstest.NS, routes int) {
	c := testkit.Dial(b, ns, unix.NETLINK_ROUTE, nil)
	req := testkit.RouteDump(0)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	n := 0
	runtime.GC()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Send(req); err != nil {
			b.Fatal(err)
		}
		n = 0
		for _, err := range c.ReceiveIter() {
			if err != nil {
				b.Fatal(err)
			}
			if n++; n%256 == 0 {
				metrics.Read(sample)
				peak = max(peak, sample[0].Value.Uint64())
			}
		}
		if n < routes {
			b.Fatalf("got %d messages, want at least %d", n, routes)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/msg")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// benchStreamFloor dumps the routes of ns with bare system calls.
func benchStreamFloor(b *testing.B, ns *nstest.NS) {
	fd := rawSocket(b, ns, unix.NETLINK_ROUTE)
	raw := wireRequest(b, testkit.RouteDump(1))
	buf := make([]byte, 32*1024)
	n := 0
	for b.Loop() {
		if _, err := unix.Write(fd, raw); err != nil {
			b.Fatal(err)
		}
		n = 0
		for done := false; !done; {
			m, err := unix.Read(fd, buf)
			if err != nil {
				b.Fatal(err)
			}
			for d := buf[:m]; len(d) >= 16; n++ {
				l := int(binary.NativeEndian.Uint32(d))
				done = done || binary.NativeEndian.Uint16(d[4:]) == uint16(netlink.Done)
				d = d[min((l+3)&^3, len(d)):]
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/msg")
}

// hostRoutes returns n distinct /32 prefixes in 10.0.0.0/8.
func hostRoutes(n int) []netip.Prefix {
	p := make([]netip.Prefix, n)
	for i := range p {
		p[i] = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 32)
	}
	return p
}
