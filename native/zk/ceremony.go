package zk

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend/groth16/bn254/mpcsetup"
	csbn254 "github.com/consensys/gnark/constraint/bn254"
)

// A Groth16 ceremony (gnark's backend/groth16/bn254/mpcsetup): phase 1 is the powers of tau,
// α and β of a snarkjs .ptau file (a public ceremony; ReadPtauPhase1 checks them), phase 2 is
// per circuit: the coordinator initialises it (no randomness), each contributor multiplies δ by
// a secret of their own and proves knowledge of it against the hash of the previous state, and
// finalize applies a public random beacon and derives the keys. The keys are sound if one
// contributor of phase 1 and one of phase 2 was honest.
//
// Files (artifact format, docs/native-abi.md): "groth16-ceremony-phase1" (mpcsetup.SrsCommons),
// "groth16-ceremony-state" (mpcsetup.Phase2), both with the circuit's hash in the header.

// TrustCeremony is the trust of keys made by a ceremony.
const TrustCeremony = "ceremony"

// The artifact kinds of ceremony files.
const (
	KindCeremonyPhase1 = "groth16-ceremony-phase1"
	KindCeremonyState  = "groth16-ceremony-state"
)

// CeremonyInfo is what zkml_ceremony_* return about a state.
type CeremonyInfo struct {
	// StateSHA256 is the SHA-256 of the whole state file (header and gnark's Phase2 encoding), as
	// sha256sum prints it: what a ceremony announces and a contributor checks before contributing.
	StateSHA256 string `json:"stateSha256"`
	// DomainSize is the power-of-two domain of the circuit (≥ its constraints).
	DomainSize int `json:"domainSize"`
	// SRSSHA256 is the SHA-256 of the .ptau file phase 1 came from (CeremonyStart only).
	SRSSHA256 string `json:"srsSha256,omitempty"`
	SRSPower  int    `json:"srsPower,omitempty"`
}

func (c *Circuit) r1cs() (*csbn254.R1CS, error) {
	if c.Backend.System() != Groth16 {
		return nil, Errorf(InvalidArgument, "a ceremony makes Groth16 keys; this is a %s circuit", c.Backend.System())
	}
	r, ok := c.CS.(*csbn254.R1CS)
	if !ok {
		return nil, Errorf(Internal, "the Groth16 constraint system is a %T", c.CS)
	}
	return r, nil
}

// ceremonyDomain is the domain size of a circuit's Groth16 keys.
func ceremonyDomain(r *csbn254.R1CS) int {
	return int(ecc.NextPowerOfTwo(uint64(r.GetNbConstraints())))
}

// CeremonyStart checks the .ptau file, takes phase 1 from it, initialises phase 2 for the
// circuit (deterministic: anyone can redo it) and writes both files.
func CeremonyStart(c *Circuit, ptauPath, phase1Path, statePath string) (CeremonyInfo, error) {
	r, err := c.r1cs()
	if err != nil {
		return CeremonyInfo{}, err
	}
	n := ceremonyDomain(r)
	commons, ptau, err := ReadPtauPhase1(ptauPath, n)
	if err != nil {
		return CeremonyInfo{}, err
	}
	var p2 mpcsetup.Phase2
	p2.Initialize(r, commons)
	hash := c.IR.CircuitHash()
	if _, err := writeArtifact(phase1Path, newHeader(KindCeremonyPhase1, hash), commons); err != nil {
		return CeremonyInfo{}, err
	}
	sum, err := writeState(statePath, hash, &p2)
	if err != nil {
		return CeremonyInfo{}, err
	}
	return CeremonyInfo{StateSHA256: sum, DomainSize: n, SRSSHA256: ptau.SHA256, SRSPower: ptau.Power}, nil
}

