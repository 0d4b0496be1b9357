package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"runtime/debug"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/zkml-service/zkml/native/ir"
	"github.com/zkml-service/zkml/native/zk"
)

// This file is the pure-Go body of every export (no C types), so it can be tested with
// `go test`. exports.go converts C arguments and results around these functions.

func apiVersions() (string, error) {
	return toJSON(zk.CurrentVersions())
}

func apiCompile(irJSON []byte) (uint64, error) {
	c, err := zk.Compile(irJSON)
	if err != nil {
		return 0, err
	}
	return newHandle(c), nil
}

func apiLoadCS(irJSON []byte, path string) (uint64, error) {
	c, err := zk.LoadCircuit(irJSON, path)
	if err != nil {
		return 0, err
	}
	return newHandle(c), nil
}

func apiCSInfo(cs uint64) (string, error) {
	c, err := typed[*zk.Circuit](cs, "constraint system")
	if err != nil {
		return "", err
	}
	return toJSON(c.Info())
}

func apiCSWrite(cs uint64, path string) error {
	c, err := typed[*zk.Circuit](cs, "constraint system")
	if err != nil {
		return err
	}
	return c.WriteTo(path)
}

func apiSetup(cs uint64, pkPath, vkPath string) (string, error) {
	c, err := typed[*zk.Circuit](cs, "constraint system")
	if err != nil {
		return "", err
	}
	res, err := zk.Setup(c, pkPath, vkPath)
	if err != nil {
		return "", err
	}
	return toJSON(res)
}

func apiLoadPK(path string) (uint64, error) {
	k, err := zk.LoadProvingKey(path)
	if err != nil {
		return 0, err
	}
	return newHandle(k), nil
}

func apiLoadVK(path string) (uint64, error) {
	k, err := zk.LoadVerifyingKey(path)
	if err != nil {
		return 0, err
	}
	return newHandle(k), nil
}

func apiProve(cs, pk uint64, inputsJSON string) (string, error) {
	c, err := typed[*zk.Circuit](cs, "constraint system")
	if err != nil {
		return "", err
	}
	k, err := typed[*zk.ProvingKey](pk, "proving key")
	if err != nil {
		return "", err
	}
	inputs, named, weightsByName, err := proveArguments(inputsJSON)
	if err != nil {
		return "", err
	}
	weights, err := flatWeights(c.IR, weightsByName)
	if err != nil {
		return "", err
	}
	// One salt per commitment, in the IR's commitment order: "salt" is the hashed inputs' (domain
	// zkml-inputs-v1), "outputSalt" the hashed outputs' (zkml-outputs-v1).
	var salts []*big.Int
	used := 0
	for _, cm := range c.IR.Commitments {
		key := saltKey(cm.Domain)
		s, ok := named[key]
		if !ok {
			return "", zk.Errorf(zk.InvalidArgument, "circuit %q has a commitment of domain %q and needs its salt (%q)", c.IR.Name, cm.Domain, key)
		}
		if s.Sign() < 0 || s.Cmp(ir.Modulus) >= 0 {
			return "", zk.Errorf(zk.InvalidArgument, "%s is not a field element in [0, r): %v", key, s)
		}
		salts = append(salts, s)
		used++
	}
	if used != len(named) {
		for key := range named {
			if (key == "salt" && !hasDomain(c.IR, ir.InputsDomain)) || (key == "outputSalt" && !hasDomain(c.IR, ir.OutputsDomain)) ||
				(key == "weightsSalt" && !hasDomain(c.IR, ir.WeightsDomain)) {
				what := map[string]string{"salt": "inputs", "outputSalt": "outputs", "weightsSalt": "weights"}[key]
				return "", zk.Errorf(zk.InvalidArgument, "circuit %q has no hashed %s, so it takes no %q", c.IR.Name, what, key)
			}
		}
	}
	res, err := zk.ProveWeighted(c, k, inputs, weights, salts)
	if err != nil {
		return "", err
	}
	return toJSON(res)
}

func apiVerify(vk uint64, proof []byte, publicJSON string) (bool, error) {
	k, err := typed[*zk.VerifyingKey](vk, "verifying key")
	if err != nil {
		return false, err
	}
	public, err := decimalArray(publicJSON, "public inputs")
	if err != nil {
		return false, err
	}
	return zk.Verify(k, proof, public)
}

