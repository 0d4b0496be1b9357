package circuit

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/consensys/gnark/constraint/solver"

	"github.com/zkml-service/zkml/native/ir"
)

// --- a malicious maxpool hint: the honest maximum, then a lie on one window ---------------------

// maxLie maps a window (signed values) and its honest maximum to the value a cheating prover
// supplies; it is applied only to windows holding exactly the values maxTarget (the R1CS solver
// calls hints level by level, in parallel, so a window is recognised by its values, not by the
// order of the calls), so every window is attacked on its own (with any window equal to it).
var (
	maxLie    func(win []*big.Int, m *big.Int) *big.Int
	maxTarget []*big.Int
)

func sameValues(a, b []*big.Int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Cmp(b[i]) != 0 {
			return false
		}
	}
	return true
}

func lyingMaxpool(f *big.Int, in, out []*big.Int) error {
	if err := MaxpoolHint(f, in, out); err != nil {
		return err
	}
	win := make([]*big.Int, len(in))
	for i, v := range in {
		win[i] = signed(f, v)
	}
	if sameValues(win, maxTarget) {
		out[0].Mod(maxLie(win, signed(f, out[0])), f)
	}
	return nil
}

func init() { solver.RegisterHint(lyingMaxpool) }

func windowMax(win []*big.Int) *big.Int {
	m := win[0]
	for _, v := range win[1:] {
		if v.Cmp(m) > 0 {
			m = v
		}
	}
	return m
}

// The lies: one more than the maximum (above every element: no factor of the product is 0), one
// less (below the maximum: its difference is negative), the minimum, the second largest distinct
// value, −1 and the maximum plus r (the same field element: must pass, so it is not a lie here).
var maxLies = map[string]func(win []*big.Int, m *big.Int) *big.Int{
	"max+1": func(_ []*big.Int, m *big.Int) *big.Int { return new(big.Int).Add(m, big.NewInt(1)) },
	"max-1": func(_ []*big.Int, m *big.Int) *big.Int { return new(big.Int).Sub(m, big.NewInt(1)) },
	"min": func(win []*big.Int, _ *big.Int) *big.Int {
		m := win[0]
		for _, v := range win[1:] {
			if v.Cmp(m) < 0 {
				m = v
			}
		}
		return m
	},
	"second": func(win []*big.Int, m *big.Int) *big.Int {
		var s *big.Int
		for _, v := range win {
			if v.Cmp(m) < 0 && (s == nil || v.Cmp(s) > 0) {
				s = v
			}
		}
		if s == nil {
			return m
		}
		return s
	},
	"minus one": func(_ []*big.Int, _ *big.Int) *big.Int { return big.NewInt(-1) },
	"2^200": func(_ []*big.Int, m *big.Int) *big.Int {
		return new(big.Int).Add(m, new(big.Int).Lsh(big.NewInt(1), 200))
	},
}

// windowValues is the values of the honest evaluation's maxpool windows of at least 2 taps, in
// document order.
func windowValues(d *ir.IR, in []*big.Int) [][]*big.Int {
	var all [][]*big.Int
	evalNodes(d, in, func(n *ir.Node, vals [][]*big.Int) ([]*big.Int, bool) {
		if n.Kind() == "maxpool2d" {
			for _, w := range ir.MaxpoolWindows(n) {
				if len(w) >= 2 {
					win := make([]*big.Int, len(w))
					for i, k := range w {
						win[i] = vals[0][k]
					}
					all = append(all, win)
				}
			}
		}
		return nil, false
	})
	return all
}

