package ir

import (
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// dense: out[j] = bias[j] + Σ_i weight[j][i]·x[i]. Zero constraints (a linear combination with
// constant coefficients).
type denseOp struct{}

func init() { Register(denseOp{}) }

func (denseOp) Name() string       { return "dense" }
func (denseOp) Attributes() []Attr { return nil }

func (denseOp) Check(n *Node, path string) ([]OutSpec, error) {
	if err := checkArity(n, path, 3, 1); err != nil {
		return nil, err
	}
	x, w, b := n.Inputs[0], n.Inputs[1], n.Inputs[2]
	if err := requireVariable(n, path, 0, "x"); err != nil {
		return nil, err
	}
	if err := requireRank1(x, inPath(path, 0), "x"); err != nil {
		return nil, err
	}
	if err := requireWeight(n, path, 1, "weight"); err != nil {
		return nil, err
	}
	if err := requireWeight(n, path, 2, "bias"); err != nil {
		return nil, err
	}
	if len(w.Shape) != 2 || w.Shape[1] != x.Size {
		return nil, errf(inPath(path, 1), "weight %q must have shape [m, %d], has %v", w.Name, x.Size, w.Shape)
	}
	m := w.Shape[0]
	if len(b.Shape) != 1 || b.Size != m {
		return nil, errf(inPath(path, 2), "bias %q must have shape [%d], has %v", b.Name, m, b.Shape)
	}
	scale := x.Scale + w.Scale
	if b.Scale != scale {
		return nil, errf(inPath(path, 2), "bias scale %d != x scale %d + weight scale %d", b.Scale, x.Scale, w.Scale)
	}
	lo, hi := make([]*big.Int, m), make([]*big.Int, m)
	p, q := new(big.Int), new(big.Int)
	for j := 0; j < m; j++ {
		l, h := new(big.Int).Set(b.Lo[j]), new(big.Int).Set(b.Hi[j])
		for i := 0; i < x.Size; i++ {
			k := j*x.Size + i
			if !w.IsHashed() {
				wv := w.Values[k]
				p.Mul(wv, x.Lo[i])
				q.Mul(wv, x.Hi[i])
				a, c := minMax(p, q)
				l.Add(l, a)
				h.Add(h, c)
				continue
			}
			// A hashed weight w ∈ [wlo, whi] (range-checked): the product of two intervals,
			// min and max of the four corner products.
			a, c := productBounds(w.Lo[k], w.Hi[k], x.Lo[i], x.Hi[i])
			l.Add(l, a)
			h.Add(h, c)
		}
		lo[j], hi[j] = l, h
	}
	return []OutSpec{{Shape: []int{m}, Scale: scale, Lo: lo, Hi: hi}}, nil
}

func (denseOp) Eval(n *Node, in [][]*big.Int) [][]*big.Int {
	x, w, b := in[0], in[1], in[2]
	out := make([]*big.Int, len(b))
	t := new(big.Int)
	for j := range out {
		acc := new(big.Int).Set(b[j])
		for i := range x {
			acc.Add(acc, t.Mul(w[j*len(x)+i], x[i]))
		}
		out[j] = acc
	}
	return [][]*big.Int{out}
}

// productBounds returns the bounds of a·b for a ∈ [alo, ahi], b ∈ [blo, bhi].
func productBounds(alo, ahi, blo, bhi *big.Int) (*big.Int, *big.Int) {
	lo, hi := new(big.Int).Mul(alo, blo), new(big.Int).Mul(alo, blo)
	for _, p := range []*big.Int{new(big.Int).Mul(alo, bhi), new(big.Int).Mul(ahi, blo), new(big.Int).Mul(ahi, bhi)} {
		if p.Cmp(lo) < 0 {
			lo = p
		}
		if p.Cmp(hi) > 0 {
			hi = p
		}
	}
	return lo, hi
}

// Define makes exactly v0.1's calls (the R1CS bytes of v1 documents depend on them): one
// api.Mul per non-zero weight, then one api.Add of the bias and the terms.
func (denseOp) Define(api frontend.API, _ *Context, n *Node, in [][]frontend.Variable) ([][]frontend.Variable, error) {
	if n.Inputs[1].IsHashed() || n.Inputs[2].IsHashed() {
		return defineWitnessDense(api, in)
	}
	x, w, b := in[0], n.Inputs[1].Values, n.Inputs[2].Values
	out := make([]frontend.Variable, len(b))
	for j := range out {
		terms := []frontend.Variable{}
		for i := range x {
			if wv := w[j*len(x)+i]; wv.Sign() != 0 {
				terms = append(terms, api.Mul(ToField(wv), x[i]))
			}
		}
		var acc frontend.Variable = ToField(b[j])
		if len(terms) > 0 {
			acc = api.Add(acc, terms[0], terms[1:]...)
		}
		out[j] = acc
	}
	return [][]frontend.Variable{out}, nil
}

// defineWitnessDense is dense with private weights (hashed constants, issue 8): in[1] and in[2]
// are witness variables (range-checked by the circuit before the ops), so every weight costs one
// product of two variables, one constraint (a product with a constant x is free).
func defineWitnessDense(api frontend.API, in [][]frontend.Variable) ([][]frontend.Variable, error) {
	x, w, b := in[0], in[1], in[2]
	out := make([]frontend.Variable, len(b))
	for j := range out {
		terms := make([]frontend.Variable, 0, len(x))
		for i := range x {
			terms = append(terms, api.Mul(w[j*len(x)+i], x[i]))
		}
		if len(terms) == 0 {
			out[j] = b[j]
			continue
		}
		out[j] = api.Add(b[j], terms[0], terms[1:]...)
	}
	return [][]frontend.Variable{out}, nil
}
