//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netlinkgo/netlink/internal/nstest"
)

// TestKernel runs the nlctl binary against the kernel, in a network
// namespace of its own.
func TestKernel(t *testing.T) {
	nstest.SkipUnlessAvailable(t)
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("skipping: the ip command (iproute2) is not in PATH")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipping: the go command is not in PATH to build nlctl")
	}

	dir := t.TempDir()
	bin := filepath.Join(dir, "nlctl")
	build := exec.CommandContext(t.Context(), goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ns := newNetns(t, ip)
	nlctl := func(args ...string) *exec.Cmd {
		return exec.CommandContext(t.Context(), ip, append([]string{"netns", "exec", ns, bin}, args...)...)
	}
	// runNlctl runs nlctl to the end and returns its output and status.
	runNlctl := func(t *testing.T, args ...string) (stdout, stderr string, code int) {
		t.Helper()
		cmd := nlctl(args...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var exitErr *exec.ExitError
		switch {
		case errors.As(err, &exitErr):
			code = exitErr.ExitCode()
		case err != nil:
			t.Fatalf("running nlctl %s: %v", strings.Join(args, " "), err)
		}
		return o.String(), e.String(), code
	}
	// mustRun runs nlctl and fails unless it succeeds.
	mustRun := func(t *testing.T, args ...string) string {
		t.Helper()
		stdout, stderr, code := runNlctl(t, args...)
		if code != 0 {
			t.Fatalf("nlctl %s: exit status %d\nstderr: %s", strings.Join(args, " "), code, stderr)
		}
		return stdout
	}

	t.Run("families", func(t *testing.T) {
		out := mustRun(t, "families")
		for _, re := range []string{
			`(?m)^nlctrl  id 16  version \d+`,
			`(?m)^  op +getfamily \(3\) +\S*cmd-cap-dump`,
			`(?m)^  group +notify \(16\)$`,
		} {
			if !regexp.MustCompile(re).MatchString(out) {
				t.Errorf("output does not match %s:\n%s", re, out)
			}
		}
	})

	t.Run("families -policy", func(t *testing.T) {
		out := mustRun(t, "families", "-policy", "nlctrl")
		for _, re := range []string{
			`(?m)^  op +getfamily \(3\) .*do: policy \d+, dump: policy \d+$`,
			`(?m)^    2 +CTRL_ATTR_FAMILY_NAME +nul-string +max-len 15$`,
		} {
			if !regexp.MustCompile(re).MatchString(out) {
				t.Errorf("output does not match %s:\n%s", re, out)
			}
		}
	})

	t.Run("families -json", func(t *testing.T) {
		var families []genlFamily
		if err := json.Unmarshal([]byte(mustRun(t, "families", "-json")), &families); err != nil {
			t.Fatalf("output is not JSON: %v", err)
		}
		i := indexFamily(families, "nlctrl")
		if i < 0 {
			t.Fatalf("no nlctrl in %d families", len(families))
		}
		f := families[i]
		if f.ID != 16 {
			t.Errorf("nlctrl has ID %d, want 16", f.ID)
		}
		if !hasGroup(f, "notify", 16) {
			t.Errorf("nlctrl groups %+v lack notify (16)", f.Groups)
		}
		var getfamily *genlOperation
		for i, op := range f.Operations {
			if op.ID == 3 && op.Name == "getfamily" {
				getfamily = &f.Operations[i]
			}
		}
		if getfamily == nil {
			t.Fatalf("nlctrl operations %+v lack getfamily (3)", f.Operations)
		}
		if getfamily.DoPolicy == nil || len(f.Policies) == 0 {
			t.Errorf("no policy for getfamily: %+v, policies %+v", *getfamily, f.Policies)
		}
	})

	t.Run("dump route getlink", func(t *testing.T) {
		pcap := filepath.Join(dir, "getlink.pcap")
		out := mustRun(t, "dump", "route", "getlink", "-w", pcap)
		for _, re := range []string{
			`(?m)^RTM_NEWLINK flags=multi seq=\d+ pid=\d+ len=\d+$`,
			`(?m)^  ifinfomsg family=0 type=772 index=1 flags=0x[0-9a-f]+<[A-Z_,]*LOOPBACK`,
			`(?m)^  IFLA_IFNAME \(3\): "lo"$`,
			`(?m)^  IFLA_MTU \(4\): 65536`,
			`(?m)^  IFLA_AF_SPEC \(26\):$`,
		} {
			if !regexp.MustCompile(re).MatchString(out) {
				t.Errorf("output does not match %s:\n%s", re, out)
			}
		}
		checkTshark(t, pcap,
			"Family: Route (0x0000)",
			"Message type: Get network interface info (18)",
			"Message type: Create network interface (16)",
			"Device name: lo",
			"Message type: End of a dump (0x0003)",
		)
	})

	t.Run("dump nlctrl getfamily", func(t *testing.T) {
		pcap := filepath.Join(dir, "getfamily.pcap")
		out := mustRun(t, "dump", "nlctrl", "getfamily", "-w", pcap)
		for _, re := range []string{
			`(?m)^nlctrl flags=multi seq=\d+ pid=\d+ len=\d+$`,
			`(?m)^  genlmsghdr cmd=newfamily\(1\) version=2$`,
			`(?m)^  CTRL_ATTR_FAMILY_NAME \(2\): "nlctrl"$`,
			`(?m)^  CTRL_ATTR_OPS \(6\)`,
			`(?m)^      CTRL_ATTR_OP_ID \(1\): 3$`,
			`(?m)^      CTRL_ATTR_MCAST_GRP_NAME \(1\): "notify"$`,
		} {
			if !regexp.MustCompile(re).MatchString(out) {
				t.Errorf("output does not match %s:\n%s", re, out)
			}
		}
		if n := strings.Count(out, "CTRL_ATTR_FAMILY_NAME"); n < 2 {
			t.Errorf("only %d families in the dump:\n%s", n, out)
		}
		checkTshark(t, pcap,
			"Family: Generic (0x0010)",
			"Command: CTRL_CMD_GETFAMILY (3)",
			"Command: CTRL_CMD_NEWFAMILY (1)",
			"Family Name: nlctrl",
		)
	})

	t.Run("dump generic getfamily by name", func(t *testing.T) {
		out := mustRun(t, "dump", "generic", "getfamily", "-dump=false", "-attr", "CTRL_ATTR_FAMILY_NAME:string:nlctrl")
		if !strings.HasPrefix(out, "nlctrl flags=0 ") || !strings.Contains(out, `CTRL_ATTR_FAMILY_NAME (2): "nlctrl"`) {
			t.Errorf("unexpected output:\n%s", out)
		}
	})

	t.Run("dump unknown family", func(t *testing.T) {
		stdout, stderr, code := runNlctl(t, "dump", "no-such-family", "1")
		if code == 0 {
			t.Errorf("exit status 0, want failure")
		}
		if want := "nlctl: unknown family \"no-such-family\": not a netlink protocol nor a generic netlink family\n"; stderr != want {
			t.Errorf("stderr %q, want %q", stderr, want)
		}
		if stdout != "" {
			t.Errorf("stdout not empty: %q", stdout)
		}
	})

	t.Run("dump unknown interface", func(t *testing.T) {
		_, stderr, code := runNlctl(t, "dump", "route", "getlink", "-dump=false", "-attr", "IFLA_IFNAME:string:nosuch0")
		if code != 1 || stderr != "nlctl: dump route getlink: netlink receive: no such device\n" {
			t.Errorf("exit status %d, stderr %q; want 1 and no such device", code, stderr)
		}
	})

	t.Run("never hangs", func(t *testing.T) {
		// Each of these used to wait until interrupted, or failed with a
		// poor message. Now nlctl refuses it at once (2), fails after
		// -timeout (1), or gets an answer because it asked for an ACK (0).
		const controlMsg = "nlctl: message type %s is a netlink control message (NLMSG_*, below 16), which the kernel does not answer (add ack to -flags to get an acknowledgement)"
		const noRequest = "nlctl: header flags %s lack request: the kernel does not answer a message that is not a request (add request to -flags, or ack to get an acknowledgement alone)"
		const emptyRoute = "nlctl: the payload is empty: the kernel ignores route requests without a header (struct rtgenmsg at least); fix -header or -hdrlen, or add ack to -flags to get an acknowledgement"
		tests := []struct {
			name       string
			args       []string
			wantCode   int
			wantStderr string // the first line
			wantStdout string // a line of the output, for success
		}{
			{name: "type 0", args: []string{"dump", "route", "0"}, wantCode: 2, wantStderr: fmt.Sprintf(controlMsg, "0")},
			{name: "type 3", args: []string{"dump", "route", "3"}, wantCode: 2, wantStderr: fmt.Sprintf(controlMsg, "3")},
			{name: "flags 0", args: []string{"dump", "route", "getlink", "-flags", "0"}, wantCode: 2, wantStderr: fmt.Sprintf(noRequest, "0")},
			{name: "flags dump", args: []string{"dump", "route", "getlink", "-flags", "dump"}, wantCode: 2, wantStderr: fmt.Sprintf(noRequest, "dump")},
			{name: "flags 0x8000", args: []string{"dump", "route", "getlink", "-flags", "0x8000"}, wantCode: 2, wantStderr: fmt.Sprintf(noRequest, "0x8000")},
			{name: "empty header", args: []string{"dump", "route", "getlink", "-header", ""}, wantCode: 2, wantStderr: emptyRoute},
			{name: "hdrlen 0", args: []string{"dump", "route", "getlink", "-hdrlen", "0"}, wantCode: 2, wantStderr: emptyRoute},
			{name: "attribute type out of range", args: []string{"dump", "route", "getlink", "-attr", "70000:u32:1"}, wantCode: 2,
				wantStderr: `nlctl: bad -attr "70000:u32:1": attribute type 70000 is out of range (0 to 65535)`},
			{name: "flags out of range", args: []string{"dump", "route", "getlink", "-flags", "99999"}, wantCode: 2,
				wantStderr: "nlctl: -flags 99999 is out of range (0 to 65535): header flags are 16 bits"},
			{name: "type out of range", args: []string{"dump", "route", "70000"}, wantCode: 2,
				wantStderr: "nlctl: message type 70000 is out of range (0 to 65535)"},
			{
				// NETLINK_FIB_LOOKUP drops a request too short for its
				// struct fib_result_nl without a word.
				name: "no answer", args: []string{"dump", "fib_lookup", "16", "-timeout", "300ms"}, wantCode: 1,
				wantStderr: "nlctl: dump fib_lookup 16: no answer from the kernel within 300ms (-timeout; 0 waits without limit)",
			},
			{name: "type 3 with ack", args: []string{"dump", "route", "3", "-flags", "request|ack"}, wantStdout: "  errno=0 (ok) request: type=3 flags=request|acknowledge seq="},
			{name: "ack alone", args: []string{"dump", "route", "getlink", "-flags", "ack"}, wantStdout: "  errno=0 (ok) request: type=18 flags=acknowledge seq="},
			{name: "empty header with ack", args: []string{"dump", "route", "getlink", "-header", "", "-flags", "request|dump|ack"}, wantStdout: "  errno=0 (ok) request: type=18 "},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// A hang fails the test instead of blocking it.
				ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
				defer cancel()
				cmd := exec.CommandContext(ctx, ip, append([]string{"netns", "exec", ns, bin}, tt.args...)...)
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				if ctx.Err() != nil {
					t.Fatalf("nlctl %q still running after 30s", tt.args)
				}
				code := 0
				var exitErr *exec.ExitError
				if errors.As(err, &exitErr) {
					code = exitErr.ExitCode()
				} else if err != nil {
					t.Fatalf("running nlctl: %v", err)
				}
				if code != tt.wantCode {
					t.Errorf("exit status %d, want %d; stderr: %s", code, tt.wantCode, stderr.String())
				}
				first, _, _ := strings.Cut(stderr.String(), "\n")
				if first != tt.wantStderr {
					t.Errorf("stderr starts with %q, want %q", first, tt.wantStderr)
				}
				if !strings.Contains(stdout.String(), tt.wantStdout) || (tt.wantStdout == "" && stdout.Len() > 0) {
					t.Errorf("stdout %q, want it to contain %q", stdout.String(), tt.wantStdout)
				}
			})
		}
	})

	t.Run("permission denied", func(t *testing.T) {
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("skipping: setpriv is not in PATH to drop privileges")
		}
		// The unprivileged user must reach the binary.
		for _, d := range []string{dir, filepath.Dir(dir)} {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		args := append([]string{"netns", "exec", ns, setpriv}, dropPrivileges(t)...)
		args = append(args, bin, "dump", "route", "dellink", "-flags", "request|ack", "-attr", "IFLA_IFNAME:string:lo")
		cmd := exec.CommandContext(t.Context(), ip, args...)
		out, err := cmd.CombinedOutput()
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
			t.Fatalf("got %v, want exit status 1; output: %s", err, out)
		}
		want := "nlctl: dump route dellink: netlink receive: operation not permitted (try as root, or with CAP_NET_ADMIN)\n"
		if string(out) != want {
			t.Errorf("output %q, want %q", out, want)
		}
	})

	t.Run("monitor route link", func(t *testing.T) {
		pcap := filepath.Join(dir, "monitor.pcap")
		cmd := nlctl("monitor", "-w", pcap, "route", "link")
		var stdout, stderr syncBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var waitErr error
		exited := make(chan struct{})
		go func() { waitErr = cmd.Wait(); close(exited) }()
		t.Cleanup(func() {
			select {
			case <-exited:
			default:
				cmd.Process.Kill()
				<-exited
			}
		})

		// The monitor says on stderr when it has joined its groups.
		waitFor(t, &stderr, "nlctl: monitoring route: link(1); interrupt to stop\n", exited)
		if out, err := exec.CommandContext(t.Context(), ip, "-n", ns, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1").CombinedOutput(); err != nil {
			t.Skipf("skipping: cannot create a veth pair (%v): %s", err, out)
		}
		waitFor(t, &stdout, `IFLA_IFNAME (3): "veth0"`, exited)

		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		select {
		case <-exited:
			if waitErr != nil {
				t.Errorf("monitor exited with %v after SIGINT, want status 0; stderr: %s", waitErr, stderr.String())
			}
		case <-time.After(5 * time.Second):
			t.Fatal("monitor still running 5s after SIGINT")
		}

		out := stdout.String()
		re := regexp.MustCompile(`(?m)^RTM_NEWLINK flags=\S+ seq=\d+ pid=\d+ len=\d+ group=link\(1\)$`)
		if !re.MatchString(out) {
			t.Errorf("output does not match %s:\n%s", re, out)
		}
		if got := stderr.String(); got != "nlctl: monitoring route: link(1); interrupt to stop\n" {
			t.Errorf("stderr %q, want only the monitoring line", got)
		}
		checkTshark(t, pcap, "Message type: Create network interface (16)", "Device name: veth0", "Device name: veth1")
	})
}

