package circuit

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/consensys/gnark/constraint/solver"

	"github.com/zkml-service/zkml/native/internal/golden"
	"github.com/zkml-service/zkml/native/ir"
)

// workedExample is docs/ir-format.md's "Worked example: a tree" (tree-depth2).
const workedExample = `{
  "format": "zkml-ir", "version": 2, "field": "bn254",
  "name": "tree-depth2", "task": "classification",
  "features": ["x0", "x1"], "labels": ["a", "b", "c"],
  "tensors": [
    {"name": "x", "role": "input", "visibility": "public", "shape": [2], "scale": 4,
     "lo": ["-64", "-64"], "hi": ["64", "64"]},
    {"name": "thresholds", "role": "constant", "visibility": "fixed", "shape": [3], "scale": 4,
     "values": ["24", "-4", "32"]},
    {"name": "bits", "role": "intermediate", "visibility": "private", "shape": [3], "scale": 0,
     "lo": ["0", "0", "0"], "hi": ["1", "1", "1"]},
    {"name": "leaves", "role": "constant", "visibility": "fixed", "shape": [4, 1], "scale": 0,
     "values": ["0", "1", "1", "2"]},
    {"name": "label", "role": "output", "visibility": "public", "shape": [1], "scale": 0,
     "lo": ["0"], "hi": ["2"]}
  ],
  "inputs": ["x"],
  "ops": [
    {"op": "split_bits", "inputs": ["x", "thresholds"], "outputs": ["bits"],
     "attributes": {"feature": [0, 1, 1]}},
    {"op": "tree", "inputs": ["bits", "leaves"], "outputs": ["label"],
     "attributes": {"bit": [0, 1, 2], "le": [1, -1, -3], "gt": [2, -2, -4]}}
  ],
  "outputs": ["label"]
}`

// smallForest: two trees voting over two classes, then argmax. x ∈ [-8, 8]², w = 5.
// Feature 0 has thresholds 0 and 3 (E = 3), feature 1 has -2 (E = 2); tree a has depth 2, tree b
// one node.
const smallForest = `{
  "format": "zkml-ir", "version": 2, "field": "bn254", "name": "small-forest",
  "tensors": [
    {"name": "x", "role": "input", "visibility": "public", "shape": [2], "scale": 0, "lo": ["-8", "-8"], "hi": ["8", "8"]},
    {"name": "th", "role": "constant", "visibility": "fixed", "shape": [3], "scale": 0, "values": ["0", "3", "-2"]},
    {"name": "bits", "role": "intermediate", "visibility": "private", "shape": [3], "scale": 0, "lo": ["0", "0", "0"], "hi": ["1", "1", "1"]},
    {"name": "leaves_a", "role": "constant", "visibility": "fixed", "shape": [4, 2], "scale": 0, "values": ["1", "0", "0", "1", "0", "1", "1", "0"]},
    {"name": "leaves_b", "role": "constant", "visibility": "fixed", "shape": [2, 2], "scale": 0, "values": ["1", "0", "0", "1"]},
    {"name": "votes_a", "role": "intermediate", "visibility": "private", "shape": [2], "scale": 0, "lo": ["0", "0"], "hi": ["1", "1"]},
    {"name": "votes_b", "role": "intermediate", "visibility": "private", "shape": [2], "scale": 0, "lo": ["0", "0"], "hi": ["1", "1"]},
    {"name": "ones", "role": "constant", "visibility": "fixed", "shape": [2], "scale": 0, "values": ["1", "1"]},
    {"name": "votes", "role": "intermediate", "visibility": "private", "shape": [2], "scale": 0, "lo": ["0", "0"], "hi": ["2", "2"]},
    {"name": "label", "role": "output", "visibility": "public", "shape": [1], "scale": 0, "lo": ["0"], "hi": ["1"]}
  ],
  "inputs": ["x"],
  "ops": [
    {"op": "split_bits", "inputs": ["x", "th"], "outputs": ["bits"], "attributes": {"feature": [0, 0, 1]}},
    {"op": "tree", "inputs": ["bits", "leaves_a"], "outputs": ["votes_a"], "attributes": {"bit": [0, 2, 1], "le": [1, -1, -3], "gt": [2, -2, -4]}},
    {"op": "tree", "inputs": ["bits", "leaves_b"], "outputs": ["votes_b"], "attributes": {"bit": [2], "le": [-1], "gt": [-2]}},
    {"op": "weighted_sum", "inputs": ["ones", "votes_a", "votes_b"], "outputs": ["votes"], "attributes": {}},
    {"op": "argmax", "inputs": ["votes"], "outputs": ["label"], "attributes": {}}
  ],
  "outputs": ["label"]
}`

