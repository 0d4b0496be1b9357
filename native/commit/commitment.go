package commit

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// The commitment recipe (docs/commitments.md, version 1):
//
//	commit(domain, layout, values, salt) = Hash([tag(domain), e_0, ..., e_{k-1}, salt])
//
//   - tag(domain): the domain string's bytes (1 to 31 of them) read as one big-endian integer;
//     InputsDomain is the service's domain for model inputs.
//   - e_j: the packed elements of Pack(layout, values), in order (k may be 0).
//   - salt: a field element in [0, r), chosen uniformly at random by the committer and kept
//     secret (it makes the commitment hiding); never reduced mod r.
//   - Hash: the Merkle–Damgård Poseidon2 of poseidon2.go.
//
// Pack: value i, with width w_i and lower bound lo_i, contributes u_i = v_i − lo_i ∈ [0, 2^w_i).
// Values are taken in order and placed greedily: a value goes into the current element at the
// next free bit if it fits in its 248 bits, else it starts a new element at bit 0 (a value never
// straddles two elements). Within an element, bits are little-endian: the element is
// Σ u_i·2^offset_i with the first value at offset 0. 248 bits: every element is < 2^248 < r, so
// packing is injective (no wrap-around) for values inside the layout, and 248 = 31 bytes, so a
// client can pack with byte arithmetic; the circuit's range checks on each u_i then bind each
// value to its own bit field.

// MaxElementBits is the number of bits packed into one field element.
const MaxElementBits = 248

// InputsDomain is the domain-separation string of the commitment to a model's inputs.
const InputsDomain = "zkml-inputs-v1"

// OutputsDomain is the domain-separation string of the commitment to a model's outputs (hashed
// outputs, issue 8): distinct from InputsDomain, so one commitment never opens as the other.
const OutputsDomain = "zkml-outputs-v1"

// Layout is what packing needs: a width and a lower bound per value, in order. The circuit
// rebuilds it from the IR bounds (LayoutFromBounds).
type Layout struct {
	Widths []int
	Lows   []*big.Int
}

// Slot is where one value sits: the packed element and the bit offset inside it.
type Slot struct {
	Element int
	Offset  int
}

// NewLayout checks widths (0 to 248 each) and lower bounds (one per value).
func NewLayout(widths []int, lows []*big.Int) (Layout, error) {
	if len(widths) != len(lows) {
		return Layout{}, fmt.Errorf("commit: %d widths but %d lower bounds", len(widths), len(lows))
	}
	for i, w := range widths {
		if w < 0 || w > MaxElementBits {
			return Layout{}, fmt.Errorf("commit: value %d: width %d not in [0, %d]", i, w, MaxElementBits)
		}
		if lows[i] == nil {
			return Layout{}, fmt.Errorf("commit: value %d: no lower bound", i)
		}
	}
	return Layout{Widths: widths, Lows: lows}, nil
}

// LayoutFromBounds is the layout of values bounded by lo[i] ≤ v_i ≤ hi[i]: width
// bitlen(hi[i] − lo[i]) (the IR's range-check width, ir.RangeBits), offset lo[i].
func LayoutFromBounds(lo, hi []*big.Int) (Layout, error) {
	if len(lo) != len(hi) {
		return Layout{}, fmt.Errorf("commit: %d lower but %d upper bounds", len(lo), len(hi))
	}
	widths := make([]int, len(lo))
	for i := range lo {
		if lo[i].Cmp(hi[i]) > 0 {
			return Layout{}, fmt.Errorf("commit: value %d: lo %s > hi %s", i, lo[i], hi[i])
		}
		widths[i] = new(big.Int).Sub(hi[i], lo[i]).BitLen()
	}
	return NewLayout(widths, lo)
}

// Slots places every value and returns the number of packed elements (0 for no values).
func (l Layout) Slots() ([]Slot, int) {
	slots := make([]Slot, len(l.Widths))
	elem, pos := 0, 0
	for i, w := range l.Widths {
		if pos+w > MaxElementBits {
			elem, pos = elem+1, 0
		}
		slots[i] = Slot{Element: elem, Offset: pos}
		pos += w
	}
	if len(l.Widths) == 0 {
		return slots, 0
	}
	return slots, elem + 1
}

// Pack packs values (each lo_i ≤ v_i < lo_i + 2^w_i, else an error) into field elements.
func Pack(l Layout, values []*big.Int) ([]fr.Element, error) {
	if len(values) != len(l.Widths) {
		return nil, fmt.Errorf("commit: %d values for a layout of %d", len(values), len(l.Widths))
	}
	slots, n := l.Slots()
	acc := make([]*big.Int, n)
	for j := range acc {
		acc[j] = new(big.Int)
	}
	for i, v := range values {
		u := new(big.Int).Sub(v, l.Lows[i])
		if u.Sign() < 0 || u.BitLen() > l.Widths[i] {
			return nil, fmt.Errorf("commit: value %d (%s) not in [%s, %s + 2^%d)", i, v, l.Lows[i], l.Lows[i], l.Widths[i])
		}
		acc[slots[i].Element].Add(acc[slots[i].Element], u.Lsh(u, uint(slots[i].Offset)))
	}
	out := make([]fr.Element, n)
	for j, a := range acc {
		out[j].SetBigInt(a) // < 2^248 < r
	}
	return out, nil
}

// Tag encodes a domain string (1 to 31 bytes) as the big-endian integer of its bytes.
func Tag(domain string) (fr.Element, error) {
	var e fr.Element
	if len(domain) == 0 || len(domain) > 31 {
		return e, fmt.Errorf("commit: domain %q must be 1 to 31 bytes", domain)
	}
	e.SetBigInt(new(big.Int).SetBytes([]byte(domain)))
	return e, nil
}

// Preimage is the sequence the commitment hashes: [tag, packed..., salt].
func Preimage(domain string, l Layout, values []*big.Int, salt *big.Int) ([]fr.Element, error) {
	tag, err := Tag(domain)
	if err != nil {
		return nil, err
	}
	packed, err := Pack(l, values)
	if err != nil {
		return nil, err
	}
	s, err := Element(salt)
	if err != nil {
		return nil, fmt.Errorf("commit: salt: %w", err)
	}
	seq := append([]fr.Element{tag}, packed...)
	return append(seq, s), nil
}

// Commit is the commitment to values under layout l, domain and salt.
func Commit(domain string, l Layout, values []*big.Int, salt *big.Int) (*big.Int, error) {
	seq, err := Preimage(domain, l, values, salt)
	if err != nil {
		return nil, err
	}
	return Int(Hash(seq)), nil
}
