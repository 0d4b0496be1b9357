package zk

import (
	"bytes"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/kzg"
	"github.com/consensys/gnark/backend"
	plonkbn254 "github.com/consensys/gnark/backend/plonk/bn254"
	"github.com/consensys/gnark/backend/solidity"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	csbn254 "github.com/consensys/gnark/constraint/bn254"

	"github.com/zkml-service/zkml/native/circuit"
	"github.com/zkml-service/zkml/native/ir"
)

// PlonkSolidityProofSize is the size of a PLONK proof (no BSB22 commitments) in the layout of
// gnark's Proof.MarshalSolidity, the `bytes proof` argument of the exported verifier's
// Verify(bytes,uint256[]): 24 big-endian 32-byte words
//
//	L.x L.y R.x R.y O.x O.y | H0.x H0.y H1.x H1.y H2.x H2.y |
//	l(ζ) r(ζ) o(ζ) s1(ζ) s2(ζ) | Z.x Z.y | Z(ωζ) | Wζ.x Wζ.y | Wωζ.x Wωζ.y
//
// (G1 points as x|y, scalars < r).
const PlonkSolidityProofSize = 24 * 32

// PlonkProofSize is the size of a PLONK proof as this library hands it out and takes it back:
// the Solidity layout followed by one more word, the claimed value of the linearised polynomial
// at ζ. The Solidity verifier recomputes that value from the transcript, gnark's Go verifier
// takes it from the proof and checks it against the same computation, so it is fully determined
// by the rest of the proof: the word adds nothing a prover could choose. The calldata carries
// only the first PlonkSolidityProofSize bytes.
const PlonkProofSize = PlonkSolidityProofSize + 32

// PlonkCommitmentWords is what one BSB22 commitment (range checks by lookup, docs/native-abi.md)
// adds to a PLONK proof in the Solidity layout: the claimed value of its selector at ζ (one scalar
// word, after W(ωζ)) and the commitment itself (a G1 point, after all those scalars): 3 words.
const PlonkCommitmentWords = 3

// PlonkSolidityProofSizeWith is the Solidity layout's size with n BSB22 commitments
// (768 + 96·n); PlonkProofSizeWith adds the linearised opening (800 + 96·n).
func PlonkSolidityProofSizeWith(n int) int { return PlonkSolidityProofSize + 32*PlonkCommitmentWords*n }

// PlonkProofSizeWith is the size of a PLONK proof with n BSB22 commitments as this library hands it out.
func PlonkProofSizeWith(n int) int { return PlonkSolidityProofSizeWith(n) + 32 }

// PlonkVerifySignature is the signature of the verifying function of gnark v0.16.3's PLONK
// Solidity verifier: `function Verify(bytes calldata proof, uint256[] calldata public_inputs)
// public view returns (bool success)`. It returns false for a well-formed proof that does not
// verify and reverts for a malformed one (wrong sizes, a scalar >= r, a point off the curve).
const PlonkVerifySignature = "Verify(bytes,uint256[])"

// plonkBackend is PLONK over BN254 with KZG (gnark's backend/plonk/bn254), on the sparse R1CS of
// circuit.CompileSparseWithCounts.
type plonkBackend struct{}

// The artifact kinds of PLONK files.
const (
	KindSparseR1CS        = "scs"
	KindPlonkProvingKey   = "plonk-proving-key"
	KindPlonkVerifyingKey = "plonk-verifying-key"
)

func (plonkBackend) System() System                     { return Plonk }
func (plonkBackend) csKind() string                     { return KindSparseR1CS }
func (plonkBackend) pkKind() string                     { return KindPlonkProvingKey }
func (plonkBackend) vkKind() string                     { return KindPlonkVerifyingKey }
func (plonkBackend) newCS() constraint.ConstraintSystem { return new(csbn254.SparseR1CS) }

func (plonkBackend) compile(d *ir.IR) (constraint.ConstraintSystem, circuit.ConstraintsByOp, error) {
	return circuit.CompileSparseWithCounts(d)
}

func (plonkBackend) setup(c *Circuit, opts SetupOptions) (rawWriterTo, rawWriterTo, SetupInfo, error) {
	spr, ok := c.CS.(*csbn254.SparseR1CS)
	if !ok {
		return nil, nil, SetupInfo{}, Errorf(Internal, "a PLONK setup needs a sparse R1CS, got %T", c.CS)
	}
	domain := PlonkDomainSize(c.CS)
	srs, err := loadSRS(opts, domain)
	if err != nil {
		return nil, nil, SetupInfo{}, err
	}
	pk, vk, err := plonkbn254.Setup(spr, srs.canonical, srs.lagrange)
	if err != nil {
		return nil, nil, SetupInfo{}, Errorf(Internal, "plonk setup: %v", err)
	}
	return pk, vk, srs.info, nil
}

