// Command ecosystem lists the generic netlink families with
// github.com/mdlayher/genetlink and the links with
// github.com/jsimonetti/rtnetlink/v2, both running on
// github.com/netlinkgo/netlink through its compatibility module. It prints
// one "family NAME" or "link NAME" line for each.
package main

import (
	"fmt"
	"os"

	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/genetlink"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ecosystem:", err)
		os.Exit(1)
	}
}

// run prints the families and the links.
func run() error {
	gc, err := genetlink.Dial(nil)
	if err != nil {
		return fmt.Errorf("dialing generic netlink: %w", err)
	}
	defer gc.Close()
	families, err := gc.ListFamilies()
	if err != nil {
		return fmt.Errorf("listing families: %w", err)
	}
	for _, f := range families {
		fmt.Printf("family %s\n", f.Name)
	}

	rc, err := rtnetlink.Dial(nil)
	if err != nil {
		return fmt.Errorf("dialing rtnetlink: %w", err)
	}
	defer rc.Close()
	links, err := rc.Link.List()
	if err != nil {
		return fmt.Errorf("listing links: %w", err)
	}
	for _, l := range links {
		if l.Attributes != nil {
			fmt.Printf("link %s\n", l.Attributes.Name)
		}
	}
	return nil
}
