package circuit

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/consensys/gnark/constraint/solver"

	"github.com/zkml-service/zkml/native/ir"
)

// --- a malicious relu hint: the honest bit, then a lie ----------------------------------------

// reluLie maps the honest bit b (0 or 1) of the element x to the bit a cheating prover supplies.
var reluLie func(x, b *big.Int) *big.Int

func lyingRelu(f *big.Int, in, out []*big.Int) error {
	if err := ReluHint(f, in, out); err != nil {
		return err
	}
	out[0].Mod(reluLie(signed(f, in[0]), out[0]), f)
	return nil
}

func honestReluCopy(f *big.Int, in, out []*big.Int) error { return ReluHint(f, in, out) }

func init() { solver.RegisterHint(lyingRelu, honestReluCopy) }

// reluDoc is a one-element relu on an input x ∈ [lo, hi] at scale 0.
func reluDoc(t *testing.T, lo, hi *big.Int) *ir.IR {
	t.Helper()
	r := func(v *big.Int) string {
		if v.Sign() < 0 {
			return "0"
		}
		return v.String()
	}
	return mustParse(t, fmt.Sprintf(`{
  "format": "zkml-ir", "version": 2, "field": "bn254", "name": "relu-one",
  "tensors": [
    {"name": "x", "role": "input", "visibility": "public", "shape": [1], "scale": 0, "lo": ["%s"], "hi": ["%s"]},
    {"name": "y", "role": "output", "visibility": "public", "shape": [1], "scale": 0, "lo": ["%s"], "hi": ["%s"]}
  ],
  "inputs": ["x"],
  "ops": [{"op": "relu", "inputs": ["x"], "outputs": ["y"], "attributes": {}}],
  "outputs": ["y"]
}`, lo, hi, r(lo), r(hi)))
}

// The lies: the other bit (the claimed output is then x where the truth is 0, or 0 where it is
// x), the non-booleans 2 and r − 1 (claimed output 2x, −x). Each is tried on every x of small
// ranges that straddle 0 (and near the ends of a 200-bit range) with the output the lie implies:
// only the gadget's own constraints can catch it. x = 0 with b = 0 claims the right output 0
// and must still be rejected: the bit is fully determined.
func TestMaliciousReluHintsAreRejected(t *testing.T) {
	lies := map[string]func(x, b *big.Int) *big.Int{
		"other bit": func(_, b *big.Int) *big.Int { return new(big.Int).Sub(big.NewInt(1), b) },
		"two":       func(_, _ *big.Int) *big.Int { return big.NewInt(2) },
		"minus one": func(_, _ *big.Int) *big.Int { return big.NewInt(-1) },
	}
	big200 := new(big.Int).Lsh(big.NewInt(1), 200)
	ranges := [][2]*big.Int{
		{big.NewInt(-1), big.NewInt(1)}, {big.NewInt(-5), big.NewInt(3)}, {big.NewInt(-3), big.NewInt(5)},
		{big.NewInt(-1), big.NewInt(8)}, {big.NewInt(-8), big.NewInt(1)},
		{new(big.Int).Neg(big200), new(big.Int).Add(big200, big.NewInt(1))},
	}
	for _, rg := range ranges {
		d := reluDoc(t, rg[0], rg[1])
		honest := newChecker(t, d, &Hints{Relu: honestReluCopy})
		lying := newChecker(t, d, &Hints{Relu: lyingRelu})
		var xs []*big.Int
		if rg[1].Cmp(big.NewInt(100)) < 0 {
			for x := new(big.Int).Set(rg[0]); x.Cmp(rg[1]) <= 0; x = new(big.Int).Add(x, big.NewInt(1)) {
				xs = append(xs, x)
			}
		} else {
			for _, v := range []*big.Int{rg[0], new(big.Int).Add(rg[0], big.NewInt(1)), big.NewInt(-1), big.NewInt(0),
				big.NewInt(1), new(big.Int).Sub(rg[1], big.NewInt(1)), rg[1]} {
				xs = append(xs, v)
			}
		}
		for _, x := range xs {
			y := x
			if x.Sign() < 0 {
				y = big.NewInt(0)
			}
			what := fmt.Sprintf("[%v, %v] x = %v", rg[0], rg[1], x)
			honest.accept(what, []*big.Int{x}, []*big.Int{y})
			honest.reject(what+", y+1", []*big.Int{x}, []*big.Int{new(big.Int).Add(y, big.NewInt(1))})
			honest.reject(what+", y-1", []*big.Int{x}, []*big.Int{new(big.Int).Sub(y, big.NewInt(1))})
			if x.Sign() > 0 {
				honest.reject(what+", y = 0", []*big.Int{x}, []*big.Int{big.NewInt(0)})
			} else if x.Sign() < 0 {
				honest.reject(what+", y = x", []*big.Int{x}, []*big.Int{x})
			}
			for name, lie := range lies {
				reluLie = lie
				b := big.NewInt(0)
				if x.Sign() >= 0 {
					b = big.NewInt(1)
				}
				claim := new(big.Int).Mul(lie(x, b), x) // the output o = b'·x the lie implies
				lying.reject(what+", "+name, []*big.Int{x}, []*big.Int{claim})
			}
		}
	}
}

// Every golden document with a relu: the honest cases pass (TestGoldenCasesSatisfyTheCircuit),
// and a prover that flips every relu bit is caught whatever outputs it claims from them.
func TestGoldenReluFlipsAreRejected(t *testing.T) {
	reluLie = func(_, b *big.Int) *big.Int { return new(big.Int).Sub(big.NewInt(1), b) }
	for _, name := range []string{"ir-v2/mlp-relu.ir.json", "ir-v2/relu-edges.ir.json"} {
		g := goldenNamed(t, name)
		c := newChecker(t, g.ir, &Hints{Relu: lyingRelu})
		for i, in := range g.cases {
			claim := evalNodes(g.ir, in, func(n *ir.Node, vals [][]*big.Int) ([]*big.Int, bool) {
				if n.Kind() != "relu" {
					return nil, false
				}
				x, tn := vals[0], n.Inputs[0]
				out := make([]*big.Int, len(x))
				for k := range x {
					switch {
					case tn.Lo[k].Sign() >= 0:
						out[k] = x[k]
					case tn.Hi[k].Sign() <= 0:
						out[k] = big.NewInt(0)
					case x[k].Sign() >= 0: // flipped to 0
						out[k] = big.NewInt(0)
					default: // flipped to 1
						out[k] = x[k]
					}
				}
				return out, true
			})
			c.reject(fmt.Sprintf("%s case %d", name, i), in, claim)
		}
	}
}

// relu-edges: x ∈ [-7, 9] (mixed: w = bitlen(9) = 4), [0, 6] (identity), [-5, 0] (constant 0),
// [-1, 2^20] (w = 21), [-2^200, 2^200 + 1] (w = 201). Each mixed element costs w + 3: the
// boolean, the product and a w-bit decomposition with its recomposition.
func TestReluConstraintCounts(t *testing.T) {
	g := goldenNamed(t, "ir-v2/relu-edges.ir.json")
	_, byOp, err := CompileWithCounts(g.ir)
	if err != nil {
		t.Fatal(err)
	}
	want := (4 + 3) + (21 + 3) + (201 + 3)
	for _, oc := range byOp {
		if oc.Kind == "relu" && oc.Constraints != want {
			t.Errorf("relu: %d constraints, want %d", oc.Constraints, want)
		}
	}
	t.Logf("relu-edges: %s", mustJSON(byOp))
}

func mustJSON(c ConstraintsByOp) string {
	b, _ := c.MarshalJSON()
	return string(b)
}