// PlonkDomainSize is the size of PLONK's evaluation domain for a sparse R1CS: the next power of
// two of constraints + public inputs. A setup needs PlonkDomainSize + 3 powers of tau in G1.
func PlonkDomainSize(cs constraint.ConstraintSystem) uint64 {
	n := uint64(cs.GetNbConstraints() + cs.GetNbPublicVariables())
	size := uint64(1)
	for size < n {
		size <<= 1
	}
	return size
}

func (plonkBackend) decodePK(payload []byte, lookup bool) (any, error) {
	pk := new(plonkbn254.ProvingKey)
	if _, err := pk.ReadFrom(bytes.NewReader(payload)); err != nil {
		return nil, err
	}
	if pk.Vk == nil {
		return nil, Errorf(InvalidArgument, "PLONK proving key without its verifying key")
	}
	if err := checkCommitments(len(pk.Vk.Qcp), lookup, "PLONK proving"); err != nil {
		return nil, err
	}
	return pk, nil
}

func (plonkBackend) decodeVK(payload []byte, lookup bool) (any, error) {
	vk := new(plonkbn254.VerifyingKey)
	if _, err := vk.ReadFrom(bytes.NewReader(payload)); err != nil {
		return nil, err
	}
	if len(vk.Qcp) != len(vk.CommitmentConstraintIndexes) {
		return nil, Errorf(InvalidArgument, "PLONK verifying key with %d commitment selectors and %d commitment constraints",
			len(vk.Qcp), len(vk.CommitmentConstraintIndexes))
	}
	if err := checkCommitments(len(vk.Qcp), lookup, "PLONK verifying"); err != nil {
		return nil, err
	}
	return vk, nil
}

func (plonkBackend) prove(c *Circuit, pk *ProvingKey, w witness.Witness) ([]byte, error) {
	spr, ok := c.CS.(*csbn254.SparseR1CS)
	if !ok {
		return nil, Errorf(Internal, "a PLONK proof needs a sparse R1CS, got %T", c.CS)
	}
	proof, err := plonkbn254.Prove(spr, pk.plonk, w, solidity.WithProverTargetSolidityVerifier(backend.PLONK))
	if err != nil {
		return nil, Errorf(Unsatisfied, "prove: %v", err)
	}
	k := len(pk.plonk.Vk.Qcp)
	if len(proof.Bsb22Commitments) != k || len(proof.BatchedProof.ClaimedValues) != 6+k {
		return nil, Errorf(Internal, "unexpected PLONK proof shape (%d commitments, %d claimed values; the key has %d commitments)",
			len(proof.Bsb22Commitments), len(proof.BatchedProof.ClaimedValues), k)
	}
	sol := proof.MarshalSolidity()
	if len(sol) != PlonkSolidityProofSizeWith(k) {
		return nil, Errorf(Internal, "solidity proof has %d bytes, expected %d", len(sol), PlonkSolidityProofSizeWith(k))
	}
	lin := proof.BatchedProof.ClaimedValues[0].Bytes()
	return append(sol, lin[:]...), nil
}

// DecodePlonkProof decodes a proof in the PlonkProofSize layout: every coordinate below p, every
// point on the curve ((0, 0) is the point at infinity; G1 of BN254 has cofactor 1), every scalar
// below r; else MalformedProof.
func DecodePlonkProof(b []byte) (*plonkbn254.Proof, error) {
	k := -1
	for n := 0; n <= MaxLookupCommitments; n++ {
		if len(b) == PlonkProofSizeWith(n) {
			k = n
		}
	}
	if k < 0 {
		return nil, Errorf(MalformedProof, "a PLONK proof has %d bytes (the %d of the Solidity layout and the linearised opening; "+
			"%d for a lookup circuit), got %d", PlonkProofSize, PlonkSolidityProofSize, PlonkProofSizeWith(1), len(b))
	}
	off := 0
	point := func(name string) (bn254.G1Affine, error) {
		var p bn254.G1Affine
		if err := p.X.SetBytesCanonical(b[off : off+32]); err != nil {
			return p, Errorf(MalformedProof, "PLONK proof: %s.x is not a base-field element (>= p)", name)
		}
		if err := p.Y.SetBytesCanonical(b[off+32 : off+64]); err != nil {
			return p, Errorf(MalformedProof, "PLONK proof: %s.y is not a base-field element (>= p)", name)
		}
		off += 64
		if !p.IsOnCurve() || !p.IsInSubGroup() {
			return p, Errorf(MalformedProof, "PLONK proof: %s is not a point of G1", name)
		}
		return p, nil
	}
	scalar := func(name string) (fr.Element, error) {
		var e fr.Element
		if err := e.SetBytesCanonical(b[off : off+32]); err != nil {
			return e, Errorf(MalformedProof, "PLONK proof: %s is not a scalar-field element (>= r)", name)
		}
		off += 32
		return e, nil
	}
	var err error
	p := &plonkbn254.Proof{}
	p.BatchedProof.ClaimedValues = make([]fr.Element, 6+k)
	for i, n := range []string{"L", "R", "O"} {
		if p.LRO[i], err = point(n); err != nil {
			return nil, err
		}
	}
	for i, n := range []string{"H0", "H1", "H2"} {
		if p.H[i], err = point(n); err != nil {
			return nil, err
		}
	}
	for i, n := range []string{"l(zeta)", "r(zeta)", "o(zeta)", "s1(zeta)", "s2(zeta)"} {
		if p.BatchedProof.ClaimedValues[i+1], err = scalar(n); err != nil {
			return nil, err
		}
	}
	if p.Z, err = point("Z"); err != nil {
		return nil, err
	}
	if p.ZShiftedOpening.ClaimedValue, err = scalar("Z(omega zeta)"); err != nil {
		return nil, err
	}
	if p.BatchedProof.H, err = point("W(zeta)"); err != nil {
		return nil, err
	}
	if p.ZShiftedOpening.H, err = point("W(omega zeta)"); err != nil {
		return nil, err
	}
	// a lookup circuit: the commitment selectors' values at zeta, then the BSB22 commitments
	for i := 0; i < k; i++ {
		if p.BatchedProof.ClaimedValues[6+i], err = scalar("qcp(zeta)"); err != nil {
			return nil, err
		}
	}
	p.Bsb22Commitments = make([]kzg.Digest, k)
	for i := 0; i < k; i++ {
		if p.Bsb22Commitments[i], err = point("the BSB22 commitment"); err != nil {
			return nil, err
		}
	}
	if p.BatchedProof.ClaimedValues[0], err = scalar("the linearised opening"); err != nil {
		return nil, err
	}
	return p, nil
}

