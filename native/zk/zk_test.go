package zk

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/zkml-service/zkml/native/internal/golden"
	"github.com/zkml-service/zkml/native/ir"
)

func ints(t testing.TB, ss []string) []*big.Int { return golden.MustInts(t, ss) }

// keys compiles an IR and runs a setup into a temporary directory.
type keys struct {
	c              *Circuit
	pk             *ProvingKey
	vk             *VerifyingKey
	pkPath, vkPath string
	setup          SetupResult
}

func setupKeys(t testing.TB, irBytes []byte) *keys {
	t.Helper()
	c, err := Compile(irBytes)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	k := &keys{c: c, pkPath: filepath.Join(dir, "pk.bin"), vkPath: filepath.Join(dir, "vk.bin")}
	if k.setup, err = Setup(c, k.pkPath, k.vkPath); err != nil {
		t.Fatal(err)
	}
	if k.pk, err = LoadProvingKey(k.pkPath); err != nil {
		t.Fatal(err)
	}
	if k.vk, err = LoadVerifyingKey(k.vkPath); err != nil {
		t.Fatal(err)
	}
	return k
}

func wantCode(t testing.TB, err error, code Code, contains string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	if CodeOf(err) != code {
		t.Fatalf("error %q has code %s, want %s", err, CodeOf(err), code)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not mention %q", err, contains)
	}
}

func fieldInts(t testing.TB, ss []string) []*big.Int {
	t.Helper()
	out := make([]*big.Int, len(ss))
	for i, s := range ss {
		v, ok := new(big.Int).SetString(s, 10)
		if !ok {
			t.Fatalf("bad decimal %q", s)
		}
		out[i] = v
	}
	return out
}

// TestGoldenProofs proves a few cases of every golden file and every compiled demo model.
func TestGoldenProofs(t *testing.T) {
	for _, g := range golden.MustLoad(t) {
		t.Run(g.Name, func(t *testing.T) {
			k := setupKeys(t, g.IR)
			for i, c := range g.Cases {
				if i%6 != 1 { // a few cases per file: proving is the slow part
					continue
				}
				var salts []*big.Int
				if c.Salt != "" {
					salts = ints(t, []string{c.Salt})
				}
				res, err := ProveSalted(k.c, k.pk, ints(t, c.Input), salts)
				if err != nil {
					t.Fatalf("case %d: %v", i, err)
				}
				if strings.Join(res.Outputs, ",") != strings.Join(c.Output, ",") {
					t.Errorf("case %d: outputs %v, want %v", i, res.Outputs, c.Output)
				}
				if c.Salt != "" && (len(res.Commitments) != 1 || res.Commitments[0] != c.Commitment) {
					t.Errorf("case %d: commitments %v, want [%s]", i, res.Commitments, c.Commitment)
				}
				ok, err := Verify(k.vk, res.Proof, fieldInts(t, res.PublicInputs))
				if err != nil || !ok {
					t.Fatalf("case %d: proof does not verify: %v %v", i, ok, err)
				}
			}
			var salts []*big.Int
			if len(g.Cases) > 0 && g.Cases[0].Salt != "" {
				salts = ints(t, []string{g.Cases[0].Salt})
			}
			for i, c := range g.Invalid {
				_, err := ProveSalted(k.c, k.pk, ints(t, c.Input), salts)
				want := map[string]Code{"input_out_of_range": Unsatisfied, "wrong_input_count": InvalidArgument}[c.Error]
				if want == OK {
					t.Fatalf("invalid case %d: unknown error kind %q", i, c.Error)
				}
				wantCode(t, err, want, "input")
			}
		})
	}
}

