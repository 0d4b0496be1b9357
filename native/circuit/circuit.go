// Package circuit is a gnark circuit that interprets an IR v1 document (package ir): one
// circuit type for every model, its shape given by the IR.
//
// Public inputs, in the verifier's order, are the input values (In) and then the output
// values (Out), each a field element (a negative value v is r + v). Weights and biases are
// constants of the circuit. The gadgets are those of docs/ir-format.md:
//
//   - input range checks: x − lo and hi − x each decomposed into w = bitlen(hi − lo) bits
//     (x = lo asserted directly when lo = hi);
//   - dense: a linear combination with constant coefficients, zero constraints;
//   - rescale by k: a hint gives q and r; x = q·2^k + r, r decomposed into k bits, q − lo
//     into w = bitlen(hi − lo) bits (k = 0 is the identity, no constraints);
//   - argmax: a hint gives a one-hot h; each h[i] boolean, Σh = 1, m = Σ h[i]·y[i],
//     out = Σ i·h[i], and d[j] = m − y[j] − before[j] decomposed into b bits, where
//     before[j] = 1 − Σ_{i≤j} h[i] and b = bitlen(max(hi) − min(lo)) (size 1: out = 0).
//
// Every hint output is fully constrained: a wrong hint makes the witness unsatisfiable
// (see the negative tests). Range checks are plain bit decompositions (no std/rangecheck,
// so no commitment: the proofs are plain Groth16).
package circuit

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/std/math/bits"

	"github.com/zkml-service/zkml/native/ir"
)

func init() {
	solver.RegisterHint(RescaleHint, ArgmaxHint)
}

// hintSet names the hint functions Define uses, by their registered IDs (plain values, so the
// circuit struct stays comparable for gnark's test engine). Tests swap in malicious hints to
// check that the constraints reject them.
type hintSet struct {
	rescale solver.HintID
	argmax  solver.HintID
}

func hints(rescale, argmax solver.Hint) hintSet {
	return hintSet{rescale: solver.GetHintID(rescale), argmax: solver.GetHintID(argmax)}
}

var honestHints = hints(RescaleHint, ArgmaxHint)

// Circuit interprets one IR document. Create it with New (for compilation) or Assign (for a
// witness); the IR is an unexported field, so it is part of the shape, not of the witness.
type Circuit struct {
	In  []frontend.Variable `gnark:",public"`
	Out []frontend.Variable `gnark:",public"`

	ir    *ir.IR
	hints hintSet
}

// New returns the circuit shape of d, ready for frontend.Compile.
func New(d *ir.IR) *Circuit {
	return &Circuit{
		In:    make([]frontend.Variable, d.InputSize()),
		Out:   make([]frontend.Variable, d.OutputSize()),
		ir:    d,
		hints: honestHints,
	}
}

// Assign evaluates d on inputs (signed integers) and returns the full assignment and the
// evaluation. The error is an *ir.InputError if the inputs are rejected.
func Assign(d *ir.IR, inputs []*big.Int) (*Circuit, *ir.Evaluation, error) {
	ev, err := d.Evaluate(inputs)
	if err != nil {
		return nil, nil, err
	}
	return assignment(d, inputs, ev.Outputs), ev, nil
}

func assignment(d *ir.IR, inputs, outputs []*big.Int) *Circuit {
	c := New(d)
	for i, v := range inputs {
		c.In[i] = ir.ToField(v)
	}
	for i, v := range outputs {
		c.Out[i] = ir.ToField(v)
	}
	return c
}

// Compile compiles the circuit of d to an R1CS over BN254.
func Compile(d *ir.IR) (constraint.ConstraintSystem, error) {
	return compileWith(d, honestHints)
}

func compileWith(d *ir.IR, h hintSet) (constraint.ConstraintSystem, error) {
	c := New(d)
	c.hints = h
	return frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, c)
}

// Define implements frontend.Circuit. Every integer constant enters the circuit reduced
// into [0, r) (ir.ToField), so the test engine and the R1CS builder see the same values.
func (c *Circuit) Define(api frontend.API) error {
	d := c.ir
	if d == nil {
		return fmt.Errorf("circuit: no IR (create the circuit with circuit.New)")
	}
	if len(c.In) != d.InputSize() || len(c.Out) != d.OutputSize() {
		return fmt.Errorf("circuit: %d inputs and %d outputs, the IR has %d and %d",
			len(c.In), len(c.Out), d.InputSize(), d.OutputSize())
	}
	h := c.hints
	if h == (hintSet{}) {
		h = honestHints
	}
	rescaleHint, argmaxHint := solver.GetRegisteredHint(h.rescale), solver.GetRegisteredHint(h.argmax)
	if rescaleHint == nil || argmaxHint == nil {
		return fmt.Errorf("circuit: hint functions are not registered")
	}
	vals := map[string][]frontend.Variable{}
	k := 0
	for _, name := range d.Inputs {
		t := d.Tensor(name)
		x := c.In[k : k+t.Size]
		k += t.Size
		for i := range x {
			rangeCheck(api, x[i], t.Lo[i], t.Hi[i])
		}
		vals[name] = x
	}
	for _, op := range d.Ops {
		in := vals[op.In]
		out := d.Tensor(op.Out)
		switch op.Kind {
		case ir.OpDense:
			vals[op.Out] = dense(api, op, in)
		case ir.OpRescale:
			vals[op.Out] = rescale(api, rescaleHint, op.Shift, in, out)
		case ir.OpArgmax:
			vals[op.Out] = argmax(api, argmaxHint, in, d.Tensor(op.In))
		default:
			return fmt.Errorf("circuit: unknown op %q", op.Kind)
		}
	}
	k = 0
	for _, name := range d.Outputs {
		for _, v := range vals[name] {
			api.AssertIsEqual(c.Out[k], v)
			k++
		}
	}
	return nil
}

