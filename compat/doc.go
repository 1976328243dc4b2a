// Package netlink is github.com/netlinkgo/netlink under the import path of
// the v1 API it is compatible with, github.com/mdlayher/netlink, so that a
// replace line in go.mod puts existing packages built on that API, and their
// tests, on github.com/netlinkgo/netlink:
//
//	go mod edit -replace github.com/mdlayher/netlink=github.com/netlinkgo/netlink/compat@VERSION
//
// It holds only type aliases, constants and one-line forwarders: every
// identifier is the one of github.com/netlinkgo/netlink with the same name,
// whose documentation describes it.
package netlink
