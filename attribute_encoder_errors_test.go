package netlink

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAttributeEncoderErrors(t *testing.T) {
	errFirst := errors.New("first")
	errSecond := errors.New("second")
	failDo := func(err error) func() ([]byte, error) {
		return func() ([]byte, error) { return []byte{1, 2, 3, 4}, err }
	}

	tests := []struct {
		name string
		// encode runs after a first good attribute (type 100).
		encode func(ae *AttributeEncoder)
		err    error
	}{
		{
			name:   "do",
			encode: func(ae *AttributeEncoder) { ae.Do(1, failDo(errFirst)) },
			err:    errFirst,
		},
		{
			name: "first error kept",
			encode: func(ae *AttributeEncoder) {
				ae.Do(1, failDo(errFirst))
				ae.Do(2, failDo(errSecond))
				ae.Nested(3, func(*AttributeEncoder) error { return errSecond })
			},
			err: errFirst,
		},
		{
			name: "nothing added after an error",
			encode: func(ae *AttributeEncoder) {
				ae.Do(1, failDo(errFirst))
				ae.Uint8(2, 1)
				ae.Uint16(2, 1)
				ae.Uint32(2, 1)
				ae.Uint64(2, 1)
				ae.Int8(2, 1)
				ae.Int16(2, 1)
				ae.Int32(2, 1)
				ae.Int64(2, 1)
				ae.Uint(2, 1)
				ae.Sint(2, 1)
				ae.Flag(2, true)
				ae.String(2, "x")
				ae.Bytes(2, []byte{1})
				ae.Do(2, failDo(nil))
				ae.Nested(2, func(nae *AttributeEncoder) error {
					nae.Uint8(1, 1)
					return nil
				})
			},
			err: errFirst,
		},
		{
			name: "do not called after an error",
			encode: func(ae *AttributeEncoder) {
				ae.Do(1, failDo(errFirst))
				ae.Do(2, func() ([]byte, error) { panic("Do called after an error") })
				ae.Nested(2, func(*AttributeEncoder) error { panic("Nested called after an error") })
			},
			err: errFirst,
		},
		{
			name: "nested function",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Uint32(1, 1)
					nae.String(2, "partial")
					return errFirst
				})
			},
			err: errFirst,
		},
		{
			name: "nested encoder error",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Uint32(1, 1)
					nae.Do(2, failDo(errFirst))
					return nil
				})
			},
			err: errFirst,
		},
		{
			name: "doubly nested error",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Uint32(1, 1)
					nae.Nested(2, func(nnae *AttributeEncoder) error {
						nnae.Uint8(1, 1)
						return errFirst
					})
					return nil
				})
			},
			err: errFirst,
		},
		{
			name:   "bytes too long",
			encode: func(ae *AttributeEncoder) { ae.Bytes(1, make([]byte, maxAttributeData+1)) },
			err:    errorWithText("byte slice is too large to fit in a netlink attribute"),
		},
		{
			name:   "string too long",
			encode: func(ae *AttributeEncoder) { ae.String(1, strings.Repeat("x", maxAttributeData+1)) },
			err:    errorWithText("string is too large to fit in a netlink attribute"),
		},
		{
			// v1 wraps the length of this one to 0; it is an error here.
			name:   "string with its NUL too long",
			encode: func(ae *AttributeEncoder) { ae.String(1, strings.Repeat("x", maxAttributeData)) },
			err:    errorWithText("string is too large to fit in a netlink attribute"),
		},
		{
			name:   "do too long",
			encode: func(ae *AttributeEncoder) { ae.Do(1, func() ([]byte, error) { return make([]byte, 1<<16), nil }) },
			err:    errorWithText("byte slice produced by Do is too large to fit in a netlink attribute"),
		},
		{
			name: "nested too long",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					nae.Bytes(1, make([]byte, 40000))
					nae.Bytes(2, make([]byte, 40000))
					return nil
				})
			},
			err: errorWithText("byte slice produced by Do is too large to fit in a netlink attribute"),
		},
		{
			name: "nested just too long",
			encode: func(ae *AttributeEncoder) {
				ae.Nested(1, func(nae *AttributeEncoder) error {
					// 4 + 65525 + 3 bytes of padding = 65532 bytes of
					// nested data.
					nae.Bytes(1, make([]byte, maxAttributeData-nlaHeaderLen-2))
					return nil
				})
			},
			err: errorWithText("byte slice produced by Do is too large to fit in a netlink attribute"),
		},
		{
			name: "too long then other error",
			encode: func(ae *AttributeEncoder) {
				ae.Bytes(1, make([]byte, maxAttributeData+1))
				ae.Do(2, failDo(errFirst))
			},
			err: errorWithText("byte slice is too large to fit in a netlink attribute"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae := NewAttributeEncoder()
			ae.Uint32(100, 1)
			tt.encode(ae)

			b, err := ae.Encode()
			if err == nil {
				t.Fatalf("want an error, got none and %d bytes", len(b))
			}
			checkError(t, tt.err, err)
			if errors.Is(err, errSecond) {
				t.Fatalf("error is not the first one: %v", err)
			}
			if b != nil {
				t.Fatalf("want nil bytes with an error, got %v", b)
			}
			// Whatever failed added nothing.
			if diff := cmp.Diff(len(wireAttr(100, 0, 0, 0, 0)), ae.Len()); diff != "" {
				t.Fatalf("unexpected Len (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAttributeEncoderNestedLargest(t *testing.T) {
	// Nested data is a whole number of padded attributes, so the largest
	// nested payload is 65528 bytes: one attribute of 65524 bytes of data.
	const data = 65524
	ae := NewAttributeEncoder()
	ae.Nested(1, func(nae *AttributeEncoder) error {
		nae.Bytes(2, make([]byte, data))
		return nil
	})
	b, err := ae.Encode()
	if err != nil {
		t.Fatalf("failed to encode: %v", err)
	}
	want := wireAttrLength(nlaHeaderLen+nlaHeaderLen+data, Nested|1, wireAttr(2, make([]byte, data)...)...)
	if !bytes.Equal(want, b) {
		t.Fatalf("unexpected bytes: header %v, %d bytes; want header %v, %d bytes", b[:4], len(b), want[:4], len(want))
	}
}
