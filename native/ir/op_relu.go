package ir

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// relu: out[i] = max(x[i], 0), same shape and scale. Per element with lo < 0 < hi a hint supplies
// a bit b (1 when x ≥ 0); the circuit checks b boolean, o = b·x, and
// v = 2·o − x + b − 1 ∈ [0, 2^w) with w = bitlen(max(hi, −lo − 1)): v = x when b = 1 (so x ≥ 0)
// and v = −x − 1 when b = 0 (so x ≤ −1). lo ≥ 0 is the identity and hi ≤ 0 the constant 0, both
// free. See docs/ir-format.md, "relu".
type reluOp struct{}

func init() { Register(reluOp{}) }

func (reluOp) Name() string       { return "relu" }
func (reluOp) Attributes() []Attr { return nil }

func (reluOp) Check(n *Node, path string) ([]OutSpec, error) {
	if err := checkArity(n, path, 1, 1); err != nil {
		return nil, err
	}
	if err := requireVariable(n, path, 0, "x"); err != nil {
		return nil, err
	}
	x := n.Inputs[0]
	lo, hi := make([]*big.Int, x.Size), make([]*big.Int, x.Size)
	for i := range lo {
		lo[i] = reluOf(x.Lo[i])
		hi[i] = reluOf(x.Hi[i])
	}
	return []OutSpec{{Shape: x.Shape, Scale: x.Scale, Lo: lo, Hi: hi}}, nil
}

func reluOf(v *big.Int) *big.Int {
	if v.Sign() < 0 {
		return new(big.Int)
	}
	return new(big.Int).Set(v)
}

func (reluOp) Eval(_ *Node, in [][]*big.Int) [][]*big.Int {
	out := make([]*big.Int, len(in[0]))
	for i, v := range in[0] {
		out[i] = reluOf(v)
	}
	return [][]*big.Int{out}
}

// ReluWidth is w = bitlen(max(hi, −lo − 1)), the width of relu's sign check for lo < 0 < hi.
func ReluWidth(lo, hi *big.Int) int {
	neg := new(big.Int).Neg(lo)
	neg.Sub(neg, big.NewInt(1))
	if hi.Cmp(neg) > 0 {
		return hi.BitLen()
	}
	return neg.BitLen()
}

func (reluOp) Define(api frontend.API, ctx *Context, n *Node, in [][]frontend.Variable) ([][]frontend.Variable, error) {
	x, t := in[0], n.Inputs[0]
	out := make([]frontend.Variable, len(x))
	for i := range x {
		switch {
		case t.Lo[i].Sign() >= 0:
			out[i] = x[i]
		case t.Hi[i].Sign() <= 0:
			out[i] = 0
		default:
			b, err := ctx.NewHint(api, HintRelu, 1, x[i])
			if err != nil {
				return nil, err
			}
			api.AssertIsBoolean(b[0])
			o := api.Mul(b[0], x[i])
			ctx.AssertBits(api, api.Sub(api.Add(api.Mul(o, 2), b[0]), x[i], 1), ReluWidth(t.Lo[i], t.Hi[i]))
			out[i] = o
		}
	}
	return [][]frontend.Variable{out}, nil
}

// ReluHint: input x (a signed integer as a field element), output 1 if x ≥ 0 else 0. Package
// circuit registers it under a fixed name.
func ReluHint(field *big.Int, inputs, outputs []*big.Int) error {
	if len(inputs) != 1 || len(outputs) != 1 {
		return fmt.Errorf("relu hint: want 1 input and 1 output, got %d and %d", len(inputs), len(outputs))
	}
	if Signed(field, inputs[0]).Sign() >= 0 {
		outputs[0].SetUint64(1)
	} else {
		outputs[0].SetUint64(0)
	}
	return nil
}
