//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// defaultTimeout is how long nlctl waits for the answer to a request
// unless -timeout says otherwise.
const defaultTimeout = 5 * time.Second

// A requestTimeout bounds each request that nlctl sends: the kernel
// answers most requests at once, but drops some without a word, and a
// family served by a user space process may never answer. 0 means no
// limit.
type requestTimeout time.Duration

// do runs fn, one request, with ctx bounded by t. An error because time
// ran out, or because ctx was cancelled, says so in plain words.
func (t requestTimeout) do(ctx context.Context, fn func(ctx context.Context) error) error {
	rctx, cancel := ctx, context.CancelFunc(func() {})
	if t > 0 {
		rctx, cancel = context.WithTimeout(ctx, time.Duration(t))
	}
	defer cancel()
	err := fn(rctx)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return errInterrupted
	case errors.Is(err, context.DeadlineExceeded) && rctx.Err() != nil:
		return &timeoutError{d: time.Duration(t)}
	}
	return err
}

// errInterrupted reports a request cut short by an interrupt.
var errInterrupted = errors.New("interrupted")

// A timeoutError reports a request that got no answer within -timeout.
type timeoutError struct {
	d time.Duration
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no answer from the kernel within %v (-timeout; 0 waits without limit)", e.d)
}

// isTimeout reports whether err is a request that ran out of time.
func isTimeout(err error) bool {
	var te *timeoutError
	return errors.As(err, &te)
}
