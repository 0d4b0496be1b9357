package main

import (
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zkml-service/zkml/native/internal/golden"
	"github.com/zkml-service/zkml/native/zk"
)

// TestPlonkThroughTheABI: compile for PLONK, set up on a local SRS (allowed by the options),
// load the keys bound to the circuit, prove with the old zkml_prove, verify with zkml_verify,
// read the keys' setup, and refuse what does not belong together.
func TestPlonkThroughTheABI(t *testing.T) {
	irBytes := golden.MustReadIR(t, "classifier-3x4.ir.json")
	cs, err := apiCompileFor(irBytes, "plonk")
	if err != nil {
		t.Fatal(err)
	}
	info, err := apiCSInfo(cs)
	if err != nil || !strings.Contains(info, `"provingSystem":"plonk"`) || !strings.Contains(info, `"publicInputs":5`) {
		t.Fatalf("info %s %v", info, err)
	}
	var ci zk.Info
	json.Unmarshal([]byte(info), &ci)
	dir := t.TempDir()
	pkPath, vkPath := filepath.Join(dir, "pk"), filepath.Join(dir, "vk")
	_, err = apiSetupFor(cs, `{"ptauPath":""}`, pkPath, vkPath)
	if code(err) != zk.InvalidArgument || !strings.Contains(err.Error(), "refused unless allowed") {
		t.Fatalf("a local SRS without allowLocalUnsafe: %v", err)
	}
	_, err = apiSetupFor(cs, `{"ptau":"x"}`, pkPath, vkPath)
	if code(err) != zk.InvalidArgument || !strings.Contains(err.Error(), `unknown field "ptau"`) {
		t.Fatalf("an unknown option: %v", err)
	}
	_, err = apiSetup(cs, pkPath, vkPath)
	if code(err) != zk.InvalidArgument {
		t.Fatalf("zkml_setup on a PLONK circuit: %v", err)
	}
	out, err := apiSetupFor(cs, `{"allowLocalUnsafe":true}`, pkPath, vkPath)
	if err != nil || !strings.Contains(out, `"provingSystem":"plonk"`) || !strings.Contains(out, `"trust":"local-unsafe"`) {
		t.Fatalf("setup %s %v", out, err)
	}
	_, err = apiLoadPK(pkPath)
	if code(err) != zk.InvalidArgument || !strings.Contains(err.Error(), "plonk-proving-key") {
		t.Fatalf("zkml_pk_load of a PLONK key: %v", err)
	}
	_, err = apiLoadVKFor(vkPath, "plonk", strings.Repeat("0", 64))
	if code(err) != zk.InvalidArgument || !strings.Contains(err.Error(), "not for circuit "+strings.Repeat("0", 64)) {
		t.Fatalf("a key of another circuit: %v", err)
	}
	pk, err := apiLoadPKFor(pkPath, "plonk", ci.CircuitSHA256)
	if err != nil {
		t.Fatal(err)
	}
	vk, err := apiLoadVKFor(vkPath, "plonk", "")
	if err != nil {
		t.Fatal(err)
	}
	ki, err := apiKeyInfo(vk)
	if err != nil || !strings.Contains(ki, `"kind":"plonk-verifying-key"`) || !strings.Contains(ki, `"trust":"local-unsafe"`) ||
		!strings.Contains(ki, `"circuitSha256":"`+ci.CircuitSHA256+`"`) || !strings.Contains(ki, `"publicInputs":5`) {
		t.Fatalf("key info %s %v", ki, err)
	}
	if _, err := apiKeyInfo(cs); code(err) != zk.UnknownHandle {
		t.Fatalf("key info of a constraint system: %v", err)
	}
	proved, err := apiProve(cs, pk, `["-1","0","0","2"]`)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		PublicInputs  []string
		ProofHex      string
		CalldataHex   string
		ProvingSystem string
		CircuitSHA256 string
	}
	json.Unmarshal([]byte(proved), &res)
	if res.ProvingSystem != "plonk" || res.CircuitSHA256 != ci.CircuitSHA256 || len(res.ProofHex) != 2+2*zk.PlonkProofSize {
		t.Fatalf("proof %s", proved)
	}
	proof := mustHex(t, res.ProofHex)
	pub, _ := json.Marshal(res.PublicInputs)
	ok, err := apiVerify(vk, proof, string(pub))
	if err != nil || !ok {
		t.Fatalf("verify: %v %v", ok, err)
	}
	res.PublicInputs[4] = "2"
	pub, _ = json.Marshal(res.PublicInputs)
	if ok, err := apiVerify(vk, proof, string(pub)); ok || err != nil {
		t.Fatalf("a changed output: %v %v", ok, err)
	}
	src, err := apiExportSolidity(vk)
	if err != nil || !strings.Contains(src, "function Verify(bytes calldata proof, uint256[] calldata public_inputs)") {
		t.Fatalf("solidity: %v", err)
	}
	if _, err := apiVKExportJSON(vk); code(err) != zk.InvalidArgument || !strings.Contains(err.Error(), "plonk key") {
		t.Fatalf("snarkjs JSON of a PLONK key: %v", err)
	}
	// A Groth16 proving key with the PLONK constraint system.
	gcs, _ := apiCompileFor(irBytes, "groth16")
	gpk, gvk := filepath.Join(dir, "gpk"), filepath.Join(dir, "gvk")
	if _, err := apiSetupFor(gcs, "", gpk, gvk); err != nil {
		t.Fatal(err)
	}
	g, err := apiLoadPKFor(gpk, "groth16", ci.CircuitSHA256)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := apiProve(cs, g, `["-1","0","0","2"]`); code(err) != zk.InvalidArgument || !strings.Contains(err.Error(), "groth16 key") {
		t.Fatalf("a Groth16 key with a PLONK circuit: %v", err)
	}
	if _, err := apiCompileFor(irBytes, "halo2"); code(err) != zk.InvalidArgument || !strings.Contains(err.Error(), `"halo2"`) {
		t.Fatalf("unknown system: %v", err)
	}
	// The scs file round trip.
	csPath := filepath.Join(dir, "cs")
	if err := apiCSWrite(cs, csPath); err != nil {
		t.Fatal(err)
	}
	if _, err := apiLoadCS(irBytes, csPath); code(err) != zk.InvalidArgument {
		t.Fatalf("zkml_cs_load of an scs file: %v", err)
	}
	if _, err := apiLoadCSFor(irBytes, "plonk", csPath); err != nil {
		t.Fatal(err)
	}
	for _, h := range []uint64{cs, pk, vk, gcs, g} {
		apiFree(h)
	}
}

func TestPtauInfoThroughTheABI(t *testing.T) {
	_, err := apiPtauInfo(filepath.Join(t.TempDir(), "missing.ptau"), 10)
	if code(err) != zk.IO {
		t.Fatalf("missing file: %v", err)
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
