package zk

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkml-service/zkml/native/internal/golden"
)

// ptauFile builds a .ptau file in snarkjs's format (see ptau.go) from a known tau: the sections
// header, tauG1, tauG2 and an empty contributions section. mutate may change the sections before
// they are written. The format itself is checked against snarkjs by TestReadPtauOfSnarkjs.
type ptauFile struct {
	power    int
	header   []byte
	g1, g2   []byte
	sections [][2]any // extra sections: type, bytes
}

func newPtauFile(t testing.TB, power int, tau int64) *ptauFile {
	t.Helper()
	p := &ptauFile{power: power}
	h := make([]byte, 44)
	binary.LittleEndian.PutUint32(h, 32)
	q := fp.Modulus().Bytes()
	for i := range q {
		h[4+i] = q[len(q)-1-i]
	}
	binary.LittleEndian.PutUint32(h[36:], uint32(power))
	binary.LittleEndian.PutUint32(h[40:], uint32(power))
	p.header = h
	_, _, g1, g2 := bn254.Generators()
	var t1 fr.Element
	t1.SetInt64(tau)
	pow := new(big.Int).SetInt64(1)
	tb := new(big.Int).SetInt64(tau)
	for i := 0; i < PtauG1Powers(power); i++ {
		var a bn254.G1Affine
		a.ScalarMultiplication(&g1, pow)
		p.g1 = append(p.g1, ptauFp(a.X)...)
		p.g1 = append(p.g1, ptauFp(a.Y)...)
		if i < 1<<power {
			var b bn254.G2Affine
			b.ScalarMultiplication(&g2, pow)
			for _, e := range []fp.Element{b.X.A0, b.X.A1, b.Y.A0, b.Y.A1} {
				p.g2 = append(p.g2, ptauFp(e)...)
			}
		}
		pow.Mul(pow, tb).Mod(pow, fr.Modulus())
	}
	return p
}

func ptauFp(e fp.Element) []byte {
	out := make([]byte, 32)
	for i := range 4 {
		binary.LittleEndian.PutUint64(out[8*i:], e[i])
	}
	return out
}

func (p *ptauFile) write(t testing.TB) string {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("ptau")
	sections := [][2]any{{uint32(1), p.header}, {uint32(2), p.g1}, {uint32(3), p.g2}, {uint32(7), []byte{0, 0, 0, 0}}}
	sections = append(sections, p.sections...)
	binary.Write(&b, binary.LittleEndian, uint32(1))
	binary.Write(&b, binary.LittleEndian, uint32(len(sections)))
	for _, s := range sections {
		data := s[1].([]byte)
		binary.Write(&b, binary.LittleEndian, s[0].(uint32))
		binary.Write(&b, binary.LittleEndian, uint64(len(data)))
		b.Write(data)
	}
	path := filepath.Join(t.TempDir(), "test.ptau")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadPtau(t *testing.T) {
	path := newPtauFile(t, 5, 12345).write(t)
	p, err := ReadPtau(path, PtauG1Powers(5))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	sum := sha256.Sum256(raw)
	if p.Power != 5 || len(p.G1) != 63 || p.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("power %d, %d powers, sha %s", p.Power, len(p.G1), p.SHA256)
	}
	_, _, g1, _ := bn254.Generators()
	var want bn254.G1Affine
	want.ScalarMultiplication(&g1, big.NewInt(12345*12345))
	if !p.G1[2].Equal(&want) {
		t.Fatal("tauG1[2] is not tau^2")
	}
}