// edgeSplits: three features. Feature 0 ∈ [0, 10] has thresholds -5 (below the range: bit 1),
// 4, and 10 and 20 (at and above the top: bits 0); feature 1 has no threshold; feature 2 ∈ [3, 3]
// (a fixed value) has threshold 2 (bit 1). A one-leaf tree (N = 0) beside a tree over the bits.
const edgeSplits = `{
  "format": "zkml-ir", "version": 2, "field": "bn254", "name": "edge-splits",
  "tensors": [
    {"name": "x", "role": "input", "visibility": "public", "shape": [3], "scale": 0, "lo": ["0", "-1", "3"], "hi": ["10", "1", "3"]},
    {"name": "th", "role": "constant", "visibility": "fixed", "shape": [5], "scale": 0, "values": ["-5", "4", "10", "20", "2"]},
    {"name": "bits", "role": "intermediate", "visibility": "private", "shape": [5], "scale": 0, "lo": ["1", "0", "0", "0", "1"], "hi": ["1", "1", "0", "0", "1"]},
    {"name": "leaves", "role": "constant", "visibility": "fixed", "shape": [4, 1], "scale": 3, "values": ["-7", "5", "11", "13"]},
    {"name": "one_leaf", "role": "constant", "visibility": "fixed", "shape": [1, 2], "scale": 3, "values": ["-9", "6"]},
    {"name": "y", "role": "output", "visibility": "public", "shape": [1], "scale": 3, "lo": ["-7"], "hi": ["13"]},
    {"name": "z", "role": "output", "visibility": "public", "shape": [2], "scale": 3, "lo": ["-9", "6"], "hi": ["-9", "6"]}
  ],
  "inputs": ["x"],
  "ops": [
    {"op": "split_bits", "inputs": ["x", "th"], "outputs": ["bits"], "attributes": {"feature": [0, 0, 0, 0, 2]}},
    {"op": "tree", "inputs": ["bits", "leaves"], "outputs": ["y"], "attributes": {"bit": [1, 0, 4], "le": [1, -1, -3], "gt": [2, -2, -4]}},
    {"op": "tree", "inputs": ["bits", "one_leaf"], "outputs": ["z"], "attributes": {"bit": [], "le": [], "gt": []}}
  ],
  "outputs": ["y", "z"]
}`

