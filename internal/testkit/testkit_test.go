package testkit_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/testkit"
)

func TestAttribute(t *testing.T) {
	tests := []struct {
		name string
		typ  uint16
		data []byte
		fn   func(ae *netlink.AttributeEncoder)
	}{
		{name: "empty", typ: 1, fn: func(ae *netlink.AttributeEncoder) { ae.Bytes(1, nil) }},
		{name: "aligned", typ: 2, data: []byte{1, 2, 3, 4}, fn: func(ae *netlink.AttributeEncoder) { ae.Bytes(2, []byte{1, 2, 3, 4}) }},
		{name: "padded", typ: 3, data: []byte("ab\x00"), fn: func(ae *netlink.AttributeEncoder) { ae.String(3, "ab") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := testkit.Attributes(t, tt.fn)
			if diff := cmp.Diff(want, testkit.Attribute(tt.typ, tt.data)); diff != "" {
				t.Errorf("Attribute (-encoder +got):\n%s", diff)
			}
		})
	}
}
