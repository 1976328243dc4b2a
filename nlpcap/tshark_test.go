package nlpcap

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// tsharkFrame is what tshark reports for one frame, with numbers parsed so
// that the comparison does not depend on how a tshark version formats
// them (tshark 4.0 prints the family as 0x0010 and types in decimal).
type tsharkFrame struct {
	Protocols    string // frame.protocols, up to the netlink family's dissector
	WireLen      uint64 // frame.len
	CapturedLen  uint64 // frame.cap_len
	Family       uint64 // netlink.family
	RouteType    string // netlink-route.nltype, per message
	IfName       string // netlink-route.ifla_ifname
	MTU          string // netlink-route.ifla_mtu
	GenlFamilyID string // genl.family_id
	CtrlCmd      string // genl.ctrl.cmd
	GenlVersion  string // genl.version
	FamilyName   string // genl.ctrl.family_name
}

var tsharkFields = []string{
	"frame.protocols",
	"frame.len",
	"frame.cap_len",
	"netlink.family",
	"netlink-route.nltype",
	"netlink-route.ifla_ifname",
	"netlink-route.ifla_mtu",
	"genl.family_id",
	"genl.ctrl.cmd",
	"genl.version",
	"genl.ctrl.family_name",
}

// TestTsharkReadsCapture checks the format against Wireshark's dissectors:
// a capture of route and generic netlink traffic must be recognised as
// such, down to message types and attributes.
func TestTsharkReadsCapture(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not in PATH; install it with: DEBIAN_FRONTEND=noninteractive apt-get install -y tshark")
	}

	t0 := time.Unix(1700000000, 123456789)
	large := nlmsg(rtmNewLink, nlmFMulti, 3, testPortID, make([]byte, 300000-16))
	packets := []Packet{
		{Time: t0, Family: 0, Direction: Sent, Data: getLinkRequest()},
		{Time: t0.Add(time.Millisecond), Family: 0, Direction: Received, Data: append(newLinkMessage(), doneMessage()...)},
		{Time: t0.Add(2 * time.Millisecond), Family: 16, Direction: Received, Data: nlctrlMessage()},
		{Time: t0.Add(3 * time.Millisecond), Family: 0, Direction: Received, Data: large},
	}
	file := filepath.Join(t.TempDir(), "netlink.pcap")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(f)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	for _, p := range packets {
		if err := w.WritePacket(p); err != nil {
			t.Fatalf("WritePacket: %v", err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	runTshark := func(args ...string) string {
		t.Helper()
		// -n: no name resolution. tshark warns on stderr when run as
		// root; only stdout is examined.
		cmd := exec.CommandContext(t.Context(), tshark, append([]string{"-n", "-r", file}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v\nstderr:\n%s", cmd, err, stderr.Bytes())
		}
		return string(out)
	}

	t.Run("fields", func(t *testing.T) {
		args := []string{"-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"}
		for _, f := range tsharkFields {
			args = append(args, "-e", f)
		}
		out := runTshark(args...)
		var got []tsharkFrame
		for line := range strings.Lines(out) {
			v := strings.Split(strings.TrimRight(line, "\n"), "|")
			if len(v) != len(tsharkFields) {
				t.Fatalf("tshark line %q has %d fields, want %d", line, len(v), len(tsharkFields))
			}
			protocols := v[0]
			// Keep the link layer and the family's dissector; what tshark
			// adds for trailing data varies.
			if p := strings.Split(protocols, ":"); len(p) > 2 {
				protocols = strings.Join(p[:2], ":")
			}
			got = append(got, tsharkFrame{
				Protocols:    protocols,
				WireLen:      parseUint(t, v[1]),
				CapturedLen:  parseUint(t, v[2]),
				Family:       parseUint(t, v[3]),
				RouteType:    v[4],
				IfName:       v[5],
				MTU:          v[6],
				GenlFamilyID: normalizeHex(t, v[7]),
				CtrlCmd:      v[8],
				GenlVersion:  v[9],
				FamilyName:   v[10],
			})
		}
		want := []tsharkFrame{
			{
				Protocols: "netlink:netlink-route", WireLen: 48, CapturedLen: 48,
				Family: 0, RouteType: "18",
			},
			{
				// NLMSG_DONE is dissected as a plain netlink message.
				Protocols: "netlink:netlink-route", WireLen: 84, CapturedLen: 84,
				Family: 0, RouteType: "16", IfName: "lo", MTU: "65536",
			},
			{
				Protocols: "netlink:genl", WireLen: 56, CapturedLen: 56,
				Family: 16, GenlFamilyID: "16", CtrlCmd: "1", GenlVersion: "2",
				FamilyName: "nlctrl",
			},
			{
				Protocols: "netlink:netlink-route", WireLen: 300016, CapturedLen: SnapLen,
				Family: 0, RouteType: "16",
			},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tshark fields mismatch (-want +got):\n%s\ntshark output:\n%s", diff, out)
		}
	})

	t.Run("verbose", func(t *testing.T) {
		out := runTshark("-V", "-Y", "frame.number <= 3")
		// What Wireshark's netlink, rtnetlink and genl dissectors print
		// for these messages (checked with tshark 4.0).
		for _, s := range []string{
			"Linux netlink (cooked header)",
			"Link-layer address type: Netlink (824)",
			"Family: Route (0x0000)",
			"Family: Generic (0x0010)",
			"Linux rtnetlink (route netlink) protocol",
			"Message type: Get network interface info (18)",
			"Message type: Create network interface (16)",
			"Device name: lo",
			"MTU of device: 65536",
			"Message type: End of a dump (0x0003)",
			"Linux Generic Netlink protocol",
			"Family ID: 0x10 (nlctrl)",
			"Command: CTRL_CMD_NEWFAMILY (1)",
			"Family Name: nlctrl",
		} {
			if !strings.Contains(out, s) {
				t.Errorf("tshark -V output lacks %q", s)
			}
		}
		if t.Failed() {
			t.Logf("tshark -V output:\n%s", out)
		}
	})
}

// parseUint parses a decimal or 0x-prefixed number printed by tshark.
func parseUint(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		t.Fatalf("tshark printed %q, want a number: %v", s, err)
	}
	return n
}

// normalizeHex returns a number printed by tshark in decimal, or "" for
// an absent field.
func normalizeHex(t *testing.T, s string) string {
	t.Helper()
	if s == "" {
		return ""
	}
	return strconv.FormatUint(parseUint(t, s), 10)
}
