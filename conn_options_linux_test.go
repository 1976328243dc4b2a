//go:build linux

package netlink_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"github.com/netlinkgo/netlink/internal/nstest"
	"github.com/netlinkgo/netlink/internal/testkit"
)

func TestConnJoinGroup(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	addVeth(t, ns, "joined0")
	waitForLink(t, c, "joined0")
}

func TestConnLeaveGroup(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	addVeth(t, ns, "before0")
	waitForLink(t, c, "before0")
	drainNotifications(t, c)

	if err := c.LeaveGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatalf("LeaveGroup: %v", err)
	}
	addVeth(t, ns, "after0")
	expectSilence(t, c)
}

func TestConnBPF(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatalf("JoinGroup: %v", err)
	}
	dropAll, err := bpf.Assemble([]bpf.Instruction{bpf.RetConstant{Val: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetBPF(dropAll); err != nil {
		t.Fatalf("SetBPF: %v", err)
	}
	addVeth(t, ns, "filtered0")
	expectSilence(t, c)

	if err := c.RemoveBPF(); err != nil {
		t.Fatalf("RemoveBPF: %v", err)
	}
	addVeth(t, ns, "passed0")
	waitForLink(t, c, "passed0")
}

// threadNetNS returns the inode of the calling thread's network namespace.
func threadNetNS(tb testing.TB) uint64 {
	tb.Helper()
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
		tb.Fatal(err)
	}
	return st.Ino
}

func TestConnNetNS(t *testing.T) {
	ns := nstest.New(t)
	name := fmt.Sprintf("nsonly%d", os.Getpid()%100000)
	addVeth(t, ns, name)
	if _, err := net.InterfaceByName(name); err == nil {
		t.Fatalf("link %s exists outside the test's namespace", name)
	}

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := threadNetNS(t)
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns.FD()})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	if after := threadNetNS(t); after != before {
		t.Errorf("the thread's namespace changed from inode %d to %d", before, after)
	}

	msgs, err := c.Execute(testkit.LinkDump(0))
	if err != nil {
		t.Fatalf("Execute: %v", err)
	}
	var names []string
	for _, m := range msgs {
		n, err := testkit.LinkName(m)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	slices.Sort(names)
	if diff := cmp.Diff([]string{"lo", name, name + "p"}, names); diff != "" {
		t.Errorf("links in the namespace (-want +got):\n%s", diff)
	}
	if after := threadNetNS(t); after != before {
		t.Errorf("the thread's namespace changed from inode %d to %d", before, after)
	}
}

func TestConnPID(t *testing.T) {
	ns := nstest.New(t)
	pid := 1<<30 + rand.Uint32N(1<<30)
	c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, &netlink.Config{PID: pid})
	if got := c.PID(); got != pid {
		t.Fatalf("PID() = %d, want %d", got, pid)
	}
	req, err := c.Send(genl.GetFamilyRequest("nlctrl"))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if req.Header.PID != pid {
		t.Errorf("request sent with PID %d, want %d", req.Header.PID, pid)
	}
	msgs, err := c.Receive()
	if err != nil {
		t.Fatalf("Receive: %v", err)
	}
	for _, m := range msgs {
		if m.Header.PID != pid || m.Header.Sequence != req.Header.Sequence {
			t.Errorf("reply header %+v, want PID %d and sequence %d", m.Header, pid, req.Header.Sequence)
		}
	}
}

func TestConnStrict(t *testing.T) {
	ns := nstest.New(t)
	// Under strict checking the kernel refuses link dumps that set header
	// fields it cannot filter by; otherwise it ignores them.
	req := testkit.LinkDump(0)
	binary.NativeEndian.PutUint16(req.Data[2:4], unix.ARPHRD_ETHER) // ifi_type

	lax := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	if _, err := lax.Execute(req); err != nil {
		t.Fatalf("Execute without strict checking: %v", err)
	}

	strict := testkit.Dial(t, ns, unix.NETLINK_ROUTE, &netlink.Config{Strict: true})
	msgs, err := strict.Execute(req)
	if err == nil {
		t.Fatalf("Execute with strict checking returned %d messages and no error", len(msgs))
	}
	if !errors.Is(err, unix.EINVAL) {
		t.Errorf("error %v does not match EINVAL", err)
	}
	var oe *netlink.OpError
	if !errors.As(err, &oe) || oe.Message == "" {
		t.Errorf("error %v has no extended acknowledgement message", err)
	}
	// The Conn goes on working.
	if _, err := strict.Execute(testkit.LinkDump(0)); err != nil {
		t.Errorf("valid dump after the error: %v", err)
	}
}

