// Package zk turns IR documents into Groth16 artifacts over BN254 and uses them: compile to
// R1CS, setup, prove, verify, export gnark's Solidity verifier. It is the pure-Go core behind
// the C ABI (package capi); every error it returns carries an ABI error code (CodeOf).
//
// All values (Circuit, ProvingKey, VerifyingKey) are immutable after creation and safe for
// concurrent use: many proofs may run at once with the same circuit and key.
package zk

import (
	"bytes"
	"encoding/hex"
	"io"
	"math/big"
	"runtime"
	"sync"
	"time"

	"github.com/consensys/gnark"
	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/logger"

	"github.com/zkml-service/zkml/native/circuit"
	"github.com/zkml-service/zkml/native/ir"
)

// ABIVersion is the version of the C ABI and of the artifact header. Bump it when a function
// signature, an error code, the JSON shapes or the artifact format change.
const ABIVersion = 1

// Curve is the curve of every artifact.
const Curve = "bn254"

func init() {
	// gnark logs to stdout by default; a library inside a JVM must stay silent.
	logger.Disable()
}

// GnarkVersion is the gnark version compiled in, e.g. "v0.16.3".
func GnarkVersion() string { return "v" + gnark.Version.String() }

// GoVersion is the Go toolchain that built this code.
func GoVersion() string { return runtime.Version() }

// Versions is the JSON object zkml_versions returns.
type Versions struct {
	ABIVersion   int    `json:"abiVersion"`
	GnarkVersion string `json:"gnarkVersion"`
	GoVersion    string `json:"goVersion"`
	Curve        string `json:"curve"`
}

// CurrentVersions describes this build.
func CurrentVersions() Versions {
	return Versions{ABIVersion: ABIVersion, GnarkVersion: GnarkVersion(), GoVersion: GoVersion(), Curve: Curve}
}

// Circuit is a compiled IR document.
type Circuit struct {
	IR *ir.IR
	CS constraint.ConstraintSystem

	byOpOnce sync.Once
	byOp     circuit.ConstraintsByOp
}

// Info is the JSON object zkml_cs_info returns.
type Info struct {
	Constraints   int    `json:"constraints"`
	PublicInputs  int    `json:"publicInputs"`
	InputSize     int    `json:"inputSize"`
	OutputSize    int    `json:"outputSize"`
	CircuitSHA256 string `json:"circuitSha256"`
	// ConstraintsByOp: the constraints each kind added ("input_range", an op name, "output"),
	// in constraint order; it sums to Constraints.
	ConstraintsByOp circuit.ConstraintsByOp `json:"constraintsByOp"`
}

// Info describes the circuit. For a circuit read by LoadCircuit, the first call compiles the IR
// once more to count the constraints of each op (the file holds only the whole system).
func (c *Circuit) Info() Info {
	return Info{
		Constraints:     c.CS.GetNbConstraints(),
		PublicInputs:    c.IR.PublicSize(),
		InputSize:       c.IR.InputSize(),
		OutputSize:      c.IR.OutputSize(),
		CircuitSHA256:   c.IR.CircuitHash(),
		ConstraintsByOp: c.ConstraintsByOp(),
	}
}

// ConstraintsByOp returns the constraints each op kind added (nil if they cannot be counted).
func (c *Circuit) ConstraintsByOp() circuit.ConstraintsByOp {
	c.byOpOnce.Do(func() {
		if c.byOp != nil {
			return
		}
		cs, byOp, err := circuit.CompileWithCounts(c.IR)
		if err == nil && cs.GetNbConstraints() == c.CS.GetNbConstraints() {
			c.byOp = byOp
		}
	})
	return c.byOp
}

func parseIR(irJSON []byte) (*ir.IR, error) {
	if len(irJSON) == 0 {
		return nil, Errorf(InvalidArgument, "empty IR document")
	}
	d, err := ir.Parse(irJSON)
	if err != nil {
		return nil, Errorf(InvalidIR, "%v", err)
	}
	return d, nil
}

// Compile parses and validates an IR document and compiles it to an R1CS over BN254.
func Compile(irJSON []byte) (*Circuit, error) {
	d, err := parseIR(irJSON)
	if err != nil {
		return nil, err
	}
	cs, byOp, err := circuit.CompileWithCounts(d)
	if err != nil {
		return nil, Errorf(Internal, "compile circuit %q: %v", d.Name, err)
	}
	return &Circuit{IR: d, CS: cs, byOp: byOp}, nil
}

// WriteTo writes the constraint system to an artifact file.
func (c *Circuit) WriteTo(path string) error {
	_, err := writeArtifact(path, newHeader(KindR1CS, c.IR.CircuitHash()), c.CS)
	return err
}

