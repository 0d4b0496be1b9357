package ir

import (
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// weighted_sum: out[i] = Σ_m weights[m]·x_m[i]. Zero constraints (a linear combination).
type weightedSumOp struct{}

func init() { Register(weightedSumOp{}) }

func (weightedSumOp) Name() string       { return "weighted_sum" }
func (weightedSumOp) Attributes() []Attr { return nil }

func (weightedSumOp) Check(n *Node, path string) ([]OutSpec, error) {
	if len(n.Inputs) < 2 {
		return nil, errf(path+".inputs", "weighted_sum takes the weights and at least one member, got %d inputs", len(n.Inputs))
	}
	if err := requireConstant(n, path, 0, "weights"); err != nil {
		return nil, err
	}
	w := n.Inputs[0]
	M := len(n.Inputs) - 1
	if len(w.Shape) != 1 || w.Size != M {
		return nil, errf(inPath(path, 0), "weights %q must have shape [%d] (one per member), has %v", w.Name, M, w.Shape)
	}
	if err := checkArity(n, path, M+1, 1); err != nil {
		return nil, err
	}
	seen := make(map[*Tensor]bool, M)
	for m := 1; m <= M; m++ {
		if seen[n.Inputs[m]] {
			return nil, errf(inPath(path, m), "member %q is named twice: weighted_sum members must be distinct tensors", n.Inputs[m].Name)
		}
		seen[n.Inputs[m]] = true
	}
	x1 := n.Inputs[1]
	for m := 1; m <= M; m++ {
		if err := requireVariable(n, path, m, "member"); err != nil {
			return nil, err
		}
		x := n.Inputs[m]
		if !sameShape(x.Shape, x1.Shape) {
			return nil, errf(inPath(path, m), "member %q has shape %v, %q has %v", x.Name, x.Shape, x1.Name, x1.Shape)
		}
		if x.Scale != x1.Scale {
			return nil, errf(inPath(path, m), "member %q has scale %d, %q has %d", x.Name, x.Scale, x1.Name, x1.Scale)
		}
	}
	lo, hi := make([]*big.Int, x1.Size), make([]*big.Int, x1.Size)
	p, q := new(big.Int), new(big.Int)
	for i := range lo {
		l, h := new(big.Int), new(big.Int)
		for m := 1; m <= M; m++ {
			wv := w.Values[m-1]
			p.Mul(wv, n.Inputs[m].Lo[i])
			q.Mul(wv, n.Inputs[m].Hi[i])
			a, c := minMax(p, q)
			l.Add(l, a)
			h.Add(h, c)
		}
		lo[i], hi[i] = l, h
	}
	return []OutSpec{{Shape: x1.Shape, Scale: w.Scale + x1.Scale, Lo: lo, Hi: hi}}, nil
}

func (weightedSumOp) Eval(_ *Node, in [][]*big.Int) [][]*big.Int {
	w := in[0]
	out := make([]*big.Int, len(in[1]))
	t := new(big.Int)
	for i := range out {
		acc := new(big.Int)
		for m := range w {
			acc.Add(acc, t.Mul(w[m], in[m+1][i]))
		}
		out[i] = acc
	}
	return [][]*big.Int{out}
}

// Define adds all members in one api.Add per element, so that gnark compresses the sum at most
// once (one constraint, when it has 300 terms or more).
func (weightedSumOp) Define(api frontend.API, _ *Context, n *Node, in [][]frontend.Variable) ([][]frontend.Variable, error) {
	w := n.Inputs[0].Values
	out := make([]frontend.Variable, len(in[1]))
	for i := range out {
		var terms []frontend.Variable
		for m := range w {
			if w[m].Sign() != 0 {
				terms = append(terms, api.Mul(ToField(w[m]), in[m+1][i]))
			}
		}
		switch len(terms) {
		case 0:
			out[i] = 0
		case 1:
			out[i] = terms[0]
		default:
			out[i] = api.Add(terms[0], terms[1], terms[2:]...)
		}
	}
	return [][]frontend.Variable{out}, nil
}