func TestWorkedExampleProofAndTampering(t *testing.T) {
	k := setupKeys(t, golden.MustReadIR(t, "classifier-3x4.ir.json"))
	res, err := Prove(k.c, k.pk, ints(t, []string{"-1", "0", "0", "2"}))
	if err != nil {
		t.Fatal(err)
	}
	wantPublic := []string{"21888242871839275222246405745257275088548364400416034343698204186575808495616", "0", "0", "2", "1"}
	if strings.Join(res.PublicInputs, ",") != strings.Join(wantPublic, ",") {
		t.Fatalf("public inputs %v", res.PublicInputs)
	}
	if len(res.Proof) != ProofSize || res.ProofHex != "0x"+hex.EncodeToString(res.Proof) {
		t.Fatalf("proof encoding: %d bytes, %s", len(res.Proof), res.ProofHex)
	}
	public := fieldInts(t, res.PublicInputs)
	if ok, err := Verify(k.vk, res.Proof, public); !ok || err != nil {
		t.Fatalf("valid proof rejected: %v", err)
	}

	t.Run("changed public input", func(t *testing.T) {
		for i := range public {
			changed := append([]*big.Int(nil), public...)
			changed[i] = new(big.Int).Add(public[i], big.NewInt(1))
			changed[i].Mod(changed[i], ir.Modulus)
			ok, err := Verify(k.vk, res.Proof, changed)
			if err != nil || ok {
				t.Errorf("public input %d + 1: ok=%v err=%v, want false", i, ok, err)
			}
		}
		// The claimed label 2 instead of 1 (the tie's later index).
		changed := append([]*big.Int(nil), public...)
		changed[4] = big.NewInt(2)
		if ok, _ := Verify(k.vk, res.Proof, changed); ok {
			t.Error("proof accepted for label 2")
		}
	})
	t.Run("tampered proof bytes", func(t *testing.T) {
		for i := 0; i < ProofSize; i += 7 {
			bad := bytes.Clone(res.Proof)
			bad[i] ^= 0x01
			ok, err := Verify(k.vk, bad, public)
			if ok {
				t.Fatalf("byte %d flipped: proof accepted", i)
			}
			if err != nil && CodeOf(err) != MalformedProof {
				t.Fatalf("byte %d flipped: %v", i, err)
			}
		}
	})
	t.Run("a valid proof of other inputs", func(t *testing.T) {
		other, err := Prove(k.c, k.pk, ints(t, []string{"10", "15", "0", "0"}))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := Verify(k.vk, other.Proof, public); ok || err != nil {
			t.Errorf("proof of other inputs accepted: %v %v", ok, err)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		_, err := Verify(k.vk, res.Proof[:255], public)
		wantCode(t, err, MalformedProof, "256 bytes")
		bad := bytes.Clone(res.Proof)
		copy(bad[0:32], ir.Modulus.Bytes()) // r < p is a valid coordinate, but not on the curve with y
		bad[0] = 0xff                       // >= p
		_, err = Verify(k.vk, bad, public)
		wantCode(t, err, MalformedProof, "not a base-field element")
		bad = bytes.Clone(res.Proof)
		bad[63] ^= 1 // A.y changed: off the curve
		_, err = Verify(k.vk, bad, public)
		wantCode(t, err, MalformedProof, "point A")
		tooBig := append([]*big.Int(nil), public...)
		tooBig[1] = new(big.Int).Set(ir.Modulus)
		_, err = Verify(k.vk, res.Proof, tooBig)
		wantCode(t, err, MalformedProof, "public input 1")
		neg := append([]*big.Int(nil), public...)
		neg[0] = big.NewInt(-1)
		_, err = Verify(k.vk, res.Proof, neg)
		wantCode(t, err, MalformedProof, "public input 0")
		_, err = Verify(k.vk, res.Proof, public[:4])
		wantCode(t, err, InvalidArgument, "takes 5 public inputs")
		// The point at infinity everywhere decodes, and does not verify.
		if ok, err := Verify(k.vk, make([]byte, ProofSize), public); ok || err != nil {
			t.Errorf("all-zero proof: %v %v", ok, err)
		}
	})
	t.Run("calldata", func(t *testing.T) {
		cd, err := hex.DecodeString(strings.TrimPrefix(res.CalldataHex, "0x"))
		if err != nil {
			t.Fatal(err)
		}
		sel := Selector("verifyProof(bytes,uint256[5])")
		if !bytes.Equal(cd[:4], sel[:]) {
			t.Fatalf("selector %x", cd[:4])
		}
		if len(cd) != 4+32*(1+5)+32+256 {
			t.Fatalf("calldata length %d", len(cd))
		}
		if off := new(big.Int).SetBytes(cd[4:36]); off.Int64() != 32*6 {
			t.Errorf("offset %s", off)
		}
		if v := new(big.Int).SetBytes(cd[36:68]); v.String() != wantPublic[0] {
			t.Errorf("input 0 %s", v)
		}
		if l := new(big.Int).SetBytes(cd[196:228]); l.Int64() != 256 {
			t.Errorf("length %s", l)
		}
		if !bytes.Equal(cd[228:], res.Proof) {
			t.Error("proof bytes")
		}
	})
	t.Run("solidity export", func(t *testing.T) {
		sol, err := ExportSolidity(k.vk)
		if err != nil {
			t.Fatal(err)
		}
		// The signature our calldata targets is the one the template emits.
		for _, want := range []string{"function verifyProof(", "bytes calldata proof,", "uint256[5] calldata input", "pragma solidity"} {
			if !strings.Contains(sol, want) {
				t.Errorf("solidity verifier lacks %q", want)
			}
		}
	})
}

func TestKnownSelector(t *testing.T) {
	// keccak256("transfer(address,uint256)") starts with a9059cbb: checks the legacy Keccak.
	if s := Selector("transfer(address,uint256)"); hex.EncodeToString(s[:]) != "a9059cbb" {
		t.Fatalf("selector %x", s)
	}
}

func TestInputErrors(t *testing.T) {
	k := setupKeys(t, golden.MustReadIR(t, "regressor-2x3.ir.json"))
	_, err := Prove(k.c, k.pk, ints(t, []string{"0", "0"}))
	wantCode(t, err, InvalidArgument, "takes 3 inputs, got 2")
	_, err = Prove(k.c, k.pk, ints(t, []string{"0", "1001", "0"}))
	wantCode(t, err, Unsatisfied, "input 1 = 1001 is out of its range [-1000, 1000]")
	res, err := Prove(k.c, k.pk, ints(t, []string{"0", "0", "-1"}))
	if err != nil {
		t.Fatal(err)
	}
	// y = floor([2048 - 89, -2049 - 4095] / 4096) = [0, -2]: outputs signed, public inputs as
	// field elements.
	if strings.Join(res.Outputs, ",") != "0,-2" {
		t.Errorf("outputs %v, want [0 -2]", res.Outputs)
	}
	rMinus := func(v int64) string { return new(big.Int).Sub(ir.Modulus, big.NewInt(v)).String() }
	want := []string{"0", "0", rMinus(1), "0", rMinus(2)}
	if strings.Join(res.PublicInputs, ",") != strings.Join(want, ",") {
		t.Errorf("public inputs %v, want %v", res.PublicInputs, want)
	}
}

func TestCompileRejectsInvalidIR(t *testing.T) {
	_, err := Compile([]byte(`{"format":"zkml-ir","version":3}`))
	wantCode(t, err, InvalidIR, "unsupported IR version 3")
	_, err = Compile([]byte("garbage"))
	wantCode(t, err, InvalidIR, "not JSON")
	_, err = Compile(nil)
	wantCode(t, err, InvalidArgument, "empty")
}

func TestArtifacts(t *testing.T) {
	clsBytes := golden.MustReadIR(t, "classifier-3x4.ir.json")
	regBytes := golden.MustReadIR(t, "regressor-2x3.ir.json")
	k := setupKeys(t, clsBytes)
	dir := t.TempDir()
	csPath := filepath.Join(dir, "cs.bin")
	if err := k.c.WriteTo(csPath); err != nil {
		t.Fatal(err)
	}

	t.Run("reload and prove", func(t *testing.T) {
		c2, err := LoadCircuit(clsBytes, csPath)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c2.Info(), k.c.Info()) || len(c2.Info().ConstraintsByOp) == 0 {
			t.Fatalf("info %+v != %+v", c2.Info(), k.c.Info())
		}
		res, err := Prove(c2, k.pk, ints(t, []string{"29", "39", "745", "47"}))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := Verify(k.vk, res.Proof, fieldInts(t, res.PublicInputs)); !ok || err != nil {
			t.Fatal("proof from a reloaded constraint system does not verify")
		}
	})
	t.Run("header", func(t *testing.T) {
		f, _ := os.Open(k.vkPath)
		defer f.Close()
		h, err := ReadHeader(f)
		if err != nil {
			t.Fatal(err)
		}
		want := Header{Kind: KindVerifyingKey, Curve: "bn254", Gnark: "v0.16.3", ABI: 1, CircuitSHA256: k.c.IR.CircuitHash()}
		h.PayloadSHA256, h.PayloadSize = "", 0
		if h != want {
			t.Fatalf("header %+v, want %+v", h, want)
		}
		raw, _ := os.ReadFile(k.vkPath)
		if got := sha256Hex(raw); got != k.setup.VerifyingKeySHA256 {
			t.Errorf("setup reported vk sha %s, file has %s", k.setup.VerifyingKeySHA256, got)
		}
	})
	t.Run("wrong IR", func(t *testing.T) {
		_, err := LoadCircuit(regBytes, csPath)
		wantCode(t, err, InvalidArgument, "not from this IR")
	})
	t.Run("wrong kind", func(t *testing.T) {
		_, err := LoadVerifyingKey(k.pkPath)
		wantCode(t, err, InvalidArgument, "expected a groth16-verifying-key file")
		_, err = LoadProvingKey(csPath)
		wantCode(t, err, InvalidArgument, "is a r1cs file")
	})
	t.Run("version mismatch", func(t *testing.T) {
		for _, edit := range []func(*Header){
			func(h *Header) { h.Gnark = "v0.15.0" },
			func(h *Header) { h.ABI = 2 },
			func(h *Header) { h.Curve = "bls12-381" },
		} {
			p := rewriteHeader(t, k.vkPath, edit)
			_, err := LoadVerifyingKey(p)
			wantCode(t, err, VersionMismatch, "regenerate")
		}
		p := rewriteHeader(t, csPath, func(h *Header) { h.Gnark = "v0.17.0" })
		_, err := LoadCircuit(clsBytes, p)
		wantCode(t, err, VersionMismatch, "gnark v0.17.0")
	})
	t.Run("corrupt", func(t *testing.T) {
		raw, _ := os.ReadFile(k.pkPath)
		p := filepath.Join(t.TempDir(), "pk")
		raw[len(raw)-5] ^= 0xff
		os.WriteFile(p, raw, 0o600)
		_, err := LoadProvingKey(p)
		wantCode(t, err, IO, "corrupt payload")
		os.WriteFile(p, raw[:len(raw)-100], 0o600)
		_, err = LoadProvingKey(p)
		wantCode(t, err, IO, "truncated")
		os.WriteFile(p, []byte("hello world, not an artifact"), 0o600)
		_, err = LoadProvingKey(p)
		wantCode(t, err, IO, "not a zkml artifact")
		_, err = LoadProvingKey(filepath.Join(t.TempDir(), "missing"))
		wantCode(t, err, IO, "open")
	})
	t.Run("key of another circuit", func(t *testing.T) {
		other := setupKeys(t, regBytes)
		_, err := Prove(k.c, other.pk, ints(t, []string{"0", "0", "0", "0"}))
		wantCode(t, err, InvalidArgument, "proving key was made for circuit")
	})
	t.Run("concurrent proofs share circuit and key", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				res, err := Prove(k.c, k.pk, []*big.Int{big.NewInt(int64(i)), big.NewInt(0), big.NewInt(7), big.NewInt(0)})
				if err != nil {
					errs <- err
					return
				}
				if ok, err := Verify(k.vk, res.Proof, fieldInts(t, res.PublicInputs)); !ok || err != nil {
					errs <- errors.New("concurrent proof does not verify")
				}
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

// rewriteHeader copies an artifact with an edited header (and the same payload).
func rewriteHeader(t *testing.T, path string, edit func(*Header)) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.BigEndian.Uint32(raw[8:12])
	var h Header
	if err := json.Unmarshal(raw[12:12+n], &h); err != nil {
		t.Fatal(err)
	}
	edit(&h)
	hj, _ := json.Marshal(h)
	var out bytes.Buffer
	out.WriteString(Magic)
	binary.Write(&out, binary.BigEndian, uint32(len(hj)))
	out.Write(hj)
	out.Write(raw[12+n:])
	p := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(p, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func sha256Hex(b []byte) string {
	h := sha256Sum(b)
	return hex.EncodeToString(h[:])
}

var sha256Sum = sha256.Sum256
