package zk

import (
	"bytes"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkml-service/zkml/native/internal/golden"
	"github.com/zkml-service/zkml/native/ir"
)

// withLookup is doc with "range_check": "lookup" as its first key (what the compile job writes
// for "rangeCheck": "lookup").
func withLookup(doc []byte) []byte {
	i := bytes.IndexByte(doc, '{')
	return append(append(append([]byte(nil), doc[:i+1]...), []byte(`"range_check":"lookup",`)...), doc[i+1:]...)
}

func demoModel(t *testing.T, name string) golden.Set {
	t.Helper()
	for _, s := range golden.MustLoad(t) {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no golden set %s", name)
	return golden.Set{}
}

// TestGroth16WithLookup: a credit-risk circuit that range-checks by lookup has one BSB22
// commitment; its keys say so, its 384-byte proofs verify in Go, tampered proofs and changed
// public inputs do not, an out-of-range input cannot be proven, its keys are refused where the
// header does not say lookup, its Solidity verifier is exported with the commitment check, and
// PLONK refuses the document.
func TestGroth16WithLookup(t *testing.T) {
	s := demoModel(t, "examples/credit-risk")
	doc := withLookup(s.IR)
	c, err := CompileFor(doc, Groth16)
	if err != nil {
		t.Fatal(err)
	}
	bitsC, err := CompileFor(s.IR, Groth16)
	if err != nil {
		t.Fatal(err)
	}
	if c.IR.CircuitHash() == bitsC.IR.CircuitHash() {
		t.Fatal("bits and lookup circuits have the same circuit hash")
	}
	if n := len(c.CS.GetCommitments().CommitmentIndexes()); n != 1 {
		t.Fatalf("%d commitments, want 1", n)
	}
	if c.CS.GetNbConstraints() >= bitsC.CS.GetNbConstraints() {
		t.Errorf("lookup %d constraints, bits %d", c.CS.GetNbConstraints(), bitsC.CS.GetNbConstraints())
	}
	dir := t.TempDir()
	pkPath, vkPath := filepath.Join(dir, "pk"), filepath.Join(dir, "vk")
	if _, err := SetupWith(c, pkPath, vkPath, SetupOptions{}); err != nil {
		t.Fatal(err)
	}
	pk, err := LoadProvingKeyFor(pkPath, Groth16, c.IR.CircuitHash())
	if err != nil {
		t.Fatal(err)
	}
	vk, err := LoadVerifyingKeyFor(vkPath, Groth16, c.IR.CircuitHash())
	if err != nil {
		t.Fatal(err)
	}
	if info := vk.Info(); info.RangeCheck != ir.RangeCheckLookup || info.Trust != TrustSingleParty {
		t.Fatalf("key info %+v", info)
	}
	res, err := Prove(c, pk, ints(t, s.Cases[0].Input))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Proof) != ProofSizeWithCommitment {
		t.Fatalf("proof of %d bytes, want %d", len(res.Proof), ProofSizeWithCommitment)
	}
	if strings.Join(res.Outputs, ",") != strings.Join(s.Cases[0].Output, ",") {
		t.Fatalf("outputs %v, want %v", res.Outputs, s.Cases[0].Output)
	}
	public := fieldInts(t, res.PublicInputs)
	if ok, err := Verify(vk, res.Proof, public); !ok || err != nil {
		t.Fatalf("valid proof rejected: %v %v", ok, err)
	}
	t.Run("tampered proof", func(t *testing.T) {
		for i := 0; i < len(res.Proof); i += 5 {
			bad := bytes.Clone(res.Proof)
			bad[i] ^= 0x01
			if ok, err := Verify(vk, bad, public); ok {
				t.Fatalf("byte %d flipped: accepted", i)
			} else if err != nil && CodeOf(err) != MalformedProof {
				t.Fatalf("byte %d flipped: %v", i, err)
			}
		}
		// the commitment's proof of knowledge replaced by the commitment itself
		bad := bytes.Clone(res.Proof)
		copy(bad[ProofSize+64:], res.Proof[ProofSize:ProofSize+64])
		if ok, _ := Verify(vk, bad, public); ok {
			t.Fatal("proof with a forged proof of knowledge accepted")
		}
		// the commitment stripped: the 256-byte layout of a bits circuit
		_, err := Verify(vk, res.Proof[:ProofSize], public)
		wantCode(t, err, MalformedProof, "384 bytes")
	})
	t.Run("changed public input", func(t *testing.T) {
		for i := range public {
			changed := append([]*big.Int(nil), public...)
			changed[i] = new(big.Int).Mod(new(big.Int).Add(public[i], big.NewInt(1)), ir.Modulus)
			if ok, err := Verify(vk, res.Proof, changed); ok || err != nil {
				t.Errorf("public input %d + 1: ok=%v err=%v", i, ok, err)
			}
		}
	})
	t.Run("input out of range", func(t *testing.T) {
		lo, _ := c.IR.InputBounds()
		in := append([]*big.Int(nil), lo...)
		in[0] = new(big.Int).Sub(lo[0], big.NewInt(1))
		_, err := Prove(c, pk, in)
		wantCode(t, err, Unsatisfied, "")
	})
	t.Run("keys with a commitment need a lookup header", func(t *testing.T) {
		for _, p := range []string{pkPath, vkPath} {
			stripped := rewriteHeader(t, p, func(h *Header) { h.RangeCheck = "" })
			var err error
			if p == pkPath {
				_, err = LoadProvingKeyFor(stripped, Groth16, "")
			} else {
				_, err = LoadVerifyingKeyFor(stripped, Groth16, "")
			}
			wantCode(t, err, InvalidArgument, "rangeCheck")
		}
		// and a bits key stays what it was: no rangeCheck in its header
		bitsDir := t.TempDir()
		if _, err := SetupWith(bitsC, filepath.Join(bitsDir, "pk"), filepath.Join(bitsDir, "vk"), SetupOptions{}); err != nil {
			t.Fatal(err)
		}
		bvk, err := LoadVerifyingKeyFor(filepath.Join(bitsDir, "vk"), Groth16, "")
		if err != nil || bvk.Info().RangeCheck != "" {
			t.Fatalf("bits key: %v %+v", err, bvk)
		}
		if _, err := Verify(bvk, res.Proof, public); CodeOf(err) != MalformedProof {
			t.Fatalf("a lookup proof against a bits key: %v", err)
		}
	})
	t.Run("the points say one commitment (the snarkjs export refuses such keys)", func(t *testing.T) {
		pts := VerifyingKeyPoints(vk)
		if pts.Commitments != 1 || pts.PublicInputs != len(public) {
			t.Fatalf("commitments %d, public inputs %d (want 1, %d)", pts.Commitments, pts.PublicInputs, len(public))
		}
	})
	t.Run("solidity", func(t *testing.T) {
		src, err := ExportSolidity(vk)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"PEDERSEN_G_X_0", "keccak256(hashInput)", "require(proof.length == 384", "function verifyProof("} {
			if !strings.Contains(src, want) {
				t.Errorf("verifier lacks %q", want)
			}
		}
		cd := Calldata(res.Proof, public)
		if want := 4 + 32*(len(public)+2) + ProofSizeWithCommitment; len(cd) != want {
			t.Errorf("calldata of %d bytes, want %d", len(cd), want)
		}
	})
}

