module github.com/mdlayher/netlink

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/netlinkgo/netlink v0.0.0-00010101000000-000000000000
)

require (
	github.com/mdlayher/socket v0.8.0 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

// For use inside this repository. A replace line applies only in the main
// module: a module that depends on this one must replace
// github.com/netlinkgo/netlink itself when it uses a local clone.
replace github.com/netlinkgo/netlink => ../
