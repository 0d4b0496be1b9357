package zk

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkml-service/zkml/native/internal/golden"
)

// withPhase1 adds the sections a Groth16 ceremony's phase 1 needs (alphaTauG1, betaTauG1,
// betaG2) for the file's tau and these alpha, beta.
func (p *ptauFile) withPhase1(tau, alpha, beta int64) *ptauFile {
	_, _, g1, g2 := bn254.Generators()
	var t, a, b, pw fr.Element
	t.SetInt64(tau)
	a.SetInt64(alpha)
	b.SetInt64(beta)
	pw.SetOne()
	var at, bt []byte
	for i := 0; i < 1<<p.power; i++ {
		for _, x := range []struct {
			k   *fr.Element
			out *[]byte
		}{{&a, &at}, {&b, &bt}} {
			var s fr.Element
			s.Mul(x.k, &pw)
			var pt bn254.G1Affine
			pt.ScalarMultiplication(&g1, s.BigInt(new(big.Int)))
			*x.out = append(*x.out, ptauFp(pt.X)...)
			*x.out = append(*x.out, ptauFp(pt.Y)...)
		}
		pw.Mul(&pw, &t)
	}
	var bg2 bn254.G2Affine
	bg2.ScalarMultiplication(&g2, b.BigInt(new(big.Int)))
	var b2 []byte
	for _, e := range []fp.Element{bg2.X.A0, bg2.X.A1, bg2.Y.A0, bg2.Y.A1} {
		b2 = append(b2, ptauFp(e)...)
	}
	p.sections = append(p.sections, [2]any{uint32(4), at}, [2]any{uint32(5), bt}, [2]any{uint32(6), b2})
	return p
}

func TestCeremonyOfThreeContributors(t *testing.T) {
	irBytes := golden.MustReadIR(t, "regressor-2x3.ir.json")
	c, err := CompileFor(irBytes, Groth16)
	if err != nil {
		t.Fatal(err)
	}
	ptau := newPtauFile(t, 8, 5).withPhase1(5, 7, 11).write(t)
	dir := t.TempDir()
	f := func(name string) string { return filepath.Join(dir, name) }
	start, err := CeremonyStart(c, ptau, f("phase1"), f("s0"))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := ReadPtau(ptau, 2)
	if start.SRSSHA256 != p.SHA256 || start.DomainSize < c.CS.GetNbConstraints() || start.StateSHA256 == "" {
		t.Fatalf("start %+v", start)
	}
	// the service, then two contributors, each on the state before
	prev := f("s0")
	var hashes []string
	for _, s := range []string{"s1", "s2", "s3"} {
		got, err := CeremonyContribute(prev, f(s))
		if err != nil {
			t.Fatal(err)
		}
		v, err := CeremonyVerifyContribution(c, prev, f(s))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if v.StateSHA256 != got.StateSHA256 {
			t.Fatalf("%s: hash %s vs %s", s, v.StateSHA256, got.StateSHA256)
		}
		hashes = append(hashes, got.StateSHA256)
		prev = f(s)
	}
	if hashes[0] == hashes[1] || hashes[1] == hashes[2] {
		t.Fatal("two contributions gave one state")
	}

	t.Run("a contribution on a stale state is refused", func(t *testing.T) {
		if _, err := CeremonyContribute(f("s1"), f("stale")); err != nil {
			t.Fatal(err)
		}
		_, err := CeremonyVerifyContribution(c, f("s3"), f("stale"))
		wantCode(t, err, InvalidArgument, "challenge does not match")
	})
	t.Run("a contribution with a bad proof of knowledge is refused", func(t *testing.T) {
		st, hash, err := readState(f("s3"), "")
		if err != nil {
			t.Fatal(err)
		}
		st.Contribute()
		// replace the new delta by another multiple of the old one: the proof no longer matches
		st.Parameters.G1.Delta.Double(&st.Parameters.G1.Delta)
		if _, err := writeState(f("forged"), hash, st); err != nil {
			t.Fatal(err)
		}
		_, err = CeremonyVerifyContribution(c, f("s3"), f("forged"))
		wantCode(t, err, InvalidArgument, "failed to verify contribution to δ")
		_, err = CeremonyFinalize(c, f("phase1"), []string{f("s1"), f("s2"), f("s3"), f("forged")}, []byte("beacon"), f("bad.pk"), f("bad.vk"))
		wantCode(t, err, InvalidArgument, "the transcript does not verify")
		if _, err := os.Stat(f("bad.pk")); !os.IsNotExist(err) {
			t.Fatal("a refused transcript wrote a key")
		}
	})
	t.Run("a changed byte of a state file is refused", func(t *testing.T) {
		b, _ := os.ReadFile(f("s2"))
		b[len(b)-40] ^= 1
		os.WriteFile(f("s2x"), b, 0o644)
		_, err := CeremonyVerifyContribution(c, f("s1"), f("s2x"))
		wantCode(t, err, IO, "")
	})
	t.Run("a state of another circuit is refused", func(t *testing.T) {
		other, _ := CompileFor(golden.MustReadIR(t, "classifier-3x4.ir.json"), Groth16)
		_, err := CeremonyVerifyContribution(other, f("s0"), f("s1"))
		wantCode(t, err, InvalidArgument, "not for circuit")
	})

	// finalize: the keys prove and verify, and say "ceremony"
	res, err := CeremonyFinalize(c, f("phase1"), []string{f("s1"), f("s2"), f("s3")}, []byte("block 123 hash"), f("pk"), f("vk"))
	if err != nil {
		t.Fatal(err)
	}
	if res.SetupInfo.Trust != TrustCeremony {
		t.Fatalf("trust %q", res.SetupInfo.Trust)
	}
	pk, err := LoadProvingKeyFor(f("pk"), Groth16, c.IR.CircuitHash())
	if err != nil {
		t.Fatal(err)
	}
	vk, err := LoadVerifyingKeyFor(f("vk"), Groth16, c.IR.CircuitHash())
	if err != nil {
		t.Fatal(err)
	}
	if vk.Info().Trust != TrustCeremony {
		t.Fatalf("vk trust %q", vk.Info().Trust)
	}
	set := goldenSet(t, "regressor-2x3.ir.json")
	proof, err := Prove(c, pk, ints(t, set.Cases[0].Input))
	if err != nil {
		t.Fatal(err)
	}
	pub := fieldInts(t, proof.PublicInputs)
	if ok, err := Verify(vk, proof.Proof, pub); !ok || err != nil {
		t.Fatalf("a proof with the ceremony's keys: %v %v", ok, err)
	}
	pub[len(pub)-1].Add(pub[len(pub)-1], big.NewInt(1))
	if ok, _ := Verify(vk, proof.Proof, pub); ok {
		t.Fatal("a changed output verified")
	}
	// the same transcript and beacon give the same verifying key: anyone can re-derive it
	again, err := CeremonyFinalize(c, f("phase1"), []string{f("s1"), f("s2"), f("s3")}, []byte("block 123 hash"), f("pk2"), f("vk2"))
	if err != nil || again.VerifyingKeySHA256 != res.VerifyingKeySHA256 {
		t.Fatalf("re-finalizing: %v, %s vs %s", err, again.VerifyingKeySHA256, res.VerifyingKeySHA256)
	}
	other, _ := CeremonyFinalize(c, f("phase1"), []string{f("s1"), f("s2"), f("s3")}, []byte("another beacon"), f("pk3"), f("vk3"))
	if other.VerifyingKeySHA256 == res.VerifyingKeySHA256 {
		t.Fatal("another beacon, the same key")
	}
}

