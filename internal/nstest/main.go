//go:build linux

package nstest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The environment carries what Main learnt to the tests and to the test
// binary that it runs again.
const (
	// childEnv marks the test binary that Main runs in new namespaces.
	childEnv = "NSTEST_USERNS_CHILD"
	// unavailableEnv holds why New cannot create namespaces; Main sets it.
	unavailableEnv = "NSTEST_UNAVAILABLE"
	// disableEnv, set to 0, stops Main from using a user namespace, to
	// see what a machine without them does.
	disableEnv = "NSTEST_USERNS"
)

// Main runs the package's tests and exits with their status. A package
// whose tests use New calls it from its TestMain:
//
//	func TestMain(m *testing.M) { nstest.Main(m) }
//
// As root, it just runs the tests. Otherwise it runs the test binary again,
// with the same arguments, as root of a new user namespace that maps the
// user to root, with a network namespace and a mount namespace of its own
// (with a private tmpfs on /run, where ip keeps named namespaces), and
// exits with that run's status: so New, ip netns and the kernel tests work
// there without any privilege on the machine. Where user namespaces are
// disabled (or NSTEST_USERNS=0), it runs the tests in this process, and
// New skips them, saying why.
func Main(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Unsetenv(childEnv)
		if err := setUpMounts(); err != nil {
			os.Setenv(unavailableEnv, fmt.Sprintf("in the user namespace that nstest.Main made: %v", err))
		}
		os.Exit(m.Run())
	}
	if os.Geteuid() == 0 || os.Getenv(unavailableEnv) != "" {
		os.Exit(m.Run())
	}
	if os.Getenv(disableEnv) == "0" {
		os.Setenv(unavailableEnv, fmt.Sprintf("not root, and %s=0 turns user namespaces off", disableEnv))
		os.Exit(m.Run())
	}
	code, err := runInUserNS()
	if err != nil {
		os.Setenv(unavailableEnv, fmt.Sprintf("not root, and cannot create a user namespace here (%v): run as root, or enable unprivileged user namespaces (sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone, or kernel.apparmor_restrict_unprivileged_userns)", err))
		os.Exit(m.Run())
	}
	os.Exit(code)
}

// setUpMounts makes the mount namespace's mounts private, so that nothing
// done in it reaches the machine's, and gives it an empty /run, where ip
// netns add can make /run/netns without privileges on the real one.
func setUpMounts() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making / private: %w", err)
	}
	if err := unix.Mount("nstest", "/run", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("mounting a tmpfs on /run: %w", err)
	}
	return nil
}

// runInUserNS runs this test binary again, with the same arguments, in new
// user, network and mount namespaces, and returns its exit status. It
// returns an error only if the process could not be started.
func runInUserNS() (int, error) {
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		// The child dies with this process; Pdeathsig follows the
		// thread that started it, so that thread must live as long.
		Pdeathsig: syscall.SIGKILL,
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	// Signals meant for the tests reach this process, not the child:
	// go test sends SIGQUIT on a timeout, for the tests' stacks.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case sig := <-sigs:
			cmd.Process.Signal(sig)
		case err := <-done:
			var exitErr *exec.ExitError
			switch {
			case err == nil:
				return 0, nil
			case errors.As(err, &exitErr):
				if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
					fmt.Fprintf(os.Stderr, "nstest: the tests in the user namespace were killed by %v\n", status.Signal())
					return 128 + int(status.Signal()), nil
				}
				return exitErr.ExitCode(), nil
			default:
				fmt.Fprintf(os.Stderr, "nstest: waiting for the tests in the user namespace: %v\n", err)
				return 1, nil
			}
		}
	}
}
