//go:build linux

package netlink_test

import (
	"testing"

	"github.com/netlinkgo/netlink/internal/nstest"
)

// TestMain lets an ordinary user run the kernel tests too, inside a user
// namespace of their own.
func TestMain(m *testing.M) { nstest.Main(m) }
