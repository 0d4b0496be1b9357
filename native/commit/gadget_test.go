package commit

import (
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
	"github.com/consensys/gnark/std/hash/poseidon2"
	"github.com/consensys/gnark/test"
)

type commitCircuit struct {
	Values     []frontend.Variable
	Salt       frontend.Variable
	Commitment frontend.Variable `gnark:",public"`

	domain string
	layout Layout
	check  bool // AssertInLayout before committing
}

func (c *commitCircuit) Define(api frontend.API) error {
	if c.check {
		AssertInLayout(api, c.layout, c.Values)
	}
	com, err := CommitGadget(api, c.domain, c.layout, c.Values, c.Salt)
	if err != nil {
		return err
	}
	api.AssertIsEqual(com, c.Commitment)
	return nil
}

func field(v *big.Int) *big.Int { return new(big.Int).Mod(v, Modulus()) }

func circuitFor(domain string, l Layout, check bool) *commitCircuit {
	return &commitCircuit{Values: make([]frontend.Variable, len(l.Widths)), domain: domain, layout: l, check: check}
}

func assignment(values []*big.Int, salt, com *big.Int) *commitCircuit {
	a := &commitCircuit{Values: make([]frontend.Variable, len(values)), Salt: salt, Commitment: com}
	for i, v := range values {
		a.Values[i] = field(v) // a negative value v is r + v
	}
	return a
}

// solves reports whether the assignment satisfies the circuit, both in gnark's test engine and
// in the real R1CS solver; the two must agree.
func solves(t *testing.T, c, a *commitCircuit) bool {
	t.Helper()
	engine := test.IsSolved(c, a, ecc.BN254.ScalarField()) == nil
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, c)
	if err != nil {
		t.Fatal(err)
	}
	w, err := frontend.NewWitness(a, ecc.BN254.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	solver := ccs.IsSolved(w) == nil
	if engine != solver {
		t.Fatalf("test engine says %v, R1CS solver says %v", engine, solver)
	}
	return solver
}

func vectorLayout(t *testing.T, cv CommitVector) (Layout, []*big.Int, *big.Int, *big.Int) {
	l, err := NewLayout(cv.Widths, ns(cv.Lows...))
	if err != nil {
		t.Fatal(err)
	}
	return l, ns(cv.Values...), n(cv.Salt), n(cv.Commitment)
}

// TestGadgetMatchesVectors: for every commitment of the shared file, the gadget accepts the
// file's commitment and rejects a wrong value and a wrong salt.
func TestGadgetMatchesVectors(t *testing.T) {
	for _, cv := range readVectors(t).Commitments {
		t.Run(cv.Name, func(t *testing.T) {
			l, values, salt, com := vectorLayout(t, cv)
			for _, check := range []bool{false, true} {
				c := circuitFor(cv.Domain, l, check)
				if !solves(t, c, assignment(values, salt, com)) {
					t.Fatalf("check=%v: valid commitment rejected", check)
				}
			}
			c := circuitFor(cv.Domain, l, true)
			if solves(t, c, assignment(values, new(big.Int).Add(salt, big.NewInt(1)), com)) {
				t.Error("wrong salt accepted")
			}
			if len(values) > 0 {
				i := len(values) - 1
				wrong := append([]*big.Int{}, values...)
				wrong[i] = new(big.Int).Add(values[i], big.NewInt(1))
				if l.Widths[i] > 0 && new(big.Int).Sub(wrong[i], l.Lows[i]).BitLen() > l.Widths[i] {
					wrong[i] = new(big.Int).Sub(values[i], big.NewInt(1))
				}
				if solves(t, circuitFor(cv.Domain, l, false), assignment(wrong, salt, com)) {
					t.Error("wrong value accepted")
				}
			}
			other := "zkml-other-v1"
			if solves(t, circuitFor(other, l, false), assignment(values, salt, com)) {
				t.Error("other domain accepted")
			}
		})
	}
}

// TestGadgetRejectsChangedPacking: a commitment to the same values packed differently (value 30
// of 32 bytes moved from element 0 to element 1) does not open under the layout's packing.
func TestGadgetRejectsChangedPacking(t *testing.T) {
	var cv CommitVector
	for _, x := range readVectors(t).Commitments {
		if x.Name == "32 bytes spill into a second element" {
			cv = x
		}
	}
	l, values, salt, _ := vectorLayout(t, cv)
	u := func(i int) *big.Int { return new(big.Int).Sub(values[i], l.Lows[i]) }
	e0, e1 := new(big.Int), new(big.Int)
	for i := range 30 {
		e0.Add(e0, new(big.Int).Lsh(u(i), uint(8*i)))
	}
	e1.Add(u(30), new(big.Int).Lsh(u(31), 8))
	tag, _ := Tag(cv.Domain)
	var a, b, s fr.Element
	a.SetBigInt(e0)
	b.SetBigInt(e1)
	s.SetBigInt(salt)
	moved := Int(Hash([]fr.Element{tag, a, b, s}))
	if moved.String() == cv.Commitment {
		t.Fatal("moving a value did not change the commitment")
	}
	if solves(t, circuitFor(cv.Domain, l, true), assignment(values, salt, moved)) {
		t.Error("commitment with a changed packing accepted")
	}
}

