package ir

import (
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// rescale: out[i] = floor(x[i] / 2^shift). A hint supplies q and r; x = q·2^shift + r,
// r ∈ [0, 2^shift), q − lo ∈ [0, 2^w) with w = bitlen(hi − lo). shift = 0 is the identity.
type rescaleOp struct{}

func init() { Register(rescaleOp{}) }

func (rescaleOp) Name() string       { return "rescale" }
func (rescaleOp) Attributes() []Attr { return []Attr{{"shift", AttrInt}} }

func (rescaleOp) Check(n *Node, path string) ([]OutSpec, error) {
	if err := checkArity(n, path, 1, 1); err != nil {
		return nil, err
	}
	if err := requireVariable(n, path, 0, "x"); err != nil {
		return nil, err
	}
	shift := n.Int("shift")
	if shift < 0 || shift > MaxShift {
		return nil, errf(path+".attributes.shift", "must be in [0, %d], got %d", MaxShift, shift)
	}
	x := n.Inputs[0]
	if out := n.Outputs[0]; out.Scale != x.Scale-shift {
		return nil, errf(path, "out scale %d != in scale %d - shift %d", out.Scale, x.Scale, shift)
	}
	lo, hi := make([]*big.Int, x.Size), make([]*big.Int, x.Size)
	for i := range lo {
		lo[i] = new(big.Int).Rsh(x.Lo[i], uint(shift))
		hi[i] = new(big.Int).Rsh(x.Hi[i], uint(shift))
	}
	return []OutSpec{{Shape: x.Shape, Scale: x.Scale - shift, Lo: lo, Hi: hi}}, nil
}

func (rescaleOp) Eval(n *Node, in [][]*big.Int) [][]*big.Int {
	shift := uint(n.Int("shift"))
	out := make([]*big.Int, len(in[0]))
	for i, v := range in[0] {
		out[i] = new(big.Int).Rsh(v, shift) // arithmetic shift: floor
	}
	return [][]*big.Int{out}
}

// Define makes exactly v0.1's calls, with the hint inputs (shift as a uint, x).
func (rescaleOp) Define(api frontend.API, ctx *Context, n *Node, in [][]frontend.Variable) ([][]frontend.Variable, error) {
	shift := uint(n.Int("shift"))
	x, out := in[0], n.Outputs[0]
	if shift == 0 {
		return [][]frontend.Variable{x}, nil
	}
	pow := pow2(shift)
	res := make([]frontend.Variable, len(x))
	for i := range x {
		qr, err := ctx.NewHint(api, HintRescale, 2, shift, x[i])
		if err != nil {
			return nil, err
		}
		q, r := qr[0], qr[1]
		api.AssertIsEqual(x[i], api.Add(api.Mul(q, pow), r))
		ctx.AssertBits(api, r, int(shift))
		ctx.AssertBits(api, api.Sub(q, ToField(out.Lo[i])), RangeBits(out.Lo[i], out.Hi[i]))
		res[i] = q
	}
	return [][]frontend.Variable{res}, nil
}
