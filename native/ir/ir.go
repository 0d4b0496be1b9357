package ir

import (
	"encoding/hex"
	"fmt"
	"math/big"
)

// Format, Field and the versions this package reads.
const (
	Format = "zkml-ir"
	// Version is the version the compiler writes; VersionV1 documents are lifted (parse_v1.go).
	Version   = 2
	VersionV1 = 1
	Field     = "bn254"
	// MaxBoundBits: every bound and constant v satisfies |v| < 2^MaxBoundBits.
	MaxBoundBits = 248
	// MaxShift is the largest rescale shift.
	MaxShift = 128
	// MaxRank is the largest number of dimensions of a shape; MaxElements the largest element
	// count of a tensor.
	MaxRank     = 8
	MaxElements = 1 << 24
	// MaxScale bounds |scale|.
	MaxScale = 1024
)

// Modulus is the BN254 scalar field modulus r.
var Modulus, _ = new(big.Int).SetString("21888242871839275222246405745257275088548364400416034343698204186575808495617", 10)

// Role is what a tensor is in the graph.
type Role string

// The roles of IR v2.
const (
	RoleInput        Role = "input"
	RoleConstant     Role = "constant"
	RoleIntermediate Role = "intermediate"
	RoleOutput       Role = "output"
)

// Tensor is an integer tensor (values flat, row-major) with a power-of-two scale. Constants carry
// Values (and Lo = Hi = Values); every other tensor carries per-element bounds.
type Tensor struct {
	Name       string
	Role       Role
	Visibility string
	Shape      []int
	// Size is the element count, the product of Shape.
	Size   int
	Scale  int
	Lo, Hi []*big.Int
	Values []*big.Int // constants only

	// bitsChecked: every bound lies in [0, 1] (checked once by the first tree that reads the
	// tensor, so that a forest's trees, which all read one bits tensor, cost O(T) together,
	// not O(trees·T)). Set during parsing only.
	bitsChecked bool
}

// IsConstant says whether t is a constant of the circuit (fixed or hashed).
func (t *Tensor) IsConstant() bool { return t.Role == RoleConstant }

// IsHashed says whether t is a hashed constant (issue 8, hashed weights): its values are not in
// the document but private witness values given at prove time, range-checked to [Lo, Hi] and
// bound by the public commitment of domain WeightsDomain. Values is nil.
func (t *Tensor) IsHashed() bool { return t.Role == RoleConstant && t.Visibility == VisibilityHashed }

// Node is one op of the graph: its type, the tensors it reads and writes, its attributes, and
// whatever its OpType's Check precomputed (State).
type Node struct {
	Type    OpType
	Inputs  []*Tensor
	Outputs []*Tensor
	// Attrs holds the attributes, each an int or an []int (as the op's Attributes declare).
	Attrs map[string]any
	// State is private to the op type (set by Check, read by Eval and Define).
	State any
}

// Kind is the op's name.
func (n *Node) Kind() string { return n.Type.Name() }

// Int returns an int attribute; Ints an ints attribute.
func (n *Node) Int(name string) int    { return n.Attrs[name].(int) }
func (n *Node) Ints(name string) []int { return n.Attrs[name].([]int) }

// IR is a validated IR document (v2, or v1 lifted into v2). Treat it as immutable: it is shared
// between goroutines.
type IR struct {
	// Version is the document's version (1 or 2); a v1 document is lifted into the same graph.
	Version  int
	Name     string
	Task     string
	Tensors  []*Tensor
	Inputs   []string
	Nodes    []*Node
	Outputs  []string
	Features []string
	Labels   []string
	// Commitments are the public Poseidon2 commitments: at most one to the hashed inputs (domain
	// InputsDomain, every hashed input in input order), then at most one to the hashed outputs
	// (domain OutputsDomain, every hashed output in output order); each has its own salt.
	Commitments []*Commitment
	// SHA256 is the SHA-256 of the document bytes (the circuit hash).
	SHA256 [32]byte
	// RangeCheck is how the circuit checks ranges: RangeCheckBits (the key absent) or
	// RangeCheckLookup (gnark's std/rangecheck, one BSB22 commitment). It is part of the document,
	// so the two circuits of one model have different circuit hashes and keys cannot be mixed.
	RangeCheck string

	byName map[string]*Tensor
}

