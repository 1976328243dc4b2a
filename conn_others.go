//go:build !linux

package netlink

import (
	"context"
	"fmt"
	"runtime"
)

// A sysSocket is never made off Linux.
type sysSocket struct{ Socket }

// dial reports that netlink does not exist here.
func dial(int, *Config) (*sysSocket, uint32, error) {
	return nil, 0, fmt.Errorf("netlink: not implemented on %s/%s", runtime.GOOS, runtime.GOARCH)
}

func (*sysSocket) send(context.Context, []byte) error { panic("unreachable") }

func (*sysSocket) receive(context.Context) ([]byte, Origin, error) { panic("unreachable") }
