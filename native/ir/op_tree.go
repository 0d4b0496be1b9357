package ir

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"
)

// tree: out = leaves[ℓ], the row of the leaf reached from the root by taking gt where the node's
// bit is 1 and le where it is 0. The root's indicator is 1; a node with indicator a and bit b
// gives its gt child a·b (one product unless a or b is a constant) and its le child a − a·b;
// out[c] = Σ_ℓ ind(ℓ)·leaves[ℓ][c]. No hint.
type treeOp struct{}

func init() { Register(treeOp{}) }

func (treeOp) Name() string { return "tree" }
func (treeOp) Attributes() []Attr {
	return []Attr{{"bit", AttrInts}, {"le", AttrInts}, {"gt", AttrInts}}
}

func (treeOp) Check(n *Node, path string) ([]OutSpec, error) {
	if err := checkArity(n, path, 2, 1); err != nil {
		return nil, err
	}
	if err := requireVariable(n, path, 0, "bits"); err != nil {
		return nil, err
	}
	bitsT, leaves := n.Inputs[0], n.Inputs[1]
	if err := requireRank1(bitsT, inPath(path, 0), "bits"); err != nil {
		return nil, err
	}
	if !bitsT.bitsChecked {
		one := big.NewInt(1)
		for k := range bitsT.Lo {
			if bitsT.Lo[k].Sign() < 0 || bitsT.Hi[k].Cmp(one) > 0 {
				return nil, errf(inPath(path, 0), "bits %q[%d] has bounds [%s, %s], not within [0, 1]", bitsT.Name, k, bitsT.Lo[k], bitsT.Hi[k])
			}
		}
		bitsT.bitsChecked = true
	}
	if err := requireConstant(n, path, 1, "leaves"); err != nil {
		return nil, err
	}
	if len(leaves.Shape) != 2 {
		return nil, errf(inPath(path, 1), "leaves %q must have shape [L, k], has %v", leaves.Name, leaves.Shape)
	}
	L, width := leaves.Shape[0], leaves.Shape[1]
	bit, le, gt := n.Ints("bit"), n.Ints("le"), n.Ints("gt")
	N := len(bit)
	apath := path + ".attributes."
	if len(le) != N || len(gt) != N {
		return nil, errf(apath+"le", "bit, le and gt must have the same length, have %d, %d, %d", N, len(le), len(gt))
	}
	wantL := N + 1
	if L != wantL {
		return nil, errf(inPath(path, 1), "a tree of %d internal nodes has %d leaves, leaves %q has %d rows", N, wantL, leaves.Name, L)
	}
	nodeSeen := make([]bool, N)
	leafSeen := make([]bool, L)
	for i := 0; i < N; i++ {
		if bit[i] < 0 || bit[i] >= bitsT.Size {
			return nil, errf(fmt.Sprintf("%sbit[%d]", apath, i), "bit %d is not in [0, %d)", bit[i], bitsT.Size)
		}
		for _, c := range []struct {
			key   string
			child int
		}{{"le", le[i]}, {"gt", gt[i]}} {
			p := fmt.Sprintf("%s%s[%d]", apath, c.key, i)
			if c.child >= 0 {
				if c.child <= i || c.child >= N {
					return nil, errf(p, "child node %d must be in (%d, %d)", c.child, i, N)
				}
				if nodeSeen[c.child] {
					return nil, errf(p, "node %d is the child of two nodes", c.child)
				}
				nodeSeen[c.child] = true
			} else {
				leaf := -c.child - 1
				if leaf >= L {
					return nil, errf(p, "leaf %d (child %d) is not in [0, %d)", leaf, c.child, L)
				}
				if leafSeen[leaf] {
					return nil, errf(p, "leaf %d is the child of two nodes", leaf)
				}
				leafSeen[leaf] = true
			}
		}
	}
	// 2N child slots, N − 1 non-root nodes and N + 1 leaves, each seen at most once: all are seen.
	lo, hi := make([]*big.Int, width), make([]*big.Int, width)
	for c := 0; c < width; c++ {
		lo[c], hi[c] = leaves.Values[c], leaves.Values[c]
		for l := 1; l < L; l++ {
			v := leaves.Values[l*width+c]
			if v.Cmp(lo[c]) < 0 {
				lo[c] = v
			}
			if v.Cmp(hi[c]) > 0 {
				hi[c] = v
			}
		}
	}
	return []OutSpec{{Shape: []int{width}, Scale: leaves.Scale, Lo: lo, Hi: hi}}, nil
}

func (treeOp) Eval(n *Node, in [][]*big.Int) [][]*big.Int {
	bitsV, leaves := in[0], in[1]
	bit, le, gt := n.Ints("bit"), n.Ints("le"), n.Ints("gt")
	width := n.Inputs[1].Shape[1]
	leaf := 0
	if len(bit) > 0 {
		c := 0
		for c >= 0 {
			if bitsV[bit[c]].Sign() != 0 {
				c = gt[c]
			} else {
				c = le[c]
			}
		}
		leaf = -c - 1
	}
	out := make([]*big.Int, width)
	for c := range out {
		out[c] = new(big.Int).Set(leaves[leaf*width+c])
	}
	return [][]*big.Int{out}
}

func (treeOp) Define(api frontend.API, _ *Context, n *Node, in [][]frontend.Variable) ([][]frontend.Variable, error) {
	bitsV := in[0]
	bit, le, gt := n.Ints("bit"), n.Ints("le"), n.Ints("gt")
	leaves := n.Inputs[1]
	L, width := leaves.Shape[0], leaves.Shape[1]
	leafInd := make([]frontend.Variable, L)
	if len(bit) == 0 {
		leafInd[0] = 1
	} else {
		nodeInd := make([]frontend.Variable, len(bit))
		nodeInd[0] = 1
		set := func(child int, v frontend.Variable) {
			if child >= 0 {
				nodeInd[child] = v
			} else {
				leafInd[-child-1] = v
			}
		}
		for i := range bit { // children have larger indices: a node's indicator is set before it is read
			a := nodeInd[i]
			ab := api.Mul(a, bitsV[bit[i]])
			set(gt[i], ab)
			set(le[i], api.Sub(a, ab))
		}
	}
	out := make([]frontend.Variable, width)
	for c := range out {
		var terms []frontend.Variable
		for l := 0; l < L; l++ {
			if v := leaves.Values[l*width+c]; v.Sign() != 0 {
				terms = append(terms, api.Mul(ToField(v), leafInd[l]))
			}
		}
		switch len(terms) {
		case 0:
			out[c] = 0
		case 1:
			out[c] = terms[0]
		default:
			out[c] = api.Add(terms[0], terms[1], terms[2:]...)
		}
	}
	return [][]frontend.Variable{out}, nil
}