// LoadCircuit reads a constraint-system file written by WriteTo for the given IR document.
func LoadCircuit(irJSON []byte, path string) (c *Circuit, err error) {
	d, err := parseIR(irJSON)
	if err != nil {
		return nil, err
	}
	h, payload, err := readArtifact(path, KindR1CS)
	if err != nil {
		return nil, err
	}
	if h.CircuitSHA256 != d.CircuitHash() {
		return nil, Errorf(InvalidArgument, "%s was compiled from IR %s, not from this IR (%s)", path, h.CircuitSHA256, d.CircuitHash())
	}
	defer recoverCorrupt(path, &err)
	cs := groth16.NewCS(ecc.BN254)
	if _, err := cs.ReadFrom(bytes.NewReader(payload)); err != nil {
		return nil, Errorf(IO, "%s: cannot decode the constraint system: %v", path, err)
	}
	want := d.PublicSize() + 1
	if cs.GetNbPublicVariables() != want {
		return nil, Errorf(InvalidArgument, "%s has %d public variables, the IR needs %d", path, cs.GetNbPublicVariables(), want)
	}
	return &Circuit{IR: d, CS: cs}, nil
}

// recoverCorrupt turns a panic while decoding gnark's binary formats into an IO error.
func recoverCorrupt(path string, err *error) {
	if r := recover(); r != nil {
		*err = Errorf(IO, "%s: corrupt artifact (%v)", path, r)
	}
}

// ProvingKey is a Groth16 proving key and the circuit hash it was made for.
type ProvingKey struct {
	PK            groth16.ProvingKey
	CircuitSHA256 string
}

// VerifyingKey is a Groth16 verifying key and the circuit hash it was made for.
type VerifyingKey struct {
	VK            *groth16bn254.VerifyingKey
	CircuitSHA256 string
}

// SetupResult is the JSON object zkml_setup returns.
type SetupResult struct {
	SetupMillis        int64  `json:"setupMillis"`
	VerifyingKeySHA256 string `json:"verifyingKeySha256"`
}

// Setup runs a Groth16 setup (toxic waste from crypto/rand, discarded) and writes both keys.
func Setup(c *Circuit, pkPath, vkPath string) (SetupResult, error) {
	if pkPath == "" || vkPath == "" {
		return SetupResult{}, Errorf(InvalidArgument, "empty key path")
	}
	if pkPath == vkPath {
		return SetupResult{}, Errorf(InvalidArgument, "proving and verifying key paths are the same: %s", pkPath)
	}
	start := time.Now()
	pk, vk, err := groth16.Setup(c.CS)
	if err != nil {
		return SetupResult{}, Errorf(Internal, "setup: %v", err)
	}
	millis := time.Since(start).Milliseconds()
	hash := c.IR.CircuitHash()
	if _, err := writeArtifact(pkPath, newHeader(KindProvingKey, hash), rawWriter{pk}); err != nil {
		return SetupResult{}, err
	}
	vkSHA, err := writeArtifact(vkPath, newHeader(KindVerifyingKey, hash), rawWriter{vk})
	if err != nil {
		return SetupResult{}, err
	}
	return SetupResult{SetupMillis: millis, VerifyingKeySHA256: vkSHA}, nil
}

type rawWriterTo interface {
	WriteRawTo(w io.Writer) (int64, error)
}

// rawWriter writes keys uncompressed: larger files, much faster to read.
type rawWriter struct{ v rawWriterTo }

func (r rawWriter) WriteTo(w io.Writer) (int64, error) { return r.v.WriteRawTo(w) }

// LoadProvingKey reads a proving-key file written by Setup (points are checked on load).
func LoadProvingKey(path string) (k *ProvingKey, err error) {
	h, payload, err := readArtifact(path, KindProvingKey)
	if err != nil {
		return nil, err
	}
	defer recoverCorrupt(path, &err)
	pk := groth16.NewProvingKey(ecc.BN254)
	if _, err := pk.ReadFrom(bytes.NewReader(payload)); err != nil {
		return nil, Errorf(IO, "%s: cannot decode the proving key: %v", path, err)
	}
	return &ProvingKey{PK: pk, CircuitSHA256: h.CircuitSHA256}, nil
}

// LoadVerifyingKey reads a verifying-key file written by Setup (points are checked on load).
func LoadVerifyingKey(path string) (k *VerifyingKey, err error) {
	h, payload, err := readArtifact(path, KindVerifyingKey)
	if err != nil {
		return nil, err
	}
	defer recoverCorrupt(path, &err)
	vk := new(groth16bn254.VerifyingKey)
	if _, err := vk.ReadFrom(bytes.NewReader(payload)); err != nil {
		return nil, Errorf(IO, "%s: cannot decode the verifying key: %v", path, err)
	}
	if len(vk.PublicAndCommitmentCommitted) != 0 || len(vk.CommitmentKeys) != 0 {
		return nil, Errorf(InvalidArgument, "%s: verifying key with commitments; this library makes plain Groth16 only", path)
	}
	return &VerifyingKey{VK: vk, CircuitSHA256: h.CircuitSHA256}, nil
}

