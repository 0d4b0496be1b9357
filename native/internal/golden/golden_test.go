package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadFindsGoldenFilesAndDemoModels(t *testing.T) {
	sets := MustLoad(t)
	names := map[string]bool{}
	var golden, v2, examples int
	for _, s := range sets {
		if names[s.Name] {
			t.Errorf("two sets named %s", s.Name)
		}
		names[s.Name] = true
		if strings.HasPrefix(s.Name, "ir-v2/") {
			v2++
		}
		if strings.HasPrefix(s.Name, "examples/") {
			examples++
		} else {
			golden++
		}
		if len(s.IR) == 0 || len(s.Cases) == 0 || len(s.Invalid) == 0 {
			t.Errorf("%s: %d IR bytes, %d cases, %d invalid", s.Name, len(s.IR), len(s.Cases), len(s.Invalid))
		}
		for i, c := range s.Cases {
			if len(c.Input) == 0 || len(c.Output) == 0 {
				t.Errorf("%s case %d: empty input or output", s.Name, i)
			}
		}
		for i, c := range s.Invalid {
			if c.Error == "" {
				t.Errorf("%s invalid case %d: no error kind", s.Name, i)
			}
		}
	}
	for _, want := range []string{"classifier-3x4.ir.json", "classifier-4x2-rescaled.ir.json", "regressor-2x3.ir.json"} {
		if !names[want] {
			t.Errorf("no golden set %s (have %v)", want, names)
		}
	}
	if !names["ir-v2/tree-depth2.ir.json"] || v2 < 5 {
		t.Errorf("%d v2 golden sets, no ir-v2/tree-depth2.ir.json (have %v)", v2, names)
	}
	if docs := MustLoadInvalid(t); len(docs) < 50 {
		t.Errorf("%d invalid v2 documents", len(docs))
	}
	if golden == 0 || examples == 0 {
		t.Errorf("%d golden sets, %d demo models", golden, examples)
	}
}

func TestRootFromAnotherWorkingDirectory(t *testing.T) {
	want, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(want, IRDir))
	if got, err := Root(); err != nil || got != want {
		t.Errorf("Root() from %s = %q, %v; want %q", IRDir, got, err, want)
	}
	t.Chdir(os.TempDir()) // outside the repository: found from this source file
	if got, err := Root(); err != nil || got != want {
		t.Errorf("Root() from %s = %q, %v; want %q", os.TempDir(), got, err, want)
	}
}

func TestReadIR(t *testing.T) {
	if raw := MustReadIR(t, "classifier-3x4.ir.json"); !strings.Contains(string(raw), `"zkml-ir"`) {
		t.Errorf("classifier-3x4.ir.json: %.60s", raw)
	}
	if _, err := ReadIR("no-such.ir.json"); err == nil {
		t.Error("missing IR file read")
	}
}

func TestInts(t *testing.T) {
	v, err := Ints([]string{"0", "-1", "12", "21888242871839275222246405745257275088548364400416034343698204186575808495616"})
	if err != nil || v[1].Int64() != -1 || v[2].Int64() != 12 || v[3].BitLen() != 254 {
		t.Fatalf("Ints: %v %v", v, err)
	}
	for _, bad := range []string{"", "-0", "00", "+1", "1.0", " 1", "0x10", "1e3"} {
		if _, err := Ints([]string{bad}); err == nil {
			t.Errorf("Ints(%q) accepted", bad)
		}
	}
}
