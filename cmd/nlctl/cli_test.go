//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/netlinkgo/netlink"
	"github.com/netlinkgo/netlink/internal/genl"
	"golang.org/x/sys/unix"
)

func TestRunUsageErrors(t *testing.T) {
	// None of these reach the kernel: the command line is checked first.
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string // the first line
		wantUsage  bool   // the usage follows on stderr
	}{
		{name: "no arguments", args: nil, wantCode: 2, wantStderr: "nlctl explores netlink from the command line.", wantUsage: true},
		{name: "unknown command", args: []string{"frob"}, wantCode: 2, wantStderr: `nlctl: unknown command "frob"`, wantUsage: true},
		{name: "dump without type", args: []string{"dump", "route"}, wantCode: 2, wantStderr: "nlctl: dump needs a FAMILY and a TYPE", wantUsage: true},
		{name: "dump with extra argument", args: []string{"dump", "route", "getlink", "more"}, wantCode: 2, wantStderr: "nlctl: dump needs a FAMILY and a TYPE", wantUsage: true},
		{name: "unknown flag", args: []string{"dump", "-frob", "route", "getlink"}, wantCode: 2, wantStderr: "nlctl: flag provided but not defined: -frob"},
		{name: "bad header flags", args: []string{"dump", "route", "getlink", "-flags", "request|bogus"}, wantCode: 2, wantStderr: `nlctl: unknown header flag "bogus" in -flags`},
		{name: "bad header", args: []string{"dump", "-header", "xyz", "route", "getlink"}, wantCode: 2, wantStderr: `nlctl: bad -header "xyz": encoding/hex: invalid byte: U+0078 'x'`},
		{name: "monitor without group", args: []string{"monitor", "route"}, wantCode: 2, wantStderr: "nlctl: monitor needs a FAMILY and at least one GROUP", wantUsage: true},

		// Requests that the kernel would drop without a word, leaving nlctl
		// to wait for nothing, and numbers out of range: refused at once.
		{name: "control type 0", args: []string{"dump", "route", "0"}, wantCode: 2,
			wantStderr: "nlctl: message type 0 is a netlink control message (NLMSG_*, below 16), which the kernel does not answer (add ack to -flags to get an acknowledgement)"},
		{name: "control type 3", args: []string{"dump", "route", "3"}, wantCode: 2,
			wantStderr: "nlctl: message type 3 is a netlink control message (NLMSG_*, below 16), which the kernel does not answer (add ack to -flags to get an acknowledgement)"},
		{name: "flags 0", args: []string{"dump", "route", "getlink", "-flags", "0"}, wantCode: 2,
			wantStderr: "nlctl: header flags 0 lack request: the kernel does not answer a message that is not a request (add request to -flags, or ack to get an acknowledgement alone)"},
		{name: "flags dump", args: []string{"dump", "route", "getlink", "-flags", "dump"}, wantCode: 2,
			wantStderr: "nlctl: header flags dump lack request: the kernel does not answer a message that is not a request (add request to -flags, or ack to get an acknowledgement alone)"},
		{name: "flags 0x8000", args: []string{"dump", "route", "getlink", "-flags", "0x8000"}, wantCode: 2,
			wantStderr: "nlctl: header flags 0x8000 lack request: the kernel does not answer a message that is not a request (add request to -flags, or ack to get an acknowledgement alone)"},
		{name: "empty header", args: []string{"dump", "route", "getlink", "-header", ""}, wantCode: 2,
			wantStderr: "nlctl: the payload is empty: the kernel ignores route requests without a header (struct rtgenmsg at least); fix -header or -hdrlen, or add ack to -flags to get an acknowledgement"},
		{name: "hdrlen 0", args: []string{"dump", "route", "getlink", "-hdrlen", "0"}, wantCode: 2,
			wantStderr: "nlctl: the payload is empty: the kernel ignores route requests without a header (struct rtgenmsg at least); fix -header or -hdrlen, or add ack to -flags to get an acknowledgement"},
		{name: "empty netfilter payload", args: []string{"dump", "netfilter", "ctnetlink:1", "-hdrlen", "0"}, wantCode: 2,
			wantStderr: "nlctl: the payload is empty: the kernel ignores netfilter requests without a header (struct nfgenmsg); fix -header or -hdrlen, or add ack to -flags to get an acknowledgement"},
		{name: "attribute type out of range", args: []string{"dump", "route", "getlink", "-attr", "70000:u32:1"}, wantCode: 2,
			wantStderr: `nlctl: bad -attr "70000:u32:1": attribute type 70000 is out of range (0 to 65535)`},
		{name: "negative attribute type", args: []string{"dump", "route", "getlink", "-attr", "-1:u32:1"}, wantCode: 2,
			wantStderr: `nlctl: bad -attr "-1:u32:1": attribute type -1 is out of range (0 to 65535)`},
		{name: "flags out of range", args: []string{"dump", "route", "getlink", "-flags", "99999"}, wantCode: 2,
			wantStderr: "nlctl: -flags 99999 is out of range (0 to 65535): header flags are 16 bits"},
		{name: "message type out of range", args: []string{"dump", "route", "70000"}, wantCode: 2,
			wantStderr: "nlctl: message type 70000 is out of range (0 to 65535)"},
		{name: "negative timeout", args: []string{"dump", "route", "getlink", "-timeout", "-1s"}, wantCode: 2,
			wantStderr: "nlctl: bad -timeout -1s: want a duration such as 5s, or 0 for no limit"},
		{name: "timeout without a unit", args: []string{"families", "-timeout", "5"}, wantCode: 2,
			wantStderr: `nlctl: invalid value "5" for flag -timeout: parse error`},
		{name: "monitor negative timeout", args: []string{"monitor", "-timeout", "-2s", "route", "link"}, wantCode: 2,
			wantStderr: "nlctl: bad -timeout -2s: want a duration such as 5s, or 0 for no limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d", code, tt.wantCode)
			}
			first, rest, _ := strings.Cut(stderr.String(), "\n")
			if first != tt.wantStderr {
				t.Errorf("stderr starts with %q, want %q", first, tt.wantStderr)
			}
			if got := strings.Contains(rest, "Usage:"); got != tt.wantUsage {
				t.Errorf("usage shown: %v, want %v; stderr:\n%s", got, tt.wantUsage, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout not empty:\n%s", stdout.String())
			}
		})
	}
}

func TestRunHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"help"}, {"dump", "-h"}, {"families", "-help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), args, &stdout, &stderr); code != 0 {
				t.Errorf("exit status %d, want 0; stderr:\n%s", code, stderr.String())
			}
			if !strings.Contains(stdout.String(), "Usage:") {
				t.Errorf("stdout lacks the usage:\n%s", stdout.String())
			}
		})
	}
}

func TestReport(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode int
		want     string
	}{
		{name: "success", err: nil, wantCode: 0, want: ""},
		{name: "failure", err: errors.New("it broke"), wantCode: 1, want: "nlctl: it broke\n"},
		{
			name:     "permission denied gets a hint",
			err:      fmt.Errorf("dump route dellink: %w", &netlink.OpError{Op: "receive", Err: unix.EPERM}),
			wantCode: 1,
			want:     "nlctl: dump route dellink: netlink receive: operation not permitted (try as root, or with CAP_NET_ADMIN)\n",
		},
		{name: "access denied too", err: unix.EACCES, wantCode: 1, want: "nlctl: permission denied (try as root, or with CAP_NET_ADMIN)\n"},
		{name: "one line", err: errors.New("two\nlines"), wantCode: 1, want: "nlctl: two lines\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := report(tt.err, &stderr); code != tt.wantCode {
				t.Errorf("exit status %d, want %d", code, tt.wantCode)
			}
			if diff := cmp.Diff(tt.want, stderr.String()); diff != "" {
				t.Errorf("stderr mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDumpArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want dumpOptions
	}{
		{
			name: "defaults",
			args: []string{"route", "getlink"},
			want: dumpOptions{family: "route", typ: "getlink", flags: netlink.Request | netlink.Dump, hdrlen: -1, timeout: requestTimeout(defaultTimeout)},
		},
		{
			name: "flags after the arguments",
			args: []string{"route", "getlink", "-dump=false", "-attr", "IFLA_IFNAME:string:lo", "-w", "x.pcap"},
			want: dumpOptions{family: "route", typ: "getlink", flags: netlink.Request, hdrlen: -1,
				attrs: []string{"IFLA_IFNAME:string:lo"}, capture: "x.pcap", timeout: requestTimeout(defaultTimeout)},
		},
		{
			name: "flags override -dump",
			args: []string{"-flags", "request|ack", "-header", "01 02:0304", "-hdrlen", "4", "audit", "1000"},
			want: dumpOptions{family: "audit", typ: "1000", flags: netlink.Request | netlink.Acknowledge, hdrlen: 4,
				header: []byte{1, 2, 3, 4}, timeout: requestTimeout(defaultTimeout)},
		},
		{
			name: "double dash",
			args: []string{"--", "route", "-1"},
			want: dumpOptions{family: "route", typ: "-1", flags: netlink.Request | netlink.Dump, hdrlen: -1, timeout: requestTimeout(defaultTimeout)},
		},
		{
			name: "timeout",
			args: []string{"-timeout", "250ms", "route", "getlink"},
			want: dumpOptions{family: "route", typ: "getlink", flags: netlink.Request | netlink.Dump, hdrlen: -1, timeout: requestTimeout(250 * time.Millisecond)},
		},
		{
			name: "no timeout",
			args: []string{"route", "getlink", "-timeout", "0"},
			want: dumpOptions{family: "route", typ: "getlink", flags: netlink.Request | netlink.Dump, hdrlen: -1},
		},
		{
			name: "empty header",
			args: []string{"route", "getlink", "-header", ""},
			want: dumpOptions{family: "route", typ: "getlink", flags: netlink.Request | netlink.Dump, hdrlen: -1, header: []byte{}, timeout: requestTimeout(defaultTimeout)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDumpArgs(tt.args, io.Discard)
			if err != nil {
				t.Fatalf("parseDumpArgs: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(dumpOptions{})); diff != "" {
				t.Errorf("parseDumpArgs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseHeaderFlags(t *testing.T) {
	tests := []struct {
		in      string
		want    netlink.HeaderFlags
		wantErr bool
	}{
		{in: "request|dump", want: netlink.Request | netlink.Dump},
		{in: "Request,ACK", want: netlink.Request | netlink.Acknowledge},
		{in: "request|create|excl", want: netlink.Request | netlink.Create | netlink.Excl},
		{in: "0x305", want: 0x305},
		{in: "5", want: 5},
		{in: "request|nope", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseHeaderFlags(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseHeaderFlags(%q) error %v, want error: %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseHeaderFlags(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTarget(t *testing.T) {
	tests := []struct {
		name         string
		wantProtocol int
		wantGenl     string
		wantSchema   schema
	}{
		{name: "route", wantProtocol: unix.NETLINK_ROUTE, wantSchema: routeSchema{}},
		{name: "0", wantProtocol: unix.NETLINK_ROUTE, wantSchema: routeSchema{}},
		{name: "generic", wantProtocol: unix.NETLINK_GENERIC, wantGenl: "nlctrl"},
		{name: "16", wantProtocol: unix.NETLINK_GENERIC, wantGenl: "nlctrl"},
		{name: "nlctrl", wantProtocol: unix.NETLINK_GENERIC, wantGenl: "nlctrl"},
		{name: "ethtool", wantProtocol: unix.NETLINK_GENERIC, wantGenl: "ethtool"},
		{name: "netfilter", wantProtocol: unix.NETLINK_NETFILTER, wantSchema: netfilterSchema{}},
		{name: "sock_diag", wantProtocol: unix.NETLINK_SOCK_DIAG, wantSchema: sockDiagSchema{}},
		{name: "audit", wantProtocol: unix.NETLINK_AUDIT, wantSchema: rawSchema{}},
		{name: "0x9", wantProtocol: unix.NETLINK_AUDIT, wantSchema: rawSchema{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, genl := parseTarget(tt.name)
			if got.protocol != tt.wantProtocol || genl != tt.wantGenl || got.schema != tt.wantSchema {
				t.Errorf("parseTarget(%q) = protocol %d, schema %#v, genl %q; want %d, %#v, %q",
					tt.name, got.protocol, got.schema, genl, tt.wantProtocol, tt.wantSchema, tt.wantGenl)
			}
		})
	}
}

func TestParseType(t *testing.T) {
	nlctrl := newGenlSchema(genl.Family{Name: "nlctrl", ID: 16})
	tests := []struct {
		name    string
		schema  schema
		in      string
		want    netlink.HeaderType
		wantErr bool
	}{
		{name: "route short name", schema: routeSchema{}, in: "getlink", want: unix.RTM_GETLINK},
		{name: "route full name", schema: routeSchema{}, in: "RTM_GETADDR", want: unix.RTM_GETADDR},
		{name: "route mixed case", schema: routeSchema{}, in: "GetQdisc", want: unix.RTM_GETQDISC},
		{name: "route number", schema: routeSchema{}, in: "0x1a", want: unix.RTM_GETROUTE},
		{name: "route unknown", schema: routeSchema{}, in: "getfoo", wantErr: true},
		{name: "netfilter subsystem", schema: netfilterSchema{}, in: "nftables:1", want: unix.NFNL_SUBSYS_NFTABLES<<8 | 1},
		{name: "netfilter unknown subsystem", schema: netfilterSchema{}, in: "frob:1", wantErr: true},
		{name: "sock_diag name", schema: sockDiagSchema{}, in: "sock_diag_by_family", want: unix.SOCK_DIAG_BY_FAMILY},
		{name: "raw number", schema: rawSchema{}, in: "1000", want: 1000},
		{name: "raw name", schema: rawSchema{}, in: "get", wantErr: true},
		{name: "genl type is the family", schema: nlctrl, in: "getfamily", want: 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.schema.parseType(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseType(%q) error %v, want error: %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseType(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseGroup(t *testing.T) {
	ethtool := newGenlSchema(genl.Family{Name: "ethtool", ID: 21, Groups: []genl.Group{{Name: "monitor", ID: 6}}})
	tests := []struct {
		name    string
		schema  schema
		in      string
		want    uint32
		wantErr bool
	}{
		{name: "route link", schema: routeSchema{}, in: "link", want: unix.RTNLGRP_LINK},
		{name: "route underscores", schema: routeSchema{}, in: "IPV4_ROUTE", want: unix.RTNLGRP_IPV4_ROUTE},
		{name: "route number", schema: routeSchema{}, in: "11", want: 11},
		{name: "route unknown", schema: routeSchema{}, in: "nope", wantErr: true},
		{name: "netfilter", schema: netfilterSchema{}, in: "conntrack-new", want: unix.NFNLGRP_CONNTRACK_NEW},
		{name: "generic by name", schema: ethtool, in: "monitor", want: 6},
		{name: "generic unknown", schema: ethtool, in: "events", wantErr: true},
		{name: "raw number", schema: rawSchema{}, in: "1", want: 1},
		{name: "raw name", schema: rawSchema{}, in: "events", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.schema.parseGroup(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseGroup(%q) error %v, want error: %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseGroup(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestBuildRequest(t *testing.T) {
	nlctrl := newGenlSchema(genl.Family{Name: "nlctrl", ID: 16, Version: 2})
	tests := []struct {
		name    string
		target  target
		opts    dumpOptions
		want    netlink.Message
		wantErr string
	}{
		{
			name:   "route getlink",
			target: target{schema: routeSchema{}},
			opts:   dumpOptions{typ: "getlink", flags: netlink.Request | netlink.Dump},
			want: netlink.Message{
				Header: netlink.Header{Type: unix.RTM_GETLINK, Flags: netlink.Request | netlink.Dump},
				Data:   make([]byte, unix.SizeofIfInfomsg),
			},
		},
		{
			name:   "route getaddr with an attribute by name",
			target: target{schema: routeSchema{}},
			opts:   dumpOptions{typ: "getaddr", flags: netlink.Request, attrs: []string{"IFA_LABEL:string:lo"}},
			want: netlink.Message{
				Header: netlink.Header{Type: unix.RTM_GETADDR, Flags: netlink.Request},
				Data:   append(make([]byte, unix.SizeofIfAddrmsg), 7, 0, unix.IFA_LABEL, 0, 'l', 'o', 0, 0),
			},
		},
		{
			name:   "nlctrl getfamily",
			target: target{schema: nlctrl, genl: nlctrl},
			opts:   dumpOptions{typ: "getfamily", flags: netlink.Request, attrs: []string{"1:u16:16", "99:flag"}},
			want: netlink.Message{
				Header: netlink.Header{Type: 16, Flags: netlink.Request},
				Data:   []byte{3, 2, 0, 0, 6, 0, 1, 0, 16, 0, 0, 0, 4, 0, 99, 0},
			},
		},
		{
			name:   "header given",
			target: target{schema: rawSchema{}},
			opts:   dumpOptions{typ: "1000", flags: netlink.Request, header: []byte{1, 2, 3, 4}},
			want: netlink.Message{
				Header: netlink.Header{Type: 1000, Flags: netlink.Request},
				Data:   []byte{1, 2, 3, 4},
			},
		},
		{name: "unknown type", target: target{schema: routeSchema{}}, opts: dumpOptions{typ: "nope"}, wantErr: `unknown route message type "nope"`},
		{name: "unknown command", target: target{schema: nlctrl, genl: nlctrl}, opts: dumpOptions{typ: "frob"}, wantErr: `unknown command "frob"`},
		{name: "bad attribute", target: target{schema: routeSchema{}}, opts: dumpOptions{typ: "getlink", attrs: []string{"IFLA_MTU:u8:300"}}, wantErr: "value out of range"},
		{name: "unknown attribute", target: target{schema: routeSchema{}}, opts: dumpOptions{typ: "getlink", attrs: []string{"IFLA_FOO:u8:1"}}, wantErr: `unknown attribute "IFLA_FOO"`},
		{name: "unknown kind", target: target{schema: routeSchema{}}, opts: dumpOptions{typ: "getlink", attrs: []string{"3:float:1"}}, wantErr: `unknown kind "float"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := buildRequest(tt.target, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("buildRequest error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("buildRequest: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("buildRequest mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