// TestPlonkWithLookup: PLONK on the same lookup circuit: one BSB22 commitment, an 896-byte proof
// (the commitment selector's value at zeta and the commitment after the 768 bytes, then the
// linearised opening) that verifies, while tampered bytes, a changed public input and the
// commitment-less size do not; the calldata carries the 864-byte Solidity part.
func TestPlonkWithLookup(t *testing.T) {
	s := demoModel(t, "examples/credit-risk")
	k := plonkKeys(t, withLookup(s.IR), localUnsafe)
	if n := len(k.c.CS.GetCommitments().CommitmentIndexes()); n != 1 {
		t.Fatalf("%d commitments, want 1", n)
	}
	if k.vk.Info().RangeCheck != ir.RangeCheckLookup {
		t.Fatalf("key info %+v", k.vk.Info())
	}
	res, err := Prove(k.c, k.pk, ints(t, s.Cases[0].Input))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Proof) != PlonkProofSizeWith(1) {
		t.Fatalf("proof of %d bytes, want %d", len(res.Proof), PlonkProofSizeWith(1))
	}
	public := fieldInts(t, res.PublicInputs)
	if ok, err := Verify(k.vk, res.Proof, public); !ok || err != nil {
		t.Fatalf("valid proof rejected: %v %v", ok, err)
	}
	for i := 0; i < len(res.Proof); i += 11 {
		bad := bytes.Clone(res.Proof)
		bad[i] ^= 0x01
		if ok, err := Verify(k.vk, bad, public); ok {
			t.Fatalf("byte %d flipped: accepted", i)
		} else if err != nil && CodeOf(err) != MalformedProof {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
	changed := append([]*big.Int(nil), public...)
	changed[len(changed)-1] = new(big.Int).Add(changed[len(changed)-1], big.NewInt(1))
	if ok, err := Verify(k.vk, res.Proof, changed); ok || err != nil {
		t.Fatalf("changed output: %v %v", ok, err)
	}
	_, err = Verify(k.vk, res.Proof[:PlonkProofSize], public)
	wantCode(t, err, MalformedProof, "")
	cd := PlonkCalldata(res.Proof, public)
	if want := 4 + 32*(4+len(public)) + PlonkSolidityProofSizeWith(1); len(cd) != want {
		t.Errorf("calldata of %d bytes, want %d", len(cd), want)
	}
	src, err := ExportSolidity(k.vk)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src, "function Verify(") {
		t.Error("no Verify in the PLONK verifier")
	}
}