// dropPrivileges returns setpriv's options that take away CAP_NET_ADMIN:
// becoming nobody (65534) as real root, or only dropping every capability
// as root of a user namespace that maps no other user.
func dropPrivileges(t *testing.T) []string {
	t.Helper()
	uidMap, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		t.Fatal(err)
	}
	// The initial user namespace maps every ID: "0 0 4294967295".
	if f := strings.Fields(string(uidMap)); len(f) == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295" {
		return []string{"--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"}
	}
	return []string{"--inh-caps=-all", "--bounding-set=-all"}
}

// hasGroup reports whether f has the multicast group name with ID id.
func hasGroup(f genlFamily, name string, id uint32) bool {
	for _, g := range f.Groups {
		if g.Name == name && g.ID == id {
			return true
		}
	}
	return false
}

// newNetns creates a network namespace with a unique name and deletes it
// when the test ends.
func newNetns(t *testing.T, ip string) string {
	t.Helper()
	name := fmt.Sprintf("nlctl-test-%d-%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if out, err := exec.CommandContext(t.Context(), ip, "netns", "add", name).CombinedOutput(); err != nil {
		t.Skipf("skipping: cannot create a network namespace (%v): %s", err, out)
	}
	t.Cleanup(func() {
		// t.Context is already done in cleanups.
		if out, err := exec.Command(ip, "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("deleting network namespace %s: %v: %s", name, err, out)
		}
	})
	return name
}