func writeState(path, circuitSHA256 string, p *mpcsetup.Phase2) (string, error) {
	var body bytes.Buffer
	if _, err := p.WriteTo(&body); err != nil {
		return "", Errorf(Internal, "serialize the ceremony state: %v", err)
	}
	return writeArtifact(path, newHeader(KindCeremonyState, circuitSHA256), bytesWriter(body.Bytes()))
}

type bytesWriter []byte

func (b bytesWriter) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(b)
	return int64(n), err
}

// readState reads a state file of the circuit (any circuit if circuitSHA256 is empty).
func readState(path, circuitSHA256 string) (*mpcsetup.Phase2, string, error) {
	h, payload, err := readArtifact(path, KindCeremonyState)
	if err != nil {
		return nil, "", err
	}
	if circuitSHA256 != "" && h.CircuitSHA256 != circuitSHA256 {
		return nil, "", Errorf(InvalidArgument, "%s is a ceremony state of circuit %s, not for circuit %s", path, h.CircuitSHA256, circuitSHA256)
	}
	var p mpcsetup.Phase2
	if err := decodeInto(path, "ceremony state", payload, &p); err != nil {
		return nil, "", err
	}
	return &p, h.CircuitSHA256, nil
}

func readPhase1(path, circuitSHA256 string) (*mpcsetup.SrsCommons, error) {
	h, payload, err := readArtifact(path, KindCeremonyPhase1)
	if err != nil {
		return nil, err
	}
	if h.CircuitSHA256 != circuitSHA256 {
		return nil, Errorf(InvalidArgument, "%s is the phase 1 of circuit %s, not of circuit %s", path, h.CircuitSHA256, circuitSHA256)
	}
	var c mpcsetup.SrsCommons
	if err := decodeInto(path, "ceremony phase 1", payload, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// decodeInto runs gnark's decoder on a payload that must be read to its end (trailing bytes or a
// panic of the decoder are IO errors).
func decodeInto(path, what string, payload []byte, v io.ReaderFrom) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Errorf(IO, "%s: the %s does not decode: %v", path, what, r)
		}
	}()
	rd := bytes.NewReader(payload)
	if _, e := v.ReadFrom(rd); e != nil {
		return Errorf(IO, "%s: the %s does not decode: %v", path, what, e)
	}
	if rd.Len() != 0 {
		return Errorf(IO, "%s: %d bytes after the %s", path, rd.Len(), what)
	}
	return nil
}

// CeremonyContribute reads a state, contributes fresh randomness from crypto/rand (with a proof
// of knowledge bound to the state's hash) and writes the next state. The randomness is dropped.
// This is what a contributor runs, offline, on a state file they downloaded.
func CeremonyContribute(inPath, outPath string) (CeremonyInfo, error) {
	if inPath == outPath {
		return CeremonyInfo{}, Errorf(InvalidArgument, "the next state must go to another file than %s", inPath)
	}
	p, hash, err := readState(inPath, "")
	if err != nil {
		return CeremonyInfo{}, err
	}
	p.Contribute()
	sum, err := writeState(outPath, hash, p)
	if err != nil {
		return CeremonyInfo{}, err
	}
	return CeremonyInfo{StateSHA256: sum, DomainSize: len(p.Parameters.G1.Z) + 1}, nil
}

// CeremonyVerifyContribution checks that next is a valid contribution on prev: its challenge is
// prev's hash (not a stale state), its proofs of knowledge verify, and its points are prev's
// scaled by the contributed secret. Both must be states of this circuit; prev is trusted (it is
// the last state the ceremony accepted, verified in turn).
func CeremonyVerifyContribution(c *Circuit, prevPath, nextPath string) (CeremonyInfo, error) {
	hash := c.IR.CircuitHash()
	prev, _, err := readState(prevPath, hash)
	if err != nil {
		return CeremonyInfo{}, err
	}
	next, _, err := readState(nextPath, hash)
	if err != nil {
		return CeremonyInfo{}, err
	}
	if len(next.Challenge) == 0 {
		return CeremonyInfo{}, Errorf(InvalidArgument, "%s is not a contribution (it has no challenge: an initial state)", nextPath)
	}
	if err := prev.Verify(next); err != nil {
		return CeremonyInfo{}, Errorf(InvalidArgument, "the contribution is invalid: %v", err)
	}
	sum, err := fileSHA256(nextPath)
	if err != nil {
		return CeremonyInfo{}, err
	}
	return CeremonyInfo{StateSHA256: sum, DomainSize: len(next.Parameters.G1.Z) + 1}, nil
}

