package goroutines

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseStacks(t *testing.T) {
	tests := []struct {
		name string
		dump string
		want map[int64]string
	}{
		{
			name: "only the caller",
			dump: "goroutine 1 [running]:\nmain.main()",
			want: map[int64]string{},
		},
		{
			name: "others by ID",
			dump: "goroutine 1 [running]:\nmain.main()\n\ngoroutine 7 [chan receive]:\nmain.f()\n\ngoroutine 42 [select]:\nmain.g()",
			want: map[int64]string{
				7:  "goroutine 7 [chan receive]:\nmain.f()",
				42: "goroutine 42 [select]:\nmain.g()",
			},
		},
		{
			name: "no ID",
			dump: "goroutine 1 [running]:\n\ngarbage",
			want: map[int64]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseStacks(tt.dump)); diff != "" {
				t.Errorf("parseStacks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLeakedAndCounted(t *testing.T) {
	stacks := map[int64]string{
		1: "goroutine 1:\npkg.(*demux).await()",
		2: "goroutine 2:\npkg.(*demux).await()",
		3: "goroutine 3:\nother.f()",
	}
	tests := []struct {
		name       string
		baseline   map[int64]bool
		substrings []string
		wantLeaked int
		want       map[string]int
		wantCount  bool
	}{
		{name: "all new", substrings: []string{"pkg."}, wantLeaked: 2, want: map[string]int{"(*demux).await(": 2}, wantCount: true},
		{name: "baseline", baseline: map[int64]bool{1: true}, substrings: []string{"pkg."}, wantLeaked: 1, want: map[string]int{"(*demux).await(": 3}},
		{name: "any substring", substrings: []string{"nothing", "other."}, wantLeaked: 1, want: map[string]int{"other.f": 1, "pkg.": 2}, wantCount: true},
		{name: "none", baseline: map[int64]bool{1: true, 2: true, 3: true}, substrings: []string{"pkg."}, want: map[string]int{"absent": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(leaked(stacks, tt.baseline, tt.substrings)); got != tt.wantLeaked {
				t.Errorf("leaked: %d stacks, want %d", got, tt.wantLeaked)
			}
			if got := counted(stacks, tt.want); got != tt.wantCount {
				t.Errorf("counted(%v) = %t, want %t", tt.want, got, tt.wantCount)
			}
		})
	}
}

// block is a function whose name the tests find in goroutines' stacks.
func block(ch <-chan struct{}) { <-ch }

func TestLiveGoroutines(t *testing.T) {
	baseline := IDs()
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { block(release) })

	if !WaitForStacks(map[string]int{"goroutines.block(": 1}, 2*time.Second) {
		t.Fatalf("the blocked goroutine is not among the stacks:\n%s", Dump())
	}
	if got := leaked(Stacks(), baseline, []string{"goroutines.block("}); len(got) != 1 {
		t.Fatalf("leaked: %d stacks, want the blocked goroutine's", len(got))
	}
	if WaitForStacks(map[string]int{"goroutines.block(": 2}, 20*time.Millisecond) {
		t.Error("WaitForStacks found two blocked goroutines, want one")
	}
	close(release)
	Wait(t, &wg, 2*time.Second)
	CheckNoLeaks(t, baseline, 2*time.Second, "goroutines.block(")
}
