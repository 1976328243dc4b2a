package netlink

import (
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// errNotSupported is the cause in an OpError for an operation the Conn's
// Socket cannot do.
var errNotSupported = errors.New("operation not supported")

// An OpError is the error returned by the operations of a Conn. Like
// net.OpError it names the operation and wraps the cause, so errors.Is and
// errors.As see through it.
//
// A netlink error code from the kernel is a bare syscall.Errno in Err; a
// failed system call is an *os.SyscallError in Err.
type OpError struct {
	// Op is the operation that failed: "receive", "send", "dial", ...
	Op string

	// Err is the cause.
	Err error

	// Message and Offset are the kernel's extended acknowledgement: a
	// human-readable explanation and the byte offset of the offending
	// attribute in the request. They are set only when the kernel sends
	// them (see ExtendedAcknowledge).
	Message string
	Offset  int

	// Sequence is the sequence number of the request the error answers, for
	// errors carried by a netlink error message. Everything else the
	// kernel's extended acknowledgement carried is in the Ack of the Reply
	// that ExecuteReply returns alongside the error.
	Sequence uint32
}

// newOpError wraps err for op. It returns nil for a nil err and leaves an
// *OpError as it is.
func newOpError(op string, err error) error {
	if err == nil {
		return nil
	}
	if oe, ok := err.(*OpError); ok {
		return oe
	}
	return &OpError{Op: op, Err: err}
}

// Error returns "netlink <op>: <err>", followed by the kernel's offset and
// message when either is set.
func (e *OpError) Error() string {
	if e == nil {
		return "<nil>"
	}
	var sb strings.Builder
	sb.WriteString("netlink ")
	sb.WriteString(e.Op)
	sb.WriteString(": ")
	if e.Err != nil {
		sb.WriteString(e.Err.Error())
	}
	if e.Offset != 0 || e.Message != "" {
		sb.WriteString(", offset: ")
		sb.WriteString(strconv.Itoa(e.Offset))
		sb.WriteString(", message: ")
		sb.WriteString(strconv.Quote(e.Message))
	}
	return sb.String()
}

// Unwrap returns the cause.
func (e *OpError) Unwrap() error { return e.Err }

// Timeout reports whether the error is a timeout, such as an expired
// deadline.
func (e *OpError) Timeout() bool {
	if errors.Is(e.Err, os.ErrDeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(e.Err, &t) && t.Timeout()
}

// Temporary reports whether the error may be temporary.
//
// Deprecated: as with net.Error, "temporary" is ill-defined; prefer
// Timeout or errors.Is with specific errors.
func (e *OpError) Temporary() bool {
	var t interface{ Temporary() bool }
	return errors.As(e.Err, &t) && t.Temporary()
}

// IsNotExist reports whether err says that something does not exist, as
// os.IsNotExist does, looking inside an *OpError.
//
// Deprecated: use errors.Is(err, os.ErrNotExist).
func IsNotExist(err error) bool {
	var oe *OpError
	if errors.As(err, &oe) {
		err = oe.Err
	}
	return os.IsNotExist(err)
}

// ErrDumpInterrupted says that the kernel marked a dump's reply with
// DumpInterrupted: the data changed while it was read, so the reply may be
// inconsistent and the kernel's advice is to dump again. See
// Config.InterruptedDumpError and Reply.Interrupted.
var ErrDumpInterrupted = errors.New("netlink: dump interrupted: the data changed while it was read")

// Errors returned by Validate, with the v1 API's texts.
var (
	errMismatchedSequence = errors.New("mismatched sequence in netlink reply")
	errMismatchedPID      = errors.New("mismatched PID in netlink reply")
)

// errFileClosing is the cause of the error of a call that Close
// interrupted. It reads as in the v1 API, and matches net.ErrClosed and
// syscall.EBADF.
var errFileClosing error = fileClosingError{}

// A fileClosingError is the type of errFileClosing.
type fileClosingError struct{}

func (fileClosingError) Error() string { return "use of closed file" }

// Is reports whether target is net.ErrClosed or syscall.EBADF.
func (fileClosingError) Is(target error) bool {
	return target == net.ErrClosed || target == syscall.EBADF
}

// errClosing is the error of an operation op that Close interrupted.
func errClosing(op string) error { return &OpError{Op: op, Err: errFileClosing} }

// errClosed is the error of an operation op called after Close: the
// system call sys fails with EBADF, as in the v1 API.
func errClosed(op, sys string) error {
	return &OpError{Op: op, Err: os.NewSyscallError(sys, syscall.EBADF)}
}
