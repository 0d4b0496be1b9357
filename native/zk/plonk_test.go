package zk

import (
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkml-service/zkml/native/internal/golden"
	"github.com/zkml-service/zkml/native/ir"
)

// plonkKeys compiles an IR for PLONK and runs a setup on opts (a .ptau file, or a local SRS).
func plonkKeys(t testing.TB, irBytes []byte, opts SetupOptions) *keys {
	t.Helper()
	c, err := CompileFor(irBytes, Plonk)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	k := &keys{c: c, pkPath: filepath.Join(dir, "pk.bin"), vkPath: filepath.Join(dir, "vk.bin")}
	if k.setup, err = SetupWith(c, k.pkPath, k.vkPath, opts); err != nil {
		t.Fatal(err)
	}
	if k.pk, err = LoadProvingKeyFor(k.pkPath, Plonk, c.IR.CircuitHash()); err != nil {
		t.Fatal(err)
	}
	if k.vk, err = LoadVerifyingKeyFor(k.vkPath, Plonk, c.IR.CircuitHash()); err != nil {
		t.Fatal(err)
	}
	return k
}

var localUnsafe = SetupOptions{AllowLocalUnsafe: true}

// TestPlonkGoldenProofs proves a few cases of every golden file and demo model with PLONK (on a
// local SRS): the same outputs and public inputs as Groth16, the proofs verify.
func TestPlonkGoldenProofs(t *testing.T) {
	for _, g := range golden.MustLoad(t) {
		t.Run(g.Name, func(t *testing.T) {
			k := plonkKeys(t, g.IR, localUnsafe)
			if k.setup.Trust != TrustLocalUnsafe || k.vk.Setup.Trust != TrustLocalUnsafe {
				t.Fatalf("trust %q / %q, want local-unsafe", k.setup.Trust, k.vk.Setup.Trust)
			}
			for i, c := range g.Cases {
				if i != 1 && i != len(g.Cases)/2 { // two cases per file: proving is the slow part
					continue
				}
				res, err := ProveSalted(k.c, k.pk, ints(t, c.Input), plonkSalts(t, k.c, c.Salt))
				if err != nil {
					t.Fatalf("case %d: %v", i, err)
				}
				if strings.Join(res.Outputs, ",") != strings.Join(c.Output, ",") {
					t.Errorf("case %d: outputs %v, want %v", i, res.Outputs, c.Output)
				}
				if res.ProvingSystem != Plonk || res.CircuitSHA256 != k.c.IR.CircuitHash() || len(res.Proof) != PlonkProofSize {
					t.Fatalf("case %d: proof for %s/%s of %d bytes", i, res.ProvingSystem, res.CircuitSHA256, len(res.Proof))
				}
				ok, err := Verify(k.vk, res.Proof, fieldInts(t, res.PublicInputs))
				if err != nil || !ok {
					t.Fatalf("case %d: proof does not verify: %v %v", i, ok, err)
				}
			}
			for _, c := range g.Invalid {
				_, err := ProveSalted(k.c, k.pk, ints(t, c.Input), plonkSalts(t, k.c, ""))
				want := map[string]Code{"input_out_of_range": Unsatisfied, "wrong_input_count": InvalidArgument}[c.Error]
				wantCode(t, err, want, "input")
			}
		})
	}
}

// plonkSalts is the salt of a golden case for a document with hashed inputs (salt 0 where the
// case has none, e.g. an invalid input), nil for a document without.
func plonkSalts(t *testing.T, c *Circuit, salt string) []*big.Int {
	t.Helper()
	if len(c.IR.Commitments) == 0 {
		return nil
	}
	v := new(big.Int)
	if salt != "" {
		if _, ok := v.SetString(salt, 10); !ok {
			t.Fatalf("bad salt %q", salt)
		}
	}
	return []*big.Int{v}
}