// ProofResult is the JSON object zkml_prove returns.
type ProofResult struct {
	Outputs []string `json:"outputs"` // signed decimal integers
	// Commitments: the commitments to the hashed inputs (decimal field elements; also in
	// PublicInputs, after the public input values); omitted when the circuit has none.
	Commitments   []string `json:"commitments,omitempty"`
	PublicInputs  []string `json:"publicInputs"` // decimal field elements, verifier order
	ProofHex      string   `json:"proofHex"`     // 0x + 256 bytes
	CalldataHex   string   `json:"calldataHex"`  // 0x + verifyProof(bytes,uint256[N]) calldata
	WitnessMillis int64    `json:"witnessMillis"`
	ProveMillis   int64    `json:"proveMillis"`

	Proof []byte `json:"-"`
}

// Prove evaluates the circuit on inputs (signed integers, IR input order) and proves it.
// A wrong input count is InvalidArgument, an input out of range Unsatisfied. It is ProveSalted
// without salts (for circuits without hashed inputs).
func Prove(c *Circuit, pk *ProvingKey, inputs []*big.Int) (*ProofResult, error) {
	return ProveSalted(c, pk, inputs, nil)
}

// ProveSalted is Prove for a circuit with hashed inputs: salts holds one salt (a field element
// in [0, r), private witness) per commitment of the IR. A wrong number of salts, or a salt
// outside [0, r), is InvalidArgument.
func ProveSalted(c *Circuit, pk *ProvingKey, inputs, salts []*big.Int) (*ProofResult, error) {
	if pk.CircuitSHA256 != c.IR.CircuitHash() {
		return nil, Errorf(InvalidArgument, "the proving key was made for circuit %s, not %s", pk.CircuitSHA256, c.IR.CircuitHash())
	}
	start := time.Now()
	assignment, ev, err := circuit.AssignSalted(c.IR, inputs, salts)
	if err != nil {
		return nil, Errorf(CodeOf(err), "%v", err)
	}
	w, err := circuit.NewWitness(assignment)
	if err != nil {
		return nil, Errorf(Internal, "witness: %v", err)
	}
	if err := c.CS.IsSolved(w); err != nil {
		return nil, Errorf(Unsatisfied, "the witness does not satisfy circuit %q: %v", c.IR.Name, err)
	}
	witnessMillis := time.Since(start).Milliseconds()
	start = time.Now()
	proof, err := groth16.Prove(c.CS, pk.PK, w)
	if err != nil {
		return nil, Errorf(Unsatisfied, "prove: %v", err)
	}
	proveMillis := time.Since(start).Milliseconds()
	p, ok := proof.(*groth16bn254.Proof)
	if !ok {
		return nil, Errorf(Internal, "unexpected proof type %T", proof)
	}
	sol := p.MarshalSolidity()
	if len(sol) != ProofSize {
		return nil, Errorf(Internal, "solidity proof has %d bytes, expected %d", len(sol), ProofSize)
	}
	public := circuit.PublicInputs(assignment)
	res := &ProofResult{
		ProofHex:      "0x" + hex.EncodeToString(sol),
		CalldataHex:   "0x" + hex.EncodeToString(Calldata(sol, public)),
		WitnessMillis: witnessMillis,
		ProveMillis:   proveMillis,
		Proof:         sol,
	}
	for _, v := range ev.Outputs {
		res.Outputs = append(res.Outputs, v.String())
	}
	for _, v := range public {
		res.PublicInputs = append(res.PublicInputs, v.String())
	}
	for _, v := range assignment.Commitments {
		res.Commitments = append(res.Commitments, v.(*big.Int).String())
	}
	return res, nil
}

// Verify checks a proof in the Solidity layout (ProofSize bytes) against public inputs
// (field elements in [0, r), verifier order). It returns false for a well-formed proof that
// does not verify; MalformedProof for bytes that do not decode to curve points of the right
// subgroup or public inputs outside [0, r); InvalidArgument for a wrong number of inputs.
func Verify(vk *VerifyingKey, proofBytes []byte, publicInputs []*big.Int) (bool, error) {
	proof, err := DecodeSolidityProof(proofBytes)
	if err != nil {
		return false, err
	}
	if n := vk.VK.NbPublicWitness(); len(publicInputs) != n {
		return false, Errorf(InvalidArgument, "the verifying key takes %d public inputs, got %d", n, len(publicInputs))
	}
	vec := make(fr.Vector, len(publicInputs))
	for i, v := range publicInputs {
		if v == nil || v.Sign() < 0 || v.Cmp(ir.Modulus) >= 0 {
			return false, Errorf(MalformedProof, "public input %d is not a field element in [0, r): %v", i, v)
		}
		vec[i].SetBigInt(v)
	}
	if err := groth16bn254.Verify(proof, vk.VK, vec); err != nil {
		// Inputs were checked above, so the only failure left is the pairing check.
		return false, nil
	}
	return true, nil
}

// ExportSolidity returns gnark's Solidity verifier for the key.
func ExportSolidity(vk *VerifyingKey) (string, error) {
	var buf bytes.Buffer
	if err := vk.VK.ExportSolidity(&buf); err != nil {
		return "", Errorf(Internal, "export solidity: %v", err)
	}
	return buf.String(), nil
}
