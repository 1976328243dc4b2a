package netlink

import (
	"context"
	"encoding/hex"
	"log/slog"
	"os"
	"strconv"
	"strings"
)

// A tracer reports the datagrams of a Conn to its Config's Logger and
// Capture. A nil *tracer does nothing.
type tracer struct {
	logger  *slog.Logger
	payload bool // log each message's payload in hex too
	capture Capturer
}

// newTracer returns the tracer config asks for, or nil. Without a Logger,
// the NLDEBUG environment variable turns logging to standard error on, as
// in the v1 API: NLDEBUG=1 (or level=1) logs each message's header,
// level=2 its payload too.
func newTracer(config *Config) *tracer {
	t := &tracer{logger: config.Logger, capture: config.Capture}
	level := 1
	if t.logger == nil {
		v, ok := os.LookupEnv("NLDEBUG")
		if !ok {
			if t.capture == nil {
				return nil
			}
			return t
		}
		level = parseDebugLevel(v)
		if level > 0 {
			t.logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
	}
	t.payload = level >= 2
	if t.logger == nil && t.capture == nil {
		return nil
	}
	return t
}

// parseDebugLevel reads the level from an NLDEBUG value: "N", or a
// comma-separated list of key=value pairs with a "level" key. Anything else
// means level 1.
func parseDebugLevel(v string) int {
	if n, err := strconv.Atoi(v); err == nil {
		return n
	}
	for kv := range strings.SplitSeq(v, ",") {
		if key, value, ok := strings.Cut(kv, "="); ok && key == "level" {
			if n, err := strconv.Atoi(value); err == nil {
				return n
			}
		}
	}
	return 1
}

// sent reports a datagram sent to the kernel.
func (t *tracer) sent(b []byte) {
	if t == nil {
		return
	}
	if t.capture != nil {
		t.capture.CaptureDatagram(true, b)
	}
	t.log("send", b, Origin{NSID: -1})
}

// received reports a datagram received from origin.
func (t *tracer) received(b []byte, origin Origin) {
	if t == nil {
		return
	}
	if t.capture != nil {
		t.capture.CaptureDatagram(false, b)
	}
	t.log("receive", b, origin)
}

// log logs each message of a datagram at debug level.
func (t *tracer) log(op string, b []byte, origin Origin) {
	if t.logger == nil || !t.logger.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	msgs, err := parseMessages(b)
	if err != nil {
		t.logger.Debug("netlink: malformed datagram", "op", op, "error", err, "bytes", len(b))
		return
	}
	for _, m := range msgs {
		attrs := []any{
			"op", op,
			"type", m.Header.Type,
			"flags", m.Header.Flags,
			"seq", m.Header.Sequence,
			"pid", m.Header.PID,
			"length", m.Header.Length,
		}
		if op == "receive" {
			attrs = append(attrs, "from", origin.PortID, "group", origin.Group)
		}
		if t.payload {
			attrs = append(attrs, "data", hex.EncodeToString(m.Data))
		}
		t.logger.Debug("netlink: message", attrs...)
	}
}