// Input visibilities (docs/ir-format.md, "Visibility"): the values of a public input are public
// inputs of the proof; those of a private input are private witness values; those of a hashed
// input are private witness values too, and a public commitment to them (with a private salt)
// is a public input.
const (
	VisibilityPublic  = "public"
	VisibilityPrivate = "private"
	VisibilityHashed  = "hashed"
)

// The values of the document's "range_check" key (docs/ir-format.md, "Range checks").
const (
	RangeCheckBits   = "bits"
	RangeCheckLookup = "lookup"
)

// Lookup says whether the circuit range-checks by lookup (std/rangecheck).
func (d *IR) Lookup() bool { return d.RangeCheck == RangeCheckLookup }

// InputsDomain is the domain of the commitment to the hashed inputs, OutputsDomain that of the
// commitment to the hashed outputs (docs/commitments.md, recipe v1: distinct tags, so that an
// input commitment can never be passed off as an output commitment).
const (
	InputsDomain  = "zkml-inputs-v1"
	OutputsDomain = "zkml-outputs-v1"
	// WeightsDomain is the domain of the commitment to the hashed constants (weights and biases,
	// issue 8): its own tag and its own salt (docs/commitments.md).
	WeightsDomain = "zkml-weights-v1"
)

// HashedConstants returns the hashed constants (the private weights), in tensor order: the
// order of their values in the witness and in the weights commitment.
func (d *IR) HashedConstants() []*Tensor {
	var out []*Tensor
	for _, t := range d.Tensors {
		if t.IsHashed() {
			out = append(out, t)
		}
	}
	return out
}

// WeightSize is the number of hashed constant values (private weights), all hashed constants
// in tensor order.
func (d *IR) WeightSize() int {
	n := 0
	for _, t := range d.HashedConstants() {
		n += t.Size
	}
	return n
}

// HasHashedWeights says whether the document has hashed constants.
func (d *IR) HasHashedWeights() bool { return d.WeightSize() > 0 }

// Commitment is a public Poseidon2 commitment (docs/commitments.md, recipe v1) to the values of
// Tensors (hashed inputs, in input order), under the domain Domain and a private salt that the
// prover supplies with the witness.
type Commitment struct {
	Name    string
	Domain  string
	Tensors []string
}

// Tensor returns the tensor with the given name, or nil.
func (d *IR) Tensor(name string) *Tensor { return d.byName[name] }

// CircuitHash is the lowercase hex SHA-256 of the document bytes.
func (d *IR) CircuitHash() string { return hex.EncodeToString(d.SHA256[:]) }

// InputSize is the number of input values: the sizes of the input tensors, summed.
func (d *IR) InputSize() int { return d.sumSizes(d.Inputs) }

// OutputSize is the number of output values: the sizes of the output tensors, summed.
func (d *IR) OutputSize() int { return d.sumSizes(d.Outputs) }

// PublicInputSize is the number of values of public inputs (the first public inputs of the proof).
func (d *IR) PublicInputSize() int {
	n := 0
	for _, name := range d.Inputs {
		if t := d.byName[name]; t.Visibility == VisibilityPublic {
			n += t.Size
		}
	}
	return n
}

// PublicOutputSize is the number of values of public outputs (the last public inputs of the proof).
func (d *IR) PublicOutputSize() int {
	n := 0
	for _, name := range d.Outputs {
		if t := d.byName[name]; t.Visibility == VisibilityPublic {
			n += t.Size
		}
	}
	return n
}

