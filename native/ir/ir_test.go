package ir

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/zkml-service/zkml/native/internal/golden"
)

// ints parses decimals with the package's own ParseDecimal, so the golden values also
// exercise it.
func ints(t *testing.T, ss []string) []*big.Int {
	t.Helper()
	out := make([]*big.Int, len(ss))
	for i, s := range ss {
		v, err := ParseDecimal(s)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = v
	}
	return out
}

// TestGoldenEvaluation runs the evaluator on every golden file and every compiled demo model.
func TestGoldenEvaluation(t *testing.T) {
	for _, g := range golden.MustLoad(t) {
		t.Run(g.Name, func(t *testing.T) {
			d, err := Parse(g.IR)
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Cases) == 0 || len(g.Invalid) == 0 {
				t.Fatal("golden file without cases")
			}
			for i, c := range g.Cases {
				ev, err := d.Evaluate(ints(t, c.Input))
				if err != nil {
					t.Fatalf("case %d: %v", i, err)
				}
				want := ints(t, c.Output)
				if len(ev.Outputs) != len(want) {
					t.Fatalf("case %d: %d outputs, want %d", i, len(ev.Outputs), len(want))
				}
				for j := range want {
					if ev.Outputs[j].Cmp(want[j]) != 0 {
						t.Errorf("case %d output %d: got %s, want %s", i, j, ev.Outputs[j], want[j])
					}
				}
			}
			for i, c := range g.Invalid {
				_, err := d.Evaluate(ints(t, c.Input))
				var ie *InputError
				if !errors.As(err, &ie) {
					t.Fatalf("invalid case %d: got %v, want an InputError", i, err)
				}
				if string(ie.Kind) != c.Error {
					t.Errorf("invalid case %d: kind %s, want %s (%v)", i, ie.Kind, c.Error, ie)
				}
			}
		})
	}
}

func TestWorkedExample(t *testing.T) {
	d := mustGolden(t, "classifier-3x4.ir.json")
	ev, err := d.Evaluate(ints(t, []string{"-1", "0", "0", "2"}))
	if err != nil {
		t.Fatal(err)
	}
	acc := ev.Values["acc"]
	for i, want := range []int64{-3, 3, 3} {
		if acc[i].Int64() != want {
			t.Errorf("acc[%d] = %s, want %d", i, acc[i], want)
		}
	}
	if ev.Outputs[0].Int64() != 1 {
		t.Errorf("label = %s, want 1 (tie goes to the lowest index)", ev.Outputs[0])
	}
	if d.InputSize() != 4 || d.OutputSize() != 1 {
		t.Errorf("sizes %d, %d", d.InputSize(), d.OutputSize())
	}
	if len(d.CircuitHash()) != 64 {
		t.Errorf("hash %q", d.CircuitHash())
	}
}

func TestRescaleIsFloor(t *testing.T) {
	typ, _ := Lookup("rescale")
	n := &Node{Type: typ, Attrs: map[string]any{"shift": 8}}
	for _, c := range []struct{ in, want int64 }{{-1, -1}, {-256, -1}, {-257, -2}, {255, 0}, {256, 1}, {0, 0}} {
		got := typ.Eval(n, [][]*big.Int{{big.NewInt(c.in)}})[0][0]
		if got.Int64() != c.want {
			t.Errorf("floor(%d / 256) = %s, want %d", c.in, got, c.want)
		}
	}
}

func TestArgmaxTiesGoToLowestIndex(t *testing.T) {
	v := []*big.Int{big.NewInt(-5), big.NewInt(7), big.NewInt(3), big.NewInt(7)}
	if got := Argmax(v); got != 1 {
		t.Errorf("Argmax = %d, want 1", got)
	}
	if got := Argmax([]*big.Int{big.NewInt(-2)}); got != 0 {
		t.Errorf("Argmax single = %d", got)
	}
}

