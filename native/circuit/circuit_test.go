package circuit

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"

	"github.com/zkml-service/zkml/native/internal/golden"
	"github.com/zkml-service/zkml/native/ir"
)

var field = ecc.BN254.ScalarField()

// --- malicious hints: each breaks the honest semantics in one way ---------------------------

func init() {
	solver.RegisterHint(rescaleQMinus1, rescaleQPlus1, rescaleRemainderTooBig,
		rescaleOtherRemainder, argmaxNonBoolean, argmaxNext, argmaxLastOfTie, argmaxTwoHot, argmaxAllZero, honestRescaleCopy, honestArgmaxCopy)
}

// rescaleQMinus1 returns (q−1, r+2^k): x = q·2^k + r still holds, r is out of range.
func rescaleQMinus1(f *big.Int, in, out []*big.Int) error { return rescaleShifted(f, in, out, -1) }

// rescaleQPlus1 returns (q+1, r−2^k): x = q·2^k + r still holds, r is negative.
func rescaleQPlus1(f *big.Int, in, out []*big.Int) error { return rescaleShifted(f, in, out, +1) }

// rescaleRemainderTooBig returns (q, r+2^k): the recomposition fails.
func rescaleRemainderTooBig(f *big.Int, in, out []*big.Int) error {
	if err := RescaleHint(f, in, out); err != nil {
		return err
	}
	out[1].Add(out[1], new(big.Int).Lsh(big.NewInt(1), uint(in[0].Uint64())))
	return nil
}

func rescaleShifted(f *big.Int, in, out []*big.Int, delta int64) error {
	if err := RescaleHint(f, in, out); err != nil {
		return err
	}
	k := uint(in[0].Uint64())
	q := signed(f, out[0])
	q.Add(q, big.NewInt(delta))
	r := new(big.Int).Sub(out[1], new(big.Int).Lsh(big.NewInt(delta), k))
	out[0].Mod(q, f)
	out[1].Mod(r, f)
	return nil
}

// rescaleOtherRemainder returns r' = (r+1) mod 2^k, a valid remainder, and the field element
// q' = (x − r')/2^k, which satisfies x = q'·2^k + r' but is no integer near x/2^k: only the
// range check of q catches it.
func rescaleOtherRemainder(f *big.Int, in, out []*big.Int) error {
	if err := RescaleHint(f, in, out); err != nil {
		return err
	}
	k := uint(in[0].Uint64())
	r := new(big.Int).Add(out[1], big.NewInt(1))
	r.Mod(r, new(big.Int).Lsh(big.NewInt(1), k))
	inv := new(big.Int).ModInverse(new(big.Int).Lsh(big.NewInt(1), k), f)
	q := new(big.Int).Sub(in[1], r)
	q.Mul(q, inv).Mod(q, f)
	out[0].Set(q)
	out[1].Set(r)
	return nil
}

// evalWithRescaleHint evaluates d with every rescale element computed by hint (read back as a
// signed integer) and an honest argmax: the outputs a prover using that hint would claim.
func evalWithRescaleHint(d *ir.IR, inputs []*big.Int, hint solver.Hint) []*big.Int {
	return evalNodes(d, inputs, func(n *ir.Node, in [][]*big.Int) ([]*big.Int, bool) {
		if n.Kind() != "rescale" {
			return nil, false
		}
		out := make([]*big.Int, len(in[0]))
		for i, x := range in[0] {
			qr := []*big.Int{new(big.Int), new(big.Int)}
			if err := hint(field, []*big.Int{big.NewInt(int64(n.Int("shift"))), ir.ToField(x)}, qr); err != nil {
				panic(err)
			}
			out[i] = signed(field, qr[0])
		}
		return out, true
	})
}

