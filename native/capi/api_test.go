package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zkml-service/zkml/native/internal/golden"
	"github.com/zkml-service/zkml/native/zk"
)

func code(err error) zk.Code { return zk.CodeOf(err) }

func TestVersions(t *testing.T) {
	s, err := apiVersions()
	if err != nil {
		t.Fatal(err)
	}
	var v zk.Versions
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	if v.ABIVersion != 1 || v.GnarkVersion != "v0.16.3" || v.Curve != "bn254" || !strings.HasPrefix(v.GoVersion, "go") {
		t.Fatalf("versions %+v", v)
	}
}

func TestHandleLifecycleThroughTheABI(t *testing.T) {
	cs, err := apiCompile(golden.MustReadIR(t, "classifier-3x4.ir.json"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := apiCSInfo(cs)
	// classifier-3x4: 88 constraints of input range checks, 49 of argmax, 1 of the output.
	if err != nil || !strings.Contains(info, `"publicInputs":5`) ||
		!strings.Contains(info, `"constraintsByOp":{"input_range":88,"dense":0,"argmax":49,"output":1}`) {
		t.Fatalf("info %s %v", info, err)
	}
	dir := t.TempDir()
	pkPath, vkPath := filepath.Join(dir, "pk"), filepath.Join(dir, "vk")
	if _, err := apiSetup(cs, pkPath, vkPath); err != nil {
		t.Fatal(err)
	}
	pk, err := apiLoadPK(pkPath)
	if err != nil {
		t.Fatal(err)
	}
	vk, err := apiLoadVK(vkPath)
	if err != nil {
		t.Fatal(err)
	}
	out, err := apiProve(cs, pk, `["-1","0","0","2"]`)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Outputs      []string
		PublicInputs []string
		ProofHex     string
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Outputs, ",") != "1" {
		t.Fatalf("outputs %v", res.Outputs)
	}
	proof := make([]byte, 256)
	for i := range proof {
		var b byte
		for _, c := range res.ProofHex[2+2*i : 4+2*i] {
			b = b<<4 | byte(strings.IndexRune("0123456789abcdef", c))
		}
		proof[i] = b
	}
	pubJSON, _ := json.Marshal(res.PublicInputs)
	if ok, err := apiVerify(vk, proof, string(pubJSON)); !ok || err != nil {
		t.Fatalf("verify: %v %v", ok, err)
	}

	// Wrong handle kinds are UNKNOWN_HANDLE, not a crash.
	if _, err := apiProve(pk, cs, `["0","0","0","0"]`); code(err) != zk.UnknownHandle || !strings.Contains(err.Error(), "is a proving key, not a constraint system") {
		t.Errorf("swapped handles: %v", err)
	}
	if _, err := apiExportSolidity(cs); code(err) != zk.UnknownHandle {
		t.Errorf("cs as vk: %v", err)
	}
	vkJSON, err := apiVKExportJSON(vk)
	if err != nil {
		t.Fatal(err)
	}
	var points zk.VerifyingKeyJSON
	if err := json.Unmarshal([]byte(vkJSON), &points); err != nil {
		t.Fatalf("vk json %s: %v", vkJSON, err)
	}
	if points.Protocol != "groth16" || points.Curve != "bn254" || points.PublicInputs != 5 || points.Commitments != 0 || len(points.K) != 6 ||
		!strings.Contains(vkJSON, `"beta2":{"x":{"a0":"`) {
		t.Errorf("vk json %s", vkJSON)
	}
	if _, err := apiVKExportJSON(pk); code(err) != zk.UnknownHandle {
		t.Errorf("pk as vk: %v", err)
	}
	// Free, then every use and a second free are UNKNOWN_HANDLE.
	for _, h := range []uint64{cs, pk, vk} {
		if err := apiFree(h); err != nil {
			t.Fatal(err)
		}
		if err := apiFree(h); code(err) != zk.UnknownHandle {
			t.Errorf("double free of %d: %v", h, err)
		}
	}
	if _, err := apiCSInfo(cs); code(err) != zk.UnknownHandle {
		t.Errorf("use after free: %v", err)
	}
	if _, err := apiProve(cs, pk, `["0","0","0","0"]`); code(err) != zk.UnknownHandle {
		t.Errorf("prove after free: %v", err)
	}
	if _, err := apiVerify(vk, proof, string(pubJSON)); code(err) != zk.UnknownHandle {
		t.Errorf("verify after free: %v", err)
	}
	if _, err := apiVKExportJSON(vk); code(err) != zk.UnknownHandle {
		t.Errorf("vk json after free: %v", err)
	}
	for _, h := range []uint64{0, 1 << 60} {
		if _, err := apiCSInfo(h); code(err) != zk.UnknownHandle {
			t.Errorf("handle %d: %v", h, err)
		}
	}
}

func TestConcurrentFreeIsSafe(t *testing.T) {
	h := newHandle(&zk.Circuit{})
	var wg sync.WaitGroup
	results := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); results <- apiFree(h) }()
	}
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		if err == nil {
			ok++
		} else if code(err) != zk.UnknownHandle {
			t.Errorf("unexpected %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d frees succeeded, want 1", ok)
	}
}

