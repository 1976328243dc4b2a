module github.com/netlinkgo/netlink

go 1.26
