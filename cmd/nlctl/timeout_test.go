//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRequestTimeout(t *testing.T) {
	errBroken := errors.New("broken")
	// waitForDone plays a request that gets no answer: it ends when its
	// context does, with the context's error wrapped as the Conn wraps it.
	waitForDone := func(ctx context.Context) error {
		<-ctx.Done()
		return fmt.Errorf("netlink receive: %w", ctx.Err())
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		timeout requestTimeout
		ctx     context.Context
		fn      func(ctx context.Context) error
		want    string // "" for no error
	}{
		{name: "answered", timeout: requestTimeout(time.Second), ctx: context.Background(), fn: func(context.Context) error { return nil }},
		{name: "other error", timeout: requestTimeout(time.Second), ctx: context.Background(), fn: func(context.Context) error { return errBroken }, want: "broken"},
		{
			name: "no answer", timeout: requestTimeout(20 * time.Millisecond), ctx: context.Background(), fn: waitForDone,
			want: "no answer from the kernel within 20ms (-timeout; 0 waits without limit)",
		},
		{name: "interrupted", timeout: requestTimeout(time.Second), ctx: cancelled, fn: waitForDone, want: "interrupted"},
		{
			name: "no limit", timeout: 0, ctx: context.Background(),
			fn: func(ctx context.Context) error {
				if _, ok := ctx.Deadline(); ok {
					return errors.New("the request has a deadline")
				}
				return nil
			},
		},
		{
			// A deadline that the request itself reports, not -timeout's,
			// is not called a timeout.
			name: "foreign deadline", timeout: requestTimeout(time.Second), ctx: context.Background(),
			fn:   func(context.Context) error { return context.DeadlineExceeded },
			want: context.DeadlineExceeded.Error(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := tt.timeout.do(tt.ctx, tt.fn); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("do error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsTimeout(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "wrapped timeout", err: fmt.Errorf("dump fib_lookup 16: %w", &timeoutError{d: 5 * time.Second}), want: true},
		{name: "deadline of another context", err: context.DeadlineExceeded, want: false},
		{name: "other", err: errors.New("no"), want: false},
		{name: "nil", err: nil, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isTimeout(tt.err); got != tt.want {
				t.Errorf("isTimeout(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