func TestPlonkTamperingAndCalldata(t *testing.T) {
	k := plonkKeys(t, golden.MustReadIR(t, "classifier-3x4.ir.json"), localUnsafe)
	res, err := Prove(k.c, k.pk, ints(t, []string{"-1", "0", "0", "2"}))
	if err != nil {
		t.Fatal(err)
	}
	public := fieldInts(t, res.PublicInputs)
	if ok, err := Verify(k.vk, res.Proof, public); !ok || err != nil {
		t.Fatalf("valid proof rejected: %v %v", ok, err)
	}
	t.Run("changed public input", func(t *testing.T) {
		for i := range public {
			changed := append([]*big.Int(nil), public...)
			changed[i] = new(big.Int).Add(public[i], big.NewInt(1))
			changed[i].Mod(changed[i], ir.Modulus)
			if ok, err := Verify(k.vk, res.Proof, changed); ok || err != nil {
				t.Errorf("public input %d + 1: ok=%v err=%v, want false", i, ok, err)
			}
		}
	})
	t.Run("tampered scalars", func(t *testing.T) {
		// Every scalar word of the proof (openings at zeta, Z(omega zeta), the linearised
		// opening): one added to it makes a well-formed proof that does not verify.
		for _, w := range []int{12, 13, 14, 15, 16, 19, 24} {
			p := append([]byte(nil), res.Proof...)
			v := new(big.Int).SetBytes(p[32*w : 32*w+32])
			v.Add(v, big.NewInt(1)).Mod(v, ir.Modulus)
			v.FillBytes(p[32*w : 32*w+32])
			if ok, err := Verify(k.vk, p, public); ok || err != nil {
				t.Errorf("word %d + 1: ok=%v err=%v, want false", w, ok, err)
			}
		}
	})
	t.Run("malformed", func(t *testing.T) {
		_, err := Verify(k.vk, res.Proof[:PlonkSolidityProofSize], public)
		wantCode(t, err, MalformedProof, "800 bytes")
		p := append([]byte(nil), res.Proof...)
		p[0] ^= 0xff // L.x >= p
		_, err = Verify(k.vk, p, public)
		wantCode(t, err, MalformedProof, "L.x")
		p = append([]byte(nil), res.Proof...)
		p[63] ^= 1 // L off the curve
		_, err = Verify(k.vk, p, public)
		wantCode(t, err, MalformedProof, "L is not a point")
		p = append([]byte(nil), res.Proof...)
		copy(p[32*12:], ir.Modulus.FillBytes(make([]byte, 32))) // l(zeta) = r
		_, err = Verify(k.vk, p, public)
		wantCode(t, err, MalformedProof, "l(zeta)")
		_, err = Verify(k.vk, res.Proof, public[1:])
		wantCode(t, err, InvalidArgument, "public inputs")
	})
	t.Run("calldata", func(t *testing.T) {
		cd := PlonkCalldata(res.Proof, public)
		sel := Selector(PlonkVerifySignature)
		n := len(public)
		if len(cd) != 4+32*3+PlonkSolidityProofSize+32*(1+n) || hex.EncodeToString(cd[:4]) != hex.EncodeToString(sel[:]) {
			t.Fatalf("calldata of %d bytes starting %x", len(cd), cd[:4])
		}
		if res.CalldataHex != "0x"+hex.EncodeToString(cd) {
			t.Fatal("calldataHex is not PlonkCalldata")
		}
		words := func(i int) *big.Int { return new(big.Int).SetBytes(cd[4+32*i : 4+32*i+32]) }
		if words(0).Int64() != 64 || words(1).Int64() != int64(96+PlonkSolidityProofSize) || words(2).Int64() != PlonkSolidityProofSize {
			t.Fatalf("heads %v %v %v", words(0), words(1), words(2))
		}
		if string(cd[4+96:4+96+PlonkSolidityProofSize]) != string(res.Proof[:PlonkSolidityProofSize]) {
			t.Fatal("the calldata's proof is not the Solidity layout")
		}
		if words(3+PlonkSolidityProofSize/32).Int64() != int64(n) || words(4+PlonkSolidityProofSize/32).Cmp(public[0]) != 0 {
			t.Fatal("the calldata's inputs")
		}
	})
	t.Run("solidity", func(t *testing.T) {
		src, err := ExportSolidity(k.vk)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(src, "function Verify(bytes calldata proof, uint256[] calldata public_inputs)") ||
			!strings.Contains(src, "returns(bool success)") {
			t.Fatal("the PLONK verifier's signature changed: update PlonkVerifySignature, the calldata and docs/native-abi.md")
		}
	})
}

