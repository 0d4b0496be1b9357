// Package zk turns IR documents into proofs over BN254 and uses them: compile to a constraint
// system, setup, prove, verify, export gnark's Solidity verifier, for each proving system behind
// the Backend interface (Groth16 on R1CS, PLONK with KZG on a sparse R1CS; backend.go). It is the
// pure-Go core behind the C ABI (package capi); every error it returns carries an ABI error code
// (CodeOf).
//
// All values (Circuit, ProvingKey, VerifyingKey) are immutable after creation and safe for
// concurrent use: many proofs may run at once with the same circuit and key.
package zk

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"math/big"
	"runtime"
	"sync"
	"time"

	"github.com/consensys/gnark"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	plonkbn254 "github.com/consensys/gnark/backend/plonk/bn254"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/constraint/solver"
	fcs "github.com/consensys/gnark/frontend/cs"
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

// Circuit is a compiled IR document: its constraint system for one proving system.
type Circuit struct {
	IR *ir.IR
	CS constraint.ConstraintSystem
	// Backend is the proving system CS was built for (Groth16: an R1CS, PLONK: a sparse R1CS).
	Backend Backend

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
	// ProvingSystem is "groth16" or "plonk"; PLONK constraints are gates of the sparse R1CS.
	ProvingSystem System `json:"provingSystem"`
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
		ProvingSystem:   c.Backend.System(),
		ConstraintsByOp: c.ConstraintsByOp(),
	}
}

