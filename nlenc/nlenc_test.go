package nlenc

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// panics reports whether fn panics, and with what.
func panics(fn func()) (panicked bool, value any) {
	defer func() {
		if v := recover(); v != nil {
			panicked, value = true, v
		}
	}()
	fn()
	return false, nil
}

func TestNativeEndian(t *testing.T) {
	if NativeEndian() != binary.ByteOrder(binary.NativeEndian) {
		t.Fatalf("NativeEndian() = %v, want binary.NativeEndian", NativeEndian())
	}

	// Whatever the value, it must encode like binary.NativeEndian.
	want := binary.NativeEndian.AppendUint32(nil, 0x01020304)
	got := make([]byte, 4)
	NativeEndian().PutUint32(got, 0x01020304)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("unexpected bytes (-want +got):\n%s", diff)
	}
}

func TestIntegers(t *testing.T) {
	ne := binary.NativeEndian
	tests := []struct {
		name string
		// put stores the value in a slice of the right size; bytes returns
		// it from the *Bytes function; read decodes a slice.
		put   func(b []byte)
		bytes func() []byte
		read  func(b []byte) any
		want  []byte
		value any
	}{
		{
			name:  "uint8",
			put:   func(b []byte) { PutUint8(b, 0xfe) },
			bytes: func() []byte { return Uint8Bytes(0xfe) },
			read:  func(b []byte) any { return Uint8(b) },
			want:  []byte{0xfe},
			value: uint8(0xfe),
		},
		{
			name:  "uint16",
			put:   func(b []byte) { PutUint16(b, 0x0102) },
			bytes: func() []byte { return Uint16Bytes(0x0102) },
			read:  func(b []byte) any { return Uint16(b) },
			want:  ne.AppendUint16(nil, 0x0102),
			value: uint16(0x0102),
		},
		{
			name:  "uint32",
			put:   func(b []byte) { PutUint32(b, 0x01020304) },
			bytes: func() []byte { return Uint32Bytes(0x01020304) },
			read:  func(b []byte) any { return Uint32(b) },
			want:  ne.AppendUint32(nil, 0x01020304),
			value: uint32(0x01020304),
		},
		{
			name:  "uint64",
			put:   func(b []byte) { PutUint64(b, 0x0102030405060708) },
			bytes: func() []byte { return Uint64Bytes(0x0102030405060708) },
			read:  func(b []byte) any { return Uint64(b) },
			want:  ne.AppendUint64(nil, 0x0102030405060708),
			value: uint64(0x0102030405060708),
		},
		{
			name:  "int32",
			put:   func(b []byte) { PutInt32(b, -2) },
			bytes: func() []byte { return Int32Bytes(-2) },
			read:  func(b []byte) any { return Int32(b) },
			want:  ne.AppendUint32(nil, 0xfffffffe),
			value: int32(-2),
		},
		{
			name:  "int32 minimum",
			put:   func(b []byte) { PutInt32(b, math.MinInt32) },
			bytes: func() []byte { return Int32Bytes(math.MinInt32) },
			read:  func(b []byte) any { return Int32(b) },
			want:  ne.AppendUint32(nil, 0x80000000),
			value: int32(math.MinInt32),
		},
		{
			name:  "uint64 maximum",
			put:   func(b []byte) { PutUint64(b, math.MaxUint64) },
			bytes: func() []byte { return Uint64Bytes(math.MaxUint64) },
			read:  func(b []byte) any { return Uint64(b) },
			want:  []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
			value: uint64(math.MaxUint64),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			put := make([]byte, len(tt.want))
			tt.put(put)
			if diff := cmp.Diff(tt.want, put); diff != "" {
				t.Fatalf("unexpected Put bytes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, tt.bytes()); diff != "" {
				t.Fatalf("unexpected Bytes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.value, tt.read(tt.want)); diff != "" {
				t.Fatalf("unexpected value (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWrongSizePanics(t *testing.T) {
	fns := []struct {
		name string
		size int
		call func(b []byte)
	}{
		{name: "PutUint8", size: 1, call: func(b []byte) { PutUint8(b, 1) }},
		{name: "PutUint16", size: 2, call: func(b []byte) { PutUint16(b, 1) }},
		{name: "PutUint32", size: 4, call: func(b []byte) { PutUint32(b, 1) }},
		{name: "PutUint64", size: 8, call: func(b []byte) { PutUint64(b, 1) }},
		{name: "PutInt32", size: 4, call: func(b []byte) { PutInt32(b, 1) }},
		{name: "Uint8", size: 1, call: func(b []byte) { Uint8(b) }},
		{name: "Uint16", size: 2, call: func(b []byte) { Uint16(b) }},
		{name: "Uint32", size: 4, call: func(b []byte) { Uint32(b) }},
		{name: "Uint64", size: 8, call: func(b []byte) { Uint64(b) }},
		{name: "Int32", size: 4, call: func(b []byte) { Int32(b) }},
	}

	// Each function is tried with the right size and with sizes around it.
	for _, fn := range fns {
		for _, size := range []int{0, fn.size - 1, fn.size, fn.size + 1, 16} {
			if size == 0 && fn.size == 1 {
				continue // already covered as size-1
			}
			t.Run(fmt.Sprintf("%s %d bytes", fn.name, size), func(t *testing.T) {
				want := size != fn.size
				got, v := panics(func() { fn.call(make([]byte, size)) })
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("unexpected panic (-want +got):\n%s\npanic value: %v", diff, v)
				}
				if !want {
					return
				}
				// v1's panic value, which a recover may show.
				wantValue := fmt.Sprintf("%s: unexpected byte slice length: %d", fn.name, size)
				if diff := cmp.Diff(any(wantValue), v); diff != "" {
					t.Fatalf("unexpected panic value (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestBytes(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want []byte
	}{
		{name: "empty", s: "", want: []byte{0}},
		{name: "word", s: "nlctrl", want: []byte("nlctrl\x00")},
		{name: "trailing NUL kept", s: "a\x00", want: []byte("a\x00\x00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Bytes(tt.s)); diff != "" {
				t.Fatalf("unexpected bytes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{name: "nil", b: nil, want: ""},
		{name: "only NUL", b: []byte{0}, want: ""},
		{name: "only NULs", b: []byte{0, 0, 0}, want: ""},
		{name: "no NUL", b: []byte("lo"), want: "lo"},
		{name: "one NUL", b: []byte("lo\x00"), want: "lo"},
		{name: "padding NULs", b: []byte("eth0\x00\x00\x00\x00"), want: "eth0"},
		{name: "inner NUL kept", b: []byte("a\x00b\x00"), want: "a\x00b"},
		{name: "leading NUL kept", b: []byte("\x00a"), want: "\x00a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, String(tt.b)); diff != "" {
				t.Fatalf("unexpected string (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStringBytesRoundTrip(t *testing.T) {
	for _, s := range []string{"", "a", "wireguard", "lo"} {
		t.Run(s, func(t *testing.T) {
			if diff := cmp.Diff(s, String(Bytes(s))); diff != "" {
				t.Fatalf("unexpected string (-want +got):\n%s", diff)
			}
		})
	}
}
