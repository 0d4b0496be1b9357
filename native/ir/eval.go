package ir

import (
	"fmt"
	"math/big"
)

// Evaluation holds every tensor's values for one set of inputs.
type Evaluation struct {
	// Values maps a tensor name to its values.
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

// Evaluate runs the IR on inputs (signed integers, input order) with exact integer semantics.
// The error is an *InputError when the inputs are rejected.
func (d *IR) Evaluate(inputs []*big.Int) (*Evaluation, error) {
	if err := d.CheckInputs(inputs); err != nil {
		return nil, err
	}
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
	for _, op := range d.Ops {
		ev.Values[op.Out] = Apply(op, ev.Values[op.In])
	}
	for _, name := range d.Outputs {
		for _, v := range ev.Values[name] {
			ev.Outputs = append(ev.Outputs, new(big.Int).Set(v))
		}
	}
	return ev, nil
}

// Apply evaluates one op on the values of its input tensor.
func Apply(op Op, in []*big.Int) []*big.Int {
	switch op.Kind {
	case OpDense:
		out := make([]*big.Int, len(op.Weights))
		t := new(big.Int)
		for j, row := range op.Weights {
			acc := new(big.Int).Set(op.Bias[j])
			for i, w := range row {
				acc.Add(acc, t.Mul(w, in[i]))
			}
			out[j] = acc
		}
		return out
	case OpRescale:
		out := make([]*big.Int, len(in))
		for i, v := range in {
			out[i] = new(big.Int).Rsh(v, op.Shift) // arithmetic shift: floor
		}
		return out
	case OpArgmax:
		return []*big.Int{big.NewInt(int64(Argmax(in)))}
	}
	panic("ir: unknown op " + string(op.Kind))
}

// Argmax returns the smallest index of the maximum of v (ties go to the lowest index).
func Argmax(v []*big.Int) int {
	best := 0
	for i := 1; i < len(v); i++ {
		if v[i].Cmp(v[best]) > 0 {
			best = i
		}
	}
	return best
}