// TestReadPtauRejects: every malformed or unsuitable file is refused with a message naming the
// problem.
func TestReadPtauRejects(t *testing.T) {
	offCurve := func(p *ptauFile) { p.g1[64*3+40] ^= 1 } // tauG1[3].y changed
	otherPoint := func(p *ptauFile) {
		// tauG1[4] replaced by a valid point that is not tau^4: only the pairing check sees it
		_, _, g1, _ := bn254.Generators()
		var a bn254.G1Affine
		a.ScalarMultiplication(&g1, big.NewInt(99))
		copy(p.g1[64*4:], append(ptauFp(a.X), ptauFp(a.Y)...))
	}
	otherG2 := func(p *ptauFile) {
		_, _, _, g2 := bn254.Generators()
		var b bn254.G2Affine
		b.ScalarMultiplication(&g2, big.NewInt(7))
		var enc []byte
		for _, e := range []fp.Element{b.X.A0, b.X.A1, b.Y.A0, b.Y.A1} {
			enc = append(enc, ptauFp(e)...)
		}
		copy(p.g2[128:], enc)
	}
	g2OffCurve := func(p *ptauFile) { p.g2[128+100] ^= 1 }
	coordinateTooLarge := func(p *ptauFile) {
		for i := 0; i < 32; i++ {
			p.g1[64*2+i] = 0xff
		}
	}
	wrongPower := func(p *ptauFile) { binary.LittleEndian.PutUint32(p.header[36:], 6) }
	wrongField := func(p *ptauFile) { p.header[4] ^= 1 }
	noG2 := func(p *ptauFile) { p.g2 = p.g2[:0] }
	generator := func(p *ptauFile) { copy(p.g1[0:64], p.g1[64:128]) }
	for _, tc := range []struct {
		name   string
		mutate func(*ptauFile)
		code   Code
		want   string
	}{
		{"a corrupted point", offCurve, IO, "tauG1[3] is not on the curve"},
		{"a valid point that is not the next power", otherPoint, IO, "not consecutive powers of one tau"},
		{"a G2 power of another tau", otherG2, IO, "tauG1[1] and tauG2[1] are not the same power of tau"},
		{"a G2 point off the curve", g2OffCurve, IO, "tauG2[1] is not on the curve"},
		{"a coordinate >= q", coordinateTooLarge, IO, "tauG1[2] has a coordinate >= q"},
		{"a wrong power in the header", wrongPower, IO, "the header's power does not match the file"},
		{"another curve", wrongField, IO, "not BN254's"},
		{"an empty tauG2 section", noG2, IO, "the tauG2 section has 0 bytes"},
		{"tau^0 not the generator", generator, IO, "tauG1[0] is not the generator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPtauFile(t, 5, 777)
			tc.mutate(p)
			_, err := ReadPtau(p.write(t), 40)
			wantCode(t, err, tc.code, tc.want)
		})
	}
	t.Run("tau = 1", func(t *testing.T) {
		_, err := ReadPtau(newPtauFile(t, 5, 1).write(t), 10)
		wantCode(t, err, IO, "tau is 1")
	})
	t.Run("too few powers", func(t *testing.T) {
		_, err := ReadPtau(newPtauFile(t, 5, 777).write(t), 100)
		wantCode(t, err, InvalidArgument, "too few powers of tau: the circuit needs 100 in G1, the file (power 5) has 63; use a file of power 6 or more")
	})
	t.Run("not a ptau file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.ptau")
		os.WriteFile(path, []byte("ZKMLART1 definitely not"), 0o644)
		_, err := ReadPtau(path, 10)
		wantCode(t, err, IO, `no "ptau" magic`)
	})
	t.Run("truncated", func(t *testing.T) {
		path := newPtauFile(t, 5, 777).write(t)
		raw, _ := os.ReadFile(path)
		os.WriteFile(path, raw[:len(raw)-200], 0o644)
		_, err := ReadPtau(path, 10)
		wantCode(t, err, IO, "runs past the end of the file")
	})
	t.Run("missing", func(t *testing.T) {
		_, err := ReadPtau(filepath.Join(t.TempDir(), "none.ptau"), 10)
		wantCode(t, err, IO, "none.ptau")
	})
}

// TestPlonkOnPtau: a PLONK setup on a .ptau file records its hash and "universal-srs", proofs
// verify, and a file with too few powers for the circuit is refused before any key is written.
func TestPlonkOnPtau(t *testing.T) {
	irBytes := golden.MustReadIR(t, "regressor-2x3.ir.json") // domain 256: 259 powers, power 8
	path := newPtauFile(t, 8, 424242).write(t)
	k := plonkKeys(t, irBytes, SetupOptions{PtauPath: path})
	p, _ := ReadPtau(path, 2)
	if k.vk.Setup.Trust != TrustUniversalSRS || k.vk.Setup.SRSSHA256 != p.SHA256 || k.pk.Setup.SRSSHA256 != p.SHA256 ||
		k.setup.SRSPower != 8 || k.vk.Setup.SRSSize != 259 {
		t.Fatalf("setup %+v / %+v", k.setup.SetupInfo, k.vk.Setup)
	}
	set := goldenSet(t, "regressor-2x3.ir.json")
	res, err := Prove(k.c, k.pk, ints(t, set.Cases[0].Input))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := Verify(k.vk, res.Proof, fieldInts(t, res.PublicInputs)); !ok || err != nil {
		t.Fatalf("proof on the ptau SRS: %v %v", ok, err)
	}

	c, _ := CompileFor(irBytes, Plonk)
	dir := t.TempDir()
	_, err = SetupWith(c, filepath.Join(dir, "pk"), filepath.Join(dir, "vk"), SetupOptions{PtauPath: newPtauFile(t, 7, 5).write(t)})
	wantCode(t, err, InvalidArgument, "needs 259 in G1, the file (power 7) has 255; use a file of power 8 or more")
	if _, err := os.Stat(filepath.Join(dir, "pk")); !os.IsNotExist(err) {
		t.Fatal("a refused setup wrote a key")
	}
}