func TestConnSetOption(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	options := []struct {
		name string
		opt  netlink.ConnOption
	}{
		{"PacketInfo", netlink.PacketInfo},
		{"BroadcastError", netlink.BroadcastError},
		{"NoENOBUFS", netlink.NoENOBUFS},
		{"ListenAllNSID", netlink.ListenAllNSID},
		{"CapAcknowledge", netlink.CapAcknowledge},
		{"ExtendedAcknowledge", netlink.ExtendedAcknowledge},
		{"GetStrictCheck", netlink.GetStrictCheck},
	}
	for _, o := range options {
		t.Run(o.name, func(t *testing.T) {
			for _, on := range []bool{true, false} {
				if err := c.SetOption(o.opt, on); err != nil {
					t.Errorf("SetOption(%s, %t): %v", o.name, on, err)
				}
			}
		})
	}
	if _, err := c.Execute(testkit.LinkDump(0)); err != nil {
		t.Errorf("Execute after setting options: %v", err)
	}
}

func TestConnBuffers(t *testing.T) {
	ns := nstest.New(t)
	c := testkit.Dial(t, ns, unix.NETLINK_ROUTE, nil)
	const size = 300 * 1024
	if err := c.SetReadBuffer(size); err != nil {
		t.Fatalf("SetReadBuffer: %v", err)
	}
	if err := c.SetWriteBuffer(size + 4096); err != nil {
		t.Fatalf("SetWriteBuffer: %v", err)
	}
	// The kernel doubles the value to leave room for its bookkeeping.
	if n, err := c.ReadBuffer(); err != nil || n != 2*size {
		t.Errorf("ReadBuffer() = %d, %v; want %d", n, err, 2*size)
	}
	if n, err := c.WriteBuffer(); err != nil || n != 2*(size+4096) {
		t.Errorf("WriteBuffer() = %d, %v; want %d", n, err, 2*(size+4096))
	}

	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatalf("SyscallConn: %v", err)
	}
	var domain, protocol, rcvbuf int
	var optErr error
	err = rc.Control(func(fd uintptr) {
		domain, optErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DOMAIN)
		if optErr == nil {
			protocol, optErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PROTOCOL)
		}
		if optErr == nil {
			rcvbuf, optErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		}
	})
	if err != nil || optErr != nil {
		t.Fatalf("Control: %v, getsockopt: %v", err, optErr)
	}
	if domain != unix.AF_NETLINK || protocol != unix.NETLINK_ROUTE || rcvbuf != 2*size {
		t.Errorf("socket domain %d, protocol %d, SO_RCVBUF %d; want %d, %d, %d",
			domain, protocol, rcvbuf, unix.AF_NETLINK, unix.NETLINK_ROUTE, 2*size)
	}
}

// TestConnTrace checks that Config.Logger and Config.Capture see the
// datagrams of a real exchange with the kernel.
func TestConnTrace(t *testing.T) {
	ns := nstest.New(t)
	var (
		logs     bytes.Buffer
		mu       sync.Mutex
		captured []bool // sent, per datagram
	)
	c := testkit.Dial(t, ns, unix.NETLINK_GENERIC, &netlink.Config{
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Capture: captureFunc(func(sent bool, b []byte) {
			if m := new(netlink.Message); m.UnmarshalBinary(b) != nil {
				t.Errorf("captured a datagram that is not a netlink message: %x", b)
			}
			mu.Lock()
			captured = append(captured, sent)
			mu.Unlock()
		}),
	})
	req := genl.GetFamilyRequest("nlctrl")
	if _, err := c.Execute(req); err != nil {
		t.Fatalf("Execute: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]bool{true, false}, captured); diff != "" {
		t.Errorf("captured datagrams, sent or not (-want +got):\n%s", diff)
	}
	out := logs.String()
	for _, want := range []string{"op=send", "op=receive", "flags=request", "from=0", fmt.Sprintf("pid=%d", c.PID())} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}
