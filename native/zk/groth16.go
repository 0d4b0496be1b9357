package zk

import (
	"bytes"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"

	"github.com/zkml-service/zkml/native/circuit"
	"github.com/zkml-service/zkml/native/ir"
)

// groth16Backend is Groth16 over BN254 exactly as v0.1 made it: the R1CS of circuit.Compile, a
// single-party setup, 256-byte proofs (ProofSize), verifyProof(bytes,uint256[N]).
type groth16Backend struct{}

func (groth16Backend) System() System                     { return Groth16 }
func (groth16Backend) csKind() string                     { return KindR1CS }
func (groth16Backend) pkKind() string                     { return KindProvingKey }
func (groth16Backend) vkKind() string                     { return KindVerifyingKey }
func (groth16Backend) newCS() constraint.ConstraintSystem { return groth16.NewCS(ecc.BN254) }

func (groth16Backend) compile(d *ir.IR) (constraint.ConstraintSystem, circuit.ConstraintsByOp, error) {
	return circuit.CompileWithCounts(d)
}

func (groth16Backend) setup(c *Circuit, _ SetupOptions) (rawWriterTo, rawWriterTo, SetupInfo, error) {
	pk, vk, err := groth16.Setup(c.CS)
	if err != nil {
		return nil, nil, SetupInfo{}, Errorf(Internal, "setup: %v", err)
	}
	return pk, vk, SetupInfo{Trust: TrustSingleParty}, nil
}

func (groth16Backend) decodePK(payload []byte) (any, error) {
	pk := groth16.NewProvingKey(ecc.BN254)
	if _, err := pk.ReadFrom(bytes.NewReader(payload)); err != nil {
		return nil, err
	}
	return pk, nil
}

func (groth16Backend) decodeVK(payload []byte) (any, error) {
	vk := new(groth16bn254.VerifyingKey)
	if _, err := vk.ReadFrom(bytes.NewReader(payload)); err != nil {
		return nil, err
	}
	if len(vk.PublicAndCommitmentCommitted) != 0 || len(vk.CommitmentKeys) != 0 {
		return nil, Errorf(InvalidArgument, "verifying key with commitments; this library makes plain Groth16 only")
	}
	return vk, nil
}

func (groth16Backend) prove(c *Circuit, pk *ProvingKey, w witness.Witness) ([]byte, error) {
	proof, err := groth16.Prove(c.CS, pk.PK, w)
	if err != nil {
		return nil, Errorf(Unsatisfied, "prove: %v", err)
	}
	p, ok := proof.(*groth16bn254.Proof)
	if !ok {
		return nil, Errorf(Internal, "unexpected proof type %T", proof)
	}
	sol := p.MarshalSolidity()
	if len(sol) != ProofSize {
		return nil, Errorf(Internal, "solidity proof has %d bytes, expected %d", len(sol), ProofSize)
	}
	return sol, nil
}

func (groth16Backend) decodeProof(b []byte) (any, error) { return DecodeSolidityProof(b) }

func (groth16Backend) verify(vk *VerifyingKey, proof any, public fr.Vector) bool {
	// Inputs were checked before, so the only failure left is the pairing check.
	return groth16bn254.Verify(proof.(*groth16bn254.Proof), vk.VK, public) == nil
}

func (groth16Backend) nbPublic(vk *VerifyingKey) int { return vk.VK.NbPublicWitness() }

func (groth16Backend) calldata(proof []byte, public []*big.Int) []byte {
	return Calldata(proof, public)
}

func (groth16Backend) exportSolidity(vk *VerifyingKey) (string, error) {
	return exportWith(func(b *bytes.Buffer) error { return vk.VK.ExportSolidity(b) })
}
