package circuit

import (
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkml-service/zkml/native/commit"
	"github.com/zkml-service/zkml/native/ir"
)

// Hashed outputs (issue 8, docs/ir-format.md "Commitments"): the outputs leave the public inputs
// and one Poseidon2 commitment (domain zkml-outputs-v1, its own salt) to them takes their place,
// after the input commitment if the inputs are hashed too.

// withHashedOutputs returns the golden document name with every output hashed (and, if inputs
// is "hashed", its input commitment kept before the output commitment).
func withHashedOutputs(t *testing.T, name string) *ir.IR {
	t.Helper()
	d, err := ir.Parse(hashedOutputsDoc(t, name, nil))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func hashedOutputsDoc(t *testing.T, name string, mutate func(doc map[string]any)) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "golden", "ir-v2", name))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	outs := doc["outputs"].([]any)
	for _, tt := range doc["tensors"].([]any) {
		m := tt.(map[string]any)
		if m["role"] == "output" {
			m["visibility"] = "hashed"
		}
	}
	cms, _ := doc["commitments"].([]any)
	doc["commitments"] = append(cms, map[string]any{"name": "output_commitment", "domain": ir.OutputsDomain, "tensors": outs})
	if mutate != nil {
		mutate(doc)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHashedOutputsReplaceThePublicOutputs(t *testing.T) {
	for _, tc := range []struct {
		name        string
		commitments int
		inputs      int // public input values
	}{
		{"linear-classifier-3x4.ir.json", 1, 4},
		{"linear-classifier-3x4-hashed.ir.json", 2, 0},
		{"multi-io-hashed.ir.json", 2, 2},
		{"mlp-relu.ir.json", 1, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := withHashedOutputs(t, tc.name)
			if len(d.Commitments) != tc.commitments || d.Commitments[tc.commitments-1].Domain != ir.OutputsDomain {
				t.Fatalf("commitments %v", d.Commitments)
			}
			if d.PublicOutputSize() != 0 || (tc.inputs >= 0 && d.PublicSize() != tc.inputs+tc.commitments) {
				t.Fatalf("public size %d, public outputs %d", d.PublicSize(), d.PublicOutputSize())
			}
			g := goldenNamed(t, "ir-v2/"+tc.name)
			c := newChecker(t, d, nil)
			for i := range g.cases[:3] {
				salts := testSalts(d)
				a, ev, err := AssignSalted(d, g.cases[i], salts)
				if err != nil {
					t.Fatal(err)
				}
				// the output commitment is the recipe of docs/commitments.md over the outputs
				cm := d.Commitments[len(d.Commitments)-1]
				l, err := commit.LayoutFromBounds(d.CommittedBounds(cm))
				if err != nil {
					t.Fatal(err)
				}
				want, err := commit.Commit(commit.OutputsDomain, l, ev.Outputs, salts[len(salts)-1])
				if err != nil {
					t.Fatal(err)
				}
				if got := a.Commitments[len(a.Commitments)-1].(*big.Int); got.Cmp(want) != 0 {
					t.Fatalf("case %d: output commitment %v, recipe %v", i, got, want)
				}
				if len(a.Out) != 0 || len(PublicInputs(a)) != d.PublicSize() {
					t.Fatalf("case %d: %d public outputs, %d public inputs", i, len(a.Out), len(PublicInputs(a)))
				}
				if e, r := c.solveAssignment(a); e != nil || r != nil {
					t.Fatalf("case %d: honest witness rejected: %v / %v", i, e, r)
				}
				last := len(a.Commitments) - 1
				try := func(what string, mutate func(b *Circuit)) {
					t.Helper()
					b := clone(a)
					mutate(b)
					e, r := c.solveAssignment(b)
					if e == nil || r == nil {
						t.Errorf("case %d, %s: accepted (engine %v, r1cs %v)", i, what, e, r)
					}
				}
				try("another output salt", func(b *Circuit) { b.Salts[last] = addField(b.Salts[last], 1) })
				try("another output commitment", func(b *Circuit) { b.Commitments[last] = addField(b.Commitments[last], 1) })
				// the commitment to another output (each output value changed in turn)
				for j := range ev.Outputs {
					other := make([]*big.Int, len(ev.Outputs))
					copy(other, ev.Outputs)
					lo, hi := d.CommittedBounds(cm)
					if lo[j].Cmp(hi[j]) == 0 {
						continue
					}
					delta := big.NewInt(1)
					if other[j].Cmp(hi[j]) == 0 {
						delta = big.NewInt(-1)
					}
					other[j] = new(big.Int).Add(other[j], delta)
					forged, err := commit.Commit(commit.OutputsDomain, l, other, salts[last])
					if err != nil {
						t.Fatal(err)
					}
					try("a commitment to another output", func(b *Circuit) { b.Commitments[last] = forged })
				}
				// the same outputs under the input domain (no domain confusion)
				confused, err := commit.Commit(commit.InputsDomain, l, ev.Outputs, salts[last])
				if err != nil {
					t.Fatal(err)
				}
				try("the outputs committed under the inputs' domain", func(b *Circuit) { b.Commitments[last] = confused })
				// another packing: the same outputs packed one value per element
				var seq []*big.Int
				outLo, _ := d.CommittedBounds(cm)
				for k, v := range ev.Outputs {
					seq = append(seq, new(big.Int).Sub(v, outLo[k]))
				}
				if len(seq) > 1 {
					var widths []int
					lows := make([]*big.Int, 0)
					for range seq {
						widths = append(widths, 248)
						lows = append(lows, big.NewInt(0))
					}
					alt, err := commit.Commit(commit.OutputsDomain, commit.Layout{Widths: widths, Lows: lows}, seq, salts[last])
					if err == nil {
						try("another packing of the outputs", func(b *Circuit) { b.Commitments[last] = alt })
					}
				}
			}
		})
	}
}