// ConstraintsByOp returns the constraints each op kind added (nil if they cannot be counted).
func (c *Circuit) ConstraintsByOp() circuit.ConstraintsByOp {
	c.byOpOnce.Do(func() {
		if c.byOp != nil {
			return
		}
		cs, byOp, err := c.Backend.compile(c.IR)
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

// Compile parses and validates an IR document and compiles it to an R1CS over BN254 (Groth16).
func Compile(irJSON []byte) (*Circuit, error) {
	return CompileFor(irJSON, Groth16)
}

// CompileFor parses and validates an IR document and compiles it to the constraint system of a
// proving system (an unknown name is InvalidArgument).
func CompileFor(irJSON []byte, system System) (*Circuit, error) {
	b, err := BackendOf(system)
	if err != nil {
		return nil, err
	}
	d, err := parseIR(irJSON)
	if err != nil {
		return nil, err
	}
	if err := checkRangeCheck(b, d); err != nil {
		return nil, err
	}
	cs, byOp, err := b.compile(d)
	if err != nil {
		return nil, Errorf(Internal, "compile circuit %q: %v", d.Name, err)
	}
	return &Circuit{IR: d, CS: cs, Backend: b, byOp: byOp}, nil
}

// WriteTo writes the constraint system to an artifact file (kind r1cs or scs).
func (c *Circuit) WriteTo(path string) error {
	_, err := writeArtifact(path, newHeader(c.Backend.csKind(), c.IR.CircuitHash()), c.CS)
	return err
}

// LoadCircuit reads an R1CS file written by WriteTo for the given IR document.
func LoadCircuit(irJSON []byte, path string) (c *Circuit, err error) {
	return LoadCircuitFor(irJSON, Groth16, path)
}

// LoadCircuitFor reads a constraint-system file of a proving system written by WriteTo for the
// given IR document: a file of another system or of another IR is InvalidArgument.
func LoadCircuitFor(irJSON []byte, system System, path string) (c *Circuit, err error) {
	b, err := BackendOf(system)
	if err != nil {
		return nil, err
	}
	d, err := parseIR(irJSON)
	if err != nil {
		return nil, err
	}
	if err := checkRangeCheck(b, d); err != nil {
		return nil, err
	}
	h, payload, err := readArtifact(path, b.csKind())
	if err != nil {
		return nil, err
	}
	if h.CircuitSHA256 != d.CircuitHash() {
		return nil, Errorf(InvalidArgument, "%s was compiled from IR %s, not from this IR (%s)", path, h.CircuitSHA256, d.CircuitHash())
	}
	defer recoverCorrupt(path, &err)
	cs := b.newCS()
	if _, err := cs.ReadFrom(bytes.NewReader(payload)); err != nil {
		return nil, Errorf(IO, "%s: cannot decode the constraint system: %v", path, err)
	}
	want := d.PublicSize()
	if system == Groth16 {
		want++ // the R1CS's constant-one wire is its first public variable; a sparse R1CS has none
	}
	if cs.GetNbPublicVariables() != want {
		return nil, Errorf(InvalidArgument, "%s has %d public variables, the IR needs %d", path, cs.GetNbPublicVariables(), want)
	}
	return &Circuit{IR: d, CS: cs, Backend: b}, nil
}

// recoverCorrupt turns a panic while decoding gnark's binary formats into an IO error.
func recoverCorrupt(path string, err *error) {
	if r := recover(); r != nil {
		*err = Errorf(IO, "%s: corrupt artifact (%v)", path, r)
	}
}

// ProvingKey is a proving key of one proving system and the circuit hash it was made for.
type ProvingKey struct {
	PK            groth16.ProvingKey // Groth16 only (nil for PLONK)
	CircuitSHA256 string
	System        System
	Setup         SetupInfo
	// RangeCheck is the circuit's range checks ("bits" or "lookup"), from the key header.
	RangeCheck string
	plonk      *plonkbn254.ProvingKey
}

// VerifyingKey is a verifying key of one proving system and the circuit hash it was made for.
type VerifyingKey struct {
	VK            *groth16bn254.VerifyingKey // Groth16 only (nil for PLONK)
	CircuitSHA256 string
	System        System
	Setup         SetupInfo
	// RangeCheck is the circuit's range checks ("bits" or "lookup"), from the key header.
	RangeCheck string
	plonk      *plonkbn254.VerifyingKey
}

// KeyInfo is the JSON object zkml_key_info returns: what a key was made for and how.
type KeyInfo struct {
	Kind          string `json:"kind"`
	ProvingSystem System `json:"provingSystem"`
	CircuitSHA256 string `json:"circuitSha256"`
	PublicInputs  int    `json:"publicInputs,omitempty"`
	// RangeCheck: "lookup" for a key of a circuit that range-checks by lookup (a Groth16 key
	// then has one BSB22 commitment and its proofs are ProofSizeWithCommitment bytes); absent
	// for "bits".
	RangeCheck string `json:"rangeCheck,omitempty"`
	SetupInfo
}

// Info describes the proving key.
func (k *ProvingKey) Info() KeyInfo {
	b, _ := BackendOf(k.System)
	return KeyInfo{Kind: b.pkKind(), ProvingSystem: k.System, CircuitSHA256: k.CircuitSHA256, SetupInfo: k.Setup,
		RangeCheck: lookupOnly(k.RangeCheck)}
}

// Info describes the verifying key.
func (k *VerifyingKey) Info() KeyInfo {
	b, _ := BackendOf(k.System)
	return KeyInfo{Kind: b.vkKind(), ProvingSystem: k.System, CircuitSHA256: k.CircuitSHA256,
		PublicInputs: b.nbPublic(k), SetupInfo: k.Setup, RangeCheck: lookupOnly(k.RangeCheck)}
}

func lookupOnly(rc string) string {
	if rc == ir.RangeCheckLookup {
		return rc
	}
	return ""
}

// SetupResult is the JSON object zkml_setup (and, with the setup's provenance, zkml_setup_for)
// returns.
type SetupResult struct {
	SetupMillis        int64  `json:"setupMillis"`
	VerifyingKeySHA256 string `json:"verifyingKeySha256"`
	ProvingSystem      System `json:"provingSystem,omitempty"`
	*SetupInfo
}

// Setup runs a Groth16 setup (toxic waste from crypto/rand, discarded) and writes both keys.
func Setup(c *Circuit, pkPath, vkPath string) (SetupResult, error) {
	if c.Backend.System() != Groth16 {
		return SetupResult{}, Errorf(InvalidArgument, "zkml_setup is Groth16's; this is a %s circuit (use zkml_setup_for)", c.Backend.System())
	}
	res, err := SetupWith(c, pkPath, vkPath, SetupOptions{})
	res.ProvingSystem, res.SetupInfo = "", nil // v0.1's result
	return res, err
}

// SetupWith runs the setup of the circuit's proving system and writes both keys. Groth16: a
// single-party setup. PLONK: the SRS of opts (a checked .ptau file, or a local one if allowed);
// the keys' headers record the setup's trust and the SRS hash.
func SetupWith(c *Circuit, pkPath, vkPath string, opts SetupOptions) (SetupResult, error) {
	if pkPath == "" || vkPath == "" {
		return SetupResult{}, Errorf(InvalidArgument, "empty key path")
	}
	if pkPath == vkPath {
		return SetupResult{}, Errorf(InvalidArgument, "proving and verifying key paths are the same: %s", pkPath)
	}
	start := time.Now()
	pk, vk, info, err := c.Backend.setup(c, opts)
	if err != nil {
		return SetupResult{}, err
	}
	millis := time.Since(start).Milliseconds()
	hash := c.IR.CircuitHash()
	if _, err := writeArtifact(pkPath, newKeyHeader(c.Backend.pkKind(), hash, info, c.IR), rawWriter{pk}); err != nil {
		return SetupResult{}, err
	}
	vkSHA, err := writeArtifact(vkPath, newKeyHeader(c.Backend.vkKind(), hash, info, c.IR), rawWriter{vk})
	if err != nil {
		return SetupResult{}, err
	}
	return SetupResult{SetupMillis: millis, VerifyingKeySHA256: vkSHA, ProvingSystem: c.Backend.System(), SetupInfo: &info}, nil
}

type rawWriterTo interface {
	WriteRawTo(w io.Writer) (int64, error)
}

// rawWriter writes keys uncompressed: larger files, much faster to read.
type rawWriter struct{ v rawWriterTo }

func (r rawWriter) WriteTo(w io.Writer) (int64, error) { return r.v.WriteRawTo(w) }

// LoadProvingKey reads a Groth16 proving-key file written by Setup (points are checked on load).
func LoadProvingKey(path string) (k *ProvingKey, err error) {
	return LoadProvingKeyFor(path, Groth16, "")
}

// LoadVerifyingKey reads a Groth16 verifying-key file written by Setup (points are checked on
// load).
func LoadVerifyingKey(path string) (k *VerifyingKey, err error) {
	return LoadVerifyingKeyFor(path, Groth16, "")
}

// LoadProvingKeyFor reads a proving-key file of a proving system. A key of another system, or,
// if circuitSHA256 is not empty, of another circuit, is InvalidArgument naming both.
func LoadProvingKeyFor(path string, system System, circuitSHA256 string) (k *ProvingKey, err error) {
	b, h, payload, err := readKey(path, system, circuitSHA256, Backend.pkKind)
	if err != nil {
		return nil, err
	}
	defer recoverCorrupt(path, &err)
	v, err := b.decodePK(payload, h.RangeCheck == ir.RangeCheckLookup)
	if err != nil {
		return nil, decodeError(path, "proving key", err)
	}
	k = &ProvingKey{CircuitSHA256: h.CircuitSHA256, System: system, Setup: h.setupInfo(system), RangeCheck: h.rangeCheck()}
	switch pk := v.(type) {
	case groth16.ProvingKey:
		k.PK = pk
	case *plonkbn254.ProvingKey:
		k.plonk = pk
	}
	return k, nil
}

// LoadVerifyingKeyFor reads a verifying-key file of a proving system, as LoadProvingKeyFor.
func LoadVerifyingKeyFor(path string, system System, circuitSHA256 string) (k *VerifyingKey, err error) {
	b, h, payload, err := readKey(path, system, circuitSHA256, Backend.vkKind)
	if err != nil {
		return nil, err
	}
	defer recoverCorrupt(path, &err)
	v, err := b.decodeVK(payload, h.RangeCheck == ir.RangeCheckLookup)
	if err != nil {
		return nil, decodeError(path, "verifying key", err)
	}
	k = &VerifyingKey{CircuitSHA256: h.CircuitSHA256, System: system, Setup: h.setupInfo(system), RangeCheck: h.rangeCheck()}
	switch vk := v.(type) {
	case *groth16bn254.VerifyingKey:
		k.VK = vk
	case *plonkbn254.VerifyingKey:
		k.plonk = vk
	}
	return k, nil
}

func readKey(path string, system System, circuitSHA256 string, kind func(Backend) string) (Backend, Header, []byte, error) {
	b, err := BackendOf(system)
	if err != nil {
		return nil, Header{}, nil, err
	}
	h, payload, err := readArtifact(path, kind(b))
	if err != nil {
		return nil, h, nil, err
	}
	if circuitSHA256 != "" && h.CircuitSHA256 != circuitSHA256 {
		return nil, h, nil, Errorf(InvalidArgument, "%s is a %s for circuit %s, not for circuit %s", path, h.Kind, h.CircuitSHA256, circuitSHA256)
	}
	return b, h, payload, nil
}

func decodeError(path, what string, err error) error {
	if ze, ok := err.(*Error); ok {
		return Errorf(ze.Code, "%s: %s", path, ze.Msg)
	}
	return Errorf(IO, "%s: cannot decode the %s: %v", path, what, err)
}

// ProofResult is the JSON object zkml_prove returns.
type ProofResult struct {
	Outputs []string `json:"outputs"` // signed decimal integers
	// Commitments: the commitments to the hashed inputs (decimal field elements; also in
	// PublicInputs, after the public input values); omitted when the circuit has none.
	Commitments   []string `json:"commitments,omitempty"`
	PublicInputs  []string `json:"publicInputs"` // decimal field elements, verifier order
	ProofHex      string   `json:"proofHex"`     // 0x + the proof (Groth16: 256 bytes, PLONK: 800)
	CalldataHex   string   `json:"calldataHex"`  // 0x + the calldata of the exported verifier
	WitnessMillis int64    `json:"witnessMillis"`
	ProveMillis   int64    `json:"proveMillis"`
	// ProvingSystem and CircuitSHA256 say what the proof is for (the key's system and circuit).
	ProvingSystem System `json:"provingSystem"`
	CircuitSHA256 string `json:"circuitSha256"`

	Proof []byte `json:"-"`
}

// Prove evaluates the circuit on inputs (signed integers, IR input order) and proves it.
// A wrong input count is InvalidArgument, an input out of range Unsatisfied; a key of another
// circuit or proving system is InvalidArgument. It is ProveSalted without salts (for circuits
// without hashed inputs).
func Prove(c *Circuit, pk *ProvingKey, inputs []*big.Int) (*ProofResult, error) {
	return ProveSalted(c, pk, inputs, nil)
}

// ProveSalted is Prove for a circuit with hashed inputs: salts holds one salt (a field element
// in [0, r), private witness) per commitment of the IR. A wrong number of salts, or a salt
// outside [0, r), is InvalidArgument.
func ProveSalted(c *Circuit, pk *ProvingKey, inputs, salts []*big.Int) (*ProofResult, error) {
	return ProveWeighted(c, pk, inputs, nil, salts)
}

// ProveWeighted is ProveSalted for a circuit with hashed weights (issue 8): weights are the
// values of its hashed constants (all of them, tensor order), private witness values; a wrong
// count is InvalidArgument, a weight outside its declared range Unsatisfied.
func ProveWeighted(c *Circuit, pk *ProvingKey, inputs, weights, salts []*big.Int) (*ProofResult, error) {
	if pk.CircuitSHA256 != c.IR.CircuitHash() {
		return nil, Errorf(InvalidArgument, "the proving key was made for circuit %s, not %s", pk.CircuitSHA256, c.IR.CircuitHash())
	}
	if pk.System != c.Backend.System() {
		return nil, Errorf(InvalidArgument, "the proving key is a %s key, the constraint system is %s's", pk.System, c.Backend.System())
	}
	start := time.Now()
	assignment, ev, err := circuit.AssignWeighted(c.IR, inputs, weights, salts)
	if err != nil {
		return nil, Errorf(CodeOf(err), "%v", err)
	}
	w, err := circuit.NewWitness(assignment)
	if err != nil {
		return nil, Errorf(Internal, "witness: %v", err)
	}
	if err := c.CS.IsSolved(w, precheckOptions(c)...); err != nil {
		return nil, Errorf(Unsatisfied, "the witness does not satisfy circuit %q: %v", c.IR.Name, err)
	}
	witnessMillis := time.Since(start).Milliseconds()
	start = time.Now()
	sol, err := c.Backend.prove(c, pk, w)
	if err != nil {
		return nil, err
	}
	proveMillis := time.Since(start).Milliseconds()
	public := circuit.PublicInputs(assignment)
	res := &ProofResult{
		ProofHex:      "0x" + hex.EncodeToString(sol),
		CalldataHex:   "0x" + hex.EncodeToString(c.Backend.calldata(sol, public)),
		WitnessMillis: witnessMillis,
		ProveMillis:   proveMillis,
		ProvingSystem: c.Backend.System(),
		CircuitSHA256: c.IR.CircuitHash(),
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

// Verify checks a proof in its system's layout (Groth16: ProofSize bytes, PLONK: PlonkProofSize)
// against public inputs (field elements in [0, r), verifier order). It returns false for a
// well-formed proof that does not verify; MalformedProof for bytes that do not decode to curve
// points of the right subgroup (and scalars below r) or public inputs outside [0, r);
// InvalidArgument for a wrong number of inputs.
func Verify(vk *VerifyingKey, proofBytes []byte, publicInputs []*big.Int) (bool, error) {
	b, err := BackendOf(vk.System)
	if err != nil {
		return false, err
	}
	proof, err := b.decodeProof(proofBytes)
	if err != nil {
		return false, err
	}
	if err := b.checkProofShape(vk, proof); err != nil {
		return false, err
	}
	if n := b.nbPublic(vk); len(publicInputs) != n {
		return false, Errorf(InvalidArgument, "the verifying key takes %d public inputs, got %d", n, len(publicInputs))
	}
	vec, err := toFrVector(publicInputs)
	if err != nil {
		return false, err
	}
	return b.verify(vk, proof, vec), nil
}

// ExportSolidity returns gnark's Solidity verifier for the key. Groth16's verifyProof reverts
// on a proof that does not verify; PLONK's Verify returns false (and reverts on a malformed one).
func ExportSolidity(vk *VerifyingKey) (string, error) {
	b, err := BackendOf(vk.System)
	if err != nil {
		return "", err
	}
	return b.exportSolidity(vk)
}

// checkRangeCheck refuses a document that range-checks by lookup for a proving system that does
// not take it (both Groth16 and PLONK take it: one BSB22 commitment).
func checkRangeCheck(b Backend, d *ir.IR) error {
	if d.Lookup() && b.System() != Groth16 && b.System() != Plonk {
		return Errorf(InvalidArgument, "\"range_check\": \"lookup\" is not supported for %s", b.System())
	}
	return nil
}

// precheckOptions are the solver options of the satisfiability check before proving. A circuit
// with a BSB22 commitment (range checks by lookup) has gnark's commitment placeholder hint, which
// only the prover replaces (by the hash of the committed wires) and which fails outside tests: the
// check draws the challenge at random instead. A witness that satisfies the circuit satisfies it
// for every challenge; a wrong one fails the LogUp sum for all but a negligible share of them, and
// the prover's own solve (with the real challenge) decides in the end.
func precheckOptions(c *Circuit) []solver.Option {
	if len(c.CS.GetCommitments().CommitmentIndexes()) == 0 {
		return nil
	}
	return []solver.Option{solver.OverrideHint(solver.GetHintID(fcs.Bsb22CommitmentComputePlaceholder), randomChallenge)}
}

func randomChallenge(mod *big.Int, _ []*big.Int, out []*big.Int) error {
	v, err := rand.Int(rand.Reader, mod)
	if err != nil {
		return err
	}
	out[0].Set(v)
	return nil
}