// checkTshark checks that tshark dissects the capture file as netlink,
// finding each of want in its verbose output. It skips when tshark is
// missing.
func checkTshark(t *testing.T, file string, want ...string) {
	t.Helper()
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Log("tshark not in PATH: capture not checked")
		return
	}
	// -n: no name resolution. tshark warns on stderr when run as root;
	// only stdout is examined.
	cmd := exec.CommandContext(t.Context(), tshark, "-n", "-r", file, "-V")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v\n%s", file, err, stderr.Bytes())
	}
	for _, s := range append([]string{"Linux netlink (cooked header)", "Link-layer address type: Netlink (824)"}, want...) {
		if !strings.Contains(string(out), s) {
			t.Errorf("tshark -V output lacks %q", s)
		}
	}
	if t.Failed() {
		t.Logf("tshark -V output:\n%s", out)
	}
}

// A syncBuffer is a bytes.Buffer that a running command writes while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until buf holds want, failing if the command ends first
// (exited is closed) or it takes more than 10 seconds.
func waitFor(t *testing.T, buf *syncBuffer, want string, exited <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(buf.String(), want) {
		select {
		case <-exited:
			t.Fatalf("command ended before printing %q; got:\n%s", want, buf.String())
		case <-ctx.Done():
			t.Fatalf("no %q after 10s; got:\n%s", want, buf.String())
		case <-tick.C:
		}
	}
}