func (plonkBackend) decodeProof(b []byte) (any, error) { return DecodePlonkProof(b) }

// checkProofShape: a proof has as many BSB22 commitments as the key (none, or one for lookup).
func (plonkBackend) checkProofShape(vk *VerifyingKey, proof any) error {
	p := proof.(*plonkbn254.Proof)
	if n := len(vk.plonk.Qcp); len(p.Bsb22Commitments) != n {
		return Errorf(MalformedProof, "the verifying key takes PLONK proofs of %d bytes (%d commitment(s)), got %d bytes",
			PlonkProofSizeWith(n), n, PlonkProofSizeWith(len(p.Bsb22Commitments)))
	}
	return nil
}

func (plonkBackend) verify(vk *VerifyingKey, proof any, public fr.Vector) bool {
	return plonkbn254.Verify(proof.(*plonkbn254.Proof), vk.plonk, public, solidity.WithVerifierTargetSolidityVerifier(backend.PLONK)) == nil
}

func (plonkBackend) nbPublic(vk *VerifyingKey) int { return int(vk.plonk.NbPublicVariables) }

// PlonkCalldata is the ABI-encoded call Verify(proof, publicInputs) of the PLONK verifier, with
// proof the first PlonkSolidityProofSize bytes of a PlonkProofSize proof:
//
//	selector (4) | offset of proof = 0x40 | offset of inputs = 0x60 + 768 |
//	len(proof) = 768 | proof (768) | n | input[0..n)
//
// (both arguments are dynamic: the head holds their offsets; 768 is a multiple of 32, no padding).
//
// A lookup circuit's proof is 96 bytes longer (docs/native-abi.md); the Solidity part is the proof
// without its last word whenever the length is that of a full proof (800 + 96·n).
func PlonkCalldata(proof []byte, publicInputs []*big.Int) []byte {
	sol := proof
	if len(sol) >= PlonkProofSize && (len(sol)-PlonkProofSize)%(32*PlonkCommitmentWords) == 0 {
		sol = sol[:len(sol)-32]
	}
	n := len(publicInputs)
	sel := Selector(PlonkVerifySignature)
	padded := (len(sol) + 31) / 32 * 32
	out := make([]byte, 0, 4+32*(4+n)+padded)
	out = append(out, sel[:]...)
	out = append(out, word(big.NewInt(64))...)
	out = append(out, word(big.NewInt(int64(64+32+padded)))...)
	out = append(out, word(big.NewInt(int64(len(sol))))...)
	out = append(out, sol...)
	out = append(out, make([]byte, padded-len(sol))...)
	out = append(out, word(big.NewInt(int64(n)))...)
	for _, v := range publicInputs {
		out = append(out, word(v)...)
	}
	return out
}

func (plonkBackend) calldata(proof []byte, public []*big.Int) []byte {
	return PlonkCalldata(proof, public)
}

func (plonkBackend) exportSolidity(vk *VerifyingKey) (string, error) {
	return exportWith(func(b *bytes.Buffer) error { return vk.plonk.ExportSolidity(b) })
}