// CeremonyFinalize re-runs the whole transcript (phase 2 initialised again from phase 1 and the
// circuit, then every contribution verified against the one before), applies the beacon and
// writes the keys (trust "ceremony", the .ptau hash and the transcript's last state hash are not
// part of the key header beyond the trust). Any invalid contribution fails it before a key is written.
func CeremonyFinalize(c *Circuit, phase1Path string, contributionPaths []string, beacon []byte, pkPath, vkPath string) (SetupResult, error) {
	r, err := c.r1cs()
	if err != nil {
		return SetupResult{}, err
	}
	if len(contributionPaths) == 0 {
		return SetupResult{}, Errorf(InvalidArgument, "a ceremony needs at least one contribution")
	}
	if len(beacon) == 0 {
		return SetupResult{}, Errorf(InvalidArgument, "the random beacon is empty")
	}
	if pkPath == "" || vkPath == "" || pkPath == vkPath {
		return SetupResult{}, Errorf(InvalidArgument, "two different key paths are needed")
	}
	hash := c.IR.CircuitHash()
	commons, err := readPhase1(phase1Path, hash)
	if err != nil {
		return SetupResult{}, err
	}
	if len(commons.G1.AlphaTau) != ceremonyDomain(r) {
		return SetupResult{}, Errorf(InvalidArgument, "phase 1 has domain %d, the circuit needs %d", len(commons.G1.AlphaTau), ceremonyDomain(r))
	}
	states := make([]*mpcsetup.Phase2, len(contributionPaths))
	for i, p := range contributionPaths {
		if states[i], _, err = readState(p, hash); err != nil {
			return SetupResult{}, err
		}
		if len(states[i].Challenge) == 0 {
			return SetupResult{}, Errorf(InvalidArgument, "contribution %d (%s) is an initial state, not a contribution", i+1, p)
		}
	}
	start := time.Now()
	pk, vk, err := mpcsetup.VerifyPhase2(r, commons, beacon, states...)
	if err != nil {
		return SetupResult{}, Errorf(InvalidArgument, "the transcript does not verify: %v", err)
	}
	millis := time.Since(start).Milliseconds()
	info := SetupInfo{Trust: TrustCeremony}
	if _, err := writeArtifact(pkPath, newKeyHeader(KindProvingKey, hash, info, c.IR), rawWriter{pk.(rawWriterTo)}); err != nil {
		return SetupResult{}, err
	}
	vkSHA, err := writeArtifact(vkPath, newKeyHeader(KindVerifyingKey, hash, info, c.IR), rawWriter{vk.(rawWriterTo)})
	if err != nil {
		return SetupResult{}, err
	}
	return SetupResult{SetupMillis: millis, VerifyingKeySHA256: vkSHA, ProvingSystem: Groth16, SetupInfo: &info}, nil
}

