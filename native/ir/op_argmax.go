package ir

import (
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// argmax: out[0] is the smallest index of the maximum of x. A hint supplies a one-hot h; each
// h[i] boolean, Σh = 1, m = Σ h[i]·x[i], out = Σ i·h[i], and d[j] = m − x[j] − before[j] ∈ [0, 2^b)
// with before[j] = 1 − Σ_{i≤j} h[i], b = bitlen(max(x.hi) − min(x.lo)). n = 1: the constant 0.
type argmaxOp struct{}

func init() { Register(argmaxOp{}) }

func (argmaxOp) Name() string       { return "argmax" }
func (argmaxOp) Attributes() []Attr { return nil }

func (argmaxOp) Check(n *Node, path string) ([]OutSpec, error) {
	if err := checkArity(n, path, 1, 1); err != nil {
		return nil, err
	}
	if err := requireVariable(n, path, 0, "x"); err != nil {
		return nil, err
	}
	x := n.Inputs[0]
	if err := requireRank1(x, inPath(path, 0), "x"); err != nil {
		return nil, err
	}
	return []OutSpec{{Shape: []int{1}, Scale: 0, Lo: []*big.Int{big.NewInt(0)}, Hi: []*big.Int{big.NewInt(int64(x.Size - 1))}}}, nil
}

func (argmaxOp) Eval(_ *Node, in [][]*big.Int) [][]*big.Int {
	return [][]*big.Int{{big.NewInt(int64(Argmax(in[0])))}}
}

// Argmax returns the smallest index of the maximum of v (ties go to the lowest index).
func Argmax(v []*big.Int) int {
	best := 0
	for i := 1; i < len(v); i++ {
		if v[i].Cmp(v[best]) > 0 {
			best = i
		}
	}
	return best
}

// Define makes exactly v0.1's calls.
func (argmaxOp) Define(api frontend.API, ctx *Context, n *Node, in [][]frontend.Variable) ([][]frontend.Variable, error) {
	y, t := in[0], n.Inputs[0]
	k := len(y)
	if k == 1 {
		return [][]frontend.Variable{{0}}, nil
	}
	h, err := ctx.NewHint(api, HintArgmax, k, y...)
	if err != nil {
		return nil, err
	}
	sum := make([]frontend.Variable, k)
	prods := make([]frontend.Variable, k)
	idx := make([]frontend.Variable, k)
	for i := range h {
		api.AssertIsBoolean(h[i])
		sum[i] = h[i]
		prods[i] = api.Mul(h[i], y[i])
		idx[i] = api.Mul(i, h[i])
	}
	api.AssertIsEqual(api.Add(sum[0], sum[1], sum[2:]...), 1)
	m := api.Add(prods[0], prods[1], prods[2:]...)
	minLo, maxHi := t.Lo[0], t.Hi[0]
	for i := 1; i < k; i++ {
		if t.Lo[i].Cmp(minLo) < 0 {
			minLo = t.Lo[i]
		}
		if t.Hi[i].Cmp(maxHi) > 0 {
			maxHi = t.Hi[i]
		}
	}
	b := RangeBits(minLo, maxHi)
	var prefix frontend.Variable = 0
	for j := 0; j < k; j++ {
		prefix = api.Add(prefix, h[j])
		before := api.Sub(1, prefix)
		ctx.AssertBits(api, api.Sub(m, y[j], before), b)
	}
	return [][]frontend.Variable{{api.Add(idx[0], idx[1], idx[2:]...)}}, nil
}