// evalNodes evaluates d without the input range checks, with override deciding the value of
// the single output of any node it wants to (a cheating prover's claim).
func evalNodes(d *ir.IR, inputs []*big.Int, override func(n *ir.Node, in [][]*big.Int) ([]*big.Int, bool)) []*big.Int {
	vals := map[string][]*big.Int{}
	k := 0
	for _, name := range d.Inputs {
		t := d.Tensor(name)
		vals[name] = inputs[k : k+t.Size]
		k += t.Size
	}
	for _, t := range d.Tensors {
		if t.IsConstant() {
			vals[t.Name] = t.Values
		}
	}
	for _, n := range d.Nodes {
		in := d.NodeInputs(n, vals)
		if out, ok := override(n, in); ok {
			vals[n.Outputs[0].Name] = out
			continue
		}
		vals[n.Outputs[0].Name] = n.Type.Eval(n, in)[0]
	}
	var out []*big.Int
	for _, name := range d.Outputs {
		out = append(out, vals[name]...)
	}
	return out
}

func honestRescaleCopy(f *big.Int, in, out []*big.Int) error { return RescaleHint(f, in, out) }
func honestArgmaxCopy(f *big.Int, in, out []*big.Int) error  { return ArgmaxHint(f, in, out) }

func oneHot(out []*big.Int, k int) {
	for i := range out {
		out[i].SetUint64(0)
	}
	out[k].SetUint64(1)
}

// argmaxNext chooses the index after the honest one (cyclically).
func argmaxNext(f *big.Int, in, out []*big.Int) error {
	oneHot(out, (honestIndex(f, in)+1)%len(in))
	return nil
}

// argmaxLastOfTie chooses the highest index among the maxima.
func argmaxLastOfTie(f *big.Int, in, out []*big.Int) error {
	k := honestIndex(f, in)
	m := signed(f, in[k])
	for i := range in {
		if signed(f, in[i]).Cmp(m) == 0 {
			k = i
		}
	}
	oneHot(out, k)
	return nil
}

// argmaxTwoHot sets the honest index and the next one.
func argmaxTwoHot(f *big.Int, in, out []*big.Int) error {
	k := honestIndex(f, in)
	oneHot(out, k)
	out[(k+1)%len(in)].SetUint64(1)
	return nil
}

// argmaxNonBoolean returns h[k] = 2, h[k+1] = −1 (cyclically): Σh = 1 still holds and the
// output Σ i·h[i] becomes k − 1 (mod n rotations aside): only the boolean checks catch it.
func argmaxNonBoolean(f *big.Int, in, out []*big.Int) error {
	k := honestIndex(f, in)
	oneHot(out, k)
	out[k].SetUint64(2)
	out[(k+1)%len(in)].Sub(f, big.NewInt(1))
	return nil
}

func argmaxAllZero(_ *big.Int, _, out []*big.Int) error {
	for i := range out {
		out[i].SetUint64(0)
	}
	return nil
}

func honestIndex(f *big.Int, in []*big.Int) int {
	ys := make([]*big.Int, len(in))
	for i := range in {
		ys[i] = signed(f, in[i])
	}
	return ir.Argmax(ys)
}

// --- helpers -------------------------------------------------------------------------------

type goldenFile struct {
	name    string
	ir      *ir.IR
	cases   [][]*big.Int
	outputs [][]*big.Int // the outputs the cases file expects for cases[i]
	// salts and commitments: for documents with hashed inputs, the salt of cases[i] and the
	// commitment the cases file expects (nil otherwise).
	salts, commitments []*big.Int
}

// loadGolden parses every golden IR and every compiled demo model, with their valid inputs.
func loadGolden(t *testing.T) []goldenFile {
	t.Helper()
	var out []goldenFile
	for _, s := range golden.MustLoad(t) {
		d, err := ir.Parse(s.IR)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		g := goldenFile{name: s.Name, ir: d}
		for _, c := range s.Cases {
			g.cases = append(g.cases, golden.MustInts(t, c.Input))
			g.outputs = append(g.outputs, golden.MustInts(t, c.Output))
			if c.Salt != "" {
				g.salts = append(g.salts, golden.MustInts(t, []string{c.Salt})[0])
				g.commitments = append(g.commitments, golden.MustInts(t, []string{c.Commitment})[0])
			}
		}
		out = append(out, g)
	}
	return out
}

