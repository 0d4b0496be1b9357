package circuit

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/zkml-service/zkml/native/commit"
	"github.com/zkml-service/zkml/native/ir"
)

// Hashed and private inputs (docs/ir-format.md, "Visibility" and "Commitments"): the circuit
// range-checks every input, computes the Poseidon2 commitment of the hashed ones with a private
// salt and asserts it equals the public commitment.

func hashedGolden(t *testing.T, name string) goldenFile {
	t.Helper()
	g := goldenNamed(t, "ir-v2/"+name)
	if len(g.ir.Commitments) != 1 || len(g.salts) != len(g.cases) {
		t.Fatalf("%s: %d commitments, %d salts for %d cases", name, len(g.ir.Commitments), len(g.salts), len(g.cases))
	}
	return g
}

// honest returns the assignment of case i of g (its salt) and the evaluation.
func honest(t *testing.T, g goldenFile, i int) *Circuit {
	t.Helper()
	a, _, err := AssignSalted(g.ir, g.cases[i], g.salts[i:i+1])
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func clone(a *Circuit) *Circuit {
	b := *a
	b.In = append(b.In[:0:0], a.In...)
	b.Commitments = append(b.Commitments[:0:0], a.Commitments...)
	b.Out = append(b.Out[:0:0], a.Out...)
	b.Secret = append(b.Secret[:0:0], a.Secret...)
	b.Salts = append(b.Salts[:0:0], a.Salts...)
	return &b
}

func addField(v any, delta int64) *big.Int {
	x := new(big.Int).Add(v.(*big.Int), big.NewInt(delta))
	return x.Mod(x, ir.Modulus)
}

func TestGoldenCommitmentsAgreeWithTheNativeRecipe(t *testing.T) {
	for _, name := range []string{"linear-classifier-3x4-hashed.ir.json", "multi-io-hashed.ir.json", "hashed-spill.ir.json"} {
		g := hashedGolden(t, name)
		cm := g.ir.Commitments[0]
		l, err := commit.LayoutFromBounds(g.ir.CommittedBounds(cm))
		if err != nil {
			t.Fatal(err)
		}
		for i, in := range g.cases {
			want, err := commit.Commit(commit.InputsDomain, l, g.ir.CommittedValues(cm, in, nil), g.salts[i])
			if err != nil {
				t.Fatal(err)
			}
			if want.Cmp(g.commitments[i]) != 0 {
				t.Errorf("%s case %d: commit.Commit gives %v, generate.py %v", name, i, want, g.commitments[i])
			}
		}
	}
	if ir.InputsDomain != commit.InputsDomain {
		t.Errorf("ir.InputsDomain %q != commit.InputsDomain %q", ir.InputsDomain, commit.InputsDomain)
	}
}

func TestHashedInputWrongWitnessesAreRejected(t *testing.T) {
	for _, name := range []string{"linear-classifier-3x4-hashed.ir.json", "multi-io-hashed.ir.json", "hashed-spill.ir.json"} {
		t.Run(name, func(t *testing.T) {
			g := hashedGolden(t, name)
			c := newChecker(t, g.ir, nil)
			for i := range g.cases[:3] {
				a := honest(t, g, i)
				if e, r := c.solveAssignment(a); e != nil || r != nil {
					t.Fatalf("case %d: honest witness rejected: %v / %v", i, e, r)
				}
				try := func(what string, mutate func(b *Circuit)) {
					t.Helper()
					b := clone(a)
					mutate(b)
					e, r := c.solveAssignment(b)
					if e == nil {
						t.Errorf("case %d, %s: test engine accepted", i, what)
					}
					if r == nil {
						t.Errorf("case %d, %s: R1CS solver accepted", i, what)
					}
				}
				try("another salt", func(b *Circuit) { b.Salts[0] = addField(b.Salts[0], 1) })
				try("another commitment", func(b *Circuit) { b.Commitments[0] = addField(b.Commitments[0], 1) })
				for j := range a.Secret {
					// another hashed input in range, same commitment and outputs
					lo, hi := g.ir.CommittedBounds(g.ir.Commitments[0])
					v := ir.FromField(a.Secret[j].(*big.Int))
					delta := int64(1)
					if v.Cmp(hi[j]) == 0 {
						delta = -1
					}
					if lo[j].Cmp(hi[j]) == 0 {
						continue
					}
					try(fmt.Sprintf("hashed input %d %+d", j, delta), func(b *Circuit) { b.Secret[j] = addField(b.Secret[j], delta) })
					if j > 4 {
						break
					}
				}
				for j := range a.Out {
					try(fmt.Sprintf("output %d + 1", j), func(b *Circuit) { b.Out[j] = addField(b.Out[j], 1) })
				}
				// an honest commitment to other inputs (another proof's public input) is refused too
				if i > 0 {
					prev := honest(t, g, i-1)
					if prev.Commitments[0].(*big.Int).Cmp(a.Commitments[0].(*big.Int)) != 0 {
						try("the previous case's commitment", func(b *Circuit) { b.Commitments[0] = prev.Commitments[0] })
					}
				}
			}
		})
	}
}

// TestHashedInputChangedPackingIsRejected: without range checks a prover could move bits
// between neighbours of one packed element and keep the commitment ([257, 1] packs like [1, 2]
// for 8-bit fields). Here the prover claims the honest commitment (and salt) with such inputs:
// the input range checks refuse them.
func TestHashedInputChangedPackingIsRejected(t *testing.T) {
	g := hashedGolden(t, "hashed-spill.ir.json")
	c := newChecker(t, g.ir, nil)
	a := honest(t, g, 0) // inputs all -128 (offset 0) and the big value at its hi
	in := append([]*big.Int(nil), g.cases[0]...)
	// x[0] - lo = 0 -> 256, x[1] - lo = 0 -> -1 (field): 256 + 2^8·(-1) = 0, the same packed element
	in[0] = new(big.Int).Add(in[0], big.NewInt(256))
	in[1] = new(big.Int).Sub(in[1], big.NewInt(1))
	cm := g.ir.Commitments[0]
	same := CommitmentOf(g.ir, cm, g.ir.CommittedValues(cm, in, nil), g.salts[0])
	if same.Cmp(a.Commitments[0].(*big.Int)) != 0 {
		t.Fatalf("the moved bits should pack to the same element: %v vs %v", same, a.Commitments[0])
	}
	b := clone(a)
	_, secret := g.ir.Split(in)
	for j, v := range secret {
		b.Secret[j] = ir.ToField(v)
	}
	b.Out = assignment(g.ir, in, g.salts[:1], g.ir.EvaluateUnchecked(in).Outputs).Out
	if e, r := c.solveAssignment(b); e == nil || r == nil {
		t.Errorf("changed packing accepted: engine %v, r1cs %v", e, r)
	}
}

func TestSaltsAreChecked(t *testing.T) {
	g := hashedGolden(t, "linear-classifier-3x4-hashed.ir.json")
	bad := map[string][]*big.Int{
		"no salt":   nil,
		"two salts": {big.NewInt(1), big.NewInt(2)},
		"salt r":    {new(big.Int).Set(ir.Modulus)},
		"salt -1":   {big.NewInt(-1)},
	}
	for what, salts := range bad {
		if _, _, err := AssignSalted(g.ir, g.cases[0], salts); err == nil {
			t.Errorf("%s: accepted", what)
		}
	}
	pub := goldenNamed(t, "ir-v2/tree-depth2.ir.json")
	if _, _, err := AssignSalted(pub.ir, pub.cases[0], []*big.Int{big.NewInt(1)}); err == nil {
		t.Error("a salt for a circuit without hashed inputs: accepted")
	}
	// salt r - 1 is the largest accepted
	if _, _, err := AssignSalted(g.ir, g.cases[0], []*big.Int{new(big.Int).Sub(ir.Modulus, big.NewInt(1))}); err != nil {
		t.Errorf("salt r - 1: %v", err)
	}
}

func TestPublicInputsByVisibility(t *testing.T) {
	// multi-io-hashed: inputs ["b" (hashed), "a" (public)]: public = a, the commitment, outputs
	g := hashedGolden(t, "multi-io-hashed.ir.json")
	a := honest(t, g, 2)
	pub := PublicInputs(a)
	in := g.cases[2]
	var want []*big.Int
	want = append(want, ir.ToField(in[3]), ir.ToField(in[4]), g.commitments[2])
	for _, v := range g.outputs[2] {
		want = append(want, ir.ToField(v))
	}
	if fmt.Sprint(pub) != fmt.Sprint(want) {
		t.Errorf("public inputs %v, want %v", pub, want)
	}
	if g.ir.PublicSize() != len(want) {
		t.Errorf("PublicSize %d, want %d", g.ir.PublicSize(), len(want))
	}
	cs, err := Compile(g.ir)
	if err != nil {
		t.Fatal(err)
	}
	if cs.GetNbPublicVariables() != len(want)+1 || cs.GetNbSecretVariables() != 3+1 {
		t.Errorf("%d public and %d secret variables", cs.GetNbPublicVariables(), cs.GetNbSecretVariables())
	}

	// tree-depth2-private: only the output is public; any input in range with the claimed
	// output is a valid witness, a wrong output or an input out of range is not
	p := goldenNamed(t, "ir-v2/tree-depth2-private.ir.json")
	if p.ir.PublicSize() != 1 || len(p.ir.Commitments) != 0 {
		t.Fatalf("private: PublicSize %d, %d commitments", p.ir.PublicSize(), len(p.ir.Commitments))
	}
	c := newChecker(t, p.ir, nil)
	pa, ev, err := Assign(p.ir, ints(24, 33))
	if err != nil {
		t.Fatal(err)
	}
	if len(pa.In) != 0 || len(pa.Secret) != 2 || fmt.Sprint(PublicInputs(pa)) != "[1]" || fmt.Sprint(ev.Outputs) != "[1]" {
		t.Errorf("private assignment: In %v, Secret %v, public %v", pa.In, pa.Secret, PublicInputs(pa))
	}
	c.accept("x = [24, 33]", ints(24, 33), ints(1))
	c.reject("x = [24, 33], label 2", ints(24, 33), ints(2))
	c.reject("x = [65, 33] (out of range)", ints(65, 33), ints(2))
}

// TestCommitmentConstraintCount: the commitment costs 186 per absorbed element (k packed
// elements and the salt) plus 1 for the equality (docs/commitments.md), on top of the circuit
// with public inputs.
func TestCommitmentConstraintCount(t *testing.T) {
	for _, tc := range []struct {
		hashed, public string
		packed         int
	}{
		{"linear-classifier-3x4-hashed.ir.json", "linear-classifier-3x4.ir.json", 1},
		{"multi-io-hashed.ir.json", "multi-io.ir.json", 1},
	} {
		h := goldenNamed(t, "ir-v2/"+tc.hashed)
		p := goldenNamed(t, "ir-v2/"+tc.public)
		_, hc, err := CompileWithCounts(h.ir)
		if err != nil {
			t.Fatal(err)
		}
		_, pc, err := CompileWithCounts(p.ir)
		if err != nil {
			t.Fatal(err)
		}
		if want := 186*(tc.packed+1) + 1; hc.Total()-pc.Total() != want {
			t.Errorf("%s: %d more constraints than %s, want %d (%v vs %v)", tc.hashed, hc.Total()-pc.Total(), tc.public, want, hc, pc)
		}
	}
	g := goldenNamed(t, "ir-v2/hashed-spill.ir.json")
	_, byOp, err := CompileWithCounts(g.ir)
	if err != nil {
		t.Fatal(err)
	}
	for _, oc := range byOp {
		// 40 bytes: 31 in element 0, 9 in element 1; the 248-bit value opens element 2
		if oc.Kind == KindCommitment && oc.Constraints != 186*4+1 {
			t.Errorf("hashed-spill: commitment %d constraints, want %d", oc.Constraints, 186*4+1)
		}
	}
}
