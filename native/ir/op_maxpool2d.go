package ir

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// maxpool2d: out[c, i, j] = max x[c, p, q] over the window's taps inside the image (kernel,
// strides, pads as conv2d; padding is never the maximum, as in ONNX). Per output with k ≥ 2 taps
// x_1..x_k a hint supplies m; the circuit checks d_t = m − x_t ∈ [0, 2^w_t) with
// w_t = bitlen(hi − x.lo_t) (hi: the output's upper bound) for every tap, and
// Π_t d_t = 0 (k − 1 products and one equality): m ≥ every x_t and m equals one of them, so
// m = max_t x_t. k = 1 is the identity. See docs/ir-format.md, "maxpool2d".
type maxpool2dOp struct{}

func init() { Register(maxpool2dOp{}) }

func (maxpool2dOp) Name() string { return "maxpool2d" }
func (maxpool2dOp) Attributes() []Attr {
	return []Attr{{"kernel", AttrInts}, {"strides", AttrInts}, {"pads", AttrInts}}
}

func (maxpool2dOp) Check(n *Node, path string) ([]OutSpec, error) {
	if err := checkArity(n, path, 1, 1); err != nil {
		return nil, err
	}
	if err := requireVariable(n, path, 0, "x"); err != nil {
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
	x := n.Inputs[0]
	n.State = g
	size := g.C * g.OH * g.OW
	lo, hi := make([]*big.Int, size), make([]*big.Int, size)
	for c := 0; c < g.C; c++ {
		for i := 0; i < g.OH; i++ {
			for j := 0; j < g.OW; j++ {
				var l, h *big.Int
				g.taps(i, j, func(_, _, p, q int) {
					k := g.xi(c, p, q)
					if l == nil || x.Lo[k].Cmp(l) > 0 {
						l = x.Lo[k]
					}
					if h == nil || x.Hi[k].Cmp(h) > 0 {
						h = x.Hi[k]
					}
				})
				k := (c*g.OH+i)*g.OW + j
				lo[k], hi[k] = new(big.Int).Set(l), new(big.Int).Set(h)
			}
		}
	}
	return []OutSpec{{Shape: []int{g.C, g.OH, g.OW}, Scale: x.Scale, Lo: lo, Hi: hi}}, nil
}

func (maxpool2dOp) Eval(n *Node, in [][]*big.Int) [][]*big.Int {
	g := n.State.(*window2d)
	x := in[0]
	out := make([]*big.Int, g.C*g.OH*g.OW)
	for c := 0; c < g.C; c++ {
		for i := 0; i < g.OH; i++ {
			for j := 0; j < g.OW; j++ {
				var m *big.Int
				g.taps(i, j, func(_, _, p, q int) {
					if v := x[g.xi(c, p, q)]; m == nil || v.Cmp(m) > 0 {
						m = v
					}
				})
				out[(c*g.OH+i)*g.OW+j] = new(big.Int).Set(m)
			}
		}
	}
	return [][]*big.Int{out}
}

func (maxpool2dOp) Define(api frontend.API, ctx *Context, n *Node, in [][]frontend.Variable) ([][]frontend.Variable, error) {
	g := n.State.(*window2d)
	x, xt, ot := in[0], n.Inputs[0], n.Outputs[0]
	out := make([]frontend.Variable, g.C*g.OH*g.OW)
	for c := 0; c < g.C; c++ {
		for i := 0; i < g.OH; i++ {
			for j := 0; j < g.OW; j++ {
				var vars []frontend.Variable
				var los []*big.Int
				g.taps(i, j, func(_, _, p, q int) {
					vars = append(vars, x[g.xi(c, p, q)])
					los = append(los, xt.Lo[g.xi(c, p, q)])
				})
				k := (c*g.OH+i)*g.OW + j
				if len(vars) == 1 {
					out[k] = vars[0]
					continue
				}
				mh, err := ctx.NewHint(api, HintMaxpool, 1, vars...)
				if err != nil {
					return nil, err
				}
				m := mh[0]
				hi := ot.Hi[k]
				var prod frontend.Variable
				for t, v := range vars {
					d := api.Sub(m, v)
					ctx.AssertBits(api, d, RangeBits(los[t], hi))
					if t == 0 {
						prod = d
					} else {
						prod = api.Mul(prod, d)
					}
				}
				api.AssertIsEqual(prod, 0)
				out[k] = m
			}
		}
	}
	return [][]frontend.Variable{out}, nil
}

// MaxpoolHint: inputs x_1..x_k (signed integers as field elements), output their maximum.
// Package circuit registers it under a fixed name.
func MaxpoolHint(field *big.Int, inputs, outputs []*big.Int) error {
	if len(inputs) < 1 || len(outputs) != 1 {
		return fmt.Errorf("maxpool hint: want at least 1 input and 1 output, got %d and %d", len(inputs), len(outputs))
	}
	var m *big.Int
	for _, v := range inputs {
		if s := Signed(field, v); m == nil || s.Cmp(m) > 0 {
			m = s
		}
	}
	outputs[0].Mod(m, field)
	return nil
}

// MaxpoolWindows lists, for a checked maxpool2d (or avgpool2d) node, the flat input indexes of
// each output's window (for tests that compute what a cheating prover would claim).
func MaxpoolWindows(n *Node) [][]int {
	g := n.State.(*window2d)
	out := make([][]int, 0, g.C*g.OH*g.OW)
	for c := 0; c < g.C; c++ {
		for i := 0; i < g.OH; i++ {
			for j := 0; j < g.OW; j++ {
				var w []int
				g.taps(i, j, func(_, _, p, q int) { w = append(w, g.xi(c, p, q)) })
				out = append(out, w)
			}
		}
	}
	return out
}