// ReadPtauPhase1 reads and checks the phase-1 parameters of a Groth16 ceremony of domain n from a
// snarkjs .ptau file: the checks of ReadPtau on the 2n − 1 powers of τ in G1, then n powers of τ
// in G2, n of ατ and βτ in G1 and [β]₂, each point on its curve and in its subgroup, and by
// random-linear-combination pairing checks: the G2 powers are consecutive powers of the same τ,
// ατ^i and βτ^i are consecutive powers of τ times α and β, and [β]₁ and [β]₂ have the same β.
func ReadPtauPhase1(path string, n int) (*mpcsetup.SrsCommons, *Ptau, error) {
	if n < 2 || n&(n-1) != 0 {
		return nil, nil, Errorf(InvalidArgument, "the domain size %d is not a power of two >= 2", n)
	}
	p, err := ReadPtau(path, 2*n-1)
	if err != nil {
		return nil, nil, err
	}
	if 1<<p.Power < n {
		return nil, nil, Errorf(InvalidArgument, "%s (power %d) has %d powers in G2, the circuit needs %d", path, p.Power, 1<<p.Power, n)
	}
	bad := func(format string, args ...any) error {
		return Errorf(IO, "%s is not a valid .ptau file: %s", path, fmt.Sprintf(format, args...))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, Errorf(IO, "open %s: %v", path, err)
	}
	defer f.Close()
	sections, err := ptauSections(f)
	if err != nil {
		return nil, nil, bad("%v", err)
	}
	size := int64(1) << p.Power
	want := map[uint32]int64{3: size * 128, 4: size * 64, 5: size * 64, 6: 128}
	names := map[uint32]string{3: "tauG2", 4: "alphaTauG1", 5: "betaTauG1", 6: "betaG2"}
	for _, typ := range []uint32{3, 4, 5, 6} {
		sz := want[typ]
		s, ok := sections[typ]
		if !ok {
			return nil, nil, bad("no %s section (type %d): phase 1 of a Groth16 ceremony needs it", names[typ], typ)
		}
		if s[1] != sz {
			return nil, nil, bad("the %s section has %d bytes, power %d needs %d", names[typ], s[1], p.Power, sz)
		}
	}
	readG1 := func(typ uint32, name string) ([]bn254.G1Affine, error) {
		out := make([]bn254.G1Affine, n)
		buf := make([]byte, 64*n)
		if _, err := f.ReadAt(buf, sections[typ][0]); err != nil {
			return nil, bad("cannot read %s: %v", name, err)
		}
		for i := range out {
			if err := g1FromPtau(&out[i], buf[64*i:64*i+64]); err != nil {
				return nil, bad("%s[%d] %v", name, i, err)
			}
		}
		return out, nil
	}
	var c mpcsetup.SrsCommons
	c.G1.Tau = p.G1
	if c.G1.AlphaTau, err = readG1(4, "alphaTauG1"); err != nil {
		return nil, nil, err
	}
	if c.G1.BetaTau, err = readG1(5, "betaTauG1"); err != nil {
		return nil, nil, err
	}
	c.G2.Tau = make([]bn254.G2Affine, n)
	buf := make([]byte, 128*n)
	if _, err := f.ReadAt(buf, sections[3][0]); err != nil {
		return nil, nil, bad("cannot read tauG2: %v", err)
	}
	for i := range c.G2.Tau {
		if err := g2FromPtau(&c.G2.Tau[i], buf[128*i:128*i+128]); err != nil {
			return nil, nil, bad("tauG2[%d] %v", i, err)
		}
	}
	var bb [128]byte
	if _, err := f.ReadAt(bb[:], sections[6][0]); err != nil {
		return nil, nil, bad("cannot read betaG2: %v", err)
	}
	if err := g2FromPtau(&c.G2.Beta, bb[:]); err != nil {
		return nil, nil, bad("betaG2 %v", err)
	}
	if err := checkPhase1(&c); err != nil {
		return nil, nil, bad("%v", err)
	}
	return &c, p, nil
}

