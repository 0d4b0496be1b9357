package ir

import (
	"encoding/hex"
	"fmt"
	"math/big"
)

// Format, Version and Field are the only values of the header keys this package reads.
const (
	Format  = "zkml-ir"
	Version = 1
	Field   = "bn254"
	// MaxBoundBits: every bound b satisfies |b| < 2^MaxBoundBits.
	MaxBoundBits = 248
	// MaxShift is the largest rescale shift.
	MaxShift = 128
)

// Modulus is the BN254 scalar field modulus r.
var Modulus, _ = new(big.Int).SetString("21888242871839275222246405745257275088548364400416034343698204186575808495617", 10)

// OpKind names an operation.
type OpKind string

// The ops of IR v1.
const (
	OpDense   OpKind = "dense"
	OpRescale OpKind = "rescale"
	OpArgmax  OpKind = "argmax"
)

// Tensor is an integer vector with a power-of-two scale and per-element bounds.
type Tensor struct {
	Name  string
	Size  int
	Scale int
	Lo    []*big.Int
	Hi    []*big.Int
}

// Op is one operation. Weights, Bias and WeightScale are set for dense, Shift for rescale.
type Op struct {
	Kind        OpKind
	In, Out     string
	WeightScale int
	Weights     [][]*big.Int // [out.Size][in.Size]
	Bias        []*big.Int   // [out.Size]
	Shift       uint
}

// IR is a validated IR v1 document. Treat it as immutable: it is shared between goroutines.
type IR struct {
	Name     string
	Task     string
	Tensors  []*Tensor
	Inputs   []string
	Ops      []Op
	Outputs  []string
	Features []string
	Labels   []string
	// SHA256 is the SHA-256 of the document bytes (the circuit hash).
	SHA256 [32]byte

	byName map[string]*Tensor
}

// Tensor returns the tensor with the given name, or nil.
func (d *IR) Tensor(name string) *Tensor { return d.byName[name] }

// CircuitHash is the lowercase hex SHA-256 of the document bytes.
func (d *IR) CircuitHash() string { return hex.EncodeToString(d.SHA256[:]) }

// InputSize is the number of input values: the sizes of the input tensors, summed.
func (d *IR) InputSize() int { return d.sumSizes(d.Inputs) }

// OutputSize is the number of output values: the sizes of the output tensors, summed.
func (d *IR) OutputSize() int { return d.sumSizes(d.Outputs) }

func (d *IR) sumSizes(names []string) int {
	n := 0
	for _, name := range names {
		n += d.byName[name].Size
	}
	return n
}

// InputBounds returns the allowed range of every input value, in input order.
func (d *IR) InputBounds() (lo, hi []*big.Int) {
	for _, name := range d.Inputs {
		t := d.byName[name]
		lo = append(lo, t.Lo...)
		hi = append(hi, t.Hi...)
	}
	return lo, hi
}

// Error is a validation error of an IR document. Path locates the offending value, e.g.
// "ops[1].weights[0][2]".
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return "invalid IR: " + e.Msg
	}
	return "invalid IR: " + e.Path + ": " + e.Msg
}

func errf(path, format string, args ...any) *Error {
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// InputErrorKind says why inputs were rejected. The values are those of the golden files'
// "invalid" cases.
type InputErrorKind string

const (
	// WrongInputCount: the number of inputs differs from IR.InputSize().
	WrongInputCount InputErrorKind = "wrong_input_count"
	// InputOutOfRange: an input lies outside [lo, hi] of its input tensor.
	InputOutOfRange InputErrorKind = "input_out_of_range"
)

// InputError reports inputs that the circuit does not accept.
type InputError struct {
	Kind InputErrorKind
	Msg  string
}

func (e *InputError) Error() string { return e.Msg }

// bitLen returns the bit length of a non-negative integer.
func bitLen(v *big.Int) int { return v.BitLen() }

// RangeBits returns w = bitlen(hi - lo), the width of the range checks of a value in [lo, hi].
func RangeBits(lo, hi *big.Int) int { return bitLen(new(big.Int).Sub(hi, lo)) }

// ToField maps a signed integer to the field element that stands for it (v, or r + v if v < 0).
func ToField(v *big.Int) *big.Int {
	return new(big.Int).Mod(v, Modulus)
}

// FromField maps a field element in [0, r) to the signed integer it stands for: e if e <= r/2,
// else e - r.
func FromField(e *big.Int) *big.Int {
	half := new(big.Int).Rsh(Modulus, 1)
	if e.Cmp(half) > 0 {
		return new(big.Int).Sub(e, Modulus)
	}
	return new(big.Int).Set(e)
}
