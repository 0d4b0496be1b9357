package ir

import (
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// reshape: out = x with another shape (the same values in the same row-major order, the same
// scale and bounds), e.g. a conv2d's [C, H, W] flattened to [C·H·W] for a dense (ONNX's Flatten
// and Reshape of NCHW). Zero constraints.
type reshapeOp struct{}

func init() { Register(reshapeOp{}) }

func (reshapeOp) Name() string       { return "reshape" }
func (reshapeOp) Attributes() []Attr { return []Attr{{"shape", AttrInts}} }

func (reshapeOp) Check(n *Node, path string) ([]OutSpec, error) {
	if err := checkArity(n, path, 1, 1); err != nil {
		return nil, err
	}
	if err := requireVariable(n, path, 0, "x"); err != nil {
		return nil, err
	}
	x, shape := n.Inputs[0], n.Ints("shape")
	if len(shape) < 1 || len(shape) > 8 {
		return nil, errf(path+".attributes.shape", "must have 1 to 8 dimensions, got %v", shape)
	}
	size := 1
	for _, d := range shape {
		if d < 1 || d > x.Size {
			return nil, errf(path+".attributes.shape", "dimensions must be positive and hold x's %d elements, got %v", x.Size, shape)
		}
		size *= d
		if size > x.Size {
			break
		}
	}
	if size != x.Size {
		return nil, errf(path+".attributes.shape", "%v holds %d elements, x %q has %d", shape, size, x.Name, x.Size)
	}
	lo, hi := make([]*big.Int, x.Size), make([]*big.Int, x.Size)
	for i := range lo {
		lo[i], hi[i] = new(big.Int).Set(x.Lo[i]), new(big.Int).Set(x.Hi[i])
	}
	return []OutSpec{{Shape: append([]int(nil), shape...), Scale: x.Scale, Lo: lo, Hi: hi}}, nil
}

func (reshapeOp) Eval(_ *Node, in [][]*big.Int) [][]*big.Int {
	out := make([]*big.Int, len(in[0]))
	for i, v := range in[0] {
		out[i] = new(big.Int).Set(v)
	}
	return [][]*big.Int{out}
}

func (reshapeOp) Define(_ frontend.API, _ *Context, _ *Node, in [][]frontend.Variable) ([][]frontend.Variable, error) {
	return [][]frontend.Variable{in[0]}, nil
}
