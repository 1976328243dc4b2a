//go:build linux

package netlink_test

// Benchmarks of a Conn against the real kernel, each beside its floor: the
// same exchange done with bare system calls on a blocking socket, which
// copies each datagram out once as the Conn must. They need root; they share
// one network namespace holding 10,000 routes, set up once and freed when
// the process exits. Run them and compare runs with benchstat:
//
//	go test -run '^$' -bench 'GetFamily|RouteDump' -benchmem -count 10 . | tee new.txt
//	go run golang.org/x/perf/cmd/benchstat@latest old.txt new.txt
//
// The dump benchmarks report msgs/op and datagrams/op, to relate allocs/op
// to the work done.

import (
	"encoding/binary"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

// benchRoutes is the number of routes the dump benchmarks read.
const benchRoutes = 10000

// benchNamespace is the namespace the benchmarks share.
var benchNamespace struct {
	once sync.Once
	ns   *nstest.NS
}

// benchNS returns the shared namespace, making it on first use.
func benchNS(b *testing.B) *nstest.NS {
	b.Helper()
	nstest.SkipUnlessAvailable(b)
	benchNamespace.once.Do(func() {
		ns := nstest.New(b)
		addRoutes(b, ns, testRoutes(benchRoutes))
		ns.Detach(b)
		benchNamespace.ns = ns
	})
	if benchNamespace.ns == nil {
		b.Skip("skipping: setting up the benchmark namespace failed")
	}
	return benchNamespace.ns
}

// rawSocket opens a blocking netlink socket of family in ns, bound to a
// port the kernel chooses, and closes it when the benchmark ends.
func rawSocket(b *testing.B, ns *nstest.NS, family int) int {
	b.Helper()
	var fd int
	err := ns.Do(func() error {
		var err error
		fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, family)
		if err != nil {
			return err
		}
		return unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
	})
	if err != nil {
		b.Fatalf("netlink socket: %v", err)
	}
	b.Cleanup(func() { unix.Close(fd) })
	return fd
}

// wireRequest returns m in wire format, with its length set.
func wireRequest(b *testing.B, m netlink.Message) []byte {
	b.Helper()
	m.Header.Length = uint32(16 + len(m.Data))
	w, err := m.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	return w
}

// countDatagrams returns how many datagrams the reply to req takes on a
// Conn in ns.
func countDatagrams(b *testing.B, ns *nstest.NS, family int, req netlink.Message) int {
	b.Helper()
	var n int
	c := testkit.Dial(b, ns, family, &netlink.Config{
		Capture: captureFunc(func(sent bool, _ []byte) {
			if !sent {
				n++
			}
		}),
	})
	if _, err := c.Execute(req); err != nil {
		b.Fatal(err)
	}
	c.Close()
	return n
}

func BenchmarkGetFamily(b *testing.B) {
	ns := benchNS(b)
	c := testkit.Dial(b, ns, unix.NETLINK_GENERIC, nil)
	req := genl.GetFamilyRequest("nlctrl")
	b.ReportAllocs()
	for b.Loop() {
		msgs, err := c.Execute(req)
		if err != nil || len(msgs) != 1 {
			b.Fatalf("Execute: %d messages, %v", len(msgs), err)
		}
	}
}

func BenchmarkGetFamilyUnix(b *testing.B) {
	ns := benchNS(b)
	fd := rawSocket(b, ns, unix.NETLINK_GENERIC)
	req := wireRequest(b, genl.GetFamilyRequest("nlctrl"))
	buf := make([]byte, 32*1024)
	var seq uint32
	b.ReportAllocs()
	for b.Loop() {
		seq++
		binary.NativeEndian.PutUint32(req[8:12], seq)
		if _, err := unix.Write(fd, req); err != nil {
			b.Fatal(err)
		}
		n, err := unix.Read(fd, buf)
		if err != nil {
			b.Fatal(err)
		}
		reply := append([]byte(nil), buf[:n]...)
		if n < 16 || binary.NativeEndian.Uint16(reply[4:6]) != unix.GENL_ID_CTRL {
			b.Fatalf("unexpected %d-byte reply", n)
		}
	}
}

func BenchmarkRouteDump(b *testing.B) {
	ns := benchNS(b)
	datagrams := countDatagrams(b, ns, unix.NETLINK_ROUTE, testkit.RouteDump(0))
	c := testkit.Dial(b, ns, unix.NETLINK_ROUTE, nil)
	req := testkit.RouteDump(0)
	var msgs []netlink.Message
	b.ReportAllocs()
	for b.Loop() {
		var err error
		msgs, err = c.Execute(req)
		if err != nil || len(msgs) < benchRoutes {
			b.Fatalf("Execute: %d messages, %v", len(msgs), err)
		}
	}
	b.ReportMetric(float64(len(msgs)), "msgs/op")
	b.ReportMetric(float64(datagrams), "datagrams/op")
}

func BenchmarkRouteDumpIter(b *testing.B) {
	ns := benchNS(b)
	datagrams := countDatagrams(b, ns, unix.NETLINK_ROUTE, testkit.RouteDump(0))
	c := testkit.Dial(b, ns, unix.NETLINK_ROUTE, nil)
	req := testkit.RouteDump(0)
	var n int
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
			n++
		}
		if n < benchRoutes {
			b.Fatalf("got %d messages", n)
		}
	}
	b.ReportMetric(float64(n), "msgs/op")
	b.ReportMetric(float64(datagrams), "datagrams/op")
}

func BenchmarkRouteDumpUnix(b *testing.B) {
	ns := benchNS(b)
	fd := rawSocket(b, ns, unix.NETLINK_ROUTE)
	req := wireRequest(b, testkit.RouteDump(0))
	buf := make([]byte, 32*1024)
	var seq uint32
	var msgs, datagrams int
	b.ReportAllocs()
	for b.Loop() {
		seq++
		binary.NativeEndian.PutUint32(req[8:12], seq)
		if _, err := unix.Write(fd, req); err != nil {
			b.Fatal(err)
		}
		msgs, datagrams = 0, 0
		for done := false; !done; {
			n, err := unix.Read(fd, buf)
			if err != nil {
				b.Fatal(err)
			}
			datagrams++
			// The datagram is copied out once, as a Conn hands out data
			// that the next read does not overwrite.
			d := append([]byte(nil), buf[:n]...)
			for len(d) >= 16 {
				l := int(binary.NativeEndian.Uint32(d[0:4]))
				switch typ := netlink.HeaderType(binary.NativeEndian.Uint16(d[4:6])); {
				case l < 16 || l > len(d):
					b.Fatalf("bad message length %d in a %d-byte datagram", l, n)
				case typ == netlink.Done:
					done = true
				case typ == netlink.Error:
					b.Fatalf("error message in the dump")
				default:
					msgs++
				}
				d = d[min((l+3)&^3, len(d)):]
			}
		}
		if msgs < benchRoutes {
			b.Fatalf("got %d messages", msgs)
		}
	}
	b.ReportMetric(float64(msgs), "msgs/op")
	b.ReportMetric(float64(datagrams), "datagrams/op")
}
