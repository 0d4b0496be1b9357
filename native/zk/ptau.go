package zk

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"os"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// A powers-of-tau file of snarkjs (".ptau", the format of the Hermez / perpetual powers-of-tau
// ceremony files; snarkjs src/powersoftau_new.js and binfileutils):
//
//	"ptau" | version u32 (1) | number of sections u32 | sections
//	section: type u32 | size u64 | size bytes
//
// all integers little-endian. Sections used here:
//
//	1 header:  n8 u32 (32) | q (n8 bytes, the base-field modulus) | power u32 | ceremonyPower u32
//	2 tauG1:   2·2^power − 1 G1 points [τ^i]₁, i = 0 … 2^(power+1) − 2
//	3 tauG2:   2^power G2 points [τ^i]₂
//
// (4 alphaTauG1, 5 betaTauG1, 6 betaG2, 7 contributions, and 12–15, the Lagrange forms that
// `snarkjs powersoftau prepare phase2` adds, are not needed by KZG and not read.) A G1 point is
// x | y, a G2 point x.c0 | x.c1 | y.c0 | y.c1 (c0 + c1·u), each coordinate n8 bytes,
// little-endian, in Montgomery form (a·2^256 mod q): the same representation as gnark-crypto's
// fp.Element limbs, so a coordinate is its four little-endian 64-bit words, checked < q.

// Ptau is what ReadPtau takes from a .ptau file.
type Ptau struct {
	// Power: the file holds 2^Power powers in G2 and 2^(Power+1) − 1 in G1.
	Power int
	// CeremonyPower is the power of the ceremony the file was cut from.
	CeremonyPower int
	// G1 are the first powers of tau in G1 (as many as asked for), G2 the first two in G2.
	G1 []bn254.G1Affine
	G2 [2]bn254.G2Affine
	// SHA256 is the SHA-256 of the whole file (lowercase hex).
	SHA256 string
}

// MaxPtauPower bounds the power a file may claim (the largest public ceremony files are 2^28).
const MaxPtauPower = 28

// PtauG1Powers is the number of G1 powers in a file of the given power.
func PtauG1Powers(power int) int { return 2<<power - 1 }

