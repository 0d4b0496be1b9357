package zk

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"golang.org/x/crypto/sha3"
)

// ProofSize is the size of a Groth16 proof in the layout of gnark's Solidity verifier
// (MarshalSolidity without commitments): 8 big-endian 32-byte words
//
//	A.x | A.y | B.x.a1 | B.x.a0 | B.y.a1 | B.y.a0 | C.x | C.y
//
// (G2 coordinates imaginary part first, as EIP-197 wants).
const ProofSize = 8 * 32

// ProofSizeWithCommitment is the size of a Groth16 proof of a lookup circuit (one BSB22
// commitment) in the layout of gnark's MarshalSolidity: the ProofSize words, then the commitment
// D.x | D.y and its proof of knowledge PoK.x | PoK.y (4 more words, 384 bytes in all). The
// exported verifier takes it as the same `bytes proof` of verifyProof(bytes,uint256[n]).
const ProofSizeWithCommitment = ProofSize + 2*64

// Groth16ProofSize is the size of a Groth16 proof with n BSB22 commitments: 256 + 64·(n+1) for
// n > 0 (the commitments, then one folded proof of knowledge), 256 for n = 0.
func Groth16ProofSize(n int) int {
	if n == 0 {
		return ProofSize
	}
	return ProofSize + 64*(n+1)
}

// VerifyProofSignature is the signature of the verifying function of the contract that
// gnark v0.16.3's ExportSolidity emits for a circuit with n public inputs and no
// commitments: `function verifyProof(bytes calldata proof, uint256[n] calldata input)`,
// which reverts unless the proof verifies.
func VerifyProofSignature(n int) string { return fmt.Sprintf("verifyProof(bytes,uint256[%d])", n) }

// Selector is the 4-byte function selector of a Solidity signature: the first 4 bytes of
// its legacy Keccak-256.
func Selector(signature string) [4]byte {
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(signature))
	var s [4]byte
	copy(s[:], h.Sum(nil))
	return s
}

// Calldata is the ABI-encoded call verifyProof(proof, publicInputs):
//
//	selector (4) | offset of proof = 32·(1+n) | input[0..n) | len(proof) = 256 | proof (256)
//
// (bytes is dynamic: its head is an offset; uint256[n] is static and sits in the head).
// publicInputs must be field elements in [0, r).
func Calldata(proof []byte, publicInputs []*big.Int) []byte {
	n := len(publicInputs)
	sel := Selector(VerifyProofSignature(n))
	out := make([]byte, 0, 4+32*(n+2)+len(proof))
	out = append(out, sel[:]...)
	out = append(out, word(big.NewInt(int64(32*(1+n))))...)
	for _, v := range publicInputs {
		out = append(out, word(v)...)
	}
	out = append(out, word(big.NewInt(int64(len(proof))))...)
	out = append(out, proof...)
	if pad := len(proof) % 32; pad != 0 {
		out = append(out, make([]byte, 32-pad)...)
	}
	return out
}

func word(v *big.Int) []byte {
	var w [32]byte
	v.FillBytes(w[:])
	return w[:]
}

// DecodeSolidityProof decodes a proof in the ProofSize layout. Every coordinate must be
// below the base-field modulus p, every point on the curve and in the prime-order subgroup
// ((0, 0) encodes the point at infinity, as in EIP-197); else the error is MalformedProof.
func DecodeSolidityProof(b []byte) (*groth16bn254.Proof, error) {
	if len(b) != ProofSize && len(b) != ProofSizeWithCommitment {
		return nil, Errorf(MalformedProof, "a proof has %d bytes (%d for a lookup circuit, with its commitment), got %d",
			ProofSize, ProofSizeWithCommitment, len(b))
	}
	var e [12]fp.Element
	for i := 0; i < len(b)/32; i++ {
		if err := e[i].SetBytesCanonical(b[32*i : 32*i+32]); err != nil {
			return nil, Errorf(MalformedProof, "proof word %d is not a base-field element (>= p)", i)
		}
	}
	p := &groth16bn254.Proof{}
	p.Ar = bn254.G1Affine{X: e[0], Y: e[1]}
	p.Bs = bn254.G2Affine{}
	p.Bs.X.A1, p.Bs.X.A0, p.Bs.Y.A1, p.Bs.Y.A0 = e[2], e[3], e[4], e[5]
	p.Krs = bn254.G1Affine{X: e[6], Y: e[7]}
	if !p.Ar.IsOnCurve() || !p.Ar.IsInSubGroup() {
		return nil, Errorf(MalformedProof, "proof point A is not on the curve G1")
	}
	if !p.Bs.IsOnCurve() || !p.Bs.IsInSubGroup() {
		return nil, Errorf(MalformedProof, "proof point B is not on the curve G2 or not in its subgroup")
	}
	if !p.Krs.IsOnCurve() || !p.Krs.IsInSubGroup() {
		return nil, Errorf(MalformedProof, "proof point C is not on the curve G1")
	}
	if len(b) == ProofSizeWithCommitment {
		d := bn254.G1Affine{X: e[8], Y: e[9]}
		pok := bn254.G1Affine{X: e[10], Y: e[11]}
		if !d.IsOnCurve() || !d.IsInSubGroup() {
			return nil, Errorf(MalformedProof, "proof commitment D is not on the curve G1")
		}
		if !pok.IsOnCurve() || !pok.IsInSubGroup() {
			return nil, Errorf(MalformedProof, "proof of knowledge of the commitment is not on the curve G1")
		}
		p.Commitments = []bn254.G1Affine{d}
		p.CommitmentPok = pok
	}
	return p, nil
}