func TestCeremonyPhase1IsChecked(t *testing.T) {
	irBytes := golden.MustReadIR(t, "regressor-2x3.ir.json")
	c, _ := CompileFor(irBytes, Groth16)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		file *ptauFile
		want string
	}{
		{"no phase-1 sections", newPtauFile(t, 8, 5), "no tauG2 section"},
		{"alpha of another tau", newPtauFile(t, 8, 5).withPhase1(6, 7, 11), "alphaTauG1 is not consecutive powers"},
		{"alpha 1", newPtauFile(t, 8, 5).withPhase1(5, 1, 11), "alpha or beta is 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CeremonyStart(c, tc.file.write(t), filepath.Join(dir, "p1"), filepath.Join(dir, "s0"))
			if tc.name == "no phase-1 sections" {
				// tauG2 is there (ReadPtau needs it); alphaTauG1 is what is missing
				tc.want = "no alphaTauG1 section"
			}
			wantCode(t, err, IO, tc.want)
		})
	}
	// beta in G1 and G2 differ
	pf := newPtauFile(t, 8, 5).withPhase1(5, 7, 11)
	other := newPtauFile(t, 8, 5).withPhase1(5, 7, 12)
	pf.sections[2] = other.sections[2]
	_, err := CeremonyStart(c, pf.write(t), filepath.Join(dir, "p1"), filepath.Join(dir, "s0"))
	wantCode(t, err, IO, "not the same beta")
	// a too small file
	small := newPtauFile(t, 4, 5).withPhase1(5, 7, 11)
	_, err = CeremonyStart(c, small.write(t), filepath.Join(dir, "p1"), filepath.Join(dir, "s0"))
	if err == nil || !strings.Contains(err.Error(), "power") {
		t.Fatalf("a power-4 file: %v", err)
	}
	// a PLONK circuit has no ceremony
	pc, _ := CompileFor(irBytes, Plonk)
	_, err = CeremonyStart(pc, newPtauFile(t, 8, 5).withPhase1(5, 7, 11).write(t), filepath.Join(dir, "p1"), filepath.Join(dir, "s0"))
	wantCode(t, err, InvalidArgument, "makes Groth16 keys")
}
