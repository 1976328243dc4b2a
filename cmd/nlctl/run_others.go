//go:build !linux

package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
)

// run reports that netlink exists only on Linux. The command still builds
// elsewhere, like the packages it is an example of.
func run(_ context.Context, _ []string, _, stderr io.Writer) int {
	fmt.Fprintf(stderr, "nlctl: netlink is not available on %s\n", runtime.GOOS)
	return 1
}
