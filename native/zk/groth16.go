package zk

import (
	"bytes"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/solidity"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"golang.org/x/crypto/sha3"

	"github.com/zkml-service/zkml/native/circuit"
	"github.com/zkml-service/zkml/native/ir"
)

// groth16Backend is Groth16 over BN254: the R1CS of circuit.Compile, a single-party setup,
// 256-byte proofs (ProofSize), verifyProof(bytes,uint256[N]) — exactly as v0.1 made them for a
// bits circuit; a lookup circuit (range checks by std/rangecheck) has one BSB22 commitment and
// 384-byte proofs (ProofSizeWithCommitment) for the same signature.
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

// MaxLookupCommitments is the most BSB22 commitments a Groth16 key of a lookup circuit has:
// std/rangecheck makes one (gnark folds every multicommit of a circuit into one).
const MaxLookupCommitments = 1

func (groth16Backend) decodePK(payload []byte, lookup bool) (any, error) {
	pk := groth16.NewProvingKey(ecc.BN254)
	if _, err := pk.ReadFrom(bytes.NewReader(payload)); err != nil {
		return nil, err
	}
	if p, ok := pk.(*groth16bn254.ProvingKey); ok {
		if err := checkCommitments(len(p.CommitmentKeys), lookup, "proving"); err != nil {
			return nil, err
		}
	}
	return pk, nil
}

func (groth16Backend) decodeVK(payload []byte, lookup bool) (any, error) {
	vk := new(groth16bn254.VerifyingKey)
	if _, err := vk.ReadFrom(bytes.NewReader(payload)); err != nil {
		return nil, err
	}
	if len(vk.PublicAndCommitmentCommitted) != len(vk.CommitmentKeys) {
		return nil, Errorf(InvalidArgument, "verifying key with %d commitment keys and %d committed-input lists",
			len(vk.CommitmentKeys), len(vk.PublicAndCommitmentCommitted))
	}
	for _, pc := range vk.PublicAndCommitmentCommitted {
		if len(pc) != 0 {
			return nil, Errorf(InvalidArgument, "verifying key whose commitment commits to public inputs; std/rangecheck commits to private wires only")
		}
	}
	if err := checkCommitments(len(vk.CommitmentKeys), lookup, "verifying"); err != nil {
		return nil, err
	}
	return vk, nil
}

// checkCommitments: a Groth16 key has no BSB22 commitment unless its header says the circuit
// range-checks by lookup, and then at most MaxLookupCommitments.
func checkCommitments(n int, lookup bool, what string) error {
	if n != 0 && !lookup {
		return Errorf(InvalidArgument, "%s key with %d commitment(s), and its header does not say \"rangeCheck\": \"lookup\"; "+
			"only a circuit that range-checks by lookup has a Groth16 key with a commitment", what, n)
	}
	if n > MaxLookupCommitments {
		return Errorf(InvalidArgument, "%s key with %d commitments; a lookup circuit has at most %d", what, n, MaxLookupCommitments)
	}
	return nil
}

func (groth16Backend) prove(c *Circuit, pk *ProvingKey, w witness.Witness) ([]byte, error) {
	// The commitment's challenge is hashed to the field with legacy Keccak-256, as the exported
	// Solidity verifier recomputes it (no effect on a proof without commitments).
	proof, err := groth16.Prove(c.CS, pk.PK, w, solidity.WithProverTargetSolidityVerifier(backend.GROTH16))
	if err != nil {
		return nil, Errorf(Unsatisfied, "prove: %v", err)
	}
	p, ok := proof.(*groth16bn254.Proof)
	if !ok {
		return nil, Errorf(Internal, "unexpected proof type %T", proof)
	}
	sol := p.MarshalSolidity()
	if want := Groth16ProofSize(len(p.Commitments)); len(sol) != want {
		return nil, Errorf(Internal, "solidity proof has %d bytes, expected %d", len(sol), want)
	}
	return sol, nil
}

func (groth16Backend) decodeProof(b []byte) (any, error) { return DecodeSolidityProof(b) }

func (groth16Backend) checkProofShape(vk *VerifyingKey, proof any) error {
	p := proof.(*groth16bn254.Proof)
	if n := len(vk.VK.CommitmentKeys); len(p.Commitments) != n {
		return Errorf(MalformedProof, "the verifying key takes proofs of %d bytes (%d commitment(s)), got %d bytes",
			Groth16ProofSize(n), n, Groth16ProofSize(len(p.Commitments)))
	}
	return nil
}

func (groth16Backend) verify(vk *VerifyingKey, proof any, public fr.Vector) bool {
	// Inputs were checked before, so the only failure left is the pairing check (and, for a
	// lookup circuit, the commitment's proof of knowledge, its challenge hashed with Keccak-256).
	return groth16bn254.Verify(proof.(*groth16bn254.Proof), vk.VK, public,
		solidity.WithVerifierTargetSolidityVerifier(backend.GROTH16)) == nil
}

// nbPublic: gnark's K has one base per public input, the constant-one wire and each commitment.
func (groth16Backend) nbPublic(vk *VerifyingKey) int {
	return vk.VK.NbPublicWitness() - len(vk.VK.CommitmentKeys)
}

func (groth16Backend) calldata(proof []byte, public []*big.Int) []byte {
	return Calldata(proof, public)
}

func (groth16Backend) exportSolidity(vk *VerifyingKey) (string, error) {
	// legacy Keccak-256 is gnark's default hash-to-field of the template; named to match prove.
	return exportWith(func(b *bytes.Buffer) error {
		return vk.VK.ExportSolidity(b, solidity.WithHashToFieldFunction(sha3.NewLegacyKeccak256()))
	})
}