// assertBits constrains v ∈ [0, 2^n) by an n-bit decomposition (v = 0 when n = 0).
func assertBits(api frontend.API, v frontend.Variable, n int) {
	if n == 0 {
		api.AssertIsEqual(v, 0)
		return
	}
	bits.ToBinary(api, v, bits.WithNbDigits(n))
}

// rangeCheck constrains lo ≤ x ≤ hi.
func rangeCheck(api frontend.API, x frontend.Variable, lo, hi *big.Int) {
	if lo.Cmp(hi) == 0 {
		api.AssertIsEqual(x, ir.ToField(lo))
		return
	}
	w := ir.RangeBits(lo, hi)
	assertBits(api, api.Sub(x, ir.ToField(lo)), w)
	assertBits(api, api.Sub(ir.ToField(hi), x), w)
}

func dense(api frontend.API, op ir.Op, in []frontend.Variable) []frontend.Variable {
	out := make([]frontend.Variable, len(op.Weights))
	for j, row := range op.Weights {
		terms := []frontend.Variable{}
		for i, w := range row {
			if w.Sign() != 0 {
				terms = append(terms, api.Mul(ir.ToField(w), in[i]))
			}
		}
		var acc frontend.Variable = ir.ToField(op.Bias[j])
		if len(terms) > 0 {
			acc = api.Add(acc, terms[0], terms[1:]...)
		}
		out[j] = acc
	}
	return out
}

func rescale(api frontend.API, hint solver.Hint, shift uint, in []frontend.Variable, out *ir.Tensor) []frontend.Variable {
	if shift == 0 {
		return in
	}
	pow := new(big.Int).Lsh(big.NewInt(1), shift)
	res := make([]frontend.Variable, len(in))
	for i, x := range in {
		qr, err := api.Compiler().NewHint(hint, 2, shift, x)
		if err != nil {
			panic(err)
		}
		q, r := qr[0], qr[1]
		api.AssertIsEqual(x, api.Add(api.Mul(q, pow), r))
		assertBits(api, r, int(shift))
		assertBits(api, api.Sub(q, ir.ToField(out.Lo[i])), ir.RangeBits(out.Lo[i], out.Hi[i]))
		res[i] = q
	}
	return res
}

func argmax(api frontend.API, hint solver.Hint, y []frontend.Variable, in *ir.Tensor) []frontend.Variable {
	n := len(y)
	if n == 1 {
		return []frontend.Variable{0}
	}
	h, err := api.Compiler().NewHint(hint, n, y...)
	if err != nil {
		panic(err)
	}
	sum := make([]frontend.Variable, n)
	prods := make([]frontend.Variable, n)
	idx := make([]frontend.Variable, n)
	for i := range h {
		api.AssertIsBoolean(h[i])
		sum[i] = h[i]
		prods[i] = api.Mul(h[i], y[i])
		idx[i] = api.Mul(i, h[i])
	}
	api.AssertIsEqual(api.Add(sum[0], sum[1], sum[2:]...), 1)
	m := api.Add(prods[0], prods[1], prods[2:]...)
	minLo, maxHi := in.Lo[0], in.Hi[0]
	for i := 1; i < n; i++ {
		if in.Lo[i].Cmp(minLo) < 0 {
			minLo = in.Lo[i]
		}
		if in.Hi[i].Cmp(maxHi) > 0 {
			maxHi = in.Hi[i]
		}
	}
	b := ir.RangeBits(minLo, maxHi)
	var prefix frontend.Variable = 0
	for j := 0; j < n; j++ {
		prefix = api.Add(prefix, h[j])
		before := api.Sub(1, prefix)
		assertBits(api, api.Sub(m, y[j], before), b)
	}
	return []frontend.Variable{api.Add(idx[0], idx[1], idx[2:]...)}
}

// signed reads a field element as a signed integer (e − field when e > field/2).
func signed(field, e *big.Int) *big.Int {
	v := new(big.Int).Mod(e, field)
	if v.Cmp(new(big.Int).Rsh(field, 1)) > 0 {
		v.Sub(v, field)
	}
	return v
}

// RescaleHint: inputs (k, x), outputs (q, r) with x = q·2^k + r, 0 ≤ r < 2^k (floor division
// of the signed integer x).
func RescaleHint(field *big.Int, inputs, outputs []*big.Int) error {
	if len(inputs) != 2 || len(outputs) != 2 || !inputs[0].IsUint64() {
		return fmt.Errorf("rescale hint: want inputs (shift, x) and 2 outputs")
	}
	k := uint(inputs[0].Uint64())
	x := signed(field, inputs[1])
	q := new(big.Int).Rsh(x, k)
	r := new(big.Int).Sub(x, new(big.Int).Lsh(q, k))
	outputs[0].Mod(q, field)
	outputs[1].Set(r)
	return nil
}

// ArgmaxHint: inputs y (signed integers as field elements), outputs the one-hot vector of
// the lowest index of the maximum.
func ArgmaxHint(field *big.Int, inputs, outputs []*big.Int) error {
	if len(inputs) != len(outputs) || len(inputs) == 0 {
		return fmt.Errorf("argmax hint: %d inputs, %d outputs", len(inputs), len(outputs))
	}
	ys := make([]*big.Int, len(inputs))
	for i, e := range inputs {
		ys[i] = signed(field, e)
	}
	k := ir.Argmax(ys)
	for i := range outputs {
		outputs[i].SetUint64(0)
	}
	outputs[k].SetUint64(1)
	return nil
}