func goldenNamed(t *testing.T, name string) goldenFile {
	for _, g := range loadGolden(t) {
		if g.name == name {
			return g
		}
	}
	t.Fatalf("no golden file %s", name)
	return goldenFile{}
}

// evalWith evaluates d without the input range check, with rescale quotients shifted by
// delta, and with argmax choosing pick(y) — the outputs a cheating prover would claim.
func evalWith(d *ir.IR, inputs []*big.Int, delta int64, pick func([]*big.Int) int) []*big.Int {
	return evalNodes(d, inputs, func(n *ir.Node, in [][]*big.Int) ([]*big.Int, bool) {
		switch n.Kind() {
		case "rescale":
			out := n.Type.Eval(n, in)[0]
			for i := range out {
				out[i].Add(out[i], big.NewInt(delta))
			}
			return out, true
		case "argmax":
			return []*big.Int{big.NewInt(int64(pick(in[0])))}, true
		}
		return nil, false
	})
}

// checker compiles a circuit once (with given hints) and checks assignments with both the
// test engine and the R1CS solver.
type checker struct {
	t     *testing.T
	d     *ir.IR
	hints *Hints
	ccs   constraint.ConstraintSystem
}

func newChecker(t *testing.T, d *ir.IR, h *Hints) *checker {
	t.Helper()
	ccs, _, err := compileWith(d, h)
	if err != nil {
		t.Fatal(err)
	}
	return &checker{t: t, d: d, hints: h, ccs: ccs}
}

func (c *checker) solve(inputs, outputs []*big.Int) (engineErr, r1csErr error) {
	c.t.Helper()
	return c.solveAssignment(assignment(c.d, inputs, testSalts(c.d), outputs))
}

// testSalts is one fixed salt per commitment of d (nil without hashed inputs).
func testSalts(d *ir.IR) []*big.Int {
	var salts []*big.Int
	for i := range d.Commitments {
		salts = append(salts, big.NewInt(int64(987654321+i)))
	}
	return salts
}

func (c *checker) solveAssignment(a *Circuit) (engineErr, r1csErr error) {
	c.t.Helper()
	shape := New(c.d)
	shape.hints = c.hints
	engineErr = test.IsSolved(shape, a, field)
	w, err := frontend.NewWitness(a, field)
	if err != nil {
		c.t.Fatal(err)
	}
	r1csErr = c.ccs.IsSolved(w)
	return engineErr, r1csErr
}

func (c *checker) accept(what string, inputs, outputs []*big.Int) {
	c.t.Helper()
	e, r := c.solve(inputs, outputs)
	if e != nil || r != nil {
		c.t.Errorf("%s: valid witness rejected: engine %v, r1cs %v", what, e, r)
	}
}

func (c *checker) reject(what string, inputs, outputs []*big.Int) {
	c.t.Helper()
	e, r := c.solve(inputs, outputs)
	if e == nil {
		c.t.Errorf("%s: test engine accepted a wrong witness (inputs %v, outputs %v)", what, inputs, outputs)
	}
	if r == nil {
		c.t.Errorf("%s: R1CS solver accepted a wrong witness (inputs %v, outputs %v)", what, inputs, outputs)
	}
}

// argmaxInput returns the values the argmax op of d reads.
func argmaxInput(t *testing.T, d *ir.IR, in []*big.Int) []*big.Int {
	ev, err := d.Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range d.Nodes {
		if n.Kind() == "argmax" {
			return ev.Values[n.Inputs[0].Name]
		}
	}
	t.Fatal("no argmax")
	return nil
}

func ints(vs ...int64) []*big.Int {
	out := make([]*big.Int, len(vs))
	for i, v := range vs {
		out[i] = big.NewInt(v)
	}
	return out
}

func plus(v []*big.Int, i int, delta int64) []*big.Int {
	out := make([]*big.Int, len(v))
	for j := range v {
		out[j] = new(big.Int).Set(v[j])
	}
	out[i].Add(out[i], big.NewInt(delta))
	return out
}

