package circuit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/zkml-service/zkml/native/internal/golden"
	"github.com/zkml-service/zkml/native/ir"
)

// fingerprintFile pins the constraint systems that v0.1 produced for every v1 document: the
// SHA-256 of the serialized R1CS (cs.WriteTo bytes) and the constraint count, keyed by the IR
// file's path relative to the repository root. Stored v0.1 constraint systems and keys stay valid
// only as long as compiling the same v1 bytes gives the same R1CS bytes.
const fingerprintFile = "testdata/golden/ir-v1/r1cs-sha256.json"

type fingerprint struct {
	IRSHA256    string `json:"irSha256"`
	R1CSSHA256  string `json:"r1csSha256"`
	Constraints int    `json:"constraints"`
}

func v1Documents(t *testing.T, root string) []string {
	t.Helper()
	var paths []string
	for _, pat := range []string{"testdata/golden/ir-v1/*.ir.json", "examples/*/circuit.ir.json"} {
		m, err := filepath.Glob(filepath.Join(root, pat))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range m {
			rel, _ := filepath.Rel(root, p)
			paths = append(paths, filepath.ToSlash(rel))
		}
	}
	sort.Strings(paths)
	return paths
}

func r1csFingerprint(t *testing.T, raw []byte) fingerprint {
	t.Helper()
	d, err := ir.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := Compile(d)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := cs.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	irSum, csSum := sha256.Sum256(raw), sha256.Sum256(buf.Bytes())
	return fingerprint{IRSHA256: hex.EncodeToString(irSum[:]), R1CSSHA256: hex.EncodeToString(csSum[:]), Constraints: cs.GetNbConstraints()}
}

// TestV1ConstraintSystemsAreUnchanged compiles every v1 document and compares the R1CS bytes
// with those v0.1 produced. ZKML_WRITE_FINGERPRINTS=1 rewrites the file (only ever with v0.1's
// code: the point of the file is that it is not regenerated). An examples/ document whose bytes
// changed (the compiler now writes v2) is skipped: its v1 bytes live on in testdata/golden/ir-v1.
func TestV1ConstraintSystemsAreUnchanged(t *testing.T) {
	root, err := golden.Root()
	if err != nil {
		t.Fatal(err)
	}
	paths := v1Documents(t, root)
	if os.Getenv("ZKML_WRITE_FINGERPRINTS") == "1" {
		out := map[string]fingerprint{}
		for _, p := range paths {
			raw, err := os.ReadFile(filepath.Join(root, p))
			if err != nil {
				t.Fatal(err)
			}
			a, b := r1csFingerprint(t, raw), r1csFingerprint(t, raw)
			if a != b {
				t.Fatalf("%s: compilation is not deterministic: %v vs %v", p, a, b)
			}
			out[p] = a
		}
		js, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, fingerprintFile), append(js, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	js, err := os.ReadFile(filepath.Join(root, fingerprintFile))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]fingerprint
	if err := json.Unmarshal(js, &want); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for p, w := range want {
		raw, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != w.IRSHA256 {
			if filepath.Dir(filepath.Dir(p)) == "examples" {
				t.Logf("%s is no longer the v1 document v0.1 compiled; skipped", p)
				continue
			}
			t.Errorf("%s: the v1 document itself changed", p)
			continue
		}
		if got := r1csFingerprint(t, raw); got != w {
			t.Errorf("%s: R1CS %s with %d constraints, v0.1 produced %s with %d", p, got.R1CSSHA256, got.Constraints, w.R1CSSHA256, w.Constraints)
		}
		checked++
	}
	if checked < 5 {
		t.Errorf("only %d v1 constraint systems checked", checked)
	}
}
