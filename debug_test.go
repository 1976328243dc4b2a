package netlink

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDebugLevel(t *testing.T) {
	tests := []struct {
		name string
		v    string
		want int
	}{
		{name: "number", v: "2", want: 2},
		{name: "zero", v: "0", want: 0},
		{name: "level key", v: "level=2", want: 2},
		{name: "level among others", v: "format=text,level=3", want: 3},
		{name: "empty", v: "", want: 1},
		{name: "garbage", v: "yes please", want: 1},
		{name: "bad level", v: "level=x", want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseDebugLevel(tt.v); got != tt.want {
				t.Fatalf("parseDebugLevel(%q) = %d, want %d", tt.v, got, tt.want)
			}
		})
	}
}

func TestNewTracer(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	capture := debugTestCapture(func(bool, []byte) {})
	tests := []struct {
		name   string
		env    string // NLDEBUG, unset if empty
		config Config
		// What the tracer must have; none means no tracer at all.
		none, logs, payload, captures bool
	}{
		{name: "nothing", none: true},
		{name: "logger", config: Config{Logger: logger}, logs: true},
		{name: "capture", config: Config{Capture: capture}, captures: true},
		{name: "NLDEBUG=1", env: "1", logs: true},
		{name: "NLDEBUG=level=2", env: "level=2", logs: true, payload: true},
		{name: "NLDEBUG=0", env: "0", none: true},
		{name: "logger wins over NLDEBUG", env: "level=2", config: Config{Logger: logger}, logs: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("NLDEBUG", tt.env)
			}
			tr := newTracer(&tt.config)
			if tt.none {
				if tr != nil {
					t.Fatalf("got a tracer %+v, want none", tr)
				}
				return
			}
			if tr == nil {
				t.Fatal("got no tracer")
			}
			got := []bool{tr.logger != nil, tr.payload, tr.capture != nil}
			if diff := cmp.Diff([]bool{tt.logs, tt.payload, tt.captures}, got); diff != "" {
				t.Fatalf("logger, payload, capture (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTracerLogsAndCaptures(t *testing.T) {
	var logs bytes.Buffer
	var captured []string
	tr := &tracer{
		logger:  slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		payload: true,
		capture: debugTestCapture(func(sent bool, b []byte) {
			dir := "received"
			if sent {
				dir = "sent"
			}
			captured = append(captured, dir+":"+string(rune('0'+len(b)/4)))
		}),
	}
	req := appendMessage(nil, Message{
		Header: Header{Length: 20, Type: 16, Flags: Request | Acknowledge, Sequence: 7, PID: 9},
		Data:   binary.NativeEndian.AppendUint32(nil, 0xdeadbeef),
	})
	tr.sent(req)
	tr.received(appendHeader(nil, Header{Length: 16, Type: 16, Flags: Multi}), Origin{PortID: 0, Group: 3, NSID: -1})
	// A header that claims more bytes than the datagram holds.
	tr.received(appendHeader(nil, Header{Length: 100, Type: 16}), Origin{NSID: -1})

	if diff := cmp.Diff([]string{"sent:5", "received:4", "received:4"}, captured); diff != "" {
		t.Errorf("captured datagrams (-want +got):\n%s", diff)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d log lines, want 3:\n%s", len(lines), logs.String())
	}
	for i, want := range [][]string{
		{"op=send", "type=unknown(16)", "flags=request|acknowledge", "seq=7", "pid=9",
			"data=" + hex.EncodeToString(binary.NativeEndian.AppendUint32(nil, 0xdeadbeef))},
		{"op=receive", "from=0", "group=3"},
		{"malformed datagram", "op=receive"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("log line %d %q lacks %q", i, lines[i], w)
			}
		}
	}
}

func TestNilTracer(t *testing.T) {
	var tr *tracer
	// A Conn without tracing has a nil tracer: its methods must do nothing.
	tr.sent([]byte{1})
	tr.received([]byte{1}, Origin{})
}

// debugTestCapture makes a function a Capturer.
type debugTestCapture func(sent bool, b []byte)

func (f debugTestCapture) CaptureDatagram(sent bool, b []byte) { f(sent, b) }
