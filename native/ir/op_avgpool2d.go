package ir

import (
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// avgpool2d: out[c, i, j] = mult[i, j] · Σ x[c, p, q] over the window's taps inside the image
// (kernel, strides, pads as conv2d). mult is a positive constant [OH, OW] at its own scale, e.g.
// 2^s/count(i, j) rounded: the average (count_include_pad or not) at scale x.scale + mult.scale.
// Zero constraints (a linear combination).
type avgpool2dOp struct{}

func init() { Register(avgpool2dOp{}) }

func (avgpool2dOp) Name() string { return "avgpool2d" }
func (avgpool2dOp) Attributes() []Attr {
	return []Attr{{"kernel", AttrInts}, {"strides", AttrInts}, {"pads", AttrInts}}
}

func kernelAttr(n *Node, path string) (int, int, error) {
	k := n.Ints("kernel")
	if len(k) != 2 || k[0] < 1 || k[1] < 1 {
		return 0, 0, errf(path+".attributes.kernel", "must be 2 positive integers, got %v", k)
	}
	return k[0], k[1], nil
}

func (avgpool2dOp) Check(n *Node, path string) ([]OutSpec, error) {
	if err := checkArity(n, path, 2, 1); err != nil {
		return nil, err
	}
	if err := requireVariable(n, path, 0, "x"); err != nil {
		return nil, err
	}
	if err := requireConstant(n, path, 1, "mult"); err != nil {
		return nil, err
	}
	kh, kw, err := kernelAttr(n, path)
	if err != nil {
		return nil, err
	}
	g, err := checkWindow(n, path, kh, kw)
	if err != nil {
		return nil, err
	}
	x, mt := n.Inputs[0], n.Inputs[1]
	if len(mt.Shape) != 2 || mt.Shape[0] != g.OH || mt.Shape[1] != g.OW {
		return nil, errf(inPath(path, 1), "mult %q must have shape [%d, %d], has %v", mt.Name, g.OH, g.OW, mt.Shape)
	}
	for k, v := range mt.Values {
		if v.Sign() <= 0 {
			return nil, errf(inPath(path, 1), "mult %q value %d is %v; it must be positive", mt.Name, k, v)
		}
	}
	n.State = g
	size := g.C * g.OH * g.OW
	lo, hi := make([]*big.Int, size), make([]*big.Int, size)
	for c := 0; c < g.C; c++ {
		for i := 0; i < g.OH; i++ {
			for j := 0; j < g.OW; j++ {
				l, h := new(big.Int), new(big.Int)
				g.taps(i, j, func(_, _, p, q int) {
					l.Add(l, x.Lo[g.xi(c, p, q)])
					h.Add(h, x.Hi[g.xi(c, p, q)])
				})
				mv := mt.Values[i*g.OW+j]
				k := (c*g.OH+i)*g.OW + j
				lo[k], hi[k] = l.Mul(l, mv), h.Mul(h, mv)
			}
		}
	}
	return []OutSpec{{Shape: []int{g.C, g.OH, g.OW}, Scale: x.Scale + mt.Scale, Lo: lo, Hi: hi}}, nil
}

func (avgpool2dOp) Eval(n *Node, in [][]*big.Int) [][]*big.Int {
	g := n.State.(*window2d)
	x, mt := in[0], in[1]
	out := make([]*big.Int, g.C*g.OH*g.OW)
	for c := 0; c < g.C; c++ {
		for i := 0; i < g.OH; i++ {
			for j := 0; j < g.OW; j++ {
				s := new(big.Int)
				g.taps(i, j, func(_, _, p, q int) { s.Add(s, x[g.xi(c, p, q)]) })
				out[(c*g.OH+i)*g.OW+j] = s.Mul(s, mt[i*g.OW+j])
			}
		}
	}
	return [][]*big.Int{out}
}

// Define: per output, one api.Mul of the multiplier per tap, then one api.Add of the terms.
func (avgpool2dOp) Define(api frontend.API, _ *Context, n *Node, in [][]frontend.Variable) ([][]frontend.Variable, error) {
	g := n.State.(*window2d)
	x, mt := in[0], n.Inputs[1].Values
	out := make([]frontend.Variable, g.C*g.OH*g.OW)
	for c := 0; c < g.C; c++ {
		for i := 0; i < g.OH; i++ {
			for j := 0; j < g.OW; j++ {
				m := ToField(mt[i*g.OW+j])
				terms := []frontend.Variable{}
				g.taps(i, j, func(_, _, p, q int) { terms = append(terms, api.Mul(m, x[g.xi(c, p, q)])) })
				var acc frontend.Variable = terms[0]
				if len(terms) > 1 {
					acc = api.Add(terms[0], terms[1], terms[2:]...)
				}
				out[(c*g.OH+i)*g.OW+j] = acc
			}
		}
	}
	return [][]frontend.Variable{out}, nil
}
