// Package circuit is a gnark circuit that interprets an IR document (package ir, version 2 or a
// lifted version 1): one circuit type for every model, its shape given by the IR. It is the thin
// driver of docs/ir-format.md, "Evaluation order of the constraints": it range-checks the inputs
// (in input order), defines each op's constraints through the op registry (ir.OpType.Define, in
// document order), then asserts that each output value equals its public input.
//
// Public inputs, in the verifier's order, are the values of the public inputs (In), then the
// commitments to the hashed inputs (Commitments), then the output values (Out), each a field
// element (a negative value v is r + v). The values of private and hashed inputs (Secret) and the
// commitments' salts (Salts) are private witness values. Constants are part of the circuit.
// For a document whose inputs are all public, Commitments, Secret and Salts are empty and the
// constraint system is what it was before they existed (TestV1ConstraintSystemsAreUnchanged).
//
// Every hint output is fully constrained: a wrong hint makes the witness unsatisfiable (see the
// negative tests). Range checks are plain bit decompositions (no std/rangecheck, so no
// commitment: the proofs are plain Groth16), unless the document says "range_check": "lookup":
// then every range check (inputs, rescale, argmax, relu, split_bits) goes through gnark's
// std/rangecheck (LogUp; its table and the lookups are added when Define returns, counted as
// KindRangeLookup, and the circuit has one BSB22 commitment).
//
// The hint functions live here, under fixed names: gnark derives a hint's identifier from the
// function's fully-qualified name and stores that name in the constraint system, so
// circuit.RescaleHint and circuit.ArgmaxHint must keep v0.1's names for v1 documents to compile to
// the bytes v0.1 produced (TestV1ConstraintSystemsAreUnchanged, TestHintIdentifiersAreFixed).
package circuit

import (
	"fmt"
	"hash/fnv"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/std/rangecheck"

	"github.com/zkml-service/zkml/native/commit"
	"github.com/zkml-service/zkml/native/ir"
)

// The fully-qualified names of the hint functions, from which gnark derives their identifiers.
// Never change them: stored constraint systems name these hints.
const (
	RescaleHintName   = "github.com/zkml-service/zkml/native/circuit.RescaleHint"
	ArgmaxHintName    = "github.com/zkml-service/zkml/native/circuit.ArgmaxHint"
	SplitBitsHintName = "github.com/zkml-service/zkml/native/circuit.SplitBitsHint"
	ReluHintName      = "github.com/zkml-service/zkml/native/circuit.ReluHint"
	MaxpoolHintName   = "github.com/zkml-service/zkml/native/circuit.MaxpoolHint"
)

// The hint identifiers (FNV-32a of the names, as gnark's solver.GetHintID computes them).
var (
	RescaleHintID   = hintID(RescaleHintName)
	ArgmaxHintID    = hintID(ArgmaxHintName)
	SplitBitsHintID = hintID(SplitBitsHintName)
	ReluHintID      = hintID(ReluHintName)
	MaxpoolHintID   = hintID(MaxpoolHintName)
)

func hintID(name string) solver.HintID {
	h := fnv.New32a()
	h.Write([]byte(name))
	return solver.HintID(h.Sum32())
}

func init() {
	// Registered under the fixed identifiers, so that a stored constraint system solves even if
	// a function is ever renamed (TestHintIdentifiersAreFixed fails first).
	solver.RegisterNamedHint(RescaleHint, RescaleHintID)
	solver.RegisterNamedHint(ArgmaxHint, ArgmaxHintID)
	solver.RegisterNamedHint(SplitBitsHint, SplitBitsHintID)
	solver.RegisterNamedHint(ReluHint, ReluHintID)
	solver.RegisterNamedHint(MaxpoolHint, MaxpoolHintID)
}

// RescaleHint is ir.RescaleHint under v0.1's name.
func RescaleHint(field *big.Int, inputs, outputs []*big.Int) error {
	return ir.RescaleHint(field, inputs, outputs)
}

// ArgmaxHint is ir.ArgmaxHint under v0.1's name.
func ArgmaxHint(field *big.Int, inputs, outputs []*big.Int) error {
	return ir.ArgmaxHint(field, inputs, outputs)
}