// TestPlonkKeysAreReproducibleFromThePtau: two setups of the same circuit on the same .ptau file
// write byte-identical verifying keys (the PLONK setup has no randomness of its own), so anyone with
// the public file can re-derive a circuit's verifyingKeyHash (docs/trust-model.md).
func TestPlonkKeysAreReproducibleFromThePtau(t *testing.T) {
	irBytes := golden.MustReadIR(t, "regressor-2x3.ir.json")
	path := newPtauFile(t, 8, 777).write(t)
	a := plonkKeys(t, irBytes, SetupOptions{PtauPath: path})
	b := plonkKeys(t, irBytes, SetupOptions{PtauPath: path})
	va, _ := os.ReadFile(a.vkPath)
	vb, _ := os.ReadFile(b.vkPath)
	if len(va) == 0 || string(va) != string(vb) || a.setup.VerifyingKeySHA256 != b.setup.VerifyingKeySHA256 {
		t.Fatalf("two setups on one .ptau wrote different verifying keys (%s, %s)", a.setup.VerifyingKeySHA256, b.setup.VerifyingKeySHA256)
	}
	c := plonkKeys(t, irBytes, SetupOptions{PtauPath: newPtauFile(t, 8, 778).write(t)})
	if c.setup.VerifyingKeySHA256 == a.setup.VerifyingKeySHA256 {
		t.Fatal("another tau, the same verifying key")
	}
}

func goldenSet(t testing.TB, name string) golden.Set {
	for _, g := range golden.MustLoad(t) {
		if g.Name == name {
			return g
		}
	}
	t.Fatalf("no golden set %s", name)
	return golden.Set{}
}

// TestReadPtauOfSnarkjs reads files made by the pinned snarkjs (verifier-contracts/package.json):
// `powersoftau new`, `contribute`, and `prepare phase2` (the form of the public ceremony files,
// with the Lagrange sections), and runs a PLONK setup and proof on one. It needs the npm
// packages of verifier-contracts (`npm ci` there, which the Maven build runs); without them it
// is skipped, and verifier-contracts' PlonkVerifierContractTest reads a snarkjs file anyway.
func TestReadPtauOfSnarkjs(t *testing.T) {
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	snarkjs := filepath.Join(root, "verifier-contracts", "node_modules", ".bin", "snarkjs")
	if _, err := os.Stat(snarkjs); err != nil {
		t.Skipf("snarkjs is not installed (%s); run npm ci in verifier-contracts/", snarkjs)
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(snarkjs, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("snarkjs %v: %v\n%s", args, err, out)
		}
	}
	run("powersoftau", "new", "bn128", "8", "p0.ptau")
	run("powersoftau", "contribute", "p0.ptau", "p1.ptau", "--name=go-test", "-e=entropy of the go test")
	run("powersoftau", "prepare", "phase2", "p1.ptau", "final.ptau")
	for _, f := range []string{"p1.ptau", "final.ptau"} {
		p, err := ReadPtau(filepath.Join(dir, f), PtauG1Powers(8))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if p.Power != 8 || len(p.G1) != 511 {
			t.Fatalf("%s: power %d, %d powers", f, p.Power, len(p.G1))
		}
	}
	k := plonkKeys(t, golden.MustReadIR(t, "regressor-2x3.ir.json"), SetupOptions{PtauPath: filepath.Join(dir, "final.ptau")})
	set := goldenSet(t, "regressor-2x3.ir.json")
	res, err := Prove(k.c, k.pk, ints(t, set.Cases[0].Input))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := Verify(k.vk, res.Proof, fieldInts(t, res.PublicInputs)); !ok || err != nil {
		t.Fatalf("proof on the snarkjs SRS: %v %v", ok, err)
	}
	// The same files carry phase 1 of a Groth16 ceremony (alphaTauG1, betaTauG1, betaG2).
	for _, f := range []string{"p1.ptau", "final.ptau"} {
		if _, _, err := ReadPtauPhase1(filepath.Join(dir, f), 256); err != nil {
			t.Fatalf("phase 1 of %s: %v", f, err)
		}
	}
	// snarkjs's `new` starts from tau = 1: a file nobody contributed to is refused.
	_, err = ReadPtau(filepath.Join(dir, "p0.ptau"), 10)
	wantCode(t, err, IO, "tau is 1")
}
