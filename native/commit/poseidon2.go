// Package commit is the Poseidon2 commitment to quantized inputs (docs/commitments.md): the
// native hash (gnark-crypto's BN254 Poseidon2, the one gnark's std/hash/poseidon2 gadget
// computes), the packing of bounded signed integers into field elements, the commitment recipe,
// and the same recipe as a gnark gadget (gadget.go). Pure Go, no cgo.
//
// # Poseidon2 parameters (gnark-crypto v0.21.0, ecc/bn254/fr/poseidon2, GetDefaultParameters)
//
//   - field: BN254 scalar field, r = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001
//   - width t = 2, S-box x^5, 6 full rounds (3 before and 3 after the partial rounds),
//     50 partial rounds (S-box on lane 0 only)
//   - external matrix circ(2,1) = [[2,1],[1,2]], internal matrix [[2,1],[1,3]]; the permutation
//     starts with one external multiplication, then each round is addRoundKey, S-box, matrix
//   - round keys: derived (not tabulated; gnark-crypto tabulates only t = 4, 8, 12, 16) from the
//     seed "Poseidon2-BN254[t=2,rF=6,rP=50,d=5]": rnd = keccak256(seed); then for each key in
//     order (full rounds: 2 keys, partial rounds: 1 key for lane 0), rnd = keccak256(rnd) and
//     key = rnd read big-endian, reduced mod r (legacy Keccak-256, not SHA3-256)
//
// # Mode (gnark-crypto hash.NewMerkleDamgardHasher, gnark std/hash.NewMerkleDamgardHasher)
//
// Merkle–Damgård over the 2-to-1 compression
//
//	Compress(s, m) = P(s, m)[1] + m       (P the width-2 permutation, lane 1 fed forward)
//
// with initial state IV = 0 and no padding or length block: Sum([]) = 0 and
// Sum(m_1..m_n) = Compress(...Compress(Compress(0, m_1), m_2)..., m_n). The output is the final
// state. Natively each element is written as its 32-byte big-endian canonical encoding (a block
// whose integer is ≥ r is an error, never reduced).
package commit

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	p2 "github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
)

// Parameters of the Poseidon2 instance (gnark's default for BN254).
const (
	Width         = 2
	FullRounds    = 6
	PartialRounds = 50
	SBoxDegree    = 5
	RoundKeySeed  = "Poseidon2-BN254[t=2,rF=6,rP=50,d=5]"
)

// Params are gnark-crypto's default BN254 parameters; Init checks that they are the ones above.
func Params() *p2.Parameters { return p2.GetDefaultParameters() }

func init() {
	p := Params()
	if p.Width != Width || p.NbFullRounds != FullRounds || p.NbPartialRounds != PartialRounds ||
		p2.DegreeSBox() != SBoxDegree || p.String() != RoundKeySeed {
		panic(fmt.Sprintf("commit: gnark-crypto's default Poseidon2 is %s, not %s", p.String(), RoundKeySeed))
	}
}

// Permute applies the width-2 permutation to (a, b).
func Permute(a, b fr.Element) (fr.Element, fr.Element) {
	s := []fr.Element{a, b}
	if err := p2.NewDefaultPermutation().Permutation(s); err != nil {
		panic(err) // width is 2: cannot happen
	}
	return s[0], s[1]
}

// Compress is the Merkle–Damgård compression: P(state, m)[1] + m.
func Compress(state, m fr.Element) fr.Element {
	_, out := Permute(state, m)
	out.Add(&out, &m)
	return out
}

// Hash is Sum of the sequence, computed by gnark-crypto's Merkle–Damgård hasher (IV 0, one
// 32-byte block per element).
func Hash(elems []fr.Element) fr.Element {
	h := p2.NewMerkleDamgardHasher()
	for i := range elems {
		b := elems[i].Bytes()
		if _, err := h.Write(b[:]); err != nil {
			panic(err) // canonical by construction
		}
	}
	var out fr.Element
	if err := out.SetBytesCanonical(h.Sum(nil)); err != nil {
		panic(err)
	}
	return out
}

// Modulus is r, the BN254 scalar field order.
func Modulus() *big.Int { return fr.Modulus() }

// Element converts an integer in [0, r) to a field element; anything else is an error (no
// silent reduction).
func Element(v *big.Int) (fr.Element, error) {
	var e fr.Element
	if v.Sign() < 0 || v.Cmp(fr.Modulus()) >= 0 {
		return e, fmt.Errorf("commit: %s is not a field element (must be in [0, r))", v)
	}
	e.SetBigInt(v)
	return e, nil
}

// Int returns e as an integer in [0, r).
func Int(e fr.Element) *big.Int {
	var b big.Int
	return e.BigInt(&b)
}