// SplitBitsHint is ir.SplitBitsHint under a fixed name.
func SplitBitsHint(field *big.Int, inputs, outputs []*big.Int) error {
	return ir.SplitBitsHint(field, inputs, outputs)
}

// ReluHint is ir.ReluHint under a fixed name.
func ReluHint(field *big.Int, inputs, outputs []*big.Int) error {
	return ir.ReluHint(field, inputs, outputs)
}

// MaxpoolHint is ir.MaxpoolHint under a fixed name.
func MaxpoolHint(field *big.Int, inputs, outputs []*big.Int) error {
	return ir.MaxpoolHint(field, inputs, outputs)
}

// Hints are the hint functions Define uses (a nil field: the honest one). Tests swap in
// malicious ones to check that the constraints reject them.
type Hints struct {
	Rescale, Argmax, SplitBits, Relu, Maxpool solver.Hint
}

var honestHints = &Hints{Rescale: RescaleHint, Argmax: ArgmaxHint, SplitBits: SplitBitsHint, Relu: ReluHint, Maxpool: MaxpoolHint}

func (h *Hints) context() *ir.Context {
	if h == nil {
		h = honestHints
	}
	or := func(f, honest solver.Hint) solver.Hint { // a nil field: the honest hint
		if f == nil {
			return honest
		}
		return f
	}
	return &ir.Context{Hints: map[string]solver.Hint{
		ir.HintRescale: or(h.Rescale, RescaleHint), ir.HintArgmax: or(h.Argmax, ArgmaxHint),
		ir.HintSplitBits: or(h.SplitBits, SplitBitsHint), ir.HintRelu: or(h.Relu, ReluHint),
		ir.HintMaxpool: or(h.Maxpool, MaxpoolHint),
	}}
}

// The kinds of ConstraintsByOp besides the op names.
const (
	KindInputRange = "input_range"
	KindCommitment = "commitment"
	KindOutput     = "output"
	// KindWeightRange: the range checks of the private weights (hashed constants, issue 8).
	KindWeightRange = "weight_range"
	// KindRangeLookup: the constraints std/rangecheck adds after Define (the table, the LogUp
	// sums, the limb decompositions); only for "range_check": "lookup".
	KindRangeLookup = "range_lookup"
)

// OpCount is the number of constraints of one kind.
type OpCount struct {
	Kind        string
	Constraints int
}

// ConstraintsByOp lists the constraints each kind added ("input_range", an op name, "output"), in
// the order each kind first added constraints. It marshals to a JSON object in that order.
type ConstraintsByOp []OpCount

// MarshalJSON writes {"input_range":36,"split_bits":43,...}.
func (c ConstraintsByOp) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, oc := range c {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, fmt.Sprintf("%q:%d", oc.Kind, oc.Constraints)...)
	}
	return append(b, '}'), nil
}

// Total is the sum of the counts.
func (c ConstraintsByOp) Total() int {
	n := 0
	for _, oc := range c {
		n += oc.Constraints
	}
	return n
}

func (c *ConstraintsByOp) add(kind string, n int) {
	for i := range *c {
		if (*c)[i].Kind == kind {
			(*c)[i].Constraints += n
			return
		}
	}
	*c = append(*c, OpCount{kind, n})
}

// counter reads the number of constraints of the constraint system being built.
type counter struct {
	cs   interface{ GetNbConstraints() int }
	byOp ConstraintsByOp
	last int
}

func (k *counter) mark(kind string) {
	if k == nil || k.cs == nil {
		return
	}
	n := k.cs.GetNbConstraints()
	k.byOp.add(kind, n-k.last)
	k.last = n
}

// Circuit interprets one IR document. Create it with New (for compilation) or Assign (for a
// witness); the IR is an unexported field, so it is part of the shape, not of the witness.
type Circuit struct {
	In          []frontend.Variable `gnark:",public"`
	Commitments []frontend.Variable `gnark:",public"`
	Out         []frontend.Variable `gnark:",public"`
	Secret      []frontend.Variable `gnark:",secret"`
	Salts       []frontend.Variable `gnark:",secret"`
	// Weights are the values of the hashed constants (issue 8: private weights), all of them in
	// tensor order; empty for a document without hashed constants (so its witness is unchanged).
	Weights []frontend.Variable `gnark:",secret"`

	ir    *ir.IR
	hints *Hints   // nil: the honest hints
	count *counter // nil: no per-op counts
}

