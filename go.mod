module github.com/netlinkgo/netlink

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/mdlayher/socket v0.8.0
	golang.org/x/net v0.62.0
	golang.org/x/sys v0.50.0
)

require golang.org/x/sync v0.24.0 // indirect
