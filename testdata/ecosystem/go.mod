module github.com/netlinkgo/netlink/testdata/ecosystem

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/jsimonetti/rtnetlink/v2 v2.3.0
	github.com/mdlayher/genetlink v1.4.0
	github.com/mdlayher/netlink v1.11.2
	golang.org/x/sys v0.50.0
)

require (
	github.com/mdlayher/socket v0.8.0 // indirect
	github.com/netlinkgo/netlink v0.0.0-00010101000000-000000000000 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
)

// The family packages import github.com/mdlayher/netlink: the compatibility
// module puts them on this repository. Replace lines apply only in the main
// module, so the one in compat/go.mod is repeated here.
replace (
	github.com/mdlayher/netlink => ../../compat
	github.com/netlinkgo/netlink => ../..
)