// TestKeysAreBoundToTheirCircuitAndSystem: a key of another circuit or another proving system
// is refused on load and on use, naming both.
func TestKeysAreBoundToTheirCircuitAndSystem(t *testing.T) {
	irA := golden.MustReadIR(t, "classifier-3x4.ir.json")
	p := plonkKeys(t, irA, localUnsafe)
	g := setupKeys(t, irA)

	_, err := LoadProvingKeyFor(p.pkPath, Groth16, "")
	wantCode(t, err, InvalidArgument, "is a plonk-proving-key file, expected a groth16-proving-key file")
	_, err = LoadVerifyingKey(p.vkPath)
	wantCode(t, err, InvalidArgument, "plonk-verifying-key")
	_, err = LoadVerifyingKeyFor(g.vkPath, Plonk, "")
	wantCode(t, err, InvalidArgument, "is a groth16-verifying-key file, expected a plonk-verifying-key file")
	other := strings.Repeat("ab", 32)
	_, err = LoadProvingKeyFor(p.pkPath, Plonk, other)
	wantCode(t, err, InvalidArgument, "for circuit "+p.c.IR.CircuitHash()+", not for circuit "+other)
	_, err = LoadCircuitFor(irA, Plonk, writeCS(t, g.c))
	wantCode(t, err, InvalidArgument, "is a r1cs file, expected a scs file")
	_, err = LoadCircuitFor(irA, "stark", "x")
	wantCode(t, err, InvalidArgument, `unknown proving system "stark" (known: groth16, plonk)`)

	_, err = Prove(p.c, g.pk, ints(t, []string{"-1", "0", "0", "2"}))
	wantCode(t, err, InvalidArgument, "the proving key is a groth16 key, the constraint system is plonk's")
	_, err = Setup(p.c, filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b"))
	wantCode(t, err, InvalidArgument, "zkml_setup_for")

	// A PLONK constraint system read back from its file proves as the compiled one.
	c, err := LoadCircuitFor(irA, Plonk, writeCS(t, p.c))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Prove(c, p.pk, ints(t, []string{"-1", "0", "0", "2"}))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := Verify(p.vk, res.Proof, fieldInts(t, res.PublicInputs)); !ok || err != nil {
		t.Fatalf("proof with the loaded scs: %v %v", ok, err)
	}
	if c.Info().ConstraintsByOp.Total() != c.Info().Constraints || c.Info().ProvingSystem != Plonk {
		t.Fatalf("info of the loaded scs: %+v", c.Info())
	}
}

func writeCS(t testing.TB, c *Circuit) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cs.bin")
	if err := c.WriteTo(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPlonkSetupRefusesLocalSRSUnlessAllowed(t *testing.T) {
	c, err := CompileFor(golden.MustReadIR(t, "classifier-3x4.ir.json"), Plonk)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	_, err = SetupWith(c, filepath.Join(dir, "pk"), filepath.Join(dir, "vk"), SetupOptions{})
	wantCode(t, err, InvalidArgument, "powers-of-tau file")
}

// TestPlonkHashedWeights: a circuit with hashed weights (issue 8) proves with PLONK too; the weights
// commitment is a public input, the golden file's, and a changed one does not verify.
func TestPlonkHashedWeights(t *testing.T) {
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "testdata", "golden", "hashed-weights")
	irBytes, err := os.ReadFile(filepath.Join(dir, "linear-3x4-hashed-weights.ir.json"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "linear-3x4-hashed-weights.cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases struct {
		Cases []struct {
			Weights      map[string][]string `json:"weights"`
			WeightsSalt  string              `json:"weightsSalt"`
			Input        []string            `json:"input"`
			PublicInputs []string            `json:"publicInputs"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	k := plonkKeys(t, irBytes, localUnsafe)
	c := cases.Cases[5]
	weights := append(ints(t, c.Weights["weight"]), ints(t, c.Weights["bias"])...)
	res, err := ProveWeighted(k.c, k.pk, ints(t, c.Input), weights, ints(t, []string{c.WeightsSalt}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.PublicInputs, ",") != strings.Join(c.PublicInputs, ",") {
		t.Fatalf("public inputs %v, golden %v", res.PublicInputs, c.PublicInputs)
	}
	public := fieldInts(t, res.PublicInputs)
	if ok, err := Verify(k.vk, res.Proof, public); !ok || err != nil {
		t.Fatalf("valid proof rejected: %v %v", ok, err)
	}
	public[4] = new(big.Int).Add(public[4], big.NewInt(1))
	if ok, err := Verify(k.vk, res.Proof, public); ok || err != nil {
		t.Fatalf("changed weights commitment: ok=%v err=%v, want false", ok, err)
	}
}
