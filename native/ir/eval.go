package ir

import (
	"fmt"
	"math/big"
)

// Evaluation holds every tensor's values for one set of inputs.
type Evaluation struct {
	// Values maps a tensor name to its values (constants included).
	Values map[string][]*big.Int
	// Outputs are the values of the output tensors, in output order.
	Outputs []*big.Int
}

// CheckInputs checks the number of inputs and their ranges. The error is an *InputError.
func (d *IR) CheckInputs(inputs []*big.Int) error {
	if n := d.InputSize(); len(inputs) != n {
		return &InputError{Kind: WrongInputCount,
			Msg: fmt.Sprintf("circuit %q takes %d inputs, got %d", d.Name, n, len(inputs))}
	}
	lo, hi := d.InputBounds()
	for i, x := range inputs {
		if x == nil {
			return &InputError{Kind: WrongInputCount, Msg: fmt.Sprintf("input %d is missing", i)}
		}
		if x.Cmp(lo[i]) < 0 || x.Cmp(hi[i]) > 0 {
			return &InputError{Kind: InputOutOfRange,
				Msg: fmt.Sprintf("input %d = %s is out of its range [%s, %s]", i, x, lo[i], hi[i])}
		}
	}
	return nil
}

// CheckWeights checks the private weights of a document with hashed constants (all hashed
// constants, tensor order): their number and their declared ranges. The error is an *InputError.
func (d *IR) CheckWeights(weights []*big.Int) error {
	if n := d.WeightSize(); len(weights) != n {
		if n == 0 {
			return &InputError{Kind: WrongWeightCount, Msg: fmt.Sprintf("circuit %q has no hashed weights, so it takes no weights", d.Name)}
		}
		return &InputError{Kind: WrongWeightCount,
			Msg: fmt.Sprintf("circuit %q has %d hashed weights, got %d", d.Name, n, len(weights))}
	}
	k := 0
	for _, t := range d.HashedConstants() {
		for i := 0; i < t.Size; i, k = i+1, k+1 {
			w := weights[k]
			if w == nil {
				return &InputError{Kind: WrongWeightCount, Msg: fmt.Sprintf("weight %s[%d] is missing", t.Name, i)}
			}
			if w.Cmp(t.Lo[i]) < 0 || w.Cmp(t.Hi[i]) > 0 {
				return &InputError{Kind: WeightOutOfRange,
					Msg: fmt.Sprintf("weight %s[%d] = %s is out of its declared range [%s, %s]", t.Name, i, w, t.Lo[i], t.Hi[i])}
			}
		}
	}
	return nil
}

// Evaluate runs the IR on inputs (signed integers, input order) with exact integer semantics.
// The error is an *InputError when the inputs are rejected. A document with hashed constants
// needs EvaluateWeighted.
func (d *IR) Evaluate(inputs []*big.Int) (*Evaluation, error) {
	return d.EvaluateWeighted(inputs, nil)
}

// EvaluateWeighted is Evaluate with the private weights of the hashed constants (all hashed
// constants, tensor order; nil for a document without them).
func (d *IR) EvaluateWeighted(inputs, weights []*big.Int) (*Evaluation, error) {
	if err := d.CheckInputs(inputs); err != nil {
		return nil, err
	}
	if err := d.CheckWeights(weights); err != nil {
		return nil, err
	}
	return d.EvaluateUncheckedWeighted(inputs, weights), nil
}

// EvaluateUnchecked is Evaluate without the input checks (len(inputs) must be InputSize()):
// what a prover would claim for inputs the circuit refuses. For tests.
func (d *IR) EvaluateUnchecked(inputs []*big.Int) *Evaluation {
	return d.EvaluateUncheckedWeighted(inputs, nil)
}

// EvaluateUncheckedWeighted is EvaluateUnchecked with private weights (len(weights) must be
// WeightSize()), unchecked against their ranges. For tests.
func (d *IR) EvaluateUncheckedWeighted(inputs, weights []*big.Int) *Evaluation {
	ev := &Evaluation{Values: map[string][]*big.Int{}}
	k := 0
	for _, name := range d.Inputs {
		t := d.byName[name]
		vals := make([]*big.Int, t.Size)
		for i := range vals {
			vals[i] = new(big.Int).Set(inputs[k])
			k++
		}
		ev.Values[name] = vals
	}
	kw := 0
	for _, t := range d.Tensors {
		if t.IsHashed() {
			ev.Values[t.Name] = weights[kw : kw+t.Size]
			kw += t.Size
		} else if t.IsConstant() {
			ev.Values[t.Name] = t.Values
		}
	}
	for _, n := range d.Nodes {
		outs := n.Type.Eval(n, d.NodeInputs(n, ev.Values))
		for j, t := range n.Outputs {
			ev.Values[t.Name] = outs[j]
		}
	}
	for _, name := range d.Outputs {
		for _, v := range ev.Values[name] {
			ev.Outputs = append(ev.Outputs, new(big.Int).Set(v))
		}
	}
	return ev
}

// NodeInputs returns the values of n's inputs from a map of tensor values.
func (d *IR) NodeInputs(n *Node, values map[string][]*big.Int) [][]*big.Int {
	in := make([][]*big.Int, len(n.Inputs))
	for i, t := range n.Inputs {
		in[i] = values[t.Name]
	}
	return in
}

// RescaleHint: inputs (k, x), outputs (q, r) with x = q·2^k + r, 0 ≤ r < 2^k (floor division of
// the signed integer x). Package circuit registers it under v0.1's name.
func RescaleHint(field *big.Int, inputs, outputs []*big.Int) error {
	if len(inputs) != 2 || len(outputs) != 2 || !inputs[0].IsUint64() {
		return fmt.Errorf("rescale hint: want inputs (shift, x) and 2 outputs")
	}
	k := uint(inputs[0].Uint64())
	x := Signed(field, inputs[1])
	q := new(big.Int).Rsh(x, k)
	r := new(big.Int).Sub(x, new(big.Int).Lsh(q, k))
	outputs[0].Mod(q, field)
	outputs[1].Set(r)
	return nil
}

// ArgmaxHint: inputs y (signed integers as field elements), outputs the one-hot vector of the
// lowest index of the maximum. Package circuit registers it under v0.1's name.
func ArgmaxHint(field *big.Int, inputs, outputs []*big.Int) error {
	if len(inputs) != len(outputs) || len(inputs) == 0 {
		return fmt.Errorf("argmax hint: %d inputs, %d outputs", len(inputs), len(outputs))
	}
	ys := make([]*big.Int, len(inputs))
	for i, e := range inputs {
		ys[i] = Signed(field, e)
	}
	k := Argmax(ys)
	for i := range outputs {
		outputs[i].SetUint64(0)
	}
	outputs[k].SetUint64(1)
	return nil
}
