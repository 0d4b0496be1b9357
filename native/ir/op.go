package ir

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/math/bits"
)

// AttrType is the JSON type of an attribute.
type AttrType int

const (
	// AttrInt is a small JSON integer.
	AttrInt AttrType = iota
	// AttrInts is an array of small JSON integers.
	AttrInts
)

// Attr declares one attribute of an op: every declared attribute is required, no other is
// accepted.
type Attr struct {
	Name string
	Type AttrType
}

// OutSpec is what Check says an op's output tensor must be: its shape, its scale and the bounds
// of the interval analysis. The parser compares it with the declared tensor.
type OutSpec struct {
	Shape  []int
	Scale  int
	Lo, Hi []*big.Int
}

// OpType is one op of the IR. Each op is one file op_<name>.go that registers its type in the
// registry (Register, from an init function); the parser, the evaluator and the circuit look ops
// up there and never switch on an op's name.
type OpType interface {
	// Name is the op's "op" value.
	Name() string
	// Attributes lists the op's attributes in the canonical writer's order.
	Attributes() []Attr
	// Check validates the node (the number, roles, shapes and scales of the tensors it reads,
	// the number of tensors it writes, its attributes) and returns one OutSpec per output.
	// path is the node's path ("ops[1]"); errors are *Error with paths below it
	// ("ops[1].attributes.feature[3]"). Check may precompute State for Eval and Define.
	Check(n *Node, path string) ([]OutSpec, error)
	// Eval computes the outputs from the values of the inputs (constants included), with exact
	// integer semantics.
	Eval(n *Node, in [][]*big.Int) [][]*big.Int
	// Define emits the op's constraints. in[i] holds the variables of inputs[i] (for a constant
	// input, its values as field constants); it returns the variables of each output, every one
	// of them constrained to the value Eval gives and to its bounds.
	Define(api frontend.API, ctx *Context, n *Node, in [][]frontend.Variable) ([][]frontend.Variable, error)
}

var registry = map[string]OpType{}

// Register adds an op type to the registry; it panics on a duplicate name.
func Register(op OpType) {
	if _, dup := registry[op.Name()]; dup {
		panic("ir: op " + op.Name() + " registered twice")
	}
	registry[op.Name()] = op
}

// Lookup returns the registered op type of that name.
func Lookup(name string) (OpType, bool) {
	op, ok := registry[name]
	return op, ok
}

// OpNames returns the registered op names, sorted.
func OpNames() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Hint names: the keys of Context.Hints.
const (
	HintRescale   = "rescale"
	HintArgmax    = "argmax"
	HintSplitBits = "split_bits"
	HintRelu      = "relu"
	HintMaxpool   = "maxpool"
)

// Context is what Define needs besides the API: the hint functions. The functions themselves
// live in package circuit, because gnark derives a hint's identifier (and the name stored in the
// constraint system) from the function's fully-qualified name, and v0.1's constraint systems name
// circuit.RescaleHint and circuit.ArgmaxHint.
type Context struct {
	Hints map[string]solver.Hint
	// Range, when set, takes every range check of the ops (AssertBits, RangeCheck) instead of
	// a bit decomposition: gnark's std/rangecheck (LogUp over a BSB22 commitment), for a
	// document with "range_check": "lookup" (docs/ir-format.md). Nil: bit decompositions.
	Range frontend.Rangechecker
}

// AssertBits is AssertBits through the context's range checker, if any: v ∈ [0, 2^n).
func (c *Context) AssertBits(api frontend.API, v frontend.Variable, n int) {
	if c == nil || c.Range == nil || n == 0 {
		AssertBits(api, v, n)
		return
	}
	c.Range.Check(v, n)
}

// RangeCheck is RangeCheck through the context's range checker, if any: lo ≤ x ≤ hi.
func (c *Context) RangeCheck(api frontend.API, x frontend.Variable, lo, hi *big.Int) {
	if lo.Cmp(hi) == 0 {
		api.AssertIsEqual(x, ToField(lo))
		return
	}
	w := RangeBits(lo, hi)
	c.AssertBits(api, api.Sub(x, ToField(lo)), w)
	c.AssertBits(api, api.Sub(ToField(hi), x), w)
}