func apiExportSolidity(vk uint64) (string, error) {
	k, err := typed[*zk.VerifyingKey](vk, "verifying key")
	if err != nil {
		return "", err
	}
	return zk.ExportSolidity(k)
}

func apiVKExportJSON(vk uint64) (string, error) {
	k, err := typed[*zk.VerifyingKey](vk, "verifying key")
	if err != nil {
		return "", err
	}
	if k.System != zk.Groth16 {
		return "", zk.Errorf(zk.InvalidArgument, "zkml_vk_export_json exports Groth16 keys (snarkjs's verification_key.json); this is a %s key", k.System)
	}
	return toJSON(zk.VerifyingKeyPoints(k))
}

func apiFree(h uint64) error { return freeHandle(h) }

// proveArguments reads the inputs_json of zkml_prove: a JSON array of decimal strings (the
// inputs), or an object {"inputs": [...], "salt": "<decimal>", "outputSalt": "<decimal>"} for a
// circuit with hashed inputs ("salt") and/or hashed outputs ("outputSalt"; docs/native-abi.md).
func hasDomain(d *ir.IR, domain string) bool {
	for _, cm := range d.Commitments {
		if cm.Domain == domain {
			return true
		}
	}
	return false
}

// saltKey is the zkml_prove key of the salt of a commitment of that domain.
func saltKey(domain string) string {
	switch domain {
	case ir.OutputsDomain:
		return "outputSalt"
	case ir.WeightsDomain:
		return "weightsSalt"
	}
	return "salt"
}

// flatWeights orders the "weights" of zkml_prove ({"<hashed constant>": ["<decimal>", ...]}) as
// the circuit's witness: every hashed constant in tensor order. Every hashed constant must be
// there with its element count, and nothing else.
func flatWeights(d *ir.IR, byName map[string][]*big.Int) ([]*big.Int, error) {
	hashed := d.HashedConstants()
	if len(hashed) == 0 {
		if byName != nil {
			return nil, zk.Errorf(zk.InvalidArgument, "circuit %q has no hashed weights, so it takes no \"weights\"", d.Name)
		}
		return nil, nil
	}
	if byName == nil {
		return nil, zk.Errorf(zk.InvalidArgument, "circuit %q has hashed weights and needs them (\"weights\": {\"%s\": [...], ...})", d.Name, hashed[0].Name)
	}
	var out []*big.Int
	for _, t := range hashed {
		v, ok := byName[t.Name]
		if !ok {
			return nil, zk.Errorf(zk.InvalidArgument, "weights: the hashed constant %q is missing", t.Name)
		}
		if len(v) != t.Size {
			return nil, zk.Errorf(zk.InvalidArgument, "weights: %q has %d elements, got %d", t.Name, t.Size, len(v))
		}
		out = append(out, v...)
	}
	if len(byName) != len(hashed) {
		for name := range byName {
			if t := d.Tensor(name); t == nil || !t.IsHashed() {
				return nil, zk.Errorf(zk.InvalidArgument, "weights: %q is not a hashed constant of circuit %q", name, d.Name)
			}
		}
	}
	return out, nil
}