// claimWith evaluates d with every maxpool window holding the values target replaced by lie:
// the outputs the cheating prover claims. changed = false when the lie changes nothing.
func claimWith(d *ir.IR, in []*big.Int, target []*big.Int, lie func([]*big.Int, *big.Int) *big.Int) ([]*big.Int, bool) {
	changed := false
	out := evalNodes(d, in, func(n *ir.Node, vals [][]*big.Int) ([]*big.Int, bool) {
		if n.Kind() != "maxpool2d" {
			return nil, false
		}
		x := vals[0]
		res := []*big.Int{}
		for _, w := range ir.MaxpoolWindows(n) {
			win := make([]*big.Int, len(w))
			for i, k := range w {
				win[i] = x[k]
			}
			m := windowMax(win)
			if len(w) >= 2 && sameValues(win, target) {
				if l := lie(win, m); l.Cmp(m) != 0 {
					m, changed = l, true
				}
			}
			res = append(res, m)
		}
		return res, true
	})
	return out, changed
}

func maxpoolWindowCount(d *ir.IR) int {
	n := 0
	for _, node := range d.Nodes {
		if node.Kind() == "maxpool2d" {
			for _, w := range ir.MaxpoolWindows(node) {
				if len(w) >= 2 {
					n++
				}
			}
		}
	}
	return n
}

// Every window of the golden maxpool documents, attacked alone with every lie, on several cases
// (with the outputs the lie implies downstream): the test engine and the R1CS solver reject each.
func TestMaliciousMaxpoolHintsAreRejected(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cases int
	}{{"ir-v2/maxpool-edges.ir.json", 16}, {"ir-v2/cnn-conv-pool.ir.json", 2}} {
		g := goldenNamed(t, tc.name)
		c := newChecker(t, g.ir, &Hints{Maxpool: lyingMaxpool})
		tried := 0
		for i, in := range g.cases {
			if i >= tc.cases {
				break
			}
			wins := windowValues(g.ir, in)
			for target, win := range wins {
				for name, lie := range maxLies {
					claim, changed := claimWith(g.ir, in, win, lie)
					if !changed {
						continue
					}
					maxLie, maxTarget = lie, win
					what := fmt.Sprintf("%s case %d window %d %s", tc.name, i, target, name)
					e, r := c.solve(in, claim)
					if e == nil || r == nil {
						t.Errorf("%s: accepted (engine %v, r1cs %v)", what, e, r)
					}
					tried++
				}
			}
		}
		// the honest hint through the same lying function (a lie equal to the truth) is accepted
		maxLie, maxTarget = func(_ []*big.Int, m *big.Int) *big.Int { return m }, windowValues(g.ir, g.cases[0])[0]
		c.accept(tc.name+" honest through the lying hint", g.cases[0], g.outputs[0])
		if tried < 50 {
			t.Errorf("%s: only %d lies tried", tc.name, tried)
		}
		t.Logf("%s: %d windows, %d lies rejected", tc.name, maxpoolWindowCount(g.ir), tried)
	}
}

// maxpool-edges: per window of k ≥ 2 taps, k (the product and its equality) + Σ_t (w_t + 1) with
// w_t = bitlen(hi − lo_t); 1-tap windows are free. conv2d, avgpool2d and reshape cost nothing.
func TestMaxpoolConstraintCounts(t *testing.T) {
	for _, name := range []string{"ir-v2/maxpool-edges.ir.json", "ir-v2/cnn-conv-pool.ir.json"} {
		g := goldenNamed(t, name)
		want := 0
		for _, n := range g.ir.Nodes {
			if n.Kind() != "maxpool2d" {
				continue
			}
			x, o := n.Inputs[0], n.Outputs[0]
			for k, w := range ir.MaxpoolWindows(n) {
				if len(w) < 2 {
					continue
				}
				want += len(w)
				for _, xi := range w {
					if b := ir.RangeBits(x.Lo[xi], o.Hi[k]); b == 1 {
						want++ // gnark's 1-bit decomposition is the boolean check alone
					} else {
						want += b + 1
					}
				}
			}
		}
		_, byOp, err := CompileWithCounts(g.ir)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, oc := range byOp {
			got[oc.Kind] = oc.Constraints
		}
		if got["maxpool2d"] != want {
			t.Errorf("%s: maxpool2d %d constraints, want %d", name, got["maxpool2d"], want)
		}
		for _, free := range []string{"conv2d", "avgpool2d", "reshape"} {
			if got[free] != 0 {
				t.Errorf("%s: %s costs %d constraints, want 0", name, free, got[free])
			}
		}
		t.Logf("%s: %s", name, mustJSON(byOp))
	}
	// maxpool-edges pinned: 12 windows of 1, 2 and 4 taps over [-7, 9], [-2^200, 2^200 + 1], [5, 5],
	// [-10, -3], [0, 1], [-1, 0]
	_, byOp, _ := CompileWithCounts(goldenNamed(t, "ir-v2/maxpool-edges.ir.json").ir)
	for _, oc := range byOp {
		if oc.Kind == "maxpool2d" && oc.Constraints != maxpoolEdgesCount {
			t.Errorf("maxpool-edges: %d constraints, pinned %d", oc.Constraints, maxpoolEdgesCount)
		}
	}
}