// --- tests ---------------------------------------------------------------------------------

func TestGoldenCasesSatisfyTheCircuit(t *testing.T) {
	for _, g := range loadGolden(t) {
		t.Run(g.name, func(t *testing.T) {
			c := newChecker(t, g.ir, nil)
			for i, in := range g.cases {
				var salts []*big.Int
				if g.salts != nil {
					salts = g.salts[i : i+1]
				}
				a, ev, err := AssignSalted(g.ir, in, salts)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(ev.Outputs) != fmt.Sprint(g.outputs[i]) {
					t.Errorf("case %d: outputs %v, the cases file expects %v", i, ev.Outputs, g.outputs[i])
				}
				if g.salts != nil && a.Commitments[0].(*big.Int).Cmp(g.commitments[i]) != 0 {
					t.Errorf("case %d: commitment %v, the cases file expects %v", i, a.Commitments[0], g.commitments[i])
				}
				if len(g.ir.Commitments) != len(g.salts[:min(1, len(g.salts))]) {
					t.Fatalf("the document has %d commitments, the cases file salts for %d", len(g.ir.Commitments), len(g.salts[:min(1, len(g.salts))]))
				}
				if e, r := c.solveAssignment(a); e != nil || r != nil {
					t.Errorf("case %d: valid witness rejected: engine %v, r1cs %v", i, e, r)
				}
			}
		})
	}
}

func TestWrongOutputIsRejected(t *testing.T) {
	for _, g := range loadGolden(t) {
		t.Run(g.name, func(t *testing.T) {
			c := newChecker(t, g.ir, nil)
			for i, in := range g.cases[:min(6, len(g.cases))] {
				ev, _ := g.ir.Evaluate(in)
				for j := range ev.Outputs {
					c.reject(fmt.Sprintf("case %d output %d + 1", i, j), in, plus(ev.Outputs, j, 1))
					c.reject(fmt.Sprintf("case %d output %d - 1", i, j), in, plus(ev.Outputs, j, -1))
				}
			}
		})
	}
}

func TestInputOutOfRangeIsRejected(t *testing.T) {
	for _, g := range loadGolden(t) {
		t.Run(g.name, func(t *testing.T) {
			c := newChecker(t, g.ir, nil)
			lo, hi := g.ir.InputBounds()
			for i := range lo {
				for _, bad := range []*big.Int{new(big.Int).Add(hi[i], big.NewInt(1)), new(big.Int).Sub(lo[i], big.NewInt(1))} {
					in := append([]*big.Int(nil), lo...)
					in[i] = bad
					// The outputs a cheating prover would claim: the honest function of the bad input.
					out := evalWith(g.ir, in, 0, ir.Argmax)
					c.reject(fmt.Sprintf("input %d = %s", i, bad), in, out)
				}
				// Far out of range, where x − lo wraps around the field.
				in := append([]*big.Int(nil), lo...)
				in[i] = new(big.Int).Sub(lo[i], new(big.Int).Lsh(big.NewInt(1), 200))
				c.reject(fmt.Sprintf("input %d far below", i), in, evalWith(g.ir, in, 0, ir.Argmax))
			}
			// Boundaries are accepted.
			c.accept("all lo", lo, evalWith(g.ir, lo, 0, ir.Argmax))
			c.accept("all hi", hi, evalWith(g.ir, hi, 0, ir.Argmax))
		})
	}
}