// ReadPtau reads the first nG1 powers of tau in G1 and the first two in G2 from a snarkjs
// .ptau file and checks them: the header's field is BN254's, the sections have the sizes the
// power says, every coordinate is below q, every point is on its curve and in the prime-order
// subgroup, [τ⁰] are the generators, the file has at least nG1 powers in G1, and the powers are
// consistent: for random r_i,
//
//	e(Σ r_i·[τ^(i+1)]₁, [1]₂) = e(Σ r_i·[τ^i]₁, [τ]₂)   (each G1 power is τ times the one before)
//	e([τ]₁, [1]₂) = e([1]₁, [τ]₂)                          (the G2 power has the same τ)
//
// A file that fails a check is IO for a malformed or truncated file and InvalidArgument for a
// valid file with too few powers, with a message naming the check.
func ReadPtau(path string, nG1 int) (*Ptau, error) {
	if path == "" {
		return nil, Errorf(InvalidArgument, "empty .ptau path")
	}
	if nG1 < 2 {
		return nil, Errorf(InvalidArgument, "at least 2 powers of tau are needed, asked for %d", nG1)
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, Errorf(IO, "open %s: %v", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, Errorf(IO, "stat %s: %v", path, err)
	}
	bad := func(format string, args ...any) error {
		return Errorf(IO, "%s is not a valid .ptau file: %s", path, fmt.Sprintf(format, args...))
	}
	var pre [12]byte
	if _, err := io.ReadFull(f, pre[:]); err != nil || string(pre[:4]) != "ptau" {
		return nil, bad("no \"ptau\" magic")
	}
	if v := binary.LittleEndian.Uint32(pre[4:]); v != 1 {
		return nil, bad("version %d, only version 1 is known", v)
	}
	nSections := binary.LittleEndian.Uint32(pre[8:])
	if nSections == 0 || nSections > 64 {
		return nil, bad("%d sections", nSections)
	}
	type section struct{ offset, size int64 }
	sections := map[uint32]section{}
	pos := int64(12)
	for i := uint32(0); i < nSections; i++ {
		var sh [12]byte
		if _, err := f.ReadAt(sh[:], pos); err != nil {
			return nil, bad("truncated in the header of section %d", i)
		}
		typ := binary.LittleEndian.Uint32(sh[:4])
		size := int64(binary.LittleEndian.Uint64(sh[4:]))
		if size < 0 || pos+12+size > st.Size() {
			return nil, bad("section %d (type %d) of %d bytes runs past the end of the file (%d bytes)", i, typ, size, st.Size())
		}
		if _, dup := sections[typ]; dup {
			return nil, bad("section type %d appears twice", typ)
		}
		sections[typ] = section{pos + 12, size}
		pos += 12 + size
	}
	need := func(typ uint32, name string) (section, error) {
		s, ok := sections[typ]
		if !ok {
			return s, bad("no %s section (type %d)", name, typ)
		}
		return s, nil
	}
	hs, err := need(1, "header")
	if err != nil {
		return nil, err
	}
	if hs.size != 4+32+4+4 {
		return nil, bad("header section of %d bytes, expected 44 (n8 = 32: BN254)", hs.size)
	}
	hb := make([]byte, hs.size)
	if _, err := f.ReadAt(hb, hs.offset); err != nil {
		return nil, bad("cannot read the header section: %v", err)
	}
	if n8 := binary.LittleEndian.Uint32(hb[:4]); n8 != 32 {
		return nil, bad("field elements of %d bytes, BN254's have 32", n8)
	}
	if q := leInt(hb[4:36]); q.Cmp(fp.Modulus()) != 0 {
		return nil, bad("the curve's base field is %s, not BN254's (bn128 in snarkjs)", q)
	}
	p := &Ptau{
		Power:         int(binary.LittleEndian.Uint32(hb[36:40])),
		CeremonyPower: int(binary.LittleEndian.Uint32(hb[40:44])),
		SHA256:        sum,
	}
	if p.Power < 1 || p.Power > MaxPtauPower {
		return nil, bad("power %d outside [1, %d]", p.Power, MaxPtauPower)
	}
	g1s, err := need(2, "tauG1")
	if err != nil {
		return nil, err
	}
	if want := int64(PtauG1Powers(p.Power)) * 64; g1s.size != want {
		return nil, bad("the tauG1 section has %d bytes; power %d needs %d (2^%d·2 − 1 points of 64 bytes): the header's power does not match the file",
			g1s.size, p.Power, want, p.Power)
	}
	g2s, err := need(3, "tauG2")
	if err != nil {
		return nil, err
	}
	if want := int64(1<<p.Power) * 128; g2s.size != want {
		return nil, bad("the tauG2 section has %d bytes; power %d needs %d (2^%d points of 128 bytes): the header's power does not match the file",
			g2s.size, p.Power, want, p.Power)
	}
	if have := PtauG1Powers(p.Power); nG1 > have {
		minPower := p.Power
		for PtauG1Powers(minPower) < nG1 {
			minPower++
		}
		return nil, Errorf(InvalidArgument, "%s has too few powers of tau: the circuit needs %d in G1, the file (power %d) has %d; use a file of power %d or more",
			path, nG1, p.Power, have, minPower)
	}

	r := bufio.NewReaderSize(io.NewSectionReader(f, g1s.offset, int64(nG1)*64), 1<<20)
	p.G1 = make([]bn254.G1Affine, nG1)
	var buf [128]byte
	for i := range p.G1 {
		if _, err := io.ReadFull(r, buf[:64]); err != nil {
			return nil, bad("cannot read tauG1[%d]: %v", i, err)
		}
		if err := g1FromPtau(&p.G1[i], buf[:64]); err != nil {
			return nil, bad("tauG1[%d] %v", i, err)
		}
	}
	for i := range p.G2 {
		if _, err := f.ReadAt(buf[:], g2s.offset+int64(i)*128); err != nil {
			return nil, bad("cannot read tauG2[%d]: %v", i, err)
		}
		if err := g2FromPtau(&p.G2[i], buf[:]); err != nil {
			return nil, bad("tauG2[%d] %v", i, err)
		}
	}
	_, _, g1, g2 := bn254.Generators()
	if !p.G1[0].Equal(&g1) {
		return nil, bad("tauG1[0] is not the generator of G1")
	}
	if !p.G2[0].Equal(&g2) {
		return nil, bad("tauG2[0] is not the generator of G2")
	}
	if err := checkPowers(p.G1, p.G2); err != nil {
		return nil, bad("%v", err)
	}
	return p, nil
}

// checkPowers runs the two pairing checks of ReadPtau on g1 (τ^0 … τ^(n−1)) and g2 (τ^0, τ^1).
func checkPowers(g1 []bn254.G1Affine, g2 [2]bn254.G2Affine) error {
	if g1[1].IsInfinity() || g2[1].IsInfinity() {
		return fmt.Errorf("tau is zero")
	}
	if g1[1].Equal(&g1[0]) {
		return fmt.Errorf("tau is 1: every power is the generator (a file nobody contributed to, e.g. snarkjs powersoftau new without contribute)")
	}
	ok, err := bn254.PairingCheck([]bn254.G1Affine{g1[1], negG1(g1[0])}, []bn254.G2Affine{g2[0], g2[1]})
	if err != nil {
		return fmt.Errorf("pairing: %v", err)
	}
	if !ok {
		return fmt.Errorf("tauG1[1] and tauG2[1] are not the same power of tau (pairing check failed)")
	}
	n := len(g1) - 1
	rs := make([]fr.Element, n)
	for i := range rs {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("random: %v", err)
		}
		rs[i].SetBytes(b[:])
	}
	var lhs, rhs bn254.G1Affine
	cfg := ecc.MultiExpConfig{}
	if _, err := lhs.MultiExp(g1[1:], rs, cfg); err != nil {
		return fmt.Errorf("multi-exp: %v", err)
	}
	if _, err := rhs.MultiExp(g1[:n], rs, cfg); err != nil {
		return fmt.Errorf("multi-exp: %v", err)
	}
	ok, err = bn254.PairingCheck([]bn254.G1Affine{lhs, negG1(rhs)}, []bn254.G2Affine{g2[0], g2[1]})
	if err != nil {
		return fmt.Errorf("pairing: %v", err)
	}
	if !ok {
		return fmt.Errorf("the powers of tau in G1 are not consecutive powers of one tau (random-linear-combination pairing check failed)")
	}
	return nil
}