// TestCeremonyWithLookup: a Groth16 ceremony (two contributions) on a circuit that range-checks by
// lookup: mpcsetup carries the BSB22 commitment's keys through phase 2, the final keys say
// "rangeCheck": "lookup", and their proofs verify while a tampered one does not.
func TestCeremonyWithLookup(t *testing.T) {
	s := demoModel(t, "examples/credit-risk")
	c, err := CompileFor(withLookup(s.IR), Groth16)
	if err != nil {
		t.Fatal(err)
	}
	ptau := newPtauFile(t, 8, 5).withPhase1(5, 7, 11).write(t)
	dir := t.TempDir()
	f := func(name string) string { return filepath.Join(dir, name) }
	if _, err := CeremonyStart(c, ptau, f("phase1"), f("s0")); err != nil {
		t.Fatal(err)
	}
	prev := f("s0")
	for _, st := range []string{"s1", "s2"} {
		if _, err := CeremonyContribute(prev, f(st)); err != nil {
			t.Fatal(err)
		}
		if _, err := CeremonyVerifyContribution(c, prev, f(st)); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		prev = f(st)
	}
	if _, err := CeremonyFinalize(c, f("phase1"), []string{f("s1"), f("s2")}, []byte("beacon"), f("pk"), f("vk")); err != nil {
		t.Fatal(err)
	}
	pk, err := LoadProvingKeyFor(f("pk"), Groth16, c.IR.CircuitHash())
	if err != nil {
		t.Fatal(err)
	}
	vk, err := LoadVerifyingKeyFor(f("vk"), Groth16, c.IR.CircuitHash())
	if err != nil {
		t.Fatal(err)
	}
	if info := vk.Info(); info.RangeCheck != ir.RangeCheckLookup || info.Trust != TrustCeremony {
		t.Fatalf("key info %+v", info)
	}
	res, err := Prove(c, pk, ints(t, s.Cases[0].Input))
	if err != nil {
		t.Fatal(err)
	}
	public := fieldInts(t, res.PublicInputs)
	if ok, err := Verify(vk, res.Proof, public); !ok || err != nil {
		t.Fatalf("valid proof rejected: %v %v", ok, err)
	}
	bad := bytes.Clone(res.Proof)
	bad[ProofSize+63] ^= 1
	if ok, _ := Verify(vk, bad, public); ok {
		t.Fatal("tampered commitment accepted")
	}
}
