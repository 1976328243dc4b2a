//go:build linux

// Package nstest creates throw-away network namespaces for tests that talk
// to the real kernel, so that they never touch the machine's own network
// configuration. It drives iproute2's ip command.
//
// Creating network namespaces needs root. A package whose tests use New
// calls Main from its TestMain, so that an ordinary user's go test runs
// them too, as root of a user namespace of their own; see Main.
package nstest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// An NS is a named network namespace that lives as long as the test that
// made it.
type NS struct {
	name     string
	f        *os.File
	detached bool
}

// SkipUnlessAvailable skips the test unless New can create network
// namespaces: it needs root, real or in a user namespace that Main made,
// and the ip command. The skip message says which is missing. A test whose
// subtests each call New calls it first, so that it skips as a whole
// rather than pass with every subtest skipped.
func SkipUnlessAvailable(t testing.TB) {
	t.Helper()
	if reason := os.Getenv(unavailableEnv); reason != "" {
		t.Skip("skipping: cannot create network namespaces: " + reason)
	}
	if os.Geteuid() != 0 {
		t.Skip("skipping: creating network namespaces needs root, or nstest.Main in the package's TestMain to run the tests in a user namespace")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("skipping: the ip command of iproute2 is not installed")
	}
}

// New creates a fresh network namespace named nltest-<pid>-<random>, with the
// ip command, and removes it when the test and its subtests end. It skips
// the test as SkipUnlessAvailable does.
func New(t testing.TB) *NS {
	t.Helper()
	SkipUnlessAvailable(t)
	// A random suffix keeps names unique without shared state.
	name := fmt.Sprintf("nltest-%d-%08x", os.Getpid(), rand.Uint32())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", name, err, out)
	}
	ns := &NS{name: name}
	t.Cleanup(ns.remove(t))
	f, err := os.Open(filepath.Join("/run/netns", name))
	if err != nil {
		t.Fatalf("opening namespace %s: %v", name, err)
	}
	ns.f = f
	return ns
}

// remove returns the cleanup that closes the namespace's descriptor and
// deletes its name; the kernel frees it when nothing else refers to it.
func (ns *NS) remove(t testing.TB) func() {
	return func() {
		if ns.detached {
			return
		}
		if ns.f != nil {
			ns.f.Close()
		}
		if out, err := exec.Command("ip", "netns", "del", ns.name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v: %s", ns.name, err, out)
		}
	}
}

// Detach deletes the namespace's name now instead of when the test ends,
// and keeps its descriptor open until the process exits, when the kernel
// frees the namespace: for benchmarks that share one namespace beyond the
// benchmark that made it. Run and Batch no longer work afterwards; FD and Do
// do.
func (ns *NS) Detach(t testing.TB) {
	t.Helper()
	if out, err := exec.Command("ip", "netns", "del", ns.name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns del %s: %v: %s", ns.name, err, out)
	}
	ns.detached = true
}

// Name returns the namespace's name, as ip netns knows it.
func (ns *NS) Name() string { return ns.name }

// FD returns an open file descriptor of the namespace, for
// netlink.Config.NetNS. It is valid until the test ends.
func (ns *NS) FD() int { return int(ns.f.Fd()) }

// Run runs "ip -n NAME args..." and returns its output. It fails the test,
// showing the output, if the command fails.
func (ns *NS) Run(t testing.TB, args ...string) string {
	t.Helper()
	args = append([]string{"-n", ns.name}, args...)
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Batch runs ip commands, one per line without the leading "ip", in one
// "ip -n NAME -batch" process: much faster than Run for thousands of them.
// It fails the test if any command fails.
func (ns *NS) Batch(t testing.TB, lines []string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "batch")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ns.Run(t, "-batch", file)
}

// Do calls fn on an OS thread moved into the namespace, for code that must
// open sockets there itself, and moves the thread back afterwards. It
// returns fn's error, or the error of switching namespaces.
func (ns *NS) Do(fn func() error) error {
	runtime.LockOSThread()
	orig, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	if err := unix.Setns(ns.FD(), unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("setns %s: %w", ns.name, err)
	}
	fnErr := fn()
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		// The thread is stuck in the wrong namespace: leaving it locked
		// makes the runtime end it with this goroutine.
		return fmt.Errorf("setns back from %s: %w", ns.name, err)
	}
	runtime.UnlockOSThread()
	return fnErr
}
