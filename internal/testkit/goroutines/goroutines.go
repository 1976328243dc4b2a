// Package goroutines checks, in tests, which goroutines run: that none a
// test started outlives it, and that some reached a given call. It does not
// import package netlink, so the root package's own tests can use it as well
// as its external tests.
package goroutines

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Dump returns the stacks of all goroutines, as runtime.Stack writes them.
func Dump() string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// Stacks returns the stacks of all goroutines but the calling one, by
// goroutine ID.
func Stacks() map[int64]string {
	return parseStacks(Dump())
}

// parseStacks splits a Dump into stacks by goroutine ID, leaving out the
// first, the goroutine that made the dump.
func parseStacks(dump string) map[int64]string {
	stacks := make(map[int64]string)
	for i, stack := range strings.Split(dump, "\n\n") {
		if i == 0 {
			continue
		}
		// "goroutine 42 [chan receive]:"
		idText, _, _ := strings.Cut(strings.TrimPrefix(stack, "goroutine "), " ")
		if id, err := strconv.ParseInt(idText, 10, 64); err == nil {
			stacks[id] = stack
		}
	}
	return stacks
}

// IDs returns the IDs of the goroutines that exist now, to give CheckNoLeaks
// as its baseline.
func IDs() map[int64]bool {
	ids := make(map[int64]bool)
	for id := range Stacks() {
		ids[id] = true
	}
	return ids
}

// leaked returns the stacks of stacks whose goroutine is not in baseline and
// contain one of substrings.
func leaked(stacks map[int64]string, baseline map[int64]bool, substrings []string) []string {
	var out []string
	for id, stack := range stacks {
		if baseline[id] {
			continue
		}
		for _, s := range substrings {
			if strings.Contains(stack, s) {
				out = append(out, stack)
				break
			}
		}
	}
	return out
}

// CheckNoLeaks waits up to timeout for every goroutine that is not in
// baseline (from IDs) and whose stack contains one of substrings to end,
// and fails the test with their stacks if some do not.
func CheckNoLeaks(tb testing.TB, baseline map[int64]bool, timeout time.Duration, substrings ...string) {
	tb.Helper()
	var left []string
	for deadline := time.Now().Add(timeout); ; time.Sleep(10 * time.Millisecond) {
		left = leaked(Stacks(), baseline, substrings)
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(left) > 0 {
		tb.Fatalf("%d goroutines left behind:\n%s", len(left), strings.Join(left, "\n\n"))
	}
}

// counted reports whether stacks contain each substring of want in as
// many stacks as it says, at least.
func counted(stacks map[int64]string, want map[string]int) bool {
	for s, n := range want {
		got := 0
		for _, stack := range stacks {
			if strings.Contains(stack, s) {
				got++
			}
		}
		if got < n {
			return false
		}
	}
	return true
}

// WaitForStacks waits up to timeout until each substring of want stands in
// at least as many goroutines' stacks as it says, and reports whether it
// came to pass.
func WaitForStacks(want map[string]int, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if counted(Stacks(), want) {
			return true
		}
	}
	return false
}

// Wait waits for wg, and fails the test with the stacks of all goroutines
// if that takes longer than timeout. The goroutine waiting for wg stays
// behind in that case.
func Wait(tb testing.TB, wg *sync.WaitGroup, timeout time.Duration) {
	tb.Helper()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(timeout):
		tb.Fatalf("goroutines still running after %v:\n%s", timeout, Dump())
	}
}