// NewHint calls the hint function registered under name.
func (c *Context) NewHint(api frontend.API, name string, nbOutputs int, inputs ...frontend.Variable) ([]frontend.Variable, error) {
	f := c.Hints[name]
	if f == nil {
		return nil, fmt.Errorf("ir: no hint function for %q", name)
	}
	return api.Compiler().NewHint(f, nbOutputs, inputs...)
}

// AssertBits constrains v ∈ [0, 2^n) by an n-bit decomposition (v = 0 when n = 0): n booleans
// and one recomposition.
func AssertBits(api frontend.API, v frontend.Variable, n int) {
	if n == 0 {
		api.AssertIsEqual(v, 0)
		return
	}
	bits.ToBinary(api, v, bits.WithNbDigits(n))
}

// RangeCheck constrains lo ≤ x ≤ hi: x − lo and hi − x each in [0, 2^w), w = bitlen(hi − lo)
// (x = lo asserted when lo = hi).
func RangeCheck(api frontend.API, x frontend.Variable, lo, hi *big.Int) {
	if lo.Cmp(hi) == 0 {
		api.AssertIsEqual(x, ToField(lo))
		return
	}
	w := RangeBits(lo, hi)
	AssertBits(api, api.Sub(x, ToField(lo)), w)
	AssertBits(api, api.Sub(ToField(hi), x), w)
}

// Signed reads a field element as a signed integer (e − field when e > field/2).
func Signed(field, e *big.Int) *big.Int {
	v := new(big.Int).Mod(e, field)
	if v.Cmp(new(big.Int).Rsh(field, 1)) > 0 {
		v.Sub(v, field)
	}
	return v
}

// --- helpers for Check ----------------------------------------------------------------------

func checkArity(n *Node, path string, inputs, outputs int) error {
	if len(n.Inputs) != inputs {
		return errf(path+".inputs", "%s takes %d inputs, got %d", n.Kind(), inputs, len(n.Inputs))
	}
	if len(n.Outputs) != outputs {
		return errf(path+".outputs", "%s has %d output(s), got %d", n.Kind(), outputs, len(n.Outputs))
	}
	return nil
}

func inPath(path string, i int) string { return fmt.Sprintf("%s.inputs[%d]", path, i) }

func requireConstant(n *Node, path string, i int, what string) error {
	if err := requireWeight(n, path, i, what); err != nil {
		return err
	}
	if t := n.Inputs[i]; t.IsHashed() {
		return errf(inPath(path, i), "%s %q must be a fixed constant: hashed constants are the weights and biases of dense ops only", what, t.Name)
	}
	return nil
}

// requireWeight: a constant, fixed or hashed (dense's weight and bias).
func requireWeight(n *Node, path string, i int, what string) error {
	if t := n.Inputs[i]; !t.IsConstant() {
		return errf(inPath(path, i), "%s %q must be a constant, it is a%s %s", what, t.Name, article(string(t.Role)), t.Role)
	}
	return nil
}

func requireVariable(n *Node, path string, i int, what string) error {
	if t := n.Inputs[i]; t.IsConstant() {
		return errf(inPath(path, i), "%s %q must not be a constant", what, t.Name)
	}
	return nil
}

func article(s string) string {
	if s != "" && (s[0] == 'a' || s[0] == 'e' || s[0] == 'i' || s[0] == 'o' || s[0] == 'u') {
		return "n"
	}
	return ""
}

func requireRank1(t *Tensor, path, what string) error {
	if len(t.Shape) != 1 {
		return errf(path, "%s %q must have shape [n], has %v", what, t.Name, t.Shape)
	}
	return nil
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func constVars(vals []*big.Int) []frontend.Variable {
	out := make([]frontend.Variable, len(vals))
	for i, v := range vals {
		out[i] = ToField(v)
	}
	return out
}

func pow2(k uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), k) }

func minMax(a, b *big.Int) (*big.Int, *big.Int) {
	if a.Cmp(b) > 0 {
		return b, a
	}
	return a, b
}
