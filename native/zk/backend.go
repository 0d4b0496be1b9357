package zk

import (
	"bytes"
	"math/big"
	"sort"
	"strings"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"

	"github.com/zkml-service/zkml/native/circuit"
	"github.com/zkml-service/zkml/native/ir"
)

// System names a proving system. The names are part of the ABI and of the artifact headers.
type System string

// The proving systems.
const (
	// Groth16 over BN254: R1CS, a circuit-specific setup, 256-byte proofs; gnark's Solidity
	// verifier reverts on a proof that does not verify.
	Groth16 System = "groth16"
	// PLONK over BN254 with KZG commitments: sparse R1CS, a universal SRS (powers of tau),
	// 768-byte proofs; gnark's Solidity verifier returns false on a proof that does not verify
	// (and reverts on a malformed one).
	Plonk System = "plonk"
)

// The trust values of a setup (the "trust" of SetupInfo, of key headers and of the service's
// circuit document, docs/trust-model.md).
const (
	// TrustSinglePartyValue: a Groth16 setup whose toxic waste came from crypto/rand inside this
	// process and was dropped; whoever ran it could have kept it.
	TrustSingleParty = "single-party"
	// TrustUniversalSRS: a PLONK setup on the powers of a .ptau file (a public ceremony, sound
	// if one of its contributors was honest); the file's SHA-256 is recorded.
	TrustUniversalSRS = "universal-srs"
	// TrustLocalUnsafe: a PLONK setup on an SRS this process drew itself (tau from crypto/rand,
	// dropped); for development and tests only (SetupOptions.AllowLocalUnsafe).
	TrustLocalUnsafe = "local-unsafe"
)

// Backend is one proving system behind the common pipeline: the constraint-system builder, the
// setup, proving, verification, the proof's wire layout, the calldata of its Solidity verifier
// and the verifier's export. Compile, Setup, Prove, Verify, ExportSolidity and the artifact
// readers go through it; nothing else switches on the system. The methods are unexported: the
// two implementations (groth16Backend, plonkBackend) are all there is.
type Backend interface {
	// System is the backend's name.
	System() System
	// Kinds of the artifact files of this system.
	csKind() string
	pkKind() string
	vkKind() string

	// compile builds the constraint system of d, with its per-op counts.
	compile(d *ir.IR) (constraint.ConstraintSystem, circuit.ConstraintsByOp, error)
	// newCS returns an empty constraint system to decode a file into.
	newCS() constraint.ConstraintSystem
	// setup makes the keys of c; pk and vk serialize the key payloads.
	setup(c *Circuit, opts SetupOptions) (pk, vk rawWriterTo, info SetupInfo, err error)
	// decodePK and decodeVK read key payloads (points checked).
	// A key with BSB22 commitments is refused unless lookup (its header says "rangeCheck": "lookup").
	decodePK(payload []byte, lookup bool) (any, error)
	decodeVK(payload []byte, lookup bool) (any, error)
	// prove proves a solved witness and returns the proof in its Solidity layout.
	prove(c *Circuit, pk *ProvingKey, w witness.Witness) ([]byte, error)
	// decodeProof decodes a proof in its Solidity layout; MalformedProof for bytes that do not
	// decode (a wrong size, a coordinate or scalar out of range, a point off the curve).
	decodeProof(proof []byte) (any, error)
	// checkProofShape refuses (MalformedProof) a decoded proof whose commitments do not match the key.
	checkProofShape(vk *VerifyingKey, proof any) error
	// verify checks a decoded proof: false for a proof that does not verify.
	verify(vk *VerifyingKey, proof any, public fr.Vector) bool
	// nbPublic is the number of public inputs the key takes.
	nbPublic(vk *VerifyingKey) int
	// calldata encodes the call of the exported verifier's function.
	calldata(proof []byte, public []*big.Int) []byte
	// exportSolidity writes gnark's Solidity verifier for the key.
	exportSolidity(vk *VerifyingKey) (string, error)
}

var backends = map[System]Backend{
	Groth16: groth16Backend{},
	Plonk:   plonkBackend{},
}

// BackendOf returns the backend of a proving system; an unknown name is InvalidArgument naming
// the known ones.
func BackendOf(s System) (Backend, error) {
	b, ok := backends[s]
	if !ok {
		return nil, Errorf(InvalidArgument, "unknown proving system %q (known: %s)", string(s), strings.Join(Systems(), ", "))
	}
	return b, nil
}

// Systems lists the names of the proving systems, sorted.
func Systems() []string {
	out := make([]string, 0, len(backends))
	for s := range backends {
		out = append(out, string(s))
	}
	sort.Strings(out)
	return out
}

// backendOfKind returns the backend whose artifact kinds include kind.
func backendOfKind(kind string) (Backend, bool) {
	for _, b := range backends {
		if kind == b.csKind() || kind == b.pkKind() || kind == b.vkKind() {
			return b, true
		}
	}
	return nil, false
}

// SetupOptions are the inputs of a setup besides the circuit. Groth16 ignores the SRS fields.
type SetupOptions struct {
	// PtauPath is a snarkjs powers-of-tau file (PLONK): the SRS is read from it, checked, and
	// its SHA-256 recorded. Empty: an SRS drawn locally, allowed only with AllowLocalUnsafe.
	PtauPath string `json:"ptauPath,omitempty"`
	// AllowLocalUnsafe permits a PLONK setup on a locally drawn SRS ("trust": "local-unsafe").
	AllowLocalUnsafe bool `json:"allowLocalUnsafe,omitempty"`
}

// SetupInfo is who must be honest for the keys to be sound, recorded in the key headers.
type SetupInfo struct {
	Trust string `json:"trust"`
	// SRSSHA256 is the SHA-256 of the .ptau file (universal-srs); empty otherwise.
	SRSSHA256 string `json:"srsSha256,omitempty"`
	// SRSPower is the power of the .ptau file (2^power powers of tau); 0 if none.
	SRSPower int `json:"srsPower,omitempty"`
	// SRSSize is the number of G1 powers the keys use (PLONK: domain size + 3).
	SRSSize int `json:"srsSize,omitempty"`
}

func toFrVector(publicInputs []*big.Int) (fr.Vector, error) {
	vec := make(fr.Vector, len(publicInputs))
	for i, v := range publicInputs {
		if v == nil || v.Sign() < 0 || v.Cmp(ir.Modulus) >= 0 {
			return nil, Errorf(MalformedProof, "public input %d is not a field element in [0, r): %v", i, v)
		}
		vec[i].SetBigInt(v)
	}
	return vec, nil
}

func exportWith(write func(*bytes.Buffer) error) (string, error) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return "", Errorf(Internal, "export solidity: %v", err)
	}
	return buf.String(), nil
}