// checkPhase1 runs the pairing checks of ReadPtauPhase1 (the G1 powers of τ are checked by ReadPtau).
func checkPhase1(c *mpcsetup.SrsCommons) error {
	_, _, g1, g2 := bn254.Generators()
	n := len(c.G2.Tau)
	tau1, tau2 := c.G1.Tau[1], c.G2.Tau[1]
	rs, err := randomScalars(n - 1)
	if err != nil {
		return err
	}
	cfg := ecc.MultiExpConfig{}
	// G2: e([τ]₁, Σ rᵢ[τ^i]₂) = e([1]₁, Σ rᵢ[τ^(i+1)]₂)
	var l2, r2 bn254.G2Affine
	if _, err := l2.MultiExp(c.G2.Tau[:n-1], rs, cfg); err != nil {
		return fmt.Errorf("multi-exp: %v", err)
	}
	if _, err := r2.MultiExp(c.G2.Tau[1:], rs, cfg); err != nil {
		return fmt.Errorf("multi-exp: %v", err)
	}
	if ok, err := bn254.PairingCheck([]bn254.G1Affine{tau1, negG1(g1)}, []bn254.G2Affine{l2, r2}); err != nil || !ok {
		return fmt.Errorf("the powers of tau in G2 are not consecutive powers of the tau in G1 (pairing check failed)")
	}
	// ατ^i, βτ^i: e(Σ rᵢ x[τ^(i+1)]₁, [1]₂) = e(Σ rᵢ x[τ^i]₁, [τ]₂)
	for _, v := range []struct {
		name string
		pts  []bn254.G1Affine
	}{{"alphaTauG1", c.G1.AlphaTau}, {"betaTauG1", c.G1.BetaTau}} {
		if v.pts[0].Equal(&g1) {
			return fmt.Errorf("%s[0] is the generator: alpha or beta is 1 (an uncontributed file)", v.name)
		}
		var l, r bn254.G1Affine
		if _, err := l.MultiExp(v.pts[1:], rs, cfg); err != nil {
			return fmt.Errorf("multi-exp: %v", err)
		}
		if _, err := r.MultiExp(v.pts[:n-1], rs, cfg); err != nil {
			return fmt.Errorf("multi-exp: %v", err)
		}
		if ok, err := bn254.PairingCheck([]bn254.G1Affine{l, negG1(r)}, []bn254.G2Affine{g2, tau2}); err != nil || !ok {
			return fmt.Errorf("%s is not consecutive powers of tau times one value (pairing check failed)", v.name)
		}
	}
	// e([β]₁, [1]₂) = e([1]₁, [β]₂)
	if ok, err := bn254.PairingCheck([]bn254.G1Affine{c.G1.BetaTau[0], negG1(g1)}, []bn254.G2Affine{g2, c.G2.Beta}); err != nil || !ok {
		return fmt.Errorf("betaTauG1[0] and betaG2 are not the same beta (pairing check failed)")
	}
	return nil
}

func randomScalars(n int) ([]fr.Element, error) {
	rs := make([]fr.Element, n)
	for i := range rs {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("random: %v", err)
		}
		rs[i].SetBytes(b[:])
	}
	return rs, nil
}

// ptauSections reads the section table of a .ptau file: type → (offset of the data, size).
func ptauSections(f *os.File) (map[uint32][2]int64, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var pre [12]byte
	if _, err := f.ReadAt(pre[:], 0); err != nil || string(pre[:4]) != "ptau" {
		return nil, fmt.Errorf("no \"ptau\" magic")
	}
	nSections := binary.LittleEndian.Uint32(pre[8:])
	if nSections == 0 || nSections > 64 {
		return nil, fmt.Errorf("%d sections", nSections)
	}
	out := map[uint32][2]int64{}
	pos := int64(12)
	for i := uint32(0); i < nSections; i++ {
		var sh [12]byte
		if _, err := f.ReadAt(sh[:], pos); err != nil {
			return nil, fmt.Errorf("truncated in the header of section %d", i)
		}
		typ := binary.LittleEndian.Uint32(sh[:4])
		size := int64(binary.LittleEndian.Uint64(sh[4:]))
		if size < 0 || pos+12+size > st.Size() {
			return nil, fmt.Errorf("section %d runs past the end of the file", i)
		}
		if _, dup := out[typ]; dup {
			return nil, fmt.Errorf("section type %d appears twice", typ)
		}
		out[typ] = [2]int64{pos + 12, size}
		pos += 12 + size
	}
	return out, nil
}
