//go:build linux

package netlink_test

// BenchmarkGetFamilyParallel measures one Conn shared by eight goroutines
// against eight goroutines with a Conn each, all asking generic netlink for
// the family "nlctrl" over and over. ns/op is the time per request with the
// eight goroutines running together. It needs root. Compare the two with
// benchstat, one column per kind of Conn:
//
//	go test -run '^$' -bench 'GetFamilyParallel' -benchmem -count 10 . > /tmp/c.txt
//	go run golang.org/x/perf/cmd/benchstat@latest -col /conns /tmp/c.txt
//
// To see where the shared Conn spends its time, profile it alone:
//
//	go test -run '^$' -bench 'GetFamilyParallel/conns=shared' -cpuprofile cpu.out -mutexprofile mutex.out -blockprofile block.out .

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
	"golang.org/x/sys/unix"
)

// concBenchGoroutines is how many goroutines send requests at once,
// whatever GOMAXPROCS is.
const concBenchGoroutines = 8

func BenchmarkGetFamilyParallel(b *testing.B) {
	ns := nstest.New(b)
	shared := testkit.Dial(b, ns, unix.NETLINK_GENERIC, nil)
	perGoroutine := make([]*netlink.Conn, concBenchGoroutines)
	for i := range perGoroutine {
		perGoroutine[i] = testkit.Dial(b, ns, unix.NETLINK_GENERIC, nil)
	}

	b.Run("conns=shared", func(b *testing.B) {
		concBenchGetFamily(b, func(int) *netlink.Conn { return shared })
	})
	b.Run("conns=per-goroutine", func(b *testing.B) {
		concBenchGetFamily(b, func(g int) *netlink.Conn { return perGoroutine[g] })
	})
}

// concBenchGetFamily runs b.N requests for the family "nlctrl" from
// concBenchGoroutines goroutines, goroutine g using the Conn conn(g).
func concBenchGetFamily(b *testing.B, conn func(g int) *netlink.Conn) {
	req := genl.GetFamilyRequest("nlctrl")
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		next  atomic.Int64 // requests handed out
	)
	for g := range concBenchGoroutines {
		c := conn(g)
		wg.Go(func() {
			<-start
			for next.Add(1) <= int64(b.N) {
				msgs, err := c.Execute(req)
				if err != nil || len(msgs) != 1 {
					b.Errorf("Execute: %d messages, %v", len(msgs), err)
					return
				}
			}
		})
	}
	// Let the goroutines reach the start line, then time them all.
	runtime.Gosched()
	b.ReportAllocs()
	b.ResetTimer()
	close(start)
	wg.Wait()
}