// proveArguments returns the inputs, the salts by key ("salt", "outputSalt", "weightsSalt") and
// the private weights by hashed constant (nil when absent).
func proveArguments(s string) (inputs []*big.Int, salts map[string]*big.Int, weights map[string][]*big.Int, err error) {
	if t := strings.TrimLeft(s, " \t\r\n"); !strings.HasPrefix(t, "{") {
		inputs, err = decimalArray(s, "inputs")
		return inputs, nil, nil, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil {
		return nil, nil, nil, zk.Errorf(zk.InvalidArgument, "inputs must be a JSON array of decimal strings or an object {\"inputs\", \"salt\"}: %v", err)
	}
	for k := range obj {
		if k != "inputs" && k != "salt" && k != "outputSalt" && k != "weights" && k != "weightsSalt" {
			return nil, nil, nil, zk.Errorf(zk.InvalidArgument, "inputs: unknown key %q (only \"inputs\", \"salt\", \"outputSalt\", \"weights\" and \"weightsSalt\")", k)
		}
	}
	raw, ok := obj["inputs"]
	if !ok {
		return nil, nil, nil, zk.Errorf(zk.InvalidArgument, "inputs: the key \"inputs\" is missing")
	}
	if inputs, err = decimalArray(string(raw), "inputs"); err != nil {
		return nil, nil, nil, err
	}
	if raw, ok := obj["weights"]; ok {
		var byName map[string]json.RawMessage
		if err := json.Unmarshal(raw, &byName); err != nil {
			return nil, nil, nil, zk.Errorf(zk.InvalidArgument, "weights must be an object {\"<tensor>\": [\"<decimal>\", ...]}: %v", err)
		}
		weights = map[string][]*big.Int{}
		for name, v := range byName {
			if weights[name], err = decimalArray(string(v), "weights."+name); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	salts = map[string]*big.Int{}
	for _, key := range []string{"salt", "outputSalt", "weightsSalt"} {
		raw, ok := obj[key]
		if !ok {
			continue
		}
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return nil, nil, nil, zk.Errorf(zk.InvalidArgument, "%s must be a decimal string", key)
		}
		salt, err := ir.ParseDecimal(str)
		if err != nil {
			return nil, nil, nil, zk.Errorf(zk.InvalidArgument, "%s: %v", key, err)
		}
		salts[key] = salt
	}
	return inputs, salts, weights, nil
}

// The functions of the proving-system layer (zkml_*_for, zkml_key_info, zkml_ptau_info): the
// system is a name ("groth16", "plonk"); an unknown one is INVALID_ARGUMENT.

func apiCompileFor(irJSON []byte, system string) (uint64, error) {
	c, err := zk.CompileFor(irJSON, zk.System(system))
	if err != nil {
		return 0, err
	}
	return newHandle(c), nil
}

func apiLoadCSFor(irJSON []byte, system, path string) (uint64, error) {
	c, err := zk.LoadCircuitFor(irJSON, zk.System(system), path)
	if err != nil {
		return 0, err
	}
	return newHandle(c), nil
}

func apiSetupFor(cs uint64, optionsJSON, pkPath, vkPath string) (string, error) {
	c, err := typed[*zk.Circuit](cs, "constraint system")
	if err != nil {
		return "", err
	}
	var opts zk.SetupOptions
	if optionsJSON != "" {
		dec := json.NewDecoder(strings.NewReader(optionsJSON))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&opts); err != nil {
			return "", zk.Errorf(zk.InvalidArgument, "setup options must be a JSON object {\"ptauPath\":..,\"allowLocalUnsafe\":..}: %v", err)
		}
	}
	res, err := zk.SetupWith(c, pkPath, vkPath, opts)
	if err != nil {
		return "", err
	}
	return toJSON(res)
}

func apiLoadPKFor(path, system, circuitSHA256 string) (uint64, error) {
	k, err := zk.LoadProvingKeyFor(path, zk.System(system), circuitSHA256)
	if err != nil {
		return 0, err
	}
	return newHandle(k), nil
}

func apiLoadVKFor(path, system, circuitSHA256 string) (uint64, error) {
	k, err := zk.LoadVerifyingKeyFor(path, zk.System(system), circuitSHA256)
	if err != nil {
		return 0, err
	}
	return newHandle(k), nil
}

func apiKeyInfo(h uint64) (string, error) {
	v, err := value(h)
	if err != nil {
		return "", err
	}
	switch k := v.(type) {
	case *zk.ProvingKey:
		return toJSON(k.Info())
	case *zk.VerifyingKey:
		return toJSON(k.Info())
	}
	return "", zk.Errorf(zk.UnknownHandle, "handle %d is a %s, not a key", h, kindOf(v))
}

// PtauInfo is the JSON object zkml_ptau_info returns.
type PtauInfo struct {
	Power         int    `json:"power"`
	CeremonyPower int    `json:"ceremonyPower"`
	G1Powers      int    `json:"g1Powers"`
	MaxDomainSize int    `json:"maxDomainSize"`
	SHA256        string `json:"sha256"`
}

func apiPtauInfo(path string, minG1 int64) (string, error) {
	n := int(minG1)
	if minG1 < 2 || minG1 > 1<<30 {
		n = 2
	}
	p, err := zk.ReadPtau(path, n)
	if err != nil {
		return "", err
	}
	g1 := zk.PtauG1Powers(p.Power)
	return toJSON(PtauInfo{Power: p.Power, CeremonyPower: p.CeremonyPower, G1Powers: g1, MaxDomainSize: 1 << p.Power, SHA256: p.SHA256})
}

// decimalArray parses a JSON array of canonical decimal integer strings.
func decimalArray(s, what string) ([]*big.Int, error) {
	var strs []string
	if err := json.Unmarshal([]byte(s), &strs); err != nil || strs == nil {
		return nil, zk.Errorf(zk.InvalidArgument, "%s must be a JSON array of decimal strings: %v", what, err)
	}
	out := make([]*big.Int, len(strs))
	for i, v := range strs {
		n, err := ir.ParseDecimal(v)
		if err != nil {
			return nil, zk.Errorf(zk.InvalidArgument, "%s[%d]: %v", what, i, err)
		}
		out[i] = n
	}
	return out, nil
}

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", zk.Errorf(zk.Internal, "encode result: %v", err)
	}
	return string(b), nil
}