func TestHashedOutputReaderRules(t *testing.T) {
	d := withHashedOutputs(t, "linear-classifier-3x4-hashed.ir.json")
	if d.Commitments[0].Domain != ir.InputsDomain || d.Commitments[1].Name != "output_commitment" {
		t.Fatal(d.Commitments)
	}
	last := func(doc map[string]any) map[string]any {
		cms := doc["commitments"].([]any)
		return cms[len(cms)-1].(map[string]any)
	}
	for _, tc := range []struct {
		what, golden, want string
		mutate             func(doc map[string]any)
	}{
		{"no output commitment", "linear-classifier-3x4.ir.json", "missing", func(doc map[string]any) { delete(doc, "commitments") }},
		{"no output commitment after the input one", "linear-classifier-3x4-hashed.ir.json", "missing the commitment to the hashed outputs",
			func(doc map[string]any) { doc["commitments"] = doc["commitments"].([]any)[:1] }},
		{"the inputs' domain", "linear-classifier-3x4.ir.json", "domain", func(doc map[string]any) { last(doc)["domain"] = ir.InputsDomain }},
		{"an unknown domain", "linear-classifier-3x4.ir.json", "unknown commitment domain", func(doc map[string]any) { last(doc)["domain"] = "zkml-outputs-v2" }},
		{"an input in the output commitment", "linear-classifier-3x4.ir.json", "not a hashed output", func(doc map[string]any) { last(doc)["tensors"] = []any{"x"} }},
		{"output commitment first", "linear-classifier-3x4-hashed.ir.json", "domain", func(doc map[string]any) {
			cms := doc["commitments"].([]any)
			cms[0], cms[1] = cms[1], cms[0]
		}},
		{"two commitments with one name", "linear-classifier-3x4-hashed.ir.json", "already the name of a commitment", func(doc map[string]any) { last(doc)["name"] = "input_commitment" }},
		{"a third commitment", "linear-classifier-3x4-hashed.ir.json", "got more", func(doc map[string]any) {
			doc["commitments"] = append(doc["commitments"].([]any), map[string]any{"name": "c3", "domain": ir.OutputsDomain, "tensors": []any{"label"}})
		}},
	} {
		_, err := ir.Parse(hashedOutputsDoc(t, tc.golden, tc.mutate))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error with %q", tc.what, err, tc.want)
		}
	}
}
