package circuit

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark/backend/witness"

	"github.com/zkml-service/zkml/native/ir"
)

// Hashed weights (issue 8, docs/ir-format.md "Hashed constants"): the dense weights and biases
// are hashed constants — declared ranges in the document, values given as private witness at
// prove time, range-checked in the circuit and bound by one public commitment (domain
// zkml-weights-v1, its own salt). The golden files in testdata/golden/hashed-weights (written by
// its generate.py, read by the Java tests too) give the weights, the salts, the inputs and the
// expected outputs and public inputs.

type weightsCase struct {
	Weights           map[string][]string `json:"weights"`
	WeightsSalt       string              `json:"weightsSalt"`
	Input             []string            `json:"input"`
	Output            []string            `json:"output"`
	Salt              string              `json:"salt"`
	WeightsCommitment string              `json:"weightsCommitment"`
	PublicInputs      []string            `json:"publicInputs"`
	Error             string              `json:"error"`
}

type weightsGolden struct {
	name    string
	irBytes []byte
	d       *ir.IR
	Cases   []weightsCase `json:"cases"`
	Invalid []weightsCase `json:"invalid"`
}

var hashedWeightsDocs = []string{"linear-3x4-hashed-weights", "linear-2x3-hashed-weights-and-inputs", "mlp-relu-hashed-weights"}

func loadWeightsGolden(t *testing.T, name string) *weightsGolden {
	t.Helper()
	dir := filepath.Join("..", "..", "testdata", "golden", "hashed-weights")
	raw, err := os.ReadFile(filepath.Join(dir, name+".cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	g := &weightsGolden{name: name}
	if err := json.Unmarshal(raw, g); err != nil {
		t.Fatal(err)
	}
	if g.irBytes, err = os.ReadFile(filepath.Join(dir, name+".ir.json")); err != nil {
		t.Fatal(err)
	}
	if g.d, err = ir.Parse(g.irBytes); err != nil {
		t.Fatal(err)
	}
	return g
}

func decs(t *testing.T, ss []string) []*big.Int {
	t.Helper()
	out := make([]*big.Int, len(ss))
	for i, s := range ss {
		v, ok := new(big.Int).SetString(s, 10)
		if !ok {
			t.Fatalf("not a decimal: %q", s)
		}
		out[i] = v
	}
	return out
}

// flat orders a case's weights as the witness does: hashed constants in tensor order.
func (g *weightsGolden) flat(t *testing.T, c weightsCase) []*big.Int {
	t.Helper()
	var out []*big.Int
	for _, h := range g.d.HashedConstants() {
		out = append(out, decs(t, c.Weights[h.Name])...)
	}
	return out
}

func (g *weightsGolden) salts(t *testing.T, c weightsCase) []*big.Int {
	t.Helper()
	var out []*big.Int
	for _, cm := range g.d.Commitments {
		if cm.Domain == ir.WeightsDomain {
			out = append(out, decs(t, []string{c.WeightsSalt})[0])
		} else {
			out = append(out, decs(t, []string{c.Salt})[0])
		}
	}
	return out
}

func TestHashedWeightsGoldenCasesProve(t *testing.T) {
	for _, name := range hashedWeightsDocs {
		t.Run(name, func(t *testing.T) {
			g := loadWeightsGolden(t, name)
			if bytes.Contains(g.irBytes, []byte(`"values"`)) {
				t.Fatal("a document with hashed weights has no constant values")
			}
			if g.d.WeightSize() == 0 || g.d.Commitments[len(g.d.Commitments)-1].Domain != ir.WeightsDomain {
				t.Fatalf("weights %d, commitments %v", g.d.WeightSize(), g.d.Commitments)
			}
			// One constraint system for every weight set of the file (4 different models).
			c := newChecker(t, g.d, nil)
			commitments := map[string]bool{}
			for i, tc := range g.Cases {
				a, ev, err := AssignWeighted(g.d, decs(t, tc.Input), g.flat(t, tc), g.salts(t, tc))
				if err != nil {
					t.Fatalf("case %d: %v", i, err)
				}
				if got := strs(ev.Outputs); strings.Join(got, ",") != strings.Join(tc.Output, ",") {
					t.Fatalf("case %d: outputs %v, golden %v", i, got, tc.Output)
				}
				if got := strs(PublicInputs(a)); strings.Join(got, ",") != strings.Join(tc.PublicInputs, ",") {
					t.Fatalf("case %d: public inputs %v, golden %v", i, got, tc.PublicInputs)
				}
				commitments[tc.WeightsCommitment] = true
				if i%3 == 0 { // the solver on a third of them (the test engine is slow)
					if e, r := c.solveAssignment(a); e != nil || r != nil {
						t.Fatalf("case %d: valid witness rejected: %v, %v", i, e, r)
					}
				} else if err := c.ccs.IsSolved(mustWitness(t, a)); err != nil {
					t.Fatalf("case %d: valid witness rejected: %v", i, err)
				}
			}
			if len(commitments) != 4 {
				t.Fatalf("%d distinct weights commitments, want 4 (one per weight set)", len(commitments))
			}
			for i, tc := range g.Invalid {
				_, _, err := AssignWeighted(g.d, decs(t, tc.Input), g.flat(t, tc), g.salts(t, g.Cases[0]))
				ie, ok := err.(*ir.InputError)
				if !ok || string(ie.Kind) != tc.Error {
					t.Fatalf("invalid %d: got %v, want %s", i, err, tc.Error)
				}
			}
		})
	}
}

// TestHashedWeightsKeepTheFixedAnswers: with the weights of the fixed golden documents (the first
// weight set of each file), the hashed-weights circuit computes what the fixed one computes.
func TestHashedWeightsKeepTheFixedAnswers(t *testing.T) {
	for name, fixed := range map[string]string{"linear-3x4-hashed-weights": "linear-classifier-3x4.ir.json",
		"mlp-relu-hashed-weights": "mlp-relu.ir.json"} {
		g := loadWeightsGolden(t, name)
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "golden", "ir-v2", fixed))
		if err != nil {
			t.Fatal(err)
		}
		f, err := ir.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		first := g.Cases[0].WeightsCommitment
		n := 0
		for _, c := range g.Cases {
			if c.WeightsCommitment != first {
				break
			}
			if f.CheckInputs(decs(t, c.Input)) != nil {
				continue // the fixed document's input ranges are narrower
			}
			ev, err := f.Evaluate(decs(t, c.Input))
			if err != nil {
				t.Fatal(err)
			}
			// the label (mlp-relu also outputs its hidden layer, which the hashed version keeps private)
			label := f.Outputs[0]
			if name == "mlp-relu-hashed-weights" {
				label = "label"
			}
			if got := strs(ev.Values[label]); strings.Join(got, ",") != strings.Join(c.Output, ",") {
				t.Fatalf("%s: input %v: fixed %v, hashed golden %v", name, c.Input, got, c.Output)
			}
			n++
		}
		if n < 3 {
			t.Fatalf("%s: only %d cases of the first weight set in the fixed ranges", name, n)
		}
	}
}