// outcome is what an export reports: a code and an ASCII message.
type outcome struct {
	code zk.Code
	msg  string
}

// run calls f, recovering any panic as an Internal error, and classifies its error.
func run(f func() error) (o outcome) {
	defer func() {
		if r := recover(); r != nil {
			stack := string(debug.Stack())
			if len(stack) > 4000 {
				stack = stack[:4000] + "..."
			}
			o = outcome{zk.Internal, asciiSafe(fmt.Sprintf("internal error (recovered Go panic): %v\n%s", r, stack))}
		}
	}()
	err := f()
	if err == nil {
		return outcome{zk.OK, ""}
	}
	return outcome{zk.CodeOf(err), asciiSafe(err.Error())}
}

// asciiSafe escapes everything outside printable ASCII (and keeps newlines and tabs), so
// that a message is valid modified UTF-8 for JNI's NewStringUTF and has no NUL byte.
func asciiSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n' || r == '\t' || (r >= 0x20 && r < 0x7f):
			b.WriteRune(r)
		case r == utf8.RuneError && size == 1:
			b.WriteString(fmt.Sprintf(`\x%02x`, s[i]))
		default:
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += size
	}
	return b.String()
}

// The Groth16 ceremony (docs/native-abi.md, "Ceremony").

func apiCeremonyStart(cs uint64, ptauPath, phase1Path, statePath string) (string, error) {
	c, err := typed[*zk.Circuit](cs, "constraint system")
	if err != nil {
		return "", err
	}
	info, err := zk.CeremonyStart(c, ptauPath, phase1Path, statePath)
	if err != nil {
		return "", err
	}
	return toJSON(info)
}

func apiCeremonyContribute(inPath, outPath string) (string, error) {
	info, err := zk.CeremonyContribute(inPath, outPath)
	if err != nil {
		return "", err
	}
	return toJSON(info)
}

func apiCeremonyVerify(cs uint64, prevPath, nextPath string) (string, error) {
	c, err := typed[*zk.Circuit](cs, "constraint system")
	if err != nil {
		return "", err
	}
	info, err := zk.CeremonyVerifyContribution(c, prevPath, nextPath)
	if err != nil {
		return "", err
	}
	return toJSON(info)
}

// apiCeremonyFinalize: contributionsJSON is a JSON array of state paths, beaconHex the beacon's
// bytes in hex (e.g. a block hash, with or without 0x).
func apiCeremonyFinalize(cs uint64, phase1Path, contributionsJSON, beaconHex, pkPath, vkPath string) (string, error) {
	c, err := typed[*zk.Circuit](cs, "constraint system")
	if err != nil {
		return "", err
	}
	var paths []string
	if err := json.Unmarshal([]byte(contributionsJSON), &paths); err != nil || paths == nil {
		return "", zk.Errorf(zk.InvalidArgument, "contributions must be a JSON array of file paths: %v", err)
	}
	beacon, err := hex.DecodeString(strings.TrimPrefix(beaconHex, "0x"))
	if err != nil || len(beacon) == 0 {
		return "", zk.Errorf(zk.InvalidArgument, "the beacon must be non-empty hex (e.g. a block hash): %v", err)
	}
	res, err := zk.CeremonyFinalize(c, phase1Path, paths, beacon, pkPath, vkPath)
	if err != nil {
		return "", err
	}
	return toJSON(res)
}