func TestArgumentErrors(t *testing.T) {
	if _, err := apiCompile([]byte("{")); code(err) != zk.InvalidIR {
		t.Errorf("garbage IR: %v", err)
	}
	if _, err := decimalArray(`[1, 2]`, "inputs"); code(err) != zk.InvalidArgument {
		t.Errorf("numbers instead of strings: %v", err)
	}
	if _, err := decimalArray(`["007"]`, "inputs"); code(err) != zk.InvalidArgument {
		t.Errorf("non-canonical: %v", err)
	}
	if _, err := decimalArray(`null`, "inputs"); code(err) != zk.InvalidArgument {
		t.Errorf("null: %v", err)
	}
	if v, err := decimalArray(`[]`, "inputs"); err != nil || len(v) != 0 {
		t.Errorf("empty array: %v %v", v, err)
	}
	if _, err := apiLoadPK(filepath.Join(t.TempDir(), "nope")); code(err) != zk.IO {
		t.Errorf("missing file: %v", err)
	}
}

func TestRunRecoversPanics(t *testing.T) {
	o := run(func() error { panic("boom") })
	if o.code != zk.Internal || !strings.Contains(o.msg, "recovered Go panic): boom") {
		t.Fatalf("outcome %+v", o)
	}
	o = run(func() error { var m map[string]int; m["x"] = 1; return nil })
	if o.code != zk.Internal {
		t.Fatalf("nil map write: %+v", o)
	}
	o = run(func() error { return errors.New("plain") })
	if o.code != zk.Internal || o.msg != "plain" {
		t.Fatalf("plain error: %+v", o)
	}
	o = run(func() error { return nil })
	if o.code != zk.OK {
		t.Fatalf("ok: %+v", o)
	}
}