// New returns the circuit shape of d, ready for frontend.Compile.
func New(d *ir.IR) *Circuit {
	pub := d.PublicInputSize()
	return &Circuit{
		In:          make([]frontend.Variable, pub),
		Commitments: make([]frontend.Variable, len(d.Commitments)),
		Out:         make([]frontend.Variable, d.PublicOutputSize()),
		Secret:      make([]frontend.Variable, d.InputSize()-pub),
		Salts:       make([]frontend.Variable, len(d.Commitments)),
		Weights:     make([]frontend.Variable, d.WeightSize()),
		ir:          d,
	}
}

// Assign evaluates d on inputs (signed integers, all inputs in input order) and returns the full
// assignment and the evaluation. It is AssignSalted without salts: for documents without
// hashed inputs.
func Assign(d *ir.IR, inputs []*big.Int) (*Circuit, *ir.Evaluation, error) {
	return AssignSalted(d, inputs, nil)
}

// AssignSalted evaluates d on inputs and computes each commitment (docs/commitments.md) with its
// salt (one per commitment of d, each in [0, r)). The error is an *ir.InputError if the inputs
// or the salts are rejected.
func AssignSalted(d *ir.IR, inputs, salts []*big.Int) (*Circuit, *ir.Evaluation, error) {
	return AssignWeighted(d, inputs, nil, salts)
}

// AssignWeighted is AssignSalted with the private weights of a document with hashed constants
// (all hashed constants, tensor order; each in its declared range). The error is an
// *ir.InputError if the inputs, the weights or the salts are rejected.
func AssignWeighted(d *ir.IR, inputs, weights, salts []*big.Int) (*Circuit, *ir.Evaluation, error) {
	ev, err := d.EvaluateWeighted(inputs, weights)
	if err != nil {
		return nil, nil, err
	}
	if len(salts) != len(d.Commitments) {
		if len(d.Commitments) == 0 {
			return nil, nil, &ir.InputError{Kind: ir.WrongSaltCount,
				Msg: fmt.Sprintf("circuit %q has no hashed inputs or outputs, so it takes no salt", d.Name)}
		}
		return nil, nil, &ir.InputError{Kind: ir.WrongSaltCount,
			Msg: fmt.Sprintf("circuit %q has %d commitment(s) (hashed inputs, hashed outputs) and needs one salt each, got %d", d.Name, len(d.Commitments), len(salts))}
	}
	for i, s := range salts {
		if s == nil || s.Sign() < 0 || s.Cmp(ir.Modulus) >= 0 {
			return nil, nil, &ir.InputError{Kind: ir.SaltNotFieldElement,
				Msg: fmt.Sprintf("salt %d is not a field element in [0, r): %v", i, s)}
		}
	}
	return assignmentWeighted(d, inputs, weights, salts, ev.Outputs), ev, nil
}

// assignment places inputs (all inputs, input order) by visibility and computes the commitments
// from them as the gadget does (packing in the field, no range check): for inputs in range this
// is commit.Commit; for others it is what a cheating prover would claim (tests).
func assignment(d *ir.IR, inputs, salts, outputs []*big.Int) *Circuit {
	return assignmentWeighted(d, inputs, nil, salts, outputs)
}

// assignmentWeighted is assignment with private weights (unchecked: tests use it for weights the
// circuit refuses).
func assignmentWeighted(d *ir.IR, inputs, weights, salts, outputs []*big.Int) *Circuit {
	c := New(d)
	for i, v := range weights {
		c.Weights[i] = ir.ToField(v)
	}
	public, secret := d.Split(inputs)
	for i, v := range public {
		c.In[i] = ir.ToField(v)
	}
	for i, v := range secret {
		c.Secret[i] = ir.ToField(v)
	}
	for i, cm := range d.Commitments {
		c.Salts[i] = new(big.Int).Set(salts[i])
		c.Commitments[i] = CommitmentOf(d, cm, d.CommittedValuesWeighted(cm, inputs, outputs, weights), salts[i])
	}
	for i, v := range d.PublicOutputs(outputs) {
		c.Out[i] = ir.ToField(v)
	}
	return c
}