// TestGadgetNeedsRangeChecks: without range checks, carrying a bit from one value into its
// neighbour keeps the packed element (and the commitment); AssertInLayout rejects it.
func TestGadgetNeedsRangeChecks(t *testing.T) {
	l, _ := NewLayout([]int{8, 8}, ns("0", "0"))
	values, salt := ns("1", "2"), big.NewInt(99)
	com, err := Commit(InputsDomain, l, values, salt)
	if err != nil {
		t.Fatal(err)
	}
	carried := ns("257", "1") // 257 + 1·2^8 = 1 + 2·2^8
	if !solves(t, circuitFor(InputsDomain, l, false), assignment(carried, salt, com)) {
		t.Fatal("expected the unchecked gadget to accept the carried values (the documented precondition)")
	}
	if solves(t, circuitFor(InputsDomain, l, true), assignment(carried, salt, com)) {
		t.Error("AssertInLayout accepted a value outside its width")
	}
}

type hashCircuit struct {
	In  []frontend.Variable
	Out frontend.Variable `gnark:",public"`
}

func (c *hashCircuit) Define(api frontend.API) error {
	h, err := poseidon2.New(api)
	if err != nil {
		return err
	}
	h.Write(c.In...)
	api.AssertIsEqual(h.Sum(), c.Out)
	return nil
}

// TestGadgetHashMatchesVectors: gnark's std/hash/poseidon2 gadget computes the file's hashes.
func TestGadgetHashMatchesVectors(t *testing.T) {
	for _, hv := range readVectors(t).Hash {
		c := &hashCircuit{In: make([]frontend.Variable, len(hv.In))}
		a := &hashCircuit{In: make([]frontend.Variable, len(hv.In)), Out: hv.Out}
		for i, x := range hv.In {
			a.In[i] = x
		}
		if err := test.IsSolved(c, a, ecc.BN254.ScalarField()); err != nil {
			t.Errorf("hash of %d elements: %v", len(hv.In), err)
		}
		a.Out = new(big.Int).Add(n(hv.Out), big.NewInt(1))
		if test.IsSolved(c, a, ecc.BN254.ScalarField()) == nil {
			t.Errorf("hash of %d elements: wrong output accepted", len(hv.In))
		}
	}
}

func count(t *testing.T, builder frontend.NewBuilder, c frontend.Circuit) int {
	t.Helper()
	ccs, err := frontend.Compile(ecc.BN254.ScalarField(), builder, c)
	if err != nil {
		t.Fatal(err)
	}
	return ccs.GetNbConstraints()
}

// Constraint budget per absorbed field element (issue 8: at most 250 in R1CS).
const maxR1CSPerElement = 250

// TestConstraintCounts measures the cost per absorbed element and pins it (docs/commitments.md).
func TestConstraintCounts(t *testing.T) {
	r1 := count(t, r1cs.NewBuilder, &hashCircuit{In: make([]frontend.Variable, 1)})
	r9 := count(t, r1cs.NewBuilder, &hashCircuit{In: make([]frontend.Variable, 9)})
	s1 := count(t, scs.NewBuilder, &hashCircuit{In: make([]frontend.Variable, 1)})
	s9 := count(t, scs.NewBuilder, &hashCircuit{In: make([]frontend.Variable, 9)})
	perR1CS, perSCS := (r9-r1)/8, (s9-s1)/8
	t.Logf("Poseidon2 MD hash: R1CS %d for 1 element, %d for 9 (%d per element); PLONK %d, %d (%d per element)",
		r1, r9, perR1CS, s1, s9, perSCS)
	if perR1CS*8 != r9-r1 || perR1CS > maxR1CSPerElement {
		t.Errorf("R1CS cost per element %d (exact: %v), budget %d", perR1CS, perR1CS*8 == r9-r1, maxR1CSPerElement)
	}
	if perR1CS != 186 {
		t.Errorf("R1CS cost per element changed: %d (update docs/commitments.md)", perR1CS)
	}
	for _, k := range []int{1, 31, 32, 64} {
		w := make([]int, k)
		lows := make([]*big.Int, k)
		for i := range w {
			w[i], lows[i] = 8, big.NewInt(-128)
		}
		l, _ := NewLayout(w, lows)
		_, elems := l.Slots()
		plain := count(t, r1cs.NewBuilder, circuitFor(InputsDomain, l, false))
		checked := count(t, r1cs.NewBuilder, circuitFor(InputsDomain, l, true))
		t.Logf("commitment to %d signed bytes (%d packed elements + salt): R1CS %d (%d with AssertInLayout)", k, elems, plain, checked)
		if want := (elems + 1) * perR1CS; plain != want+1 && plain != want {
			t.Errorf("%d bytes: %d constraints, expected about %d", k, plain, want)
		}
	}
}