// PublicOutputs returns the values of the public outputs among output values (all outputs,
// output order).
func (d *IR) PublicOutputs(outputs []*big.Int) []*big.Int {
	var out []*big.Int
	k := 0
	for _, name := range d.Outputs {
		t := d.byName[name]
		if t.Visibility == VisibilityPublic {
			out = append(out, outputs[k:k+t.Size]...)
		}
		k += t.Size
	}
	return out
}

// PublicSize is the number of public inputs of the proof: the public input values, one per
// commitment, then the public output values.
func (d *IR) PublicSize() int {
	return d.PublicInputSize() + len(d.Commitments) + d.PublicOutputSize()
}

// CommittedBounds returns the bounds of the values commitment c binds (its tensors' elements,
// in order): the layout of docs/commitments.md is LayoutFromBounds of them.
func (d *IR) CommittedBounds(c *Commitment) (lo, hi []*big.Int) {
	for _, name := range c.Tensors {
		t := d.byName[name]
		lo = append(lo, t.Lo...)
		hi = append(hi, t.Hi...)
	}
	return lo, hi
}

// Split sorts input values (all inputs, input order) by visibility: the values of public inputs,
// and those of private or hashed inputs (the private witness), each in input order.
func (d *IR) Split(inputs []*big.Int) (public, secret []*big.Int) {
	k := 0
	for _, name := range d.Inputs {
		t := d.byName[name]
		vals := inputs[k : k+t.Size]
		k += t.Size
		if t.Visibility == VisibilityPublic {
			public = append(public, vals...)
		} else {
			secret = append(secret, vals...)
		}
	}
	return public, secret
}

// CommittedValues returns the values commitment c binds, taken from input values (all inputs,
// input order) and output values (all outputs, output order).
func (d *IR) CommittedValues(c *Commitment, inputs, outputs []*big.Int) []*big.Int {
	return d.CommittedValuesWeighted(c, inputs, outputs, nil)
}

// CommittedValuesWeighted is CommittedValues with the hashed constants' values (weights: all
// hashed constants, tensor order), which a commitment of domain WeightsDomain binds.
func (d *IR) CommittedValuesWeighted(c *Commitment, inputs, outputs, weights []*big.Int) []*big.Int {
	byName := map[string][]*big.Int{}
	k := 0
	for _, t := range d.HashedConstants() {
		if k+t.Size <= len(weights) {
			byName[t.Name] = weights[k : k+t.Size]
		}
		k += t.Size
	}
	k = 0
	for _, name := range d.Inputs {
		t := d.byName[name]
		byName[name] = inputs[k : k+t.Size]
		k += t.Size
	}
	k = 0
	for _, name := range d.Outputs {
		t := d.byName[name]
		if k+t.Size <= len(outputs) {
			byName[name] = outputs[k : k+t.Size]
		}
		k += t.Size
	}
	var out []*big.Int
	for _, name := range c.Tensors {
		out = append(out, byName[name]...)
	}
	return out
}

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
// "ops[1].attributes.feature[3]".
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
	// WrongSaltCount: the number of salts differs from the number of commitments (a salt for a
	// circuit without hashed inputs, or none for one with them).
	WrongSaltCount InputErrorKind = "wrong_salt_count"
	// SaltNotFieldElement: a salt is not in [0, r).
	SaltNotFieldElement InputErrorKind = "salt_not_field_element"
	// WrongWeightCount: the number of private weights differs from IR.WeightSize() (hashed
	// weights, issue 8).
	WrongWeightCount InputErrorKind = "wrong_weight_count"
	// WeightOutOfRange: a private weight lies outside the declared [lo, hi] of its tensor.
	WeightOutOfRange InputErrorKind = "weight_out_of_range"
)

// InputError reports inputs that the circuit does not accept.
type InputError struct {
	Kind InputErrorKind
	Msg  string
}

func (e *InputError) Error() string { return e.Msg }

// RangeBits returns w = bitlen(hi - lo), the width of the range checks of a value in [lo, hi].
func RangeBits(lo, hi *big.Int) int { return new(big.Int).Sub(hi, lo).BitLen() }

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