func TestMaliciousRescaleHintsAreRejected(t *testing.T) {
	for _, name := range []string{"regressor-2x3.ir.json", "classifier-4x2-rescaled.ir.json"} {
		t.Run(name, func(t *testing.T) {
			g := goldenNamed(t, name)
			// Control: an honest hint injected the same way is accepted, so a rejection below
			// is caused by the hint's lie and nothing else.
			ctl := newChecker(t, g.ir, &Hints{Rescale: honestRescaleCopy, Argmax: ArgmaxHint, SplitBits: SplitBitsHint})
			minus := newChecker(t, g.ir, &Hints{Rescale: rescaleQMinus1, Argmax: ArgmaxHint, SplitBits: SplitBitsHint})
			plusOne := newChecker(t, g.ir, &Hints{Rescale: rescaleQPlus1, Argmax: ArgmaxHint, SplitBits: SplitBitsHint})
			big := newChecker(t, g.ir, &Hints{Rescale: rescaleRemainderTooBig, Argmax: ArgmaxHint, SplitBits: SplitBitsHint})
			other := newChecker(t, g.ir, &Hints{Rescale: rescaleOtherRemainder, Argmax: ArgmaxHint, SplitBits: SplitBitsHint})
			for i, in := range g.cases[:8] {
				ctl.accept(fmt.Sprintf("case %d honest", i), in, evalWith(g.ir, in, 0, ir.Argmax))
				minus.reject(fmt.Sprintf("case %d (q-1, r+2^k)", i), in, evalWith(g.ir, in, -1, ir.Argmax))
				plusOne.reject(fmt.Sprintf("case %d (q+1, r-2^k)", i), in, evalWith(g.ir, in, +1, ir.Argmax))
				big.reject(fmt.Sprintf("case %d (q, r+2^k)", i), in, evalWith(g.ir, in, 0, ir.Argmax))
				other.reject(fmt.Sprintf("case %d (q' = (x-r')/2^k in the field)", i), in, evalWithRescaleHint(g.ir, in, rescaleOtherRemainder))
				// Claimed outputs that match the honest ones do not save a lying hint either.
				minus.reject(fmt.Sprintf("case %d (q-1) honest outputs", i), in, evalWith(g.ir, in, 0, ir.Argmax))
			}
		})
	}
}

func TestMaliciousArgmaxHintsAreRejected(t *testing.T) {
	g := goldenNamed(t, "classifier-3x4.ir.json")
	ctl := newChecker(t, g.ir, &Hints{Rescale: RescaleHint, Argmax: honestArgmaxCopy, SplitBits: SplitBitsHint})
	next := newChecker(t, g.ir, &Hints{Rescale: RescaleHint, Argmax: argmaxNext, SplitBits: SplitBitsHint})
	lastTie := newChecker(t, g.ir, &Hints{Rescale: RescaleHint, Argmax: argmaxLastOfTie, SplitBits: SplitBitsHint})
	twoHot := newChecker(t, g.ir, &Hints{Rescale: RescaleHint, Argmax: argmaxTwoHot, SplitBits: SplitBitsHint})
	zero := newChecker(t, g.ir, &Hints{Rescale: RescaleHint, Argmax: argmaxAllZero, SplitBits: SplitBitsHint})
	nonBool := newChecker(t, g.ir, &Hints{Rescale: RescaleHint, Argmax: argmaxNonBoolean, SplitBits: SplitBitsHint})
	pickNext := func(y []*big.Int) int { return (ir.Argmax(y) + 1) % len(y) }
	pickLast := func(y []*big.Int) int {
		k := ir.Argmax(y)
		for i := range y {
			if y[i].Cmp(y[k]) == 0 {
				k = i
			}
		}
		return k
	}

	// The worked example: acc = [-3, 3, 3], a tie between 1 and 2; the answer is 1.
	tie := ints(-1, 0, 0, 2)
	ctl.accept("tie, honest", tie, ints(1))
	lastTie.reject("tie, later index chosen", tie, ints(2))
	lastTie.reject("tie, later index chosen, honest output claimed", tie, ints(1))
	next.reject("tie, next index chosen", tie, ints(2))

	for i, in := range g.cases {
		ctl.accept(fmt.Sprintf("case %d honest", i), in, evalWith(g.ir, in, 0, ir.Argmax))
		next.reject(fmt.Sprintf("case %d next index", i), in, evalWith(g.ir, in, 0, pickNext))
		twoHot.reject(fmt.Sprintf("case %d two-hot", i), in, evalWith(g.ir, in, 0, ir.Argmax))
		zero.reject(fmt.Sprintf("case %d all-zero, label 0", i), in, ints(0))
		k := int64(ir.Argmax(argmaxInput(t, g.ir, in)))
		n := int64(len(argmaxInput(t, g.ir, in)))
		nonBool.reject(fmt.Sprintf("case %d non-boolean one-hot", i), in, ints(2*k-(k+1)%n))
		if y := argmaxInput(t, g.ir, in); pickLast(y) != ir.Argmax(y) {
			lastTie.reject(fmt.Sprintf("case %d later tie", i), in, evalWith(g.ir, in, 0, pickLast))
		}
	}

	// After a rescale too.
	g2 := goldenNamed(t, "classifier-4x2-rescaled.ir.json")
	ctl2 := newChecker(t, g2.ir, &Hints{Rescale: RescaleHint, Argmax: honestArgmaxCopy, SplitBits: SplitBitsHint})
	next2 := newChecker(t, g2.ir, &Hints{Rescale: RescaleHint, Argmax: argmaxNext, SplitBits: SplitBitsHint})
	for i, in := range g2.cases[:8] {
		ctl2.accept(fmt.Sprintf("rescaled case %d honest", i), in, evalWith(g2.ir, in, 0, ir.Argmax))
		next2.reject(fmt.Sprintf("rescaled case %d next index", i), in, evalWith(g2.ir, in, 0, pickNext))
	}
}