// conv2d and avgpool2d outputs are linear combinations: a claimed output one off in any element
// is rejected (and the honest one accepted), on a conv with strides and pads and a
// count_include_pad = 0 average.
func TestConvAndAvgpoolOutputsAreBound(t *testing.T) {
	d := mustParse(t, convDoc)
	c := newChecker(t, d, nil)
	in := []*big.Int{big.NewInt(3), big.NewInt(-2), big.NewInt(1), big.NewInt(0), big.NewInt(-3), big.NewInt(2),
		big.NewInt(1), big.NewInt(1), big.NewInt(-1)}
	out := evalNodes(d, in, func(*ir.Node, [][]*big.Int) ([]*big.Int, bool) { return nil, false })
	c.accept("honest", in, out)
	for k := range out {
		for _, delta := range []int64{1, -1} {
			bad := append([]*big.Int(nil), out...)
			bad[k] = new(big.Int).Add(out[k], big.NewInt(delta))
			c.reject(fmt.Sprintf("output %d %+d", k, delta), in, bad)
		}
	}
}

const maxpoolEdgesCount = 2473

// x [1, 3, 3] → conv2d (w [2, 1, 2, 2], strides [2, 1], pads [1, 0, 0, 1]) → y [2, 2, 3] (output),
// and avgpool2d (kernel [2, 2], pads [1, 1, 0, 0], mult 4/count at scale 2) → a [1, 2, 2] (output).
const convDoc = `{
  "format": "zkml-ir", "version": 2, "field": "bn254", "name": "conv-out",
  "tensors": [
    {"name": "x", "role": "input", "visibility": "public", "shape": [1, 3, 3], "scale": 0,
     "lo": ["-3","-3","-3","-3","-3","-3","-3","-3","-3"], "hi": ["3","3","3","3","3","3","3","3","3"]},
    {"name": "w", "role": "constant", "visibility": "fixed", "shape": [2, 1, 2, 2], "scale": 0, "values": ["1","-2","0","3","2","1","-1","0"]},
    {"name": "b", "role": "constant", "visibility": "fixed", "shape": [2], "scale": 0, "values": ["5","-1"]},
    {"name": "m", "role": "constant", "visibility": "fixed", "shape": [2, 2], "scale": 2, "values": ["4","2","2","1"]},
    {"name": "y", "role": "output", "visibility": "public", "shape": [2, 2, 3], "scale": 0,
     "lo": ["-4","-4","5","-13","-13","2","-4","-4","-4","-13","-13","-10"],
     "hi": ["14","14","5","23","23","8","2","2","2","11","11","8"]},
    {"name": "a", "role": "output", "visibility": "public", "shape": [1, 2, 2], "scale": 2,
     "lo": ["-12","-12","-12","-12"], "hi": ["12","12","12","12"]}
  ],
  "inputs": ["x"],
  "ops": [
    {"op": "conv2d", "inputs": ["x", "w", "b"], "outputs": ["y"], "attributes": {"strides": [2, 1], "pads": [1, 0, 0, 1]}},
    {"op": "avgpool2d", "inputs": ["x", "m"], "outputs": ["a"], "attributes": {"kernel": [2, 2], "strides": [2, 2], "pads": [1, 1, 0, 0]}}
  ],
  "outputs": ["y", "a"]
}`