// CommitmentOf is the commitment the circuit computes for cm over values (its tensors' elements,
// in order) and salt: the recipe of docs/commitments.md with the packing done in the field, so
// that values outside the layout give what the gadget would compute (and the range checks then
// refuse). For values inside the layout it equals commit.Commit.
func CommitmentOf(d *ir.IR, cm *ir.Commitment, values []*big.Int, salt *big.Int) *big.Int {
	lo, hi := d.CommittedBounds(cm)
	l, err := commit.LayoutFromBounds(lo, hi)
	if err != nil {
		panic(err) // the reader checked every width (at most 248 bits)
	}
	tag, err := commit.Tag(cm.Domain)
	if err != nil {
		panic(err)
	}
	slots, n := l.Slots()
	acc := make([]*big.Int, n)
	for j := range acc {
		acc[j] = new(big.Int)
	}
	for i, v := range values {
		u := new(big.Int).Sub(v, lo[i])
		acc[slots[i].Element].Add(acc[slots[i].Element], u.Lsh(u, uint(slots[i].Offset)))
	}
	seq := []fr.Element{tag}
	for _, a := range acc {
		var e fr.Element
		e.SetBigInt(a) // reduced mod r
		seq = append(seq, e)
	}
	var s fr.Element
	s.SetBigInt(salt)
	return commit.Int(commit.Hash(append(seq, s)))
}

// PublicInputs returns the public inputs of an assignment, in the verifier's order: In, then
// Commitments, then Out.
func PublicInputs(c *Circuit) []*big.Int {
	var out []*big.Int
	for _, group := range [][]frontend.Variable{c.In, c.Commitments, c.Out} {
		for _, v := range group {
			out = append(out, new(big.Int).Set(v.(*big.Int)))
		}
	}
	return out
}

// publicValues has exactly the witness fields of Circuit, in the same order, and nothing else:
// the witness of a Circuit is the values of In, Commitments, Out (public), then Secret, Salts. Building the witness from it rather than
// from a Circuit keeps gnark's reflection walk (frontend.NewWitness visits every field, the
// unexported IR included) from walking the whole IR: for a 100-tree forest that walk alone took
// ~0.8 s of every proof.
type publicValues struct {
	In          []frontend.Variable `gnark:",public"`
	Commitments []frontend.Variable `gnark:",public"`
	Out         []frontend.Variable `gnark:",public"`
	Secret      []frontend.Variable `gnark:",secret"`
	Salts       []frontend.Variable `gnark:",secret"`
	Weights     []frontend.Variable `gnark:",secret"`
}

// Define is never called: publicValues only carries values to frontend.NewWitness.
func (*publicValues) Define(frontend.API) error {
	return fmt.Errorf("circuit: publicValues is a witness, not a circuit")
}

// NewWitness returns the full witness (the public inputs, then the private input values and the
// salts; every hint output is computed by the solver) of an assignment made by Assign.
func NewWitness(c *Circuit) (witness.Witness, error) {
	return frontend.NewWitness(&publicValues{In: c.In, Commitments: c.Commitments, Out: c.Out,
		Secret: c.Secret, Salts: c.Salts, Weights: c.Weights}, ecc.BN254.ScalarField())
}

// Compile compiles the circuit of d to an R1CS over BN254.
func Compile(d *ir.IR) (constraint.ConstraintSystem, error) {
	cs, _, err := compileWith(d, nil)
	return cs, err
}

// CompileWithCounts is Compile that also returns the constraints each op kind added.
func CompileWithCounts(d *ir.IR) (constraint.ConstraintSystem, ConstraintsByOp, error) {
	return compileWith(d, nil)
}

func compileWith(d *ir.IR, h *Hints) (constraint.ConstraintSystem, ConstraintsByOp, error) {
	return compileOn(d, h, r1cs.NewBuilder[constraint.U64], "R1CS")
}

