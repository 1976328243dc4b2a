//go:build !linux

package netlink

import (
	"fmt"
	"runtime"
)

// dial reports that netlink does not exist here.
func dial(int, *Config) (dialedSocket, error) {
	return dialedSocket{}, fmt.Errorf("netlink: not implemented on %s/%s", runtime.GOOS, runtime.GOARCH)
}