func mustParse(t *testing.T, doc string) *ir.IR {
	t.Helper()
	d, err := ir.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// --- a malicious split_bits hint: the honest one-hot, then perturb ---------------------------

var perturb func(h []*big.Int)

func perturbedSplitBits(f *big.Int, in, out []*big.Int) error {
	if err := SplitBitsHint(f, in, out); err != nil {
		return err
	}
	perturb(out)
	return nil
}

func honestSplitBitsCopy(f *big.Int, in, out []*big.Int) error { return SplitBitsHint(f, in, out) }

func init() { solver.RegisterHint(perturbedSplitBits, honestSplitBitsCopy) }

var splitHints = &Hints{Rescale: RescaleHint, Argmax: ArgmaxHint, SplitBits: perturbedSplitBits}

func hot(h []*big.Int) int {
	for i, v := range h {
		if v.Sign() != 0 {
			return i
		}
	}
	return -1
}

// perturbations of a one-hot h (E = len(h) ≥ 2 entries), each a lie the constraints must catch:
// the boolean checks (2, r−1, and 2 with r−1 which still sums to 1), Σh = 1 (all zero, two-hot),
// and the two range checks (the one-hot moved to the next or the previous interval).
func perturbations() map[string]func(h []*big.Int) {
	m1 := big.NewInt(-1)
	m := map[string]func(h []*big.Int){
		"all zero":  func(h []*big.Int) { h[hot(h)].SetInt64(0) },
		"two at k":  func(h []*big.Int) { h[hot(h)].SetInt64(2) },
		"r-1 at k":  func(h []*big.Int) { h[hot(h)].Mod(m1, field) },
		"next":      func(h []*big.Int) { k := hot(h); h[k].SetInt64(0); h[(k+1)%len(h)].SetInt64(1) },
		"previous":  func(h []*big.Int) { k := hot(h); h[k].SetInt64(0); h[(k+len(h)-1)%len(h)].SetInt64(1) },
		"two-hot":   func(h []*big.Int) { k := hot(h); h[(k+1)%len(h)].SetInt64(1) },
		"2 and r-1": func(h []*big.Int) { k := hot(h); h[k].SetInt64(2); h[(k+1)%len(h)].Mod(m1, field) },
		"r-1 and 2": func(h []*big.Int) { k := hot(h); h[k].Mod(m1, field); h[(k+1)%len(h)].SetInt64(2) },
	}
	for j := 0; j < 3; j++ {
		j := j
		m[fmt.Sprintf("flip %d", j)] = func(h []*big.Int) {
			i := j % len(h)
			h[i].Sub(big.NewInt(1), h[i])
		}
	}
	return m
}

// splitInputs: every input vector whose features sit at lo, hi, and each threshold t, t ± 1
// (within the range), the other features at a middle value.
func splitInputs(d *ir.IR) [][]*big.Int {
	lo, hi := d.InputBounds()
	var special [][]*big.Int
	for i := range lo {
		special = append(special, []*big.Int{lo[i], hi[i]})
	}
	for _, n := range d.Nodes {
		if n.Kind() != "split_bits" {
			continue
		}
		for k, f := range n.Ints("feature") {
			t := n.Inputs[1].Values[k]
			for _, dlt := range []int64{-1, 0, 1} {
				v := new(big.Int).Add(t, big.NewInt(dlt))
				if v.Cmp(lo[f]) >= 0 && v.Cmp(hi[f]) <= 0 {
					special[f] = append(special[f], v)
				}
			}
		}
	}
	var out [][]*big.Int
	for i := range lo {
		for _, v := range special[i] {
			in := make([]*big.Int, len(lo))
			for j := range in {
				in[j] = new(big.Int).Rsh(new(big.Int).Add(lo[j], hi[j]), 1)
			}
			in[i] = v
			out = append(out, in)
		}
	}
	return out
}

// claims: the honest outputs and every other value of the first output within its bounds
// (capped), the claims a cheating prover might make.
func claims(d *ir.IR, honest []*big.Int) [][]*big.Int {
	out := [][]*big.Int{honest}
	t := d.Tensor(d.Outputs[0])
	for v, n := new(big.Int).Set(t.Lo[0]), 0; v.Cmp(t.Hi[0]) <= 0 && n < 8; v.Add(v, big.NewInt(1)) {
		if v.Cmp(honest[0]) != 0 {
			c := append([]*big.Int{new(big.Int).Set(v)}, honest[1:]...)
			out = append(out, c)
		}
		n++
	}
	return out
}

func TestSplitBitsAndTreeAreSound(t *testing.T) {
	for _, doc := range []string{workedExample, smallForest, edgeSplits} {
		d := mustParse(t, doc)
		t.Run(d.Name, func(t *testing.T) {
			honest := newChecker(t, d, nil)
			ctl := newChecker(t, d, &Hints{Rescale: RescaleHint, Argmax: ArgmaxHint, SplitBits: honestSplitBitsCopy})
			bad := newChecker(t, d, splitHints)
			for _, in := range splitInputs(d) {
				ev, err := d.Evaluate(in)
				if err != nil {
					t.Fatal(err)
				}
				what := fmt.Sprint(in)
				honest.accept(what, in, ev.Outputs)
				ctl.accept(what+" (honest hint, injected)", in, ev.Outputs)
				for _, c := range claims(d, ev.Outputs)[1:] {
					honest.reject(fmt.Sprintf("%s claims %v", what, c), in, c)
				}
				for name, p := range perturbations() {
					perturb = p
					for _, c := range claims(d, ev.Outputs) {
						bad.reject(fmt.Sprintf("%s, hint %s, claims %v", what, name, c), in, c)
					}
				}
			}
		})
	}
}

func TestTreeConstraintCounts(t *testing.T) {
	for _, c := range []struct {
		doc  string
		want string
	}{
		// Worked example: input range checks 2·2·(8+1) = 36; split_bits: feature 0 has 2
		// non-empty intervals, 2 + 1 + 2·9 = 21, feature 1 has 3, 3 + 1 + 18 = 22; tree: nodes 1
		// and 2 need one product each; one output equality. 82 in all.
		{workedExample, `{"input_range":36,"split_bits":43,"tree":2,"output":1}`},
		// Inputs 2·2·(5+1) = 24; split_bits 3+1+2·6 = 16 and 2+1+12 = 15; tree a: 2 products,
		// tree b: none (its root's children are free); weighted_sum free; argmax over 2 values in
		// [0, 2]: 2 booleans, Σh = 1, 2 products, 2·(2+1) decompositions: 11; output 1. 69 in all.
		{smallForest, `{"input_range":24,"split_bits":31,"tree":2,"weighted_sum":0,"argmax":11,"output":1}`},
		// Inputs: x0 ∈ [0, 10] 2·(4+1), x1 ∈ [-1, 1] 2·(2+1), x2 fixed 1; split_bits: feature 0
		// has 2 non-empty intervals, 2 + 1 + 2·5 = 13, feature 2 none (E = 1); trees: every bit
		// but one is a constant, no product; three output equalities.
		{edgeSplits, `{"input_range":17,"split_bits":13,"tree":0,"output":3}`},
	} {
		d := mustParse(t, c.doc)
		cs, byOp, err := CompileWithCounts(d)
		if err != nil {
			t.Fatal(err)
		}
		js, _ := byOp.MarshalJSON()
		if string(js) != c.want {
			t.Errorf("%s: constraints by op %s, want %s", d.Name, js, c.want)
		}
		if byOp.Total() != cs.GetNbConstraints() {
			t.Errorf("%s: by op %d, total %d", d.Name, byOp.Total(), cs.GetNbConstraints())
		}
		t.Logf("%s: %d constraints %s", d.Name, cs.GetNbConstraints(), js)
	}
	if cs, _ := Compile(mustParse(t, workedExample)); cs.GetNbConstraints() != 82 {
		t.Errorf("worked example: %d constraints, docs/ir-format.md says 82", cs.GetNbConstraints())
	}
}

func TestWorkedExampleEvaluation(t *testing.T) {
	d := mustParse(t, workedExample)
	ev, err := d.Evaluate(ints(24, 33))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ev.Values["bits"]) != "[0 1 1]" || fmt.Sprint(ev.Outputs) != "[1]" {
		t.Errorf("bits %v, outputs %v; the doc says [0 1 1] and [1]", ev.Values["bits"], ev.Outputs)
	}
	c := newChecker(t, d, nil)
	c.accept("x = [24, 33]", ints(24, 33), ints(1))
	c.reject("x = [24, 33], label 2", ints(24, 33), ints(2))
	c.accept("x = [25, 33]", ints(25, 33), ints(2))
}

