//go:build linux

package nstest

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { Main(m) }

// nsInode returns the inode that identifies the network namespace of the
// descriptor fd.
func nsInode(t *testing.T, fd int) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// threadNSInode returns the inode of the calling thread's network
// namespace.
func threadNSInode(t *testing.T) uint64 {
	t.Helper()
	f, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return nsInode(t, int(f.Fd()))
}

// TestNew checks that New makes a namespace of its own, under a name of
// its own, that ip and Do reach.
func TestNew(t *testing.T) {
	ns := New(t)
	nsIno := nsInode(t, ns.FD())

	t.Run("differs from the test's", func(t *testing.T) {
		if ino := threadNSInode(t); ino == nsIno {
			t.Errorf("the namespace is the test's own (inode %d)", ino)
		}
	})

	t.Run("ip -n", func(t *testing.T) {
		ns.Run(t, "link", "add", "nstest0", "type", "veth", "peer", "name", "nstest1")
		if out := ns.Run(t, "link", "show", "nstest0"); !strings.Contains(out, "nstest0") {
			t.Errorf("ip link show nstest0 in the namespace: %q", out)
		}
	})

	t.Run("Do", func(t *testing.T) {
		var inside uint64
		if err := ns.Do(func() error {
			inside = threadNSInode(t)
			return nil
		}); err != nil {
			t.Fatalf("Do: %v", err)
		}
		if inside != nsIno {
			t.Errorf("Do ran in namespace inode %d, want %d", inside, nsIno)
		}
	})

	t.Run("names differ", func(t *testing.T) {
		if other := New(t); other.Name() == ns.Name() {
			t.Errorf("two namespaces named %s", ns.Name())
		}
	})
}