// compileOn compiles the circuit of d with the given gnark builder (r1cs for Groth16, scs for
// PLONK), counting the constraints each op kind adds.
func compileOn(d *ir.IR, h *Hints, builder func(*big.Int, frontend.CompileConfig) (frontend.Builder[constraint.U64], error),
	system string) (constraint.ConstraintSystem, ConstraintsByOp, error) {
	c := New(d)
	c.hints = h
	c.count = &counter{}
	newBuilder := func(field *big.Int, cfg frontend.CompileConfig) (frontend.Builder[constraint.U64], error) {
		b, err := builder(field, cfg)
		if err != nil {
			return nil, err
		}
		// Compile hands back the builder's constraint system, empty so far (it only logs and runs
		// a check that is a no-op in gnark v0.16.3): Define reads its constraint count as it grows.
		cs, err := b.Compile()
		if err != nil {
			return nil, err
		}
		c.count.cs = cs
		return b, nil
	}
	cs, err := frontend.Compile(ecc.BN254.ScalarField(), newBuilder, c)
	if err != nil {
		return nil, nil, err
	}
	if n := cs.GetNbConstraints() - c.count.byOp.Total(); d.Lookup() && n > 0 {
		c.count.byOp.add(KindRangeLookup, n) // std/rangecheck's deferred constraints
	}
	if got := c.count.byOp.Total(); got != cs.GetNbConstraints() {
		return nil, nil, fmt.Errorf("circuit: the per-op counts add up to %d constraints, the %s has %d", got, system, cs.GetNbConstraints())
	}
	return cs, c.count.byOp, nil
}

