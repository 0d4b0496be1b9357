package zk

import (
	"errors"
	"fmt"

	"github.com/zkml-service/zkml/native/ir"
)

// Code is an error code of the C ABI. The values are part of the ABI (docs/native-abi.md) and
// never change meaning.
type Code int32

// The error codes.
const (
	OK              Code = 0
	InvalidArgument Code = 1  // a caller mistake: nil/empty argument, bad number, wrong input count
	InvalidIR       Code = 2  // the IR is not valid IR v1
	Unsatisfied     Code = 3  // the witness does not satisfy the circuit (e.g. input out of range)
	MalformedProof  Code = 4  // proof bytes or public inputs that cannot be decoded
	IO              Code = 5  // reading or writing a file failed, or a file is corrupt
	VersionMismatch Code = 6  // an artifact of another curve, gnark version or ABI version
	UnknownHandle   Code = 7  // a closed, never issued or wrongly typed handle
	Internal        Code = 99 // a bug: a recovered panic or an unexpected state
)

func (c Code) String() string {
	switch c {
	case OK:
		return "OK"
	case InvalidArgument:
		return "INVALID_ARGUMENT"
	case InvalidIR:
		return "INVALID_IR"
	case Unsatisfied:
		return "UNSATISFIED"
	case MalformedProof:
		return "MALFORMED_PROOF"
	case IO:
		return "IO"
	case VersionMismatch:
		return "VERSION_MISMATCH"
	case UnknownHandle:
		return "UNKNOWN_HANDLE"
	case Internal:
		return "INTERNAL"
	}
	return fmt.Sprintf("Code(%d)", int32(c))
}

// Error is an error with an ABI error code.
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Errorf builds an *Error.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// CodeOf classifies an error: *Error carries its code, an *ir.Error is InvalidIR, an
// *ir.InputError is InvalidArgument (wrong count, wrong salts) or Unsatisfied (out of range); anything
// else is Internal.
func CodeOf(err error) Code {
	if err == nil {
		return OK
	}
	var ze *Error
	if errors.As(err, &ze) {
		return ze.Code
	}
	var ie *ir.Error
	if errors.As(err, &ie) {
		return InvalidIR
	}
	var in *ir.InputError
	if errors.As(err, &in) {
		if in.Kind == ir.WrongInputCount || in.Kind == ir.WrongSaltCount || in.Kind == ir.SaltNotFieldElement || in.Kind == ir.WrongWeightCount {
			return InvalidArgument
		}
		return Unsatisfied
	}
	return Internal
}