func TestPublicInputOrderAndNegativeValues(t *testing.T) {
	g := goldenNamed(t, "classifier-3x4.ir.json")
	a, _, err := Assign(g.ir, ints(-1, 0, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	w, err := frontend.NewWitness(a, field)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := w.Public()
	if err != nil {
		t.Fatal(err)
	}
	vec := pub.Vector().(fr.Vector)
	want := []string{"21888242871839275222246405745257275088548364400416034343698204186575808495616", "0", "0", "2", "1"}
	if len(vec) != len(want) {
		t.Fatalf("%d public inputs, want %d", len(vec), len(want))
	}
	for i := range want {
		var b big.Int
		if got := vec[i].BigInt(&b).String(); got != want[i] {
			t.Errorf("public input %d = %s, want %s", i, got, want[i])
		}
	}
}

func TestConstraintCounts(t *testing.T) {
	g := goldenNamed(t, "classifier-3x4.ir.json")
	ccs, err := Compile(g.ir)
	if err != nil {
		t.Fatal(err)
	}
	// Exact, so that a gadget losing a constraint shows up here. Inputs x ∈ [-512, 512]²,
	// [0, 1023], [-100, 100]: two decompositions of bitlen(hi − lo) = 11, 11, 10, 8 bits each,
	// one boolean constraint per bit and one recomposition per decomposition. Argmax over 3
	// values in [-2560, 3583]: 3 booleans, Σh = 1, 3 products h[i]·y[i], 3 decompositions of
	// bitlen(3583 + 2560) = 13 bits with their recompositions. Then the output equality.
	inputs := 2*(11+11+10+8) + 8
	argmax := 3 + 1 + 3 + 3*13 + 3
	if n, want := ccs.GetNbConstraints(), inputs+argmax+1; n != want {
		t.Errorf("constraint count %d, want %d", n, want)
	}
	if ccs.GetNbPublicVariables() != 1+5 {
		t.Errorf("public variables %d, want 6 (one, 4 inputs, 1 output)", ccs.GetNbPublicVariables())
	}
	t.Logf("classifier-3x4: %d constraints", ccs.GetNbConstraints())
}

func TestNoCommitments(t *testing.T) {
	// Plain Groth16: no std/rangecheck, no Pedersen commitment in any golden circuit.
	for _, g := range loadGolden(t) {
		ccs, err := Compile(g.ir)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(ccs.GetCommitments().CommitmentIndexes()); n != 0 {
			t.Errorf("%s: %d commitments", g.name, n)
		}
	}
}

func signed(f, e *big.Int) *big.Int { return ir.Signed(f, e) }
