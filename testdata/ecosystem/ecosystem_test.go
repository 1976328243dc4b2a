package main

import (
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jsimonetti/rtnetlink/v2"
	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/genetlink/genltest"
	"github.com/mdlayher/netlink"
	"github.com/mdlayher/netlink/nltest"
	"golang.org/x/sys/unix"
)

// The fakes of genetlink (genltest) run on nltest, here on
// github.com/netlinkgo/netlink/nltest through the compatibility module.
func TestGenltest(t *testing.T) {
	family := genetlink.Family{ID: 0x1d, Version: 1, Name: "example"}
	tests := []struct {
		name string
		fn   genltest.Func
		want []genetlink.Message
		err  error // matched with errors.Is
	}{
		{
			name: "reply",
			fn: func(greq genetlink.Message, _ netlink.Message) ([]genetlink.Message, error) {
				return []genetlink.Message{{Header: greq.Header, Data: []byte{1, 2, 3, 4}}}, nil
			},
			want: []genetlink.Message{{Header: genetlink.Header{Command: 1, Version: 1}, Data: []byte{1, 2, 3, 4}}},
		},
		{
			name: "errno",
			fn: func(genetlink.Message, netlink.Message) ([]genetlink.Message, error) {
				return nil, genltest.Error(int(unix.ENOENT))
			},
			err: os.ErrNotExist,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := genltest.Dial(genltest.ServeFamily(family, tt.fn))
			defer c.Close()

			f, err := c.GetFamily("example")
			if err != nil {
				t.Fatalf("failed to get family: %v", err)
			}
			if diff := cmp.Diff(family, f); diff != "" {
				t.Fatalf("unexpected family (-want +got):\n%s", diff)
			}

			msgs, err := c.Execute(genetlink.Message{Header: genetlink.Header{Command: 1, Version: 1}}, f.ID, netlink.Request)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("want an error matching %v, got %v", tt.err, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("failed to execute: %v", err)
			}
			if diff := cmp.Diff(tt.want, msgs); diff != "" {
				t.Fatalf("unexpected messages (-want +got):\n%s", diff)
			}
		})
	}
}

// A link dump answered by an nltest fake with rtnetlink's own messages.
func TestNltestLinkDump(t *testing.T) {
	tests := []struct {
		name  string
		links []string
	}{
		{name: "one link", links: []string{"lo"}},
		{name: "three links", links: []string{"lo", "eth0", "wlan0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := nltest.Dial(func(req []netlink.Message) ([]netlink.Message, error) {
				var msgs []netlink.Message
				for i, name := range tt.links {
					lm := rtnetlink.LinkMessage{Index: uint32(i + 1), Attributes: &rtnetlink.LinkAttributes{Name: name}}
					b, err := lm.MarshalBinary()
					if err != nil {
						return nil, err
					}
					msgs = append(msgs, netlink.Message{
						Header: netlink.Header{Type: unix.RTM_NEWLINK, Sequence: req[0].Header.Sequence, PID: nltest.PID},
						Data:   b,
					})
				}
				msgs = append(msgs, netlink.Message{Header: netlink.Header{Sequence: req[0].Header.Sequence, PID: nltest.PID}})
				return nltest.Multipart(msgs)
			})
			defer c.Close()

			req, err := (&rtnetlink.LinkMessage{}).MarshalBinary()
			if err != nil {
				t.Fatalf("failed to marshal request: %v", err)
			}
			msgs, err := c.Execute(netlink.Message{
				Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Dump},
				Data:   req,
			})
			if err != nil {
				t.Fatalf("failed to execute: %v", err)
			}
			var got []string
			for _, m := range msgs {
				var lm rtnetlink.LinkMessage
				if err := lm.UnmarshalBinary(m.Data); err != nil {
					t.Fatalf("failed to unmarshal link: %v", err)
				}
				got = append(got, lm.Attributes.Name)
			}
			if diff := cmp.Diff(tt.links, got); diff != "" {
				t.Fatalf("unexpected links (-want +got):\n%s", diff)
			}
		})
	}
}