func negG1(p bn254.G1Affine) bn254.G1Affine {
	var n bn254.G1Affine
	n.Neg(&p)
	return n
}

// fpFromPtau reads one coordinate: 32 little-endian bytes of a Montgomery form a·2^256 mod q.
func fpFromPtau(e *fp.Element, b []byte) error {
	if leInt(b).Cmp(fp.Modulus()) >= 0 {
		return fmt.Errorf("has a coordinate >= q")
	}
	for i := range 4 {
		e[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return nil
}

func g1FromPtau(p *bn254.G1Affine, b []byte) error {
	if err := fpFromPtau(&p.X, b[:32]); err != nil {
		return err
	}
	if err := fpFromPtau(&p.Y, b[32:64]); err != nil {
		return err
	}
	if p.IsInfinity() {
		return fmt.Errorf("is the point at infinity")
	}
	if !p.IsOnCurve() {
		return fmt.Errorf("is not on the curve")
	}
	return nil // G1 of BN254 has cofactor 1: on the curve is in the subgroup
}

func g2FromPtau(p *bn254.G2Affine, b []byte) error {
	for i, e := range []*fp.Element{&p.X.A0, &p.X.A1, &p.Y.A0, &p.Y.A1} {
		if err := fpFromPtau(e, b[32*i:32*i+32]); err != nil {
			return err
		}
	}
	if p.IsInfinity() {
		return fmt.Errorf("is the point at infinity")
	}
	if !p.IsOnCurve() {
		return fmt.Errorf("is not on the curve")
	}
	if !p.IsInSubGroup() {
		return fmt.Errorf("is not in the prime-order subgroup")
	}
	return nil
}

func leInt(b []byte) *big.Int {
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	return new(big.Int).SetBytes(be)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", Errorf(IO, "open %s: %v", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", Errorf(IO, "read %s: %v", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
