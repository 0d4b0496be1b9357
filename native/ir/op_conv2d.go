package ir

import (
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// window2d is the geometry shared by conv2d, avgpool2d and maxpool2d: an input [C, H, W], a
// kernel [KH, KW], strides [SH, SW] and pads [PT, PL, PB, PR] (zero padding: a tap outside the
// image reads nothing), an output [·, OH, OW] with OH = (H + PT + PB − KH)/SH + 1 (floor).
type window2d struct {
	C, H, W, KH, KW, SH, SW, PT, PL, OH, OW int
}

// taps calls f(u, v, p, q) for every kernel position (u, v) of output (i, j) whose input row p and
// column q lie inside the image, in row-major kernel order.
func (g *window2d) taps(i, j int, f func(u, v, p, q int)) {
	for u := 0; u < g.KH; u++ {
		p := i*g.SH - g.PT + u
		if p < 0 || p >= g.H {
			continue
		}
		for v := 0; v < g.KW; v++ {
			q := j*g.SW - g.PL + v
			if q < 0 || q >= g.W {
				continue
			}
			f(u, v, p, q)
		}
	}
}

// checkWindow validates x [C, H, W] and the kernel, strides and pads (every pad below the kernel
// extent, so every window holds at least one image element; OH, OW ≥ 1).
func checkWindow(n *Node, path string, kh, kw int) (*window2d, error) {
	x := n.Inputs[0]
	if len(x.Shape) != 3 {
		return nil, errf(inPath(path, 0), "x %q must have shape [C, H, W], has %v", x.Name, x.Shape)
	}
	if kh < 1 || kw < 1 {
		return nil, errf(path+".attributes", "kernel [%d, %d] must be positive", kh, kw)
	}
	st, pd := n.Ints("strides"), n.Ints("pads")
	if len(st) != 2 || st[0] < 1 || st[1] < 1 || st[0] > 1024 || st[1] > 1024 {
		return nil, errf(path+".attributes.strides", "must be 2 integers in [1, 1024], got %v", st)
	}
	if len(pd) != 4 {
		return nil, errf(path+".attributes.pads", "must be 4 integers [top, left, bottom, right], got %v", pd)
	}
	for i, p := range pd {
		k := kh
		if i%2 == 1 {
			k = kw
		}
		if p < 0 || p >= k {
			return nil, errf(path+".attributes.pads", "pads[%d] = %d must be in [0, %d) (below the kernel extent)", i, p, k)
		}
	}
	g := &window2d{C: x.Shape[0], H: x.Shape[1], W: x.Shape[2], KH: kh, KW: kw, SH: st[0], SW: st[1], PT: pd[0], PL: pd[1]}
	if x.Shape[1]+pd[0]+pd[2] < kh || x.Shape[2]+pd[1]+pd[3] < kw {
		return nil, errf(path+".attributes", "the kernel [%d, %d] is larger than the padded input [%d, %d]", kh, kw,
			x.Shape[1]+pd[0]+pd[2], x.Shape[2]+pd[1]+pd[3])
	}
	g.OH = (x.Shape[1]+pd[0]+pd[2]-kh)/st[0] + 1
	g.OW = (x.Shape[2]+pd[1]+pd[3]-kw)/st[1] + 1
	return g, nil
}

func (g *window2d) xi(c, p, q int) int { return (c*g.H+p)*g.W + q }

// conv2d: out[m, i, j] = bias[m] + Σ_{c, u, v} weight[m, c, u, v] · x[c, i·SH − PT + u, j·SW − PL + v]
// over the taps inside the image (zero padding). Zero constraints: a linear combination with
// constant coefficients per output (1 per output when it reaches gnark's 300-term compression).
type conv2dOp struct{}

func init() { Register(conv2dOp{}) }

func (conv2dOp) Name() string       { return "conv2d" }
func (conv2dOp) Attributes() []Attr { return []Attr{{"strides", AttrInts}, {"pads", AttrInts}} }

func (conv2dOp) Check(n *Node, path string) ([]OutSpec, error) {
	if err := checkArity(n, path, 3, 1); err != nil {
		return nil, err
	}
	if err := requireVariable(n, path, 0, "x"); err != nil {
		return nil, err
	}
	if err := requireConstant(n, path, 1, "weight"); err != nil {
		return nil, err
	}
	if err := requireConstant(n, path, 2, "bias"); err != nil {
		return nil, err
	}
	x, w, b := n.Inputs[0], n.Inputs[1], n.Inputs[2]
	if len(w.Shape) != 4 || len(x.Shape) != 3 || w.Shape[1] != x.Shape[0] {
		return nil, errf(inPath(path, 1), "weight %q must have shape [M, C, KH, KW] with C = x's channels, has %v (x %v)",
			w.Name, w.Shape, x.Shape)
	}
	g, err := checkWindow(n, path, w.Shape[2], w.Shape[3])
	if err != nil {
		return nil, err
	}
	m := w.Shape[0]
	if len(b.Shape) != 1 || b.Size != m {
		return nil, errf(inPath(path, 2), "bias %q must have shape [%d], has %v", b.Name, m, b.Shape)
	}
	scale := x.Scale + w.Scale
	if b.Scale != scale {
		return nil, errf(inPath(path, 2), "bias scale %d != x scale %d + weight scale %d", b.Scale, x.Scale, w.Scale)
	}
	n.State = g
	size := m * g.OH * g.OW
	lo, hi := make([]*big.Int, size), make([]*big.Int, size)
	p, q := new(big.Int), new(big.Int)
	for o := 0; o < m; o++ {
		for i := 0; i < g.OH; i++ {
			for j := 0; j < g.OW; j++ {
				l, h := new(big.Int).Set(b.Values[o]), new(big.Int).Set(b.Values[o])
				for c := 0; c < g.C; c++ {
					g.taps(i, j, func(u, v, pr, qc int) {
						wv := w.Values[((o*g.C+c)*g.KH+u)*g.KW+v]
						k := g.xi(c, pr, qc)
						p.Mul(wv, x.Lo[k])
						q.Mul(wv, x.Hi[k])
						a, d := minMax(p, q)
						l.Add(l, a)
						h.Add(h, d)
					})
				}
				k := (o*g.OH+i)*g.OW + j
				lo[k], hi[k] = l, h
			}
		}
	}
	return []OutSpec{{Shape: []int{m, g.OH, g.OW}, Scale: scale, Lo: lo, Hi: hi}}, nil
}

func (conv2dOp) Eval(n *Node, in [][]*big.Int) [][]*big.Int {
	g := n.State.(*window2d)
	x, w, b := in[0], in[1], in[2]
	m := len(b)
	out := make([]*big.Int, m*g.OH*g.OW)
	t := new(big.Int)
	for o := 0; o < m; o++ {
		for i := 0; i < g.OH; i++ {
			for j := 0; j < g.OW; j++ {
				acc := new(big.Int).Set(b[o])
				for c := 0; c < g.C; c++ {
					g.taps(i, j, func(u, v, p, q int) {
						acc.Add(acc, t.Mul(w[((o*g.C+c)*g.KH+u)*g.KW+v], x[g.xi(c, p, q)]))
					})
				}
				out[(o*g.OH+i)*g.OW+j] = acc
			}
		}
	}
	return [][]*big.Int{out}
}

// Define: per output, one api.Mul per non-zero weight of a tap inside the image, then one api.Add
// of the bias and the terms (as dense).
func (conv2dOp) Define(api frontend.API, _ *Context, n *Node, in [][]frontend.Variable) ([][]frontend.Variable, error) {
	g := n.State.(*window2d)
	x, w, b := in[0], n.Inputs[1].Values, n.Inputs[2].Values
	m := len(b)
	out := make([]frontend.Variable, m*g.OH*g.OW)
	for o := 0; o < m; o++ {
		for i := 0; i < g.OH; i++ {
			for j := 0; j < g.OW; j++ {
				terms := []frontend.Variable{}
				for c := 0; c < g.C; c++ {
					g.taps(i, j, func(u, v, p, q int) {
						if wv := w[((o*g.C+c)*g.KH+u)*g.KW+v]; wv.Sign() != 0 {
							terms = append(terms, api.Mul(ToField(wv), x[g.xi(c, p, q)]))
						}
					})
				}
				var acc frontend.Variable = ToField(b[o])
				if len(terms) > 0 {
					acc = api.Add(acc, terms[0], terms[1:]...)
				}
				out[(o*g.OH+i)*g.OW+j] = acc
			}
		}
	}
	return [][]frontend.Variable{out}, nil
}