func TestFieldMapping(t *testing.T) {
	m1 := ToField(big.NewInt(-1))
	if new(big.Int).Add(m1, big.NewInt(1)).Cmp(Modulus) != 0 {
		t.Errorf("ToField(-1) = %s", m1)
	}
	if FromField(m1).Int64() != -1 || FromField(big.NewInt(5)).Int64() != 5 {
		t.Error("FromField")
	}
}

func mustGolden(t *testing.T, name string) *IR {
	t.Helper()
	d, err := Parse(golden.MustReadIR(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// mutate loads a golden IR as generic JSON, applies f and re-encodes it.
func mutate(t *testing.T, name string, f func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(golden.MustReadIR(t, name), &doc); err != nil {
		t.Fatal(err)
	}
	f(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func tensor(doc map[string]any, i int) map[string]any {
	return doc["tensors"].([]any)[i].(map[string]any)
}

func op(doc map[string]any, i int) map[string]any {
	return doc["ops"].([]any)[i].(map[string]any)
}

func TestParseRejects(t *testing.T) {
	const cls = "classifier-3x4.ir.json"
	const resc = "classifier-4x2-rescaled.ir.json"
	cases := []struct {
		name, file, want string
		f                func(doc map[string]any)
	}{
		{"unknown version", cls, "unsupported IR version 3", func(d map[string]any) { d["version"] = 3 }},
		{"version as string", cls, "version", func(d map[string]any) { d["version"] = "1" }},
		{"wrong format", cls, "format", func(d map[string]any) { d["format"] = "onnx" }},
		{"wrong field", cls, "field", func(d map[string]any) { d["field"] = "bls12-381" }},
		{"unknown op", cls, `unknown op "lstm"`, func(d map[string]any) { op(d, 1)["op"] = "lstm" }},
		{"unknown op key", cls, `unknown key "axis"`, func(d map[string]any) { op(d, 1)["axis"] = 0 }},
		{"unknown tensor key", cls, `unknown key "dtype"`, func(d map[string]any) { tensor(d, 0)["dtype"] = "i64" }},
		{"bad name", cls, "does not match", func(d map[string]any) { tensor(d, 2)["name"] = "Label" }},
		{"duplicate name", cls, "duplicate tensor", func(d map[string]any) { tensor(d, 2)["name"] = "acc" }},
		{"integer as number", cls, "decimal strings", func(d map[string]any) { op(d, 0)["bias"].([]any)[0] = 0 }},
		{"leading zero", cls, "canonical", func(d map[string]any) { op(d, 0)["bias"].([]any)[0] = "00" }},
		{"minus zero", cls, "canonical", func(d map[string]any) { op(d, 0)["bias"].([]any)[0] = "-0" }},
		{"plus sign", cls, "canonical", func(d map[string]any) { op(d, 0)["bias"].([]any)[0] = "+1" }},
		{"wrong acc bound", cls, "interval analysis", func(d map[string]any) { tensor(d, 1)["hi"].([]any)[0] = "3584" }},
		{"wrong argmax bound", cls, "interval analysis", func(d map[string]any) { tensor(d, 2)["hi"].([]any)[0] = "3" }},
		{"wrong rescale bound", resc, "interval analysis", func(d map[string]any) { tensor(d, 2)["lo"].([]any)[3] = "-2" }},
		{"huge input bound", cls, "2^248", func(d map[string]any) {
			tensor(d, 0)["hi"].([]any)[0] = new(big.Int).Lsh(big.NewInt(1), 248).String()
		}},
		{"lo above hi", cls, "lo 600 > hi 512", func(d map[string]any) { tensor(d, 0)["lo"].([]any)[0] = "600" }},
		{"lo/hi length", cls, "has 3 entries", func(d map[string]any) {
			t := tensor(d, 0)
			t["lo"] = t["lo"].([]any)[:3]
		}},
		{"weights shape", cls, "has 3 entries", func(d map[string]any) {
			w := op(d, 0)["weights"].([]any)
			w[0] = w[0].([]any)[:3]
		}},
		{"bias length", cls, "bias", func(d map[string]any) { op(d, 0)["bias"] = []any{"0"} }},
		{"scale rule dense", cls, "weightScale", func(d map[string]any) { op(d, 0)["weightScale"] = 5 }},
		{"scale rule rescale", resc, "shift", func(d map[string]any) { op(d, 1)["shift"] = 2 }},
		{"shift too large", resc, "[0, 128]", func(d map[string]any) { op(d, 1)["shift"] = 129 }},
		{"fractional shift", resc, "small integer", func(d map[string]any) { op(d, 1)["shift"] = 2.5 }},
		{"undefined op input", cls, "neither an input nor the output of an earlier op", func(d map[string]any) {
			ops := d["ops"].([]any)
			ops[0], ops[1] = ops[1], ops[0]
		}},
		{"write an input", cls, "is an input", func(d map[string]any) { op(d, 1)["out"] = "x" }},
		{"two inputs", cls, "exactly one input", func(d map[string]any) { d["inputs"] = []any{"x", "acc"} }},
		{"no outputs", cls, "exactly one output", func(d map[string]any) { d["outputs"] = []any{} }},
		{"unknown output", cls, "unknown tensor", func(d map[string]any) { d["outputs"] = []any{"nope"} }},
		{"dangling tensor", cls, "neither an input nor written", func(d map[string]any) {
			d["tensors"] = append(d["tensors"].([]any), map[string]any{"name": "z", "size": 1, "scale": 0, "lo": []any{"0"}, "hi": []any{"0"}})
		}},
		{"unknown task", cls, "task", func(d map[string]any) { d["task"] = "ranking" }},
		{"no ops", cls, "ops", func(d map[string]any) { d["ops"] = []any{} }},
		// v1 tensors are lifted into v2 tensors and follow their scale and size rules (the Java reader
		// agrees; ReadersAgreeOnMutatedIrTest found these accepted here).
		{"v1 input scale above 1024", cls, "tensors[0].scale: must be in [-1024, 1024], got 1025", func(d map[string]any) {
			tensor(d, 0)["scale"] = 1025
			op(d, 0)["weightScale"] = 4 + 8 - 1025
		}},
		{"v1 intermediate scale below -1024", cls, "tensors[1].scale: must be in [-1024, 1024], got -1025", func(d map[string]any) {
			tensor(d, 1)["scale"] = -1025
			op(d, 0)["weightScale"] = -1025 - 8
		}},
		{"v1 weightScale above 1024", cls, "ops[0].weightScale: must be in [-1024, 1024]", func(d map[string]any) {
			tensor(d, 0)["scale"] = -1020
			op(d, 0)["weightScale"] = 1032
		}},
		{"v1 size above 2^24", cls, "tensors[0].size: more than 2^24 elements", func(d map[string]any) { tensor(d, 0)["size"] = 1<<24 + 1 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(mutate(t, c.file, c.f))
			var ie *Error
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an *ir.Error", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestParseAcceptsUnknownTopLevelMetadata(t *testing.T) {
	_, err := Parse(mutate(t, "regressor-2x3.ir.json", func(d map[string]any) { d["comment"] = "hello" }))
	if err != nil {
		t.Fatal(err)
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	for _, s := range []string{"", "null", "[]", "{", `{"format":"zkml-ir"} {}`, "garbage"} {
		if _, err := Parse([]byte(s)); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

// Two readers must never see different numbers behind the same bytes (and circuit hash):
// encoding/json would silently keep the last of two "bias" keys, so Parse rejects them.
func TestParseRejectsDuplicateKeys(t *testing.T) {
	raw := golden.MustReadIR(t, "classifier-3x4.ir.json")
	if _, err := Parse(raw); err != nil {
		t.Fatalf("control: %v", err)
	}
	for name, c := range map[string]struct{ old, new, want string }{
		"duplicate bias in an op": {`"bias": [`, `"bias": ["1", "1", "1"], "bias": [`, "ops[0].bias"},
		"duplicate top-level key": {`"version": 1,`, `"version": 1, "version": 1,`, `duplicate key "version"`},
	} {
		t.Run(name, func(t *testing.T) {
			doc := strings.Replace(string(raw), c.old, c.new, 1)
			if doc == string(raw) {
				t.Fatalf("fixture did not change: %q not found", c.old)
			}
			_, err := Parse([]byte(doc))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// Every document of testdata/golden/ir-v2/invalid must be rejected with an *Error.
func TestInvalidV2DocumentsAreRejected(t *testing.T) {
	docs := golden.MustLoadInvalid(t)
	// The folder exists and lists dozens of documents; LoadInvalid returns none when index.json
	// is missing, which must fail here rather than pass an empty loop.
	if len(docs) < 50 {
		t.Fatalf("%d documents in testdata/golden/ir-v2/invalid, want at least 50", len(docs))
	}
	for _, doc := range docs {
		_, err := Parse(doc.IR)
		var ie *Error
		if !errors.As(err, &ie) {
			t.Errorf("%s (%s): got %v, want an *ir.Error", doc.File, doc.Rule, err)
			continue
		}
		t.Logf("%s: %v", doc.File, err)
	}
}

// v2 errors name the offending attribute element.
func TestV2ErrorPaths(t *testing.T) {
	raw := golden.MustReadIR(t, "../ir-v2/tree-depth2.ir.json")
	for _, c := range []struct {
		f    func(op0, op1 map[string]any)
		want string
	}{
		{func(op0, _ map[string]any) { op0["attributes"].(map[string]any)["feature"] = []any{0, 1, 2} }, "ops[0].attributes.feature[2]: feature 2 is not in [0, 2)"},
		{func(op0, _ map[string]any) { op0["attributes"].(map[string]any)["axis"] = 0 }, `ops[0].attributes: unknown key "axis"`},
		{func(_, op1 map[string]any) { op1["attributes"].(map[string]any)["gt"] = []any{2, -2, -5} }, "ops[1].attributes.gt[2]: leaf 4 (child -5) is not in [0, 4)"},
	} {
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		ops := doc["ops"].([]any)
		c.f(ops[0].(map[string]any), ops[1].(map[string]any))
		b, _ := json.Marshal(doc)
		if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}

// A document is UTF-8 without a byte order mark: invalid UTF-8 anywhere (even in a top-level key
// both readers ignore) is rejected, as is a BOM or another encoding (the Java reader agrees;
// ReadersAgreeOnMutatedIrTest found encoding/json accepting invalid bytes inside strings).
func TestParseRejectsNonUTF8(t *testing.T) {
	raw := golden.MustReadIR(t, "../ir-v2/tree-depth2.ir.json")
	if _, err := Parse(raw); err != nil {
		t.Fatalf("control: %v", err)
	}
	withComment := func(value string) []byte {
		return []byte(strings.Replace(string(raw), "{", `{"comment": "`+value+`",`, 1))
	}
	if _, err := Parse(withComment("é € \U0001F600")); err != nil {
		t.Fatalf("valid non-ASCII text in an ignored key: %v", err)
	}
	utf16 := make([]byte, 0, 2*len(raw))
	for _, b := range raw {
		utf16 = append(utf16, b, 0)
	}
	for name, c := range map[string]struct {
		doc  []byte
		want string
	}{
		"byte FF":                {withComment("a\xffb"), "not valid UTF-8"},
		"lone continuation byte": {withComment("a\x80b"), "not valid UTF-8"},
		"overlong encoding":      {withComment("a\xc0\xafb"), "not valid UTF-8"},
		"encoded surrogate":      {withComment("a\xed\xa0\x80b"), "not valid UTF-8"},
		"above U+10FFFF":         {withComment("a\xf4\x90\x80\x80b"), "not valid UTF-8"},
		"truncated sequence":     {withComment("a\xe2\x82b"), "not valid UTF-8"},
		"byte order mark":        {append([]byte("\xef\xbb\xbf"), raw...), "byte order mark"},
		"UTF-16LE":               {utf16, "not JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(c.doc)
			var ie *Error
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an *ir.Error containing %q", err, c.want)
			}
		})
	}
}