func TestHintIdentifiersAreFixed(t *testing.T) {
	for _, h := range []struct {
		fn   solver.Hint
		name string
		id   solver.HintID
	}{{RescaleHint, RescaleHintName, RescaleHintID}, {ArgmaxHint, ArgmaxHintName, ArgmaxHintID}, {SplitBitsHint, SplitBitsHintName, SplitBitsHintID},
		{ReluHint, ReluHintName, ReluHintID}, {MaxpoolHint, MaxpoolHintName, MaxpoolHintID}} {
		if got := solver.GetHintName(h.fn); got != h.name {
			t.Errorf("hint function named %s, want %s: moving or renaming it changes every constraint system", got, h.name)
		}
		if got := solver.GetHintID(h.fn); got != h.id {
			t.Errorf("%s: id %d, want %d", h.name, got, h.id)
		}
		if solver.GetRegisteredHint(h.id) == nil {
			t.Errorf("%s is not registered under %d", h.name, h.id)
		}
	}
	// v0.1's identifiers (FNV-32a of the names), as stored in v0.1's constraint systems.
	if RescaleHintID != 1429633627 || ArgmaxHintID != 2705479626 || SplitBitsHintID != 2072211090 {
		t.Errorf("hint ids %d, %d, %d changed", RescaleHintID, ArgmaxHintID, SplitBitsHintID)
	}
}

// The shared golden file of the worked example has the same count as the doc.
func TestGoldenWorkedExampleCount(t *testing.T) {
	for _, s := range golden.MustLoad(t) {
		if s.Name != "ir-v2/tree-depth2.ir.json" {
			continue
		}
		d, err := ir.Parse(s.IR)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := Compile(d)
		if err != nil {
			t.Fatal(err)
		}
		if cs.GetNbConstraints() != 82 {
			t.Errorf("%s: %d constraints, docs/ir-format.md says 82", s.Name, cs.GetNbConstraints())
		}
		return
	}
	t.Fatal("no ir-v2/tree-depth2.ir.json")
}