func TestASCIISafe(t *testing.T) {
	for in, want := range map[string]string{
		"plain text\n":     "plain text\n",
		"nul\x00byte":      `nul\x00byte`,
		"caf\u00e9":        `caf\u00e9`,
		"emoji \U0001F600": `emoji \U0001f600`,
		"bad \xff utf8":    `bad \xff utf8`,
	} {
		if got := asciiSafe(in); got != want {
			t.Errorf("asciiSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProveWithSalt(t *testing.T) {
	cs, err := apiCompile(golden.MustReadIR(t, "../ir-v2/linear-classifier-3x4-hashed.ir.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pkPath, vkPath := filepath.Join(dir, "pk"), filepath.Join(dir, "vk")
	if _, err := apiSetup(cs, pkPath, vkPath); err != nil {
		t.Fatal(err)
	}
	pk, err := apiLoadPK(pkPath)
	if err != nil {
		t.Fatal(err)
	}
	out, err := apiProve(cs, pk, `{"inputs": ["-1","0","0","2"], "salt": "12345"}`)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Outputs, PublicInputs, Commitments []string
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Commitments) != 1 || len(res.PublicInputs) != 2 || res.PublicInputs[0] != res.Commitments[0] {
		t.Fatalf("result %s", out)
	}
	for _, tc := range []struct{ args, msg string }{
		{`["-1","0","0","2"]`, "salt"},
		{`{"inputs": ["-1","0","0","2"]}`, "salt"},
		{`{"inputs": ["-1","0","0","2"], "salt": "-1"}`, "salt"},
		{`{"inputs": ["-1","0","0","2"], "salt": "007"}`, "salt"},
		{`{"inputs": ["-1","0","0","2"], "salt": 5}`, "salt"},
		{`{"inputs": ["-1","0","0","2"], "salt": "21888242871839275222246405745257275088548364400416034343698204186575808495617"}`, "salt"},
		{`{"inputs": ["-1","0","0","2"], "salt": "1", "pepper": "2"}`, "pepper"},
		{`{"salt": "1"}`, "inputs"},
	} {
		_, err := apiProve(cs, pk, tc.args)
		if err == nil || code(err) != zk.InvalidArgument || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v (code %v), want INVALID_ARGUMENT naming %s", tc.args, err, code(err), tc.msg)
		}
	}
	pub, err := apiCompile(golden.MustReadIR(t, "classifier-3x4.ir.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := apiProve(pub, pk, `{"inputs": ["-1","0","0","2"], "salt": "1"}`); err == nil {
		t.Error("proving key of another circuit accepted")
	}
}

// Hashed outputs (issue 8): "outputSalt" is the salt of the output commitment, "salt" that of the
// input commitment; each is required exactly when its commitment exists.
func TestProveWithOutputSalt(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(golden.MustReadIR(t, "../ir-v2/linear-classifier-3x4-hashed.ir.json"), &doc); err != nil {
		t.Fatal(err)
	}
	for _, tt := range doc["tensors"].([]any) {
		if m := tt.(map[string]any); m["role"] == "output" {
			m["visibility"] = "hashed"
		}
	}
	doc["commitments"] = append(doc["commitments"].([]any), map[string]any{"name": "output_commitment", "domain": "zkml-outputs-v1", "tensors": []any{"label"}})
	irBytes, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := apiCompile(irBytes)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pkPath, vkPath := filepath.Join(dir, "pk"), filepath.Join(dir, "vk")
	if _, err := apiSetup(cs, pkPath, vkPath); err != nil {
		t.Fatal(err)
	}
	pk, err := apiLoadPK(pkPath)
	if err != nil {
		t.Fatal(err)
	}
	out, err := apiProve(cs, pk, `{"inputs": ["-1","0","0","2"], "salt": "12345", "outputSalt": "678"}`)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Outputs, PublicInputs, Commitments []string
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	// public inputs: the input commitment, the output commitment; the outputs are returned to the caller
	if len(res.Commitments) != 2 || len(res.PublicInputs) != 2 || res.PublicInputs[1] != res.Commitments[1] || len(res.Outputs) != 1 {
		t.Fatalf("result %s", out)
	}
	for _, tc := range []struct{ args, msg string }{
		{`{"inputs": ["-1","0","0","2"], "salt": "12345"}`, "outputSalt"},
		{`{"inputs": ["-1","0","0","2"], "outputSalt": "12345"}`, "salt"},
		{`{"inputs": ["-1","0","0","2"], "salt": "1", "outputSalt": "-1"}`, "outputSalt"},
	} {
		_, err := apiProve(cs, pk, tc.args)
		if err == nil || code(err) != zk.InvalidArgument || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v (code %v), want INVALID_ARGUMENT naming %s", tc.args, err, code(err), tc.msg)
		}
	}
	pub, err := apiCompile(golden.MustReadIR(t, "../ir-v2/linear-classifier-3x4-hashed.ir.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := apiProve(pub, pk, `{"inputs": ["-1","0","0","2"], "salt": "1", "outputSalt": "2"}`); err == nil || !strings.Contains(err.Error(), "outputSalt") {
		t.Errorf("an outputSalt for a circuit without hashed outputs: %v", err)
	}
}

// TestProveWithHashedWeights: zkml_prove takes the private weights ("weights", by hashed
// constant) and their salt ("weightsSalt"); the proof's public inputs are the golden file's (the
// weights commitment among them) and verify; a changed weights commitment does not; missing or
// extra weights and salts are INVALID_ARGUMENT, a weight out of its declared range UNSATISFIED.
func TestProveWithHashedWeights(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/golden/hashed-weights/linear-3x4-hashed-weights.ir.json")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := apiCompile(raw)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pkPath, vkPath := filepath.Join(dir, "pk"), filepath.Join(dir, "vk")
	if _, err := apiSetup(cs, pkPath, vkPath); err != nil {
		t.Fatal(err)
	}
	pk, err := apiLoadPK(pkPath)
	if err != nil {
		t.Fatal(err)
	}
	vk, err := apiLoadVK(vkPath)
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
	rawCases, err := os.ReadFile("../../testdata/golden/hashed-weights/linear-3x4-hashed-weights.cases.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(rawCases, &cases); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{5, 15, len(cases.Cases) - 1} { // three weight sets, one key pair
		c := cases.Cases[i]
		args, _ := json.Marshal(map[string]any{"inputs": c.Input, "weights": c.Weights, "weightsSalt": c.WeightsSalt})
		out, err := apiProve(cs, pk, string(args))
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			PublicInputs []string
			ProofHex     string
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		if strings.Join(res.PublicInputs, ",") != strings.Join(c.PublicInputs, ",") {
			t.Fatalf("case %d: public inputs %v, golden %v", i, res.PublicInputs, c.PublicInputs)
		}
		proof, _ := hex.DecodeString(strings.TrimPrefix(res.ProofHex, "0x"))
		pub, _ := json.Marshal(res.PublicInputs)
		if ok, err := apiVerify(vk, proof, string(pub)); err != nil || !ok {
			t.Fatalf("case %d: does not verify: %v", i, err)
		}
		changed := append([]string(nil), res.PublicInputs...)
		k := len(changed) - 2 // the weights commitment, before the label
		v, _ := new(big.Int).SetString(changed[k], 10)
		changed[k] = v.Add(v, big.NewInt(1)).String()
		pub, _ = json.Marshal(changed)
		if ok, _ := apiVerify(vk, proof, string(pub)); ok {
			t.Fatalf("case %d: verifies with a changed weights commitment", i)
		}
	}
	c := cases.Cases[0]
	w, _ := json.Marshal(c.Weights)
	for _, tc := range []struct {
		args string
		want zk.Code
		msg  string
	}{
		{`{"inputs": ["0","0","0","0"], "weightsSalt": "1"}`, zk.InvalidArgument, "weights"},
		{`{"inputs": ["0","0","0","0"], "weights": ` + string(w) + `}`, zk.InvalidArgument, "weightsSalt"},
		{`{"inputs": ["0","0","0","0"], "weights": {"weight": ["1"], "bias": ["0","0","0"]}, "weightsSalt": "1"}`, zk.InvalidArgument, "weight"},
		{`{"inputs": ["0","0","0","0"], "weights": {"weight": ["128","0","0","0","0","0","0","0","0","0","0","0"], "bias": ["0","0","0"]}, "weightsSalt": "1"}`, zk.Unsatisfied, "declared range"},
		{`{"inputs": ["0","0","0","0"], "weights": ` + string(w) + `, "weightsSalt": "1", "salt": "2"}`, zk.InvalidArgument, "salt"},
	} {
		_, err := apiProve(cs, pk, tc.args)
		if err == nil || code(err) != tc.want || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v (code %v), want %v naming %s", tc.args, err, code(err), tc.want, tc.msg)
		}
	}
}