// Define implements frontend.Circuit. Every integer constant enters the circuit reduced into
// [0, r) (ir.ToField), so the test engine and the R1CS builder see the same values.
func (c *Circuit) Define(api frontend.API) error {
	d := c.ir
	if d == nil {
		return fmt.Errorf("circuit: no IR (create the circuit with circuit.New)")
	}
	pub := d.PublicInputSize()
	if len(c.In) != pub || len(c.Secret) != d.InputSize()-pub || len(c.Out) != d.PublicOutputSize() {
		return fmt.Errorf("circuit: %d public and %d private inputs and %d public outputs, the IR has %d, %d and %d",
			len(c.In), len(c.Secret), len(c.Out), pub, d.InputSize()-pub, d.PublicOutputSize())
	}
	if len(c.Weights) != d.WeightSize() {
		return fmt.Errorf("circuit: %d private weights, the IR has %d", len(c.Weights), d.WeightSize())
	}
	if len(c.Commitments) != len(d.Commitments) || len(c.Salts) != len(d.Commitments) {
		return fmt.Errorf("circuit: %d commitments and %d salts, the IR has %d commitments",
			len(c.Commitments), len(c.Salts), len(d.Commitments))
	}
	ctx := c.hints.context()
	if d.Lookup() {
		ctx.Range = rangecheck.New(api)
	}
	if c.count != nil {
		c.count.byOp, c.count.last = nil, 0
		if c.count.cs != nil {
			c.count.last = c.count.cs.GetNbConstraints()
		}
	}
	vals := map[string][]frontend.Variable{}
	kW := 0
	for _, t := range d.Tensors {
		if t.IsHashed() {
			vals[t.Name] = c.Weights[kW : kW+t.Size]
			kW += t.Size
		} else if t.IsConstant() {
			v := make([]frontend.Variable, t.Size)
			for i, x := range t.Values {
				v[i] = ir.ToField(x)
			}
			vals[t.Name] = v
		}
	}
	kPub, kSec := 0, 0
	for _, name := range d.Inputs {
		t := d.Tensor(name)
		var x []frontend.Variable
		if t.Visibility == ir.VisibilityPublic {
			x = c.In[kPub : kPub+t.Size]
			kPub += t.Size
		} else {
			x = c.Secret[kSec : kSec+t.Size]
			kSec += t.Size
		}
		for i := range x {
			ctx.RangeCheck(api, x[i], t.Lo[i], t.Hi[i])
		}
		vals[name] = x
	}
	c.count.mark(KindInputRange)
	// The commitment to the hashed inputs, after the range checks that make its packing injective
	// (docs/commitments.md, "In the circuit").
	commitTo := func(i int, cm *ir.Commitment) error {
		var values []frontend.Variable
		for _, name := range cm.Tensors {
			values = append(values, vals[name]...)
		}
		lo, hi := d.CommittedBounds(cm)
		l, err := commit.LayoutFromBounds(lo, hi)
		if err != nil {
			return fmt.Errorf("circuit: commitment %q: %w", cm.Name, err)
		}
		h, err := commit.CommitGadget(api, cm.Domain, l, values, c.Salts[i])
		if err != nil {
			return fmt.Errorf("circuit: commitment %q: %w", cm.Name, err)
		}
		api.AssertIsEqual(c.Commitments[i], h)
		return nil
	}
	inputCommitments := 0
	for i, cm := range d.Commitments {
		if cm.Domain != ir.InputsDomain {
			continue
		}
		if err := commitTo(i, cm); err != nil {
			return err
		}
		inputCommitments++
	}
	if inputCommitments > 0 {
		c.count.mark(KindCommitment)
	}
	// The private weights (hashed constants, issue 8): each range-checked to its declared
	// [lo, hi] (which makes the packing of their commitment injective and bounds the products of
	// the ops), then their commitment (domain zkml-weights-v1, its own salt).
	if d.HasHashedWeights() {
		for _, t := range d.HashedConstants() {
			for i, w := range vals[t.Name] {
				rangeCheckDeclared(api, ctx, w, t.Lo[i], t.Hi[i])
			}
		}
		c.count.mark(KindWeightRange)
		for i, cm := range d.Commitments {
			if cm.Domain != ir.WeightsDomain {
				continue
			}
			if err := commitTo(i, cm); err != nil {
				return err
			}
		}
		c.count.mark(KindCommitment)
	}
	for i, n := range d.Nodes {
		in := make([][]frontend.Variable, len(n.Inputs))
		for j, t := range n.Inputs {
			in[j] = vals[t.Name]
		}
		outs, err := n.Type.Define(api, ctx, n, in)
		if err != nil {
			return fmt.Errorf("circuit: ops[%d] (%s): %w", i, n.Kind(), err)
		}
		if len(outs) != len(n.Outputs) {
			return fmt.Errorf("circuit: ops[%d] (%s) defined %d outputs, not %d", i, n.Kind(), len(outs), len(n.Outputs))
		}
		for j, t := range n.Outputs {
			vals[t.Name] = outs[j]
		}
		c.count.mark(n.Kind())
	}
	k := 0
	for _, name := range d.Outputs {
		if d.Tensor(name).Visibility != ir.VisibilityPublic {
			continue
		}
		for _, v := range vals[name] {
			api.AssertIsEqual(c.Out[k], v)
			k++
		}
	}
	c.count.mark(KindOutput)
	// The commitment to the hashed outputs: every op constrains its output to an integer within
	// the output's bounds (docs/ir-format.md), which is what makes the packing injective.
	outputCommitments := 0
	for i, cm := range d.Commitments {
		if cm.Domain != ir.OutputsDomain {
			continue
		}
		if err := commitTo(i, cm); err != nil {
			return err
		}
		outputCommitments++
	}
	if outputCommitments > 0 {
		c.count.mark(KindCommitment)
	}
	return nil
}

// rangeCheckDeclared constrains lo ≤ w ≤ hi for a private weight. A declared signed width b
// gives hi − lo + 1 = 2^b: then one b-bit decomposition of w − lo is exact (b + 1 constraints);
// otherwise both ends are checked as for an input.
func rangeCheckDeclared(api frontend.API, ctx *ir.Context, w frontend.Variable, lo, hi *big.Int) {
	span := new(big.Int).Sub(hi, lo)
	span.Add(span, big.NewInt(1))
	if lo.Cmp(hi) != 0 && span.BitLen()-1 == int(span.TrailingZeroBits()) {
		ctx.AssertBits(api, api.Sub(w, ir.ToField(lo)), span.BitLen()-1)
		return
	}
	ctx.RangeCheck(api, w, lo, hi)
}
