// Command nlctl explores netlink from the command line: it lists the
// generic netlink families, sends requests to any netlink family and
// prints the replies as attribute trees, prints multicast notifications as
// they arrive, and records the traffic as a pcap capture for Wireshark.
//
// Run nlctl -h for its usage. It is built on the public API of packages
// netlink and nlpcap, and so doubles as their largest example, plus the
// module's nlctrl client (internal/genl), which the kernel tests share.
// Every request it sends is bounded by -timeout.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// An interrupt cancels ctx: a monitor then ends with status 0.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