func mustWitness(t *testing.T, a *Circuit) witness.Witness {
	t.Helper()
	w, err := NewWitness(a)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func strs(vs []*big.Int) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}

// TestHashedWeightsWrongWitness: the solver rejects other weights under the claimed commitment, a
// weight outside its declared range (even one that packs like honest weights), a changed
// commitment and another salt.
func TestHashedWeightsWrongWitness(t *testing.T) {
	g := loadWeightsGolden(t, "linear-3x4-hashed-weights")
	d := g.d
	c := newChecker(t, d, nil)
	honest := g.Cases[5] // golden weights, input [100, -200, 512, -50]
	other := g.Cases[len(g.Cases)-1]
	in := decs(t, honest.Input)
	w := g.flat(t, honest)
	salts := g.salts(t, honest)
	outputsOf := func(weights []*big.Int) []*big.Int {
		return d.EvaluateUncheckedWeighted(in, weights).Outputs
	}
	reject := func(what string, a *Circuit) {
		t.Helper()
		e, r := c.solveAssignment(a)
		if e == nil || r == nil {
			t.Errorf("%s: accepted (engine %v, r1cs %v)", what, e, r)
		}
	}
	if e, r := c.solveAssignment(assignmentWeighted(d, in, w, salts, outputsOf(w))); e != nil || r != nil {
		t.Fatalf("honest witness rejected: %v %v", e, r)
	}
	claimed := assignmentWeighted(d, in, w, salts, outputsOf(w)).Commitments[0]

	// Other weights (another model's) with the claimed commitment, and their honest outputs.
	ow := g.flat(t, other)
	a := assignmentWeighted(d, in, ow, salts, outputsOf(ow))
	a.Commitments[0] = claimed
	reject("other weights, claimed commitment", a)
	// One weight changed by one, the claimed commitment.
	for k := range w {
		changed := append([]*big.Int(nil), w...)
		changed[k] = new(big.Int).Add(w[k], big.NewInt(1))
		if changed[k].Cmp(big.NewInt(127)) > 0 {
			continue
		}
		a := assignmentWeighted(d, in, changed, salts, outputsOf(changed))
		a.Commitments[0] = claimed
		reject("weight "+itoa(k)+" + 1, claimed commitment", a)
	}
	// A weight out of its declared range, with the commitment the gadget computes for it: the
	// range check refuses (128 > 127, -129 < -128, r - 1 = -1 + r is fine but 2^8 + w is not).
	for _, v := range []int64{128, -129, 255, 1 << 20} {
		bad := append([]*big.Int(nil), w...)
		bad[0] = big.NewInt(v)
		reject("weight 0 = "+itoa(int(v)), assignmentWeighted(d, in, bad, salts, outputsOf(bad)))
	}
	// A carry between neighbours that packs exactly like the honest weights (u0 + 256, u1 - 1):
	// the same packed element, so the same commitment; only the range checks refuse it.
	carry := append([]*big.Int(nil), w...)
	carry[0] = new(big.Int).Add(w[0], big.NewInt(256))
	carry[1] = new(big.Int).Sub(w[1], big.NewInt(1))
	ca := assignmentWeighted(d, in, carry, salts, outputsOf(carry))
	if ca.Commitments[0].(*big.Int).Cmp(claimed.(*big.Int)) != 0 {
		t.Fatal("the carry should pack like the honest weights")
	}
	reject("carry between packed weights (same commitment)", ca)
	// A changed commitment, and the honest weights under another salt.
	a = assignmentWeighted(d, in, w, salts, outputsOf(w))
	a.Commitments[0] = new(big.Int).Add(claimed.(*big.Int), big.NewInt(1))
	reject("commitment + 1", a)
	a = assignmentWeighted(d, in, w, salts, outputsOf(w))
	a.Salts[0] = big.NewInt(12345)
	reject("another weights salt", a)
	// The honest weights and commitment, a wrong output.
	a = assignmentWeighted(d, in, w, salts, outputsOf(w))
	a.Out[0] = new(big.Int).Mod(new(big.Int).Add(a.Out[0].(*big.Int), big.NewInt(1)), big.NewInt(3))
	reject("wrong label", a)
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

// TestHashedWeightsConstraintCounts pins the cost: each weight one product (1) and one declared
// range check (an 8-bit signed weight: 9; a 16-bit bias: 17), the commitment 186·(k + 1) + 1.
func TestHashedWeightsConstraintCounts(t *testing.T) {
	g := loadWeightsGolden(t, "linear-3x4-hashed-weights")
	_, counts, err := CompileWithCounts(g.d)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, oc := range counts {
		got[oc.Kind] = oc.Constraints
	}
	if got[KindWeightRange] != 12*9+3*17 {
		t.Errorf("weight range checks: %d, want %d", got[KindWeightRange], 12*9+3*17)
	}
	if got[KindCommitment] != 186*2+1 { // 144 bits: one packed element + the salt
		t.Errorf("weights commitment: %d, want %d", got[KindCommitment], 186*2+1)
	}
	if got["dense"] != 12 {
		t.Errorf("dense with private weights: %d constraints, want 12 (one per weight)", got["dense"])
	}
	t.Logf("linear-3x4-hashed-weights: %s, total %d", string(must(json.Marshal(counts))), counts.Total())
}

// TestHashedConstantReaderRules: the reader's rules for hashed constants.
func TestHashedConstantReaderRules(t *testing.T) {
	g := loadWeightsGolden(t, "linear-3x4-hashed-weights")
	mutate := func(f func(doc map[string]any)) error {
		var doc map[string]any
		if err := json.Unmarshal(g.irBytes, &doc); err != nil {
			t.Fatal(err)
		}
		f(doc)
		b, _ := json.Marshal(doc)
		_, err := ir.Parse(b)
		return err
	}
	tensor := func(doc map[string]any, name string) map[string]any {
		for _, tt := range doc["tensors"].([]any) {
			if m := tt.(map[string]any); m["name"] == name {
				return m
			}
		}
		t.Fatalf("no tensor %s", name)
		return nil
	}
	for _, tc := range []struct {
		what, want string
		f          func(doc map[string]any)
	}{
		{"values given", "has no values", func(doc map[string]any) {
			tensor(doc, "bias")["values"] = []any{"0", "0", "0"}
		}},
		{"no commitment", "missing", func(doc map[string]any) {
			delete(doc, "commitments")
		}},
		{"wrong domain", "domain", func(doc map[string]any) {
			doc["commitments"].([]any)[0].(map[string]any)["domain"] = ir.InputsDomain
		}},
		{"tensor order", "tensor order", func(doc map[string]any) {
			doc["commitments"].([]any)[0].(map[string]any)["tensors"] = []any{"bias", "weight"}
		}},
		{"wrong dense bounds", "bounds", func(doc map[string]any) {
			tensor(doc, "weight")["hi"].([]any)[0] = "200"
		}},
	} {
		err := mutate(tc.f)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.what, err, tc.want)
		}
	}
}
