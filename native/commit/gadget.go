package commit

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/hash/poseidon2"
	"github.com/consensys/gnark/std/math/bits"
)

// CommitGadget computes, in the circuit, the commitment of Commit: gnark's std/hash/poseidon2
// Merkle–Damgård hasher over [tag(domain), packed..., salt]. The tag is a constant (its
// compression costs no constraint); the packing is linear (free in R1CS).
//
// Precondition: each values[i] − l.Lows[i] is in [0, 2^l.Widths[i]) — the circuit's input range
// checks (ir.RangeCheck) establish it; without them a prover could move bits between
// neighbouring values of one element. AssertInLayout checks it for callers that have no range
// check of their own.
func CommitGadget(api frontend.API, domain string, l Layout, values []frontend.Variable, salt frontend.Variable) (frontend.Variable, error) {
	if len(values) != len(l.Widths) {
		return nil, fmt.Errorf("commit: %d values for a layout of %d", len(values), len(l.Widths))
	}
	tag, err := Tag(domain)
	if err != nil {
		return nil, err
	}
	h, err := poseidon2.New(api)
	if err != nil {
		return nil, err
	}
	h.Write(Int(tag))
	for _, e := range PackGadget(api, l, values) {
		h.Write(e)
	}
	h.Write(salt)
	return h.Sum(), nil
}

// PackGadget is Pack in the circuit: element j = Σ (v_i − lo_i)·2^offset_i over its values.
func PackGadget(api frontend.API, l Layout, values []frontend.Variable) []frontend.Variable {
	slots, n := l.Slots()
	out := make([]frontend.Variable, n)
	for j := range out {
		out[j] = 0
	}
	for i, v := range values {
		u := api.Sub(v, new(big.Int).Mod(l.Lows[i], Modulus()))
		shifted := api.Mul(u, new(big.Int).Lsh(big.NewInt(1), uint(slots[i].Offset)))
		out[slots[i].Element] = api.Add(out[slots[i].Element], shifted)
	}
	return out
}

// AssertInLayout asserts values[i] − lo_i ∈ [0, 2^w_i) by bit decomposition (w_i + 1
// constraints each; a width-0 value must equal its lower bound).
func AssertInLayout(api frontend.API, l Layout, values []frontend.Variable) {
	for i, v := range values {
		u := api.Sub(v, new(big.Int).Mod(l.Lows[i], Modulus()))
		if l.Widths[i] == 0 {
			api.AssertIsEqual(u, 0)
			continue
		}
		bits.ToBinary(api, u, bits.WithNbDigits(l.Widths[i]))
	}
}
